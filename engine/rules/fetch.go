package rules

import (
	"bytes"
	"strconv"
	"strings"
)

// fetchKind selects the implementation of a fetch. A switch rather than
// function values keeps calls direct, so that nothing escapes to the heap.
type fetchKind uint8

const (
	fkConstBool fetchKind = iota + 1
	fkLiteral
	fkAddr
	fkPort
	fkStatus
	fkMethod
	fkPath
	fkURL
	fkQuery
	fkReqVer
	fkBase
	fkVar
	fkHdr
	fkHdrCnt
	fkURLParam
	fkCounter
)

// fetchDef describes a sample fetch keyword.
type fetchDef struct {
	name    string
	out     smpType
	args    []argKind
	min     int // mandatory arguments
	kind    fetchKind
	hdrOcc  bool // second argument is a header occurrence (checked >= -10)
	isVar   bool // first argument is a variable name
	literal bool // str()/int()/bool(): the argument is the value
	// Stick counter fetches (track.go): the counter read, and the slot
	// (0-2 for sc<N>_*, -1 for sc_*, srcSlot for src_*).
	counter *counterFetch
	slot    int8
}

// fetch is a parsed fetch: its keyword and arguments.
type fetch struct {
	def    *fetchDef
	name   []byte // header or parameter name, string literal
	num    int64  // occurrence or integer literal
	delim  byte   // url_param delimiter
	varIdx int
	table  string // counter fetches: the table argument, "" for the default
	hasArg bool   // an argument list was given: "hdr()" reads every header, "hdr" none
	// Header fetches: which headers they read (setHdrSide).
	resHdr, fullHdr, dirHdr bool
}

// iter is the state of a fetch across the values of one evaluation.
type iter struct {
	iterate bool // ACL: every occurrence, one per call
	more    bool // set by the fetch: another value may follow
	hc      hdrCursor
	pos     int // url_param: where to search next
	done    bool
}

const maxHdrHistory = 10 // HAProxy's MAX_HDR_HISTORY: lowest occurrence -10

var (
	hdrArgs   = []argKind{argStr, argInt}
	nameArg   = []argKind{argStr}
	paramArgs = []argKind{argStr, argStr}
)

// fetchDefs holds the fetches hitless implements, by name.
var fetchDefs = map[string]*fetchDef{}

func init() {
	for _, d := range []*fetchDef{
		{name: "always_true", out: typeBool, kind: fkConstBool},
		{name: "always_false", out: typeBool, kind: fkConstBool},
		{name: "base", out: typeStr, kind: fkBase},
		{name: "bool", out: typeBool, args: nameArg, kind: fkLiteral, literal: true},
		{name: "dst", out: typeIP, kind: fkAddr},
		{name: "dst_port", out: typeInt, kind: fkPort},
		{name: "hdr", out: typeStr, args: hdrArgs, kind: fkHdr, hdrOcc: true},
		{name: "hdr_cnt", out: typeInt, args: nameArg, kind: fkHdrCnt},
		{name: "hdr_val", out: typeInt, args: hdrArgs, kind: fkHdr, hdrOcc: true},
		{name: "int", out: typeInt, args: []argKind{argInt}, min: 1, kind: fkLiteral, literal: true},
		{name: "method", out: typeMeth, kind: fkMethod},
		{name: "path", out: typeStr, kind: fkPath},
		{name: "query", out: typeStr, kind: fkQuery},
		{name: "req.fhdr", out: typeStr, args: hdrArgs, kind: fkHdr, hdrOcc: true},
		{name: "req.fhdr_cnt", out: typeInt, args: nameArg, kind: fkHdrCnt},
		{name: "req.hdr", out: typeStr, args: hdrArgs, kind: fkHdr, hdrOcc: true},
		{name: "req.hdr_cnt", out: typeInt, args: nameArg, kind: fkHdrCnt},
		{name: "req.hdr_val", out: typeInt, args: hdrArgs, kind: fkHdr, hdrOcc: true},
		{name: "req.proto_http", out: typeBool, kind: fkConstBool},
		{name: "req.ver", out: typeStr, kind: fkReqVer},
		{name: "req_ver", out: typeStr, kind: fkReqVer},
		{name: "res.fhdr", out: typeStr, args: hdrArgs, kind: fkHdr, hdrOcc: true},
		{name: "res.fhdr_cnt", out: typeInt, args: nameArg, kind: fkHdrCnt},
		{name: "res.hdr", out: typeStr, args: hdrArgs, kind: fkHdr, hdrOcc: true},
		{name: "res.hdr_cnt", out: typeInt, args: nameArg, kind: fkHdrCnt},
		{name: "res.hdr_val", out: typeInt, args: hdrArgs, kind: fkHdr, hdrOcc: true},
		{name: "shdr", out: typeStr, args: hdrArgs, kind: fkHdr, hdrOcc: true},
		{name: "shdr_cnt", out: typeInt, args: nameArg, kind: fkHdrCnt},
		{name: "shdr_val", out: typeInt, args: hdrArgs, kind: fkHdr, hdrOcc: true},
		{name: "src", out: typeIP, kind: fkAddr},
		{name: "src_port", out: typeInt, kind: fkPort},
		{name: "ssl_fc", out: typeBool, kind: fkConstBool},
		{name: "status", out: typeInt, kind: fkStatus},
		{name: "str", out: typeStr, args: nameArg, kind: fkLiteral, literal: true},
		{name: "url", out: typeStr, kind: fkURL},
		{name: "url_param", out: typeStr, args: paramArgs, kind: fkURLParam},
		{name: "urlp", out: typeStr, args: paramArgs, kind: fkURLParam},
		{name: "var", out: typeAny, args: nameArg, kind: fkVar, isVar: true},
	} {
		fetchDefs[d.name] = d
	}
}

