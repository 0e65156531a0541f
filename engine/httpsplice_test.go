package engine

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestHTTPSplicedBodies sends large Content-Length bodies both ways with
// pipelined requests right behind them, with splicing (the default) and
// without: every body arrives whole, the next request is never taken for
// body bytes, and the server connection is reused.
func TestHTTPSplicedBodies(t *testing.T) {
	const size = 200 << 10
	big := strings.Repeat("0123456789abcdef", size/16)
	h := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/big" {
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			io.WriteString(w, big)
			return
		}
		fmt.Fprintf(w, "%s %d %x", r.URL.Path, len(body), sha256.Sum256(body))
	}
	for _, tc := range []struct {
		name, extra string
		spliced     bool
	}{
		{"default", "", true},
		{"no splice", "  no option splice-auto\n  option splice-request\n  no option splice-request\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			be := startHTTPBackend(t, "app", h)
			e, addr := httpProxy(t, tc.extra, be.addr())
			rc := dialHTTP(t, addr)
			for round := 0; round < 2; round++ {
				rc.send("POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: " + strconv.Itoa(len(big)) + "\r\n\r\n" + big +
					"GET /big HTTP/1.1\r\nHost: h\r\n\r\nGET /small HTTP/1.1\r\nHost: h\r\n\r\n")
				if _, body := rc.read("POST"); body != fmt.Sprintf("/up %d %x", len(big), sha256.Sum256([]byte(big))) {
					t.Fatalf("upload: %q", body)
				}
				if _, body := rc.read("GET"); body != big {
					t.Fatalf("download: %d bytes, differ", len(body))
				}
				if _, body := rc.read("GET"); body != fmt.Sprintf("/small 0 %x", sha256.Sum256(nil)) {
					t.Fatalf("small: %q", body)
				}
			}
			if n := be.conns.Load(); n != 1 {
				t.Errorf("%d server connections, want 1", n)
			}
			spliced := e.testSum(e.frontends[0].ctr).spliced
			switch {
			case tc.spliced && spliced < 2*size:
				t.Errorf("spliced %d bytes, want at least %d", spliced, 2*size)
			case !tc.spliced && spliced != 0:
				t.Errorf("spliced %d bytes with splicing off", spliced)
			}
		})
	}
}
