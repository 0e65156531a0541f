package engine

import (
	"fmt"
	"regexp"
	"testing"

	"hitless/engine/cli"
)

// TestServerStateSyslog checks that health check results and server
// state changes reach the backend's log targets with HAProxy's texts and
// severities (local0: <133> notice, <129> alert, <128> emerg), as
// haproxy 2.6.12 sends them.
func TestServerStateSyslog(t *testing.T) {
	udp, laddr := syslogReceiver(t)
	srv := startBackend(t, echo)
	dead := closedPort(t)
	cfg := fmt.Sprintf(`global
  log %s local0
defaults
  mode tcp
  log global
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:0
  default_backend b
backend b
  option log-health-checks
  server s1 %s check inter 100 fall 1 rise 1
backend c
  server s2 %s check inter 100 fall 1 rise 1
`, laddr, srv.addr(), dead)
	e, _ := startParsed(t, cfg, 1)
	hdr := `^<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d [^\[]+\[\d+\]: `
	expect := func(pri, text string) {
		t.Helper()
		re := regexp.MustCompile(hdr + text + "$")
		// Lines of the two backends interleave: skip the other's.
		for i := 0; i < 8; i++ {
			line := readDatagram(t, udp)
			if m := re.FindStringSubmatch(line); m != nil {
				if m[1] != pri {
					t.Fatalf("priority <%s>, want <%s>: %q", m[1], pri, line)
				}
				return
			}
		}
		t.Fatalf("no line matching %q", text)
	}
	expect("129", regexp.QuoteMeta(`Server c/s2 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: `)+`\d+ms\. 0 active and 0 backup servers left\. 0 sessions active, 0 requeued, 0 remaining in queue\.`)
	if err := e.SetServerAdmin(cli.Ref{Name: "b"}, cli.Ref{Name: "s1"}, cli.TargetMaint); err != nil {
		t.Fatal(err)
	}
	expect("129", regexp.QuoteMeta(`Server b/s1 is going DOWN for maintenance. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`))
	expect("128", regexp.QuoteMeta(`backend b has no server available!`))
	if err := e.SetServerAdmin(cli.Ref{Name: "b"}, cli.Ref{Name: "s1"}, cli.TargetReady); err != nil {
		t.Fatal(err)
	}
	expect("133", regexp.QuoteMeta(`Server b/s1 is UP/READY (leaving forced maintenance).`))
	// With log-health-checks, a failing check is logged at notice, then
	// the state change without a reason.
	srv.close()
	expect("133", regexp.QuoteMeta(`Health check for server b/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: `)+`\d+ms, status: 0/1 DOWN\.`)
	expect("129", regexp.QuoteMeta(`Server b/s1 is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`))
}
