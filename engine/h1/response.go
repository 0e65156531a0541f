package h1

// ParseResponse parses the complete response head at the start of buf
// into res, which it overwrites; the spans of res refer to buf. reqMethod
// is the method of the request it answers: HEAD responses have no body,
// 2xx responses to CONNECT are tunnels. Errors are as for [ParseRequest]
// with status 502 ([Error.ForResponse] of the request errors, and
// [ErrStatusLine], [ErrStatus]). A 1xx response other than 101 is interim:
// parse the next head after HeadLen bytes. It never allocates.
func ParseResponse(buf []byte, res *Response, reqMethod Method, lim Limits) error {
	if c := parseResponse(buf, res, reqMethod, lim); c != cOK {
		if c == cIncomplete {
			return ErrIncomplete
		}
		return &resErrs[c]
	}
	return nil
}

func parseResponse(buf []byte, res *Response, reqMethod Method, lim Limits) code {
	maxHead := lim.maxHead()
	limit, full := len(buf), len(buf) >= maxHead
	if full {
		limit = maxHead
	}
	res.Minor, res.Status, res.Reason, res.Line = 0, 0, Span{}, Span{}
	res.HeadLen, res.NumHeaders = 0, 0
	res.Body, res.ContentLength, res.Conn = BodyNone, 0, 0
	p := skipEmptyLines(buf, limit)
	nl := lineEnd(buf, p, limit)
	if nl < 0 {
		if full {
			return cLineTooLong
		}
		return cIncomplete
	}
	if c := parseStatusLine(buf, p, contentEnd(buf, p, nl), res); c != cOK {
		return c
	}
	n, end, c := parseFields(buf, nl+1, limit, full, &res.Headers)
	res.NumHeaders = n
	if c != cOK {
		return c
	}
	res.HeadLen = end
	return responseSemantics(buf, res, reqMethod)
}

// parseStatusLine parses buf[p:e]: HTTP-version SP 3DIGIT [SP reason].
// The reason and the SP before it may be missing, as many servers send
// "HTTP/1.1 200" alone.
func parseStatusLine(buf []byte, p, e int, res *Response) code {
	res.Line = span(p, e)
	if e-p < 12 || buf[p+8] != ' ' {
		return cStatusLine
	}
	minor, ok := parseVersion(buf[p : p+8])
	if !ok {
		return cVersion
	}
	res.Minor = minor
	s := 0
	for _, c := range buf[p+9 : p+12] {
		if c < '0' || c > '9' {
			return cStatus
		}
		s = s*10 + int(c-'0')
	}
	if s < 100 || s > 599 {
		return cStatus
	}
	res.Status = s
	if e == p+12 {
		res.Reason = span(e, e)
		return cOK
	}
	if buf[p+12] != ' ' {
		return cStatus
	}
	for i := p + 13; i < e; i++ {
		if charClass[buf[i]]&isValue == 0 {
			if buf[i] == '\r' {
				return cBareCR
			}
			return cStatusLine
		}
	}
	res.Reason = span(p+13, e)
	return cOK
}

// responseSemantics checks the framing fields and decides how the body
// ends (RFC 9112 section 6.3).
func responseSemantics(buf []byte, res *Response, reqMethod Method) code {
	var f framingFields
	for i := 0; i < res.NumHeaders; i++ {
		h := &res.Headers[i]
		if c := f.add(h.Name.Bytes(buf), h.Value.Bytes(buf)); c != cOK {
			return c
		}
	}
	res.Conn = f.conn
	if c := f.check(res.Minor); c != cOK {
		return c
	}
	te, cl, hasCL := f.te, f.cl, f.hasCL
	res.ContentLength = cl
	st := res.Status
	switch {
	case st == 101 || reqMethod == MethodCONNECT && st >= 200 && st < 300:
		res.Body = BodyTunnel
	case reqMethod == MethodHEAD || st < 200 || st == 204 || st == 304:
		res.Body = BodyNone
	case te.present && te.last:
		res.Body = BodyChunked
	case te.present:
		res.Body = BodyUntilClose
	case hasCL && cl > 0:
		res.Body = BodyLength
	case hasCL:
		res.Body = BodyNone
	default:
		res.Body = BodyUntilClose
	}
	return cOK
}

// Header returns the value of the first header named name
// (case-insensitive). Headers marked Del are still found. It never
// allocates.
func (r *Response) Header(buf []byte, name string) (Span, bool) {
	if i := headerIndex(buf, r.Headers[:r.NumHeaders], name); i >= 0 {
		return r.Headers[i].Value, true
	}
	return Span{}, false
}

// AppendHead appends the response head to dst and returns it:
// "HTTP/1.Minor SP status SP reason CRLF", the headers not marked Del as
// "Name: Value" CRLF in order, then extra (already formatted lines, may be
// nil), then CRLF. buf is the buffer res was parsed from. It allocates
// only if dst grows.
func (r *Response) AppendHead(dst, buf, extra []byte) []byte {
	s := r.Status
	dst = append(dst, "HTTP/1."...)
	dst = append(dst, '0'+r.Minor, ' ', byte('0'+s/100), byte('0'+s/10%10), byte('0'+s%10), ' ')
	dst = append(dst, r.Reason.Bytes(buf)...)
	dst = append(dst, '\r', '\n')
	return appendFields(dst, buf, r.Headers[:r.NumHeaders], extra)
}

// DelHeader marks every header named name (case-insensitive) deleted, so
// that AppendHead leaves it out. It does not allocate.
func (r *Response) DelHeader(buf []byte, name string) {
	delHeaders(buf, r.Headers[:r.NumHeaders], name)
}
