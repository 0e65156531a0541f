package lb

import (
	"math/rand"
	"testing"
)

func TestRoundRobinSequence(t *testing.T) {
	tests := []struct {
		name   string
		weight []int
		full   []bool
		want   []int
	}{
		{"equal", []int{1, 1, 1}, nil, []int{0, 1, 2, 0, 1, 2}},
		{"weighted smooth", []int{5, 1, 1}, nil, []int{0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0}},
		{"zero weight skipped", []int{1, 0, 1}, nil, []int{0, 2, 0, 2}},
		{"full skipped", []int{1, 1, 1}, []bool{false, true, false}, []int{0, 2, 0, 2}},
		{"none pickable", []int{0, 0}, nil, []int{-1, -1}},
		{"all full", []int{1, 1}, []bool{true, true}, []int{-1}},
		{"empty", nil, nil, []int{-1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &fakeServers{weight: tt.weight, full: tt.full}
			rr := NewRoundRobin(s.Len())
			for i, want := range tt.want {
				if got := rr.Pick(s, Key{}); got != want {
					t.Fatalf("pick %d = %d, want %d", i, got, want)
				}
			}
		})
	}
}

// TestRoundRobinWindows checks the defining property under random weight
// changes: in every window of sum(weights) picks with fixed weights, each
// server is picked exactly its weight times.
func TestRoundRobinWindows(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	s := &fakeServers{weight: make([]int, 7)}
	rr := NewRoundRobin(len(s.weight))
	for round := 0; round < 2000; round++ {
		total := 0
		for i := range s.weight {
			s.weight[i] = rng.Intn(5) // 0 means not pickable
			total += s.weight[i]
		}
		if total == 0 {
			if got := rr.Pick(s, Key{}); got != -1 {
				t.Fatalf("round %d: Pick with no weight = %d, want -1", round, got)
			}
			continue
		}
		// Settle: after a weight change the accumulators may carry credit;
		// one full window brings them back to a state where the next
		// windows are exact.
		for i := 0; i < total; i++ {
			rr.Pick(s, Key{})
		}
		counts := make([]int, len(s.weight))
		for i := 0; i < total; i++ {
			p := rr.Pick(s, Key{})
			if p < 0 || s.weight[p] == 0 {
				t.Fatalf("round %d: picked %d with weights %v", round, p, s.weight)
			}
			counts[p]++
		}
		for i, c := range counts {
			if c != s.weight[i] {
				t.Fatalf("round %d: weights %v gave counts %v", round, s.weight, counts)
			}
		}
	}
}

func BenchmarkRoundRobinPick(b *testing.B) {
	s := &fakeServers{weight: []int{1, 2, 3, 1, 1, 4, 1, 1}}
	rr := NewRoundRobin(len(s.weight))
	b.ReportAllocs()
	for b.Loop() {
		rr.Pick(s, Key{})
	}
}
