package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Wrk is the wrk HTTP load generator: Threads threads keep Connections
// connections busy with GET Path for the run's duration, one request at a
// time per connection, and report throughput and a latency distribution
// (--latency).
type Wrk struct {
	Binary      string
	Threads     int
	Connections int
	Headers     []string // -H values, e.g. "Connection: close"
	Path        string   // request path; "/" when empty
	CPUs        CPUSet   // taskset CPUs; empty: not pinned
}

// Argv returns the command line of a run against addr for d (whole
// seconds, as wrk counts them).
func (w Wrk) Argv(addr string, d time.Duration) []string {
	argv := []string{w.Binary, "-t" + strconv.Itoa(w.Threads), "-c" + strconv.Itoa(w.Connections),
		"-d" + strconv.Itoa(int(d/time.Second)) + "s", "--latency"}
	for _, h := range w.Headers {
		argv = append(argv, "-H", h)
	}
	path := w.Path
	if path == "" {
		path = "/"
	}
	return w.CPUs.TasksetArgv(append(argv, "http://"+addr+path))
}

// Figure says where Sample.Rate comes from.
func (w Wrk) Figure() string { return "wrk's Requests/sec" }

// Run runs wrk against addr for d. It fails if wrk exits non-zero, does
// not finish within d plus 30 s, prints output ParseWrk rejects, or
// completes no request.
func (w Wrk) Run(ctx context.Context, addr string, d time.Duration) (Sample, error) {
	if err := checkDuration("wrk", d); err != nil {
		return Sample{}, err
	}
	argv := w.Argv(addr, d)
	stdout, stderr, err := runBounded(ctx, argv, d+generatorMargin)
	if err != nil {
		return Sample{}, err
	}
	cmdline := strings.Join(argv, " ")
	s, err := ParseWrk(string(stdout))
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %w; output:\n%s", cmdline, err, indent(string(stdout)+string(stderr)))
	}
	if s.Ops == 0 {
		return Sample{}, fmt.Errorf("bench: %s completed no request (errors: %s); output:\n%s", cmdline, s.Errors, indent(string(stdout)))
	}
	return s, nil
}

// ErrWrkOutput is returned (wrapped) when wrk's output lacks a line the
// harness needs or holds one it cannot read.
var ErrWrkOutput = errors.New("bench: unexpected wrk output")

// ParseWrk reads the report wrk 4.x prints with --latency: the
// "N requests in T, X read" line, "Requests/sec:", the 50/75/90/99%
// lines of the latency distribution, and the optional "Socket errors:"
// and "Non-2xx or 3xx responses:" lines (absent means zero). A missing
// required line is an error wrapping [ErrWrkOutput].
func ParseWrk(out string) (Sample, error) {
	var s Sample
	var haveOps, haveRate bool
	pct := map[string]*time.Duration{"50%": &s.Latency.P50, "75%": &s.Latency.P75, "90%": &s.Latency.P90, "99%": &s.Latency.P99}
	seen := map[string]bool{}
	inDist := false
	for raw := range strings.SplitSeq(out, "\n") {
		line := strings.TrimSpace(raw)
		f := strings.Fields(line)
		switch {
		case line == "Latency Distribution":
			inDist = true
		case inDist && len(f) == 2 && pct[f[0]] != nil:
			d, err := parseWrkDuration(f[1])
			if err != nil {
				return Sample{}, fmt.Errorf("%w: latency %q: %v", ErrWrkOutput, line, err)
			}
			*pct[f[0]] = d
			seen[f[0]] = true
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			inDist = false
			n, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return Sample{}, fmt.Errorf("%w: request count %q", ErrWrkOutput, line)
			}
			d, err := parseWrkDuration(strings.TrimSuffix(f[3], ","))
			if err != nil {
				return Sample{}, fmt.Errorf("%w: run time %q: %v", ErrWrkOutput, line, err)
			}
			s.Ops, s.Elapsed, haveOps = n, d, true
		case strings.HasPrefix(line, "Requests/sec:"):
			v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(line, "Requests/sec:")), 64)
			if err != nil {
				return Sample{}, fmt.Errorf("%w: %q", ErrWrkOutput, line)
			}
			s.Rate, haveRate = v, true
		case strings.HasPrefix(line, "Socket errors:"):
			if err := parseWrkSocketErrors(strings.TrimPrefix(line, "Socket errors:"), &s.Errors); err != nil {
				return Sample{}, fmt.Errorf("%w: %q: %v", ErrWrkOutput, line, err)
			}
		case strings.HasPrefix(line, "Non-2xx or 3xx responses:"):
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(line, "Non-2xx or 3xx responses:")), 10, 64)
			if err != nil {
				return Sample{}, fmt.Errorf("%w: %q", ErrWrkOutput, line)
			}
			s.Errors.Status = n
		}
	}
	switch {
	case !haveOps:
		return Sample{}, fmt.Errorf("%w: no \"requests in\" line", ErrWrkOutput)
	case !haveRate:
		return Sample{}, fmt.Errorf("%w: no \"Requests/sec:\" line", ErrWrkOutput)
	case !seen["50%"] || !seen["99%"]:
		return Sample{}, fmt.Errorf("%w: no latency distribution (run wrk with --latency)", ErrWrkOutput)
	}
	return s, nil
}

// parseWrkSocketErrors reads " connect 0, read 12, write 0, timeout 3".
func parseWrkSocketErrors(s string, e *Errors) error {
	for part := range strings.SplitSeq(s, ",") {
		f := strings.Fields(part)
		if len(f) != 2 {
			return fmt.Errorf("field %q", part)
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return fmt.Errorf("count %q", f[1])
		}
		switch f[0] {
		case "connect":
			e.Connect = n
		case "read":
			e.Read = n
		case "write":
			e.Write = n
		case "timeout":
			e.Timeout = n
		default:
			return fmt.Errorf("unknown kind %q", f[0])
		}
	}
	return nil
}

// wrkUnits are the suffixes wrk prints durations with (format_time_us
// and format_time_s).
var wrkUnits = []struct {
	suffix string
	unit   time.Duration
}{
	{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second},
	{"m", time.Minute}, {"h", time.Hour},
}

// parseWrkDuration reads a wrk duration such as "530.00us", "2.11ms",
// "10.00s" or "1.00m".
func parseWrkDuration(s string) (time.Duration, error) {
	for _, u := range wrkUnits {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || !(v >= 0) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("duration %q", s)
		}
		return time.Duration(v * float64(u.unit)), nil
	}
	return 0, fmt.Errorf("duration %q has no known unit", s)
}
