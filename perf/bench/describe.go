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
		rep.Workloads = append(rep.Workloads, WorkloadReport{
			Name:    w.Name,
			Summary: w.Summary,
			Command: ShellQuote(w.Gen.Argv("127.0.0.1:PORT", r.Duration)),
			Table:   TableSpec{Unit: w.Unit, OpName: w.OpName, Reference: reference},
			Rows:    Aggregate(res.Measurements, w.Name, r.Targets(), reference),
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
	return []string{
		fmt.Sprintf("%d rounds of %v per sample. Within a round every workload runs against %s, in this order, the same order every round.",
			r.Rounds, r.Duration, strings.Join(r.Targets(), ", ")),
		"Each proxy is started fresh for each sample, checked to forward one request, measured, then stopped; " +
			"the backend runs for the whole run. Readiness is detected by connecting, never by sleeping.",
		"Rate: the generator's figure (wrk's Requests/sec). The table gives its median over rounds, the lowest and highest round, " +
			"and the spread (max − min) / median.",
		"p50, p99: medians over rounds of each run's latency percentiles (wrk --latency).",
		"vs " + r.reference() + ": a target's median rate divided by " + r.reference() + "'s (higher is better). " +
			"Per-round vs " + r.reference() + ": the target's rate divided by " + r.reference() + "'s in the same round, " +
			"median and range over rounds; pairing within a round cancels drifts of the machine that slow every target of that round.",
		"CPU s/100k: the proxy process's utime+stime (all threads, /proc/<pid>/stat) read just before and just after the generator, " +
			"divided by the operations completed, times 100,000; median over rounds (lower is better). " +
			"CPU/op vs " + r.reference() + " divides it by " + r.reference() + "'s. Proxy CPU use: that CPU time over the run's wall time " +
			"(100% = one CPU busy all along).",
		"Errors: the generator's socket errors (connect, read, write, timeout) and non-2xx/3xx answers, summed over rounds.",
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
