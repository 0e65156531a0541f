package logs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests run the installed HAProxy 2.6 with "log" lines pointing at
// a UDP socket (or its stdout) of the test, send it one request for a
// net/http backend, and compare what HAProxy logs with what Compile,
// Append, AppendHeader and Sink produce for the same stream: headers
// byte for byte, messages byte for byte where every value is known and
// with digits masked where HAProxy measured something (timers, bytes).
// They are skipped when haproxy is missing, unless CI=true.

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

// haproxyRun is one "haproxy -db" process.
type haproxyRun struct {
	pid    int
	fe     netip.AddrPort // the frontend's bind address
	stdout *bufio.Reader
}

// freePort returns a loopback port nobody listens on (for a moment).
func freePort(t *testing.T) netip.AddrPort {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).AddrPort()
}

// startHAProxy runs haproxy on cfg, where "@FE@" is replaced by a free
// loopback address; tz is its TZ. It waits until the frontend accepts
// and stops haproxy when the test ends.
func startHAProxy(t *testing.T, cfg, tz string) *haproxyRun {
	t.Helper()
	bin := haproxyBin(t)
	fe := freePort(t)
	cfg = strings.ReplaceAll(cfg, "@FE@", fe.String())
	path := filepath.Join(t.TempDir(), "h.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-f", path)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "TZ=" + tz}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp4", fe.String())
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			t.Fatalf("haproxy exited:\n%s", stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy does not listen on %v", fe)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return &haproxyRun{pid: cmd.Process.Pid, fe: fe, stdout: bufio.NewReader(out)}
}

// backend is an HTTP server answering "hello" with an "X-Srv: abc" header.
func backend(t *testing.T) netip.AddrPort {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Srv", "abc")
		io.WriteString(w, "hello\n")
	}))
	t.Cleanup(srv.Close)
	return netip.MustParseAddrPort(srv.Listener.Addr().String())
}

