package h1

import "bytes"

// Pseudo-codes of the head parsers besides the error codes.
const (
	cOK         code = 255
	cIncomplete code = 254
)

// FindHeadEnd returns the length of the head at the start of buf (through
// its empty line), or -1 if it is not complete. from is how many bytes a
// previous call already searched (the caller keeps it, e.g. len(buf) after
// a -1), so trickled input is not rescanned. Accepts CRLF and bare-LF line
// ends. Empty lines before the start line are part of the head (RFC 9112
// section 2.2), so they never end it. It does not allocate and applies no
// limit: when it returns -1 for MaxHead bytes or more, the head is too
// large (see [HeadTooLarge]).
func FindHeadEnd(buf []byte, from int) int {
	start := skipEmptyLines(buf, len(buf))
	i := max(from, start)
	for i < len(buf) {
		j := bytes.IndexByte(buf[i:], '\n')
		if j < 0 {
			return -1
		}
		k := i + j
		if k > start && (buf[k-1] == '\n' || buf[k-1] == '\r' && k-2 >= start && buf[k-2] == '\n') {
			return k + 1
		}
		i = k + 1
	}
	return -1
}

// skipEmptyLines returns the index of the first byte of buf[:limit] that
// does not start an empty line (CRLF or LF).
func skipEmptyLines(buf []byte, limit int) int {
	p := 0
	for p < limit {
		switch {
		case buf[p] == '\n':
			p++
		case buf[p] == '\r' && p+1 < limit && buf[p+1] == '\n':
			p += 2
		default:
			return p
		}
	}
	return p
}

// lineEnd returns the index of the '\n' ending the line that starts at p,
// looking only below limit, or -1.
func lineEnd(buf []byte, p, limit int) int {
	if p >= limit {
		return -1
	}
	j := bytes.IndexByte(buf[p:limit], '\n')
	if j < 0 {
		return -1
	}
	return p + j
}

// contentEnd returns the end of the content of a line whose '\n' is at nl
// and which starts at p: a CR right before the LF is not content.
func contentEnd(buf []byte, p, nl int) int {
	if nl > p && buf[nl-1] == '\r' {
		return nl - 1
	}
	return nl
}

// parseFields parses the field lines starting at p up to and including the
// empty line ending the head, storing them in hdrs. full tells whether buf
// holds MaxHead bytes or more (limit is then MaxHead), so that a missing
// end is an oversize head rather than an incomplete one. It returns the
// number of fields, the head length and cOK, or an error code.
func parseFields(buf []byte, p, limit int, full bool, hdrs *[MaxHeaders]Header) (int, int, code) {
	n := 0
	for {
		nl := lineEnd(buf, p, limit)
		if nl < 0 {
			if full {
				return n, 0, cHeadTooLarge
			}
			return n, 0, cIncomplete
		}
		e := contentEnd(buf, p, nl)
		if e == p {
			return n, nl + 1, cOK
		}
		if n == MaxHeaders-1 {
			return n, 0, cTooManyHeaders
		}
		h := &hdrs[n]
		if c := parseField(buf, p, e, h); c != cOK {
			return n, 0, c
		}
		n++
		p = nl + 1
	}
}

// parseField checks one field line buf[p:e] (without its line end) and
// stores its name and trimmed value in h.
func parseField(buf []byte, p, e int, h *Header) code {
	if isOWS(buf[p]) {
		return cObsFold
	}
	i := p
	for i < e && charClass[buf[i]]&isToken != 0 {
		i++
	}
	if i == p || i == e || buf[i] != ':' {
		if i < e && buf[i] == '\r' {
			return cBareCR
		}
		return cHeaderName
	}
	h.Name = span(p, i)
	for j := i + 1; j < e; j++ {
		if charClass[buf[j]]&isValue == 0 {
			if buf[j] == '\r' {
				return cBareCR
			}
			return cHeaderValue
		}
	}
	vs, ve := trimOWS(buf, i+1, e)
	h.Value = span(vs, ve)
	h.Del = false
	return cOK
}

// parseVersion reads "HTTP/1.x" in b and returns the minor version: 0, or
// 1 for 1.1 to 1.9 (RFC 9110 section 2.5: a higher minor version is
// processed as the highest one implemented).
func parseVersion(b []byte) (uint8, bool) {
	if len(b) != 8 || string(b[:5]) != "HTTP/" || b[5] != '1' || b[6] != '.' || b[7] < '0' || b[7] > '9' {
		return 0, false
	}
	if b[7] == '0' {
		return 0, true
	}
	return 1, true
}

