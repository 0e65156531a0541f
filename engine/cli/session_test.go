package cli

import (
	"bytes"
	"errors"
	"io"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hitless/engine/config"
)

// fakeSource serves fixed figures; tests may change them between sessions.
type fakeSource struct {
	mu   sync.Mutex
	info Info
	rows []StatRow
}

func (f *fakeSource) Info() Info {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.info
}

func (f *fakeSource) AppendStats(dst []StatRow) []StatRow {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append(dst, f.rows...)
}

const testVersion = "2.6.12-hitless"

// builtinHelp lists the built-in commands as HAProxy formats and sorts them.
const builtinHelp = "" +
	"  operator                                : lower the level of the current CLI session to operator\n" +
	"  show cli level                          : display the level of the current CLI session\n" +
	"  show info [desc|json|typed|float]*      : report information about the running process\n" +
	"  show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server\n" +
	showVersionHelp +
	"  user                                    : lower the level of the current CLI session to user\n"

const showVersionHelp = "  show version                            : show version of the current process\n"

// checkGoroutines fails the test if goroutines started during it are still
// running once its cleanups are done. It polls with a deadline.
func checkGoroutines(t testing.TB) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), before, buf)
				return
			}
			runtime.Gosched()
			time.Sleep(time.Millisecond)
		}
	})
}

// testServer is a server listening on a unix socket in a temporary
// directory, closed (and checked for leaks) at the end of the test.
type testServer struct {
	srv  *Server
	src  *fakeSource
	path string
	errc chan error
}

