package logs

import "bytes"

// badReq is printed for the request line, or a part of it, that a
// stream does not have.
const badReq = "<BADREQ>"

// http09 is %HV of a request line without a version.
var http09 = []byte("HTTP/0.9")

// appendHTTP appends the request line or one of its parts, URL-encoded.
func (f *Format) appendHTTP(dst []byte, k kind, fl *Fields, esc bool) []byte {
	line := fl.ReqLine
	if line != nil && len(line) > f.uriLen-1 {
		line = line[:f.uriLen-1]
	}
	var part []byte
	ok := true
	switch k {
	case vr:
		if line == nil && fl.Method != nil {
			return appendReqParts(dst, fl, f.uriLen-1, esc)
		}
		part, ok = line, line != nil
	case vHM:
		if part = fl.Method; part == nil {
			part, ok = reqMethod(line)
		}
	case vHU:
		if part = fl.URI; part == nil {
			part, ok = reqURI(line)
		}
	case vHV:
		if part = fl.Version; part == nil {
			part, ok = reqVersion(line)
		}
	case vHP:
		if part = fl.Path; part == nil {
			part, ok = fl.URI, true
			if part == nil {
				part, ok = reqURI(line)
			}
			part = cutQuery(part)
		}
	case vHPO:
		part = fl.Path
		if part == nil {
			part = fl.URI
		}
		if part == nil {
			part, ok = reqURI(line)
		}
		part = cutQuery(pathOnly(part))
	case vHQ:
		if part = fl.Query; part == nil {
			src := fl.URI
			if src == nil {
				src, ok = line, line != nil
			}
			part = reqQuery(src)
		}
	}
	if !ok {
		return append(dst, badReq...)
	}
	return appendEncoded(dst, part, encURL, esc)
}

// appendReqParts prints Method, URI and Version as a request line of at
// most limit bytes (before encoding), as if it were ReqLine.
func appendReqParts(dst []byte, fl *Fields, limit int, esc bool) []byte {
	for i, p := range [3][]byte{fl.Method, fl.URI, fl.Version} {
		if i > 0 {
			if limit <= 0 {
				break
			}
			dst = append(dst, ' ')
			limit--
		}
		if len(p) > limit {
			p = p[:max(limit, 0)]
		}
		dst = appendEncoded(dst, p, encURL, esc)
		limit -= len(p)
	}
	return dst
}

func isSPHT(c byte) bool { return c == ' ' || c == '\t' }

// skipToken returns the index of the first SP/HT at or after i.
func skipToken(b []byte, i int) int {
	for i < len(b) && !isSPHT(b[i]) {
		i++
	}
	return i
}

// skipSpaces returns the index of the first non-SP/HT at or after i.
func skipSpaces(b []byte, i int) int {
	for i < len(b) && isSPHT(b[i]) {
		i++
	}
	return i
}

// reqMethod is %HM of a request line: ok is false ("<BADREQ>") without
// a request line or when it holds a single word.
func reqMethod(line []byte) ([]byte, bool) {
	end := skipToken(line, 0)
	if line == nil || end == len(line) {
		return nil, false
	}
	return line[:end], true
}

// reqURI is %HU: the second word; "<BADREQ>" without a space after the
// method.
func reqURI(line []byte) ([]byte, bool) {
	start := skipToken(line, 0)
	at := skipSpaces(line, start)
	if line == nil || at == start {
		return nil, false
	}
	return line[at:skipToken(line, at)], true
}

// reqVersion is %HV: everything after the URI, "HTTP/0.9" when nothing.
func reqVersion(line []byte) ([]byte, bool) {
	start := skipToken(line, 0)
	at := skipSpaces(line, start)
	if line == nil || at == start {
		return nil, false
	}
	at = skipSpaces(line, skipToken(line, at))
	if at == len(line) {
		return http09, true
	}
	return line[at:], true
}

// reqQuery is %HQ: from the first '?' to the next SP/HT, empty without
// a '?'.
func reqQuery(b []byte) []byte {
	q := bytes.IndexByte(b, '?')
	if q < 0 {
		return b[len(b):]
	}
	return b[q:skipToken(b, q)]
}

func cutQuery(b []byte) []byte {
	if q := bytes.IndexByte(b, '?'); q >= 0 {
		return b[:q]
	}
	return b
}

// pathOnly strips the scheme and authority of an absolute URI; an
// origin-form URI and "*" are kept, an authority-form URI has no path.
func pathOnly(uri []byte) []byte {
	if len(uri) == 0 || uri[0] == '/' || (len(uri) == 1 && uri[0] == '*') {
		return uri
	}
	if s := bytes.Index(uri, []byte("://")); s > 0 {
		rest := uri[s+3:]
		if p := bytes.IndexAny(rest, "/?"); p >= 0 {
			return rest[p:]
		}
		return rest[len(rest):]
	}
	return uri[len(uri):]
}
