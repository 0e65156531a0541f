package engine

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"hitless/engine/config"
	"hitless/poller"
)

// Listener pause reasons.
const (
	pauseSlots uint8 = 1 << 0 // global or frontend maxconn reached
	pauseFDs   uint8 = 1 << 1 // EMFILE/ENFILE: retried after fdPauseMs
	pauseStop  uint8 = 1 << 2 // soft stop: never resumed
)

// fdPauseMs is how long a listener stops accepting after EMFILE/ENFILE.
const fdPauseMs = 100

// listener is one reactor's registration of a listening socket. Owned by
// its reactor.
type listener struct {
	idx        int32
	fd         int
	spec       *listenSpec
	registered bool
	paused     uint8 // pause* bits
	tm         timer
}

// specsForBind expands a config bind into listen specs (one per port of a
// range).
func specsForBind(fe *frontend, b *config.Bind) ([]*listenSpec, error) {
	switch b.Kind {
	case config.AddrFD:
		return []*listenSpec{{fe: fe, bind: b, shared: true, fd: b.FD, name: b.Addr}}, nil
	case config.AddrUnix, config.AddrAbstract:
		path := b.Path
		if b.Kind == config.AddrAbstract {
			path = "@" + b.Path
		}
		return []*listenSpec{{fe: fe, bind: b, family: unix.AF_UNIX, sa: &unix.SockaddrUnix{Name: path},
			shared: true, fd: -1, name: b.Addr}}, nil
	}
	first, last := b.PortFirst, b.PortLast
	if last < first {
		last = first
	}
	var out []*listenSpec
	for port := first; port <= last; port++ {
		sp := &listenSpec{fe: fe, bind: b, fd: -1, port: port}
		host := b.Host
		switch b.Kind {
		case config.AddrIPv6:
			sp.family = unix.AF_INET6
			sa := &unix.SockaddrInet6{Port: port}
			if host != "" {
				ip, err := netip.ParseAddr(host)
				if err != nil {
					return nil, fmt.Errorf("invalid address '%s'", host)
				}
				sa.Addr = ip.As16()
			}
			sp.sa = sa
		default:
			sp.family = unix.AF_INET
			sa := &unix.SockaddrInet4{Port: port}
			if host != "" && host != "*" && host != "0.0.0.0" {
				ip, err := netip.ParseAddr(host)
				if err != nil || !ip.Unmap().Is4() {
					return nil, fmt.Errorf("invalid address '%s'", host)
				}
				sa.Addr = ip.Unmap().As4()
			}
			sp.sa = sa
		}
		sp.name = specName(sp)
		out = append(out, sp)
	}
	return out, nil
}

func specName(sp *listenSpec) string {
	switch sa := sp.sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port)).String()
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port)).String()
	case *unix.SockaddrUnix:
		return sa.Name
	}
	return sp.bind.Addr
}

// openSocket creates, binds and starts listening on a socket for sp. For a
// TCP spec with port 0 the first call records the port the kernel chose,
// so that the other reactors join the same SO_REUSEPORT group.
func openSocket(sp *listenSpec) (int, error) {
	fd, err := unix.Socket(sp.family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	fail := func(call string, err error) (int, error) {
		unix.Close(fd)
		return -1, &BindError{Addr: sp.name, Call: call, Err: err}
	}
	if sp.family != unix.AF_UNIX {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return fail("setsockopt", err)
		}
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
			return fail("setsockopt", err)
		}
		if sp.family == unix.AF_INET6 {
			if sp.bind.V6Only {
				unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1)
			} else if sp.bind.V4V6 {
				unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0)
			}
		}
		// Accepted sockets inherit TCP_NODELAY, which saves a system call
		// per connection.
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		if sp.bind.DeferAccept {
			unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, 1)
		}
	} else if path := sp.sa.(*unix.SockaddrUnix).Name; path != "" && path[0] != '@' {
		removeStaleUnixSocket(path)
	}
	if err := unix.Bind(fd, sp.sa); err != nil {
		return fail("bind", err)
	}
	if sp.family == unix.AF_UNIX && sp.bind.ModeSet {
		if path := sp.sa.(*unix.SockaddrUnix).Name; path[0] != '@' {
			if err := os.Chmod(path, sp.bind.Mode); err != nil {
				unix.Close(fd)
				return -1, fmt.Errorf("cannot change mode of [%s]: %w", path, err)
			}
		}
	}
	if err := unix.Listen(fd, sp.backlog); err != nil {
		return fail("listen", err)
	}
	if sp.port == 0 && sp.family != unix.AF_UNIX {
		got, err := unix.Getsockname(fd)
		if err != nil {
			return fail("getsockname", err)
		}
		switch sa := got.(type) {
		case *unix.SockaddrInet4:
			sp.port = sa.Port
			sp.sa.(*unix.SockaddrInet4).Port = sa.Port
		case *unix.SockaddrInet6:
			sp.port = sa.Port
			sp.sa.(*unix.SockaddrInet6).Port = sa.Port
		}
		sp.name = specName(sp)
	}
	return fd, nil
}

// BindError is a failure to set up a listening socket. Its message has
// HAProxy's form: "cannot bind socket (Address already in use) [addr]".
type BindError struct {
	Addr string
	Call string // system call that failed
	Err  error
}

func (e *BindError) Error() string {
	return fmt.Sprintf("cannot bind socket (%s) [%s]", strerror(e.Err), e.Addr)
}

func (e *BindError) Unwrap() error { return e.Err }

// strerror spells an errno as the C library does ("Address already in
// use"), which is what HAProxy's messages show.
func strerror(err error) string {
	s := err.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// removeStaleUnixSocket removes path if it is a unix socket nobody
// listens on, as a restarted proxy must; anything else is left alone and
// bind reports the conflict.
func removeStaleUnixSocket(path string) {
	st, err := os.Lstat(path)
	if err != nil || st.Mode()&os.ModeSocket == 0 {
		return
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: path}); errors.Is(err, unix.ECONNREFUSED) {
		os.Remove(path)
	}
}

// adoptInherited checks that fd is a listening stream socket and makes it
// non-blocking, so that it can be shared by the reactors.
func adoptInherited(sp *listenSpec) error {
	fd := sp.fd
	v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	if err != nil {
		return fmt.Errorf("inherited fd@%d: %w", fd, os.NewSyscallError("getsockopt", err))
	}
	if v == 0 {
		return fmt.Errorf("inherited fd@%d is not a listening socket", fd)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return fmt.Errorf("inherited fd@%d: %w", fd, os.NewSyscallError("fcntl", err))
	}
	unix.CloseOnExec(fd)
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1) // inherited by accepted sockets; fails harmlessly on unix sockets
	if sa, err := unix.Getsockname(fd); err == nil {
		switch a := sa.(type) {
		case *unix.SockaddrInet4:
			sp.family, sp.port = unix.AF_INET, a.Port
			sp.name = netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port)).String()
		case *unix.SockaddrInet6:
			sp.family, sp.port = unix.AF_INET6, a.Port
			sp.name = netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port)).String()
		case *unix.SockaddrUnix:
			sp.family = unix.AF_UNIX
			sp.name = a.Name
		}
	}
	if sp.name == "" {
		sp.name = "fd@" + strconv.Itoa(fd)
	}
	return nil
}

// listenEvents are the epoll events of a listener: level-triggered so
// that a batch cut short by tune.maxaccept is reported again; exclusive
// when the socket is shared by several reactors, so that one connection
// wakes one reactor.
func listenEvents(shared bool) uint32 {
	if shared {
		return poller.In | poller.Exclusive
	}
	return poller.In
}
