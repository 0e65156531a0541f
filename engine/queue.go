package engine

import (
	"sync"

	"hitless/lb"
	"hitless/queue"
)

// Queueing, following DESIGN.md section 4. A stream that finds every
// usable server of its backend full waits in the backend's queue, in its
// own reactor's shard. Slots are handed out by Engine.drainQueue, which
// whoever may have made a slot available calls: a stream releasing one,
// an enqueuer right after publishing its entry (so that no entry waits
// where nothing will dequeue it), and every server state change. A
// granted entry travels to its owner reactor through the reactor's grant
// inbox with the slot already taken; the owner connects.

// Bounds of one drainQueue call.
const (
	queueBatch  = 64 // entries granted per pass
	queuePasses = 8  // passes per call before handing over to a reactor task
)

// grant is a dequeuer's answer to a queued entry, copied under the
// shard's lock: target is the server seq a slot was taken on, or -1 when
// the backend has no usable server left (a refusal).
type grant struct {
	e      *queue.Entry
	ref    uint64
	ticket uint64
	target int32
}

// inbox holds the grants other goroutines made to a reactor's streams.
type inbox struct {
	mu     sync.Mutex
	grants []grant
}

// deliver hands g to the reactor owning its entry and wakes it.
func (e *Engine) deliver(shard int, g grant) {
	r := e.reactors[shard]
	r.inbox.mu.Lock()
	r.inbox.grants = append(r.inbox.grants, g)
	r.inbox.mu.Unlock()
	r.p.Wake()
}

// drainQueue hands free slots of b's servers to b's queued streams, or
// refuses them all when b has no usable server. Any goroutine may call
// it; at most one runs the passes at a time (queue.Drain).
func (e *Engine) drainQueue(b *backend) {
	if b.q.Drain(queuePasses, func() bool { return e.queuePass(b) }) {
		return
	}
	// Bound reached with work left: continue on a reactor's turn instead
	// of holding this goroutine. The request stays pending in the queue,
	// so the next drain by anyone serves it even if this post fails.
	r := e.reactors[int(b.drainTurn.Add(1))%len(e.reactors)]
	if err := r.post(func(r *reactor) { r.e.drainQueue(b) }); err != nil {
		e.logf("backend %s: queue drain deferred: %v", b.name, err)
	}
}

// queuePass grants up to queueBatch entries. It returns true when it
// stopped at the bound with entries and free slots possibly left.
func (e *Engine) queuePass(b *backend) bool {
	for n := 0; n < queueBatch; n++ {
		if b.q.Len() == 0 {
			return false
		}
		// The slot goes to the oldest entry: pick with its key, so that a
		// hash-balanced stream keeps its server. (Its owner may remove
		// it before the pop; the slot then goes to the next oldest.)
		key, ok := b.q.OldestKey()
		if !ok {
			return false
		}
		srv, res := b.pick(nil, unpackKey(key))
		switch res {
		case pickNoSrv:
			// The last usable server went away: nothing will ever
			// dequeue these entries, so they are refused now rather
			// than at timeout queue.
			b.q.Flush(func(p queue.Popped) {
				e.deliver(p.Shard, grant{e: p.E, ref: p.Ref, ticket: p.Ticket, target: -1})
			})
			return false
		case pickFull, pickSrvFull:
			// Every slot is held by a stream that will drain on release.
			// (Backend-queue entries carry no hash key, so no server is
			// chosen for them by affinity; stop rather than guess.)
			return false
		}
		p, ok := b.q.PopOldest(int(b.drainTurn.Load()) % len(e.reactors))
		if !ok {
			// The entries left (timeouts) between Len and the pop: the
			// slot goes back as a stream releases one, since a stream
			// that found srv full meanwhile may wait in srv's queue.
			e.releaseSlot(srv)
			return false
		}
		e.deliver(p.Shard, grant{e: p.E, ref: p.Ref, ticket: p.Ticket, target: int32(srv.seq)})
	}
	return true
}

// waitQueue is the queue s waits in, or would.
func (s *stream) waitQueue() *queue.Queue {
	if s.qsrv != nil {
		return s.qsrv.q
	}
	return s.be.q
}

// enqueueOn puts s in the queue of srv, the server its hash key chose, and
// drains that queue: a slot freed meanwhile is found that way.
func (r *reactor) enqueueOn(s *stream, srv *server) {
	r.push(s, srv)
	r.e.drainServer(srv)
}

// push links s in the queue of srv, or of its backend when srv is nil.
func (r *reactor) push(s *stream, srv *server) {
	s.state = stQueued
	s.since = r.now
	s.qsrv = srv
	s.qe.Ref = uint64(uint32(s.idx)) | uint64(s.gen)<<32
	s.qe.Key = packKey(s.key)
	s.waitQueue().Push(r.id, &s.qe)
	r.armStream(s)
}

