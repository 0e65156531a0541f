package logs

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"
)

var ist = time.FixedZone("IST", 5*3600+1800)

// testFields returns a stream with every field set to a distinct value.
// Accept is 2026-11-02 09:05:07.042123456 +05:30 (03:35:07 UTC).
func testFields() *Fields {
	accept := time.Date(2026, 11, 2, 9, 5, 7, 42_123_456, ist)
	return &Fields{
		Accept:  accept,
		Request: accept.Add(1500 * time.Millisecond),
		TR:      1, Tw: 2, Tc: 3, Tr: 4, Ta: 5, Tt: 60, Th: 7, Ti: 8, Tq: 9, Td: 10,
		ClientAddr:  netip.MustParseAddrPort("192.168.1.20:40000"),
		FrontAddr:   netip.MustParseAddrPort("10.0.0.1:80"),
		BackAddr:    netip.MustParseAddrPort("10.0.0.1:51000"),
		ServerAddr:  netip.MustParseAddrPort("10.0.0.2:8080"),
		Frontend:    "fe",
		Backend:     "be",
		Server:      "s1",
		TermState:   [4]byte{'-', '-', '-', '-'},
		Status:      200,
		BytesOut:    1234,
		BytesIn:     321,
		ActConn:     11,
		FeConn:      12,
		BeConn:      13,
		SrvConn:     14,
		Retries:     2,
		SrvQueue:    3,
		BackQueue:   4,
		ReqLine:     []byte("GET /p/a?x=1&y=2 HTTP/1.1"),
		ReqCaptures: [][]byte{[]byte("ua"), nil},
		ResCaptures: [][]byte{[]byte("abc")},
		UniqueID:    []byte("id-1"),
		Pid:         4242,
		Hostname:    "vm",
		ConnID:      77,
		LogCount:    5,
	}
}

func render(t testing.TB, format string, fl *Fields) string {
	t.Helper()
	f, err := Compile(format)
	if err != nil {
		t.Fatalf("Compile(%q): %v", format, err)
	}
	return string(f.Append(nil, fl))
}

