package engine

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hitless/engine/cli"
	"hitless/engine/config"
)

var _ cli.ListenerExporter = (*Engine)(nil)

func TestSameUnixPath(t *testing.T) {
	tests := []struct {
		path, got string
		want      bool
	}{
		{"/run/fe.sock", "/run/fe.sock", true},
		{"/run/fe.sock", "/run/fe.sock.1234.tmp", true}, // HAProxy's temporary name
		{"/run/fe.sock", "/run/fe.sock.tmp", false},
		{"/run/fe.sock", "/run/fe.sock..tmp", false},
		{"/run/fe.sock", "/run/fe.sock.12a.tmp", false},
		{"/run/fe.sock", "/run/fe.sock.12.tmpx", false},
		{"/run/fe.sock", "/run/fe.sockx", false},
		{"/run/fe.sock", "/run/fe", false},
		{"@abstract", "@abstract", true},
		{"@abstract", "@abstract.12.tmp", false},
		{"/run/fe.sock", "@/run/fe.sock", false},
	}
	for _, tt := range tests {
		if got := sameUnixPath(tt.path, tt.got); got != tt.want {
			t.Errorf("sameUnixPath(%q, %q) = %v, want %v", tt.path, tt.got, got, tt.want)
		}
	}
}

// oldListener opens a listening socket as a previous hitless would have
// (SO_REUSEPORT), with extra socket options.
func oldListener(t *testing.T, network string, sa unix.Sockaddr, opts ...[3]int) int {
	t.Helper()
	family := unix.AF_INET
	switch sa.(type) {
	case *unix.SockaddrInet6:
		family = unix.AF_INET6
	case *unix.SockaddrUnix:
		family = unix.AF_UNIX
	}
	typ := unix.SOCK_STREAM
	if network == "udp" {
		typ = unix.SOCK_DGRAM
	}
	fd, err := unix.Socket(family, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if family != unix.AF_UNIX {
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
	}
	for _, o := range opts {
		if err := unix.SetsockoptInt(fd, o[0], o[1], o[2]); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	if typ == unix.SOCK_STREAM {
		if err := unix.Listen(fd, 16); err != nil {
			t.Fatal(err)
		}
	}
	return fd
}

func isOpen(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}

func fdInode(t *testing.T, fd int) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// holdsInode reports whether a descriptor of the process refers to the
// socket with inode ino.
func holdsInode(t *testing.T, ino uint64) bool {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("socket:[%d]", ino)
	for _, e := range ents {
		if link, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && link == want {
			return true
		}
	}
	return false
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestReceivedSocketMatching: a bind takes a received socket of the same
// address, type, v6only and without transparent/freebind, once.
func TestReceivedSocketMatching(t *testing.T) {
	port := freePort(t)
	lo4 := &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
	lo6 := &unix.SockaddrInet6{Port: port, Addr: [16]byte{15: 1}}
	any6 := &unix.SockaddrInet6{Port: port}
	dir := t.TempDir()
	path := filepath.Join(dir, "fe.sock")
	v6only := [3]int{unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1}
	v4v6 := [3]int{unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0}
	freebind := [3]int{unix.IPPROTO_IP, unix.IP_FREEBIND, 1}
	tests := []struct {
		name string
		sock func(t *testing.T) int // the received socket
		bind config.Bind
		want bool
	}{
		{"ipv4", func(t *testing.T) int { return oldListener(t, "tcp", lo4) },
			config.Bind{Kind: config.AddrIPv4, Host: "127.0.0.1", PortFirst: port}, true},
		{"other port", func(t *testing.T) int { return oldListener(t, "tcp", lo4) },
			config.Bind{Kind: config.AddrIPv4, Host: "127.0.0.1", PortFirst: port + 1}, false},
		{"other address", func(t *testing.T) int { return oldListener(t, "tcp", lo4) },
			config.Bind{Kind: config.AddrIPv4, Host: "127.0.0.2", PortFirst: port}, false},
		{"port 0 never matches", func(t *testing.T) int { return oldListener(t, "tcp", lo4) },
			config.Bind{Kind: config.AddrIPv4, Host: "127.0.0.1"}, false},
		{"datagram", func(t *testing.T) int { return oldListener(t, "udp", lo4) },
			config.Bind{Kind: config.AddrIPv4, Host: "127.0.0.1", PortFirst: port}, false},
		{"freebind", func(t *testing.T) int { return oldListener(t, "tcp", lo4, freebind) },
			config.Bind{Kind: config.AddrIPv4, Host: "127.0.0.1", PortFirst: port}, false},
		{"ipv6 wildcard v6only", func(t *testing.T) int { return oldListener(t, "tcp", any6, v6only) },
			config.Bind{Kind: config.AddrIPv6, Host: "::", PortFirst: port, V6Only: true}, true},
		{"ipv6 wildcard, v6only wanted", func(t *testing.T) int { return oldListener(t, "tcp", any6, v4v6) },
			config.Bind{Kind: config.AddrIPv6, Host: "::", PortFirst: port, V6Only: true}, false},
		{"ipv6 wildcard v4v6", func(t *testing.T) int { return oldListener(t, "tcp", any6, v4v6) },
			config.Bind{Kind: config.AddrIPv6, Host: "::", PortFirst: port, V4V6: true}, true},
		{"ipv6 wildcard, v4v6 wanted", func(t *testing.T) int { return oldListener(t, "tcp", any6, v6only) },
			config.Bind{Kind: config.AddrIPv6, Host: "::", PortFirst: port, V4V6: true}, false},
		// the kernel sets IPV6_V6ONLY on a socket bound to ::1 anyway
		{"ipv6 loopback v4v6", func(t *testing.T) int { return oldListener(t, "tcp", lo6, v4v6) },
			config.Bind{Kind: config.AddrIPv6, Host: "::1", PortFirst: port, V4V6: true}, true},
		{"ipv4 for ipv6", func(t *testing.T) int { return oldListener(t, "tcp", lo4) },
			config.Bind{Kind: config.AddrIPv6, Host: "::1", PortFirst: port, V4V6: true}, false},
		{"unix", func(t *testing.T) int { return oldListener(t, "unix", &unix.SockaddrUnix{Name: path + "1"}) },
			config.Bind{Kind: config.AddrUnix, Path: path + "1"}, true},
		{"unix, HAProxy's temporary name", func(t *testing.T) int {
			return oldListener(t, "unix", &unix.SockaddrUnix{Name: path + "2.4242.tmp"})
		}, config.Bind{Kind: config.AddrUnix, Path: path + "2"}, true},
		{"unix, other path", func(t *testing.T) int { return oldListener(t, "unix", &unix.SockaddrUnix{Name: path + "3"}) },
			config.Bind{Kind: config.AddrUnix, Path: path + "3x"}, false},
		{"abstract", func(t *testing.T) int { return oldListener(t, "unix", &unix.SockaddrUnix{Name: "@" + path}) },
			config.Bind{Kind: config.AddrAbstract, Path: path}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd := tt.sock(t)
			if _, ok := unix.Getsockname(fd); ok != nil {
				t.Fatal(ok)
			}
			b := tt.bind
			specs, err := specsForBind(&frontend{name: "fe"}, &b)
			if err != nil {
				t.Fatal(err)
			}
			rs := describeReceived([]int{fd})
			got := rs.take(specs[0])
			if (got == fd) != tt.want || (got >= 0 && got != fd) {
				t.Fatalf("take = %d, want match %v (fd %d)", got, tt.want, fd)
			}
			if again := rs.take(specs[0]); again >= 0 {
				t.Fatalf("a received socket was taken twice")
			}
			rs.closeUnused()
			if open := isOpen(fd); open != tt.want {
				t.Fatalf("after closeUnused the socket is open=%v, want %v", open, tt.want)
			}
			if tt.want {
				unix.Close(fd)
			}
		})
	}
}

// TestStartTakesReceivedSockets: Start listens on the received sockets
// bound to its addresses (one per reactor, the extra ones too, none
// opened anew when enough came), closes the others, serves connections
// queued on them before it started, and exports them once.
func TestStartTakesReceivedSockets(t *testing.T) {
	b := startBackend(t, echo)
	tests := []struct {
		name      string
		received  int // sockets on the bind's address
		reactors  int
		listeners int // sockets the engine listens on
	}{
		{"as many", 2, 2, 2},
		{"more than reactors", 3, 2, 3},
		{"fewer than reactors", 1, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			port := freePort(t)
			sa := &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
			var received []int
			inodes := map[uint64]bool{}
			for i := 0; i < tt.received; i++ {
				fd := oldListener(t, "tcp", sa)
				received = append(received, fd)
				inodes[fdInode(t, fd)] = true
			}
			// A connection queued on the first socket (and any other one,
			// by the SO_REUSEPORT hash) before the engine exists.
			queued := make([]net.Conn, 0, 8)
			for i := 0; i < 8; i++ {
				c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				queued = append(queued, c)
			}
			unrelated := oldListener(t, "tcp", &unix.SockaddrInet4{Port: freePort(t), Addr: [4]byte{127, 0, 0, 1}})
			unrelatedInode := fdInode(t, unrelated)

			cfg := testConfig(b.addr())
			cfg.Proxies[0].Binds[0].PortFirst = port
			e, err := New(cfg, Options{Nbthread: tt.reactors, Logf: t.Logf, Inherited: append(received, unrelated)})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { stopEngine(t, e) })
			if holdsInode(t, unrelatedInode) {
				t.Error("a received socket no bind wants is still open")
			}
			fds := e.ListenerFDs()
			if len(fds) != tt.listeners {
				t.Fatalf("%d listening sockets, want %d", len(fds), tt.listeners)
			}
			taken := 0
			for _, fd := range fds {
				if inodes[fdInode(t, fd)] {
					taken++
				}
			}
			if taken != tt.received {
				t.Fatalf("%d of the %d received sockets are listened on", taken, tt.received)
			}
			for i, c := range queued {
				c.SetDeadline(time.Now().Add(10 * time.Second))
				msg := fmt.Sprintf("queued %d", i)
				if _, err := io.WriteString(c, msg); err != nil {
					t.Fatal(err)
				}
				buf := make([]byte, len(msg))
				if _, err := io.ReadFull(c, buf); err != nil || string(buf) != msg {
					t.Fatalf("connection queued before start: %q, %v", buf, err)
				}
			}

			var sent [][]int
			record := func(fds []int) error {
				sent = append(sent, append([]int(nil), fds...))
				return nil
			}
			e.ExportListeners(record)
			e.ExportListeners(record)
			e.SoftStop()
			e.ExportListeners(record)
			sort.Ints(sent[0])
			sort.Ints(fds)
			if fmt.Sprint(sent[0]) != fmt.Sprint(fds) || len(sent[1]) != 0 || len(sent[2]) != 0 {
				t.Fatalf("exports %v, want %v then none", sent, fds)
			}
			if e.ListenerFDs() != nil {
				t.Fatal("ListenerFDs after a stop")
			}
		})
	}
}

// TestExportFailureKeepsListeners: a failed export does not count, and
// the listeners go to the next caller.
func TestExportFailureKeepsListeners(t *testing.T) {
	b := startBackend(t, echo)
	e, _ := startEngine(t, testConfig(b.addr()), 2)
	fail := fmt.Errorf("client gone")
	if err := e.ExportListeners(func([]int) error { return fail }); err != fail {
		t.Fatalf("error %v, want send's", err)
	}
	var got []int
	e.ExportListeners(func(fds []int) error { got = fds; return nil })
	if len(got) != 2 {
		t.Fatalf("second export sent %d sockets, want 2", len(got))
	}
}

// TestCloseClosesInherited: an engine that never starts closes what it
// was given.
func TestCloseClosesInherited(t *testing.T) {
	fd := oldListener(t, "tcp", &unix.SockaddrInet4{Port: freePort(t), Addr: [4]byte{127, 0, 0, 1}})
	e, err := New(testConfig("127.0.0.1:9"), Options{Nbthread: 1, Inherited: []int{fd}})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	if isOpen(fd) {
		t.Fatal("inherited socket still open after Close")
	}
}
