package lb

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Servers is an algorithm's view of a backend's servers. Implementations
// must not allocate; they are called with the owner's lock held, and their
// answers must not change during one Pick.
type Servers interface {
	// Len returns the number of servers; indexes are 0..Len()-1. It may
	// grow between calls (servers added at run time).
	Len() int
	// Weight returns the effective weight of server i, 0 if it must not
	// be picked (down, maintenance, drain, outside the current set).
	Weight(i int) int
	// Full reports whether server i has no free connection slot.
	Full(i int) bool
	// Load returns the streams server i currently serves plus those
	// queued on it.
	Load(i int) int
}

// Key is a request's hash key for the hash-based algorithms (source, uri,
// url_param, hdr, rdp-cookie, hash). The zero Key is invalid: the request
// had no key (parameter or header absent), and the hash-based algorithms
// then fall back to round robin, as HAProxy does. Build keys with a
// [Keyer]; algorithms that do not hash ignore the key.
type Key struct {
	Hash  uint32
	Valid bool
}

// Algorithm picks a server index, or -1 when no server may be picked.
type Algorithm interface {
	// Pick returns a server with Weight > 0 that is not Full (see
	// Options.PreserveAffinity for the one exception), or -1 when there
	// is none. It does not allocate once the algorithm has seen the
	// backend's largest configuration.
	Pick(s Servers, k Key) int
}

// Options configures [New] and [NewKeyer]; field names follow HAProxy's
// "balance" and "hash-type" keywords.
type Options struct {
	// Algo is the algorithm as written after "balance": roundrobin
	// (also ""), static-rr, leastconn, first, source, uri, url_param,
	// hdr(<name>), random or random(<draws>), rdp-cookie or
	// rdp-cookie(<name>), hash.
	Algo string
	// Args are the words after the algorithm: for uri "len" N, "depth"
	// N, "whole", "path-only"; for url_param the parameter name then
	// optionally "check_post"; for hdr(<name>) optionally
	// "use_domain_only"; for random optionally the number of draws (as
	// an alternative to random(<draws>)); for hash the sample expression.
	Args []string
	// HashType is "map-based" (default, also "") or "consistent".
	HashType string
	// HashFunction is sdbm, djb2, wt6, crc32 or none (none is from
	// HAProxy 2.7+; 2.6 refuses it). "" means no function was written:
	// sdbm, and with HashType "consistent" the avalanche modifier too, as
	// HAProxy does for a bare "hash-type consistent". Pass "sdbm"
	// explicitly when the configuration names it.
	HashFunction string
	// Avalanche applies HAProxy's full_hash to every key ("avalanche"
	// modifier of hash-type).
	Avalanche bool
	// PreserveAffinity makes the hash-based algorithms return the server
	// a key maps to even when it is Full, so that the caller queues on
	// that server: HAProxy 2.6's behaviour, "hash-preserve-affinity
	// always" in 3.2. When false (the default) a Full server is skipped
	// by walking on along the map or the ring, like
	// "hash-preserve-affinity maxconn", which keeps the package-wide
	// contract that Pick never returns a Full server.
	PreserveAffinity bool
	// N is the number of servers known at creation; more may appear.
	N int
	// IDs are the servers' ids ("id" keyword or position from 1) in
	// configuration order: first orders servers by id, and consistent
	// hashing places a server's points from its id. Nil means 1..N.
	IDs []int
	// Weights are the configured weights ("weight" keyword, default 1) in
	// configuration order. The static algorithms (static-rr, hash-type
	// map-based) fix each server's weight at creation from it, so a server
	// that starts disabled or down enters with its configured weight even
	// if its weight was changed meanwhile. Servers beyond the list, or all
	// servers when it is nil, use the first weight above 0 they are seen
	// with. The other algorithms ignore it.
	Weights []int
	// Seed seeds the generator of random; the same seed gives the same
	// sequence of picks for the same sequence of server states.
	Seed uint64
}

// ErrUnknownAlgorithm is returned by [New] for a name it does not know.
var ErrUnknownAlgorithm = errors.New("lb: unknown algorithm")

