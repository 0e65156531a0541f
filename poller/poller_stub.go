//go:build !linux

package poller

import "net/netip"

// Event is one readiness report.
type Event struct {
	Events uint32
	Fd     int32
	Pad    int32
}

// Event flags; meaningless without epoll.
const (
	In        = 0x1
	Out       = 0x4
	RdHup     = 0x2000
	Hup       = 0x10
	Err       = 0x8
	Edge      = 0x80000000
	Exclusive = 0x10000000
)

// Token is the owner's 64-bit identifier of a registration.
type Token uint64

// WakeToken is reserved for the poller's own wake-up channel.
const WakeToken Token = ^Token(0)

// TokenOf returns the token of an event.
func TokenOf(ev *Event) Token { return Token(uint32(ev.Fd)) | Token(uint32(ev.Pad))<<32 }

// Poller is unavailable on this platform.
type Poller struct{}

// New returns ErrNotSupported.
func New() (*Poller, error) { return nil, ErrNotSupported }

func (p *Poller) Add(fd int, events uint32, tok Token) error { return ErrNotSupported }
func (p *Poller) Mod(fd int, events uint32, tok Token) error { return ErrNotSupported }
func (p *Poller) Del(fd int) error                           { return ErrNotSupported }
func (p *Poller) Wait(evs []Event, msec int) (int, bool, error) {
	return 0, false, ErrNotSupported
}
func (p *Poller) Wake() error  { return ErrNotSupported }
func (p *Poller) Close() error { return ErrNotSupported }

// Accept is unavailable on this platform.
func Accept(lfd int, sa any) (int, error) { return -1, ErrNotSupported }

// Read is unavailable on this platform.
func Read(fd int, p []byte) (int, error) { return 0, ErrNotSupported }

// Write is unavailable on this platform.
func Write(fd int, p []byte) (int, error) { return 0, ErrNotSupported }

// Splice is unavailable on this platform.
func Splice(from, to, n int) (int, error) { return 0, ErrNotSupported }

// PeerIP is unavailable on this platform.
func PeerIP(sa any) []byte { return nil }

// PeerAddrPort is unavailable on this platform.
func PeerAddrPort(sa any) netip.AddrPort { return netip.AddrPort{} }
