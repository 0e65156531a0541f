package main

import (
	"bytes"
	"context"
	"io"
	"net"
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
		errc <- run(ctx, config{listen: "127.0.0.1:0", backend: backend, ready: func(a net.Addr) { addrc <- a }})
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

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

// TestHalfClose sends a request, half-closes, and expects the backend to see
// EOF only after all of it, and then the backend's whole answer and EOF back.
func TestHalfClose(t *testing.T) {
	for _, tc := range []struct {
		name     string
		up, down int
	}{
		{"small", 3 << 10, 5 << 10},
		{"large", 1 << 20, 2 << 20},
		{"empty request", 0, 4 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, resp := pattern(tc.up, 1), pattern(tc.down, 2)
			got := make(chan []byte, 1)
			backend := startBackend(t, func(c net.Conn) {
				b, _ := io.ReadAll(c) // returns at the half-close
				got <- b
				c.Write(resp)
			})
			c, err := net.Dial("tcp", startProxy(t, backend))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Write(req); err != nil {
				t.Fatal(err)
			}
			if err := c.(*net.TCPConn).CloseWrite(); err != nil {
				t.Fatal(err)
			}
			back, err := io.ReadAll(c)
			if err != nil {
				t.Fatal(err)
			}
			if b := <-got; !bytes.Equal(b, req) {
				t.Errorf("backend got %d bytes, want %d", len(b), len(req))
			}
			if !bytes.Equal(back, resp) {
				t.Errorf("client got %d bytes, want %d", len(back), len(resp))
			}
		})
	}
}

// TestBackendDown expects the client to be closed when the dial fails.
func TestBackendDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	c, err := net.Dial("tcp", startProxy(t, dead))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatalf("read %d bytes, want the connection closed", n)
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("client not closed")
	}
}

// TestShutdownClosesConnections expects run to close an idle connection pair
// when its context ends.
func TestShutdownClosesConnections(t *testing.T) {
	connected, backendClosed := make(chan struct{}), make(chan struct{})
	backend := startBackend(t, func(c net.Conn) {
		io.ReadFull(c, make([]byte, 1))
		close(connected)
		io.Copy(io.Discard, c)
		close(backendClosed)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, config{listen: "127.0.0.1:0", backend: backend, ready: func(a net.Addr) { addrc <- a }})
	}()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-errc:
		t.Fatalf("run: %v", err)
	}
	c, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		t.Fatal("no backend connection")
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return")
	}
	select {
	case <-backendClosed:
	case <-time.After(5 * time.Second):
		t.Fatal("backend connection not closed")
	}
}
