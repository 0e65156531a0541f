//go:build !race

package engine

import "testing"

// TestForwardDoesNotAllocate asserts the hot-path rule: forwarding a
// chunk allocates nothing once the reactor's pools are warm.
func TestForwardDoesNotAllocate(t *testing.T) {
	for _, mode := range []uint8{spliceNever, spliceAlways, spliceAuto} {
		rig := newChunkRig(t, mode, 16<<10)
		rig.roundTrip(t)
		rig.roundTrip(t)
		rig.roundTrip(t)
		if a := testing.AllocsPerRun(200, func() { rig.roundTrip(t) }); a != 0 {
			t.Errorf("splice mode %d: %v allocations per forwarded round trip, want 0", mode, a)
		}
	}
}

// TestTimerWheelDoesNotAllocate covers the per-stream timer operations.
func TestTimerWheelDoesNotAllocate(t *testing.T) {
	var w wheel
	timers := make([]timer, 64)
	out := make([]*timer, 0, 64)
	now := int64(0)
	a := testing.AllocsPerRun(1000, func() {
		now++
		tm := &timers[now%64]
		w.arm(tm, now+int64(now%300))
		w.armEarlier(tm, now+5)
		out = w.expire(now, out[:0])
	})
	if a != 0 {
		t.Errorf("timer wheel: %v allocations per operation, want 0", a)
	}
}
