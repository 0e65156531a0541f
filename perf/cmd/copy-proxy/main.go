// Command copy-proxy is the idiomatic-Go TCP proxy the perf harness measures
// beside hitless: an accept loop, and for every client connection one dial to
// the backend and two io.Copy calls, one per direction, each in its own
// goroutine.
//
//	copy-proxy -listen 127.0.0.1:P -backend 127.0.0.1:Q [-threads N]
//
// -threads sets GOMAXPROCS (default 1, like nbthread 1). Both sides are bare
// *net.TCPConn, so io.Copy reaches (*net.TCPConn).ReadFrom and the standard
// library splices through a pipe on Linux instead of copying through user
// space. A direction that ends with EOF is passed on as a half-close
// (CloseWrite) and the other direction keeps running; a direction that fails
// closes both connections. The connection pair is closed once both
// directions are done. There are no timeouts: a peer that stays silent holds
// its goroutines until it closes. It prints nothing while it runs and exits on
// SIGINT or SIGTERM, closing every connection.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// config is what run needs. ready, if not nil, is called once with the
// listening address before the first accept.
type config struct {
	listen  string
	backend string
	ready   func(net.Addr)
}

func main() {
	var cfg config
	flag.StringVar(&cfg.listen, "listen", "127.0.0.1:8080", "address to accept clients on")
	flag.StringVar(&cfg.backend, "backend", "", "backend address host:port (required)")
	threads := flag.Int("threads", 1, "GOMAXPROCS")
	flag.Parse()
	if cfg.backend == "" || *threads < 1 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	runtime.GOMAXPROCS(*threads)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "copy-proxy:", err)
		os.Exit(1)
	}
}

// run accepts on cfg.listen until ctx is done, then closes the listener and
// every open connection and returns once all connection goroutines have
// ended. It returns an error only if listening or accepting fails.
func run(ctx context.Context, cfg config) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.listen)
	if err != nil {
		return err
	}
	if cfg.ready != nil {
		cfg.ready(ln.Addr())
	}
	var (
		mu    sync.Mutex
		conns = map[net.Conn]struct{}{}
		wg    sync.WaitGroup
	)
	// track adds c to the set closed at shutdown; false once shutdown began.
	track := func(c net.Conn) bool {
		mu.Lock()
		defer mu.Unlock()
		if conns == nil {
			return false
		}
		conns[c] = struct{}{}
		return true
	}
	untrack := func(c net.Conn) {
		mu.Lock()
		defer mu.Unlock()
		delete(conns, c)
	}
	stopped := context.AfterFunc(ctx, func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for c := range conns {
			c.Close()
		}
		conns = nil
	})
	defer stopped()

	dialer := net.Dialer{Timeout: 5 * time.Second}
	for {
		c, err := ln.Accept()
		if err != nil {
			wg.Wait()
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		client := c.(*net.TCPConn)
		if !track(client) {
			client.Close()
			continue
		}
		wg.Go(func() {
			defer untrack(client)
			b, err := dialer.DialContext(ctx, "tcp", cfg.backend)
			if err != nil {
				client.Close()
				return
			}
			backend := b.(*net.TCPConn)
			if !track(backend) {
				backend.Close()
				client.Close()
				return
			}
			defer untrack(backend)
			forward(client, backend)
		})
	}
}

// forward copies both ways between a and b until both directions are done,
// then closes both. It owns a and b.
func forward(a, b *net.TCPConn) {
	done := make(chan struct{})
	go func() {
		pipe(b, a)
		close(done)
	}()
	pipe(a, b)
	<-done
	a.Close()
	b.Close()
}

// pipe copies src to dst. On EOF from src it half-closes dst; on any error
// (including a failed half-close) it closes both, which also ends the copy in
// the other direction.
func pipe(dst, src *net.TCPConn) {
	if _, err := io.Copy(dst, src); err == nil && dst.CloseWrite() == nil {
		return
	}
	dst.Close()
	src.Close()
}
