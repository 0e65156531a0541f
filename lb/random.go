package lb

import "math/rand/v2"

// Random is HAProxy's random[(draws)], the "power of N choices": it draws
// `draws` servers at random, each with a probability proportional to its
// weight, and keeps the one with the lowest Load/Weight (on a tie, the
// later draw, as HAProxy). With the default 2 draws this avoids both the
// herd effect of leastconn on many load balancers and the imbalance of a
// single random choice. Weights are dynamic.
//
// HAProxy draws through its consistent-hash ring with a random key, which
// gives each server a share of the draws proportional to its number of
// points, hence to its weight; Random draws directly by weight, which is
// that share without the ring's placement noise, so the hash-type is
// ignored. HAProxy draws among all usable servers and returns no server
// (the request queues on the backend) when the final choice is full;
// Random draws only among servers with a free slot and returns -1 only
// when every server is Full or has no weight. It compares served plus
// queued streams (Load) where HAProxy 2.6 compares served ones.
//
// The generator is owned by the value and seeded at creation: the same
// seed and the same server states give the same picks. A Pick is
// O(n + draws*log n) and does not allocate once Len() stops growing.
type Random struct {
	draws  int
	rng    *rand.Rand
	cum    []int64 // cumulated weights of the candidates
	cand   []int32 // candidate server indexes
	weight []int64 // candidate weights
}

// NewRandom returns a Random for n servers, with draws draws per pick
// (values below 1 mean 1) and the generator seeded with seed.
func NewRandom(n, draws int, seed uint64) *Random {
	return &Random{
		draws:  max(draws, 1),
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		cum:    make([]int64, 0, n),
		cand:   make([]int32, 0, n),
		weight: make([]int64, 0, n),
	}
}

// Pick returns the least loaded of draws weighted random servers, or -1.
// The key is ignored.
func (r *Random) Pick(s Servers, _ Key) int {
	r.cum, r.cand, r.weight = r.cum[:0], r.cand[:0], r.weight[:0]
	var total int64
	for i, n := 0, s.Len(); i < n; i++ {
		w := int64(s.Weight(i))
		if w <= 0 || s.Full(i) {
			continue
		}
		total += w
		r.cum = append(r.cum, total)
		r.cand = append(r.cand, int32(i))
		r.weight = append(r.weight, w)
	}
	if total == 0 {
		return -1
	}
	best := -1
	var bestLoad, bestWeight int64
	for range r.draws {
		c := r.draw(total)
		srv := int(r.cand[c])
		l, w := int64(max(s.Load(srv), 0)), r.weight[c]
		// Keep the earlier choice only if the new one is strictly more
		// loaded per unit of weight.
		if best >= 0 && best != srv && l*bestWeight > bestLoad*w {
			continue
		}
		best, bestLoad, bestWeight = srv, l, w
	}
	return best
}

// draw returns the index of a candidate chosen with a probability
// proportional to its weight.
func (r *Random) draw(total int64) int {
	x := r.rng.Int64N(total)
	lo, hi := 0, len(r.cum)-1
	for lo < hi { // first cum > x
		mid := int(uint(lo+hi) >> 1)
		if r.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
