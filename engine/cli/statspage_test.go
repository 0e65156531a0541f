package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"hitless/engine/config"
)

// TestStatsCSVMatchesShowStat checks that the CSV export is what show stat
// prints to a user-level session, for hand-built rows and for the rows of
// HAProxy's reference dumps.
func TestStatsCSVMatchesShowStat(t *testing.T) {
	type set struct {
		name string
		rows []StatRow
	}
	sets := []set{{"page", pageRows()}, {"filters", statRows()}, {"empty", nil}}
	for _, dir := range []string{"tcp", "http", "check"} {
		var rows []StatRow
		for _, o := range parseTyped(t, readFile(t, "testdata/haproxy26/"+dir+"/stat_typed_desc.txt")) {
			rows = append(rows, rowFromTyped(t, o))
		}
		sets = append(sets, set{dir, rows})
	}
	ts := startServer(t, Options{}, config.LevelUser)
	for _, tt := range sets {
		t.Run(tt.name, func(t *testing.T) {
			rows := tt.rows
			ts.src.mu.Lock()
			ts.src.rows = rows
			ts.src.mu.Unlock()
			want := ts.exchange(t, "show stat\n", false)
			got := string(AppendStatsCSV(nil, rows)) + "\n"
			if got != want {
				t.Error(firstDiff("AppendStatsCSV", got, want))
			}
		})
	}
	// and byte for byte with HAProxy's user-level capture
	var rows []StatRow
	for _, o := range parseTyped(t, readFile(t, "testdata/haproxy26/tcp/stat_typed_desc.txt")) {
		rows = append(rows, rowFromTyped(t, o))
	}
	if got, want := string(AppendStatsCSV(nil, rows)), readFile(t, "testdata/haproxy26/tcp/stat_user.csv"); got != want {
		t.Error(firstDiff("AppendStatsCSV", got, want))
	}
}

// TestHAProxyStatsCSV compares the CSV export with HAProxy's "<uri>;csv"
// (a page without show-legends), except the row of the frontend serving
// it, whose counters move with each request.
func TestHAProxyStatsCSV(t *testing.T) {
	h := startHAProxy(t, livePrometheus)
	prom := livePrepare(t, h)
	var diff string
	for attempt := 0; attempt < 10; attempt++ {
		_, rows, want := liveCapture(t, h, prom, "/stats;csv")
		got := string(AppendStatsCSV(nil, rows))
		mask := func(s string) string {
			var b strings.Builder
			for _, l := range strings.SplitAfter(s, "\n") {
				if !strings.HasPrefix(l, "prom,FRONTEND,") {
					b.WriteString(l)
				}
			}
			return b.String()
		}
		if diff = firstDiff("AppendStatsCSV", mask(got), mask(want)); mask(got) == mask(want) {
			if !strings.Contains(got, "\nprom,FRONTEND,") {
				t.Error("no prom,FRONTEND row")
			}
			return
		}
	}
	t.Error(diff)
}

// htmlCell is one cell of a statistics table: its visible text (tooltips
// left out) and its tooltip text.
type htmlCell struct {
	text, tip string
	span      int
}

// htmlTable is one proxy table: its caption and rows of cells; the two
// header rows come first.
type htmlTable struct {
	caption string
	rows    [][]htmlCell
	classes []string // class of each row
}

var voidElements = map[string]bool{"br": true, "meta": true, "hr": true, "img": true, "input": true, "link": true}

// parseStatsHTML checks that the page is well-formed XML (so its tags are
// balanced), that only HTML void elements are self-closed and never have
// content, and returns its statistics tables.
func parseStatsHTML(t testing.TB, page []byte) []htmlTable {
	t.Helper()
	for _, m := range regexp.MustCompile(`<([a-zA-Z0-9]+)[^<>]*/>`).FindAllSubmatch(page, -1) {
		if !voidElements[string(m[1])] {
			t.Fatalf("self-closed <%s>", m[1])
		}
	}
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = true
	var stack []string
	var tables []htmlTable
	var tbl *htmlTable
	var cell *htmlCell
	inCaption := false
	tipDepth := 0 // >0 inside a tooltip
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			name := tk.Name.Local
			if len(stack) == 0 && name != "html" {
				t.Fatalf("root element <%s>", name)
			}
			if len(stack) > 0 && voidElements[stack[len(stack)-1]] {
				t.Fatalf("content in <%s>", stack[len(stack)-1])
			}
			stack = append(stack, name)
			attr := func(n string) string {
				for _, a := range tk.Attr {
					if a.Name.Local == n {
						return a.Value
					}
				}
				return ""
			}
			if tipDepth > 0 || attr("class") == "tips" {
				tipDepth++
			}
			switch {
			case name == "table" && attr("class") == "tbl":
				tables = append(tables, htmlTable{})
				tbl = &tables[len(tables)-1]
			case tbl == nil:
			case name == "caption":
				inCaption = true
			case name == "tr":
				tbl.rows = append(tbl.rows, nil)
				tbl.classes = append(tbl.classes, attr("class"))
			case name == "td" || name == "th":
				span := 1
				if s := attr("colspan"); s != "" {
					span, _ = strconv.Atoi(s)
				}
				r := &tbl.rows[len(tbl.rows)-1]
				*r = append(*r, htmlCell{span: span})
				cell = &(*r)[len(*r)-1]
			}
		case xml.EndElement:
			name := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if tipDepth > 0 {
				tipDepth--
			}
			switch name {
			case "table":
				tbl = nil
			case "caption":
				inCaption = false
			case "td", "th":
				cell = nil
			case "br":
				if cell != nil && tipDepth > 0 {
					cell.tip += "\n"
				}
			}
		case xml.CharData:
			switch {
			case inCaption && tipDepth == 0:
				tbl.caption += string(tk)
			case cell != nil && tipDepth > 0:
				cell.tip += string(tk)
			case cell != nil:
				cell.text += string(tk)
			}
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed %v", stack)
	}
	return tables
}

