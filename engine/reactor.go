package engine

import (
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"hitless/engine/cli"
	"hitless/engine/h1"
	"hitless/engine/logs"
	"hitless/lb"
	"hitless/poller"
)

// reactor is one event loop: a goroutine locked to its OS thread and
// pinned to its CPUs, owning an epoll instance, its listeners, the streams
// it accepted, their server connections, its timer wheel, buffer and pipe
// pools and its counter shard. Only the reactor's goroutine touches its
// fields, except mbox and p.Wake which other goroutines use to post work.
type reactor struct {
	id    int
	e     *Engine
	p     *poller.Poller
	cpus  []int
	mbox  mailbox
	inbox inbox // grants of queue slots to this reactor's streams

	grantSpare []grant

	evs       []poller.Event
	tasks     [mailboxBatch]task
	listeners []*listener
	checks    []*checker // health checks this reactor runs
	streams   []*stream
	free      []int32  // free stream slots
	nstreams  int      // streams in use
	active    []uint64 // idx|gen<<32 of streams with budget-limited work left
	spare     []uint64
	expired   []*timer
	wheel     wheel
	bufs      bufPool
	pipes     pipePool
	pipeSize  int
	ctr       []counters // this reactor's shard, indexed by object counter index
	now       int64      // engine clock ms, sampled once per loop turn
	moreTasks bool
	tid       atomic.Int32  // kernel thread id once the loop runs; 0 before
	lastYield int64         // ms of the last voluntary yield
	idlePct   atomic.Uint64 // percentage of the last full second spent waiting in epoll
	idleNs    int64         // ns waited since secStart
	secStart  int64         // engine ns when the current idle window began
	exiting   bool          // soft stop: leave once no stream is left
	halt      bool          // hard stop: leave now

	peer unix.RawSockaddrAny // the client address of the last accept, when the backend hashes it
	sa4  unix.SockaddrInet4  // scratch copy of the server address being connected to
	sa6  unix.SockaddrInet6

	// mode http scratch: one head is parsed and rewritten at a time.
	hreq     h1.Request
	hres     h1.Response
	hscratch []byte      // a rewritten head
	hextra   []byte      // header lines added to a head
	hlines   []extraLine // the lines of hextra rules added, which later rules see
	hdeleted bool        // a line of hlines was deleted
	hsample  txnSample
	tsample  tcpSample // the sample of mode tcp stick rules
	// stickScratch is the conversion buffer of stick rule expressions.
	stickScratch []byte
	trackKey     []byte     // the key of a track-sc rule being built
	hreqEmpty    h1.Request // the request seen by response rules
	hlocal       []byte     // a local response being built
	hval         []byte     // a header value being built
	htmp         []byte     // target rewriting scratch
	htarget      []byte     // the rewritten target of the request being processed
	idle         idlePool
	logBuf       []byte // a log line being rendered
	statRows     []cli.StatRow
	statBody     []byte // statistics being rendered
	statResp     []byte
	logF         logs.Fields // the fields of that line
	uidF         logs.Fields // the fields of a unique id being rendered
}

// yieldEveryMs is how often a busy reactor yields to the Go scheduler.
// The runtime's monitor thread preempts a goroutine that kept its
// processor for 10ms, and if it catches the reactor in a system call it
// also takes the processor away; either way it then polls every 20µs for
// a while, which cost about 6% of a CPU under load. A voluntary yield
// every 5ms keeps it quiet for a few µs each time.
const yieldEveryMs = 5

// peerBuf returns where accept stores the client's address: only
// frontends whose backend balances by source need it.
func (l *listener) peerBuf(r *reactor) *unix.RawSockaddrAny {
	if fe := l.spec.fe; fe.http || len(fe.logs) > 0 {
		return &r.peer
	}
	if b := l.spec.fe.backend; b != nil && (b.keyer.Input == lb.KeySource || len(b.stick) > 0) {
		return &r.peer
	}
	return nil
}

// sourceKey is the "balance source" key of the client accepted last.
func (r *reactor) sourceKey(b *backend) lb.Key {
	return b.keyer.Source(poller.PeerIP(&r.peer))
}

func (r *reactor) logf(format string, args ...any) { r.e.logf(format, args...) }

// post queues fn to run on the reactor and wakes it. Any goroutine may
// call it.
func (r *reactor) post(fn func(r *reactor)) error {
	if err := r.mbox.post(task{fn: fn}); err != nil {
		return err
	}
	return r.p.Wake()
}

// postWaiting is post that waits while the mailbox is full, for callers
// that must not lose the task; it returns an error only once the reactor
// stopped. A reactor must not call it on itself.
func (r *reactor) postWaiting(fn func(r *reactor)) error {
	err := r.post(fn)
	for err == ErrMailboxFull {
		time.Sleep(time.Millisecond) // bounded by the reactor draining its mailbox
		err = r.post(fn)
	}
	return err
}

