package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"hitless/engine/config"
)

// ErrUnsupportedAddr is returned by Listen for address kinds a stats socket
// cannot use.
var ErrUnsupportedAddr = errors.New("cli: unsupported stats socket address")

// ErrNotSocket is returned by Listen when a unix socket path is taken by
// something that is not a socket, which Listen refuses to replace.
var ErrNotSocket = errors.New("cli: path exists and is not a socket")

// ErrNotListening is returned by Listen when an inherited fd@ descriptor is
// not a listening stream socket.
var ErrNotListening = errors.New("cli: inherited descriptor is not a listening socket")

// maxUnixPath is the room in sockaddr_un.sun_path, terminating NUL excluded.
const maxUnixPath = 107

// Listen opens the listening socket of a "stats socket" line:
//
//   - a unix path (AddrUnix) is bound under a temporary name next to it
//     ("<path>.<pid>.tmp"), given its mode when ModeSet, then renamed over
//     the path, as HAProxy does. The rename is atomic: clients never see a
//     missing socket nor one with the wrong mode, a stale socket left by a
//     dead process is replaced, and so is the socket of a previous process
//     during a reload (which keeps serving its accepted sessions). A path
//     held by anything but a socket is refused with ErrNotSocket. The
//     socket file is not removed when the listener is closed: after a
//     reload it belongs to the new process.
//   - "abns@name" (AddrAbstract) binds a Linux abstract socket; no file, no
//     mode.
//   - "fd@N" (AddrFD) takes over the inherited, already listening
//     descriptor N: the returned listener owns a duplicate and N is closed.
//   - "ipv4@"/"ipv6@" addresses (AddrIPv4, AddrIPv6) listen on TCP.
//
// Errors name the address.
func Listen(s config.StatsSocket) (net.Listener, error) {
	ln, err := listen(s)
	if err != nil {
		return nil, fmt.Errorf("cli: stats socket %s: %w", addrString(s), err)
	}
	return ln, nil
}

func listen(s config.StatsSocket) (net.Listener, error) {
	switch s.Kind {
	case config.AddrUnix:
		return listenUnixPath(s.Path, s.Mode, s.ModeSet)
	case config.AddrAbstract:
		return net.ListenUnix("unix", &net.UnixAddr{Name: "@" + s.Path, Net: "unix"})
	case config.AddrFD:
		return listenFD(s.FD)
	case config.AddrIPv4:
		return net.Listen("tcp4", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)))
	case config.AddrIPv6:
		return net.Listen("tcp6", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)))
	}
	return nil, ErrUnsupportedAddr
}

// addrString spells the address as in the configuration.
func addrString(s config.StatsSocket) string {
	if s.Addr != "" {
		return s.Addr
	}
	switch s.Kind {
	case config.AddrUnix:
		return s.Path
	case config.AddrAbstract:
		return "abns@" + s.Path
	case config.AddrFD:
		return "fd@" + strconv.Itoa(s.FD)
	case config.AddrIPv4:
		return "ipv4@" + net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	case config.AddrIPv6:
		return "ipv6@" + net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	}
	return s.Kind.String() + "@?"
}

func listenUnixPath(path string, mode os.FileMode, modeSet bool) (net.Listener, error) {
	if path == "" {
		return nil, errors.New("empty path")
	}
	tmp := path + "." + strconv.Itoa(os.Getpid()) + ".tmp"
	if len(tmp) > maxUnixPath {
		return nil, fmt.Errorf("path too long for a unix socket once suffixed with .%d.tmp (limit %d bytes)", os.Getpid(), maxUnixPath)
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode().Type() != fs.ModeSocket {
		return nil, ErrNotSocket
	}
	os.Remove(tmp) // left over by a crashed process with our pid
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, err
	}
	// Closing must not unlink: the name was renamed away, and the path may
	// belong to the next process by then.
	ln.SetUnlinkOnClose(false)
	fail := func(err error) (net.Listener, error) {
		ln.Close()
		os.Remove(tmp)
		return nil, err
	}
	if modeSet {
		if err := os.Chmod(tmp, mode.Perm()); err != nil {
			return fail(err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	return ln, nil
}

func listenFD(fd int) (net.Listener, error) {
	if fd < 0 {
		return nil, unix.EBADF
	}
	acc, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	if err != nil {
		return nil, os.NewSyscallError("getsockopt", err)
	}
	if acc == 0 {
		return nil, ErrNotListening
	}
	f := os.NewFile(uintptr(fd), "fd@"+strconv.Itoa(fd))
	defer f.Close()
	return net.FileListener(f)
}
