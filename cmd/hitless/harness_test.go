package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// harness drives hitless the way test harnesses written for haproxy do
// (VTest's contract): listening sockets are bound by the harness and
// passed as inherited descriptors named in the environment ("fd@${NAME}"),
// a global section with two stats sockets (a unix path and an inherited
// TCP socket) is prepended to the configuration, hitless runs with -d,
// the CLI is used one command per connection with a half-close, syslog
// is received on UDP, and the process is stopped with SIGINT, then
// SIGTERM, then SIGKILL if it does not exit.
type harness struct {
	t       *testing.T
	dir     string
	env     []string
	files   []*os.File
	addrs   map[string]string // listener name -> address
	sock    string            // unix stats socket
	syslog  *net.UDPConn
	logAddr string
	logs    []string // received log lines not yet expected
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), addrs: map[string]string{}}
	h.sock = filepath.Join(h.dir, "stats.sock")
	h.listen("cli")
	udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { udp.Close() })
	h.syslog, h.logAddr = udp, udp.LocalAddr().String()
	return h
}

// listen pre-binds a listening socket on 127.0.0.1 and exports its
// descriptor number as the environment variable name; it returns the
// address.
func (h *harness) listen(name string) string {
	f, addr := preBound(h.t)
	h.files = append(h.files, f)
	h.env = append(h.env, fmt.Sprintf("%s=%d", name, 2+len(h.files)))
	h.addrs[name] = addr
	return addr
}

// config returns cfg behind the global section the harness prepends.
func (h *harness) config(cfg string) string {
	return fmt.Sprintf("global\n    stats socket %q level admin mode 600\n    stats socket \"fd@${cli}\" level admin\n\n%s", h.sock, cfg)
}

// start runs hitless -d on cfg (with the harness's global section).
func (h *harness) start(cfg string, args ...string) *proc {
	h.t.Helper()
	path := filepath.Join(h.dir, "test.cfg")
	if err := os.WriteFile(path, []byte(h.config(cfg)), 0o644); err != nil {
		h.t.Fatal(err)
	}
	p := startProc(h.t, h.env, h.files, append([]string{"-d", "-f", path}, args...)...)
	h.waitCLI(p)
	return p
}

// waitCLI polls the inherited CLI socket until hitless answers on it.
func (h *harness) waitCLI(p *proc) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(h.cli("show info"), "Pid: ") {
		select {
		case <-p.done:
			h.t.Fatalf("hitless exited with %d; stderr:\n%s", p.code, p.stderr)
		default:
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("the CLI never answered; stderr:\n%s", p.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cli sends one command on the inherited TCP stats socket the way
// VTest does: write, half-close, read to the end.
func (h *harness) cli(cmd string) string {
	h.t.Helper()
	c, err := net.DialTimeout("tcp", h.addrs["cli"], 5*time.Second)
	if err != nil {
		h.t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, cmd+"\n")
	c.(*net.TCPConn).CloseWrite()
	out, err := io.ReadAll(c)
	if err != nil {
		h.t.Fatalf("CLI %q: %v", cmd, err)
	}
	return string(out)
}

// expectLog returns the first log line received that matches re and
// was not returned before: lines seen while looking for another one are
// kept for later calls. It reads at most 50 new datagrams.
func (h *harness) expectLog(t *testing.T, re string) string {
	t.Helper()
	rx := regexp.MustCompile(re)
	for i, l := range h.logs {
		if rx.MatchString(l) {
			h.logs = append(h.logs[:i], h.logs[i+1:]...)
			return l
		}
	}
	buf := make([]byte, 4096)
	for i := 0; i < 50; i++ {
		h.syslog.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := h.syslog.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("waiting for a log line matching %q: %v (seen: %q)", re, err, h.logs)
		}
		line := string(buf[:n])
		if rx.MatchString(line) {
			return line
		}
		h.logs = append(h.logs, line)
	}
	t.Fatalf("no log line matching %q in %q", re, h.logs)
	return ""
}

// stop stops p as VTest does: SIGINT, then SIGTERM, then SIGKILL, each
// after a bounded wait; it returns the exit code and the signal that
// ended it.
func (h *harness) stop(p *proc) (int, syscall.Signal) {
	h.t.Helper()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGKILL} {
		p.cmd.Process.Signal(sig)
		select {
		case <-p.done:
			return p.code, sig
		case <-time.After(5 * time.Second):
		}
	}
	<-p.done
	return p.code, syscall.SIGKILL
}

// get sends one HTTP/1.1 request through addr and returns the response
// and its body.
func httpGet(t *testing.T, addr, path string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	cl := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := cl.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// namedHTTPServer answers with its name and the request headers it got
// that start with X-.
func namedHTTPServer(t *testing.T, name string) string {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var seen []string
		for k, v := range r.Header {
			if strings.HasPrefix(k, "X-") {
				seen = append(seen, k+"="+strings.Join(v, ","))
			}
		}
		w.Header().Set("X-Server", name)
		fmt.Fprintf(w, "%s %s", name, strings.Join(seen, " "))
	}))
	t.Cleanup(s.Close)
	return s.Listener.Addr().String()
}

