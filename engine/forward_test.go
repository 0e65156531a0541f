package engine

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hitless/engine/config"
)

// TestBulkBothWays sends 64 MiB of random bytes each way at the same time
// through the proxy and compares checksums, with splice forced on, left
// to the automatic policy, and off.
func TestBulkBothWays(t *testing.T) {
	const size = 64 << 20
	modes := []struct {
		name             string
		req, res, nosplc bool
		auto             bool
	}{
		{name: "splice", req: true, res: true},
		{name: "auto", auto: true},
		{name: "copy", nosplc: true},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			// The backend sends its own random stream while sinking and
			// hashing what it receives.
			srvData := make([]byte, size)
			rand.Read(srvData)
			var gotFromClient [32]byte
			var srvWG sync.WaitGroup
			srvWG.Add(1)
			b := startBackend(t, func(c net.Conn) {
				defer srvWG.Done()
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					h := sha256.New()
					io.Copy(h, c)
					copy(gotFromClient[:], h.Sum(nil))
				}()
				c.Write(srvData)
				c.(*net.TCPConn).CloseWrite()
				wg.Wait()
			})
			cfg := testConfig(b.addr())
			px := cfg.Proxies[0]
			px.Splice.Set = true
			px.Splice.Request, px.Splice.Response, px.Splice.Auto = m.req, m.res, m.auto
			cfg.Global.NoSplice = m.nosplc
			e, addr := startEngine(t, cfg, 2)

			cliData := make([]byte, size)
			rand.Read(cliData)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(60 * time.Second))
			errc := make(chan error, 1)
			go func() {
				_, err := c.Write(cliData)
				c.(*net.TCPConn).CloseWrite()
				errc <- err
			}()
			h := sha256.New()
			n, err := io.Copy(h, c)
			if err != nil {
				t.Fatal(err)
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			srvWG.Wait()
			if n != size || !bytes.Equal(h.Sum(nil), sum256(srvData)) {
				t.Fatalf("client received %d bytes, checksum mismatch=%v", n, !bytes.Equal(h.Sum(nil), sum256(srvData)))
			}
			if gotFromClient != [32]byte(sum256(cliData)) {
				t.Fatal("server received corrupted data")
			}
			fe := e.frontends[0]
			st := e.testSum(fe.ctr)
			if st.bytesIn != size || st.bytesOut != size {
				t.Errorf("frontend counted bin=%d bout=%d, want %d each", st.bytesIn, st.bytesOut, size)
			}
			switch spliced := st.spliced; {
			case m.nosplc && spliced != 0:
				t.Errorf("nosplice forwarded %d bytes with splice", spliced)
			case m.req && spliced != 2*size:
				t.Errorf("splice forced: %d of %d bytes spliced", spliced, 2*size)
			case m.auto && spliced < size:
				t.Errorf("splice-auto on a bulk transfer spliced only %d of %d bytes", spliced, 2*size)
			}
			waitFor(t, "stream to close", 5*time.Second, func() bool { return e.global.cur.Load() == 0 })
		})
	}
}

