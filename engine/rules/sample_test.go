package rules

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"hitless/stick"
)

// fakeHdr is one header line of a fakeSample.
type fakeHdr struct {
	name, value []byte
	deleted     bool
}

// fakeSample implements Sample over fixed values, with pointer receivers
// as the engine does, so that passing it never allocates.
type fakeSample struct {
	method, url, path, query []byte
	minor                    int
	req, res                 []fakeHdr
	src, dst                 netip.Addr
	srcPort, dstPort         int
	status                   int
	vars                     Vars
	noVars                   bool
	// Stick counters.
	trk    [MaxTrackers]*stick.Entry
	trkTab [MaxTrackers]*stick.Table
	tables map[string]*stick.Table
	proxy  string
	now    int64
}

func (f *fakeSample) Method() []byte          { return f.method }
func (f *fakeSample) URL() []byte             { return f.url }
func (f *fakeSample) Path() []byte            { return f.path }
func (f *fakeSample) Query() []byte           { return f.query }
func (f *fakeSample) Minor() int              { return f.minor }
func (f *fakeSample) Src() netip.Addr         { return f.src }
func (f *fakeSample) SrcPort() int            { return f.srcPort }
func (f *fakeSample) Dst() netip.Addr         { return f.dst }
func (f *fakeSample) DstPort() int            { return f.dstPort }
func (f *fakeSample) Status() int             { return f.status }
func (f *fakeSample) NumHeaders(res bool) int { return len(f.hdrs(res)) }

func (f *fakeSample) Tracked(slot int) (*stick.Table, *stick.Entry) {
	if slot < 0 || slot >= len(f.trk) {
		return nil, nil
	}
	return f.trkTab[slot], f.trk[slot]
}

func (f *fakeSample) StickTable(name string) *stick.Table {
	if name == "" {
		name = f.proxy
	}
	return f.tables[name]
}

func (f *fakeSample) StickNow() int64 { return f.now }

func (f *fakeSample) Vars() *Vars {
	if f.noVars {
		return nil
	}
	return &f.vars
}

func (f *fakeSample) hdrs(res bool) []fakeHdr {
	if res {
		return f.res
	}
	return f.req
}

func (f *fakeSample) HeaderAt(res bool, i int) (name, value []byte, ok bool) {
	h := f.hdrs(res)
	if i < 0 || i >= len(h) || h[i].deleted {
		return nil, nil, false
	}
	return h[i].name, h[i].value, true
}

// newReq builds a request sample: "GET /p?q HTTP/1.1" then "Name: value"
// header lines. The client is 192.0.2.1:40000, the listener
// 198.51.100.1:80.
func newReq(line string, headers ...string) *fakeSample {
	f := &fakeSample{
		minor: 1,
		src:   netip.MustParseAddr("192.0.2.1"), srcPort: 40000,
		dst: netip.MustParseAddr("198.51.100.1"), dstPort: 80,
	}
	parts := strings.Fields(line)
	f.method = []byte(parts[0])
	f.url = []byte(parts[1])
	if len(parts) > 2 && parts[2] == "HTTP/1.0" {
		f.minor = 0
	}
	target := parts[1]
	if i := strings.Index(target, "://"); i >= 0 {
		rest := target[i+3:]
		if j := strings.IndexAny(rest, "/?"); j >= 0 {
			target = rest[j:]
		} else {
			target = ""
		}
	}
	p, q, _ := strings.Cut(target, "?")
	if strings.HasPrefix(p, "/") {
		f.path = []byte(p)
	}
	f.query = []byte(q)
	f.req = parseHdrs(headers)
	return f
}

func parseHdrs(lines []string) []fakeHdr {
	var out []fakeHdr
	for _, h := range lines {
		n, v, _ := strings.Cut(h, ":")
		out = append(out, fakeHdr{name: []byte(n), value: []byte(strings.TrimLeft(v, " "))})
	}
	return out
}

// withRes turns s into a response-rule sample.
func (f *fakeSample) withRes(status int, headers ...string) *fakeSample {
	f.status = status
	f.res = parseHdrs(headers)
	return f
}

func TestFakeSample(t *testing.T) {
	s := newReq("GET http://h.example/a/b?x=1 HTTP/1.0", "Host: h")
	if string(s.Path()) != "/a/b" || string(s.Query()) != "x=1" || s.Minor() != 0 {
		t.Fatalf("path %q query %q minor %d", s.Path(), s.Query(), s.Minor())
	}
	if n, v, ok := s.HeaderAt(false, 0); !ok || !bytes.Equal(n, []byte("Host")) || string(v) != "h" {
		t.Fatalf("header %q %q %v", n, v, ok)
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