// request sends req to haproxy, reads the answer up to the close and
// returns the client's address.
func (h *haproxyRun) request(t *testing.T, req string) netip.AddrPort {
	t.Helper()
	c, err := net.Dial("tcp4", h.fe.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(c); err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	return c.LocalAddr().(*net.TCPAddr).AddrPort()
}

// masked replaces every run of digits with "0": timers, byte counts and
// dates differ between two runs, their place and punctuation must not.
func masked(b []byte) string {
	return regexp.MustCompile(`[0-9]+`).ReplaceAllString(string(b), "0")
}

// logConfig is a configuration with one frontend "fe" (mode, log lines,
// extra lines) and one backend "be" with server "s1" at srv.
func logConfig(mode, globalLog, feLines string, srv netip.AddrPort) string {
	return fmt.Sprintf(`global
  %s
defaults
  mode %s
  timeout client 5s
  timeout server 5s
  timeout connect 5s
  log global
  option dontlognull
frontend fe
  bind @FE@
%s
  default_backend be
backend be
  server s1 %v
`, globalLog, mode, feLines, srv)
}

const captures = `  capture request header User-Agent len 10
  capture request header Host len 10
  capture response header X-Srv len 10
`

var header3164 = regexp.MustCompile(`^<\d+>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) `)

// splitHeader finds the date HAProxy wrote in the header of datagram d
// under framing fr, in location loc, and returns it with the header our
// AppendHeader writes for it, which must start d.
func splitHeader(t *testing.T, d []byte, fr Framing, loc *time.Location, host, tag string, pid int) (time.Time, []byte) {
	t.Helper()
	var when time.Time
	var m [][]byte
	switch fr {
	case FrameRFC3164, FrameLocal:
		if m = header3164.FindSubmatch(d); m != nil {
			p, err := time.ParseInLocation("Jan _2 15:04:05", string(m[1]), loc)
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now().In(loc)
			when = time.Date(now.Year(), p.Month(), p.Day(), p.Hour(), p.Minute(), p.Second(), 0, loc)
		}
	case FrameRFC5424, FrameTimed, FrameISO:
		re := map[Framing]string{FrameRFC5424: `^<\d+>1 (\S+) `, FrameTimed: `^<\d+>(\S+) `, FrameISO: `^(\S+) `}[fr]
		if m = regexp.MustCompile(re).FindSubmatch(d); m != nil {
			p, err := time.Parse(time.RFC3339Nano, string(m[1]))
			if err != nil {
				t.Fatal(err)
			}
			when = p
		}
	default:
		m = [][]byte{nil}
	}
	if m == nil {
		t.Fatalf("%v: no header in %q", fr, d)
	}
	h := AppendHeader(nil, fr, 19, LevelInfo, when, host, tag, pid)
	if !bytes.HasPrefix(d, h) {
		t.Fatalf("%v header:\n got %q\nwant %q", fr, d[:min(len(d), len(h)+10)], h)
	}
	return when, h
}

func udpLog(t *testing.T) (*net.UDPConn, string) {
	rc := udpReceiver(t)
	return rc, rc.LocalAddr().String()
}

// The built-in formats log the same fields in the same places.
func TestHAProxyBuiltinFormats(t *testing.T) {
	haproxyBin(t)
	srv := backend(t)
	host, _ := os.Hostname()
	httpReq := "GET /path/x?a=1&b=2 HTTP/1.1\r\nHost: h\r\nUser-Agent: ua\r\nConnection: close\r\n\r\n"
	for _, tt := range []struct {
		name, mode, option, format string
		req                        string
		term                       string
	}{
		{"httplog", "http", "option httplog", HTTPLog, httpReq, "----"},
		{"httplog clf", "http", "option httplog clf", CLFHTTPLog, httpReq, "----"},
		{"tcplog", "tcp", "option tcplog", TCPLog, "GET / HTTP/1.0\r\n\r\n", "--"},
		{"default http", "http", "", DefaultLog, httpReq, ""},
		{"default tcp", "tcp", "", DefaultTCPLog, "GET / HTTP/1.0\r\n\r\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rc, addr := udpLog(t)
			h := startHAProxy(t, logConfig(tt.mode, "log "+addr+" local3", "  "+tt.option+"\n"+captures, srv), "UTC")
			client := h.request(t, tt.req)
			// The default format also logs the connection startHAProxy
			// made to see whether haproxy listens.
			d := readDatagram(t, rc)
			for i := 0; i < 10 && !bytes.Contains(d, []byte(strconv.Itoa(int(client.Port())))); i++ {
				d = readDatagram(t, rc)
			}
			if !bytes.HasSuffix(d, []byte("\n")) {
				t.Fatalf("no LF at the end of %q", d)
			}
			d = d[:len(d)-1]
			_, hdr := splitHeader(t, d, FrameRFC3164, time.UTC, "", "haproxy", h.pid)
			got := d[len(hdr):]

			var f *Format
			var err error
			if tt.mode == "tcp" {
				f, err = CompileTCP(tt.format)
			} else {
				f, err = Compile(tt.format)
			}
			if err != nil {
				t.Fatal(err)
			}
			fl := testFields()
			fl.Accept, fl.Request = time.Now().UTC(), time.Time{}
			fl.ClientAddr, fl.FrontAddr, fl.ServerAddr = client, h.fe, srv
			fl.Frontend, fl.Backend, fl.Server, fl.Hostname, fl.Pid = "fe", "be", "s1", host, h.pid
			copy(fl.TermState[:], tt.term+"----")
			fl.ReqLine = []byte("GET /path/x?a=1&b=2 HTTP/1.1")
			fl.ReqCaptures = [][]byte{[]byte("ua"), []byte("h")}
			if tt.mode == "tcp" {
				fl.ReqCaptures, fl.ResCaptures = nil, nil
			}
			want := f.Append(nil, fl)
			if masked(got) != masked(want) {
				t.Errorf("\nhaproxy %q\nhitless %q", got, want)
			}
		})
	}
}

