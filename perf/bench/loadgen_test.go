package bench

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseLoadgen(t *testing.T) {
	tests := []struct {
		name string
		file string
		want Sample
	}{
		{
			name: "a run that held its rate (unknown members ignored)",
			file: "loadgen.json",
			want: Sample{
				Rate: 337.9, Ops: 1000,
				Latency: Latency{P50: 218100 * time.Nanosecond, P90: 260100 * time.Nanosecond, P99: 337900 * time.Nanosecond,
					P999: 1237 * time.Microsecond, Max: 1409 * time.Microsecond},
				Offered: 1000, Achieved: 1000,
			},
		},
		{
			name: "nothing answered: every request failed",
			file: "loadgen-refused.json",
			want: Sample{Errors: Errors{Failed: 1000}, Offered: 1000},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLoadgen([]byte(readTestdata(t, tt.file)))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseLoadgen:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseLoadgenRejects(t *testing.T) {
	good := readTestdata(t, "loadgen.json")
	tests := []struct {
		name, out string
	}{
		{"empty", ""},
		{"not JSON", "loadgen: no response\n"},
		{"truncated", good[:len(good)/2]},
		{"two objects", good + good},
		{"no p99", strings.Replace(good, `"p99_us":337.9,`, "", 1)},
		{"no requests", strings.Replace(good, `"requests":1000,`, "", 1)},
		{"no non2xx", strings.Replace(good, `"non2xx":0,`, "", 1)},
		{"negative errors", strings.Replace(good, `"errors":0`, `"errors":-1`, 1)},
		{"negative rate", strings.Replace(good, `"achieved_rate":1000`, `"achieved_rate":-5`, 1)},
		{"fractional count", strings.Replace(good, `"requests":1000`, `"requests":1000.5`, 1)},
		{"percentiles out of order", strings.Replace(good, `"p99_us":337.9`, `"p99_us":3379`, 1)},
		{"latency as a string", strings.Replace(good, `"p50_us":218.1`, `"p50_us":"218"`, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.out == good {
				t.Fatal("the edit did not apply to the sample")
			}
			if _, err := ParseLoadgen([]byte(tt.out)); !errors.Is(err, ErrLoadgenOutput) {
				t.Errorf("ParseLoadgen error = %v, want %v", err, ErrLoadgenOutput)
			}
		})
	}
}

func TestLoadgenArgv(t *testing.T) {
	tests := []struct {
		name string
		g    Loadgen
		want []string
	}{
		{
			name: "pinned, rate given, warm-up",
			g:    Loadgen{Binary: "/tmp/loadgen", Connections: 50, Warmup: time.Second, CPUs: CPUSet{1}, Rate: 25000},
			want: []string{"taskset", "-c", "1", "/tmp/loadgen", "-url", "http://127.0.0.1:4000/", "-rate", "25000",
				"-duration", "5s", "-connections", "50", "-warmup", "1s"},
		},
		{
			name: "rate not derived yet, close, path",
			g:    Loadgen{Binary: "loadgen", Path: "/64k", Connections: 10, Close: true},
			want: []string{"loadgen", "-url", "http://127.0.0.1:4000/64k", "-rate", "RATE", "-duration", "5s",
				"-connections", "10", "-close"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.g.Argv("127.0.0.1:4000", 5*time.Second); !slices.Equal(got, tt.want) {
				t.Errorf("Argv = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDeriveRate(t *testing.T) {
	tests := []struct {
		measured, fraction, want float64
	}{
		{57634.2, 0.5, 28800},
		{57650, 0.5, 28800}, // 28825 rounds to the nearest 100
		{57700, 0.5, 28900},
		{11004, 0.25, 2800},
		{90, 0.5, 100}, // never below 100
	}
	for _, tt := range tests {
		if got := DeriveRate(tt.measured, tt.fraction); got != tt.want {
			t.Errorf("DeriveRate(%v, %v) = %v, want %v", tt.measured, tt.fraction, got, tt.want)
		}
	}
}

func TestLoadgenPrepare(t *testing.T) {
	m := func(round int, w, target string, rate float64) Measurement {
		return Measurement{Round: round, Workload: w, Target: target, Sample: Sample{Rate: rate}}
	}
	from := RateSource{Workload: "keepalive", Target: "haproxy", Fraction: 0.5}
	tests := []struct {
		name string
		g    Loadgen
		done []Measurement
		want float64 // 0: an error
	}{
		{"first round's figure, not a later one", Loadgen{From: from},
			[]Measurement{m(1, "keepalive", "direct", 60000), m(1, "keepalive", "haproxy", 50000),
				m(1, "keepalive-http", "haproxy", 30000), m(2, "keepalive", "haproxy", 70000)}, 25000},
		{"a rate given stays", Loadgen{Rate: 1234, From: from}, nil, 1234},
		{"no measurement of the source", Loadgen{From: from}, []Measurement{m(1, "keepalive", "hitless", 50000)}, 0},
		{"no fraction", Loadgen{From: RateSource{Workload: "keepalive", Target: "haproxy"}},
			[]Measurement{m(1, "keepalive", "haproxy", 50000)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := tt.g
			err := g.Prepare(tt.done)
			if (err == nil) != (tt.want != 0) {
				t.Fatalf("Prepare error = %v, want a rate %v", err, tt.want)
			}
			if g.Rate != tt.want {
				t.Errorf("rate %v, want %v", g.Rate, tt.want)
			}
		})
	}
	// Once derived, the rate holds for every later sample.
	g := Loadgen{From: from}
	if err := g.Prepare([]Measurement{m(1, "keepalive", "haproxy", 50000)}); err != nil {
		t.Fatal(err)
	}
	if err := g.Prepare([]Measurement{m(1, "keepalive", "haproxy", 90000)}); err != nil || g.Rate != 25000 {
		t.Errorf("second Prepare: rate %v, %v", g.Rate, err)
	}
	if f := g.Figure(); !strings.Contains(f, "25,000 req/s, 50.0% of haproxy's keepalive req/s in the first round (50,000 req/s)") {
		t.Errorf("Figure = %q", f)
	}
}
