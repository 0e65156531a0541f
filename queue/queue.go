package queue

import (
	"sync"
	"sync/atomic"
)

// Entry states.
const (
	Idle    uint8 = 0 // not linked; the owner may reuse the entry
	Queued  uint8 = 1 // linked in a shard
	Granted uint8 = 2 // popped by a dequeuer with a server slot for it
	Refused uint8 = 3 // popped by a flush: no server can ever take it
)

// Entry is one waiting stream, embedded in the owner's stream. The owner
// sets Ref before [Queue.Push]; a dequeuer sets Target (the server it
// reserved a slot on) when it grants the entry.
type Entry struct {
	next, prev *Entry
	shard      int
	seq        uint64 // push order, for "oldest first" across shards
	state      uint8

	// Ref identifies the owner (for example a stream index and
	// generation); the queue never reads it.
	Ref uint64
	// Key is what the dequeuer needs to choose a server for the entry
	// (for example a hash key); the queue never reads it.
	Key uint64
	// Ticket is seq at the moment of the pop: a grant carries it so that
	// the owner recognises a stale grant after the entry was reused.
	Ticket uint64
}

// Popped is what a dequeuer learns of an entry it unlinked, copied under
// the shard's lock: once the lock is released the owner may reuse the
// entry, so the dequeuer must use these copies and never read the entry
// again.
type Popped struct {
	E      *Entry
	Ref    uint64
	Key    uint64
	Ticket uint64
	Shard  int
}

// State returns the entry's state. Only meaningful to the owner, and to
// anyone holding the entry's shard lock.
func (e *Entry) State() uint8 { return e.state }

// Shard returns the shard e was pushed to.
func (e *Entry) Shard() int { return e.shard }

// Reset makes a popped entry Idle again, for reuse by its owner.
func (e *Entry) Reset() { e.state = Idle }

type shard struct {
	mu         sync.Mutex
	head, tail *Entry
	n          int
	_          [40]byte // keep shards on separate cache lines
}

// Queue is a sharded FIFO of entries. Its methods are safe for concurrent
// use.
type Queue struct {
	shards  []shard
	length  atomic.Int64
	changes atomic.Uint64
	seq     atomic.Uint64
	maxLen  atomic.Int64

	busy  atomic.Bool // a goroutine is draining
	again atomic.Bool // a drain pass was requested
}

// New returns a queue with one shard per reactor.
func New(shards int) *Queue {
	if shards < 1 {
		shards = 1
	}
	return &Queue{shards: make([]shard, shards)}
}

// Len returns the number of queued entries.
func (q *Queue) Len() int64 { return q.length.Load() }

// Max returns the highest Len observed.
func (q *Queue) Max() int64 { return q.maxLen.Load() }

// Changes returns the change counter: it moves on every push, pop and
// removal, and on every [Queue.Touch].
func (q *Queue) Changes() uint64 { return q.changes.Load() }

// Touch bumps the change counter: an outside event (a server state
// change) may let a waiting entry progress.
func (q *Queue) Touch() { q.changes.Add(1) }

// Push links e at the tail of shard sh. e must not be queued. The length
// moves under the shard's lock, with the link, so that Len never counts
// an entry a pop could not find (nor goes below zero).
func (q *Queue) Push(sh int, e *Entry) {
	s := &q.shards[sh]
	e.shard = sh
	s.mu.Lock()
	e.seq = q.seq.Add(1)
	e.state = Queued
	e.next, e.prev = nil, s.tail
	if s.tail != nil {
		s.tail.next = e
	} else {
		s.head = e
	}
	s.tail = e
	s.n++
	n := q.length.Add(1)
	s.mu.Unlock()
	if n > q.maxLen.Load() {
		q.raiseMax(n)
	}
	q.changes.Add(1)
}

func (q *Queue) raiseMax(n int64) {
	for {
		m := q.maxLen.Load()
		if n <= m || q.maxLen.CompareAndSwap(m, n) {
			return
		}
	}
}

// ResetMax sets the recorded maximum to the current length.
func (q *Queue) ResetMax() { q.maxLen.Store(q.length.Load()) }

// unlink removes e from s. s.mu is held and e is linked in s.
func (s *shard) unlink(e *Entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		s.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		s.tail = e.prev
	}
	e.next, e.prev = nil, nil
	s.n--
}

// Remove takes e out of its shard if it is still queued, and reports
// whether it did. False means a dequeuer popped it: its grant or refusal
// is on its way to the owner.
func (q *Queue) Remove(e *Entry) bool {
	s := &q.shards[e.shard]
	s.mu.Lock()
	if e.state != Queued {
		s.mu.Unlock()
		return false
	}
	s.unlink(e)
	e.state = Idle
	q.length.Add(-1)
	s.mu.Unlock()
	q.changes.Add(1)
	return true
}

