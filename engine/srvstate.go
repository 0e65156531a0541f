package engine

import (
	"fmt"

	"hitless/engine/check"
	"hitless/engine/logs"
)

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
		name, up := s.checkName(), s.op.Load() != opStopped
		var msg []byte
		switch {
		case old&adminMaint == 0 && nw&adminMaint != 0:
			// A running server taken down is an alert, as in HAProxy.
			level := logs.LevelAlert
			if up {
				msg = check.AppendMaintDown(nil, name, s.counts())
			} else {
				msg = check.AppendMaintWasDown(nil, name)
				level = logs.LevelNotice
			}
			e.transition(s, msg, true, level)
		case old&adminMaint != 0 && nw&adminMaint == 0:
			msg = check.AppendMaintLeave(nil, name, up, nw&adminDrain != 0)
			e.transition(s, msg, false, logs.LevelNotice)
		case old&adminDrain == 0 && nw&adminDrain != 0:
			e.transition(s, check.AppendDrainEnter(nil, name, up, s.counts()), true, logs.LevelNotice)
		default:
			e.transition(s, check.AppendDrainLeave(nil, name, up), false, logs.LevelNotice)
		}
		return true
	}
}

// setOp moves s to the operational state op for a cause other than a
// check ("changed from CLI"), and reports whether it changed.
func (e *Engine) setOp(s *server, op uint32, cause string) bool {
	return e.changeOp(s, op, nil, cause)
}

// setOpCheck moves s to op because of the check result res.
func (e *Engine) setOpCheck(s *server, op uint32, res *check.Result) bool {
	return e.changeOp(s, op, res, "")
}

func (e *Engine) changeOp(s *server, op uint32, res *check.Result, cause string) bool {
	old := s.op.Swap(op)
	if old == op {
		return false
	}
	b, name := s.be, s.checkName()
	switch op {
	case opStopped:
		// HAProxy logs a server going down at level alert, notice when
		// it was already stopping.
		level := logs.LevelAlert
		if old == opStopping {
			level = logs.LevelNotice
		}
		e.transition(s, check.AppendServerDown(nil, name, res, cause, s.counts()), true, level)
		if s.cfg.OnMarkedDown == "shutdown-sessions" {
			e.shutdownSessionsLater(s)
		}
	case opStopping:
		e.transition(s, check.AppendServerStopping(nil, name, res, cause, s.counts()), true, logs.LevelNotice)
	default:
		if old == opStopped && s.slowstart > 0 {
			// Not at start-up: only a server coming back ramps up.
			s.upSince.Store(max(e.nanos()/1e6, 1))
		}
		e.transition(s, check.AppendServerUp(nil, name, res, cause, s.counts()), false, logs.LevelNotice)
		if s.cfg.OnMarkedUp == "shutdown-backup-sessions" && !s.backup && s.weight.Load() > 0 {
			for _, o := range b.servers() {
				if o.backup {
					e.shutdownSessionsLater(o)
				}
			}
		}
	}
	return true
}

// counts are the figures HAProxy appends to a state change of s, taken
// after the change. Servers have no queue of their own: nothing is ever
// requeued from one, and the backend's queue length is reported as what
// remains.
func (s *server) counts() check.Counts {
	act, bck := s.be.usableCounts()
	return check.Counts{Active: act, Backup: bck, Sessions: int(max(s.served.cur.Load(), 0)), Queued: int(max(s.q.Len(), 0))}
}

// transition records a state change of s and applies its consequences.
// leaving is true when s may have left the usable set; level is the
// syslog severity of msg in the backend's logs.
func (e *Engine) transition(s *server, msg []byte, leaving bool, level int) {
	b := s.be
	now := e.nanos() / 1e6
	s.lastChg.Store(now)
	if leaving && s.op.Load() == opStopped {
		s.chkdown.Add(1)
	}
	b.q.Touch()
	e.notice(string(msg))
	e.backendLog(b, level, msg)
	if !b.anyUsable() {
		if b.downSince.CompareAndSwap(0, now) {
			e.alert(string(check.AppendNoServer(nil, b.name)))
			// The log line names the backend without quotes.
			e.backendLog(b, logs.LevelEmerg, []byte("backend "+b.name+" has no server available!"))
		}
	} else {
		b.downSince.Store(0)
	}
	// A server leaving may have been the last one (flush); a server
	// coming back has free slots for the waiting streams. A server that
	// left sends its own queue back to load balancing.
	s.q.Touch()
	e.drainServer(s)
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
	for _, s := range b.servers() {
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
// It waits for every reactor: a reactor must not call it (changeOp runs
// on one when a check decides, and uses shutdownSessionsLater).
func (e *Engine) shutdownSessions(s *server) (int, error) {
	res := make(chan int, len(e.reactors))
	posted := 0
	for _, r := range e.reactors {
		if err := r.postWaiting(func(r *reactor) { res <- r.killServerStreams(s) }); err != nil {
			continue // stopped: its streams are closed already
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

// shutdownSessionsLater closes every stream holding a slot of s without
// waiting for it to be done, so that any goroutine, a reactor included,
// may call it.
func (e *Engine) shutdownSessionsLater(s *server) {
	go e.shutdownSessions(s)
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
