// Package queue holds the pending-connection queues: streams waiting for a
// server slot when every usable server is full.
//
// A [Queue] has one shard per reactor, each a FIFO under its own short
// lock, and atomic counters: the number of entries, a change counter
// bumped by every push, pop and removal, and the flags of the dequeuer
// guard ([Queue.Drain]). The rules it serves (DESIGN.md section 4):
//
//   - whoever releases a slot dequeues (the engine calls Drain);
//   - an enqueuer re-checks after publishing its entry, by draining
//     itself, so that no entry waits where nothing will dequeue it;
//   - one dequeuer at a time, with a request flag instead of a trylock:
//     a request made while another goroutine drains is served by that
//     goroutine's next pass, never dropped;
//   - no pass without a request, and a hard bound on passes per call.
//
// Entries are intrusive (embedded in the owner's stream), so queueing
// does not allocate. An entry is owned by the goroutine that pushed it
// except while it is linked in a shard, when the shard's lock guards it.
//
// The package is a leaf: it imports nothing from the project, makes no
// system calls, starts no goroutines and never reads the clock.
package queue