// Every framing, with and without log-send-hostname, gives the same
// header as AppendHeader, and the same datagram or line from a Sink.
func TestHAProxyFraming(t *testing.T) {
	haproxyBin(t)
	srv := backend(t)
	loc, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Skip("no Asia/Kolkata zone:", err)
	}
	type framingCase struct {
		format  string // "" for no "format" keyword
		fr      Framing
		sendHN  bool
		host    string // Target.Hostname that gives HAProxy's header
		maxLen  int
		message string // log-format (spaces, no quotes)
	}
	var cases []framingCase
	for _, name := range append([]string{""}, framingNames[:]...) {
		for _, sendHN := range []bool{false, true} {
			c := framingCase{format: name, sendHN: sendHN, message: "%ci %ST %{+Q}r"}
			c.fr, _ = ParseFraming(name)
			if sendHN {
				c.host = "myhost"
			} else if name == "rfc3164" {
				c.host = "localhost"
			}
			cases = append(cases, c)
		}
	}
	long := strings.Repeat("A", 120)
	cases = append(cases,
		framingCase{format: "rfc5424", fr: FrameRFC5424, maxLen: 80, message: "%ci %ST " + long},
		framingCase{format: "rfc3164", fr: FrameRFC3164, sendHN: true, host: "myhost", maxLen: 90, message: "%ci " + long})

	for _, stream := range []bool{false, true} {
		for _, c := range cases {
			name := fmt.Sprintf("format=%q hostname=%v len=%d stream=%v", c.format, c.sendHN, c.maxLen, stream)
			t.Run(name, func(t *testing.T) {
				var rc *net.UDPConn
				target := "stdout"
				if !stream {
					rc, target = udpLog(t)
				}
				logLine := "log " + target
				if c.maxLen > 0 {
					logLine += " len " + strconv.Itoa(c.maxLen)
				}
				if c.format != "" {
					logLine += " format " + c.format
				}
				logLine += " local3 info"
				if c.sendHN {
					logLine += "\n  log-send-hostname myhost"
				}
				h := startHAProxy(t, logConfig("http", logLine, "  log-format '"+c.message+"'\n", srv), "Asia/Kolkata")
				client := h.request(t, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
				var d []byte
				if stream {
					// Skip what HAProxy may log about itself.
					for i := 0; i < 10 && !bytes.Contains(d, []byte("127.0.0.1")); i++ {
						if d, err = h.stdout.ReadBytes('\n'); err != nil {
							t.Fatalf("reading haproxy's stdout: %v", err)
						}
					}
				} else {
					d = readDatagram(t, rc)
					if !bytes.HasSuffix(d, []byte("\n")) {
						t.Fatalf("no LF at the end of %q", d)
					}
					d = d[:len(d)-1] // hitless sends no LF in datagrams
				}
				if c.maxLen > 0 && len(d) != c.maxLen {
					t.Errorf("haproxy's output is %d bytes, not len %d", len(d), c.maxLen)
				}
				when, hdr := splitHeader(t, d, c.fr, loc, c.host, "haproxy", h.pid)

				// The message HAProxy framed, rendered by hitless.
				f, err := Compile(c.message)
				if err != nil {
					t.Fatal(err)
				}
				fl := testFields()
				fl.ClientAddr, fl.Status, fl.ReqLine = client, 200, []byte("GET / HTTP/1.1")
				msg := f.Append(nil, fl)
				if c.maxLen == 0 {
					if got := bytes.TrimSuffix(d[len(hdr):], []byte("\n")); !bytes.Equal(got, msg) {
						t.Errorf("message:\nhaproxy %q\nhitless %q", got, msg)
					}
				}

				// The same message through a Sink gives the same bytes.
				tg := Target{Framing: c.fr, Facility: 19, Level: 7, MaxLen: c.maxLen, Tag: "haproxy", Hostname: c.host, Pid: h.pid}
				var got []byte
				if stream {
					var r *bufio.Reader
					tg.Addr, r = pipeTarget(t)
					s := newSink(t, tg, 4)
					s.Send(LevelInfo, when, msg)
					if got, err = r.ReadBytes('\n'); err != nil {
						t.Fatal(err)
					}
				} else {
					mine := udpReceiver(t)
					tg.Addr = mine.LocalAddr().String()
					s := newSink(t, tg, 4)
					s.Send(LevelInfo, when, msg)
					got = readDatagram(t, mine)
				}
				if !bytes.Equal(got, d) {
					t.Errorf("sink:\nhaproxy %q\nhitless %q", d, got)
				}
			})
		}
	}
}