// contentLength parses a Content-Length value: a comma list of equal
// decimal numbers (RFC 9110 section 8.6), each fitting an int64.
func contentLength(v []byte) (int64, bool) {
	var first int64 = -1
	i := 0
	for {
		e := i
		for e < len(v) && v[e] != ',' {
			e++
		}
		s, ce := trimOWS(v, i, e)
		if s == ce {
			return 0, false
		}
		var n int64
		for k := s; k < ce; k++ {
			c := v[k]
			if c < '0' || c > '9' {
				return 0, false
			}
			if n > (1<<63-1-int64(c-'0'))/10 {
				return 0, false
			}
			n = n*10 + int64(c-'0')
		}
		if first >= 0 && n != first {
			return 0, false
		}
		first = n
		if e == len(v) {
			return first, true
		}
		i = e + 1
	}
}

// codings tracks the Transfer-Encoding fields of one message.
type codings struct {
	present bool // a Transfer-Encoding field was seen
	n       int  // codings listed
	chunked int  // how many of them are chunked
	last    bool // the last coding listed is chunked
}

// add parses one Transfer-Encoding value: a comma list (empty elements
// ignored, RFC 9110 section 5.6.1) of coding names. Parameters are not
// accepted: none is defined for a coding a message may carry on the wire
// here.
func (t *codings) add(v []byte) code {
	t.present = true
	i := 0
	for i <= len(v) {
		e := i
		for e < len(v) && v[e] != ',' {
			e++
		}
		s, ce := trimOWS(v, i, e)
		if s < ce {
			for k := s; k < ce; k++ {
				if charClass[v[k]]&isToken == 0 {
					return cTransferEncoding
				}
			}
			t.n++
			t.last = equalFold(v[s:ce], "chunked")
			if t.last {
				t.chunked++
			}
		}
		i = e + 1
	}
	if t.chunked > 1 {
		return cChunkedTwice
	}
	return cOK
}

// connTokens returns the flags of the tokens of a Connection value.
func connTokens(v []byte) ConnFlags {
	var f ConnFlags
	i := 0
	for i <= len(v) {
		e := i
		for e < len(v) && v[e] != ',' {
			e++
		}
		s, ce := trimOWS(v, i, e)
		switch t := v[s:ce]; {
		case equalFold(t, "close"):
			f |= ConnClose
		case equalFold(t, "keep-alive"):
			f |= ConnKeepAlive
		case equalFold(t, "upgrade"):
			f |= ConnUpgrade
		}
		i = e + 1
	}
	return f
}

// headerIndex returns the index of the first header named name
// (case-insensitive), or -1.
func headerIndex(buf []byte, hdrs []Header, name string) int {
	for i := range hdrs {
		h := &hdrs[i]
		if int(h.Name.Len) == len(name) && equalFoldString(h.Name.Bytes(buf), name) {
			return i
		}
	}
	return -1
}

// delHeaders marks the headers named name deleted.
func delHeaders(buf []byte, hdrs []Header, name string) {
	for i := range hdrs {
		h := &hdrs[i]
		if int(h.Name.Len) == len(name) && equalFoldString(h.Name.Bytes(buf), name) {
			h.Del = true
		}
	}
}

// framingFields collects the fields that frame a request or a response:
// Connection, Content-Length and Transfer-Encoding.
type framingFields struct {
	te    codings
	cl    int64
	hasCL bool
	conn  ConnFlags
}

// add takes one header into account (other headers are ignored) and
// rejects an invalid or conflicting Content-Length or Transfer-Encoding.
func (f *framingFields) add(name, v []byte) code {
	switch len(name) {
	case 10:
		if equalFold(name, "connection") {
			f.conn |= connTokens(v)
		}
	case 14:
		if !equalFold(name, "content-length") {
			return cOK
		}
		n, ok := contentLength(v)
		if !ok {
			return cContentLength
		}
		if f.hasCL && n != f.cl {
			return cContentLengthConflict
		}
		f.cl, f.hasCL = n, true
	case 17:
		if equalFold(name, "transfer-encoding") {
			return f.te.add(v)
		}
	}
	return cOK
}

// check applies the rules both messages share once every field was
// seen: no Transfer-Encoding in HTTP/1.0, none empty, none with a
// Content-Length.
func (f *framingFields) check(minor uint8) code {
	if !f.te.present {
		return cOK
	}
	switch {
	case minor == 0:
		return cTEHTTP10
	case f.te.n == 0:
		return cTransferEncoding
	case f.hasCL:
		return cTEWithCL
	}
	return cOK
}
