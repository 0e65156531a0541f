package engine

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hitless/engine/config"
)

// roundTrip sends msg on a new connection through addr and returns what
// comes back before EOF.
func roundTrip(addr, msg string) (string, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	c.(*net.TCPConn).CloseWrite()
	b, err := io.ReadAll(c)
	return string(b), err
}

func TestConcurrentConnections(t *testing.T) {
	const n = 2000
	b := startBackend(t, echo)
	e, addr := startEngine(t, testConfig(b.addr()), 2)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	conns := make([]net.Conn, n)
	// Open every connection first so that all of them are alive at once.
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		conns[i] = c
		defer c.Close()
	}
	waitFor(t, "all connections to be proxied", 20*time.Second, func() bool {
		return e.global.cur.Load() == n && b.acceptCount() == n
	})
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			msg := fmt.Sprintf("conn-%d", i)
			c.Write([]byte(msg))
			c.(*net.TCPConn).CloseWrite()
			got, err := io.ReadAll(c)
			if err != nil || string(got) != msg {
				errs <- fmt.Errorf("conn %d: got %q, %v", i, got, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	waitFor(t, "streams to close", 10*time.Second, func() bool { return e.global.cur.Load() == 0 })
	// The peak may include, for an instant, one accept reservation per
	// other reactor that found its queue empty.
	if got := e.global.max.Load(); got < n || got > n+int64(e.Nbthread()) {
		t.Errorf("max concurrent = %d, want %d (+ at most %d in-flight reservations)", got, n, e.Nbthread())
	}
}

func TestManyReactorsShareTheLoad(t *testing.T) {
	b := startBackend(t, echo)
	e, addr := startEngine(t, testConfig(b.addr()), 4)
	for i := 0; i < 200; i++ {
		if got, err := roundTrip(addr, "x"); err != nil || got != "x" {
			t.Fatalf("round trip %d: %q, %v", i, got, err)
		}
	}
	fe := e.frontends[0]
	busy := 0
	total := uint64(0)
	for _, r := range e.reactors {
		n := r.ctr[fe.ctr].sessions.Load()
		total += n
		if n > 0 {
			busy++
		}
	}
	if total != 200 || busy < 2 {
		t.Errorf("%d sessions over %d busy reactors of 4; want 200 over at least 2", total, busy)
	}
}

func TestRoundRobinBalancing(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	mk := func(name string) *stubServer {
		return startBackend(t, func(c net.Conn) {
			mu.Lock()
			hits[name]++
			mu.Unlock()
			io.Copy(io.Discard, c)
			c.Write([]byte(name))
		})
	}
	s1, s2 := mk("s1"), mk("s2")
	_, addr := startEngine(t, testConfig(s1.addr(), s2.addr()), 2)
	for i := 0; i < 100; i++ {
		if _, err := roundTrip(addr, ""); err != nil {
			t.Fatal(err)
		}
	}
	if hits["s1"] != 50 || hits["s2"] != 50 {
		t.Errorf("distribution %v, want 50/50", hits)
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestRetriesAndRedispatch(t *testing.T) {
	good := startBackend(t, echo)
	t.Run("redispatch", func(t *testing.T) {
		cfg := testConfig(closedPort(t), good.addr())
		px := cfg.Proxies[0]
		px.Redispatch = true
		px.Timeouts.Connect = 20 * time.Millisecond // turn-around delay between retries
		e, addr := startEngine(t, cfg, 1)
		for i := 0; i < 10; i++ {
			if got, err := roundTrip(addr, "ping"); err != nil || got != "ping" {
				t.Fatalf("request %d: %q, %v", i, got, err)
			}
		}
		be := e.backends[0]
		bad := e.testSum(be.servers()[0].ctr)
		// Round robin sends every new request to the refusing server first
		// (the redispatch pick moved it on to the good one): three failed
		// attempts, three retries, the last of them redispatched.
		if bad.connErr != 10*3 || bad.retries != 10*3 || bad.redisp != 10 {
			t.Errorf("refusing server: econ=%d wretr=%d wredis=%d; want 30, 30, 10", bad.connErr, bad.retries, bad.redisp)
		}
		if ok := e.testSum(be.servers()[1].ctr); ok.sessions != 10 || ok.connErr != 0 {
			t.Errorf("good server: stot=%d econ=%d; want 10, 0", ok.sessions, ok.connErr)
		}
	})
	t.Run("no redispatch", func(t *testing.T) {
		cfg := testConfig(closedPort(t))
		cfg.Proxies[0].Retries = 2
		cfg.Proxies[0].Timeouts.Connect = 20 * time.Millisecond
		e, addr := startEngine(t, cfg, 1)
		got, _ := roundTrip(addr, "ping")
		if got != "" {
			t.Fatalf("got %q through a refusing server", got)
		}
		st := e.testSum(e.backends[0].servers()[0].ctr)
		if st.connErr != 3 || st.retries != 2 || st.redisp != 0 {
			t.Errorf("econ=%d wretr=%d wredis=%d; want 3, 2, 0", st.connErr, st.retries, st.redisp)
		}
	})
}

// blackhole returns the address of a listener whose accept queue is full,
// so that further connection attempts hang in SYN_SENT.
func blackhole(t *testing.T) string {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	sa := &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	if err := unix.Bind(fd, sa); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	got, _ := unix.Getsockname(fd)
	addr := fmt.Sprintf("127.0.0.1:%d", got.(*unix.SockaddrInet4).Port)
	var fill []net.Conn
	// Fill the queue: connections beyond it stop completing.
	for i := 0; i < 8; i++ {
		c, err := net.DialTimeout("tcp", addr, 50*time.Millisecond)
		if err != nil {
			break
		}
		fill = append(fill, c)
	}
	t.Cleanup(func() {
		for _, c := range fill {
			c.Close()
		}
		unix.Close(fd)
	})
	return addr
}

// closedWithin dials addr, optionally half-closes, and returns how long
// the proxy took to close the connection (EOF or reset).
func closedWithin(t *testing.T, addr string, halfClose bool, max time.Duration) time.Duration {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	if halfClose {
		c.(*net.TCPConn).CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(max))
	_, err = io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open after %v", max)
	}
	return time.Since(start)
}

func TestTimeouts(t *testing.T) {
	ms := time.Millisecond
	long := 30 * time.Second
	tests := []struct {
		name      string
		server    string
		set       func(tm *timeoutsCfg)
		halfClose bool          // the client half-closes after connecting
		watchSrv  bool          // measure when the server side is closed
		atLeast   time.Duration // the proxy cannot close earlier than this
	}{
		{"connect", "", func(tm *timeoutsCfg) { tm.connect = 100 * ms; tm.retries = 0 }, false, false, 100 * ms},
		{"client", "silent", func(tm *timeoutsCfg) { tm.client = 100 * ms }, false, false, 100 * ms},
		{"server", "silent", func(tm *timeoutsCfg) { tm.server = 100 * ms }, false, false, 100 * ms},
		{"tunnel", "silent", func(tm *timeoutsCfg) { tm.client, tm.server, tm.tunnel = 50*ms, 50*ms, 300*ms }, false, false, 300 * ms},
		{"client-fin", "silent", func(tm *timeoutsCfg) { tm.tunnel, tm.clientFin = long, 100*ms }, true, false, 100 * ms},
		{"server-fin", "halfcloser", func(tm *timeoutsCfg) { tm.tunnel, tm.serverFin = long, 100*ms }, false, true, 100 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each backend reports when the proxy closed (or shut) its side.
			srvClosed := make(chan time.Time, 16)
			hold := make(chan struct{})
			// silent reads until EOF, never writes, and stays connected.
			silent := startBackend(t, func(c net.Conn) {
				io.Copy(io.Discard, c)
				srvClosed <- time.Now()
				<-hold
			})
			// halfCloser half-closes at once, then reads until the proxy
			// closes.
			halfCloser := startBackend(t, func(c net.Conn) {
				c.(*net.TCPConn).CloseWrite()
				io.Copy(io.Discard, c)
				srvClosed <- time.Now()
			})
			// After the backends: cleanups run last-in first-out, and the
			// backends wait for their handlers.
			t.Cleanup(func() { close(hold) })
			addr := silent.addr()
			switch tt.server {
			case "":
				addr = blackhole(t)
			case "halfcloser":
				addr = halfCloser.addr()
			}
			cfg := testConfig(addr)
			px := cfg.Proxies[0]
			tm := timeoutsCfg{connect: 5 * time.Second, client: long, server: long, retries: 3}
			tt.set(&tm)
			px.Timeouts.Connect, px.Timeouts.Client, px.Timeouts.Server = tm.connect, tm.client, tm.server
			px.Timeouts.Tunnel, px.Timeouts.ClientFin, px.Timeouts.ServerFin = tm.tunnel, tm.clientFin, tm.serverFin
			px.Retries = tm.retries
			e, faddr := startEngine(t, cfg, 1)
			c, err := net.Dial("tcp", faddr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			start := time.Now()
			if tt.halfClose {
				c.(*net.TCPConn).CloseWrite()
			}
			var took time.Duration
			if tt.watchSrv {
				select {
				case at := <-srvClosed:
					took = at.Sub(start)
				case <-time.After(10 * time.Second):
					t.Fatal("server side still open after 10s")
				}
			} else {
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				if _, err := io.Copy(io.Discard, c); err != nil {
					if ne, ok := err.(net.Error); ok && ne.Timeout() {
						t.Fatal("client side still open after 10s")
					}
				}
				took = time.Since(start)
			}
			if took < tt.atLeast-5*ms {
				t.Errorf("closed after %v, before the %v timeout", took, tt.atLeast)
			}
			waitFor(t, "stream release", 5*time.Second, func() bool { return e.global.cur.Load() == 0 })
		})
	}
}

type timeoutsCfg struct {
	connect, client, server, tunnel, clientFin, serverFin time.Duration
	retries                                               int
}

// TestMaxconnPauseAndResume checks that accepting stops at the global and
// at the frontend maxconn, leaving further connections in the kernel
// queue, and resumes when a connection closes.
func TestMaxconnPauseAndResume(t *testing.T) {
	for _, which := range []string{"global", "frontend"} {
		t.Run(which, func(t *testing.T) {
			b := startBackend(t, echo)
			cfg := testConfig(b.addr())
			if which == "global" {
				cfg.Global.Maxconn = 2
			} else {
				cfg.Proxies[0].Maxconn = 2
			}
			e, addr := startEngine(t, cfg, 2)
			dial := func() net.Conn {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { c.Close() })
				c.SetDeadline(time.Now().Add(20 * time.Second))
				return c
			}
			c1 := dial()
			waitFor(t, "first connection proxied", 10*time.Second, func() bool { return b.acceptCount() == 1 })
			c2 := dial()
			waitFor(t, "second connection proxied", 10*time.Second, func() bool { return b.acceptCount() == 2 })
			c3 := dial()
			waitFor(t, "accepting paused", 10*time.Second, func() bool { return e.slotWaiters.Load() != 0 })
			if got := e.cumConns.Load(); got != 2 {
				t.Fatalf("accepted %d connections with maxconn 2", got)
			}
			for _, c := range []net.Conn{c1, c2} {
				if err := echoOnceWait(c, "x"); err != nil {
					t.Fatal(err)
				}
			}
			// The third connection waits in the kernel's queue; freeing
			// a slot gets it served.
			c3.Write([]byte("late"))
			c1.Close()
			if err := echoOnceWait(c3, ""); err != nil {
				t.Fatalf("queued connection not served after a slot freed: %v", err)
			}
			buf := make([]byte, 4)
			if _, err := io.ReadFull(c3, buf); err != nil || string(buf) != "late" {
				t.Fatalf("queued connection got %q, %v", buf, err)
			}
			if got := e.global.max.Load(); got > 2 {
				t.Errorf("max concurrent connections %d exceeded maxconn 2", got)
			}
		})
	}
}

func echoOnceWait(c net.Conn, msg string) error {
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	return echoRead(c, msg)
}

func echoRead(c net.Conn, msg string) error {
	if _, err := c.Write([]byte(msg)); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != msg {
		return fmt.Errorf("echo %q, want %q", buf, msg)
	}
	return nil
}

// TestFDExhaustion runs the engine in a child process whose descriptor
// limit is tiny: accept fails with EMFILE, the engine pauses accepting
// instead of dying, and serves again once descriptors are free.
func TestFDExhaustion(t *testing.T) {
	if os.Getenv("HITLESS_EMFILE_CHILD") != "" {
		t.Skip("child side runs in TestFDExhaustionChild")
	}
	b := startBackend(t, echo)
	cmd := exec.Command(os.Args[0], "-test.run=^TestFDExhaustionChild$", "-test.v")
	cmd.Env = append(os.Environ(), "HITLESS_EMFILE_CHILD="+b.addr())
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	rd := bufio.NewReader(stdout)
	readLine := func(prefix string) string {
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				t.Fatalf("child: %v", err)
			}
			if strings.HasPrefix(line, prefix) {
				return strings.TrimSpace(strings.TrimPrefix(line, prefix))
			}
		}
	}
	addr := readLine("ADDR ")
	// More concurrent connections than the child has descriptors for.
	var conns []net.Conn
	for i := 0; i < 24; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		c.Write([]byte("x"))
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		fmt.Fprintln(stdin, "stats")
		if n := readLine("EMFILE "); n != "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child never ran out of descriptors")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, c := range conns {
		c.Close()
	}
	// Accepting resumes: new connections are served one after another.
	for i := 0; i < 5; i++ {
		var got string
		var err error
		for try := 0; try < 50; try++ {
			if got, err = roundTrip(addr, "again"); err == nil && got == "again" {
				break
			}
		}
		if got != "again" {
			t.Fatalf("after the shortage, round trip %d: %q, %v", i, got, err)
		}
	}
	fmt.Fprintln(stdin, "stats")
	readLine("EMFILE ")
}