// next produces the next value of f into v. In an ACL (it.iterate) a
// multi-valued fetch returns one value per call and sets it.more while
// more may follow. Constructed strings are appended to *buf; v.s may also
// point into the transaction or the fetch itself.
func (f *fetch) next(s Sample, it *iter, buf *[]byte, v *value) bool {
	switch f.def.kind {
	case fkConstBool:
		return fetchConstBool(f, s, it, buf, v)
	case fkLiteral:
		return fetchLiteral(f, s, it, buf, v)
	case fkAddr:
		return fetchAddr(f, s, it, buf, v)
	case fkPort:
		return fetchPort(f, s, it, buf, v)
	case fkStatus:
		return fetchStatus(f, s, it, buf, v)
	case fkMethod:
		return fetchMethod(f, s, it, buf, v)
	case fkPath:
		return fetchPath(f, s, it, buf, v)
	case fkURL:
		return fetchURL(f, s, it, buf, v)
	case fkQuery:
		return fetchQuery(f, s, it, buf, v)
	case fkReqVer:
		return fetchReqVer(f, s, it, buf, v)
	case fkBase:
		return fetchBase(f, s, it, buf, v)
	case fkVar:
		return fetchVar(f, s, it, buf, v)
	case fkHdr:
		return fetchHdr(f, s, it, buf, v)
	case fkHdrCnt:
		return fetchHdrCnt(f, s, it, buf, v)
	case fkURLParam:
		return fetchURLParam(f, s, it, buf, v)
	case fkCounter:
		return fetchCounter(f, s, it, buf, v)
	}
	return false
}

func fetchConstBool(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	switch f.def.name {
	case "always_true", "req.proto_http":
		v.setBool(true)
	default: // always_false; ssl_fc: hitless has no TLS yet
		v.setBool(false)
	}
	return true
}

func fetchLiteral(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	switch f.def.out {
	case typeStr:
		v.setStr(f.name)
	case typeBool:
		v.setBool(f.num != 0)
	default:
		v.setInt(f.num)
	}
	return true
}

func fetchAddr(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	a := s.Src()
	if f.def.name == "dst" {
		a = s.Dst()
	}
	if !a.IsValid() {
		return false
	}
	v.t, v.ip = typeIP, a
	return true
}

func fetchPort(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	if f.def.name == "dst_port" {
		v.setInt(int64(s.DstPort()))
	} else {
		v.setInt(int64(s.SrcPort()))
	}
	return true
}

