package h1

// ParseRequest parses the complete request head at the start of buf
// (len(buf) >= the head) into req, which it overwrites; the spans of req
// refer to buf. Empty lines before the request line are skipped and
// counted in HeadLen. It returns nil, ErrIncomplete when buf holds less
// than the head and less than MaxHead bytes, or one of the predefined
// request errors (status 400), among them [ErrLineTooLong] and
// [ErrHeadTooLarge] when MaxHead bytes hold no complete head. It never
// allocates.
func ParseRequest(buf []byte, req *Request, lim Limits) error {
	if c := parseRequest(buf, req, lim); c != cOK {
		if c == cIncomplete {
			return ErrIncomplete
		}
		return &reqErrs[c]
	}
	return nil
}

func parseRequest(buf []byte, req *Request, lim Limits) code {
	maxHead := lim.maxHead()
	limit, full := len(buf), len(buf) >= maxHead
	if full {
		limit = maxHead
	}
	resetRequest(req)
	p := skipEmptyLines(buf, limit)
	nl := lineEnd(buf, p, limit)
	if nl < 0 {
		if full {
			return cLineTooLong
		}
		return cIncomplete
	}
	if c := parseRequestLine(buf, p, contentEnd(buf, p, nl), req); c != cOK {
		return c
	}
	n, end, c := parseFields(buf, nl+1, limit, full, &req.Headers)
	req.NumHeaders = n
	if c != cOK {
		return c
	}
	req.HeadLen = end
	return requestSemantics(buf, req)
}

func resetRequest(req *Request) {
	req.Method = MethodOther
	req.MethodSpan = Span{}
	req.Target = Span{}
	req.Form = FormOrigin
	req.Authority = Span{}
	req.Path = Span{}
	req.Query = Span{}
	req.Minor = 0
	req.Line = Span{}
	req.HeadLen = 0
	req.NumHeaders = 0
	req.Host = Span{}
	req.HasHost = false
	req.Body = BodyNone
	req.ContentLength = 0
	req.Conn = 0
	req.Expect100 = false
	req.Upgrade = false
}

// parseRequestLine parses buf[p:e]: method SP request-target SP
// HTTP-version, single spaces only (RFC 9112 section 3).
func parseRequestLine(buf []byte, p, e int, req *Request) code {
	req.Line = span(p, e)
	i := p
	for i < e && charClass[buf[i]]&isToken != 0 {
		i++
	}
	if i == p || i == e || buf[i] != ' ' {
		if i < e && (buf[i] == ' ' || buf[i] == '\t') {
			return cRequestLine
		}
		return cMethod
	}
	req.MethodSpan = span(p, i)
	req.Method = lookupMethod(buf[p:i])
	i++
	t := i
	for i < e && charClass[buf[i]]&isTarget != 0 {
		i++
	}
	if i == t {
		return cRequestLine
	}
	if i == e || buf[i] != ' ' {
		if i == e {
			return cRequestLine // no version: HTTP/0.9 is not supported
		}
		return cTarget
	}
	req.Target = span(t, i)
	minor, ok := parseVersion(buf[i+1 : e])
	if !ok {
		return cVersion
	}
	req.Minor = minor
	return parseTarget(buf, t, i, req)
}

func lookupMethod(m []byte) Method {
	switch string(m) {
	case "GET":
		return MethodGET
	case "HEAD":
		return MethodHEAD
	case "POST":
		return MethodPOST
	case "PUT":
		return MethodPUT
	case "DELETE":
		return MethodDELETE
	case "CONNECT":
		return MethodCONNECT
	case "OPTIONS":
		return MethodOPTIONS
	case "TRACE":
		return MethodTRACE
	case "PATCH":
		return MethodPATCH
	}
	return MethodOther
}

