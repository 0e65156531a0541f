package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// oldBatch is one sendmsg of a scripted old process: n fresh sockets and
// the per-socket data (nil: 6 zero bytes each).
type oldBatch struct {
	n    int
	data []byte
}

// scriptedOld plays the old process of a transfer on conn: it reads
// "_getsocks\n", announces count, sends the batches, each followed by an
// acknowledgement read, and returns the inodes of the sockets it sent in
// order. The sent sockets are closed on its side.
func scriptedOld(conn *net.UnixConn, count int, batches []oldBatch) ([]uint64, error) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	cmd := make([]byte, len("_getsocks\n"))
	if _, err := io.ReadFull(conn, cmd); err != nil || string(cmd) != "_getsocks\n" {
		return nil, fmt.Errorf("command %q, %v", cmd, err)
	}
	var word [4]byte
	binary.NativeEndian.PutUint32(word[:], uint32(int32(count)))
	if _, err := conn.Write(word[:]); err != nil {
		return nil, err
	}
	var inodes []uint64
	for _, b := range batches {
		fds := make([]int, b.n)
		for i := range fds {
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
			if err != nil {
				return nil, err
			}
			defer unix.Close(fd)
			fds[i] = fd
			inodes = append(inodes, fdInode(fd))
		}
		data := b.data
		if data == nil {
			data = make([]byte, 6*b.n)
		}
		if _, _, err := conn.WriteMsgUnix(data, unix.UnixRights(fds...), nil); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(conn, word[:]); err != nil {
			return inodes, nil // the client gave up: its error is what the test checks
		}
	}
	return inodes, nil
}

func fdInode(fd int) uint64 {
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil {
		return 0
	}
	return st.Ino
}

// openFDs returns the open descriptors of the process, by number, with
// what each refers to.
func openFDs(t *testing.T) map[string]string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]string, len(ents))
	for _, e := range ents {
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil {
			m[e.Name()] = target
		}
	}
	return m
}

// leakedFDs returns the descriptors open in after that were not open, on
// the same file, in before. Descriptors other goroutines closed meanwhile
// (a previous test winding down) do not count.
func leakedFDs(before, after map[string]string) []string {
	var leaked []string
	for fd, target := range after {
		if before[fd] != target && !strings.HasPrefix(target, "/proc/") {
			leaked = append(leaked, fd+" -> "+target)
		}
	}
	return leaked
}

// TestFetchOldSockets runs the client against scripted old processes,
// over a stats socket path and over sockpair@: the descriptors arrive in
// order, named sockets are dropped, every error leaves no descriptor open.
func TestFetchOldSockets(t *testing.T) {
	named := append([]byte{4, 'b', 'l', 'u', 'e', 0, 0, 0, 0, 0}, make([]byte, 12)...) // ns "blue", then two plain
	tests := []struct {
		name    string
		count   int
		batches []oldBatch
		want    int    // descriptors returned
		keep    []int  // indexes of the sent sockets returned, nil = all
		err     string // substring of the error
	}{
		{name: "none", count: 0},
		{name: "three", count: 3, batches: []oldBatch{{n: 3}}, want: 3},
		{name: "two batches", count: 300, batches: []oldBatch{{n: 252}, {n: 48}}, want: 300},
		{name: "named socket dropped", count: 3, batches: []oldBatch{{n: 3, data: named}}, want: 2, keep: []int{1, 2}},
		{name: "too many", count: 1, batches: []oldBatch{{n: 2}}, err: "too many sockets"},
		{name: "closed early", count: 5, batches: []oldBatch{{n: 2}}, err: "expecting 5 got 2"},
		{name: "short data", count: 2, batches: []oldBatch{{n: 2, data: make([]byte, 7)}}, err: "Inconsistency"},
		{name: "negative count", count: -1, err: "announced -1 sockets"},
	}
	// The runtime opens its poller descriptors on first use.
	if ln, err := net.Listen("unix", filepath.Join(t.TempDir(), "warm.sock")); err == nil {
		ln.Close()
	}
	for _, via := range []string{"path", "sockpair"} {
		for _, tt := range tests {
			t.Run(via+"/"+tt.name, func(t *testing.T) {
				before := openFDs(t)
				spec, conns, closeEndpoint := scriptedEndpoint(t, via)
				type result struct {
					inodes []uint64
					err    error
				}
				done := make(chan result, 1)
				go func() {
					c, ok := <-conns
					if !ok {
						done <- result{err: fmt.Errorf("no connection")}
						return
					}
					inodes, err := scriptedOld(c, tt.count, tt.batches)
					done <- result{inodes, err}
				}()
				fds, err := fetchOldSockets(spec)
				t.Cleanup(func() {
					for _, fd := range fds {
						unix.Close(fd)
					}
				})
				old := <-done
				if old.err != nil {
					t.Fatalf("old process: %v", old.err)
				}
				if tt.err != "" {
					if err == nil || !strings.Contains(err.Error(), tt.err) {
						t.Fatalf("error %v, want one with %q", err, tt.err)
					}
				} else if err != nil {
					t.Fatal(err)
				}
				if len(fds) != tt.want {
					t.Fatalf("%d descriptors, want %d", len(fds), tt.want)
				}
				for i, fd := range fds {
					j := i
					if tt.keep != nil {
						j = tt.keep[i]
					}
					if got := fdInode(fd); got != old.inodes[j] {
						t.Errorf("descriptor %d is not the old socket %d", i, j)
					}
					if flags, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); flags&unix.FD_CLOEXEC == 0 {
						t.Errorf("descriptor %d is inherited by children", i)
					}
				}
				for _, fd := range fds {
					unix.Close(fd)
				}
				fds = nil
				closeEndpoint()
				if leaked := leakedFDs(before, openFDs(t)); len(leaked) > 0 {
					t.Errorf("descriptors left open by the transfer: %v", leaked)
				}
			})
		}
	}
}

