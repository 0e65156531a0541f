package engine

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// httpBackend is a net/http server on loopback that counts the
// connections it accepted.
type httpBackend struct {
	srv   *httptest.Server
	conns atomic.Int32
	open  atomic.Int32
}

func startHTTPBackend(t *testing.T, name string, h http.HandlerFunc) *httpBackend {
	t.Helper()
	b := &httpBackend{}
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Server", name)
			w.Header().Set("X-Seen-XFF", r.Header.Get("X-Forwarded-For"))
			w.Header().Set("X-Seen-OT", r.Header.Get("X-Original-To"))
			w.Header().Set("X-Seen-Connection", r.Header.Get("Connection"))
			fmt.Fprintf(w, "%s %s %s body=%d:%s", name, r.Method, r.URL.RequestURI(), len(body), body)
		}
	}
	b.srv = httptest.NewUnstartedServer(h)
	b.srv.Config.ConnState = func(c net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			b.conns.Add(1)
			b.open.Add(1)
		case http.StateClosed, http.StateHijacked:
			b.open.Add(-1)
		}
	}
	b.srv.Start()
	t.Cleanup(b.srv.Close)
	return b
}

func (b *httpBackend) addr() string { return b.srv.Listener.Addr().String() }

// httpProxy starts an engine on a mode http listen section whose servers
// are addrs, with extra lines added to the section.
func httpProxy(t *testing.T, extra string, addrs ...string) (*Engine, string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("defaults\n  mode http\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n")
	b.WriteString("listen px\n  bind 127.0.0.1:0\n")
	b.WriteString(extra)
	for i, a := range addrs {
		fmt.Fprintf(&b, "  server s%d %s\n", i+1, a)
	}
	e, _ := startParsed(t, b.String(), 1)
	return e, e.ListenAddrs()["px"][0]
}

// rawClient is a client connection that writes raw bytes and reads
// responses with net/http's parser.
type rawClient struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialHTTP(t *testing.T, addr string) *rawClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawClient{t: t, c: c, br: bufio.NewReader(c)}
}

func (rc *rawClient) send(s string) {
	rc.t.Helper()
	if _, err := io.WriteString(rc.c, s); err != nil {
		rc.t.Fatal(err)
	}
}

// read reads one response to a request of method.
func (rc *rawClient) read(method string) (*http.Response, string) {
	rc.t.Helper()
	res, err := http.ReadResponse(rc.br, &http.Request{Method: method})
	if err != nil {
		rc.t.Fatalf("reading response: %v", err)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		rc.t.Fatalf("reading body: %v", err)
	}
	res.Body.Close()
	return res, string(body)
}

// closed reports whether the proxy closed the connection (EOF with no
// more bytes).
func (rc *rawClient) closed() bool {
	rc.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := rc.br.ReadByte()
	return err == io.EOF
}

func TestHTTPKeepAliveReusesServerConnection(t *testing.T) {
	be := startHTTPBackend(t, "app1", nil)
	e, addr := httpProxy(t, "", be.addr())
	rc := dialHTTP(t, addr)
	for i := 0; i < 5; i++ {
		rc.send(fmt.Sprintf("GET /x%d HTTP/1.1\r\nHost: h\r\n\r\n", i))
		res, body := rc.read("GET")
		if res.StatusCode != 200 || body != fmt.Sprintf("app1 GET /x%d body=0:", i) {
			t.Fatalf("request %d: %d %q", i, res.StatusCode, body)
		}
		if res.Close {
			t.Fatalf("request %d: response closes the connection", i)
		}
	}
	if n := be.conns.Load(); n != 1 {
		t.Errorf("server connections: %d, want 1 (kept between requests)", n)
	}
	st := e.testSum(e.frontends[0].ctr)
	if st.reqTot != 5 || st.hrsp[1] != 5 {
		t.Errorf("frontend req_tot=%d hrsp_2xx=%d, want 5 and 5", st.reqTot, st.hrsp[1])
	}
}

