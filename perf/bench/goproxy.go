package bench

import (
	"fmt"
	"strconv"
)

// GoPeers are the Go programs under perf/cmd that the harness builds and
// measures beside hitless, by target name: the idiomatic io.Copy TCP
// proxy, a gnet v2 L4 proxy and net/http/httputil.ReverseProxy. Each is
// built from its package, "hitless/perf/cmd/<name>".
var GoPeers = []string{"copy-proxy", "gnet-proxy", "rp-proxy"}

// CopyProxy is perf/cmd/copy-proxy: an accept loop and, per connection,
// one dial to the backend and an io.Copy per direction, each in its own
// goroutine (the standard library splices on Linux).
func CopyProxy(binary string) Proxy {
	return goProxy("copy-proxy", binary, ModeTCP, "-threads", func(s ProxySpec) string { return s.Server })
}

// GnetProxy is perf/cmd/gnet-proxy: an L4 proxy on gnet v2's event
// loops (-loops), the Go counterpart of an epoll reactor.
func GnetProxy(binary string) Proxy {
	return goProxy("gnet-proxy", binary, ModeTCP, "-loops", func(s ProxySpec) string { return s.Server })
}

// ReverseProxy is perf/cmd/rp-proxy: net/http's server in front of
// httputil.ReverseProxy and its Transport's pool of keep-alive
// connections to the backend.
func ReverseProxy(binary string) Proxy {
	return goProxy("rp-proxy", binary, ModeHTTP, "-threads", func(s ProxySpec) string { return "http://" + s.Server })
}

// goProxy describes a Go peer: settings on its command line (no file),
// its thread flag and GOMAXPROCS both set to the spec's thread count,
// and the whole process (runtime threads included, which cpu-map would
// not cover) pinned with taskset to the proxy CPUs. taskset and env exec
// the program, so the pid started is the program's.
func goProxy(name, binary string, mode Mode, threadFlag string, backend func(ProxySpec) string) Proxy {
	return Proxy{
		Name:  name,
		Modes: []Mode{mode},
		Argv: func(_ string, s ProxySpec) []string {
			n := strconv.Itoa(s.Threads)
			return s.CPUs.TasksetArgv([]string{"env", "GOMAXPROCS=" + n, binary,
				"-listen", s.Listen, "-backend", backend(s), threadFlag, n})
		},
		Placement: func(s ProxySpec) string {
			return fmt.Sprintf("GOMAXPROCS=%d and %s %d, the whole process (runtime threads too) under `taskset -c %s`",
				s.Threads, threadFlag, s.Threads, cpuOrAll(s.CPUs))
		},
	}
}
