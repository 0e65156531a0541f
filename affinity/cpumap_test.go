package affinity

import (
	"errors"
	"reflect"
	"testing"
)

func TestResolve(t *testing.T) {
	usable := []int{0, 1, 2, 3}
	tests := []struct {
		name     string
		maps     []Map
		nbthread int
		usable   []int
		want     [][]int
		wantErr  error
	}{
		{"default one per cpu", nil, 4, usable, [][]int{{0}, {1}, {2}, {3}}, nil},
		{"default more threads than cpus", nil, 3, []int{2, 5}, [][]int{{2}, {5}, {2}}, nil},
		{"default no cpu info", nil, 2, nil, [][]int{nil, nil}, nil},
		{"cpu-map 1/1-2 0-1", []Map{{ThreadFirst: 1, ThreadLast: 2, CPUs: []int{0, 1}}}, 2, usable,
			[][]int{{0, 1}, {0, 1}}, nil},
		{"cpu-map auto:1/all 0-1", []Map{{Auto: true, ThreadFirst: 1, ThreadLast: 64, CPUs: []int{0, 1}}}, 2, usable,
			[][]int{{0}, {1}}, nil},
		{"auto wraps", []Map{{Auto: true, ThreadFirst: 1, ThreadLast: 64, CPUs: []int{2, 3}}}, 3, usable,
			[][]int{{2}, {3}, {2}}, nil},
		{"later line overrides", []Map{
			{ThreadFirst: 1, ThreadLast: 64, CPUs: []int{0, 1}},
			{ThreadFirst: 2, ThreadLast: 2, CPUs: []int{3}},
		}, 3, usable, [][]int{{0, 1}, {3}, {0, 1}}, nil},
		{"thread not named stays unpinned", []Map{{ThreadFirst: 1, ThreadLast: 1, CPUs: []int{1}}}, 2, usable,
			[][]int{{1}, nil}, nil},
		{"unusable cpus dropped", []Map{{ThreadFirst: 1, ThreadLast: 1, CPUs: []int{1, 9}}}, 1, usable,
			[][]int{{1}}, nil},
		{"no usable cpu", []Map{{ThreadFirst: 1, ThreadLast: 1, CPUs: []int{9}}}, 1, usable, nil, ErrNoUsableCPU},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Resolve(tt.maps, tt.nbthread, tt.usable)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Resolve() error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Threads, tt.want) {
				t.Errorf("Resolve() = %v, want %v", p.Threads, tt.want)
			}
		})
	}
}
