package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var hitlessBin string

// TestMain builds the command once; the tests run it as operators do.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hitless-cmd-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hitlessBin = filepath.Join(dir, "hitless")
	out, err := exec.Command("go", "build", "-o", hitlessBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runCmd runs hitless to completion and returns its exit code, stdout and
// stderr.
func runCmd(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(hitlessBin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

const goodConfig = `
global
    maxconn 100
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s1 127.0.0.1:9
`

// userConfig is a configuration posted by an HAProxy user (only the
// server addresses changed). It must pass with warnings at most.
const userConfig = `global
    log         127.0.0.1 local2
    chroot      /var/lib/haproxy
    pidfile     /var/run/haproxy.pid
    user        haproxy
    group       haproxy
    daemon
    stats socket /var/lib/haproxy/stats  mode 666 level user
    stats socket /var/lib/haproxy/stats-admin mode 600 level admin
    ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:!DSS
    ca-base  /etc/pki/tls/certs
    crt-base /etc/pki/tls/certs
    tune.ssl.default-dh-param 4096

defaults
    mode                    tcp
    log                     global
    retries                 2
    timeout connect         100ms
    timeout server          3600s
    timeout client          3600s
    log-format %ci:%cp\ |\ {|}\ |\ %ft\ %b/%s\ 0/%Tw/%Tc/0/%Tt\ %ST\ %B\ %ac/%fc/%bc/%sc/%rc\ %sq/%bq\ %hs\ ""

listen mysql-cluster
    bind *:3306
    mode tcp
    option mysql-check user haproxy_check
    stick-table type ip size 100
    stick on dst
    server         db01a 127.0.0.1:3307 check inter 500 fall 5 on-marked-down shutdown-sessions
    server         db01b 127.0.0.1:3308 check inter 500 fall 5 backup on-marked-down shutdown-sessions
`

func TestCheckMode(t *testing.T) {
	tests := []struct {
		name       string
		cfg        string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr []string // substrings
		noStderr   []string
	}{
		{name: "valid", cfg: goodConfig, wantCode: 0, wantStdout: "Configuration file is valid\n"},
		{name: "valid quiet", cfg: goodConfig, args: []string{"-q"}, wantCode: 0, wantStdout: ""},
		{name: "user config", cfg: userConfig, wantCode: 0,
			wantStdout: "Warnings were found.\nConfiguration file is valid\n",
			wantStderr: []string{"[WARNING]", "'chroot'"}, noStderr: []string{"[ALERT]", "stick"}},
		{name: "unknown keyword", cfg: goodConfig + "    bogus kw\n", wantCode: 1,
			wantStderr: []string{"[ALERT]", "cfg:14] : unknown keyword 'bogus' in 'backend' section",
				"Fatal errors found in configuration."}},
		{name: "bad timeout", cfg: strings.Replace(goodConfig, "connect 5s", "connect 5x", 1), wantCode: 1,
			wantStderr: []string{"[ALERT]", "cfg:6] : unexpected character 'x' in 'timeout connect'"}},
		{name: "unknown backend", cfg: strings.Replace(goodConfig, "default_backend be", "default_backend nope", 1),
			wantCode: 1, wantStderr: []string{"[ALERT]", "nope"}},
		{name: "unresolvable server", cfg: strings.Replace(goodConfig, "127.0.0.1:9", "no-such-host.invalid:9", 1),
			wantCode: 1, wantStderr: []string{"[ALERT]", "could not resolve address 'no-such-host.invalid'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "h.cfg", tt.cfg)
			code, stdout, stderr := runCmd(t, nil, append([]string{"-c", "-f", p}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			if tt.wantCode == 0 && stdout != tt.wantStdout {
				t.Errorf("stdout %q, want %q", stdout, tt.wantStdout)
			}
			for _, s := range tt.wantStderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			for _, s := range tt.noStderr {
				if strings.Contains(stderr, s) {
					t.Errorf("stderr has %q:\n%s", s, stderr)
				}
			}
		})
	}
}

func TestCheckModeSeveralFilesAndDirectory(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "10-global.cfg"), []byte("global\n    maxconn 50\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "20-proxy.cfg"), []byte(goodConfig[strings.Index(goodConfig, "defaults"):]), 0o644)
	os.WriteFile(filepath.Join(dir, "ignored.txt"), []byte("garbage"), 0o644)
	code, stdout, stderr := runCmd(t, nil, "-c", "-f", dir)
	if code != 0 || stdout != "Configuration file is valid\n" {
		t.Fatalf("directory: exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	extra := writeFile(t, "extra.cfg", "frontend fe2\n    bind 127.0.0.1:0\n    default_backend be\n")
	if code, _, stderr := runCmd(t, nil, "-c", "-f", dir, "-f", extra); code != 0 {
		t.Fatalf("dir + file: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCmd(t, nil, "-c", "-f", filepath.Join(dir, "missing.cfg")); code != 1 || !strings.Contains(stderr, "missing.cfg") {
		t.Fatalf("missing file: exit %d: %s", code, stderr)
	}
}

func TestVersionAndBadFlags(t *testing.T) {
	code, stdout, _ := runCmd(t, nil, "-v")
	if code != 0 || !strings.Contains(stdout, "hitless version") || !strings.Contains(stdout, "HAProxy version 2.6") {
		t.Fatalf("-v: exit %d, %q", code, stdout)
	}
	code, stdout, _ = runCmd(t, nil, "-vv")
	if code != 0 || !strings.Contains(stdout, "+LINUX_SPLICE") || !strings.Contains(stdout, "epoll") {
		t.Fatalf("-vv: exit %d, %q", code, stdout)
	}
	code, _, stderr := runCmd(t, nil, "-dQ")
	if code != 1 || !strings.Contains(stderr, "unknown option '-dQ'") {
		t.Fatalf("-dQ: exit %d, %q", code, stderr)
	}
}

func TestCondition(t *testing.T) {
	tests := []struct {
		expr string
		want int
	}{
		{"1", 0}, {"0", 1}, {"", 1}, {"defined(HITLESS_TEST_VAR)", 0}, {"defined(HITLESS_NOPE)", 1},
		{"streq(${HITLESS_TEST_VAR},abc)", 0}, {"version_atleast(2.5)", 0}, {"version_before(2.6)", 1},
		{"feature(LINUX_SPLICE)", 0}, {"feature(OPENSSL)", 1}, {"200rrr", 2}, {"!(0))", 2},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCmd(t, []string{"HITLESS_TEST_VAR=abc"}, "-cc", tt.expr)
		if code != tt.want || stdout != "" || stderr != "" {
			t.Errorf("-cc %q: exit %d (want %d), stdout %q, stderr %q", tt.expr, code, tt.want, stdout, stderr)
		}
	}
}

// proc is a running hitless.
type proc struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   chan struct{}
	code   int
}

// startProc starts hitless with extra files inherited as fd 3, 4, ...
func startProc(t *testing.T, env []string, files []*os.File, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(hitlessBin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.ExtraFiles = files
	p := &proc{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := cmd.Wait()
		p.code = 0
		if ee, ok := err.(*exec.ExitError); ok {
			p.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				p.code = 128 + int(ws.Signal())
			}
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *proc) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(d):
		t.Fatalf("hitless still running after %v; stderr:\n%s", d, p.stderr)
	}
	return -1
}

// preBound returns a listening loopback socket as a file to pass to
// hitless, and its address; the harness style of HAProxy's tests.
func preBound(t *testing.T) (*os.File, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Cleanup(func() { f.Close() })
	return f, addr
}

// echoServer is a loopback echo backend.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

func proxyConfig(backend string) string {
	return fmt.Sprintf(`global
    stats socket "${SOCK}" mode 600 level admin
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind "fd@${FE}"
    default_backend be
backend be
    server s1 %s
`, backend)
}

// dialEcho opens a connection through the proxy and checks one echo.
func dialEcho(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte("ping"))
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo through proxy: %q, %v", buf, err)
	}
	return c
}

func cliCommand(t *testing.T, sock, cmd string) string {
	t.Helper()
	var c net.Conn
	var err error
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err = net.Dial("unix", sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats socket: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "%s\n", cmd)
	out, _ := io.ReadAll(c)
	return string(out)
}

// TestSignals runs hitless in the foreground on an inherited listening
// socket, checks the stats socket, then stops it with each signal.
func TestSignals(t *testing.T) {
	backend := echoServer(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			f, addr := preBound(t)
			sock := filepath.Join(t.TempDir(), "stats.sock")
			cfg := writeFile(t, "h.cfg", proxyConfig(backend))
			p := startProc(t, []string{"FE=3", "SOCK=" + sock}, []*os.File{f}, "-d", "-f", cfg)
			c := dialEcho(t, addr) // connections queued before start are served too
			defer c.Close()
			info := cliCommand(t, sock, "show info")
			if !strings.Contains(info, "Pid: "+strconv.Itoa(p.cmd.Process.Pid)+"\n") || !strings.Contains(info, "CurrConns: 1\n") {
				t.Fatalf("show info:\n%s", info)
			}
			if st, err := os.Stat(sock); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("stats socket mode: %v %v", st.Mode(), err)
			}
			p.cmd.Process.Signal(sig)
			if code := p.wait(t, 10*time.Second); code != 0 {
				t.Fatalf("exit code %d after %v, want 0; stderr:\n%s", code, sig, p.stderr)
			}
		})
	}
}

// TestSoftStop checks SIGUSR1: the process stops accepting at once,
// keeps serving the established connection, and exits 0 when it ends.
func TestSoftStop(t *testing.T) {
	backend := echoServer(t)
	f, addr := preBound(t)
	sock := filepath.Join(t.TempDir(), "stats.sock")
	cfg := writeFile(t, "h.cfg", proxyConfig(backend))
	p := startProc(t, []string{"FE=3", "SOCK=" + sock}, []*os.File{f}, "-d", "-f", cfg)
	c := dialEcho(t, addr)
	f.Close() // only hitless holds the listening socket now
	p.cmd.Process.Signal(syscall.SIGUSR1)
	// The listener closes: new connections are refused.
	deadline := time.Now().Add(10 * time.Second)
	for {
		nc, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		nc.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting after SIGUSR1")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The established connection still works.
	c.Write([]byte("more"))
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "more" {
		t.Fatalf("established connection broken by soft stop: %q, %v", buf, err)
	}
	select {
	case <-p.done:
		t.Fatal("exited while a connection was still open")
	default:
	}
	c.Close()
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d after soft stop, want 0; stderr:\n%s", code, p.stderr)
	}
}

// TestReplaceWithSf starts a second process on the same address with
// -sf: once it listens it tells the first one to finish, and the first
// one exits when its last connection ends.
func TestReplaceWithSf(t *testing.T) {
	backend := echoServer(t)
	addr, cfg := portConfig(t, backend)
	pidfile := filepath.Join(t.TempDir(), "h.pid")
	old := startProc(t, nil, nil, "-d", "-f", cfg, "-p", pidfile)
	waitListening(t, addr)
	c := dialEcho(t, addr)
	b, _ := os.ReadFile(pidfile)
	if strings.TrimSpace(string(b)) != strconv.Itoa(old.cmd.Process.Pid) {
		t.Fatalf("pidfile holds %q, want %d", b, old.cmd.Process.Pid)
	}
	next := startProc(t, nil, nil, "-d", "-f", cfg, "-sf", strconv.Itoa(old.cmd.Process.Pid))
	// The old process keeps its established connection.
	c.Write([]byte("more"))
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "more" {
		t.Fatalf("old process dropped its connection: %q, %v", buf, err)
	}
	c.Close()
	if code := old.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("old process exit %d; stderr:\n%s", code, old.stderr)
	}
	dialEcho(t, addr).Close()
	next.cmd.Process.Signal(syscall.SIGTERM)
	if code := next.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("new process exit %d; stderr:\n%s", code, next.stderr)
	}
}

