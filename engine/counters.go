package engine

import "sync/atomic"

// counters is one reactor's shard of an object's cumulative statistics
// (a frontend, a backend or a server). Only the owning reactor adds to a
// shard; readers (the CLI) sum the shards of every reactor. The fields are
// atomics so that reads are race-free; adds are uncontended because no two
// reactors share a shard, and shards are padded apart.
type counters struct {
	sessions  atomic.Uint64 // stot: sessions (frontend: accepted; backend/server: assigned)
	bytesIn   atomic.Uint64 // bin: request direction bytes
	bytesOut  atomic.Uint64 // bout: response direction bytes
	connErr   atomic.Uint64 // econ: failed connection attempts
	respErr   atomic.Uint64 // eresp: errors while talking to the server
	retries   atomic.Uint64 // wretr: connection retries
	redisp    atomic.Uint64 // wredis: redispatches
	lbtot     atomic.Uint64 // lbtot: times selected by load balancing
	cliAbort  atomic.Uint64 // cli_abrt: transfers aborted by the client
	srvAbort  atomic.Uint64 // srv_abrt: transfers aborted by the server
	denied    atomic.Uint64 // dreq: connections refused (no server, limits), requests denied
	deniedRes atomic.Uint64 // dresp: responses denied
	spliced   atomic.Uint64 // bytes forwarded with splice (bout or bin)

	// mode http
	reqTot      atomic.Uint64    // req_tot: HTTP requests
	reqErr      atomic.Uint64    // ereq: request errors (bad request, timeout)
	intercepted atomic.Uint64    // intercepted: requests answered by the proxy itself
	reuse       atomic.Uint64    // reuse: requests sent over a reused server connection
	hrsp        [6]atomic.Uint64 // hrsp_1xx .. hrsp_5xx, hrsp_other
	_           [32]byte         // keep shards of adjacent objects on separate cache lines
}

// sum is a plain-value copy of counters, summed over shards.
type sum struct {
	sessions, bytesIn, bytesOut, connErr, respErr, retries, redisp, lbtot,
	cliAbort, srvAbort, denied, deniedRes, spliced uint64

	reqTot, reqErr, intercepted, reuse uint64
	hrsp                               [6]uint64
}

func (s *sum) add(c *counters) {
	s.sessions += c.sessions.Load()
	s.bytesIn += c.bytesIn.Load()
	s.bytesOut += c.bytesOut.Load()
	s.connErr += c.connErr.Load()
	s.respErr += c.respErr.Load()
	s.retries += c.retries.Load()
	s.redisp += c.redisp.Load()
	s.lbtot += c.lbtot.Load()
	s.cliAbort += c.cliAbort.Load()
	s.srvAbort += c.srvAbort.Load()
	s.denied += c.denied.Load()
	s.deniedRes += c.deniedRes.Load()
	s.spliced += c.spliced.Load()
	s.reqTot += c.reqTot.Load()
	s.reqErr += c.reqErr.Load()
	s.intercepted += c.intercepted.Load()
	s.reuse += c.reuse.Load()
	for i := range s.hrsp {
		s.hrsp[i] += c.hrsp[i].Load()
	}
}

// gauge is a shared current value with its maximum, updated by any
// reactor.
type gauge struct {
	cur atomic.Int64
	max atomic.Int64
}

// inc adds one and raises the maximum if needed; it returns the new value.
func (g *gauge) inc() int64 {
	v := g.cur.Add(1)
	g.raise(v)
	return v
}

func (g *gauge) dec() { g.cur.Add(-1) }

// takeBelow increments cur only if it stays at or below limit (limit <= 0
// means unlimited) and reports whether it did. It never lets cur exceed
// limit, even with concurrent callers. It raises max only when raiseMax is
// set: a reservation that may be given back at once (accept finding
// nothing) must not count as a peak, and calls noteMax once it sticks.
func (g *gauge) takeBelow(limit int64, raiseMax bool) bool {
	for {
		v := g.cur.Load()
		if limit > 0 && v >= limit {
			return false
		}
		if g.cur.CompareAndSwap(v, v+1) {
			if raiseMax {
				g.raise(v + 1)
			}
			return true
		}
	}
}

// noteMax raises max to the current value if it is higher.
func (g *gauge) noteMax() { g.raise(g.cur.Load()) }

func (g *gauge) raise(v int64) {
	for {
		m := g.max.Load()
		if v <= m || g.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// rate counts events per second as HAProxy's frequency counters do: the
// reported rate is the current second's count plus the previous second's
// count weighted by the part of the previous second still inside the
// sliding one-second window. Any goroutine may add or read.
type rate struct {
	state atomic.Uint64 // period (seconds) << 32 | count in that period
	prev  atomic.Uint64 // count of the period before state's
	max   atomic.Uint64 // highest rate observed at an add
}

// add records one event at nowMs (engine clock, ms).
func (r *rate) add(nowMs int64) {
	period := uint64(nowMs / 1000)
	for {
		s := r.state.Load()
		sp, sc := s>>32, s&0xffffffff
		if sp == period {
			if r.state.CompareAndSwap(s, s+1) {
				r.raiseMax(nowMs, sc+1)
				return
			}
			continue
		}
		if r.state.CompareAndSwap(s, period<<32|1) {
			if sp+1 == period {
				r.prev.Store(sc)
			} else {
				r.prev.Store(0)
			}
			r.raiseMax(nowMs, 1)
			return
		}
	}
}

func (r *rate) raiseMax(nowMs int64, cur uint64) {
	v := cur + r.prev.Load()*uint64(1000-nowMs%1000)/1000
	for {
		m := r.max.Load()
		if v <= m || r.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// read returns the events per second over the last second at nowMs.
func (r *rate) read(nowMs int64) uint64 {
	s := r.state.Load()
	sp, sc := s>>32, s&0xffffffff
	period := uint64(nowMs / 1000)
	switch {
	case sp == period:
		return sc + r.prev.Load()*uint64(1000-nowMs%1000)/1000
	case sp+1 == period:
		return sc * uint64(1000-nowMs%1000) / 1000
	}
	return 0
}