// TestFDExhaustionChild is the engine side of TestFDExhaustion.
func TestFDExhaustionChild(t *testing.T) {
	srv := os.Getenv("HITLESS_EMFILE_CHILD")
	if srv == "" {
		t.Skip("run by TestFDExhaustion")
	}
	cfg := testConfig(srv)
	cfg.Global.NoSplice = true
	cfg.Proxies[0].Timeouts.Connect = 50 * time.Millisecond
	e, addr := startEngine(t, cfg, 1)
	var rl unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &rl)
	rl.Cur = uint64(countFDs() + 6) // room for about two streams
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("ADDR %s\n", addr)
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		fmt.Printf("EMFILE %d\n", e.fdShortage.Load())
	}
}

// TestReactorsPinned checks that cpu-map lines decide each reactor
// thread's CPU affinity.
func TestReactorsPinned(t *testing.T) {
	usable := usableCPUs()
	if len(usable) < 2 {
		t.Skipf("needs 2 usable CPUs, have %v", usable)
	}
	a, b := usable[0], usable[1]
	tests := []struct {
		name string
		maps []config.CPUMap
		want [][]int
	}{
		{"auto", []config.CPUMap{{Auto: true, ThreadFirst: 1, ThreadLast: config.MaxThreads, CPUs: []int{a, b}}},
			[][]int{{a}, {b}}},
		{"explicit reversed", []config.CPUMap{
			{ThreadFirst: 1, ThreadLast: 1, CPUs: []int{b}},
			{ThreadFirst: 2, ThreadLast: 2, CPUs: []int{a}},
		}, [][]int{{b}, {a}}},
		{"shared set", []config.CPUMap{{ThreadFirst: 1, ThreadLast: 2, CPUs: []int{a, b}}},
			[][]int{{a, b}, {a, b}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := startBackend(t, echo)
			cfg := testConfig(b.addr())
			cfg.Global.CPUMaps = tt.maps
			e, _ := startEngine(t, cfg, 2)
			waitFor(t, "reactor threads", 5*time.Second, func() bool {
				for _, th := range e.Threads() {
					if th.TID == 0 {
						return false
					}
				}
				return true
			})
			for i, th := range e.Threads() {
				var set unix.CPUSet
				if err := unix.SchedGetaffinity(th.TID, &set); err != nil {
					t.Fatal(err)
				}
				var got []int
				for c := 0; c < 1024; c++ {
					if set.IsSet(c) {
						got = append(got, c)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want[i]) {
					t.Errorf("thread %d (tid %d) runs on %v, want %v", i+1, th.TID, got, tt.want[i])
				}
			}
		})
	}
}

// TestCPUMapLinesFromConfig runs the two cpu-map forms through
// the parser and the engine.
func TestCPUMapLinesFromConfig(t *testing.T) {
	b := startBackend(t, echo)
	for _, line := range []string{"cpu-map 1/1-2 0-1", "cpu-map auto:1/all 0-1"} {
		t.Run(line, func(t *testing.T) {
			text := fmt.Sprintf("global\n    nbthread 2\n    %s\ndefaults\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nlisten px\n    bind 127.0.0.1:0\n    server s1 %s\n", line, b.addr())
			cfg, err := config.Parse("t.cfg", []byte(text), config.Options{})
			if err != nil {
				t.Fatal(err)
			}
			e, addr := startEngine(t, cfg, 0)
			if got, err := roundTrip(addr, "x"); err != nil || got != "x" {
				t.Fatalf("round trip: %q, %v", got, err)
			}
			want := [][]int{{0, 1}, {0, 1}}
			if strings.HasPrefix(line, "cpu-map auto") {
				want = [][]int{{0}, {1}}
			}
			for i, th := range e.Threads() {
				if fmt.Sprint(th.CPUs) != fmt.Sprint(want[i]) {
					t.Errorf("%s: thread %d planned on %v, want %v", line, i+1, th.CPUs, want[i])
				}
			}
		})
	}
}
