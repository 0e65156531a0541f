package lb

import (
	"slices"
	"testing"
)

func TestFirst(t *testing.T) {
	tests := []struct {
		name   string
		ids    []int
		weight []int
		full   []bool
		want   int
	}{
		{"first by index", nil, []int{1, 1, 1}, nil, 0},
		{"skips full", nil, []int{1, 1, 1}, []bool{true, false, false}, 1},
		{"skips zero weight", nil, []int{0, 5, 1}, nil, 1},
		{"ignores weight values", nil, []int{1, 100}, nil, 0},
		{"id order", []int{30, 10, 20}, []int{1, 1, 1}, nil, 1},
		{"id order with full", []int{30, 10, 20}, []int{1, 1, 1}, []bool{false, true, false}, 2},
		{"all full", nil, []int{1, 1}, []bool{true, true}, -1},
		{"empty", nil, nil, nil, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &fakeServers{weight: tt.weight, full: tt.full}
			a := NewFirst(s.Len(), tt.ids)
			for range 3 { // stateless: the same answer every time
				if got := a.Pick(s, Key{}); got != tt.want {
					t.Fatalf("Pick = %d, want %d", got, tt.want)
				}
			}
		})
	}
}

// TestFirstFills shows the intended use: servers fill one after the other.
func TestFirstFills(t *testing.T) {
	const maxconn = 2
	s := &fakeServers{weight: []int{1, 1, 1}, full: make([]bool, 3), load: make([]int, 3)}
	a := NewFirst(3, []int{3, 1, 2})
	var got []int
	for range 7 {
		i := a.Pick(s, Key{})
		got = append(got, i)
		if i >= 0 {
			s.load[i]++
			s.full[i] = s.load[i] >= maxconn
		}
	}
	if want := []int{1, 1, 2, 2, 0, 0, -1}; !slices.Equal(got, want) {
		t.Fatalf("picks %v, want %v", got, want)
	}
}

// TestFirstGrow checks servers added at run time rank after the known ids.
func TestFirstGrow(t *testing.T) {
	s := &fakeServers{weight: []int{1, 1}, full: []bool{true, true}}
	a := NewFirst(2, []int{5, 9})
	if got := a.Pick(s, Key{}); got != -1 {
		t.Fatalf("Pick = %d, want -1", got)
	}
	s.weight = append(s.weight, 1, 1)
	s.full = append(s.full, false, false)
	if got := a.Pick(s, Key{}); got != 2 {
		t.Fatalf("after growth Pick = %d, want 2", got)
	}
}