// statsColumns names the 31 columns of a statistics table, "Group Col".
func statsColumns() []string {
	cols := []string{"Name"}
	for _, g := range statsGroups {
		for _, c := range g.cols {
			cols = append(cols, g.name+" "+c)
		}
	}
	return cols
}

// cells maps "<caption>/<row name>/<column>" to the cells of every data
// row, checking that each row spans all the columns.
func cells(t *testing.T, tables []htmlTable) map[string]htmlCell {
	t.Helper()
	cols := statsColumns()
	m := map[string]htmlCell{}
	for _, tb := range tables {
		if len(tb.rows) < 2 || tb.classes[0] != "titre" || tb.classes[1] != "titre" {
			t.Fatalf("%s: no header rows", tb.caption)
		}
		for i, r := range tb.rows {
			if n, want := rowSpan(r, i), len(cols); n != want {
				t.Errorf("%s: row %d spans %d columns, want %d", tb.caption, i, n, want)
			}
			if i < 2 {
				continue
			}
			pos := 0
			for _, c := range r {
				m[tb.caption+"/"+r[0].text+"/"+cols[pos]] = c
				pos += c.span
			}
		}
	}
	return m
}

// rowSpan returns the columns row i of a table covers, counting the name
// header cell of row 0, which spans the two header rows.
func rowSpan(r []htmlCell, i int) int {
	n := 0
	for _, c := range r {
		n += c.span
	}
	if i == 1 {
		n++
	}
	return n
}

var pageNow = time.Date(2024, 2, 29, 13, 4, 5, 0, time.FixedZone("x", 3600))

func TestStatsHTML(t *testing.T) {
	const odd = `a<b&"c`
	tests := []struct {
		name     string
		page     StatsPage
		contains []string
		absent   []string
	}{
		{"defaults", StatsPage{}, []string{
			"<title>Statistics Report for HAProxy</title>",
			"<h1>HAProxy version 2.6.12-&quot;hitless&quot;, released 2023/03/10</h1>",
			"<h2>Statistics Report for pid 4242</h2>",
			"<b>pid = </b>4242 (process #1, nbproc = 1, nbthread = 4)",
			"<b>uptime = </b>1d 1h01m01s",
			"memmax = 5120 MB; ulimit-n = 1048576",
			"<b>maxconn = </b>2000",
			"current conns = 17;",
			"bit rate = 8.000 kbps",
			"Report time: 2024-02-29 12:04:05 UTC",
			`<a href="/haproxy?stats;csv">CSV export</a>`,
			`<a href="/haproxy?stats">Refresh now</a>`,
			"<caption>a&lt;b&amp;&quot;c</caption>",
			"l\\1", "x\ny",
		}, []string{odd, "refresh", "10.0.0.1", "roundrobin", "mode: http"}},
		{"settings", StatsPage{URI: `/st"ats`, Refresh: 4500 * time.Millisecond, ShowNode: "<node1>", HideVersion: true}, []string{
			`<meta http-equiv="refresh" content="5"/>`,
			"<title>Statistics Report for HAProxy on &lt;node1&gt;</title>",
			"<h1>HAProxy</h1>",
			"<h2>Statistics Report for pid 4242 on &lt;node1&gt;</h2>",
			`<a href="/st&quot;ats;csv">CSV export</a>`,
		}, []string{"2.6.12", "released", "10.0.0.1"}},
		{"view options", StatsPage{Refresh: 2 * time.Second, View: StatsView{HideDown: true, NoRefresh: true, Scope: []byte("w<e")}}, []string{
			`<a href="/haproxy?stats;norefresh;scope=w&lt;e">Show all servers</a>`,
			`<a href="/haproxy?stats;up;scope=w&lt;e">Enable refresh</a>`,
			`<a href="/haproxy?stats;up;norefresh;scope=w&lt;e">Refresh now</a>`,
			`<form method="GET" action="/haproxy"><b>Scope : </b><input type="hidden" name="stats" value=""/><input value="w&lt;e" name="scope"`,
		}, []string{`http-equiv="refresh"`, "Hide 'DOWN' servers", "Disable refresh"}},
		{"view options, uri without query", StatsPage{URI: "/st", Refresh: time.Second, View: StatsView{HideMaint: true}}, []string{
			`<a href="/st;up;no-maint">Hide 'DOWN' servers</a>`,
			`<a href="/st;no-maint;norefresh">Disable refresh</a>`,
			`<form method="GET" action="/st;no-maint"><b>Scope : </b><input value="" name="scope"`,
			`http-equiv="refresh"`,
		}, []string{"Show all servers", "Enable refresh", `type="hidden"`}},
		{"legends", StatsPage{ShowLegends: true}, []string{
			`<span class="tips">10.0.0.1:80, id: 1, cookie: c1</span>`,
			`<span class="tips">mode: http, id: 2</span>`,
			`<span class="tips">balance: roundrobin</span>`,
		}, []string{odd}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := AppendStatsHTML(nil, pageInfo(), pageRows(), tt.page, pageNow)
			if again := AppendStatsHTML(nil, pageInfo(), pageRows(), tt.page, pageNow); !bytes.Equal(out, again) {
				t.Error("output differs between two calls")
			}
			tables := parseStatsHTML(t, out)
			if len(tables) != 3 {
				t.Errorf("%d tables, want 3", len(tables))
			}
			cells(t, tables)
			for _, s := range tt.contains {
				if !bytes.Contains(out, []byte(s)) {
					t.Errorf("no %q", s)
				}
			}
			for _, s := range tt.absent {
				if bytes.Contains(out, []byte(s)) {
					t.Errorf("unexpected %q", s)
				}
			}
		})
	}
}

