package engine

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"hitless/stick"
)

// showTable returns the "show table" lines of the entries of table tb.
func showTable(e *Engine, tb string) string {
	tab := e.tables[tb]
	var b []byte
	tab.Walk(e.StickNow(), func(sn *stick.Snapshot) bool {
		b = tab.AppendEntry(b, sn)
		b = append(b, '\n')
		return true
	})
	return string(b)
}

// trackField returns the value of field name ("conn_cur",
// "http_req_rate(10000)") in the only entry of table tb, or "" without
// one.
func trackField(e *Engine, tb, name string) string {
	for _, f := range strings.Fields(showTable(e, tb)) {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return v
		}
	}
	return ""
}

// TestTrackRateLimit runs the canonical request rate limit. HAProxy
// counts the request at track time, so the sixth request sees a rate of
// 6 and is the first one denied (as haproxy 2.6.12 does with this
// configuration). Each request is a transaction of its own: conn_cur is 0
// between the requests of a keep-alive connection and conn_cnt counts
// requests, as in HAProxy.
func TestTrackRateLimit(t *testing.T) {
	var reqs atomic.Int32
	be := startHTTPBackend(t, "app", func(w http.ResponseWriter, r *http.Request) {
		reqs.Add(1)
		fmt.Fprintf(w, "rate=%s src=%s tracked=%s untracked=%q",
			r.Header.Get("x-rate"), r.Header.Get("x-src-rate"), r.Header.Get("x-tracked"), r.Header.Get("x-untracked"))
	})
	e, _ := startParsed(t, `
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend f
  bind 127.0.0.1:0
  stick-table type ip size 1k expire 10s store http_req_rate(10s),conn_cur,conn_cnt,http_req_cnt,http_err_cnt,gpc0
  http-request track-sc0 src
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 5 }
  http-request set-header x-rate %[sc0_http_req_rate]
  http-request set-header x-src-rate %[src_http_req_rate]
  http-request set-header x-tracked %[sc_tracked(0)]/%[sc_tracked(1)]
  http-request set-header x-untracked "%[sc1_http_req_rate]"
  default_backend b
backend b
  server s `+be.addr()+`
`, 1)
	addr := e.ListenAddrs()["f"][0]
	rc := dialHTTP(t, addr)
	for i := 1; i <= 5; i++ {
		rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		res, body := rc.read("GET")
		if want := fmt.Sprintf("rate=%d src=%d tracked=1/0 untracked=\"\"", i, i); res.StatusCode != 200 || body != want {
			t.Fatalf("request %d: %d %q, want 200 %q", i, res.StatusCode, body, want)
		}
		waitFor(t, "conn_cur=0 between requests", 5*time.Second, func() bool { return trackField(e, "f", "conn_cur") == "0" })
	}
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if res, _ := rc.read("GET"); res.StatusCode != 429 {
		t.Fatalf("request 6: status %d, want 429", res.StatusCode)
	}
	for i := 7; i <= 8; i++ {
		c := dialHTTP(t, addr)
		c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		if res, _ := c.read("GET"); res.StatusCode != 429 {
			t.Fatalf("request %d: status %d, want 429", i, res.StatusCode)
		}
	}
	waitFor(t, "counters after 8 requests", 5*time.Second, func() bool {
		return trackField(e, "f", "conn_cur") == "0" && trackField(e, "f", "http_req_rate(10000)") == "8"
	})
	line := showTable(e, "f")
	for _, want := range []string{"use=0", "conn_cnt=8", "conn_cur=0", "http_req_cnt=8", "http_req_rate(10000)=8", "http_err_cnt=3", "gpc0=0"} {
		if !strings.Contains(line, want) {
			t.Errorf("show table: %q lacks %s", line, want)
		}
	}
	if got := reqs.Load(); got != 5 {
		t.Errorf("backend saw %d requests, want 5", got)
	}
}

