//go:build linux

package poller

import (
	"net/netip"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Accept accepts one connection from the non-blocking listening socket
// lfd with a single accept4 system call, the new socket being non-blocking
// and close-on-exec. When sa is not nil the peer address is written to it
// (raw form); nil skips it. Unlike unix.Accept4 it neither allocates nor
// issues a second getsockopt call. EAGAIN, EINTR, ECONNABORTED, EMFILE and
// ENFILE are returned as bare unix.Errno values so that callers compare
// them directly; other errors are wrapped with the system call name.
func Accept(lfd int, sa *unix.RawSockaddrAny) (int, error) {
	var (
		p  unsafe.Pointer
		lp *uint32
		l  uint32
	)
	if sa != nil {
		p = unsafe.Pointer(sa)
		l = unix.SizeofSockaddrAny
		lp = &l
	}
	fd, _, e := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(lfd), uintptr(p), uintptr(unsafe.Pointer(lp)),
		unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if e != 0 {
		switch e {
		case unix.EAGAIN, unix.EINTR, unix.ECONNABORTED, unix.EMFILE, unix.ENFILE:
			return -1, e
		}
		return -1, os.NewSyscallError("accept4", e)
	}
	return int(fd), nil
}

// PeerIP returns the IP address bytes of an address filled by Accept: 4
// bytes for AF_INET, 16 for AF_INET6, nil otherwise. The slice aliases
// sa.
func PeerIP(sa *unix.RawSockaddrAny) []byte {
	switch sa.Addr.Family {
	case unix.AF_INET:
		return (*unix.RawSockaddrInet4)(unsafe.Pointer(sa)).Addr[:]
	case unix.AF_INET6:
		return (*unix.RawSockaddrInet6)(unsafe.Pointer(sa)).Addr[:]
	}
	return nil
}

// PeerAddrPort returns the address and port of an address filled by
// Accept, or the zero AddrPort for other families. It does not allocate.
func PeerAddrPort(sa *unix.RawSockaddrAny) netip.AddrPort {
	switch sa.Addr.Family {
	case unix.AF_INET:
		p := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(p.Addr), portOf(p.Port))
	case unix.AF_INET6:
		p := (*unix.RawSockaddrInet6)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom16(p.Addr), portOf(p.Port))
	}
	return netip.AddrPort{}
}

// portOf converts a port in network byte order as the kernel stored it.
func portOf(raw uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(&raw))
	return uint16(b[0])<<8 | uint16(b[1])
}
