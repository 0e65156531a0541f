package engine

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The differential test of request tracking: the canonical rate limit
// runs in HAProxy 2.6 and in hitless with the same configuration and the
// same requests; the statuses and the counters "show table" prints must
// be equal (entry ids, expiry and byte counts aside).

const trackLiveConfig = `
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend f
  bind 127.0.0.1:%d
  stick-table type ip size 1k expire 10s store conn_cnt,conn_cur,http_req_cnt,http_req_rate(10s),http_err_cnt,http_err_rate(10s),gpc0
  http-request track-sc0 src
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 5 }
  http-request return status 200 content-type text/plain lf-string "rate=%%[sc0_http_req_rate] cur=%%[sc_conn_cur(0)] src=%%[src_http_req_rate] gpc0=%%[sc_inc_gpc0(0)] t1=%%[sc_tracked(1)]"
`

// trackScenario sends the requests of the test to addr and returns what
// the client saw; show returns the table's entry line.
func trackScenario(t *testing.T, addr string, show func() string) []string {
	var seen []string
	rc := dialHTTP(t, addr)
	for i := 1; i <= 6; i++ {
		rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		res, body := rc.read("GET")
		if res.StatusCode != 200 {
			body = ""
		}
		seen = append(seen, fmt.Sprintf("%d %s", res.StatusCode, body))
	}
	rc.c.Close()
	for i := 7; i <= 8; i++ {
		c := dialHTTP(t, addr)
		c.send("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		res, _ := c.read("GET")
		seen = append(seen, fmt.Sprint(res.StatusCode))
		c.c.Close()
	}
	var line string
	waitFor(t, "the last transaction released", 5*time.Second, func() bool {
		line = show()
		return strings.Contains(line, " use=0 ")
	})
	// Without the entry id and expiry.
	f := strings.Fields(line)
	if len(f) > 3 {
		f = append(f[1:3], f[4:]...)
	}
	return append(seen, strings.Join(f, " "))
}

func TestTrackHAProxy(t *testing.T) {
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("haproxy not found: %v", err)
		}
		t.Skip("haproxy not installed")
	}
	// HAProxy.
	dir := t.TempDir()
	sock := filepath.Join(dir, "admin.sock")
	port := freePort(t)
	cfg := "global\n  stats socket " + sock + " level admin\n" + fmt.Sprintf(trackLiveConfig, port)
	if err := os.WriteFile(filepath.Join(dir, "h.cfg"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin, "-d", "-f", filepath.Join(dir, "h.cfg"))
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	haShow := func() string {
		c, err := net.Dial("unix", sock)
		if err != nil {
			return ""
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "show table f\n")
		out, _ := io.ReadAll(c)
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return lines[len(lines)-1]
	}
	waitFor(t, "haproxy's stats socket", 10*time.Second, func() bool {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	waitFor(t, "haproxy's listener", 10*time.Second, func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	want := trackScenario(t, fmt.Sprintf("127.0.0.1:%d", port), haShow)

	// hitless.
	e, _ := startParsed(t, fmt.Sprintf(trackLiveConfig, 0), 1)
	got := trackScenario(t, e.ListenAddrs()["f"][0], func() string { return strings.TrimSpace(showTable(e, "f")) })
	t.Logf("both:\n%s", strings.Join(want, "\n"))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("hitless:\n%s\nhaproxy 2.6:\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), logs.String())
	}
}
