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

// rateHeld is the share of a fixed offered rate below which a round is
// said not to have held it.
const rateHeld = 0.97

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
		order, pending := r.TableTargets(w)
		rep.Workloads = append(rep.Workloads, WorkloadReport{
			Name:    w.Name,
			Summary: w.Summary,
			Command: commandOf(w.Gen, "127.0.0.1:PORT", r.DurationOf(w)),
			Targets: about,
			Table:   tableSpec(w, reference),
			Rows:    WithPending(Aggregate(res.Measurements, w.Name, r.Targets(w), reference, w.CPUPer.Ops), order, pending),
		})
	}
	rep.Notes = notes(m, rep.Workloads)
	return rep
}

// tableSpec is what w's table shows, with ratios against reference.
func tableSpec(w Workload, reference string) TableSpec {
	return TableSpec{Unit: w.Unit, Decimals: w.Decimals, CPUPer: w.CPUPer.Label, OpName: w.OpName,
		Reference: reference, LowerIsBetter: w.LowerIsBetter, Latency: w.Latency,
		NoErrors: w.NoErrors, NoCPU: w.NoCPU, Achieved: w.Achieved, Memory: w.Memory}
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
	var cpuLabels, cpuAbout, plain, withVariants, noErrors, failures, lower, noDirect []string
	var figures []string              // in order of first use
	byFigure := map[string][]string{} // figure -> workloads
	var tweaks []string               // in order of first use
	byTweak := map[string][]string{}  // Workload.TweakAbout -> workloads
	var percentiles []Percentile
	errs, fixedRate, memory := false, false, false
	var durations []string // "bulk, bulk-reverse: 5s" for workloads not on r.Duration
	byDuration := map[time.Duration][]string{}
	var order []time.Duration
	for _, w := range r.Workloads {
		if f := w.Gen.Figure(); !slices.Contains(figures, f) {
			figures = append(figures, f)
		}
		byFigure[w.Gen.Figure()] = append(byFigure[w.Gen.Figure()], w.Name)
		if !w.NoCPU {
			addUnique(&cpuLabels, "CPU s/"+w.CPUPer.Label)
			addUnique(&cpuAbout, "per "+w.CPUPer.About)
		}
		for _, p := range w.Latency {
			if !slices.Contains(percentiles, p) {
				percentiles = append(percentiles, p)
			}
		}
		errs = errs || !w.NoErrors
		fixedRate = fixedRate || w.Achieved
		memory = memory || w.Memory
		if w.LowerIsBetter {
			lower = append(lower, w.Name)
		}
		if r.Direct && w.NoDirect {
			noDirect = append(noDirect, w.Name)
		}
		switch {
		case w.RecordFailures:
			failures = append(failures, w.Name)
		case w.NoErrors:
			noErrors = append(noErrors, w.Name)
		}
		if w.TweakAbout != "" {
			if byTweak[w.TweakAbout] == nil {
				tweaks = append(tweaks, w.TweakAbout)
			}
			byTweak[w.TweakAbout] = append(byTweak[w.TweakAbout], w.Name)
		}
		switch {
		case w.TweakAbout != "":
		case w.Variants == nil:
			plain = append(plain, w.Name)
		default:
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
		fmt.Sprintf("%s. Within a round every workload runs against each of its targets, in the order of its table, "+
			"the same order every round; %s.", plural(r.Rounds, "round"), lasts),
		"Each proxy is started fresh for each sample, checked to forward one real exchange with the backend, measured, then stopped; " +
			"the backends run for the whole run. Readiness is detected by connecting, never by sleeping.",
	}
	if len(plain) > 0 {
		lines = append(lines, fmt.Sprintf("Splicing: %s run hitless and HAProxy on the same file, with %s.",
			strings.Join(plain, ", "), spliceWords(r.Proxy)))
	}
	if len(withVariants) > 0 {
		lines = append(lines, fmt.Sprintf("%s run hitless and HAProxy in the variants listed under their table: the same file "+
			"but for the line the variant changes; the other proxies run as themselves.", strings.Join(withVariants, ", ")))
	}
	for _, t := range tweaks {
		lines = append(lines, fmt.Sprintf("%s: %s.", strings.Join(byTweak[t], ", "), t))
	}
	var heads []string
	for _, f := range figures {
		heads = append(heads, f+" ("+strings.Join(byFigure[f], ", ")+")")
	}
	lines = append(lines, "Headline figure of each table: "+strings.Join(heads, "; ")+". The table gives its median over rounds, "+
		"the lowest and highest round, and the spread (max − min) / median.")
	if len(noDirect) > 0 {
		lines = append(lines, strings.Join(noDirect, ", ")+" have no direct row: the figure is the proxy's own, "+
			"or the same generator against the backend is the direct row of the tcp workload of the same name.")
	}
	if len(percentiles) > 0 {
		var names []string
		for _, p := range percentiles {
			names = append(names, p.String())
		}
		how := "wrk --latency"
		if fixedRate {
			how += "; loadgen measures from each request's scheduled send time"
		}
		lines = append(lines, strings.Join(names, ", ")+": medians over rounds of each run's latency percentiles ("+how+").")
	}
	if fixedRate {
		lines = append(lines, "Offered, achieved req/s: the fixed-rate generator's target and completed rates, medians over rounds; "+
			"an achieved rate below the offered one means the generator or the target could not keep up, "+
			"and the latency figures then describe a saturated system (see the notes).")
	}
	if memory {
		lines = append(lines, "RSS before, RSS with connections: medians over rounds of the proxy's VmRSS (summed over the processes of its group) "+
			"before the harness opened its connections and after it had held them all; fds/conn: descriptors the proxy gained per connection "+
			"(2 when it holds a server connection for each client one).")
	}
	vs := "vs " + ref + ": a target's median divided by " + ref + "'s (for rates, higher is better"
	if len(lower) > 0 {
		vs += "; for " + strings.Join(lower, ", ") + ", a cost, lower is better"
	}
	lines = append(lines,
		vs+"). Per-round vs "+ref+": the target's figure divided by "+ref+"'s in the same round, "+
			"median and range over rounds; pairing within a round cancels drifts of the machine that slow every target of that round.")
	if len(cpuLabels) > 0 {
		lines = append(lines, strings.Join(cpuLabels, ", ")+": the proxy's utime+stime (all threads of every process in its process group, "+
			"/proc/<pid>/stat) read just before and just after the generator, "+
			"divided by the work the generator counted, "+strings.Join(cpuAbout, ", or ")+"; median over rounds (lower is better). "+
			"CPU/op vs "+ref+" divides it by "+ref+"'s. Proxy CPU use: that CPU time over the run's wall time "+
			"(100% = one CPU busy all along).")
	}
	if errs {
		lines = append(lines, "Errors: the generator's socket errors (wrk: connect, read, write, timeout), requests without an answer "+
			"(loadgen: failed) and answers other than 2xx/3xx (loadgen: other than 2xx), summed over rounds.")
	}
	if len(failures) > 0 {
		lines = append(lines, strings.Join(failures, ", ")+" probe a limit: a target that fails a sample (the proxy exits, "+
			"stops accepting or drops connections) gets a failed row with the reason instead of ending the run.")
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

// plural writes "1 round", "5 rounds".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func addUnique(list *[]string, s string) {
	if !slices.Contains(*list, s) {
		*list = append(*list, s)
	}
}

func (r *Runner) pinning(res *Results, generatorCPUs CPUSet) []string {
	spec := r.Proxy
	var names []string
	lines := []string{}
	for _, p := range r.Proxies {
		names = append(names, p.Name)
		how := "not described"
		if p.Placement != nil {
			how = p.Placement(spec)
		}
		lines = append(lines, fmt.Sprintf("%s: %s.", p.Name, how))
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
	var backends []string
	for _, w := range r.Workloads {
		if w.Backend != nil && !slices.Contains(backends, BackendLabel(w.Backend)) {
			backends = append(backends, BackendLabel(w.Backend))
		}
	}
	for _, name := range append(names, backends...) {
		if a, ok := res.Affinity[name]; ok {
			lines = append(lines, fmt.Sprintf("Observed %s threads (/proc/<pid>/task/*/status, under load): %s.", name, a))
		}
	}
	return lines
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
			if row.Failures > 0 {
				out = append(out, fmt.Sprintf("%s / %s: failed in %d round(s), first: %s.", w.Name, row.Target, row.Failures, row.FailReason))
			}
			if row.Errors.Total() > 0 {
				out = append(out, fmt.Sprintf("%s / %s: the generator reported errors: %s.", w.Name, row.Target, row.Errors))
			}
			if row.Offered > 0 && row.AchievedMin < rateHeld {
				out = append(out, fmt.Sprintf("%s / %s: in its worst round the generator completed only %s of the offered rate: "+
					"the latency figures include waiting for a saturated generator or target.", w.Name, row.Target, formatPercent(row.AchievedMin)))
			}
		}
	}
	return out
}