// ErrInvalidArgs is wrapped by the errors [New] and [NewKeyer] return for
// arguments an algorithm does not accept.
var ErrInvalidArgs = errors.New("lb: invalid arguments")

// New returns the algorithm selected by o, ready for a backend of o.N
// servers. It returns ErrUnknownAlgorithm for an unknown name, and an
// error wrapping ErrInvalidArgs for bad arguments, hash type or hash
// function.
func New(o Options) (Algorithm, error) {
	sp, err := parse(o)
	if err != nil {
		return nil, err
	}
	n := max(o.N, len(o.IDs), 0)
	switch sp.kind {
	case kindRoundRobin:
		return NewRoundRobin(n), nil
	case kindStaticRR:
		return NewStaticRR(n, o.Weights), nil
	case kindLeastConn:
		return NewLeastConn(n), nil
	case kindFirst:
		return NewFirst(n, o.IDs), nil
	case kindRandom:
		return NewRandom(n, sp.draws, o.Seed), nil
	}
	if sp.consistent {
		return NewConsistentHash(n, o.IDs, o.PreserveAffinity), nil
	}
	return NewMapHash(n, o.Weights, o.PreserveAffinity), nil
}

// algoKind is the lookup family of an algorithm.
type algoKind uint8

const (
	kindRoundRobin algoKind = iota
	kindStaticRR
	kindLeastConn
	kindFirst
	kindRandom
	kindHash // source, uri, url_param, hdr, rdp-cookie, hash
)

// spec is the parsed form of Options.
type spec struct {
	kind       algoKind
	input      KeyInput
	draws      int
	name       string // url_param name, hdr name, rdp-cookie name
	consistent bool
	fn         hashFunc
	avalanche  bool
	// uri
	uriLen, uriDepth    int
	uriWhole, uriPathOK bool // uriPathOK: "path-only"
	// url_param
	checkPost bool
	// hdr
	domainOnly bool
}

// defaultDraws is random's number of draws when none is given.
const defaultDraws = 2

func invalid(algo, format string, a ...any) error {
	return fmt.Errorf("%w: balance %s: %s", ErrInvalidArgs, algo, fmt.Sprintf(format, a...))
}

// parse validates o. The messages follow HAProxy's where it has one.
func parse(o Options) (spec, error) {
	var sp spec
	switch o.HashType {
	case "", "map-based":
	case "consistent":
		sp.consistent = true
	default:
		return sp, fmt.Errorf("%w: hash-type %q: only 'consistent' and 'map-based' are supported", ErrInvalidArgs, o.HashType)
	}
	fn, ok := parseHashFunc(o.HashFunction)
	if !ok {
		return sp, fmt.Errorf("%w: hash-type: unknown hash function %q (sdbm, djb2, wt6, crc32, none)", ErrInvalidArgs, o.HashFunction)
	}
	sp.fn, sp.avalanche = fn, o.Avalanche
	if sp.consistent && o.HashFunction == "" {
		sp.avalanche = true // "hash-type consistent" alone implies avalanche
	}

	algo, args := o.Algo, o.Args
	noArgs := func() error {
		if len(args) > 0 {
			return invalid(algo, "takes no argument (got %q)", strings.Join(args, " "))
		}
		return nil
	}
	switch {
	case algo == "" || algo == "roundrobin":
		sp.kind = kindRoundRobin
		return sp, noArgs()
	case algo == "static-rr":
		sp.kind = kindStaticRR
		return sp, noArgs()
	case algo == "leastconn":
		sp.kind = kindLeastConn
		return sp, noArgs()
	case algo == "first":
		sp.kind = kindFirst
		return sp, noArgs()
	case algo == "random" || strings.HasPrefix(algo, "random("):
		sp.kind = kindRandom
		return sp, parseDraws(&sp, algo, args)
	case algo == "source":
		sp.kind, sp.input = kindHash, KeySource
		return sp, noArgs()
	case algo == "uri":
		sp.kind, sp.input = kindHash, KeyURI
		return sp, parseURIArgs(&sp, args)
	case algo == "url_param":
		sp.kind, sp.input = kindHash, KeyURLParam
		if len(args) == 0 || args[0] == "" {
			return sp, invalid(algo, "requires an URL parameter name")
		}
		sp.name = args[0]
		if len(args) > 1 && args[1] != "" {
			if args[1] != "check_post" {
				return sp, invalid(algo, "only accepts 'check_post' modifier (got %q)", args[1])
			}
			sp.checkPost = true
		}
		return sp, nil
	case algo == "hdr" || strings.HasPrefix(algo, "hdr("):
		sp.kind, sp.input = kindHash, KeyHeader
		name, ok := strings.CutPrefix(algo, "hdr(")
		end := strings.IndexByte(name, ')')
		if !ok || end <= 0 {
			return sp, invalid(algo, "requires an http header field name: hdr(<name>)")
		}
		sp.name = name[:end]
		if len(args) > 0 && args[0] != "" {
			if args[0] != "use_domain_only" {
				return sp, invalid(algo, "only accepts 'use_domain_only' modifier (got %q)", args[0])
			}
			sp.domainOnly = true
		}
		return sp, nil
	case algo == "rdp-cookie" || strings.HasPrefix(algo, "rdp-cookie("):
		sp.kind, sp.input, sp.name = kindHash, KeyRDPCookie, "mstshash"
		if name, ok := strings.CutPrefix(algo, "rdp-cookie("); ok {
			end := strings.IndexByte(name, ')')
			if end <= 0 {
				return sp, invalid(algo, "missing cookie name: rdp-cookie(<name>)")
			}
			sp.name = name[:end]
		}
		return sp, nil
	case algo == "hash":
		sp.kind, sp.input = kindHash, KeyExpr
		if len(args) == 0 || args[0] == "" {
			return sp, invalid(algo, "requires a sample expression")
		}
		return sp, nil
	}
	return sp, ErrUnknownAlgorithm
}

