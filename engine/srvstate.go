package engine

import "fmt"

// Server state changes. Every change goes through serverChanged, which
// does what HAProxy does at that moment: the backend's queue is drained
// (a server coming back takes waiting streams; the last server leaving
// refuses them all at once) and the transition is logged.

// setAdmin sets (on) or clears the administrative bits of s and applies
// the consequences. It reports whether the state changed. Any goroutine
// may call it.
func (e *Engine) setAdmin(s *server, bits uint32, on bool) bool {
	for {
		old := s.admin.Load()
		nw := old &^ bits
		if on {
			nw = old | bits
		}
		if nw == old {
			return false
		}
		if !s.admin.CompareAndSwap(old, nw) {
			continue
		}
		e.serverChanged(s, old, nw)
		return true
	}
}

// serverChanged applies an administrative transition of s from the admin
// bits old to nw.
func (e *Engine) serverChanged(s *server, old, nw uint32) {
	b := s.be
	now := e.nanos() / 1e6
	s.lastChg.Store(now)
	b.q.Touch()
	switch {
	case old&adminMaint == 0 && nw&adminMaint != 0:
		act, bck := b.usableCounts()
		e.logf("Server %s/%s is going DOWN for maintenance. %d active and %d backup servers left. %d sessions active, %d requeued, %d remaining in queue.",
			b.name, s.name, act, bck, max(s.served.cur.Load(), 0), 0, 0)
	case old&adminMaint != 0 && nw&adminMaint == 0:
		e.logf("Server %s/%s is UP/READY (leaving forced maintenance).", b.name, s.name)
	case old&adminDrain == 0 && nw&adminDrain != 0:
		act, bck := b.usableCounts()
		e.logf("Server %s/%s enters drain state. %d active and %d backup servers left. %d sessions active, %d requeued, %d remaining in queue.",
			b.name, s.name, act, bck, max(s.served.cur.Load(), 0), 0, 0)
	case old&adminDrain != 0 && nw&adminDrain == 0:
		e.logf("Server %s/%s is UP/READY (leaving drain).", b.name, s.name)
	}
	if !b.anyUsable() {
		if b.downSince.CompareAndSwap(0, now) {
			e.logf("backend %s has no server available!", b.name)
		}
	} else {
		b.downSince.Store(0)
	}
	// A server leaving may have been the last one (flush); a server
	// coming back has free slots for the waiting streams.
	e.drainQueue(b)
}

// usableCounts returns the numbers of usable active and backup servers.
func (b *backend) usableCounts() (act, bck int) {
	for _, s := range b.servers {
		if s.usable() {
			if s.backup {
				bck++
			} else {
				act++
			}
		}
	}
	return act, bck
}

// shutdownSessions closes every stream holding a slot of s, on every
// reactor, and returns how many it closed once every reactor answered.
func (e *Engine) shutdownSessions(s *server) (int, error) {
	res := make(chan int, len(e.reactors))
	posted := 0
	for _, r := range e.reactors {
		if err := r.post(func(r *reactor) { res <- r.killServerStreams(s) }); err != nil {
			continue
		}
		posted++
	}
	n := 0
	for i := 0; i < posted; i++ {
		select {
		case k := <-res:
			n += k
		case <-e.done:
			return n, fmt.Errorf("engine stopped")
		}
	}
	return n, nil
}

// killServerStreams closes this reactor's streams that hold a slot of s.
func (r *reactor) killServerStreams(s *server) int {
	n := 0
	for _, st := range r.streams {
		if st.state != 0 && st.state != stQueued && st.srv == s {
			r.closeStream(st)
			n++
		}
	}
	return n
}
