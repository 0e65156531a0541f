package engine

import (
	"fmt"
	"strconv"
	"testing"
)

// TestHTTPBalanceKeysAfterRules checks that hash keys are read from the
// request as the rules left it and that url_param falls back to the body
// of a POST, as in HAProxy 2.6.
func TestHTTPBalanceKeysAfterRules(t *testing.T) {
	b1 := startHTTPBackend(t, "app1", nil)
	b2 := startHTTPBackend(t, "app2", nil)
	// The server a parameter value hashes to, learned from the query.
	serverOf := func(t *testing.T, addr, method, target, body string) string {
		t.Helper()
		rc := dialHTTP(t, addr)
		req := method + " " + target + " HTTP/1.1\r\nHost: h\r\n"
		if body != "" {
			req += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n"
		}
		// Put a header before the key header that the rules delete, so
		// that the rewritten head moves the key header.
		rc.send(req + "X-Junk: " + fmt.Sprint(len(target)) + "\r\nX-Key: k1\r\n\r\n" + body)
		res, _ := rc.read(method)
		return res.Header.Get("X-Server")
	}

	t.Run("url_param in POST body", func(t *testing.T) {
		_, addr := httpProxy(t, "  balance url_param user\n", b1.addr(), b2.addr())
		seen := map[string]bool{}
		for i := 0; i < 8; i++ {
			v := fmt.Sprintf("u%d", i)
			q := serverOf(t, addr, "GET", "/?user="+v, "")
			if p := serverOf(t, addr, "POST", "/form", "a=1&user="+v+"&b=2"); p != q {
				t.Fatalf("user=%s: query to %s, POST body to %s", v, q, p)
			}
			seen[q] = true
		}
		if len(seen) != 2 {
			t.Fatalf("8 values all hashed to %v", seen)
		}
	})

	t.Run("hdr set by a rule", func(t *testing.T) {
		// Every request gets the same X-Key from the rule whatever the
		// client sent; another header before it is deleted.
		_, addr := httpProxy(t, "  balance hdr(X-Key)\n  http-request del-header X-Junk\n  http-request set-header X-Key %[path]\n", b1.addr(), b2.addr())
		seen := map[string]bool{}
		for i := 0; i < 8; i++ {
			path := fmt.Sprintf("/p%d", i)
			first := serverOf(t, addr, "GET", path, "")
			for j := 0; j < 2; j++ {
				if again := serverOf(t, addr, "GET", path, ""); again != first {
					t.Fatalf("%s went to %s, then %s", path, first, again)
				}
			}
			seen[first] = true
		}
		if len(seen) != 2 {
			t.Fatalf("8 keys set by the rule all hashed to %v", seen)
		}
	})
}

// TestHTTPPoolOptions checks the server options of the idle pool:
// pool-max-conn 0 keeps no idle connection for other streams, max-reuse
// bounds the transactions a connection carries.
func TestHTTPPoolOptions(t *testing.T) {
	for _, tc := range []struct {
		name, opts string
		conns      int32 // connections each server sees for 6 alternating requests
	}{
		{"default", "", 1},
		{"pool-max-conn 0", " pool-max-conn 0", 3},
		{"max-reuse 1", " max-reuse 1", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b1 := startHTTPBackend(t, "app1", nil)
			b2 := startHTTPBackend(t, "app2", nil)
			_, addr := httpProxy(t, "  default-server"+tc.opts+"\n", b1.addr(), b2.addr())
			rc := dialHTTP(t, addr)
			for i := 0; i < 6; i++ {
				rc.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
				rc.read("GET")
			}
			if n1, n2 := b1.conns.Load(), b2.conns.Load(); n1 != tc.conns || n2 != tc.conns {
				t.Fatalf("server connections %d and %d, want %d each", n1, n2, tc.conns)
			}
		})
	}
}
