package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// ClockTicks returns the unit of the CPU times in /proc (USER_HZ), as
// "getconf CLK_TCK" reports it.
func ClockTicks(ctx context.Context) (int, error) {
	out, err := exec.CommandContext(ctx, "getconf", "CLK_TCK").Output()
	if err != nil {
		return 0, fmt.Errorf("bench: getconf CLK_TCK: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bench: getconf CLK_TCK printed %q", out)
	}
	return n, nil
}

// ParseProcStatCPU returns utime+stime, in clock ticks, from the content
// of /proc/<pid>/stat: the CPU time of every thread of the process, user
// and system, excluding waited-for children. The command name (field 2)
// may hold spaces and parentheses, so fields are counted from the last ')'.
func ParseProcStatCPU(stat []byte) (uint64, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("bench: /proc stat line without ')': %.60q", stat)
	}
	// After ')': field 3 (state) is rest[0]; utime and stime are fields
	// 14 and 15, that is rest[11] and rest[12].
	rest := strings.Fields(string(stat[end+1:]))
	if len(rest) < 13 {
		return 0, fmt.Errorf("bench: /proc stat line has %d fields after the name, want at least 13", len(rest))
	}
	utime, err1 := strconv.ParseUint(rest[11], 10, 64)
	stime, err2 := strconv.ParseUint(rest[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bench: /proc stat utime %q stime %q are not counters", rest[11], rest[12])
	}
	return utime + stime, nil
}

// ParseProcStatGroup returns the process group id (field 5) from the
// content of /proc/<pid>/stat.
func ParseProcStatGroup(stat []byte) (int, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("bench: /proc stat line without ')': %.60q", stat)
	}
	// After ')': state, ppid, pgrp.
	rest := strings.Fields(string(stat[end+1:]))
	if len(rest) < 3 {
		return 0, fmt.Errorf("bench: /proc stat line has %d fields after the name, want at least 3", len(rest))
	}
	pgrp, err := strconv.Atoi(rest[2])
	if err != nil || pgrp < 0 {
		return 0, fmt.Errorf("bench: /proc stat pgrp %q is not a process group id", rest[2])
	}
	return pgrp, nil
}

// GroupMembers returns the pids of the processes in process group pgid:
// a program the harness started (its own group) and whatever it forked,
// such as nginx's workers. The leader comes first; a leader that has
// exited is an error.
func GroupMembers(pgid int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	members := []int{pgid}
	if _, err := os.Stat("/proc/" + strconv.Itoa(pgid)); err != nil {
		return nil, fmt.Errorf("bench: process group %d: %w", pgid, err)
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == pgid {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // exited meanwhile
		}
		if g, err := ParseProcStatGroup(b); err == nil && g == pgid {
			members = append(members, pid)
		}
	}
	return members, nil
}

// ProcessCPU returns the CPU time (user+system, all threads) the process
// group led by pid has used so far: the program the harness started and
// the processes it forked (nginx's workers), but not those that exited;
// clkTck is [ClockTicks]'s result.
func ProcessCPU(pid, clkTck int) (time.Duration, error) {
	members, err := GroupMembers(pid)
	if err != nil {
		return 0, err
	}
	var total uint64
	for i, m := range members {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(m) + "/stat")
		if err != nil {
			if i > 0 {
				continue // a forked process exited meanwhile
			}
			return 0, fmt.Errorf("bench: CPU time of pid %d: %w", pid, err)
		}
		ticks, err := ParseProcStatCPU(b)
		if err != nil {
			return 0, fmt.Errorf("pid %d: %w", m, err)
		}
		total += ticks
	}
	return ticksToDuration(total, clkTck), nil
}

// ParseVmRSS returns the resident set size, in bytes, from the content of
// /proc/<pid>/status ("VmRSS:   12345 kB").
func ParseVmRSS(status string) (int64, error) {
	for line := range strings.SplitSeq(status, "\n") {
		v, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("bench: status line %q: want \"VmRSS: <n> kB\"", line)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bench: status line %q: %q is not a size", line, f[0])
		}
		return n << 10, nil
	}
	return 0, fmt.Errorf("bench: status without VmRSS (a zombie, or not a process)")
}

// GroupMemory returns the resident set size (VmRSS, bytes) and the count
// of open file descriptors of the process group led by pid, summed over
// its processes. Pages that forked processes share are counted once per
// process; a difference between two readings of one group is what the
// harness reports, and shared pages cancel out in it.
func GroupMemory(pid int) (rss int64, fds int, err error) {
	members, err := GroupMembers(pid)
	if err != nil {
		return 0, 0, err
	}
	for i, m := range members {
		dir := "/proc/" + strconv.Itoa(m)
		b, err := os.ReadFile(dir + "/status")
		if err != nil {
			if i > 0 {
				continue
			}
			return 0, 0, fmt.Errorf("bench: memory of pid %d: %w", pid, err)
		}
		n, err := ParseVmRSS(string(b))
		if err != nil {
			return 0, 0, fmt.Errorf("pid %d: %w", m, err)
		}
		ents, err := os.ReadDir(dir + "/fd")
		if err != nil {
			return 0, 0, fmt.Errorf("bench: descriptors of pid %d: %w", m, err)
		}
		rss += n
		fds += len(ents)
	}
	return rss, fds, nil
}

func ticksToDuration(ticks uint64, clkTck int) time.Duration {
	return time.Duration(ticks) * time.Second / time.Duration(clkTck)
}

// CPUTimes are the machine-wide counters of the "cpu" line of /proc/stat,
// in clock ticks.
type CPUTimes struct {
	Busy, Total uint64
}

// ParseProcStatTotals reads the aggregate "cpu" line of /proc/stat. Busy
// is everything but idle and iowait; guest time is already counted in
// user and nice, so it is not added again.
func ParseProcStatTotals(stat []byte) (CPUTimes, error) {
	for line := range strings.SplitSeq(string(stat), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "cpu" {
			continue
		}
		if len(f) < 5 {
			return CPUTimes{}, fmt.Errorf("bench: /proc/stat cpu line has %d fields", len(f))
		}
		var t CPUTimes
		// user nice system idle iowait irq softirq steal guest guest_nice
		for i, s := range f[1:] {
			if i >= 8 {
				break
			}
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return CPUTimes{}, fmt.Errorf("bench: /proc/stat cpu field %q: %w", s, err)
			}
			t.Total += v
			if i != 3 && i != 4 {
				t.Busy += v
			}
		}
		return t, nil
	}
	return CPUTimes{}, fmt.Errorf("bench: /proc/stat has no aggregate cpu line")
}

// BusyFraction is the share of the machine's CPU time that was busy
// between a and b (later), from 0 to 1.
func BusyFraction(a, b CPUTimes) float64 {
	if b.Total <= a.Total {
		return 0
	}
	return float64(b.Busy-a.Busy) / float64(b.Total-a.Total)
}

// readCPUTimes reads /proc/stat's aggregate line.
func readCPUTimes() (CPUTimes, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return CPUTimes{}, fmt.Errorf("bench: %w", err)
	}
	return ParseProcStatTotals(b)
}

// MeasureBusy returns the machine-wide busy share over interval: how much
// else is running before the harness starts loading the machine.
func MeasureBusy(ctx context.Context, interval time.Duration) (float64, error) {
	a, err := readCPUTimes()
	if err != nil {
		return 0, err
	}
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(interval):
	}
	b, err := readCPUTimes()
	if err != nil {
		return 0, err
	}
	return BusyFraction(a, b), nil
}
