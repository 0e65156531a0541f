//go:build linux

package poller

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The functions below are the reactor's data-path system calls on
// non-blocking descriptors. They go through RawSyscall, skipping the Go
// scheduler's system call bookkeeping (entersyscall/exitsyscall): a call
// on a non-blocking socket or pipe returns at once, so there is nothing
// for the scheduler to hand over, and the bookkeeping was a measurable
// part of the cost of a small forwarded request. They must never be used
// on a descriptor that can block. Errors are bare unix.Errno values; they
// do not allocate.

// Read reads from a non-blocking fd. n is 0 at end of stream.
func Read(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// Write writes to a non-blocking fd; a short count means the socket
// buffer is full.
func Write(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// Splice moves up to n bytes between a non-blocking socket and a pipe,
// with SPLICE_F_MOVE|SPLICE_F_NONBLOCK and never SPLICE_F_MORE (which
// would delay small segments like TCP_CORK).
func Splice(from, to, n int) (int, error) {
	r, _, e := unix.RawSyscall6(unix.SYS_SPLICE, uintptr(from), 0, uintptr(to), 0, uintptr(n),
		unix.SPLICE_F_MOVE|unix.SPLICE_F_NONBLOCK)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}
