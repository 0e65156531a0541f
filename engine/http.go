package engine

import (
	"net/netip"

	"golang.org/x/sys/unix"

	"hitless/engine/config"
	"hitless/engine/h1"
	"hitless/engine/rules"
	"hitless/lb"
	"hitless/poller"
)

// Mode http streams (DESIGN.md section 2). A stream on a mode http
// frontend carries one transaction at a time: it reads a request head in
// place in its request buffer, chooses a backend and a server, sends the
// head (rewritten in place when needed) and the body as it arrives, then
// reads the response head, sends it and its body, and either waits for the
// next request on the same client connection or closes. The body of a
// message is forwarded by its framing (Content-Length, chunked, until
// close) without re-chunking; the bytes that follow the end of a message
// are never forwarded with it (a pipelined request waits for its turn).
//
// Between transactions the stream keeps its server connection when it may
// be reused, so that a client that keeps talking to the same server costs
// no connection set-up and no epoll_ctl; when the next request goes to
// another server, or the client leaves, that connection moves to the
// reactor's idle pool (idle.go) where other streams of the reactor find it,
// following "http-reuse".

// Message phases (httpMsg.phase).
const (
	msgHead uint8 = iota // waiting for (or reading) the head
	msgBody              // forwarding the body
	msgDone              // the whole message was read (it may still be in flight)
)

// httpMsg is one direction of a transaction.
type httpMsg struct {
	phase   uint8
	framing h1.Framing
	scanned int   // bytes of the head already searched for its end
	fwd     int   // c.buf[c.off:fwd] belongs to the message and may be sent
	left    int64 // BodyLength: bytes of the body not yet read
	chunk   h1.Chunked
}

func (m *httpMsg) reset() {
	m.phase, m.framing, m.scanned, m.fwd, m.left = msgHead, h1.BodyNone, 0, 0, 0
	m.chunk.Reset()
}

// httpTxn is the HTTP state of a stream of a mode http frontend. Owned by
// the stream's reactor; allocated once per stream slot and reused (kept
// aside in stream.hspare while the slot is free or serves mode tcp).
type httpTxn struct {
	rq, rs    httpMsg
	method    h1.Method
	methName  [24]byte // the method as sent, for response rules (truncated)
	methLen   uint8
	minor     uint8 // the request's HTTP/1.minor
	status    int   // response status; 0 before the response head
	nreq      int   // transactions started on this client connection
	cliKeep   bool  // the client connection stays open after this transaction
	srvKeep   bool  // the server connection may be reused after this transaction
	reused    bool  // the request went over a server connection used before
	gotResp   bool  // at least one response byte arrived from the server
	resSent   bool  // at least one response byte was sent to the client
	nuses     int   // transactions the server connection carried before this one
	interim   bool  // the response in flight is a 1xx interim response
	local     bool  // the response is produced by hitless (error page, monitor-uri)
	tarpit    bool  // the local response waits until tarpitEnd (http-request tarpit)
	tarpitEnd int64
	tunnel    bool    // after 101 or a CONNECT: plain forwarding in both directions
	idleSrv   *server // server of s.out while it is idle between transactions
	mode      config.ConnMode
	reqStart  int64 // ms: the first byte of the request head (or the wait start)

	// Rules.
	vars      rules.Vars
	rewrite   bool // a rule changed the head being processed
	newStatus int  // http-response set-status; 0 = unchanged
	newReason string
	cliFD     int // the client socket, for the local address

	// Logs.
	logged      bool           // the transaction was logged
	begun       bool           // a request (head) arrived: the transaction will be logged
	big         []byte         // a local response larger than a buffer (statistics)
	txnStart    int64          // ms: the transaction began (accept, or end of the previous one)
	tHead, tRes int64          // ms: request head complete, final response head received
	lastBe      *backend       // the backend of the transaction
	reqLine     []byte         // copy of the request line, when the log prints it
	dst         netip.AddrPort // the local address, once asked
	dstKnown    bool
	caps        *capStore // captured headers and cookies; nil when the frontend captures none
	uid         []byte    // the unique id, once rendered
	reqID       uint64    // %rt, when the frontend prints it
}

// httpStart begins serving a client connection of a mode http frontend.
func (r *reactor) httpStart(s *stream) {
	if s.h, s.hspare = s.hspare, nil; s.h == nil {
		s.h = new(httpTxn)
	}
	h := s.h
	vars, line, caps, uid := h.vars, h.reqLine[:0], h.caps, h.uid[:0]
	*h = httpTxn{cliFD: s.cli.fd, vars: vars, reqLine: line, caps: caps, uid: uid}
	h.rq.reset()
	h.rs.reset()
	r.httpWait(s)
	r.httpRun(s)
}

// httpWait puts a stream in the state of waiting for a request head.
func (r *reactor) httpWait(s *stream) {
	h := s.h
	r.untrack(s) // the previous transaction's, a local response's included
	s.state = stHTTPWait
	h.rq.reset()
	h.rs.reset()
	h.status, h.local, h.interim, h.gotResp, h.resSent, h.reused, h.tarpit = 0, false, false, false, false, false, false
	h.reqStart = r.now
	h.txnStart = r.now
	h.vars.Reset()
	h.logged, h.begun, h.tHead, h.tRes, h.lastBe = false, false, -1, -1, nil
	h.reqLine, h.uid, h.reqID = h.reqLine[:0], h.uid[:0], 0
	if fe := s.fe; len(fe.reqCaps) > 0 || len(fe.resCaps) > 0 || fe.cookieCap.Name != "" {
		if h.caps == nil {
			h.caps = new(capStore)
		}
		h.caps.prepare(fe)
	} else {
		h.caps = nil // a slot reused by another frontend
	}
	s.lastSrv, s.tSrv, s.tConn, s.bytesIn, s.bytesOut, s.term = nil, -1, -1, 0, 0, [2]byte{}
	r.armStream(s)
}

