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

// Sockets received from the previous process (Options.Inherited, filled
// by -x from its _getsocks answer) replace socket()+bind()+listen(): a
// bind takes an unused received socket bound to the same address, of the
// same type, with the same IPV6_V6ONLY and no transparent/freebind option
// (HAProxy's sock_find_compatible_fd rules), so the kernel socket and its
// accept queue carry over from one process to the next. Each received
// socket is used once; what no bind took is closed once every bind is
// open (the previous process still holds its own descriptor, so closing
// ours resets nothing).

// receivedSocket is one socket of Options.Inherited, described by what
// the socket itself reports. Owned by Start.
type receivedSocket struct {
	fd      int
	sa      unix.Sockaddr // nil: getsockname failed, never matched
	stream  bool          // SOCK_STREAM
	v6only  bool          // IPV6_V6ONLY set
	foreign bool          // IP(V6)_TRANSPARENT or IP(V6)_FREEBIND set
	used    bool
}

// receivedSockets are the received sockets in the order they came. The
// zero value (nothing received) takes nothing.
type receivedSockets struct {
	socks  []receivedSocket
	v6only int8 // net.ipv6.bindv6only: -1 not read yet
}

// describeReceived reads the address and options of each descriptor. It
// takes ownership of fds: every one is used by a bind or closed by
// closeUnused.
func describeReceived(fds []int) receivedSockets {
	rs := receivedSockets{socks: make([]receivedSocket, 0, len(fds)), v6only: -1}
	for _, fd := range fds {
		s := receivedSocket{fd: fd}
		if sa, err := unix.Getsockname(fd); err == nil {
			s.sa = sa
		}
		if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE); err == nil {
			s.stream = v == unix.SOCK_STREAM
		}
		switch s.sa.(type) {
		case *unix.SockaddrInet4:
			s.foreign = sockoptSet(fd, unix.IPPROTO_IP, unix.IP_TRANSPARENT) ||
				sockoptSet(fd, unix.IPPROTO_IP, unix.IP_FREEBIND)
		case *unix.SockaddrInet6:
			s.v6only = sockoptSet(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY)
			s.foreign = sockoptSet(fd, unix.IPPROTO_IPV6, unix.IPV6_TRANSPARENT) ||
				sockoptSet(fd, unix.IPPROTO_IPV6, unix.IPV6_FREEBIND)
		}
		rs.socks = append(rs.socks, s)
	}
	return rs
}

func sockoptSet(fd, level, opt int) bool {
	v, err := unix.GetsockoptInt(fd, level, opt)
	return err == nil && v != 0
}

// take returns an unused received socket bound where sp binds, marked
// used, or -1. For a TCP spec whose port is still 0 nothing matches: the
// previous process's port cannot be known from the configuration.
func (rs *receivedSockets) take(sp *listenSpec) int {
	for i := range rs.socks {
		s := &rs.socks[i]
		if !s.used && s.stream && !s.foreign && rs.matches(sp, s) {
			s.used = true
			return s.fd
		}
	}
	return -1
}

// matches reports whether s is bound to sp's address, with the v6only
// setting sp would get from openSocket where it makes a difference.
func (rs *receivedSockets) matches(sp *listenSpec, s *receivedSocket) bool {
	switch want := sp.sa.(type) {
	case *unix.SockaddrInet4:
		got, ok := s.sa.(*unix.SockaddrInet4)
		return ok && want.Port != 0 && got.Port == want.Port && got.Addr == want.Addr
	case *unix.SockaddrInet6:
		got, ok := s.sa.(*unix.SockaddrInet6)
		if !ok || want.Port == 0 || got.Port != want.Port || got.Addr != want.Addr || got.ZoneId != want.ZoneId {
			return false
		}
		// Binding a specific IPv6 address sets IPV6_V6ONLY whatever was
		// asked: only a wildcard or v4-mapped socket has a choice.
		if ip := netip.AddrFrom16(want.Addr); !ip.IsUnspecified() && !ip.Is4In6() {
			return true
		}
		return s.v6only == rs.wantV6Only(sp.bind)
	case *unix.SockaddrUnix:
		got, ok := s.sa.(*unix.SockaddrUnix)
		return ok && sameUnixPath(want.Name, got.Name)
	}
	return false
}

