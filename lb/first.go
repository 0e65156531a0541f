package lb

import (
	"cmp"
	"slices"
)

// First is HAProxy's first: the server with the lowest id that has a free
// slot (not Full) and a weight above 0; the weight's value is otherwise
// ignored. It fills servers one after the other, which only makes sense
// with a maxconn on each server, and lets the last ones be stopped when
// idle. Ids come from Options.IDs (configuration order when nil); servers
// added beyond them rank after, in index order.
//
// A Pick is O(n) and does not allocate once Len() stops growing.
type First struct {
	ids   serverIDs
	order []int32 // server indexes by increasing id, then index
}

// NewFirst returns a First for n servers with the given ids (nil means
// 1..n, that is index order).
func NewFirst(n int, ids []int) *First {
	f := &First{ids: newServerIDs(ids)}
	f.grow(max(n, len(ids)))
	return f
}

// grow extends the order to n servers.
func (f *First) grow(n int) {
	for i := len(f.order); i < n; i++ {
		f.order = append(f.order, int32(i))
	}
	slices.SortStableFunc(f.order, func(a, b int32) int {
		return cmp.Compare(f.ids.of(int(a)), f.ids.of(int(b)))
	})
}

// Pick returns the first server by id with a free slot, or -1. The key is
// ignored.
func (f *First) Pick(s Servers, _ Key) int {
	n := s.Len()
	if n > len(f.order) {
		f.grow(n)
	}
	for _, i := range f.order {
		if int(i) < n && s.Weight(int(i)) > 0 && !s.Full(int(i)) {
			return int(i)
		}
	}
	return -1
}
