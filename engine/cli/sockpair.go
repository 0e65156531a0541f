package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// A "sockpair" channel is a connected unix stream socket over which one
// side opens sessions on the other without any address: it sends one end
// of a fresh socketpair with SCM_RIGHTS, along with a little data (two
// bytes, as HAProxy does; the data is ignored), and both sides then talk on
// the pair. HAProxy's master uses such a channel to reach the runtime API
// of each worker, and a new worker uses it for _getsocks ("-x
// sockpair@<fd>"). [ListenSockpair] is the serving side, [DialSockpair]
// the opening side.

// ErrSockpairPeerGone is returned by the Accept of a [ListenSockpair]
// listener once every holder of the other end of the channel closed it:
// no session can arrive any more.
var ErrSockpairPeerGone = fmt.Errorf("cli: sockpair peer closed the channel: %w", io.EOF)

// sockpairMaxFDs is how many descriptors one message may carry; more are
// closed by the kernel (MSG_CTRUNC) and lost, which only a misbehaving
// peer causes.
const sockpairMaxFDs = 8

// ListenSockpair returns a listener whose connections are the unix stream
// sockets received over the connected unix socket fd, each one a session
// (see [DialSockpair]). The listener owns fd from now on, whatever the
// result: Close closes it. Received descriptors that are not unix stream
// sockets are closed and skipped. Accept returns [ErrSockpairPeerGone]
// when the channel reaches its end, and an error wrapping net.ErrClosed
// after Close. It supports SetDeadline, so [Server] can pause it.
func ListenSockpair(fd int) (net.Listener, error) {
	name := "sockpair@" + strconv.Itoa(fd)
	f := os.NewFile(uintptr(fd), name)
	if f == nil {
		return nil, fmt.Errorf("cli: %s: invalid descriptor", name)
	}
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("cli: %s: %w", name, err)
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("cli: %s: not a unix socket", name)
	}
	return &sockpairListener{uc: uc, addr: &net.UnixAddr{Name: name, Net: "unix"}}, nil
}

// sockpairListener is the listener of ListenSockpair. Accept is meant for
// one goroutine at a time (the Server's loop); mu makes concurrent calls
// safe anyway.
type sockpairListener struct {
	uc   *net.UnixConn
	addr *net.UnixAddr

	mu      sync.Mutex
	pending []int // received descriptors not yet returned, close-on-exec
	buf     [16]byte
	oob     []byte
}

func (l *sockpairListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.oob == nil {
		l.oob = make([]byte, unix.CmsgSpace(4*sockpairMaxFDs))
	}
	for {
		for len(l.pending) > 0 {
			fd := l.pending[0]
			l.pending = l.pending[1:]
			if c := sockpairConn(fd); c != nil {
				return c, nil
			}
		}
		// ReadMsgUnix receives descriptors with MSG_CMSG_CLOEXEC.
		n, oobn, _, _, err := l.uc.ReadMsgUnix(l.buf[:], l.oob)
		if oobn > 0 {
			if msgs, perr := unix.ParseSocketControlMessage(l.oob[:oobn]); perr == nil {
				for i := range msgs {
					if fds, rerr := unix.ParseUnixRights(&msgs[i]); rerr == nil {
						l.pending = append(l.pending, fds...)
					}
				}
			}
		}
		switch {
		case err != nil && errors.Is(err, io.EOF):
			l.closePending()
			return nil, ErrSockpairPeerGone
		case err != nil:
			if !errors.Is(err, net.ErrClosed) {
				err = fmt.Errorf("cli: %s: recvmsg: %w", l.addr.Name, err)
			}
			l.closePending()
			return nil, err
		case n == 0 && oobn == 0:
			return nil, ErrSockpairPeerGone
		}
	}
}

// sockpairConn turns a received descriptor into a connection, or closes it
// and returns nil if it is not a unix stream socket.
func sockpairConn(fd int) net.Conn {
	dom, err1 := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	typ, err2 := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
	if err1 != nil || err2 != nil || dom != unix.AF_UNIX || typ != unix.SOCK_STREAM {
		unix.Close(fd)
		return nil
	}
	f := os.NewFile(uintptr(fd), "sockpair session")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil
	}
	return c
}

func (l *sockpairListener) closePending() {
	for _, fd := range l.pending {
		unix.Close(fd)
	}
	l.pending = nil
}

// Close closes the channel; a blocked Accept returns. Descriptors received
// but not accepted are closed by the next Accept, which fails.
func (l *sockpairListener) Close() error { return l.uc.Close() }

func (l *sockpairListener) Addr() net.Addr { return l.addr }

// SetDeadline bounds the Accept calls in progress and to come.
func (l *sockpairListener) SetDeadline(t time.Time) error { return l.uc.SetReadDeadline(t) }

// DialSockpair opens a session on the peer of the connected unix stream
// socket fd (a [ListenSockpair] listener, or HAProxy's worker): it sends
// one end of a new socketpair over fd and returns the other end. fd stays
// the caller's; it should be a blocking socket with a send timeout, as a
// full channel makes the send wait. Concurrent calls on one fd are safe:
// each message is one sendmsg. The connection is the caller's to close.
func DialSockpair(fd int) (net.Conn, error) {
	sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("cli: socketpair: %w", err)
	}
	for {
		err = unix.Sendmsg(fd, []byte{0, 0}, unix.UnixRights(sv[0]), nil, unix.MSG_NOSIGNAL)
		if err != unix.EINTR {
			break
		}
	}
	unix.Close(sv[0])
	if err != nil {
		unix.Close(sv[1])
		return nil, fmt.Errorf("cli: sockpair@%d: sendmsg: %w", fd, err)
	}
	f := os.NewFile(uintptr(sv[1]), "sockpair session")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("cli: sockpair@%d: %w", fd, err)
	}
	return c, nil
}