// TestStatsHTMLCells checks the cells of each row type, by column.
func TestStatsHTMLCells(t *testing.T) {
	out := AppendStatsHTML(nil, pageInfo(), pageRows(), StatsPage{}, pageNow)
	tables := parseStatsHTML(t, out)
	if got := []string{tables[0].caption, tables[1].caption, tables[2].caption}; strings.Join(got, "|") != `web|app|a<b&"c` {
		t.Fatalf("captions %q", got)
	}
	m := cells(t, tables)
	const odd = `a<b&"c`
	tests := []struct{ key, text, tip string }{
		{"web/Frontend/Queue Cur", "", ""},
		{"web/Frontend/Session rate Cur", "4", ""},
		{"web/Frontend/Session rate Max", "11", ""},
		{"web/Frontend/Session rate Limit", "50", ""},
		{"web/Frontend/Sessions Cur", "3", ""},
		{"web/Frontend/Sessions Limit", "2000", ""},
		{"web/Frontend/Sessions Total", "120", "Cum. connections: 125\nCum. sessions: 120\nCum. HTTP requests: 130\n- HTTP 1xx responses: 1\n- HTTP 2xx responses: 100\n- HTTP 3xx responses: 7\n- HTTP 4xx responses: 15\n- HTTP 5xx responses: 4\n- other responses: 3\nIntercepted requests: 6"},
		{"web/Frontend/Bytes In", "4096", ""},
		{"web/Frontend/Bytes Out", "81920", ""},
		{"web/Frontend/Denied Req", "2", ""},
		{"web/Frontend/Errors Req", "1", ""},
		{"web/Frontend/Server Status", "OPEN", ""},

		{"app/s1/Queue Cur", "1", ""},
		{"app/s1/Queue Max", "2", ""},
		{"app/s1/Queue Limit", "20", ""},
		{"app/s1/Sessions Limit", "100", ""},
		{"app/s1/Sessions Total", "70", "Cum. sessions: 70\nCum. HTTP requests: 70\n- HTTP 1xx responses: 0\n- HTTP 2xx responses: 60\n- HTTP 3xx responses: 0\n- HTTP 4xx responses: 8\n- HTTP 5xx responses: 2\n- other responses: 0"},
		{"app/s1/Sessions LbTot", "70", ""},
		{"app/s1/Sessions Last", "12s", ""},
		{"app/s1/Errors Conn", "1", ""},
		{"app/s1/Errors Resp", "2", "Client aborts: 0\nServer aborts: 0"},
		{"app/s1/Warnings Retr", "3", ""},
		{"app/s1/Warnings Redis", "1", ""},
		{"app/s1/Server Status", "1h02m UP", ""},
		{"app/s1/Server LastChk", "L7OK/200 in 1500ms", "Layer7 check passed: OK"},
		{"app/s1/Server Wght", "10/10", ""},
		{"app/s1/Server Act", "Y", ""},
		{"app/s1/Server Bck", "-", ""},
		{"app/s1/Server Chk", "4", ""},
		{"app/s1/Server Dwn", "1", ""},
		{"app/s1/Server Dwntme", "1m05s", ""},
		{"app/s1/Server Thrtle", "50 %", ""},
		{"app/s2/Queue Limit", "-", ""},
		{"app/s2/Sessions Limit", "-", ""},
		{"app/s2/Sessions Last", "?", ""},
		{"app/s2/Server Status", "30s DOWN", ""},
		{"app/s2/Server LastChk", "L4CON in 0ms", "Layer4 connection problem: Connection refused"},
		{"app/s2/Server Dwntme", "5m00s", ""},
		{"app/s2/Server Thrtle", "-", ""},
		{"app/Backend/Sessions Limit", "200", ""},
		{"app/Backend/Server Status", "1h02m UP", ""},
		{"app/Backend/Server Wght", "10/20", ""},
		{"app/Backend/Server Act", "1", ""},
		{"app/Backend/Server Bck", "0", ""},
		{"app/Backend/Server Dwn", "3", ""},
		{"app/Backend/Server Dwntme", "5s", ""},

		{odd + "/Frontend/Sessions Total", "0", "Cum. connections: 0\nCum. sessions: 0"},
		{odd + `/l\1/Sessions Limit`, "10", ""},
		{odd + `/l\1/Server Status`, "OPEN", ""},
		{odd + "/x\ny/Server Status", "0s MAINT", ""},
		{odd + "/x\ny/Server LastChk", "", ""},
		{odd + "/x\ny/Server Bck", "Y", ""},
		{odd + "/x\ny/Server Chk", "", ""},
		{odd + "/x\ny/Sessions Total", "0", ""},
		{odd + "/Backend/Server Status", "0s DOWN", ""},
	}
	for _, tt := range tests {
		c, ok := m[tt.key]
		if !ok {
			t.Errorf("no cell %q", tt.key)
			continue
		}
		if c.text != tt.text || c.tip != tt.tip {
			t.Errorf("%q = %q (tip %q), want %q (tip %q)", tt.key, c.text, c.tip, tt.text, tt.tip)
		}
	}
	classes := map[string]string{}
	for _, tb := range tables {
		for i, r := range tb.rows[2:] {
			classes[tb.caption+"/"+r[0].text] = tb.classes[i+2]
		}
	}
	for key, want := range map[string]string{
		"web/Frontend": "frontend", "app/s1": "active_up", "app/s2": "active_down", "app/Backend": "backend",
		odd + `/l\1`: "socket", odd + "/x\ny": "maintain",
	} {
		if classes[key] != want {
			t.Errorf("class of %q = %q, want %q", key, classes[key], want)
		}
	}
}

