package lb

import (
	"math"
	"testing"
)

// TestRandomOneDrawFollowsWeights checks with a fixed seed that a single
// draw picks servers in proportion to their weights (within 3%: the
// deviation of 60000 draws is well under 1%).
func TestRandomOneDrawFollowsWeights(t *testing.T) {
	weights := []int{1, 2, 3, 0, 4}
	s := &fakeServers{weight: weights}
	a := NewRandom(len(weights), 1, 12345)
	const picks = 60000
	count := make([]int, len(weights))
	for range picks {
		count[a.Pick(s, Key{})]++
	}
	for i, w := range weights {
		want := float64(picks) * float64(w) / 10
		if math.Abs(float64(count[i])-want) > 0.03*picks/2 {
			t.Errorf("server %d (weight %d): %d picks, want about %.0f", i, w, count[i], want)
		}
	}
}

// TestRandomPrefersLessLoaded checks the power of two choices: with one
// server much more loaded than the others, it is picked only when both
// draws land on it, about (1/n)^2 of the time.
func TestRandomPrefersLessLoaded(t *testing.T) {
	s := &fakeServers{weight: []int{1, 1, 1, 1}, load: []int{50, 0, 0, 0}}
	a := NewRandom(4, 2, 99)
	const picks = 40000
	busy := 0
	for range picks {
		if a.Pick(s, Key{}) == 0 {
			busy++
		}
	}
	if want := picks / 16; busy < want/2 || busy > want*3/2 {
		t.Fatalf("loaded server picked %d times, want about %d", busy, want)
	}
}

// TestRandomBalances feeds picks back as load (and releases some), and
// checks loads stay close to proportional to weights.
func TestRandomBalances(t *testing.T) {
	s := &fakeServers{weight: []int{1, 1, 2, 4}, load: make([]int, 4)}
	a := NewRandom(4, 2, 5)
	for i := range 8000 {
		s.load[a.Pick(s, Key{})]++
		if i%3 == 0 { // some streams end, from the most loaded per weight
			worst := 0
			for j := range s.load {
				if s.load[j]*s.weight[worst] > s.load[worst]*s.weight[j] {
					worst = j
				}
			}
			s.load[worst]--
		}
	}
	for i := range s.load {
		perWeight := float64(s.load[i]) / float64(s.weight[i])
		mean := float64(s.load[0]+s.load[1]+s.load[2]+s.load[3]) / 8
		if math.Abs(perWeight-mean) > 0.1*mean {
			t.Errorf("loads %v are not proportional to weights %v", s.load, s.weight)
			break
		}
	}
}

func TestRandomSkipsAndDeterminism(t *testing.T) {
	s := &fakeServers{weight: []int{1, 0, 1, 1}, full: []bool{true, false, false, false}}
	a, b := NewRandom(4, 2, 7), NewRandom(4, 2, 7)
	other := NewRandom(4, 2, 8)
	same := true
	for range 1000 {
		x, y, z := a.Pick(s, Key{}), b.Pick(s, Key{}), other.Pick(s, Key{})
		if x != y {
			t.Fatalf("same seed, different picks %d and %d", x, y)
		}
		if x != 2 && x != 3 {
			t.Fatalf("picked %d: zero weight or full", x)
		}
		same = same && x == z
	}
	if same {
		t.Fatal("seeds 7 and 8 gave the same 1000 picks")
	}
	s.full[2], s.full[3] = true, true
	if got := a.Pick(s, Key{}); got != -1 {
		t.Fatalf("all full or zero: Pick = %d, want -1", got)
	}
}