// TestHarnessScenarios runs the scenarios haproxy's own harness tests
// exercise, against one hitless process started the harness way.
func TestHarnessScenarios(t *testing.T) {
	h := newHarness(t)
	fe := h.listen("fe1")
	a, b := namedHTTPServer(t, "a"), namedHTTPServer(t, "b")
	dead := freeAddr(t)
	p := h.start(fmt.Sprintf(`defaults
    mode http
    log %s local0
    timeout connect "${HAPROXY_TEST_TIMEOUT-5s}"
    timeout client "${HAPROXY_TEST_TIMEOUT-5s}"
    timeout server "${HAPROXY_TEST_TIMEOUT-5s}"

frontend fe1
    bind "fd@${fe1}"
    option httplog
    http-request set-header X-Added yes
    http-request del-header X-Secret
    http-response set-header X-Proxy hitless
    default_backend be1

backend be1
    balance roundrobin
    server a %s
    server b %s

backend be2
    server down %s check inter 100 fall 1 rise 1
`, h.logAddr, a, b, dead))

	t.Run("balancing", func(t *testing.T) {
		var got []string
		for i := 0; i < 4; i++ {
			res, _ := httpGet(t, fe, "/", nil)
			got = append(got, res.Header.Get("X-Server"))
		}
		if strings.Join(got, ",") != "a,b,a,b" {
			t.Fatalf("servers %v, want a,b,a,b", got)
		}
		line := h.expectLog(t, `fe1 be1/[ab] `)
		if !regexp.MustCompile(`^<134>\w{3} [ \d]\d \d\d:\d\d:\d\d \S+\[\d+\]: 127\.0\.0\.1:\d+ \[[^]]+\] fe1 be1/[ab] \d+/\d+/\d+/\d+/\d+ 200 \d+ - - ---- \d+/\d+/\d+/\d+/0 0/0 "GET / HTTP/1\.1"$`).MatchString(line) {
			t.Fatalf("traffic log line %q", line)
		}
	})

	t.Run("header rules", func(t *testing.T) {
		res, body := httpGet(t, fe, "/h", map[string]string{"X-Secret": "s", "X-Kept": "k"})
		if !strings.Contains(body, "X-Added=yes") || !strings.Contains(body, "X-Kept=k") || strings.Contains(body, "X-Secret") {
			t.Fatalf("server saw %q", body)
		}
		if res.Header.Get("X-Proxy") != "hitless" {
			t.Fatalf("response headers %v", res.Header)
		}
	})

	t.Run("add and del server", func(t *testing.T) {
		c := namedHTTPServer(t, "c")
		if out := h.cli("add server be1/c " + c); out != "New server registered.\n\n" {
			t.Fatalf("add server: %q", out)
		}
		// A server added by the CLI starts in maintenance, as in HAProxy.
		if out := h.cli("enable server be1/c"); out != "\n" {
			t.Fatalf("enable server: %q", out)
		}
		seen := map[string]bool{}
		for i := 0; i < 6; i++ {
			res, _ := httpGet(t, fe, "/", nil)
			seen[res.Header.Get("X-Server")] = true
		}
		if !seen["c"] {
			t.Fatalf("the added server got no request: %v", seen)
		}
		if out := h.cli("disable server be1/c"); out != "\n" {
			t.Fatalf("disable server: %q", out)
		}
		if out := h.cli("del server be1/c"); out != "Server deleted.\n\n" {
			t.Fatalf("del server: %q", out)
		}
		if out := h.cli("show servers state be1"); strings.Contains(out, " c ") {
			t.Fatalf("server c still listed:\n%s", out)
		}
	})

	t.Run("health check log", func(t *testing.T) {
		line := h.expectLog(t, `Server be2/down is DOWN`)
		want := `^<129>\w{3} [ \d]\d \d\d:\d\d:\d\d \S+\[\d+\]: Server be2/down is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms\. 0 active and 0 backup servers left\. 0 sessions active, 0 requeued, 0 remaining in queue\.$`
		if !regexp.MustCompile(want).MatchString(line) {
			t.Fatalf("health check line %q", line)
		}
		h.expectLog(t, `^<128>.*: backend be2 has no server available!$`)
	})

	t.Run("cli framing", func(t *testing.T) {
		// Output, then an empty line; no output: one newline; several
		// commands answer in order.
		if out := h.cli("set server be1/a weight 5"); out != "\n" {
			t.Fatalf("no-output command: %q", out)
		}
		out := h.cli("get weight be1/a; show servers state be1")
		if !strings.HasPrefix(out, "5 (initial 1)\n\n1\n# be_id") || !strings.HasSuffix(out, "\n\n") {
			t.Fatalf("two commands: %q", out)
		}
	})

	if code, sig := h.stop(p); code != 0 || sig != syscall.SIGINT {
		t.Fatalf("exit code %d after %v, want 0 after SIGINT; stderr:\n%s", code, sig, p.stderr)
	}
}

