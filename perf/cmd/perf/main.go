// Command perf measures hitless beside HAProxy, nginx and three Go
// proxies (gnet, io.Copy, httputil.ReverseProxy) on loopback: nginx and
// an iperf3 server as the backends, each proxy in front of them in mode
// tcp and mode http with the same thread count and CPUs, wrk, iperf3,
// perf/cmd/loadgen and the harness itself (idle connections) as the load,
// alternating targets round by round. It prints the planned time, then a
// Markdown report and, with -out DIR, writes it to DIR/<YYYY-MM-DD>.md.
// "make perf" and "make perf-quick" run it; see perf/README.md for how to
// read the tables.
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
	"slices"
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
	iperf3, goTool               string
	peers                        map[string]*string // Go peer and loadgen binaries by program name; "" builds them
	rounds                       int
	duration, bulkDuration       time.Duration
	latencyDuration, warmup      time.Duration
	latencyRate, latencyFraction float64
	idleConns                    int
	idleHold                     time.Duration
	budget                       time.Duration
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

// Workload names, in the order a round runs them: each fixed-rate
// latency workload after the keep-alive workload of its mode, whose
// HAProxy figure sets its rate.
const (
	tcpWorkloads  = "keepalive,conn-per-request,keepalive-1k,keepalive-64k,latency,bulk,bulk-reverse,idle-conns"
	httpWorkloads = "keepalive-http,conn-per-request-http,keepalive-1k-http,keepalive-64k-http,latency-http,idle-conns-http"
	allTargets    = "direct,hitless,haproxy,nginx,gnet-proxy,copy-proxy,rp-proxy"
	// quickWorkloads is -quick's subset: keep-alive, a connection per
	// request and one latency point, in mode tcp, against every target.
	quickWorkloads = "keepalive,conn-per-request,latency"
)

// loadgenName is the fixed-rate generator's program under perf/cmd.
const loadgenName = "loadgen"

