// Command gnet-proxy is the Go event-loop TCP proxy the perf harness measures
// beside hitless, built on github.com/panjf2000/gnet/v2 (v2.10.0):
//
//	gnet-proxy -listen 127.0.0.1:P -backend 127.0.0.1:Q [-loops N]
//
// -loops sets gnet's event loops (default 1). Each loop accepts on its own
// SO_REUSEPORT listener (WithReusePort; with N > 1 the port must not be 0),
// so no separate acceptor goroutine sits between accept and the loop, and
// the listener sets SO_REUSEADDR as net.Listen does (gnet does not by
// default, and a restart on a port with connections in TIME_WAIT then fails
// with "address already in use"). GOMAXPROCS is N+1: a gnet loop waits in
// epoll_wait as a plain blocking system call and keeps its P meanwhile, so
// with GOMAXPROCS = N every other goroutine (Register's dial, the Go netpoller,
// timers) waits for sysmon to take the P back, up to 10 ms at a time; in a
// smoke run at 2000 req/s over 20 connections through one loop that raised
// p99 from 0.8 ms to 3.8 ms with keep-alive and from 4.4 ms to 8.1 ms with a
// connection per request.
//
// Every accepted client connection asks its own event loop for a backend
// connection with Conn.EventLoop().Register, so both connections of a pair
// belong to one loop and their handlers never run concurrently. OnTraffic
// hands the bytes gnet read into the loop's read buffer straight to the
// peer's Conn.Write, which writes them at once and queues whatever the socket
// does not take in the peer's outbound buffer. Bytes a client sends before
// its backend is open stay in the client's inbound buffer and are passed on
// from the backend's OnOpen. It prints nothing of its own (gnet logs one line
// at start) and exits on SIGINT or SIGTERM.
//
// What gnet v2.10.0 cannot do here, as read in its source (eventloop_unix.go,
// connection_unix.go, connection_linux.go) and seen in this proxy's tests:
//
//   - No half-close. A read of 0 bytes or EPOLLRDHUP closes the whole
//     connection (eventloop.read, conn.processIO), and Conn has no
//     CloseWrite or shutdown. So an EOF from either side closes both: a
//     client that half-closes after its request loses the answer.
//   - No splice. Every byte is read into the loop's buffer with read(2) and
//     written with write(2) or writev(2).
//   - No backpressure. Conn has no way to stop reading one connection, so a
//     peer that reads slower than the other side sends grows that peer's
//     outbound buffer without bound.
//   - No drain on close. eventloop.close writes what is queued until the
//     socket would block and drops the rest, and no event says that a queue
//     has drained (closing at once lost 27 of 32 MiB in TestBackendCloseDrains).
//     When one side closes, the proxy therefore closes the other side only
//     once its outbound buffer is empty, checked on its loop every
//     millisecond, or after 30 s whatever is left.
//   - Register dials with a blocking net.Dial on gnet's worker pool and then
//     hands a dup of the socket to the loop; a failed dial is reported only
//     on the returned channel, so each pair waits for it in a goroutine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/panjf2000/gnet/v2"
	"golang.org/x/sys/unix"
)

// Bounds of the wait for a side's queued bytes before closing it.
const (
	drainPoll    = time.Millisecond
	drainTimeout = 30 * time.Second
)

// config is what run needs. ready, if not nil, is called once with the
// listening address before the first connection is served.
type config struct {
	listen  string
	backend string
	loops   int
	ready   func(net.Addr)
}

func main() {
	var cfg config
	flag.StringVar(&cfg.listen, "listen", "127.0.0.1:8080", "address to accept clients on")
	flag.StringVar(&cfg.backend, "backend", "", "backend address host:port (required)")
	flag.IntVar(&cfg.loops, "loops", 1, "gnet event loops, also GOMAXPROCS")
	flag.Parse()
	if cfg.backend == "" || cfg.loops < 1 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	runtime.GOMAXPROCS(cfg.loops + 1)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "gnet-proxy:", err)
		os.Exit(1)
	}
}

// run serves cfg.listen until ctx is done, then stops the gnet engine, which
// closes every connection, and returns. It returns an error if an address is
// invalid or the engine fails to start.
func run(ctx context.Context, cfg config) error {
	backend, err := net.ResolveTCPAddr("tcp", cfg.backend)
	if err != nil {
		return err
	}
	if _, port, err := net.SplitHostPort(cfg.listen); err != nil {
		return err
	} else if port == "0" && cfg.loops > 1 {
		return errors.New("-loops above 1 needs a fixed -listen port: each loop binds its own listener")
	}
	p := &proxy{backend: backend, ready: cfg.ready, booted: make(chan gnet.Engine, 1)}
	done := make(chan error, 1)
	go func() {
		done <- gnet.Run(p, "tcp://"+cfg.listen, gnet.WithNumEventLoop(max(cfg.loops, 1)), gnet.WithReusePort(true), gnet.WithReuseAddr(true))
	}()
	select {
	case err := <-done:
		if err == nil {
			err = p.bootErr // OnBoot's Shutdown makes gnet.Run return nil
		}
		return err
	case eng := <-p.booted:
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			if err := eng.Stop(context.Background()); err != nil {
				return err
			}
			return <-done
		}
	}
}

