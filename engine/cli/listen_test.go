package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"hitless/engine/config"
)

// serveOnce serves ln with a fresh server until the test ends and returns
// the answer to "show cli level" from addr.
func serveOnce(t *testing.T, ln net.Listener, network, addr string) string {
	t.Helper()
	srv := NewServer(&fakeSource{}, Options{})
	go srv.Serve(ln, config.LevelAdmin)
	t.Cleanup(func() { srv.Close() })
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "show cli level\n")
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestListenUnixMode(t *testing.T) {
	tests := []struct {
		name    string
		mode    os.FileMode
		modeSet bool
	}{
		{"mode 600", 0o600, true},
		{"mode 660", 0o660, true},
		{"mode 000", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGoroutines(t)
			path := filepath.Join(t.TempDir(), "stats.sock")
			ln, err := Listen(config.StatsSocket{Kind: config.AddrUnix, Path: path, Mode: tt.mode, ModeSet: tt.modeSet})
			if err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != tt.mode {
				t.Errorf("socket mode = %v, want socket %v", fi.Mode(), tt.mode)
			}
			if tmp, _ := filepath.Glob(path + ".*"); len(tmp) != 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
			if tt.mode&0o200 != 0 { // root ignores modes; only dial when allowed anyway
				if got := serveOnce(t, ln, "unix", path); got != "admin\n\n" {
					t.Errorf("answer %q", got)
				}
			} else {
				ln.Close()
			}
		})
	}
}

// TestListenUnixReplace checks the atomic replacement of an existing
// socket file: a stale one (nobody listening) and a live one (the previous
// process during a reload, which keeps its listener).
func TestListenUnixReplace(t *testing.T) {
	checkGoroutines(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "stats.sock")

	stale, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	stale.SetUnlinkOnClose(false)
	stale.Close() // leaves the file behind, like a crashed process

	old, err := Listen(config.StatsSocket{Kind: config.AddrUnix, Path: path})
	if err != nil {
		t.Fatalf("replacing a stale socket: %v", err)
	}
	defer old.Close()
	ln, err := Listen(config.StatsSocket{Kind: config.AddrUnix, Path: path})
	if err != nil {
		t.Fatalf("replacing a live socket: %v", err)
	}
	if got := serveOnce(t, ln, "unix", path); got != "admin\n\n" {
		t.Errorf("new socket answered %q", got)
	}
	// closing the old listener must not remove the new socket
	old.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("socket file gone after closing the old listener: %v", err)
	}
}

func TestListenUnixNotSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Listen(config.StatsSocket{Kind: config.AddrUnix, Path: path, Addr: path})
	if !errors.Is(err, ErrNotSocket) || !strings.Contains(err.Error(), path) {
		t.Errorf("Listen over a regular file = %v, want ErrNotSocket naming %s", err, path)
	}
	if b, _ := os.ReadFile(path); string(b) != "data" {
		t.Errorf("file was touched")
	}
}

func TestListenErrorsNameAddress(t *testing.T) {
	long := "/tmp/" + strings.Repeat("x", 100)
	tests := []struct {
		name string
		sock config.StatsSocket
		want string
	}{
		{"path too long", config.StatsSocket{Kind: config.AddrUnix, Path: long}, long},
		{"missing directory", config.StatsSocket{Kind: config.AddrUnix, Path: "/nonexistent/dir/s.sock", Addr: "/nonexistent/dir/s.sock"}, "/nonexistent/dir/s.sock"},
		{"bad fd", config.StatsSocket{Kind: config.AddrFD, FD: 9999}, "fd@9999"},
		{"sockpair", config.StatsSocket{Kind: config.AddrSockpair, FD: 3, Addr: "sockpair@3"}, "sockpair@3"},
		{"invalid port", config.StatsSocket{Kind: config.AddrIPv4, Host: "127.0.0.1", Port: -1}, "ipv4@127.0.0.1:-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := Listen(tt.sock)
			if err == nil {
				ln.Close()
				t.Fatal("Listen succeeded")
			}
			if !strings.HasPrefix(err.Error(), "cli: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %q", err, tt.want)
			}
		})
	}
}

func TestListenAbstract(t *testing.T) {
	checkGoroutines(t)
	name := fmt.Sprintf("hitless-cli-test-%d", os.Getpid())
	ln, err := Listen(config.StatsSocket{Kind: config.AddrAbstract, Path: name})
	if err != nil {
		t.Fatal(err)
	}
	if got := serveOnce(t, ln, "unix", "@"+name); got != "admin\n\n" {
		t.Errorf("answer %q", got)
	}
}

func TestListenTCP(t *testing.T) {
	checkGoroutines(t)
	ln, err := Listen(config.StatsSocket{Kind: config.AddrIPv4, Host: "127.0.0.1", Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	if got := serveOnce(t, ln, "tcp", ln.Addr().String()); got != "admin\n\n" {
		t.Errorf("answer %q", got)
	}
}

// TestListenFD takes over an inherited listening descriptor ("fd@N"), as
// when the socket is passed by a supervisor.
func TestListenFD(t *testing.T) {
	checkGoroutines(t)
	path := filepath.Join(t.TempDir(), "inherited.sock")
	orig, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	// A bare descriptor stands for the inherited one. It must not stay
	// owned by an *os.File, whose finalizer would close the number again
	// after it is reused.
	f, err := orig.File()
	if err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.Dup(int(f.Fd()))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := Listen(config.StatsSocket{Kind: config.AddrFD, FD: fd})
	if err != nil {
		syscall.Close(fd)
		t.Fatal(err)
	}
	// Listen owns the descriptor now and closed N
	if err := syscall.SetNonblock(fd, true); !errors.Is(err, syscall.EBADF) {
		t.Errorf("fd %d still open after Listen (err %v)", fd, err)
	}
	if got := serveOnce(t, ln, "unix", path); got != "admin\n\n" {
		t.Errorf("answer %q", got)
	}
}

func TestListenFDNotListening(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fds[0])
	defer syscall.Close(fds[1])
	_, err = Listen(config.StatsSocket{Kind: config.AddrFD, FD: fds[0]})
	if !errors.Is(err, ErrNotListening) || !strings.Contains(err.Error(), "fd@"+strconv.Itoa(fds[0])) {
		t.Errorf("Listen(connected socket) = %v, want ErrNotListening naming the fd", err)
	}
}
