package bench

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// noisySpread is the spread above which a row gets a note: rounds that far
// apart mean the machine, not the target, moved the figure.
const noisySpread = 0.10

// busyMachine is the background load above which the report warns.
const busyMachine = 0.10

// BuildReport assembles the report of a finished run: r's settings, what
// it measured (res), the machine (m), the harness command line and the
// CPUs of the load generator (generatorCPUs, for the placement section).
func BuildReport(r *Runner, res *Results, m Machine, command string, generatorCPUs CPUSet, date time.Time) Report {
	rep := Report{Date: date, Machine: m, Command: command, Files: res.Files}
	rep.Method = r.method()
	rep.Pinning = r.pinning(res, generatorCPUs)
	reference := r.reference()
	for _, w := range r.Workloads {
		var about []string
		for _, t := range r.proxyTargets(w) {
			if t.about != "" {
				about = append(about, "**"+t.name+"**: "+t.about)
			}
		}
		rep.Workloads = append(rep.Workloads, WorkloadReport{
			Name:    w.Name,
			Summary: w.Summary,
			Command: ShellQuote(w.Gen.Argv("127.0.0.1:PORT", r.DurationOf(w))),
			Targets: about,
			Table: TableSpec{Unit: w.Unit, Decimals: w.Decimals, CPUPer: w.CPUPer.Label, OpName: w.OpName,
				Reference: reference, NoLatency: w.NoLatency, NoErrors: w.NoErrors},
			Rows: Aggregate(res.Measurements, w.Name, r.Targets(w), reference, w.CPUPer.Ops),
		})
	}
	rep.Notes = notes(m, rep.Workloads)
	return rep
}

// reference is the target ratios are taken against: HAProxy when it
// runs, otherwise the last proxy.
func (r *Runner) reference() string {
	for _, p := range r.Proxies {
		if p.Name == "haproxy" {
			return p.Name
		}
	}
	if len(r.Proxies) > 0 {
		return r.Proxies[len(r.Proxies)-1].Name
	}
	return DirectTarget
}

func (r *Runner) method() []string {
	ref := r.reference()
	var figures, cpuLabels, cpuAbout, plain, withVariants, noErrors []string
	latency, errs := false, false
	var durations []string // "bulk, bulk-reverse: 5s" for workloads not on r.Duration
	byDuration := map[time.Duration][]string{}
	var order []time.Duration
	for _, w := range r.Workloads {
		addUnique(&figures, w.Gen.Figure())
		addUnique(&cpuLabels, "CPU s/"+w.CPUPer.Label)
		addUnique(&cpuAbout, "per "+w.CPUPer.About)
		latency = latency || !w.NoLatency
		errs = errs || !w.NoErrors
		if w.NoErrors {
			noErrors = append(noErrors, w.Name)
		}
		if w.Variants == nil {
			plain = append(plain, w.Name)
		} else {
			withVariants = append(withVariants, w.Name)
		}
		if d := r.DurationOf(w); d != r.Duration {
			if byDuration[d] == nil {
				order = append(order, d)
			}
			byDuration[d] = append(byDuration[d], w.Name)
		}
	}
	for _, d := range order {
		durations = append(durations, strings.Join(byDuration[d], ", ")+": "+d.String())
	}
	lasts := fmt.Sprintf("each sample lasts %v", r.Duration)
	if len(durations) > 0 {
		lasts += " (" + strings.Join(durations, "; ") + ")"
	}
	lines := []string{
		fmt.Sprintf("%d rounds. Within a round every workload runs against each of its targets, in the order of its table, "+
			"the same order every round; %s.", r.Rounds, lasts),
		"Each proxy is started fresh for each sample, checked to forward one real exchange with the backend, measured, then stopped; " +
			"the backends run for the whole run. Readiness is detected by connecting, never by sleeping.",
	}
	if len(plain) > 0 {
		lines = append(lines, fmt.Sprintf("Splicing: %s run every proxy on the same file, with %s.",
			strings.Join(plain, ", "), spliceWords(r.Proxy)))
	}
	if len(withVariants) > 0 {
		lines = append(lines, fmt.Sprintf("%s run each proxy in the variants listed under their table: the same file "+
			"but for the line the variant changes.", strings.Join(withVariants, ", ")))
	}
	lines = append(lines, "Rate: the generator's figure ("+strings.Join(figures, "; ")+"). The table gives its median over rounds, "+
		"the lowest and highest round, and the spread (max − min) / median.")
	if latency {
		lines = append(lines, "p50, p99: medians over rounds of each run's latency percentiles (wrk --latency).")
	}
	lines = append(lines,
		"vs "+ref+": a target's median rate divided by "+ref+"'s (higher is better). "+
			"Per-round vs "+ref+": the target's rate divided by "+ref+"'s in the same round, "+
			"median and range over rounds; pairing within a round cancels drifts of the machine that slow every target of that round.",
		strings.Join(cpuLabels, ", ")+": the proxy process's utime+stime (all threads, /proc/<pid>/stat) read just before and just after the generator, "+
			"divided by the work the generator counted, "+strings.Join(cpuAbout, ", or ")+"; median over rounds (lower is better). "+
			"CPU/op vs "+ref+" divides it by "+ref+"'s. Proxy CPU use: that CPU time over the run's wall time "+
			"(100% = one CPU busy all along).")
	if errs {
		lines = append(lines, "Errors: the generator's socket errors (connect, read, write, timeout) and non-2xx/3xx answers, summed over rounds.")
	}
	if len(noErrors) > 0 {
		lines = append(lines, strings.Join(noErrors, ", ")+" have no errors column: the generator counts none, "+
			"and a transfer that fails fails the whole run.")
	}
	return lines
}

