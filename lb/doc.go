// Package lb holds the server selection algorithms, one per file.
//
// An algorithm sees a backend through the [Servers] interface: a fixed
// number of servers addressed by index, each with an effective weight (0
// means "must not be picked": down, in maintenance, draining, or outside
// the current active/backup set) and a fullness flag (no free connection
// slot). Algorithms never take slots themselves: the caller picks, then
// takes a slot by CAS, and picks again (a bounded number of times) if it
// lost the race.
//
// Concurrency: an algorithm value holds mutable state (current weights,
// positions) and is not safe for concurrent use; the owner serialises
// calls (the engine holds its backend's short lock around Pick, never
// across I/O).
//
// The package is a leaf: it imports nothing from the project, makes no
// system calls, starts no goroutines and never reads the clock.
package lb
