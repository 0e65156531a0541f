package check

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hitless/engine/config"
)

// These tests run the installed HAProxy 2.6 against scripted servers and
// compare, for each kind of check, the bytes HAProxy sends and the log
// line it prints ("option log-health-checks") with what Program, Run and
// AppendCheckLog produce for the same configuration and the same server.
// They are skipped when haproxy is missing, unless CI=true.

// haproxyBin returns the haproxy binary or skips the test.
func haproxyBin(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("haproxy not found: %v", err)
		}
		t.Skip("haproxy not installed")
	}
	return bin
}

// haproxy is a running "haproxy -d" whose warnings and alerts are read
// line by line.
type haproxy struct {
	cmd     *exec.Cmd
	lines   chan string
	pending []string // lines read but not asked for yet, in order
	sock    string   // stats socket
}

var haproxyMsg = regexp.MustCompile(`^\[(?:WARNING|ALERT|NOTICE)\] +\(\d+\) : (.*)$`)

// startHAProxy writes cfg (with "@SOCK@" replaced by a stats socket path)
// and runs haproxy in debug mode on it. It is stopped with SIGTERM when
// the test ends.
func startHAProxy(t *testing.T, cfg string) *haproxy {
	t.Helper()
	bin := haproxyBin(t)
	dir := t.TempDir()
	h := &haproxy{lines: make(chan string, 256), sock: filepath.Join(dir, "s.sock")}
	cfg = strings.ReplaceAll(cfg, "@SOCK@", h.sock)
	path := filepath.Join(dir, "h.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	h.cmd = exec.Command(bin, "-d", "-f", path)
	h.cmd.Env = []string{"PATH=/usr/bin:/bin"}
	stderr, err := h.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	h.cmd.Stdout = io.Discard
	if err := h.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := haproxyMsg.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case h.lines <- m[1]:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		_ = h.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = h.cmd.Process.Kill()
			<-done
		}
		_ = h.cmd.Wait()
	})
	return h
}

// next returns the first message not returned yet that starts with
// prefix, or fails the test after the deadline. Messages of unrelated
// events, which come in any order, stay for later calls.
func (h *haproxy) next(t *testing.T, prefix string, within time.Duration) string {
	t.Helper()
	for i, l := range h.pending {
		if strings.HasPrefix(l, prefix) {
			h.pending = append(h.pending[:i], h.pending[i+1:]...)
			return l
		}
	}
	deadline := time.After(within)
	for {
		select {
		case l := <-h.lines:
			if strings.HasPrefix(l, prefix) {
				return l
			}
			h.pending = append(h.pending, l)
		case <-deadline:
			t.Fatalf("no message starting with %q from haproxy within %v", prefix, within)
		}
	}
}

// cli sends one command to the stats socket and returns the answer.
func (h *haproxy) cli(t *testing.T, cmd string) string {
	t.Helper()
	var c net.Conn
	deadline := time.Now().Add(5 * time.Second)
	for {
		var err error
		c, err = net.Dial("unix", h.sock)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats socket: %v", err)
		}
		runtime.Gosched()
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, cmd+"\n"); err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(c)
	return string(out)
}

// testServer is a scripted TCP server; got receives the bytes of each
// connection once the client closes it.
type testServer struct {
	ln   net.Listener
	port int
	got  chan []byte
}

// listen opens the server's socket; serve starts answering with s.
func listen(t *testing.T) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{ln: ln, port: ln.Addr().(*net.TCPAddr).Port, got: make(chan []byte, 64)}
}

func (ts *testServer) serve(t *testing.T, s script) {
	t.Helper()
	ln := ts.ln
	if s.refused {
		ln.Close()
		return
	}
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				ts.handle(c.(*net.TCPConn), s)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
}

// requestLen is the number of bytes p sends.
func requestLen(p *Program) int {
	n := 0
	for _, s := range p.Steps {
		n += len(s.Data)
	}
	return n
}

func (ts *testServer) handle(c *net.TCPConn, s script) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write(s.greet)
	if s.rst {
		_ = c.SetLinger(0)
		return
	}
	responded := false
	respond := func() {
		responded = true
		if s.resp != nil {
			c.Write(s.resp)
		}
		if s.close {
			_ = c.CloseWrite()
		}
	}
	if s.reqLen == 0 && (s.resp != nil || s.close) {
		respond()
	}
	var got []byte
	b := make([]byte, 4096)
	for {
		n, err := c.Read(b)
		got = append(got, b[:n]...)
		if !responded && len(got) >= s.reqLen && s.reqLen > 0 {
			respond()
		}
		if err != nil {
			break
		}
	}
	select {
	case ts.got <- got:
	default:
	}
}

