package logs

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Errors of a Sink.
var (
	// ErrClosed: Close was already called.
	ErrClosed = errors.New("logs: sink closed")
	// ErrFlushTimeout: Close could not send everything queued within
	// CloseTimeout; what was left is counted as dropped.
	ErrFlushTimeout = errors.New("logs: sink flush timed out")
)

// CloseTimeout bounds how long Close sends what is queued.
const CloseTimeout = time.Second

// DefaultSlots is the ring size NewSink uses for slots <= 0.
const DefaultSlots = 1024

// slot is one queued message. Its seq, the only field producers and the
// writer share without a lock, says who owns it: seq == pos means free
// for the producer claiming position pos, seq == pos+1 means filled for
// the writer reading position pos (a bounded MPSC queue after Vyukov).
type slot struct {
	seq   atomic.Uint64
	level int
	now   time.Time
	n     int
	data  []byte // len = message capacity of a slot
}

// Sink sends messages to one Target from its own goroutine. Send copies
// msg into a bounded ring of fixed-size slots and returns at once: it
// never blocks, never allocates; when the ring is full the message is
// dropped and counted. It is safe for concurrent use by many reactors:
// producers claim slots with a compare-and-swap, and no lock is held
// during I/O. The writer goroutine frames each message (AppendHeader +
// msg, and LF for stream targets; no LF in datagrams), truncates the
// whole to Target.MaxLen bytes (the LF included for streams, as HAProxy
// does) and writes it: one datagram per message for UDP and unix
// sockets, one write per message for stdout, stderr and fd@N. The writer
// may block on a slow target; Send never does.
type Sink struct {
	t    Target
	addr parsedAddr

	slots []slot
	size  uint64 // len(slots)
	_     [64]byte
	head  atomic.Uint64 // next position producers claim
	_     [56]byte      // producers and the writer do not share a cache line
	tail  atomic.Uint64 // next position the writer reads; stored by the writer, then by Close once it exited

	sleeping atomic.Bool   // the writer waits for wake
	wake     chan struct{} // capacity 1: a pending wake-up
	stop     chan struct{} // closed by Close: drain, then exit
	abort    atomic.Bool   // set by Close after CloseTimeout: exit now
	done     chan struct{} // closed when the writer exits
	closed   atomic.Bool

	sent      atomic.Uint64
	dropped   atomic.Uint64
	lastErr   atomic.Pointer[error]
	writeErrs atomic.Uint64 // failed writes

	// Writer-owned.
	frame   []byte
	udp     *net.UDPConn
	udpDst  netip.AddrPort
	unixc   *net.UnixConn
	file    *os.File
	connMu  sync.Mutex // guards udp, unixc, file against Close's interrupt
	closing bool       // under connMu: Close closed the connections
}

