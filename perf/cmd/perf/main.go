// Command perf measures hitless beside HAProxy on loopback: nginx and an
// iperf3 server as the backends, each proxy in front of them in mode tcp
// with the same settings, wrk and iperf3 as the load generators,
// alternating targets round by round. It prints a Markdown report and,
// with -out DIR, writes it to DIR/<YYYY-MM-DD>.md. "make perf" and "make perf-quick" run it; see
// perf/README.md for how to read the tables.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"hitless/perf/bench"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "perf:", err)
		os.Exit(1)
	}
}

// options are the command-line settings.
type options struct {
	hitless, haproxy, nginx, wrk string
	iperf3                       string
	rounds                       int
	duration, bulkDuration       time.Duration
	quick                        bool
	nbthread                     int
	proxyCPUs, loadCPUs          string
	connections, wrkThreads      int
	maxconn                      int
	splice                       bool
	bodySize                     int
	targets, workloads           string
	out                          string
	keep                         bool
}

func parseFlags() *options {
	o := &options{}
	flag.StringVar(&o.hitless, "hitless", "bin/hitless", "hitless binary")
	flag.StringVar(&o.haproxy, "haproxy", "haproxy", "HAProxy binary")
	flag.StringVar(&o.nginx, "nginx", "nginx", "nginx binary (the backend)")
	flag.StringVar(&o.wrk, "wrk", "wrk", "wrk binary (the load generator)")
	flag.StringVar(&o.iperf3, "iperf3", "iperf3", "iperf3 binary (server and client of the bulk workloads)")
	flag.IntVar(&o.rounds, "rounds", 5, "rounds; each runs every workload against every target once")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "duration of each sample of the wrk workloads (whole seconds)")
	flag.DurationVar(&o.bulkDuration, "bulk-duration", 5*time.Second, "duration of each sample of the bulk workloads (whole seconds)")
	flag.BoolVar(&o.quick, "quick", false, "short run for development: 2 rounds of 3s (bulk: 2s) unless -rounds/-duration/-bulk-duration are given")
	flag.IntVar(&o.nbthread, "nbthread", 1, "proxy threads (nbthread), the same for every proxy")
	flag.StringVar(&o.proxyCPUs, "proxy-cpus", "0", "CPUs the proxies are pinned to with cpu-map")
	flag.StringVar(&o.loadCPUs, "load-cpus", "1", "CPUs wrk and nginx are pinned to with taskset")
	flag.IntVar(&o.connections, "connections", 50, "wrk connections (-c)")
	flag.IntVar(&o.wrkThreads, "wrk-threads", 1, "wrk threads (-t)")
	flag.IntVar(&o.maxconn, "maxconn", 4096, "proxy global and frontend maxconn")
	flag.BoolVar(&o.splice, "splice", true, "write 'option splice-auto' (false: 'no option splice-auto') for the workloads without splice variants (keepalive, conn-per-request)")
	flag.IntVar(&o.bodySize, "body-size", 3, "bytes in the backend's response body (newline-terminated), 1 to 4096")
	flag.StringVar(&o.targets, "targets", "direct,hitless,haproxy", "targets in round order: direct and proxy names (a workload's variants of a proxy run with it)")
	flag.StringVar(&o.workloads, "workloads", "keepalive,conn-per-request,bulk,bulk-reverse", "workloads to run, in order")
	flag.StringVar(&o.out, "out", "", "directory to write <YYYY-MM-DD>.md into (overwritten)")
	flag.BoolVar(&o.keep, "keep", false, "keep the scratch directory (configurations, logs) and print its path")
	flag.Parse()
	if o.quick {
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["rounds"] {
			o.rounds = 2
		}
		if !set["duration"] {
			o.duration = 3 * time.Second
		}
		if !set["bulk-duration"] {
			o.bulkDuration = 2 * time.Second
		}
	}
	return o
}