func parseFlags() *options {
	o := &options{peers: map[string]*string{}}
	flag.StringVar(&o.hitless, "hitless", "bin/hitless", "hitless binary")
	flag.StringVar(&o.haproxy, "haproxy", "haproxy", "HAProxy binary")
	flag.StringVar(&o.nginx, "nginx", "nginx", "nginx binary (the backend, and a proxy under test)")
	flag.StringVar(&o.wrk, "wrk", "wrk", "wrk binary (the load generator)")
	flag.StringVar(&o.iperf3, "iperf3", "iperf3", "iperf3 binary (server and client of the bulk workloads)")
	flag.StringVar(&o.goTool, "go", "go", "go command that builds the Go peers and loadgen")
	for _, name := range append(slices.Clone(bench.GoPeers), loadgenName) {
		o.peers[name] = flag.String(name, "", name+" binary; empty builds ./perf/cmd/"+name+" into the scratch directory")
	}
	flag.IntVar(&o.rounds, "rounds", 5, "rounds; each runs every workload against every target once")
	flag.DurationVar(&o.duration, "duration", 4*time.Second, "duration of each sample of the wrk workloads (whole seconds)")
	flag.DurationVar(&o.bulkDuration, "bulk-duration", 3*time.Second, "duration of each sample of the bulk workloads (whole seconds)")
	flag.DurationVar(&o.latencyDuration, "latency-duration", 5*time.Second, "duration of each sample of the latency workloads, after the warm-up (whole seconds)")
	flag.DurationVar(&o.warmup, "latency-warmup", time.Second, "loadgen's uncounted warm-up before each latency sample")
	flag.Float64Var(&o.latencyRate, "latency-rate", 0, "fixed offered rate of the latency workloads, req/s; 0 takes -latency-fraction of haproxy's keep-alive rate in the first round, in each mode")
	flag.Float64Var(&o.latencyFraction, "latency-fraction", 0.5, "share of haproxy's keep-alive req/s the latency workloads offer, when -latency-rate is 0")
	flag.IntVar(&o.idleConns, "idle-conns", 10000, "idle connections the idle-conns workloads open (lowered to what the open-files hard limit allows)")
	flag.DurationVar(&o.idleHold, "idle-hold", time.Second, "how long the idle connections are held before the proxy's memory is read (whole seconds)")
	flag.DurationVar(&o.budget, "budget", 30*time.Minute, "refuse to start a run planned to take longer (0: no limit)")
	flag.BoolVar(&o.quick, "quick", false, "short run for development: 1 round of 3s samples of "+quickWorkloads+
		" within 2 minutes, unless -rounds/-duration/-latency-duration/-workloads/-budget are given")
	flag.IntVar(&o.nbthread, "nbthread", 1, "proxy threads (nbthread, worker_processes, GOMAXPROCS), the same for every proxy")
	flag.StringVar(&o.proxyCPUs, "proxy-cpus", "0", "CPUs the proxies are pinned to (cpu-map, taskset)")
	flag.StringVar(&o.loadCPUs, "load-cpus", "1", "CPUs the generators and backends are pinned to with taskset")
	flag.IntVar(&o.connections, "connections", 50, "connections of wrk (-c) and loadgen")
	flag.IntVar(&o.wrkThreads, "wrk-threads", 1, "wrk threads (-t)")
	flag.IntVar(&o.maxconn, "maxconn", 4096, "proxy global and frontend maxconn (the idle workloads raise it above their count)")
	flag.BoolVar(&o.splice, "splice", true, "write 'option splice-auto' (false: 'no option splice-auto') for the workloads without splice variants")
	flag.IntVar(&o.bodySize, "body-size", 3, "bytes in the backend's response body at / (newline-terminated), 1 to 4096")
	flag.StringVar(&o.targets, "targets", allTargets, "targets in round order: direct and proxy names (a workload's variants of a proxy run with it)")
	flag.StringVar(&o.workloads, "workloads", tcpWorkloads+","+httpWorkloads, "workloads to run, in order")
	flag.StringVar(&o.out, "out", "", "directory to write <YYYY-MM-DD>.md into (overwritten)")
	flag.BoolVar(&o.keep, "keep", false, "keep the scratch directory (configurations, logs, built programs) and print its path")
	flag.Parse()
	if o.quick {
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		defaults := []struct {
			name string
			set  func()
		}{
			{"rounds", func() { o.rounds = 1 }},
			{"duration", func() { o.duration = 3 * time.Second }},
			{"bulk-duration", func() { o.bulkDuration = 2 * time.Second }},
			{"latency-duration", func() { o.latencyDuration = 3 * time.Second }},
			{"workloads", func() { o.workloads = quickWorkloads }},
			{"budget", func() { o.budget = 2 * time.Minute }},
		}
		for _, d := range defaults {
			if !set[d.name] {
				d.set()
			}
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
	if o.latencyRate < 0 || (o.latencyRate == 0 && !(o.latencyFraction > 0 && o.latencyFraction <= 1)) {
		return fmt.Errorf("-latency-rate %v, -latency-fraction %v: want a rate, or a fraction in (0, 1]", o.latencyRate, o.latencyFraction)
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
	for name, p := range o.peers {
		if *p != "" {
			if *p, err = resolve(*p); err != nil {
				return fmt.Errorf("-%s: %w", name, err)
			}
		}
	}
	for _, tool := range []string{"taskset", "env"} {
		if _, err := exec.LookPath(tool); err != nil {
			return err
		}
	}
	// Ten thousand idle connections need as many descriptors in the
	// harness, and twice as many in a proxy: take the hard limit, which
	// every child inherits.
	nofile, err := raiseNofile()
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	dir, err := os.MkdirTemp("", "hitless-perf-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "perf: scratch directory", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	// The run measures a private copy of hitless: "make build" elsewhere
	// replacing the binary half-way would otherwise mix two builds in one
	// table.
	if o.hitless, err = copyBinary(o.hitless, filepath.Join(dir, "bin", "hitless")); err != nil {
		return err
	}

	// A Go program not given on the command line is built into the
	// scratch directory, once the run's plan is known.
	peerPath := func(name string) string {
		if *o.peers[name] != "" {
			return *o.peers[name]
		}
		return filepath.Join(dir, "bin", name)
	}

	stream, err := bench.DetectNginxStream(ctx, o.nginx)
	if err != nil {
		return err
	}
	body := strings.Repeat("x", o.bodySize-1) + "\n"
	backend := bench.Nginx(o.nginx, body)
	wrk := bench.Wrk{Binary: o.wrk, Threads: o.wrkThreads, Connections: o.connections, CPUs: loadCPUs}
	iperfServer := bench.Iperf3Server(o.iperf3)
	iperf := bench.Iperf3{Binary: o.iperf3, CPUs: loadCPUs}
	idleN, fits := bench.IdleFit(o.idleConns, nofile)
	if idleN < 1 {
		return fmt.Errorf("the open-files hard limit %d leaves no room for idle connections", nofile)
	}
	idle := &bench.IdleConns{Conns: idleN}
	if !fits {
		idle.Requested = o.idleConns
	}
	latency := func(mode bench.Mode, from string) *bench.Loadgen {
		return &bench.Loadgen{Binary: peerPath(loadgenName), Connections: o.connections, Warmup: o.warmup, CPUs: loadCPUs,
			Rate: o.latencyRate, From: bench.RateSource{Workload: from, Target: "haproxy", Fraction: o.latencyFraction}}
	}
	var all []bench.Workload
	for _, mode := range []bench.Mode{bench.ModeTCP, bench.ModeHTTP} {
		ka := bench.KeepAlive(wrk, &backend, mode)
		all = append(all, ka, bench.ConnPerRequest(wrk, &backend, mode))
		for _, b := range bench.SizedBodies {
			all = append(all, bench.KeepAliveBody(wrk, &backend, mode, b))
		}
		lw := bench.LatencyAtRate(latency(mode, ka.Name), &backend, mode)
		lw.Duration = o.latencyDuration
		all = append(all, lw)
		if mode == bench.ModeTCP {
			bulk, bulkReverse := bench.Bulk(iperf, &iperfServer), bench.BulkReverse(iperf, &iperfServer)
			bulk.Duration, bulkReverse.Duration = o.bulkDuration, o.bulkDuration
			all = append(all, bulk, bulkReverse)
		}
		iw := bench.IdleMemory(idle, &backend, mode)
		iw.Duration = o.idleHold
		all = append(all, iw)
	}
	// Reload (a later issue) will be one more workload here: steady load
	// while the proxy reloads; see perf/README.md, "Reload (slot)".

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
			TimeoutConnect: 5 * time.Second, TimeoutClient: 30 * time.Second, TimeoutServer: 30 * time.Second,
			Nofile: nofile},
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
	proxies := []bench.Proxy{bench.Hitless(o.hitless), bench.HAProxy(o.haproxy), bench.NginxProxy(o.nginx, stream),
		bench.GnetProxy(peerPath("gnet-proxy")), bench.CopyProxy(peerPath("copy-proxy")), bench.ReverseProxy(peerPath("rp-proxy"))}
	if r.Proxies, err = pick(proxies, targets, func(p bench.Proxy) string { return p.Name }); err != nil {
		return fmt.Errorf("-targets: %w", err)
	}
	if err := checkRateSources(r); err != nil {
		return err
	}
	if !fits && slices.ContainsFunc(r.Workloads, func(w bench.Workload) bool { return w.Gen == bench.Generator(idle) }) {
		fmt.Fprintf(os.Stderr, "perf: -idle-conns %d lowered to %d: the open-files hard limit is %d, and a proxy holds two descriptors per connection\n",
			o.idleConns, idleN, nofile)
	}

	plan := r.Plan()
	fmt.Fprintf(os.Stderr, "perf: planned run of %d round(s), plus start-up and building the Go programs:\n%s", r.Rounds, plan)
	if err := plan.CheckBudget(o.budget); err != nil {
		return err
	}

	// Build the Go programs the run needs.
	var programs []string
	for _, p := range r.Proxies {
		if slices.Contains(bench.GoPeers, p.Name) {
			programs = append(programs, p.Name)
		}
	}
	for _, w := range r.Workloads {
		if _, ok := w.Gen.(*bench.Loadgen); ok {
			programs = append(programs, loadgenName)
			break
		}
	}
	var goBinaries []bench.ToolCommand
	for _, name := range programs {
		if *o.peers[name] == "" {
			if err := buildProgram(ctx, o.goTool, name, peerPath(name)); err != nil {
				return err
			}
		}
		goBinaries = append(goBinaries, bench.ToolCommand{Name: name, Argv: []string{peerPath(name)}})
	}

	streamLine := "none (mode tcp targets of nginx are n/a)"
	if stream.Have {
		streamLine = "built in"
		if stream.Module != "" {
			streamLine = "dynamic, " + stream.Module
		}
	}
	machine, err := bench.DescribeMachine(ctx, []bench.ToolCommand{
		{Name: "hitless", Argv: []string{o.hitless, "-v"}},
		{Name: "HAProxy", Argv: []string{o.haproxy, "-v"}},
		{Name: "nginx", Argv: []string{o.nginx, "-v"}},
		{Name: "wrk", Argv: []string{o.wrk, "-v"}},
		{Name: "iperf3", Argv: []string{o.iperf3, "-v"}},
	}, append([]bench.ToolCommand{{Name: "hitless", Argv: []string{o.hitless}}}, goBinaries...))
	if err != nil {
		return err
	}
	machine.Tools = append(machine.Tools, bench.Tool{Name: "nginx stream module", Version: streamLine})
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
		bound += time.Duration(o.rounds*len(r.Targets(w))) * (r.DurationOf(w) + w.Overhead + 60*time.Second)
	}
	ctx, cancel := context.WithTimeout(ctx, bound+2*time.Minute)
	defer cancel()
	start := time.Now()
	res, err := r.Run(ctx)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("interrupted: %w", err)
		}
		return err
	}
	took := time.Since(start)
	if machine.LoadAfter, err = bench.LoadAverage(); err != nil {
		return err
	}
	rep := bench.BuildReport(r, res, machine, commandLine(), loadCPUs, time.Now())
	rep.Method = append(rep.Method, fmt.Sprintf("The measurements took %s (planned: %s).", took.Round(time.Second), plan.Total.Round(time.Second)))
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

// checkRateSources fails when a latency workload derives its rate from a
// workload or target the run does not measure before it.
func checkRateSources(r *bench.Runner) error {
	for i, w := range r.Workloads {
		lg, ok := w.Gen.(*bench.Loadgen)
		if !ok || lg.Rate > 0 {
			continue
		}
		j := slices.IndexFunc(r.Workloads[:i], func(x bench.Workload) bool { return x.Name == lg.From.Workload })
		if j < 0 || !slices.Contains(r.Targets(r.Workloads[j]), lg.From.Target) {
			return fmt.Errorf("-workloads: %s takes its rate from %s's %s figure, which this run does not measure before it: "+
				"run %s with %s first, or give -latency-rate", w.Name, lg.From.Target, lg.From.Workload, lg.From.Workload, lg.From.Target)
		}
	}
	return nil
}

// raiseNofile raises this process's open-files soft limit to the hard
// one, which the programs it starts inherit, and returns it. It goes
// through package syscall so that os/exec does not restore the old soft
// limit in children.
func raiseNofile() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("getrlimit: %w", err)
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return 0, fmt.Errorf("setrlimit NOFILE %d: %w", lim.Max, err)
		}
	}
	return lim.Max, nil
}

// buildProgram builds ./perf/cmd/<name> of the module the go tool finds
// from the current directory into path, bounded to 5 minutes.
func buildProgram(ctx context.Context, goTool, name, path string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	fmt.Fprintf(os.Stderr, "perf: building %s\n", name)
	cmd := exec.CommandContext(ctx, goTool, "build", "-o", path, "hitless/perf/cmd/"+name)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s: %w\n%s", name, err, out)
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

// copyBinary copies the executable src to dst and returns dst.
func copyBinary(src, dst string) (string, error) {
	b, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		return "", err
	}
	return dst, nil
}
