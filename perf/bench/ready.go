package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// readyTimeout bounds how long a started program may take to listen.
const readyTimeout = 10 * time.Second

// FreeAddr returns a loopback address with a port the kernel just handed
// out and released, for a program to listen on. Another process could
// take the port in between; the program then fails to bind, which
// WaitListening reports.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench: free port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("bench: free port: %w", err)
	}
	return addr, nil
}

// WaitListening polls addr with TCP connects until one succeeds. It fails
// when p exits first (quoting its output), after 10 s, or when ctx ends.
func WaitListening(ctx context.Context, addr string, p *Process) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var d net.Dialer
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := p.Exited(); err != nil {
			return fmt.Errorf("bench: waiting for %s to listen on %s: %w", p.Name(), addr, err)
		}
		c, err := d.DialContext(ctx, "tcp4", addr)
		if err == nil {
			return c.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("bench: %s does not listen on %s after %v (last error: %v); output:\n%s",
				p.Name(), addr, readyTimeout, err, indent(p.Output()))
		case <-tick.C:
		}
	}
}

// CheckHTTP sends one GET path to addr on a new connection and checks
// that the answer is a 200 with the body want (any body when want is
// nil). Bodies up to 1 MiB are read.
func CheckHTTP(ctx context.Context, addr, path string, want []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	tr := &http.Transport{DisableKeepAlives: true, Proxy: nil}
	defer tr.CloseIdleConnections()
	url := "http://" + addr + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("bench: check %s: %w", url, err)
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return fmt.Errorf("bench: check %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("bench: check %s: reading body: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bench: check %s: status %d, want 200", url, resp.StatusCode)
	}
	if want != nil && !bytes.Equal(body, want) {
		return fmt.Errorf("bench: check %s: body of %d bytes %.40q, want %d bytes %.40q", url, len(body), body, len(want), want)
	}
	return nil
}
