package engine

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// TestHTTPRulesSeeEarlierRules checks that each rule sees the head as
// the rules before it left it, in both directions, as in HAProxy.
func TestHTTPRulesSeeEarlierRules(t *testing.T) {
	echo := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var lines []string
			for k, vs := range r.Header {
				if strings.HasPrefix(k, "X-") {
					lines = append(lines, k+"="+strings.Join(vs, ","))
				}
			}
			sort.Strings(lines)
			w.Header().Set("X-Origin", "server")
			fmt.Fprintf(w, "%s %s", name, strings.Join(lines, " "))
		}
	}
	main := startHTTPBackend(t, "main", echo("main"))
	other := startHTTPBackend(t, "other", echo("other"))
	cfg := `defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:0
  http-request set-header X-A one
  http-request set-header X-B seen-a if { req.hdr(x-a) -m str one }
  http-request add-header X-Tmp gone
  http-request del-header X-Tmp
  http-request set-header X-Keep %[req.hdr(x-keep)]-more
  http-request set-header X-Twice first
  http-request set-header X-Twice second
  http-request add-header X-Rep abc
  http-request replace-header X-Rep b B
  http-request set-header X-Route other if { path /route }
  use_backend be_other if { req.hdr(x-route) -m str other }
  default_backend be_main
  http-response set-header X-R1 yes
  http-response set-header X-R2 %[res.hdr(x-r1)]-%[res.hdr(x-origin)]
  http-response del-header X-Origin
  http-response set-header X-Method %[method] if METH_GET
backend be_main
  server m ` + main.addr() + `
backend be_other
  server o ` + other.addr() + `
`
	_, addr := httpConfig(t, cfg, "fe")
	rc := dialHTTP(t, addr)
	rc.send("GET / HTTP/1.1\r\nHost: h\r\nX-Keep: orig\r\nX-Tmp: client\r\n\r\n")
	res, body := rc.read("GET")
	want := "main X-A=one X-B=seen-a X-Keep=orig-more X-Rep=B X-Twice=second"
	if body != want {
		t.Fatalf("server saw %q, want %q", body, want)
	}
	if got := res.Header.Get("X-R2"); got != "yes-server" {
		t.Fatalf("X-R2 = %q, want yes-server", got)
	}
	if got := res.Header.Get("X-Method"); got != "GET" {
		t.Fatalf("X-Method = %q, want GET", got)
	}
	if v, ok := res.Header["X-Origin"]; ok {
		t.Fatalf("X-Origin not deleted: %q", v)
	}
	// A header set by a rule routes the request.
	rc.send("GET /route HTTP/1.1\r\nHost: h\r\n\r\n")
	if _, body := rc.read("GET"); !strings.HasPrefix(body, "other ") {
		t.Fatalf("request went to %q", body)
	}
}

// TestHTTPTarpit checks that a tarpitted request is answered only after
// "timeout tarpit", with the deny reply (500 by default), is counted as
// denied and logged with PT, and that other requests are not held.
func TestHTTPTarpit(t *testing.T) {
	udp, laddr := syslogReceiver(t)
	be := startHTTPBackend(t, "app", nil)
	cfg := `defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
  timeout tarpit 1s
listen px
  bind 127.0.0.1:0
  log ` + laddr + ` format raw local0
  log-format "%ST %tsc %Tw %{+Q}r"
  http-request tarpit if { path /slow }
  http-request tarpit deny_status 429 if { path /slow429 }
  server s1 ` + be.addr() + `
`
	e, addr := httpConfig(t, cfg, "px")
	for _, tc := range []struct {
		path   string
		status int
	}{{"/slow", 500}, {"/slow429", 429}} {
		rc := dialHTTP(t, addr)
		// A request that is not tarpitted, on another connection, is
		// answered while the tarpitted one waits.
		rc.send("GET " + tc.path + " HTTP/1.1\r\nHost: h\r\n\r\n")
		other := dialHTTP(t, addr)
		other.send("GET /fast HTTP/1.1\r\nHost: h\r\n\r\n")
		if res, _ := other.read("GET"); res.StatusCode != 200 {
			t.Fatalf("other request: %d", res.StatusCode)
		}
		if got := readDatagram(t, udp); got != `200 ---- 0 "GET /fast HTTP/1.1"` {
			t.Fatalf("log line %q", got)
		}
		res, _ := rc.read("GET")
		if res.StatusCode != tc.status {
			t.Fatalf("%s: status %d, want %d", tc.path, res.StatusCode, tc.status)
		}
		if !rc.closed() {
			t.Fatalf("%s: connection not closed after the tarpit", tc.path)
		}
		want := fmt.Sprintf(`%d PT-- -1 "GET %s HTTP/1.1"`, tc.status, tc.path)
		if got := readDatagram(t, udp); got != want {
			t.Fatalf("log line %q, want %q", got, want)
		}
	}
	if st := e.testSum(e.frontends[0].ctr); st.denied != 2 {
		t.Fatalf("dreq = %d, want 2", st.denied)
	}
}

// TestHTTPRulesFromDefaults checks rules inherited from a named defaults
// section: they run before the proxy's own, with the ACLs of the
// defaults section, and the response rules too.
func TestHTTPRulesFromDefaults(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "order=%s d=%s", r.Header.Get("X-Order"), r.Header.Get("X-D"))
	}
	be := startHTTPBackend(t, "app", h)
	cfg := `defaults base
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
  acl is_x path /x
  http-request set-header X-Order a
  http-request set-header X-D yes if is_x
  http-response set-header X-From-Defaults 1
frontend fe from base
  bind 127.0.0.1:0
  acl is_x path /y
  http-request set-header X-Order %[req.hdr(x-order)]b
  http-request set-header X-D own if is_x
  default_backend be
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
backend be
  server s1 ` + be.addr() + `
`
	_, addr := httpConfig(t, cfg, "fe")
	rc := dialHTTP(t, addr)
	for _, tc := range []struct{ path, want string }{
		{"/x", "order=ab d=yes"},
		{"/y", "order=ab d=own"},
	} {
		rc.send("GET " + tc.path + " HTTP/1.1\r\nHost: h\r\n\r\n")
		res, body := rc.read("GET")
		if body != tc.want || res.Header.Get("X-From-Defaults") != "1" {
			t.Fatalf("%s: %q (X-From-Defaults %q), want %q", tc.path, body, res.Header.Get("X-From-Defaults"), tc.want)
		}
	}
}
