package rules

// convDef describes a converter. Converters take their input as in, cast
// as HAProxy casts samples, write what they build at the end of *buf and
// never modify bytes they do not own.
type convDef struct {
	name string
	in   smpType
	out  smpType
	kind convKind
}

type convKind uint8

const (
	ckLower convKind = iota + 1
	ckUpper
	ckHex
	ckLength
)

// apply converts v; false when v cannot be converted.
func (c *convDef) apply(v *value, buf *[]byte) bool {
	switch c.kind {
	case ckLower:
		return convLower(v, buf)
	case ckUpper:
		return convUpper(v, buf)
	case ckHex:
		return convHex(v, buf)
	case ckLength:
		return convLength(v, buf)
	}
	return false
}

var convDefs = map[string]*convDef{}

func init() {
	for _, c := range []*convDef{
		{name: "lower", in: typeStr, out: typeStr, kind: ckLower},
		{name: "upper", in: typeStr, out: typeStr, kind: ckUpper},
		{name: "hex", in: typeBin, out: typeStr, kind: ckHex},
		{name: "length", in: typeStr, out: typeInt, kind: ckLength},
	} {
		convDefs[c.name] = c
	}
}

// ownStr casts v to a string copied at the end of *buf, which the
// converter may then modify in place.
func ownStr(v *value, buf *[]byte) bool {
	if !v.toStr(buf) {
		return false
	}
	start := len(*buf)
	*buf = append(*buf, v.s...)
	v.setStr((*buf)[start:])
	return true
}

func convLower(v *value, buf *[]byte) bool {
	if !ownStr(v, buf) {
		return false
	}
	for i, c := range v.s {
		v.s[i] = lowerByte(c)
	}
	return true
}

func convUpper(v *value, buf *[]byte) bool {
	if !ownStr(v, buf) {
		return false
	}
	for i, c := range v.s {
		v.s[i] = upperByte(c)
	}
	return true
}

const hexDigits = "0123456789ABCDEF"

// convHex writes the bytes of the binary form of v in upper-case hex:
// strings as they are, integers as 8 bytes and addresses as 4 or 16 bytes
// in network order, as HAProxy's casts to binary.
func convHex(v *value, buf *[]byte) bool {
	start := len(*buf)
	switch v.t {
	case typeBool, typeInt:
		n := uint64(v.i)
		for sh := 56; sh >= 0; sh -= 8 {
			b := byte(n >> sh)
			*buf = append(*buf, hexDigits[b>>4], hexDigits[b&15])
		}
	case typeIP:
		a := v.ip
		if a.Is4() {
			for _, b := range a.As4() {
				*buf = append(*buf, hexDigits[b>>4], hexDigits[b&15])
			}
		} else {
			for _, b := range a.As16() {
				*buf = append(*buf, hexDigits[b>>4], hexDigits[b&15])
			}
		}
	default:
		for _, b := range v.s {
			*buf = append(*buf, hexDigits[b>>4], hexDigits[b&15])
		}
	}
	v.setStr((*buf)[start:])
	return true
}

func convLength(v *value, buf *[]byte) bool {
	if !v.toStr(buf) {
		return false
	}
	v.setInt(int64(len(v.s)))
	return true
}