func sum256(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// TestHalfClose checks that an end of stream from either side reaches
// the other side while the opposite direction keeps flowing.
func TestHalfClose(t *testing.T) {
	t.Run("client first", func(t *testing.T) {
		// The server answers only once the client finished sending.
		b := startBackend(t, func(c net.Conn) {
			data, _ := io.ReadAll(c)
			c.Write(append([]byte("got:"), data...))
		})
		_, addr := startEngine(t, testConfig(b.addr()), 1)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write([]byte("hello"))
		c.(*net.TCPConn).CloseWrite()
		resp, err := io.ReadAll(c)
		if err != nil || string(resp) != "got:hello" {
			t.Fatalf("response %q, %v; want %q", resp, err, "got:hello")
		}
	})
	t.Run("server first", func(t *testing.T) {
		// The server says goodbye and half-closes, then still reads.
		got := make(chan string, 1)
		b := startBackend(t, func(c net.Conn) {
			c.Write([]byte("bye"))
			c.(*net.TCPConn).CloseWrite()
			data, _ := io.ReadAll(c)
			got <- string(data)
		})
		_, addr := startEngine(t, testConfig(b.addr()), 1)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		first, err := io.ReadAll(c) // EOF from the server reaches us
		if err != nil || string(first) != "bye" {
			t.Fatalf("read %q, %v; want %q then EOF", first, err, "bye")
		}
		c.Write([]byte("still here"))
		c.(*net.TCPConn).CloseWrite()
		select {
		case s := <-got:
			if s != "still here" {
				t.Fatalf("server read %q after its half-close", s)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("server did not get the client's data after half-closing")
		}
	})
}

// TestBackpressure checks that a client that does not read stops the
// proxy from reading the server: what the server manages to write stays
// bounded by socket buffers plus one proxy buffer or pipe, and nothing is
// lost once the client reads.
func TestBackpressure(t *testing.T) {
	for _, mode := range []string{"copy", "splice"} {
		t.Run(mode, func(t *testing.T) {
			var written atomic.Int64
			chunk := make([]byte, 64<<10)
			b := startBackend(t, func(c net.Conn) {
				c.SetWriteDeadline(time.Now().Add(30 * time.Second))
				for written.Load() < 256<<20 {
					n, err := c.Write(chunk)
					written.Add(int64(n))
					if err != nil {
						return
					}
				}
				c.(*net.TCPConn).CloseWrite()
			})
			cfg := testConfig(b.addr())
			cfg.Global.NoSplice = mode == "copy"
			cfg.Proxies[0].Splice = config.Splice{Set: true, Response: mode == "splice"}
			_, addr := startEngine(t, cfg, 1)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// Wait until the server is blocked: its count stops moving.
			last := int64(-1)
			deadline := time.Now().Add(10 * time.Second)
			for {
				time.Sleep(100 * time.Millisecond) // sampling interval of a progress counter
				w := written.Load()
				if w == last && w > 0 {
					break
				}
				if time.Now().After(deadline) {
					break
				}
				last = w
			}
			t.Logf("server blocked after %d bytes", written.Load())
			const bound = 48 << 20 // loopback socket buffers grow to a few MiB each
			if w := written.Load(); w >= bound {
				t.Fatalf("server wrote %d bytes to a client that reads nothing; backpressure missing", w)
			}
			// Now read everything: every byte written arrives.
			c.SetReadDeadline(time.Now().Add(60 * time.Second))
			n, err := io.Copy(io.Discard, c)
			if err != nil {
				t.Fatal(err)
			}
			if n != written.Load() || n != 256<<20 {
				t.Fatalf("client read %d bytes, server wrote %d (want %d)", n, written.Load(), 256<<20)
			}
		})
	}
}

// TestKeepAliveLargeResponses runs many request/response exchanges of
// 64 KiB responses on one connection. A splice stops short when the
// pipe's slots fill up, with data still queued: treating that as a
// drained socket stalled the third response (found by make perf).
func TestKeepAliveLargeResponses(t *testing.T) {
	const size, rounds = 64 << 10, 30
	resp := make([]byte, size)
	rand.Read(resp)
	// The backend answers with sendfile(2) from a file, as nginx does with
	// static files: the resulting socket buffers hold small page
	// fragments, which fill a pipe's slots with far less than its size.
	path := filepath.Join(t.TempDir(), "body")
	if err := os.WriteFile(path, resp, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"splice", "auto", "copy"} {
		t.Run(mode, func(t *testing.T) {
			b := startBackend(t, func(c net.Conn) {
				f, err := os.Open(path)
				if err != nil {
					return
				}
				defer f.Close()
				req := make([]byte, 4)
				for {
					if _, err := io.ReadFull(c, req); err != nil {
						return
					}
					c.Write([]byte("HTTP/1.1 200 OK\r\n")) // a small write first, as a response head
					f.Seek(0, io.SeekStart)
					if _, err := io.Copy(c.(*net.TCPConn), f); err != nil {
						return
					}
				}
			})
			cfg := testConfig(b.addr())
			cfg.Global.NoSplice = mode == "copy"
			cfg.Proxies[0].Splice = config.Splice{Set: true, Auto: mode == "auto", Request: mode == "splice", Response: mode == "splice"}
			_, addr := startEngine(t, cfg, 1)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			head := "HTTP/1.1 200 OK\r\n"
			got := make([]byte, len(head)+size)
			for i := 0; i < rounds; i++ {
				c.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := c.Write([]byte("GET\n")); err != nil {
					t.Fatal(err)
				}
				if _, err := io.ReadFull(c, got); err != nil {
					t.Fatalf("response %d: %v", i+1, err)
				}
				if string(got[:len(head)]) != head || !bytes.Equal(got[len(head):], resp) {
					t.Fatalf("response %d corrupted", i+1)
				}
			}
		})
	}
}
