package engine

import "math/bits"

// Timers are kept in a per-reactor hashed wheel of wheelSize one-millisecond
// slots. A timer far in the future sits in the slot of its deadline modulo
// the wheel span and is skipped until its round comes. Timers are intrusive
// (embedded in their owner) so arming never allocates.
//
// Deadlines are lazy: owners record activity timestamps on every I/O and
// only arm a timer when a deadline moves earlier; when a timer fires the
// owner recomputes its real deadline and either acts or re-arms. This keeps
// wheel operations off the per-chunk path.
const (
	wheelBits = 12
	wheelSize = 1 << wheelBits // slots; the span is wheelSize ms
	wheelMask = wheelSize - 1
)

// timerKind says what a fired timer belongs to.
type timerKind uint8

const (
	timerStream   timerKind = 1 // idx is a stream index
	timerListener timerKind = 2 // idx is a listener index in the reactor
	timerCheck    timerKind = 3 // idx is a checker index in the reactor
	timerIdle     timerKind = 4 // the idle connection pool's purge
)

// timer is an intrusive wheel entry. Owned by one reactor.
type timer struct {
	when       int64 // reactor clock ms; meaningful only while linked
	prev, next *timer
	linked     bool
	kind       timerKind
	idx        int32
}

// wheel is a reactor's timer wheel. Owned by one reactor; not safe for
// concurrent use.
type wheel struct {
	slots [wheelSize]*timer
	used  [wheelSize / 64]uint64 // bit set when the slot list is non-empty
	cur   int64                  // last processed ms
	n     int                    // linked timers
}

func (w *wheel) link(t *timer, when int64) {
	if when <= w.cur {
		when = w.cur + 1
	}
	t.when = when
	s := int(when & wheelMask)
	t.prev = nil
	t.next = w.slots[s]
	if t.next != nil {
		t.next.prev = t
	}
	w.slots[s] = t
	w.used[s>>6] |= 1 << (s & 63)
	t.linked = true
	w.n++
}

func (w *wheel) unlink(t *timer) {
	s := int(t.when & wheelMask)
	if t.prev != nil {
		t.prev.next = t.next
	} else {
		w.slots[s] = t.next
		if t.next == nil {
			w.used[s>>6] &^= 1 << (s & 63)
		}
	}
	if t.next != nil {
		t.next.prev = t.prev
	}
	t.prev, t.next, t.linked = nil, nil, false
	w.n--
}

// arm schedules t at when (reactor ms), replacing any earlier schedule.
func (w *wheel) arm(t *timer, when int64) {
	if t.linked {
		if t.when == when {
			return
		}
		w.unlink(t)
	}
	w.link(t, when)
}

// armEarlier schedules t at when unless it is already due no later.
func (w *wheel) armEarlier(t *timer, when int64) {
	if t.linked && t.when <= when {
		return
	}
	w.arm(t, when)
}

// disarm removes t if it is scheduled.
func (w *wheel) disarm(t *timer) {
	if t.linked {
		w.unlink(t)
	}
}

// expire unlinks every timer due at or before now and appends it to out,
// which it returns. It visits each elapsed slot once, or every slot once
// when more than a whole span elapsed.
func (w *wheel) expire(now int64, out []*timer) []*timer {
	if now <= w.cur {
		return out
	}
	from, to := w.cur+1, now
	if to-from >= wheelSize {
		from = to - wheelSize + 1
	}
	w.cur = now
	if w.n == 0 {
		return out
	}
	for ms := from; ms <= to; ms++ {
		s := int(ms & wheelMask)
		if w.used[s>>6]&(1<<(s&63)) == 0 {
			continue
		}
		for t := w.slots[s]; t != nil; {
			next := t.next
			if t.when <= now {
				w.unlink(t)
				out = append(out, t)
			}
			t = next
		}
	}
	return out
}

// nextIn returns how many ms after the last processed instant the next
// non-empty slot comes, capped at the wheel span, or -1 when no timer is
// armed. A far-future timer may make it return early; callers just expire
// and ask again.
func (w *wheel) nextIn() int {
	if w.n == 0 {
		return -1
	}
	start := int((w.cur + 1) & wheelMask)
	for i := 0; i < wheelSize; {
		s := (start + i) & wheelMask
		word := w.used[s>>6] >> (s & 63)
		if word != 0 {
			return i + bits.TrailingZeros64(word) + 1
		}
		i += 64 - (s & 63)
	}
	return wheelSize
}
