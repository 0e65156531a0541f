package lb

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// fakeServers is a Servers with fixed answers set by the test.
type fakeServers struct {
	weight []int
	full   []bool
	load   []int
}

func (f *fakeServers) Len() int         { return len(f.weight) }
func (f *fakeServers) Weight(i int) int { return f.weight[i] }
func (f *fakeServers) Full(i int) bool  { return f.full != nil && f.full[i] }
func (f *fakeServers) Load(i int) int {
	if f.load == nil {
		return 0
	}
	return f.load[i]
}

// pickable reports whether some server has a weight and a free slot.
func (f *fakeServers) pickable() bool {
	for i := range f.weight {
		if f.weight[i] > 0 && !f.Full(i) {
			return true
		}
	}
	return false
}

// allAlgos returns one of every algorithm, for n servers.
func allAlgos(t testing.TB, n int) map[string]Algorithm {
	t.Helper()
	opts := map[string]Options{
		"roundrobin":     {Algo: "roundrobin"},
		"static-rr":      {Algo: "static-rr"},
		"leastconn":      {Algo: "leastconn"},
		"first":          {Algo: "first"},
		"random":         {Algo: "random", Seed: 1},
		"random(3)":      {Algo: "random(3)", Seed: 2},
		"source/map":     {Algo: "source"},
		"uri/consistent": {Algo: "uri", HashType: "consistent"},
		"hdr/map/aff":    {Algo: "hdr(Host)", PreserveAffinity: true},
		"url_param/ch":   {Algo: "url_param", Args: []string{"id"}, HashType: "consistent", HashFunction: "wt6", Avalanche: true},
	}
	algos := map[string]Algorithm{}
	for name, o := range opts {
		o.N = n
		a, err := New(o)
		if err != nil {
			t.Fatalf("New(%s) = %v", name, err)
		}
		algos[name] = a
	}
	return algos
}

func TestNew(t *testing.T) {
	tests := []struct {
		o       Options
		want    any   // type of the algorithm
		wantErr error // nil, ErrUnknownAlgorithm or ErrInvalidArgs
	}{
		{Options{Algo: ""}, &RoundRobin{}, nil},
		{Options{Algo: "roundrobin"}, &RoundRobin{}, nil},
		{Options{Algo: "static-rr"}, &StaticRR{}, nil},
		{Options{Algo: "leastconn"}, &LeastConn{}, nil},
		{Options{Algo: "first"}, &First{}, nil},
		{Options{Algo: "random"}, &Random{}, nil},
		{Options{Algo: "random(5)"}, &Random{}, nil},
		{Options{Algo: "random", Args: []string{"3"}}, &Random{}, nil},
		{Options{Algo: "source"}, &MapHash{}, nil},
		{Options{Algo: "source", HashType: "consistent"}, &ConsistentHash{}, nil},
		{Options{Algo: "uri", Args: []string{"len", "10", "depth", "2", "whole", "path-only"}}, &MapHash{}, nil},
		{Options{Algo: "url_param", Args: []string{"id", "check_post"}}, &MapHash{}, nil},
		{Options{Algo: "hdr(Host)", Args: []string{"use_domain_only"}, HashType: "consistent"}, &ConsistentHash{}, nil},
		{Options{Algo: "rdp-cookie"}, &MapHash{}, nil},
		{Options{Algo: "rdp-cookie(user)"}, &MapHash{}, nil},
		{Options{Algo: "hash", Args: []string{"req.cook(sid)"}}, &MapHash{}, nil},
		{Options{Algo: "uri", HashFunction: "crc32", Avalanche: true}, &MapHash{}, nil},
		{Options{Algo: "uri", HashFunction: "none"}, &MapHash{}, nil},

		{Options{Algo: "weighted"}, nil, ErrUnknownAlgorithm},
		{Options{Algo: "random(0)"}, nil, ErrInvalidArgs},
		{Options{Algo: "random(x)"}, nil, ErrInvalidArgs},
		{Options{Algo: "random(2"}, nil, ErrInvalidArgs},
		{Options{Algo: "random", Args: []string{"-1"}}, nil, ErrInvalidArgs},
		{Options{Algo: "random(2)", Args: []string{"3"}}, nil, ErrInvalidArgs},
		{Options{Algo: "roundrobin", Args: []string{"x"}}, nil, ErrInvalidArgs},
		{Options{Algo: "uri", Args: []string{"len", "0"}}, nil, ErrInvalidArgs},
		{Options{Algo: "uri", Args: []string{"depth"}}, nil, ErrInvalidArgs},
		{Options{Algo: "uri", Args: []string{"deep"}}, nil, ErrInvalidArgs},
		{Options{Algo: "url_param"}, nil, ErrInvalidArgs},
		{Options{Algo: "url_param", Args: []string{"id", "check_get"}}, nil, ErrInvalidArgs},
		{Options{Algo: "hdr"}, nil, ErrInvalidArgs},
		{Options{Algo: "hdr()"}, nil, ErrInvalidArgs},
		{Options{Algo: "hdr(Host)", Args: []string{"use_tld"}}, nil, ErrInvalidArgs},
		{Options{Algo: "rdp-cookie("}, nil, ErrInvalidArgs},
		{Options{Algo: "hash"}, nil, ErrInvalidArgs},
		{Options{Algo: "uri", HashType: "ketama"}, nil, ErrInvalidArgs},
		{Options{Algo: "uri", HashFunction: "md5"}, nil, ErrInvalidArgs},
	}
	for _, tt := range tests {
		a, err := New(tt.o)
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
			t.Errorf("New(%+v) error = %v, want %v", tt.o, err, tt.wantErr)
			continue
		}
		if err != nil {
			if errors.Is(err, ErrInvalidArgs) && len(err.Error()) <= len(ErrInvalidArgs.Error())+2 {
				t.Errorf("New(%+v) error %q does not say what is wrong", tt.o, err)
			}
			continue
		}
		if got, want := typeName(a), typeName(tt.want); got != want {
			t.Errorf("New(%+v) = %s, want %s", tt.o, got, want)
		}
	}
}