// PopOldest unlinks the oldest entry over all shards, looking at shard
// prefer first, marks it Granted and returns it; ok is false if the queue
// is empty.
func (q *Queue) PopOldest(prefer int) (p Popped, ok bool) {
	for attempt := 0; attempt < 4; attempt++ {
		best, bestSeq := -1, uint64(0)
		for i := range q.shards {
			sh := (prefer + i) % len(q.shards)
			s := &q.shards[sh]
			s.mu.Lock()
			if s.head != nil && (best < 0 || s.head.seq < bestSeq) {
				best, bestSeq = sh, s.head.seq
			}
			s.mu.Unlock()
		}
		if best < 0 {
			return Popped{}, false
		}
		s := &q.shards[best]
		s.mu.Lock()
		e := s.head
		if e == nil || e.seq != bestSeq {
			// The head moved (removed or popped) between the scan and
			// the lock: scan again, a bounded number of times.
			s.mu.Unlock()
			continue
		}
		p = q.take(s, e, Granted)
		s.mu.Unlock()
		q.taken()
		return p, true
	}
	// Four lost races in a row: take any head rather than none.
	for i := range q.shards {
		s := &q.shards[(prefer+i)%len(q.shards)]
		s.mu.Lock()
		if e := s.head; e != nil {
			p = q.take(s, e, Granted)
			s.mu.Unlock()
			q.taken()
			return p, true
		}
		s.mu.Unlock()
	}
	return Popped{}, false
}

// take unlinks e, sets its state and returns the copies a dequeuer may
// use. s.mu is held.
func (q *Queue) take(s *shard, e *Entry, state uint8) Popped {
	s.unlink(e)
	q.length.Add(-1)
	e.state = state
	e.Ticket = e.seq
	return Popped{E: e, Ref: e.Ref, Key: e.Key, Ticket: e.seq, Shard: e.shard}
}

// taken accounts for an entry unlinked by a dequeuer, once the lock is
// released.
func (q *Queue) taken() { q.changes.Add(1) }

// OldestKey returns the Key of the oldest entry, and false if the queue
// is empty. Without a concurrent pop (one dequeuer at a time, see Drain)
// the next PopOldest returns that entry unless its owner removed it
// meanwhile.
func (q *Queue) OldestKey() (uint64, bool) {
	var key, best uint64
	found := false
	for i := range q.shards {
		s := &q.shards[i]
		s.mu.Lock()
		if h := s.head; h != nil && (!found || h.seq < best) {
			key, best, found = h.Key, h.seq, true
		}
		s.mu.Unlock()
	}
	return key, found
}

// Flush unlinks the entries, marks them Refused and passes each to fn,
// which is called without any shard lock held. It returns how many it
// refused. A shard gives at most the entries it held when the flush
// reached it: an owner that pushes again from fn (a stream sent back to
// load balancing may queue here again) cannot keep the flush going.
func (q *Queue) Flush(fn func(Popped)) int {
	n := 0
	for i := range q.shards {
		s := &q.shards[i]
		s.mu.Lock()
		left := s.n
		s.mu.Unlock()
		for ; left > 0; left-- {
			s.mu.Lock()
			e := s.head
			if e == nil {
				s.mu.Unlock()
				break
			}
			p := q.take(s, e, Refused)
			s.mu.Unlock()
			q.taken()
			n++
			fn(p)
		}
	}
	return n
}

// Drain runs pass while passes are requested, with at most one goroutine
// in pass at a time. Every call requests a pass; a call that finds
// another goroutine draining returns at once, and that goroutine runs
// the requested pass before it stops. pass returns true to request one
// more pass (it stopped at its batch bound with work left).
//
// Drain runs at most maxPasses passes. It returns false if it stopped at
// that bound with a request still pending: the caller must arrange a
// later call (for example by posting a task to a reactor).
func (q *Queue) Drain(maxPasses int, pass func() bool) bool {
	q.again.Store(true)
	passes := 0
	for {
		if !q.busy.CompareAndSwap(false, true) {
			return true
		}
		for q.again.Swap(false) {
			if passes >= maxPasses {
				q.again.Store(true)
				q.busy.Store(false)
				return false
			}
			passes++
			if pass() {
				q.again.Store(true)
			}
		}
		q.busy.Store(false)
		// A request made after the last Swap and before busy was
		// cleared found busy set and returned: serve it.
		if !q.again.Load() {
			return true
		}
	}
}
