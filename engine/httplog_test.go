package engine

import (
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// logProxy starts a mode http listen section logging raw lines with
// format to a fresh syslog receiver; extra lines go into the section.
func logProxy(t *testing.T, format, extra string, h http.HandlerFunc) (addr string, udp *net.UDPConn) {
	t.Helper()
	udp, laddr := syslogReceiver(t)
	be := startHTTPBackend(t, "app", h)
	cfg := fmt.Sprintf(`defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
listen px
  bind 127.0.0.1:0
  log %s format raw local0
  log-format "%s"
%s  server s1 %s
`, laddr, format, extra, be.addr())
	_, addr = httpConfig(t, cfg, "px")
	return addr, udp
}

func TestHTTPCaptures(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Answer", "forty-two-and-more")
		w.Header().Add("Set-Cookie", "other=1; Path=/")
		w.Header().Add("Set-Cookie", "SRVID=s1; Path=/; HttpOnly")
		fmt.Fprint(w, "ok")
	}
	addr, udp := logProxy(t, "%hr|%hs|%{+Q}hrl|%CC|%CS", `  capture request header Host len 5
  capture request header User-Agent len 64
  capture request header X-Missing len 10
  capture response header X-Answer len 9
  capture cookie SRV len 32
  http-request set-header Host rewritten
`, h)
	rc := dialHTTP(t, addr)
	rc.send("GET / HTTP/1.1\r\nHost: example.org\r\nUser-Agent: first\r\nUser-Agent: last\r\nCookie: a=1; SRVID=s9 ; b=2\r\n\r\n")
	rc.read("GET")
	// Values are truncated to their length; the last of repeated
	// headers is kept; a header not seen is an empty slot; captures see
	// the request as the client sent it, before the rules.
	want := `{examp|last|}|{forty-two}|"examp" "last" ""|SRVID=s9|SRVID=s1`
	if got := readDatagram(t, udp); got != want {
		t.Fatalf("log line %q, want %q", got, want)
	}
	// The next transaction on the connection starts with empty captures.
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	rc.read("GET")
	if got, want := readDatagram(t, udp), `{h||}|{forty-two}|"h" "" ""|-|SRVID=s1`; got != want {
		t.Fatalf("second log line %q, want %q", got, want)
	}
}

func TestHTTPUniqueID(t *testing.T) {
	seen := make(chan string, 4)
	h := func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Get("X-Request-ID")
		fmt.Fprint(w, "ok")
	}
	addr, udp := logProxy(t, "id=%ID rt=%rt", `  unique-id-format %{+X}o\ %ci-%rt-%pid
  unique-id-header X-Request-ID
`, h)
	rc := dialHTTP(t, addr)
	idRe := regexp.MustCompile(`^7F000001-([0-9A-F]+)-([0-9A-F]+)$`)
	var ids []string
	for i := 0; i < 2; i++ {
		rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		rc.read("GET")
		hdr := <-seen
		m := idRe.FindStringSubmatch(hdr)
		if m == nil {
			t.Fatalf("server saw unique id %q", hdr)
		}
		// The log prints the id the server saw and the same counter
		// (in hex in the id, under +X).
		rt, err := strconv.ParseUint(m[1], 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := readDatagram(t, udp), fmt.Sprintf("id=%s rt=%d", hdr, rt); got != want {
			t.Fatalf("log line %q, want %q", got, want)
		}
		ids = append(ids, hdr)
	}
	if ids[0] == ids[1] {
		t.Fatalf("two transactions got the same id %q", ids[0])
	}
}

func TestHTTPUniqueIDOnLocalResponse(t *testing.T) {
	// A request answered by the proxy never reached a server, yet its
	// log line renders the id.
	addr, udp := logProxy(t, "%ST %ID", `  unique-id-format req-%rt
  http-request deny if { path /deny }
`, nil)
	rc := dialHTTP(t, addr)
	rc.send("GET /deny HTTP/1.1\r\nHost: h\r\n\r\n")
	rc.read("GET")
	if got := readDatagram(t, udp); !regexp.MustCompile(`^403 req-\d+$`).MatchString(got) {
		t.Fatalf("log line %q", got)
	}
}

// TestHTTPEmptyConnectionLogs checks which connections without a
// complete request are logged, with and without "option dontlognull",
// as HAProxy 2.6 does: an empty first connection is a client abort
// (CR, 400) unless dontlognull; part of a head is always logged.
func TestHTTPEmptyConnectionLogs(t *testing.T) {
	for _, dontlognull := range []bool{false, true} {
		t.Run(fmt.Sprint("dontlognull=", dontlognull), func(t *testing.T) {
			extra := ""
			if dontlognull {
				extra = "  option dontlognull\n"
			}
			addr, udp := logProxy(t, "%ST %tsc %{+Q}r", extra, nil)
			// An empty connection.
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			c.Close()
			// A connection that sends part of a head.
			c, err = net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			c.Write([]byte("GET / HT"))
			c.Close()
			// A keep-alive connection closed after its request: the
			// request is logged, the idle close is not.
			rc := dialHTTP(t, addr)
			rc.send("GET /last HTTP/1.1\r\nHost: h\r\n\r\n")
			rc.read("GET")
			rc.c.Close()

			// A second connection after every other one closed: all the
			// lines due were sent before its own.
			rc = dialHTTP(t, addr)
			rc.send("GET /marker HTTP/1.1\r\nHost: h\r\n\r\n")
			rc.read("GET")

			got := map[string]int{}
			for {
				l := readDatagram(t, udp)
				if strings.Contains(l, "/marker") {
					break
				}
				got[l]++
			}
			partial := `400 CR-- "<BADREQ>"`
			want := map[string]int{partial: 1, `200 ---- "GET /last HTTP/1.1"`: 1}
			if !dontlognull {
				want[partial] = 2
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("log lines %v, want %v", got, want)
			}
		})
	}
}

func TestHTTPLogASAP(t *testing.T) {
	addr, udp := logProxy(t, "%ST %Tt %B", "  option logasap\n", nil)
	rc := dialHTTP(t, addr)
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	rc.read("GET")
	if got := readDatagram(t, udp); !regexp.MustCompile(`^200 \+\d+ \+\d+$`).MatchString(got) {
		t.Fatalf("log line %q", got)
	}
}

func TestProxyLogTag(t *testing.T) {
	udp, laddr := syslogReceiver(t)
	be := startHTTPBackend(t, "app", nil)
	cfg := fmt.Sprintf(`global
  log-tag global-tag
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
listen px
  bind 127.0.0.1:0
  log %s local0
  log-tag px-tag
  log-format "tagged"
  server s1 %s
`, laddr, be.addr())
	_, addr := httpConfig(t, cfg, "px")
	rc := dialHTTP(t, addr)
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	rc.read("GET")
	if got := readDatagram(t, udp); !regexp.MustCompile(`^<134>\w{3} [ \d]\d \d\d:\d\d:\d\d px-tag\[\d+\]: tagged$`).MatchString(got) {
		t.Fatalf("log line %q", got)
	}
}