// spliceWords says what the template's splice setting writes.
func spliceWords(s ProxySpec) string {
	var w string
	switch s.Splice {
	case SpliceAuto:
		w = "`option splice-auto`"
	case SpliceNoAuto:
		w = "`no option splice-auto`"
	default:
		w = "no splice line (each proxy's default)"
	}
	if s.NoSplice {
		w += " and `nosplice`"
	}
	return w
}

func addUnique(list *[]string, s string) {
	if !slices.Contains(*list, s) {
		*list = append(*list, s)
	}
}

func (r *Runner) pinning(res *Results, generatorCPUs CPUSet) []string {
	spec := r.Proxy
	var names []string
	for _, p := range r.Proxies {
		names = append(names, p.Name)
	}
	lines := []string{}
	if len(r.Proxies) > 0 {
		cpuMap := "no cpu-map (not pinned)"
		if len(spec.CPUs) > 0 {
			cpuMap = "`" + CPUMapLine(spec.Threads, spec.CPUs) + "`"
		}
		lines = append(lines, fmt.Sprintf("Proxies (%s): nbthread %d, %s in their configuration.",
			strings.Join(names, ", "), spec.Threads, cpuMap))
	}
	lines = append(lines,
		fmt.Sprintf("Load generator: `taskset -c %s`.", cpuOrAll(generatorCPUs)),
		fmt.Sprintf("Backend: `taskset -c %s`.", cpuOrAll(r.BackendCPUs)))
	if generatorCPUs.Overlaps(r.BackendCPUs) {
		lines = append(lines, "The generator and the backend share CPU "+cpuOrAll(generatorCPUs)+
			": in the direct baseline they are the only busy programs; with a proxy, the proxy runs beside them "+
			"on its own CPU(s), so a proxied rate close to direct means the generator and backend, not the proxy, are the limit.")
	}
	if spec.CPUs.Overlaps(generatorCPUs) || spec.CPUs.Overlaps(r.BackendCPUs) {
		lines = append(lines, "Warning: the proxies share CPUs with the generator or the backend.")
	}
	for _, name := range append(names, backendNames(r)...) {
		if a, ok := res.Affinity[name]; ok {
			lines = append(lines, fmt.Sprintf("Observed %s threads (/proc/<pid>/task/*/status, under load): %s.", name, a))
		}
	}
	return lines
}

func backendNames(r *Runner) []string {
	var names []string
	for _, w := range r.Workloads {
		if w.Backend != nil && !slices.Contains(names, w.Backend.Name) {
			names = append(names, w.Backend.Name)
		}
	}
	return names
}

func cpuOrAll(c CPUSet) string {
	if len(c) == 0 {
		return "(not pinned)"
	}
	return c.String()
}

// notes flags what would make a reader distrust a figure: a busy machine,
// noisy rows, generator errors.
func notes(m Machine, ws []WorkloadReport) []string {
	var out []string
	if m.BusyBefore > busyMachine {
		out = append(out, fmt.Sprintf("The machine was %s busy before the run started: other processes competed for the CPUs, "+
			"so absolute figures and spreads are less reliable than on an idle machine.", formatPercent(m.BusyBefore)))
	}
	for _, w := range ws {
		for _, row := range w.Rows {
			if sp := row.Rate.Spread(); sp > noisySpread {
				out = append(out, fmt.Sprintf("%s / %s: rounds spread over %s of the median.", w.Name, row.Target, formatPercent(sp)))
			}
			if row.Errors.Total() > 0 {
				out = append(out, fmt.Sprintf("%s / %s: the generator reported errors: %s.", w.Name, row.Target, row.Errors))
			}
		}
	}
	return out
}
