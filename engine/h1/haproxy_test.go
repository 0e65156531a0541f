package h1

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests run the installed HAProxy 2.6 on loopback and check what
// this package claims about it: HAProxy's column of the smuggling corpus,
// the error pages byte for byte, and the reason phrases. They are skipped
// when haproxy is missing, unless CI=true.

// haproxyBin returns the haproxy binary or skips the test.
func haproxyBin(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("haproxy not found (CI=%s): %v", os.Getenv("CI"), err)
		}
		t.Skip("haproxy not installed")
	}
	return bin
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startHAProxy runs haproxy in the foreground on cfg and waits until
// every address in addrs accepts connections. It is stopped when the
// test ends.
func startHAProxy(t *testing.T, cfg string, addrs ...string) {
	t.Helper()
	bin := haproxyBin(t)
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd := exec.Command(bin, "-db", "-f", path)
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for _, a := range addrs {
		for {
			c, err := net.DialTimeout("tcp", a, time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case err := <-exited:
				exited <- err
				t.Fatalf("haproxy exited: %v\n%s", err, stderr.String())
			case <-time.After(10 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("haproxy does not listen on %s: %v\n%s", a, err, stderr.String())
			}
		}
	}
}

// dial connects to addr with a deadline for the whole exchange.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// readRawResponse reads one response with a Content-Length body, bytes
// as received.
func readRawResponse(t *testing.T, c net.Conn) []byte {
	t.Helper()
	buf := make([]byte, 0, 4096)
	tmp := make([]byte, 4096)
	var res Response
	for {
		if end := FindHeadEnd(buf, 0); end > 0 {
			if err := ParseResponse(buf, &res, MethodGET, Limits{}); err != nil {
				t.Fatalf("response %q: %v", buf, err)
			}
			if total := res.HeadLen + int(res.ContentLength); len(buf) >= total {
				return buf[:total]
			}
		}
		n, err := c.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if err != nil {
			t.Fatalf("read after %q: %v", buf, err)
		}
	}
}

const haproxyCorpusConfig = `global
    tune.bufsize 16384
defaults
    mode http
    timeout client 5s
    timeout connect 1s
    timeout server 5s
    timeout http-request 3s
frontend corpus
    bind 127.0.0.1:%d
    option http-buffer-request
    http-request return status 200 content-type text/plain lf-string "body=%%[req.body_len]"
`

// TestSmugglingHAProxy sends every request of the smuggling corpus to
// HAProxy and checks the status it answers and, for a 200, the body
// length it read, as the corpus records them.
func TestSmugglingHAProxy(t *testing.T) {
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	startHAProxy(t, fmt.Sprintf(haproxyCorpusConfig, port), addr)
	for _, tc := range smuggleCases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, addr)
			_, _ = c.Write([]byte(tc.raw)) // HAProxy may answer and close before reading it all
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("reading HAProxy's response: %v", err)
			}
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatalf("reading HAProxy's body: %v", err)
			}
			if res.StatusCode != tc.haproxy {
				t.Fatalf("HAProxy answers %d (%q), corpus says %d", res.StatusCode, body, tc.haproxy)
			}
			if res.StatusCode == 200 {
				got, err := strconv.Atoi(strings.TrimPrefix(string(body), "body="))
				if err != nil || got != tc.haproxyBody {
					t.Fatalf("HAProxy read %q, corpus says body=%d", body, tc.haproxyBody)
				}
			}
		})
	}
}

const haproxyPagesConfig = `global
    tune.bufsize 16384
defaults
    mode http
    timeout client 5s
    timeout connect 1s
    timeout server 300ms
    timeout http-request 300ms
frontend deny
    bind 127.0.0.1:%[1]d
%[4]s
    default_backend nosrv
frontend bad
    bind 127.0.0.1:%[2]d
    default_backend bad
frontend slow
    bind 127.0.0.1:%[3]d
    default_backend slow
backend nosrv
backend bad
    server s %[5]s
backend slow
    server s %[6]s
`

