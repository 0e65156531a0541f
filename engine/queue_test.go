package engine

import (
	"io"
	"net"
	"testing"
	"time"
)

// holdServer answers each connection with its first read echoed, then
// keeps it open until the client closes.
func holdServer(c net.Conn) {
	io.Copy(c, c)
}

// dialSend connects to addr and sends msg.
func dialSend(t *testing.T, addr, msg string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	return c
}

func readN(t *testing.T, c net.Conn, n int, d time.Duration) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, n)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(buf)
}

// TestQueueWaitsForSlot: with maxconn 1, a second client waits in the
// backend queue while the first holds the slot, and is forwarded as soon
// as the first leaves, on whichever reactor it was accepted.
func TestQueueWaitsForSlot(t *testing.T) {
	be := startBackend(t, holdServer)
	cfg := testConfig(be.addr())
	cfg.Proxies[0].Servers[0].Maxconn = 1
	cfg.Proxies[0].Timeouts.Queue = 30 * time.Second
	e, addr := startEngine(t, cfg, 2)
	b := e.backends[0]

	first := dialSend(t, addr, "one")
	if got := readN(t, first, 3, 5*time.Second); got != "one" {
		t.Fatalf("first got %q", got)
	}
	waiting := make([]net.Conn, 3)
	for i := range waiting {
		waiting[i] = dialSend(t, addr, "w")
	}
	waitFor(t, "3 queued streams", 5*time.Second, func() bool { return b.q.Len() == 3 })
	if be.acceptCount() != 1 {
		t.Fatalf("server saw %d connections while maxconn is 1", be.acceptCount())
	}
	// The entries are served oldest first, but with two reactors the
	// order of the pushes is the order of the accepts, not of the dials:
	// each client reports when it is served, and leaves then.
	served := make(chan int, len(waiting))
	for i, c := range waiting {
		go func() {
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			buf := make([]byte, 1)
			if _, err := io.ReadFull(c, buf); err != nil || buf[0] != 'w' {
				served <- -1
				return
			}
			served <- i
		}()
	}
	first.Close()
	for k := range waiting {
		i := <-served
		if i < 0 {
			t.Fatalf("a waiting client was not served (%d served before)", k)
		}
		if n := b.servers()[0].served.cur.Load(); n != 1 {
			t.Fatalf("served %d while a slot is in use, want 1", n)
		}
		waiting[i].Close()
	}
	waitFor(t, "empty queue and free slot", 5*time.Second, func() bool {
		return b.q.Len() == 0 && b.servers()[0].served.cur.Load() == 0
	})
	if be.acceptCount() != 4 {
		t.Fatalf("server accepted %d connections, want 4", be.acceptCount())
	}
	if q := b.q.Max(); q != 3 {
		t.Fatalf("qmax %d, want 3", q)
	}
}

// TestQueueTimeout: a stream still queued at timeout queue is closed and
// counted as a connection error; the slot holder is unaffected.
func TestQueueTimeout(t *testing.T) {
	be := startBackend(t, holdServer)
	cfg := testConfig(be.addr())
	cfg.Proxies[0].Servers[0].Maxconn = 1
	cfg.Proxies[0].Timeouts.Queue = 50 * time.Millisecond
	e, addr := startEngine(t, cfg, 1)
	b := e.backends[0]
	first := dialSend(t, addr, "one")
	defer first.Close()
	readN(t, first, 3, 5*time.Second)
	late := dialSend(t, addr, "x")
	defer late.Close()
	late.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := late.Read(make([]byte, 1)); err == nil {
		t.Fatalf("queued client read %d bytes, want a close", n)
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("queued client was not closed at timeout queue")
	}
	if c := e.testSum(b.ctr); c.connErr != 1 {
		t.Fatalf("backend econ %d, want 1", c.connErr)
	}
	if b.q.Len() != 0 || be.acceptCount() != 1 {
		t.Fatalf("queue %d, server accepts %d", b.q.Len(), be.acceptCount())
	}
	first.Write([]byte("!"))
	if got := readN(t, first, 1, 5*time.Second); got != "!" {
		t.Fatalf("slot holder got %q", got)
	}
}

