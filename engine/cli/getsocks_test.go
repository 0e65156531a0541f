package cli

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hitless/engine/config"
)

// exportSource is a Source whose "listeners" are plain sockets, exported
// once as the engine does.
type exportSource struct {
	fakeSource
	fds      []int
	xmu      sync.Mutex
	exported bool
	sends    int // calls of send
}

func (x *exportSource) ExportListeners(send func(fds []int) error) error {
	x.xmu.Lock()
	defer x.xmu.Unlock()
	x.sends++
	if x.exported {
		return send(nil)
	}
	if err := send(x.fds); err != nil {
		return err
	}
	x.exported = len(x.fds) > 0
	return nil
}

// newSockets opens n unbound TCP sockets, closed at the end of the test.
func newSockets(t *testing.T, n int) []int {
	t.Helper()
	fds := make([]int, n)
	for i := range fds {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		fds[i] = fd
	}
	t.Cleanup(func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	})
	return fds
}

func inode(t *testing.T, fd int) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// serveSocket serves src on a unix stats socket with the given expose-fd
// setting and returns its path.
func serveSocket(t *testing.T, src Source, expose bool) string {
	t.Helper()
	checkGoroutines(t)
	path := filepath.Join(t.TempDir(), "stats.sock")
	sock := config.StatsSocket{Kind: config.AddrUnix, Path: path, Level: config.LevelUser, ExposeFDListeners: expose}
	ln, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(src, Options{})
	done := make(chan struct{})
	go func() {
		srv.ServeSocket(ln, sock)
		close(done)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return path
}

// batch is what one recvmsg of the client got.
type batch struct {
	fds  []int
	data []byte
}

// getsocksReply is the server's answer as a client sees it.
type getsocksReply struct {
	count   int
	batches []batch
	rest    []byte // bytes after the last expected batch, until EOF
}

func (r *getsocksReply) fds() []int {
	var out []int
	for _, b := range r.batches {
		out = append(out, b.fds...)
	}
	return out
}

// getsocks runs the client side of _getsocks on path, acknowledging each
// batch unless ack is false, and closes the received descriptors at the
// end of the test.
func getsocks(t *testing.T, path string, ack bool) (*getsocksReply, error) {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	uc := c.(*net.UnixConn)
	uc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(uc, "_getsocks\n"); err != nil {
		t.Fatal(err)
	}
	r := &getsocksReply{}
	var word [4]byte
	if _, err := io.ReadFull(uc, word[:]); err != nil {
		return r, err
	}
	r.count = int(int32(binary.NativeEndian.Uint32(word[:])))
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(4*MaxSendFD))
	for got := 0; got < r.count; {
		n, oobn, flags, _, err := uc.ReadMsgUnix(buf, oob)
		if err != nil {
			return r, err
		}
		if flags&unix.MSG_CTRUNC != 0 {
			t.Fatal("control data truncated")
		}
		b := batch{data: append([]byte(nil), buf[:n]...)}
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			fds, err := unix.ParseUnixRights(&m)
			if err != nil {
				t.Fatal(err)
			}
			b.fds = append(b.fds, fds...)
		}
		t.Cleanup(func() {
			for _, fd := range b.fds {
				unix.Close(fd)
			}
		})
		got += len(b.fds)
		r.batches = append(r.batches, b)
		if ack {
			binary.NativeEndian.PutUint32(word[:], uint32(got))
			uc.Write(word[:])
		}
	}
	r.rest, err = io.ReadAll(uc)
	if errors.Is(err, unix.ECONNRESET) {
		err = nil // closed with our last acknowledgement unread: the server is done
	}
	return r, err
}

