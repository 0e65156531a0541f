package lb

import "slices"

// ConsistentHash is "hash-type consistent" for the hash-based algorithms:
// a ring of 32-bit points where a server of weight w owns its first 16*w
// points (HAProxy's effective weight scale; at most 16*256 = 4096), point
// j of the server with id d sitting at Avalanche(d*4096 + j). These are
// HAProxy's points, so with the same ids and weights a key maps to the
// same server as under HAProxy.
//
// A key picks the point closest to it on the ring, before or after (the
// one before on a tie), as HAProxy does. Removing a server (weight 0)
// removes only its points, so only the keys it owned move; changing a
// weight adds or removes points at the end of the server's sequence, so
// only keys near those points move; and the mapping is a function of the
// current weights alone, so restoring a weight restores the mapping.
// Weights are dynamic.
//
// An invalid key falls back to round robin along the ring, point after
// point, as HAProxy's chash_get_next_server: weighted by points, not
// smooth. A Full server is skipped by walking on to the next point owned
// by a server with a free slot (in both cases), unless PreserveAffinity is
// set, in which case a valid key returns its server even when Full.
//
// Cost: a Pick is O(n) to detect weight changes plus O(log P) for the
// lookup (P points) plus the points skipped; a weight change rebuilds the
// ring in O(P log P), allocating only when the ring outgrows its capacity.
type ConsistentHash struct {
	ids      serverIDs
	weight   []int   // weight used for each server at the last build
	ring     []point // sorted by (key, srv)
	n        int     // Len() at the last build
	last     point   // last point used by the round robin fallback
	hasLast  bool
	preserve bool
}

// point is one place of a server on the ring.
type point struct {
	key uint32
	srv int32
}

func (p point) less(q point) bool {
	return p.key < q.key || p.key == q.key && p.srv < q.srv
}

// maxPointsPerServer bounds a server's points at HAProxy's maximum
// effective weight (weight 256 times 16).
const (
	pointsPerWeight    = 16
	maxPointsPerServer = 256 * pointsPerWeight
)

// NewConsistentHash returns a ConsistentHash for n servers whose ids in
// configuration order are ids (nil means 1..n); preserveAffinity is
// Options.PreserveAffinity.
func NewConsistentHash(n int, ids []int, preserveAffinity bool) *ConsistentHash {
	return &ConsistentHash{
		ids:      newServerIDs(ids),
		weight:   make([]int, max(n, len(ids))),
		preserve: preserveAffinity,
	}
}

// Pick returns the server k maps to, or with an invalid key the next one in
// round robin; -1 when no server is pickable.
func (c *ConsistentHash) Pick(s Servers, k Key) int {
	c.sync(s)
	if len(c.ring) == 0 {
		return -1
	}
	if !k.Valid {
		return c.nextRR(s)
	}
	i := c.closest(k.Hash)
	srv := int(c.ring[i].srv)
	if c.preserve || !s.Full(srv) {
		return srv
	}
	if !c.anyFree(s) {
		return -1
	}
	for range len(c.ring) - 1 {
		if i++; i == len(c.ring) {
			i = 0
		}
		if srv = int(c.ring[i].srv); !s.Full(srv) {
			return srv
		}
	}
	return -1
}

// closest returns the index of the point nearest to h, the earlier one on
// a tie, wrapping around the ring. The ring must not be empty.
func (c *ConsistentHash) closest(h uint32) int {
	next, _ := slices.BinarySearchFunc(c.ring, h, func(p point, h uint32) int {
		if p.key < h {
			return -1
		}
		if p.key > h {
			return 1
		}
		return 0
	})
	if next == len(c.ring) {
		next = 0
	}
	prev := next - 1
	if prev < 0 {
		prev = len(c.ring) - 1
	}
	// Unsigned differences measure the distances around the ring.
	if h-c.ring[prev].key <= c.ring[next].key-h {
		return prev
	}
	return next
}

// nextRR returns the server of the first point after the last one used
// whose server is not Full, and remembers that point.
func (c *ConsistentHash) nextRR(s Servers) int {
	if !c.anyFree(s) {
		return -1
	}
	i := 0
	if c.hasLast {
		// First point after the last one used; the last one may have
		// left the ring since.
		i, _ = slices.BinarySearchFunc(c.ring, c.last, func(p, last point) int {
			if p.less(last) || p == last {
				return -1
			}
			return 1
		})
	}
	for range len(c.ring) {
		if i == len(c.ring) {
			i = 0
		}
		if srv := int(c.ring[i].srv); !s.Full(srv) {
			c.last, c.hasLast = c.ring[i], true
			return srv
		}
		i++
	}
	return -1
}

// anyFree reports whether a server on the ring has a free slot.
func (c *ConsistentHash) anyFree(s Servers) bool {
	for i := 0; i < c.n; i++ {
		if c.weight[i] > 0 && !s.Full(i) {
			return true
		}
	}
	return false
}

// sync rebuilds the ring if any weight changed since the last build.
func (c *ConsistentHash) sync(s Servers) {
	n := s.Len()
	if n > len(c.weight) {
		c.weight = append(c.weight, make([]int, n-len(c.weight))...)
	}
	changed := n != c.n
	for i := 0; i < n; i++ {
		if w := min(max(s.Weight(i), 0), maxPointsPerServer/pointsPerWeight); w != c.weight[i] {
			c.weight[i] = w
			changed = true
		}
	}
	if changed {
		c.build(n)
	}
}

// build lays out the points of every server with a weight.
func (c *ConsistentHash) build(n int) {
	c.n = n
	total := 0
	for i := 0; i < n; i++ {
		total += c.weight[i] * pointsPerWeight
	}
	if cap(c.ring) < total {
		c.ring = make([]point, 0, total)
	}
	c.ring = c.ring[:0]
	for i := 0; i < n; i++ {
		base := uint32(c.ids.of(i)) * maxPointsPerServer
		for j := range uint32(c.weight[i] * pointsPerWeight) {
			c.ring = append(c.ring, point{key: Avalanche(base + j), srv: int32(i)})
		}
	}
	slices.SortFunc(c.ring, func(p, q point) int {
		switch {
		case p.less(q):
			return -1
		case q.less(p):
			return 1
		}
		return 0
	})
}