func typeName(v any) string {
	switch v.(type) {
	case *RoundRobin:
		return "RoundRobin"
	case *StaticRR:
		return "StaticRR"
	case *LeastConn:
		return "LeastConn"
	case *First:
		return "First"
	case *Random:
		return "Random"
	case *MapHash:
		return "MapHash"
	case *ConsistentHash:
		return "ConsistentHash"
	}
	return "?"
}

func TestNewRandomDraws(t *testing.T) {
	for algo, want := range map[string]int{"random": 2, "random()": 2, "random(1)": 1, "random(7)": 7} {
		a, err := New(Options{Algo: algo})
		if err != nil {
			t.Fatalf("New(%s) = %v", algo, err)
		}
		if got := a.(*Random).draws; got != want {
			t.Errorf("New(%s).draws = %d, want %d", algo, got, want)
		}
	}
}

// TestPickProperties drives every algorithm through random server states
// (weights, fullness, loads, growth, random keys) with a fixed seed and
// checks the package contract: a pick is a server with a weight that is
// not Full (except with PreserveAffinity, which may return a Full server
// with a weight), and -1 only when no such server exists.
func TestPickProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 42))
	for name, a := range allAlgos(t, 3) {
		t.Run(name, func(t *testing.T) {
			s := &fakeServers{}
			preserve := name == "hdr/map/aff"
			for step := 0; step < 3000; step++ {
				if step%50 == 0 && len(s.weight) < 12 {
					// A server added at run time.
					s.weight = append(s.weight, 0)
					s.full = append(s.full, false)
					s.load = append(s.load, 0)
				}
				if step%7 == 0 {
					for i := range s.weight {
						s.weight[i] = max(rng.IntN(6)-1, 0)
						s.full[i] = rng.IntN(4) == 0
						s.load[i] = rng.IntN(20)
					}
				}
				k := Key{Hash: rng.Uint32(), Valid: rng.IntN(5) != 0}
				got := a.Pick(s, k)
				switch {
				case got == -1:
					if s.pickable() {
						t.Fatalf("step %d: -1 with weights %v full %v", step, s.weight, s.full)
					}
				case got < 0 || got >= s.Len():
					t.Fatalf("step %d: picked %d of %d", step, got, s.Len())
				case s.weight[got] == 0:
					t.Fatalf("step %d: picked %d with weight 0 (weights %v)", step, got, s.weight)
				case s.full[got] && !(preserve && k.Valid):
					t.Fatalf("step %d: picked full %d (full %v)", step, got, s.full)
				}
			}
		})
	}
}

// TestPickAllocs asserts that no algorithm allocates in Pick once it has
// seen its backend, including across servers leaving and coming back.
func TestPickAllocs(t *testing.T) {
	for name, a := range allAlgos(t, 8) {
		s := &fakeServers{
			weight: []int{1, 2, 3, 1, 1, 4, 1, 1},
			full:   make([]bool, 8),
			load:   []int{3, 1, 0, 2, 5, 1, 1, 0},
		}
		var h uint32
		step := func() {
			h = h*1664525 + 1013904223
			a.Pick(s, Key{Hash: h, Valid: h&3 != 0})
		}
		for range 100 {
			step()
		}
		if n := testing.AllocsPerRun(1000, step); n != 0 {
			t.Errorf("%s: Pick allocates %v times in steady state", name, n)
		}
		toggle := func() {
			s.weight[5] = 4 - s.weight[5] // down and up again: rebuilds maps and rings
			s.full[2] = !s.full[2]
			step()
		}
		if n := testing.AllocsPerRun(200, toggle); n != 0 {
			t.Errorf("%s: Pick allocates %v times across state changes", name, n)
		}
	}
}

// TestPickEmpty checks that every algorithm copes with no servers at all.
func TestPickEmpty(t *testing.T) {
	for name, a := range allAlgos(t, 0) {
		for _, k := range []Key{{}, {Hash: 7, Valid: true}} {
			if got := a.Pick(&fakeServers{}, k); got != -1 {
				t.Errorf("%s: Pick on no servers = %d, want -1", name, got)
			}
		}
	}
}

func BenchmarkPick(b *testing.B) {
	for name, a := range allAlgos(b, 16) {
		b.Run(name, func(b *testing.B) {
			s := &fakeServers{weight: make([]int, 16), full: make([]bool, 16), load: make([]int, 16)}
			for i := range s.weight {
				s.weight[i], s.load[i] = 1+i%4, i%5
			}
			b.ReportAllocs()
			var h uint32
			for b.Loop() {
				h += 0x9e3779b9
				a.Pick(s, Key{Hash: h, Valid: true})
			}
		})
	}
}
