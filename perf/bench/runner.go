package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DirectTarget is the name of the baseline: the generator talking to the
// backend with no proxy in between.
const DirectTarget = "direct"

// Runner runs every workload against the direct baseline and every proxy,
// round after round. Its fields are set before Run and not changed after.
type Runner struct {
	Workloads []Workload
	// Proxies run in this order within a round, after direct; a
	// workload with variants runs each proxy's variants in their order.
	Proxies  []Proxy
	Direct   bool // include the direct baseline
	Rounds   int
	Duration time.Duration // of each generator run, unless the workload sets its own

	// Proxy is the template of every proxy's settings: Threads, CPUs,
	// Maxconn, Splice and timeouts. Mode, Listen, Server and Dir are
	// filled in for each sample, then a variant's Tweak applies.
	Proxy ProxySpec

	BackendCPUs CPUSet    // taskset CPUs of the backends
	Dir         string    // existing scratch directory; one subdirectory per program
	ClockTicks  int       // [ClockTicks]
	Progress    io.Writer // one line per sample; nil for silence
}

// Results is what Run measured and what it observed along the way.
type Results struct {
	Measurements []Measurement
	// Affinity maps a program name to where its threads were allowed to
	// run, read at the end of its last sample (under load, so that
	// threads started lazily are counted).
	Affinity map[string]string
	// Files are the configuration files as written, in the order they
	// were first used: one per target and distinct text, and one per
	// backend (its command line when it takes no file).
	Files []File
}

// File is a configuration file a program ran with.
type File struct {
	Program   string   // "hitless nosplice", "nginx", "iperf3 command line"
	Workloads []string // the workloads a proxy's file served; none for a backend
	Text      string
}

// Label names the file in the report: "hitless (bulk, bulk-reverse)".
func (f File) Label() string {
	if len(f.Workloads) == 0 {
		return f.Program
	}
	return f.Program + " (" + strings.Join(f.Workloads, ", ") + ")"
}

// target is one proxy run of a workload: the proxy as a variant sets it
// up, under the variant's name.
type target struct {
	name  string
	proxy Proxy
	tweak func(*ProxySpec) // nil: the runner's settings as they are
	about string           // the variant's About; "" for a plain run
}

// proxyTargets returns w's proxy runs in the order they run in a round:
// the runner's proxies in order, each as w's variants of it, or as
// itself when w lists none for it; proxies that do not support w's mode
// are left out.
func (r *Runner) proxyTargets(w Workload) []target {
	var ts []target
	for _, p := range r.Proxies {
		if !p.Supports(w.Mode) {
			continue
		}
		n := len(ts)
		for _, v := range w.Variants {
			if v.Proxy == p.Name {
				ts = append(ts, target{name: v.Name, proxy: p, tweak: v.Tweak, about: v.About})
			}
		}
		if len(ts) == n {
			ts = append(ts, target{name: p.Name, proxy: p})
		}
	}
	return ts
}

// runsDirect reports whether w runs against the backend directly.
func (r *Runner) runsDirect(w Workload) bool { return r.Direct && !w.NoDirect }

// Targets returns the names of w's targets in the order they run in a
// round: direct first when it runs, then the proxy runs.
func (r *Runner) Targets(w Workload) []string {
	var names []string
	if r.runsDirect(w) {
		names = append(names, DirectTarget)
	}
	for _, t := range r.proxyTargets(w) {
		names = append(names, t.name)
	}
	return names
}

// TableTargets returns the rows of w's table in order: its targets, and
// in its place among them every proxy whose support of w's mode is
// pending, with the reason its row shows.
func (r *Runner) TableTargets(w Workload) (order []string, pending map[string]string) {
	pending = map[string]string{}
	if r.runsDirect(w) {
		order = append(order, DirectTarget)
	}
	ts := r.proxyTargets(w)
	for _, p := range r.Proxies {
		if why := p.Pending[w.Mode]; why != "" && !p.Supports(w.Mode) {
			order = append(order, p.Name)
			pending[p.Name] = why
			continue
		}
		for _, t := range ts {
			if t.proxy.Name == p.Name {
				order = append(order, t.name)
			}
		}
	}
	return order, pending
}

// DurationOf is the length of each of w's generator runs.
func (r *Runner) DurationOf(w Workload) time.Duration {
	if w.Duration > 0 {
		return w.Duration
	}
	return r.Duration
}

