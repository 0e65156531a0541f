package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// needTool returns the path of a client program, or skips the test (fails
// it under CI, where make deps installs it).
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not installed: make deps installs it", name)
		}
		t.Skipf("%s not installed: run make deps", name)
	}
	return p
}

// httpDemoConfig is a mode http frontend balancing over two servers that
// hitless itself plays with http-request return.
const httpDemoConfig = `global
    stats socket "${SOCK}" mode 600 level admin
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind "fd@${FE}"
    option forwardfor
    default_backend be
backend be
    balance roundrobin
    server app1 "${APP1}"
    server app2 "${APP2}"
listen app1
    bind "fd@${A1}"
    http-request return status 200 content-type text/plain string "app1\n" if { method GET HEAD }
    http-request return status 201 content-type text/plain string "posted\n"
listen app2
    bind "fd@${A2}"
    http-request return status 200 content-type text/plain string "app2\n" if { method GET HEAD }
    http-request return status 201 content-type text/plain string "posted\n"
`

// TestHTTPRealClients runs curl, ab and wrk against hitless in mode http:
// every request answered, no error, round robin across the servers.
func TestHTTPRealClients(t *testing.T) {
	curl, ab, wrk := needTool(t, "curl"), needTool(t, "ab"), needTool(t, "wrk")
	fe, addr := preBound(t)
	a1, addr1 := preBound(t)
	a2, addr2 := preBound(t)
	sock := filepath.Join(t.TempDir(), "stats.sock")
	cfg := writeFile(t, "h.cfg", httpDemoConfig)
	startProc(t, []string{"FE=3", "A1=4", "A2=5", "APP1=" + addr1, "APP2=" + addr2, "SOCK=" + sock},
		[]*os.File{fe, a1, a2}, "-d", "-f", cfg)
	url := "http://" + addr + "/"

	run := func(name string, args ...string) string {
		t.Helper()
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	// curl: two requests on one connection alternate between the servers.
	if out := run(curl, "-sS", "--max-time", "10", url, url); out != "app1\napp2\n" {
		t.Fatalf("curl: %q", out)
	}
	if out := run(curl, "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", "-d", "x=1", url); out != "201" {
		t.Fatalf("curl POST: %q", out)
	}
	// ab with keep-alive: 2000 requests, none failed, all 2xx.
	out := run(ab, "-q", "-k", "-n", "2000", "-c", "20", "-s", "10", url)
	for _, re := range []string{`Complete requests:\s+2000\n`, `Failed requests:\s+0\n`, `Keep-Alive requests:\s+2000\n`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Fatalf("ab output lacks %q:\n%s", re, out)
		}
	}
	if strings.Contains(out, "Non-2xx responses") {
		t.Fatalf("ab saw non-2xx responses:\n%s", out)
	}
	// wrk: a short bounded run without socket errors or non-2xx answers.
	out = run(wrk, "-t1", "-c10", "-d1s", "--timeout", "5s", url)
	if strings.Contains(out, "Socket errors") || strings.Contains(out, "Non-2xx") ||
		!regexp.MustCompile(`\d+ requests in`).MatchString(out) {
		t.Fatalf("wrk:\n%s", out)
	}
	// show stat counted the requests in the HTTP columns.
	st := cliCommand(t, sock, "show stat")
	if !regexp.MustCompile(`\nfe,FRONTEND,(?:[^,]*,){37}\d+,([1-9]\d{3,}),`).MatchString(st) {
		t.Fatalf("show stat hrsp_2xx of fe:\n%s", st)
	}
}