// proxy is the gnet event handler. Its fields are set before gnet.Run and
// only read afterwards, from every loop, except bootErr, which OnBoot sets
// before gnet.Run returns.
type proxy struct {
	gnet.BuiltinEventEngine
	backend net.Addr
	ready   func(net.Addr)
	booted  chan gnet.Engine
	bootErr error
}

// pair joins a client connection and its backend connection. Both belong to
// one event loop, and pair is touched only on that loop.
type pair struct {
	client  gnet.Conn
	backend gnet.Conn // nil until the backend's OnOpen
	closed  bool      // one side has closed: the other is being closed
}

// peer returns the other side of c, nil while the backend is not open.
func (p *pair) peer(c gnet.Conn) gnet.Conn {
	if c == p.client {
		return p.backend
	}
	return p.client
}

// OnBoot reports the listening address, read from a dup of the listener.
func (p *proxy) OnBoot(eng gnet.Engine) gnet.Action {
	if p.ready != nil {
		fd, err := eng.Dup()
		if err != nil {
			p.bootErr = fmt.Errorf("dup listener: %w", err)
			return gnet.Shutdown
		}
		sa, err := unix.Getsockname(fd)
		unix.Close(fd)
		if err != nil {
			p.bootErr = fmt.Errorf("getsockname: %w", err)
			return gnet.Shutdown
		}
		p.ready(sockaddrAddr(sa))
	}
	p.booted <- eng
	return gnet.None
}

// OnOpen starts a backend connection for a new client, or joins a new
// backend connection to its client, whose early bytes it then passes on.
func (p *proxy) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	if pr, ok := c.Context().(*pair); ok {
		if pr.closed {
			return nil, gnet.Close
		}
		pr.backend = c
		forward(pr.client, c)
		return nil, gnet.None
	}
	pr := &pair{client: c}
	c.SetContext(pr)
	res, err := c.EventLoop().Register(gnet.NewContext(context.Background(), pr), p.backend)
	if err != nil {
		return nil, gnet.Close
	}
	go func() {
		if r := <-res; r.Err != nil {
			c.Close() // concurrency-safe: queued to c's loop
		}
	}()
	return nil, gnet.None
}

// OnTraffic passes what c read on to its peer. While the backend is not open
// it leaves the bytes in c's inbound buffer; once the peer has closed it
// drops them.
func (p *proxy) OnTraffic(c gnet.Conn) gnet.Action {
	pr := c.Context().(*pair)
	if pr.closed {
		c.Discard(-1)
		return gnet.None
	}
	if peer := pr.peer(c); peer != nil {
		forward(c, peer)
	}
	return gnet.None
}

// OnClose closes the peer of c once the peer has sent what is queued for it.
func (p *proxy) OnClose(c gnet.Conn, _ error) gnet.Action {
	pr, ok := c.Context().(*pair)
	if !ok || pr.closed {
		return gnet.None
	}
	pr.closed = true
	if peer := pr.peer(c); peer != nil {
		closeAfterFlush(peer, time.Now().Add(drainTimeout))
	}
	return gnet.None
}

// forward writes everything buffered on from to to. It runs on their loop.
func forward(from, to gnet.Conn) {
	n := from.InboundBuffered()
	if n == 0 {
		return
	}
	b, err := from.Peek(n)
	if err != nil {
		return
	}
	to.Write(b) // what the socket does not take is queued; an error closes to
	from.Discard(n)
}

// closeAfterFlush closes c on its loop once c's outbound buffer is empty, or
// at deadline. Every check runs as a task on the loop, never inside a handler
// of c, so it is safe to call from any handler on that loop.
func closeAfterFlush(c gnet.Conn, deadline time.Time) {
	el := c.EventLoop()
	var check gnet.RunnableFunc
	check = func(context.Context) error {
		if c.OutboundBuffered() == 0 || !time.Now().Before(deadline) {
			el.Close(c) // a connection gnet already closed is ignored
			return nil
		}
		time.AfterFunc(drainPoll, func() { el.Execute(context.Background(), check) })
		return nil
	}
	el.Execute(context.Background(), check) // fails only once the engine is shutting down
}

// sockaddrAddr converts a TCP socket address to a net.Addr.
func sockaddrAddr(sa unix.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	case *unix.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	}
	return &net.TCPAddr{}
}
