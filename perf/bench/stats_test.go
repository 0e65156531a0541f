package bench

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		name   string
		xs     []float64
		want   Summary
		spread float64 // NaN: undefined
	}{
		{"empty", nil, Summary{}, math.NaN()},
		{"one", []float64{5}, Summary{N: 1, Median: 5, Min: 5, Max: 5}, 0},
		{"odd count, unsorted", []float64{30, 10, 20}, Summary{N: 3, Median: 20, Min: 10, Max: 30}, 1},
		{"even count takes the mean of the middle two", []float64{4, 1, 3, 2}, Summary{N: 4, Median: 2.5, Min: 1, Max: 4}, 1.2},
		{"five rounds", []float64{100, 104, 98, 101, 99}, Summary{N: 5, Median: 100, Min: 98, Max: 104}, 0.06},
		{"zero median", []float64{0, 0, 1}, Summary{N: 3, Median: 0, Min: 0, Max: 1}, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.xs)
			got := Summarize(tt.xs)
			if got != tt.want {
				t.Errorf("Summarize = %+v, want %+v", got, tt.want)
			}
			if !slices.Equal(in, tt.xs) {
				t.Errorf("Summarize reordered its input: %v", tt.xs)
			}
			sp := got.Spread()
			if math.IsNaN(tt.spread) != math.IsNaN(sp) || (!math.IsNaN(sp) && math.Abs(sp-tt.spread) > 1e-9) {
				t.Errorf("Spread = %v, want %v", sp, tt.spread)
			}
		})
	}
}

func TestMedianEmptyIsNaN(t *testing.T) {
	if m := Median(nil); !math.IsNaN(m) {
		t.Errorf("Median(nil) = %v, want NaN", m)
	}
}

