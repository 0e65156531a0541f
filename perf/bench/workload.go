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
	// Variants are the proxy runs the workload measures, in the order
	// they run within a round for each proxy. nil runs every proxy once,
	// named as itself, on the runner's settings as they are.
	Variants []Variant

	Unit     string   // unit of Sample.Rate: "req/s", "Gbit/s"
	Decimals int      // decimals the rate is shown with
	CPUPer   CPUBasis // the work CPU time is given per: 100k requests, a GB
	OpName   string   // the unit of work in the CPU ratio's header: "req", "GB"
	// NoLatency and NoErrors drop the table columns the generator has no
	// figure for (iperf3 measures no latency and counts no error).
	NoLatency, NoErrors bool
}

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

// Sample is what one generator run measured.
type Sample struct {
	Rate    float64       // headline figure, in the workload's Unit
	Ops     int64         // operations completed: requests, or bytes received for a bulk transfer
	Elapsed time.Duration // as the generator timed it
	Latency Latency       // zero when the generator does not measure it
	Errors  Errors
}

// Latency holds latency percentiles of one run.
type Latency struct {
	P50, P75, P90, P99 time.Duration
}

// Errors counts failures a generator reported. wrk counts socket errors
// by kind and answers that were neither 2xx nor 3xx.
type Errors struct {
	Connect, Read, Write, Timeout, Status int64
}

// Total is the sum of all counts.
func (e Errors) Total() int64 { return e.Connect + e.Read + e.Write + e.Timeout + e.Status }

// Add returns the element-wise sum of e and f.
func (e Errors) Add(f Errors) Errors {
	return Errors{e.Connect + f.Connect, e.Read + f.Read, e.Write + f.Write, e.Timeout + f.Timeout, e.Status + f.Status}
}

// String lists the non-zero counts ("read 3, non-2xx/3xx 1"), or "0".
func (e Errors) String() string {
	var parts []string
	for _, c := range []struct {
		name string
		n    int64
	}{{"connect", e.Connect}, {"read", e.Read}, {"write", e.Write}, {"timeout", e.Timeout}, {"non-2xx/3xx", e.Status}} {
		if c.n != 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c.name, c.n))
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, ", ")
}
