// Command rp-proxy is the standard-library HTTP reverse proxy the perf
// harness measures beside hitless in HTTP mode: net/http's server in front of
// a net/http/httputil.ReverseProxy to one backend.
//
//	rp-proxy -listen 127.0.0.1:P -backend http://127.0.0.1:Q [-threads N]
//
// -threads sets GOMAXPROCS (default 1). The request keeps its path, query and
// Host header; ReverseProxy's Rewrite removes the hop-by-hop headers and adds
// no X-Forwarded-* header. The transport is tuned so that pooling, not
// configuration, is compared: up to 1024 idle connections to the backend
// (MaxIdleConnsPerHost; MaxIdleConns unlimited) kept 90 s, no
// Accept-Encoding of its own (DisableCompression), no HTTP/2, no proxy from
// the environment, connect timeout 5 s. A backend that cannot be reached
// answers 502. It logs proxy errors on stderr and exits on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

// config is what run needs. ready, if not nil, is called once with the
// listening address before the first request is served.
type config struct {
	listen  string
	backend *url.URL
	ready   func(net.Addr)
}

func main() {
	var cfg config
	listen := flag.String("listen", "127.0.0.1:8080", "address to accept clients on")
	backend := flag.String("backend", "", "backend base URL, http://host:port (required)")
	threads := flag.Int("threads", 1, "GOMAXPROCS")
	flag.Parse()
	u, err := url.Parse(*backend)
	if err != nil || u.Scheme != "http" || u.Host == "" || *threads < 1 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	cfg.listen, cfg.backend = *listen, u
	runtime.GOMAXPROCS(*threads)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "rp-proxy:", err)
		os.Exit(1)
	}
}

// newTransport returns the transport to the backend described above.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        0, // unlimited
		MaxIdleConnsPerHost: 1024,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
}

// run serves cfg.listen until ctx is done, then closes the listener and every
// connection at once and returns. It returns an error if listening or
// serving fails.
func run(ctx context.Context, cfg config) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.listen)
	if err != nil {
		return err
	}
	transport := newTransport()
	defer transport.CloseIdleConnections()
	target := cfg.backend
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
		},
		Transport: transport,
		ErrorLog:  log.New(os.Stderr, "rp-proxy: ", log.LstdFlags),
	}
	srv := &http.Server{Handler: rp, ErrorLog: rp.ErrorLog}
	if cfg.ready != nil {
		cfg.ready(ln.Addr())
	}
	stopped := context.AfterFunc(ctx, func() { srv.Close() })
	defer stopped()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
