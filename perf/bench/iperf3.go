package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"time"
)

// Iperf3 is the iperf3 client in tcp mode: one stream, default block
// size (128 KiB), for the run's duration, with a JSON report (-J). The
// client sends; with Reverse (-R) the server sends and the client
// receives. Both its control and its data connection go to the address
// it is given, so a proxy in front of an iperf3 server carries both.
type Iperf3 struct {
	Binary  string
	Reverse bool
	CPUs    CPUSet // taskset CPUs; empty: not pinned
}

// Argv returns the command line of a run against addr for d (whole
// seconds, as iperf3 counts them).
func (g Iperf3) Argv(addr string, d time.Duration) []string {
	host, port := splitAddr(addr)
	argv := []string{g.Binary, "-c", host, "-p", port, "-t", strconv.Itoa(int(d / time.Second)), "-J"}
	if g.Reverse {
		argv = append(argv, "-R")
	}
	return g.CPUs.TasksetArgv(argv)
}

// Figure says where Sample.Rate comes from.
func (g Iperf3) Figure() string {
	return "iperf3's end.sum_received.bits_per_second / 10^9, in Gbit/s: what the receiving end got"
}

// Run runs iperf3 against addr for d. A test that fails before it
// starts is run again (see runIperf3). It fails if iperf3 exits non-zero,
// does not finish within d plus 30 s, reports an error (iperf3 3.12 exits
// 0 after one with -J), runs in the other direction, or receives nothing.
func (g Iperf3) Run(ctx context.Context, addr string, d time.Duration) (Sample, error) {
	if err := checkDuration("iperf3", d); err != nil {
		return Sample{}, err
	}
	argv := g.Argv(addr, d)
	res, stdout, err := runIperf3(ctx, argv, d+generatorMargin)
	if err != nil {
		return Sample{}, err
	}
	cmdline := strings.Join(argv, " ")
	switch {
	case res.Reverse != g.Reverse:
		return Sample{}, fmt.Errorf("bench: %s: report says reverse %v, want %v", cmdline, res.Reverse, g.Reverse)
	case res.Sample.Ops == 0:
		return Sample{}, fmt.Errorf("bench: %s: the receiver got no byte; output:\n%s", cmdline, indent(string(stdout)))
	}
	return res.Sample, nil
}

// Iperf3Result is what the harness reads from an iperf3 JSON report.
type Iperf3Result struct {
	// Sample holds the receiver's side: Rate in Gbit/s, Ops in bytes,
	// Elapsed as the receiver timed it. No latency, no error counts.
	Sample  Sample
	Reverse bool // the server sent (-R)
}

// ErrIperf3Output is returned (wrapped) when iperf3's JSON cannot be read
// or lacks a figure the harness needs; ErrIperf3Failed when the report
// holds iperf3's own "error", together with ErrIperf3NotStarted when the
// test failed before it connected a data stream.
var (
	ErrIperf3Output     = errors.New("bench: unexpected iperf3 output")
	ErrIperf3Failed     = errors.New("bench: iperf3 reported an error")
	ErrIperf3NotStarted = errors.New("bench: the iperf3 test did not start")
)

// iperf3StartWindow bounds how long runIperf3 retries a test that does
// not start.
const iperf3StartWindow = 10 * time.Second

