package bench

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestFormatTable(t *testing.T) {
	spec := TableSpec{Unit: "req/s", CPUPer: "100k req", OpName: "req", Reference: "haproxy", Latency: RequestLatency}
	rows := []Row{
		{Target: "direct", Rate: Summary{5, 67318.84, 66000, 68000.4}, P50: 530 * time.Microsecond, P99: 835 * time.Microsecond,
			RateRef: 1.5, HasRef: true, Paired: Summary{5, 1.49, 1.4, 1.6}},
		{Target: "hitless", Rate: Summary{5, 45000, 44000, 46000}, P50: 1100 * time.Microsecond, P99: 2345 * time.Microsecond,
			HasCPU: true, CPUPer: 1.23456, CPUUse: 0.987, RateRef: 1.0, HasRef: true, CPURef: 0.8, HasCPUR: true,
			Errors: Errors{Read: 2}, Paired: Summary{5, 0.985, 0.9, 1.1}},
		{Target: "haproxy", Rate: Summary{5, 45000, 43000, 47000}, P50: 1200 * time.Microsecond, P99: 1500 * time.Millisecond,
			HasCPU: true, CPUPer: 1.5432, CPUUse: 1, RateRef: 1, HasRef: true, CPURef: 1, HasCPUR: true, Paired: Summary{5, 1, 1, 1}},
	}
	want := `| target | req/s (median) | min – max | spread | vs haproxy | per-round vs haproxy (min – max) | p50 | p99 | CPU s/100k req | CPU/req vs haproxy | proxy CPU use | errors (all rounds) |
| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- |
| direct | 67,319 | 66,000 – 68,000 | 3.0% | 1.50× | 1.49× (1.40× – 1.60×) | 530 µs | 835 µs | — | — | — | 0 |
| hitless | 45,000 | 44,000 – 46,000 | 4.4% | 1.00× | 0.98× (0.90× – 1.10×) | 1.10 ms | 2.35 ms | 1.235 | 0.80× | 98.7% | read 2 |
| haproxy | 45,000 | 43,000 – 47,000 | 8.9% | 1.00× | 1.00× (1.00× – 1.00×) | 1.20 ms | 1.50 s | 1.543 | 1.00× | 100.0% | 0 |
`
	if got := FormatTable(spec, rows); got != want {
		t.Errorf("FormatTable:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatTableWithoutReference(t *testing.T) {
	got := FormatTable(TableSpec{Unit: "req/s", CPUPer: "100k req", OpName: "req", Reference: "haproxy", Latency: RequestLatency},
		[]Row{{Target: "a|b", Rate: Summary{1, 0, 0, 0}}})
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3:\n%s", len(lines), got)
	}
	if want := `| a\|b | 0 | 0 – 0 | — | — | — | — | — | — | — | — | 0 |`; lines[2] != want {
		t.Errorf("row %q, want %q", lines[2], want)
	}
}

func TestFormatTableBulk(t *testing.T) {
	spec := TableSpec{Unit: "Gbit/s", Decimals: 2, CPUPer: "GB", OpName: "GB", Reference: "haproxy", NoErrors: true}
	rows := []Row{
		{Target: "hitless nosplice", Rate: Summary{3, 14.306, 13.9, 15.0}, HasCPU: true, CPUPer: 0.41234, CPUUse: 0.9,
			RateRef: 0.8, HasRef: true, CPURef: 1.5, HasCPUR: true, Paired: Summary{3, 0.8, 0.75, 0.85}},
		{Target: "haproxy", Rate: Summary{3, 17.88, 17.5, 18.2}, HasCPU: true, CPUPer: 0.275, CPUUse: 0.6,
			RateRef: 1, HasRef: true, CPURef: 1, HasCPUR: true, Paired: Summary{3, 1, 1, 1}},
	}
	want := `| target | Gbit/s (median) | min – max | spread | vs haproxy | per-round vs haproxy (min – max) | CPU s/GB | CPU/GB vs haproxy | proxy CPU use |
| --- | --: | --: | --: | --: | --: | --: | --: | --: |
| hitless nosplice | 14.31 | 13.90 – 15.00 | 7.7% | 0.80× | 0.80× (0.75× – 0.85×) | 0.412 | 1.50× | 90.0% |
| haproxy | 17.88 | 17.50 – 18.20 | 3.9% | 1.00× | 1.00× (1.00× – 1.00×) | 0.275 | 1.00× | 60.0% |
`
	if got := FormatTable(spec, rows); got != want {
		t.Errorf("FormatTable:\n%s\nwant:\n%s", got, want)
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		in       float64
		decimals int
		want     string
	}{
		{14.306212654, 2, "14.31"}, {0.005, 2, "0.01"}, {1234.5, 1, "1,234.5"}, {999.999, 2, "1,000.00"},
		{-0.001, 2, "0.00"}, {-12.345, 2, "-12.35"}, {math.NaN(), 2, "—"},
	}
	for _, tt := range tests {
		if got := formatNumber(tt.in, tt.decimals); got != tt.want {
			t.Errorf("formatNumber(%v, %d) = %q, want %q", tt.in, tt.decimals, got, tt.want)
		}
	}
}

func TestFormatCount(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {999.4, "999"}, {999.5, "1,000"}, {1234567.8, "1,234,568"}, {-4321, "-4,321"},
		{math.NaN(), "—"}, {math.Inf(1), "—"},
	}
	for _, tt := range tests {
		if got := formatCount(tt.in); got != tt.want {
			t.Errorf("formatCount(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatLatency(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "—"}, {530 * time.Microsecond, "530 µs"}, {999_600 * time.Nanosecond, "1000 µs"},
		{2110 * time.Microsecond, "2.11 ms"}, {1500 * time.Millisecond, "1.50 s"},
	}
	for _, tt := range tests {
		if got := formatLatency(tt.in); got != tt.want {
			t.Errorf("formatLatency(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
