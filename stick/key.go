package stick

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
)

// KeyType is the type of a table's keys, as declared by "stick-table type".
type KeyType uint8

const (
	KeyIPv4    KeyType = iota // "ip" or "ipv4": 4 bytes
	KeyIPv6                   // "ipv6": 16 bytes
	KeyInteger                // "integer": 32 bits, big endian
	KeyString                 // "string [len n]": up to n bytes, truncated
	KeyBinary                 // "binary [len n]": n bytes, zero-padded
)

// DefaultKeyLen is the length of string and binary keys without "len".
const DefaultKeyLen = 32

var keyTypeNames = [...]string{KeyIPv4: "ip", KeyIPv6: "ipv6", KeyInteger: "integer", KeyString: "string", KeyBinary: "binary"}

// String returns the type's name as "show table" prints it.
func (k KeyType) String() string {
	if int(k) < len(keyTypeNames) {
		return keyTypeNames[k]
	}
	return "?"
}

// ParseKeyType parses a "stick-table type" word. It reports whether the
// type takes a "len" argument.
func ParseKeyType(s string) (t KeyType, hasLen, ok bool) {
	switch s {
	case "ip", "ipv4":
		return KeyIPv4, false, true
	case "ipv6":
		return KeyIPv6, false, true
	case "integer":
		return KeyInteger, false, true
	case "string":
		return KeyString, true, true
	case "binary":
		return KeyBinary, true, true
	}
	return 0, false, false
}

// ErrBadKey is returned by [Table.ParseKey] for text that is not a key of
// the table's type.
var ErrBadKey = errors.New("stick: invalid key")

// keySize returns the fixed size of keys of type t with length n.
func keySize(t KeyType, n int) int {
	switch t {
	case KeyIPv4, KeyInteger:
		return 4
	case KeyIPv6:
		return 16
	}
	return n
}

// KeyIP appends to dst the key for address ip (4 or 16 bytes, an IPv4
// address may be IPv4-mapped) and returns it. An IPv6 address that is not
// IPv4-mapped has no key in an IPv4 table: ok is false then. It does not
// allocate when dst has room.
func (t *Table) KeyIP(dst []byte, ip []byte) (key []byte, ok bool) {
	switch t.keyType {
	case KeyIPv4:
		switch len(ip) {
		case 4:
			return append(dst, ip...), true
		case 16:
			if isMapped(ip) {
				return append(dst, ip[12:]...), true
			}
		}
		return dst, false
	case KeyIPv6:
		switch len(ip) {
		case 4:
			dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff)
			return append(dst, ip...), true
		case 16:
			return append(dst, ip...), true
		}
		return dst, false
	case KeyString, KeyBinary:
		var a netip.Addr
		switch len(ip) {
		case 4:
			a = netip.AddrFrom4([4]byte(ip))
		case 16:
			a = netip.AddrFrom16([16]byte(ip)).Unmap()
		default:
			return dst, false
		}
		var buf [64]byte
		return t.KeyBytes(dst, a.AppendTo(buf[:0])), true
	case KeyInteger:
		if len(ip) == 4 {
			return append(dst, ip...), true
		}
	}
	return dst, false
}

func isMapped(ip []byte) bool {
	for _, b := range ip[:10] {
		if b != 0 {
			return false
		}
	}
	return ip[10] == 0xff && ip[11] == 0xff
}

// KeyInt appends to dst the key for integer n in an integer table (the low
// 32 bits), or its decimal text in a string or binary table.
func (t *Table) KeyInt(dst []byte, n int64) []byte {
	switch t.keyType {
	case KeyString, KeyBinary:
		var buf [24]byte
		return t.KeyBytes(dst, strconv.AppendInt(buf[:0], n, 10))
	}
	return binary.BigEndian.AppendUint32(dst, uint32(n))
}

// KeyBytes appends to dst the key for bytes b in a string table (truncated
// to the key length) or a binary table (truncated or zero-padded). For
// the other types b must already be a key of the right size.
func (t *Table) KeyBytes(dst []byte, b []byte) []byte {
	if len(b) > t.keyLen {
		b = b[:t.keyLen]
	}
	dst = append(dst, b...)
	if t.keyType == KeyBinary {
		for i := len(b); i < t.keyLen; i++ {
			dst = append(dst, 0)
		}
	}
	return dst
}

// ParseKey appends to dst the key written as text s ("set table ... key"),
// or returns ErrBadKey.
func (t *Table) ParseKey(dst []byte, s string) ([]byte, error) {
	switch t.keyType {
	case KeyIPv4, KeyIPv6:
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return dst, ErrBadKey
		}
		if t.keyType == KeyIPv4 && !a.Unmap().Is4() || t.keyType == KeyIPv6 && a.Is4() {
			return dst, ErrBadKey
		}
		b := a.AsSlice()
		k, ok := t.KeyIP(dst, b)
		if !ok {
			return dst, ErrBadKey
		}
		return k, nil
	case KeyInteger:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return dst, ErrBadKey
		}
		return t.KeyInt(dst, n), nil
	case KeyString:
		return t.KeyBytes(dst, []byte(s)), nil
	case KeyBinary:
		if len(s)%2 != 0 {
			return dst, ErrBadKey
		}
		b := make([]byte, len(s)/2)
		for i := range b {
			v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
			if err != nil {
				return dst, ErrBadKey
			}
			b[i] = byte(v)
		}
		return t.KeyBytes(dst, b), nil
	}
	return dst, ErrBadKey
}

// AppendKey appends key k, as stored in the table, in the text form "show
// table" prints.
func (t *Table) AppendKey(dst []byte, k []byte) []byte {
	switch t.keyType {
	case KeyIPv4:
		if len(k) == 4 {
			return netip.AddrFrom4([4]byte(k)).AppendTo(dst)
		}
	case KeyIPv6:
		if len(k) == 16 {
			return netip.AddrFrom16([16]byte(k)).AppendTo(dst)
		}
	case KeyInteger:
		if len(k) == 4 {
			return strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(k)), 10)
		}
	case KeyString:
		for _, c := range k {
			switch {
			case c == 0:
				return dst
			case c < ' ' || c >= 0x7f || c == '\\':
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
			default:
				dst = append(dst, c)
			}
		}
		return dst
	case KeyBinary:
		for _, c := range k {
			dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
		}
		return dst
	}
	return dst
}

const hexDigits = "0123456789ABCDEF"
