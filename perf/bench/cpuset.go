package bench

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// CPUSet is a sorted list of distinct CPU numbers. Its text form is the
// list syntax shared by taskset -c, cpu-map and sysfs: "0", "0-3", "1,3-4".
type CPUSet []int

// maxCPUNumber bounds the numbers ParseCPUSet accepts, as HAProxy 2.6's
// cpu-map does.
const maxCPUNumber = 1023

// ParseCPUSet reads a CPU list such as "0", "0-1" or "0,2-3". It rejects
// empty sets, reversed ranges and numbers above 1023; duplicates merge.
func ParseCPUSet(s string) (CPUSet, error) {
	var set CPUSet
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		loStr, hiStr, isRange := strings.Cut(part, "-")
		lo, err := parseCPUNumber(loStr)
		if err != nil {
			return nil, fmt.Errorf("bench: CPU list %q: %w", s, err)
		}
		hi := lo
		if isRange {
			if hi, err = parseCPUNumber(hiStr); err != nil {
				return nil, fmt.Errorf("bench: CPU list %q: %w", s, err)
			}
			if hi < lo {
				return nil, fmt.Errorf("bench: CPU list %q: range %d-%d is reversed", s, lo, hi)
			}
		}
		for c := lo; c <= hi; c++ {
			set = append(set, c)
		}
	}
	slices.Sort(set)
	return slices.Compact(set), nil
}

func parseCPUNumber(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > maxCPUNumber {
		return 0, fmt.Errorf("%q is not a CPU number from 0 to %d", s, maxCPUNumber)
	}
	return n, nil
}

// String returns the canonical list form, with runs of consecutive CPUs
// collapsed into ranges ("0-2,5"). The empty set is "".
func (c CPUSet) String() string {
	var b strings.Builder
	for i := 0; i < len(c); {
		j := i
		for j+1 < len(c) && c[j+1] == c[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(c[i]))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(c[j]))
		}
		i = j + 1
	}
	return b.String()
}

// Overlaps reports whether c and d share a CPU.
func (c CPUSet) Overlaps(d CPUSet) bool {
	for _, x := range c {
		if slices.Contains(d, x) {
			return true
		}
	}
	return false
}

// TasksetArgv returns argv prefixed with "taskset -c <c>", so that the
// program starts, and stays, on the CPUs of c. taskset execs the program:
// the pid of the started process is the program's. An empty set returns
// argv unchanged.
func (c CPUSet) TasksetArgv(argv []string) []string {
	if len(c) == 0 {
		return argv
	}
	return append([]string{"taskset", "-c", c.String()}, argv...)
}
