package engine

import (
	"math/rand"
	"sort"
	"testing"
)

func TestWheelExpiresInOrderOfDeadlines(t *testing.T) {
	var w wheel
	rng := rand.New(rand.NewSource(3))
	timers := make([]timer, 2000)
	want := map[*timer]int64{}
	for i := range timers {
		when := int64(1 + rng.Intn(20000)) // spans several wheel rounds
		w.arm(&timers[i], when)
		want[&timers[i]] = when
	}
	// Re-arm a few earlier and later, and disarm some.
	for i := 0; i < 200; i++ {
		tm := &timers[rng.Intn(len(timers))]
		if i%3 == 0 {
			w.disarm(tm)
			delete(want, tm)
			continue
		}
		when := int64(1 + rng.Intn(20000))
		w.arm(tm, when)
		want[tm] = when
	}
	if w.n != len(want) {
		t.Fatalf("linked = %d, want %d", w.n, len(want))
	}
	var out []*timer
	got := map[*timer]int64{}
	for now := int64(0); now <= 20000; now += int64(1 + rng.Intn(700)) {
		out = w.expire(now, out[:0])
		for _, tm := range out {
			if tm.when > now {
				t.Fatalf("timer due %d expired at %d", tm.when, now)
			}
			got[tm] = now
		}
		// Nothing due at or before now may remain.
		for tm, when := range want {
			if _, fired := got[tm]; !fired && when <= now {
				t.Fatalf("timer due %d not expired at %d", when, now)
			}
		}
	}
	out = w.expire(40000, out[:0])
	for _, tm := range out {
		got[tm] = 40000
	}
	if len(got) != len(want) || w.n != 0 {
		t.Fatalf("fired %d of %d timers, %d left linked", len(got), len(want), w.n)
	}
}

func TestWheelNextIn(t *testing.T) {
	var w wheel
	if got := w.nextIn(); got != -1 {
		t.Fatalf("empty nextIn = %d, want -1", got)
	}
	var a, b timer
	w.expire(100, nil)
	w.arm(&a, 150)
	w.arm(&b, 130)
	if got := w.nextIn(); got != 30 {
		t.Fatalf("nextIn = %d, want 30", got)
	}
	w.disarm(&b)
	if got := w.nextIn(); got != 50 {
		t.Fatalf("nextIn = %d, want 50", got)
	}
	// A timer in the past is due on the next ms.
	w.arm(&b, 10)
	if got := w.nextIn(); got != 1 {
		t.Fatalf("nextIn for overdue = %d, want 1", got)
	}
	// Far future: the slot comes around within one span.
	w.disarm(&a)
	w.disarm(&b)
	w.arm(&a, 100+3*wheelSize+7)
	if got := w.nextIn(); got != 7 {
		t.Fatalf("nextIn far = %d, want 7", got)
	}
	ds := []int{}
	for _, d := range []int{5, 64, 65, 200, wheelSize - 1} {
		var tm timer
		w.arm(&tm, 100+int64(d))
		ds = append(ds, w.nextIn())
		w.disarm(&tm)
	}
	if !sort.IntsAreSorted(ds[1:]) && ds[0] != 5 {
		t.Fatalf("nextIn sequence %v", ds)
	}
	if ds[0] != 5 || ds[1] != 7 {
		t.Fatalf("nextIn sequence %v, want 5 then 7 (far timer wins)", ds)
	}
}

func BenchmarkWheelArmExpire(b *testing.B) {
	var w wheel
	timers := make([]timer, 1024)
	var out []*timer
	now := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		now++
		tm := &timers[now&1023]
		w.arm(tm, now+int64(now%5000))
		out = w.expire(now, out[:0])
	}
}