// httpRun advances an http stream as far as its sockets allow. It is
// called for every event of the stream and after each change of state.
func (r *reactor) httpRun(s *stream) {
	// A pipelined request is served in the same call, a bounded number
	// of times, so that a client cannot keep the reactor in one stream.
	for turn := 0; turn < 8 && s.state != 0; turn++ {
		h := s.h
		switch {
		case h.tunnel:
			r.forwardBoth(s)
			return
		case s.state == stHTTPWait && h.local:
			if !r.httpSendLocal(s) {
				return
			}
		case s.state == stHTTPWait:
			if !r.httpReadRequest(s) {
				return
			}
		case s.state == stEstablished:
			if !r.httpExchange(s) {
				return
			}
		default:
			// Connecting, queued or waiting to retry: the events wait.
			return
		}
	}
}

// httpReadRequest reads the client connection until a request head is
// complete and then starts the transaction. It reports whether the stream
// changed state and must run again.
func (r *reactor) httpReadRequest(s *stream) bool {
	h, c := s.h, &s.req
	for {
		if c.end > c.off {
			n := h1.FindHeadEnd(c.buf[c.off:c.end], h.rq.scanned)
			if n > 0 {
				return r.httpRequest(s, n)
			}
			h.rq.scanned = c.end - c.off
			if c.end-c.off >= r.e.maxHead {
				r.httpFail(s, h1.ErrHeadTooLarge.Status)
				return true
			}
		}
		if s.out.fd >= 0 && s.out.flags&sideCanRead != 0 {
			// The idle server connection spoke or closed: it is no
			// longer reusable.
			r.dropIdleServer(s)
		}
		if s.cli.flags&sideEOF != 0 || s.cli.flags&sideCanRead == 0 {
			if s.cli.flags&sideEOF != 0 {
				// The client left between requests, or in the middle of a
				// head, or before its first request: HAProxy logs the last
				// two as a client abort with status 400.
				r.httpAbortWait(s)
				return false
			}
			if c.end == c.off {
				r.idleChannel(c)
				c.off, c.end = 0, 0
			}
			return false
		}
		if c.buf == nil {
			c.buf = r.bufs.get()
		}
		if c.off > 0 {
			// Keep the head at the start of the buffer: the room after
			// it is what rewriting needs.
			copy(c.buf, c.buf[c.off:c.end])
			c.end -= c.off
			c.off = 0
		}
		room := c.buf[c.end : r.e.maxHead+1]
		n, err := poller.Read(s.cli.fd, room)
		switch {
		case err == unix.EAGAIN:
			s.cli.flags &^= sideCanRead
			continue
		case err == unix.EINTR:
			continue
		case err != nil:
			r.httpAbortWait(s)
			return false
		case n == 0:
			s.cli.flags |= sideEOF
			continue
		}
		if c.end == 0 {
			h.reqStart = r.now
		}
		c.end += n
		s.cli.lastAct = r.now
		s.bytesIn += uint64(n)
		r.ctr[s.fe.ctr].bytesIn.Add(uint64(n))
		if n < len(room) {
			r.shortRead(&s.cli)
		}
	}
}

