// Package bench is the benchmark harness behind "make perf": it runs a
// backend, puts each proxy under test in front of it in turn, drives load
// with an external generator and turns the samples into Markdown tables.
//
// The harness is described by data, so that the suite grows by adding
// entries rather than code paths:
//   - a [Backend] says how to configure, start and check the server every
//     target forwards to ([Nginx], [Iperf3Server]);
//   - a [Proxy] says how to write its configuration for a [ProxySpec] (mode,
//     threads, CPUs, maxconn, timeouts) and how to start it ([Hitless],
//     [HAProxy]: both read the same HAProxy-syntax file, [HAProxyConfig];
//     [NginxProxy]; the Go peers [GnetProxy], [CopyProxy], [ReverseProxy]),
//     and which modes it supports or will support ([Proxy.Pending]: its
//     rows then say why it has no figure);
//   - a [Workload] names a load [Generator] ([Wrk], [Iperf3], [Loadgen] at
//     a fixed rate, [IdleConns] reading the proxy's memory), the proxy
//     mode it needs, the backend it talks to, the unit of its headline
//     figure, the work its CPU figure is given per and the columns of its
//     table; it may list the [Variant]s of the proxies it runs (a name and
//     an edit of the [ProxySpec]: [SpliceVariants] for the bulk workloads);
//     a proxy without a variant runs once, as itself.
//
// A [Runner] executes rounds: in each round every workload is run against
// the backend directly ("direct", the baseline, unless the workload has
// none) and then against every proxy (or each of its variants), in a fixed
// order, so that slow drifts of the machine spread over all targets
// instead of favouring one. Every proxy is started fresh for each sample
// and stopped right after it; the CPU time its process group used while
// the generator ran is read from /proc/<pid>/stat. [Runner.Plan]
// estimates a run's length before it starts.
//
// Invariants:
//   - Every child process runs in its own process group and is stopped
//     (SIGTERM, then SIGKILL after a bound) before the function that started
//     it returns, on success, error or cancellation; it also gets SIGKILL
//     if the harness dies (Pdeathsig).
//   - Every wait is bounded: readiness is polled by connecting with a
//     deadline, never by sleeping; generator runs have a deadline derived
//     from their duration. The one retry, an iperf3 test that could not
//     start because the server was between two tests, is polled every
//     10 ms for at most 10 s.
//   - Figures are never invented: a generator run that fails, that completes
//     no operation, or whose output cannot be parsed fails the whole run.
//     Error counts reported by the generator are carried to the table.
//     The one exception is a workload that probes a limit
//     ([Workload.RecordFailures], the idle connections): a target that
//     fails it gets a failed row with the reason, and the run goes on.
//
// The pure parts (wrk output, iperf3 and loadgen JSON parsing, statistics,
// table formatting, /proc parsing, configuration rendering, target lists,
// the run plan) are unit-tested; anything that runs processes or load is
// exercised only by perf/cmd/perf, never by "go test".
//
// Ownership: a Runner and the processes it starts belong to the goroutine
// that calls [Runner.Run]; none of the types here is safe for concurrent
// use unless its documentation says so.
package bench