// scriptedServer accepts connections on loopback and, for each, reads
// once and writes reply (nothing when reply is empty, keeping the
// connection open until the test ends).
func scriptedServer(t *testing.T, reply string) string {
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
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				buf := make([]byte, 4096)
				if _, err := c.Read(buf); err != nil {
					return
				}
				if reply != "" {
					_, _ = c.Write([]byte(reply))
					return
				}
				_, _ = c.Read(buf) // until HAProxy gives up
			}()
		}
	}()
	return ln.Addr().String()
}

// TestErrorPageHAProxy compares ErrorPage with what HAProxy 2.6 sends in
// the situation each page is for: a malformed request (400), a request
// not completed in time (408), a response it cannot parse (502), no
// server (503), a server too slow (504), and http-request deny for the
// others.
func TestErrorPageHAProxy(t *testing.T) {
	denyPort, badPort, slowPort := freePort(t), freePort(t), freePort(t)
	denied := []int{403, 405, 410, 413, 425, 429, 500, 501}
	var rules strings.Builder
	for _, st := range denied {
		fmt.Fprintf(&rules, "    http-request deny deny_status %d if { path /%d }\n", st, st)
	}
	bad := scriptedServer(t, "HTTP/1.1 200 OK\r\nX : y\r\nContent-Length: 0\r\n\r\n")
	slow := scriptedServer(t, "")
	cfg := fmt.Sprintf(haproxyPagesConfig, denyPort, badPort, slowPort, rules.String(), bad, slow)
	addr := func(p int) string { return fmt.Sprintf("127.0.0.1:%d", p) }
	startHAProxy(t, cfg, addr(denyPort), addr(badPort), addr(slowPort))

	tests := []struct {
		status int
		port   int
		req    string
	}{
		{400, denyPort, "GET / HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n"},
		{408, denyPort, "GET / HTTP/1.1\r\n"},
		{502, badPort, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"},
		{503, denyPort, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"},
		{504, slowPort, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"},
	}
	for _, st := range denied {
		tests = append(tests, struct {
			status int
			port   int
			req    string
		}{st, denyPort, fmt.Sprintf("GET /%d HTTP/1.1\r\nHost: a\r\n\r\n", st)})
	}
	for _, tc := range tests {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			c := dial(t, addr(tc.port))
			if _, err := c.Write([]byte(tc.req)); err != nil {
				t.Fatal(err)
			}
			got := readRawResponse(t, c)
			if want := ErrorPage(tc.status); string(got) != string(want) {
				t.Errorf("HAProxy sends\n%q\nErrorPage(%d) is\n%q", got, tc.status, want)
			}
		})
	}
}

// TestStatusTextHAProxy compares StatusText with the reason phrases
// HAProxy writes when "http-response set-status" changes a status.
func TestStatusTextHAProxy(t *testing.T) {
	port := freePort(t)
	srv := scriptedServer(t, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "defaults\n    mode http\n    timeout client 5s\n    timeout connect 1s\n    timeout server 5s\n"+
		"frontend f\n    bind 127.0.0.1:%d\n    http-request set-var(txn.p) path\n    default_backend b\nbackend b\n    server s %s\n", port, srv)
	statuses := []int{600, 700, 999}
	for st := 100; st < 600; st++ {
		statuses = append(statuses, st)
	}
	for _, st := range statuses {
		fmt.Fprintf(&cfg, "    http-response set-status %d if { var(txn.p) -m str /%d }\n", st, st)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	startHAProxy(t, cfg.String(), addr)
	for _, st := range statuses {
		c := dial(t, addr)
		fmt.Fprintf(c, "GET /%d HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", st)
		line, err := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if err != nil {
			t.Fatalf("status %d: %v", st, err)
		}
		if want := fmt.Sprintf("HTTP/1.1 %d %s\r\n", st, StatusText(st)); line != want {
			t.Errorf("HAProxy sends %q, StatusText gives %q", line, want)
		}
	}
}
