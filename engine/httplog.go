package engine

import (
	"hitless/engine/config"
	"hitless/engine/h1"
	"hitless/engine/logs"
)

// What mode http keeps of a transaction for its log line and for the
// server: "capture request|response header", "capture cookie" and the
// "unique-id-format" identifier. Captured values are copied into buffers
// the stream slot keeps across transactions (sized once by the
// configured lengths), so capturing allocates nothing once a slot served
// its first request.

// capStore holds the captures of a transaction: one buffer per
// configured capture and the views the log prints (nil: not seen).
type capStore struct {
	bufs              [][]byte // backing arrays: request captures, response captures, then the two cookies
	req, res          [][]byte // views into bufs; nil element = header not seen
	cookieReq, cookie []byte   // %CC and %CS; nil = not seen
}

// prepare sizes the store for frontend fe and forgets the previous
// transaction's values.
func (c *capStore) prepare(fe *frontend) {
	nreq, nres := len(fe.reqCaps), len(fe.resCaps)
	if n := nreq + nres + 2; len(c.bufs) < n {
		c.bufs = append(c.bufs, make([][]byte, n-len(c.bufs))...)
	}
	if cap(c.req) < nreq {
		c.req = make([][]byte, nreq)
	}
	if cap(c.res) < nres {
		c.res = make([][]byte, nres)
	}
	c.req, c.res = c.req[:nreq], c.res[:nres]
	clear(c.req)
	clear(c.res)
	c.cookieReq, c.cookie = nil, nil
}

// keep copies at most max bytes of v into buffer i and returns the copy.
func (c *capStore) keep(i int, v []byte, max int) []byte {
	v = v[:min(len(v), max)]
	c.bufs[i] = append(c.bufs[i][:0], v...)
	return c.bufs[i]
}

// captureHeaders records the headers named by caps: as in HAProxy, when
// a header appears several times, the last one is kept. base is the index
// of the first buffer of this list in the store.
func (c *capStore) captureHeaders(out [][]byte, caps []config.Capture, base int, hdrs []h1.Header, head []byte) {
	for i := range hdrs {
		name := hdrs[i].Name.Bytes(head)
		for j := range caps {
			if asciiEqualFold(name, caps[j].Name) {
				out[j] = c.keep(base+j, hdrs[i].Value.Bytes(head), caps[j].Len)
			}
		}
	}
}

// captureRequest takes the request's captures; run on the head as the
// client sent it, before any rule changes it.
func (r *reactor) captureRequest(s *stream, req *h1.Request, head []byte) {
	fe, c := s.fe, s.h.caps
	hdrs := req.Headers[:req.NumHeaders]
	c.captureHeaders(c.req, fe.reqCaps, 0, hdrs, head)
	if cc := &fe.cookieCap; cc.Name != "" {
		// The first cookie whose name starts with the configured name,
		// "name=value" as sent.
		for i := range hdrs {
			if !asciiEqualFold(hdrs[i].Name.Bytes(head), "cookie") {
				continue
			}
			if v := findCookie(hdrs[i].Value.Bytes(head), cc.Name); v != nil {
				c.cookieReq = c.keep(len(c.bufs)-2, v, cc.Len)
				break
			}
		}
	}
}

// captureResponse takes the response's captures.
func (r *reactor) captureResponse(s *stream, res *h1.Response, head []byte) {
	fe, c := s.fe, s.h.caps
	hdrs := res.Headers[:res.NumHeaders]
	c.captureHeaders(c.res, fe.resCaps, len(fe.reqCaps), hdrs, head)
	if cc := &fe.cookieCap; cc.Name != "" {
		for i := range hdrs {
			if !asciiEqualFold(hdrs[i].Name.Bytes(head), "set-cookie") {
				continue
			}
			v := hdrs[i].Value.Bytes(head)
			if hasPrefix(v, cc.Name) {
				c.cookie = c.keep(len(c.bufs)-1, cutAt(v, ';'), cc.Len)
				break
			}
		}
	}
}

// findCookie returns the first "name=value" pair of a Cookie header value
// whose name starts with prefix, or nil.
func findCookie(v []byte, prefix string) []byte {
	for len(v) > 0 {
		for len(v) > 0 && (v[0] == ' ' || v[0] == '\t' || v[0] == ';') {
			v = v[1:]
		}
		pair := cutAt(v, ';')
		v = v[len(pair):]
		if len(pair) > 0 && hasPrefix(pair, prefix) {
			for len(pair) > 0 && (pair[len(pair)-1] == ' ' || pair[len(pair)-1] == '\t') {
				pair = pair[:len(pair)-1]
			}
			return pair
		}
	}
	return nil
}

// cutAt returns b up to the first c (all of b when there is none).
func cutAt(b []byte, c byte) []byte {
	for i, x := range b {
		if x == c {
			return b[:i]
		}
	}
	return b
}

// asciiEqualFold reports whether b and s are equal ignoring ASCII case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if lowerASCII(b[i]) != lowerASCII(s[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// uniqueID returns the transaction's "unique-id-format" identifier,
// rendering it the first time it is needed (when the request goes to a
// server with "unique-id-header", or when the log prints %ID). Empty
// when the frontend has no format.
func (r *reactor) uniqueID(s *stream) []byte {
	h, fe := s.h, s.fe
	if fe.uidFmt == nil || len(h.uid) > 0 {
		return h.uid
	}
	fl := &r.uidF
	*fl = logs.Fields{Status: -1, TR: -1, Tw: -1, Tc: -1, Tr: -1, Ta: -1, Tt: -1, Ti: -1, Tq: -1, Td: -1}
	fl.Accept = r.e.wallTime(h.txnStart)
	fl.Request = r.e.wallTime(h.reqStart)
	fl.ClientAddr = s.client
	fl.FrontAddr = h.localAddr()
	fl.Frontend, fl.Backend, fl.Server = fe.name, fe.name, "<NOSRV>"
	if h.lastBe != nil {
		fl.Backend = h.lastBe.name
	}
	fl.Pid = r.e.pid
	fl.ConnID = h.reqID
	if len(h.reqLine) > 0 {
		fl.ReqLine = h.reqLine
	}
	h.uid = fe.uidFmt.Append(h.uid[:0], fl)
	return h.uid
}

// setLogOptions copies a frontend's capture, unique-id and logging
// options from its configuration.
func (fe *frontend) setLogOptions(p *config.Proxy) error {
	fe.reqCaps, fe.resCaps, fe.cookieCap = p.HTTP.ReqCaptures, p.HTTP.ResCaptures, p.HTTP.CookieCapture
	fe.uidHeader = p.HTTP.UniqueIDHeader
	fe.dontLogNull, fe.logASAP = p.Options["dontlognull"], p.Options["logasap"]
	if f := p.HTTP.UniqueIDFormat; f != "" {
		uf, err := logs.Compile(f)
		if err != nil {
			return err
		}
		fe.uidFmt = uf
		fe.needReqID = uf.Uses("rt")
	}
	return nil
}