func TestStatsServerClass(t *testing.T) {
	tests := []struct {
		status string
		bck    uint64
		want   string
	}{
		{"UP", 0, "active_up"}, {"UP", 1, "backup_up"}, {"UP 1/3", 0, "active_going_down"},
		{"DOWN", 0, "active_down"}, {"DOWN 1/2", 1, "backup_going_up"}, {"DOWN (agent)", 0, "active_down"},
		{"NOLB", 0, "active_nolb"}, {"NOLB 1/2", 1, "backup_nolb"}, {"DRAIN", 0, "active_draining"},
		{"DRAIN (agent)", 1, "backup_draining"}, {"no check", 0, "active_no_check"},
		{"MAINT", 1, "maintain"}, {"MAINT (via b/s)", 0, "maintain"},
	}
	for _, tt := range tests {
		var w statsHTML
		w.serverClass(&StatRow{Status: tt.status, Bck: tt.bck})
		if string(w.b) != tt.want {
			t.Errorf("%q bck=%d: %s, want %s", tt.status, tt.bck, w.b, tt.want)
		}
	}
}

func TestAppendHumanDuration(t *testing.T) {
	for sec, want := range map[int64]string{
		-5: "0s", 0: "0s", 59: "59s", 60: "1m00s", 187: "3m07s", 3599: "59m59s", 3600: "1h00m",
		18120: "5h02m", 86399: "23h59m", 86400: "1d00h", 1047600: "12d03h",
	} {
		if got := string(appendHumanDuration(nil, sec)); got != want {
			t.Errorf("%d: %q, want %q", sec, got, want)
		}
	}
	for sec, want := range map[uint64]string{0: "0d 0h00m00s", 90061: "1d 1h01m01s", 3599: "0d 0h59m59s"} {
		if got := string(appendUptime(nil, sec)); got != want {
			t.Errorf("uptime %d: %q, want %q", sec, got, want)
		}
		if got := uptimeString(sec); got != want {
			t.Errorf("show info disagrees for %d: %q", sec, got)
		}
	}
}

