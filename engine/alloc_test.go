//go:build !race

package engine

import (
	"fmt"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestForwardDoesNotAllocate asserts the hot-path rule: forwarding a
// chunk allocates nothing once the reactor's pools are warm.
func TestForwardDoesNotAllocate(t *testing.T) {
	for _, mode := range []uint8{spliceNever, spliceAlways, spliceAuto} {
		rig := newChunkRig(t, mode, 16<<10)
		rig.roundTrip(t)
		rig.roundTrip(t)
		rig.roundTrip(t)
		if a := testing.AllocsPerRun(200, func() { rig.roundTrip(t) }); a != 0 {
			t.Errorf("splice mode %d: %v allocations per forwarded round trip, want 0", mode, a)
		}
	}
}

// TestTimerWheelDoesNotAllocate covers the per-stream timer operations.
func TestTimerWheelDoesNotAllocate(t *testing.T) {
	var w wheel
	timers := make([]timer, 64)
	out := make([]*timer, 0, 64)
	now := int64(0)
	a := testing.AllocsPerRun(1000, func() {
		now++
		tm := &timers[now%64]
		w.arm(tm, now+int64(now%300))
		w.armEarlier(tm, now+5)
		out = w.expire(now, out[:0])
	})
	if a != 0 {
		t.Errorf("timer wheel: %v allocations per operation, want 0", a)
	}
}

// TestHTTPRequestDoesNotAllocate drives keep-alive requests through a
// running engine that logs each of them, with a client and a server that use raw system calls
// on preallocated buffers from this goroutine, so that the process-wide
// allocation count is the reactor's: a warm request/response round trip
// allocates nothing.
func TestHTTPRequestDoesNotAllocate(t *testing.T) {
	lfd, port := rawListen(t)
	// The traffic log goes to a UDP socket nobody reads.
	udp, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(udp) })
	unix.Bind(udp, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
	sa, _ := unix.Getsockname(udp)
	cfg := fmt.Sprintf("defaults\n  mode http\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n"+
		"listen px\n  bind 127.0.0.1:0\n  log 127.0.0.1:%d local0\n  option httplog\n  option forwardfor\n"+
		"  http-request set-header X-Test yes if { path_beg /a }\n"+
		"  http-response del-header X-Drop\n  capture request header User-Agent len 16\n"+
		"  capture response header Content-Type len 16\n  unique-id-format %%{+X}o\\ %%ci:%%cp_%%rt\n"+
		"  unique-id-header X-Unique-ID\n  stick-table type string len 32 size 1k expire 1m store http_req_rate(10s),conn_cur,conn_cnt,gpc0\n"+
		"  http-request track-sc0 req.hdr(host)\n"+
		"  http-request deny if { sc_http_req_rate(0) gt 1000000 } || { sc0_conn_cur gt 1000 } || { sc_inc_gpc0(0) lt 0 }\n"+
		"  stick on req.hdr(host)\n  server s1 127.0.0.1:%d\n", sa.(*unix.SockaddrInet4).Port, port)
	e, _ := startParsed(t, cfg, 1)
	addr := e.ListenAddrs()["px"][0]
	cli := rawDial(t, addr)
	req := []byte("GET /alloc HTTP/1.1\r\nHost: h\r\nUser-Agent: test\r\nAccept: */*\r\n\r\n")
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Drop: 1\r\nContent-Type: text/plain\r\n\r\nhello")
	buf := make([]byte, 4096)
	var srv int
	roundTrip := func() {
		rawWrite(t, cli, req)
		if srv == 0 {
			var err error
			if srv, _, err = unix.Accept(lfd); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { unix.Close(srv) })
		}
		rawReadUntil(t, srv, buf, "\r\n\r\n")
		rawWrite(t, srv, resp)
		rawReadUntil(t, cli, buf, "hello")
	}
	for i := 0; i < 5; i++ {
		roundTrip()
	}
	if a := testing.AllocsPerRun(200, roundTrip); a != 0 {
		t.Errorf("%v allocations per keep-alive request, want 0", a)
	}
	// The stick rule ran: its entry is there.
	if tables := e.StickTables(); len(tables) != 1 || tables[0].Used() != 1 {
		t.Errorf("stick tables %v, want one with one entry", tables)
	}
	// So did the track-sc rule and the counter fetches, every request.
	waitFor(t, "the last request untracked", 5*time.Second, func() bool { return trackField(e, "px", "conn_cur") == "0" })
	if n, _ := strconv.Atoi(trackField(e, "px", "conn_cnt")); n < 205 {
		t.Errorf("conn_cnt=%d, want every request (205+) counted", n)
	}
	if n, _ := strconv.Atoi(trackField(e, "px", "gpc0")); n < 205 {
		t.Errorf("gpc0=%d, want every request (205+) counted", n)
	}
}

func rawListen(t *testing.T) (fd, port int) {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 16); err != nil {
		t.Fatal(err)
	}
	sa, _ := unix.Getsockname(fd)
	return fd, sa.(*unix.SockaddrInet4).Port
}

func rawDial(t *testing.T, addr string) int {
	t.Helper()
	ap := netip.MustParseAddrPort(addr)
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Connect(fd, &unix.SockaddrInet4{Addr: ap.Addr().As4(), Port: int(ap.Port())}); err != nil {
		t.Fatal(err)
	}
	return fd
}

func rawWrite(t *testing.T, fd int, p []byte) {
	for len(p) > 0 {
		n, err := unix.Write(fd, p)
		if err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
}

// rawReadUntil reads until the bytes read end with suffix.
func rawReadUntil(t *testing.T, fd int, buf []byte, suffix string) {
	got := 0
	for got < len(suffix) || string(buf[got-len(suffix):got]) != suffix {
		n, err := unix.Read(fd, buf[got:])
		if err != nil || n == 0 {
			t.Fatalf("read: %d %v after %q", n, err, buf[:got])
		}
		got += n
	}
}
