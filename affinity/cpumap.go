package affinity

import (
	"errors"
	"fmt"
)

// Map is one "cpu-map [auto:]1/<first>-<last> <cpus>" line. Threads are
// numbered from 1.
type Map struct {
	Auto        bool  // threads map one to one onto CPUs, in order
	ThreadFirst int   // >= 1
	ThreadLast  int   // >= ThreadFirst; may exceed the thread count ("all")
	CPUs        []int // ascending, no duplicates
}

// Plan gives, for each reactor thread (index 0 = thread 1), the CPUs it
// may run on. An empty set means "not pinned".
type Plan struct {
	Threads [][]int
}

// ErrNoUsableCPU is returned when a cpu-map line leaves a thread with no
// CPU the process may use.
var ErrNoUsableCPU = errors.New("affinity: cpu-map leaves a thread without usable CPU")

// Resolve builds the plan for nbthread threads. Without any cpu-map line,
// thread i is pinned to usable[i % len(usable)], so that each reactor owns
// one CPU when there are as many reactors as CPUs. Map lines apply in
// order, later lines overriding earlier ones for the threads they name, as
// HAProxy applies them. In an "auto:" line the k-th thread of the range
// (among those that exist) gets the k-th CPU of the list; a range longer
// than the CPU list wraps around. CPUs outside usable are dropped; a
// thread whose set becomes empty is an error, because HAProxy refuses to
// start a thread bound to no available CPU.
func Resolve(maps []Map, nbthread int, usable []int) (Plan, error) {
	p := Plan{Threads: make([][]int, nbthread)}
	if nbthread <= 0 {
		return p, nil
	}
	if len(maps) == 0 {
		if len(usable) == 0 {
			return p, nil
		}
		for i := range p.Threads {
			p.Threads[i] = []int{usable[i%len(usable)]}
		}
		return p, nil
	}
	ok := make(map[int]bool, len(usable))
	for _, c := range usable {
		ok[c] = true
	}
	for _, m := range maps {
		if m.ThreadFirst < 1 || m.ThreadLast < m.ThreadFirst {
			return p, fmt.Errorf("affinity: invalid thread range %d-%d", m.ThreadFirst, m.ThreadLast)
		}
		if len(m.CPUs) == 0 {
			return p, errors.New("affinity: cpu-map without CPU")
		}
		last := min(m.ThreadLast, nbthread)
		for th := m.ThreadFirst; th <= last; th++ {
			if m.Auto {
				p.Threads[th-1] = []int{m.CPUs[(th-m.ThreadFirst)%len(m.CPUs)]}
			} else {
				p.Threads[th-1] = append([]int(nil), m.CPUs...)
			}
		}
	}
	for th, cpus := range p.Threads {
		if cpus == nil {
			continue // not named by any line: not pinned, as in HAProxy
		}
		kept := cpus[:0]
		for _, c := range cpus {
			if len(usable) == 0 || ok[c] {
				kept = append(kept, c)
			}
		}
		if len(kept) == 0 {
			return p, fmt.Errorf("%w: thread %d", ErrNoUsableCPU, th+1)
		}
		p.Threads[th] = kept
	}
	return p, nil
}