// drainServer hands free slots of srv to the streams queued on it, or,
// when srv is no longer usable, sends them back to load balancing.
func (e *Engine) drainServer(srv *server) {
	if srv.q.Drain(queuePasses, func() bool { return e.serverPass(srv) }) {
		return
	}
	r := e.reactors[int(srv.be.drainTurn.Add(1))%len(e.reactors)]
	if err := r.post(func(r *reactor) { r.e.drainServer(srv) }); err != nil {
		e.logf("server %s/%s: queue drain deferred: %v", srv.be.name, srv.name, err)
	}
}

// grantRequeue is the target of a grant that sends a stream back to load
// balancing (its server went away), as HAProxy redistributes a server's
// queue.
const grantRequeue = -2

// serverPass grants up to queueBatch slots of srv. It returns true when it
// stopped at the bound with work possibly left.
func (e *Engine) serverPass(srv *server) bool {
	if !srv.usable() {
		srv.q.Flush(func(p queue.Popped) {
			e.deliver(p.Shard, grant{e: p.E, ref: p.Ref, ticket: p.Ticket, target: grantRequeue})
		})
		return false
	}
	for n := 0; n < queueBatch; n++ {
		if srv.q.Len() == 0 || !srv.served.takeBelow(srv.limit(), true) {
			return false
		}
		p, ok := srv.q.PopOldest(int(srv.be.drainTurn.Load()) % len(e.reactors))
		if !ok {
			e.releaseSlot(srv) // as above: a backend entry may wait for it
			return false
		}
		e.deliver(p.Shard, grant{e: p.E, ref: p.Ref, ticket: p.Ticket, target: int32(srv.seq)})
	}
	return true
}

// releaseSlot gives back a slot of srv the way a stream releases one:
// the queues that may wait for it are drained. Called from inside a pass,
// it only requests another pass of the queue being drained.
func (e *Engine) releaseSlot(srv *server) {
	srv.served.dec()
	if srv.q.Len() > 0 {
		e.drainServer(srv)
	}
	if srv.be.q.Len() > 0 {
		e.drainQueue(srv.be)
	}
}

// enqueue puts s in its backend's queue, then drains the queue itself: a
// slot freed between the failed pick and the push is found that way.
func (r *reactor) enqueue(s *stream) {
	r.push(s, nil)
	r.e.drainQueue(s.be)
}

// packKey and unpackKey carry an lb.Key in a queue entry.
func packKey(k lb.Key) uint64 {
	if !k.Valid {
		return 0
	}
	return 1<<32 | uint64(k.Hash)
}

func unpackKey(v uint64) lb.Key { return lb.Key{Hash: uint32(v), Valid: v>>32 != 0} }

// runGrants applies the grants other goroutines made to this reactor's
// streams.
func (r *reactor) runGrants() {
	r.inbox.mu.Lock()
	gs := r.inbox.grants
	r.inbox.grants = r.grantSpare[:0]
	r.inbox.mu.Unlock()
	for i := range gs {
		r.applyGrant(&gs[i])
		gs[i] = grant{}
	}
	r.grantSpare = gs[:0]
}

func (r *reactor) applyGrant(g *grant) {
	idx, gen := int32(uint32(g.ref)), uint32(g.ref>>32)
	s := r.streams[idx]
	if s.gen != gen || s.state != stQueued || &s.qe != g.e || s.qe.Ticket != g.ticket {
		// The stream left the queue (closed) while the grant was on its
		// way: give the slot back to whoever waits next.
		if g.target >= 0 {
			r.e.releaseSlot(r.e.serverBySeq(g.target))
		}
		return
	}
	s.qe.Reset()
	s.qsrv = nil
	if g.target == grantRequeue {
		// Its server went away: load balancing again, which may queue
		// it on the backend or on another server. A stream stuck to
		// that server forgets it, so that it cannot be sent back to a
		// queue that refuses it again.
		s.stickSrv = nil
		r.wheel.disarm(&s.tm)
		r.connect(s, nil)
		return
	}
	if g.target < 0 {
		// No usable server left: HAProxy's NOSRV after a queue flush.
		r.ctr[s.be.ctr].connErr.Add(1)
		r.refuse(s)
		return
	}
	srv := r.e.serverBySeq(g.target)
	r.assigned(s, srv)
	r.connect(s, nil)
}

// queueTimeout ends the wait of a queued stream at timeout queue, unless a
// grant is already on its way (then the grant decides).
func (r *reactor) queueTimeout(s *stream) {
	if !s.waitQueue().Remove(&s.qe) {
		r.wheel.disarm(&s.tm)
		return
	}
	// HAProxy's sQ: the stream waited in the queue for too long.
	s.setTerm('s', 'Q')
	r.ctr[s.be.ctr].connErr.Add(1)
	r.refuse(s)
}