func startServer(t testing.TB, opts Options, level config.Level) *testServer {
	t.Helper()
	if _, fuzz := t.(*testing.F); !fuzz {
		// a fuzzing coordinator starts goroutines of its own
		checkGoroutines(t)
	}
	ts := &testServer{
		src:  &fakeSource{info: Info{Name: "HAProxy", Version: testVersion}},
		path: filepath.Join(t.TempDir(), "stats.sock"),
		errc: make(chan error, 1),
	}
	ln, err := Listen(config.StatsSocket{Kind: config.AddrUnix, Path: ts.path})
	if err != nil {
		t.Fatal(err)
	}
	ts.srv = NewServer(ts.src, opts)
	go func() { ts.errc <- ts.srv.Serve(ln, level) }()
	t.Cleanup(func() {
		if err := ts.srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := <-ts.errc; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ts
}

func (ts *testServer) dial(t *testing.T) *net.UnixConn {
	t.Helper()
	c, err := net.Dial("unix", ts.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c.(*net.UnixConn)
}

// exchange sends in, half-closes if shut, and reads until the server
// closes the connection.
func (ts *testServer) exchange(t *testing.T, in string, shut bool) string {
	t.Helper()
	c := ts.dial(t)
	if _, err := io.WriteString(c, in); err != nil {
		t.Fatal(err)
	}
	if shut {
		c.CloseWrite()
	}
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading answer to %.60q: %v (got %.200q)", in, err, out)
	}
	return string(out)
}

// readUntil reads from c until the data read ends with suffix.
func readUntil(t *testing.T, c net.Conn, suffix string) string {
	t.Helper()
	var b []byte
	buf := make([]byte, 4096)
	for !bytes.HasSuffix(b, []byte(suffix)) {
		n, err := c.Read(buf)
		b = append(b, buf[:n]...)
		if err != nil {
			t.Fatalf("read: %v; got %q, waiting for %q", err, b, suffix)
		}
	}
	return string(b)
}

// expectClosed reads until EOF and returns what came before it.
func expectClosed(t *testing.T, c net.Conn) string {
	t.Helper()
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("waiting for close: %v (got %q)", err, b)
	}
	return string(b)
}

func TestNonInteractive(t *testing.T) {
	ts := startServer(t, Options{}, config.LevelAdmin)
	v := testVersion + "\n\n"
	tests := []struct {
		name string
		in   string
		shut bool // half-close right after sending
		want string
	}{
		{"one command", "show version\n", false, v},
		{"one command, half-closed", "show version\n", true, v},
		{"three commands", "show version;show cli level;show version\n", false, v + "admin\n\n" + v},
		{"pipelined lines", "show version\nshow cli level\n", false, v + "admin\n\n"},
		{"crlf", "show version\r\n", false, v},
		{"no output answers an empty line", "user\n", false, "\n"},
		{"escaped semicolon is part of a word", "show\\;version;show version\n", false, suggestTitle + showVersionHelp + helpTrailer + "\n" + v},
		{"no trailing newline at EOF is dropped", "show version", true, ""},
		{"commands before the unterminated one run", "show version;show version", true, v},
		{"escaped newline at EOF completes the line", "show version\\\n", true, v},
		{"quit stops the line", "show version;quit;show version\n", false, v},
		{"user lowers", "user;show cli level\n", false, "\nuser\n\n"},
		{"operator does not raise", "user;operator;show cli level\n", false, "\n" + permissionDenied + "\nuser\n\n"},
		{"operator lowers admin", "operator;show cli level\n", false, "\noperator\n\n"},
		{"user - suppresses the empty line", "user -;show cli level\n", false, "user\n\n"},
		{"payload", "show version <<\nline 1\nline 2\n\n", false, v},
		{"payload ignores semicolons", "show version <<;show version\n\n", false, v},
		{"unterminated payload", "show version <<\na\n", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ts.exchange(t, tt.in, tt.shut); got != tt.want {
				t.Errorf("answer to %q:\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestOverlongLine checks that a command or payload line longer than
// maxLine, or a payload longer than maxPayload, ends the session without an answer (the close may come as a reset, since the
// rest of the line is left unread).
func TestOverlongLine(t *testing.T) {
	ts := startServer(t, Options{}, config.LevelAdmin)
	bigPayload := "show version <<\n" + strings.Repeat(strings.Repeat("z", maxLine/2)+"\n", 2*maxPayload/maxLine+2)
	for _, in := range []string{strings.Repeat("x", 3*maxLine), "show version <<\n" + strings.Repeat("y", 3*maxLine), bigPayload} {
		c := ts.dial(t)
		io.WriteString(c, in)
		out, err := io.ReadAll(c)
		if len(out) != 0 || (err != nil && !errors.Is(err, syscall.ECONNRESET)) {
			t.Errorf("overlong input: got %.100q, %v; want a close without answer", out, err)
		}
	}
}

// TestNonInteractiveClosesAfterAnswer checks that a second command sent
// after the first answer finds the connection closed, as in HAProxy.
func TestNonInteractiveClosesAfterAnswer(t *testing.T) {
	ts := startServer(t, Options{}, config.LevelAdmin)
	c := ts.dial(t)
	io.WriteString(c, "show version\n")
	if got := expectClosed(t, c); got != testVersion+"\n\n" {
		t.Errorf("got %q", got)
	}
}

func TestInteractive(t *testing.T) {
	ts := startServer(t, Options{}, config.LevelAdmin)
	c := ts.dial(t)
	steps := []struct{ send, want string }{
		{"prompt\n", "\n> "},
		{"show version\n", testVersion + "\n\n> "},
		{"user\n", "\n> "},
		{"show cli level\n", "user\n\n> "},
		{"operator\n", permissionDenied + "\n> "},
		{"show cli level;show version\n", "user\n\n> " + testVersion + "\n\n> "},
		{"show version <<\n", "+ "},
		{"payload\n", "+ "},
		{"\n", testVersion + "\n\n> "},
		{"user -\n", "\n> "},
		{"\n", unknownTitle + builtinHelp + helpTrailer + "\n> "},
	}
	for _, st := range steps {
		io.WriteString(c, st.send)
		if got := readUntil(t, c, st.want); got != st.want {
			t.Fatalf("after %q got %q, want %q", st.send, got, st.want)
		}
	}
	io.WriteString(c, "quit\n")
	if got := expectClosed(t, c); got != "" {
		t.Errorf("quit answered %q", got)
	}
}

// TestPromptToggle checks that "prompt" again leaves interactive mode: the
// answer ends with a bare empty line and the session closes.
func TestPromptToggle(t *testing.T) {
	ts := startServer(t, Options{}, config.LevelOperator)
	c := ts.dial(t)
	io.WriteString(c, "prompt\n")
	readUntil(t, c, "\n> ")
	io.WriteString(c, "prompt\n")
	if got := expectClosed(t, c); got != "\n" {
		t.Errorf("leaving interactive mode answered %q, want %q", got, "\n")
	}
}

func TestUnknownAndHelp(t *testing.T) {
	ts := startServer(t, Options{}, config.LevelUser)
	help := helpTitle + builtinHelp + helpTrailer + "\n"
	tests := []struct{ in, want string }{
		{"help\n", help},
		{"help show version\n", helpTitle + showVersionHelp + helpTrailer + "\n"},
		{"show versoin\n", suggestTitle + showVersionHelp + helpTrailer + "\n"},
		{"\n", unknownTitle + strings.TrimPrefix(help, helpTitle)},
	}
	for _, tt := range tests {
		if got := ts.exchange(t, tt.in, false); got != tt.want {
			t.Errorf("answer to %q:\n%s\nwant:\n%s", tt.in, got, tt.want)
		}
	}
}

func TestPermissionDenied(t *testing.T) {
	ran := 0
	adminCmd := Command{
		Words: []string{"set", "thing"},
		Level: config.LevelAdmin,
		Usage: "set thing",
		Help:  "test command",
		Run: func(s *Session, args []string, _ []byte) error {
			ran++
			s.WriteString("done\n")
			return nil
		},
	}
	tests := []struct {
		name  string
		level config.Level
		in    string
		want  string
	}{
		{"admin socket", config.LevelAdmin, "set thing\n", "done\n\n"},
		{"operator socket", config.LevelOperator, "set thing\n", permissionDenied + "\n"},
		{"default level is operator", 0, "show cli level\n", "operator\n\n"},
		{"admin lowered to operator", config.LevelAdmin, "operator;set thing\n", "\n" + permissionDenied + "\n"},
		{"user socket cannot use operator", config.LevelUser, "operator -;show cli level\n", permissionDenied + "user\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, Options{Commands: []Command{adminCmd}}, tt.level)
			if got := ts.exchange(t, tt.in, false); got != tt.want {
				t.Errorf("answer to %q = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if ran != 1 {
		t.Errorf("admin command ran %d times, want 1", ran)
	}
}

func TestHandlerError(t *testing.T) {
	var mu sync.Mutex
	var logs []string
	fail := Command{Words: []string{"fail"}, Run: func(s *Session, _ []string, _ []byte) error {
		s.WriteString("partial\n")
		return errors.New("boom")
	}}
	ts := startServer(t, Options{Commands: []Command{fail}, Logf: func(f string, a ...any) {
		mu.Lock()
		logs = append(logs, f)
		mu.Unlock()
	}}, config.LevelAdmin)
	if got := ts.exchange(t, "fail;show version\n", false); got != "" {
		t.Errorf("failing handler answered %q", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logs) != 1 {
		t.Errorf("logged %d lines, want 1", len(logs))
	}
}

// TestRawConn checks that a handler can reach the unix connection, flush
// its answer and end the session, as _getsocks will.
func TestRawConn(t *testing.T) {
	raw := Command{Words: []string{"_raw"}, Run: func(s *Session, _ []string, _ []byte) error {
		if !s.ExposeFDListeners() {
			s.WriteString("not exposed\n")
			return nil
		}
		uc, ok := s.Conn().(*net.UnixConn)
		if !ok {
			return errors.New("not a unix connection")
		}
		s.WriteString("hdr")
		if err := s.Flush(); err != nil {
			return err
		}
		if _, _, err := uc.WriteMsgUnix([]byte("raw"), nil, nil); err != nil {
			return err
		}
		s.Quit()
		return nil
	}}
	checkGoroutines(t)
	path := filepath.Join(t.TempDir(), "s.sock")
	sock := config.StatsSocket{Kind: config.AddrUnix, Path: path, Level: config.LevelAdmin, ExposeFDListeners: true}
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(&fakeSource{}, Options{Commands: []Command{raw}})
	go srv.ServeSocket(ln, sock)
	defer srv.Close()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "_raw\n")
	if got := expectClosed(t, c); got != "hdrraw" {
		t.Errorf("got %q, want %q", got, "hdrraw")
	}
}

func TestIdleTimeout(t *testing.T) {
	ts := startServer(t, Options{Timeout: 20 * time.Millisecond}, config.LevelAdmin)
	tests := []struct{ name, send, want string }{
		{"silent client", "", ""},
		{"interactive session", "prompt\n", "\n> "},
		{"partial line", "show vers", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial(t)
			io.WriteString(c, tt.send)
			// the read returns EOF once the server gives up; the dial
			// deadline bounds the wait
			if got := expectClosed(t, c); got != tt.want {
				t.Errorf("got %q before close, want %q", got, tt.want)
			}
		})
	}
}

func TestMaxconn(t *testing.T) {
	ts := startServer(t, Options{Maxconn: 2}, config.LevelAdmin)
	// two interactive sessions take both slots
	var held []net.Conn
	for i := 0; i < 2; i++ {
		c := ts.dial(t)
		io.WriteString(c, "prompt\n")
		readUntil(t, c, "\n> ")
		held = append(held, c)
	}
	// a third client connects (kernel backlog) but is not served
	third := ts.dial(t)
	io.WriteString(third, "show version\n")
	third.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, err := third.Read(make([]byte, 1)); n != 0 || !errors.Is(err, errTimeout(err)) {
		t.Fatalf("third session was served beyond maxconn: n=%d err=%v", n, err)
	}
	ts.srv.mu.Lock()
	active := ts.srv.active
	ts.srv.mu.Unlock()
	if active != 2 {
		t.Errorf("active sessions = %d, want 2", active)
	}
	// freeing a slot lets it through
	io.WriteString(held[0], "quit\n")
	expectClosed(t, held[0])
	third.SetReadDeadline(time.Now().Add(10 * time.Second))
	if got := expectClosed(t, third); got != testVersion+"\n\n" {
		t.Errorf("third session got %q", got)
	}
}

// errTimeout returns err if it is a timeout, so that errors.Is matches only
// timeouts.
func errTimeout(err error) error {
	if isTimeout(err) {
		return err
	}
	return errors.New("not a timeout")
}

// TestCloseEndsSessions checks that Close ends live sessions and returns
// only when their goroutines are gone (checkGoroutines verifies the latter).
func TestCloseEndsSessions(t *testing.T) {
	ts := startServer(t, Options{}, config.LevelAdmin)
	c := ts.dial(t)
	io.WriteString(c, "prompt\n")
	readUntil(t, c, "\n> ")
	if err := ts.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if got := expectClosed(t, c); got != "" {
		t.Errorf("got %q after Close", got)
	}
	if err := ts.srv.Serve(newPipeListener(), config.LevelAdmin); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Close = %v, want ErrServerClosed", err)
	}
}

// TestServeListenerClosed checks that Serve returns nil when its listener is
// closed by someone else.
func TestServeListenerClosed(t *testing.T) {
	checkGoroutines(t)
	srv := NewServer(&fakeSource{}, Options{})
	defer srv.Close()
	ln := newPipeListener()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln, config.LevelAdmin) }()
	ln.Close()
	if err := <-errc; err != nil {
		t.Errorf("Serve = %v, want nil", err)
	}
}

// pipeListener is a listener without deadlines, to exercise the paths for
// listeners that cannot be paused.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return &net.UnixAddr{Name: "pipe", Net: "unix"} }

// dial connects a client through the listener.
func (l *pipeListener) dial() net.Conn {
	c, s := net.Pipe()
	l.conns <- s
	return c
}

func TestPipeListener(t *testing.T) {
	checkGoroutines(t)
	srv := NewServer(&fakeSource{info: Info{Version: "v"}}, Options{Maxconn: 1})
	ln := newPipeListener()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln, config.LevelAdmin) }()
	c := ln.dial()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "show version\n")
	if got := expectClosed(t, c); got != "v\n\n" {
		t.Errorf("got %q", got)
	}
	srv.Close()
	if err := <-errc; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve = %v", err)
	}
}
