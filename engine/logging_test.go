package engine

import (
	"fmt"
	"net"
	"regexp"
	"testing"
	"time"
)

// syslogReceiver is a UDP socket collecting log datagrams.
func syslogReceiver(t *testing.T) (*net.UDPConn, string) {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, c.LocalAddr().String()
}

func readDatagram(t *testing.T, c *net.UDPConn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("no log line: %v", err)
	}
	return string(buf[:n])
}

func TestHTTPLogLine(t *testing.T) {
	udp, laddr := syslogReceiver(t)
	be := startHTTPBackend(t, "app1", nil)
	cfg := fmt.Sprintf(`global
  log %s local0
  log-tag hitless-test
defaults
  mode http
  log global
  option httplog
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:0
  default_backend be
backend be
  server s1 %s
`, laddr, be.addr())
	_, addr := httpConfig(t, cfg, "fe")
	rc := dialHTTP(t, addr)
	rc.send("GET /logged?q=1 HTTP/1.1\r\nHost: h\r\n\r\n")
	rc.read("GET")
	line := readDatagram(t, udp)
	// <134> = local0.info; HAProxy's httplog layout.
	re := regexp.MustCompile(`^<134>\w{3} [ \d]\d \d\d:\d\d:\d\d hitless-test\[\d+\]: 127\.0\.0\.1:\d+ \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] fe be/s1 \d+/\d+/\d+/\d+/\d+ 200 \d+ - - ---- \d+/\d+/\d+/\d+/0 0/0 "GET /logged\?q=1 HTTP/1\.1"$`)
	if !re.MatchString(line) {
		t.Fatalf("log line:\n%q", line)
	}
	// A request refused by the proxy is logged with its status and
	// termination state.
	rc.send("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n")
	rc.read("GET")
	line = readDatagram(t, udp)
	// No backend was chosen: HAProxy names the frontend.
	if !regexp.MustCompile(` fe fe/<NOSRV> -?\d+/-1/-1/-1/\d+ 400 \d+ - - PR-- `).MatchString(line) {
		t.Fatalf("bad request log line:\n%q", line)
	}
}

// tcpLogProxy starts a mode tcp listen section "px" in front of an echo
// server, logging with option tcplog in raw format to the returned UDP
// socket; extra lines are added to the section.
func tcpLogProxy(t *testing.T, extra string) (*Engine, *net.UDPConn) {
	t.Helper()
	udp, laddr := syslogReceiver(t)
	srv := startBackend(t, echo)
	cfg := fmt.Sprintf(`defaults
  mode tcp
  timeout connect 2s
  timeout client 10s
  timeout server 10s
listen px
  bind 127.0.0.1:0
  log %s format raw local1
  option tcplog
%s  server s1 %s
`, laddr, extra, srv.addr())
	e, _ := startParsed(t, cfg, 1)
	return e, udp
}

func TestTCPLogLine(t *testing.T) {
	e, udp := tcpLogProxy(t, "")
	c, err := net.Dial("tcp", e.ListenAddrs()["px"][0])
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("hello"))
	buf := make([]byte, 5)
	if _, err := c.Read(buf); err != nil {
		t.Fatal(err)
	}
	c.Close()
	line := readDatagram(t, udp)
	re := regexp.MustCompile(`^127\.0\.0\.1:\d+ \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] px px/s1 \d+/\d+/\d+ 5 -- \d+/\d+/\d+/\d+/0 0/0$`)
	if !re.MatchString(line) {
		t.Fatalf("log line:\n%q", line)
	}
}

// TestTCPLogASAP: with option logasap, a mode tcp stream is logged once,
// when its server connection is established, while the client still
// holds it: total time and bytes carry HAProxy's '+'.
func TestTCPLogASAP(t *testing.T) {
	e, udp := tcpLogProxy(t, "  option logasap\n  option dontlognull\n")
	c, err := net.Dial("tcp", e.ListenAddrs()["px"][0])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	line := readDatagram(t, udp) // the connection is still open
	re := regexp.MustCompile(`^127\.0\.0\.1:\d+ \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] px px/s1 \d+/\d+/\+\d+ \+0 -- \d+/\d+/\d+/\d+/0 0/0$`)
	if !re.MatchString(line) {
		t.Fatalf("log line:\n%q", line)
	}
	c.Write([]byte("hello"))
	if _, err := c.Read(make([]byte, 5)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	waitFrontendIdle(t, e, "px")
	// No second line when it closed: the next datagram is the next
	// stream's.
	c2, err := net.Dial("tcp", e.ListenAddrs()["px"][0])
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	next := readDatagram(t, udp)
	if !re.MatchString(next) {
		t.Fatalf("after the first stream closed, got:\n%q", next)
	}
}