// wantV6Only is the IPV6_V6ONLY an IPv6 socket opened for b has: "v6only"
// sets it, "v4v6" clears it, otherwise the system default applies.
func (rs *receivedSockets) wantV6Only(b *config.Bind) bool {
	switch {
	case b.V6Only:
		return true
	case b.V4V6:
		return false
	}
	if rs.v6only < 0 {
		rs.v6only = 0
		if v, err := os.ReadFile("/proc/sys/net/ipv6/bindv6only"); err == nil && strings.TrimSpace(string(v)) == "1" {
			rs.v6only = 1
		}
	}
	return rs.v6only == 1
}

// sameUnixPath compares the path of a bind with the name a received unix
// socket reports. HAProxy binds a unix socket to "<path>.<pid>.tmp" and
// renames the file, so the socket keeps reporting the temporary name: a
// received name is also equal to path with such a suffix. Abstract names
// ("@...") must be equal.
func sameUnixPath(path, got string) bool {
	if got == path {
		return true
	}
	if path == "" || path[0] == '@' || len(got) <= len(path) || got[:len(path)] != path {
		return false
	}
	rest, ok := strings.CutSuffix(got[len(path):], ".tmp")
	if !ok || len(rest) < 2 || rest[0] != '.' {
		return false
	}
	for _, c := range rest[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// closeUnused closes the received sockets no bind took.
func (rs *receivedSockets) closeUnused() {
	for i := range rs.socks {
		if s := &rs.socks[i]; !s.used {
			unix.Close(s.fd)
			s.used = true
		}
	}
}

// adoptReceived prepares a received socket taken for sp as openSocket
// prepares a new one: non-blocking, close-on-exec, the bind's TCP options,
// and listening (a socket the previous process paused is listened on
// again; one already listening keeps its backlog, as in HAProxy).
func adoptReceived(sp *listenSpec, fd int) error {
	if err := unix.SetNonblock(fd, true); err != nil {
		return &BindError{Addr: sp.name, Call: "fcntl", Err: err}
	}
	unix.CloseOnExec(fd)
	if sp.family != unix.AF_UNIX {
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		if sp.bind.DeferAccept {
			unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, 1)
		}
	}
	if v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); err != nil || v == 0 {
		if err := unix.Listen(fd, sp.backlog); err != nil {
			return &BindError{Addr: sp.name, Call: "listen", Err: err}
		}
	}
	return nil
}

// openOrTake returns a listening socket for sp: a received one bound to
// the same address if there is one, else a new one from openSocket.
func (rs *receivedSockets) openOrTake(sp *listenSpec) (int, error) {
	if fd := rs.take(sp); fd >= 0 {
		if err := adoptReceived(sp, fd); err != nil {
			unix.Close(fd)
			return -1, err
		}
		return fd, nil
	}
	return openSocket(sp)
}

// takeExtra returns the received sockets still matching sp once every
// reactor has a socket for it, adopted and marked used. The caller
// registers each with a reactor: the previous process had more sockets in
// the SO_REUSEPORT group than this one has reactors, and closing one would
// reset the connections the kernel queued on it. One that cannot be
// adopted is closed. The caller owns the returned descriptors.
func (rs *receivedSockets) takeExtra(sp *listenSpec) []int {
	var fds []int
	for {
		fd := rs.take(sp)
		if fd < 0 {
			return fds
		}
		if err := adoptReceived(sp, fd); err != nil {
			unix.Close(fd)
			continue
		}
		fds = append(fds, fd)
	}
}

// addListener registers a listener of sp on fd with r; the caller adds it
// to epoll. Only before the reactor runs.
func (r *reactor) addListener(sp *listenSpec, fd int) {
	l := &listener{idx: int32(len(r.listeners)), fd: fd, spec: sp}
	l.tm.kind, l.tm.idx = timerListener, l.idx
	r.listeners = append(r.listeners, l)
}

// listenerFDs lists every listening socket of the reactors once: a shared
// socket appears in every reactor but is listed once. Only before the
// reactors run.
func listenerFDs(reactors []*reactor) []int {
	var fds []int
	seen := map[*listenSpec]bool{}
	for _, r := range reactors {
		for _, l := range r.listeners {
			if l.spec.shared {
				if seen[l.spec] {
					continue
				}
				seen[l.spec] = true
			}
			fds = append(fds, l.fd)
		}
	}
	return fds
}
