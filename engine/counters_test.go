package engine

import (
	"sync"
	"testing"
)

func TestGaugeTakeBelowNeverExceeds(t *testing.T) {
	var g gauge
	const limit = 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				if g.takeBelow(limit, true) {
					mu.Lock()
					taken++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if taken != limit || g.cur.Load() != limit || g.max.Load() != limit {
		t.Fatalf("taken %d, cur %d, max %d; want %d each", taken, g.cur.Load(), g.max.Load(), limit)
	}
	g.dec()
	if !g.takeBelow(limit, true) || g.takeBelow(limit, true) {
		t.Fatal("after one release exactly one take must succeed")
	}
	if !g.takeBelow(0, true) {
		t.Fatal("limit 0 means unlimited")
	}
}

func TestRate(t *testing.T) {
	var r rate
	for i := 0; i < 100; i++ {
		r.add(5000 + int64(i)) // 100 events early in second 5
	}
	if got := r.read(5500); got != 100 {
		t.Fatalf("rate in same second = %d, want 100", got)
	}
	// Half-way through second 6, half of second 5 is still in the window.
	if got := r.read(6500); got != 50 {
		t.Fatalf("rate half a second later = %d, want 50", got)
	}
	r.add(6500)
	if got := r.read(6500); got != 51 {
		t.Fatalf("rate after add = %d, want 51", got)
	}
	if got := r.read(9000); got != 0 {
		t.Fatalf("rate long after = %d, want 0", got)
	}
	if r.max.Load() != 100 {
		t.Fatalf("max = %d, want 100", r.max.Load())
	}
	r.add(20000)
	if got := r.read(20000); got != 1 {
		t.Fatalf("rate after a gap = %d, want 1 (previous period forgotten)", got)
	}
}
