package bench

import (
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
	Target  string
	Rate    Summary // Sample.Rate over rounds
	P50     time.Duration
	P99     time.Duration // medians over rounds of each round's percentile
	Errors  Errors        // summed over rounds
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
		if m.Workload != workload {
			continue
		}
		if byRound[m.Target] == nil {
			byRound[m.Target] = map[int]float64{}
		}
		byRound[m.Target][m.Round] = m.Sample.Rate
	}
	for _, t := range targets {
		var rates, cpuPer, cpuUse []float64
		var p50, p99 []time.Duration
		row := Row{Target: t}
		for _, m := range ms {
			if m.Workload != workload || m.Target != t {
				continue
			}
			rates = append(rates, m.Sample.Rate)
			p50 = append(p50, m.Sample.Latency.P50)
			p99 = append(p99, m.Sample.Latency.P99)
			row.Errors = row.Errors.Add(m.Sample.Errors)
			if v, ok := m.CPUPerOps(perOps); ok {
				cpuPer = append(cpuPer, v)
			}
			if v, ok := m.CPUUse(); ok {
				cpuUse = append(cpuUse, v)
			}
		}
		if len(rates) == 0 {
			continue
		}
		row.Rate = Summarize(rates)
		row.P50, row.P99 = MedianDuration(p50), MedianDuration(p99)
		// CPU figures only when every round has them.
		if len(cpuPer) == len(rates) && len(cpuUse) == len(rates) {
			row.HasCPU = true
			row.CPUPer, row.CPUUse = Median(cpuPer), Median(cpuUse)
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
	refRate, refCPU, refHasCPU := ref.Rate.Median, ref.CPUPer, ref.HasCPU
	for i := range rows {
		r := &rows[i]
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