// parseDraws handles random, random(<draws>) and random with the number of
// draws in args[0].
func parseDraws(sp *spec, algo string, args []string) error {
	sp.draws = defaultDraws
	text := ""
	if inner, ok := strings.CutPrefix(algo, "random("); ok {
		var closed bool
		text, closed = strings.CutSuffix(inner, ")")
		if !closed {
			return invalid(algo, "missing closing parenthesis")
		}
		if len(args) > 0 {
			return invalid(algo, "unexpected argument %q", args[0])
		}
	} else if len(args) > 0 {
		if len(args) > 1 {
			return invalid(algo, "unexpected argument %q", args[1])
		}
		text = args[0]
	}
	if text == "" {
		return nil
	}
	n, err := strconv.Atoi(text)
	if err != nil {
		return invalid(algo, "expects a number of draws (got %q)", text)
	}
	if n < 1 {
		return invalid(algo, "number of draws must be at least 1 (got %d)", n)
	}
	sp.draws = n
	return nil
}

// parseURIArgs handles "len <n>", "depth <n>", "whole" and "path-only".
func parseURIArgs(sp *spec, args []string) error {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "len", "depth":
			v := ""
			if i+1 < len(args) {
				v = args[i+1]
			}
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return invalid("uri", "'%s' expects a positive integer (got %q)", a, v)
			}
			if a == "len" {
				sp.uriLen = n
			} else {
				sp.uriDepth = n
			}
			i++
		case "whole":
			sp.uriWhole = true
		case "path-only":
			sp.uriPathOK = true
		case "":
		default:
			return invalid("uri", "only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got %q)", a)
		}
	}
	return nil
}

// serverIDs maps a server index to its id: the configured one, or for
// servers beyond the configured list (added at run time) the ids following
// the largest configured one.
type serverIDs struct {
	ids []int
	max int
}

func newServerIDs(ids []int) serverIDs {
	s := serverIDs{ids: append([]int(nil), ids...)}
	for _, id := range ids {
		s.max = max(s.max, id)
	}
	return s
}

func (s *serverIDs) of(i int) int {
	if i < len(s.ids) {
		return s.ids[i]
	}
	if len(s.ids) == 0 {
		return i + 1
	}
	return s.max + 1 + i - len(s.ids)
}
