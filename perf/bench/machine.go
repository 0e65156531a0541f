package bench

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Machine describes where a run happened, for the report header.
type Machine struct {
	CPUModel    string   // /proc/cpuinfo "model name" (or the first model field found)
	CPUs        int      // CPUs this process may run on (sched_getaffinity)
	Hypervisor  bool     // /proc/cpuinfo flags include "hypervisor": a virtual machine
	Kernel      string   // uname: sysname release machine
	GoVersion   string   // the Go that built the harness
	Tools       []Tool   // versions of the programs the run used
	Sysctls     []Sysctl // kernel settings that shape loopback benchmarks
	BusyBefore  float64  // machine-wide busy share over 1 s before the run, 0..1
	LoadBefore  string   // /proc/loadavg before the run
	LoadAfter   string   // /proc/loadavg after the run
	NofileLimit uint64   // RLIMIT_NOFILE soft limit the children inherit
}

// Tool is one program's version line.
type Tool struct {
	Name, Version string
}

// Sysctl is one kernel setting as /proc/sys shows it.
type Sysctl struct {
	Name, Value string
}

// benchSysctls are the settings that change loopback results: ephemeral
// ports and TIME_WAIT reuse for the connection-per-request workloads,
// the accept backlog cap.
var benchSysctls = []string{
	"net.ipv4.ip_local_port_range",
	"net.ipv4.tcp_tw_reuse",
	"net.core.somaxconn",
}

// ParseCPUModel returns the CPU model named in /proc/cpuinfo content:
// "model name" (x86), else "Model" or "Hardware" (arm), else "unknown".
// hypervisor reports the x86 "hypervisor" flag.
func ParseCPUModel(cpuinfo string) (model string, hypervisor bool) {
	found := map[string]string{}
	for line := range strings.SplitSeq(cpuinfo, "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if _, seen := found[key]; !seen {
			found[key] = val
		}
		if key == "flags" && !hypervisor {
			hypervisor = containsWord(val, "hypervisor")
		}
	}
	for _, k := range []string{"model name", "Model", "Hardware"} {
		if v := found[k]; v != "" {
			return v, hypervisor
		}
	}
	return "unknown", hypervisor
}

func containsWord(s, w string) bool {
	for f := range strings.FieldsSeq(s) {
		if f == w {
			return true
		}
	}
	return false
}

// DescribeMachine collects the machine description. versions maps a tool
// name to the command printing its version: its first non-empty output
// line is kept (tools such as wrk -v exit non-zero after printing it); a
// tool that cannot run is an error. goBinaries maps a name to a Go
// executable whose toolchain version is reported as "<name> built with".
func DescribeMachine(ctx context.Context, versions []ToolCommand, goBinaries []ToolCommand) (Machine, error) {
	var m Machine
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return m, fmt.Errorf("bench: %w", err)
	}
	m.CPUModel, m.Hypervisor = ParseCPUModel(string(info))
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return m, fmt.Errorf("bench: sched_getaffinity: %w", err)
	}
	m.CPUs = set.Count()
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return m, fmt.Errorf("bench: uname: %w", err)
	}
	m.Kernel = strings.Join([]string{unix.ByteSliceToString(u.Sysname[:]), unix.ByteSliceToString(u.Release[:]),
		unix.ByteSliceToString(u.Machine[:])}, " ")
	m.GoVersion = runtime.Version()
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return m, fmt.Errorf("bench: getrlimit: %w", err)
	}
	m.NofileLimit = lim.Cur
	for _, t := range versions {
		v, err := toolVersion(ctx, t.Argv)
		if err != nil {
			return m, err
		}
		m.Tools = append(m.Tools, Tool{Name: t.Name, Version: v})
	}
	for _, t := range goBinaries {
		path, err := exec.LookPath(t.Argv[0])
		if err != nil {
			return m, fmt.Errorf("bench: %s: %w", t.Name, err)
		}
		bi, err := buildinfo.ReadFile(path)
		if err != nil {
			return m, fmt.Errorf("bench: build info of %s: %w", path, err)
		}
		m.Tools = append(m.Tools, Tool{Name: t.Name + " built with", Version: bi.GoVersion})
	}
	for _, name := range benchSysctls {
		b, err := os.ReadFile("/proc/sys/" + strings.ReplaceAll(name, ".", "/"))
		if err != nil {
			return m, fmt.Errorf("bench: sysctl %s: %w", name, err)
		}
		m.Sysctls = append(m.Sysctls, Sysctl{Name: name, Value: strings.Join(strings.Fields(string(b)), " ")})
	}
	return m, nil
}

// ToolCommand names a program and the command that identifies it.
type ToolCommand struct {
	Name string
	Argv []string
}

// toolVersion runs argv (bounded to 10 s) and returns the first non-empty
// line of its combined output.
func toolVersion(ctx context.Context, argv []string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return "", fmt.Errorf("bench: %s: %w", strings.Join(argv, " "), err)
	}
	for line := range bytes.SplitSeq(out, []byte("\n")) {
		if s := strings.TrimSpace(string(line)); s != "" {
			return s, nil
		}
	}
	return "", fmt.Errorf("bench: %s printed nothing (%v)", strings.Join(argv, " "), err)
}

// LoadAverage returns /proc/loadavg's three load averages.
func LoadAverage() (string, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "", fmt.Errorf("bench: /proc/loadavg reads %q", b)
	}
	return strings.Join(f[:3], " "), nil
}
