package lb

import (
	"math/rand/v2"
	"testing"
)

// mapKeys returns the server of every key.
func mapKeys(a Algorithm, s Servers, keys []uint32) []int {
	m := make([]int, len(keys))
	for i, h := range keys {
		m[i] = a.Pick(s, Key{Hash: h, Valid: true})
	}
	return m
}

func randomKeys(n int) []uint32 {
	rng := rand.New(rand.NewPCG(7, 7))
	keys := make([]uint32, n)
	for i := range keys {
		keys[i] = rng.Uint32()
	}
	return keys
}

// TestConsistentRemovalMovesOnlyItsKeys proves the defining property of
// consistent hashing: taking any one server out (weight 0) moves exactly
// the keys it owned, every other key keeps its server, and bringing it
// back restores the original mapping.
func TestConsistentRemovalMovesOnlyItsKeys(t *testing.T) {
	keys := randomKeys(20000)
	for _, weights := range [][]int{
		{1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
		{1, 2, 3, 4, 5, 1, 2, 3, 4, 5},
		{256, 1, 17, 3},
	} {
		s := &fakeServers{weight: append([]int(nil), weights...)}
		a := NewConsistentHash(len(weights), nil, false)
		before := mapKeys(a, s, keys)
		for r := range weights {
			s.weight[r] = 0
			during := mapKeys(a, s, keys)
			owned := 0
			for i := range keys {
				switch {
				case before[i] == r:
					owned++
					if during[i] == r {
						t.Fatalf("weights %v: key %#x still on removed server %d", weights, keys[i], r)
					}
				case during[i] != before[i]:
					t.Fatalf("weights %v: removing %d moved key %#x from %d to %d", weights, r, keys[i], before[i], during[i])
				}
			}
			if owned == 0 {
				t.Fatalf("weights %v: server %d owned no key, the test proves nothing", weights, r)
			}
			s.weight[r] = weights[r]
			if after := mapKeys(a, s, keys); !equalInts(after, before) {
				t.Fatalf("weights %v: bringing %d back did not restore the mapping", weights, r)
			}
		}
	}
}

// TestConsistentWeightChangeMovesFewKeys checks a weight change only moves
// keys to (on increase) or from (on decrease) the server whose weight
// changed.
func TestConsistentWeightChangeMovesFewKeys(t *testing.T) {
	keys := randomKeys(20000)
	s := &fakeServers{weight: []int{2, 2, 2, 2, 2}}
	a := NewConsistentHash(5, nil, false)
	before := mapKeys(a, s, keys)
	s.weight[3] = 4
	grown := mapKeys(a, s, keys)
	moved := 0
	for i := range keys {
		if grown[i] != before[i] {
			moved++
			if grown[i] != 3 {
				t.Fatalf("weight increase of 3 moved key %#x from %d to %d", keys[i], before[i], grown[i])
			}
		}
	}
	if moved == 0 || moved > len(keys)/3 {
		t.Fatalf("weight 2→4 on one of 5 moved %d of %d keys", moved, len(keys))
	}
	s.weight[3] = 1
	shrunk := mapKeys(a, s, keys)
	for i := range keys {
		if shrunk[i] != before[i] && before[i] != 3 {
			t.Fatalf("weight decrease of 3 moved key %#x from %d to %d", keys[i], before[i], shrunk[i])
		}
	}
}

// TestConsistentGrowMovesOnlyToNewServer checks a server added at run time
// only takes keys, it does not reshuffle the others.
func TestConsistentGrowMovesOnlyToNewServer(t *testing.T) {
	keys := randomKeys(10000)
	s := &fakeServers{weight: []int{1, 1, 1}}
	a := NewConsistentHash(3, []int{1, 2, 3}, false)
	before := mapKeys(a, s, keys)
	s.weight = append(s.weight, 1) // gets id 4
	after := mapKeys(a, s, keys)
	taken := 0
	for i := range keys {
		if after[i] != before[i] {
			if after[i] != 3 {
				t.Fatalf("adding server 3 moved key %#x from %d to %d", keys[i], before[i], after[i])
			}
			taken++
		}
	}
	if taken < len(keys)/8 || taken > len(keys)*3/8 {
		t.Fatalf("new server took %d of %d keys, want about a quarter", taken, len(keys))
	}
}

// TestConsistentShares checks each server owns a share of the keys close
// to its share of the weights (the ring has 16 points per unit of weight,
// so shares are approximate).
func TestConsistentShares(t *testing.T) {
	keys := randomKeys(40000)
	weights := []int{1, 2, 3, 4}
	s := &fakeServers{weight: weights}
	a := NewConsistentHash(4, nil, false)
	count := make([]int, 4)
	for _, srv := range mapKeys(a, s, keys) {
		count[srv]++
	}
	for i, w := range weights {
		want := float64(len(keys)) * float64(w) / 10
		if got := float64(count[i]); got < want*0.6 || got > want*1.4 {
			t.Errorf("server %d (weight %d) got %d keys, want about %.0f", i, w, count[i], want)
		}
	}
}

func TestConsistentFull(t *testing.T) {
	keys := randomKeys(2000)
	s := &fakeServers{weight: []int{1, 1, 1, 1}, full: make([]bool, 4)}
	skip := NewConsistentHash(4, nil, false)
	keep := NewConsistentHash(4, nil, true)
	before := mapKeys(skip, s, keys)
	s.full[1] = true
	skipped, kept := mapKeys(skip, s, keys), mapKeys(keep, s, keys)
	for i := range keys {
		if kept[i] != before[i] {
			t.Fatalf("PreserveAffinity moved key %#x from %d to %d", keys[i], before[i], kept[i])
		}
		switch {
		case before[i] == 1 && skipped[i] == 1:
			t.Fatalf("key %#x stayed on full server 1", keys[i])
		case before[i] != 1 && skipped[i] != before[i]:
			t.Fatalf("full server 1 moved key %#x from %d to %d", keys[i], before[i], skipped[i])
		}
	}
	for i := range s.full {
		s.full[i] = true
	}
	if got := skip.Pick(s, Key{Hash: 1, Valid: true}); got != -1 {
		t.Fatalf("all full: Pick = %d, want -1", got)
	}
	if got := keep.Pick(s, Key{Hash: 1, Valid: true}); got < 0 {
		t.Fatalf("all full with PreserveAffinity: Pick = %d, want the key's server", got)
	}
	if got := keep.Pick(s, Key{}); got != -1 {
		t.Fatalf("all full, no key: Pick = %d, want -1 (round robin skips full servers)", got)
	}
}

// TestConsistentRoundRobin checks the fallback for requests without a key:
// one turn of the ring visits every server once per point.
func TestConsistentRoundRobin(t *testing.T) {
	s := &fakeServers{weight: []int{1, 3, 0, 2}}
	a := NewConsistentHash(4, nil, false)
	count := make([]int, 4)
	for range 6 * pointsPerWeight {
		count[a.Pick(s, Key{})]++
	}
	if want := []int{16, 48, 0, 32}; !equalInts(count, want) {
		t.Fatalf("one turn gave %v, want %v", count, want)
	}
	s.weight[1] = 0 // the ring changes under the round robin
	for range 100 {
		if got := a.Pick(s, Key{}); got != 0 && got != 3 {
			t.Fatalf("picked %d after server 1 left", got)
		}
	}
}

// TestConsistentClosest pins the nearest-point rule on a hand-made ring,
// including the wrap around and the tie going to the earlier point.
func TestConsistentClosest(t *testing.T) {
	c := &ConsistentHash{ring: []point{{100, 0}, {200, 1}, {1 << 31, 2}}}
	tests := []struct {
		h    uint32
		want int
	}{
		{100, 0}, {149, 0}, {150, 0}, {151, 1}, {200, 1},
		{1<<31 - 1, 2}, {0xffffffff, 0}, {0, 0}, {50, 0},
		{1<<30 + 100, 1}, {1<<30 + 101, 2}, // halfway between 200 and 2^31 is 2^30+100
	}
	for _, tt := range tests {
		if got := int(c.ring[c.closest(tt.h)].srv); got != tt.want {
			t.Errorf("closest(%#x) = server %d, want %d", tt.h, got, tt.want)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