// scriptedEndpoint returns a -x argument, the channel on which the old
// process's side of the connection arrives, and a function closing what
// remains of the endpoint once that connection was served.
func scriptedEndpoint(t *testing.T, via string) (string, <-chan *net.UnixConn, func()) {
	t.Helper()
	conns := make(chan *net.UnixConn, 1)
	if via == "path" {
		path := filepath.Join(t.TempDir(), "old.sock")
		ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			defer close(conns)
			ln.SetDeadline(time.Now().Add(10 * time.Second))
			if c, err := ln.AcceptUnix(); err == nil {
				conns <- c
			}
		}()
		return path, conns, func() { ln.Close() }
	}
	// sockpair@: the new process sends a socket over an inherited
	// connected unix socket, and the exchange runs on that socket.
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	var closeOnce sync.Once
	closeOurs := func() { closeOnce.Do(func() { unix.Close(pair[0]) }) }
	t.Cleanup(closeOurs)
	go func() {
		defer close(conns)
		defer unix.Close(pair[1])
		buf, oob := make([]byte, 16), make([]byte, unix.CmsgSpace(4))
		_, oobn, _, _, err := unix.Recvmsg(pair[1], buf, oob, unix.MSG_CMSG_CLOEXEC)
		if err != nil {
			return
		}
		msgs, _ := unix.ParseSocketControlMessage(oob[:oobn])
		if len(msgs) != 1 {
			return
		}
		fds, _ := unix.ParseUnixRights(&msgs[0])
		if len(fds) != 1 {
			return
		}
		f := os.NewFile(uintptr(fds[0]), "getsocks")
		c, err := net.FileConn(f)
		f.Close()
		if err == nil {
			conns <- c.(*net.UnixConn)
		}
	}()
	return "sockpair@" + strconv.Itoa(pair[0]), conns, closeOurs
}

func TestFetchOldSocketsSpecs(t *testing.T) {
	tests := []struct {
		spec string
		err  string
	}{
		{spec: os.DevNull},
		{spec: "/nonexistent/stats.sock", err: "Failed to connect to the old process socket '/nonexistent/stats.sock'"},
		{spec: "sockpair@x", err: "invalid file descriptor"},
		{spec: "sockpair@999999", err: "socketpair: cannot transfer socket"},
	}
	for _, tt := range tests {
		fds, err := fetchOldSockets(tt.spec)
		if len(fds) != 0 {
			t.Errorf("%s: %d descriptors", tt.spec, len(fds))
		}
		if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: error %v, want %q", tt.spec, err, tt.err)
		}
	}
}

