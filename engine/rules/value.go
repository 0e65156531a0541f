package rules

import "net/netip"

// ValueKind is the kind of a typed sample value.
type ValueKind uint8

const (
	ValueNone  ValueKind = iota // no sample
	ValueInt                    // integers and booleans
	ValueAddr                   // IPv4 and IPv6 addresses
	ValueBytes                  // strings, methods and binary samples
)

// Value is a sample with its type, as stick tables need it to build keys
// (an address keys an ip table differently from its text).
type Value struct {
	Kind  ValueKind
	Int   int64
	Addr  netip.Addr
	Bytes []byte // valid until buf is reused or the transaction changes
}

// Eval evaluates e on s and returns the typed value (Kind ValueNone when
// the sample is absent) and buf, the scratch space it may have used (pass
// it back in to reuse it). Multi-valued fetches give the occurrence
// [Expr.Append] gives. It does not allocate unless buf must grow.
func (e *Expr) Eval(buf []byte, s Sample) (Value, []byte) {
	var it iter
	var v value
	buf = buf[:0]
	if !e.eval(s, &it, &buf, &v) {
		return Value{}, buf
	}
	switch v.t {
	case typeBool, typeInt:
		return Value{Kind: ValueInt, Int: v.i}, buf
	case typeIP:
		return Value{Kind: ValueAddr, Addr: v.ip}, buf
	}
	return Value{Kind: ValueBytes, Bytes: v.s}, buf
}

// ParseAddr parses a dotted IPv4 or an IPv6 address, without allocating
// for IPv4.
func ParseAddr(b []byte) (netip.Addr, bool) { return parseAddrBytes(b) }
