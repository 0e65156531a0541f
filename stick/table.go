package stick

import (
	"errors"
	"sync"
	"sync/atomic"
)

// nShards is the number of shards of a table.
const nShards = 16

// Spec is a table's declaration.
type Spec struct {
	Type    KeyType
	KeyLen  int   // string and binary keys; 0 means DefaultKeyLen
	Size    int   // maximum number of entries, > 0
	Expire  int64 // entry lifetime in milliseconds since its last refresh; 0: never
	NoPurge bool  // refuse new entries when full instead of evicting
	Store   []Store
}

// Errors of table operations.
var (
	ErrFull      = errors.New("stick: table full")
	ErrNotStored = errors.New("stick: data type not stored in this table")
	ErrSpec      = errors.New("stick: invalid table declaration")
)

// Table is a stick table. It is safe for use by any goroutine; see the
// package documentation for its locking rules.
type Table struct {
	name    string
	keyType KeyType
	keyLen  int // declared length (string, binary)
	size    int
	expire  int64
	nopurge bool

	off    [NumDataTypes]int16 // slot offset of each data type, -1 if not stored
	period [NumDataTypes]int64
	nslots int

	used   atomic.Int64
	seq    atomic.Uint32
	nextID atomic.Uint64

	shards [nShards]shard
}

type shard struct {
	mu   sync.Mutex
	m    map[string]*Entry
	head *Entry // most recently refreshed
	tail *Entry // least recently refreshed
	_    [40]byte
}

// Entry is one key of a table. Its fields are guarded by its shard's lock;
// callers hold a pointer only between a Lookup or Get and the matching
// Release.
type Entry struct {
	key        string
	id         uint64
	shard      uint8
	linked     bool
	use        int32
	exp        int64 // date of expiry, 0 with no expire
	seq        uint32
	prev, next *Entry
	vals       []uint64
	srvKey     string
}

// New returns an empty table named name.
func New(name string, s Spec) (*Table, error) {
	if s.Size <= 0 || s.Type > KeyBinary || s.Expire < 0 {
		return nil, ErrSpec
	}
	t := &Table{name: name, keyType: s.Type, size: s.Size, expire: s.Expire, nopurge: s.NoPurge}
	t.keyLen = s.KeyLen
	if t.keyLen <= 0 {
		t.keyLen = DefaultKeyLen
	}
	if s.Type != KeyString && s.Type != KeyBinary {
		t.keyLen = keySize(s.Type, 0)
	}
	for i := range t.off {
		t.off[i] = -1
	}
	for _, st := range s.Store {
		if st.Type >= NumDataTypes || (st.Type.IsRate() && st.Period <= 0) {
			return nil, ErrSpec
		}
		if t.off[st.Type] >= 0 {
			continue
		}
		t.off[st.Type] = int16(t.nslots)
		t.period[st.Type] = st.Period
		t.nslots += slots(st.Type)
	}
	for i := range t.shards {
		t.shards[i].m = make(map[string]*Entry)
	}
	t.nextID.Store(0x100000)
	return t, nil
}

// Name returns the table's name.
func (t *Table) Name() string { return t.name }

// KeyType returns the type of the table's keys.
func (t *Table) KeyType() KeyType { return t.keyType }

// Size returns the maximum number of entries.
func (t *Table) Size() int { return t.size }

// Used returns the number of entries.
func (t *Table) Used() int { return int(t.used.Load()) }

// Expire returns the entry lifetime in milliseconds (0: never).
func (t *Table) Expire() int64 { return t.expire }

// Seq returns the last update sequence number stamped on an entry.
func (t *Table) Seq() uint32 { return t.seq.Load() }

// Stores reports whether the table stores data type d, and its period.
func (t *Table) Stores(d DataType) (period int64, ok bool) {
	if d >= NumDataTypes || t.off[d] < 0 {
		return 0, false
	}
	return t.period[d], true
}

