package engine

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"hitless/engine/config"
)

// TestMain fails the package if goroutines or file descriptors leak.
func TestMain(m *testing.M) {
	// The runtime's own poller opens its descriptors on first network use;
	// open it now so that they count in the baseline.
	if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
	}
	fdsBefore := countFDs()
	code := m.Run()
	if code == 0 {
		if err := checkLeaks(fdsBefore); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

func countFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// checkLeaks waits (bounded) for goroutines and fds to come back to their
// initial level.
func checkLeaks(fdsBefore int) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		g := interestingGoroutines()
		fds := countFDs()
		if len(g) == 0 && fds <= fdsBefore {
			return nil
		}
		if time.Now().After(deadline) {
			if len(g) > 0 {
				return fmt.Errorf("leaked goroutines:\n%s", strings.Join(g, "\n\n"))
			}
			return fmt.Errorf("leaked file descriptors: %d before, %d after", fdsBefore, fds)
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
}

func interestingGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "testing.(*M).Run") || strings.Contains(g, "testing.Main(") ||
			strings.Contains(g, "runtime.goexit") && strings.Count(g, "\n") <= 2 ||
			strings.Contains(g, "created by os/signal.Notify") || strings.Contains(g, "interestingGoroutines") ||
			strings.Contains(g, "testing.(*T).Run") || strings.Contains(g, "testing.tRunner.func1") ||
			strings.Contains(g, "runtime.ensureSigM") {
			continue
		}
		out = append(out, g)
	}
	return out
}

// stubServer is a loopback TCP server run by a test; handle is called in a
// goroutine per connection (test code, not the proxy).
type stubServer struct {
	ln      net.Listener
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   map[net.Conn]bool
	accepts int
}

func startBackend(t *testing.T, handle func(c net.Conn)) *stubServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &stubServer{ln: ln, conns: map[net.Conn]bool{}}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			b.conns[c] = true
			b.accepts++
			b.mu.Unlock()
			b.wg.Add(1)
			go func() {
				defer b.wg.Done()
				handle(c)
				c.Close()
				b.mu.Lock()
				delete(b.conns, c)
				b.mu.Unlock()
			}()
		}
	}()
	t.Cleanup(b.close)
	return b
}

func (b *stubServer) addr() string { return b.ln.Addr().String() }

func (b *stubServer) port() int { return b.ln.Addr().(*net.TCPAddr).Port }

func (b *stubServer) acceptCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.accepts
}

func (b *stubServer) close() {
	b.ln.Close()
	b.mu.Lock()
	for c := range b.conns {
		c.Close()
	}
	b.mu.Unlock()
	b.wg.Wait()
}

// echo copies everything back, then half-closes when the client did.
func echo(c net.Conn) {
	io.Copy(c, c)
	c.(*net.TCPConn).CloseWrite()
}

// testConfig builds a one-listen configuration with the given servers.
func testConfig(servers ...string) *config.Config {
	p := &config.Proxy{
		Name: "px", Cap: config.CapFE | config.CapBE, ID: 2, Mode: config.ModeTCP,
		Binds:              []config.Bind{{Addr: "127.0.0.1:0", Kind: config.AddrIPv4, Host: "127.0.0.1"}},
		Retries:            3,
		RedispatchInterval: -1,
		Balance:            config.Balance{Algo: "roundrobin"},
		Timeouts:           config.Timeouts{Connect: 2 * time.Second, Client: 30 * time.Second, Server: 30 * time.Second},
	}
	for i, a := range servers {
		host, port, _ := net.SplitHostPort(a)
		var pn int
		fmt.Sscan(port, &pn)
		p.Servers = append(p.Servers, &config.Server{Name: fmt.Sprintf("s%d", i+1), ID: i + 1, Addr: host,
			Host: host, Port: pn, Weight: 1, Inter: 2 * time.Second, Rise: 2, Fall: 3})
	}
	return &config.Config{Proxies: []*config.Proxy{p}}
}

// startEngine runs cfg with nb reactors and returns the engine and the
// address of the first frontend's first listener.
func startEngine(t *testing.T, cfg *config.Config, nb int) (*Engine, string) {
	t.Helper()
	e, err := New(cfg, Options{Nbthread: nb, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopEngine(t, e) })
	addrs := e.ListenAddrs()
	fe := cfg.Frontends()[0].Name
	if len(addrs[fe]) == 0 {
		t.Fatal("no listener")
	}
	return e, addrs[fe][0]
}

func stopEngine(t *testing.T, e *Engine) {
	e.HardStop()
	select {
	case <-e.Done():
	case <-time.After(10 * time.Second):
		t.Error("engine did not stop within 10s")
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitFrontendIdle waits until frontend px holds no session: the
// streams its clients closed are gone.
func waitFrontendIdle(t *testing.T, e *Engine, px string) {
	t.Helper()
	waitFor(t, "frontend "+px+" to hold no session", 5*time.Second, func() bool {
		for _, r := range e.AppendStats(nil) {
			if r.PxName == px && r.SvName == "FRONTEND" {
				return r.Scur == 0
			}
		}
		return false
	})
}

// stat sums a counter field over the reactors' shards.
func (e *Engine) testSum(ctr int) sum {
	var s sum
	for _, r := range e.reactors {
		s.add(&r.ctr[ctr])
	}
	return s
}

var errUnexpectedEOF = errors.New("unexpected EOF")
