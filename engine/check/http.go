package check

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"hitless/engine/config"
)

// HTTP checks. The request is built once, byte for byte as HAProxy 2.6's
// HTTP/1 multiplexer writes it (checked against haproxy on the wire):
// header names in lower case, in the order written; any version above
// 1.0 written HTTP/1.1; Content-Length with a body, or 0 for methods
// other than GET, HEAD, OPTIONS and DELETE; "connection: close" added for
// HTTP/1.1 unless a Connection header was given; close and keep-alive
// tokens of a given Connection header turned into the default for the
// version. The response is parsed on every evaluation from the bytes
// received so far, without copying them except for a chunked body.

// encodeRequest returns the bytes of an "http-check send" rule (or of the
// request of "option httpchk").
func encodeRequest(r *config.CheckRule) []byte {
	meth, uri, ver := r.Method, r.URI, r.Version
	if meth == "" {
		meth = "OPTIONS"
	}
	if uri == "" {
		uri = "/"
	}
	if ver == "" {
		ver = "HTTP/1.0"
	}
	v11 := (len(ver) == 6 && ver[5] == '2') ||
		(len(ver) == 8 && (ver[5] > '1' || (ver[5] == '1' && ver[7] >= '1')))
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, "host") {
			uri = replaceAuthority(uri, h.Value)
			break
		}
	}

	var b []byte
	b = append(b, meth...)
	b = append(b, ' ')
	b = append(b, uri...)
	b = append(b, ' ')
	if v11 {
		b = append(b, "HTTP/1.1"...) // what HTTP/1 says for any version above 1.0
	} else {
		b = append(b, ver...)
	}
	b = append(b, "\r\n"...)
	keepAlive := false // the check asks for "Connection: close" unless told otherwise
	wroteConn := false
	for _, h := range r.Headers {
		name := strings.ToLower(h.Name)
		value := h.Value
		if name == "connection" {
			var keep []string
			for _, tok := range strings.Split(value, ",") {
				tok = strings.Trim(tok, " \t")
				switch {
				case strings.EqualFold(tok, "close"):
					keepAlive = false
				case strings.EqualFold(tok, "keep-alive"):
					keepAlive = true
				case tok != "":
					keep = append(keep, tok)
				}
			}
			if len(keep) == 0 {
				continue
			}
			value, wroteConn = strings.Join(keep, ", "), true
		}
		b = append(b, name...)
		b = append(b, ": "...)
		b = append(b, value...)
		b = append(b, "\r\n"...)
	}
	// An empty body is announced, except for the methods that do not
	// expect one.
	if r.Body != "" || !(meth == "GET" || meth == "HEAD" || meth == "OPTIONS" || meth == "DELETE") {
		b = append(b, "content-length: "...)
		b = strconv.AppendInt(b, int64(len(r.Body)), 10)
		b = append(b, "\r\n"...)
	}
	if !wroteConn {
		switch {
		case v11 && !keepAlive:
			b = append(b, "connection: close\r\n"...)
		case !v11 && keepAlive:
			b = append(b, "connection: keep-alive\r\n"...)
		}
	}
	b = append(b, "\r\n"...)
	return append(b, r.Body...)
}

