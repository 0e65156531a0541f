// Package stick holds stick tables: fixed-type keys mapped to entries that
// carry a server id and counters, with a size limit, least-recently-used
// eviction and expiry.
//
// Invariants:
//
//   - A [Table] is split into shards by a hash of the key. Each shard has
//     one mutex guarding its map, its LRU list and every field of its
//     entries. No function holds two shard locks at once, and no lock is
//     held while calling back into the caller except for the pure
//     predicates of [Table.Clear].
//   - An entry with a reference count above zero (a stream that matched or
//     tracks it, a CLI command in progress) is never evicted, expired or
//     cleared. [Table.Lookup] and [Table.Get] take a reference;
//     [Table.Release] drops it.
//   - Each shard's LRU list is ordered by last refresh, which is also the
//     order of expiry dates because every refresh sets the date to now plus
//     the table's expire delay.
//   - Every local change to an entry stamps it with the table's next
//     update sequence number ([Table.Seq]), so that a replication protocol
//     can find what changed since the sequence it last pushed.
//   - Looking up and refreshing an existing entry does not allocate.
//
// Time is a parameter: now is a monotonic date in milliseconds, and the
// package never reads the clock. It is a leaf: it imports nothing from the
// project, makes no system calls, starts no goroutines and never logs.
package stick