// diffCase is one kind of check against one server behaviour.
type diffCase struct {
	name  string
	rules string // backend lines, '|' separated
	srv   string // extra server options
	s     script
}

const diffDefaults = `global
    stats socket @SOCK@ level admin
defaults
    mode tcp
    timeout connect 1s
    timeout client 1s
    timeout server 1s
`

func diffConfig(c diffCase, port int) string {
	return diffDefaults + "backend be\n    option log-health-checks\n    " +
		strings.ReplaceAll(c.rules, "|", "\n    ") +
		fmt.Sprintf("\n    server s1 127.0.0.1:%d check inter 300 %s\n", port, c.srv)
}

var durationRe = regexp.MustCompile(`check duration: \d+ms`)

func normalize(s string) string { return durationRe.ReplaceAllString(s, "check duration: Nms") }

var (
	mysqlVersion  = "5.7.99-test"
	mysqlGreeting = mysqlPacket(0, append(append([]byte{0x0a}, mysqlVersion...),
		0, 42, 0, 0, 0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0, 0xff, 0xf7, 0x21, 2, 0, 0xff, 0x81, 0x15,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 0))
	mysqlOK      = mysqlPacket(2, []byte{0, 0, 0, 2, 0, 0, 0})
	mysqlDenied  = mysqlPacket(2, append([]byte{0xff, 0x15, 0x04, '#', '2', '8', '0', '0', '0'}, "Access denied for user 'check'@'localhost' (using password: NO)"...))
	mysqlBlocked = mysqlPacket(0, append([]byte{0xff, 0x69, 0x04}, "Host '127.0.0.1' is blocked because of many connection errors"...))
)

func mysqlPacket(seq byte, payload []byte) []byte {
	n := len(payload)
	return append([]byte{byte(n), byte(n >> 8), byte(n >> 16), seq}, payload...)
}

