package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"hitless/engine/cli"
)

// oldSockets are the listening sockets -x took from the previous process:
// run sets them before serve, which hands them to the engine through
// engine.Options.Inherited; the engine owns them from engine.New on.
var oldSockets []int

// oldSocketsTimeout bounds each receive and send of the transfer, as the
// 1 s socket timeouts of HAProxy's client.
const oldSocketsTimeout = time.Second

// maxOldSockets bounds the count the previous process announces.
const maxOldSockets = 1 << 20

// xferInfoMax is the largest per-socket data of a batch: two names of at
// most 255 bytes with their lengths, and 4 bytes of options.
const xferInfoMax = 1 + 255 + 1 + 255 + 4

// fetchOldSockets takes the listening sockets of the process being
// replaced, with _getsocks (HAProxy's protocol, see engine/cli), so that
// the new engine listens on the same kernel sockets and no connection
// queued on them is lost. spec is the argument of -x: the path of a stats
// socket with "expose-fd listeners", "sockpair@<fd>" for a connected unix
// socket inherited as fd (a fresh socketpair end is sent over it and the
// exchange runs on the other end, as HAProxy's master-worker reload does),
// or /dev/null for no transfer (nil, nil).
//
// The caller owns the returned descriptors (close-on-exec). Sockets bound
// to a network namespace or an interface are closed, as no hitless bind
// can use them. On error no descriptor is left open; the error text is
// what HAProxy would warn about.
func fetchOldSockets(spec string) ([]int, error) {
	if spec == os.DevNull {
		return nil, nil
	}
	sock, err := dialOldProcess(spec)
	if err != nil {
		return nil, err
	}
	defer unix.Close(sock)
	tv := unix.NsecToTimeval(oldSocketsTimeout.Nanoseconds())
	unix.SetsockoptTimeval(sock, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	unix.SetsockoptTimeval(sock, unix.SOL_SOCKET, unix.SO_SNDTIMEO, &tv)

	if err := xferSend(sock, []byte("_getsocks\n")); err != nil {
		return nil, fmt.Errorf("Failed to get the number of sockets to be transferred ! (%s)", xferErrText(err))
	}
	var word [4]byte
	if err := xferRecv(sock, word[:]); err != nil {
		return nil, fmt.Errorf("Failed to get the number of sockets to be transferred ! (%s)", xferErrText(err))
	}
	count := int(int32(binary.NativeEndian.Uint32(word[:])))
	if count == 0 {
		return nil, nil
	}
	if count < 0 || count > maxOldSockets {
		return nil, fmt.Errorf("The old process announced %d sockets", count)
	}

	var fds []int
	var info []byte
	fail := func(err error) ([]int, error) {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, err
	}
	buf := make([]byte, cli.MaxSendFD*xferInfoMax)
	oob := make([]byte, unix.CmsgSpace(4*cli.MaxSendFD))
	for len(fds) < count {
		n, oobn, flags, _, err := unix.Recvmsg(sock, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			if err == nil {
				err = errors.New("connection closed")
			}
			return fail(fmt.Errorf("We didn't get the expected number of sockets (expecting %d got %d): %s", count, len(fds), xferErrText(err)))
		}
		// The acknowledgement lets the old process send the next batch.
		binary.NativeEndian.PutUint32(word[:], uint32(len(fds)))
		xferAck(sock, word[:])
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			return fail(fmt.Errorf("Inconsistency while transferring sockets: %s", xferErrText(err)))
		}
		for i := range msgs {
			got, err := unix.ParseUnixRights(&msgs[i])
			if err != nil {
				continue // not SCM_RIGHTS
			}
			fds = append(fds, got...)
		}
		if flags&unix.MSG_CTRUNC != 0 {
			return fail(errors.New("Inconsistency while transferring sockets: descriptors were truncated"))
		}
		if len(fds) > count {
			return fail(fmt.Errorf("Got too many sockets (expecting %d got %d)", count, len(fds)))
		}
		info = append(info, buf[:n]...)
	}
	names, err := cli.ParseSocketInfo(info, count)
	if err != nil {
		return fail(fmt.Errorf("Inconsistency while transferring sockets (%v)", err))
	}
	kept := fds[:0]
	for i, fd := range fds {
		if names[i].Namespace != "" || names[i].Interface != "" {
			unix.Close(fd)
			continue
		}
		kept = append(kept, fd)
	}
	return kept, nil
}

// dialOldProcess returns a connected unix stream socket to the previous
// process (see fetchOldSockets for spec).
func dialOldProcess(spec string) (int, error) {
	if rest, ok := strings.CutPrefix(spec, "sockpair@"); ok {
		via, err := strconv.Atoi(rest)
		if err != nil || via < 0 {
			return -1, fmt.Errorf("socketpair: invalid file descriptor in '%s'", spec)
		}
		sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return -1, fmt.Errorf("socketpair: %s", xferErrText(err))
		}
		// HAProxy sends two bytes of data along with the descriptor.
		err = unix.Sendmsg(via, []byte{0, 0}, unix.UnixRights(sv[0]), nil, unix.MSG_NOSIGNAL)
		unix.Close(sv[0])
		if err != nil {
			unix.Close(sv[1])
			return -1, fmt.Errorf("socketpair: cannot transfer socket over %s (%s)", spec, xferErrText(err))
		}
		return sv[1], nil
	}
	sock, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err == nil {
		if err = unix.Connect(sock, &unix.SockaddrUnix{Name: spec}); err != nil {
			unix.Close(sock)
		}
	}
	if err != nil {
		return -1, fmt.Errorf("Failed to connect to the old process socket '%s' (%s)", spec, xferErrText(err))
	}
	return sock, nil
}

// xferSend writes all of b on the blocking socket fd.
func xferSend(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.SendmsgN(fd, b, nil, nil, unix.MSG_NOSIGNAL)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// xferAck sends an acknowledgement, ignoring failures as HAProxy does: a
// sender that closed after its last batch no longer reads it.
func xferAck(fd int, b []byte) {
	for {
		if _, err := unix.SendmsgN(fd, b, nil, nil, unix.MSG_NOSIGNAL); err != unix.EINTR {
			return
		}
	}
}

// xferRecv fills b from the blocking socket fd.
func xferRecv(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Read(fd, b)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return err
		case n == 0:
			return errors.New("connection closed")
		}
		b = b[n:]
	}
	return nil
}

// xferErrText spells an errno as the C library does ("No such file or
// directory"), as HAProxy's messages show them.
func xferErrText(err error) string {
	s := err.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
