package engine

import (
	"golang.org/x/sys/unix"

	"hitless/poller"
)

// forwardBudget bounds the bytes one direction of a stream moves per loop
// turn, so that one fast stream cannot starve the others; a stream that
// spends its budget is queued for another turn.
const forwardBudget = 256 << 10

// forwardBoth runs both directions of an established stream, then closes
// it if both directions are finished or one failed, or queues it for
// another turn if a budget ran out.
func (r *reactor) forwardBoth(s *stream) {
	okReq, moreReq := r.forward(s, &s.req, &s.cli, &s.out, true)
	if !okReq {
		r.abortStream(s)
		return
	}
	okRes, moreRes := r.forward(s, &s.res, &s.out, &s.cli, false)
	if !okRes {
		r.abortStream(s)
		return
	}
	if s.cli.flags&sideEOF != 0 && s.out.flags&sideShutW != 0 && !s.req.pending() &&
		s.out.flags&sideEOF != 0 && s.cli.flags&sideShutW != 0 && !s.res.pending() {
		r.closeStream(s)
		return
	}
	if (moreReq || moreRes) && !s.inActive {
		s.inActive = true
		r.active = append(r.active, uint64(s.idx)|uint64(s.gen)<<32)
	}
	// Activity only pushes deadlines later, which the lazily re-armed timer
	// handles when it fires; a half-close can bring one earlier (client-fin).
	if d := r.deadline(s); d > 0 {
		r.wheel.armEarlier(&s.tm, d)
	}
}

// abortStream closes a stream after an I/O error on either side.
func (r *reactor) abortStream(s *stream) {
	r.closeStream(s)
}

// forward moves bytes of channel c from src to dst until one side would
// block or the budget is spent, and propagates src's end of stream to dst
// with shutdown(SHUT_WR) once c is empty. It returns ok=false when the
// stream must be aborted (reset, broken pipe) and more=true when it
// stopped only because of the budget. It does not allocate once the
// reactor pools are warm.
func (r *reactor) forward(s *stream, c *channel, src, dst *side, request bool) (ok, more bool) {
	budget := forwardBudget
	for {
		// 1. Flush what is in flight.
		if c.end > c.off {
			if dst.flags&sideCanWrite == 0 {
				return true, false
			}
			n, err := poller.Write(dst.fd, c.buf[c.off:c.end])
			if err != nil {
				if err == unix.EAGAIN {
					dst.flags &^= sideCanWrite
					return true, false
				}
				if err == unix.EINTR {
					continue
				}
				r.countAbort(s, !request)
				return false, false
			}
			c.off += n
			dst.lastAct = r.now
			if c.off == c.end {
				c.off, c.end = 0, 0
			}
			continue
		}
		if c.pipeLen > 0 {
			if dst.flags&sideCanWrite == 0 {
				return true, false
			}
			n, err := poller.Splice(c.pipe.r, dst.fd, c.pipeLen)
			if err != nil {
				if err == unix.EAGAIN {
					dst.flags &^= sideCanWrite
					return true, false
				}
				if err == unix.EINTR {
					continue
				}
				r.countAbort(s, !request)
				return false, false
			}
			c.pipeLen -= int(n)
			dst.lastAct = r.now
			continue
		}
		// 2. The channel is empty: propagate the end of stream.
		if src.flags&sideEOF != 0 {
			if dst.flags&sideShutW == 0 {
				// A peer that already sent its own FIN gets ours with the
				// close that follows once the other direction drained;
				// only a still-talking peer needs the half-close now.
				if dst.flags&sideEOF == 0 {
					unix.Shutdown(dst.fd, unix.SHUT_WR)
				}
				dst.flags |= sideShutW
			}
			r.idleChannel(c)
			return true, false
		}
		if src.flags&sideCanRead == 0 {
			r.idleChannel(c)
			return true, false
		}
		if budget <= 0 {
			return true, true
		}
		// 3. Read more, spliced or copied.
		if r.useSplice(c) {
			n, err := poller.Splice(src.fd, c.pipe.w, r.pipeSize)
			switch {
			case err == unix.EAGAIN:
				// The pipe is empty, so EAGAIN means the socket is.
				src.flags &^= sideCanRead
				continue
			case err == unix.EINTR:
				continue
			case err != nil:
				r.countAbort(s, request)
				return false, false
			case n == 0:
				src.flags |= sideEOF
				src.lastAct = r.now
				continue
			}
			c.pipeLen = int(n)
			budget -= int(n)
			src.lastAct = r.now
			// No shortRead here: a splice also stops short when the pipe's
			// slots are full (one per socket buffer fragment, which can be
			// far less than a page), with data still queued and no new
			// edge to come. Only EAGAIN means the socket is drained.
			r.countBytes(s, uint64(n), request, true)
			continue
		}
		if c.buf == nil {
			c.buf = r.bufs.get()
		}
		n, err := poller.Read(src.fd, c.buf)
		switch {
		case err == unix.EAGAIN:
			src.flags &^= sideCanRead
			continue
		case err == unix.EINTR:
			continue
		case err != nil:
			r.countAbort(s, request)
			return false, false
		case n == 0:
			src.flags |= sideEOF
			src.lastAct = r.now
			continue
		}
		if n == len(c.buf) {
			if c.streamer < 255 {
				c.streamer++
			}
		} else {
			c.streamer = 0
			r.shortRead(src)
		}
		c.off, c.end = 0, n
		budget -= n
		src.lastAct = r.now
		r.countBytes(s, uint64(n), request, false)
	}
}