func TestMedianDuration(t *testing.T) {
	tests := []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{3, 1, 2}, 2},
		{[]time.Duration{4, 1, 3, 2}, 2}, // (2+3)/2 truncated
		{[]time.Duration{time.Millisecond, 3 * time.Millisecond}, 2 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := MedianDuration(tt.in); got != tt.want {
			t.Errorf("MedianDuration(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRatio(t *testing.T) {
	tests := []struct {
		a, b float64
		want float64
		ok   bool
	}{
		{110, 100, 1.1, true},
		{50, 100, 0.5, true},
		{0, 100, 0, true},
		{1, 0, 0, false},
		{math.NaN(), 1, 0, false},
		{1, math.NaN(), 0, false},
	}
	for _, tt := range tests {
		got, ok := Ratio(tt.a, tt.b)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Ratio(%v, %v) = %v, %v; want %v, %v", tt.a, tt.b, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAggregate(t *testing.T) {
	m := func(round int, w, target string, rate float64, ops int64, p50, p99 time.Duration, cpu time.Duration, errs Errors) Measurement {
		return Measurement{
			Round: round, Workload: w, Target: target,
			Sample: Sample{Rate: rate, Ops: ops, Elapsed: 10 * time.Second, Latency: Latency{P50: p50, P99: p99}, Errors: errs},
			Wall:   10 * time.Second, CPU: cpu, HasCPU: target != DirectTarget,
		}
	}
	ms := []Measurement{
		m(1, "ka", "direct", 200, 2_000_000, 100, 900, 0, Errors{}),
		m(1, "ka", "hitless", 110, 1_100_000, 200, 1000, 10*time.Second, Errors{Read: 1}),
		m(1, "ka", "haproxy", 100, 1_000_000, 300, 1200, 10*time.Second, Errors{}),
		m(1, "other", "haproxy", 1, 1, 1, 1, time.Second, Errors{}),
		m(2, "ka", "direct", 220, 2_200_000, 120, 800, 0, Errors{}),
		m(2, "ka", "hitless", 130, 1_300_000, 220, 1100, 9*time.Second, Errors{Read: 2}),
		m(2, "ka", "haproxy", 100, 1_000_000, 320, 1300, 10*time.Second, Errors{}),
		m(3, "ka", "direct", 210, 2_100_000, 110, 1000, 0, Errors{}),
		m(3, "ka", "hitless", 120, 1_200_000, 240, 1200, 6*time.Second, Errors{}),
		m(3, "ka", "haproxy", 90, 900_000, 340, 1400, 9*time.Second, Errors{}),
	}
	rows := Aggregate(ms, "ka", []string{"direct", "hitless", "haproxy", "absent"}, "haproxy", 100_000)
	if len(rows) != 3 {
		t.Fatalf("got %d rows, want 3 (the target without measurements is left out)", len(rows))
	}
	want := []struct {
		target      string
		rate        Summary
		p50, p99    time.Duration
		errs        Errors
		hasCPU      bool
		cpuPer, use float64
		rateRef     float64
		hasCPURef   bool
		cpuRef      float64
		paired      [3]float64 // median, min, max of the per-round ratios
	}{
		{"direct", Summary{3, 210, 200, 220}, 110, 900, Errors{}, false, 0, 0, 2.1, false, 0, [3]float64{2.2, 2, 210.0 / 90}},
		// hitless CPU per 100k: 10/1.1M, 9/1.3M, 6/1.2M (x 1e5) = 0.909, 0.692, 0.5: median 0.692.
		{"hitless", Summary{3, 120, 110, 130}, 220, 1100, Errors{Read: 3}, true, 9.0 / 1_300_000 * 1e5, 0.9, 1.2, true, (9.0 / 1_300_000) / (1.0 / 100_000),
			[3]float64{1.3, 1.1, 120.0 / 90}},
		{"haproxy", Summary{3, 100, 90, 100}, 320, 1300, Errors{}, true, 1, 1, 1, true, 1, [3]float64{1, 1, 1}},
	}
	for i, w := range want {
		r := rows[i]
		if r.Target != w.target || r.Rate != w.rate || r.P50 != w.p50 || r.P99 != w.p99 || r.Errors != w.errs || r.HasCPU != w.hasCPU {
			t.Errorf("row %d = %+v, want %+v", i, r, w)
			continue
		}
		if w.hasCPU && (math.Abs(r.CPUPer-w.cpuPer) > 1e-9 || math.Abs(r.CPUUse-w.use) > 1e-9) {
			t.Errorf("%s CPU per 100k %v use %v, want %v %v", r.Target, r.CPUPer, r.CPUUse, w.cpuPer, w.use)
		}
		if !r.HasRef || math.Abs(r.RateRef-w.rateRef) > 1e-9 {
			t.Errorf("%s rate ratio %v (%v), want %v", r.Target, r.RateRef, r.HasRef, w.rateRef)
		}
		if r.HasCPUR != w.hasCPURef || math.Abs(r.CPURef-w.cpuRef) > 1e-9 {
			t.Errorf("%s CPU ratio %v (%v), want %v (%v)", r.Target, r.CPURef, r.HasCPUR, w.cpuRef, w.hasCPURef)
		}
		p := r.Paired
		if p.N != 3 || math.Abs(p.Median-w.paired[0]) > 1e-9 || math.Abs(p.Min-w.paired[1]) > 1e-9 || math.Abs(p.Max-w.paired[2]) > 1e-9 {
			t.Errorf("%s paired ratios %+v, want median, min, max %v", r.Target, p, w.paired)
		}
	}
}

func TestAggregateWithoutReference(t *testing.T) {
	ms := []Measurement{{Round: 1, Workload: "ka", Target: "hitless", Sample: Sample{Rate: 5, Ops: 5}, Wall: time.Second, CPU: time.Second, HasCPU: true}}
	rows := Aggregate(ms, "ka", []string{"hitless"}, "haproxy", 100_000)
	if len(rows) != 1 || rows[0].HasRef || rows[0].HasCPUR || rows[0].Paired.N != 0 {
		t.Errorf("rows = %+v, want one row without ratios", rows)
	}
}

func TestAggregatePerGB(t *testing.T) {
	// 2.5 s of CPU for 5*10^9 bytes received: 0.5 s per GB.
	ms := []Measurement{{Round: 1, Workload: "bulk", Target: "hitless", Sample: Sample{Rate: 4, Ops: 5_000_000_000},
		Wall: 10 * time.Second, CPU: 2500 * time.Millisecond, HasCPU: true}}
	rows := Aggregate(ms, "bulk", []string{"hitless"}, "haproxy", PerGB.Ops)
	if len(rows) != 1 || !rows[0].HasCPU || math.Abs(rows[0].CPUPer-0.5) > 1e-12 || math.Abs(rows[0].CPUUse-0.25) > 1e-12 {
		t.Errorf("rows = %+v, want CPU 0.5 s/GB at 25%% use", rows)
	}
}