// parseTarget classifies the request-target buf[t:e] (RFC 9112 section
// 3.2) and sets Form, Authority, Path and Query.
func parseTarget(buf []byte, t, e int, req *Request) code {
	switch {
	case buf[t] == '/':
		if req.Method == MethodCONNECT {
			return cTarget
		}
		req.Form = FormOrigin
		splitPathQuery(buf, t, e, req)
		return cOK
	case e-t == 1 && buf[t] == '*':
		if req.Method != MethodOPTIONS {
			return cTarget
		}
		req.Form = FormAsterisk
		return cOK
	case req.Method == MethodCONNECT:
		if !validAuthority(buf[t:e], true) {
			return cTarget
		}
		req.Form = FormAuthority
		req.Authority = span(t, e)
		return cOK
	}
	// absolute-form: http or https only, a non-empty host, no userinfo.
	a := t
	switch {
	case e-t >= 7 && equalFold(buf[t:t+7], "http://"):
		a = t + 7
	case e-t >= 8 && equalFold(buf[t:t+8], "https://"):
		a = t + 8
	default:
		return cTarget
	}
	ae := a
	for ae < e && buf[ae] != '/' && buf[ae] != '?' {
		ae++
	}
	if ae < e && buf[ae] == '?' || !validAuthority(buf[a:ae], false) || hostOf(buf[a:ae]) == 0 {
		return cTarget
	}
	req.Form = FormAbsolute
	req.Authority = span(a, ae)
	if ae < e {
		splitPathQuery(buf, ae, e, req)
	}
	return cOK
}

func splitPathQuery(buf []byte, s, e int, req *Request) {
	q := s
	for q < e && buf[q] != '?' {
		q++
	}
	req.Path = span(s, q)
	if q < e {
		req.Query = span(q+1, e)
	}
}

// hostOf returns the length of the host part of an authority (without
// the port).
func hostOf(a []byte) int {
	if len(a) > 0 && a[0] == '[' {
		for i, c := range a {
			if c == ']' {
				return i + 1
			}
		}
		return len(a)
	}
	for i, c := range a {
		if c == ':' {
			return i
		}
	}
	return len(a)
}

// validAuthority checks host [":" port] (RFC 3986 section 3.2.2 without
// userinfo); the host may be empty (a Host field may be), the port must be
// present when needPort is set.
func validAuthority(a []byte, needPort bool) bool {
	h := hostOf(a)
	host := a[:h]
	if len(host) > 0 && host[0] == '[' {
		if len(host) < 3 || host[len(host)-1] != ']' || !validIPv6(host[1:len(host)-1]) {
			return false
		}
	} else {
		for _, c := range host {
			if charClass[c]&isHost == 0 || c == ':' || c == '[' || c == ']' {
				return false
			}
		}
	}
	if needPort && (h == 0 || h+1 >= len(a)) {
		return false
	}
	if h == len(a) {
		return true
	}
	if a[h] != ':' {
		return false
	}
	port := a[h+1:]
	if len(port) > 5 {
		return false
	}
	v := 0
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
		v = v*10 + int(c-'0')
	}
	return v <= 65535
}

// validIPv6 checks an IPv6address of RFC 3986 section 3.2.2 (the only
// IP-literal accepted: IPvFuture and zone identifiers are not).
func validIPv6(b []byte) bool {
	groups, ellipsis, i := 0, false, 0
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis, i = true, 2
	}
	for i < len(b) {
		j := i
		for j < len(b) && j-i <= 4 && hexVal[b[j]] != 0xff {
			j++
		}
		if j < len(b) && b[j] == '.' {
			if !validIPv4(b[i:]) {
				return false
			}
			groups += 2
			break
		}
		if j == i || j-i > 4 {
			return false
		}
		groups++
		if j == len(b) {
			break
		}
		if b[j] != ':' || j+1 == len(b) {
			return false
		}
		i = j + 1
		if b[i] == ':' {
			if ellipsis {
				return false
			}
			ellipsis = true
			i++
		}
	}
	if ellipsis {
		return groups < 8
	}
	return groups == 8
}

// validIPv4 checks a dotted-decimal IPv4 address without leading zeros.
func validIPv4(b []byte) bool {
	parts, v, digits := 0, 0, 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == '.' {
			if digits == 0 || v > 255 {
				return false
			}
			parts++
			v, digits = 0, 0
			continue
		}
		c := b[i]
		if c < '0' || c > '9' || digits > 0 && v == 0 || digits == 3 {
			return false
		}
		v = v*10 + int(c-'0')
		digits++
	}
	return parts == 4
}

// sameAuthority compares a request-target authority with a Host value,
// ignoring case and a port that is empty or the scheme's default (80 for
// http, 443 for https, either for CONNECT), as HAProxy does.
func sameAuthority(target, host []byte, dflt1, dflt2 string) bool {
	th, tp := splitPort(target, dflt1, dflt2)
	hh, hp := splitPort(host, dflt1, dflt2)
	return equalFoldBytes(th, hh) && string(tp) == string(hp)
}