// httpRequest handles a complete request head of headLen bytes at the
// start of the request buffer: it checks it, applies the frontend's rules,
// chooses a backend and a server, and rewrites the head for the server.
func (r *reactor) httpRequest(s *stream, headLen int) bool {
	h, c, fe := s.h, &s.req, s.fe
	req := &r.hreq
	h.begun = true
	if err := h1.ParseRequest(c.buf[c.off:c.off+headLen], req, r.e.h1lim); err != nil {
		st := 400
		if e, ok := err.(*h1.Error); ok {
			st = e.Status
		}
		r.ctr[fe.ctr].reqErr.Add(1)
		r.httpFail(s, st)
		return true
	}
	h.nreq++
	h.tHead = r.now
	if fe.logFmt != nil && !fe.logAtAccept {
		h.reqLine = append(h.reqLine[:0], req.Line.Bytes(c.buf[c.off:c.off+headLen])...)
	}
	if len(fe.reqCaps) > 0 || fe.cookieCap.Name != "" {
		r.captureRequest(s, req, c.buf[c.off:c.off+headLen])
	}
	if fe.needReqID {
		h.reqID = r.e.reqIDs.Add(1) - 1
	}
	r.ctr[fe.ctr].reqTot.Add(1)
	fe.reqRate.add(r.now)
	h.method, h.minor = req.Method, req.Minor
	h.methLen = uint8(copy(h.methName[:], req.MethodSpan.Bytes(c.buf[c.off:c.off+headLen])))
	h.rq.framing, h.rq.left = req.Body, req.ContentLength
	head := c.buf[c.off : c.off+headLen]

	// Client side persistence: HTTP/1.1 unless "close", HTTP/1.0 only
	// with "keep-alive"; never while stopping.
	if req.Minor >= 1 {
		h.cliKeep = req.Conn&h1.ConnClose == 0
	} else {
		h.cliKeep = req.Conn&h1.ConnKeepAlive != 0
	}
	if r.exiting {
		h.cliKeep = false
	}

	if fe.monitorURI != "" && string(req.Target.Bytes(head)) == fe.monitorURI {
		r.ctr[fe.ctr].intercepted.Add(1)
		r.httpLocal(s, h1.AppendResponse(r.hscratch[:0], 200, "", nil, nil), headLen)
		return true
	}
	if req.Method == h1.MethodCONNECT {
		// No forward proxying: HAProxy answers CONNECT on a reverse
		// proxy only through rules; without them the server would see it.
		r.ctr[fe.ctr].reqErr.Add(1)
		r.httpFail(s, 501)
		return true
	}

	// Rules: the frontend's http-request and redirect rules, then the
	// backend switching, then the backend's own rules.
	t := &r.hsample
	*t = txnSample{s: s, reqHead: head, req: req, r: r, table: fe.table}
	r.resetExtra()
	r.htarget = nil
	h.rewrite = false
	if len(fe.reqRules) > 0 && r.runRequestRules(s, t, fe.reqRules, headLen) != rulesContinue {
		return true
	}
	if len(fe.redirects) > 0 && r.runRequestRules(s, t, fe.redirects, headLen) != rulesContinue {
		return true
	}
	be := fe.backend
	for i := range fe.switching {
		if sw := &fe.switching[i]; sw.cond.Eval(t) {
			be = sw.be
			break
		}
	}
	if be == nil {
		r.ctr[fe.ctr].denied.Add(1)
		r.httpFail(s, 503)
		return true
	}
	if be.cfg != fe.cfg && len(be.reqRules) > 0 {
		t.table = be.table
		out := r.runRequestRules(s, t, be.reqRules, headLen)
		t.table = fe.table
		if out != rulesContinue {
			return true
		}
	}
	if be.stats != nil && isStatsMethod(req.Method) && hasPrefix(req.Target.Bytes(head), be.statsURI) {
		r.httpStats(s, be, req.Target.Bytes(head), headLen)
		return true
	}
	h.mode = max(fe.connMode, be.connMode)
	if h.mode == config.ConnClose {
		h.cliKeep = false
	}

	// Rewrite the head for the server when something must change. The
	// lines added from here on are for the server only.
	r.dropDeletedExtra()
	// option forwardfor / originalto: the frontend's, else the backend's.
	o := &fe.forwardFor
	if !o.Enabled {
		o = &be.forwardFor
	}
	if a := s.client.Addr().Unmap(); o.Enabled && a.IsValid() && !(o.HasExcept && o.Except.Contains(a)) {
		if _, found := req.Header(head, o.Header); !(o.IfNone && found) {
			r.hextra = appendAddrHeader(r.hextra, o.Header, a)
		}
	}
	o = &fe.originalTo
	if !o.Enabled {
		o = &be.originalTo
	}
	if o.Enabled {
		if a := h.localAddr().Addr().Unmap(); a.IsValid() && !(o.HasExcept && o.Except.Contains(a)) {
			r.hextra = appendAddrHeader(r.hextra, o.Header, a)
		}
	}
	if fe.uidHeader != "" && fe.uidFmt != nil {
		h.lastBe = be
		r.hextra = appendHeaderLine(r.hextra, fe.uidHeader, r.uniqueID(s))
	}
	if h.mode != config.ConnKeepAlive && req.Conn&h1.ConnClose == 0 {
		req.DelHeader(head, "connection")
		r.hextra = appendHeaderLine(r.hextra, "connection", []byte("close"))
	}
	// The hash key of the backend, from the request as the rules left it
	// (read before the head is rewritten in place).
	s.key = lb.Key{}
	if be.affinity {
		body := c.buf[c.off+headLen : c.end]
		if req.Body == h1.BodyLength && int64(len(body)) > req.ContentLength {
			body = body[:req.ContentLength]
		}
		s.key = r.httpKey(s, be, t, body)
	}
	r.stickEval(s, be, t)
	if h.rewrite || len(r.hextra) > 0 {
		if !r.rewriteRequest(s, headLen, r.hextra, t.target) {
			r.httpFail(s, 500)
			return true
		}
		headLen = len(r.hscratch)
	}
	h.rq.fwd = c.off + headLen
	h.rq.phase = msgBody
	h.rq.scanned = 0
	if done, err := scanBody(c, &h.rq); err != nil {
		r.ctr[fe.ctr].reqErr.Add(1)
		r.httpFail(s, 400)
		return true
	} else if done {
		h.rq.phase = msgDone
	}
	// The server side is kept only in keep-alive mode, and only if the
	// request does not announce its own close.
	h.srvKeep = h.mode == config.ConnKeepAlive && req.Conn&h1.ConnClose == 0 && req.Minor >= 1

	// Assign the backend (counted until the transaction ends).
	h.lastBe = be
	be.cur.inc()
	be.rate.add(r.now)
	be.lastSess.Store(r.now)
	s.be = be
	r.ctr[be.ctr].sessions.Add(1)
	r.ctr[be.ctr].reqTot.Add(1)
	s.retries = be.retries
	s.attempts = 0
	r.connect(s, nil)
	return true
}

// appendAddrHeader appends "name: addr\r\n".
func appendAddrHeader(dst []byte, name string, a netip.Addr) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':', ' ')
	dst = a.AppendTo(dst)
	return append(dst, '\r', '\n')
}

// appendHeaderLine appends "name: value\r\n".
func appendHeaderLine(dst []byte, name string, value []byte) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	return append(dst, '\r', '\n')
}

// rewriteRequest replaces the request head of headLen bytes at the start
// of the request buffer by the parsed head r.hreq rewritten with extra
// header lines, moving the bytes that follow. The new head is left in
// r.hscratch too (its length is the new head length). It fails when the
// result does not fit in the buffer (HAProxy's maxrewrite).
func (r *reactor) rewriteRequest(s *stream, headLen int, extra, target []byte) bool {
	c := &s.req
	head := c.buf[c.off : c.off+headLen]
	r.hscratch = r.hreq.AppendHead(r.hscratch[:0], head, target, extra)
	return replaceHead(c, headLen, r.hscratch)
}

