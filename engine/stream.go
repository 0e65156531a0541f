package engine

import (
	"net/netip"

	"golang.org/x/sys/unix"

	"hitless/engine/rules"
	"hitless/lb"
	"hitless/poller"
	"hitless/queue"
)

// Stream states.
const (
	stConnecting  uint8 = 1 // server connect in progress
	stTurnaround  uint8 = 2 // waiting before retrying the same server
	stEstablished uint8 = 3 // forwarding
	stQueued      uint8 = 4 // waiting in the backend's queue for a server slot
	stHTTPWait    uint8 = 5 // mode http: no transaction with a server (reading a head, or answering locally)
)

// side flags.
const (
	sideCanRead  uint8 = 1 << 0 // a read may return data (no EAGAIN seen since the last edge)
	sideCanWrite uint8 = 1 << 1 // a write may progress
	sideEOF      uint8 = 1 << 2 // read returned 0: the peer shut its write side
	sideShutW    uint8 = 1 << 3 // we sent FIN (shutdown SHUT_WR)
	sideRdHup    uint8 = 1 << 4 // epoll reported the peer's FIN, hangup or an error: read until EOF
)

// side is one connection of a stream. fd is -1 when closed.
type side struct {
	fd      int
	flags   uint8
	lastAct int64 // reactor ms of the last read or write on this side
}

// channel is one direction of a stream (request: client to server,
// response: server to client). Data in flight is either in buf[off:end]
// (copy mode) or pipeLen bytes in pipe (splice mode), never both.
type channel struct {
	buf      []byte // nil while empty; taken from and returned to the reactor pool
	off, end int
	pipe     pipe
	pipeLen  int
	splice   uint8 // spliceNever, spliceAlways or spliceAuto
	streamer uint8 // consecutive full-buffer reads (auto mode switches at 2)
}

// pending reports whether the channel holds unsent bytes.
func (c *channel) pending() bool { return c.end > c.off || c.pipeLen > 0 }

// Splice policies of a channel.
const (
	spliceNever  uint8 = 0
	spliceAlways uint8 = 1
	spliceAuto   uint8 = 2
)

// stream is one client connection proxied to one server. Streams live in
// their reactor's table, indexed by idx; gen changes each time the slot is
// reused so that events for a closed stream are recognised and dropped.
// Owned by its reactor.
type stream struct {
	idx      int32
	gen      uint32
	state    uint8 // 0 = free slot
	inActive bool  // queued in reactor.active for another forwarding turn
	logged   bool  // mode tcp: logged already ("option logasap")
	lis      *listener
	fe       *frontend
	be       *backend
	srv      *server // holds one of srv's slots while not nil
	cli      side
	out      side // the server connection
	req, res channel
	retries  int   // retries left
	attempts int   // connection attempts made
	since    int64 // ms: connect start, turnaround end in stTurnaround, enqueue time in stQueued
	tm       timer
	qe       queue.Entry                // the stream's place in its backend's or server's queue
	qsrv     *server                    // the server whose queue holds qe; nil: the backend's
	key      lb.Key                     // the hash key of a hash-balanced backend
	stickSrv *server                    // the server a stick match rule chose for this server choice; nil = none
	stk      *stickPending              // keys of the store rules; kept with the slot
	trk      [rules.MaxTrackers]tracker // the stick counters of the transaction (track.go)
	born     int64                      // reactor ms of the accept
	h        *httpTxn                   // mode http state; nil for mode tcp
	hspare   *httpTxn                   // h of an earlier mode http stream of this slot, for reuse

	// For the logs (per connection in mode tcp, per transaction in mode
	// http).
	client            netip.AddrPort // captured at accept when needed
	lastSrv           *server        // the server of the latest attempt
	tSrv, tConn       int64          // reactor ms: server slot obtained, connection established; -1: not yet
	bytesIn, bytesOut uint64         // from the client, to the client
	term              [2]byte        // termination cause and phase; 0: none
}

// Token kinds in the bits 30-31 of a token's low word.
const (
	tokListener = 0
	tokClient   = 1
	tokServer   = 2
	tokCheck    = 3
)

func makeToken(kind int, idx int32, gen uint32) poller.Token {
	return poller.Token(uint32(idx)|uint32(kind)<<30) | poller.Token(gen)<<32
}

