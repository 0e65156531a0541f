package lb

// LeastConn is HAProxy's leastconn: the server with the lowest load per
// unit of weight, where load is Load(i), the streams served plus those
// queued. As HAProxy's key ((load+1) * SRV_EWGHT_MAX / eweight, 0 when
// idle), the ratio counts the request being placed: servers compare by
// (Load+1)/Weight, and every idle server ranks first whatever its weight.
// Ratios are compared exactly as cross products (HAProxy quantizes them to
// integers, which can make nearly equal ratios tie there and not here).
// Servers with equal ratios take turns: the scan starts after the last
// server picked, so repeated picks with unchanged loads rotate among the
// best. Weights are dynamic. Full servers are skipped, as HAProxy does
// with no maxqueue (with a maxqueue HAProxy would still pick a server
// whose queue has room; the engine queues on the backend instead).
//
// A Pick is O(n), keeps no per-server state and does not allocate. Loads
// and weights must stay below 2^31 so that the products fit in 64 bits.
type LeastConn struct {
	last int // index of the last server picked, -1 before the first pick
}

// NewLeastConn returns a LeastConn for n servers (n only documents intent:
// LeastConn has no per-server state).
func NewLeastConn(n int) *LeastConn {
	return &LeastConn{last: -1}
}

// Pick returns the least loaded server relative to its weight, or -1. The
// key is ignored.
func (a *LeastConn) Pick(s Servers, _ Key) int {
	n := s.Len()
	if n == 0 {
		return -1
	}
	best := -1
	var bestLoad, bestWeight int64
	start := (a.last + 1) % n
	if start < 0 {
		start = 0
	}
	for k := 0; k < n; k++ {
		i := start + k
		if i >= n {
			i -= n
		}
		w := int64(s.Weight(i))
		if w <= 0 || s.Full(i) {
			continue
		}
		l := int64(max(s.Load(i), 0))
		if best < 0 || lessLoaded(l, w, bestLoad, bestWeight) {
			best, bestLoad, bestWeight = i, l, w
		}
	}
	if best >= 0 {
		a.last = best
	}
	return best
}

// lessLoaded reports whether load l1 on weight w1 ranks strictly before l2
// on w2 under HAProxy's key: 0 when idle, else (load+1)/weight.
func lessLoaded(l1, w1, l2, w2 int64) bool {
	switch {
	case l1 == 0:
		return l2 != 0
	case l2 == 0:
		return false
	}
	return (l1+1)*w2 < (l2+1)*w1
}
