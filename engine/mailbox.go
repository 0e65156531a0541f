package engine

import (
	"errors"
	"sync"
	"sync/atomic"
)

// ErrMailboxFull is returned when a reactor's mailbox holds mailboxSize
// tasks that it has not run yet.
var ErrMailboxFull = errors.New("engine: reactor mailbox full")

// errStopped is returned when posting to a reactor that has exited.
var errStopped = errors.New("engine: reactor stopped")

const (
	mailboxSize  = 4096 // tasks a mailbox holds
	mailboxBatch = 256  // tasks a reactor runs per loop turn
)

// task is work posted to a reactor. fn runs on the reactor's goroutine
// with the reactor's state; it must not block.
type task struct {
	fn func(r *reactor)
}

// mailbox is a bounded multi-producer single-consumer queue of tasks. Any
// goroutine may post; only the owning reactor takes. The mutex is held
// only to copy a task in or a batch out, never across I/O or task
// execution.
type mailbox struct {
	mu     sync.Mutex
	ring   [mailboxSize]task
	head   int // next task to take
	n      int // tasks queued
	closed bool
	full   atomic.Uint64 // posts refused because the mailbox was full
}

// post appends t. It returns ErrMailboxFull or errStopped instead of
// blocking; the caller then wakes the reactor (reactor.post does both).
func (m *mailbox) post(t task) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return errStopped
	}
	if m.n == mailboxSize {
		m.mu.Unlock()
		m.full.Add(1)
		return ErrMailboxFull
	}
	m.ring[(m.head+m.n)%mailboxSize] = t
	m.n++
	m.mu.Unlock()
	return nil
}

// take moves up to len(out) tasks into out and returns how many it moved
// and how many remain queued.
func (m *mailbox) take(out []task) (n, left int) {
	m.mu.Lock()
	for n < len(out) && m.n > 0 {
		out[n] = m.ring[m.head]
		m.ring[m.head] = task{}
		m.head = (m.head + 1) % mailboxSize
		m.n--
		n++
	}
	left = m.n
	m.mu.Unlock()
	return n, left
}

// close refuses further posts and returns the tasks still queued, which
// the owner runs or discards.
func (m *mailbox) close() []task {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	var rest []task
	for m.n > 0 {
		rest = append(rest, m.ring[m.head])
		m.ring[m.head] = task{}
		m.head = (m.head + 1) % mailboxSize
		m.n--
	}
	return rest
}