// NewSink opens t (resolving a UDP host name now; a unix socket is
// connected at the first message and again after an error) and starts
// its writer goroutine with a ring of slots messages (DefaultSlots when
// slots <= 0), each of at most t.MaxLen-1 bytes. The ring is allocated
// here, once. Errors wrap ErrTarget or the failing call.
func NewSink(t Target, slots int) (*Sink, error) {
	pa, err := parseAddr(t.Addr)
	if err != nil {
		return nil, err
	}
	if t.MaxLen <= 0 {
		t.MaxLen = DefaultMaxLen
	}
	if t.Pid == 0 {
		t.Pid = os.Getpid()
	}
	if slots <= 0 {
		slots = DefaultSlots
	}
	s := &Sink{
		t:     t,
		addr:  pa,
		slots: make([]slot, slots),
		size:  uint64(slots),
		wake:  make(chan struct{}, 1),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
		// header (at most ~70 bytes plus host and tag) + message + LF
		frame: make([]byte, 0, 96+len(t.Hostname)+len(t.Tag)+t.MaxLen),
	}
	// A message longer than MaxLen-1 bytes is cut: HAProxy builds lines
	// in a buffer of "len" bytes, its terminating NUL included.
	msgCap := max(t.MaxLen-1, 1)
	data := make([]byte, slots*msgCap)
	for i := range s.slots {
		s.slots[i].seq.Store(uint64(i))
		s.slots[i].data = data[i*msgCap : (i+1)*msgCap : (i+1)*msgCap]
	}
	switch pa.kind {
	case addrUDP:
		ua, err := net.ResolveUDPAddr(pa.network, net.JoinHostPort(pa.host, strconv.Itoa(pa.port)))
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %w", ErrTarget, t.Addr, err)
		}
		dst := ua.AddrPort()
		dst = netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())
		network := "udp6"
		if dst.Addr().Is4() {
			network = "udp4"
		}
		c, err := net.ListenUDP(network, nil)
		if err != nil {
			return nil, fmt.Errorf("logs: %q: %w", t.Addr, err)
		}
		s.udp, s.udpDst = c, dst
	case addrFD:
		fd, err := unix.FcntlInt(uintptr(pa.fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: fcntl(F_DUPFD_CLOEXEC): %w", ErrTarget, t.Addr, err)
		}
		s.file = os.NewFile(uintptr(fd), t.Addr)
	}
	go s.run()
	return s, nil
}

// Target returns the target with its defaults filled in.
func (s *Sink) Target() Target { return s.t }