// TestTrackInFlight: an entry is referenced and counted in conn_cur
// while a request that tracks it waits for its server, and released when
// the transaction ends; a 4xx from the server counts as an HTTP error;
// the named table of track-sc and of the fetches is used; sc_inc_gpc0
// increments.
func TestTrackInFlight(t *testing.T) {
	release := make(chan struct{})
	be := startHTTPBackend(t, "app", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/hold":
			<-release
		case "/missing":
			w.WriteHeader(404)
		}
		fmt.Fprintf(w, "gpc0=%s", r.Header.Get("x-gpc0"))
	})
	e, _ := startParsed(t, `
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend f
  bind 127.0.0.1:0
  http-request track-sc1 req.hdr(x-user) table users
  http-request set-header x-gpc0 %[sc_inc_gpc0(1)]
  default_backend b
backend b
  server s `+be.addr()+`
backend users
  stick-table type string len 16 size 1k expire 10s store conn_cur,conn_cnt,http_req_cnt,http_err_rate(10s),gpc0
`, 1)
	addr := e.ListenAddrs()["f"][0]
	rc := dialHTTP(t, addr)
	rc.send("GET /hold HTTP/1.1\r\nHost: h\r\nX-User: alice\r\n\r\n")
	waitFor(t, "conn_cur=1 while in flight", 5*time.Second, func() bool {
		l := showTable(e, "users")
		return strings.Contains(l, "key=alice use=1 ") && strings.Contains(l, "conn_cur=1 ")
	})
	close(release)
	if res, body := rc.read("GET"); res.StatusCode != 200 || body != "gpc0=1" {
		t.Fatalf("held request: %d %q", res.StatusCode, body)
	}
	rc.send("GET /missing HTTP/1.1\r\nHost: h\r\nX-User: alice\r\n\r\n")
	if res, body := rc.read("GET"); res.StatusCode != 404 || body != "gpc0=2" {
		t.Fatalf("404 request: %d %q", res.StatusCode, body)
	}
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n") // no key: nothing tracked
	if res, body := rc.read("GET"); res.StatusCode != 200 || body != "gpc0=" {
		t.Fatalf("untracked request: %d %q", res.StatusCode, body)
	}
	waitFor(t, "alice released", 5*time.Second, func() bool {
		l := showTable(e, "users")
		return strings.Contains(l, "key=alice use=0 ") && strings.Contains(l, "conn_cur=0 ")
	})
	// exp is whatever is left of the 10s; the rest is exact.
	f := strings.Fields(showTable(e, "users"))
	if len(f) > 3 {
		f = append(f[1:3], f[4:]...)
	}
	want := "key=alice use=0 gpc0=2 conn_cnt=2 conn_cur=0 http_req_cnt=2 http_err_rate(10000)=1"
	if got := strings.Join(f, " "); got != want {
		t.Errorf("show table users:\n%s\nwant\n%s", got, want)
	}
	rc.c.Close()
}

// TestTrackLocalResponses: transactions answered by the proxy itself on
// a keep-alive connection end their tracking too, so each request is
// tracked and counted anew.
func TestTrackLocalResponses(t *testing.T) {
	e, _ := startParsed(t, `
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend f
  bind 127.0.0.1:0
  stick-table type ip size 1k expire 10s store conn_cnt,conn_cur,http_req_cnt,bytes_in_cnt,bytes_out_cnt
  http-request track-sc2 src
  http-request return status 200 content-type text/plain lf-string "n=%[sc2_http_req_cnt] cur=%[sc_conn_cur(2)]"
`, 1)
	rc := dialHTTP(t, e.ListenAddrs()["f"][0])
	req := "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
	for i := 1; i <= 3; i++ {
		rc.send(req)
		if res, body := rc.read("GET"); res.StatusCode != 200 || body != fmt.Sprintf("n=%d cur=1", i) {
			t.Fatalf("request %d: %d %q", i, res.StatusCode, body)
		}
	}
	waitFor(t, "released", 5*time.Second, func() bool { return trackField(e, "f", "conn_cur") == "0" })
	if got := trackField(e, "f", "conn_cnt"); got != "3" {
		t.Errorf("conn_cnt=%s, want 3", got)
	}
	if got := trackField(e, "f", "bytes_in_cnt"); got != fmt.Sprint(3*len(req)) {
		t.Errorf("bytes_in_cnt=%s, want %d", got, 3*len(req))
	}
	if got := trackField(e, "f", "bytes_out_cnt"); got == "0" || got == "" {
		t.Errorf("bytes_out_cnt=%s, want the responses counted", got)
	}
}