// portConfig writes a configuration listening on a free loopback port
// (not inherited: both -sf processes and a daemon bind it themselves),
// without stats socket, and returns the address and the file.
func portConfig(t *testing.T, backend string) (addr, cfg string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	text := strings.Replace(proxyConfig(backend), `"fd@${FE}"`, addr, 1)
	text = strings.Replace(text, `    stats socket "${SOCK}" mode 600 level admin`+"\n", "", 1)
	return addr, writeFile(t, "h.cfg", text)
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never listened: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDaemon checks -D: the command returns once the daemon listens, and
// the pid file names the daemon, which serves until killed.
func TestDaemon(t *testing.T) {
	backend := echoServer(t)
	addr, cfg := portConfig(t, backend)
	pidfile := filepath.Join(t.TempDir(), "h.pid")
	code, _, stderr := runCmd(t, nil, "-D", "-f", cfg, "-p", pidfile)
	if code != 0 {
		t.Fatalf("-D exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	defer syscall.Kill(pid, syscall.SIGKILL)
	dialEcho(t, addr).Close()
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatal("daemon did not exit on SIGTERM")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStartupFailure: a port in use is an alert and exit 1.
func TestStartupFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := writeFile(t, "h.cfg", strings.Replace(goodConfig, "127.0.0.1:0", ln.Addr().String(), 1))
	code, _, stderr := runCmd(t, nil, "-d", "-f", cfg)
	if code != 1 || !strings.Contains(stderr, "[ALERT]") || !strings.Contains(stderr, "Address already in use") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	_ = bufio.NewReader
}
