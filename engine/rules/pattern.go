package rules

import (
	"errors"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// matchKind is a matching method ("-m").
type matchKind uint8

const (
	mFound matchKind = iota + 1
	mBool
	mInt
	mIP
	mBin
	mLen
	mStr
	mBeg
	mSub
	mDir
	mDom
	mEnd
	mReg
	mMeth // the "method" ACL keyword's own method
)

var matchByName = map[string]matchKind{
	"found": mFound, "bool": mBool, "int": mInt, "ip": mIP, "bin": mBin, "len": mLen,
	"str": mStr, "beg": mBeg, "sub": mSub, "dir": mDir, "dom": mDom, "end": mEnd,
	"reg": mReg, "regm": mReg,
}

// inType is the sample type a matching method works on (HAProxy's
// pat_match_types), used to check that a fetch can be matched so.
func (m matchKind) inType() smpType {
	switch m {
	case mFound, mBool, mInt:
		return typeInt
	case mIP:
		return typeIP
	case mBin:
		return typeBin
	case mMeth:
		return typeMeth
	}
	return typeStr
}

// defaultMatch is the matching method of a fetch of type t used without
// "-m" (ok=false: HAProxy requires "-m").
func defaultMatch(t smpType) (matchKind, bool) {
	switch t {
	case typeBool:
		return mBool, true
	case typeInt:
		return mInt, true
	case typeIP:
		return mIP, true
	case typeStr, typeMeth, typeBin:
		return mStr, true
	}
	return 0, false
}

type intRange struct {
	min, max       int64
	hasMin, hasMax bool
}

func (r *intRange) contains(n int64) bool {
	return (!r.hasMin || r.min <= n) && (!r.hasMax || n <= r.max)
}

// ipPattern is an IPv4 address and mask (any mask, as HAProxy accepts
// non-contiguous dotted masks) or an IPv6 prefix.
type ipPattern struct {
	v6         bool
	addr, mask uint32
	pfx        netip.Prefix
}

type methPattern struct {
	known bool // one of the methods HAProxy knows: compared exactly
	name  []byte
}

// patterns holds the parsed patterns of one ACL expression; only the
// field of its matching method is used.
type patterns struct {
	strs  [][]byte
	res   []*regexp.Regexp
	ints  []intRange
	ips   []ipPattern
	meths []methPattern
}

// strl2llrc parses an optional '-' and decimal digits, nothing else, as
// HAProxy's strl2llrc.
func strl2llrc(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	d := s
	if d[0] == '-' {
		d = d[1:]
	}
	if d == "" {
		return 0, false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// parseIntRange parses "N", "A:B", ":B", "A:" ('-' also separates), as
// HAProxy's pat_parse_int.
func parseIntRange(text string) (intRange, *perr) {
	bad := reason("'" + text + "' is not a valid number range")
	sep := strings.IndexAny(text, ":-")
	switch {
	case text == "":
		return intRange{}, bad
	case sep < 0:
		n, ok := strl2llrc(text)
		if !ok {
			return intRange{}, reason("'" + text + "' is not a number")
		}
		return intRange{min: n, max: n, hasMin: true, hasMax: true}, nil
	case sep == 0 && len(text) > 1:
		n, ok := strl2llrc(text[1:])
		if !ok {
			return intRange{}, bad
		}
		return intRange{max: n, hasMax: true}, nil
	case sep == len(text)-1:
		n, ok := strl2llrc(text[:sep])
		if !ok {
			return intRange{}, bad
		}
		return intRange{min: n, hasMin: true}, nil
	}
	lo, ok1 := strl2llrc(text[:sep])
	hi, ok2 := strl2llrc(text[sep+1:])
	if !ok1 || !ok2 || lo > hi {
		return intRange{}, bad
	}
	return intRange{min: lo, max: hi, hasMin: true, hasMax: true}, nil
}

// parseIPPattern parses an IPv4 address with an optional mask (bits or
// dotted) or an IPv6 address with optional prefix bits. Host names are
// not resolved.
func parseIPPattern(text string) (ipPattern, *perr) {
	bad := reason("'" + text + "' is not a valid IPv4 or IPv6 address")
	addr, mask, hasMask := strings.Cut(text, "/")
	if a4, ok := parseIPv4([]byte(addr)); ok {
		p := ipPattern{addr: be32(a4), mask: 0xffffffff}
		if hasMask {
			if m, ok := parseIPv4([]byte(mask)); ok {
				p.mask = be32(m)
			} else {
				bits, err := strconv.Atoi(mask)
				if err != nil || bits < 0 || bits > 32 || mask[0] == '+' || mask[0] == '-' {
					return ipPattern{}, bad
				}
				p.mask = 0
				if bits > 0 {
					p.mask = ^uint32(0) << (32 - bits)
				}
			}
		}
		p.addr &= p.mask
		return p, nil
	}
	if !strings.Contains(addr, ":") {
		return ipPattern{}, bad
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Zone() != "" {
		return ipPattern{}, bad
	}
	bits := 128
	if hasMask {
		bits, err = strconv.Atoi(mask)
		if err != nil || bits < 0 || bits > 128 || mask[0] == '+' || mask[0] == '-' {
			return ipPattern{}, bad
		}
	}
	pfx, err := netip.AddrFrom16(a.As16()).Prefix(bits)
	if err != nil {
		return ipPattern{}, bad
	}
	return ipPattern{v6: true, pfx: pfx}, nil
}

func be32(b [4]byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// matchIP matches a as HAProxy does: an IPv4 address (or an IPv4-mapped
// IPv6 one) against the IPv4 patterns, and every address, IPv4 ones in
// their mapped form, against the IPv6 patterns.
func matchIP(pats []ipPattern, a netip.Addr) bool {
	u := a.Unmap()
	is4 := u.Is4()
	var v4 uint32
	if is4 {
		v4 = be32(u.As4())
	}
	a16 := netip.AddrFrom16(a.As16())
	for i := range pats {
		p := &pats[i]
		if !p.v6 {
			if is4 && (v4^p.addr)&p.mask == 0 {
				return true
			}
		} else if p.pfx.Contains(a16) {
			return true
		}
	}
	return false
}

// parseHexPattern decodes a "-m bin" pattern.
func parseHexPattern(text string) ([]byte, *perr) {
	if len(text)%2 != 0 {
		return nil, reason("an even number of hex digit is expected")
	}
	out := make([]byte, 0, len(text)/2)
	for i := 0; i < len(text); i += 2 {
		hi, ok1 := unhex(text[i])
		lo, ok2 := unhex(text[i+1])
		if !ok1 {
			return nil, reason("an hex digit is expected (found '" + text[i:i+1] + "')")
		}
		if !ok2 {
			return nil, reason("an hex digit is expected (found '" + text[i+1:i+2] + "')")
		}
		out = append(out, hi<<4|lo)
	}
	return out, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// compileRegex compiles an HAProxy regex with Go's RE2 engine. PCRE-only
// constructs (back-references, look-around, atomic groups, possessive
// quantifiers) are refused with an error saying so.
func compileRegex(text string, fold bool) (*regexp.Regexp, *perr) {
	expr := text
	if fold {
		expr = "(?i)" + text
	}
	re, err := regexp.Compile(expr)
	if err == nil {
		return re, nil
	}
	var se *syntax.Error
	detail := err.Error()
	if errors.As(err, &se) {
		detail = string(se.Code) + ": `" + se.Expr + "`"
		if isPCREOnly(se) {
			return nil, reason("regex '" + text + "' is invalid (error=" + detail +
				"; back-references and look-around are PCRE-only syntax, hitless uses RE2)")
		}
	}
	return nil, reason("regex '" + text + "' is invalid (error=" + detail + ")")
}

func isPCREOnly(se *syntax.Error) bool {
	switch se.Code {
	case syntax.ErrInvalidEscape:
		return len(se.Expr) == 2 && se.Expr[1] >= '1' && se.Expr[1] <= '9' ||
			strings.HasPrefix(se.Expr, `\k`) || strings.HasPrefix(se.Expr, `\g`)
	case syntax.ErrInvalidPerlOp:
		for _, p := range []string{"(?=", "(?!", "(?<=", "(?<!", "(?>"} {
			if strings.HasPrefix(se.Expr, p) {
				return true
			}
		}
	case syntax.ErrInvalidRepeatOp:
		return strings.HasSuffix(se.Expr, "++") || strings.HasSuffix(se.Expr, "*+") || strings.HasSuffix(se.Expr, "?+")
	}
	return false
}

// knownMethods are the methods HAProxy identifies (find_http_meth).
var knownMethods = []string{"OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT"}

func isKnownMethod(m []byte) bool {
	for _, k := range knownMethods {
		if string(m) == k {
			return true
		}
	}
	return false
}

// matchWord reports whether pat (delimiters stripped from both ends)
// appears in s between delimiters or the ends of s, as HAProxy's "dir"
// and "dom" matching.
func matchWord(s, pat []byte, fold bool, delims string) bool {
	isDelim := func(c byte) bool { return strings.IndexByte(delims, c) >= 0 }
	for len(pat) > 0 && isDelim(pat[0]) {
		pat = pat[1:]
	}
	for len(pat) > 0 && isDelim(pat[len(pat)-1]) {
		pat = pat[:len(pat)-1]
	}
	if len(pat) > len(s) {
		return false
	}
	end := len(s) - len(pat)
	may := true
	for c := 0; c <= end; c++ {
		if c < len(s) && isDelim(s[c]) {
			may = true
			continue
		}
		if !may {
			continue
		}
		if hasPrefixFold(s[c:], pat, fold) && (c == end || isDelim(s[c+len(pat)])) {
			return true
		}
		may = false
	}
	return false
}