func fnv(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

func (t *Table) shardOf(key []byte) uint8 { return uint8(fnv(key) % nShards) }

// expired reports whether e is past its date at now.
func (e *Entry) expired(now int64) bool { return e.exp != 0 && now-e.exp >= 0 }

// Lookup returns the live entry for key with a reference taken, or nil.
// An expired entry is absent (and removed if nobody uses it). It does not
// refresh the entry (see [Table.Touch]) and does not allocate.
func (t *Table) Lookup(key []byte, now int64) *Entry {
	si := t.shardOf(key)
	s := &t.shards[si]
	s.mu.Lock()
	e := s.m[string(key)]
	if e != nil && e.expired(now) {
		if e.use == 0 {
			t.unlinkLocked(s, e)
		}
		e = nil
	}
	if e != nil {
		e.use++
	}
	s.mu.Unlock()
	return e
}

// Get returns the entry for key with a reference taken, creating it (with
// its expiry date set from now) if it is absent. It returns ErrFull when
// the table is full and nothing can be evicted, or when it is full and
// declared nopurge.
func (t *Table) Get(key []byte, now int64) (*Entry, error) {
	if e := t.Lookup(key, now); e != nil {
		return e, nil
	}
	if !t.reserve(key, now) {
		return nil, ErrFull
	}
	ne := &Entry{key: string(key), vals: make([]uint64, t.nslots), id: t.nextID.Add(1)}
	t.initVals(ne, now)
	si := t.shardOf(key)
	s := &t.shards[si]
	ne.shard = si
	s.mu.Lock()
	if e := s.m[ne.key]; e != nil {
		// Created meanwhile by another goroutine: use it.
		if e.expired(now) && e.use == 0 {
			t.unlinkLocked(s, e)
		} else {
			e.use++
			s.mu.Unlock()
			t.used.Add(-1)
			return e, nil
		}
	}
	ne.use = 1
	t.touchLocked(s, ne, now)
	s.m[ne.key] = ne
	ne.linked = true
	s.mu.Unlock()
	return ne, nil
}

// reserve counts one more entry, evicting one first when the table is
// full. It reports false if no room could be made.
func (t *Table) reserve(key []byte, now int64) bool {
	for try := 0; try < 4; try++ {
		n := t.used.Load()
		if n < int64(t.size) {
			if t.used.CompareAndSwap(n, n+1) {
				return true
			}
			continue
		}
		if t.nopurge || !t.evictOne(t.shardOf(key), now) {
			return false
		}
	}
	return false
}

// evictOne removes the least recently refreshed unused entry of the first
// shard, starting at shard first, that has one. Expired entries go first
// by construction (the LRU tail has the oldest date).
func (t *Table) evictOne(first uint8, now int64) bool {
	for i := 0; i < nShards; i++ {
		s := &t.shards[(int(first)+i)%nShards]
		s.mu.Lock()
		for e := s.tail; e != nil; e = e.prev {
			if e.use == 0 {
				t.unlinkLocked(s, e)
				s.mu.Unlock()
				return true
			}
		}
		s.mu.Unlock()
	}
	return false
}

func (t *Table) initVals(e *Entry, now int64) {
	for d := DataType(0); d < NumDataTypes; d++ {
		if o := t.off[d]; o >= 0 && d.IsRate() {
			e.vals[o] = uint64(now)
		}
	}
}

// unlinkLocked removes e from its shard. s.mu must be held.
func (t *Table) unlinkLocked(s *shard, e *Entry) {
	if !e.linked {
		return
	}
	delete(s.m, e.key)
	t.lruRemoveLocked(s, e)
	e.linked = false
	t.used.Add(-1)
}

func (t *Table) lruRemoveLocked(s *shard, e *Entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else if s.head == e {
		s.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else if s.tail == e {
		s.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

// touchLocked sets e's expiry from now and moves it to the LRU head.
func (t *Table) touchLocked(s *shard, e *Entry, now int64) {
	if t.expire > 0 {
		e.exp = now + t.expire
		if e.exp == 0 {
			e.exp = 1
		}
	}
	if s.head == e {
		return
	}
	if e.prev != nil || e.next != nil || s.tail == e {
		t.lruRemoveLocked(s, e)
	}
	e.next = s.head
	if s.head != nil {
		s.head.prev = e
	}
	s.head = e
	if s.tail == nil {
		s.tail = e
	}
}

// Touch refreshes e (held by the caller): its expiry date becomes now plus
// the table's expire delay. It does not allocate.
func (t *Table) Touch(e *Entry, now int64) {
	s := &t.shards[e.shard]
	s.mu.Lock()
	if e.linked {
		t.touchLocked(s, e, now)
	}
	s.mu.Unlock()
}

// Release drops the reference taken by Lookup or Get.
func (t *Table) Release(e *Entry) {
	s := &t.shards[e.shard]
	s.mu.Lock()
	if e.use > 0 {
		e.use--
	}
	s.mu.Unlock()
}

// ServerID returns the server id stored in e (held by the caller), and
// false if the table does not store it or it was never set.
func (t *Table) ServerID(e *Entry) (int32, bool) {
	o := t.off[ServerID]
	if o < 0 {
		return 0, false
	}
	s := &t.shards[e.shard]
	s.mu.Lock()
	v := int32(e.vals[o])
	s.mu.Unlock()
	return v, v != 0
}

// ServerKey returns the server key (name) stored in e (held by the
// caller), "" if none. It does not allocate.
func (t *Table) ServerKey(e *Entry) string {
	if t.off[ServerKey] < 0 {
		return ""
	}
	s := &t.shards[e.shard]
	s.mu.Lock()
	k := e.srvKey
	s.mu.Unlock()
	return k
}

// StoreServer writes server id and key (its name) into e (held by the
// caller), refreshes it and stamps it as changed. It allocates only when
// the key differs from the one stored.
func (t *Table) StoreServer(e *Entry, id int32, key string, now int64) {
	s := &t.shards[e.shard]
	s.mu.Lock()
	if o := t.off[ServerID]; o >= 0 {
		e.vals[o] = uint64(uint32(id))
	}
	if t.off[ServerKey] >= 0 && e.srvKey != key {
		e.srvKey = key
	}
	e.seq = t.seq.Add(1)
	if e.linked {
		t.touchLocked(s, e, now)
	}
	s.mu.Unlock()
}

// Add adds inc to counter (or rate) d of e (held by the caller) at date
// now. Types the table does not store are ignored. It does not allocate.
func (t *Table) Add(e *Entry, d DataType, inc uint64, now int64) {
	o := t.off[d]
	if o < 0 || d >= NumDataTypes {
		return
	}
	s := &t.shards[e.shard]
	s.mu.Lock()
	switch dataInfo[d].kind {
	case kindFreq:
		freqUpdate(e.vals[o:o+3], t.period[d], now, inc)
	case kindUInt, kindSInt:
		e.vals[o] = uint64(uint32(e.vals[o] + inc))
	default:
		e.vals[o] += inc
	}
	e.seq = t.seq.Add(1)
	s.mu.Unlock()
}

// Dec decrements counter d of e (held by the caller), not below zero. It
// is meant for conn_cur.
func (t *Table) Dec(e *Entry, d DataType) {
	o := t.off[d]
	if o < 0 || d >= NumDataTypes || dataInfo[d].kind == kindFreq {
		return
	}
	s := &t.shards[e.shard]
	s.mu.Lock()
	if e.vals[o] > 0 {
		e.vals[o]--
	}
	e.seq = t.seq.Add(1)
	s.mu.Unlock()
}

// Value returns data type d of e (held by the caller) at date now: a rate
// is the number of events over its period. ok is false if the table does
// not store d.
func (t *Table) Value(e *Entry, d DataType, now int64) (v int64, ok bool) {
	if d >= NumDataTypes || t.off[d] < 0 || d == ServerKey {
		return 0, false
	}
	s := &t.shards[e.shard]
	s.mu.Lock()
	v = t.valueLocked(e, d, now)
	s.mu.Unlock()
	return v, true
}

func (t *Table) valueLocked(e *Entry, d DataType, now int64) int64 {
	o := t.off[d]
	switch dataInfo[d].kind {
	case kindFreq:
		return int64(freqRead(e.vals[o:o+3], t.period[d], now))
	case kindSInt:
		return int64(int32(e.vals[o]))
	case kindUInt:
		return int64(uint32(e.vals[o]))
	}
	return int64(e.vals[o])
}

// SetValue sets numeric data type d of e (held by the caller), as "set
// table" does: a rate becomes v events in a period starting now.
func (t *Table) SetValue(e *Entry, d DataType, v int64, now int64) error {
	if d >= NumDataTypes || t.off[d] < 0 || d == ServerKey {
		return ErrNotStored
	}
	o := t.off[d]
	s := &t.shards[e.shard]
	s.mu.Lock()
	switch dataInfo[d].kind {
	case kindFreq:
		e.vals[o], e.vals[o+1], e.vals[o+2] = uint64(now), uint64(uint32(v)), 0
	case kindSInt, kindUInt:
		e.vals[o] = uint64(uint32(v))
	default:
		e.vals[o] = uint64(v)
	}
	e.seq = t.seq.Add(1)
	s.mu.Unlock()
	return nil
}

// Snapshot is a copy of one entry, for listings.
type Snapshot struct {
	ID        uint64
	Key       []byte
	Use       int32
	Exp       int64 // milliseconds left, 0 with no expire
	Seq       uint32
	Vals      [NumDataTypes]int64 // of the stored data types
	ServerKey string
}

func (t *Table) snapshotLocked(e *Entry, now int64, sn *Snapshot) {
	sn.ID, sn.Use, sn.Seq, sn.ServerKey = e.id, e.use, e.seq, e.srvKey
	sn.Key = append(sn.Key[:0], e.key...)
	sn.Exp = 0
	if e.exp != 0 {
		sn.Exp = e.exp - now
		if sn.Exp < 0 {
			sn.Exp = 0
		}
	}
	for d := DataType(0); d < ServerKey; d++ {
		if t.off[d] >= 0 {
			sn.Vals[d] = t.valueLocked(e, d, now)
		}
	}
}

// Walk calls visit with a copy of every live entry, shard by shard, in no
// particular order, until visit returns false. No lock is held while visit
// runs. It allocates.
func (t *Table) Walk(now int64, visit func(*Snapshot) bool) {
	var buf []Snapshot
	for i := range t.shards {
		s := &t.shards[i]
		buf = buf[:0]
		s.mu.Lock()
		for e := s.head; e != nil; e = e.next {
			if e.expired(now) {
				continue
			}
			buf = append(buf, Snapshot{})
			t.snapshotLocked(e, now, &buf[len(buf)-1])
		}
		s.mu.Unlock()
		for j := range buf {
			if !visit(&buf[j]) {
				return
			}
		}
	}
}

// LookupSnapshot fills sn with a copy of the live entry for key and
// reports whether there is one.
func (t *Table) LookupSnapshot(key []byte, now int64, sn *Snapshot) bool {
	s := &t.shards[t.shardOf(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[string(key)]
	if e == nil || e.expired(now) {
		return false
	}
	t.snapshotLocked(e, now, sn)
	return true
}

// Clear removes every unused entry for which match is nil or returns true,
// and returns how many it removed. Entries in use stay. match runs under a
// shard lock: it must be a pure function of its argument.
func (t *Table) Clear(now int64, match func(*Snapshot) bool) int {
	n := 0
	var sn Snapshot
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		for e := s.head; e != nil; {
			next := e.next
			if e.use == 0 {
				ok := match == nil
				if !ok {
					t.snapshotLocked(e, now, &sn)
					ok = match(&sn)
				}
				if ok {
					t.unlinkLocked(s, e)
					n++
				}
			}
			e = next
		}
		s.mu.Unlock()
	}
	return n
}

// Delete removes the entry for key unless it is in use, and reports
// whether it did.
func (t *Table) Delete(key []byte) bool {
	s := &t.shards[t.shardOf(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[string(key)]
	if e == nil || e.use != 0 {
		return false
	}
	t.unlinkLocked(s, e)
	return true
}

// ExpireEntries removes up to budget expired, unused entries at date now and
// returns how many it removed; the engine calls it periodically.
func (t *Table) ExpireEntries(now int64, budget int) int {
	if t.expire == 0 {
		return 0
	}
	n := 0
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		for e := s.tail; e != nil && n < budget && e.expired(now); {
			prev := e.prev
			if e.use == 0 {
				t.unlinkLocked(s, e)
				n++
			}
			e = prev
		}
		s.mu.Unlock()
		if n >= budget {
			break
		}
	}
	return n
}

// Key returns the key of e. Keys never change, so no lock is needed.
func (e *Entry) Key() string { return e.key }