// run is the reactor goroutine. It returns after a hard stop, or after a
// soft stop once its last stream closed.
func (r *reactor) run() {
	// Locked for the goroutine's whole life and never unlocked: the
	// runtime then ends the pinned thread with the goroutine, instead of
	// returning a pinned thread to its pool.
	runtime.LockOSThread()
	if len(r.cpus) > 0 {
		var set unix.CPUSet
		for _, c := range r.cpus {
			set.Set(c)
		}
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			r.logf("reactor %d: cannot pin to CPUs %v: %v", r.id+1, r.cpus, err)
		}
	}
	r.tid.Store(int32(unix.Gettid()))
	defer r.e.reactorDone(r)
	r.secStart = r.e.nanos()
	r.now = r.secStart / 1e6
	r.wheel.cur = r.now
	r.startChecks()
	r.idlePct.Store(100)
	for !r.halt && !(r.exiting && r.nstreams == 0) {
		timeout := r.wheel.nextIn()
		if len(r.active) > 0 || r.moreTasks {
			timeout = 0
		}
		before := r.e.nanos()
		n, woken, err := r.p.Wait(r.evs, timeout)
		after := r.e.nanos()
		r.now = after / 1e6
		r.accountIdle(before, after)
		if err != nil {
			r.logf("reactor %d: %v", r.id+1, err)
			continue
		}
		if woken {
			r.runGrants()
		}
		if woken || r.moreTasks {
			r.runTasks()
		}
		for i := 0; i < n; i++ {
			r.dispatch(&r.evs[i])
		}
		r.runActive()
		r.runTimers()
		if r.now-r.lastYield >= yieldEveryMs {
			r.lastYield = r.now
			runtime.Gosched()
		}
	}
	r.shutdown()
}

// accountIdle adds a wait to the idle time and publishes the idle
// percentage of each elapsed second (HAProxy's Idle_pct).
func (r *reactor) accountIdle(before, after int64) {
	r.idleNs += after - before
	if span := after - r.secStart; span >= 1e9 {
		r.idlePct.Store(uint64(min(r.idleNs*100/span, 100)))
		r.idleNs, r.secStart = 0, after
	}
}

// runTasks runs one batch of posted tasks.
func (r *reactor) runTasks() {
	n, left := r.mbox.take(r.tasks[:])
	for i := 0; i < n; i++ {
		r.tasks[i].fn(r)
		r.tasks[i] = task{}
	}
	r.moreTasks = left > 0
}

func (r *reactor) dispatch(ev *poller.Event) {
	kind, idx, gen := splitToken(poller.TokenOf(ev))
	switch kind {
	case tokListener:
		if int(idx) < len(r.listeners) {
			r.acceptReady(r.listeners[idx])
		}
	case tokClient, tokServer:
		if kind == tokServer && idleToken(idx) {
			r.idleEvent(idx&^idleBit, gen)
			return
		}
		if int(idx) >= len(r.streams) {
			return
		}
		s := r.streams[idx]
		if s.gen != gen || s.state == 0 {
			return // event for a stream closed earlier in this batch
		}
		r.streamEvent(s, kind, ev.Events)
	case tokCheck:
		if int(idx) < len(r.checks) {
			if c := r.checks[idx]; c.gen == gen {
				r.checkEvent(c, ev.Events)
			}
		}
	}
}

// runActive gives streams that spent their budget another turn.
func (r *reactor) runActive() {
	if len(r.active) == 0 {
		return
	}
	work := r.active
	r.active = r.spare[:0]
	for _, t := range work {
		s := r.streams[int32(t)]
		if s.gen != uint32(t>>32) || s.state != stEstablished {
			continue
		}
		s.inActive = false
		if s.h != nil && !s.h.tunnel {
			r.httpRun(s)
			continue
		}
		r.forwardBoth(s)
	}
	r.spare = work[:0]
}

// runTimers fires due timers.
func (r *reactor) runTimers() {
	r.expired = r.wheel.expire(r.now, r.expired[:0])
	for i, t := range r.expired {
		r.expired[i] = nil
		switch t.kind {
		case timerStream:
			if s := r.streams[t.idx]; s.state != 0 {
				r.timeoutStream(s)
			}
		case timerListener:
			r.listenerTimer(r.listeners[t.idx])
		case timerCheck:
			r.checkTimer(r.checks[t.idx])
		case timerIdle:
			r.poolPurge()
		}
	}
}

// acceptReady accepts a bounded batch of connections from l.
func (r *reactor) acceptReady(l *listener) {
	e := r.e
	fe := l.spec.fe
	for i := 0; i < e.maxAccept; i++ {
		if l.paused != 0 {
			return
		}
		if !e.reserveConn(fe) {
			r.pauseForSlots(l)
			return
		}
		fd, err := poller.Accept(l.fd, l.peerBuf(r))
		if err != nil {
			e.unreserveConn(fe)
			switch err {
			case unix.EAGAIN:
				return
			case unix.EINTR, unix.ECONNABORTED:
				continue
			case unix.EMFILE, unix.ENFILE:
				e.fdShortage.Add(1)
				r.pause(l, pauseFDs)
				r.wheel.arm(&l.tm, r.now+fdPauseMs)
				return
			default:
				r.logf("accept on %s: %v", l.spec.name, err)
				return
			}
		}
		e.global.noteMax()
		r.startStream(l, fd)
	}
}