func splitToken(t poller.Token) (kind int, idx int32, gen uint32) {
	lo := uint32(t)
	return int(lo >> 30), int32(lo & (1<<30 - 1)), uint32(t >> 32)
}

// connEvents are the epoll events of a stream connection: edge-triggered,
// registered once for the connection's life.
const connEvents = poller.In | poller.Out | poller.RdHup | poller.Edge

// newStream takes a free stream slot. It allocates only while the table
// grows.
func (r *reactor) newStream() *stream {
	var s *stream
	if n := len(r.free); n > 0 {
		s = r.streams[r.free[n-1]]
		r.free = r.free[:n-1]
	} else {
		s = &stream{idx: int32(len(r.streams))}
		s.tm.kind, s.tm.idx = timerStream, s.idx
		r.streams = append(r.streams, s)
	}
	s.gen++
	s.cli.fd, s.out.fd = -1, -1
	s.req = channel{pipe: pipe{r: -1, w: -1}}
	s.res = channel{pipe: pipe{r: -1, w: -1}}
	s.attempts = 0
	s.logged = false
	s.qsrv = nil
	s.stickSrv = nil
	if s.stk != nil {
		s.stk.n = 0
	}
	s.client, s.lastSrv = netip.AddrPort{}, nil
	s.tSrv, s.tConn, s.bytesIn, s.bytesOut, s.term = -1, -1, 0, 0, [2]byte{}
	r.nstreams++
	return s
}

// startStream sets up a stream for a freshly accepted client socket and
// starts connecting to a server. The caller reserved the connection slots
// (global and frontend) that closeStream releases.
func (r *reactor) startStream(l *listener, fd int) {
	fe := l.spec.fe
	s := r.newStream()
	s.lis, s.fe = l, fe
	s.born = r.now
	if l.peerBuf(r) != nil {
		s.client = poller.PeerAddrPort(&r.peer)
	}
	if fe.logAtAccept {
		r.logAccept(s, fe)
	}
	// TCP_NODELAY is inherited from the listening socket (openSocket).
	s.cli = side{fd: fd, flags: sideCanRead | sideCanWrite, lastAct: r.now}
	fe.cur.noteMax()
	fe.rate.add(r.now)
	r.ctr[fe.ctr].sessions.Add(1)
	r.e.cumConns.Add(1)
	r.e.connRate.add(r.now)
	if err := r.p.Add(fd, connEvents, makeToken(tokClient, s.idx, s.gen)); err != nil {
		r.logf("epoll_ctl on accepted connection: %v", err)
		s.state = stEstablished
		r.closeStream(s)
		return
	}
	if fe.http {
		// Heads are parsed in buffers: splicing starts only with a
		// tunnel (httpExchange).
		r.httpStart(s)
		return
	}
	s.req.splice = fe.spliceReq
	s.res.splice = fe.spliceRes
	be := fe.backend
	if be == nil {
		r.ctr[fe.ctr].denied.Add(1)
		s.state = stEstablished
		r.closeStream(s)
		return
	}
	// s.be is set only once the backend counted the session, because
	// closeStream gives back what s.be names.
	be.cur.inc()
	be.rate.add(r.now)
	be.lastSess.Store(r.now)
	s.be = be
	r.ctr[be.ctr].sessions.Add(1)
	s.retries = s.be.retries
	s.key = lb.Key{}
	if be.keyer.Input == lb.KeySource {
		s.key = r.sourceKey(be)
	}
	if len(be.stick) > 0 {
		r.tsample.s, r.tsample.r = s, r
		r.tsample.vars.Reset()
		r.stickEval(s, be, &r.tsample)
	}
	r.connect(s, nil)
}