func pgMessage(typ byte, body []byte) []byte {
	n := len(body) + 4
	return append([]byte{typ, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

var diffCases = []diffCase{
	// Plain connect.
	{name: "connect ok", rules: "", s: script{}},
	{name: "connect refused", rules: "", s: script{refused: true}},

	// tcp-check.
	{name: "tcp-check refused", rules: "option tcp-check", s: script{refused: true}},
	{name: "tcp-check connect refused", rules: "option tcp-check|tcp-check connect comment first", s: script{refused: true}},
	{name: "tcp-check only connect", rules: "option tcp-check|tcp-check connect", s: script{}},
	{name: "tcp-check no rule", rules: "option tcp-check", s: script{}},
	{name: "tcp-check only send", rules: "option tcp-check|tcp-check send QUIT\\r\\n", s: script{}},
	{name: "tcp-check pong", rules: "option tcp-check|tcp-check send PING\\r\\n|tcp-check expect string +PONG", s: script{resp: []byte("+PONG\r\n"), reqLen: 6}},
	{name: "tcp-check mismatch", rules: "option tcp-check|tcp-check send PING\\r\\n|tcp-check expect string +PONG", s: script{resp: []byte("-ERR x\r\n"), reqLen: 6, close: true}},
	{name: "tcp-check timeout", rules: "option tcp-check|tcp-check send PING\\r\\n|tcp-check expect string +PONG", s: script{resp: []byte("-ERR x\r\n"), reqLen: 6}},
	{name: "tcp-check empty", rules: "option tcp-check|tcp-check comment c1|tcp-check send PING\\r\\n|tcp-check comment c2|tcp-check expect string +PONG", s: script{reqLen: 6, close: true}},
	// A reset right after accept is not compared: haproxy reports L4CON or
	// SOCKERR depending on whether it saw the connection established
	// first (TestChecks covers what Run does with either event).
	{name: "tcp-check banner comment", rules: "option tcp-check|tcp-check comment banner|tcp-check expect string +OK comment POP", s: script{greet: []byte("-ERR no\r\n"), close: true}},
	{name: "tcp-check unwanted", rules: "option tcp-check|tcp-check expect ! string ERR", s: script{greet: []byte("-ERR no\r\n"), close: true}},
	{name: "tcp-check inverse pass", rules: "option tcp-check|tcp-check expect ! string ERR", s: script{greet: []byte("+OK\r\n"), close: true}},
	{name: "tcp-check regex", rules: "option tcp-check|tcp-check expect rstring ^\\+OK\\ [a-z]+", s: script{greet: []byte("+OK ready\r\n")}},
	{name: "tcp-check regex fail", rules: "option tcp-check|tcp-check expect rstring ^\\+OK\\ [a-z]+", s: script{greet: []byte("+OK 123\r\n"), close: true}},
	{name: "tcp-check binary", rules: "option tcp-check|tcp-check send-binary 50494e470d0a|tcp-check expect binary 2b504f4e47", s: script{resp: []byte("+PONG\r\n"), reqLen: 6}},
	{name: "tcp-check binary fail", rules: "option tcp-check|tcp-check send-binary 50494e470d0a|tcp-check expect binary 2b504f4e47", s: script{resp: []byte("+PANG\r\n"), reqLen: 6, close: true}},
	{name: "tcp-check rbinary", rules: "option tcp-check|tcp-check expect rbinary ^2B4F4B", s: script{greet: []byte("+OK\r\n")}},
	{name: "tcp-check rbinary fail", rules: "option tcp-check|tcp-check expect rbinary ^2D", s: script{greet: []byte("+OK\r\n"), close: true}},
	{name: "tcp-check statuses", rules: "option tcp-check|tcp-check expect string +OK error-status L7STS on-error go\\ away ok-status L6OK", s: script{greet: []byte("-NO\r\n"), close: true}},
	{name: "tcp-check ok-status", rules: "option tcp-check|tcp-check expect string +OK ok-status L6OK on-success fine", s: script{greet: []byte("+OK\r\n")}},
	{name: "tcp-check tout-status", rules: "option tcp-check|tcp-check expect string +OK tout-status L4TOUT", s: script{greet: []byte("+NO\r\n")}},
	{name: "tcp-check min-recv", rules: "option tcp-check|tcp-check expect min-recv 3 string +OK", s: script{greet: []byte("+NO\r\n")}},
	{name: "tcp-check min-recv 0", rules: "option tcp-check|tcp-check expect min-recv 0 string +OK", s: script{greet: []byte("-")}},
	{name: "tcp-check two expects", rules: "option tcp-check|tcp-check expect string +OK|tcp-check expect string ready", s: script{greet: []byte("+OK not\r\n"), close: true}},
	{name: "tcp-check two exchanges", rules: "option tcp-check|tcp-check send A|tcp-check expect string B|tcp-check send C|tcp-check expect string D", s: script{resp: []byte("B"), reqLen: 1}},
	{name: "tcp-check connect port", rules: "option tcp-check|tcp-check connect port @PORT@|tcp-check expect string +OK", srv: "port 1", s: script{greet: []byte("+OK\r\n")}},

	// HTTP.
	{name: "httpchk ok", rules: "option httpchk", s: script{resp: []byte("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"), reqLen: -1, close: true}},
	{name: "httpchk 503", rules: "option httpchk GET /health HTTP/1.1|http-check send hdr Host example.org", s: script{resp: []byte("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"), reqLen: -1}},
	{name: "httpchk 302", rules: "option httpchk HEAD /", s: script{resp: []byte("HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 10\r\n\r\n"), reqLen: -1}},
	{name: "httpchk empty", rules: "option httpchk", s: script{reqLen: -1, close: true}},
	{name: "httpchk garbage", rules: "option httpchk", s: script{resp: []byte("SSH-2.0-OpenSSH\r\n\r\n"), reqLen: -1, close: true}},
	{name: "httpchk truncated", rules: "option httpchk", s: script{resp: []byte("HTTP/1.1 200 OK\r\nContent-"), reqLen: -1, close: true}},
	{name: "httpchk timeout", rules: "option httpchk", s: script{reqLen: -1}},
	{name: "httpchk reason with quotes", rules: "option httpchk", s: script{resp: []byte("HTTP/1.1 500 \"bad\" <x>\r\nContent-Length: 0\r\n\r\n"), reqLen: -1}},
	{name: "http-check expect status", rules: "option httpchk|http-check expect status 200-201,204", s: script{resp: []byte("HTTP/1.1 204 No Content\r\n\r\n"), reqLen: -1}},
	{name: "http-check expect status fail", rules: "option httpchk|http-check expect status 200 comment need\\ 200", s: script{resp: []byte("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"), reqLen: -1}},
	{name: "http-check expect not status", rules: "option httpchk|http-check expect ! status 500-599", s: script{resp: []byte("HTTP/1.1 503 Down\r\nContent-Length: 0\r\n\r\n"), reqLen: -1}},
	{name: "http-check expect rstatus", rules: "option httpchk|http-check expect rstatus ^2", s: script{resp: []byte("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), reqLen: -1}},
	{name: "http-check expect string", rules: "option httpchk|http-check expect string alive", s: script{resp: []byte("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nI am alive."), reqLen: -1}},
	{name: "http-check expect string fail", rules: "option httpchk|http-check expect string alive", s: script{resp: []byte("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndead"), reqLen: -1}},
	{name: "http-check expect no body", rules: "option httpchk|http-check expect string alive", s: script{resp: []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), reqLen: -1}},
	{name: "http-check expect chunked", rules: "option httpchk|http-check expect rstring al[i]ve", s: script{resp: []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nal\r\n\r\n3\r\nive\r\n0\r\n\r\n"), reqLen: -1}},
	{name: "http-check expect unwanted", rules: "option httpchk|http-check expect ! string error", s: script{resp: []byte("HTTP/1.1 200 OK\r\n\r\nan error"), reqLen: -1, close: true}},
	{name: "http-check disable-on-404", rules: "option httpchk|http-check disable-on-404", s: script{resp: []byte("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), reqLen: -1}},
	{name: "http-check sequence", rules: "option httpchk|http-check connect|http-check send meth GET uri /a ver HTTP/1.1 hdr host h|http-check expect status 200", s: script{resp: []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), reqLen: -1}},

	// MySQL, PostgreSQL, Redis.
	{name: "mysql greeting", rules: "option mysql-check", s: script{greet: mysqlGreeting, close: true}},
	{name: "mysql blocked", rules: "option mysql-check", s: script{greet: mysqlBlocked, close: true}},
	{name: "mysql truncated", rules: "option mysql-check", s: script{greet: mysqlGreeting[:20], close: true}},
	{name: "mysql user", rules: "option mysql-check user check", s: script{greet: mysqlGreeting, resp: mysqlOK, reqLen: -1, close: true}},
	{name: "mysql user pre-41", rules: "option mysql-check user check pre-41", s: script{greet: mysqlGreeting, resp: mysqlOK, reqLen: -1, close: true}},
	{name: "mysql denied", rules: "option mysql-check user check", s: script{greet: mysqlGreeting, resp: mysqlDenied, reqLen: -1, close: true}},
	{name: "pgsql md5", rules: "option pgsql-check user pg", s: script{resp: pgMessage('R', []byte{0, 0, 0, 5, 1, 2, 3, 4}), reqLen: -1}},
	{name: "pgsql ok", rules: "option pgsql-check user pg", s: script{resp: pgMessage('R', []byte{0, 0, 0, 0}), reqLen: -1}},
	{name: "pgsql scram", rules: "option pgsql-check user pg", s: script{resp: pgMessage('R', append([]byte{0, 0, 0, 10}, "SCRAM-SHA-256\x00\x00"...)), reqLen: -1}},
	{name: "pgsql error", rules: "option pgsql-check user pg", s: script{resp: pgMessage('E', []byte("SFATAL\x00VFATAL\x00C28000\x00Mrole \"pg\" does not exist\x00\x00")), reqLen: -1}},
	{name: "pgsql short error", rules: "option pgsql-check user pg", s: script{resp: []byte("E\x00\x00"), reqLen: -1, close: true}},
	{name: "redis pong", rules: "option redis-check", s: script{resp: []byte("+PONG\r\n"), reqLen: -1}},
	{name: "redis error", rules: "option redis-check", s: script{resp: []byte("-NOAUTH Authentication required.\r\n"), reqLen: -1, close: true}},
	{name: "redis empty line", rules: "option redis-check", s: script{resp: []byte("\r\nxxxxxx"), reqLen: -1, close: true}},
	{name: "redis noauth open", rules: "option redis-check", s: script{resp: []byte("-NOAUTH Authentication required.\r\n"), reqLen: -1}},
}

// TestChecksHAProxy compares each diffCase with haproxy: the bytes sent
// and the first check report it logs, then (when it fails) the server's
// DOWN message.
func TestChecksHAProxy(t *testing.T) {
	haproxyBin(t)
	for _, tc := range diffCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := listen(t)
			cfgText := strings.ReplaceAll(diffConfig(tc, ts.port), "@PORT@", fmt.Sprint(ts.port))
			c, err := config.Parse("h.cfg", []byte(strings.ReplaceAll(cfgText, "@SOCK@", "/tmp/x.sock")), config.Options{})
			if err != nil {
				t.Fatal(err)
			}
			px := c.Proxy("be", config.CapBE)
			srv := px.Servers[0]
			p, err := NewProgram(px, srv)
			if err != nil {
				t.Fatal(err)
			}
			sc := tc.s
			if sc.reqLen < 0 {
				sc.reqLen = requestLen(p)
			}
			ts.serve(t, sc)
			sent, reports := simulate(p, sc, false)
			if len(reports) == 0 {
				t.Fatal("no report")
			}
			h := NewHealth(srv.Rise, srv.Fall)
			res := reports[0]
			h.Report(res.Passed())
			want := string(AppendCheckLog(nil, ServerName{Backend: "be", Name: "s1"}, &res, &h, false))

			hp := startHAProxy(t, cfgText)
			got := hp.next(t, "Health check for server be/s1 ", 5*time.Second)
			t.Log(got)
			if normalize(got) != normalize(want) {
				t.Errorf("haproxy logs:\n%s\nhitless:\n%s", got, want)
			}
			if len(sent) > 0 {
				select {
				case b := <-ts.got:
					if !bytes.Equal(b, sent) {
						t.Errorf("haproxy sent:\n%q\nhitless sends:\n%q", b, sent)
					}
				case <-time.After(5 * time.Second):
					t.Error("no connection from haproxy")
				}
			}
			if !h.Up() {
				got := hp.next(t, "Server be/s1 is DOWN", 5*time.Second)
				want := string(AppendServerDown(nil, ServerName{Backend: "be", Name: "s1"}, nil, "", Counts{}))
				if got != want {
					t.Errorf("haproxy says:\n%s\nhitless:\n%s", got, want)
				}
				if got, want := hp.next(t, "backend ", 5*time.Second), string(AppendNoServer(nil, "be")); got != want {
					t.Errorf("haproxy says:\n%s\nhitless:\n%s", got, want)
				}
			}
		})
	}
}

// TestMessagesHAProxy compares the state change messages with haproxy's:
// checks taking servers DOWN and UP (with their reason when "option
// log-health-checks" is off), changes from the CLI, maintenance and
// drain, backup servers.
func TestMessagesHAProxy(t *testing.T) {
	haproxyBin(t)
	closed := listen(t)
	closed.serve(t, script{refused: true})
	open := listen(t)
	open.serve(t, script{})
	cfg := diffDefaults + fmt.Sprintf(`backend be
    server s1 127.0.0.1:%[1]d check inter 200 rise 2 fall 2
    server s2 127.0.0.1:%[2]d check inter 200 backup
    server s3 127.0.0.1:%[2]d check inter 200
backend bk
    server b1 127.0.0.1:%[1]d check inter 200 backup
backend bk2
    option log-health-checks
    server b1 127.0.0.1:%[1]d check inter 200 backup
`, closed.port, open.port)
	hp := startHAProxy(t, cfg)

	refused := Result{Status: StatusL4CON}
	refused.SetInfo("Connection refused")
	passed := Result{Status: StatusL4OK}
	down := NewHealth(2, 3)
	down.Report(false)
	be := func(name string) ServerName { return ServerName{Backend: "be", Name: name} }
	type step struct {
		cmd  string // CLI command sent first, if any
		want []byte
	}
	for _, st := range []step{
		{"", AppendServerDown(nil, be("s1"), &refused, "", Counts{Active: 1, Backup: 1})},
		{"", AppendServerDown(nil, ServerName{Backend: "bk", Name: "b1", Backup: true}, &refused, "", Counts{})},
		{"", AppendNoServer(nil, "bk")},
		{"", AppendCheckLog(nil, ServerName{Backend: "bk2", Name: "b1", Backup: true}, &refused, &down, false)},
		{"", AppendServerDown(nil, ServerName{Backend: "bk2", Name: "b1", Backup: true}, nil, "", Counts{})},
		{"set server be/s3 health down", AppendServerDown(nil, be("s3"), nil, "changed from CLI", Counts{Backup: 1})},
		{"", AppendServerUp(nil, be("s3"), &passed, "", Counts{Active: 1, Backup: 1})},
		{"disable server be/s3", AppendMaintDown(nil, be("s3"), Counts{Backup: 1})},
		{"enable server be/s3", AppendMaintLeave(nil, be("s3"), true, false)},
		{"set server be/s3 state drain", AppendDrainEnter(nil, be("s3"), true, Counts{Backup: 1})},
		{"set server be/s3 state ready", AppendDrainLeave(nil, be("s3"), true)},
		{"set server be/s1 state drain", AppendDrainEnter(nil, be("s1"), false, Counts{Active: 1, Backup: 1})},
		{"set server be/s1 state ready", AppendDrainLeave(nil, be("s1"), false)},
		{"disable server be/s1", AppendMaintWasDown(nil, be("s1"))},
		{"set server be/s3 state maint", AppendMaintDown(nil, be("s3"), Counts{Backup: 1})},
		{"set server be/s3 state drain", AppendMaintLeave(nil, be("s3"), true, true)},
		{"", AppendDrainRemains(nil, be("s3"))},
		{"set server be/s3 state ready", AppendDrainLeave(nil, be("s3"), true)},
		{"set server be/s2 state maint", AppendMaintDown(nil, ServerName{Backend: "be", Name: "s2", Backup: true}, Counts{Active: 1})},
		{"set server be/s3 health stopping", AppendServerStopping(nil, be("s3"), nil, "changed from CLI", Counts{})},
	} {
		if st.cmd != "" {
			hp.cli(t, st.cmd)
		}
		want := string(st.want)
		prefix := want[:strings.Index(want, "/")+3]
		got := hp.next(t, prefix, 5*time.Second)
		t.Log(got)
		if normalize(got) != normalize(want) {
			t.Errorf("after %q haproxy says:\n%s\nhitless:\n%s", st.cmd, got, want)
		}
	}
}

// TestInitialStatusHAProxy checks the status of a server never checked
// yet ("UP 1/3") against "show stat": the second of two servers with a
// 10s interval is first checked 5s after start-up.
func TestInitialStatusHAProxy(t *testing.T) {
	haproxyBin(t)
	open := listen(t)
	open.serve(t, script{})
	hp := startHAProxy(t, diffDefaults+fmt.Sprintf(`backend be
    server s1 127.0.0.1:%[1]d check inter 10s
    server s2 127.0.0.1:%[1]d check inter 10s
`, open.port))
	out := hp.cli(t, "show stat")
	h := NewHealth(2, 3)
	for _, l := range strings.Split(out, "\n") {
		f := strings.Split(l, ",")
		if len(f) > 36 && f[0] == "be" && f[1] == "s2" {
			if f[17] != h.Status() || f[36] != "INI" {
				t.Errorf("haproxy: status %q check_status %q; hitless: %q INI", f[17], f[36], h.Status())
			}
			return
		}
	}
	t.Fatalf("no be/s2 in show stat:\n%s", out)
}

// TestHTTPRequestsHAProxy compares the bytes of HTTP check requests with
// those haproxy sends, for the ways a request can be configured.
func TestHTTPRequestsHAProxy(t *testing.T) {
	haproxyBin(t)
	for _, tc := range []struct {
		name     string
		defaults string // extra defaults lines, '|' separated
		rules    string
	}{
		{"default", "", "option httpchk"},
		{"uri only", "", "option httpchk /only-uri"},
		{"body 1.0", "", "option httpchk|http-check send body abc"},
		{"1.1", "", "option httpchk GET /x HTTP/1.1"},
		{"skipped headers", "", "option httpchk GET /x HTTP/1.1|http-check send hdr Connection keep-alive hdr Content-Length 12 hdr Foo-Bar Baz"},
		{"absolute uri host", "", "option httpchk GET http://example.org/x?y=1 HTTP/1.1|http-check send hdr host other.example"},
		{"absolute uri", "", "option httpchk GET http://example.org/x?y=1 HTTP/1.1"},
		{"head", "", "option httpchk HEAD /|http-check send hdr User-Agent \"a b\""},
		{"post 1.0 close", "", "option httpchk POST /p HTTP/1.0|http-check send hdr Connection close body \"x y\""},
		{"put chunked", "", "option httpchk|http-check send meth PUT uri /u ver HTTP/1.1 hdr Transfer-Encoding chunked hdr host h"},
		{"keep-alive 1.0", "", "option httpchk GET / HTTP/1.0|http-check send hdr Connection keep-alive"},
		{"close 1.1", "", "option httpchk GET /x HTTP/1.1|http-check send hdr X-A 1 hdr Connection close hdr X-B 2"},
		{"post 1.0", "", "option httpchk POST /p HTTP/1.0"},
		{"post 1.1 body", "", "option httpchk POST /p HTTP/1.1|http-check send body {} hdr Content-Type application/json"},
		{"options star", "", "option httpchk OPTIONS * HTTP/1.1|http-check send hdr Host www"},
		{"delete", "", "option httpchk DELETE /d HTTP/1.1"},
		{"connection tokens", "", "option httpchk GET / HTTP/1.1|http-check send hdr Connection \"Upgrade, close\" hdr X-UPPER-Case vAlUe"},
		{"patch", "", "option httpchk PATCH /p HTTP/1.1"},
		{"get body", "", "option httpchk GET /g HTTP/1.1|http-check send body hello"},
		{"version 2", "", "option httpchk GET / HTTP/2.0"},
		{"version 0.9", "", "option httpchk GET / HTTP/0.9"},
		{"version 1.2", "", "option httpchk GET / HTTP/1.2"},
		{"version foo", "", "option httpchk GET / FOO"},
		{"trace", "", "option httpchk TRACE / HTTP/1.1"},
		{"connect", "", "option httpchk CONNECT h:80 HTTP/1.1"},
		{"propfind", "", "option httpchk PROPFIND / HTTP/1.0"},
		{"lower get", "", "option httpchk get / HTTP/1.1"},
		{"headers in version", "", `option httpchk GET / HTTP/1.1\r\nHost:\ h\r\nX-A:\ 1`},
		{"send then option", "", "http-check send hdr X-B 1 meth PUT|option httpchk GET /own"},
		{"option twice", "", "option httpchk /a|option httpchk POST /b HTTP/1.1"},
		{"explicit sequence", "", "option httpchk|http-check connect|http-check send meth GET uri /a ver HTTP/1.1 hdr host h|http-check expect status 200"},
		{"inherited", "option httpchk GET /def HTTP/1.0|http-check send hdr X-D 1", ""},
		{"inherited send replaced", "option httpchk GET /def HTTP/1.0", "http-check send hdr X-A 1"},
		{"own option", "option httpchk GET /def HTTP/1.0|http-check send hdr X-D 1", "option httpchk GET /own"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := listen(t)
			cfg := diffDefaults
			if tc.defaults != "" {
				cfg += "    " + strings.ReplaceAll(tc.defaults, "|", "\n    ") + "\n"
			}
			cfg += "backend be\n"
			if tc.rules != "" {
				cfg += "    " + strings.ReplaceAll(tc.rules, "|", "\n    ") + "\n"
			}
			cfg += fmt.Sprintf("    server s1 127.0.0.1:%d check inter 300\n", ts.port)
			c, err := config.Parse("h.cfg", []byte(strings.ReplaceAll(cfg, "@SOCK@", "/tmp/x.sock")), config.Options{})
			if err != nil {
				t.Fatal(err)
			}
			px := c.Proxy("be", config.CapBE)
			p, err := NewProgram(px, px.Servers[0])
			if err != nil {
				t.Fatal(err)
			}
			want := requestLen(p)
			var sent []byte
			for _, s := range p.Steps {
				sent = append(sent, s.Data...)
			}
			ts.serve(t, script{resp: []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), reqLen: want, close: true})
			startHAProxy(t, cfg)
			select {
			case b := <-ts.got:
				if !bytes.Equal(b, sent) {
					t.Errorf("haproxy sent:\n%q\nhitless sends:\n%q", b, sent)
				}
			case <-time.After(5 * time.Second):
				t.Error("no connection from haproxy")
			}
		})
	}
}