// pause stops polling l for the given reason.
func (r *reactor) pause(l *listener, why uint8) {
	l.paused |= why
	if l.registered {
		if err := r.p.Del(l.fd); err != nil {
			r.logf("pause listener %s: %v", l.spec.name, err)
		}
		l.registered = false
	}
}

// resume clears a pause reason and polls l again once none is left.
func (r *reactor) resume(l *listener, why uint8) {
	l.paused &^= why
	if l.paused != 0 || l.registered {
		return
	}
	if err := r.p.Add(l.fd, listenEvents(l.spec.shared), makeToken(tokListener, l.idx, 0)); err != nil {
		r.logf("resume listener %s: %v", l.spec.name, err)
		return
	}
	l.registered = true
}

// pauseForSlots pauses l because the global or frontend maxconn is
// reached, and registers the reactor to be told when a slot frees. It
// re-checks after registering, so that a slot released concurrently is
// never missed.
func (r *reactor) pauseForSlots(l *listener) {
	r.pause(l, pauseSlots)
	r.e.slotWaiters.Or(1 << uint(r.id))
	if r.e.reserveConn(l.spec.fe) {
		r.e.unreserveConn(l.spec.fe)
		r.resumeSlots()
	}
}

// resumeSlots resumes the listeners paused for lack of slots; the
// level-triggered registration reports the queued connections again.
func (r *reactor) resumeSlots() {
	for _, l := range r.listeners {
		if l.paused&pauseSlots != 0 {
			r.resume(l, pauseSlots)
		}
	}
}

func (r *reactor) listenerTimer(l *listener) {
	if l.paused&pauseFDs != 0 {
		r.resume(l, pauseFDs)
	}
}

// softStop stops accepting: each listener is removed from epoll, the
// connections already queued are accepted (within maxconn) so that
// closing the socket resets nothing that was drained, then the socket is
// closed. A shared socket (fd@, unix) is drained and closed by the last
// reactor that lets go of it. The reactor exits when its last stream ends.
func (r *reactor) softStop() {
	for _, l := range r.listeners {
		if l.paused&pauseStop != 0 {
			continue
		}
		r.pause(l, pauseStop)
		r.wheel.disarm(&l.tm)
		if l.spec.shared {
			if l.spec.refs.Add(-1) == 0 {
				r.drainAccept(l)
				l.spec.closeShared()
			}
			l.fd = -1
			continue
		}
		r.drainAccept(l)
		unix.Close(l.fd)
		l.fd = -1
	}
	r.exiting = true
	// Idle keep-alive clients are closed now, as HAProxy does (a request
	// crossing the close on the wire fails like any request sent on a
	// keep-alive connection the server closes, which clients retry); the
	// others get "connection: close" with their response.
	for _, s := range r.streams {
		if s.state == stHTTPWait && !s.h.local && s.req.end == s.req.off {
			r.closeStream(s)
		}
	}
	r.poolPurge()
}

// drainAccept accepts what is queued on l, bounded by maxconn and by a
// fixed number of rounds.
func (r *reactor) drainAccept(l *listener) {
	for i := 0; i < 64*r.e.maxAccept; i++ {
		if !r.e.reserveConn(l.spec.fe) {
			r.e.drainRefused.Add(1)
			return
		}
		fd, err := poller.Accept(l.fd, l.peerBuf(r))
		if err != nil {
			r.e.unreserveConn(l.spec.fe)
			if err == unix.EINTR || err == unix.ECONNABORTED {
				continue
			}
			return
		}
		r.e.global.noteMax()
		r.startStream(l, fd)
	}
}

// hardStop closes every stream and listener now; queued connections are
// not accepted first.
func (r *reactor) hardStop() {
	for _, l := range r.listeners {
		r.pause(l, pauseStop)
		r.wheel.disarm(&l.tm)
	}
	r.exiting = true
	for _, s := range r.streams {
		if s.state != 0 {
			r.closeStream(s)
		}
	}
	r.halt = true
}

// shutdown releases the reactor's resources when its loop ends.
func (r *reactor) shutdown() {
	r.mbox.close() // later posts fail with errStopped; queued tasks are dropped
	r.stopChecks()
	for _, s := range r.streams {
		if s.state != 0 {
			r.closeStream(s)
		}
	}
	r.exiting = true
	r.poolPurge()
	for _, l := range r.listeners {
		if l.fd < 0 {
			continue
		}
		if l.registered {
			r.p.Del(l.fd)
			l.registered = false
		}
		if l.spec.shared {
			if l.spec.refs.Add(-1) == 0 {
				l.spec.closeShared()
			}
		} else {
			unix.Close(l.fd)
		}
		l.fd = -1
	}
	r.pipes.close()
	r.p.Close()
}