// replaceHead puts head in place of the headLen bytes at c.off.
func replaceHead(c *channel, headLen int, head []byte) bool {
	rest := c.end - (c.off + headLen)
	if c.off+len(head)+rest > len(c.buf) {
		return false
	}
	copy(c.buf[c.off+len(head):], c.buf[c.off+headLen:c.end])
	copy(c.buf[c.off:], head)
	c.end = c.off + len(head) + rest
	return true
}

// scanBody advances m.fwd over the body bytes buffered in c and reports
// whether the message is complete.
func scanBody(c *channel, m *httpMsg) (bool, error) {
	switch m.framing {
	case h1.BodyNone:
		return true, nil
	case h1.BodyLength:
		n := min(int64(c.end-m.fwd), m.left)
		m.fwd += int(n)
		m.left -= n
		return m.left == 0, nil
	case h1.BodyChunked:
		n, done, err := m.chunk.Scan(c.buf[m.fwd:c.end])
		m.fwd += n
		return done, err
	}
	// Until close, or a tunnel: everything that arrives.
	m.fwd = c.end
	return false, nil
}

// httpExchange runs an established transaction: the request body towards
// the server, the response head and body towards the client. It reports
// whether the stream changed state.
func (r *reactor) httpExchange(s *stream) bool {
	h := s.h
	switch r.pump(s, &s.req, &h.rq, &s.cli, &s.out, true) {
	case pumpClientGone:
		r.closeStream(s)
		return false
	case pumpServerGone:
		return r.httpServerFailed(s)
	case pumpBadBody:
		r.ctr[s.fe.ctr].reqErr.Add(1)
		r.httpFail(s, 400)
		return true
	}
	if h.rs.phase == msgHead {
		again, ok := r.httpReadResponse(s)
		if !ok || again {
			return ok
		}
		if h.rs.phase == msgHead {
			return false
		}
	}
	switch r.pump(s, &s.res, &h.rs, &s.out, &s.cli, false) {
	case pumpClientGone:
		r.countAbort(s, true)
		r.closeStream(s)
		return false
	case pumpServerGone, pumpBadBody:
		// The response is cut: the client sees its connection close.
		r.countAbort(s, false)
		r.closeStream(s)
		return false
	}
	if h.rs.phase != msgDone || s.res.off < h.rs.fwd || s.res.pipeLen > 0 {
		return false
	}
	if h.interim {
		// A 1xx went through: the final response comes next.
		h.interim = false
		h.rs.reset()
		compact(&s.res)
		return true
	}
	if h.tunnel {
		// 101 Switching Protocols: both directions are now opaque.
		s.req.splice, s.res.splice = s.fe.spliceReq, s.fe.spliceRes
		return true
	}
	if h.rq.phase != msgDone || s.req.pipeLen > 0 {
		// The server answered before the end of the request: the rest of
		// the request cannot be told from a next one.
		h.cliKeep, h.srvKeep = false, false
	}
	r.httpEnd(s)
	return true
}

// compact moves the unsent bytes of c to the start of its buffer.
func compact(c *channel) {
	if c.off > 0 {
		copy(c.buf, c.buf[c.off:c.end])
		c.end -= c.off
		c.off = 0
	}
}

// Outcomes of pump.
const (
	pumpOK         = iota
	pumpClientGone // the client connection failed or closed too early
	pumpServerGone // the server connection failed or closed too early
	pumpBadBody    // the body does not follow its framing
)

// pump sends the bytes of message m buffered in c from src to dst and,
// while the message is not complete, reads more from src. Bytes read past
// the end of the message stay in c for the next message.
func (r *reactor) pump(s *stream, c *channel, m *httpMsg, src, dst *side, request bool) int {
	srcGone, dstGone := pumpServerGone, pumpClientGone
	if request {
		srcGone, dstGone = pumpClientGone, pumpServerGone
	}
	if m.phase == msgHead {
		return pumpOK
	}
	for budget := forwardBudget; ; {
		if c.off < m.fwd {
			if dst.flags&sideCanWrite == 0 {
				return pumpOK
			}
			n, err := poller.Write(dst.fd, c.buf[c.off:m.fwd])
			if err != nil {
				if err == unix.EAGAIN {
					dst.flags &^= sideCanWrite
					return pumpOK
				}
				if err == unix.EINTR {
					continue
				}
				return dstGone
			}
			c.off += n
			dst.lastAct = r.now
			r.httpCountBytes(s, uint64(n), request)
			if c.off == c.end {
				c.off, c.end, m.fwd = 0, 0, 0
			}
			continue
		}
		if c.pipeLen > 0 {
			if dst.flags&sideCanWrite == 0 {
				return pumpOK
			}
			n, err := poller.Splice(c.pipe.r, dst.fd, c.pipeLen)
			if err != nil {
				if err == unix.EAGAIN {
					dst.flags &^= sideCanWrite
					return pumpOK
				}
				if err == unix.EINTR {
					continue
				}
				return dstGone
			}
			c.pipeLen -= int(n)
			dst.lastAct = r.now
			r.httpCountBytes(s, uint64(n), request)
			continue
		}
		if m.phase == msgDone {
			if c.off == c.end {
				r.idleChannel(c)
			}
			return pumpOK
		}
		if src.flags&sideEOF != 0 {
			if m.framing == h1.BodyUntilClose {
				m.phase = msgDone
				continue
			}
			return srcGone
		}
		if budget <= 0 {
			r.requeue(s)
			return pumpOK
		}
		if src.flags&sideCanRead == 0 {
			if c.off == c.end {
				r.idleChannel(c)
				c.off, c.end, m.fwd = 0, 0, 0
			}
			return pumpOK
		}
		if r.spliceBody(s, c, m, request) {
			n, err := poller.Splice(src.fd, c.pipe.w, int(min(int64(r.pipeSize), m.left)))
			switch {
			case err == unix.EAGAIN:
				// The pipe is empty, so EAGAIN means the socket is.
				src.flags &^= sideCanRead
				continue
			case err == unix.EINTR:
				continue
			case err != nil:
				return srcGone
			case n == 0:
				src.flags |= sideEOF
				src.lastAct = r.now
				continue
			}
			c.pipeLen = int(n)
			m.left -= int64(n)
			budget -= int(n)
			src.lastAct = r.now
			if request {
				s.bytesIn += uint64(n)
				r.ctr[s.fe.ctr].bytesIn.Add(uint64(n))
			}
			r.ctr[s.fe.ctr].spliced.Add(uint64(n))
			if m.left == 0 {
				m.phase = msgDone
			}
			continue
		}
		if c.buf == nil {
			c.buf = r.bufs.get()
		}
		if c.end == len(c.buf) {
			// Everything buffered was sent (c.off == m.fwd == c.end
			// would have reset the buffer), so only a message end
			// mid-buffer leaves no room: nothing more to read now.
			return pumpOK
		}
		n, err := poller.Read(src.fd, c.buf[c.end:])
		switch {
		case err == unix.EAGAIN:
			src.flags &^= sideCanRead
			continue
		case err == unix.EINTR:
			continue
		case err != nil:
			return srcGone
		case n == 0:
			src.flags |= sideEOF
			src.lastAct = r.now
			continue
		}
		if n < len(c.buf)-c.end {
			r.shortRead(src)
		}
		c.end += n
		budget -= n
		src.lastAct = r.now
		if request {
			s.bytesIn += uint64(n)
			r.ctr[s.fe.ctr].bytesIn.Add(uint64(n))
		}
		done, err := scanBody(c, m)
		if err != nil {
			return pumpBadBody
		}
		if done {
			m.phase = msgDone
		}
	}
}

