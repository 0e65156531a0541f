package rules

import (
	"net/netip"
	"strconv"

	"hitless/stick"
)

// Sample is the transaction a condition or expression reads. The engine
// implements it with pointer receivers, so passing one never allocates.
// Returned slices are valid until the next call that changes the
// transaction; callers must not keep them, and this package never
// modifies them.
type Sample interface {
	Method() []byte
	URL() []byte                                            // request target as received (HAProxy's url)
	Path() []byte                                           // path without query; empty when the target has none ("*", "http://h")
	Query() []byte                                          // without '?', empty when absent
	Minor() int                                             // HTTP/1.Minor of the request
	NumHeaders(res bool) int                                // request (false) or response (true)
	HeaderAt(res bool, i int) (name, value []byte, ok bool) // ok=false: deleted, skip
	Src() netip.Addr
	SrcPort() int
	Dst() netip.Addr
	DstPort() int
	Status() int // response status in response rules, 0 before
	Vars() *Vars // the transaction's variables

	// Stick counters. Tracked returns the table and entry stick counter
	// slot (0 to MaxTrackers-1) tracks, nil when it tracks none; the
	// entry stays referenced by the transaction. StickTable returns the
	// table of the proxy called name ("" : the proxy whose rules run),
	// nil when there is none. StickNow is the tables' date.
	Tracked(slot int) (*stick.Table, *stick.Entry)
	StickTable(name string) *stick.Table
	StickNow() int64
}

// smpType is the type of a sample value, as HAProxy's SMP_T_*.
type smpType uint8

const (
	typeAny  smpType = iota // decided at run time (var())
	typeBool                // i is 0 or 1
	typeInt                 // i
	typeStr                 // s
	typeIP                  // ip
	typeMeth                // s holds the method
	typeBin                 // s holds bytes (pattern type of -m bin)
)

var typeNames = [...]string{
	typeAny:  "any",
	typeBool: "boolean",
	typeInt:  "integer",
	typeStr:  "string",
	typeIP:   "ip",
	typeMeth: "method",
	typeBin:  "binary",
}

// value is one sample. s is only valid until the transaction changes or
// the scratch buffer it may point into is reused.
type value struct {
	t  smpType
	i  int64
	s  []byte
	ip netip.Addr
}

func (v *value) setStr(b []byte) { v.t, v.s = typeStr, b }
func (v *value) setInt(n int64)  { v.t, v.i = typeInt, n }
func (v *value) setBool(b bool) {
	v.t, v.i = typeBool, 0
	if b {
		v.i = 1
	}
}

// canCast reports whether HAProxy accepts a sample of type from where
// type to is expected (its sample_casts table, for the types hitless has).
func canCast(from, to smpType) bool {
	if from == to || from == typeAny || to == typeAny {
		return true
	}
	switch to {
	case typeBool, typeInt:
		return from == typeBool || from == typeInt || from == typeStr || from == typeIP
	case typeIP:
		return from == typeInt || from == typeStr
	case typeStr, typeBin:
		return true
	case typeMeth:
		return from == typeStr || from == typeBin
	}
	return false
}

// toInt casts v to an integer in place.
func (v *value) toInt() bool {
	switch v.t {
	case typeBool, typeInt:
		v.t = typeInt
		return true
	case typeStr, typeBin:
		v.setInt(readInt64(v.s))
		return true
	case typeIP:
		if !v.ip.Unmap().Is4() {
			return false
		}
		b := v.ip.Unmap().As4()
		v.setInt(int64(uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])))
		return true
	}
	return false
}

// toStr casts v to a string in place, formatting numbers and addresses
// at the end of *buf.
func (v *value) toStr(buf *[]byte) bool {
	switch v.t {
	case typeStr, typeMeth, typeBin:
		v.t = typeStr
		return true
	case typeBool, typeInt:
		start := len(*buf)
		*buf = strconv.AppendInt(*buf, v.i, 10)
		v.setStr((*buf)[start:])
		return true
	case typeIP:
		start := len(*buf)
		*buf = v.ip.AppendTo(*buf)
		v.setStr((*buf)[start:])
		return true
	}
	return false
}

// toIP casts v to an address in place.
func (v *value) toIP() bool {
	switch v.t {
	case typeIP:
		return true
	case typeInt:
		n := uint32(v.i)
		v.t, v.ip = typeIP, netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
		return true
	case typeStr:
		a, ok := parseAddrBytes(v.s)
		if !ok {
			return false
		}
		v.t, v.ip = typeIP, a
		return true
	}
	return false
}

// appendText appends the text form of v to dst, as HAProxy converts a
// sample to a string.
func (v *value) appendText(dst []byte) []byte {
	switch v.t {
	case typeBool, typeInt:
		return strconv.AppendInt(dst, v.i, 10)
	case typeIP:
		return v.ip.AppendTo(dst)
	default:
		return append(dst, v.s...)
	}
}

// parseAddrBytes parses a dotted IPv4 or an IPv6 address without
// allocating for IPv4.
func parseAddrBytes(b []byte) (netip.Addr, bool) {
	if a, ok := parseIPv4(b); ok {
		return netip.AddrFrom4(a), true
	}
	for _, c := range b {
		if c == ':' {
			a, err := netip.ParseAddr(string(b))
			if err != nil || a.Zone() != "" {
				return netip.Addr{}, false
			}
			return a, true
		}
	}
	return netip.Addr{}, false
}

// parseIPv4 parses exactly four dotted decimal bytes.
func parseIPv4(b []byte) ([4]byte, bool) {
	var out [4]byte
	part, n, digits := 0, 0, 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == '.' {
			if digits == 0 || part > 3 {
				return out, false
			}
			out[part] = byte(n)
			part++
			n, digits = 0, 0
			continue
		}
		c := b[i]
		if c < '0' || c > '9' || digits == 3 {
			return out, false
		}
		n = n*10 + int(c-'0')
		digits++
		if n > 255 {
			return out, false
		}
	}
	return out, part == 4
}

// readInt64 reads an optional sign and decimal digits at the start of b,
// stopping at the first other byte, as HAProxy's string to integer cast
// does; it saturates instead of overflowing.
func readInt64(b []byte) int64 {
	i, neg := 0, false
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	var n uint64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n > (1<<63)/10 {
			n = 1 << 63
			continue
		}
		n = n*10 + uint64(b[i]-'0')
		if n > 1<<63 {
			n = 1 << 63
		}
	}
	if neg {
		return -int64(n)
	}
	if n > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(n)
}