// TestGetsocksFailureNotFatal: a transfer that fails is reported (the
// warning and the alert HAProxy prints) and the process starts anyway,
// binding its own sockets; /dev/null asks for no transfer at all.
func TestGetsocksFailureNotFatal(t *testing.T) {
	backend := echoServer(t)
	tests := []struct {
		name string
		x    string
		want []string
	}{
		{"missing socket", "/nonexistent/stats.sock", []string{
			"[WARNING]", "Failed to connect to the old process socket '/nonexistent/stats.sock'",
			"[ALERT]", "Failed to get the sockets from the old process!"}},
		{"dev null", os.DevNull, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, cfg := portConfig(t, backend)
			p := startProc(t, nil, nil, "-db", "-f", cfg, "-x", tt.x)
			waitListening(t, addr)
			dialEcho(t, addr).Close()
			p.cmd.Process.Signal(syscall.SIGTERM)
			if code := p.wait(t, 10*time.Second); code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, p.stderr)
			}
			stderr := p.stderr.String()
			for _, s := range tt.want {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if tt.want == nil && stderr != "" {
				t.Errorf("unexpected messages:\n%s", stderr)
			}
		})
	}
}

// listenInodes returns the inodes of the listening sockets pid holds on
// 127.0.0.1:port (TCP) or on a unix path starting with unixPath.
func listenInodes(t *testing.T, pid, port int, unixPath string) map[uint64]bool {
	t.Helper()
	listening := map[uint64]bool{}
	if b, err := os.ReadFile("/proc/net/tcp"); err == nil {
		want := fmt.Sprintf("0100007F:%04X", port)
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) > 9 && f[1] == want && f[3] == "0A" {
				ino, _ := strconv.ParseUint(f[9], 10, 64)
				listening[ino] = true
			}
		}
	}
	if b, err := os.ReadFile("/proc/net/unix"); err == nil && unixPath != "" {
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) > 7 && f[3] == "00010000" && strings.HasPrefix(f[7], unixPath) {
				ino, _ := strconv.ParseUint(f[6], 10, 64)
				listening[ino] = true
			}
		}
	}
	out := map[uint64]bool{}
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		link, err := os.Readlink(filepath.Join(dir, e.Name()))
		if err != nil || !strings.HasPrefix(link, "socket:[") {
			continue
		}
		ino, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]"), 10, 64)
		if listening[ino] {
			out[ino] = true
		}
	}
	return out
}

