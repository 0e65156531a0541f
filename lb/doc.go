// Package lb holds the server selection algorithms of HAProxy's "balance"
// keyword, one per file behind the [Algorithm] interface:
//
//	roundrobin.go  roundrobin   smooth weighted round robin, dynamic weights
//	staticrr.go    static-rr    round robin over a static weighted map
//	leastconn.go   leastconn    lowest (load+1)/weight, rotating among equals
//	first.go       first        lowest id with a free slot
//	random.go      random[(N)]  power of N weighted random choices
//	maphash.go     hash-type map-based: key modulo the static weighted map
//	chash.go       hash-type consistent: nearest point on a ring
//
// The hash-based algorithms (source, uri, url_param, hdr, rdp-cookie, hash)
// differ only by what they hash: they are MapHash or ConsistentHash, fed
// with a [Key] that a [Keyer] (keys.go) computes from the request with the
// hash functions of hashfn.go. wmap.go holds the weighted map shared by
// static-rr and map-based hashing.
//
// An algorithm sees a backend through the [Servers] interface: servers
// addressed by index (the count may grow at run time), each with an
// effective weight (0 means "must not be picked": down, in maintenance,
// draining, or outside the current active/backup set), a fullness flag (no
// free connection slot) and a load (streams served plus queued). Pick
// returns a server with a weight above 0 that is not Full, or -1 when there
// is none; the one exception is Options.PreserveAffinity for the hash-based
// algorithms. Algorithms never take slots themselves: the caller picks,
// then takes a slot by CAS, and picks again (a bounded number of times) if
// it lost the race.
//
// Ownership: an algorithm value holds mutable state (accumulators,
// positions, its map or ring, its random generator) and belongs to the
// caller that serialises its calls (the engine holds its backend's short
// lock around Pick, never across I/O). A Keyer is immutable and may be used
// from any goroutine.
//
// Allocation: Pick and the Keyer methods do not allocate once the
// algorithm has seen the largest configuration of its backend; a change of
// servers or weights may rebuild a map or a ring, reusing its memory.
//
// The package is a leaf: it imports nothing from the project, makes no
// system calls, starts no goroutines, never reads the clock and never uses
// the global random generator.
package lb