// connect picks a server (avoiding avoid when another one is usable) and
// starts a non-blocking connection to it.
func (r *reactor) connect(s *stream, avoid *server) {
	if s.srv == nil && avoid == nil && s.stickSrv != nil {
		if srv := s.stickSrv; srv.stickable() {
			if !r.connectStuck(s, srv) {
				return
			}
		}
	}
	if s.srv == nil {
		if s.be.q.Len() > 0 && !(s.be.affinity && s.key.Valid) {
			// Streams are waiting: the newcomer queues behind them
			// instead of taking a slot that was freed for the oldest (the
			// drain after the push hands it over). Without this a queued
			// stream could be overtaken again and again under load.
			r.enqueue(s)
			return
		}
		srv, res := s.be.pick(avoid, s.key)
		switch res {
		case pickFull:
			r.enqueue(s)
			return
		case pickSrvFull:
			if srv.maxqueue > 0 && srv.q.Len() >= srv.maxqueue {
				// HAProxy's SQ: the server's queue is full.
				r.ctr[s.be.ctr].connErr.Add(1)
				r.refuse(s)
				return
			}
			r.enqueueOn(s, srv)
			return
		case pickNoSrv:
			// No usable server: HAProxy answers 503 / closes at once.
			r.ctr[s.be.ctr].connErr.Add(1)
			r.refuse(s)
			return
		}
		r.assigned(s, srv)
	}
	srv := s.srv
	if s.h != nil && r.httpReuse(s, srv) {
		return
	}
	s.attempts++
	s.state = stConnecting
	s.since = r.now
	// The reactor connects with its own copy of the address: the system
	// call wrapper writes into it, and "set server addr" may publish a
	// new destination at any time.
	d := srv.dst.Load()
	family, sa := d.family, unix.Sockaddr(nil)
	if family == unix.AF_INET {
		r.sa4 = d.sa4
		sa = &r.sa4
	} else {
		r.sa6 = d.sa6
		sa = &r.sa6
	}
	if d.addr.Port() == 0 {
		// "server s 1.2.3.4" without port: same port as the client used.
		r.sa4.Port, r.sa6.Port = s.lis.spec.port, s.lis.spec.port
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		r.logf("socket for server %s/%s: %v", s.be.name, srv.name, err)
		r.connectFailed(s)
		return
	}
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	s.out = side{fd: fd, flags: sideCanRead | sideCanWrite, lastAct: r.now}
	if err := r.p.Add(fd, connEvents, makeToken(tokServer, s.idx, s.gen)); err != nil {
		r.logf("epoll_ctl for server %s/%s: %v", s.be.name, srv.name, err)
		r.connectFailed(s)
		return
	}
	err = unix.Connect(fd, sa)
	switch err {
	case nil:
		r.established(s)
	case unix.EINPROGRESS, unix.EINTR:
		s.out.flags = 0 // completion is reported by EPOLLOUT
		r.armStream(s)
	default:
		r.connectFailed(s)
	}
}

// assigned records that s holds a slot of srv chosen by load balancing.
func (r *reactor) assigned(s *stream, srv *server) {
	s.srv = srv
	s.lastSrv, s.tSrv = srv, r.now
	r.ctr[srv.ctr].lbtot.Add(1)
	r.ctr[s.be.ctr].lbtot.Add(1)
	srv.rate.add(r.now)
	srv.lastSess.Store(r.now)
}

// connectDone checks the outcome of an in-progress connect once the
// server socket reported an event: EPOLLERR or EPOLLHUP means it failed,
// writability alone that it is established, so success costs no system
// call.
func (r *reactor) connectDone(s *stream, ev uint32) {
	if ev&(poller.Err|poller.Hup) != 0 {
		r.connectFailed(s)
		return
	}
	// Keep sideRdHup: the event that reported the connection may also
	// have reported the server's FIN, and that edge will not come again.
	s.out.flags |= sideCanRead | sideCanWrite
	r.established(s)
}

// connectFailed handles a failed connection attempt: retry on the same
// server after a turn-around delay, redispatch to another server on the
// attempt "option redispatch" designates, or give up and close.
func (r *reactor) connectFailed(s *stream) {
	be, srv := s.be, s.srv
	r.closeSide(&s.out)
	r.ctr[srv.ctr].connErr.Add(1)
	r.ctr[be.ctr].connErr.Add(1)
	if s.retries <= 0 {
		r.refuse(s)
		return
	}
	s.retries--
	r.ctr[srv.ctr].retries.Add(1)
	r.ctr[be.ctr].retries.Add(1)
	if be.redispatch && (be.redispInt < 0 && s.retries == 0 || be.redispInt > 0 && s.attempts%be.redispInt == 0) {
		r.ctr[srv.ctr].redisp.Add(1)
		r.ctr[be.ctr].redisp.Add(1)
		r.releaseServer(s)
		r.connect(s, srv)
		return
	}
	// HAProxy waits min(timeout connect, 1s) before retrying the same
	// server, so that a restarting server is not hammered.
	delay := int64(1000)
	if be.connectTO > 0 && be.connectTO < delay {
		delay = be.connectTO
	}
	s.state = stTurnaround
	s.since = r.now + delay
	r.wheel.arm(&s.tm, s.since)
}