// TestHarnessStickTable is the "stick table via CLI" scenario: a client
// sticks to a server across connections, show table lists its entry with
// the server's id and name, set table moves the key to another server and
// the next connection follows it, clear table empties the table. As in
// HAProxy 2.6 an entry names its server by name (server_key) first, so
// moving a key takes clearing it, then setting its server_id.
func TestHarnessStickTable(t *testing.T) {
	h := newHarness(t)
	fe := h.listen("fe1")
	a, b := namedHTTPServer(t, "a"), namedHTTPServer(t, "b")
	p := h.start(fmt.Sprintf(`defaults
    mode http
    timeout connect 5s
    timeout client 5s
    timeout server 5s

frontend fe1
    bind "fd@${fe1}"
    default_backend be1

backend be1
    balance roundrobin
    stick-table type ip size 1k expire 10m
    stick on src
    server a %s
    server b %s id 7
`, a, b))
	entry := regexp.MustCompile(`(?m)^0x[0-9a-f]+: key=127\.0\.0\.1 use=0 exp=\d+ server_id=(\d+) server_key=(\w+)$`)
	// showEntry polls show table until the entry names server id want
	// (and the server of that id by name).
	showEntry := func(t *testing.T, want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			out := h.cli("show table be1")
			m := entry.FindStringSubmatch(out)
			if m != nil && m[1] == want && m[2] == map[string]string{"1": "a", "7": "b"}[want] && strings.HasPrefix(out, "# table: be1, type: ip, size:1024, used:1\n") {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("show table be1, want server_id=%s:\n%s", want, out)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	server := func() string {
		res, _ := httpGet(t, fe, "/", nil)
		return res.Header.Get("X-Server")
	}
	first := server()
	if again := server(); again != first {
		t.Fatalf("second connection went to %s, first to %s", again, first)
	}
	ids := map[string]string{"a": "1", "b": "7"}
	other := map[string]string{"a": "b", "b": "a"}[first]
	showEntry(t, ids[first])
	if out := h.cli("show table"); out != "# table: be1, type: ip, size:1024, used:1\n\n" {
		t.Fatalf("show table: %q", out)
	}
	if out := h.cli("clear table be1 key 127.0.0.1"); out != "\n" {
		t.Fatalf("clear table key: %q", out)
	}
	if out := h.cli("set table be1 key 127.0.0.1 data.server_id " + ids[other]); out != "\n" {
		t.Fatalf("set table: %q", out)
	}
	if out := h.cli("show table be1"); !strings.Contains(out, " server_id="+ids[other]+" server_key=-\n") {
		t.Fatalf("after set table:\n%s", out)
	}
	if got := server(); got != other {
		t.Fatalf("after set table the client went to %s, want %s", got, other)
	}
	showEntry(t, ids[other])
	if out := h.cli("set table be1 key 127.0.0.1 data.nope 1"); out != "Unknown data type\n\n" {
		t.Fatalf("bad data type: %q", out)
	}
	if out := h.cli("show table nope"); out != "No such table\n\n" {
		t.Fatalf("unknown table: %q", out)
	}
	if out := h.cli("clear table be1"); out != "\n" {
		t.Fatalf("clear table: %q", out)
	}
	if out := h.cli("show table be1"); out != "# table: be1, type: ip, size:1024, used:0\n\n" {
		t.Fatalf("after clear: %q", out)
	}
	if code, sig := h.stop(p); code != 0 || sig != syscall.SIGINT {
		t.Fatalf("exit code %d after %v, want 0 after SIGINT; stderr:\n%s", code, sig, p.stderr)
	}
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestHarnessCheckMode runs -c the way harnesses do (-conf-OK /
// -conf-BAD): exit 0 and 1, and the alert names the file, line and
// keyword.
func TestHarnessCheckMode(t *testing.T) {
	h := newHarness(t)
	h.listen("fe1")
	good := h.config("defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\nfrontend fe1\n    bind \"fd@${fe1}\"\n    http-request return status 200\n")
	bad := h.config("defaults\n    mode http\nfrontend fe1\n    bind \"fd@${fe1}\"\n    http-request frobnicate\n")
	for _, tc := range []struct {
		name, cfg string
		code      int
		stderr    string
	}{
		{"good", good, 0, ""},
		{"bad", bad, 1, `\[ALERT\] +\(\d+\) : config : parsing \[` + regexp.QuoteMeta(filepath.Join(h.dir, "bad.cfg")) + `:9\] : 'http-request' expects .*but got 'frobnicate'`},
	} {
		path := filepath.Join(h.dir, tc.name+".cfg")
		if err := os.WriteFile(path, []byte(tc.cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCmd(t, h.env, "-c", "-f", path)
		if code != tc.code {
			t.Fatalf("%s: exit %d, want %d; stderr:\n%s", tc.name, code, tc.code, stderr)
		}
		if tc.stderr != "" && !regexp.MustCompile(tc.stderr).MatchString(stderr) {
			t.Fatalf("%s: stderr:\n%s", tc.name, stderr)
		}
	}
}

// TestHarnessGating checks the -cc conditions harnesses gate their tests
// with ("feature cmd"): exit 0 when true, 1 when false, 2 on a parse
// error, and nothing printed.
func TestHarnessGating(t *testing.T) {
	for expr, want := range map[string]int{
		"version_atleast(2.5-dev0)":           0,
		"version_atleast(2.7)":                1,
		"feature(LINUX_SPLICE)":               0,
		"feature(OPENSSL)":                    1,
		"feature(LUA)":                        1,
		"streq(" + strconv.Quote("a") + ",a)": 0,
		"200rrr":                              2,
	} {
		code, stdout, stderr := runCmd(t, nil, "-cc", expr)
		if code != want || stdout != "" || stderr != "" {
			t.Errorf("-cc %q: exit %d (stdout %q, stderr %q), want %d and no output", expr, code, stdout, stderr, want)
		}
	}
}
