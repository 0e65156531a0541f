package engine

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"hitless/engine/config"
)

// checkDefaults starts the configurations of the check tests.
const checkDefaults = `
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`

// logSink collects the engine's messages.
type logSink struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logSink) logf(format string, args ...any) {
	l.mu.Lock()
	l.msgs = append(l.msgs, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

// has reports whether a message starting with prefix was logged, waiting
// a bounded time for it: a state change is visible (to the CLI, to the
// tests) a moment before its message is logged.
func (l *logSink) has(prefix string) bool {
	deadline := time.Now().Add(2 * time.Second)
	for {
		l.mu.Lock()
		for _, m := range l.msgs {
			if strings.HasPrefix(m, prefix) {
				l.mu.Unlock()
				return true
			}
		}
		l.mu.Unlock()
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// seen reports whether a message starting with prefix was logged so far,
// without waiting (for assertions that a message is absent).
func (l *logSink) seen(prefix string) bool {
	for _, m := range l.all() {
		if strings.HasPrefix(m, prefix) {
			return true
		}
	}
	return false
}

// all returns a copy of the messages.
func (l *logSink) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.msgs...)
}

// startParsed runs a configuration given as text with nb reactors,
// collecting its messages.
func startParsed(t *testing.T, text string, nb int) (*Engine, *logSink) {
	t.Helper()
	cfg, err := config.Parse("t.cfg", []byte(text), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	logs := &logSink{}
	e, err := New(cfg, Options{Nbthread: nb, Logf: logs.logf})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopEngine(t, e) })
	return e, logs
}

// flakyServer is a loopback listener that can be closed and reopened on
// the same port.
type flakyServer struct {
	t     *testing.T
	addr  string
	ln    net.Listener
	serve func(net.Conn)
}

func newFlakyServer(t *testing.T, serve func(net.Conn)) *flakyServer {
	f := &flakyServer{t: t, serve: serve}
	f.open("127.0.0.1:0")
	t.Cleanup(f.close)
	return f
}

func (f *flakyServer) open(addr string) {
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		f.t.Fatal(err)
	}
	f.ln, f.addr = ln, ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				f.serve(c)
			}()
		}
	}()
}

func (f *flakyServer) close() {
	if f.ln != nil {
		f.ln.Close()
		f.ln = nil
	}
}

func serverStatus(e *Engine, px, sv string) string {
	for _, b := range e.backends {
		for _, s := range b.servers() {
			if b.name == px && s.name == sv {
				return s.status()
			}
		}
	}
	return "?"
}

