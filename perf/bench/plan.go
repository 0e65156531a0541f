package bench

import (
	"fmt"
	"strings"
	"time"
)

// sampleOverhead is what the runner spends on a sample beyond the
// generator's run and the workload's Overhead: starting the proxy,
// waiting for it to listen, checking that it forwards, reading /proc,
// stopping it, and the generator's own start and exit.
const sampleOverhead = 700 * time.Millisecond

// PlannedWorkload is one workload's share of a run.
type PlannedWorkload struct {
	Name      string
	Samples   int           // rounds × targets
	PerSample time.Duration // duration + overhead of one sample
	Total     time.Duration
}

// Plan is how long a run will take, workload by workload, before it
// starts: an estimate, from the durations and per-sample overheads.
type Plan struct {
	Workloads []PlannedWorkload
	Total     time.Duration
}

// Plan returns the estimate of r's run.
func (r *Runner) Plan() Plan {
	var p Plan
	for _, w := range r.Workloads {
		pw := PlannedWorkload{
			Name:      w.Name,
			Samples:   r.Rounds * len(r.Targets(w)),
			PerSample: r.DurationOf(w) + w.Overhead + sampleOverhead,
		}
		pw.Total = time.Duration(pw.Samples) * pw.PerSample
		p.Workloads = append(p.Workloads, pw)
		p.Total += pw.Total
	}
	return p
}

// String lists the workloads, their samples and time, and the total:
// what the harness prints before it starts.
func (p Plan) String() string {
	var b strings.Builder
	for _, w := range p.Workloads {
		fmt.Fprintf(&b, "  %-22s %3d samples x %5.1fs = %s\n", w.Name, w.Samples, w.PerSample.Seconds(), formatMinutes(w.Total))
	}
	fmt.Fprintf(&b, "  %-22s %s\n", "total", formatMinutes(p.Total))
	return b.String()
}

// CheckBudget fails when the plan exceeds budget; a budget of 0 allows
// any length.
func (p Plan) CheckBudget(budget time.Duration) error {
	if budget > 0 && p.Total > budget {
		return fmt.Errorf("bench: the run would take about %s, over the budget of %s: "+
			"shorten the durations, run fewer rounds, workloads or targets, or raise -budget",
			formatMinutes(p.Total), formatMinutes(budget))
	}
	return nil
}

// formatMinutes writes d as "12m05s", rounded to the second.
func formatMinutes(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%dm%02ds", d/time.Minute, (d%time.Minute)/time.Second)
}
