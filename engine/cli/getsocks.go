package cli

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// _getsocks hands the listening sockets to the process that replaces this
// one (its -x option), in HAProxy's wire format so that hitless and HAProxy
// take each other's sockets. Over a unix stream connection:
//
//  1. the client sends "_getsocks\n";
//  2. the server answers a native-endian 32-bit int, the number N of
//     sockets; 0 ends the exchange;
//  3. then batches of at most [MaxSendFD] sockets, one sendmsg each: the
//     descriptors in one SCM_RIGHTS message, and as data, per socket in
//     the same order, a one-byte namespace name length, the name, a
//     one-byte interface name length, the name, and 4 zero bytes (listener
//     options before HAProxy 2.3). hitless binds have neither namespace
//     nor interface: 6 bytes per socket;
//  4. after each batch the client answers 4 bytes (its count so far;
//     ignored), which the server waits for, at most 1 s as in HAProxy,
//     before the next batch.
//
// The session ends after the exchange, without text. The command exists
// only on a socket with "expose-fd listeners" (whatever the session level,
// as in HAProxy); elsewhere it closes the session without a word, as
// HAProxy 2.6 does. The sockets go out once per process: a later
// _getsocks answers N = 0 (see [ListenerExporter]).

// MaxSendFD is the most descriptors one sendmsg carries: HAProxy's
// MAX_SEND_FD, one below Linux's SCM_MAX_FD because some C libraries fail
// at 253.
const MaxSendFD = 252

// getsocksAckTimeout bounds the wait for the client's acknowledgement of a
// batch (HAProxy sets the same 1 s receive timeout on both sides). Tests
// shorten it.
var getsocksAckTimeout = time.Second

// socketInfoLen is the per-socket data of a batch without namespace nor
// interface names.
const socketInfoLen = 1 + 1 + 4

func runGetsocks(s *Session, _ []string, _ []byte) error {
	s.Quit()
	if !s.ExposeFDListeners() {
		return nil
	}
	uc, ok := s.Conn().(*net.UnixConn)
	if !ok {
		return nil // descriptors only travel over unix sockets
	}
	send := func(fds []int) error { return sendSockets(uc, fds, s.srv.timeout) }
	exp, ok := s.Source().(ListenerExporter)
	if !ok {
		return send(nil)
	}
	return exp.ExportListeners(send)
}

// sendSockets writes the count then the batches of fds on uc, each write
// bounded by timeout, each acknowledgement wait by getsocksAckTimeout. It
// does not close fds.
func sendSockets(uc *net.UnixConn, fds []int, timeout time.Duration) error {
	var word [4]byte
	binary.NativeEndian.PutUint32(word[:], uint32(len(fds)))
	uc.SetWriteDeadline(time.Now().Add(timeout))
	if _, err := uc.Write(word[:]); err != nil {
		return fmt.Errorf("_getsocks: sending the number of sockets: %w", err)
	}
	info := make([]byte, min(len(fds), MaxSendFD)*socketInfoLen) // all zero: no names, no options
	for sent := 0; sent < len(fds); {
		batch := fds[sent:min(sent+MaxSendFD, len(fds))]
		data := info[:len(batch)*socketInfoLen]
		oob := unix.UnixRights(batch...)
		uc.SetWriteDeadline(time.Now().Add(timeout))
		n, oobn, err := uc.WriteMsgUnix(data, oob, nil)
		if err == nil && (n != len(data) || oobn != len(oob)) {
			err = io.ErrShortWrite
		}
		if err != nil {
			return fmt.Errorf("_getsocks: sending sockets %d to %d of %d: %w", sent+1, sent+len(batch), len(fds), err)
		}
		sent += len(batch)
		uc.SetReadDeadline(time.Now().Add(getsocksAckTimeout))
		if _, err := io.ReadFull(uc, word[:]); err != nil {
			return fmt.Errorf("_getsocks: waiting for the acknowledgement of %d sockets: %w", sent, err)
		}
	}
	return nil
}

// SocketInfo is what a _getsocks transfer says of one socket besides its
// descriptor.
type SocketInfo struct {
	Namespace string // network namespace name, "" for none
	Interface string // interface the socket is bound to, "" for none
}

// ErrSocketInfo is returned by [ParseSocketInfo] for data that does not
// describe the announced number of sockets.
var ErrSocketInfo = errors.New("cli: inconsistent _getsocks socket information")

// ParseSocketInfo splits the data of a transfer (every batch, in order)
// into the descriptions of n sockets: per socket a length byte and a
// namespace name, a length byte and an interface name, and 4 bytes of
// options, ignored as by HAProxy 2.3 and later. Bytes after the last socket
// are ignored, as HAProxy ignores them. The result is the caller's; the
// strings do not alias b.
func ParseSocketInfo(b []byte, n int) ([]SocketInfo, error) {
	if n < 0 {
		return nil, fmt.Errorf("%w: %d sockets", ErrSocketInfo, n)
	}
	out := make([]SocketInfo, 0, min(n, len(b)/socketInfoLen))
	for i := 0; i < n; i++ {
		var ns, ifname string
		var ok bool
		if ns, b, ok = cutSocketName(b); ok {
			ifname, b, ok = cutSocketName(b)
		}
		if !ok || len(b) < 4 {
			return nil, fmt.Errorf("%w: socket %d of %d", ErrSocketInfo, i+1, n)
		}
		b = b[4:]
		out = append(out, SocketInfo{Namespace: ns, Interface: ifname})
	}
	return out, nil
}

// cutSocketName reads a length byte and that many bytes.
func cutSocketName(b []byte) (name string, rest []byte, ok bool) {
	if len(b) < 1 || len(b) < 1+int(b[0]) {
		return "", b, false
	}
	return string(b[1 : 1+int(b[0])]), b[1+int(b[0]):], true
}
