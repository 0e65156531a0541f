package engine

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"hitless/engine/config"
	"hitless/engine/h1"
)

// statsConfig is a listen section "st" serving the statistics page at
// /st with two accounts, admin rights for requests carrying
// "x-admin: yes", and a scope of itself and backend "be", whose servers
// are addrs (s1, s2, ...). extra is added to "st".
func statsConfig(t *testing.T, extra string, addrs ...string) (*Engine, string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("defaults\n  mode http\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n")
	b.WriteString("listen st\n  bind 127.0.0.1:0\n  stats uri /st\n  stats auth admin:secret\n  stats auth bob:p:w\n")
	b.WriteString("  stats admin if { hdr(x-admin) yes }\n  stats scope .\n  stats scope be\n")
	b.WriteString(extra)
	b.WriteString("backend be\n")
	for i, a := range addrs {
		fmt.Fprintf(&b, "  server s%d %s\n", i+1, a)
	}
	b.WriteString("backend other\n  server o1 127.0.0.1:9\n")
	return httpConfig(t, b.String(), "st")
}

// statsBackend returns the backend of e named name.
func statsBackend(e *Engine, name string) *backend {
	for _, b := range e.backends {
		if b.name == name {
			return b
		}
	}
	return nil
}

func basic(userPass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userPass))
}

// statRowStatus returns the "show stat" status of server px/sv.
func statRowStatus(e *Engine, px, sv string) string {
	for _, r := range e.AppendStats(nil) {
		if r.PxName == px && r.SvName == sv {
			return r.Status
		}
	}
	return "<none>"
}

func TestHTTPStatsAuth(t *testing.T) {
	_, addr := statsConfig(t, "", "127.0.0.1:9")
	tests := []struct {
		name, auth string
		status     int
	}{
		{"none", "", 401},
		{"wrong password", basic("admin:nope"), 401},
		{"unknown user", basic("eve:secret"), 401},
		{"password prefix", basic("admin:secre"), 401},
		{"other scheme", "Bearer " + base64.StdEncoding.EncodeToString([]byte("admin:secret")), 401},
		{"no padding", strings.TrimRight(basic("admin:secre"), "="), 401},
		{"first user", basic("admin:secret"), 200},
		{"second user, colon in password", basic("bob:p:w"), 200},
		{"scheme case", "bAsIc  " + base64.StdEncoding.EncodeToString([]byte("admin:secret")), 200},
	}
	rc := dialHTTP(t, addr)
	for _, tt := range tests {
		req := "GET /st HTTP/1.1\r\nHost: h\r\n"
		if tt.auth != "" {
			req += "Authorization: " + tt.auth + "\r\n"
		}
		// One connection for all: a 401 keeps it open, as HAProxy does.
		rc.send(req + "\r\n")
		res, body := rc.read("GET")
		if res.StatusCode != tt.status {
			t.Fatalf("%s: %d, want %d", tt.name, res.StatusCode, tt.status)
		}
		if tt.status == 401 {
			if got := res.Header.Get("WWW-Authenticate"); got != `Basic realm="HAProxy Statistics"` {
				t.Errorf("%s: WWW-Authenticate %q", tt.name, got)
			}
			if body != string(statsUnauthorizedBody) || res.Header.Get("Cache-Control") != "no-cache" {
				t.Errorf("%s: %v %q", tt.name, res.Header, body)
			}
		}
	}
	// Two Authorization headers: the first decides, as in HAProxy.
	rc.send("GET /st;csv HTTP/1.1\r\nHost: h\r\nAuthorization: " + basic("x:y") + "\r\nAuthorization: " + basic("admin:secret") + "\r\n\r\n")
	if res, _ := rc.read("GET"); res.StatusCode != 401 {
		t.Errorf("second header used: %d", res.StatusCode)
	}
}