// spliceMinBody is the smallest rest of a Content-Length body that is
// spliced rather than copied: below it, the pipe's two system calls cost
// more than the copy they save.
const spliceMinBody = 32 << 10

// spliceBody reports whether the next read of message m goes through a
// pipe, taking one if needed: only the rest of a Content-Length body,
// large enough, with nothing of the message left in the buffer, under
// the proxy's splice policy. The splice reads exactly what is left of
// the body, never a byte of the next message.
func (r *reactor) spliceBody(s *stream, c *channel, m *httpMsg, request bool) bool {
	if m.framing != h1.BodyLength || m.left < spliceMinBody || c.off != c.end {
		return false
	}
	policy := s.fe.spliceRes
	if request {
		policy = s.fe.spliceReq
	}
	if policy == spliceNever {
		return false
	}
	if c.pipe.r < 0 {
		p, ok := r.pipes.get()
		if !ok {
			return false // no pipe left: copy
		}
		c.pipe = p
	}
	if c.buf != nil {
		r.bufs.put(c.buf)
		c.buf = nil
		c.off, c.end, m.fwd = 0, 0, 0
	}
	return true
}

// httpCountBytes counts n bytes sent to the server (request) or to the
// client (response). The frontend's request bytes are counted as they are
// read, since a request may never reach a server.
func (r *reactor) httpCountBytes(s *stream, n uint64, request bool) {
	if request {
		if s.be != nil {
			r.ctr[s.be.ctr].bytesIn.Add(n)
		}
		if s.srv != nil {
			r.ctr[s.srv.ctr].bytesIn.Add(n)
		}
		return
	}
	s.h.resSent = true
	s.bytesOut += n
	r.ctr[s.fe.ctr].bytesOut.Add(n)
	if s.be != nil {
		r.ctr[s.be.ctr].bytesOut.Add(n)
	}
	if s.srv != nil {
		r.ctr[s.srv.ctr].bytesOut.Add(n)
	}
}

// httpReadResponse reads the server connection until the response head
// is complete and prepares it for the client. again: the stream changed
// state; ok=false: the stream was closed.
func (r *reactor) httpReadResponse(s *stream) (again, ok bool) {
	h, c := s.h, &s.res
	for {
		if c.end > c.off {
			n := h1.FindHeadEnd(c.buf[c.off:c.end], h.rs.scanned)
			if n > 0 {
				return r.httpResponse(s, n)
			}
			h.rs.scanned = c.end - c.off
			if c.end-c.off >= r.e.maxHead {
				r.ctr[s.be.ctr].respErr.Add(1)
				r.ctr[s.srv.ctr].respErr.Add(1)
				r.httpFail(s, 502)
				return true, true
			}
		}
		if s.out.flags&sideEOF != 0 {
			return r.httpServerFailed(s), true
		}
		if s.out.flags&sideCanRead == 0 {
			return false, true
		}
		if c.buf == nil {
			c.buf = r.bufs.get()
		}
		compact(c)
		room := c.buf[c.end : r.e.maxHead+1]
		n, err := poller.Read(s.out.fd, room)
		switch {
		case err == unix.EAGAIN:
			s.out.flags &^= sideCanRead
			continue
		case err == unix.EINTR:
			continue
		case err != nil:
			return r.httpServerFailed(s), true
		case n == 0:
			s.out.flags |= sideEOF
			continue
		}
		h.gotResp = true
		c.end += n
		s.out.lastAct = r.now
		if n < len(room) {
			r.shortRead(&s.out)
		}
	}
}

