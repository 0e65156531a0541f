package cli

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hitless/engine/config"
)

// sockpairServer serves a fake source on one end of a channel and returns
// the other end (blocking, with a send timeout, as the master keeps it)
// and the result of ServeSocket once it returns.
func sockpairServer(t *testing.T, sock config.StatsSocket) (peer int, srv *Server, served <-chan error) {
	t.Helper()
	checkGoroutines(t)
	sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	tv := unix.NsecToTimeval(int64(time.Second))
	unix.SetsockoptTimeval(sv[1], unix.SOL_SOCKET, unix.SO_SNDTIMEO, &tv)
	ln, err := ListenSockpair(sv[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := ln.Addr().String(); !strings.HasPrefix(got, "sockpair@") {
		t.Errorf("Addr %q", got)
	}
	srv = NewServer(&fakeSource{info: Info{Name: "hitless", Version: testVersion, Pid: 77}}, Options{})
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeSocket(ln, sock) }()
	t.Cleanup(func() { srv.Close() })
	return sv[1], srv, errc
}

func sockpairExchange(t *testing.T, peer int, in string) string {
	t.Helper()
	c, err := DialSockpair(peer)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, in)
	c.(*net.UnixConn).CloseWrite()
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestSockpairSessions opens sessions over a channel, one after the other
// and at once, at the channel's level; the peer closing the channel ends
// Serve with ErrSockpairPeerGone.
func TestSockpairSessions(t *testing.T) {
	peer, _, served := sockpairServer(t, config.StatsSocket{Level: config.LevelAdmin, ExposeFDListeners: true})
	tests := []struct{ in, want string }{
		{"show cli level\n", "admin\n\n"},
		{"operator;show cli level\n", "\noperator\n\n"},
		{"show info\n", "Pid: 77\n"},
	}
	for _, tt := range tests {
		if got := sockpairExchange(t, peer, tt.in); !strings.Contains(got, tt.want) {
			t.Errorf("%q: got %q, want %q in it", tt.in, got, tt.want)
		}
	}
	// several sessions at once
	done := make(chan string, 4)
	for range 4 {
		go func() {
			c, err := DialSockpair(peer)
			if err != nil {
				done <- err.Error()
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			io.WriteString(c, "show cli level\n")
			out, _ := io.ReadAll(c)
			done <- string(out)
		}()
	}
	for range 4 {
		if got := <-done; got != "admin\n\n" {
			t.Errorf("concurrent session: %q", got)
		}
	}
	unix.Close(peer)
	select {
	case err := <-served:
		if !errors.Is(err, ErrSockpairPeerGone) || !errors.Is(err, io.EOF) {
			t.Fatalf("Serve returned %v, want ErrSockpairPeerGone", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not notice the peer closing the channel")
	}
}

// TestSockpairSkipsOtherDescriptors: a descriptor that is not a unix
// stream socket is closed, and the next session is served.
func TestSockpairSkipsOtherDescriptors(t *testing.T) {
	peer, _, _ := sockpairServer(t, config.StatsSocket{Level: config.LevelUser})
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := unix.Sendmsg(peer, []byte{0, 0}, unix.UnixRights(int(w.Fd())), nil, 0); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if got := sockpairExchange(t, peer, "show cli level\n"); got != "user\n\n" {
		t.Fatalf("got %q", got)
	}
	// The pipe's write end the listener received was closed: EOF.
	r.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("pipe read %d, %v: the received descriptor was kept", n, err)
	}
	unix.Close(peer)
}

// TestSockpairClose: Close ends Serve, and DialSockpair then fails.
func TestSockpairClose(t *testing.T) {
	peer, srv, served := sockpairServer(t, config.StatsSocket{})
	defer unix.Close(peer)
	srv.Close()
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve returned %v", err)
	}
	if c, err := DialSockpair(peer); err == nil {
		c.Close()
		t.Fatal("DialSockpair on a closed channel succeeded")
	}
}

func TestListenSockpairErrors(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	fd, _ := unix.Dup(int(f.Fd()))
	f.Close()
	if ln, err := ListenSockpair(fd); err == nil {
		ln.Close()
		t.Fatal("ListenSockpair accepted a regular file")
	}
	if _, err := DialSockpair(-1); err == nil {
		t.Fatal("DialSockpair(-1) succeeded")
	}
}

// TestListingExports checks that the exported parser and listing are the
// session's.
func TestListingExports(t *testing.T) {
	if FindDelim([]byte(`a\;b;c`)) != 4 || FindDelim([]byte("abc")) != -1 {
		t.Error("FindDelim")
	}
	words, payload := SplitWords(nil, []byte(`set  a\ b <<`))
	if strings.Join(words, "|") != "set|a b" || !payload {
		t.Errorf("SplitWords: %q, %v", words, payload)
	}
	cmds := []Command{
		{Words: []string{"show", "proc"}, Usage: "show proc", Help: "show processes status"},
		{Words: []string{"reload"}, Usage: "reload", Help: "reload haproxy"},
	}
	want := helpTitle +
		"  reload                                  : reload haproxy\n" +
		"  show proc                               : show processes status\n" + helpTrailer
	if got := Usage(cmds, nil, true); got != want {
		t.Errorf("help listing:\n%s\nwant:\n%s", got, want)
	}
	if got := Usage(cmds, []string{"show", "prok"}, false); !strings.HasPrefix(got, suggestTitle+"  show proc ") {
		t.Errorf("suggestions:\n%s", got)
	}
}
