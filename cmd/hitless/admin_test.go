package main

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServerAdmin drives a running hitless through the stats socket:
// show sess lists a proxied connection and shutdown session closes it;
// the server state commands show in show servers state and show stat,
// and the transitions are logged as HAProxy logs them.
func TestServerAdmin(t *testing.T) {
	backend := echoServer(t)
	f, addr := preBound(t)
	sock := filepath.Join(t.TempDir(), "stats.sock")
	cfg := writeFile(t, "h.cfg", proxyConfig(backend))
	p := startProc(t, []string{"FE=3", "SOCK=" + sock}, []*os.File{f}, "-d", "-f", cfg)
	c := dialEcho(t, addr)
	defer c.Close()

	sess := cliCommand(t, sock, "show sess")
	m := regexp.MustCompile(`(?m)^(0x[0-9a-f]+): proto=tcpv4 src=127\.0\.0\.1:\d+ fe=fe be=be srv=s1 `).FindStringSubmatch(sess)
	if m == nil {
		t.Fatalf("show sess:\n%s", sess)
	}
	if out := cliCommand(t, sock, "show sess "+m[1]); !strings.Contains(out, "  backend=be (id=") {
		t.Errorf("show sess %s:\n%s", m[1], out)
	}
	if out := cliCommand(t, sock, "shutdown session "+m[1]); out != "\n" {
		t.Errorf("shutdown session: %q", out)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("after shutdown session: read %d, %v; want EOF", n, err)
	}
	if out := cliCommand(t, sock, "shutdown session "+m[1]); out != "No such session (use 'show sess').\n\n" {
		t.Errorf("second shutdown session: %q", out)
	}

	for _, step := range []struct{ cmd, status string }{
		{"set server be/s1 state drain", "DRAIN"},
		{"set server be/s1 state maint", "MAINT"},
		{"set server be/s1 state ready", "no check"},
		{"set server be/s1 health down", "DOWN"},
		{"set server be/s1 health up", "no check"},
	} {
		if out := cliCommand(t, sock, step.cmd); out != "\n" {
			t.Errorf("%s: %q", step.cmd, out)
		}
		if got := statField(cliCommand(t, sock, "show stat"), "be", "s1", "status"); got != step.status {
			t.Errorf("after %s: status %q, want %q", step.cmd, got, step.status)
		}
	}
	state := cliCommand(t, sock, "show servers state be")
	if !strings.HasPrefix(state, "1\n# be_id be_name srv_id srv_name srv_addr ") || !strings.Contains(state, " be 1 s1 127.0.0.1 2 0 1 1 ") {
		t.Errorf("show servers state:\n%s", state)
	}
	if out := cliCommand(t, sock, "set weight be/s1 50%"); out != "\n" {
		t.Errorf("set weight: %q", out)
	}
	if out := cliCommand(t, sock, "get weight be/s1"); out != "0 (initial 1)\n\n" {
		// 50% of 1 is 0 in HAProxy's integer arithmetic too.
		t.Errorf("get weight: %q", out)
	}
	p.cmd.Process.Signal(os.Interrupt)
	p.wait(t, 10*time.Second)
	log := p.stderr.String()
	for _, want := range []string{
		"Server be/s1 enters drain state.",
		"Server be/s1 is going DOWN for maintenance. 0 active and 0 backup servers left.",
		"[ALERT]    (", "backend 'be' has no server available!",
		"Server be/s1 is UP/READY (leaving forced maintenance).",
		"Server be/s1 is DOWN, changed from CLI. 0 active and 0 backup servers left.",
		"Server be/s1 is UP, changed from CLI. 1 active and 0 backup servers online.",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// TestAddDelServer adds a server at run time, enables it, balances to it,
// and deletes it once it is in maintenance and idle.
func TestAddDelServer(t *testing.T) {
	backend := echoServer(t)
	added := echoServer(t)
	f, addr := preBound(t)
	sock := filepath.Join(t.TempDir(), "stats.sock")
	cfg := writeFile(t, "h.cfg", proxyConfig(backend))
	startProc(t, []string{"FE=3", "SOCK=" + sock}, []*os.File{f}, "-d", "-f", cfg)
	for _, step := range []struct{ cmd, want string }{
		{"add server be/s2 " + added + " weight 2 check inter 50ms", "New server registered.\n\n"},
		{"add server be/s2 " + added, "Already exists a server with the same name in backend.\n\n"},
		{"add server be/s3 " + added + " bogus", "unknown keyword 'bogus'.\n\n"},
	} {
		out := cliCommand(t, sock, step.cmd)
		if out != step.want {
			t.Errorf("%s: %q, want %q", step.cmd, out, step.want)
		}
	}
	if st := statField(cliCommand(t, sock, "show stat"), "be", "s2", "status"); st != "MAINT" {
		t.Fatalf("new server status %q, want MAINT", st)
	}
	cliCommand(t, sock, "enable server be/s2")
	deadline := time.Now().Add(10 * time.Second)
	for statField(cliCommand(t, sock, "show stat"), "be", "s2", "check_status") != "L4OK" {
		if time.Now().After(deadline) {
			t.Fatalf("the added server's check never passed:\n%s", cliCommand(t, sock, "show stat"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := 0; i < 6; i++ {
		c := dialEcho(t, addr)
		c.Close()
	}
	if got := statField(cliCommand(t, sock, "show stat"), "be", "s2", "stot"); got != "4" {
		t.Errorf("the added server (weight 2 of 3) took %s of 6 sessions, want 4", got)
	}
	if out := cliCommand(t, sock, "del server be/s2"); !strings.Contains(out, "maintenance") {
		t.Errorf("del server of an active server: %q", out)
	}
	cliCommand(t, sock, "disable server be/s2")
	out := cliCommand(t, sock, "wait 2000 srv-removable be/s2")
	if out != "Done.\n\n" {
		t.Fatalf("wait srv-removable: %q", out)
	}
	if out := cliCommand(t, sock, "del server be/s2"); out != "Server deleted.\n\n" { // HAProxy 2.6 ends this answer with one newline; the framing adds the empty line
		t.Errorf("del server: %q", out)
	}
	if out := cliCommand(t, sock, "show servers state be"); strings.Contains(out, " s2 ") {
		t.Errorf("deleted server still listed:\n%s", out)
	}
	if out := cliCommand(t, sock, "add server be/s2 "+added); out != "New server registered.\n\n" {
		t.Errorf("adding the name again: %q", out)
	}
}
