package engine

import "fmt"

// Server state changes. Every change goes through transition, which does
// what HAProxy does at that moment: the backend's queue is drained (a
// server coming back takes waiting streams; the last server leaving
// refuses them all at once), sessions are shut down where the
// configuration asks for it, and the change is logged.

// Operational states (HAProxy's SRV_ST_*), in server.op.
const (
	opRunning  uint32 = 0 // UP
	opStopping uint32 = 1 // NOLB: no new load-balanced traffic
	opStopped  uint32 = 2 // DOWN
)

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
		b := s.be
		switch {
		case old&adminMaint == 0 && nw&adminMaint != 0:
			e.transition(s, fmt.Sprintf("Server %s/%s is going DOWN for maintenance.%s", b.name, s.name, b.leftSuffix(s)), true)
		case old&adminMaint != 0 && nw&adminMaint == 0:
			e.transition(s, fmt.Sprintf("Server %s/%s is %s (leaving forced maintenance).", b.name, s.name, s.upWord()), false)
		case old&adminDrain == 0 && nw&adminDrain != 0:
			e.transition(s, fmt.Sprintf("Server %s/%s enters drain state.%s", b.name, s.name, b.leftSuffix(s)), true)
		default:
			e.transition(s, fmt.Sprintf("Server %s/%s is %s (leaving drain).", b.name, s.name, s.upWord()), false)
		}
		return true
	}
}

// setOp moves s to the operational state op for reason (a check result,
// or "changed from CLI"), and reports whether it changed.
func (e *Engine) setOp(s *server, op uint32, reason string) bool {
	old := s.op.Swap(op)
	if old == op {
		return false
	}
	b := s.be
	switch op {
	case opStopped:
		e.transition(s, fmt.Sprintf("Server %s/%s is DOWN, %s.%s", b.name, s.name, reason, b.leftSuffix(s)), true)
		if s.cfg.OnMarkedDown == "shutdown-sessions" {
			e.shutdownSessions(s)
		}
	case opStopping:
		e.transition(s, fmt.Sprintf("Server %s/%s is stopping, %s.%s", b.name, s.name, reason, b.leftSuffix(s)), true)
	default:
		act, bck := b.usableCounts()
		e.transition(s, fmt.Sprintf("Server %s/%s is UP, %s. %d active and %d backup servers online. %d sessions requeued, %d total in queue.",
			b.name, s.name, reason, act, bck, 0, max(b.q.Len(), 0)), false)
		if s.cfg.OnMarkedUp == "shutdown-backup-sessions" && !s.backup && s.weight.Load() > 0 {
			for _, o := range b.servers {
				if o.backup {
					e.shutdownSessions(o)
				}
			}
		}
	}
	return true
}

// upWord is how HAProxy names a server's state when it leaves
// maintenance or drain: "UP/READY" if it is up, else "DOWN".
func (s *server) upWord() string {
	if s.op.Load() == opStopped {
		return "DOWN"
	}
	return "UP/READY"
}

// leftSuffix is the end of HAProxy's message for a server leaving the
// usable set: what is left of the backend and of s's traffic.
func (b *backend) leftSuffix(s *server) string {
	act, bck := b.usableCounts()
	return fmt.Sprintf(" %d active and %d backup servers left. %d sessions active, %d requeued, %d remaining in queue.",
		act, bck, max(s.served.cur.Load(), 0), 0, 0)
}

// transition records a state change of s and applies its consequences.
// leaving is true when s may have left the usable set.
func (e *Engine) transition(s *server, msg string, leaving bool) {
	b := s.be
	now := e.nanos() / 1e6
	s.lastChg.Store(now)
	if leaving {
		s.chkdown.Add(1)
	}
	b.q.Touch()
	e.notice(msg)
	if !b.anyUsable() {
		if b.downSince.CompareAndSwap(0, now) {
			e.alert(fmt.Sprintf("backend %s has no server available!", b.name))
		}
	} else {
		b.downSince.Store(0)
	}
	// A server leaving may have been the last one (flush); a server
	// coming back has free slots for the waiting streams.
	e.drainQueue(b)
}

// notice logs a server state message (HAProxy prints them as warnings);
// alert logs what HAProxy prints as an alert.
func (e *Engine) notice(msg string) { e.logf("%s", msg) }

func (e *Engine) alert(msg string) {
	if e.opts.Alertf != nil {
		e.opts.Alertf("%s", msg)
		return
	}
	e.logf("%s", msg)
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