// Dates and their flags, in a zone that is neither UTC nor a whole hour.
func TestHAProxyDates(t *testing.T) {
	haproxyBin(t)
	srv := backend(t)
	loc, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Skip("no Asia/Kolkata zone:", err)
	}
	rc, addr := udpLog(t)
	const format = "%t|%tr|%trg|%trl|%T|%Tl|%Ts|%ms|%{+X}Ts|%{+X}ms|%{+Q}t"
	h := startHAProxy(t, logConfig("http", "log "+addr+" format raw local0", "  log-format '"+format+"'\n", srv), "Asia/Kolkata")
	h.request(t, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	got := strings.TrimSuffix(string(readDatagram(t, rc)), "\n")
	parts := strings.Split(got, "|")
	accept, err1 := time.ParseInLocation("02/Jan/2006:15:04:05.000", parts[0], loc)
	req, err2 := time.ParseInLocation("02/Jan/2006:15:04:05.000", parts[1], loc)
	if err1 != nil || err2 != nil {
		t.Fatalf("%q: %v %v", got, err1, err2)
	}
	f, _ := Compile(format)
	fl := testFields()
	fl.Accept, fl.Request = accept, req
	if want := string(f.Append(nil, fl)); got != want {
		t.Errorf("\nhaproxy %q\nhitless %q", got, want)
	}
}

// Variables and flags on a request with characters HAProxy encodes.
func TestHAProxyVariables(t *testing.T) {
	haproxyBin(t)
	srv := backend(t)
	host, _ := os.Hostname()
	rc, addr := udpLog(t)
	format := strings.Join([]string{
		"%ci %cp %{+Q}ci %{+X}ci %{+X}cp %fi %fp %{+X}fp %{+Q}fp %si %sp %{+Q}si %bi %bp",
		"%f %ft %{+Q}ft %b %s %{+Q}b %{+E}s %H %{+Q}H %ID %{+Q}ID [%{-M}ID] %CC %{+Q}CS %sslc %sslv",
		"%ST %B %U %{+Q}B %ac %fc %bc %sc %rc %sq %bq %ts %tsc %{+Q}tsc",
		"%hr %hs %hrl %hsl %{+Q}hr %{+Q}hrl %{+E}hr %{+Q,+E}hsl",
		"%r %{+Q}r %{+E}r %HM %HU %HP %HPO %HQ %HV %{+Q}HU %{+Q}HQ %{+E}HU %{+Q}HM",
		"%pid %{+X}pid %rt %lc %Th %Ti %TR %Tq %Tw %Tc %Tr %Td %Ta %Tt %Tu",
		"%% x%%y %.z %{+Q}o %f %{-Q}b %{+Z,bad}s",
	}, " ")
	cfg := logConfig("http", "log "+addr+" format raw local0",
		"  log-format '"+format+"'\n  option accept-invalid-http-request\n"+captures, srv)
	h := startHAProxy(t, cfg, "UTC")
	client := h.request(t, "GET /a\"b#c]\\?q=\"x\"#y HTTP/1.0\r\nUser-Agent: u\"|#{}]\\z\r\nHost: h\r\n\r\n")
	got := bytes.TrimSuffix(readDatagram(t, rc), []byte("\n"))

	f, err := Compile(format)
	if err != nil {
		t.Fatal(err)
	}
	fl := testFields()
	fl.ClientAddr, fl.FrontAddr, fl.ServerAddr = client, h.fe, srv
	fl.BackAddr = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 1)
	fl.Hostname, fl.Pid, fl.UniqueID = host, h.pid, nil
	fl.ReqLine = []byte("GET /a\"b#c]\\?q=\"x\"#y HTTP/1.0")
	fl.ReqCaptures = [][]byte{[]byte("u\"|#{}]\\z"), []byte("h")}
	want := f.Append(nil, fl)
	if masked(got) != masked(want) {
		t.Errorf("\nhaproxy %q\nhitless %q", got, want)
	}
}

