package lb

// StaticRR is HAProxy's static-rr: weighted round robin over a static map
// (see weightMap). Each server is picked in proportion to its configured
// weight (or, without one, the weight it had when first seen pickable);
// later weight changes are ignored, as in HAProxy where "set weight" on a
// static algorithm only accepts 0% and 100%. A server whose weight drops
// to 0 (down, maintenance, drain) leaves the rotation and comes back with
// its original weight. Full servers are
// skipped. The map is rebuilt only when a server enters or leaves, so a
// Pick is O(n) plus the skipped slots and does not allocate.
//
// Unlike RoundRobin the rotation is not smooth across weight changes, and
// the rotation position survives a rebuild of the map (HAProxy keeps its
// index too), so the first picks after a server comes back are not
// realigned.
type StaticRR struct {
	m weightMap
}

// NewStaticRR returns a StaticRR for n servers with the given configured
// weights (Options.Weights; nil: the first weight each server shows).
func NewStaticRR(n int, weights []int) *StaticRR {
	return &StaticRR{m: newWeightMap(n, weights)}
}

// Pick returns the next server of the map with a free slot, or -1. The key
// is ignored.
func (a *StaticRR) Pick(s Servers, _ Key) int {
	a.m.sync(s)
	return a.m.nextRR(s)
}