func TestAppendHTML(t *testing.T) {
	for in, want := range map[string]string{
		"plain":         "plain",
		`<a href="x">`:  "&lt;a href=&quot;x&quot;&gt;",
		"a&b'c":         "a&amp;b&#39;c",
		"tab\there\r\n": "tab\there&#13;\n",
		"nul\x00\x1b":   "nul\uFFFD\uFFFD",
		"bad\xff\xc3":   "bad\uFFFD\uFFFD",
		"é\u0085\uffff": "é\uFFFD\uFFFD",
		"日本":            "日本",
	} {
		if got := string(appendHTML(nil, in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestStatsAllocs(t *testing.T) {
	info, rows := pageInfo(), manyRows(3, 4)
	page := StatsPage{URI: "/stats", Refresh: time.Second, ShowNode: "n", ShowLegends: true}
	dst := make([]byte, 0, 1<<20)
	if n := len(AppendStatsHTML(dst, info, rows, page, pageNow)); n > cap(dst) {
		t.Fatalf("page %d bytes does not fit", n)
	}
	if a := testing.AllocsPerRun(20, func() { AppendStatsHTML(dst[:0], info, rows, page, pageNow) }); a != 0 {
		t.Errorf("AppendStatsHTML: %v allocations with room in dst", a)
	}
	if a := testing.AllocsPerRun(20, func() { AppendStatsCSV(dst[:0], rows) }); a != 0 {
		t.Errorf("AppendStatsCSV: %v allocations with room in dst", a)
	}
}

func BenchmarkAppendStatsHTML(b *testing.B) {
	info, rows := pageInfo(), manyRows(20, 50)
	page := StatsPage{ShowLegends: true}
	dst := AppendStatsHTML(nil, info, rows, page, pageNow)
	b.SetBytes(int64(len(dst)))
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendStatsHTML(dst[:0], info, rows, page, pageNow)
	}
}

func BenchmarkAppendStatsCSV(b *testing.B) {
	rows := manyRows(20, 50)
	dst := AppendStatsCSV(nil, rows)
	b.SetBytes(int64(len(dst)))
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendStatsCSV(dst[:0], rows)
	}
}

// FuzzAppendStatsHTML renders arbitrary names, statuses and settings and
// checks that the page stays well-formed with complete rows, and that
// names come back as text.
func FuzzAppendStatsHTML(f *testing.F) {
	f.Add(`a<b&"c`, "s1", "UP 1/3", "L7OK", "Connection refused", "/haproxy?stats", "node", "2.6", true, uint64(1), int64(-1))
	f.Add("]]>", "<!--", "-->", "<![CDATA[", "&#0;", "'\"", "\x00\x01", "\xff", false, uint64(1<<63), int64(1<<40))
	f.Fuzz(func(t *testing.T, px, sv, status, check, last, uri, node, version string, legends bool, n uint64, sec int64) {
		rows := []StatRow{
			{Type: StatFrontend, Mode: "http", PxName: px, SvName: "FRONTEND", Status: status, Stot: n, RateLim: n},
			{Type: StatListener, PxName: px, SvName: sv, Status: status, Addr: last},
			{Type: StatServer, Mode: "http", PxName: px, SvName: sv, Status: status, Lastsess: sec, Lastchg: n, Tracked: last[:len(last)/2],
				Bck: n & 1, Check: CheckStat{Enabled: true, Status: check, Last: last, Desc: sv, Code: n}, Throttle: Opt{V: n, Set: legends},
				Agent: CheckStat{Enabled: legends, Status: check}, Addr: last, Cookie: sv},
			{Type: StatBackend, Mode: "tcp", PxName: px, SvName: "BACKEND", Status: status, Algo: last, Cookie: check, SrvTotal: n},
			{Type: StatFrontend, PxName: sv, SvName: "FRONTEND", Iid: 9, Status: status},
		}
		info := Info{Name: node, Version: version, ReleaseDate: last, Uptime: time.Duration(sec), Pid: n}
		admin := n&2 != 0
		page := StatsPage{URI: uri, ShowNode: node, ShowLegends: legends, Refresh: time.Duration(sec),
			Admin: admin, Status: StatsStatus(n % uint64(len(statsStatusWords)))}
		out := AppendStatsHTML(nil, info, rows, page, time.Unix(sec%(1<<35), 0))
		tables := parseStatsHTML(t, out)
		if len(tables) != 2 {
			t.Fatalf("%d tables, want 2", len(tables))
		}
		clean := func(s string) string { return string(appendHTML(nil, s)) }
		if got := string(appendHTML(nil, tables[0].caption)); got != clean(px) {
			t.Errorf("caption %q, want %q", tables[0].caption, px)
		}
		cols, first := len(statsColumns()), 0
		if admin {
			cols, first = cols+1, 1
		}
		for _, tb := range tables {
			for i, r := range tb.rows {
				n := rowSpan(r, i)
				if i == 1 && admin {
					n++
				}
				if n != cols {
					t.Fatalf("%q: row %d spans %d columns", tb.caption, i, n)
				}
			}
		}
		if admin && !bytes.Contains(out, []byte(`<input type="checkbox" name="s" value="`+clean(sv)+`"/>`)) {
			t.Error("no checkbox for the server")
		}
		for _, i := range []int{3, 4} { // listener and server
			if got := string(appendHTML(nil, tables[0].rows[i][first].text)); got != clean(sv) {
				t.Errorf("row %d name %q, want %q", i, tables[0].rows[i][0].text, sv)
			}
		}
	})
}

// TestStatsHTMLAdmin checks the admin form: a checkbox column in every
// table, a form with the action list and the backend id for proxies with
// servers, one checkbox per server.
func TestStatsHTMLAdmin(t *testing.T) {
	out := AppendStatsHTML(nil, pageInfo(), pageRows(), StatsPage{Admin: true}, pageNow)
	tables := parseStatsHTML(t, out)
	if len(tables) != 3 {
		t.Fatalf("%d tables", len(tables))
	}
	cols := len(statsColumns()) + 1
	for _, tb := range tables {
		for i, r := range tb.rows {
			n := rowSpan(r, i)
			if i == 1 {
				n++ // the checkbox header spans both header rows too
			}
			if n != cols {
				t.Errorf("%s: row %d spans %d columns, want %d", tb.caption, i, n, cols)
			}
		}
	}
	page := string(out)
	for _, s := range []string{
		`<input type="checkbox" name="s" value="s1"/>`,
		`<input type="checkbox" name="s" value="s2"/>`,
		`<input type="checkbox" name="s" value="x` + "\n" + `y"/>`,
		`<input type="hidden" name="b" value="#2"/>`,
		`<input type="hidden" name="b" value="#3"/>`,
		`<select name="action">`,
		`<option value="maint">Set state to MAINT</option>`,
		`<option value="shutdown">Kill Sessions</option>`,
	} {
		if !strings.Contains(page, s) {
			t.Errorf("no %q", s)
		}
	}
	// web has no server: no form, and an empty first cell.
	if n := strings.Count(page, `<form method="post">`); n != 2 {
		t.Errorf("%d forms, want 2", n)
	}
	if n := strings.Count(page, `name="s"`); n != 3 {
		t.Errorf("%d server checkboxes, want 3", n)
	}
	if strings.Contains(page, "div class=\"msg") {
		t.Error("message box without status")
	}
	plain := string(AppendStatsHTML(nil, pageInfo(), pageRows(), StatsPage{}, pageNow))
	if strings.Contains(plain, `<form method="post"`) || strings.Contains(plain, "checkbox") {
		t.Error("admin form on a page without admin")
	}
}

func TestStatsHTMLStatus(t *testing.T) {
	for st := StatsStatusDone; st <= StatsStatusIval; st++ {
		out := AppendStatsHTML(nil, pageInfo(), pageRows(), StatsPage{URI: "/st", Status: st}, pageNow)
		parseStatsHTML(t, out)
		m := statsMessages[st]
		want := `<div class="msg ` + m.class + `"><a href="/st" title="Remove this message">[X]</a> ` + m.html + "</div>"
		if !strings.Contains(string(out), want) {
			t.Errorf("%v: no %q", st, want)
		}
	}
}

func TestStatsStatusOf(t *testing.T) {
	tests := []struct {
		rest string
		want StatsStatus
	}{
		{"", StatsStatusInit},
		{";st=DONE", StatsStatusDone},
		{";st=done", StatsStatusDone},
		{";st=PARTIAL", StatsStatusPart},
		{";csv;st=NONE", StatsStatusNone},
		{"?x;st=DENY", StatsStatusDeny},
		{";st=ERRP", StatsStatusErrp},
		{";st=EXCD", StatsStatusExcd},
		{";st=UNKN", StatsStatusUnkn},
		{";st=IVAL", StatsStatusIval},
		{";st=FOO1", StatsStatusInit},
		{";st=DON", StatsStatusInit},
		{";st=", StatsStatusInit},
		{"st=DONE", StatsStatusInit},
		{";st=X;st=DONE", StatsStatusInit},
	}
	for _, tt := range tests {
		if got := StatsStatusOf([]byte(tt.rest)); got != tt.want {
			t.Errorf("%q: %v, want %v", tt.rest, got, tt.want)
		}
	}
	if StatsStatusInit.String() != "" || StatsStatusErrp.String() != "ERRP" || StatsStatus(99).String() != "" {
		t.Error("String")
	}
}

// fakeStatsTarget is a backend "be" (id 5) with servers s1 (every action
// applies), nochk (no health check) and trk (tracks another server).
type fakeStatsTarget struct {
	backend bool
	applied []string
}

func (f *fakeStatsTarget) StatsBackend(ref Ref) bool {
	f.backend = ref.Matches("be", 5)
	return f.backend
}

func (f *fakeStatsTarget) StatsServer(name []byte, a StatsAction) (found, applies bool) {
	switch string(name) {
	case "s1":
		applies = a < StatsActionDisAgent || a == StatsActionShutdown
	case "nochk":
		applies = a != StatsActionDisHealth && a != StatsActionEnHealth && (a < StatsActionDisAgent || a == StatsActionShutdown)
	case "trk":
		applies = a < StatsActionHealthUp || a == StatsActionShutdown
	default:
		return false, false
	}
	if applies {
		f.applied = append(f.applied, a.String()+":"+string(name))
	}
	return true, applies
}

// TestProcessStatsPost checks the outcomes HAProxy 2.6.12 gives for
// these forms (observed on a backend with the same servers).
func TestProcessStatsPost(t *testing.T) {
	long := strings.Repeat("x", statsParamMax+1)
	tests := []struct {
		body    string
		want    StatsStatus
		applied string
	}{
		{"", StatsStatusNone, ""},
		{"garbage", StatsStatusNone, ""},
		{"s=s1&action=maint&b=be", StatsStatusDone, "maint:s1"},
		{"s=s1&action=maint&b=%235", StatsStatusDone, "maint:s1"},
		{"s=s1&action=maint&b=%236", StatsStatusErrp, ""},
		{"b=be&action=ready&s=s1&s=trk", StatsStatusDone, "ready:trk ready:s1"},
		{"s=s1&s=nosuch&action=ready&b=be", StatsStatusPart, "ready:s1"},
		{"s=nosuch&action=ready&b=be", StatsStatusErrp, ""},
		{"action=ready&b=be", StatsStatusNone, ""},
		{"s=s1&action=bogus&b=be", StatsStatusErrp, ""},
		{"s=s1&action=ready+&b=be", StatsStatusErrp, ""},
		{"s=s1&action=ready&b=nosuch", StatsStatusErrp, ""},
		{"s=s1&action=ready", StatsStatusNone, ""},
		{"s=s1&b=be", StatsStatusNone, ""},
		{"s=nochk&action=dhlth&b=be", StatsStatusNone, ""},
		{"s=nochk&s=s1&action=dhlth&b=be", StatsStatusDone, "dhlth:s1"},
		{"s=trk&action=hdown&b=be", StatsStatusNone, ""},
		{"s=s1&action=dagent&b=be", StatsStatusNone, ""},
		{"s=s1&action=shutdown&b=be", StatsStatusDone, "shutdown:s1"},
		{"s=s1&x=%zz&action=ready&b=be", StatsStatusNone, ""},
		{"s=%zz&action=ready&b=be", StatsStatusNone, ""},
		{"s=s1&action=ready&b=be&x=%zz", StatsStatusNone, ""},
		{"s=s1&s=%zz&s=s1&action=ready&b=be", StatsStatusDone, "ready:s1"},
		{"action=zz&s=s1&action=ready&b=be", StatsStatusDone, "ready:s1"},
		{"b=nosuch&s=s1&action=ready&b=be", StatsStatusDone, "ready:s1"},
		{"b=be&s=s1&action=ready&b=nosuch", StatsStatusErrp, ""},
		{"s&s=s1&action=ready&b=be", StatsStatusPart, "ready:s1"},
		{"s=&action=ready&b=be", StatsStatusErrp, ""},
		{"s=%231&action=ready&b=be", StatsStatusErrp, ""},
		{"&s=s1&action=ready&b=be", StatsStatusNone, ""},
		{"s=s1&action=ready&b=be&", StatsStatusDone, "ready:s1"},
		{"&&s=s1&&action=ready&&b=be&&", StatsStatusDone, "ready:s1"},
		{"s=s%31&action=re%61dy&b=b%65", StatsStatusDone, "ready:s1"},
		{"s=s1%00x&action=ready&b=be", StatsStatusDone, "ready:s1"},
		{"s=s1\x00x&action=ready&b=be", StatsStatusDone, "ready:s1"},
		{"s=s1&action=ready&action=maint&b=be", StatsStatusDone, "maint:s1"},
		{long[:statsParamMax] + "&s=s1&action=ready&b=be", StatsStatusDone, "ready:s1"},
		{long + "&s=s1&action=ready&b=be", StatsStatusErrp, "ready:s1"},
		{"s=s1&action=ready&b=be&" + long, StatsStatusErrp, ""},
	}
	for _, tt := range tests {
		f := &fakeStatsTarget{}
		got := ProcessStatsPost([]byte(tt.body), f)
		if got != tt.want || strings.Join(f.applied, " ") != tt.applied {
			t.Errorf("%.60q: %v %q, want %v %q", tt.body, got, f.applied, tt.want, tt.applied)
		}
	}
}

func TestBasicCredentials(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		value      string
		user, pass string
		ok         bool
	}{
		{"Basic " + b64("admin:secret"), "admin", "secret", true},
		{"basic " + b64("admin:se:cret"), "admin", "se:cret", true},
		{"BASIC  " + b64("a:"), "a", "", true},
		{"Basic " + b64(":p") + " ", "", "p", true},
		{"Basic " + b64("nocolon"), "", "", false},
		{"Basic " + strings.TrimRight(b64("admin:secre"), "="), "", "", false},
		{"Basic " + b64("admin:secret") + " x", "", "", false},
		{"Basic " + b64("ad") + "\n" + b64("min:x"), "", "", false},
		{"Bearer " + b64("admin:secret"), "", "", false},
		{"Basic", "", "", false},
		{" Basic " + b64("a:b"), "", "", false},
		{"Basic " + b64(strings.Repeat("u", 100)+":p"), "", "", false},
	}
	for _, tt := range tests {
		var buf [64]byte
		user, pass, ok := BasicCredentials([]byte(tt.value), buf[:0])
		if ok != tt.ok || string(user) != tt.user || string(pass) != tt.pass {
			t.Errorf("%q: %q %q %v, want %q %q %v", tt.value, user, pass, ok, tt.user, tt.pass, tt.ok)
		}
	}
}

func TestStatsAdminAllocs(t *testing.T) {
	info, rows := pageInfo(), manyRows(3, 4)
	page := StatsPage{URI: "/stats", Admin: true, Status: StatsStatusPart}
	dst := make([]byte, 0, 1<<20)
	if a := testing.AllocsPerRun(20, func() { AppendStatsHTML(dst[:0], info, rows, page, pageNow) }); a != 0 {
		t.Errorf("AppendStatsHTML with admin: %v allocations", a)
	}
	value := []byte("Basic " + base64.StdEncoding.EncodeToString([]byte("administrator:a rather long password")))
	if a := testing.AllocsPerRun(100, func() {
		var buf [64]byte
		BasicCredentials(value, buf[:0])
	}); a != 0 {
		t.Errorf("BasicCredentials: %v allocations", a)
	}
	rest := []byte("?some-long-query-string-for-the-page;csv;st=DONE")
	if a := testing.AllocsPerRun(100, func() { StatsStatusOf(rest) }); a != 0 {
		t.Errorf("StatsStatusOf: %v allocations", a)
	}
}

func BenchmarkBasicCredentials(b *testing.B) {
	value := []byte("Basic " + base64.StdEncoding.EncodeToString([]byte("admin:secret")))
	b.ReportAllocs()
	for b.Loop() {
		var buf [64]byte
		BasicCredentials(value, buf[:0])
	}
}

func BenchmarkProcessStatsPost(b *testing.B) {
	body := []byte("s=s1&s=nochk&s=trk&s=nosuch&action=maint&b=be")
	f := &fakeStatsTarget{}
	b.ReportAllocs()
	for b.Loop() {
		f.applied = f.applied[:0]
		ProcessStatsPost(body, f)
	}
}

// FuzzProcessStatsPost reads arbitrary forms: the outcome is a POST
// outcome, servers are only taken once a backend and an action are known,
// and the result does not depend on anything but the body.
func FuzzProcessStatsPost(f *testing.F) {
	for _, s := range []string{"s=s1&action=maint&b=be", "b=be&action=ready&s=s1&s=trk", "s=%zz&action=ready&b=be", "&&s&=&b=%235&action=shutdown", "s=nochk&s=x&action=dhlth&b=be"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		a, b := &fakeStatsTarget{}, &fakeStatsTarget{}
		st := ProcessStatsPost(body, a)
		if st != ProcessStatsPost(body, b) || strings.Join(a.applied, " ") != strings.Join(b.applied, " ") {
			t.Fatal("not deterministic")
		}
		switch st {
		case StatsStatusDone, StatsStatusPart, StatsStatusNone, StatsStatusErrp:
		default:
			t.Fatalf("outcome %v", st)
		}
		if len(a.applied) > 0 && !a.backend {
			t.Fatal("servers taken without a backend")
		}
		if st == StatsStatusDone && len(a.applied) == 0 {
			t.Fatal("DONE with nothing applied")
		}
		if n := bytes.Count(body, []byte("s")); len(a.applied) > n {
			t.Fatalf("%d servers from %d 's'", len(a.applied), n)
		}
	})
}