func fetchStatus(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	st := s.Status()
	if st == 0 {
		return false
	}
	v.setInt(int64(st))
	return true
}

func fetchMethod(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	v.t, v.s = typeMeth, s.Method()
	return true
}

// reqPath returns the path of the request, or false when the target has
// none (HAProxy's path fetch finds nothing then).
func reqPath(s Sample) ([]byte, bool) {
	p := s.Path()
	if len(p) == 0 || p[0] != '/' {
		return nil, false
	}
	return p, true
}

func fetchPath(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	p, ok := reqPath(s)
	if ok {
		v.setStr(p)
	}
	return ok
}

func fetchURL(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	v.setStr(s.URL())
	return true
}

func hasQuery(s Sample) bool {
	for _, c := range s.URL() {
		if c == '?' {
			return true
		}
	}
	return false
}

func fetchQuery(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	if !hasQuery(s) {
		return false
	}
	v.setStr(s.Query())
	return true
}

var versions = [...][]byte{[]byte("1.0"), []byte("1.1")}

func fetchReqVer(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	m := s.Minor()
	if m >= 0 && m < len(versions) {
		v.setStr(versions[m])
		return true
	}
	start := len(*buf)
	*buf = append(*buf, '1', '.')
	*buf = strconv.AppendInt(*buf, int64(m), 10)
	v.setStr((*buf)[start:])
	return true
}

var hostName = []byte("host")

// fetchBase concatenates the first Host value and the path; without a
// Host value it is the path alone.
func fetchBase(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	var hc hdrCursor
	host, ok := hc.next(s, false, hostName, false)
	if !ok || len(host) == 0 {
		return fetchPath(f, s, it, buf, v)
	}
	start := len(*buf)
	*buf = append(*buf, host...)
	if p, ok := reqPath(s); ok {
		*buf = append(*buf, p...)
	}
	v.setStr((*buf)[start:])
	return true
}

func fetchVar(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	vars := s.Vars()
	return vars != nil && vars.load(f.varIdx, v)
}

// hdrSide returns whether a header fetch reads the response, and whether
// it keeps whole lines (fhdr).
func hdrSide(f *fetch, s Sample) (res, full bool) {
	res = f.resHdr
	if f.dirHdr {
		// hdr() follows the direction: the response in response rules
		// (hdr_cnt and hdr_val always read the request, as in HAProxy).
		res = s.Status() != 0
	}
	return res, f.fullHdr
}

// setHdrSide records at parse time which headers a fetch reads.
func (f *fetch) setHdrSide() {
	n := f.def.name
	f.dirHdr = n == "hdr"
	f.resHdr = strings.HasPrefix(n, "res.") || strings.HasPrefix(n, "shdr")
	f.fullHdr = n == "req.fhdr" || n == "res.fhdr" || n == "req.fhdr_cnt" || n == "res.fhdr_cnt"
}

// fetchHdr implements hdr, req.hdr, res.hdr, shdr, req.fhdr, res.fhdr and
// the hdr_val variants.
func fetchHdr(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	if !f.hasArg {
		return false
	}
	res, full := hdrSide(f, s)
	occ := f.num
	var val []byte
	var ok bool
	switch {
	case occ == 0 && it.iterate:
		val, ok = it.hc.next(s, res, f.name, full)
		it.more = ok
	case occ > 0:
		var hc hdrCursor
		for n := int64(0); n < occ; n++ {
			if val, ok = hc.next(s, res, f.name, full); !ok {
				break
			}
		}
	default:
		// From the end: keep the last maxHdrHistory values in a ring.
		if occ == 0 {
			occ = -1
		}
		var ring [maxHdrHistory][]byte
		var hc hdrCursor
		n := int64(0)
		for {
			x, more := hc.next(s, res, f.name, full)
			if !more {
				break
			}
			ring[n%maxHdrHistory] = x
			n++
		}
		if -occ <= n && -occ <= maxHdrHistory {
			val, ok = ring[(n+occ)%maxHdrHistory], true
		}
	}
	if !ok {
		return false
	}
	if f.def.out == typeInt {
		v.setInt(int64(int32(readInt64(val))))
	} else {
		v.setStr(val)
	}
	return true
}