// runIperf3 runs the iperf3 client argv (each run bounded by limit) and
// reads its report. A test that fails before it starts
// ([ErrIperf3NotStarted]) is run again, every 10 ms for up to 10 s: an
// iperf3 server closes its listening socket at the end of every test,
// also of one a readiness probe aborts by connecting and closing, and
// opens a new one for the next, so a client arriving in between is
// refused or reset having transferred nothing. Any other failure is
// returned at once, with iperf3's output.
func runIperf3(ctx context.Context, argv []string, limit time.Duration) (Iperf3Result, []byte, error) {
	deadline := time.Now().Add(iperf3StartWindow)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		stdout, stderr, err := runBounded(ctx, argv, limit)
		if err != nil {
			return Iperf3Result{}, nil, err
		}
		res, err := ParseIperf3(stdout)
		if err == nil {
			return res, stdout, nil
		}
		if !errors.Is(err, ErrIperf3NotStarted) || time.Now().After(deadline) {
			return Iperf3Result{}, nil, fmt.Errorf("%s: %w; output:\n%s", strings.Join(argv, " "), err,
				indent(string(stdout)+string(stderr)))
		}
		select {
		case <-ctx.Done():
			return Iperf3Result{}, nil, fmt.Errorf("bench: %s: %w (last attempt: %v)", strings.Join(argv, " "), ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// iperf3Report is the part of iperf3's -J output the harness reads.
type iperf3Report struct {
	Start struct {
		Connected []json.RawMessage `json:"connected"`
		TestStart *struct {
			Protocol string `json:"protocol"`
			Reverse  int    `json:"reverse"`
		} `json:"test_start"`
	} `json:"start"`
	End struct {
		SumReceived *struct {
			Seconds       *float64 `json:"seconds"`
			Bytes         *int64   `json:"bytes"`
			BitsPerSecond *float64 `json:"bits_per_second"`
		} `json:"sum_received"`
	} `json:"end"`
	Intervals []json.RawMessage `json:"intervals"`
	Error     string            `json:"error"`
}

// ParseIperf3 reads the JSON report iperf3 3.x prints with -J for a tcp
// test: end.sum_received (bits_per_second, bytes, seconds), the
// direction from start.test_start.reverse, and the "error" member, which
// makes it fail with [ErrIperf3Failed], and also [ErrIperf3NotStarted]
// when no data stream had connected (start.connected and intervals
// empty). A missing figure, a negative one or a protocol other than TCP
// fails with [ErrIperf3Output].
func ParseIperf3(out []byte) (Iperf3Result, error) {
	var r iperf3Report
	if err := json.Unmarshal(out, &r); err != nil {
		return Iperf3Result{}, fmt.Errorf("%w: %v", ErrIperf3Output, err)
	}
	if r.Error != "" {
		if len(r.Start.Connected) == 0 && len(r.Intervals) == 0 {
			return Iperf3Result{}, fmt.Errorf("%w: %w: %s", ErrIperf3Failed, ErrIperf3NotStarted, r.Error)
		}
		return Iperf3Result{}, fmt.Errorf("%w: %s", ErrIperf3Failed, r.Error)
	}
	ts, sum := r.Start.TestStart, r.End.SumReceived
	switch {
	case ts == nil:
		return Iperf3Result{}, fmt.Errorf("%w: no start.test_start", ErrIperf3Output)
	case ts.Protocol != "TCP":
		return Iperf3Result{}, fmt.Errorf("%w: protocol %q, want TCP", ErrIperf3Output, ts.Protocol)
	case sum == nil || sum.Seconds == nil || sum.Bytes == nil || sum.BitsPerSecond == nil:
		return Iperf3Result{}, fmt.Errorf("%w: no end.sum_received with seconds, bytes and bits_per_second", ErrIperf3Output)
	case *sum.Bytes < 0 || !(*sum.Seconds >= 0) || !(*sum.BitsPerSecond >= 0) ||
		math.IsInf(*sum.Seconds, 0) || math.IsInf(*sum.BitsPerSecond, 0):
		return Iperf3Result{}, fmt.Errorf("%w: end.sum_received bytes %d, seconds %v, bits_per_second %v",
			ErrIperf3Output, *sum.Bytes, *sum.Seconds, *sum.BitsPerSecond)
	}
	return Iperf3Result{
		Sample: Sample{
			Rate:    *sum.BitsPerSecond / 1e9,
			Ops:     *sum.Bytes,
			Elapsed: time.Duration(*sum.Seconds * float64(time.Second)),
		},
		Reverse: ts.Reverse != 0,
	}, nil
}

// iperf3CheckBytes is what a check transfers: one default block.
const iperf3CheckBytes = "128K"

// Iperf3Server is an iperf3 server backend ("iperf3 -s"), bound to the
// spec's loopback address. It serves one test at a time and keeps
// running between tests; a connection that closes without starting a
// test (a readiness probe) only makes it log an error.
func Iperf3Server(binary string) Backend {
	return Backend{
		Name: "iperf3",
		Argv: func(_ string, s BackendSpec) []string {
			host, port := splitAddr(s.Listen)
			return s.CPUs.TasksetArgv([]string{binary, "-s", "-B", host, "-p", port})
		},
		Check: func(ctx context.Context, addr string) error {
			return CheckIperf3(ctx, binary, addr)
		},
	}
}

// CheckIperf3 runs one short iperf3 test (128 KiB) against addr, each
// attempt bounded to 10 s, retried as runIperf3 does while it does not
// start, and fails unless iperf3 reports it complete. It does not
// require the receiver to count the bytes: with -n, iperf3 3.12 may end
// the test before the receiver reads them.
func CheckIperf3(ctx context.Context, binary, addr string) error {
	host, port := splitAddr(addr)
	_, _, err := runIperf3(ctx, []string{binary, "-c", host, "-p", port, "-n", iperf3CheckBytes, "-J"}, 10*time.Second)
	return err
}

// splitAddr splits "host:port"; an address without a port is returned
// whole as the host, for the report's placeholders.
func splitAddr(addr string) (host, port string) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr, ""
	}
	return host, port
}

// Bulk is the bulk transfer workload, client to server: iperf3 sends for
// the run's duration through one connection, and the figure is what the
// server received. It measures the proxy's request direction.
func Bulk(g Iperf3, backend *Backend) Workload {
	g.Reverse = false
	return bulk("bulk", "client to server (the proxy's request direction)", g, backend)
}

// BulkReverse is Bulk with iperf3 -R: the server sends and the client
// receives, so it measures the proxy's response direction, which a proxy
// splices (or not) separately.
func BulkReverse(g Iperf3, backend *Backend) Workload {
	g.Reverse = true
	return bulk("bulk-reverse", "server to client (iperf3 -R, the proxy's response direction)", g, backend)
}

func bulk(name, direction string, g Iperf3, backend *Backend) Workload {
	return Workload{
		Name: name,
		Summary: "Throughput of one TCP stream, " + direction + ", as the receiver counted it: " +
			"what the proxy moves between two sockets when the data never stops. " +
			"CPU s/GB is the proxy's CPU time per 10^9 bytes received. " +
			"hitless and HAProxy each run without a splice line (their default) and with the other choice, to compare the splice decision; " +
			"nginx and the Go proxies run as themselves.",
		Mode:     ModeTCP,
		Backend:  backend,
		Gen:      g,
		Variants: SpliceVariants(),
		Unit:     "Gbit/s",
		Decimals: 2,
		CPUPer:   PerGB,
		OpName:   "GB",
		NoErrors: true,
	}
}
