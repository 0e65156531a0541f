package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// RateSource says where a fixed-rate workload takes its rate from: a
// fraction of what Target measured under Workload in the first round
// that has a measurement of it (round 1, normally).
type RateSource struct {
	Workload, Target string  // "keepalive", "haproxy"
	Fraction         float64 // 0.5: half of it
}

// Loadgen is perf/cmd/loadgen, an open-loop HTTP load generator: it
// sends GET Path at a fixed rate over Connections connections for the
// run's duration, after a warm-up that is not counted, whether or not
// the answers keep up, and prints one JSON object with latency
// percentiles measured from each request's scheduled send time.
//
// The rate is Rate, or, when Rate is 0, derived by Prepare from the run's
// own measurements as From says, once, and kept for every later sample:
// every target and round gets the same offered load.
//
// Used through a pointer: Prepare fixes the rate in place.
type Loadgen struct {
	Binary      string
	Path        string // request path; "/" when empty
	Connections int
	Close       bool          // a new connection per request (-close)
	Warmup      time.Duration // -warmup, not counted; 0 leaves loadgen's default
	CPUs        CPUSet        // taskset CPUs; empty: not pinned

	Rate float64    // requests per second; 0 until Prepare derives it from From
	From RateSource // used when Rate is 0

	derivedFrom float64 // the measured rate Rate was derived from; 0 when given
}

// Argv returns the command line of a run against addr for d.
func (g *Loadgen) Argv(addr string, d time.Duration) []string {
	path := g.Path
	if path == "" {
		path = "/"
	}
	rate := "RATE"
	if g.Rate > 0 {
		rate = strconv.FormatFloat(g.Rate, 'f', -1, 64)
	}
	argv := []string{g.Binary, "-url", "http://" + addr + path, "-rate", rate, "-duration", d.String(),
		"-connections", strconv.Itoa(g.Connections)}
	if g.Close {
		argv = append(argv, "-close")
	}
	if g.Warmup > 0 {
		argv = append(argv, "-warmup", g.Warmup.String())
	}
	return g.CPUs.TasksetArgv(argv)
}

// Figure says where Sample.Rate comes from and how the rate was chosen.
func (g *Loadgen) Figure() string {
	var rate string
	switch {
	case g.Rate > 0 && g.derivedFrom > 0:
		rate = fmt.Sprintf("%s req/s, %s of %s's %s req/s in the first round (%s req/s)", formatCount(g.Rate),
			formatPercent(g.From.Fraction), g.From.Target, g.From.Workload, formatCount(g.derivedFrom))
	case g.Rate > 0:
		rate = formatCount(g.Rate) + " req/s, set on the command line"
	default:
		rate = fmt.Sprintf("%s of %s's %s req/s in the first round", formatPercent(g.From.Fraction), g.From.Target, g.From.Workload)
	}
	return "loadgen's p99 latency, in µs, at a fixed offered rate of " + rate
}

// rateStep is what a derived rate is rounded to: a round figure in the
// report, and the same offered load whatever the last digits measured.
const rateStep = 100

// DeriveRate returns fraction of measured, rounded to a multiple of 100
// requests per second and at least 100.
func DeriveRate(measured, fraction float64) float64 {
	return max(rateStep, math.Round(measured*fraction/rateStep)*rateStep)
}

// Prepare fixes the rate, when it is not given, from the first
// measurement of From.Target under From.Workload in done. It fails when
// there is none: that workload must run earlier in the round, with that
// target.
func (g *Loadgen) Prepare(done []Measurement) error {
	if g.Rate > 0 {
		return nil
	}
	if !(g.From.Fraction > 0) {
		return fmt.Errorf("bench: loadgen: no rate and no fraction to derive one")
	}
	for _, m := range done {
		if m.Workload == g.From.Workload && m.Target == g.From.Target && m.Sample.Rate > 0 {
			g.derivedFrom = m.Sample.Rate
			g.Rate = DeriveRate(m.Sample.Rate, g.From.Fraction)
			return nil
		}
	}
	return fmt.Errorf("bench: loadgen: no %s measurement of %s to take the rate from: run that workload and target "+
		"before this one, or give the rate", g.From.Workload, g.From.Target)
}

