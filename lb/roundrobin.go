package lb

// RoundRobin is smooth weighted round robin: over any window of W picks,
// where W is the sum of the weights of the pickable servers, each server
// is picked exactly its weight times, and picks of a heavy server are
// spread evenly instead of bunched. Weights may change between calls (the
// algorithm is dynamic, as HAProxy's roundrobin). Full servers are
// skipped, as HAProxy skips them. Each Pick is O(n) in the number of
// servers and does not allocate.
type RoundRobin struct {
	current []int64 // smooth WRR accumulators, one per server
}

// NewRoundRobin returns a RoundRobin for n servers.
func NewRoundRobin(n int) *RoundRobin {
	return &RoundRobin{current: make([]int64, n)}
}

// Pick returns the next server, or -1 if none has a weight and a free slot.
// The key is ignored.
func (rr *RoundRobin) Pick(s Servers, _ Key) int {
	n := s.Len()
	if n > len(rr.current) {
		rr.current = append(rr.current, make([]int64, n-len(rr.current))...)
	}
	best := -1
	var total int64
	for i := 0; i < n; i++ {
		w := int64(s.Weight(i))
		if w <= 0 {
			// A server leaving the set forgets its accumulated credit so
			// that it restarts fairly when it comes back.
			rr.current[i] = 0
			continue
		}
		if s.Full(i) {
			continue
		}
		rr.current[i] += w
		total += w
		if best < 0 || rr.current[i] > rr.current[best] {
			best = i
		}
	}
	if best >= 0 {
		rr.current[best] -= total
	}
	return best
}
