package check

import (
	"bytes"
	"errors"
	"strings"
	"syscall"
	"testing"

	"hitless/engine/config"
)

// backend parses a backend made of lines ('|' separated) and a server
// "s1 127.0.0.1:8000 check <srv>", and returns it with its server.
func backend(t testing.TB, lines, srv string) (*config.Proxy, *config.Server) {
	t.Helper()
	cfg := "defaults\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\nbackend be\n"
	if lines != "" {
		cfg += "  " + strings.ReplaceAll(lines, "|", "\n  ") + "\n"
	}
	cfg += "  server s1 127.0.0.1:8000 check " + srv + "\n"
	c, err := config.Parse("t.cfg", []byte(cfg), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	px := c.Proxy("be", config.CapBE)
	return px, px.Servers[0]
}

func program(t testing.TB, lines string) *Program {
	t.Helper()
	px, srv := backend(t, lines, "")
	p, err := NewProgram(px, srv)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func sentBytes(p *Program) []byte {
	var b []byte
	for _, s := range p.Steps {
		b = append(b, s.Data...)
	}
	return b
}

func TestRequestBytes(t *testing.T) {
	zeros23 := strings.Repeat("\x00", 23)
	for _, tt := range []struct {
		name, lines, want string
	}{
		{"connect", "", ""},
		{"mysql no user", "option mysql-check", ""},
		{"mysql post-41", "option mysql-check user check",
			"\x27\x00\x00\x01" + "\x00\x82\x00\x00" + "\x00\x80\x00\x01" + "\x21" + zeros23 + "check\x00" + "\x00" + "\x01\x00\x00\x00\x01"},
		{"mysql post-41 explicit", "option mysql-check user ab post-41",
			"\x24\x00\x00\x01" + "\x00\x82\x00\x00" + "\x00\x80\x00\x01" + "\x21" + zeros23 + "ab\x00" + "\x00" + "\x01\x00\x00\x00\x01"},
		{"mysql pre-41", "option mysql-check user check pre-41",
			"\x0c\x00\x00\x01" + "\x00\x80" + "\x00\x00\x01" + "check\x00" + "\x00" + "\x01\x00\x00\x00\x01"},
		{"pgsql", "option pgsql-check user pg", "\x00\x00\x00\x11\x00\x03\x00\x00user\x00pg\x00\x00"},
		{"redis", "option redis-check", "*1\r\n$4\r\nPING\r\n"},
		{"httpchk", "option httpchk", "OPTIONS / HTTP/1.0\r\n\r\n"},
		{"httpchk send", "option httpchk POST /p HTTP/1.1|http-check send hdr Host h body {}",
			"POST /p HTTP/1.1\r\nhost: h\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}"},
		{"tcp-check", "option tcp-check|tcp-check send PING\\r\\n|tcp-check send-binary 00ff|tcp-check expect string +PONG",
			"PING\r\n\x00\xff"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := sentBytes(program(t, tt.lines)); string(got) != tt.want {
				t.Errorf("sends %q, want %q", got, tt.want)
			}
		})
	}
}

// want is the expected report of a check: status, code and info.
type want struct {
	st   Status
	code int
	info string
}

func (w want) check(t *testing.T, res Result) {
	t.Helper()
	if res.Status != w.st || res.Code != w.code || res.Info() != w.info {
		t.Errorf("report %v code %d info %q, want %v code %d info %q", res.Status, res.Code, res.Info(), w.st, w.code, w.info)
	}
}

var (
	greeting = mysqlGreeting
	pgMD5    = pgMessage('R', []byte{0, 0, 0, 5, 1, 2, 3, 4})
)

func TestChecks(t *testing.T) {
	http200 := []byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
	for _, tt := range []struct {
		name  string
		lines string
		s     script
		want  []want // every report
	}{
		// Connect.
		{"connect ok", "", script{}, []want{{StatusL4OK, 0, ""}}},
		{"connect refused", "", script{refused: true}, []want{{StatusL4CON, 0, "Connection refused"}}},

		// HTTP: good, wrong, partial, EOF mid-answer, oversize.
		{"http ok", "option httpchk", script{resp: http200, reqLen: -1}, []want{{StatusL7OK, 200, ""}}},
		{"http 500", "option httpchk", script{resp: []byte("HTTP/1.1 500 Internal Error\r\n\r\n"), reqLen: -1}, []want{{StatusL7STS, 500, "Internal Error"}}},
		{"http partial headers", "option httpchk", script{resp: []byte("HTTP/1.1 200 OK\r\nConte"), reqLen: -1}, []want{{StatusL7TOUT, 0, ""}}},
		{"http eof in headers", "option httpchk", script{resp: []byte("HTTP/1.1 200 OK\r\nConte"), reqLen: -1, close: true}, []want{{StatusL7RSP, 0, ""}}},
		{"http not http", "option httpchk", script{resp: []byte("220 smtp\r\n"), reqLen: -1}, []want{{StatusL7RSP, 0, ""}}},
		{"http body partial", "option httpchk|http-check expect string hello", script{resp: http200[:len(http200)-2], reqLen: -1}, []want{{StatusL7TOUT, 0, ""}}},
		{"http body eof", "option httpchk|http-check expect string hello", script{resp: http200[:len(http200)-2], reqLen: -1, close: true}, []want{{StatusL7RSP, 200, "HTTP content check did not match"}}},
		{"http body ok", "option httpchk|http-check expect string hello", script{resp: http200, reqLen: -1}, []want{{StatusL7OK, 200, ""}}},
		{"http body regex", "option httpchk|http-check expect rstring h.l+o", script{resp: http200, reqLen: -1}, []want{{StatusL7OK, 200, ""}}},
		{"http body until close", "option httpchk|http-check expect string hello", script{resp: []byte("HTTP/1.0 200 OK\r\n\r\nsay hello"), reqLen: -1}, []want{{StatusL7OK, 200, ""}}},
		{"http body oversize", "option httpchk|http-check expect string needle", script{resp: append([]byte("HTTP/1.0 200 OK\r\n\r\n"), bytes.Repeat([]byte("x"), 20000)...), reqLen: -1}, []want{{StatusL7RSP, 200, "HTTP content check did not match"}}},
		{"http chunked", "option httpchk|http-check expect string hello", script{resp: []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n"), reqLen: -1}, []want{{StatusL7OK, 200, ""}}},
		{"http chunked partial", "option httpchk|http-check expect string hello", script{resp: []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nl"), reqLen: -1}, []want{{StatusL7TOUT, 0, ""}}},
		{"http chunked bad", "option httpchk|http-check expect string hello", script{resp: []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), reqLen: -1}, []want{{StatusL7RSP, 200, ""}}},
		{"http error status", "option httpchk|http-check expect status 200 error-status L7OKC", script{resp: []byte("HTTP/1.1 503 Busy\r\n\r\n"), reqLen: -1}, []want{{StatusL7OKC, 503, "Busy"}}},
		{"http on-error", "option httpchk|http-check expect status 200 on-error bad", script{resp: []byte("HTTP/1.1 503 Busy\r\n\r\n"), reqLen: -1}, []want{{StatusL7STS, 503, "bad"}}},
		{"http on-error body", "option httpchk|http-check expect string x on-error bad comment c", script{resp: []byte("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny"), reqLen: -1}, []want{{StatusL7RSP, 200, "bad comment: c"}}},
		{"http head", "option httpchk HEAD /", script{resp: []byte("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"), reqLen: -1}, []want{{StatusL7OK, 200, ""}}},
		{"http 404 no disable", "option httpchk", script{resp: []byte("HTTP/1.1 404 Not Found\r\n\r\n"), reqLen: -1}, []want{{StatusL7STS, 404, "Not Found"}}},
		{"http disable-on-404", "option httpchk|http-check disable-on-404|http-check expect string x", script{resp: []byte("HTTP/1.1 404 Not Found\r\n\r\n"), reqLen: -1}, []want{{StatusL7OKC, 404, ""}}},

		// tcp-check.
		{"tcp ok", "option tcp-check|tcp-check send PING\\r\\n|tcp-check expect string +PONG", script{resp: []byte("+PONG\r\n"), reqLen: -1}, []want{{StatusL7OK, 0, "(tcp-check)"}}},
		{"tcp partial", "option tcp-check|tcp-check send PING\\r\\n|tcp-check expect string +PONG", script{resp: []byte("+PO"), reqLen: -1}, []want{{StatusL7TOUT, 0, " at step 2 of tcp-check (expect string '+PONG')"}}},
		{"tcp eof mid-answer", "option tcp-check|tcp-check send PING\\r\\n|tcp-check expect string +PONG", script{resp: []byte("+PO"), reqLen: -1, close: true}, []want{{StatusL7RSP, 0, "TCPCHK did not match content '+PONG' at step 2"}}},
		{"tcp empty", "option tcp-check|tcp-check send PING\\r\\n|tcp-check expect string +PONG error-status L7STS", script{reqLen: -1, close: true}, []want{{StatusL7STS, 0, "TCPCHK got an empty response at step 2"}}},
		{"tcp reset", "option tcp-check|tcp-check send PING\\r\\n|tcp-check expect string +PONG", script{rst: true}, []want{{StatusSockErr, 0, "Connection reset by peer at step 2 of tcp-check (expect string '+PONG')"}}},
		{"tcp oversize", "option tcp-check|tcp-check expect string needle", script{greet: bytes.Repeat([]byte("x"), 20000)}, []want{{StatusL7RSP, 0, "TCPCHK did not match content 'needle' at step 1"}}},
		// A string still waits for its length, whatever min-recv says (haproxy does).
		{"tcp min-recv 0", "option tcp-check|tcp-check expect min-recv 0 string +OK", script{greet: []byte("-")}, []want{{StatusL7TOUT, 0, " at step 1 of tcp-check (expect string '+OK')"}}},
		{"tcp min-recv 0 regex", "option tcp-check|tcp-check expect min-recv 0 rstring ^\\+OK", script{greet: []byte("-")}, []want{{StatusL7RSP, 0, "TCPCHK did not match content (regex) at step 1"}}},
		{"tcp inverse waits", "option tcp-check|tcp-check expect ! string ERR", script{greet: []byte("+OK")}, []want{{StatusL7TOUT, 0, " at step 1 of tcp-check (expect string 'ERR')"}}},
		{"tcp inverse head", "option tcp-check|tcp-check expect ! string ERR|tcp-check expect string OK", script{greet: []byte("+OK"), close: true}, []want{{StatusL7OK, 0, "(tcp-check)"}}},
		{"tcp comments", "option tcp-check|tcp-check comment greeting|tcp-check expect string +OK|tcp-check expect string ready", script{greet: []byte("+OK no"), close: true}, []want{{StatusL7RSP, 0, "TCPCHK did not match content 'ready' at step 3 comment: greeting"}}},
		{"tcp connect comment", "option tcp-check|tcp-check comment first|tcp-check connect port 81|tcp-check send x", script{refused: true}, []want{{StatusL4CON, 0, "Connection refused at step 2 of tcp-check (connect port 81) comment: 'first'"}}},
		{"tcp rbinary", "option tcp-check|tcp-check expect rbinary ^00FF", script{greet: []byte{0, 0xff, 1}}, []want{{StatusL7OK, 0, "(tcp-check)"}}},
		{"tcp on-success", "option tcp-check|tcp-check expect string ok on-success fine ok-status L4OK", script{greet: []byte("ok")}, []want{{StatusL4OK, 0, "fine"}}},
		{"tcp send too large", "option tcp-check|tcp-check send " + strings.Repeat("x", 16384), script{}, []want{{StatusL7RSP, 0, "tcp-check send : string too large (16384) for buffer size (16384) at step 1"}}},

		// MySQL: a passing check reports twice.
		{"mysql greeting", "option mysql-check", script{greet: greeting, close: true}, []want{{StatusL7OK, 0, mysqlVersion}, {StatusL7OK, 0, ""}}},
		{"mysql partial greeting", "option mysql-check", script{greet: greeting[:30]}, []want{{StatusL7TOUT, 0, ""}}},
		{"mysql eof mid-greeting", "option mysql-check", script{greet: greeting[:30], close: true}, []want{{StatusL7RSP, 0, ""}}},
		{"mysql blocked", "option mysql-check", script{greet: mysqlBlocked, close: true}, []want{{StatusL7STS, 1129, "Host '127.0.0.1' is blocked because of many connection errors"}}},
		{"mysql user ok", "option mysql-check user check", script{greet: greeting, resp: mysqlOK, reqLen: -1, close: true}, []want{{StatusL7OK, 0, mysqlVersion}, {StatusL7OK, 0, ""}}},
		{"mysql user no answer", "option mysql-check user check", script{greet: greeting, reqLen: -1}, []want{{StatusL7TOUT, 0, ""}}},
		{"mysql user denied", "option mysql-check user check", script{greet: greeting, resp: mysqlDenied, reqLen: -1, close: true}, []want{{StatusL7STS, 1045, "#28000Access denied for user 'check'@'localhost' (using password: NO)"}}},

		// PostgreSQL.
		{"pgsql md5", "option pgsql-check user pg", script{resp: pgMD5, reqLen: -1}, []want{{StatusL7OK, 0, "PostgreSQL server is ok"}}},
		{"pgsql partial", "option pgsql-check user pg", script{resp: pgMD5[:7], reqLen: -1}, []want{{StatusL7TOUT, 0, ""}}},
		{"pgsql eof mid-answer", "option pgsql-check user pg", script{resp: pgMD5[:7], reqLen: -1, close: true}, []want{{StatusL7STS, 0, "PostgreSQL unknown error"}}},
		{"pgsql error", "option pgsql-check user pg", script{resp: pgMessage('E', []byte("SFATAL\x00Mno\x00\x00")), reqLen: -1}, []want{{StatusL7RSP, 0, "FATAL"}}},
		{"pgsql other", "option pgsql-check user pg", script{resp: pgMessage('N', []byte("xxxxxxxx")), reqLen: -1}, []want{{StatusL7STS, 0, "PostgreSQL unknown error"}}},

		// Redis.
		{"redis pong", "option redis-check", script{resp: []byte("+PONG\r\n"), reqLen: -1}, []want{{StatusL7OK, 0, "Redis server is ok"}}},
		{"redis partial", "option redis-check", script{resp: []byte("+PO"), reqLen: -1}, []want{{StatusL7TOUT, 0, ""}}},
		{"redis loading", "option redis-check", script{resp: []byte("-LOADING Redis is loading the dataset in memory\r\n"), reqLen: -1, close: true}, []want{{StatusL7STS, 0, "-LOADING Redis is loading the dataset in memory"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := program(t, tt.lines)
			s := tt.s
			if s.reqLen < 0 {
				s.reqLen = requestLen(p)
			}
			_, reports := simulate(p, s, false)
			if len(reports) != len(tt.want) {
				t.Fatalf("%d reports, want %d: %+v", len(reports), len(tt.want), reports)
			}
			for i, w := range tt.want {
				w.check(t, reports[i])
			}
		})
	}
}

func TestDisableOn404ServerDown(t *testing.T) {
	p := program(t, "option httpchk|http-check disable-on-404")
	resp := []byte("HTTP/1.1 404 Not Found\r\n\r\n")
	_, reports := simulate(p, script{resp: resp, reqLen: requestLen(p)}, true)
	want{StatusL7STS, 404, "Not Found"}.check(t, reports[0])
	_, reports = simulate(p, script{resp: resp, reqLen: requestLen(p)}, false)
	want{StatusL7OKC, 404, ""}.check(t, reports[0])
}

func TestRunEvents(t *testing.T) {
	p := program(t, "option tcp-check|tcp-check send x|tcp-check expect string y")
	var r Run
	r.Start(p, false)
	if s := r.Step(); s.Op != OpConnect || s.Host != "127.0.0.1" || s.Port != 8000 || s.Linger {
		t.Fatalf("first step %+v", s)
	}
	r.TimedOut()
	want{StatusL4TOUT, 0, " at initial connection step of tcp-check"}.check(t, r.Result())
	if !r.Done() || r.Step() != nil {
		t.Error("not done after a timeout")
	}
	r.Failed(syscall.ECONNREFUSED) // ignored once done
	if len(r.Reports()) != 1 {
		t.Error("a second report after the end")
	}

	r.Start(p, false)
	r.Connected()
	if r.Step().Op != OpSend {
		t.Fatal("no send after connect")
	}
	r.Failed(syscall.EPIPE)
	want{StatusSockErr, 0, "Broken pipe at step 1 of tcp-check (send)"}.check(t, r.Result())

	r.Start(p, false)
	r.Connected()
	r.Sent()
	if v := r.Received([]byte("z"), false); v != NeedMore {
		t.Errorf("verdict %v", v)
	}
	if v := r.Received([]byte("zy"), false); v != Pass || !r.Done() {
		t.Errorf("verdict %v done %v", v, r.Done())
	}
	want{StatusL7OK, 0, "(tcp-check)"}.check(t, r.Result())
	r.SetDuration(1500)
	if r.Result().Duration != 1500 {
		t.Error("SetDuration")
	}

	// Events that do not match the current step are ignored.
	r.Start(p, false)
	r.Sent()
	if v := r.Received(nil, true); v != Pass || r.Step().Op != OpConnect {
		t.Error("out of order events moved the run")
	}
}

func TestNewProgramTargets(t *testing.T) {
	for _, tt := range []struct {
		name, lines, srv string
		host             string
		port             int
	}{
		{"server", "", "", "127.0.0.1", 8000},
		{"port", "", "port 9000", "127.0.0.1", 9000},
		{"addr", "", "addr 10.0.0.1", "10.0.0.1", 8000},
		{"addr with port", "", "addr 10.0.0.1:9001", "10.0.0.1", 9001},
		{"port beats addr port", "", "addr 10.0.0.1:9001 port 9002", "10.0.0.1", 9002},
		{"rule port", "option tcp-check|tcp-check connect port 9003", "port 9002", "127.0.0.1", 9003},
		{"rule addr", "option tcp-check|tcp-check connect addr 10.0.0.2", "port 9002", "10.0.0.2", 9002},
		{"rule addr port", "option tcp-check|tcp-check connect addr [::1]:9004", "port 9002", "::1", 9004},
	} {
		t.Run(tt.name, func(t *testing.T) {
			px, srv := backend(t, tt.lines, tt.srv)
			p, err := NewProgram(px, srv)
			if err != nil {
				t.Fatal(err)
			}
			s := p.Steps[0]
			if s.Op != OpConnect || s.Host != tt.host || s.Port != tt.port {
				t.Errorf("connect to %s:%d, want %s:%d", s.Host, s.Port, tt.host, tt.port)
			}
			if strings.Contains(tt.host, ":") != (s.Kind == config.AddrIPv6) {
				t.Errorf("kind %v", s.Kind)
			}
		})
	}

	px, srv := backend(t, "", "")
	srv2 := *srv
	srv2.Check = false
	if _, err := NewProgram(px, &srv2); !errors.Is(err, ErrNoCheck) {
		t.Errorf("no check: %v", err)
	}
	srv2 = *srv
	srv2.Port = 0
	if _, err := NewProgram(px, &srv2); !errors.Is(err, ErrNoPort) {
		t.Errorf("no port: %v", err)
	}
	srv2 = *srv
	srv2.Kind = config.AddrFD
	if _, err := NewProgram(px, &srv2); !errors.Is(err, ErrAddr) {
		t.Errorf("fd: %v", err)
	}
	srv2 = *srv
	srv2.Kind, srv2.Path, srv2.Port = config.AddrUnix, "/run/s.sock", 0
	if p, err := NewProgram(px, &srv2); err != nil || p.Steps[0].Path != "/run/s.sock" {
		t.Errorf("unix: %v", err)
	}
}

func TestProgramShapes(t *testing.T) {
	type shape struct {
		op       Op
		id       int
		implicit bool
		comment  string
	}
	for _, tt := range []struct {
		name, lines string
		want        []shape
	}{
		{"connect", "", []shape{{OpConnect, 0, true, ""}}},
		{"httpchk", "option httpchk", []shape{{OpConnect, 0, true, ""}, {OpSend, 1, false, ""}, {OpExpect, 1, false, ""}}},
		{"httpchk after connect", "http-check connect port 81|option httpchk", []shape{{OpConnect, 1, false, ""}, {OpSend, 1, false, ""}, {OpExpect, 1, false, ""}}},
		{"http sequence", "option httpchk|http-check connect|http-check comment c|http-check send meth GET|http-check expect status 200|http-check connect port 81|http-check send meth HEAD",
			[]shape{{OpConnect, 1, false, ""}, {OpSend, 1, false, "c"}, {OpExpect, 2, false, ""}, {OpConnect, 3, false, ""}, {OpSend, 4, false, ""}, {OpExpect, 4, false, ""}}},
		{"tcp comments", "option tcp-check|tcp-check comment a|tcp-check connect|tcp-check send x|tcp-check comment b|tcp-check send y|tcp-check send z|tcp-check expect string z|tcp-check comment c|tcp-check connect port 82|tcp-check send w",
			[]shape{{OpConnect, 2, false, "a"}, {OpSend, 3, false, ""}, {OpSend, 5, false, "b"}, {OpSend, 6, false, "b"}, {OpExpect, 7, false, ""}, {OpConnect, 9, false, "c"}, {OpSend, 10, false, ""}}},
		{"mysql", "option mysql-check user u", []shape{{OpConnect, 1, false, ""}, {OpSend, 2, false, ""}, {OpExpect, 3, false, ""}, {OpExpect, 4, false, ""}}},
		{"pgsql", "option pgsql-check user u", []shape{{OpConnect, 1, false, ""}, {OpSend, 2, false, ""}, {OpExpect, 3, false, ""}, {OpExpect, 4, false, ""}}},
		{"redis", "option redis-check", []shape{{OpConnect, 0, true, ""}, {OpSend, 1, false, ""}, {OpExpect, 2, false, ""}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := program(t, tt.lines)
			var got []shape
			for _, s := range p.Steps {
				got = append(got, shape{s.Op, s.id, s.implicit, s.comment})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("steps %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("step %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
	// Linger: protocol checks close cleanly, as HAProxy's "connect default linger".
	for _, l := range []string{"option mysql-check", "option pgsql-check user u"} {
		if !program(t, l).Steps[0].Linger {
			t.Errorf("%s: no linger", l)
		}
	}
}

func TestMatcherVerdicts(t *testing.T) {
	ctx := expectCtx{id: 1, tcp: true}
	str := &tcpExpect{expectCtx: ctx, kind: tcpString, data: []byte("+OK"), pattern: "+OK", minRecv: -1}
	http := &httpExpect{expectCtx: expectCtx{id: 1}, kind: httpStatusCodes, codes: [][2]int{{200, 399}}, minRecv: -1}
	my := &mysqlExpect{expectCtx: expectCtx{id: 2}, last: true, ok: StatusL7OK}
	for _, tt := range []struct {
		name string
		m    Matcher
		buf  string
		eof  bool
		v    Verdict
	}{
		{"string short", str, "+O", false, NeedMore},
		{"string short eof", str, "+O", true, Fail},
		{"string found", str, "xx+OKxx", false, Pass},
		{"string absent waits", str, "-ERR", false, NeedMore},
		{"string absent eof", str, "-ERR", true, Fail},
		{"http no headers", http, "HTTP/1.1 200 OK\r\n", false, NeedMore},
		{"http no headers eof", http, "HTTP/1.1 200 OK\r\n", true, Fail},
		{"http lf only", http, "HTTP/1.0 301 Moved\nLocation: /\n\n", false, Pass},
		{"http bad header", http, "HTTP/1.1 200 OK\r\nbad header\r\n\r\n", false, Fail},
		{"http bad status", http, "HTTP/1.1 2x0 OK\r\n\r\n", false, Fail},
		{"http prefix", http, "HTT", false, NeedMore},
		{"http not http", http, "SSH-2.0", false, Fail},
		{"http two lengths", http, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", false, Fail},
		{"mysql header only", my, "\x0a\x00\x00", false, NeedMore},
		{"mysql body short", my, "\x0a\x00\x00\x00\x0a5.7", false, NeedMore},
		{"mysql body short eof", my, "\x0a\x00\x00\x00\x0a5.7", true, Fail},
		{"mysql packet", my, "\x05\x00\x00\x00\x0a5.7\x00", false, Pass},
		{"pgsql short", &pgsqlError{}, "E\x00", false, NeedMore},
		{"redis short", &redisExpect{}, "+PO", false, NeedMore},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if v, _ := tt.m.Match([]byte(tt.buf), tt.eof); v != tt.v {
				t.Errorf("verdict %v, want %v", v, tt.v)
			}
		})
	}
}

func TestStatuses(t *testing.T) {
	for _, tt := range []struct {
		st         Status
		name, desc string
		code       bool
		out        Outcome
	}{
		{StatusUnknown, "UNK", "Unknown", false, OutcomeUnknown},
		{StatusIni, "INI", "Initializing", false, OutcomeUnknown},
		{StatusSockErr, "SOCKERR", "Socket error", false, OutcomeFailed},
		{StatusL4OK, "L4OK", "Layer4 check passed", false, OutcomePassed},
		{StatusL4TOUT, "L4TOUT", "Layer4 timeout", false, OutcomeFailed},
		{StatusL4CON, "L4CON", "Layer4 connection problem", false, OutcomeFailed},
		{StatusL6OK, "L6OK", "Layer6 check passed", false, OutcomePassed},
		{StatusL6TOUT, "L6TOUT", "Layer6 timeout", false, OutcomeFailed},
		{StatusL6RSP, "L6RSP", "Layer6 invalid response", false, OutcomeFailed},
		{StatusL7TOUT, "L7TOUT", "Layer7 timeout", false, OutcomeFailed},
		{StatusL7RSP, "L7RSP", "Layer7 invalid response", false, OutcomeFailed},
		{StatusL7OK, "L7OK", "Layer7 check passed", true, OutcomePassed},
		{StatusL7OKC, "L7OKC", "Layer7 check conditionally passed", true, OutcomeCondPass},
		{StatusL7STS, "L7STS", "Layer7 wrong status", true, OutcomeFailed},
		{StatusChecked, "CHECKED", "No status change", false, OutcomeNeutral},
		{StatusHANA, "HANA", "Health analyze", false, OutcomeFailed},
		{StatusProcOK, "PROCOK", "External check passed", true, OutcomePassed},
		{Status(200), "UNK", "Unknown", false, OutcomeUnknown},
	} {
		if tt.st.String() != tt.name || tt.st.Desc() != tt.desc || tt.st.HasCode() != tt.code || tt.st.Outcome() != tt.out {
			t.Errorf("%d: %s %q %v %v", tt.st, tt.st, tt.st.Desc(), tt.st.HasCode(), tt.st.Outcome())
		}
		if tt.st < statusCount {
			if st, ok := ParseStatus(tt.name); !ok || st != tt.st {
				t.Errorf("ParseStatus(%q) = %v, %v", tt.name, st, ok)
			}
		}
	}
	var r Result
	r.SetInfo(strings.Repeat("x", 200))
	if len(r.Info()) != InfoMax {
		t.Errorf("info of %d bytes", len(r.Info()))
	}
	r.SetInfo("ab\x00cd")
	r.addInfo("ef")
	if r.Info() != "ab" {
		t.Errorf("info after a NUL: %q", r.Info())
	}
	for errno, text := range map[syscall.Errno]string{
		syscall.ECONNREFUSED:  "Connection refused",
		syscall.ETIMEDOUT:     "Connection timed out",
		syscall.EHOSTUNREACH:  "No route to host",
		syscall.ENETUNREACH:   "Network is unreachable",
		syscall.ECONNRESET:    "Connection reset by peer",
		syscall.EADDRNOTAVAIL: "Cannot assign requested address",
		syscall.ENOENT:        "No such file or directory",
	} {
		var r Result
		appendStrerror(&r, errno)
		if r.Info() != text {
			t.Errorf("%d: %q, want %q", errno, r.Info(), text)
		}
	}
}