// FuzzBasicCredentials checks that encoded credentials come back and that
// arbitrary values never read past dst.
func FuzzBasicCredentials(f *testing.F) {
	f.Add("admin", "se:cret", []byte("Basic YWRtaW46c2VjcmV0"))
	f.Add("", "", []byte("basic  Og=="))
	f.Fuzz(func(t *testing.T, user, pass string, value []byte) {
		var buf [statsFuzzCred]byte
		if u, p, ok := BasicCredentials(value, buf[:0]); ok && (len(u)+len(p)+1 > len(buf) || bytes.IndexByte(u, ':') >= 0) {
			t.Fatalf("%q %q from %q", u, p, value)
		}
		if strings.IndexByte(user, ':') >= 0 {
			return
		}
		enc := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
		u, p, ok := BasicCredentials([]byte(enc), buf[:0])
		fits := base64.StdEncoding.DecodedLen(len(enc)-6) <= len(buf)
		if ok != fits || ok && (string(u) != user || string(p) != pass) {
			t.Fatalf("%q %q: %q %q %v", user, pass, u, p, ok)
		}
	})
}

const statsFuzzCred = 256

func TestParseStatsView(t *testing.T) {
	tests := []struct {
		rest string
		want StatsView
	}{
		{"", StatsView{}},
		{";csv", StatsView{CSV: true}},
		{";up;norefresh", StatsView{HideDown: true, NoRefresh: true}},
		{";no-maint;csv;st=DONE", StatsView{HideMaint: true, CSV: true}},
		{";scope=web;up", StatsView{HideDown: true, Scope: []byte("web")}},
		{";scope=abcdefghijklmnopqrst", StatsView{Scope: []byte("abcdefghijklmno")}},
		{"?scope=be&x=1", StatsView{Scope: []byte("be")}},
		{"=&scope=be", StatsView{Scope: []byte("be")}},
		{";scope=", StatsView{Scope: []byte{}}},
		{"up;", StatsView{}},
	}
	for _, tt := range tests {
		got := ParseStatsView([]byte(tt.rest))
		if got.HideDown != tt.want.HideDown || got.HideMaint != tt.want.HideMaint ||
			got.NoRefresh != tt.want.NoRefresh || got.CSV != tt.want.CSV ||
			!bytes.Equal(got.Scope, tt.want.Scope) || (got.Scope == nil) != (tt.want.Scope == nil) {
			t.Errorf("ParseStatsView(%q) = %+v, want %+v", tt.rest, got, tt.want)
		}
	}
	rest := []byte(";up;scope=web;csv")
	if n := testing.AllocsPerRun(100, func() { ParseStatsView(rest) }); n != 0 {
		t.Errorf("ParseStatsView allocates %v times", n)
	}
}