func (r *Runner) validate() error {
	switch {
	case r.Rounds < 1:
		return fmt.Errorf("bench: %d rounds", r.Rounds)
	case r.Duration < time.Second || r.Duration%time.Second != 0:
		return fmt.Errorf("bench: duration %v: must be whole seconds, at least 1", r.Duration)
	case len(r.Workloads) == 0:
		return errors.New("bench: no workload")
	case r.ClockTicks <= 0:
		return fmt.Errorf("bench: clock ticks %d", r.ClockTicks)
	case r.Dir == "":
		return errors.New("bench: no scratch directory")
	}
	seen := map[string]bool{DirectTarget: true}
	for _, p := range r.Proxies {
		if seen[p.Name] {
			return fmt.Errorf("bench: proxy name %q used twice or reserved", p.Name)
		}
		seen[p.Name] = true
	}
	names := map[string]bool{}
	for _, w := range r.Workloads {
		switch d := r.DurationOf(w); {
		case w.Backend == nil || w.Gen == nil:
			return fmt.Errorf("bench: workload %s lacks a backend or a generator", w.Name)
		case names[w.Name]:
			return fmt.Errorf("bench: workload name %q used twice", w.Name)
		case d < time.Second || d%time.Second != 0:
			return fmt.Errorf("bench: workload %s: duration %v: must be whole seconds, at least 1", w.Name, d)
		case w.CPUPer.Ops <= 0:
			return fmt.Errorf("bench: workload %s: no CPU basis", w.Name)
		case len(r.Targets(w)) == 0:
			return fmt.Errorf("bench: workload %s has no target", w.Name)
		}
		names[w.Name] = true
		targets := map[string]bool{DirectTarget: true}
		for _, v := range w.Variants {
			if v.Name == "" || targets[v.Name] {
				return fmt.Errorf("bench: workload %s: variant name %q empty, used twice or reserved", w.Name, v.Name)
			}
			targets[v.Name] = true
		}
	}
	return nil
}

// backendRun is a started backend.
type backendRun struct {
	b    *Backend
	addr string
	proc *Process
}

// Run starts the backends, runs every round and stops everything it
// started before returning, whether it succeeds, fails or ctx is
// cancelled. The first failure ends the run: its error names the round,
// workload and target, and quotes the output of a program that died.
func (r *Runner) Run(ctx context.Context) (res *Results, err error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	res = &Results{Affinity: map[string]string{}}
	var backends []*backendRun
	defer func() {
		for _, be := range backends {
			if stopErr := be.proc.Stop(); stopErr != nil && err == nil {
				err = fmt.Errorf("bench: backend %s failed during the run: %w", be.b.Name, stopErr)
			}
		}
	}()
	for _, w := range r.Workloads {
		if slices.ContainsFunc(backends, func(be *backendRun) bool { return be.b == w.Backend }) {
			continue
		}
		be, err := r.startBackend(ctx, w.Backend, res)
		if err != nil {
			return nil, err
		}
		backends = append(backends, be)
	}
	// Each proxy keeps its address for the whole run.
	proxyAddr := map[string]string{}
	for _, p := range r.Proxies {
		if proxyAddr[p.Name], err = FreeAddr(); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Join(r.Dir, p.Name), 0o755); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	for round := 1; round <= r.Rounds; round++ {
		for _, w := range r.Workloads {
			i := slices.IndexFunc(backends, func(be *backendRun) bool { return be.b == w.Backend })
			be := backends[i]
			if r.runsDirect(w) {
				m, err := r.sampleDirect(ctx, round, w, be, res.Measurements)
				if err != nil {
					return nil, fmt.Errorf("round %d, workload %s, target %s: %w", round, w.Name, DirectTarget, err)
				}
				res.Measurements = append(res.Measurements, m)
				r.progress(m, w)
			}
			for _, t := range r.proxyTargets(w) {
				m, err := r.sampleProxy(ctx, round, w, be, t, proxyAddr[t.proxy.Name], res)
				if err != nil {
					return nil, fmt.Errorf("round %d, workload %s, target %s: %w", round, w.Name, t.name, err)
				}
				res.Measurements = append(res.Measurements, m)
				r.progress(m, w)
			}
		}
	}
	return res, nil
}