// httpResponse handles a complete response head of headLen bytes.
func (r *reactor) httpResponse(s *stream, headLen int) (again, ok bool) {
	h, c := s.h, &s.res
	res := &r.hres
	head := c.buf[c.off : c.off+headLen]
	if err := h1.ParseResponse(head, res, h.method, r.e.h1lim); err != nil {
		r.ctr[s.be.ctr].respErr.Add(1)
		r.ctr[s.srv.ctr].respErr.Add(1)
		r.httpFail(s, 502)
		return true, true
	}
	h.status = res.Status
	h.tRes = r.now
	h.rs.framing, h.rs.left = res.Body, res.ContentLength
	h.interim = res.Status < 200 && res.Status != 101
	if !h.interim {
		if res.Minor >= 1 {
			h.srvKeep = h.srvKeep && res.Conn&h1.ConnClose == 0
		} else {
			h.srvKeep = h.srvKeep && res.Conn&h1.ConnKeepAlive != 0
		}
		switch res.Body {
		case h1.BodyUntilClose:
			h.srvKeep, h.cliKeep = false, false
		case h1.BodyTunnel:
			h.srvKeep, h.cliKeep = false, false
			h.tunnel = true
		}
		r.countStatus(s, res.Status)
		if res.Status/100 == 4 {
			r.trackErr(s)
		}
		if len(s.fe.resCaps) > 0 || s.fe.cookieCap.Name != "" {
			r.captureResponse(s, res, head)
		}
	}
	r.resetExtra()
	h.rewrite, h.newStatus = false, 0
	if !h.interim && (len(s.be.resRules) > 0 || len(s.fe.resRules) > 0) {
		// The request head is gone from its buffer: response rules see
		// the response, the request's method and the transaction's
		// variables. HAProxy refuses or warns about the other request
		// fetches there.
		t := &r.hsample
		*t = txnSample{s: s, reqHead: nil, req: &r.hreqEmpty, resHead: head, res: res, r: r, table: s.be.table}
		out := r.runResponseRules(s, t, s.be.resRules)
		if out == rulesContinue && s.fe.cfg != s.be.cfg {
			t.table = s.fe.table
			out = r.runResponseRules(s, t, s.fe.resRules)
		}
		if out != rulesContinue {
			// http-response deny: HAProxy's 502.
			r.httpFail(s, 502)
			return true, true
		}
		r.dropDeletedExtra()
	}
	// Tell the client what happens to its connection: "close" when it
	// ends here, "keep-alive" to an HTTP/1.0 client that keeps it; a
	// server's "close" is about the server connection only.
	switch {
	case h.interim || h.tunnel:
	case !h.cliKeep && res.Conn&h1.ConnClose == 0:
		res.DelHeader(head, "connection")
		r.hextra = appendHeaderLine(r.hextra, "connection", []byte("close"))
		h.rewrite = true
	case h.cliKeep && h.minor == 0 && res.Conn&h1.ConnKeepAlive == 0:
		res.DelHeader(head, "connection")
		r.hextra = appendHeaderLine(r.hextra, "connection", []byte("keep-alive"))
		h.rewrite = true
	case h.cliKeep && res.Conn&h1.ConnClose != 0:
		res.DelHeader(head, "connection")
		h.rewrite = true
	}
	if h.newStatus != 0 {
		res.Status = h.newStatus
		res.Reason = h1.Span{}
	}
	if h.rewrite {
		r.hscratch = res.AppendHead(r.hscratch[:0], head, r.hextra)
		if h.newStatus != 0 {
			// "HTTP/1.x NNN " then the new reason phrase.
			reason := h.newReason
			if reason == "" {
				reason = h1.StatusText(h.newStatus)
			}
			n := len(r.hscratch)
			r.hscratch = append(r.hscratch, reason...)
			copy(r.hscratch[13+len(reason):], r.hscratch[13:n])
			copy(r.hscratch[13:], reason)
		}
		if !replaceHead(c, headLen, r.hscratch) {
			r.httpFail(s, 502)
			return true, true
		}
		headLen = len(r.hscratch)
	}
	h.rs.fwd = c.off + headLen
	h.rs.phase = msgBody
	h.rs.scanned = 0
	if h.interim {
		h.rs.framing = h1.BodyNone
	}
	done, err := scanBody(c, &h.rs)
	if err != nil {
		r.httpFail(s, 502)
		return true, true
	}
	if done {
		h.rs.phase = msgDone
	}
	if s.fe.logASAP && !h.interim {
		r.httpLogLine(s, true)
	}
	return false, true
}

// countStatus counts a final response status for the frontend, the
// backend and the server (hrsp_Nxx).
func (r *reactor) countStatus(s *stream, status int) {
	i := status/100 - 1
	if i < 0 || i > 4 {
		i = 5
	}
	r.ctr[s.fe.ctr].hrsp[i].Add(1)
	if s.be != nil {
		r.ctr[s.be.ctr].hrsp[i].Add(1)
	}
	if s.srv != nil {
		r.ctr[s.srv.ctr].hrsp[i].Add(1)
	}
}

// httpServerFailed handles a server connection that failed or closed
// before a complete response head. A reused connection that the server
// closed before answering is the race every keep-alive client knows:
// like HAProxy, the client connection is closed without a response so
// that the client retries. Otherwise the client gets a 502.
func (r *reactor) httpServerFailed(s *stream) bool {
	h := s.h
	r.ctr[s.be.ctr].respErr.Add(1)
	if s.srv != nil {
		r.ctr[s.srv.ctr].respErr.Add(1)
	}
	if h.reused && !h.gotResp && h.nreq > 1 {
		r.closeStream(s)
		return false
	}
	if h.resSent {
		// Part of a response already went out.
		r.closeStream(s)
		return false
	}
	r.httpFail(s, 502)
	return true
}