func TestHTTPRequestBodies(t *testing.T) {
	be := startHTTPBackend(t, "app1", nil)
	_, addr := httpProxy(t, "", be.addr())
	rc := dialHTTP(t, addr)
	// Content-Length body, then a chunked body, then one split across
	// writes, on one connection.
	rc.send("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello")
	if _, body := rc.read("POST"); body != "app1 POST /a body=5:hello" {
		t.Fatalf("CL body: %q", body)
	}
	rc.send("POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n")
	if _, body := rc.read("POST"); body != "app1 POST /b body=5:abcde" {
		t.Fatalf("chunked body: %q", body)
	}
	rc.send("POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nab")
	rc.send("cd")
	rc.send("ef")
	if _, body := rc.read("POST"); body != "app1 POST /c body=6:abcdef" {
		t.Fatalf("split body: %q", body)
	}
	big := strings.Repeat("z", 300<<10)
	rc.send("PUT /big HTTP/1.1\r\nHost: h\r\nContent-Length: " + strconv.Itoa(len(big)) + "\r\n\r\n" + big)
	if _, body := rc.read("PUT"); body != "app1 PUT /big body=307200:"+big {
		t.Fatalf("big body: %d bytes back", len(body))
	}
}

func TestHTTPPipelinedRequests(t *testing.T) {
	be := startHTTPBackend(t, "app1", nil)
	_, addr := httpProxy(t, "", be.addr())
	rc := dialHTTP(t, addr)
	rc.send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nokGET /3 HTTP/1.1\r\nHost: h\r\n\r\n")
	for i, want := range []string{"app1 GET /1 body=0:", "app1 POST /2 body=2:ok", "app1 GET /3 body=0:"} {
		if _, body := rc.read("GET"); body != want {
			t.Fatalf("response %d: %q, want %q", i+1, body, want)
		}
	}
}

func TestHTTPRoundRobinPerRequest(t *testing.T) {
	b1 := startHTTPBackend(t, "app1", nil)
	b2 := startHTTPBackend(t, "app2", nil)
	_, addr := httpProxy(t, "", b1.addr(), b2.addr())
	rc := dialHTTP(t, addr)
	var got []string
	for i := 0; i < 6; i++ {
		rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		res, _ := rc.read("GET")
		got = append(got, res.Header.Get("X-Server"))
	}
	if strings.Join(got, ",") != "app1,app2,app1,app2,app1,app2" {
		t.Fatalf("servers: %v", got)
	}
	// One connection to each server, kept in the reactor's pool while the
	// client talks to the other one.
	if b1.conns.Load() != 1 || b2.conns.Load() != 1 {
		t.Errorf("server connections: %d and %d, want 1 and 1", b1.conns.Load(), b2.conns.Load())
	}
}

