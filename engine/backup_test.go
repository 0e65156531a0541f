package engine

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// nameServer answers each connection with its name, then holds it open
// until the client closes.
func nameServer(t *testing.T, name string) string {
	t.Helper()
	srv := newFlakyServer(t, func(c net.Conn) {
		c.Write([]byte(name + "\n"))
		io.Copy(io.Discard, c)
	})
	return srv.addr
}

// pickVia opens a connection through the proxy and returns the name of
// the server that answered, and the connection (nil with "" when the
// proxy closed it).
func pickVia(t *testing.T, addr string) (string, net.Conn) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		c.Close()
		return "", nil
	}
	return strings.TrimSpace(line), c
}

func backupConfig(t *testing.T, extra string) (*Engine, *logSink, string) {
	t.Helper()
	e, logs := startParsed(t, fmt.Sprintf(checkDefaults+`
listen px
    bind 127.0.0.1:0
%s
    server a1 %s
    server a2 %s on-marked-up shutdown-backup-sessions
    server b1 %s backup
    server b2 %s backup
`, extra, nameServer(t, "a1"), nameServer(t, "a2"), nameServer(t, "b1"), nameServer(t, "b2")), 1)
	return e, logs, e.ListenAddrs()["px"][0]
}

func serverNamed(e *Engine, name string) *server {
	for _, s := range e.serverList() {
		if s.name == name {
			return s
		}
	}
	return nil
}

// TestBackups: backups take traffic only when no active server is usable,
// the first one alone unless option allbackups; an active server coming
// back with on-marked-up shutdown-backup-sessions closes the backups'
// sessions.
func TestBackups(t *testing.T) {
	for _, allbackups := range []bool{false, true} {
		t.Run(fmt.Sprintf("allbackups=%v", allbackups), func(t *testing.T) {
			extra := ""
			if allbackups {
				extra = "    option allbackups"
			}
			e, logs, addr := backupConfig(t, extra)
			seen := map[string]int{}
			for i := 0; i < 4; i++ {
				name, c := pickVia(t, addr)
				seen[name]++
				c.Close()
			}
			if seen["a1"] != 2 || seen["a2"] != 2 {
				t.Fatalf("with both actives up: %v", seen)
			}
			e.setOp(serverNamed(e, "a1"), opStopped, "changed from CLI")
			e.setOp(serverNamed(e, "a2"), opStopped, "changed from CLI")
			if !logs.has("Server px/a2 is DOWN, changed from CLI. 0 active and 2 backup servers left. Running on backup.") {
				t.Errorf("messages %q", logs.all())
			}
			seen = map[string]int{}
			var held []net.Conn
			for i := 0; i < 4; i++ {
				name, c := pickVia(t, addr)
				seen[name]++
				held = append(held, c)
			}
			want := map[string]int{"b1": 4}
			if allbackups {
				want = map[string]int{"b1": 2, "b2": 2}
			}
			if fmt.Sprint(seen) != fmt.Sprint(want) {
				t.Fatalf("on backups: %v, want %v", seen, want)
			}
			// a2 comes back: its on-marked-up closes every backup session.
			e.setOp(serverNamed(e, "a2"), opRunning, "changed from CLI")
			for i, c := range held {
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				if _, err := c.Read(make([]byte, 1)); err != io.EOF {
					t.Errorf("backup session %d: %v, want closed", i, err)
				}
				c.Close()
			}
			name, c := pickVia(t, addr)
			if name != "a2" {
				t.Errorf("after a2 came back: %q", name)
			}
			c.Close()
		})
	}
}

// TestOnMarkedDown: on-marked-down shutdown-sessions closes a server's
// sessions when it goes DOWN; without it they stay.
func TestOnMarkedDown(t *testing.T) {
	e, _ := startParsed(t, fmt.Sprintf(checkDefaults+`
listen px
    bind 127.0.0.1:0
    server kill %s on-marked-down shutdown-sessions
    server keep %s
`, nameServer(t, "kill"), nameServer(t, "keep")), 1)
	addr := e.ListenAddrs()["px"][0]
	conns := map[string]net.Conn{}
	for i := 0; i < 2; i++ {
		name, c := pickVia(t, addr)
		conns[name] = c
	}
	e.setOp(serverNamed(e, "kill"), opStopped, "changed from CLI")
	e.setOp(serverNamed(e, "keep"), opStopped, "changed from CLI")
	c := conns["kill"]
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("session of the shutdown-sessions server: %v, want closed", err)
	}
	// The close above is done: the other server still holds its session.
	if n := serverNamed(e, "keep").served.cur.Load(); n != 1 {
		t.Errorf("server keep serves %d sessions, want 1", n)
	}
	for _, c := range conns {
		c.Close()
	}
}

// TestOnMarkedDownByCheck: a health check, which runs on a reactor, marks
// a shutdown-sessions server DOWN while that reactor holds one of its
// sessions: the session closes and the reactor goes on serving (closing
// must not wait for the reactor that is running the check).
func TestOnMarkedDownByCheck(t *testing.T) {
	srv := newFlakyServer(t, func(c net.Conn) {
		c.Write([]byte("kill\n"))
		io.Copy(io.Discard, c)
	})
	e, _ := startParsed(t, fmt.Sprintf(checkDefaults+`
listen px
    bind 127.0.0.1:0
    server kill %s check inter 50ms fall 1 rise 1 on-marked-down shutdown-sessions
`, srv.addr), 1)
	addr := e.ListenAddrs()["px"][0]
	name, c := pickVia(t, addr)
	if name != "kill" {
		t.Fatalf("picked %q", name)
	}
	defer c.Close()
	srv.close() // the next check fails: DOWN
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("session of the server marked DOWN: %v, want closed", err)
	}
	// The reactor still answers: a new connection is accepted and closed
	// (no server left) rather than left hanging.
	d, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := d.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("connection with no server: %v, want closed by the proxy", err)
	}
}
