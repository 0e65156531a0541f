package logs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// noLeak fails the test if the number of goroutines does not come back to
// what it was when noLeak was called, once the test's cleanups ran.
func noLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<16)
				t.Errorf("goroutines: %d, want %d\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(time.Millisecond)
		}
	})
}

// waitFor polls cond until it holds or 5 s passed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func udpReceiver(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadBuffer(4 << 20)
	t.Cleanup(func() { c.Close() })
	return c
}

// readDatagram reads one datagram within 5 s.
func readDatagram(t *testing.T, c net.PacketConn) []byte {
	t.Helper()
	buf := make([]byte, 70000)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := c.ReadFrom(buf)
	if err != nil {
		t.Fatalf("reading a datagram: %v", err)
	}
	return buf[:n]
}

func newSink(t *testing.T, tg Target, slots int) *Sink {
	t.Helper()
	s, err := NewSink(tg, slots)
	if err != nil {
		t.Fatalf("NewSink(%+v): %v", tg, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSinkUDPFraming(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 5, 7, 42_123_456, ist)
	for fr := range Framing(len(framingNames)) {
		t.Run(fr.String(), func(t *testing.T) {
			noLeak(t)
			rc := udpReceiver(t)
			tg := Target{Addr: "udp@" + rc.LocalAddr().String(), Framing: fr, Facility: 16, Level: 7,
				Tag: "hitless", Hostname: "h", Pid: 42}
			s := newSink(t, tg, 64)
			const n = 50
			for i := range n {
				if !s.Send(LevelInfo, now, []byte("message "+strconv.Itoa(i)+"\n")) {
					t.Fatalf("Send %d dropped", i)
				}
			}
			for i := range n {
				want := AppendHeader(nil, fr, 16, LevelInfo, now, "h", "hitless", 42)
				want = append(want, "message "+strconv.Itoa(i)...)
				if got := readDatagram(t, rc); !bytes.Equal(got, want) {
					t.Fatalf("datagram %d:\n got %q\nwant %q", i, got, want)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if s.Sent() != n || s.Dropped() != 0 {
				t.Errorf("sent %d dropped %d, want %d 0", s.Sent(), s.Dropped(), n)
			}
		})
	}
}

func TestSinkLevels(t *testing.T) {
	noLeak(t)
	rc := udpReceiver(t)
	// "log ... local0 warning crit": up to warning, nothing more severe than crit.
	s := newSink(t, Target{Addr: rc.LocalAddr().String(), Framing: FramePriority, Facility: 16,
		Level: LevelWarning, MinLevel: LevelCrit}, 8)
	now := time.Now()
	for _, tt := range []struct {
		level int
		pri   string // "" when filtered
	}{
		{LevelInfo, ""}, {LevelDebug, ""}, {LevelWarning, "<132>"}, {LevelErr, "<131>"},
		{LevelCrit, "<130>"}, {LevelAlert, "<130>"}, {LevelEmerg, "<130>"},
	} {
		if !s.Send(tt.level, now, []byte("l"+strconv.Itoa(tt.level))) {
			t.Fatalf("level %d dropped", tt.level)
		}
		if tt.pri == "" {
			continue
		}
		want := tt.pri + "l" + strconv.Itoa(tt.level)
		if got := string(readDatagram(t, rc)); got != want {
			t.Errorf("level %d: got %q, want %q", tt.level, got, want)
		}
	}
	s.Close()
	if s.Sent() != 5 || s.Dropped() != 0 {
		t.Errorf("sent %d dropped %d, want 5 0", s.Sent(), s.Dropped())
	}
}

// pipeTarget returns "fd@N" for the write end of a pipe and a reader of
// its other end; both ends are closed at cleanup.
func pipeTarget(t *testing.T) (string, *bufio.Reader) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		t.Fatal(err)
	}
	r := os.NewFile(uintptr(p[0]), "pipe-r")
	t.Cleanup(func() { r.Close(); unix.Close(p[1]) })
	return "fd@" + strconv.Itoa(p[1]), bufio.NewReader(r)
}

func TestSinkTruncate(t *testing.T) {
	noLeak(t)
	now := time.Date(2026, 11, 22, 4, 21, 53, 456_127_000, time.UTC)
	long := bytes.Repeat([]byte("x"), 200)
	header := AppendHeader(nil, FrameRFC5424, 16, 6, now, "", "haproxy", 7213)
	full := append(header, long...)

	// A datagram holds at most MaxLen bytes.
	rc := udpReceiver(t)
	s := newSink(t, Target{Addr: rc.LocalAddr().String(), Framing: FrameRFC5424, Facility: 16, Level: 7,
		MaxLen: 80, Tag: "haproxy", Pid: 7213}, 4)
	s.Send(LevelInfo, now, long)
	if got := readDatagram(t, rc); !bytes.Equal(got, full[:80]) {
		t.Errorf("datagram:\n got %q\nwant %q", got, full[:80])
	}
	// A stream line holds MaxLen bytes with its LF.
	addr, r := pipeTarget(t)
	p := newSink(t, Target{Addr: addr, Framing: FrameRFC5424, Facility: 16, Level: 7,
		MaxLen: 80, Tag: "haproxy", Pid: 7213}, 4)
	p.Send(LevelInfo, now, long)
	line, err := r.ReadBytes('\n')
	if err != nil {
		t.Fatal(err)
	}
	if want := append(full[:79:79], '\n'); !bytes.Equal(line, want) {
		t.Errorf("line:\n got %q\nwant %q", line, want)
	}
	// The message alone is cut at MaxLen-1 (raw: nothing else).
	rr := newSink(t, Target{Addr: rc.LocalAddr().String(), Framing: FrameRaw, Level: 7, MaxLen: 100}, 4)
	rr.Send(LevelInfo, now, long)
	if got := readDatagram(t, rc); len(got) != 99 {
		t.Errorf("raw datagram of %d bytes, want 99", len(got))
	}
	// The default is 1024.
	if d := newSink(t, Target{Addr: rc.LocalAddr().String(), Level: 7}, 1); d.Target().MaxLen != DefaultMaxLen || d.Target().Pid != os.Getpid() {
		t.Errorf("defaults: %+v", d.Target())
	}
}

func TestSinkFD(t *testing.T) {
	noLeak(t)
	addr, r := pipeTarget(t)
	s := newSink(t, Target{Addr: addr, Framing: FrameRaw, Level: 7}, 128)
	for i := range 100 {
		s.Send(LevelInfo, time.Now(), []byte("line "+strconv.Itoa(i)))
	}
	for i := range 100 {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if want := "line " + strconv.Itoa(i) + "\n"; line != want {
			t.Fatalf("line %d: %q, want %q", i, line, want)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The sink wrote to its own copy of the descriptor: ours is still open.
	fd, _ := strconv.Atoi(addr[len("fd@"):])
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
		t.Errorf("fd %d closed by the sink: %v", fd, err)
	}
}

// unixReceiver listens on a unix datagram socket in a temporary directory.
func unixReceiver(t *testing.T, path string) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// fillUnix writes to the unix datagram socket at path until its queue is
// full, so that the next writer blocks.
func fillUnix(t *testing.T, path string) {
	t.Helper()
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; ; i++ {
		c.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))
		if _, err := c.Write([]byte("filler")); err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) || i == 0 {
				t.Fatalf("filling %s: %v after %d datagrams", path, err, i)
			}
			return
		}
		if i > 1e6 {
			t.Fatalf("%s never filled up", path)
		}
	}
}

