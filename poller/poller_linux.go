//go:build linux

package poller

import (
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Event is one readiness report, laid out as the kernel's epoll_event.
type Event = unix.EpollEvent

// Event flags, as epoll defines them.
const (
	In        = unix.EPOLLIN
	Out       = unix.EPOLLOUT
	RdHup     = unix.EPOLLRDHUP
	Hup       = unix.EPOLLHUP
	Err       = unix.EPOLLERR
	Edge      = unix.EPOLLET
	Exclusive = unix.EPOLLEXCLUSIVE
)

// Token is the owner's 64-bit identifier of a registration.
type Token uint64

// WakeToken is reserved for the poller's own eventfd.
const WakeToken Token = ^Token(0)

// TokenOf returns the token of an event filled by [Poller.Wait].
func TokenOf(ev *Event) Token {
	// The kernel's epoll_data is the 64 bits spanning Fd and Pad.
	return Token(uint32(ev.Fd)) | Token(uint32(ev.Pad))<<32
}

// Poller is one epoll instance with its wake-up eventfd. See the package
// documentation for ownership.
type Poller struct {
	epfd    int
	evfd    int
	pending atomic.Uint32 // 1 while an eventfd write is unconsumed
	closed  atomic.Bool
}

// New creates an epoll instance and registers its wake-up eventfd.
func New() (*Poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	evfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, os.NewSyscallError("eventfd", err)
	}
	p := &Poller{epfd: epfd, evfd: evfd}
	if err := p.Add(evfd, In, WakeToken); err != nil {
		unix.Close(evfd)
		unix.Close(epfd)
		return nil, err
	}
	return p, nil
}

func event(events uint32, tok Token) Event {
	return Event{Events: events, Fd: int32(uint32(tok)), Pad: int32(uint32(tok >> 32))}
}

// Add registers fd for events, reported with tok. It does not allocate.
func (p *Poller) Add(fd int, events uint32, tok Token) error {
	ev := event(events, tok)
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// Mod changes the events and token of a registered fd.
func (p *Poller) Mod(fd int, events uint32, tok Token) error {
	ev := event(events, tok)
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_MOD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// Del unregisters fd. Callers must Del an fd shared with another process
// or epoll instance before closing it: registrations follow the open file
// description, not the descriptor number.
func (p *Poller) Del(fd int) error {
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, nil); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// Wait fills evs with ready events, waiting at most msec milliseconds
// (-1: forever, 0: not at all). It returns the number of I/O events in
// evs[:n] (the wake-up event is removed) and whether a wake-up was
// consumed. EINTR yields zero events and no error. It does not allocate.
func (p *Poller) Wait(evs []Event, msec int) (n int, woken bool, err error) {
	n, err = unix.EpollWait(p.epfd, evs, msec)
	if err != nil {
		if err == unix.EINTR {
			return 0, false, nil
		}
		return 0, false, os.NewSyscallError("epoll_wait", err)
	}
	for i := 0; i < n; i++ {
		if TokenOf(&evs[i]) != WakeToken {
			continue
		}
		p.drainWake()
		woken = true
		n--
		evs[i] = evs[n]
		break
	}
	return n, woken, nil
}

// drainWake consumes the eventfd counter and re-arms coalescing. The flag
// is cleared before the owner looks for posted work, so a Wake racing with
// that look either is seen by it or writes the eventfd again.
func (p *Poller) drainWake() {
	var buf [8]byte
	for {
		_, err := unix.Read(p.evfd, buf[:])
		if err != unix.EINTR {
			break
		}
	}
	p.pending.Store(0)
}

// Wake makes the owner's current or next Wait return with woken set. Any
// goroutine may call it. Calls are coalesced until the owner's Wait
// consumes the wake-up.
func (p *Poller) Wake() error {
	if !p.pending.CompareAndSwap(0, 1) {
		return nil
	}
	if p.closed.Load() {
		return ErrClosed
	}
	one := uint64(1)
	buf := (*[8]byte)(unsafe.Pointer(&one))[:]
	for {
		_, err := unix.Write(p.evfd, buf)
		switch err {
		case nil, unix.EAGAIN: // EAGAIN: counter saturated, a wake-up is pending anyway
			return nil
		case unix.EINTR:
			continue
		default:
			return os.NewSyscallError("write", err)
		}
	}
}

// Close releases the epoll instance and the eventfd. Wake calls that race
// with Close may return [ErrClosed] or be lost; the owner must stop
// expecting wake-ups before closing.
func (p *Poller) Close() error {
	if p.closed.Swap(true) {
		return ErrClosed
	}
	err1 := unix.Close(p.evfd)
	err2 := unix.Close(p.epfd)
	if err1 != nil {
		return os.NewSyscallError("close", err1)
	}
	if err2 != nil {
		return os.NewSyscallError("close", err2)
	}
	return nil
}
