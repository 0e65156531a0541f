package lb

import "errors"

// Servers is an algorithm's view of a backend's servers. Implementations
// must not allocate; they are called with the owner's lock held.
type Servers interface {
	// Len returns the number of servers; indexes are 0..Len()-1.
	Len() int
	// Weight returns the effective weight of server i, 0 if it must not
	// be picked.
	Weight(i int) int
	// Full reports whether server i has no free connection slot.
	Full(i int) bool
}

// ErrUnknownAlgorithm is returned by [New] for a name it does not know.
var ErrUnknownAlgorithm = errors.New("lb: unknown algorithm")

// Algorithm picks a server index, or -1 when no server may be picked.
type Algorithm interface {
	Pick(s Servers) int
}

// New returns the algorithm named as in HAProxy's "balance" keyword, for a
// backend of n servers.
func New(name string, n int) (Algorithm, error) {
	switch name {
	case "", "roundrobin":
		return NewRoundRobin(n), nil
	}
	return nil, ErrUnknownAlgorithm
}
