package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// startProxy runs the proxy in front of backend until the test ends and
// returns its base URL. The cleanup fails the test if run does not return.
func startProxy(t *testing.T, backend string) string {
	t.Helper()
	u, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, config{listen: "127.0.0.1:0", backend: u, ready: func(a net.Addr) { addrc <- a }})
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
	return "http://" + addr.String()
}

// backendHandler answers /echo with the request body, /status/404 with 404,
// /chunked with a body of unknown length, and anything else with a line
// describing the request as the backend saw it.
func backendHandler(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/echo": // read all first: net/http's server is not full duplex
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	case "/status/404":
		http.NotFound(w, r)
	case "/chunked":
		for i := range 3 {
			fmt.Fprintf(w, "part%d;", i)
			w.(http.Flusher).Flush()
		}
	default:
		fmt.Fprintf(w, "%s %s host=%s xff=%q", r.Method, r.URL.RequestURI(), r.Host, r.Header.Get("X-Forwarded-For"))
	}
}

func TestProxy(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(backendHandler))
	defer backend.Close()
	base := startProxy(t, backend.URL)
	host := strings.TrimPrefix(base, "http://")
	big := bytes.Repeat([]byte("0123456789abcdef"), 512) // 8 KiB
	client := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()

	for _, tc := range []struct {
		name     string
		method   string
		path     string
		body     []byte
		close    bool
		status   int
		wantBody string
	}{
		{"get", "GET", "/a/b?x=1&y=2", nil, false, 200, "GET /a/b?x=1&y=2 host=" + host + ` xff=""`},
		{"post echo", "POST", "/echo", big, false, 200, string(big)},
		{"backend status", "GET", "/status/404", nil, false, 404, "404 page not found\n"},
		{"chunked answer", "GET", "/chunked", nil, false, 200, "part0;part1;part2;"},
		{"connection close", "GET", "/c", nil, true, 200, "GET /c host=" + host + ` xff=""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, base+tc.path, bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Close = tc.close
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || string(body) != tc.wantBody {
				t.Errorf("got %d %.80q, want %d %.80q", resp.StatusCode, body, tc.status, tc.wantBody)
			}
			if resp.Close != tc.close {
				t.Errorf("response Close = %v, want %v", resp.Close, tc.close)
			}
		})
	}
}

// TestBackendDown expects 502 when the backend refuses connections.
func TestBackendDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	base := startProxy(t, dead)
	client := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	resp, err := client.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("status %d, want 502", resp.StatusCode)
	}
}