func run() error {
	o := parseFlags()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	}
	if o.bodySize < 1 || o.bodySize > 4096 {
		return fmt.Errorf("-body-size %d: want 1 to 4096", o.bodySize)
	}
	proxyCPUs, err := usableCPUs(o.proxyCPUs)
	if err != nil {
		return fmt.Errorf("-proxy-cpus: %w", err)
	}
	loadCPUs, err := usableCPUs(o.loadCPUs)
	if err != nil {
		return fmt.Errorf("-load-cpus: %w", err)
	}
	bins := map[string]*string{"hitless": &o.hitless, "haproxy": &o.haproxy, "nginx": &o.nginx, "wrk": &o.wrk, "iperf3": &o.iperf3}
	for name, p := range bins {
		if *p, err = resolve(*p); err != nil {
			return fmt.Errorf("-%s: %w", name, err)
		}
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	body := strings.Repeat("x", o.bodySize-1) + "\n"
	backend := bench.Nginx(o.nginx, body)
	wrk := bench.Wrk{Binary: o.wrk, Threads: o.wrkThreads, Connections: o.connections, CPUs: loadCPUs}
	iperfServer := bench.Iperf3Server(o.iperf3)
	iperf := bench.Iperf3{Binary: o.iperf3, CPUs: loadCPUs}
	bulk, bulkReverse := bench.Bulk(iperf, &iperfServer), bench.BulkReverse(iperf, &iperfServer)
	bulk.Duration, bulkReverse.Duration = o.bulkDuration, o.bulkDuration
	all := []bench.Workload{bench.KeepAlive(wrk, &backend), bench.ConnPerRequest(wrk, &backend), bulk, bulkReverse}
	proxies := []bench.Proxy{bench.Hitless(o.hitless), bench.HAProxy(o.haproxy)}

	dir, err := os.MkdirTemp("", "hitless-perf-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "perf: scratch directory", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	splice := bench.SpliceAuto
	if !o.splice {
		splice = bench.SpliceNoAuto
	}
	ticks, err := bench.ClockTicks(ctx)
	if err != nil {
		return err
	}
	r := &bench.Runner{
		Rounds:   o.rounds,
		Duration: o.duration,
		Proxy: bench.ProxySpec{Threads: o.nbthread, CPUs: proxyCPUs, Maxconn: o.maxconn, Splice: splice,
			TimeoutConnect: 5 * time.Second, TimeoutClient: 30 * time.Second, TimeoutServer: 30 * time.Second},
		BackendCPUs: loadCPUs,
		Dir:         dir,
		ClockTicks:  ticks,
		Progress:    os.Stderr,
	}
	if r.Workloads, err = pick(all, split(o.workloads), func(w bench.Workload) string { return w.Name }); err != nil {
		return fmt.Errorf("-workloads: %w", err)
	}
	targets := split(o.targets)
	for i, t := range targets {
		if t == bench.DirectTarget {
			if i != 0 {
				return fmt.Errorf("-targets: %s must come first", bench.DirectTarget)
			}
			r.Direct = true
			targets = targets[1:]
			break
		}
	}
	if r.Proxies, err = pick(proxies, targets, func(p bench.Proxy) string { return p.Name }); err != nil {
		return fmt.Errorf("-targets: %w", err)
	}

	machine, err := bench.DescribeMachine(ctx, []bench.ToolCommand{
		{Name: "hitless", Argv: []string{o.hitless, "-v"}},
		{Name: "HAProxy", Argv: []string{o.haproxy, "-v"}},
		{Name: "nginx", Argv: []string{o.nginx, "-v"}},
		{Name: "wrk", Argv: []string{o.wrk, "-v"}},
		{Name: "iperf3", Argv: []string{o.iperf3, "-v"}},
	}, []bench.ToolCommand{{Name: "hitless", Argv: []string{o.hitless}}})
	if err != nil {
		return err
	}
	if machine.BusyBefore, err = bench.MeasureBusy(ctx, time.Second); err != nil {
		return err
	}
	if machine.LoadBefore, err = bench.LoadAverage(); err != nil {
		return err
	}

	// Every step inside is bounded; this bounds the sum, with room for
	// start-up, checks and stops.
	var bound time.Duration
	for _, w := range r.Workloads {
		bound += time.Duration(o.rounds*len(r.Targets(w))) * (r.DurationOf(w) + 60*time.Second)
	}
	ctx, cancel := context.WithTimeout(ctx, bound+2*time.Minute)
	defer cancel()
	res, err := r.Run(ctx)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("interrupted: %w", err)
		}
		return err
	}
	if machine.LoadAfter, err = bench.LoadAverage(); err != nil {
		return err
	}
	rep := bench.BuildReport(r, res, machine, commandLine(), loadCPUs, time.Now())
	text := rep.Markdown()
	fmt.Print(text)
	if o.out != "" {
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return err
		}
		path := filepath.Join(o.out, rep.Date.Format("2006-01-02")+".md")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "perf: wrote", path)
	}
	return nil
}

// usableCPUs parses a CPU list and checks that this process may run on
// every CPU of it.
func usableCPUs(s string) (bench.CPUSet, error) {
	set, err := bench.ParseCPUSet(s)
	if err != nil {
		return nil, err
	}
	var mine unix.CPUSet
	if err := unix.SchedGetaffinity(0, &mine); err != nil {
		return nil, fmt.Errorf("sched_getaffinity: %w", err)
	}
	for _, c := range set {
		if !mine.IsSet(c) {
			return nil, fmt.Errorf("CPU %d is not available to this process", c)
		}
	}
	return set, nil
}

// resolve finds a binary in PATH (or at a path) and makes it absolute:
// programs run from the scratch directory.
func resolve(bin string) (string, error) {
	p, err := exec.LookPath(bin)
	if err != nil {
		return "", err
	}
	return filepath.Abs(p)
}

func split(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// pick returns the items named by names, in that order.
func pick[T any](items []T, names []string, name func(T) string) ([]T, error) {
	var out []T
	for _, n := range names {
		found := false
		for _, it := range items {
			if name(it) == n {
				out = append(out, it)
				found = true
				break
			}
		}
		if !found {
			var known []string
			for _, it := range items {
				known = append(known, name(it))
			}
			return nil, fmt.Errorf("unknown name %q (known: %s)", n, strings.Join(known, ", "))
		}
	}
	return out, nil
}

// commandLine is the harness's command line, shell-quoted where needed;
// a binary built by "go run" is shown as that command.
func commandLine() string {
	argv := append([]string(nil), os.Args...)
	if strings.Contains(argv[0], "go-build") {
		return "go run ./perf/cmd/perf " + bench.ShellQuote(argv[1:])
	}
	return bench.ShellQuote(argv)
}
