package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// startProxy runs the proxy in front of backend until the test ends and
// returns its address. The cleanup fails the test if run does not return.
func startProxy(t *testing.T, backend string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, config{listen: "127.0.0.1:0", backend: backend, loops: 1, ready: func(a net.Addr) { addrc <- a }})
	}()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-errc:
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("run did not return after cancel")
		}
	})
	return addr.String()
}

// startBackend accepts one connection and hands it to serve.
func startBackend(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		serve(c)
	}()
	return ln.Addr().String()
}

func dial(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c.(*net.TCPConn)
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

func wait(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// TestEcho pushes data both ways at once through an echoing backend, then
// expects the client's close to close the backend connection.
func TestEcho(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 4 << 10, 1 << 20} {
		backendEOF := make(chan struct{})
		backend := startBackend(t, func(c net.Conn) {
			io.Copy(c, c)
			close(backendEOF)
		})
		c := dial(t, startProxy(t, backend))
		req := pattern(n, 3)
		go c.Write(req)
		back := make([]byte, n)
		if _, err := io.ReadFull(c, back); err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if !bytes.Equal(back, req) {
			t.Fatalf("%d bytes: echo differs", n)
		}
		c.Close()
		wait(t, backendEOF, "the backend to see the close")
	}
}

// TestBackendCloseDrains expects every byte a backend sent before closing to
// reach a client that starts reading only after the close.
func TestBackendCloseDrains(t *testing.T) {
	t.Parallel()
	for _, n := range []int{5 << 10, 32 << 20} {
		resp := pattern(n, 9)
		closed := make(chan struct{})
		backend := startBackend(t, func(c net.Conn) {
			c.Write(resp)
			c.Close()
			close(closed)
		})
		c := dial(t, startProxy(t, backend))
		wait(t, closed, "the backend to send and close")
		back, err := io.ReadAll(c)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if !bytes.Equal(back, resp) {
			t.Fatalf("client got %d bytes, want %d", len(back), n)
		}
	}
}

// TestNoHalfClose records a gnet limit: a client's half-close closes the
// pair, so the backend's answer after EOF never reaches the client.
func TestNoHalfClose(t *testing.T) {
	t.Parallel()
	backendEOF := make(chan struct{})
	backend := startBackend(t, func(c net.Conn) {
		io.Copy(io.Discard, c)
		close(backendEOF)
		c.Write([]byte("answer"))
	})
	c := dial(t, startProxy(t, backend))
	if _, err := c.Write([]byte("request")); err != nil {
		t.Fatal(err)
	}
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(c)
	if err != nil && !isReset(err) {
		t.Fatal(err)
	}
	if len(back) != 0 {
		t.Fatalf("client got %q after half-close: gnet now keeps half-closed connections; update the doc comment", back)
	}
	wait(t, backendEOF, "the backend to see EOF")
}

// isReset reports a connection reset, an acceptable end for a closed pair.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET)
}

// TestBackendDown expects the client to be closed when the dial fails.
func TestBackendDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	c := dial(t, startProxy(t, dead))
	n, err := c.Read(make([]byte, 1))
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("client not closed")
	}
	if err == nil {
		t.Fatalf("read %d bytes, want the connection closed", n)
	}
}

// TestShutdownClosesConnections expects run to close an idle pair when its
// context ends.
func TestShutdownClosesConnections(t *testing.T) {
	t.Parallel()
	connected, backendEOF := make(chan struct{}), make(chan struct{})
	backend := startBackend(t, func(c net.Conn) {
		io.ReadFull(c, make([]byte, 1))
		close(connected)
		io.Copy(io.Discard, c)
		close(backendEOF)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, config{listen: "127.0.0.1:0", backend: backend, loops: 1, ready: func(a net.Addr) { addrc <- a }})
	}()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-errc:
		t.Fatalf("run: %v", err)
	}
	c := dial(t, addr.String())
	if _, err := c.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	wait(t, connected, "the backend connection")
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return")
	}
	wait(t, backendEOF, "the backend connection to close")
}

// TestRunRejects expects run to refuse settings it cannot serve, at once.
func TestRunRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  config
	}{
		{"several loops on port 0", config{listen: "127.0.0.1:0", backend: "127.0.0.1:1", loops: 2}},
		{"listen without port", config{listen: "127.0.0.1", backend: "127.0.0.1:1", loops: 1}},
		{"backend without port", config{listen: "127.0.0.1:0", backend: "127.0.0.1", loops: 1}},
	} {
		if err := run(context.Background(), tc.cfg); err == nil {
			t.Errorf("%s: run accepted %+v", tc.name, tc.cfg)
		}
	}
}
