package config

import (
	"math"
	"strconv"
)

// HAProxy reads most integer arguments with C's atol() or strtol(), which
// accept a prefix and ignore what follows. The helpers below reproduce
// those semantics so that a file HAProxy accepts is accepted here with the
// same values.

// strtolBase10 reads a base-10 integer from s[p:] like C's strtol: leading
// blanks, an optional sign, then digits; the value saturates at the int64
// limits. end is the offset after the last digit, or p when there is none.
func strtolBase10(s string, p int) (int64, int) {
	return strtol(s, p, 10)
}

// strtol reads an integer from s[p:] like C's strtol with the given base
// (0 selects 16 for a "0x" prefix followed by a hex digit, 8 for a leading
// zero, 10 otherwise).
func strtol(s string, p, base int) (int64, int) {
	i := p
	for i < len(s) && (isBlank(s[i]) || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if base == 0 {
		switch {
		case i+2 < len(s) && s[i] == '0' && s[i+1]|0x20 == 'x' && isHex(s[i+2]):
			base, i = 16, i+2
		case i < len(s) && s[i] == '0':
			base = 8
		default:
			base = 10
		}
	} else if base == 16 && i+2 < len(s) && s[i] == '0' && s[i+1]|0x20 == 'x' && isHex(s[i+2]) {
		i += 2
	}
	var (
		v        uint64
		digits   int
		overflow bool
	)
	for ; i < len(s); i++ {
		d := digitVal(s[i])
		if d < 0 || d >= base {
			break
		}
		digits++
		if v > (math.MaxUint64-uint64(d))/uint64(base) {
			overflow = true
			continue
		}
		v = v*uint64(base) + uint64(d)
	}
	if digits == 0 {
		return 0, p
	}
	switch {
	case !neg && (overflow || v > math.MaxInt64):
		return math.MaxInt64, i
	case neg && (overflow || v > 1<<63):
		return math.MinInt64, i
	case neg:
		return -int64(v), i
	}
	return int64(v), i
}

func digitVal(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'z':
		return int(c|0x20-'a') + 10
	}
	return -1
}

// atol reads s like C's atol(): the longest integer prefix, 0 when there
// is none. The result is clamped to the int range.
func atol(s string) int {
	v, _ := strtolBase10(s, 0)
	return clampInt(v)
}

func clampInt(v int64) int {
	if v > math.MaxInt32 {
		return math.MaxInt32
	}
	if v < math.MinInt32 {
		return math.MinInt32
	}
	return int(v)
}

// parseUint reads a whole-word unsigned decimal number; ok is false when s
// is empty, has anything but digits, or overflows max.
func parseUint(s string, max int) (int, bool) {
	if s == "" {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
		if v > max {
			return 0, false
		}
	}
	return v, true
}

func itoa(n int) string { return strconv.Itoa(n) }