// waitInodes polls until pid holds n listening sockets (see listenInodes).
func waitInodes(t *testing.T, pid, port int, unixPath string, n int) map[uint64]bool {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := listenInodes(t, pid, port, unixPath)
		if len(got) == n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid %d holds %d listening sockets, want %d", pid, len(got), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// echoLoad opens connections to addr, one echo exchange each, from a few
// goroutines, until stop is closed and at least min connections were
// made, or max were made. It counts failures.
type echoLoad struct {
	done     chan struct{}
	ok, fail atomic.Int64
	mu       sync.Mutex
	errs     []string
}

func startEchoLoad(network, addr string, min, max int64, stop <-chan struct{}) *echoLoad {
	l := &echoLoad{done: make(chan struct{})}
	var wg sync.WaitGroup
	var n atomic.Int64
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := []byte("ping")
			buf := make([]byte, len(msg))
			for {
				i := n.Add(1)
				if i > max {
					return
				}
				select {
				case <-stop:
					if i > min {
						return
					}
				default:
				}
				err := func() error {
					c, err := net.DialTimeout(network, addr, 5*time.Second)
					if err != nil {
						return err
					}
					defer c.Close()
					c.SetDeadline(time.Now().Add(10 * time.Second))
					if _, err := c.Write(msg); err != nil {
						return err
					}
					if _, err := io.ReadFull(c, buf); err != nil {
						return err
					}
					if !bytes.Equal(buf, msg) {
						return fmt.Errorf("echo %q", buf)
					}
					return nil
				}()
				if err != nil {
					l.fail.Add(1)
					l.mu.Lock()
					if len(l.errs) < 5 {
						l.errs = append(l.errs, err.Error())
					}
					l.mu.Unlock()
				} else {
					l.ok.Add(1)
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(l.done)
	}()
	return l
}

// waitOK polls until n connections succeeded, or the loop ended.
func (l *echoLoad) waitOK(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for l.ok.Load() < n {
		select {
		case <-l.done:
			return // check reports the shortfall
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections ok after 30s, waiting for %d", l.ok.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func (l *echoLoad) check(t *testing.T, min int64) {
	t.Helper()
	select {
	case <-l.done:
	case <-time.After(60 * time.Second):
		t.Fatal("client loop did not finish")
	}
	if l.fail.Load() != 0 || l.ok.Load() < min {
		t.Fatalf("%d connections ok, %d failed (want >= %d ok, 0 failed): %v", l.ok.Load(), l.fail.Load(), min, l.errs)
	}
}

// handoverConfig listens on a TCP port and a unix path, forwarding to
// backend, with a stats socket that exposes the listeners.
func handoverConfig(sock string, nbthread, port int, unixPath, backend string) string {
	return fmt.Sprintf(`global
    stats socket %s expose-fd listeners level admin
    nbthread %d
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind 127.0.0.1:%d
    bind unix@%s
    default_backend be
backend be
    server s1 %s
`, sock, nbthread, port, unixPath, backend)
}

// TestGetsocksHandover replaces a running hitless with -x and -sf under a
// client loop: the new process listens on the very sockets of the old one
// (same inodes), the old one exits, and no connection fails. The old and
// new reactor counts differ in some cases: extra sockets are kept by the
// new process, missing ones are opened.
func TestGetsocksHandover(t *testing.T) {
	backend := echoServer(t)
	tests := []struct{ oldThreads, newThreads int }{{2, 2}, {3, 2}, {1, 2}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d to %d reactors", tt.oldThreads, tt.newThreads), func(t *testing.T) {
			dir := t.TempDir()
			sock, unixPath := filepath.Join(dir, "stats.sock"), filepath.Join(dir, "fe.sock")
			port := freeTCPPort(t)
			addr := fmt.Sprintf("127.0.0.1:%d", port)
			oldCfg := writeFile(t, "old.cfg", handoverConfig(sock, tt.oldThreads, port, unixPath, backend))
			newCfg := writeFile(t, "new.cfg", handoverConfig(sock, tt.newThreads, port, unixPath, backend))

			old := startProc(t, nil, nil, "-db", "-f", oldCfg)
			oldInodes := waitInodes(t, old.cmd.Process.Pid, port, unixPath, tt.oldThreads+1)
			waitListening(t, addr)

			stop := make(chan struct{})
			tcpLoad := startEchoLoad("tcp", addr, 2000, 20000, stop)
			unixLoad := startEchoLoad("unix", unixPath, 200, 20000, stop)
			tcpLoad.waitOK(t, 200) // the loop runs before the hand-over starts
			okBefore := tcpLoad.ok.Load()
			next := startProc(t, nil, nil, "-db", "-f", newCfg, "-x", sock, "-sf", strconv.Itoa(old.cmd.Process.Pid))
			waitHandover(t, old, next)
			t.Logf("TCP connections: %d before the new process started, %d when the old one had exited", okBefore, tcpLoad.ok.Load())
			// The old process left once the new one listened: compare now.
			want := max(tt.oldThreads, tt.newThreads) + 1
			newInodes := waitInodes(t, next.cmd.Process.Pid, port, unixPath, want)
			for ino := range oldInodes {
				if !newInodes[ino] {
					t.Errorf("old listening socket %d not taken over: old %v, new %v", ino, oldInodes, newInodes)
				}
			}
			// A few hundred more connections after the old process is gone.
			tcpLoad.waitOK(t, tcpLoad.ok.Load()+200)
			close(stop)
			tcpLoad.check(t, 2000)
			unixLoad.check(t, 200)
			next.cmd.Process.Signal(syscall.SIGTERM)
			if code := next.wait(t, 10*time.Second); code != 0 {
				t.Fatalf("new process exit %d; stderr:\n%s", code, next.stderr)
			}
			if strings.Contains(next.stderr.String(), "[ALERT]") {
				t.Errorf("new process alerts:\n%s", next.stderr)
			}
		})
	}
}

// waitHandover waits until the old process exited with 0 while the new
// one runs.
func waitHandover(t *testing.T, old, next *proc) {
	t.Helper()
	select {
	case <-old.done:
		if old.code != 0 {
			t.Fatalf("old process exit %d; stderr:\n%s", old.code, old.stderr)
		}
	case <-next.done:
		t.Fatalf("new process exited (%d); stderr:\n%s", next.code, next.stderr)
	case <-time.After(20 * time.Second):
		t.Fatalf("old process still running 20s after the new one started; stderr:\n%s\nnew:\n%s", old.stderr, next.stderr)
	}
}

// startHAProxy runs haproxy in the foreground with args.
func startHAProxy(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	p := &proc{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok {
			p.code = ee.ExitCode()
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// TestGetsocksWithHAProxy checks the wire format against HAProxy 2.6 in
// both directions: hitless takes the sockets of a running haproxy, and
// haproxy takes those of a running hitless; in each case the sockets are
// the same kernel sockets, the old process exits and no connection fails.
func TestGetsocksWithHAProxy(t *testing.T) {
	haproxy := needTool(t, "haproxy")
	backend := echoServer(t)
	tests := []struct {
		name          string
		oldIsHAProxy  bool
		newIsHAProxy  bool
		oldN, newN    int // listening sockets on the TCP port
		newHitlessThr int
	}{
		{name: "hitless takes from haproxy", oldIsHAProxy: true, oldN: 1, newN: 2, newHitlessThr: 2},
		{name: "haproxy takes from hitless", newIsHAProxy: true, oldN: 1, newN: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			sock, unixPath := filepath.Join(dir, "stats.sock"), filepath.Join(dir, "fe.sock")
			port := freeTCPPort(t)
			addr := fmt.Sprintf("127.0.0.1:%d", port)
			start := func(isHAProxy bool, threads int, args ...string) *proc {
				cfg := writeFile(t, fmt.Sprintf("%d.cfg", len(args)), handoverConfig(sock, max(threads, 1), port, unixPath, backend))
				if isHAProxy {
					return startHAProxy(t, haproxy, append([]string{"-db", "-f", cfg}, args...)...)
				}
				return startProc(t, nil, nil, append([]string{"-db", "-f", cfg}, args...)...)
			}
			old := start(tt.oldIsHAProxy, 1)
			oldInodes := waitInodes(t, old.cmd.Process.Pid, port, "", tt.oldN)
			unixInodes := waitInodes(t, old.cmd.Process.Pid, 0, unixPath, 1)
			waitListening(t, addr)

			stop := make(chan struct{})
			load := startEchoLoad("tcp", addr, 1000, 20000, stop)
			load.waitOK(t, 100)
			next := start(tt.newIsHAProxy, tt.newHitlessThr, "-x", sock, "-sf", strconv.Itoa(old.cmd.Process.Pid))
			waitHandover(t, old, next)
			newInodes := waitInodes(t, next.cmd.Process.Pid, port, "", tt.newN)
			for ino := range oldInodes {
				if !newInodes[ino] {
					t.Errorf("TCP listening socket %d not taken over: old %v, new %v", ino, oldInodes, newInodes)
				}
			}
			newUnix := waitInodes(t, next.cmd.Process.Pid, 0, unixPath, 1)
			for ino := range unixInodes {
				if !newUnix[ino] {
					t.Errorf("unix listening socket %d not taken over: old %v, new %v", ino, unixInodes, newUnix)
				}
			}
			close(stop)
			load.check(t, 1000)
			dialEcho(t, addr).Close()
			next.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-next.done:
			case <-time.After(10 * time.Second):
				t.Fatalf("new process still running after SIGTERM")
			}
			if s := next.stderr.String(); strings.Contains(s, "[ALERT]") || strings.Contains(s, "Failed") {
				t.Errorf("new process complains:\n%s", s)
			}
		})
	}
}