func TestHTTPStatsRealmAndErrorfile(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/401.http"
	page := "HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nnope\n"
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	_, addr := statsConfig(t, "  stats realm My\\ Zone\n", "127.0.0.1:9")
	rc := dialHTTP(t, addr)
	rc.send("GET /st HTTP/1.1\r\nHost: h\r\n\r\n")
	if res, _ := rc.read("GET"); res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") != `Basic realm="My Zone"` {
		t.Fatalf("realm: %d %v", res.StatusCode, res.Header)
	}
	_, addr = statsConfig(t, "  errorfile 401 "+path+"\n", "127.0.0.1:9")
	rc = dialHTTP(t, addr)
	rc.send("GET /st HTTP/1.1\r\nHost: h\r\n\r\n")
	res, body := rc.read("GET")
	if res.StatusCode != 401 || body != "nope\n" || res.Header.Get("Content-Type") != "text/plain" ||
		res.Header.Get("WWW-Authenticate") != `Basic realm="HAProxy Statistics"` {
		t.Fatalf("errorfile: %d %v %q", res.StatusCode, res.Header, body)
	}
}

func TestHTTPStatsScope(t *testing.T) {
	_, addr := statsConfig(t, "", "127.0.0.1:9")
	auth := "Authorization: " + basic("admin:secret") + "\r\n"
	rc := dialHTTP(t, addr)
	rc.send("GET /st HTTP/1.1\r\nHost: h\r\n" + auth + "\r\n")
	res, page := rc.read("GET")
	if res.StatusCode != 200 || !strings.Contains(page, "<caption>st</caption>") || !strings.Contains(page, "<caption>be</caption>") ||
		strings.Contains(page, "<caption>other</caption>") || strings.Contains(page, ">o1<") {
		t.Fatalf("scoped page: %d %.300q", res.StatusCode, page)
	}
	rc.send("GET /st;csv HTTP/1.1\r\nHost: h\r\n" + auth + "\r\n")
	res, csv := rc.read("GET")
	var pxs []string
	for _, l := range strings.Split(strings.TrimSpace(csv), "\n")[1:] {
		f := strings.SplitN(l, ",", 3)
		pxs = append(pxs, f[0]+"/"+f[1])
	}
	if want := "st/FRONTEND st/BACKEND be/s1 be/BACKEND"; res.StatusCode != 200 || strings.Join(pxs, " ") != want {
		t.Fatalf("scoped csv: %d %v, want %s", res.StatusCode, pxs, want)
	}
}

// TestHTTPStatsView: the URI's display options filter both forms of the
// page within what "stats scope" allows.
func TestHTTPStatsView(t *testing.T) {
	e, addr := statsConfig(t, "  stats refresh 5s\n", "127.0.0.1:9", "127.0.0.1:9")
	e.setOp(serverNamed(e, "s1"), opStopped, "changed from CLI")
	auth := "Authorization: " + basic("admin:secret") + "\r\n"
	rc := dialHTTP(t, addr)
	csvRows := func(target string) string {
		t.Helper()
		rc.send("GET " + target + " HTTP/1.1\r\nHost: h\r\n" + auth + "\r\n")
		res, csv := rc.read("GET")
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", target, res.StatusCode)
		}
		var pxs []string
		for _, l := range strings.Split(strings.TrimSpace(csv), "\n")[1:] {
			f := strings.SplitN(l, ",", 3)
			pxs = append(pxs, f[0]+"/"+f[1])
		}
		return strings.Join(pxs, " ")
	}
	for target, want := range map[string]string{
		"/st;csv":               "st/FRONTEND st/BACKEND be/s1 be/s2 be/BACKEND",
		"/st;csv;up":            "st/FRONTEND st/BACKEND be/s2 be/BACKEND",
		"/st;csv;scope=BE":      "be/s1 be/s2 be/BACKEND",
		"/st;up;csv;scope=b":    "be/s2 be/BACKEND",
		"/st;csv;scope=other":   "",
		"/st;csv?scope=st&x=1":  "st/FRONTEND st/BACKEND",
		"/st;csv;scope=nothing": "",
	} {
		if got := csvRows(target); got != want {
			t.Errorf("%s: %q, want %q", target, got, want)
		}
	}
	rc.send("GET /st;norefresh;up HTTP/1.1\r\nHost: h\r\n" + auth + "\r\n")
	res, page := rc.read("GET")
	if res.StatusCode != 200 || res.Header.Get("Refresh") != "" || strings.Contains(page, `http-equiv="refresh"`) ||
		!strings.Contains(page, `<a href="/st;norefresh">Show all servers</a>`) || strings.Contains(page, ">s1<") {
		t.Errorf("page with ;norefresh;up: %d %v %.300q", res.StatusCode, res.Header, page)
	}
	rc.send("GET /st HTTP/1.1\r\nHost: h\r\n" + auth + "\r\n")
	if res, _ := rc.read("GET"); res.Header.Get("Refresh") != "5" {
		t.Errorf("refresh header %q, want 5", res.Header.Get("Refresh"))
	}
}