func TestAppendVariables(t *testing.T) {
	ap := netip.MustParseAddrPort
	for _, tt := range []struct {
		name   string
		format string
		set    func(*Fields)
		want   string
	}{
		// addresses
		{"ci cp", "%ci:%cp", nil, "192.168.1.20:40000"},
		{"fi fp", "%fi:%fp", nil, "10.0.0.1:80"},
		{"bi bp", "%bi:%bp", nil, "10.0.0.1:51000"},
		{"si sp", "%si:%sp", nil, "10.0.0.2:8080"},
		{"ci quoted, port never", "%{+Q}ci %{+Q}cp", nil, `"192.168.1.20" 40000`},
		{"ci cp hex", "%{+X}ci %{+X}cp", nil, "C0A80114 9C40"},
		{"hex ignores quote", "%{+X,+Q}ci", nil, "C0A80114"},
		{"ipv6", "%ci %cp %{+X}ci", func(f *Fields) { f.ClientAddr = ap("[2001:db8::1]:443") },
			"2001:db8::1 443 20010DB8000000000000000000000001"},
		{"ipv6 zone dropped", "%ci", func(f *Fields) { f.ClientAddr = ap("[fe80::1%eth0]:1") }, "fe80::1"},
		{"4in6", "%ci", func(f *Fields) { f.ClientAddr = ap("[::ffff:127.0.0.1]:1") }, "::ffff:127.0.0.1"},
		{"no address", "%si %sp %{+X}si", func(f *Fields) { f.ServerAddr = netip.AddrPort{} }, "- - -"},
		{"no address quoted", "%{+Q}si %{+Q}sp", func(f *Fields) { f.ServerAddr = netip.AddrPort{} }, `"" ""`},
		{"no address -M", "[%{-M}si]", func(f *Fields) { f.ServerAddr = netip.AddrPort{} }, "[]"},

		// dates
		{"t tr", "%t %tr", nil, "02/Nov/2026:09:05:07.042 02/Nov/2026:09:05:08.542"},
		{"tr without request", "%tr", func(f *Fields) { f.Request = time.Time{} }, "02/Nov/2026:09:05:07.042"},
		{"T Tl", "%T|%Tl", nil, "02/Nov/2026:03:35:07 +0000|02/Nov/2026:09:05:07 +0530"},
		{"trg trl", "%trg|%trl", nil, "02/Nov/2026:03:35:08 +0000|02/Nov/2026:09:05:08 +0530"},
		{"negative offset", "%Tl %t", func(f *Fields) { f.Accept = f.Accept.In(time.FixedZone("", -(3*3600 + 1800))) },
			"02/Nov/2026:00:05:07 -0330 02/Nov/2026:00:05:07.042"},
		{"Ts", "%Ts %{+X}Ts", nil, "1793590507 6AE804EB"},
		{"ms", "%ms %{+X}ms", nil, "042 2A"},
		{"ms padded", "%ms %{+X}ms", func(f *Fields) { f.Accept = f.Accept.Truncate(time.Second).Add(7 * time.Millisecond) }, "007 07"},
		{"dates never quoted", "%{+Q}t %{+Q}Ts %{+Q}ms", nil, "02/Nov/2026:09:05:07.042 1793590507 042"},

		// names
		{"names", "%f %ft %b/%s %H", nil, "fe fe be/s1 vm"},
		{"names quoted", "%{+Q}f %{+Q}ft %{+Q}b %{+Q}s %{+Q}H", nil, `"fe" "fe" "be" "s1" "vm"`},
		{"no server", "%s", func(f *Fields) { f.Server = "<NOSRV>" }, "<NOSRV>"},
		{"empty name", "%s %{+Q}s", func(f *Fields) { f.Server = "" }, `- ""`},
		{"escaped name", `%{+E}f %{+E}ft`, func(f *Fields) { f.Frontend = `a"b\c]d` }, `a\"b\\c\]d a"b\c]d`},
		{"unique id", "%ID %{+Q}ID", nil, `id-1 "id-1"`},
		{"no unique id", "%ID %{+Q}ID [%{-M}ID]", func(f *Fields) { f.UniqueID = nil }, `- "" []`},
		{"cookies and ssl", "%CC %CS %sslc %sslv %{+Q}CC", nil, `- - - - ""`},

		// timers and counters
		{"timers", "%Th/%Ti/%TR/%Tq/%Tw/%Tc/%Tr/%Td/%Ta/%Tt/%Tu", nil, "7/8/1/9/2/3/4/10/5/60/52"},
		{"timers not reached", "%TR/%Tw/%Tc/%Tr/%Ta", func(f *Fields) { f.TR, f.Tw, f.Tc, f.Tr, f.Ta = -1, -1, -1, -1, -1 }, "-1/-1/-1/-1/-1"},
		{"Tu without idle", "%Tu", func(f *Fields) { f.Ti = -1 }, "60"},
		{"logasap", "%B %Tt %Ta %Tu %U %Tr", func(f *Fields) { f.LogASAP = true }, "+1234 +60 +5 +52 321 4"},
		{"status", "%ST", nil, "200"},
		{"no status", "%ST", func(f *Fields) { f.Status = -1 }, "-1"},
		{"bytes", "%B %U %{+X}B %{+Q}U", nil, "1234 321 1234 321"},
		{"conns", "%ac/%fc/%bc/%sc/%rc", nil, "11/12/13/14/2"},
		{"redispatched", "%rc", func(f *Fields) { f.Redispatched = true }, "+2"},
		{"queues", "%sq/%bq", nil, "3/4"},
		{"pid rt lc", "%pid %rt %lc", nil, "4242 77 5"},
		{"pid rt lc hex", "%{+X}pid %{+X}rt %{+X}lc", nil, "1092 004D 0005"},

		// termination state
		{"ts tsc", "%ts %tsc", nil, "-- ----"},
		{"ts tsc set", "%ts %tsc %{+Q}ts", func(f *Fields) { f.TermState = [4]byte{'s', 'Q', 0, 0} }, "sQ sQ-- sQ"},
		{"tsc cookies", "%tsc", func(f *Fields) { f.TermState = [4]byte{'-', '-', 'N', 'I'} }, "--NI"},

		// captures
		{"hr hs", "%hr %hs", nil, "{ua|} {abc}"},
		{"hr hs quoted", "%{+Q}hr %{+Q}hs", nil, `"{ua|}" "{abc}"`},
		{"hrl hsl", "%hrl|%hsl", nil, "ua -|abc"},
		{"hrl quoted", "%{+Q}hrl", nil, `"ua" ""`},
		{"no captures", "a %hr %hs %hrl b %hsl", func(f *Fields) { f.ReqCaptures, f.ResCaptures = nil, nil }, "a b "},
		{"no captures before r", "%hr %hs %{+Q}r", func(f *Fields) { f.ReqCaptures, f.ResCaptures = nil, nil }, `"GET /p/a?x=1&y=2 HTTP/1.1"`},
		{"capture encoding", "%hr %{+E}hr", func(f *Fields) { f.ReqCaptures = [][]byte{[]byte("u\"|#{}]\\z\x01\xe9\t")} },
			`{u#22#7C#23#7B#7D]\z#01#E9#09} {u#22#7C#23#7B#7D\]\\z#01#E9#09}`},
		{"empty capture slot", "%hr %hrl", func(f *Fields) { f.ReqCaptures = [][]byte{{}} }, "{} "},

		// request line
		{"r", "%r", nil, "GET /p/a?x=1&y=2 HTTP/1.1"},
		{"r quoted", "%{+Q}r", nil, `"GET /p/a?x=1&y=2 HTTP/1.1"`},
		{"no request", "%r %{+Q}r %HM %HU %HP %HPO %HQ %HV", func(f *Fields) { f.ReqLine = nil },
			`<BADREQ> "<BADREQ>" <BADREQ> <BADREQ> <BADREQ> <BADREQ> <BADREQ> <BADREQ>`},
		{"r encoding", "%r|%{+E}r", func(f *Fields) { f.ReqLine = []byte("GET /a\"b#c\x7f\xe9]\\?q HTTP/1.0") },
			`GET /a#22b#23c#7F#E9]\?q HTTP/1.0|GET /a#22b#23c#7F#E9\]\\?q HTTP/1.0`},
		{"http parts", "%HM|%HU|%HP|%HPO|%HQ|%HV", nil, "GET|/p/a?x=1&y=2|/p/a|/p/a|?x=1&y=2|HTTP/1.1"},
		{"http parts quoted", "%{+Q}HM %{+Q}HQ", nil, `"GET" "?x=1&y=2"`},
		{"absolute uri", "%HU|%HP|%HPO|%HQ", func(f *Fields) { f.ReqLine = []byte("GET http://u:p@host/x/y?z HTTP/1.1") },
			"http://u:p@host/x/y?z|http://u:p@host/x/y|/x/y|?z"},
		{"authority form", "%HU|%HPO|%HQ", func(f *Fields) { f.ReqLine = []byte("CONNECT host:443 HTTP/1.1") }, "host:443||"},
		{"no query", "[%HQ] [%{+Q}HQ] %HP", func(f *Fields) { f.ReqLine = []byte("GET / HTTP/1.0") }, `[] [""] /`},
		{"one word", "%HM|%HU|%HP|%HQ|%HV|%r", func(f *Fields) { f.ReqLine = []byte("GARBAGE") },
			"<BADREQ>|<BADREQ>|<BADREQ>||<BADREQ>|GARBAGE"},
		{"http/0.9", "%HV", func(f *Fields) { f.ReqLine = []byte("GET /x") }, "HTTP/0.9"},
		{"explicit parts", "%HM %HU %HP %HQ %HV", func(f *Fields) {
			f.Method, f.URI, f.Path, f.Query, f.Version = []byte("POST"), []byte("/u?v"), []byte("/u"), []byte("?v"), []byte("HTTP/2.0")
		}, "POST /u?v /u ?v HTTP/2.0"},
		{"parts from uri", "%HP %HPO %HQ", func(f *Fields) { f.ReqLine, f.URI = nil, []byte("/k/l?m") }, "/k/l /k/l ?m"},
		{"r from parts", "%{+Q}r", func(f *Fields) {
			f.ReqLine, f.Method, f.URI, f.Version = nil, []byte("PUT"), []byte("/u"), []byte("HTTP/1.1")
		},
			`"PUT /u HTTP/1.1"`},

		// text, separators, flags
		{"spaces merge", "  a   b  ", nil, "a b "},
		{"percent", "x%%y %%", nil, "x%y %"},
		{"lone percent dropped", "%.x %-y", nil, ".x -y"},
		{"adjacent variables", "%ci%cp", nil, "192.168.1.2040000"},
		{"name ends at non alnum", "%ci.x%cp_", nil, "192.168.1.20.x40000_"},
		{"text after variable", "(%f/HTTP)", nil, "(fe/HTTP)"},
		{"o sets defaults", "%{+Q}o %f %{-Q}b %s", nil, `"fe" be "s1"`},
		{"o alone", "%o %f", nil, "fe"},
		{"o accumulates", "%{+Q}o %{+E}o %f", func(f *Fields) { f.Frontend = `a"` }, `"a\""`},
		{"unknown flags ignored", "%{+Z,-Q,bad}f %{}f", nil, "fe fe"},
		{"flag after junk", "%{Q+X}cp %{+Q-Q}f", nil, "9C40 fe"},
		{"flag removed", "%{+Q,-Q}f", nil, "fe"},
		{"M removed then added", "%{-M,+M}ID", func(f *Fields) { f.UniqueID = nil }, "-"},
		{"empty", "", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fl := testFields()
			if tt.set != nil {
				tt.set(fl)
			}
			if got := render(t, tt.format, fl); got != tt.want {
				t.Errorf("%q:\n got %q\nwant %q", tt.format, got, tt.want)
			}
		})
	}
}