// established starts forwarding once the server connection is up.
func (r *reactor) established(s *stream) {
	s.state = stEstablished
	s.tConn = r.now
	s.out.lastAct = r.now
	s.cli.lastAct = r.now
	r.ctr[s.srv.ctr].sessions.Add(1)
	r.stickCommit(s)
	r.armStream(s)
	if s.h != nil {
		r.httpRun(s)
		return
	}
	if fe := s.fe; fe.logASAP && fe.logFmt != nil && !fe.logAtAccept {
		// As HAProxy does: logged now, ending at the connection,
		// with the bytes seen so far; dontlognull does not apply.
		r.logTCP(s, true)
		s.logged = true
	}
	r.forwardBoth(s)
}

// refuse ends a stream that gets no server (none usable, queue full or
// timed out, connection attempts exhausted): a mode http client gets a
// 503 first.
func (r *reactor) refuse(s *stream) {
	s.setTerm('S', 'C')
	if s.h != nil {
		r.httpFail(s, 503)
		r.httpRun(s)
		return
	}
	s.state = stEstablished
	r.closeStream(s)
}

// releaseServer gives back the stream's server slot, and dequeues: the
// releaser of a slot hands it to the next waiting stream.
func (r *reactor) releaseServer(s *stream) {
	if srv := s.srv; srv != nil {
		s.srv = nil
		r.e.releaseSlot(srv)
	}
}

// closeSide closes one connection of a stream.
func (r *reactor) closeSide(sd *side) {
	if sd.fd >= 0 {
		// close removes the fd from epoll: the socket is not shared.
		unix.Close(sd.fd)
		sd.fd = -1
	}
	sd.flags = 0
}

// closeStream closes both connections, returns buffers and pipes, releases
// every slot the stream held and frees its table entry.
func (r *reactor) closeStream(s *stream) {
	if s.state == stQueued {
		// If a dequeuer already took the entry, its grant is on the way
		// and applyGrant gives the slot back.
		s.waitQueue().Remove(&s.qe)
	}
	if s.h != nil {
		r.httpLog(s)
	} else if fe := s.fe; fe != nil && fe.logFmt != nil && !fe.logAtAccept && !s.logged && !(fe.dontLogNull && s.bytesIn == 0) {
		r.logTCP(s, false)
	}
	r.closeSide(&s.cli)
	r.closeSide(&s.out)
	r.dropChannel(&s.req)
	r.dropChannel(&s.res)
	r.wheel.disarm(&s.tm)
	r.releaseServer(s)
	r.untrack(s)
	if s.be != nil {
		s.be.cur.dec()
	}
	r.e.releaseConn(s.fe)
	s.state = 0
	s.lis, s.fe, s.be = nil, nil, nil
	if s.h != nil {
		// The next stream of this slot may be a mode tcp one, for
		// which h must be nil.
		s.hspare, s.h = s.h, nil
	}
	s.inActive = false
	s.gen++
	r.free = append(r.free, s.idx)
	r.nstreams--
}

// dropChannel returns a channel's buffer and pipe to the reactor pools.
func (r *reactor) dropChannel(c *channel) {
	if c.buf != nil {
		r.bufs.put(c.buf)
		c.buf = nil
	}
	c.off, c.end = 0, 0
	if c.pipe.r >= 0 {
		r.pipes.put(c.pipe, c.pipeLen == 0)
	}
	c.pipe = pipe{r: -1, w: -1}
	c.pipeLen = 0
	c.streamer = 0
}