// statsPost sends an admin POST with body on rc and returns the redirect
// target.
func statsPost(t *testing.T, rc *rawClient, admin bool, body string) string {
	t.Helper()
	req := "POST /st HTTP/1.1\r\nHost: h\r\nAuthorization: " + basic("admin:secret") + "\r\n"
	if admin {
		req += "X-Admin: yes\r\n"
	}
	rc.send(fmt.Sprintf("%sContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", req, len(body), body))
	res, _ := rc.read("POST")
	if res.StatusCode != 303 || res.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("POST %q: %d %v", body, res.StatusCode, res.Header)
	}
	return res.Header.Get("Location")
}

func TestHTTPStatsAdmin(t *testing.T) {
	e, addr := statsConfig(t, "", "127.0.0.1:9", "127.0.0.1:9")
	rc := dialHTTP(t, addr)
	get := func(admin bool, uri string) string {
		req := "GET " + uri + " HTTP/1.1\r\nHost: h\r\nAuthorization: " + basic("admin:secret") + "\r\n"
		if admin {
			req += "X-Admin: yes\r\n"
		}
		rc.send(req + "\r\n")
		res, body := rc.read("GET")
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", uri, res.StatusCode)
		}
		return body
	}
	if page := get(false, "/st"); strings.Contains(page, "checkbox") || strings.Contains(page, `<form method="post"`) {
		t.Fatal("admin form without the admin condition")
	}
	page := get(true, "/st")
	for _, s := range []string{`<form method="post">`, `name="s" value="s1"`, `name="s" value="s2"`, `<select name="action">`, `name="b" value="#`} {
		if !strings.Contains(page, s) {
			t.Fatalf("admin page: no %q", s)
		}
	}

	// Refused without the condition: nothing changes.
	if loc := statsPost(t, rc, false, "s=s1&action=maint&b=be"); loc != "/st;st=DENY" {
		t.Fatalf("no admin: %q", loc)
	}
	if st := statRowStatus(e, "be", "s1"); strings.HasPrefix(st, "MAINT") {
		t.Fatalf("denied POST changed s1: %s", st)
	}
	// Both servers to maintenance, then s1 back.
	if loc := statsPost(t, rc, true, "s=s1&s=s2&action=maint&b=be"); loc != "/st;st=DONE" {
		t.Fatalf("maint: %q", loc)
	}
	waitFor(t, "s1 and s2 in MAINT", 5*time.Second, func() bool {
		return statRowStatus(e, "be", "s1") == "MAINT" && statRowStatus(e, "be", "s2") == "MAINT"
	})
	if page := get(true, "/st;st=DONE"); !strings.Contains(page, "Action processed successfully.") {
		t.Error("no message box for DONE")
	}
	if loc := statsPost(t, rc, true, "s=s1&s=nosuch&action=ready&b=be"); loc != "/st;st=PART" {
		t.Fatalf("ready: %q", loc)
	}
	waitFor(t, "s1 out of MAINT", 5*time.Second, func() bool { return statRowStatus(e, "be", "s1") != "MAINT" })
	if st := statRowStatus(e, "be", "s2"); st != "MAINT" {
		t.Errorf("s2: %s", st)
	}
	// Forced health, logged as from the web interface.
	if loc := statsPost(t, rc, true, "s=s1&action=hdown&b=be"); loc != "/st;st=DONE" {
		t.Fatalf("hdown: %q", loc)
	}
	waitFor(t, "s1 DOWN", 5*time.Second, func() bool { return statRowStatus(e, "be", "s1") == "DOWN" })
	// Requests after a POST on the same connection still work.
	if page := get(false, "/st;csv"); !strings.Contains(page, "\nbe,s2,") {
		t.Errorf("csv after POSTs: %.200q", page)
	}
}

