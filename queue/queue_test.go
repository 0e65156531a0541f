package queue

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestFIFOAcrossShards(t *testing.T) {
	q := New(3)
	es := make([]Entry, 6)
	order := []int{2, 0, 1, 1, 0, 2} // shard of each push, in time order
	for i, sh := range order {
		es[i].Ref = uint64(i)
		q.Push(sh, &es[i])
	}
	if q.Len() != 6 || q.Max() != 6 {
		t.Fatalf("Len %d Max %d, want 6 6", q.Len(), q.Max())
	}
	for want := 0; want < 6; want++ {
		p, ok := q.PopOldest(want % 3)
		if !ok || p.Ref != uint64(want) || p.E != &es[want] {
			t.Fatalf("pop %d: got %+v", want, p)
		}
		if p.E.State() != Granted || p.Ticket == 0 || p.Ticket != p.E.Ticket {
			t.Fatalf("pop %d: state %d ticket %d", want, p.E.State(), p.Ticket)
		}
	}
	if p, ok := q.PopOldest(0); ok || q.Len() != 0 {
		t.Fatalf("empty queue popped %+v, Len %d", p, q.Len())
	}
}

func TestRemoveAndFlush(t *testing.T) {
	q := New(2)
	var a, b, c Entry
	q.Push(0, &a)
	q.Push(1, &b)
	q.Push(0, &c)
	ch := q.Changes()
	if !q.Remove(&a) || a.State() != Idle {
		t.Fatal("Remove of a queued entry failed")
	}
	if q.Remove(&a) {
		t.Fatal("second Remove succeeded")
	}
	if q.Changes() == ch {
		t.Fatal("Remove did not move the change counter")
	}
	var refused []*Entry
	if n := q.Flush(func(p Popped) { refused = append(refused, p.E) }); n != 2 || len(refused) != 2 {
		t.Fatalf("Flush refused %d (%d)", n, len(refused))
	}
	for _, e := range []*Entry{&b, &c} {
		if e.State() != Refused || q.Remove(e) {
			t.Fatalf("flushed entry state %d or removable", e.State())
		}
	}
	if q.Len() != 0 {
		t.Fatalf("Len %d after flush", q.Len())
	}
	b.Reset()
	q.Push(1, &b)
	if p, ok := q.PopOldest(0); !ok || p.E != &b || b.Ticket == c.Ticket {
		t.Fatal("reused entry not popped with a new ticket")
	}
}

// TestDrainNeverLosesARequest: many goroutines request passes while others
// run them; every request made before the last Drain returned must be
// followed by a pass that saw it. Each requester bumps a counter before
// calling Drain; a pass records the highest value it saw. After all
// goroutines are done, the last pass must have seen the final value.
func TestDrainNeverLosesARequest(t *testing.T) {
	q := New(1)
	var requests, seen atomic.Int64
	var inPass atomic.Int32
	pass := func() bool {
		if inPass.Add(1) != 1 {
			t.Error("two passes at once")
		}
		if r := requests.Load(); r > seen.Load() {
			seen.Store(r)
		}
		inPass.Add(-1)
		return false
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				requests.Add(1)
				if !q.Drain(1<<30, pass) {
					t.Error("unbounded Drain stopped")
				}
			}
		}()
	}
	wg.Wait()
	if seen.Load() != requests.Load() {
		t.Fatalf("last pass saw %d requests of %d", seen.Load(), requests.Load())
	}
}

func TestDrainBound(t *testing.T) {
	q := New(1)
	passes := 0
	more := func() bool { passes++; return true }
	if q.Drain(3, more) || passes != 3 {
		t.Fatalf("bounded Drain returned true or ran %d passes", passes)
	}
	// The pending request is served by the next call.
	passes = 0
	if !q.Drain(10, func() bool { passes++; return false }) || passes != 1 {
		t.Fatalf("next Drain ran %d passes", passes)
	}
}

// TestConcurrentPushPopRemove checks the counters under contention: every
// entry ends exactly once as popped or removed.
func TestConcurrentPushPopRemove(t *testing.T) {
	const shards, per = 4, 3000
	q := New(shards)
	var popped, removed atomic.Int64
	var wg sync.WaitGroup
	for sh := 0; sh < shards; sh++ {
		wg.Add(1)
		go func(sh int) {
			defer wg.Done()
			es := make([]Entry, per)
			for i := range es {
				q.Push(sh, &es[i])
				if i%3 == 0 && q.Remove(&es[i]) {
					removed.Add(1)
				}
				if _, ok := q.PopOldest(sh); ok {
					popped.Add(1)
				}
			}
		}(sh)
	}
	wg.Wait()
	for _, ok := q.PopOldest(0); ok; _, ok = q.PopOldest(0) {
		popped.Add(1)
	}
	if got := popped.Load() + removed.Load(); got != shards*per || q.Len() != 0 {
		t.Fatalf("popped %d + removed %d = %d of %d, Len %d", popped.Load(), removed.Load(), got, shards*per, q.Len())
	}
}

func TestPushPopDoesNotAllocate(t *testing.T) {
	q := New(2)
	var e Entry
	if n := testing.AllocsPerRun(100, func() {
		e.Reset()
		q.Push(1, &e)
		q.PopOldest(0)
	}); n != 0 {
		t.Fatalf("%v allocations per push and pop", n)
	}
}

// TestFlushIsBounded: an owner that pushes again from the flush's callback
// (a stream sent back to load balancing queues here again) cannot keep
// the flush going: each shard gives what it held when reached.
func TestFlushIsBounded(t *testing.T) {
	q := New(2)
	es := make([]Entry, 4)
	for i := range es {
		q.Push(i%2, &es[i])
	}
	n := q.Flush(func(p Popped) {
		p.E.Reset()
		q.Push(p.Shard, p.E)
	})
	if n != 4 || q.Len() != 4 {
		t.Fatalf("flush refused %d, %d left queued; want 4 and 4", n, q.Len())
	}
}