// streamEvent dispatches an epoll event to a stream side.
func (r *reactor) streamEvent(s *stream, kind int, ev uint32) {
	sd := &s.cli
	if kind == tokServer {
		sd = &s.out
	}
	if ev&(poller.In|poller.RdHup|poller.Hup|poller.Err) != 0 {
		sd.flags |= sideCanRead
	}
	if ev&(poller.RdHup|poller.Hup|poller.Err) != 0 {
		sd.flags |= sideRdHup
	}
	if ev&(poller.Out|poller.Hup|poller.Err) != 0 {
		sd.flags |= sideCanWrite
	}
	switch s.state {
	case stConnecting:
		if kind == tokServer && ev&(poller.Out|poller.Hup|poller.Err) != 0 {
			r.connectDone(s, ev)
		}
		// Client events wait: nothing is read from the client before the
		// server connection is up, and a client close is seen then.
	case stEstablished:
		if s.h != nil && !s.h.tunnel {
			r.httpRun(s)
			return
		}
		r.forwardBoth(s)
	case stHTTPWait:
		r.httpRun(s)
	}
}

// timeoutStream is called when the stream's timer fires.
func (r *reactor) timeoutStream(s *stream) {
	switch s.state {
	case stQueued:
		if d := r.deadline(s); d > 0 && d <= r.now {
			r.queueTimeout(s)
			return
		}
		r.armStream(s)
	case stTurnaround:
		if r.now >= s.since {
			r.connect(s, nil)
			return
		}
		r.wheel.arm(&s.tm, s.since)
	case stConnecting:
		if d := r.deadline(s); d > 0 && d <= r.now {
			r.connectFailed(s)
			return
		}
		r.armStream(s)
	case stEstablished, stHTTPWait:
		if d := r.deadline(s); d > 0 && d <= r.now {
			if s.h != nil && !s.h.tunnel {
				r.httpTimeout(s)
				return
			}
			r.expireStream(s)
			return
		}
		r.armStream(s)
	}
}

// expireStream closes a stream whose inactivity timeout elapsed, counting
// the abort against the side that was silent.
func (r *reactor) expireStream(s *stream) {
	if s.srv != nil {
		cliIdle := r.now - s.cli.lastAct
		srvIdle := r.now - s.out.lastAct
		if srvIdle >= cliIdle {
			s.setTerm('s', 'D')
			r.ctr[s.srv.ctr].srvAbort.Add(1)
			r.ctr[s.be.ctr].srvAbort.Add(1)
		} else {
			s.setTerm('c', 'D')
			r.ctr[s.srv.ctr].cliAbort.Add(1)
			r.ctr[s.be.ctr].cliAbort.Add(1)
		}
	}
	r.closeStream(s)
}

// deadline returns the stream's next timeout instant (reactor ms), 0 for
// none. Connecting: timeout connect. Established: each side's inactivity
// (reads or writes on it, as HAProxy refreshes both on activity) against
// timeout client / timeout server, replaced by timeout tunnel when set,
// and by timeout client-fin / server-fin once a direction is shut.
func (r *reactor) deadline(s *stream) int64 {
	if s.state == stHTTPWait {
		return r.httpDeadline(s)
	}
	t := &s.be.timeouts
	switch s.state {
	case stConnecting:
		if t.connect > 0 {
			return s.since + t.connect
		}
		return 0
	case stTurnaround:
		return s.since
	case stQueued:
		if s.be.queueTO > 0 {
			return s.since + s.be.queueTO
		}
		return 0
	}
	ft := &s.fe.timeouts
	half := s.cli.flags&(sideEOF|sideShutW) != 0 || s.out.flags&(sideEOF|sideShutW) != 0
	cliTO, srvTO := ft.client, t.server
	if t.tunnel > 0 {
		cliTO, srvTO = t.tunnel, t.tunnel
	}
	if half {
		if ft.clientFin > 0 {
			cliTO = ft.clientFin
		}
		if t.serverFin > 0 {
			srvTO = t.serverFin
		}
	}
	if h := s.h; h != nil && !h.tunnel && h.rq.phase == msgDone && !s.res.pending() {
		// Waiting for the server: the client is not expected to act.
		cliTO = 0
	}
	var d int64
	if cliTO > 0 {
		d = s.cli.lastAct + cliTO
	}
	if srvTO > 0 {
		if e := s.out.lastAct + srvTO; d == 0 || e < d {
			d = e
		}
	}
	return d
}

// armStream schedules the stream's timer at its deadline, if any.
func (r *reactor) armStream(s *stream) {
	if d := r.deadline(s); d > 0 {
		r.wheel.arm(&s.tm, d)
	} else {
		r.wheel.disarm(&s.tm)
	}
}