func splitPort(a []byte, dflt1, dflt2 string) (host, port []byte) {
	h := hostOf(a)
	host = a[:h]
	if h < len(a) {
		port = a[h+1:]
	}
	if p := string(port); p == dflt1 || p == dflt2 {
		port = nil
	}
	return host, port
}

// requestSemantics checks the fields that frame and route the request.
func requestSemantics(buf []byte, req *Request) code {
	var f framingFields
	for i := 0; i < req.NumHeaders; i++ {
		h := &req.Headers[i]
		name := h.Name.Bytes(buf)
		v := h.Value.Bytes(buf)
		switch len(name) {
		case 4:
			if !equalFold(name, "host") {
				continue
			}
			if req.HasHost {
				return cDupHost
			}
			if !validAuthority(v, false) {
				return cHostValue
			}
			req.Host, req.HasHost = h.Value, true
		case 6:
			if equalFold(name, "expect") && equalFold(v, "100-continue") {
				req.Expect100 = true
			}
		case 7:
			if equalFold(name, "upgrade") {
				req.Upgrade = true
			}
		default:
			if c := f.add(name, v); c != cOK {
				return c
			}
		}
	}
	req.Conn = f.conn
	if c := f.check(req.Minor); c != cOK {
		return c
	}
	if f.te.present {
		if !f.te.last {
			return cNotChunked
		}
		req.Body = BodyChunked
	} else if f.cl > 0 {
		req.Body, req.ContentLength = BodyLength, f.cl
	}
	if !req.HasHost {
		if req.Minor == 1 {
			return cNoHost
		}
		return cOK
	}
	host := req.Host.Bytes(buf)
	switch req.Form {
	case FormAbsolute:
		d := "80"
		if lower(buf[req.Target.Off+4]) == 's' {
			d = "443"
		}
		if !sameAuthority(req.Authority.Bytes(buf), host, d, "") {
			return cHostMismatch
		}
	case FormAuthority:
		if !sameAuthority(req.Authority.Bytes(buf), host, "80", "443") {
			return cHostMismatch
		}
	}
	return cOK
}

// Header returns the value of the first header named name
// (case-insensitive). Headers marked Del are still found: Del only
// matters to AppendHead. It never allocates.
func (r *Request) Header(buf []byte, name string) (Span, bool) {
	if i := headerIndex(buf, r.Headers[:r.NumHeaders], name); i >= 0 {
		return r.Headers[i].Value, true
	}
	return Span{}, false
}

// AppendHead appends the request head to dst and returns it: method SP
// (target, or newTarget when non-nil) SP HTTP/1.Minor CRLF, the headers
// not marked Del as "Name: Value" CRLF in order, then extra (already
// formatted "Name: Value\r\n" lines, may be nil), then CRLF. buf is the
// buffer req was parsed from. It allocates only if dst grows.
func (r *Request) AppendHead(dst, buf, newTarget, extra []byte) []byte {
	dst = append(dst, r.MethodSpan.Bytes(buf)...)
	dst = append(dst, ' ')
	if newTarget != nil {
		dst = append(dst, newTarget...)
	} else {
		dst = append(dst, r.Target.Bytes(buf)...)
	}
	dst = append(dst, " HTTP/1."...)
	dst = append(dst, '0'+r.Minor, '\r', '\n')
	return appendFields(dst, buf, r.Headers[:r.NumHeaders], extra)
}

func appendFields(dst, buf []byte, hdrs []Header, extra []byte) []byte {
	for i := range hdrs {
		h := &hdrs[i]
		if h.Del {
			continue
		}
		dst = append(dst, h.Name.Bytes(buf)...)
		dst = append(dst, ':', ' ')
		dst = append(dst, h.Value.Bytes(buf)...)
		dst = append(dst, '\r', '\n')
	}
	dst = append(dst, extra...)
	return append(dst, '\r', '\n')
}

// DelHeader marks every header named name (case-insensitive) deleted, so
// that AppendHead leaves it out. It does not allocate.
func (r *Request) DelHeader(buf []byte, name string) { delHeaders(buf, r.Headers[:r.NumHeaders], name) }
