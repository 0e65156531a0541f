package lb

import "hash/crc32"

// The hash functions of HAProxy's "hash-type <method> <function>", computed
// over bytes (never sign-extended), plus the "avalanche" modifier. Their
// results equal HAProxy's for the same input, so that a key maps to the
// same server as under HAProxy given the same servers, ids and weights.

// hashFunc names one hash function.
type hashFunc uint8

const (
	hashSDBM hashFunc = iota
	hashDJB2
	hashWT6
	hashCRC32
	hashNone
)

// parseHashFunc maps a hash-type function name to a hashFunc; "" is sdbm.
func parseHashFunc(name string) (hashFunc, bool) {
	switch name {
	case "", "sdbm":
		return hashSDBM, true
	case "djb2":
		return hashDJB2, true
	case "wt6":
		return hashWT6, true
	case "crc32":
		return hashCRC32, true
	case "none":
		return hashNone, true
	}
	return hashSDBM, false
}

// Hash returns HAProxy's hash of data with the named function: sdbm (also
// "" and any unknown name, as sdbm is HAProxy's default), djb2, wt6, crc32
// (IEEE, as zlib), or none. "none" does not hash: as HAProxy does, it reads
// data as a decimal integer (optional sign, digits up to the first other
// byte, saturated to 64 bits) and keeps its low 32 bits, for keys already
// hashed by a converter. Hash does not apply the avalanche modifier (see
// [Avalanche]) and does not allocate.
func Hash(fn string, data []byte) uint32 {
	f, _ := parseHashFunc(fn)
	return f.sum(data)
}

func (f hashFunc) sum(b []byte) uint32 {
	switch f {
	case hashDJB2:
		return djb2(b)
	case hashWT6:
		return wt6(b)
	case hashCRC32:
		return crc32.ChecksumIEEE(b)
	case hashNone:
		return decimalKey(b)
	}
	return sdbm(b)
}

// sdbm is h = c + 65599*h over the bytes, from 0.
func sdbm(b []byte) uint32 {
	var h uint32
	for _, c := range b {
		h = uint32(c) + h<<6 + h<<16 - h
	}
	return h
}

// djb2 is h = 33*h + c over the bytes, from 5381.
func djb2(b []byte) uint32 {
	h := uint32(5381)
	for _, c := range b {
		h = h<<5 + h + uint32(c)
	}
	return h
}

// wt6 is Willy Tarreau's hash from the 2013 "Consistent hashing alternative
// to sdbm" thread: two 32-bit lanes, each byte complements and mixes them,
// then both are rotated by amounts taken from the previous state.
func wt6(b []byte) uint32 {
	h0, h1 := uint32(0xa53c965a), uint32(0x5ca6953a)
	rot0, rot1 := uint32(6), uint32(18)
	for _, c := range b {
		t := uint32(c)
		h0 = ^(h0 ^ t)
		h1 = ^(h1 + t)
		h0, h1 = rotl(h1, rot0), rotl(h0, rot1)
		t = (h0>>16 ^ h1) & 0xffff
		rot0, rot1 = t&0x1f, t>>11
	}
	return h0 ^ h1
}

// rotl rotates left by r in 0..31. A rotation by 0 is the identity, which
// is also what x86 gives for HAProxy's C expression (x<<0 | x>>32).
func rotl(x, r uint32) uint32 {
	return x<<r | x>>((32-r)&31)
}

// decimalKey is HAProxy's "none" function: read_int64 truncated to 32 bits.
func decimalKey(b []byte) uint32 {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	var v uint64
	for _, c := range b {
		d := uint64(c) - '0'
		if d > 9 {
			break
		}
		if v > (^uint64(0)-d)/10 {
			v = ^uint64(0) // saturated; the remaining digits do not matter
			break
		}
		v = v*10 + d
	}
	// read_int64 clamps to the int64 range before the caller truncates.
	if neg {
		if v > 1<<63 {
			v = 1 << 63
		}
		return uint32(-v)
	}
	if v > 1<<63-1 {
		v = 1<<63 - 1
	}
	return uint32(v)
}

// Avalanche is HAProxy's full_hash: one of Bob Jenkins' 32-bit integer
// mixes followed by a multiplication by 3221225473, which spreads close
// inputs all over the 32-bit space. It is the "avalanche" modifier and
// also places the points of consistent hashing.
func Avalanche(a uint32) uint32 {
	a = (a + 0x7ed55d16) + (a << 12)
	a = (a ^ 0xc761c23c) ^ (a >> 19)
	a = (a + 0x165667b1) + (a << 5)
	a = (a + 0xd3a2646c) ^ (a << 9)
	a = (a + 0xfd7046c5) + (a << 3)
	a = (a ^ 0xb55a4f09) ^ (a >> 16)
	return a * 3221225473
}