func TestGetsocksFraming(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		batches []int // descriptors per sendmsg
	}{
		{"one", 1, []int{1}},
		{"three", 3, []int{3}},
		{"one full batch", 252, []int{252}},
		{"one over", 253, []int{252, 1}},
		{"several batches", 600, []int{252, 252, 96}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &exportSource{fds: newSockets(t, tt.n)}
			path := serveSocket(t, src, true)
			r, err := getsocks(t, path, true)
			if err != nil {
				t.Fatal(err)
			}
			if r.count != tt.n {
				t.Fatalf("count %d, want %d", r.count, tt.n)
			}
			if len(r.batches) != len(tt.batches) {
				t.Fatalf("%d batches, want %d", len(r.batches), len(tt.batches))
			}
			for i, b := range r.batches {
				if len(b.fds) != tt.batches[i] {
					t.Errorf("batch %d: %d descriptors, want %d", i, len(b.fds), tt.batches[i])
				}
				// no namespace, no interface, 4 zero bytes: 6 zero bytes each
				if want := make([]byte, 6*len(b.fds)); !bytes.Equal(b.data, want) {
					t.Errorf("batch %d: data %x, want %x", i, b.data, want)
				}
			}
			for i, fd := range r.fds() {
				if got, want := inode(t, fd), inode(t, src.fds[i]); got != want {
					t.Fatalf("socket %d: inode %d, want %d (order or identity lost)", i, got, want)
				}
			}
			if len(r.rest) != 0 {
				t.Errorf("text after the sockets: %q", r.rest)
			}
		})
	}
}

func TestGetsocksOnce(t *testing.T) {
	src := &exportSource{fds: newSockets(t, 2)}
	path := serveSocket(t, src, true)
	r, err := getsocks(t, path, true)
	if err != nil || r.count != 2 || len(r.fds()) != 2 {
		t.Fatalf("first _getsocks: count %d, %d fds, %v", r.count, len(r.fds()), err)
	}
	for i := 0; i < 2; i++ {
		r, err = getsocks(t, path, true)
		if err != nil || r.count != 0 || len(r.batches) != 0 || len(r.rest) != 0 {
			t.Fatalf("later _getsocks: count %d, %d batches, rest %q, %v; want count 0 and close", r.count, len(r.batches), r.rest, err)
		}
	}
}

// TestGetsocksRefused: without "expose-fd listeners" the session closes
// without a byte, whatever the level, as HAProxy 2.6 does; a source that
// cannot export answers no socket.
func TestGetsocksRefused(t *testing.T) {
	tests := []struct {
		name   string
		src    Source
		expose bool
		want   []byte
	}{
		{"no expose-fd", &exportSource{fds: []int{0}}, false, nil},
		{"no exporter", &fakeSource{}, true, []byte{0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := serveSocket(t, tt.src, tt.expose)
			c, err := net.Dial("unix", path)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			io.WriteString(c, "_getsocks\n")
			got, err := io.ReadAll(c)
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Fatalf("got %x, %v; want %x then close", got, err, tt.want)
			}
			if x, ok := tt.src.(*exportSource); ok && x.sends != 0 {
				t.Errorf("sockets offered %d times", x.sends)
			}
		})
	}
}

// TestGetsocksNoAck: a client that does not acknowledge a batch ends the
// session after the acknowledgement timeout, and the sockets do not count
// as exported, so the next client gets them.
func TestGetsocksNoAck(t *testing.T) {
	saved := getsocksAckTimeout
	t.Cleanup(func() { getsocksAckTimeout = saved }) // after the server's cleanup
	getsocksAckTimeout = 50 * time.Millisecond
	src := &exportSource{fds: newSockets(t, 300)}
	path := serveSocket(t, src, true)
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "_getsocks\n")
	// The server sends the count and the first batch, then waits for an
	// acknowledgement that never comes and closes.
	oob := make([]byte, unix.CmsgSpace(4*MaxSendFD))
	buf := make([]byte, 64<<10)
	var received, reads int
	for {
		n, oobn, _, _, err := c.(*net.UnixConn).ReadMsgUnix(buf, oob)
		if err != nil || n == 0 {
			break
		}
		reads++
		if msgs, _ := unix.ParseSocketControlMessage(oob[:oobn]); len(msgs) > 0 {
			fds, _ := unix.ParseUnixRights(&msgs[0])
			received += len(fds)
			for _, fd := range fds {
				unix.Close(fd)
			}
		}
	}
	if received != MaxSendFD {
		t.Fatalf("received %d descriptors before the close, want the first batch (%d)", received, MaxSendFD)
	}
	r, err := getsocks(t, path, true)
	if err != nil || r.count != 300 || len(r.fds()) != 300 {
		t.Fatalf("after a failed transfer: count %d, %d fds, %v; want all 300", r.count, len(r.fds()), err)
	}
}