// httpEnd finishes a transaction once the response was sent: the server
// connection is kept (or closed), the server slot released, and the
// stream waits for the next request or closes.
func (r *reactor) httpEnd(s *stream) {
	h := s.h
	srv := s.srv
	r.httpLog(s)
	r.untrack(s)
	if s.out.fd >= 0 {
		// max-reuse: a connection that carried 1+N transactions has been
		// reused N times.
		reusable := srv != nil && (srv.maxReuse < 0 || h.nuses+1 <= srv.maxReuse)
		if h.srvKeep && reusable && s.res.end == s.res.off && !r.exiting && r.quiet(&s.out) {
			h.idleSrv = srv
			h.nuses++
		} else {
			r.closeSide(&s.out)
			h.idleSrv = nil
		}
	}
	if r.exiting {
		h.cliKeep = false
	}
	r.releaseServer(s)
	if s.be != nil {
		s.be.cur.dec()
		s.be = nil
	}
	if !h.cliKeep {
		r.closeStream(s)
		return
	}
	r.dropChannel(&s.res)
	r.httpWait(s)
}

// dropIdleServer closes the idle server connection a stream keeps.
func (r *reactor) dropIdleServer(s *stream) {
	r.closeSide(&s.out)
	s.h.idleSrv = nil
}

// httpFail answers the client with HAProxy's error page for status and
// closes the connection once it is sent. The server side is closed now.
func (r *reactor) httpFail(s *stream, status int) {
	h := s.h
	switch status {
	case 408:
		s.setTerm('c', 'R')
	case 502:
		s.setTerm('S', 'H')
	case 503:
		s.setTerm('S', 'C')
	case 504:
		s.setTerm('s', 'H')
	default:
		s.setTerm('P', 'R')
	}
	if h.status == 0 || !h.gotResp {
		h.status = status
		r.countStatus(s, status)
	}
	h.cliKeep = false
	if h.resSent {
		// Part of a response already went out: an error page cannot follow.
		r.closeStream(s)
		return
	}
	r.httpLocal(s, r.errorPage(s, status), -1)
}

// httpLocal makes the stream send resp (copied) to the client and then
// either wait for the next request or close. consumed is the length of
// the request head answered (its body, if any, is not read, so the
// connection closes), or -1 to close after sending.
func (r *reactor) httpLocal(s *stream, resp []byte, consumed int) {
	h := s.h
	c := &s.res
	r.wheel.disarm(&s.tm)
	if s.state == stQueued {
		s.waitQueue().Remove(&s.qe)
	}
	if s.out.fd >= 0 && s.state != stHTTPWait {
		r.closeSide(&s.out)
		h.idleSrv = nil
	}
	r.releaseServer(s)
	if s.be != nil {
		s.be.cur.dec()
		s.be = nil
	}
	if c.buf == nil {
		c.buf = r.bufs.get()
	}
	if len(resp) > len(c.buf) {
		// A statistics page: larger than a buffer, sent from its own
		// slice, released once sent.
		h.big = append(h.big[:0], resp...)
		c.off, c.end = 0, len(resp)
	} else {
		c.off, c.end = 0, copy(c.buf, resp)
	}
	if h.status == 0 && len(resp) > 12 {
		h.status = int(resp[9]-'0')*100 + int(resp[10]-'0')*10 + int(resp[11]-'0')
		r.countStatus(s, h.status)
	}
	if consumed >= 0 && h.rq.framing == h1.BodyNone && h.cliKeep {
		// The request is fully consumed: keep the rest (a pipelined
		// request) for the next turn.
		s.req.off += consumed
	} else {
		h.cliKeep = false
		s.req.off = s.req.end
	}
	h.local = true
	s.state = stHTTPWait
	s.cli.lastAct = r.now
	r.armStream(s)
}

// httpSendLocal writes a local response; it reports whether the stream
// changed state.
func (r *reactor) httpSendLocal(s *stream) bool {
	h, c := s.h, &s.res
	if h.tarpit {
		return false // httpTimeout sends it
	}
	src := c.buf
	if h.big != nil {
		src = h.big
	}
	for c.off < c.end {
		if s.cli.flags&sideCanWrite == 0 {
			return false
		}
		n, err := poller.Write(s.cli.fd, src[c.off:c.end])
		if err != nil {
			if err == unix.EAGAIN {
				s.cli.flags &^= sideCanWrite
				return false
			}
			if err == unix.EINTR {
				continue
			}
			r.closeStream(s)
			return false
		}
		c.off += n
		s.cli.lastAct = r.now
		s.bytesOut += uint64(n)
		r.ctr[s.fe.ctr].bytesOut.Add(uint64(n))
	}
	r.dropChannel(c)
	h.big = nil
	r.httpLog(s)
	h.local = false
	if !h.cliKeep {
		r.httpClose(s)
		return false
	}
	r.httpWait(s)
	return true
}

// httpClose closes a client connection after its last response: a
// shutdown first, so that bytes of the client still unread do not turn the
// close into a reset that could destroy the response in flight.
func (r *reactor) httpClose(s *stream) {
	if s.cli.fd >= 0 && s.cli.flags&sideShutW == 0 {
		unix.Shutdown(s.cli.fd, unix.SHUT_WR)
		s.cli.flags |= sideShutW
	}
	r.closeStream(s)
}

// logsWait reports whether a stream that failed while waiting for a
// request head is logged, as HAProxy does: when part of a head arrived,
// or when it was the connection's first request, unless "option
// dontlognull".
func (r *reactor) logsWait(s *stream) bool {
	if s.req.end > s.req.off {
		return true
	}
	return s.h.nreq == 0 && !s.fe.dontLogNull
}

// httpAbortWait closes a stream whose client left or failed while a
// request head was awaited, logging it as HAProxy does.
func (r *reactor) httpAbortWait(s *stream) {
	if r.logsWait(s) {
		s.h.begun, s.h.status = true, 400
		s.setTerm('C', 'R')
	}
	r.closeStream(s)
}