func TestHTTPStatsAdminMalformed(t *testing.T) {
	_, addr := statsConfig(t, "", "127.0.0.1:9")
	head := "POST /st HTTP/1.1\r\nHost: h\r\nX-Admin: yes\r\nAuthorization: " + basic("admin:secret") + "\r\n"
	form := func(body string) string { return fmt.Sprintf("%sContent-Length: %d\r\n\r\n%s", head, len(body), body) }
	tests := []struct {
		name, req string
		loc       string
	}{
		{"unknown backend", form("s=s1&action=maint&b=x"), "/st;st=ERRP"},
		{"backend without that server", form("s=s1&action=maint&b=st"), "/st;st=ERRP"},
		{"unknown action", form("s=s1&action=fly&b=be"), "/st;st=ERRP"},
		{"unknown server", form("s=s9&action=maint&b=be"), "/st;st=ERRP"},
		{"no field", form("garbage"), "/st;st=NONE"},
		{"bad escape", form("s=s1&action=maint&b=b%zz"), "/st;st=NONE"},
		{"no body", head + "\r\n", "/st;st=NONE"},
		{"body still on its way", head + "Content-Length: 60\r\n\r\ns=s1&action=maint", "/st;st=ERRP"},
		{"chunked", head + "Transfer-Encoding: chunked\r\n\r\n17\r\ns=s1&action=maint&b=be\r\n0\r\n\r\n", "/st;st=IVAL"},
		{"larger than a buffer", head + "Content-Length: 100000\r\n\r\n", "/st;st=EXCD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := dialHTTP(t, addr)
			rc.send(tt.req)
			res, _ := rc.read("POST")
			if res.StatusCode != 303 || res.Header.Get("Location") != tt.loc {
				t.Fatalf("%d %q, want 303 %q", res.StatusCode, res.Header.Get("Location"), tt.loc)
			}
		})
	}
}

// TestHTTPStatsAdminShutdown kills a server's sessions from the page of
// the reactor that serves them: the change waits for every reactor, so
// it must not run on the one answering the POST.
func TestHTTPStatsAdminShutdown(t *testing.T) {
	release := make(chan struct{})
	be := startHTTPBackend(t, "slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	for _, action := range []string{"shutdown", "hdown"} {
		t.Run(action, func(t *testing.T) {
			e, addr := statsConfig(t, "  use_backend be if { path /app }\n", be.addr()+" on-marked-down shutdown-sessions")
			client := dialHTTP(t, addr)
			client.send("GET /app HTTP/1.1\r\nHost: h\r\n\r\n")
			waitFor(t, "the request at the server", 5*time.Second, func() bool { return be.open.Load() > 0 })
			rc := dialHTTP(t, addr)
			if loc := statsPost(t, rc, true, "s=s1&action="+action+"&b=be"); loc != "/st;st=DONE" {
				t.Fatalf("%s: %q", action, loc)
			}
			client.c.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 512)
			if n, err := client.c.Read(buf); err == nil && !strings.Contains(string(buf[:n]), " 50") {
				t.Fatalf("session not killed: %q", buf[:n])
			}
			// The reactor still answers.
			rc.send("GET /st;csv HTTP/1.1\r\nHost: h\r\nAuthorization: " + basic("admin:secret") + "\r\n\r\n")
			if res, _ := rc.read("GET"); res.StatusCode != 200 {
				t.Fatalf("after %s: %d", action, res.StatusCode)
			}
			q := statsBackend(e, "st").statsAdmin
			waitFor(t, "the admin queue to drain", 5*time.Second, func() bool {
				q.mu.Lock()
				defer q.mu.Unlock()
				return !q.running && len(q.jobs) == 0
			})
		})
	}
}