// Send queues msg (a log line without header; trailing LF and NUL bytes
// are removed, and it is cut to Target.MaxLen-1 bytes) with its level
// and date. A level above Target.Level (less severe) is filtered out
// (true is returned, nothing is counted); a level below Target.MinLevel
// (more severe) is sent as MinLevel. It returns false when the message was dropped because the ring
// is full or the sink is closed. It never blocks and does not allocate;
// msg is copied and may be reused at once.
func (s *Sink) Send(level int, now time.Time, msg []byte) bool {
	if level > s.t.Level {
		return true
	}
	level = max(level, s.t.MinLevel)
	if s.closed.Load() {
		s.dropped.Add(1)
		return false
	}
	for len(msg) > 0 && (msg[len(msg)-1] == '\n' || msg[len(msg)-1] == 0) {
		msg = msg[:len(msg)-1]
	}
	var sl *slot
	pos := s.head.Load()
claim:
	for {
		sl = &s.slots[pos%s.size]
		switch seq := sl.seq.Load(); {
		case seq == pos:
			if s.head.CompareAndSwap(pos, pos+1) {
				break claim
			}
			pos = s.head.Load()
		case seq < pos:
			// The slot still holds the message of the previous lap: full.
			s.dropped.Add(1)
			return false
		default: // another producer took pos
			pos = s.head.Load()
		}
	}
	sl.level = level
	sl.now = now
	sl.n = copy(sl.data, msg)
	sl.seq.Store(pos + 1)
	if s.sleeping.Load() {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// Sent returns the number of messages written to the target.
func (s *Sink) Sent() uint64 { return s.sent.Load() }

// Dropped returns the number of messages lost: the ring was full (or the
// sink closed) at Send, a write failed, or Close ran out of time.
func (s *Sink) Dropped() uint64 { return s.dropped.Load() }

// LastError returns the error of the last failed write, nil if none.
func (s *Sink) LastError() error {
	if p := s.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

// Close sends what is queued (bounded by CloseTimeout), then stops the
// writer and closes the target. What could not be sent in time is
// counted as dropped and ErrFlushTimeout is returned. A writer blocked
// in a write to a file descriptor that cannot be interrupted (a blocking
// terminal or pipe) exits when that write returns. Send after Close
// drops.
func (s *Sink) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return ErrClosed
	}
	close(s.stop)
	timer := time.NewTimer(CloseTimeout)
	defer timer.Stop()
	var err error
	select {
	case <-s.done:
	case <-timer.C:
		err = ErrFlushTimeout
		s.abort.Store(true)
		s.closeConns() // interrupts a write blocked on a socket or pollable fd
		grace := time.NewTimer(100 * time.Millisecond)
		defer grace.Stop()
		select {
		case <-s.done:
		case <-grace.C:
			return err
		}
	}
	// Whatever is still queued (abort, or Sends racing with Close).
	if head, tail := s.head.Load(), s.tail.Load(); head > tail {
		s.dropped.Add(head - tail)
		s.tail.Store(head)
	}
	if cerr := s.closeConns(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

// closeConns closes the target's sockets or file once.
func (s *Sink) closeConns() error {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if s.closing {
		return nil
	}
	s.closing = true
	var err error
	if s.udp != nil {
		err = s.udp.Close()
	}
	if s.unixc != nil {
		err = s.unixc.Close()
	}
	if s.file != nil {
		err = s.file.Close()
	}
	return err
}

// run is the writer goroutine: it owns tail, frame and the connections.
func (s *Sink) run() {
	defer close(s.done)
	stopping := false
	for !s.abort.Load() {
		if s.pop() {
			continue
		}
		if stopping {
			return // drained
		}
		s.sleeping.Store(true)
		if s.ready() {
			s.sleeping.Store(false)
			continue
		}
		select {
		case <-s.wake:
		case <-s.stop:
			stopping = true
		}
		s.sleeping.Store(false)
	}
}

// ready reports whether the slot at tail is filled.
func (s *Sink) ready() bool {
	tail := s.tail.Load()
	return s.slots[tail%s.size].seq.Load() == tail+1
}

// pop frames and writes the message at tail, if any.
func (s *Sink) pop() bool {
	tail := s.tail.Load()
	sl := &s.slots[tail%s.size]
	if sl.seq.Load() != tail+1 {
		return false
	}
	stream := s.addr.kind == addrFD
	limit := s.t.MaxLen
	if stream {
		limit-- // room for the LF
	}
	b := AppendHeader(s.frame[:0], s.t.Framing, s.t.Facility, sl.level, sl.now, s.t.Hostname, s.t.Tag, s.t.Pid)
	b = append(b, sl.data[:sl.n]...)
	// The slot is free again before any I/O.
	sl.seq.Store(tail + s.size)
	s.tail.Store(tail + 1)
	if len(b) > limit {
		b = b[:limit]
	}
	if stream {
		b = append(b, '\n')
	}
	s.frame = b[:0]
	if err := s.write(b); err != nil {
		// Remember the error without allocating for each failed
		// message: the first one, then one in 1024.
		// (A copy is stored: taking err's own address would move it to
		// the heap on every call.)
		if s.writeErrs.Add(1)%1024 == 1 {
			saved := err
			s.lastErr.Store(&saved)
		}
		s.dropped.Add(1)
	} else {
		s.sent.Add(1)
	}
	return true
}

// write sends one framed message: one datagram or one write.
func (s *Sink) write(b []byte) error {
	switch s.addr.kind {
	case addrUDP:
		_, err := s.udp.WriteToUDPAddrPort(b, s.udpDst)
		return err
	case addrFD:
		_, err := s.file.Write(b)
		return err
	}
	if s.unixc == nil {
		if err := s.dialUnix(); err != nil {
			return err
		}
	}
	return s.writeUnix(b)
}

// dialUnix connects the unix datagram socket, unless Close closed the
// connections.
func (s *Sink) dialUnix() error {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if s.closing {
		return net.ErrClosed
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: s.addr.path, Net: "unixgram"})
	if err != nil {
		return err
	}
	s.unixc = c
	return nil
}

// writeUnix writes one datagram; after an error (the receiver went away)
// the socket is connected again at the next message.
func (s *Sink) writeUnix(b []byte) error {
	_, err := s.unixc.Write(b)
	if err != nil && !s.abort.Load() {
		s.connMu.Lock()
		if !s.closing {
			s.unixc.Close()
			s.unixc = nil
		}
		s.connMu.Unlock()
	}
	return err
}