func TestBuiltinFormats(t *testing.T) {
	for _, tt := range []struct {
		name, format, want string
	}{
		{"httplog", HTTPLog, `192.168.1.20:40000 [02/Nov/2026:09:05:08.542] fe be/s1 1/2/3/4/5 200 1234 - - ---- 11/12/13/14/2 3/4 {ua|} {abc} "GET /p/a?x=1&y=2 HTTP/1.1"`},
		{"tcplog", TCPLog, `192.168.1.20:40000 [02/Nov/2026:09:05:07.042] fe be/s1 2/3/60 1234 -- 11/12/13/14/2 3/4`},
		{"clf", CLFHTTPLog, `192.168.1.20 - - [02/Nov/2026:03:35:08 +0000] "GET /p/a?x=1&y=2 HTTP/1.1" 200 1234 "" "" 40000 042 "fe" "be" "s1" 1 2 3 4 5 ---- 11 12 13 14 2 3 4 "" "" "ua" "" "abc"`},
		{"default", DefaultLog, `Connect from 192.168.1.20:40000 to 10.0.0.1:80 (fe/HTTP)`},
		{"default tcp", DefaultTCPLog, `Connect from 192.168.1.20:40000 to 10.0.0.1:80 (fe/TCP)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, tt.format, testFields()); got != tt.want {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
		})
	}
	// The built-in TCP formats compile in mode tcp.
	for _, s := range []string{TCPLog, DefaultTCPLog} {
		if _, err := CompileTCP(s); err != nil {
			t.Errorf("CompileTCP(%q): %v", s, err)
		}
	}
}

func TestLogURILen(t *testing.T) {
	fl := testFields()
	fl.ReqLine = []byte("GET /" + strings.Repeat("a", 2000) + " HTTP/1.1")
	if got := render(t, "%r", fl); len(got) != DefaultLogURILen-1 || got != string(fl.ReqLine[:DefaultLogURILen-1]) {
		t.Errorf("%%r printed %d bytes, want %d", len(got), DefaultLogURILen-1)
	}
	// The version is past the cut: the derived variables see the cut line.
	if got := render(t, "%HV", fl); got != "HTTP/0.9" {
		t.Errorf("%%HV of a cut line = %q", got)
	}
	f, _ := Compile("%r|%{+Q}r|%HU")
	f.SetLogURILen(10)
	if got := string(f.Append(nil, fl)); got != `GET /aaaa|"GET /aaaa"|/aaaa` {
		t.Errorf("logurilen 10: %q", got)
	}
	fl.ReqLine, fl.Method, fl.URI, fl.Version = nil, []byte("GET"), []byte("/abcdefgh"), []byte("HTTP/1.1")
	if got := string(f.Append(nil, fl)); got != `GET /abcd|"GET /abcd"|/abcdefgh` {
		t.Errorf("logurilen 10 on parts: %q", got)
	}
}

func TestCompileErrors(t *testing.T) {
	for _, tt := range []struct {
		format string
		tcp    bool
		kind   error
		want   string
	}{
		{"%zz x", false, ErrFormat, "no such format variable 'zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'"},
		{"%OG", false, ErrFormat, "no such format variable 'OG'. If you wanted to emit the '%' character verbatim, you need to use '%%'"},
		{"%Ci", false, ErrFormat, "no such format variable 'Ci'. If you wanted to emit the '%' character verbatim, you need to use '%%'"},
		{"%{+Q}", false, ErrFormat, "parse argument modifier without variable name near '%{+Q}'"},
		{"%{+Q} x", false, ErrFormat, "parse argument modifier without variable name near '%{+Q}'"},
		{"%{+Q", false, ErrFormat, "truncated line after '+Q'"},
		{"abc%", false, ErrFormat, "truncated line after '%'"},
		{"% x", false, ErrFormat, "unexpected variable name near ' ' at position 1 line : '% x'. Maybe you want to write a single '%', use the syntax '%%'"},
		{"ab%1", false, ErrFormat, "unexpected variable name near '1' at position 3 line : 'ab%1'. Maybe you want to write a single '%', use the syntax '%%'"},
		{"%{+Q}1ci", false, ErrFormat, "no such format variable '1ci'. If you wanted to emit the '%' character verbatim, you need to use '%%'"},
		{"%ci %r", true, ErrFormat, "format variable 'r' is reserved for HTTP mode"},
		{"%{+Q}HM", true, ErrFormat, "format variable 'HM' is reserved for HTTP mode"},
		{"%[src]", false, ErrSampleExpr, "sample expression '%[src]': hitless does not support sample expressions in log-format yet"},
		{"%{+Q}[src,lower] x", false, ErrSampleExpr, "sample expression '%[src,lower]': hitless does not support sample expressions in log-format yet"},
		{"%[src", false, ErrSampleExpr, "sample expression '%[src': hitless does not support sample expressions in log-format yet"},
	} {
		compile := Compile
		if tt.tcp {
			compile = CompileTCP
		}
		f, err := compile(tt.format)
		if err == nil {
			t.Errorf("%q: compiled to %v", tt.format, f.nodes)
			continue
		}
		if !errors.Is(err, tt.kind) {
			t.Errorf("%q: error %v is not %v", tt.format, err, tt.kind)
		}
		if err.Error() != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.format, err, tt.want)
		}
	}
	// What mode tcp refuses, mode http accepts.
	if _, err := Compile("%ci %r %HM"); err != nil {
		t.Errorf("Compile: %v", err)
	}
}

func TestUses(t *testing.T) {
	f, err := Compile(HTTPLog + " %{+Q}ID %o")
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range map[string]bool{
		"ci": true, "tr": true, "hr": true, "hs": true, "r": true, "ID": true, "tsc": true,
		"HM": false, "t": false, "o": false, "nosuch": false, "": false, "Id": false,
	} {
		if got := f.Uses(v); got != want {
			t.Errorf("Uses(%q) = %v, want %v", v, got, want)
		}
	}
	if !f.UsesRequestLine() {
		t.Error("UsesRequestLine is false for httplog")
	}
	for format, want := range map[string]bool{TCPLog: false, DefaultLog: false, "%HQ": true, "%HPO": true, "%hr": false} {
		if g, _ := Compile(format); g.UsesRequestLine() != want {
			t.Errorf("%q: UsesRequestLine = %v", format, !want)
		}
	}
	if f.String() != HTTPLog+" %{+Q}ID %o" {
		t.Errorf("String() = %q", f.String())
	}
}

// Every variable of the table compiles, renders something in mode http,
// and the HTTP-only ones are refused in mode tcp.
func TestVariableTable(t *testing.T) {
	fl := testFields()
	for name, v := range variables {
		f, err := Compile("%" + name)
		if err != nil {
			t.Errorf("%%%s: %v", name, err)
			continue
		}
		if !f.Uses(name) {
			t.Errorf("%%%s: Uses is false", name)
		}
		if len(f.Append(nil, fl)) == 0 && name != "HQ" {
			t.Errorf("%%%s printed nothing", name)
		}
		if _, err := CompileTCP("%" + name); (err != nil) != v.http {
			t.Errorf("CompileTCP(%%%s): %v, http only %v", name, err, v.http)
		}
	}
}

func TestAppendAllocs(t *testing.T) {
	all := []string{}
	for name := range variables {
		all = append(all, "%"+name, "%{+Q,+E,+X}"+name)
	}
	fl := testFields()
	buf := make([]byte, 0, 8192)
	for _, tt := range []struct{ name, format string }{
		{"httplog", HTTPLog},
		{"tcplog", TCPLog},
		{"clf", CLFHTTPLog},
		{"default", DefaultLog},
		{"every variable and flag", strings.Join(all, " ")},
	} {
		f, err := Compile(tt.format)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() { buf = f.Append(buf[:0], fl) }); n != 0 {
			t.Errorf("%s: %v allocations per Append", tt.name, n)
		}
	}
	fl.ReqLine = nil
	fl.Method, fl.URI, fl.Version = []byte("GET"), []byte("/"), []byte("HTTP/1.0")
	f, _ := Compile("%r %HV %HQ %HPO")
	if n := testing.AllocsPerRun(100, func() { buf = f.Append(buf[:0], fl) }); n != 0 {
		t.Errorf("parts: %v allocations per Append", n)
	}
	for fr := range Framing(len(framingNames)) {
		now := time.Now()
		if n := testing.AllocsPerRun(100, func() {
			buf = AppendHeader(buf[:0], fr, 16, 6, now, "host", "haproxy", 42)
		}); n != 0 {
			t.Errorf("AppendHeader(%v): %v allocations", fr, n)
		}
	}
}

func BenchmarkAppendHTTPLog(b *testing.B) {
	f, err := Compile(HTTPLog)
	if err != nil {
		b.Fatal(err)
	}
	fl := testFields()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = f.Append(buf[:0], fl)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkAppendHeaderRFC5424(b *testing.B) {
	buf := make([]byte, 0, 256)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendHeader(buf[:0], FrameRFC5424, 16, 6, now, "host", "haproxy", 42)
	}
}
