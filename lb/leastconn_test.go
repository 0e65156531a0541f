package lb

import (
	"slices"
	"testing"
)

func TestLeastConnSequence(t *testing.T) {
	tests := []struct {
		name   string
		weight []int
		load   []int
		full   []bool
		want   []int
	}{
		{"idle rotate", []int{1, 1, 1}, []int{0, 0, 0}, nil, []int{0, 1, 2, 0, 1, 2}},
		{"idle ranks first whatever the weight", []int{1, 9, 1}, []int{0, 1, 0}, nil, []int{0, 2, 0, 2}},
		{"least loaded", []int{1, 1, 1}, []int{3, 1, 2}, nil, []int{1, 1, 1}},
		{"equal loads rotate", []int{1, 1, 1, 1}, []int{2, 1, 1, 3}, nil, []int{1, 2, 1, 2}},
		// (2+1)/3 = 1 < (1+1)/1 = 2: the heavier server takes more.
		{"weight counts", []int{1, 3}, []int{1, 2}, nil, []int{1, 1}},
		// (1+1)/2 == (2+1)/3: a tie, so they alternate.
		{"cross product tie", []int{2, 3}, []int{1, 2}, nil, []int{0, 1, 0, 1}},
		{"zero weight skipped", []int{0, 1}, []int{0, 5}, nil, []int{1, 1}},
		{"full skipped", []int{1, 1, 1}, []int{0, 0, 4}, []bool{true, true, false}, []int{2, 2}},
		{"none", []int{0, 0}, []int{0, 0}, nil, []int{-1}},
		{"empty", nil, nil, nil, []int{-1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &fakeServers{weight: tt.weight, load: tt.load, full: tt.full}
			a := NewLeastConn(s.Len())
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

// TestLeastConnBalances feeds the picks back as load, as the engine does,
// and checks the loads end up proportional to the weights.
func TestLeastConnBalances(t *testing.T) {
	s := &fakeServers{weight: []int{1, 2, 3}, load: make([]int, 3)}
	a := NewLeastConn(3)
	for range 600 {
		s.load[a.Pick(s, Key{})]++
	}
	if want := []int{100, 200, 300}; !slices.Equal(s.load, want) {
		t.Fatalf("loads %v, want %v", s.load, want)
	}
}

func TestLessLoaded(t *testing.T) {
	tests := []struct {
		l1, w1, l2, w2 int64
		want           bool
	}{
		{0, 1, 0, 9, false},
		{0, 1, 1, 9, true},
		{1, 9, 0, 1, false},
		{1, 1, 1, 2, false}, // 2/1 vs 2/2
		{1, 2, 1, 1, true},
		{3, 4, 1, 1, true}, // 4/4 vs 2/1
		{1, 1, 3, 4, false},
	}
	for _, tt := range tests {
		if got := lessLoaded(tt.l1, tt.w1, tt.l2, tt.w2); got != tt.want {
			t.Errorf("lessLoaded(%d/%d, %d/%d) = %v, want %v", tt.l1, tt.w1, tt.l2, tt.w2, got, tt.want)
		}
	}
}