func TestHTTPConnectionHeaders(t *testing.T) {
	be := startHTTPBackend(t, "app1", nil)
	_, addr := httpProxy(t, "", be.addr())

	// HTTP/1.0 without keep-alive: the proxy closes after the response.
	rc := dialHTTP(t, addr)
	rc.send("GET /old HTTP/1.0\r\n\r\n")
	res, body := rc.read("GET")
	if res.StatusCode != 200 || body != "app1 GET /old body=0:" {
		t.Fatalf("HTTP/1.0: %d %q", res.StatusCode, body)
	}
	if !rc.closed() {
		t.Fatal("HTTP/1.0 connection left open")
	}

	// HTTP/1.0 with keep-alive: told so, and kept.
	rc = dialHTTP(t, addr)
	rc.send("GET /ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	res, _ = rc.read("GET")
	if !strings.EqualFold(res.Header.Get("Connection"), "keep-alive") {
		t.Fatalf("HTTP/1.0 keep-alive response Connection: %q", res.Header.Get("Connection"))
	}
	rc.send("GET /ka2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	if _, body := rc.read("GET"); body != "app1 GET /ka2 body=0:" {
		t.Fatalf("second HTTP/1.0 request: %q", body)
	}

	// HTTP/1.1 with close: answered with close, then closed.
	rc = dialHTTP(t, addr)
	rc.send("GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	res, _ = rc.read("GET")
	if !res.Close {
		t.Fatal("response to Connection: close does not close")
	}
	if !rc.closed() {
		t.Fatal("connection left open after Connection: close")
	}
}

func TestHTTPCloseModes(t *testing.T) {
	for _, tc := range []struct {
		option        string
		clientClosed  bool
		serverCloseHd bool
	}{
		{"option httpclose", true, true},
		{"option http-server-close", false, true},
		{"option http-keep-alive", false, false},
	} {
		t.Run(tc.option, func(t *testing.T) {
			be := startHTTPBackend(t, "app1", nil)
			_, addr := httpProxy(t, "  "+tc.option+"\n", be.addr())
			rc := dialHTTP(t, addr)
			rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
			res, _ := rc.read("GET")
			if got := strings.EqualFold(res.Header.Get("X-Seen-Connection"), "close"); got != tc.serverCloseHd {
				t.Errorf("server saw Connection %q", res.Header.Get("X-Seen-Connection"))
			}
			if res.Close != tc.clientClosed {
				t.Errorf("client response Close=%v, want %v", res.Close, tc.clientClosed)
			}
			if tc.clientClosed {
				if !rc.closed() {
					t.Error("client connection left open")
				}
				return
			}
			rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
			rc.read("GET")
			want := int32(1)
			if tc.serverCloseHd {
				want = 2
			}
			if n := be.conns.Load(); n != want {
				t.Errorf("server connections: %d, want %d", n, want)
			}
		})
	}
}

func TestHTTPForwardFor(t *testing.T) {
	be := startHTTPBackend(t, "app1", nil)
	_, addr := httpProxy(t, "  option forwardfor\n", be.addr())
	rc := dialHTTP(t, addr)
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	res, _ := rc.read("GET")
	if got := res.Header.Get("X-Seen-XFF"); got != "127.0.0.1" {
		t.Fatalf("X-Forwarded-For seen by the server: %q", got)
	}

	_, addr = httpProxy(t, "  option originalto header X-Original-To\n", be.addr())
	rc = dialHTTP(t, addr)
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if res, _ := rc.read("GET"); res.Header.Get("X-Seen-OT") != "127.0.0.1" || res.Header.Get("X-Seen-XFF") != "" {
		t.Fatalf("originalto: %q, forwardfor %q", res.Header.Get("X-Seen-OT"), res.Header.Get("X-Seen-XFF"))
	}

	_, addr = httpProxy(t, "  option forwardfor except 127.0.0.0/8\n", be.addr())
	rc = dialHTTP(t, addr)
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if res, _ := rc.read("GET"); res.Header.Get("X-Seen-XFF") != "" {
		t.Fatalf("X-Forwarded-For added for an excepted client: %q", res.Header.Get("X-Seen-XFF"))
	}
}

func TestHTTPErrors(t *testing.T) {
	be := startHTTPBackend(t, "app1", nil)
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()

	t.Run("bad request", func(t *testing.T) {
		_, addr := httpProxy(t, "", be.addr())
		rc := dialHTTP(t, addr)
		rc.send("GET / HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n")
		res, _ := rc.read("GET")
		if res.StatusCode != 400 || !rc.closed() {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("no server", func(t *testing.T) {
		_, addr := httpProxy(t, "")
		rc := dialHTTP(t, addr)
		rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		if res, _ := rc.read("GET"); res.StatusCode != 503 {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		_, addr := httpProxy(t, "  retries 1\n  timeout connect 200ms\n", deadAddr)
		rc := dialHTTP(t, addr)
		rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		if res, _ := rc.read("GET"); res.StatusCode != 503 {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("server timeout", func(t *testing.T) {
		release := make(chan struct{})
		slow := startHTTPBackend(t, "slow", func(w http.ResponseWriter, r *http.Request) { <-release })
		defer close(release)
		_, addr := httpProxy(t, "  timeout server 100ms\n", slow.addr())
		rc := dialHTTP(t, addr)
		rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		if res, _ := rc.read("GET"); res.StatusCode != 504 {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("request timeout", func(t *testing.T) {
		_, addr := httpProxy(t, "  timeout http-request 100ms\n", be.addr())
		rc := dialHTTP(t, addr)
		rc.send("GET / HTTP/1.1\r\nHost: h\r\n")
		if res, _ := rc.read("GET"); res.StatusCode != 408 {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("bad response", func(t *testing.T) {
		bad := startBackend(t, func(c net.Conn) {
			bufio.NewReader(c).ReadString('\n')
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
		})
		_, addr := httpProxy(t, "", bad.addr())
		rc := dialHTTP(t, addr)
		rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
		if res, _ := rc.read("GET"); res.StatusCode != 502 {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("oversized head", func(t *testing.T) {
		_, addr := httpProxy(t, "", be.addr())
		rc := dialHTTP(t, addr)
		rc.send("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + strings.Repeat("a", 20000) + "\r\n\r\n")
		res, _ := rc.read("GET")
		if res.StatusCode != 431 && res.StatusCode != 400 {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}

func TestHTTPMonitorURI(t *testing.T) {
	be := startHTTPBackend(t, "app1", nil)
	_, addr := httpProxy(t, "  monitor-uri /health\n", be.addr())
	rc := dialHTTP(t, addr)
	rc.send("GET /health HTTP/1.1\r\nHost: h\r\n\r\nGET /app HTTP/1.1\r\nHost: h\r\n\r\n")
	if res, _ := rc.read("GET"); res.StatusCode != 200 {
		t.Fatalf("monitor-uri: %d", res.StatusCode)
	}
	if _, body := rc.read("GET"); body != "app1 GET /app body=0:" {
		t.Fatalf("request after monitor-uri: %q", body)
	}
	if be.conns.Load() != 1 {
		t.Fatalf("server connections %d", be.conns.Load())
	}
}

func TestHTTPResponseFramings(t *testing.T) {
	// A raw server answering each request in turn with a chosen framing.
	responses := []string{
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\nX-T: 1\r\n\r\n",
		"HTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
		"HTTP/1.1 200 OK\r\n\r\nuntil-close",
	}
	var mu sync.Mutex
	next := 0
	srv := startBackend(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			io.Copy(io.Discard, req.Body)
			mu.Lock()
			r := responses[next]
			next++
			mu.Unlock()
			io.WriteString(c, r)
			if strings.HasSuffix(r, "until-close") {
				return
			}
		}
	})
	_, addr := httpProxy(t, "", srv.addr())
	rc := dialHTTP(t, addr)
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if _, body := rc.read("GET"); body != "abcd" {
		t.Fatalf("chunked: %q", body)
	}
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if res, _ := rc.read("GET"); res.StatusCode != 204 {
		t.Fatalf("204: %d", res.StatusCode)
	}
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if res, _ := rc.read("GET"); res.StatusCode != 304 {
		t.Fatalf("304: %d", res.StatusCode)
	}
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	res, body := rc.read("GET")
	if body != "until-close" || !res.Close {
		t.Fatalf("until close: %q close=%v", body, res.Close)
	}
	if !rc.closed() {
		t.Fatal("client connection left open after a close-delimited response")
	}
}

func TestHTTPExpectContinue(t *testing.T) {
	be := startHTTPBackend(t, "app1", nil)
	_, addr := httpProxy(t, "", be.addr())
	rc := dialHTTP(t, addr)
	rc.send("POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
	line, err := rc.br.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("interim response: %q %v", line, err)
	}
	if l, _ := rc.br.ReadString('\n'); l != "\r\n" {
		t.Fatalf("interim response end: %q", l)
	}
	rc.send("abc")
	if _, body := rc.read("POST"); body != "app1 POST /e body=3:abc" {
		t.Fatalf("body: %q", body)
	}
}

func TestHTTPUpgradeTunnel(t *testing.T) {
	srv := startBackend(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		buf := make([]byte, 5)
		if _, err := io.ReadFull(br, buf); err != nil {
			return
		}
		c.Write(append([]byte("echo:"), buf...))
	})
	_, addr := httpProxy(t, "", srv.addr())
	rc := dialHTTP(t, addr)
	rc.send("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	res, err := http.ReadResponse(rc.br, &http.Request{Method: "GET"})
	if err != nil || res.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", res, err)
	}
	rc.send("hello")
	buf := make([]byte, 10)
	if _, err := io.ReadFull(rc.br, buf); err != nil || string(buf) != "echo:hello" {
		t.Fatalf("tunnel: %q %v", buf, err)
	}
}

func TestHTTPIdleServerCloseIsNoticed(t *testing.T) {
	be := startHTTPBackend(t, "app1", nil)
	e, addr := httpProxy(t, "", be.addr())
	rc := dialHTTP(t, addr)
	rc.send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n")
	rc.read("GET")
	// The server drops its idle connections; the proxy must notice and
	// open a new one for the next request instead of failing it.
	be.srv.CloseClientConnections()
	// Wait until the proxy dropped the connection it kept (no server
	// side in "show sess"): a request sent while the server's FIN is
	// still in flight meets the close race every keep-alive client
	// knows, which the proxy answers like HAProxy, by closing.
	waitFor(t, "kept server connection dropped", 5*time.Second, func() bool {
		for _, si := range e.AppendSessions(nil) {
			if si.SrvFD >= 0 {
				return false
			}
		}
		return true
	})
	rc.send("GET /2 HTTP/1.1\r\nHost: h\r\n\r\n")
	if res, body := rc.read("GET"); res.StatusCode != 200 || body != "app1 GET /2 body=0:" {
		t.Fatalf("after server close: %d %q", res.StatusCode, body)
	}
}

// httpConfig starts an engine on a full configuration text.
func httpConfig(t *testing.T, text string, fe string) (*Engine, string) {
	t.Helper()
	e, _ := startParsed(t, text, 1)
	return e, e.ListenAddrs()[fe][0]
}

func TestHTTPRulesAndSwitching(t *testing.T) {
	api := startHTTPBackend(t, "api", nil)
	web := startHTTPBackend(t, "web", nil)
	cfg := `defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:0
  acl is_api path_beg -i /api
  acl blocked hdr(x-block) -m found
  http-request deny deny_status 403 if blocked
  http-request return status 200 content-type text/plain string pong if { path /ping }
  http-request set-header X-Forwarded-For from-rule
  http-request del-header X-Secret
  http-request set-path /v2%[path] if is_api { method POST }
  redirect location /new code 301 if { path /old }
  http-response set-header X-Front fe
  use_backend be_api if is_api
  default_backend be_web
backend be_api
  http-response set-header X-Back api
  server a ` + api.addr() + `
backend be_web
  http-response set-status 299 reason Fine if { res.hdr(x-server) -m str web }
  server w ` + web.addr() + `
`
	e, addr := httpConfig(t, cfg, "fe")
	rc := dialHTTP(t, addr)
	for _, tc := range []struct {
		req, body, server, back string
		status                  int
	}{
		{"GET /api/x HTTP/1.1\r\nHost: h\r\n\r\n", "api GET /api/x body=0:", "api", "api", 200},
		// use_backend sees the rewritten path, as in HAProxy.
		{"POST /api/y HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", "web POST /v2/api/y body=0:", "web", "", 299},
		{"GET /index HTTP/1.1\r\nHost: h\r\nX-Secret: s\r\n\r\n", "web GET /index body=0:", "web", "", 299},
		{"GET /ping HTTP/1.1\r\nHost: h\r\n\r\n", "pong", "", "", 200},
		{"GET /old HTTP/1.1\r\nHost: h\r\n\r\n", "", "", "", 301},
	} {
		rc.send(tc.req)
		res, body := rc.read("GET")
		if res.StatusCode != tc.status || body != tc.body || res.Header.Get("X-Server") != tc.server || res.Header.Get("X-Back") != tc.back {
			t.Fatalf("%q: %d %q server=%q back=%q", tc.req, res.StatusCode, body, res.Header.Get("X-Server"), res.Header.Get("X-Back"))
		}
		if tc.server != "" && (res.Header.Get("X-Front") != "fe" || res.Header.Get("X-Seen-XFF") != "from-rule") {
			t.Fatalf("%q: rule headers front=%q seen=%q", tc.req, res.Header.Get("X-Front"), res.Header.Get("X-Seen-XFF"))
		}
		if tc.status == 299 && res.Status != "299 Fine" {
			t.Fatalf("set-status: %q", res.Status)
		}
		if tc.status == 301 && res.Header.Get("Location") != "/new" {
			t.Fatalf("redirect location %q", res.Header.Get("Location"))
		}
	}
	// deny closes the connection with HAProxy's 403 page.
	rc.send("GET / HTTP/1.1\r\nHost: h\r\nX-Block: 1\r\n\r\n")
	if res, _ := rc.read("GET"); res.StatusCode != 403 || !rc.closed() {
		t.Fatalf("deny: %d", res.StatusCode)
	}
	st := e.testSum(e.frontends[0].ctr)
	if st.reqTot != 6 || st.denied != 1 || st.intercepted != 2 {
		t.Errorf("frontend req_tot=%d dreq=%d intercepted=%d, want 6, 1, 2", st.reqTot, st.denied, st.intercepted)
	}
}

func TestHTTPBalanceURI(t *testing.T) {
	b1 := startHTTPBackend(t, "app1", nil)
	b2 := startHTTPBackend(t, "app2", nil)
	_, addr := httpProxy(t, "  balance uri\n", b1.addr(), b2.addr())
	first := map[string]string{}
	for round := 0; round < 3; round++ {
		rc := dialHTTP(t, addr)
		for i := 0; i < 8; i++ {
			path := fmt.Sprintf("/obj%d", i)
			rc.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n")
			res, _ := rc.read("GET")
			srv := res.Header.Get("X-Server")
			if round == 0 {
				first[path] = srv
			} else if first[path] != srv {
				t.Fatalf("%s went to %s, then %s", path, first[path], srv)
			}
		}
	}
	seen := map[string]bool{}
	for _, s := range first {
		seen[s] = true
	}
	if len(seen) != 2 {
		t.Fatalf("8 URIs all hashed to %v", seen)
	}
}

func TestHTTPStatsAndPrometheus(t *testing.T) {
	be := startHTTPBackend(t, "app1", nil)
	cfg := `defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend fe
  bind 127.0.0.1:0
  http-request use-service prometheus-exporter if { path /metrics }
  default_backend be
backend be
  stats uri /stats
  stats refresh 5s
  server app1 ` + be.addr() + `
`
	_, addr := httpConfig(t, cfg, "fe")
	rc := dialHTTP(t, addr)
	rc.send("GET /app HTTP/1.1\r\nHost: h\r\n\r\n")
	rc.read("GET")

	rc.send("GET /stats HTTP/1.1\r\nHost: h\r\n\r\n")
	res, body := rc.read("GET")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		res.Header.Get("Refresh") != "5" || !strings.Contains(body, "app1") || !strings.Contains(body, ";csv") {
		t.Fatalf("stats page: %d %v %.200q", res.StatusCode, res.Header, body)
	}
	rc.send("GET /stats;csv HTTP/1.1\r\nHost: h\r\n\r\n")
	res, body = rc.read("GET")
	if res.StatusCode != 200 || !strings.HasPrefix(body, "# pxname,svname,") || !strings.Contains(body, "\nbe,app1,") {
		t.Fatalf("stats csv: %d %.300q", res.StatusCode, body)
	}
	rc.send("GET /metrics HTTP/1.1\r\nHost: h\r\n\r\n")
	res, body = rc.read("GET")
	if res.StatusCode != 200 || !strings.Contains(body, `haproxy_frontend_http_requests_total{proxy="fe"} `) ||
		!strings.Contains(body, `haproxy_server_status{proxy="be",server="app1",state="UP"} 1`) {
		t.Fatalf("metrics: %d %.400q", res.StatusCode, body)
	}
	// The connection is still usable after the large local responses.
	rc.send("GET /again HTTP/1.1\r\nHost: h\r\n\r\n")
	if _, body := rc.read("GET"); body != "app1 GET /again body=0:" {
		t.Fatalf("after stats: %q", body)
	}
}

func TestHTTPErrorfile(t *testing.T) {
	dir := t.TempDir()
	page := "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: 6\r\n\r\nsorry\n"
	path := dir + "/503.http"
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	_, addr := httpProxy(t, "  errorfile 503 "+path+"\n")
	rc := dialHTTP(t, addr)
	rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	if res, body := rc.read("GET"); res.StatusCode != 503 || body != "sorry\n" {
		t.Fatalf("errorfile: %d %q", res.StatusCode, body)
	}
}
