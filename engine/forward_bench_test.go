package engine

import (
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// chunkRig is a reactor and one established stream whose two connections
// are socket pairs, driven by hand (no loop goroutine), to measure the
// forwarding path alone.
type chunkRig struct {
	r         *reactor
	s         *stream
	cliPeer   int // the "client" end: we write requests, read responses
	srvPeer   int // the "server" end
	buf       []byte
	pipesUsed atomic.Int64
	pipesBusy atomic.Int64
	fe        frontend
	be        backend
	srv       server
}

func newChunkRig(tb testing.TB, splice uint8, chunk int) *chunkRig {
	tb.Helper()
	rig := &chunkRig{buf: make([]byte, chunk)}
	pair := func() (int, int) {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			tb.Fatal(err)
		}
		return fds[0], fds[1]
	}
	cli, cliPeer := pair()
	out, srvPeer := pair()
	rig.cliPeer, rig.srvPeer = cliPeer, srvPeer
	rig.fe.ctr, rig.be.ctr, rig.srv.ctr = 0, 1, 2
	r := &reactor{ctr: make([]counters, 3), bufs: bufPool{size: 16384}, pipeSize: 64 << 10}
	r.pipes = pipePool{used: &rig.pipesUsed, busy: &rig.pipesBusy, max: 16}
	r.e = &Engine{}
	s := &stream{state: stEstablished, fe: &rig.fe, be: &rig.be, srv: &rig.srv}
	s.cli = side{fd: cli, flags: sideCanWrite}
	s.out = side{fd: out, flags: sideCanWrite}
	s.req = channel{pipe: pipe{r: -1, w: -1}, splice: splice}
	s.res = channel{pipe: pipe{r: -1, w: -1}, splice: splice}
	rig.r, rig.s = r, s
	tb.Cleanup(func() {
		r.dropChannel(&s.req)
		r.dropChannel(&s.res)
		r.pipes.close()
		for _, fd := range []int{cli, cliPeer, out, srvPeer} {
			unix.Close(fd)
		}
	})
	return rig
}

// roundTrip moves one chunk client -> server and one server -> client
// through the stream, as epoll readiness would drive it.
func (rig *chunkRig) roundTrip(tb testing.TB) {
	r, s := rig.r, rig.s
	if n, err := unix.Write(rig.cliPeer, rig.buf); err != nil || n != len(rig.buf) {
		tb.Fatalf("client write: %d, %v", n, err)
	}
	s.cli.flags |= sideCanRead
	r.forwardBoth(s)
	for got := 0; got < len(rig.buf); {
		n, err := unix.Read(rig.srvPeer, rig.buf[got:])
		if err != nil {
			tb.Fatalf("server read: %v", err)
		}
		got += n
	}
	if n, err := unix.Write(rig.srvPeer, rig.buf); err != nil || n != len(rig.buf) {
		tb.Fatalf("server write: %d, %v", n, err)
	}
	s.out.flags |= sideCanRead
	r.forwardBoth(s)
	for got := 0; got < len(rig.buf); {
		n, err := unix.Read(rig.cliPeer, rig.buf[got:])
		if err != nil {
			tb.Fatalf("client read: %v", err)
		}
		got += n
	}
}

// BenchmarkForwardChunk measures one request chunk and one response chunk
// through an established stream; allocations must be zero once the pools
// are warm.
func BenchmarkForwardChunk(b *testing.B) {
	for _, bc := range []struct {
		name   string
		splice uint8
		chunk  int
	}{
		{"copy-1KiB", spliceNever, 1 << 10},
		{"copy-16KiB", spliceNever, 16 << 10},
		{"splice-16KiB", spliceAlways, 16 << 10},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rig := newChunkRig(b, bc.splice, bc.chunk)
			rig.roundTrip(b) // warm the pools
			b.SetBytes(int64(2 * bc.chunk))
			b.ReportAllocs()
			for b.Loop() {
				rig.roundTrip(b)
			}
		})
	}
}
