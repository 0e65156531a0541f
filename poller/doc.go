// Package poller is the only home of the epoll and eventfd system calls.
//
// A [Poller] wraps one epoll instance and one eventfd used to wake it from
// other goroutines. It is owned by exactly one goroutine (a reactor), which
// alone calls [Poller.Add], [Poller.Mod], [Poller.Del], [Poller.Wait] and
// [Poller.Close]; [Poller.Wake] is the only method safe to call from any
// goroutine.
//
// Invariants:
//   - The kernel never sees a Go pointer: each registration carries a 64-bit
//     [Token] chosen by the owner (the engine encodes a slot index and a
//     generation in it), stored in epoll_event.data.
//   - [WakeToken] is reserved for the eventfd and is never returned to the
//     owner as an I/O event; [Poller.Wait] reports it through its woken
//     result after consuming the eventfd counter.
//   - Wake-ups are coalesced: between two Wait calls that report a wake-up,
//     at most one eventfd write happens no matter how many goroutines call
//     Wake. The owner must therefore look for posted work after every
//     reported wake-up, not once per Wake call.
//   - EAGAIN is a state, never an error; EINTR is retried or reported as
//     zero events.
//
// The package is a leaf: it imports nothing from the project.
package poller
