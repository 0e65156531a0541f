package bench

import (
	"strings"
	"testing"
	"time"
)

func TestAggregateFixedRateMemoryAndFailures(t *testing.T) {
	lat := func(round int, target string, p99us float64, achieved float64) Measurement {
		return Measurement{Round: round, Workload: "latency", Target: target, Wall: 5 * time.Second, CPU: time.Second, HasCPU: true,
			Sample: Sample{Rate: p99us, Ops: 100_000, Offered: 1000, Achieved: achieved,
				Latency: Latency{P50: 200 * time.Microsecond, P99: time.Duration(p99us) * time.Microsecond, P999: time.Duration(round) * time.Millisecond}}}
	}
	idle := func(round int, target string, kib float64) Measurement {
		return Measurement{Round: round, Workload: "idle", Target: target,
			Sample: IdleSample(1000, 10<<20, 10<<20+int64(kib*1024*1000), 10, 2010)}
	}
	failed := func(round int, target, why string) Measurement {
		return Measurement{Round: round, Workload: "idle", Target: target, Failed: why}
	}
	ms := []Measurement{
		lat(1, "haproxy", 500, 1000), lat(1, "hitless", 400, 990), lat(2, "haproxy", 600, 1000), lat(2, "hitless", 300, 900),
		lat(3, "haproxy", 700, 1000), lat(3, "hitless", 350, 1000),
		idle(1, "haproxy", 3), idle(1, "hitless", 0.5), failed(1, "copy", "EMFILE"),
		idle(2, "haproxy", 4), failed(2, "hitless", "stalled"), failed(2, "copy", "EMFILE again"),
	}
	rows := Aggregate(ms, "latency", []string{"hitless", "haproxy"}, "haproxy", 100_000)
	h := rows[0]
	if h.Rate.Median != 350 || h.P999 != 2*time.Millisecond || h.Offered != 1000 || h.Achieved != 990 || h.AchievedMin != 0.9 {
		t.Errorf("latency hitless row %+v", h)
	}
	if !h.HasRef || h.RateRef != 350.0/600 || h.Paired.Median != 0.5 {
		t.Errorf("latency hitless ratios %v %v %+v", h.HasRef, h.RateRef, h.Paired)
	}

	rows = Aggregate(ms, "idle", []string{"hitless", "haproxy", "copy"}, "haproxy", 100_000)
	if len(rows) != 3 {
		t.Fatalf("idle rows %+v", rows)
	}
	hitless, haproxy, cp := rows[0], rows[1], rows[2]
	if hitless.NA != "" || hitless.Failures != 1 || hitless.FailReason != "stalled" || hitless.Rate.N != 1 || hitless.Rate.Median != 0.5 {
		t.Errorf("idle hitless row %+v", hitless)
	}
	if hitless.Paired.N != 1 || hitless.Paired.Median != 0.5/3 {
		t.Errorf("idle hitless pairs only round 1: %+v", hitless.Paired)
	}
	if haproxy.Conns != 1000 || haproxy.RSSBefore != 10<<20 || haproxy.FDsPerConn != 2 || haproxy.Rate.Median != 3.5 {
		t.Errorf("idle haproxy row %+v", haproxy)
	}
	if cp.NA != "failed: EMFILE" || cp.Failures != 2 || cp.HasRef {
		t.Errorf("idle copy row %+v", cp)
	}
	md := FormatTable(TableSpec{Unit: "KiB/conn", Decimals: 2, Reference: "haproxy", LowerIsBetter: true, NoCPU: true, NoErrors: true, Memory: true}, rows)
	for _, want := range []string{
		"| target | KiB/conn (median, lower is better) | min – max | spread | vs haproxy | per-round vs haproxy (min – max) | connections | RSS before | RSS with connections | fds/conn |\n",
		"| haproxy | 3.50 | 3.00 – 4.00 | 28.6% | 1.00× | 1.00× (1.00× – 1.00×) | 1,000 | 10.0 MiB | 13.4 MiB | 2.00 |\n",
		"| copy | failed: EMFILE | — | — | — | — | — | — | — | — |\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
	notes := notes(Machine{}, []WorkloadReport{{Name: "idle", Rows: rows}})
	if len(notes) != 3 || !strings.Contains(notes[0], "idle / hitless: failed in 1 round(s), first: stalled.") ||
		!strings.Contains(notes[2], "idle / copy: failed in 2 round(s), first: EMFILE.") {
		t.Errorf("notes %q", notes)
	}
}

func TestFormatTableLatency(t *testing.T) {
	spec := TableSpec{Unit: "p99 µs", CPUPer: "100k req", OpName: "req", Reference: "haproxy", LowerIsBetter: true,
		Latency: []Percentile{P50, P999}, Achieved: true}
	rows := []Row{
		{Target: "hitless", NA: "n/a: mode http not implemented yet"},
		{Target: "haproxy", Rate: Summary{3, 812.4, 700, 900}, P50: 250 * time.Microsecond, P999: 3100 * time.Microsecond,
			Offered: 28800, Achieved: 28790.4, AchievedMin: 0.99, HasCPU: true, CPUPer: 2.5, CPUUse: 0.6,
			RateRef: 1, HasRef: true, CPURef: 1, HasCPUR: true, Paired: Summary{3, 1, 1, 1}, Errors: Errors{Failed: 2}},
	}
	want := `| target | p99 µs (median, lower is better) | min – max | spread | vs haproxy | per-round vs haproxy (min – max) | p50 | p99.9 | offered req/s | achieved req/s | CPU s/100k req | CPU/req vs haproxy | proxy CPU use | errors (all rounds) |
| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- |
| hitless | n/a: mode http not implemented yet | — | — | — | — | — | — | — | — | — | — | — | — |
| haproxy | 812 | 700 – 900 | 24.6% | 1.00× | 1.00× (1.00× – 1.00×) | 250 µs | 3.10 ms | 28,800 | 28,790 | 2.500 | 1.00× | 60.0% | failed 2 |
`
	if got := FormatTable(spec, rows); got != want {
		t.Errorf("FormatTable:\n%s\nwant:\n%s", got, want)
	}
	ns := notes(Machine{}, []WorkloadReport{{Name: "latency", Rows: []Row{
		{Target: "rp-proxy", Rate: Summary{1, 1, 1, 1}, Offered: 28800, Achieved: 14000, AchievedMin: 0.5},
		{Target: "haproxy", Rate: Summary{1, 1, 1, 1}, Offered: 28800, Achieved: 28800, AchievedMin: 0.98},
	}}})
	if len(ns) != 1 || !strings.Contains(ns[0], "latency / rp-proxy: in its worst round the generator completed only 50.0% of the offered rate") {
		t.Errorf("notes %q", ns)
	}
}
