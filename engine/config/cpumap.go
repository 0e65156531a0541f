package config

import (
	"sort"
	"strings"
)

// maxCPU is the highest CPU number cpu-map accepts, as in HAProxy 2.6.
const maxCPU = 1023

// globalCPUMap parses "cpu-map [auto:]<process-set>[/<thread-set>]
// <cpu-set>...". hitless runs a single process, so the process set must
// contain process 1; the line then applies to the thread set (all threads
// when absent). With "auto:", threads map one to one onto the CPUs in
// ascending order and both sets must have the same size, except that the
// thread set "all" takes the size of the CPU set.
func (p *parser) globalCPUMap(w []string) {
	if arg(w, 1) == "" || arg(w, 2) == "" {
		p.alert("cpu-map expects a process number  ('all', 'odd', 'even', a number from 1 to 64 or a range),  followed by a list of CPU ranges with numbers from 0 to 63.")
		return
	}
	spec := w[1]
	auto := strings.HasPrefix(spec, "auto:")
	if auto {
		spec = spec[len("auto:"):]
	}
	procSpec, threadSpec, hasThreads := strings.Cut(spec, "/")
	procs, msg := parseIDSet(procSpec)
	if msg != "" {
		p.alert("cpu-map : " + msg)
		return
	}
	var threads idSet
	if hasThreads {
		threads, msg = parseIDSet(threadSpec)
		if msg != "" {
			p.alert("cpu-map : " + msg)
			return
		}
	}
	cpus, msg := parseCPUSet(w[2:])
	if msg != "" {
		p.alert("cpu-map : " + msg)
		return
	}
	if auto {
		n := procs.count()
		if hasThreads {
			n = threads.count()
			if threads.all {
				n = len(cpus)
			}
		}
		// A single CPU takes any number of threads, as in HAProxy.
		if n != len(cpus) && len(cpus) > 1 {
			p.alert("cpu-map : PROC/THREAD range and CPU sets must have the same size to be automatically bound")
			return
		}
	}
	if !procs.has(1) {
		p.alert("cpu-map : process set '" + procSpec + "' does not include process 1; hitless runs a single process.")
		return
	}
	m := CPUMap{File: p.file, Line: p.line}
	switch {
	case !hasThreads && auto && len(cpus) > 1:
		// One process bound automatically: it gets the CPU of its rank
		// in the process set, that is the first one.
		m.ThreadFirst, m.ThreadLast, m.CPUs = 1, MaxThreads, cpus[:1:1]
		p.cfg.Global.CPUMaps = append(p.cfg.Global.CPUMaps, m)
	case !hasThreads:
		m.ThreadFirst, m.ThreadLast, m.CPUs = 1, MaxThreads, cpus
		p.cfg.Global.CPUMaps = append(p.cfg.Global.CPUMaps, m)
	case threads.all && auto && len(cpus) > 1:
		m.Auto, m.ThreadFirst, m.ThreadLast, m.CPUs = true, 1, len(cpus), cpus
		p.cfg.Global.CPUMaps = append(p.cfg.Global.CPUMaps, m)
	case threads.contiguous():
		m.Auto, m.ThreadFirst, m.ThreadLast, m.CPUs = auto && len(cpus) > 1, threads.ids[0], threads.ids[len(threads.ids)-1], cpus
		p.cfg.Global.CPUMaps = append(p.cfg.Global.CPUMaps, m)
	default:
		// "odd" and "even" thread sets: one entry per thread.
		for i, t := range threads.ids {
			e := m
			e.ThreadFirst, e.ThreadLast, e.CPUs = t, t, cpus
			if auto && len(cpus) > 1 {
				e.CPUs = cpus[i : i+1 : i+1]
			}
			p.cfg.Global.CPUMaps = append(p.cfg.Global.CPUMaps, e)
		}
	}
}

// idSet is a set of process or thread numbers, 1..MaxThreads.
type idSet struct {
	ids []int // ascending
	all bool  // written "all"
}

func (s idSet) count() int { return len(s.ids) }

func (s idSet) has(n int) bool {
	for _, id := range s.ids {
		if id == n {
			return true
		}
	}
	return false
}

func (s idSet) contiguous() bool {
	return len(s.ids) > 0 && s.ids[len(s.ids)-1]-s.ids[0] == len(s.ids)-1
}

// parseIDSet parses "all", "odd", "even", "N" or "N-M" (in any order).
func parseIDSet(s string) (idSet, string) {
	var set idSet
	switch s {
	case "all", "odd", "even":
		set.all = s == "all"
		for i := 1; i <= MaxThreads; i++ {
			if s == "all" || (s == "odd") == (i%2 == 1) {
				set.ids = append(set.ids, i)
			}
		}
		return set, ""
	}
	outOfRange := "'" + s + "' is not a valid number/range. It supports numbers from 1 to " + itoa(MaxThreads) + "."
	lo, hi, ok := strings.Cut(s, "-")
	if !ok {
		hi = lo
	}
	for _, part := range []string{lo, hi} {
		for i := 0; i < len(part); i++ {
			if !isDigit(part[i]) {
				return set, "'" + s + "' is not a valid number/range."
			}
		}
	}
	a, okA := parseUint(lo, MaxThreads)
	b, okB := parseUint(hi, MaxThreads)
	if !okA || !okB || a == 0 || b == 0 {
		return set, outOfRange
	}
	if a > b {
		a, b = b, a
	}
	for i := a; i <= b; i++ {
		set.ids = append(set.ids, i)
	}
	return set, ""
}

// parseCPUSet parses cpu-map's CPU words: comma-separated numbers and
// ranges, "N-" meaning up to the highest CPU. As in HAProxy, what follows
// a valid number or range in an item is ignored. The result is sorted and
// free of duplicates.
func parseCPUSet(words []string) ([]int, string) {
	seen := make(map[int]bool)
	for _, word := range words {
		if word == "" {
			continue
		}
		if strings.Trim(word, ",") == "" {
			return nil, "'" + word + "' is not a CPU range."
		}
		for _, item := range strings.Split(word, ",") {
			if item == "" {
				continue
			}
			if !isDigit(item[0]) {
				return nil, "'" + word + "' is not a CPU range."
			}
			lo, end := strtolBase10(item, 0)
			hi := lo
			if end < len(item) && item[end] == '-' {
				if end+1 < len(item) && isDigit(item[end+1]) {
					hi, _ = strtolBase10(item, end+1)
				} else {
					hi = maxCPU
				}
			}
			if lo > maxCPU || hi > maxCPU {
				return nil, "supports CPU numbers from 0 to " + itoa(maxCPU) + "."
			}
			if lo > hi {
				lo, hi = hi, lo
			}
			for c := lo; c <= hi; c++ {
				seen[int(c)] = true
			}
		}
	}
	if len(seen) == 0 {
		return nil, "'" + strings.Join(words, " ") + "' is not a CPU range."
	}
	cpus := make([]int, 0, len(seen))
	for c := range seen {
		cpus = append(cpus, c)
	}
	sort.Ints(cpus)
	return cpus, ""
}