// TestConnectCheck: a plain connect check keeps a listening server UP,
// marks it DOWN at its first failure (a fresh server starts at rise), and
// UP again after rise successes, logging HAProxy's messages; while it is
// DOWN the backend has no server and connections are refused.
func TestConnectCheck(t *testing.T) {
	srv := newFlakyServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	e, logs := startParsed(t, fmt.Sprintf(checkDefaults+`listen px
    bind 127.0.0.1:0
    server s %s check inter 20ms rise 2 fall 3
`, srv.addr), 2)
	waitFor(t, "first check passed", 5*time.Second, func() bool {
		return e.serverList()[0].chk.stStatus.Load() != 1 && serverStatus(e, "px", "s") == "UP"
	})
	srv.close()
	waitFor(t, "server DOWN", 5*time.Second, func() bool { return serverStatus(e, "px", "s") == "DOWN" })
	if !logs.has("Server px/s is DOWN, reason: Layer4 connection problem, info: \"Connection refused\"") {
		t.Errorf("no DOWN message in %q", logs.all())
	}
	if !logs.has("backend 'px' has no server available!") {
		t.Errorf("no alert in %q", logs.all())
	}
	addr := e.ListenAddrs()["px"][0]
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("connection to a backend without server: %v", err)
	}
	c.Close()

	srv.open(srv.addr)
	waitFor(t, "server UP again", 5*time.Second, func() bool { return serverStatus(e, "px", "s") == "UP" })
	if !logs.has("Server px/s is UP, reason: Layer4 check passed") {
		t.Errorf("no UP message in %q", logs.all())
	}
	row := e.serverRow(e.serverList()[0], e.nanos()/1e6)
	if row.Check.Status != "L4OK" || row.Chkdown != 1 || row.Chkfail == 0 {
		t.Errorf("show stat: check %+v chkdown %d chkfail %d", row.Check, row.Chkdown, row.Chkfail)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestHTTPCheck: option httpchk sends its request and a wrong status
// takes the server down with L7STS and the code.
func TestHTTPCheck(t *testing.T) {
	var mu sync.Mutex
	status := "200 OK"
	var requests []string
	srv := newFlakyServer(t, func(c net.Conn) {
		line, _ := bufio.NewReader(c).ReadString('\n')
		mu.Lock()
		requests = append(requests, line)
		st := status
		mu.Unlock()
		fmt.Fprintf(c, "HTTP/1.0 %s\r\nContent-Length: 0\r\n\r\n", st)
	})
	e, logs := startParsed(t, fmt.Sprintf(checkDefaults+`backend be
    option httpchk GET /health
    server s %s check inter 20ms
frontend fe
    bind 127.0.0.1:0
    default_backend be
`, srv.addr), 1)
	waitFor(t, "a passed HTTP check", 5*time.Second, func() bool {
		return e.serverRow(e.serverList()[0], 0).Check.Status == "L7OK"
	})
	mu.Lock()
	first := requests[0]
	status = "503 Service Unavailable"
	mu.Unlock()
	if first != "GET /health HTTP/1.0\r\n" {
		t.Errorf("request line %q", first)
	}
	waitFor(t, "server DOWN", 5*time.Second, func() bool { return serverStatus(e, "be", "s") == "DOWN" })
	row := e.serverRow(e.serverList()[0], 0)
	if row.Check.Status != "L7STS" || row.Check.Code != 503 {
		t.Errorf("check %+v", row.Check)
	}
	if !logs.has("Server be/s is DOWN, reason: Layer7 wrong status, code: 503") {
		t.Errorf("no DOWN message in %q", logs.all())
	}
}

// TestCheckTimeout: a server that accepts and never answers an expect
// fails with L7TOUT at timeout check.
func TestCheckTimeout(t *testing.T) {
	srv := newFlakyServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	e, _ := startParsed(t, fmt.Sprintf(checkDefaults+`    timeout check 50ms
backend be
    option tcp-check
    tcp-check send PING\r\n
    tcp-check expect string +PONG
    server s %s check inter 20ms
frontend fe
    bind 127.0.0.1:0
    default_backend be
`, srv.addr), 1)
	waitFor(t, "server DOWN on timeouts", 5*time.Second, func() bool { return serverStatus(e, "be", "s") == "DOWN" })
	if st := e.serverRow(e.serverList()[0], 0).Check.Status; st != "L7TOUT" {
		t.Errorf("check status %q, want L7TOUT", st)
	}
}

// TestSlowstart: a server that comes back up (not one that starts up)
// ramps its connection limit and weight over slowstart.
func TestSlowstart(t *testing.T) {
	srv := newFlakyServer(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	e, _ := startParsed(t, fmt.Sprintf(checkDefaults+`listen px
    bind 127.0.0.1:0
    server s %s check inter 20ms maxconn 10 weight 20 slowstart 1h
`, srv.addr), 1)
	s := e.serverList()[0]
	if s.throttle() != 100 || s.limit() != 10 {
		t.Fatalf("at start-up: throttle %d limit %d, want 100 and 10", s.throttle(), s.limit())
	}
	srv.close()
	waitFor(t, "server DOWN", 5*time.Second, func() bool { return serverStatus(e, "px", "s") == "DOWN" })
	srv.open(srv.addr)
	waitFor(t, "server UP", 5*time.Second, func() bool { return serverStatus(e, "px", "s") == "UP" })
	if s.limit() != 1 || s.upSince.Load() == 0 {
		t.Fatalf("just back up: limit %d (want 1), upSince %d", s.limit(), s.upSince.Load())
	}
	// Half-way through slowstart: half the limit and half the weight.
	s.upSince.Store(e.nanos()/1e6 - s.slowstart/2)
	v := &view{b: e.backends[0], list: e.backends[0].servers(), only: -1}
	if s.limit() != 5 || v.Weight(0) != 10 {
		t.Fatalf("half-way: limit %d weight %d, want 5 and 10", s.limit(), v.Weight(0))
	}
	if row := e.serverRow(s, 0); !row.Throttle.Set || row.Throttle.V != 50 {
		t.Fatalf("show stat throttle %+v, want 50", row.Throttle)
	}
	s.upSince.Store(e.nanos()/1e6 - s.slowstart)
	if s.limit() != 10 || v.Weight(0) != 20 || s.upSince.Load() != 0 {
		t.Fatalf("after slowstart: limit %d weight %d upSince %d", s.limit(), v.Weight(0), s.upSince.Load())
	}
}

// TestRedisCheckEmptyAnswer: a server that closes without answering
// fails option redis-check with L7STS, as HAProxy's rule says; with
// option log-health-checks the check line carries the reason and the
// DOWN message does not repeat it.
func TestRedisCheckEmptyAnswer(t *testing.T) {
	srv := newFlakyServer(t, func(c net.Conn) { c.Read(make([]byte, 64)) })
	e, logs := startParsed(t, fmt.Sprintf(checkDefaults+`
backend be
    option redis-check
    option log-health-checks
    server s %s check inter 20ms
frontend fe
    bind 127.0.0.1:0
    default_backend be
`, srv.addr), 1)
	waitFor(t, "DOWN message", 5*time.Second, func() bool { return logs.has("Server be/s is DOWN") })
	row := e.serverRow(e.serverList()[0], 0)
	if row.Check.Status != "L7STS" || row.Check.Last != "TCPCHK got an empty response at step 2" {
		t.Errorf("check %+v", row.Check)
	}
	if !logs.has("Health check for server be/s failed, reason: Layer7 wrong status, code: 0, info: \"TCPCHK got an empty response at step 2\"") {
		t.Errorf("no check line in %q", logs.all())
	}
	if !logs.has("Server be/s is DOWN. 0 active and 0 backup servers left.") {
		t.Errorf("DOWN message with a reason in %q", logs.all())
	}
}
