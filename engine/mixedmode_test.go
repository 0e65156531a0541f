package engine

import (
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// TestMixedModesShareSlots: a stream slot freed by a mode http
// connection and reused by a mode tcp one carries no HTTP state over:
// the tcp stream forwards raw bytes, whatever they look like.
func TestMixedModesShareSlots(t *testing.T) {
	be := startHTTPBackend(t, "app", nil)
	srv := startBackend(t, echo)
	cfg := fmt.Sprintf(`defaults
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend web
  mode http
  bind 127.0.0.1:0
  default_backend app
backend app
  mode http
  server s1 %s
listen raw
  mode tcp
  bind 127.0.0.1:0
  server s1 %s
`, be.addr(), srv.addr())
	e, _ := startParsed(t, cfg, 1)
	web, raw := e.ListenAddrs()["web"][0], e.ListenAddrs()["raw"][0]
	for i := 0; i < 3; i++ {
		rc := dialHTTP(t, web)
		rc.send("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		if res, _ := rc.read("GET"); res.StatusCode != 200 {
			t.Fatalf("http: %d", res.StatusCode)
		}
		waitFrontendIdle(t, e, "web")
		c, err := net.Dial("tcp", raw)
		if err != nil {
			t.Fatal(err)
		}
		// Not HTTP: a mode http stream would answer 400.
		msg := "\x00\x01 not http\r\n\r\n"
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c, got); err != nil || string(got) != msg {
			t.Fatalf("tcp stream after an http one: %q, %v", got, err)
		}
		c.Close()
	}
}