// shortRead notes that a read(2) returned less than asked: the socket's
// receive queue was emptied, so the next read would return EAGAIN and the
// next arrival will raise a new edge. The read is skipped, saving a system
// call per chunk, unless the peer's FIN was already reported: that edge is
// consumed, so the end of stream must be read now.
func (r *reactor) shortRead(src *side) {
	if src.flags&sideRdHup == 0 {
		src.flags &^= sideCanRead
	}
}

// useSplice reports whether the next read of c goes through a pipe, taking
// one from the pool if needed. Auto mode switches to splicing after two
// consecutive reads filled a whole buffer, the sign of a bulk transfer
// (HAProxy's "streamer" heuristic); small exchanges keep the cheaper copy.
func (r *reactor) useSplice(c *channel) bool {
	switch c.splice {
	case spliceNever:
		return false
	case spliceAuto:
		if c.streamer < 2 && c.pipe.r < 0 {
			return false
		}
	}
	if c.pipe.r >= 0 {
		return true
	}
	p, ok := r.pipes.get()
	if !ok {
		return false // no pipe left: copy this time
	}
	c.pipe = p
	if c.buf != nil {
		r.bufs.put(c.buf)
		c.buf = nil
	}
	return true
}

// idleChannel returns an empty channel's buffer and pipe to the pools so
// that idle connections hold neither.
func (r *reactor) idleChannel(c *channel) {
	if c.buf != nil {
		r.bufs.put(c.buf)
		c.buf = nil
	}
	if c.pipe.r >= 0 {
		r.pipes.put(c.pipe, true)
		c.pipe = pipe{r: -1, w: -1}
	}
}

// countBytes adds n forwarded bytes to the frontend, backend and server
// counters of the reactor's shard.
func (r *reactor) countBytes(s *stream, n uint64, request, spliced bool) {
	fe, be, srv := &r.ctr[s.fe.ctr], &r.ctr[s.be.ctr], &r.ctr[s.srv.ctr]
	if request {
		s.bytesIn += n
		fe.bytesIn.Add(n)
		be.bytesIn.Add(n)
		srv.bytesIn.Add(n)
	} else {
		s.bytesOut += n
		fe.bytesOut.Add(n)
		be.bytesOut.Add(n)
		srv.bytesOut.Add(n)
	}
	if spliced {
		fe.spliced.Add(n)
	}
}

// countAbort records which side broke the stream: client if clientSide,
// else server.
func (r *reactor) countAbort(s *stream, clientSide bool) {
	if s.srv == nil {
		return
	}
	if clientSide {
		s.setTerm('C', 'D')
		r.ctr[s.srv.ctr].cliAbort.Add(1)
		r.ctr[s.be.ctr].cliAbort.Add(1)
	} else {
		s.setTerm('S', 'D')
		r.ctr[s.srv.ctr].srvAbort.Add(1)
		r.ctr[s.be.ctr].srvAbort.Add(1)
		r.ctr[s.srv.ctr].respErr.Add(1)
		r.ctr[s.be.ctr].respErr.Add(1)
	}
}
