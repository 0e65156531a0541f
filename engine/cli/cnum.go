package cli

import "math"

// HAProxy's commands read numbers with the C library (strtol, strtoul,
// atoi), and what they accept, ignore and wrap shows in their answers
// ("set weight b/s 7x" is trailing garbage, "port 70000" becomes 4464).
// These functions reproduce glibc's behaviour in the C locale on LP64.

func cIsSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// cStrtol is strtol(s, &end, 10): leading spaces, an optional sign, then
// decimal digits. end is the offset of the first unparsed byte, 0 when no
// digit was found (end == nptr in C). On overflow the value saturates and
// overflow is set (errno ERANGE).
func cStrtol(s string) (v int64, end int, overflow bool) {
	i := 0
	for i < len(s) && cIsSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var u uint64
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if u > (math.MaxUint64-d)/10 {
			overflow = true
		} else {
			u = u*10 + d
		}
		i++
	}
	if i == start {
		return 0, 0, false
	}
	switch {
	case neg && (overflow || u > 1<<63):
		return math.MinInt64, i, true
	case !neg && (overflow || u > math.MaxInt64):
		return math.MaxInt64, i, true
	case neg:
		return -int64(u), i, false
	}
	return int64(u), i, false
}

// cAtoi is atoi(s): strtol converted to a 32-bit int, keeping the low
// bits as GCC does.
func cAtoi(s string) int {
	v, _, _ := cStrtol(s)
	return int(int32(v))
}

// cStrtoul is strtoul(s, NULL, 0): leading spaces, an optional sign, then
// a hexadecimal ("0x"), octal ("0") or decimal number. A negative number
// is negated modulo 2^64; overflow saturates at MaxUint64. Without digits
// the result is 0.
func cStrtoul(s string) uint64 {
	i := 0
	for i < len(s) && cIsSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := uint64(10)
	switch {
	case i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && hexDigit(s[i+2]) >= 0:
		base, i = 16, i+2
	case i < len(s) && s[i] == '0':
		base = 8
	}
	var u uint64
	overflow := false
	for ; i < len(s); i++ {
		d := hexDigit(s[i])
		if d < 0 || uint64(d) >= base {
			break
		}
		if u > (math.MaxUint64-uint64(d))/base {
			overflow = true
		} else {
			u = u*base + uint64(d)
		}
	}
	if overflow {
		return math.MaxUint64
	}
	if neg {
		return -u
	}
	return u
}

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

// cStrl2irc is HAProxy's strl2irc: the whole string must be decimal
// digits, optionally after a '-' ("-" alone is 0), fitting a 32-bit int.
// An empty string, a '+', any other byte or an overflow is an error.
func cStrl2irc(s string) (v int, ok bool) {
	if s == "" {
		return 0, false
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var acc int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		acc = acc*10 + int64(s[i]-'0')
		if acc > math.MaxInt32+1 || (!neg && acc > math.MaxInt32) {
			return 0, false
		}
	}
	if neg {
		acc = -acc
	}
	return int(acc), true
}
