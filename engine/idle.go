package engine

import (
	"golang.org/x/sys/unix"

	"hitless/engine/config"
	"hitless/poller"
)

// A reactor's idle server connections ("http-reuse"). A server connection
// that finished a transaction and may carry another one stays with its
// stream while the client keeps the same server; when the client's next
// request goes elsewhere, or the client leaves, it moves here, where any
// stream of the reactor may take it, subject to the backend's http-reuse
// policy. An idle connection stays registered in the reactor's epoll
// under an idle token (idleBit in the index), so that a server closing it
// is noticed and the connection dropped. Connections idle longer than
// poolPurgeMs are closed: servers close idle connections on their own
// timers, and a connection a server is about to close is a request lost.
// The server options pool-max-conn (idle connections of a server across
// the reactors), pool-purge-delay and max-reuse apply as in HAProxy.
// Owned by the reactor.

const (
	idleBit     = 1 << 29 // token index bit of idle connections
	poolPurgeMs = 5000    // HAProxy's pool-purge-delay default
	poolMaxConn = 256     // idle connections per server and reactor without pool-max-conn
)

// idleEvents are the events of a pooled connection: data, FIN or error.
const idleEvents = poller.In | poller.RdHup | poller.Edge

type idleConn struct {
	fd    int // -1: free slot
	srv   *server
	gen   uint32
	since int64 // reactor ms when it became idle
	uses  int   // transactions it carried
}

type idlePool struct {
	conns []idleConn
	free  []int32
	bySrv [][]int32 // per server counter index: slots, most recent last
	n     int
	tm    timer
}

// poolPut moves the idle server connection of stream s to the pool, or
// closes it when the pool may not keep it.
func (r *reactor) poolPut(s *stream) {
	h := s.h
	srv := h.idleSrv
	fd := s.out.fd
	s.out.fd, s.out.flags = -1, 0
	h.idleSrv = nil
	if srv == nil || srv.be.reuse == config.ReuseNever || r.exiting || srv.deleted.Load() {
		unix.Close(fd)
		return
	}
	p := &r.idle
	for len(p.bySrv) <= srv.ctr {
		p.bySrv = append(p.bySrv, nil)
	}
	full := len(p.bySrv[srv.ctr]) >= poolMaxConn
	if srv.poolMax >= 0 {
		full = srv.idle.Load() >= srv.poolMax
	}
	if full || srv.maxReuse >= 0 && h.nuses > srv.maxReuse {
		unix.Close(fd)
		return
	}
	var i int32
	if n := len(p.free); n > 0 {
		i = p.free[n-1]
		p.free = p.free[:n-1]
	} else {
		i = int32(len(p.conns))
		p.conns = append(p.conns, idleConn{fd: -1})
	}
	c := &p.conns[i]
	c.gen++
	c.fd, c.srv, c.since, c.uses = fd, srv, r.now, h.nuses
	// Only input matters while idle: registering for output would
	// report the writable socket at once.
	if err := r.p.Mod(fd, idleEvents, makeToken(tokServer, i|idleBit, c.gen)); err != nil {
		unix.Close(fd)
		c.fd, c.srv = -1, nil
		p.free = append(p.free, i)
		return
	}
	p.bySrv[srv.ctr] = append(p.bySrv[srv.ctr], i)
	p.n++
	srv.idle.Add(1)
	r.wheel.armEarlier(&p.tm, r.now+srv.purgeMs)
}

// poolTake gives stream s an idle connection to srv from the pool, if the
// backend's policy lets this request use one.
func (r *reactor) poolTake(s *stream, srv *server) bool {
	p := &r.idle
	if p.n == 0 || srv.ctr >= len(p.bySrv) {
		return false
	}
	h := s.h
	policy := srv.be.reuse
	first := h.nreq <= 1
	if policy == config.ReuseNever || first && policy == config.ReuseSafe {
		return false
	}
	list := p.bySrv[srv.ctr]
	for k := len(list) - 1; k >= 0; k-- {
		i := list[k]
		c := &p.conns[i]
		if first && policy == config.ReuseAggressive && c.uses < 2 {
			continue
		}
		p.bySrv[srv.ctr] = append(list[:k], list[k+1:]...)
		p.n--
		fd, uses, same := c.fd, c.uses, c.srv == srv
		c.srv.idle.Add(-1)
		c.fd, c.srv = -1, nil
		p.free = append(p.free, i)
		if !same {
			// The counter slot was reused by a new server.
			unix.Close(fd)
			return false
		}
		if err := r.p.Mod(fd, connEvents, makeToken(tokServer, s.idx, s.gen)); err != nil {
			unix.Close(fd)
			return false
		}
		s.out = side{fd: fd, flags: sideCanWrite, lastAct: r.now}
		h.nuses = uses
		return true
	}
	return false
}

// idleEvent handles an event on a pooled connection: the server closed it
// or sent something unsolicited, so it is not reusable.
func (r *reactor) idleEvent(i int32, gen uint32) {
	p := &r.idle
	if int(i) >= len(p.conns) {
		return
	}
	c := &p.conns[i]
	if c.fd < 0 || c.gen != gen {
		return
	}
	r.poolDrop(i)
}

// poolDrop closes pooled connection i.
func (r *reactor) poolDrop(i int32) {
	p := &r.idle
	c := &p.conns[i]
	if ctr := c.srv.ctr; ctr < len(p.bySrv) {
		list := p.bySrv[ctr]
		for k, j := range list {
			if j == i {
				p.bySrv[ctr] = append(list[:k], list[k+1:]...)
				break
			}
		}
	}
	unix.Close(c.fd)
	c.srv.idle.Add(-1)
	c.fd, c.srv = -1, nil
	p.free = append(p.free, i)
	p.n--
}

// poolPurge closes the connections idle for their server's purge delay
// or more (all of them when the reactor stops) and re-arms the purge
// timer for the next one due.
func (r *reactor) poolPurge() {
	p := &r.idle
	next := int64(-1)
	for i := range p.conns {
		c := &p.conns[i]
		if c.fd < 0 {
			continue
		}
		due := c.since + c.srv.purgeMs
		if r.exiting || r.now >= due {
			r.poolDrop(int32(i))
		} else if next < 0 || due < next {
			next = due
		}
	}
	if next >= 0 {
		r.wheel.arm(&p.tm, next)
	}
}

// idleToken reports whether a server token designates a pooled
// connection.
func idleToken(idx int32) bool { return idx&idleBit != 0 }
