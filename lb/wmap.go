package lb

// weightMap is the server map of HAProxy's static algorithms (static-rr and
// hash-type map-based): an array of tot slots, each naming a server, where
// every pickable server appears weight/gcd times, interleaved as evenly as
// possible with the first declared server first (HAProxy's own interleave,
// so that a key lands on the same server as under HAProxy).
//
// Weights are static, as HAProxy's static algorithms only accept "set
// weight" to 0% or back to 100%: a server's weight is its configured one
// (Options.Weights) or, for a server without one, the weight it had the
// first time it was seen above 0. gcd is the greatest common divisor of
// all those weights, pickable or not: as HAProxy, the map uses weight/gcd
// to stay small. Multiplying every weight by k gives the same map repeated
// k times, so the gcd changes the map's size, never the server of a key. A server entering or leaving the pickable set, or
// a new server, rebuilds the map, which moves most hash keys: that is the
// documented cost of map-based hashing.
//
// Invariants: slots holds only servers with inMap set; len(slots) is the
// sum of latched/gcd over them; rr is in 0..len(slots) (len wraps to 0).
type weightMap struct {
	latched []int   // weight when first seen pickable; 0 = never seen
	inMap   []bool  // pickable at the last build
	score   []int64 // interleave accumulators, build scratch
	slots   []int32 // the map
	n       int     // Len() at the last build
	gcd     int
	rr      int // next slot for round robin
}

func newWeightMap(n int, weights []int) weightMap {
	n = max(n, len(weights))
	m := weightMap{
		latched: make([]int, n),
		inMap:   make([]bool, n),
		score:   make([]int64, n),
	}
	for i, w := range weights {
		if w > 0 {
			m.latched[i] = w
			m.gcd = gcd(m.gcd, w)
		}
	}
	return m
}

// sync brings the map in line with s, rebuilding it when the set of
// pickable servers changed. O(n) without a change; a rebuild is
// O(tot * n) and allocates only when the map grows beyond its capacity.
func (m *weightMap) sync(s Servers) {
	n := s.Len()
	if n > len(m.latched) {
		m.latched = append(m.latched, make([]int, n-len(m.latched))...)
		m.inMap = append(m.inMap, make([]bool, n-len(m.inMap))...)
		m.score = append(m.score, make([]int64, n-len(m.score))...)
	}
	changed := n != m.n
	for i := 0; i < n; i++ {
		up := s.Weight(i) > 0
		if up && m.latched[i] == 0 {
			m.latched[i] = s.Weight(i)
			m.gcd = gcd(m.gcd, m.latched[i])
		}
		if up != m.inMap[i] {
			m.inMap[i] = up
			changed = true
		}
	}
	if changed {
		m.build(n)
	}
}

// build fills slots with HAProxy's interleave: for each slot, every
// pickable server adds its weight to its score; the first server with the
// highest (score+tot)/tot takes the slot and pays tot.
func (m *weightMap) build(n int) {
	m.n = n
	tot := 0
	for i := 0; i < n; i++ {
		m.score[i] = 0
		if m.inMap[i] {
			tot += m.latched[i] / m.gcd
		}
	}
	if cap(m.slots) < tot {
		m.slots = make([]int32, tot)
	}
	m.slots = m.slots[:tot]
	t := int64(tot)
	for o := range m.slots {
		best, bestV := -1, int64(0)
		for i := 0; i < n; i++ {
			if !m.inMap[i] {
				continue
			}
			if tot == 1 {
				best = i
				break
			}
			m.score[i] += int64(m.latched[i] / m.gcd)
			if v := (m.score[i] + t) / t; best < 0 || v > bestV {
				best, bestV = i, v
			}
		}
		m.slots[o] = int32(best)
		m.score[best] -= t
	}
	if m.rr >= tot {
		m.rr = 0
	}
}

// anyFree reports whether a mapped server has a free slot.
func (m *weightMap) anyFree(s Servers) bool {
	for i := 0; i < m.n; i++ {
		if m.inMap[i] && !s.Full(i) {
			return true
		}
	}
	return false
}

// nextRR returns the next server in map order that is not Full, starting
// at slot rr, and moves rr past it; -1 if every mapped server is Full (rr
// is then left alone, as HAProxy's map_get_server_rr).
func (m *weightMap) nextRR(s Servers) int {
	tot := len(m.slots)
	if tot == 0 || !m.anyFree(s) {
		return -1
	}
	for i, o := 0, m.rr; i < tot; i++ {
		srv := int(m.slots[o])
		if o++; o == tot {
			o = 0
		}
		if !s.Full(srv) {
			m.rr = o
			return srv
		}
	}
	return -1
}

// lookup returns the server of slot hash%tot; when that server is Full and
// skipFull is set, the next slot holding a server that is not Full. -1 if
// the map is empty or, with skipFull, every mapped server is Full.
func (m *weightMap) lookup(s Servers, hash uint32, skipFull bool) int {
	tot := len(m.slots)
	if tot == 0 {
		return -1
	}
	o := int(hash % uint32(tot))
	srv := int(m.slots[o])
	if !skipFull || !s.Full(srv) {
		return srv
	}
	if !m.anyFree(s) {
		return -1
	}
	for i := 1; i < tot; i++ {
		if o++; o == tot {
			o = 0
		}
		if srv = int(m.slots[o]); !s.Full(srv) {
			return srv
		}
	}
	return -1
}

// gcd returns the greatest common divisor of a and b; gcd(0, b) is b.
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
