package config

import (
	"errors"
	"math"
	"time"
)

// Time values (configuration.txt section 2.5): a decimal integer followed
// by an optional unit among us, ms, s, m, h and d. HAProxy keeps timers in
// milliseconds: microseconds are rounded up to the next millisecond, and
// a value above 2147483647 ms (about 24.8 days) overflows.

// ErrTimeSyntax is wrapped by ParseTime for a value that is not a time.
var ErrTimeSyntax = errors.New("config: invalid time value")

// ErrTimeOverflow is wrapped by ParseTime for a value above MaxTime.
var ErrTimeOverflow = errors.New("config: time value overflow")

// MaxTime is the largest time value HAProxy accepts for a timer.
const MaxTime = math.MaxInt32 * time.Millisecond

// ParseTime parses s as an HAProxy time value in milliseconds by default,
// for example "100" (100ms), "10s", "1m", "250us" (rounded up to 1ms).
// Trailing characters after a valid unit are an error here; the
// configuration parser only warns about them, as HAProxy 2.6 does.
func ParseTime(s string) (time.Duration, error) {
	t := parseTime(s)
	switch {
	case t.overflow:
		return 0, &timeError{s: s, err: ErrTimeOverflow}
	case t.bad >= 0 || t.trailing >= 0:
		return 0, &timeError{s: s, err: ErrTimeSyntax}
	}
	return t.d, nil
}

type timeError struct {
	s   string
	err error
}

func (e *timeError) Error() string { return e.err.Error() + ": '" + e.s + "'" }

func (e *timeError) Unwrap() error { return e.err }

// timeParse is the detailed outcome of parsing a time value.
type timeParse struct {
	d        time.Duration
	bad      int  // offset of the character that is neither a digit nor a unit; -1 if none
	trailing int  // offset of characters following a valid unit; -1 if none
	overflow bool // the value exceeds MaxTime
}

// parseTime parses s, reporting where it stopped making sense so that the
// caller can word HAProxy's messages ("unexpected character 'x' ...").
// An empty string is bad at offset 0.
func parseTime(s string) timeParse {
	r := timeParse{bad: -1, trailing: -1}
	i := 0
	var v uint64
	for i < len(s) && isDigit(s[i]) {
		if v < 1<<62 {
			v = v*10 + uint64(s[i]-'0')
		}
		i++
	}
	if i == 0 {
		r.bad = 0
		return r
	}
	// mult/div convert the value to milliseconds.
	mult, div := uint64(1), uint64(1)
	switch {
	case i == len(s):
	case s[i] == 'u' && i+1 < len(s) && s[i+1] == 's':
		div, i = 1000, i+2
	case s[i] == 'm' && i+1 < len(s) && s[i+1] == 's':
		i += 2
	case s[i] == 's':
		mult, i = 1000, i+1
	case s[i] == 'm':
		mult, i = 60*1000, i+1
	case s[i] == 'h':
		mult, i = 3600*1000, i+1
	case s[i] == 'd':
		mult, i = 86400*1000, i+1
	default:
		r.bad = i
		return r
	}
	if i < len(s) {
		r.trailing = i
	}
	ms := (v + div - 1) / div
	if ms > math.MaxInt32/mult {
		r.overflow = true
		return r
	}
	r.d = time.Duration(ms*mult) * time.Millisecond
	return r
}
