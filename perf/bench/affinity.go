package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ParseCpusAllowedList returns the "Cpus_allowed_list:" value of a
// /proc/<pid>/task/<tid>/status file: the CPUs the thread may run on.
func ParseCpusAllowedList(status string) (string, error) {
	for line := range strings.SplitSeq(status, "\n") {
		if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("bench: status without Cpus_allowed_list")
}

// SummarizeAffinity turns per-thread CPU lists into "1 thread on 0,
// 4 threads on 0-1", ordered by CPU list.
func SummarizeAffinity(lists []string) string {
	count := map[string]int{}
	for _, l := range lists {
		count[l]++
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		noun := "threads"
		if count[k] == 1 {
			noun = "thread"
		}
		parts = append(parts, strconv.Itoa(count[k])+" "+noun+" on CPU "+k)
	}
	return strings.Join(parts, ", ")
}

// ThreadAffinity reports where the threads of pid may run, as
// SummarizeAffinity writes it. It shows whether a cpu-map line took
// effect and which threads it does not cover.
func ThreadAffinity(pid int) (string, error) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tids, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("bench: threads of pid %d: %w", pid, err)
	}
	var lists []string
	for _, t := range tids {
		b, err := os.ReadFile(filepath.Join(dir, t.Name(), "status"))
		if err != nil {
			continue // the thread ended meanwhile
		}
		l, err := ParseCpusAllowedList(string(b))
		if err != nil {
			return "", fmt.Errorf("pid %d thread %s: %w", pid, t.Name(), err)
		}
		lists = append(lists, l)
	}
	if len(lists) == 0 {
		return "", fmt.Errorf("bench: pid %d has no readable thread", pid)
	}
	return SummarizeAffinity(lists), nil
}
