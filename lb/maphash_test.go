package lb

import "testing"

// TestMapHashRemovalRemapsMost documents the difference with consistent
// hashing: with map-based hashing, taking one server out of ten changes
// the map's size, so most keys that were not on it move too. Bringing it
// back restores the mapping (the map is a function of the set of servers).
func TestMapHashRemovalRemapsMost(t *testing.T) {
	keys := randomKeys(20000)
	s := &fakeServers{weight: []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}
	a := NewMapHash(10, nil, false)
	before := mapKeys(a, s, keys)
	for r := range s.weight {
		s.weight[r] = 0
		during := mapKeys(a, s, keys)
		others, moved := 0, 0
		for i := range keys {
			if during[i] == r {
				t.Fatalf("key %#x on removed server %d", keys[i], r)
			}
			if before[i] != r {
				others++
				if during[i] != before[i] {
					moved++
				}
			}
		}
		if moved*2 < others {
			t.Fatalf("removing server %d moved only %d of the %d keys it did not own", r, moved, others)
		}
		s.weight[r] = 1
		if after := mapKeys(a, s, keys); !equalInts(after, before) {
			t.Fatalf("bringing %d back did not restore the mapping", r)
		}
	}
}

func TestMapHashMapping(t *testing.T) {
	// Weights 3,1,2,1 give haproxy's map 0,1,0,2,0,2,3 (see static-rr).
	s := &fakeServers{weight: []int{3, 1, 2, 1}, full: make([]bool, 4)}
	a := NewMapHash(4, nil, false)
	want := []int{0, 1, 0, 2, 0, 2, 3}
	for h := range uint32(21) {
		if got := a.Pick(s, Key{Hash: h, Valid: true}); got != want[h%7] {
			t.Fatalf("key %d: server %d, want %d", h, got, want[h%7])
		}
	}
	// A Full server is skipped to the next slot, unless affinity is kept.
	s.full[0] = true
	if got := a.Pick(s, Key{Hash: 0, Valid: true}); got != 1 {
		t.Fatalf("key 0 with server 0 full: %d, want 1 (next slot)", got)
	}
	if got := a.Pick(s, Key{Hash: 4, Valid: true}); got != 2 {
		t.Fatalf("key 4 with server 0 full: %d, want 2 (next slot)", got)
	}
	keep := NewMapHash(4, nil, true)
	if got := keep.Pick(s, Key{Hash: 0, Valid: true}); got != 0 {
		t.Fatalf("PreserveAffinity: key 0 went to %d, want full server 0", got)
	}
	// Without a key: round robin over the map.
	s.full[0] = false
	rr := NewMapHash(4, nil, false)
	var seq []int
	for range 7 {
		seq = append(seq, rr.Pick(s, Key{}))
	}
	if !equalInts(seq, want) {
		t.Fatalf("round robin without key %v, want %v", seq, want)
	}
}
