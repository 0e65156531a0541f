package lb

// MapHash is "hash-type map-based" for the hash-based algorithms (source,
// uri, url_param, hdr, rdp-cookie, hash): a valid key picks slot
// key % total-weight of the static weighted map shared with static-rr
// (see weightMap), so a key always lands on the same server while the set
// of pickable servers does not change; any change of that set remaps most
// keys. Weights are static, as in HAProxy. An invalid key (no parameter,
// no header) falls back to round robin over the same map, as HAProxy does.
//
// A Full server is skipped by moving on to the next slot, unless
// PreserveAffinity is set, in which case the mapped server is returned
// even when Full (HAProxy's behaviour: the caller queues on it). A Pick is
// O(n) plus the skipped slots and does not allocate.
type MapHash struct {
	m        weightMap
	preserve bool
}

// NewMapHash returns a MapHash for n servers with the given configured
// weights (Options.Weights; nil: the first weight each server shows);
// preserveAffinity is Options.PreserveAffinity.
func NewMapHash(n int, weights []int, preserveAffinity bool) *MapHash {
	return &MapHash{m: newWeightMap(n, weights), preserve: preserveAffinity}
}

// Pick returns the server k maps to, or with an invalid key the next one in
// round robin; -1 when no server is pickable.
func (a *MapHash) Pick(s Servers, k Key) int {
	a.m.sync(s)
	if !k.Valid {
		return a.m.nextRR(s)
	}
	return a.m.lookup(s, k.Hash, !a.preserve)
}
