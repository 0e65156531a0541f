package bench

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Workload is one kind of load. A new workload (HTTP mode, a bulk
// transfer, a fixed-rate latency run, memory with idle connections) is a
// new Workload value with its own Generator and, if needed, Backend.
type Workload struct {
	Name    string   // short, used in tables and -workloads: "keepalive"
	Summary string   // what the figure says
	Mode    Mode     // the proxy mode it needs
	Backend *Backend // the server it talks to; workloads sharing a pointer share the instance
	Gen     Generator
	// Duration is the length of each generator run; 0 takes the
	// runner's. Whole seconds.
	Duration time.Duration
	// Overhead is how much longer than Duration one sample takes beyond
	// the runner's own per-sample work (a warm-up, opening thousands of
	// connections); it only feeds [Runner.Plan].
	Overhead time.Duration
	// Variants are the proxy runs the workload measures, in the order
	// they run within a round for each proxy. nil runs every proxy once,
	// named as itself, on the runner's settings as they are; a proxy no
	// variant names also runs once, as itself.
	Variants []Variant
	// Tweak edits every target's [ProxySpec] (before a variant's own
	// Tweak): what the workload needs of all proxies alike, such as a
	// maxconn above its connection count. nil keeps the runner's
	// settings. It must not modify the slices the spec shares (CPUs).
	Tweak func(*ProxySpec)
	// TweakAbout says what Tweak changes, for the report.
	TweakAbout string
	// RecordFailures makes a target that fails a sample (the generator
	// fails, or the proxy exits) a failed measurement, shown with its
	// reason, instead of the end of the run: where the workload probes a
	// limit (thousands of idle connections), reaching it is a finding.
	// The backend dying still ends the run.
	RecordFailures bool
	// NoDirect leaves out the direct baseline even when the runner has
	// one: the figure is the proxy's (its memory), or another workload's
	// direct row already measures the same thing.
	NoDirect bool

	Unit     string   // unit of Sample.Rate: "req/s", "Gbit/s", "KiB/conn"
	Decimals int      // decimals the rate is shown with
	CPUPer   CPUBasis // the work CPU time is given per: 100k requests, a GB
	OpName   string   // the unit of work in the CPU ratio's header: "req", "GB"
	// LowerIsBetter says that Rate is a cost (a latency, a size): a
	// ratio to the reference below 1.00× is then the better figure.
	LowerIsBetter bool
	// Latency lists the percentile columns of the table; none for a
	// generator that measures no latency (iperf3).
	Latency []Percentile
	// NoErrors drops the errors column (iperf3 counts no error); NoCPU
	// the CPU columns (the work is not a stream of operations); Achieved
	// adds the offered and achieved rates of a fixed-rate generator;
	// Memory the proxy's resident memory and descriptors.
	NoErrors, NoCPU, Achieved, Memory bool
}

// RequestLatency are the percentile columns of wrk's workloads.
var RequestLatency = []Percentile{P50, P99}

// CPUBasis is the amount of work a proxy's CPU time is expressed against.
type CPUBasis struct {
	Label string  // in the table header: "100k req", "GB"
	Ops   float64 // the count of Sample.Ops it stands for: 100,000 requests, 10^9 bytes
	About string  // the same in words, for the report: "100,000 requests completed"
}

// Per100kReq and PerGB are the CPU bases of the request workloads and of
// the bulk workloads (whose Sample.Ops counts bytes).
var (
	Per100kReq = CPUBasis{Label: "100k req", Ops: 100_000, About: "100,000 requests completed"}
	PerGB      = CPUBasis{Label: "GB", Ops: 1e9, About: "10^9 bytes received"}
)

// Generator drives load against one address and measures it.
type Generator interface {
	// Argv is the command Run executes against addr for d, for the report.
	Argv(addr string, d time.Duration) []string
	// Figure says, for the report, where Sample.Rate comes from:
	// "wrk's Requests/sec".
	Figure() string
	// Run loads addr for d and returns what it measured. It returns
	// within d plus a bounded margin, or an error; it returns an error
	// rather than a sample without operations.
	Run(ctx context.Context, addr string, d time.Duration) (Sample, error)
}

// ProxyGenerator is a Generator whose figure is read from the proxy
// process as well as from the traffic (its memory). Behind a proxy the
// runner calls RunProxy instead of Run, with the pid that leads the
// proxy's process group; its workloads set NoDirect.
type ProxyGenerator interface {
	Generator
	RunProxy(ctx context.Context, addr string, d time.Duration, pid int) (Sample, error)
}

// Preparer is a Generator that settles a setting from what the run has
// measured so far (a fixed rate taken from another workload's figure).
// The runner calls Prepare with every measurement taken so far before
// each of the workload's samples; an error ends the run.
type Preparer interface {
	Prepare(done []Measurement) error
}

// Describer is a Generator that runs inside the harness rather than as
// a command: Describe replaces Argv in the report.
type Describer interface {
	Describe(addr string, d time.Duration) string
}

// commandOf is what the report shows as g's command against addr for d.
func commandOf(g Generator, addr string, d time.Duration) string {
	if dg, ok := g.(Describer); ok {
		return dg.Describe(addr, d)
	}
	return ShellQuote(g.Argv(addr, d))
}

// Sample is what one generator run measured.
type Sample struct {
	Rate    float64       // headline figure, in the workload's Unit
	Ops     int64         // operations completed: requests, or bytes received for a bulk transfer
	Elapsed time.Duration // as the generator timed it
	Latency Latency       // zero when the generator does not measure it
	Errors  Errors
	// Offered and Achieved are a fixed-rate generator's target rate and
	// the rate it completed, operations per second; 0 for the others.
	Offered, Achieved float64
	Memory            Memory // zero unless the generator reads the proxy's memory
}

// Memory is what the proxy held while a generator kept connections open.
type Memory struct {
	Conns         int   // connections the generator held open
	Before, After int64 // resident set size in bytes, before opening them and with all of them open
	FDs           int   // file descriptors the proxy gained meanwhile
}

// Latency holds latency percentiles of one run; a percentile the
// generator does not report is 0.
type Latency struct {
	P50, P75, P90, P99, P999, Max time.Duration
}

// Percentile names a column of latency figures.
type Percentile int

const (
	P50  Percentile = iota // median
	P99                    // 99th percentile
	P999                   // 99.9th percentile
)

// String is the column header: "p50", "p99", "p99.9".
func (p Percentile) String() string {
	switch p {
	case P50:
		return "p50"
	case P99:
		return "p99"
	case P999:
		return "p99.9"
	}
	return fmt.Sprintf("percentile(%d)", int(p))
}

// At returns the percentile p of l.
func (l Latency) At(p Percentile) time.Duration {
	switch p {
	case P50:
		return l.P50
	case P99:
		return l.P99
	case P999:
		return l.P999
	}
	return 0
}

// Errors counts failures a generator reported. wrk counts socket errors
// by kind and answers that were neither 2xx nor 3xx; loadgen counts
// requests that got no answer (Failed) and answers that were not 2xx
// (Status; the backend answers nothing but 200, so a 3xx is as
// unexpected as a 5xx).
type Errors struct {
	Connect, Read, Write, Timeout, Status, Failed int64
}

// Total is the sum of all counts.
func (e Errors) Total() int64 {
	return e.Connect + e.Read + e.Write + e.Timeout + e.Status + e.Failed
}

// Add returns the element-wise sum of e and f.
func (e Errors) Add(f Errors) Errors {
	return Errors{e.Connect + f.Connect, e.Read + f.Read, e.Write + f.Write, e.Timeout + f.Timeout,
		e.Status + f.Status, e.Failed + f.Failed}
}

// String lists the non-zero counts ("read 3, non-2xx/3xx 1"), or "0".
func (e Errors) String() string {
	var parts []string
	for _, c := range []struct {
		name string
		n    int64
	}{{"connect", e.Connect}, {"read", e.Read}, {"write", e.Write}, {"timeout", e.Timeout}, {"non-2xx/3xx", e.Status},
		{"failed", e.Failed}} {
		if c.n != 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c.name, c.n))
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, ", ")
}
