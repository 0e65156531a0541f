package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Mode is the proxy mode a workload needs, with HAProxy's names.
type Mode string

const (
	ModeTCP  Mode = "tcp"  // L4: bytes forwarded as they are
	ModeHTTP Mode = "http" // L7: requests parsed and forwarded
)

// ProxySpec is the setting every proxy under test receives, identical for
// all of them within a sample's workload.
type ProxySpec struct {
	Mode    Mode
	Listen  string // "127.0.0.1:port" the proxy listens on
	Server  string // "127.0.0.1:port" it forwards to
	Threads int    // worker threads (nbthread)
	CPUs    CPUSet // CPUs the threads are pinned to (cpu-map)
	Maxconn int    // global and frontend maxconn
	// Splice is the "option splice-auto" line of the defaults section;
	// SpliceUnset writes none, leaving each proxy to its own default.
	Splice Splice
	// NoSplice writes "nosplice" in the global section: no kernel
	// splicing at all, whatever the options say.
	NoSplice bool

	TimeoutConnect, TimeoutClient, TimeoutServer time.Duration

	// Nofile is the open-files limit a proxy that sets its own (nginx's
	// worker_rlimit_nofile) asks for: the hard limit every process
	// inherits. 0 leaves the proxy to its default. HAProxy and hitless
	// derive theirs from maxconn; Go raises its soft limit to the hard
	// one at start.
	Nofile uint64

	Dir string // private, existing directory for its configuration and files
}

// Splice is what a configuration says about "option splice-auto".
type Splice int

const (
	SpliceUnset  Splice = iota // no line: hitless splices in tcp mode, HAProxy does not
	SpliceAuto                 // "option splice-auto"
	SpliceNoAuto               // "no option splice-auto"
)

// Proxy describes a program under test. Adding a proxy to the suite
// (nginx as a TCP proxy, a gnet or io.Copy Go proxy) means adding a Proxy
// value; the runner needs nothing else.
type Proxy struct {
	Name  string // also the target name of its plain runs; see [Variant]
	Modes []Mode // the modes it can run; workloads in other modes skip it
	// Pending maps a mode the program is meant to support but does not
	// yet to the reason its row gives instead of figures ("n/a: mode http
	// not implemented yet"). A mode it will never run is in neither list,
	// and its tables leave it out.
	Pending map[Mode]string
	// Config renders the configuration file for s; nil when the program
	// takes its settings on the command line only.
	Config func(s ProxySpec) ([]byte, error)
	// Argv is the command line; cfgPath is where Config's output was
	// written ("" without Config). It must keep the program in the
	// foreground, and the pid it starts is the one whose CPU time is
	// measured: a proxy made of several processes must run its work in
	// that one or be described with its own accounting.
	Argv func(cfgPath string, s ProxySpec) []string
	// Placement says, for the report, how the program gets its threads
	// and CPUs from s.
	Placement func(s ProxySpec) string
}

// Supports reports whether p can run a workload in mode m.
func (p Proxy) Supports(m Mode) bool { return slices.Contains(p.Modes, m) }