// httpTimeout handles the expiry of a mode http stream's deadline in a
// state where the tcp rules do not apply.
func (r *reactor) httpTimeout(s *stream) {
	h := s.h
	switch {
	case s.state == stHTTPWait && h.local && h.tarpit:
		h.tarpit = false
		r.httpRun(s)
	case s.state == stHTTPWait && !h.local:
		if s.req.end > s.req.off || h.nreq == 0 {
			// HAProxy's 408: the head did not arrive in time.
			h.begun = r.logsWait(s)
			r.ctr[s.fe.ctr].reqErr.Add(1)
			r.httpFail(s, 408)
			r.httpRun(s)
			return
		}
		r.closeStream(s) // keep-alive timeout between requests
	case s.state == stEstablished && h.rs.phase == msgHead && h.rq.phase == msgDone && !h.gotResp:
		// The server did not answer in time: 504.
		r.ctr[s.be.ctr].srvAbort.Add(1)
		if s.srv != nil {
			r.ctr[s.srv.ctr].srvAbort.Add(1)
		}
		r.httpFail(s, 504)
		r.httpRun(s)
	default:
		r.expireStream(s)
	}
}

// httpDeadline is deadline for the states only mode http has.
func (r *reactor) httpDeadline(s *stream) int64 {
	h := s.h
	ft := &s.fe.timeouts
	if h.tarpit {
		return h.tarpitEnd
	}
	if h.local {
		if ft.client > 0 {
			return s.cli.lastAct + ft.client
		}
		return 0
	}
	// Waiting for a request: timeout http-keep-alive between requests
	// (until the first byte), then timeout http-request for the head,
	// each falling back to the next one as in HAProxy, then to timeout
	// client.
	to := s.fe.reqTO
	if s.req.end == s.req.off && h.nreq > 0 && s.fe.kaTO > 0 {
		to = s.fe.kaTO
	}
	if to == 0 {
		to = ft.client
	}
	if to == 0 {
		return 0
	}
	return h.reqStart + to
}

// quiet reports whether a server connection has nothing more to say
// after a response: no unread byte, no end of stream. Unless the last
// read already met EAGAIN (or was short), it checks with one read.
func (r *reactor) quiet(sd *side) bool {
	if sd.flags&(sideEOF|sideRdHup) != 0 {
		return false
	}
	if sd.flags&sideCanRead == 0 {
		return true
	}
	var b [1]byte
	_, err := poller.Read(sd.fd, b[:])
	if err == unix.EAGAIN {
		sd.flags &^= sideCanRead
		return true
	}
	return false
}

// requeue gives a stream that spent its forwarding budget another turn.
func (r *reactor) requeue(s *stream) {
	if !s.inActive {
		s.inActive = true
		r.active = append(r.active, uint64(s.idx)|uint64(s.gen)<<32)
	}
}

// httpReuse sends the request of s over an existing connection to srv if
// one may carry it: the stream's own idle connection, else one from the
// reactor's pool (http-reuse). s holds a slot of srv. A retry after a
// failed attempt always opens a new connection.
func (r *reactor) httpReuse(s *stream, srv *server) bool {
	h := s.h
	if s.out.fd >= 0 && h.idleSrv != nil {
		if h.idleSrv == srv && s.attempts == 0 && r.quiet(&s.out) {
			h.idleSrv = nil
			s.out.flags |= sideCanWrite
			return r.httpReused(s)
		}
		if h.idleSrv == srv || !r.quiet(&s.out) {
			r.dropIdleServer(s)
		} else {
			r.poolPut(s)
		}
	}
	h.nuses = 0
	if s.attempts > 0 || !r.poolTake(s, srv) {
		return false
	}
	return r.httpReused(s)
}

// httpReused starts the exchange over a reused server connection.
func (r *reactor) httpReused(s *stream) bool {
	s.h.reused = true
	s.attempts++
	s.out.lastAct = r.now
	r.ctr[s.srv.ctr].reuse.Add(1)
	r.established(s)
	return true
}

// httpKey is the hash key of a request for a hash-balanced backend,
// read through t: the target and headers as the http-request rules left
// them. body is the part of the request body already received: "balance
// url_param" looks there for the parameter of a POST request whose query
// string lacks it, as HAProxy 2.6 does.
func (r *reactor) httpKey(s *stream, be *backend, t *txnSample, body []byte) lb.Key {
	k := be.keyer
	switch k.Input {
	case lb.KeySource:
		a := s.client.Addr().Unmap()
		if a.Is4() {
			b := a.As4()
			return k.Source(b[:])
		}
		b := a.As16()
		return k.Source(b[:])
	case lb.KeyURI:
		return k.URI(t.URL())
	case lb.KeyURLParam:
		key := k.URLParam(t.URL())
		if !key.Valid && s.h.method == h1.MethodPOST && len(body) > 0 {
			key = k.URLParamBody(body)
		}
		return key
	case lb.KeyHeader:
		for i, n := 0, t.NumHeaders(false); i < n; i++ {
			if name, value, ok := t.HeaderAt(false, i); ok && asciiEqualFold(name, k.Name) {
				return k.Header(value)
			}
		}
	}
	return lb.Key{}
}

// errorPage is the response for an error status: the backend's
// "errorfile", else the frontend's, else HAProxy's built-in page.
func (r *reactor) errorPage(s *stream, status int) []byte {
	if be := s.h.lastBe; be != nil {
		if p, ok := be.cfg.HTTP.ErrorFiles[status]; ok {
			return p
		}
	}
	if p, ok := s.fe.cfg.HTTP.ErrorFiles[status]; ok {
		return p
	}
	return h1.ErrorPage(status)
}