// TestGetsocksNotOverTCP: descriptors cannot cross a TCP stats socket;
// the session closes without a byte even with expose-fd.
func TestGetsocksNotOverTCP(t *testing.T) {
	checkGoroutines(t)
	src := &exportSource{fds: newSockets(t, 1)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(src, Options{})
	done := make(chan struct{})
	go func() {
		srv.ServeSocket(ln, config.StatsSocket{Kind: config.AddrIPv4, Level: config.LevelAdmin, ExposeFDListeners: true})
		close(done)
	}()
	defer func() {
		srv.Close()
		<-done
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "_getsocks\n")
	if got, err := io.ReadAll(c); err != nil || len(got) != 0 {
		t.Fatalf("got %q, %v; want a silent close", got, err)
	}
}

// TestGetsocksHidden: _getsocks is not listed by help nor suggested.
func TestGetsocksHidden(t *testing.T) {
	src := &exportSource{}
	path := serveSocket(t, src, true)
	for _, cmd := range []string{"help", "_getsock"} {
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, cmd+"\n")
		out, _ := io.ReadAll(c)
		c.Close()
		if bytes.Contains(out, []byte("getsocks")) {
			t.Errorf("%q lists _getsocks:\n%s", cmd, out)
		}
	}
}

func TestParseSocketInfo(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		n    int
		want []SocketInfo
		err  bool
	}{
		{name: "none", b: nil, n: 0, want: []SocketInfo{}},
		{name: "plain", b: make([]byte, 12), n: 2, want: []SocketInfo{{}, {}}},
		{name: "names", b: []byte{4, 'b', 'l', 'u', 'e', 3, 'e', 't', 'h', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, n: 2,
			want: []SocketInfo{{Namespace: "blue", Interface: "eth"}, {}}},
		{name: "trailing bytes ignored", b: make([]byte, 9), n: 1, want: []SocketInfo{{}}},
		{name: "short options", b: make([]byte, 5), n: 1, err: true},
		{name: "short name", b: []byte{5, 'a'}, n: 1, err: true},
		{name: "missing socket", b: make([]byte, 6), n: 2, err: true},
		{name: "negative", b: nil, n: -1, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSocketInfo(tt.b, tt.n)
			if tt.err {
				if !errors.Is(err, ErrSocketInfo) {
					t.Fatalf("error %v, want ErrSocketInfo", err)
				}
				return
			}
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) || len(got) != len(tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// FuzzParseSocketInfo: the first byte of the input is the number of
// sockets announced, the rest the transferred data.
func FuzzParseSocketInfo(f *testing.F) {
	f.Add(append([]byte{1}, make([]byte, 6)...))
	f.Add([]byte{2, 4, 'b', 'l', 'u', 'e', 3, 'e', 't', 'h', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 255})
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 || len(in) > 2048 {
			return // long inputs add nothing and make minimizing slow
		}
		n, b := int(in[0]), in[1:]
		infos, err := ParseSocketInfo(b, n)
		if err != nil {
			if !errors.Is(err, ErrSocketInfo) {
				t.Fatalf("error %v is not ErrSocketInfo", err)
			}
			return
		}
		if len(infos) != n {
			t.Fatalf("%d entries for %d sockets", len(infos), n)
		}
		// What was parsed re-encodes to a prefix of the input, but for the
		// ignored option bytes.
		var enc []byte
		for _, in := range infos {
			enc = append(enc, byte(len(in.Namespace)))
			enc = append(enc, in.Namespace...)
			enc = append(enc, byte(len(in.Interface)))
			enc = append(enc, in.Interface...)
			at := len(enc)
			enc = append(enc, b[at:at+4]...)
		}
		if !bytes.Equal(enc, b[:len(enc)]) {
			t.Fatalf("re-encoded %x, input %x", enc, b)
		}
	})
}