// Run runs loadgen against addr for d. It fails if loadgen exits
// non-zero, does not finish within d plus the warm-up plus 30 s, prints
// output ParseLoadgen rejects, or completes no request.
func (g *Loadgen) Run(ctx context.Context, addr string, d time.Duration) (Sample, error) {
	if g.Rate <= 0 {
		return Sample{}, errors.New("bench: loadgen: no rate (Prepare was not called)")
	}
	if err := checkDuration("loadgen", d); err != nil {
		return Sample{}, err
	}
	argv := g.Argv(addr, d)
	stdout, stderr, err := runBounded(ctx, argv, d+g.Warmup+generatorMargin)
	if err != nil {
		return Sample{}, err
	}
	cmdline := strings.Join(argv, " ")
	s, err := ParseLoadgen(stdout)
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %w; output:\n%s", cmdline, err, indent(string(stdout)+string(stderr)))
	}
	if s.Ops == 0 {
		return Sample{}, fmt.Errorf("bench: %s completed no request (errors: %s); output:\n%s", cmdline, s.Errors, indent(string(stdout)))
	}
	s.Elapsed = d
	return s, nil
}

// ErrLoadgenOutput is returned (wrapped) when loadgen's JSON cannot be
// read or lacks a figure.
var ErrLoadgenOutput = errors.New("bench: unexpected loadgen output")

// loadgenReport is loadgen's JSON object; every member is required.
type loadgenReport struct {
	TargetRate   *float64 `json:"target_rate"`
	AchievedRate *float64 `json:"achieved_rate"`
	Requests     *int64   `json:"requests"`
	Errors       *int64   `json:"errors"`
	Non2xx       *int64   `json:"non2xx"`
	P50          *float64 `json:"p50_us"`
	P90          *float64 `json:"p90_us"`
	P99          *float64 `json:"p99_us"`
	P999         *float64 `json:"p999_us"`
	Max          *float64 `json:"max_us"`
}

// ParseLoadgen reads loadgen's JSON object (surrounding whitespace
// allowed, nothing else; members it does not know are ignored): the offered and achieved rates, the requests
// answered, the failed requests and non-2xx answers, and the latency
// percentiles in µs. The sample's Rate is the p99 in µs, Ops the
// requests. A missing member, a negative figure, or percentiles out of
// order fail with [ErrLoadgenOutput].
func ParseLoadgen(out []byte) (Sample, error) {
	var r loadgenReport
	dec := json.NewDecoder(strings.NewReader(string(out)))
	if err := dec.Decode(&r); err != nil {
		return Sample{}, fmt.Errorf("%w: %v", ErrLoadgenOutput, err)
	}
	if dec.More() {
		return Sample{}, fmt.Errorf("%w: more than one JSON value", ErrLoadgenOutput)
	}
	named := []struct {
		name string
		v    *float64
	}{{"target_rate", r.TargetRate}, {"achieved_rate", r.AchievedRate}, {"p50_us", r.P50}, {"p90_us", r.P90},
		{"p99_us", r.P99}, {"p999_us", r.P999}, {"max_us", r.Max}}
	for _, f := range named {
		if f.v == nil {
			return Sample{}, fmt.Errorf("%w: no %s", ErrLoadgenOutput, f.name)
		}
		if !(*f.v >= 0) || math.IsInf(*f.v, 0) {
			return Sample{}, fmt.Errorf("%w: %s is %v", ErrLoadgenOutput, f.name, *f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    *int64
	}{{"requests", r.Requests}, {"errors", r.Errors}, {"non2xx", r.Non2xx}} {
		if f.v == nil {
			return Sample{}, fmt.Errorf("%w: no %s", ErrLoadgenOutput, f.name)
		}
		if *f.v < 0 {
			return Sample{}, fmt.Errorf("%w: %s is %d", ErrLoadgenOutput, f.name, *f.v)
		}
	}
	if !(*r.P50 <= *r.P90 && *r.P90 <= *r.P99 && *r.P99 <= *r.P999 && *r.P999 <= *r.Max) {
		return Sample{}, fmt.Errorf("%w: percentiles out of order: p50 %v, p90 %v, p99 %v, p99.9 %v, max %v µs",
			ErrLoadgenOutput, *r.P50, *r.P90, *r.P99, *r.P999, *r.Max)
	}
	us := func(v float64) time.Duration { return time.Duration(math.Round(v * float64(time.Microsecond))) }
	return Sample{
		Rate: *r.P99,
		Ops:  *r.Requests,
		Latency: Latency{P50: us(*r.P50), P90: us(*r.P90), P99: us(*r.P99), P999: us(*r.P999),
			Max: us(*r.Max)},
		Errors:   Errors{Failed: *r.Errors, Status: *r.Non2xx},
		Offered:  *r.TargetRate,
		Achieved: *r.AchievedRate,
	}, nil
}