// StartProxy writes p's configuration for s into s.Dir, starts it and
// waits until it listens. On error nothing is left running and the error
// quotes the proxy's output.
func StartProxy(ctx context.Context, p Proxy, s ProxySpec) (*Process, error) {
	cfgPath := ""
	if p.Config != nil {
		text, err := p.Config(s)
		if err != nil {
			return nil, err
		}
		cfgPath = filepath.Join(s.Dir, fileName(p.Name)+"-"+string(s.Mode)+".cfg")
		if err := os.WriteFile(cfgPath, text, 0o644); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	proc, err := StartProcess(p.Name, p.Argv(cfgPath, s), s.Dir)
	if err != nil {
		return nil, err
	}
	if err := WaitListening(ctx, s.Listen, proc); err != nil {
		_ = proc.Stop()
		return nil, err
	}
	return proc, nil
}

// Hitless is hitless run in the foreground (-db) on [HAProxyConfig].
func Hitless(binary string) Proxy {
	return Proxy{
		Name:   "hitless",
		Modes:  []Mode{ModeTCP, ModeHTTP},
		Config: HAProxyConfig,
		Argv: func(cfgPath string, _ ProxySpec) []string {
			return []string{binary, "-db", "-f", cfgPath}
		},
		Placement: haproxyPlacement,
	}
}

// HAProxy is HAProxy run in the foreground without master-worker (-db),
// on the same [HAProxyConfig] file as hitless.
func HAProxy(binary string) Proxy {
	return Proxy{
		Name:   "haproxy",
		Modes:  []Mode{ModeTCP, ModeHTTP},
		Config: HAProxyConfig,
		Argv: func(cfgPath string, _ ProxySpec) []string {
			return []string{binary, "-db", "-f", cfgPath}
		},
		Placement: haproxyPlacement,
	}
}

// haproxyPlacement describes the threads and CPUs of [HAProxyConfig].
func haproxyPlacement(s ProxySpec) string {
	cpuMap := "no cpu-map (not pinned)"
	if len(s.CPUs) > 0 {
		cpuMap = "`" + CPUMapLine(s.Threads, s.CPUs) + "`"
	}
	return fmt.Sprintf("nbthread %d, %s in its configuration (worker threads only)", s.Threads, cpuMap)
}

// HAProxyConfig renders s in HAProxy 2.6 syntax, the file that every
// HAProxy-syntax proxy runs: one frontend, one backend, one server, no
// logging, no health check. Threads are pinned one to one when there are
// as many CPUs as threads ("cpu-map auto:1/1-N"), otherwise every thread
// may use every CPU of the set ("cpu-map 1/all").
func HAProxyConfig(s ProxySpec) ([]byte, error) {
	switch {
	case s.Mode != ModeTCP && s.Mode != ModeHTTP:
		return nil, fmt.Errorf("bench: HAProxy configuration: unknown mode %q", s.Mode)
	case s.Threads < 1:
		return nil, fmt.Errorf("bench: HAProxy configuration: nbthread %d", s.Threads)
	case s.Maxconn < 1:
		return nil, fmt.Errorf("bench: HAProxy configuration: maxconn %d", s.Maxconn)
	case s.Listen == "" || s.Server == "":
		return nil, fmt.Errorf("bench: HAProxy configuration: listen %q, server %q", s.Listen, s.Server)
	}
	var b strings.Builder
	b.WriteString("# written by perf/bench; every HAProxy-syntax proxy under test runs this same file\n")
	b.WriteString("global\n")
	fmt.Fprintf(&b, "    nbthread %d\n", s.Threads)
	if len(s.CPUs) > 0 {
		b.WriteString("    " + CPUMapLine(s.Threads, s.CPUs) + "\n")
	}
	fmt.Fprintf(&b, "    maxconn %d\n", s.Maxconn)
	if s.NoSplice {
		b.WriteString("    nosplice\n")
	}
	b.WriteString("\ndefaults\n")
	fmt.Fprintf(&b, "    mode %s\n", s.Mode)
	fmt.Fprintf(&b, "    maxconn %d\n", s.Maxconn)
	fmt.Fprintf(&b, "    timeout connect %s\n", haproxyDuration(s.TimeoutConnect))
	fmt.Fprintf(&b, "    timeout client %s\n", haproxyDuration(s.TimeoutClient))
	fmt.Fprintf(&b, "    timeout server %s\n", haproxyDuration(s.TimeoutServer))
	switch s.Splice {
	case SpliceUnset:
	case SpliceAuto:
		b.WriteString("    option splice-auto\n")
	case SpliceNoAuto:
		b.WriteString("    no option splice-auto\n")
	default:
		return nil, fmt.Errorf("bench: HAProxy configuration: splice setting %d", s.Splice)
	}
	b.WriteString("\nfrontend fe\n")
	fmt.Fprintf(&b, "    bind %s\n", s.Listen)
	b.WriteString("    default_backend be\n")
	b.WriteString("\nbackend be\n")
	fmt.Fprintf(&b, "    server s1 %s\n", s.Server)
	return []byte(b.String()), nil
}

// CPUMapLine is the cpu-map line [HAProxyConfig] writes for threads on
// cpus.
func CPUMapLine(threads int, cpus CPUSet) string {
	if threads > 1 && len(cpus) == threads {
		return fmt.Sprintf("cpu-map auto:1/1-%d %s", threads, cpus)
	}
	return "cpu-map 1/all " + cpus.String()
}

// haproxyDuration writes d in milliseconds, HAProxy's default unit, or
// in seconds when it is a whole number of them.
func haproxyDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}

// fileName turns a target name ("haproxy splice-auto") into a file name
// part: anything but letters, digits, '.', '_' and '-' becomes '-'.
func fileName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '-'
	}, name)
}
