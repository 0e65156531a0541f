// Package affinity decides which CPUs each reactor thread runs on.
//
// Today it resolves HAProxy's "cpu-map" lines against the CPUs the process
// may use; the placement plan (CPU topology, NIC IRQ CPUs, NUMA) builds on
// the same [Plan] type. Inputs are plain values (CPU lists read by the
// caller from sched_getaffinity or from a fake tree in tests), so every
// function here is pure.
//
// The package is a leaf: it imports nothing from the project, makes no
// system calls and starts no goroutines.
package affinity
