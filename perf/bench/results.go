package bench

import (
	"slices"
	"time"
)

// Measurement is one sample of one target under one workload in one
// round, with the CPU time the proxy used while the generator ran.
type Measurement struct {
	Round    int // from 1
	Workload string
	Target   string // "direct" or a proxy name
	Sample   Sample
	Wall     time.Duration // wall time of the generator run, as the runner timed it
	CPU      time.Duration // proxy CPU time (user+system) during the run
	HasCPU   bool          // false for the direct baseline
	// Failed, when set, says why the target failed this sample of a
	// workload that records failures; Sample is then zero.
	Failed string
}

// CPUPerOps returns CPU seconds per perOps operations, and false without
// CPU figures or operations.
func (m Measurement) CPUPerOps(perOps float64) (float64, bool) {
	if !m.HasCPU || m.Sample.Ops == 0 {
		return 0, false
	}
	return m.CPU.Seconds() / float64(m.Sample.Ops) * perOps, true
}

// CPUUse returns the proxy's CPU time as a share of the run's wall time
// (1.0 is one CPU busy all along), and false without CPU figures.
func (m Measurement) CPUUse() (float64, bool) {
	if !m.HasCPU || m.Wall <= 0 {
		return 0, false
	}
	return m.CPU.Seconds() / m.Wall.Seconds(), true
}

// Row is one target's line in a workload's table: medians over rounds.
type Row struct {
	Target string
	// NA, when set, is why the target has no figure in this table ("n/a:
	// mode http not implemented yet"); every other field is then zero.
	NA      string
	Rate    Summary // Sample.Rate over rounds
	P50     time.Duration
	P99     time.Duration // medians over rounds of each round's percentile
	P999    time.Duration
	Errors  Errors // summed over rounds
	HasCPU  bool
	CPUPer  float64 // median over rounds of CPU seconds per perOps operations (see Aggregate)
	CPUUse  float64 // median over rounds of CPU time / wall time
	RateRef float64 // Rate.Median / the reference's Rate.Median
	CPURef  float64 // CPUPer / the reference's CPUPer
	HasRef  bool    // RateRef is defined
	HasCPUR bool    // CPURef is defined
	// Paired summarises the per-round ratios Rate / the reference's Rate
	// in the same round; N == 0 without them. Pairing cancels drifts of
	// the machine that hit every target of a round alike.
	Paired Summary
	// Offered and Achieved are medians of a fixed-rate generator's
	// rates; AchievedMin the lowest round's achieved share of its
	// offered rate (1 when every round held it).
	Offered, Achieved, AchievedMin float64
	// RSSBefore and RSSAfter are medians of the proxy's resident memory
	// in bytes, without and with the generator's connections; Conns
	// the connections held; FDsPerConn the median of the descriptors
	// the proxy gained per connection.
	RSSBefore, RSSAfter, FDsPerConn float64
	Conns                           int
	// Failures counts the rounds the target failed (see
	// Workload.RecordFailures), FailReason gives the first one's reason.
	Failures   int
	FailReason string
}

// latency returns the row's median of percentile p.
func (r Row) latency(p Percentile) time.Duration {
	switch p {
	case P50:
		return r.P50
	case P99:
		return r.P99
	case P999:
		return r.P999
	}
	return 0
}

