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
	if v, ok := res.Header["X-Origin"]; ok {
		t.Fatalf("X-Origin not deleted: %q", v)
	}
	// A header set by a rule routes the request.
	rc.send("GET /route HTTP/1.1\r\nHost: h\r\n\r\n")
	if _, body := rc.read("GET"); !strings.HasPrefix(body, "other ") {
		t.Fatalf("request went to %q", body)
	}
}
