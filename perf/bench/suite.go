package bench

import (
	"fmt"
	"time"
)

// modeName suffixes a workload's name with its mode when that is not
// tcp, the mode of the first workloads: "keepalive", "keepalive-http".
func modeName(name string, mode Mode) string {
	if mode == ModeTCP {
		return name
	}
	return name + "-" + string(mode)
}

// modeWords says, for a summary, what a proxy does with the traffic in
// mode.
func modeWords(mode Mode) string {
	if mode == ModeHTTP {
		return "Mode http: the proxy parses every request and answer and keeps its own connections to the backend."
	}
	return "Mode tcp: the proxy forwards bytes without reading them, one server connection per client connection."
}

// requestWorkload is a wrk workload's common part.
func requestWorkload(name, summary string, mode Mode, w Wrk, backend *Backend) Workload {
	return Workload{
		Name:    modeName(name, mode),
		Summary: summary + " " + modeWords(mode),
		Mode:    mode,
		Backend: backend,
		Gen:     w,
		Unit:    "req/s",
		CPUPer:  Per100kReq,
		OpName:  "req",
		Latency: RequestLatency,
		// wrk against the backend is the same run in every mode: the
		// tcp workload's direct row is the baseline of both.
		NoDirect: mode != ModeTCP,
	}
}

// KeepAlive is the keep-alive HTTP workload: wrk's connections stay open
// and carry one request after another, so the figure is the proxy's cost
// of forwarding a small request and its answer on an established pair of
// connections.
func KeepAlive(w Wrk, backend *Backend, mode Mode) Workload {
	return requestWorkload("keepalive",
		"Requests per second over persistent connections: each of wrk's connections "+
			"carries one small request after another, so this measures forwarding on established connections.",
		mode, w, backend)
}

// ConnPerRequest is the connection-per-request HTTP workload: wrk sends
// "Connection: close", the backend (or an HTTP proxy) closes after each
// answer and wrk reconnects, so each request costs the proxy an accept,
// and in mode tcp a connect to the backend and two closes.
func ConnPerRequest(w Wrk, backend *Backend, mode Mode) Workload {
	w.Headers = append(append([]string(nil), w.Headers...), "Connection: close")
	return requestWorkload("conn-per-request",
		"Requests per second with a new connection for every request (\"Connection: close\"): "+
			"each request costs the proxy an accept and the closing of the client connection, "+
			"and in mode tcp a connect to the backend and its closing too.",
		mode, w, backend)
}

// KeepAliveBody is KeepAlive asking for one of the backend's sized
// bodies: the same small request, a response of b.Size bytes, so the
// figure weighs the proxy's cost per byte against its cost per request.
func KeepAliveBody(w Wrk, backend *Backend, mode Mode, b Body) Workload {
	w.Path = b.Path
	return requestWorkload(fmt.Sprintf("keepalive-%s", b.Path[1:]),
		fmt.Sprintf("Requests per second over persistent connections, each answered with a %s body (GET %s): "+
			"forwarding cost when responses span several reads.", formatSize(b.Size), b.Path),
		mode, w, backend)
}

// formatSize writes a byte count as "1 KiB", "64 KiB" or "100 bytes".
func formatSize(n int) string {
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// LatencyAtRate is the fixed-rate latency workload: loadgen offers g's
// rate, below saturation, whatever the answers do, and the figure is the
// 99th percentile of the time from each request's scheduled send to its
// answer. warmup is loadgen's uncounted warm-up, which each sample spends
// on top of its duration.
func LatencyAtRate(g *Loadgen, backend *Backend, mode Mode) Workload {
	return Workload{
		Name: modeName("latency", mode),
		Summary: "Latency at a fixed offered rate below saturation (open loop: requests are sent on schedule " +
			"whether or not earlier ones were answered, so a stall shows in the percentiles instead of slowing the load). " +
			"The headline is the 99th percentile; the rate is the same for every target and round. " + modeWords(mode),
		Mode:          mode,
		Backend:       backend,
		Gen:           g,
		Overhead:      g.Warmup,
		Unit:          "p99 µs",
		CPUPer:        Per100kReq,
		OpName:        "req",
		LowerIsBetter: true,
		Latency:       []Percentile{P50, P999},
		Achieved:      true,
		NoDirect:      mode != ModeTCP,
	}
}

// idleOverhead is what an idle sample takes beyond its hold time:
// opening, accepting and closing ten thousand connections, and reading
// the proxy's descriptors (in mode http, a second to see that it opens
// no server connection).
const idleOverhead = 3 * time.Second

// IdleMemory is the idle-connections workload: the harness opens g.Conns
// connections through the proxy, sends nothing, and reads the proxy's
// resident memory before and with them open; the figure is the memory
// per connection. Every proxy gets maxconn above the count.
func IdleMemory(g *IdleConns, backend *Backend, mode Mode) Workload {
	asked := ""
	if g.Requested > g.Conns {
		asked = fmt.Sprintf(" (%d asked for: the open-files limit lowered it)", g.Requested)
	}
	held := "each of them also holds a connection to the backend, which tolerates idle ones for five minutes"
	if mode == ModeHTTP {
		held = "without a request it opens no connection to the backend"
	}
	maxconn := g.Conns + 16
	// No byte flows, so splicing is moot; but HAProxy reserves a pipe
	// pair per four connections when a proxy may splice, descriptors the
	// open-files limit cannot spare at this count.
	tweak := func(s *ProxySpec) {
		s.Maxconn = max(s.Maxconn, maxconn)
		s.Splice, s.NoSplice = SpliceNoAuto, false
	}
	return Workload{
		Name: modeName("idle-conns", mode),
		Summary: fmt.Sprintf("Memory with %d idle client connections%s: the proxy's resident set size (VmRSS) "+
			"with them open minus before, per connection; %s. %s", g.Conns, asked, held, modeWords(mode)),
		Mode:     mode,
		Backend:  backend,
		Gen:      g,
		Overhead: idleOverhead,
		Tweak:    tweak,
		TweakAbout: fmt.Sprintf("every proxy gets maxconn %d (at least), and hitless and HAProxy `no option splice-auto` "+
			"(no byte flows; HAProxy would reserve splice pipes the open-files limit cannot spare)", maxconn),
		NoDirect:      true,
		Unit:          "KiB/conn",
		Decimals:      2,
		CPUPer:        CPUBasis{Label: "100k conn", Ops: 100_000, About: "100,000 connections opened"},
		OpName:        "conn",
		LowerIsBetter: true,
		NoErrors:      true,
		NoCPU:         true,
		Memory:        true,
		// A proxy that runs out of descriptors or memory before
		// holding them all has found its limit: a row, not the end.
		RecordFailures: true,
	}
}