// replaceAuthority replaces the authority of an absolute URI with host,
// as HAProxy keeps the Host header and the authority in sync.
func replaceAuthority(uri, host string) string {
	i := strings.Index(uri, "://")
	if i <= 0 || strings.ContainsAny(uri[:i], "/?#") {
		return uri
	}
	rest := uri[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	return uri[:i+3] + host + rest[end:]
}

// httpResponse is what parseResponse found in a buffer.
type httpResponse struct {
	complete  bool // the status line and headers are all there
	bad       bool // not a valid HTTP/1 response
	code      int
	codeText  []byte // the status code as written
	reason    []byte
	bodyStart int
	clen      int // Content-Length, -1 if none
	chunked   bool
	noBody    bool // 1xx, 204, 304 or an answer to HEAD
}

// parseResponse parses the status line and headers at the start of buf.
// It never allocates.
func parseResponse(buf []byte, head bool) httpResponse {
	resp := httpResponse{clen: -1}
	line, rest, ok := cutLine(buf)
	if !ok {
		resp.bad = !validPrefix(buf)
		return resp
	}
	// HTTP/x.y SP code [SP reason]
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/")) || !isDigit(line[5]) || line[6] != '.' ||
		!isDigit(line[7]) || line[8] != ' ' {
		resp.bad = true
		return resp
	}
	st := line[9:]
	for len(st) > 0 && st[0] == ' ' {
		st = st[1:]
	}
	if len(st) < 3 || !isDigit(st[0]) || !isDigit(st[1]) || !isDigit(st[2]) || (len(st) > 3 && st[3] != ' ') {
		resp.bad = true
		return resp
	}
	resp.codeText = st[:3]
	resp.code = int(st[0]-'0')*100 + int(st[1]-'0')*10 + int(st[2]-'0')
	if len(st) > 3 {
		resp.reason = bytes.TrimLeft(st[4:], " ")
	}
	te := false
	for {
		line, rest, ok = cutLine(rest)
		if !ok {
			return resp
		}
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !isToken(line[:colon]) {
			resp.bad = true
			return resp
		}
		name, value := line[:colon], bytes.Trim(line[colon+1:], " \t")
		switch {
		case asciiEqualFold(name, "content-length"):
			n, ok := parseContentLength(value)
			if !ok || (resp.clen >= 0 && resp.clen != n) {
				resp.bad = true
				return resp
			}
			resp.clen = n
		case asciiEqualFold(name, "transfer-encoding"):
			te = true
			last := value
			if i := bytes.LastIndexByte(value, ','); i >= 0 {
				last = bytes.Trim(value[i+1:], " \t")
			}
			resp.chunked = asciiEqualFold(last, "chunked")
		}
	}
	if te {
		resp.clen = -1
	}
	resp.complete = true
	resp.bodyStart = len(buf) - len(rest)
	resp.noBody = head || resp.code < 200 || resp.code == 204 || resp.code == 304
	return resp
}

// body returns the body received so far and whether it is complete. A
// chunked body is decoded into scratch.
func (r *httpResponse) body(buf, scratch []byte) (body []byte, end bool, bad bool) {
	b := buf[r.bodyStart:]
	switch {
	case r.noBody:
		return nil, true, false
	case r.chunked:
		return decodeChunked(b, scratch)
	case r.clen >= 0:
		if len(b) >= r.clen {
			return b[:r.clen], true, false
		}
		return b, false, false
	}
	return b, false, false // up to the close
}

// decodeChunked decodes the chunks complete in b into scratch.
func decodeChunked(b, scratch []byte) ([]byte, bool, bool) {
	out := scratch[:0]
	for {
		line, rest, ok := cutLine(b)
		if !ok {
			return out, false, false
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		line = bytes.Trim(line, " \t")
		if len(line) == 0 {
			return out, false, true
		}
		size := 0
		for _, c := range line {
			d := hexDigit(c)
			if d < 0 || size > 1<<26 {
				return out, false, true
			}
			size = size<<4 | d
		}
		if size == 0 {
			// Trailers up to an empty line.
			for {
				line, rest, ok = cutLine(rest)
				if !ok {
					return out, false, false
				}
				if len(line) == 0 {
					return out, true, false
				}
			}
		}
		if len(rest) < size {
			return append(out, rest...), false, false
		}
		out = append(out, rest[:size]...)
		rest = rest[size:]
		_, rest, ok = cutLine(rest)
		if !ok {
			return out, false, false
		}
		b = rest
	}
}

// httpStatus returns the status code of the response in buf once its
// headers are complete and valid, else 0.
func httpStatus(buf []byte) int {
	r := parseResponse(buf, false)
	if !r.complete || r.bad {
		return 0
	}
	return r.code
}

// httpKind is the match of an http-check expect rule.
type httpKind uint8

const (
	httpStatusCodes httpKind = iota // "status <codes>"
	httpStatusRegex                 // "rstatus <regex>" on the code as written
	httpBodyString                  // "string <string>" in the body
	httpBodyRegex                   // "rstring <regex>" on the body
)

// httpExpect is an "http-check expect" rule (or the implicit
// "status 200-399").
type httpExpect struct {
	expectCtx
	kind    httpKind
	codes   [][2]int
	re      *regexp.Regexp
	data    []byte
	inverse bool
	minRecv int
	head    bool // the request was HEAD: the response has no body
}

func (m *httpExpect) inverted() bool { return m.inverse }

// Match follows HAProxy's tcpcheck_eval_expect_http on the parsed
// response: statuses need the headers, body matches wait for the body (or
// the end of the message) like tcp-check expectations.
func (m *httpExpect) Match(buf []byte, eof bool) (Verdict, Result) {
	resp := parseResponse(buf, m.head)
	if resp.bad {
		return Fail, m.fail(StatusL7RSP, 0, nil)
	}
	if !resp.complete {
		if eof {
			return Fail, m.fail(StatusL7RSP, 0, nil)
		}
		return NeedMore, Result{}
	}
	var (
		match bool
		st    Status
		desc  []byte
	)
	switch m.kind {
	case httpStatusCodes:
		for _, c := range m.codes {
			if resp.code >= c[0] && resp.code <= c[1] {
				match = true
				break
			}
		}
		st, desc = m.status(StatusL7STS), resp.reason
	case httpStatusRegex:
		match = m.re.Match(resp.codeText)
		st, desc = m.status(StatusL7STS), resp.reason
	default:
		var scratch []byte
		if resp.chunked && !resp.noBody {
			bp := scratchPool.Get().(*[]byte)
			defer func() {
				*bp = scratch[:0] // keep what the decoding grew
				scratchPool.Put(bp)
			}()
			scratch = *bp
		}
		body, end, bad := resp.body(buf, scratch)
		if resp.chunked {
			scratch = body
		}
		if bad {
			return Fail, m.fail(StatusL7RSP, resp.code, nil)
		}
		last := eof || end
		if len(body) == 0 {
			if !last {
				return NeedMore, Result{}
			}
			return Fail, m.fail(m.status(StatusL7RSP), resp.code, []byte("HTTP content check could not find a response body"))
		}
		if !last && ((m.kind == httpBodyString && len(body) < len(m.data)) || (m.minRecv > 0 && len(body) < m.minRecv)) {
			return NeedMore, Result{}
		}
		if m.kind == httpBodyString {
			match = bytes.Contains(body, m.data)
		} else {
			match = m.re.Match(body)
		}
		if !match && !last && m.minRecv == -1 {
			return NeedMore, Result{}
		}
		st = m.status(StatusL7RSP)
		if m.onError == "" {
			if m.inverse {
				desc = []byte("HTTP check matched unwanted content")
			} else {
				desc = []byte("HTTP content check did not match")
			}
		}
	}
	if match != m.inverse {
		return Pass, Result{Code: resp.code}
	}
	if m.onError != "" {
		desc = nil
	}
	return Fail, m.fail(st, resp.code, desc)
}

// cutLine returns the first line of b without its CRLF (or LF) and what
// follows; ok is false when no line end is there yet.
func cutLine(b []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return nil, b, false
	}
	line = b[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, b[i+1:], true
}

// validPrefix reports whether an incomplete status line can still become
// a valid one.
func validPrefix(b []byte) bool {
	const p = "HTTP/"
	n := min(len(b), len(p))
	return string(b[:n]) == p[:n]
}

func parseContentLength(v []byte) (int, bool) {
	if len(v) == 0 || len(v) > 15 {
		return 0, false
	}
	n := 0
	for _, c := range v {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// isToken reports whether b is an HTTP token (a header name).
func isToken(b []byte) bool {
	for _, c := range b {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return len(b) > 0
}

// asciiEqualFold compares b and s ignoring ASCII case, without allocating.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if lower(b[i]) != lower(s[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