// TestQueueFlushedWhenLastServerLeaves: when the only server goes into
// maintenance, queued streams are refused at once, not at timeout queue.
func TestQueueFlushedWhenLastServerLeaves(t *testing.T) {
	be := startBackend(t, holdServer)
	cfg := testConfig(be.addr())
	cfg.Proxies[0].Servers[0].Maxconn = 1
	cfg.Proxies[0].Timeouts.Queue = time.Hour
	e, addr := startEngine(t, cfg, 2)
	b := e.backends[0]
	first := dialSend(t, addr, "one")
	defer first.Close()
	readN(t, first, 3, 5*time.Second)
	waiting := []net.Conn{dialSend(t, addr, "a"), dialSend(t, addr, "b")}
	waitFor(t, "2 queued streams", 5*time.Second, func() bool { return b.q.Len() == 2 })
	e.setAdmin(b.servers()[0], adminMaint, true)
	for i, c := range waiting {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Fatalf("client %d was served by a server in maintenance", i)
		} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("client %d still waits after the last server left", i)
		}
		c.Close()
	}
	if b.q.Len() != 0 || be.acceptCount() != 1 {
		t.Fatalf("queue %d, server accepts %d", b.q.Len(), be.acceptCount())
	}
}

// TestQueueFIFO: while streams wait, a newcomer queues behind them even
// if a slot is free at that moment: the slot goes to the oldest entry.
func TestQueueFIFO(t *testing.T) {
	be := startBackend(t, holdServer)
	cfg := testConfig(be.addr())
	cfg.Proxies[0].Servers[0].Maxconn = 1
	cfg.Proxies[0].Timeouts.Queue = 30 * time.Second
	e, addr := startEngine(t, cfg, 1)
	b := e.backends[0]
	holder := dialSend(t, addr, "h")
	defer holder.Close()
	readN(t, holder, 1, 5*time.Second)
	old := dialSend(t, addr, "o")
	defer old.Close()
	waitFor(t, "the first stream queued", 5*time.Second, func() bool { return b.q.Len() == 1 })
	// A slot frees up without anyone draining (as between a release and
	// its drain): the newcomer must not take it.
	b.servers()[0].maxconn.Store(2)
	late := dialSend(t, addr, "l")
	defer late.Close()
	if got := readN(t, old, 1, 5*time.Second); got != "o" {
		t.Fatalf("the oldest stream got %q", got)
	}
	waitFor(t, "the newcomer queued", 5*time.Second, func() bool { return b.q.Len() == 1 })
	if n := b.servers()[0].served.cur.Load(); n != 2 {
		t.Fatalf("served %d, want 2 (holder and the oldest)", n)
	}
}

// TestServerQueue: with balance source, a stream whose server is full
// waits on that server (HAProxy 2.6 keeps hash affinity), not on another
// one; maxqueue bounds that wait (SQ); a server put in maintenance sends
// its waiting streams back to load balancing.
func TestServerQueue(t *testing.T) {
	a := startBackend(t, holdServer)
	b := startBackend(t, holdServer)
	cfg := testConfig(a.addr(), b.addr())
	px := cfg.Proxies[0]
	px.Balance.Algo = "source"
	for _, s := range px.Servers {
		s.Maxconn, s.Maxqueue = 1, 1
	}
	px.Timeouts.Queue = 30 * time.Second
	e, addr := startEngine(t, cfg, 2)
	be := e.backends[0]
	first := dialSend(t, addr, "1")
	defer first.Close()
	readN(t, first, 1, 5*time.Second)
	var srv, other *server
	for i, s := range be.servers() {
		if s.served.cur.Load() == 1 {
			srv, other = s, be.servers()[1-i]
		}
	}
	if srv == nil {
		t.Fatal("no server holds the first stream")
	}
	second := dialSend(t, addr, "2")
	defer second.Close()
	waitFor(t, "the second stream queued on its server", 5*time.Second, func() bool { return srv.q.Len() == 1 })
	if other.served.cur.Load() != 0 || be.q.Len() != 0 {
		t.Fatalf("the other server serves %d, backend queue %d: affinity lost", other.served.cur.Load(), be.q.Len())
	}
	// maxqueue 1: a third stream from the same address is refused.
	third := dialSend(t, addr, "3")
	third.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := third.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Fatalf("third stream beyond maxqueue: %v, want closed", err)
	}
	third.Close()
	if row := e.serverRow(srv, 0); row.Qcur != 1 || row.Qmax != 1 {
		t.Fatalf("server qcur %d qmax %d, want 1 1", row.Qcur, row.Qmax)
	}
	// The server goes into maintenance: its waiting stream is balanced
	// again and lands on the other server.
	e.setAdmin(srv, adminMaint, true)
	if got := readN(t, second, 1, 5*time.Second); got != "2" {
		t.Fatalf("requeued stream got %q", got)
	}
	if other.served.cur.Load() != 1 || srv.q.Len() != 0 {
		t.Fatalf("other server serves %d, server queue %d", other.served.cur.Load(), srv.q.Len())
	}
}