func TestHTTPStatsRules(t *testing.T) {
	cfg := `defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
listen st
  bind 127.0.0.1:0
  stats uri /st
  stats http-request allow if { hdr(x-allow) 1 }
  stats http-request deny if { hdr(x-deny) 1 }
  stats http-request deny deny_status 429 if { hdr(x-deny) 2 }
  stats http-request auth if { hdr(x-auth) 1 }
  stats http-request auth realm Zed\ Z if { hdr(x-auth) 2 }
`
	_, addr := httpConfig(t, cfg, "st")
	tests := []struct {
		hdrs   string
		status int
		realm  string
	}{
		{"", 200, ""},
		{"X-Allow: 1\r\nX-Deny: 1\r\n", 200, ""},
		{"X-Deny: 1\r\n", 403, ""},
		{"X-Deny: 2\r\n", 429, ""},
		{"X-Auth: 1\r\n", 401, `Basic realm="HAProxy Statistics"`},
		{"X-Auth: 2\r\n", 401, `Basic realm="Zed Z"`},
	}
	for _, tt := range tests {
		rc := dialHTTP(t, addr)
		rc.send("GET /st HTTP/1.1\r\nHost: h\r\n" + tt.hdrs + "\r\n")
		res, _ := rc.read("GET")
		if res.StatusCode != tt.status || res.Header.Get("WWW-Authenticate") != tt.realm {
			t.Errorf("%q: %d %q, want %d %q", tt.hdrs, res.StatusCode, res.Header.Get("WWW-Authenticate"), tt.status, tt.realm)
		}
	}
}

func TestHTTPStatsOtherMethods(t *testing.T) {
	app := startHTTPBackend(t, "app", nil)
	_, addr := statsConfig(t, "  server a "+app.addr()+"\n", "127.0.0.1:9")
	rc := dialHTTP(t, addr)
	rc.send("PUT /st HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
	if res, body := rc.read("PUT"); res.StatusCode != 200 || body != "app PUT /st body=0:" {
		t.Fatalf("PUT went to %d %q", res.StatusCode, body)
	}
}

// statsAuthSample parses a request with an Authorization header for
// statsAuthorized.
func statsAuthSample(t testing.TB, auth string) *txnSample {
	head := []byte("GET /st HTTP/1.1\r\nHost: h\r\nAuthorization: " + auth + "\r\n\r\n")
	req := &h1.Request{}
	if err := h1.ParseRequest(head, req, h1.Limits{MaxHead: len(head) + 1}); err != nil {
		t.Fatal(err)
	}
	return &txnSample{reqHead: head, req: req}
}

func statsAuthBackend() *backend {
	b := &backend{name: "st", stats: &config.Stats{Users: []config.StatsUser{{Name: "admin", Password: "secret"}, {Name: "bob", Password: ""}}}}
	b.initStats()
	return b
}

func TestStatsAuthorized(t *testing.T) {
	b := statsAuthBackend()
	for _, tt := range []struct {
		auth string
		ok   bool
	}{
		{basic("admin:secret"), true},
		{basic("bob:"), true},
		{basic("bob"), false},
		{basic("admin:"), false},
		{basic("admin:secret "), false},
		{basic(":secret"), false},
	} {
		if got := statsAuthorized(b, statsAuthSample(t, tt.auth)); got != tt.ok {
			t.Errorf("%q: %v", tt.auth, got)
		}
	}
}

func TestStatsAuthorizedAllocs(t *testing.T) {
	b := statsAuthBackend()
	s := statsAuthSample(t, basic("nobody:with a password longer than a stack buffer"))
	if a := testing.AllocsPerRun(100, func() { statsAuthorized(b, s) }); a != 0 {
		t.Errorf("statsAuthorized: %v allocations", a)
	}
}

func BenchmarkStatsAuthorized(b *testing.B) {
	be := statsAuthBackend()
	s := statsAuthSample(b, basic("admin:secret"))
	b.ReportAllocs()
	for b.Loop() {
		statsAuthorized(be, s)
	}
}
