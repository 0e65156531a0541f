package lb

import (
	"slices"
	"testing"
)

func TestStaticRRSequence(t *testing.T) {
	tests := []struct {
		name   string
		weight []int
		full   []bool
		want   []int
	}{
		// 3,1,2,1 is what haproxy 2.6.12 answers (see the golden test).
		{"weighted", []int{3, 1, 2, 1}, nil, []int{0, 1, 0, 2, 0, 2, 3, 0, 1, 0, 2, 0, 2, 3}},
		{"equal", []int{1, 1, 1}, nil, []int{0, 1, 2, 0, 1, 2}},
		// 20:10 is a map of 3 slots; ties go to the first declared server.
		{"gcd reduces the map", []int{20, 10}, nil, []int{0, 0, 1, 0, 0, 1}},
		{"zero weight skipped", []int{1, 0, 1}, nil, []int{0, 2, 0, 2}},
		{"full skipped", []int{1, 1, 1}, []bool{false, true, false}, []int{0, 2, 0, 2}},
		{"none pickable", []int{0, 0}, nil, []int{-1, -1}},
		{"all full", []int{1, 1}, []bool{true, true}, []int{-1, -1}},
		{"empty", nil, nil, []int{-1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &fakeServers{weight: tt.weight, full: tt.full}
			a := NewStaticRR(s.Len(), nil)
			var got []int
			for range tt.want {
				got = append(got, a.Pick(s, Key{}))
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("picks %v, want %v", got, tt.want)
			}
		})
	}
}

// TestStaticRRStaticWeights checks HAProxy's static semantics: a weight
// change other than to or from 0 has no effect, a server going to 0 leaves
// and comes back with its first weight.
func TestStaticRRStaticWeights(t *testing.T) {
	s := &fakeServers{weight: []int{2, 1}}
	a := NewStaticRR(2, nil)
	count := func(picks int) []int {
		c := make([]int, s.Len())
		for range picks {
			c[a.Pick(s, Key{})]++
		}
		return c
	}
	if got := count(30); !slices.Equal(got, []int{20, 10}) {
		t.Fatalf("2:1 gave %v", got)
	}
	s.weight[1] = 5 // "set weight" on a static algorithm: ignored
	if got := count(30); !slices.Equal(got, []int{20, 10}) {
		t.Fatalf("after set weight 5, 2:1 gave %v", got)
	}
	s.weight[0] = 0 // down
	if got := count(9); !slices.Equal(got, []int{0, 9}) {
		t.Fatalf("with server 0 down gave %v", got)
	}
	s.weight[0] = 7 // up again, with its first weight
	if got := count(30); !slices.Equal(got, []int{20, 10}) {
		t.Fatalf("after server 0 came back, gave %v", got)
	}
}

// TestStaticRRGrow checks a server added at run time enters the rotation.
func TestStaticRRGrow(t *testing.T) {
	s := &fakeServers{weight: []int{1, 1}}
	a := NewStaticRR(2, nil)
	a.Pick(s, Key{})
	s.weight = append(s.weight, 2)
	c := make([]int, 3)
	for range 40 {
		c[a.Pick(s, Key{})]++
	}
	if !slices.Equal(c, []int{10, 10, 20}) {
		t.Fatalf("after growth counts %v, want [10 10 20]", c)
	}
}

// TestStaticRRConfiguredWeights checks Options.Weights: a server that
// starts down keeps its configured weight whatever weight it shows later.
func TestStaticRRConfiguredWeights(t *testing.T) {
	s := &fakeServers{weight: []int{1, 0}}
	a, err := New(Options{Algo: "static-rr", N: 2, Weights: []int{1, 3}})
	if err != nil {
		t.Fatal(err)
	}
	a.Pick(s, Key{})
	s.weight[1] = 9 // comes up after a weight change
	c := make([]int, 2)
	for range 40 {
		c[a.Pick(s, Key{})]++
	}
	if !slices.Equal(c, []int{10, 30}) {
		t.Fatalf("counts %v, want [10 30] from the configured 1:3", c)
	}
}

// TestWeightMapScaleInvariant checks the property that makes the gcd
// harmless: the map of weights multiplied by k is the map repeated k
// times, so a hash lands on the same server either way.
func TestWeightMapScaleInvariant(t *testing.T) {
	for _, w := range [][]int{{1, 2, 3}, {3, 1, 2, 1}, {5, 7}, {1}, {2, 2, 1, 9, 4}} {
		base := newWeightMap(len(w), nil)
		base.sync(&fakeServers{weight: w})
		for k := 2; k <= 5; k++ {
			scaled := make([]int, len(w))
			for i := range w {
				scaled[i] = w[i] * k
			}
			m := weightMap{latched: slices.Clone(scaled), inMap: make([]bool, len(w)), score: make([]int64, len(w)), gcd: 1}
			m.sync(&fakeServers{weight: scaled})
			if len(m.slots) != k*len(base.slots) {
				t.Fatalf("weights %v: map of %d slots, want %d", scaled, len(m.slots), k*len(base.slots))
			}
			for o := range m.slots {
				if m.slots[o] != base.slots[o%len(base.slots)] {
					t.Fatalf("weights %v ×%d: slot %d is %d, want %d", w, k, o, m.slots[o], base.slots[o%len(base.slots)])
				}
			}
		}
	}
}
