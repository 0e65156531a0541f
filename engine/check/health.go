package check

import (
	"strconv"
	"time"
)

// Health is a server's health counter (HAProxy's check->health), owned by
// whoever owns the server's check.
//
// Cur ranges over [0, Rise+Fall-1]. The server counts as UP while
// Cur >= Rise. A success moves Cur up by one and, once it reaches Rise,
// straight to Rise+Fall-1; a failure moves it down by one and, once it
// falls below Rise, straight to 0. A server starts with Cur = Rise: UP,
// shown "UP 1/<fall>", and a single failure takes it DOWN.
type Health struct {
	Rise, Fall int
	Cur        int
}

// NewHealth returns the health of a server that was never checked.
// rise and fall below 1 are taken as 1.
func NewHealth(rise, fall int) Health {
	rise, fall = max(rise, 1), max(fall, 1)
	return Health{Rise: rise, Fall: fall, Cur: rise}
}

// Max is the counter of a server that passed enough checks to be fully UP.
func (h *Health) Max() int { return h.Rise + h.Fall - 1 }

// Up reports whether the counter says UP.
func (h *Health) Up() bool { return h.Cur >= h.Rise }

// Report applies one check outcome (ok for passed and conditionally
// passed checks) and reports whether the counter crossed between DOWN and
// UP. Use Observe to also learn whether the counter moved.
func (h *Health) Report(ok bool) (changed bool) {
	_, changed = h.Observe(ok)
	return changed
}

// Observe is Report that also says whether the counter moved, which
// HAProxy needs to decide whether a check is logged.
func (h *Health) Observe(ok bool) (moved, changed bool) {
	was := h.Up()
	if ok {
		if h.Cur < h.Max() {
			moved = true
			h.Cur++
			if h.Cur >= h.Rise {
				h.Cur = h.Max()
			}
		}
	} else if h.Cur > 0 {
		moved = true
		h.Cur--
		if h.Cur < h.Rise {
			h.Cur = 0
		}
	}
	return moved, h.Up() != was
}

// Progress returns the "i/n" of HAProxy's messages: the checks passed
// towards Fall while UP, or towards Rise while DOWN.
func (h *Health) Progress() (i, n int) {
	if h.Up() {
		return h.Cur - h.Rise + 1, h.Fall
	}
	return h.Cur, h.Rise
}

// OpState is a server's operational state as far as the status string
// is concerned.
type OpState uint8

const (
	OpRunning  OpState = iota // UP (also while warming up with slowstart)
	OpStopping                // NOLB: up, but takes no new traffic (disable-on-404)
	OpStopped                 // DOWN
)

// Status returns the status of "show stat" for a server whose state
// follows its counter: "UP", "UP 1/3", "DOWN", "DOWN 1/2". It allocates.
func (h *Health) Status() string {
	st := OpStopped
	if h.Up() {
		st = OpRunning
	}
	return string(h.AppendStatus(nil, st))
}

// AppendStatus appends the status of "show stat" for a checked server in
// state st: "UP"/"UP i/n", "NOLB"/"NOLB i/n", "DOWN"/"DOWN i/n". The
// administrative states (MAINT, DRAIN) are not the counter's business.
func (h *Health) AppendStatus(dst []byte, st OpState) []byte {
	switch st {
	case OpRunning, OpStopping:
		if st == OpRunning {
			dst = append(dst, "UP"...)
		} else {
			dst = append(dst, "NOLB"...)
		}
		if h.Cur == h.Max() {
			return dst
		}
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(h.Cur-h.Rise+1), 10)
		dst = append(dst, '/')
		return strconv.AppendInt(dst, int64(h.Fall), 10)
	}
	dst = append(dst, "DOWN"...)
	if h.Cur == 0 {
		return dst
	}
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(h.Cur), 10)
	dst = append(dst, '/')
	return strconv.AppendInt(dst, int64(h.Rise), 10)
}

// Interval returns the delay before the next check (HAProxy's
// srv_getinter): inter while fully UP, downinter while fully DOWN,
// fastinter in between (a transition, or a server never checked). A zero
// fastinter or downinter means inter.
func (h *Health) Interval(inter, fastinter, downinter time.Duration) time.Duration {
	switch {
	case h.Cur == h.Max():
		return inter
	case h.Cur == 0 && downinter > 0:
		return downinter
	case h.Cur == 0:
		return inter
	case fastinter > 0:
		return fastinter
	}
	return inter
}

// Spread applies "spread-checks <percent>" to a delay d: HAProxy adds a
// random offset within +/- percent of d, in milliseconds. rnd is a uniform
// random 32-bit value; it is a parameter so that callers and tests choose
// the source.
func Spread(d time.Duration, percent int, rnd uint32) time.Duration {
	if percent <= 0 {
		return d
	}
	ms := d.Milliseconds()
	rv := ms * int64(percent) / 100
	rv -= int64(2 * float64(rv) * (float64(rnd) / 4294967295.0))
	return time.Duration(ms+rv) * time.Millisecond
}

// interThreshold is SRV_CHK_INTER_THRES: checks with a shorter interval
// do not dictate how start-up checks are spread.
const interThreshold = time.Second

// StartDelays returns when each of the checks whose current intervals are
// inters runs first after start-up, as HAProxy staggers them: the
// smallest interval of at least one second (or the check's own one, if
// longer), optionally spread, divided by the number of checks and
// multiplied by the check's position. rnd is called once per check when
// spread is positive. It allocates the returned slice.
func StartDelays(inters []time.Duration, spread int, rnd func() uint32) []time.Duration {
	var least time.Duration
	for _, in := range inters {
		if in >= interThreshold && (least == 0 || in < least) {
			least = in
		}
	}
	out := make([]time.Duration, len(inters))
	n := int64(len(inters))
	for pos, in := range inters {
		m := least.Milliseconds()
		if m < in.Milliseconds() {
			m = in.Milliseconds()
		}
		if spread > 0 {
			rv := in.Milliseconds() * int64(spread) / 100
			rv -= int64(2 * float64(rv) * (float64(rnd()) / 4294967295.0))
			m += rv
		}
		out[pos] = time.Duration(m*int64(pos)/n) * time.Millisecond
	}
	return out
}

// Timeouts returns how long a check may take, as HAProxy bounds it: a
// connection attempt may last inter, or at most "timeout connect" when
// "timeout check" is set too; once connected, the rest of the check may
// last "timeout check" when set, else rest is zero and the connection's
// deadline still applies. Each connect step starts over.
func Timeouts(inter, connect, check time.Duration) (conn, rest time.Duration) {
	conn = inter
	if check > 0 && connect > 0 && connect < conn {
		conn = connect
	}
	return conn, check
}

// LogWorthy reports whether HAProxy logs a check result under "option
// log-health-checks": its status differs from the previous result's, or
// the health counter moved.
func LogWorthy(prev, cur Status, moved bool) bool { return prev != cur || moved }