func TestFilterStatRows(t *testing.T) {
	rows := func() []StatRow {
		return []StatRow{
			{Type: StatFrontend, PxName: "Web", SvName: "FRONTEND", Status: "OPEN"},
			{Type: StatServer, PxName: "web", SvName: "up", Status: "UP"},
			{Type: StatServer, PxName: "web", SvName: "down", Status: "DOWN"},
			{Type: StatServer, PxName: "web", SvName: "goingup", Status: "DOWN 1/2"},
			{Type: StatServer, PxName: "web", SvName: "maint", Status: "MAINT"},
			{Type: StatServer, PxName: "web", SvName: "via", Status: "MAINT (via b/s)"},
			{Type: StatBackend, PxName: "web", SvName: "BACKEND", Status: "UP"},
			{Type: StatBackend, PxName: "db", SvName: "BACKEND", Status: "DOWN"},
		}
	}
	names := func(rows []StatRow) string {
		var b []string
		for _, r := range rows {
			b = append(b, r.PxName+"/"+r.SvName)
		}
		return strings.Join(b, " ")
	}
	tests := []struct {
		view StatsView
		want string
	}{
		{StatsView{}, "Web/FRONTEND web/up web/down web/goingup web/maint web/via web/BACKEND db/BACKEND"},
		{StatsView{HideDown: true}, "Web/FRONTEND web/up web/goingup web/BACKEND db/BACKEND"},
		{StatsView{HideMaint: true}, "Web/FRONTEND web/up web/down web/goingup web/BACKEND db/BACKEND"},
		{StatsView{Scope: []byte("WE")}, "Web/FRONTEND web/up web/down web/goingup web/maint web/via web/BACKEND"},
		{StatsView{Scope: []byte("b")}, "Web/FRONTEND web/up web/down web/goingup web/maint web/via web/BACKEND db/BACKEND"},
		{StatsView{Scope: []byte("db"), HideDown: true}, "db/BACKEND"},
		{StatsView{Scope: []byte("none")}, ""},
	}
	for _, tt := range tests {
		if got := names(FilterStatRows(rows(), tt.view)); got != tt.want {
			t.Errorf("FilterStatRows(%+v) = %q, want %q", tt.view, got, tt.want)
		}
	}
}