// fetchHdrCnt counts header values (lines for the fhdr variants); with no
// name it counts every header.
func fetchHdrCnt(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	res, full := hdrSide(f, s)
	var hc hdrCursor
	n := int64(0)
	for {
		if _, ok := hc.next(s, res, f.name, full); !ok {
			break
		}
		n++
	}
	v.setInt(n)
	return true
}

// hdrCursor walks the values of the headers called name (every header
// when name is empty), split at commas outside quotes unless full, with
// surrounding blanks removed, as HAProxy's http_find_header.
type hdrCursor struct {
	i      int
	rest   []byte
	inside bool
}

func (c *hdrCursor) next(s Sample, res bool, name []byte, full bool) ([]byte, bool) {
	if !c.inside {
		n := s.NumHeaders(res)
		for c.i < n {
			hn, hv, ok := s.HeaderAt(res, c.i)
			c.i++
			if !ok || len(name) > 0 && !equalFold(hn, name) {
				continue
			}
			if full {
				return trimLWS(hv), true
			}
			c.rest, c.inside = hv, true
			break
		}
		if !c.inside {
			return nil, false
		}
	}
	r := trimLeftLWS(c.rest)
	end := valueEnd(r)
	val := trimRightLWS(r[:end])
	if r = r[end:]; len(r) == 0 {
		c.inside = false
	} else {
		c.rest = r[1:] // the comma
	}
	return val, true
}

// valueEnd returns the index of the first comma of b outside double
// quotes (a backslash escapes a byte inside quotes), or len(b).
func valueEnd(b []byte) int {
	quoted, pair := false, false
	for i, c := range b {
		switch {
		case pair:
			pair = false
		case quoted:
			if c == '\\' {
				pair = true
			} else if c == '"' {
				quoted = false
			}
		case c == '"':
			quoted = true
		case c == ',':
			return i
		}
	}
	return len(b)
}

func isLWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimLeftLWS(b []byte) []byte {
	for len(b) > 0 && isLWS(b[0]) {
		b = b[1:]
	}
	return b
}

func trimRightLWS(b []byte) []byte {
	for len(b) > 0 && isLWS(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func trimLWS(b []byte) []byte { return trimRightLWS(trimLeftLWS(b)) }

// fetchURLParam finds the value of a query parameter: after the first
// delimiter ('?' by default) of the URL, parameters are separated by '&',
// ';' or the delimiter; name=value pairs match on the exact name, an empty
// name takes the first value. Outside ACLs the first occurrence is
// returned.
func fetchURLParam(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	if it.done {
		return false
	}
	u := s.URL()
	delim := f.delim
	q := -1
	for i, c := range u {
		if c == delim {
			q = i + 1
			break
		}
	}
	if q < 0 {
		return false
	}
	list := u[q:]
	val, next, ok := nextURLParam(list, it.pos, f.name, delim)
	if !ok {
		it.done = true
		return false
	}
	it.pos = next
	it.more = next < len(list)
	if !it.more {
		it.done = true
	}
	v.setStr(val)
	return true
}

func isParamDelim(c, delim byte) bool { return c == '&' || c == ';' || c == delim }

func nextURLParam(q []byte, pos int, name []byte, delim byte) (val []byte, next int, ok bool) {
	start := pos
	if len(name) == 0 {
		eq := -1
		for i := pos; i < len(q); i++ {
			if q[i] == '=' {
				eq = i
				break
			}
		}
		if eq < 0 {
			return nil, 0, false
		}
		start = eq + 1
	} else {
		found := false
		for p := pos; p < len(q); {
			if p+len(name) >= len(q) {
				return nil, 0, false
			}
			if q[p+len(name)] == '=' && bytes.Equal(q[p:p+len(name)], name) {
				start, found = p+len(name)+1, true
				break
			}
			for p < len(q) && !isParamDelim(q[p], delim) {
				p++
			}
			p++
		}
		if !found {
			return nil, 0, false
		}
	}
	end := start
	for end < len(q) && !isParamDelim(q[end], delim) {
		end++
	}
	return q[start:end], end, true
}