// Aggregate builds the rows of workload's table, one per target in the
// order given, from the measurements of every round; targets without a
// measurement for workload are left out. CPU time is given per perOps
// operations (100,000 requests, 10^9 bytes). Ratios are taken against the
// row of reference ("haproxy"), when it is present.
func Aggregate(ms []Measurement, workload string, targets []string, reference string, perOps float64) []Row {
	var rows []Row
	byRound := map[string]map[int]float64{} // target -> round -> rate
	for _, m := range ms {
		if m.Workload != workload || m.Failed != "" {
			continue
		}
		if byRound[m.Target] == nil {
			byRound[m.Target] = map[int]float64{}
		}
		byRound[m.Target][m.Round] = m.Sample.Rate
	}
	for _, t := range targets {
		var rates, cpuPer, cpuUse, offered, achieved, held, before, after, fds []float64
		var p50, p99, p999 []time.Duration
		row := Row{Target: t}
		for _, m := range ms {
			if m.Workload != workload || m.Target != t {
				continue
			}
			if m.Failed != "" {
				if row.Failures == 0 {
					row.FailReason = m.Failed
				}
				row.Failures++
				continue
			}
			s := m.Sample
			rates = append(rates, s.Rate)
			p50 = append(p50, s.Latency.P50)
			p99 = append(p99, s.Latency.P99)
			p999 = append(p999, s.Latency.P999)
			row.Errors = row.Errors.Add(s.Errors)
			if v, ok := m.CPUPerOps(perOps); ok {
				cpuPer = append(cpuPer, v)
			}
			if v, ok := m.CPUUse(); ok {
				cpuUse = append(cpuUse, v)
			}
			if s.Offered > 0 {
				offered, achieved = append(offered, s.Offered), append(achieved, s.Achieved)
				held = append(held, s.Achieved/s.Offered)
			}
			if mem := s.Memory; mem.Conns > 0 {
				before, after = append(before, float64(mem.Before)), append(after, float64(mem.After))
				fds = append(fds, float64(mem.FDs)/float64(mem.Conns))
				row.Conns = mem.Conns
			}
		}
		if len(rates) == 0 {
			if row.Failures > 0 {
				row.NA = "failed: " + row.FailReason
				rows = append(rows, row)
			}
			continue
		}
		row.Rate = Summarize(rates)
		row.P50, row.P99, row.P999 = MedianDuration(p50), MedianDuration(p99), MedianDuration(p999)
		// CPU figures only when every round has them.
		if len(cpuPer) == len(rates) && len(cpuUse) == len(rates) {
			row.HasCPU = true
			row.CPUPer, row.CPUUse = Median(cpuPer), Median(cpuUse)
		}
		if len(offered) > 0 {
			row.Offered, row.Achieved, row.AchievedMin = Median(offered), Median(achieved), slices.Min(held)
		}
		if len(before) > 0 {
			row.RSSBefore, row.RSSAfter, row.FDsPerConn = Median(before), Median(after), Median(fds)
		}
		rows = append(rows, row)
	}
	var ref *Row
	for i := range rows {
		if rows[i].Target == reference {
			ref = &rows[i]
		}
	}
	if ref == nil {
		return rows
	}
	if ref.NA != "" {
		return rows
	}
	refRate, refCPU, refHasCPU := ref.Rate.Median, ref.CPUPer, ref.HasCPU
	for i := range rows {
		r := &rows[i]
		if r.NA != "" {
			continue
		}
		r.RateRef, r.HasRef = Ratio(r.Rate.Median, refRate)
		if r.HasCPU && refHasCPU {
			r.CPURef, r.HasCPUR = Ratio(r.CPUPer, refCPU)
		}
		var paired []float64
		for round, rate := range byRound[r.Target] {
			if refRound, ok := byRound[reference][round]; ok {
				if v, ok := Ratio(rate, refRound); ok {
					paired = append(paired, v)
				}
			}
		}
		r.Paired = Summarize(paired)
	}
	return rows
}

// WithPending returns rows with a row for every target of order that has
// none, carrying its reason from pending, in the order of order; targets
// with neither a row nor a reason are left out.
func WithPending(rows []Row, order []string, pending map[string]string) []Row {
	out := make([]Row, 0, len(order))
	for _, t := range order {
		if i := slices.IndexFunc(rows, func(r Row) bool { return r.Target == t }); i >= 0 {
			out = append(out, rows[i])
		} else if why := pending[t]; why != "" {
			out = append(out, Row{Target: t, NA: why})
		}
	}
	return out
}