var alertRe = regexp.MustCompile(`failed to parse log-format : (.*)\.\n`)

// Compile accepts what HAProxy accepts (sample expressions aside) and
// refuses the rest with HAProxy's own text.
func TestHAProxyCompileErrors(t *testing.T) {
	bin := haproxyBin(t)
	dir := t.TempDir()
	for i, tt := range []struct {
		format string
		mode   string
	}{
		{"%zz x", "http"}, {"%OG", "http"}, {"%{+Q}", "http"}, {"%{+Q} x", "http"}, {"%{+Q", "http"},
		{"abc%", "http"}, {"% x", "http"}, {"ab%1", "http"}, {"%{+Q}1ci", "http"}, {"x%\ty", "http"},
		{"%ci %r", "tcp"}, {"%{+Q}HM", "tcp"}, {"%Ta", "tcp"}, {"%trg", "tcp"}, {"%CC", "tcp"},
		{"%ci %hr %tsc %Tt %Tu %B", "tcp"},
		{"%.x %-y %ci%cp", "http"}, {"  a   b  ", "http"}, {"%{+Z,-Q,bad}ci %{}ci %{Q+X}cp", "http"},
		{"%o %{+Q}o %ci", "http"}, {HTTPLog, "http"}, {CLFHTTPLog, "http"}, {TCPLog, "tcp"},
		{"%HPO %lc %rt %Tu %Tl %sslc %sslv %hrl %hsl", "http"},
		{"%[src]", "http"}, {"%{+Q}[src] %ci", "http"},
	} {
		cfg := fmt.Sprintf("global\n  log 127.0.0.1:514 local0\ndefaults\n  mode %s\n  log global\n"+
			"  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n"+
			"frontend fe\n  bind 127.0.0.1:8080\n  log-format '%s'\n  default_backend be\nbackend be\n  server s1 127.0.0.1:1\n",
			tt.mode, tt.format)
		path := filepath.Join(dir, strconv.Itoa(i)+".cfg")
		if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "-c", "-f", path)
		cmd.Env = []string{"PATH=/usr/bin:/bin"}
		out, runErr := cmd.CombinedOutput()
		compile := Compile
		if tt.mode == "tcp" {
			compile = CompileTCP
		}
		_, err := compile(tt.format)
		m := alertRe.FindSubmatch(out)
		switch {
		case errors.Is(err, ErrSampleExpr):
			if runErr != nil {
				t.Errorf("%q: haproxy refuses a sample expression hitless calls unsupported:\n%s", tt.format, out)
			}
		case m == nil && runErr != nil:
			t.Errorf("%q (%s): haproxy failed without a log-format error:\n%s", tt.format, tt.mode, out)
		case m == nil && err != nil:
			t.Errorf("%q (%s): haproxy accepts it, hitless: %v", tt.format, tt.mode, err)
		case m != nil && err == nil:
			t.Errorf("%q (%s): haproxy: %s, hitless accepts it", tt.format, tt.mode, m[1])
		case m != nil && string(m[1]) != err.Error():
			t.Errorf("%q (%s):\nhaproxy %q\nhitless %q", tt.format, tt.mode, m[1], err)
		}
	}
}