// A target nobody reads fills up; Send neither blocks nor allocates, it
// drops and counts, and Close gives up after CloseTimeout.
func TestSinkBlocked(t *testing.T) {
	noLeak(t)
	path := filepath.Join(t.TempDir(), "log.sock")
	unixReceiver(t, path) // never read
	fillUnix(t, path)
	s := newSink(t, Target{Addr: "unix@" + path, Framing: FrameRFC3164, Facility: 16, Level: 7, Tag: "t"}, 8)
	const n = 20000
	msg := bytes.Repeat([]byte("m"), 200)
	start := time.Now()
	dropped := 0
	for range n {
		if !s.Send(LevelInfo, time.Now(), msg) {
			dropped++
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("%d Sends took %v", n, d)
	}
	if dropped == 0 || uint64(dropped) > s.Dropped() {
		t.Errorf("Send dropped %d, Dropped() = %d", dropped, s.Dropped())
	}
	if allocs := testing.AllocsPerRun(1000, func() { s.Send(LevelInfo, time.Now(), msg) }); allocs != 0 {
		t.Errorf("%v allocations per Send on a full ring", allocs)
	}
	start = time.Now()
	err := s.Close()
	if !errors.Is(err, ErrFlushTimeout) {
		t.Errorf("Close: %v, want ErrFlushTimeout", err)
	}
	if d := time.Since(start); d > CloseTimeout+time.Second {
		t.Errorf("Close took %v", d)
	}
	if total := s.Sent() + s.Dropped(); total != n+1001 {
		t.Errorf("sent %d + dropped %d = %d, want %d", s.Sent(), s.Dropped(), total, n+1001)
	}
	if s.Send(LevelInfo, time.Now(), msg) {
		t.Error("Send after Close was queued")
	}
	if !errors.Is(s.Close(), ErrClosed) {
		t.Error("second Close did not return ErrClosed")
	}
}

// Close sends everything queued to a live (if slow) target.
func TestSinkCloseFlushes(t *testing.T) {
	noLeak(t)
	path := filepath.Join(t.TempDir(), "log.sock")
	rc := unixReceiver(t, path)
	const n = 3000
	got := make(chan []string, 1)
	go func() {
		var lines []string
		buf := make([]byte, 2048)
		for len(lines) < n {
			rc.SetReadDeadline(time.Now().Add(5 * time.Second))
			m, err := rc.Read(buf)
			if err != nil {
				break
			}
			lines = append(lines, string(buf[:m]))
		}
		got <- lines
	}()
	s := newSink(t, Target{Addr: path, Framing: FrameRaw, Level: 7}, n)
	for i := range n {
		if !s.Send(LevelInfo, time.Now(), []byte(strconv.Itoa(i))) {
			t.Fatalf("Send %d dropped", i)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if s.Sent() != n || s.Dropped() != 0 {
		t.Errorf("sent %d dropped %d", s.Sent(), s.Dropped())
	}
	lines := <-got
	if len(lines) != n {
		t.Fatalf("received %d datagrams, want %d", len(lines), n)
	}
	for i, l := range lines {
		if l != strconv.Itoa(i) {
			t.Fatalf("datagram %d is %q", i, l)
		}
	}
}

// A unix socket whose receiver went away is connected again.
func TestSinkUnixReconnect(t *testing.T) {
	noLeak(t)
	path := filepath.Join(t.TempDir(), "log.sock")
	rc := unixReceiver(t, path)
	s := newSink(t, Target{Addr: path, Framing: FrameRaw, Level: 7}, 8)
	s.Send(LevelInfo, time.Now(), []byte("one"))
	if got := string(readDatagram(t, rc)); got != "one" {
		t.Fatalf("got %q", got)
	}
	rc.Close()
	os.Remove(path)
	s.Send(LevelInfo, time.Now(), []byte("lost"))
	waitFor(t, "the failed write", func() bool { return s.Dropped() == 1 })
	if s.LastError() == nil {
		t.Error("no LastError after a failed write")
	}
	rc = unixReceiver(t, path)
	s.Send(LevelInfo, time.Now(), []byte("two"))
	if got := string(readDatagram(t, rc)); got != "two" {
		t.Fatalf("got %q", got)
	}
	waitFor(t, "Sent() == 2", func() bool { return s.Sent() == 2 })
}

// Many reactors send at once: every message is sent or counted, and the
// messages of one sender keep their order.
func TestSinkConcurrentSend(t *testing.T) {
	noLeak(t)
	path := filepath.Join(t.TempDir(), "log.sock")
	rc := unixReceiver(t, path)
	const senders, each = 8, 2000
	received := make(chan map[int][]int, 1)
	go func() {
		seen := map[int][]int{}
		buf := make([]byte, 256)
		for {
			rc.SetReadDeadline(time.Now().Add(2 * time.Second))
			m, err := rc.Read(buf)
			if err != nil {
				break
			}
			var g, i int
			fmt.Sscanf(string(buf[:m]), "%d %d", &g, &i)
			seen[g] = append(seen[g], i)
		}
		received <- seen
	}()
	s := newSink(t, Target{Addr: "unix@" + path, Framing: FrameRaw, Level: 7}, 64)
	var wg sync.WaitGroup
	for g := range senders {
		wg.Go(func() {
			var b []byte
			for i := range each {
				b = strconv.AppendInt(append(strconv.AppendInt(b[:0], int64(g), 10), ' '), int64(i), 10)
				s.Send(LevelInfo, time.Now(), b)
			}
		})
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	seen := <-received
	total := 0
	for g, idx := range seen {
		total += len(idx)
		for k := 1; k < len(idx); k++ {
			if idx[k] <= idx[k-1] {
				t.Fatalf("sender %d: %d after %d", g, idx[k], idx[k-1])
			}
		}
	}
	if uint64(total) != s.Sent() || s.Sent()+s.Dropped() != senders*each {
		t.Errorf("received %d, sent %d, dropped %d, want %d in all", total, s.Sent(), s.Dropped(), senders*each)
	}
}

func TestNewSinkErrors(t *testing.T) {
	noLeak(t)
	for _, addr := range []string{"", "tcp@127.0.0.1:514", "udp4@[::1]:514", "fd@987654"} {
		if s, err := NewSink(Target{Addr: addr}, 4); err == nil {
			s.Close()
			t.Errorf("NewSink(%q) succeeded", addr)
		} else if !errors.Is(err, ErrTarget) {
			t.Errorf("NewSink(%q): %v does not wrap ErrTarget", addr, err)
		}
	}
}

func TestSendAllocs(t *testing.T) {
	noLeak(t)
	rc := udpReceiver(t)
	s := newSink(t, Target{Addr: rc.LocalAddr().String(), Framing: FrameRFC5424, Facility: 16, Level: 7, Tag: "hitless"}, 4096)
	msg := []byte(`127.0.0.1:40000 [02/Nov/2026:09:05:08.542] fe be/s1 1/2/3/4/5 200 1234 - - ---- 11/12/13/14/2 3/4 "GET / HTTP/1.1"`)
	now := time.Now()
	// The writer runs meanwhile: its framing and writes must not allocate
	// either, as AllocsPerRun counts every goroutine.
	if n := testing.AllocsPerRun(2000, func() { s.Send(LevelInfo, now, msg) }); n != 0 {
		t.Errorf("%v allocations per Send", n)
	}
}

// BenchmarkSend measures Send: "queued" on a ring with room (the writer
// drains it between batches, off the clock), "parallel" from every CPU
// at once, where most messages find the ring full and are dropped.
func BenchmarkSend(b *testing.B) {
	rc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer rc.Close()
	msg := bytes.Repeat([]byte("x"), 150)
	now := time.Now()
	newBenchSink := func(slots int) *Sink {
		s, err := NewSink(Target{Addr: rc.LocalAddr().String(), Framing: FrameRFC3164, Facility: 16,
			Level: 7, Tag: "hitless", MaxLen: 256}, slots)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	b.Run("queued", func(b *testing.B) {
		const batch = 4096
		s := newBenchSink(batch)
		defer s.Close()
		b.ReportAllocs()
		for i := range b.N {
			if i%batch == 0 && i > 0 {
				b.StopTimer()
				for s.Sent()+s.Dropped() < uint64(i) {
					time.Sleep(100 * time.Microsecond)
				}
				b.StartTimer()
			}
			s.Send(LevelInfo, now, msg)
		}
		b.StopTimer()
		b.ReportMetric(float64(s.Dropped())/float64(b.N), "dropped/op")
	})
	b.Run("parallel", func(b *testing.B) {
		s := newBenchSink(4096)
		defer s.Close()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.Send(LevelInfo, now, msg)
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(s.Dropped())/float64(b.N), "dropped/op")
	})
}