// BackendLabel names backend b in the report's files and placement
// lines, apart from a proxy of the same program ("nginx backend").
func BackendLabel(b *Backend) string { return b.Name + " backend" }

func (r *Runner) startBackend(ctx context.Context, b *Backend, res *Results) (*backendRun, error) {
	dir := filepath.Join(r.Dir, "backend-"+b.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	spec := BackendSpec{Listen: addr, CPUs: r.BackendCPUs, Dir: dir}
	if b.Config != nil {
		text, err := b.Config(spec)
		if err != nil {
			return nil, err
		}
		res.Files = append(res.Files, File{Program: BackendLabel(b), Text: string(text)})
	} else {
		res.Files = append(res.Files, File{Program: BackendLabel(b) + " command line", Text: ShellQuote(b.Argv("", spec)) + "\n"})
	}
	proc, err := StartBackend(ctx, *b, spec)
	if err != nil {
		return nil, err
	}
	if aff, err := ThreadAffinity(proc.Pid()); err == nil {
		res.Affinity[BackendLabel(b)] = aff
	}
	return &backendRun{b: b, addr: addr, proc: proc}, nil
}

// sampleDirect runs w's generator against the backend itself.
func (r *Runner) sampleDirect(ctx context.Context, round int, w Workload, be *backendRun, done []Measurement) (Measurement, error) {
	if err := prepare(w.Gen, done); err != nil {
		return Measurement{}, err
	}
	start := time.Now()
	s, err := w.Gen.Run(ctx, be.addr, r.DurationOf(w))
	wall := time.Since(start)
	if exitErr := be.proc.Exited(); exitErr != nil {
		return Measurement{}, fmt.Errorf("backend died: %w", exitErr)
	}
	if err != nil {
		return Measurement{}, err
	}
	return Measurement{Round: round, Workload: w.Name, Target: DirectTarget, Sample: s, Wall: wall}, nil
}

// sampleProxy starts t's proxy in front of the backend, checks that it
// forwards, runs w's generator through it while accounting its CPU time,
// and stops it. A proxy that exits before it is stopped fails the sample.
func (r *Runner) sampleProxy(ctx context.Context, round int, w Workload, be *backendRun, t target, addr string, res *Results) (m Measurement, err error) {
	if err := prepare(w.Gen, res.Measurements); err != nil {
		return m, err
	}
	spec := r.Proxy
	spec.Mode, spec.Listen, spec.Server, spec.Dir = w.Mode, addr, be.addr, filepath.Join(r.Dir, t.proxy.Name)
	if w.Tweak != nil {
		w.Tweak(&spec)
	}
	if t.tweak != nil {
		t.tweak(&spec)
	}
	p := t.proxy
	p.Name = t.name // in file names, errors and the process label
	if round == 1 {
		if p.Config != nil {
			text, err := p.Config(spec)
			if err != nil {
				return m, err
			}
			res.addProxyFile(t.name, w.Name, string(text))
		} else {
			res.addProxyFile(t.name+" command line", w.Name, ShellQuote(p.Argv("", spec))+"\n")
		}
	}
	proc, err := StartProxy(ctx, p, spec)
	if err != nil {
		return m, err
	}
	defer func() {
		if stopErr := proc.Stop(); stopErr != nil && err == nil {
			err = fmt.Errorf("stopping %s: %w", p.Name, stopErr)
		}
	}()
	if err := w.Backend.Check(ctx, addr); err != nil {
		return m, fmt.Errorf("%s does not forward to %s: %w; its output:\n%s", p.Name, w.Backend.Name, err, indent(proc.Output()))
	}
	cpu0, err := ProcessCPU(proc.Pid(), r.ClockTicks)
	if err != nil {
		return m, err
	}
	start := time.Now()
	var s Sample
	var genErr error
	if pg, ok := w.Gen.(ProxyGenerator); ok {
		s, genErr = pg.RunProxy(ctx, addr, r.DurationOf(w), proc.Pid())
	} else {
		s, genErr = w.Gen.Run(ctx, addr, r.DurationOf(w))
	}
	wall := time.Since(start)
	exitErr := proc.Exited()
	if w.RecordFailures && (exitErr != nil || genErr != nil) && be.proc.Exited() == nil && ctx.Err() == nil {
		reason := failureReason(genErr, exitErr != nil, proc.Output())
		_ = proc.Stop() // it may have exited: that is the failure recorded
		return Measurement{Round: round, Workload: w.Name, Target: t.name, Wall: wall, Failed: reason}, nil
	}
	if exitErr != nil {
		if genErr != nil {
			return m, fmt.Errorf("%s died under load: %w\ngenerator: %v", p.Name, exitErr, genErr)
		}
		return m, fmt.Errorf("%s died under load: %w", p.Name, exitErr)
	}
	if genErr != nil {
		return m, fmt.Errorf("%w; %s output:\n%s", genErr, p.Name, indent(proc.Output()))
	}
	cpu1, err := ProcessCPU(proc.Pid(), r.ClockTicks)
	if err != nil {
		return m, err
	}
	if aff, err := ThreadAffinity(proc.Pid()); err == nil {
		res.Affinity[t.proxy.Name] = aff // placement does not depend on the variant
	}
	if exitErr := be.proc.Exited(); exitErr != nil {
		return m, fmt.Errorf("backend died: %w", exitErr)
	}
	return Measurement{Round: round, Workload: w.Name, Target: t.name, Sample: s, Wall: wall,
		CPU: cpu1 - cpu0, HasCPU: true}, nil
}

// failureReason sums up, on one line, why a target failed a workload
// that records failures: the generator's error (its first line), whether
// the proxy exited, and the last line the proxy wrote, if any.
func failureReason(genErr error, exited bool, output string) string {
	var parts []string
	if genErr != nil {
		line, _, _ := strings.Cut(genErr.Error(), "\n")
		parts = append(parts, strings.TrimSuffix(strings.ReplaceAll(line, "bench: ", ""), ";"))
	}
	if exited {
		parts = append(parts, "the proxy exited")
	}
	lines := strings.Split(strings.TrimRight(output, "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			parts = append(parts, "its last output: "+l)
			break
		}
	}
	return strings.Join(parts, "; ")
}

// prepare lets a generator that derives a setting from earlier
// measurements do so.
func prepare(g Generator, done []Measurement) error {
	if p, ok := g.(Preparer); ok {
		return p.Prepare(done)
	}
	return nil
}

// addProxyFile records the configuration target ran with for workload:
// a text already recorded for the same target gains the workload's name.
func (res *Results) addProxyFile(target, workload, text string) {
	for i := range res.Files {
		f := &res.Files[i]
		if f.Program == target && f.Text == text && len(f.Workloads) > 0 {
			if !slices.Contains(f.Workloads, workload) {
				f.Workloads = append(f.Workloads, workload)
			}
			return
		}
	}
	res.Files = append(res.Files, File{Program: target, Workloads: []string{workload}, Text: text})
}

func (r *Runner) progress(m Measurement, w Workload) {
	if r.Progress == nil {
		return
	}
	var b strings.Builder
	if m.Failed != "" {
		fmt.Fprintf(r.Progress, "round %d/%d  %-22s %-19s FAILED: %s\n", m.Round, r.Rounds, w.Name, m.Target, m.Failed)
		return
	}
	fmt.Fprintf(&b, "round %d/%d  %-22s %-19s %10s %s", m.Round, r.Rounds, w.Name, m.Target,
		formatNumber(m.Sample.Rate, w.Decimals), w.Unit)
	for _, p := range w.Latency {
		fmt.Fprintf(&b, "  %s %s", p, formatLatency(m.Sample.Latency.At(p)))
	}
	if w.Achieved {
		fmt.Fprintf(&b, "  achieved %s of %s req/s", formatCount(m.Sample.Achieved), formatCount(m.Sample.Offered))
	}
	if mem := m.Sample.Memory; w.Memory {
		fmt.Fprintf(&b, "  RSS %s -> %s with %d connections, %d fds", formatBytes(float64(mem.Before)),
			formatBytes(float64(mem.After)), mem.Conns, mem.FDs)
	}
	if use, ok := m.CPUUse(); ok && !w.NoCPU {
		per, _ := m.CPUPerOps(w.CPUPer.Ops)
		fmt.Fprintf(&b, "  CPU %.2fs (%s, %.3f s/%s)", m.CPU.Seconds(), formatPercent(use), per, w.CPUPer.Label)
	}
	if !w.NoErrors {
		b.WriteString("  errors " + m.Sample.Errors.String())
	}
	fmt.Fprintln(r.Progress, b.String())
}
