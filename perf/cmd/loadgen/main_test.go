package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want target
		err  bool
	}{
		{in: "http://127.0.0.1:8080/a?b=1", want: target{"127.0.0.1:8080", "127.0.0.1:8080", "/a?b=1"}},
		{in: "http://127.0.0.1:8080", want: target{"127.0.0.1:8080", "127.0.0.1:8080", "/"}},
		{in: "http://localhost/x", want: target{"localhost:80", "localhost", "/x"}},
		{in: "http://[::1]:81/", want: target{"[::1]:81", "[::1]:81", "/"}},
		{in: "https://127.0.0.1/", err: true},
		{in: "127.0.0.1:80", err: true},
		{in: "http:///path", err: true},
		{in: "http://u:p@127.0.0.1/", err: true},
	} {
		got, err := parseTarget(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseTarget(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// TestRun drives a real HTTP server on loopback for a fraction of a second.
func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name      string
		close     bool
		status    int
		chunked   bool
		wantConns func(conns, requests int64) bool
	}{
		{"keep-alive", false, 200, false, func(c, r int64) bool { return c <= 4 }},
		{"close", true, 200, false, func(c, r int64) bool { return c == r }},
		{"chunked 404", false, 404, true, func(c, r int64) bool { return c <= 4 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var served, conns atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				served.Add(1)
				w.WriteHeader(tc.status)
				w.Write([]byte("hello"))
				if tc.chunked {
					w.(http.Flusher).Flush()
					w.Write([]byte(" world"))
				}
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()
			cfg := config{url: srv.URL + "/p", rate: 2000, warmup: 50 * time.Millisecond, duration: 200 * time.Millisecond,
				timeout: 2 * time.Second, connections: 4, close: tc.close}
			if err := cfg.check(); err != nil {
				t.Fatal(err)
			}
			r, err := run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if r.Requests != 400 || r.Errors != 0 || r.Unsent != 0 || r.AchievedRate != 2000 {
				t.Fatalf("report %+v, want 400 requests at 2000/s and no errors", r)
			}
			if served.Load() != 500 { // warm-up included
				t.Errorf("server saw %d requests, want 500", served.Load())
			}
			wantNon2xx := int64(0)
			if tc.status != 200 {
				wantNon2xx = r.Requests
			}
			if r.Non2xx != wantNon2xx {
				t.Errorf("non2xx %d, want %d", r.Non2xx, wantNon2xx)
			}
			if !tc.wantConns(conns.Load(), served.Load()) {
				t.Errorf("%d connections for %d requests", conns.Load(), served.Load())
			}
			if !(0 < r.P50 && r.P50 <= r.P90 && r.P90 <= r.P99 && r.P99 <= r.P999 && r.P999 <= r.Max) {
				t.Errorf("percentiles out of order: %+v", r)
			}
		})
	}
}

// TestRunCancel expects a run to stop at once when its context ends, even
// with a worker asleep until its next request, 1000 s away.
func TestRunCancel(t *testing.T) {
	first := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case first <- struct{}{}:
		default:
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan report, 1)
	go func() {
		r, err := run(ctx, config{url: srv.URL, rate: 0.001, duration: time.Hour, timeout: time.Second, connections: 2})
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()
	select {
	case <-first:
	case <-time.After(10 * time.Second):
		t.Fatal("no request")
	}
	cancel()
	select {
	case r := <-done:
		if r.Requests != 1 || r.Errors != 0 {
			t.Errorf("report %+v, want the one request", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not stop")
	}
}

// TestPrintReport pins the JSON keys the harness reads.
func TestPrintReport(t *testing.T) {
	var b bytes.Buffer
	if err := printReport(&b, report{TargetRate: 2000, Requests: 3}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "}\n") || strings.Count(b.String(), "\n") != 1 {
		t.Fatalf("not one line: %q", b.String())
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"achieved_rate", "errors", "lag_max_us", "lag_p50_us", "lag_p99_us", "max_us", "non2xx",
		"p50_us", "p90_us", "p999_us", "p99_us", "requests", "target_rate", "unsent"}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
}
