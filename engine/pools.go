package engine

import (
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// bufPool is a reactor's free list of fixed-size I/O buffers. Owned by its
// reactor; buffers never cross reactors. It allocates only when empty, so
// a warm pool serves connections without allocating.
type bufPool struct {
	size int
	free [][]byte
}

func (p *bufPool) get() []byte {
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
		return b
	}
	return make([]byte, p.size)
}

func (p *bufPool) put(b []byte) {
	p.free = append(p.free, b[:p.size])
}

// pipe is a pipe pair used to splice between sockets. r and w are -1 for
// "no pipe".
type pipe struct {
	r, w int
}

// pipePool is a reactor's free list of pipes. The number of pipes alive in
// the whole process is bounded by maxpipes through the shared counter
// used; a reactor that finds the bound reached falls back to copying.
type pipePool struct {
	free  []pipe
	used  *atomic.Int64 // engine-wide pipes alive (in pools or held)
	busy  *atomic.Int64 // engine-wide pipes held by streams
	max   int64         // maxpipes
	size  int           // F_SETPIPE_SZ value; 0 = kernel default
	fails atomic.Uint64 // pipe creations that failed (fds exhausted)
}

// get returns a pipe from the pool or a new one, or ok=false when
// maxpipes is reached or the system refuses one.
func (p *pipePool) get() (pipe, bool) {
	if n := len(p.free); n > 0 {
		pp := p.free[n-1]
		p.free = p.free[:n-1]
		p.busy.Add(1)
		return pp, true
	}
	if p.used.Add(1) > p.max {
		p.used.Add(-1)
		return pipe{r: -1, w: -1}, false
	}
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		p.used.Add(-1)
		p.fails.Add(1)
		return pipe{r: -1, w: -1}, false
	}
	if p.size > 0 {
		unix.FcntlInt(uintptr(fds[0]), unix.F_SETPIPE_SZ, p.size)
	}
	p.busy.Add(1)
	return pipe{r: fds[0], w: fds[1]}, true
}

// put returns a pipe. A pipe that may still hold data (empty=false) is
// destroyed instead of pooled, so that stale bytes never reach another
// stream.
func (p *pipePool) put(pp pipe, empty bool) {
	p.busy.Add(-1)
	if empty {
		p.free = append(p.free, pp)
		return
	}
	p.destroy(pp)
}

func (p *pipePool) destroy(pp pipe) {
	unix.Close(pp.r)
	unix.Close(pp.w)
	p.used.Add(-1)
}

// close destroys every pooled pipe.
func (p *pipePool) close() {
	for _, pp := range p.free {
		p.destroy(pp)
	}
	p.free = nil
}
