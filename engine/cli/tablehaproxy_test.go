package cli

import (
	"regexp"
	"strings"
	"testing"

	"hitless/engine/config"
	"hitless/stick"
)

// The differential test of the stick-table commands: the same commands go
// to HAProxy 2.6 and to a Server whose Admin has the same tables, and the
// answers must be equal once entry ids (pointers in HAProxy) and the
// milliseconds left before expiry are normalised.

const liveTables = liveSockets + `
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s

backend be
    stick-table type ip size 1k expire 30s store gpc1,server_id,gpc0,conn_rate(10s)

backend bs
    stick-table type string len 8 size 10

backend bi
    stick-table type integer size 10m nopurge

backend bb
    stick-table type binary len 4 size 10

backend b6
    stick-table type ipv6 size 10 expire 1m
`

// tableAdmin is a fakeAdmin with stick tables.
type tableAdmin struct {
	*fakeAdmin
	tables []*stick.Table
	now    int64
}

func (a *tableAdmin) StickTables() []*stick.Table { return a.tables }
func (a *tableAdmin) StickNow() int64             { return a.now }

func liveTablesAdmin(t testing.TB) *tableAdmin {
	mk := func(name string, s stick.Spec) *stick.Table {
		tb, err := stick.New(name, s)
		if err != nil {
			t.Fatal(err)
		}
		return tb
	}
	// In the order HAProxy lists them: the last declared first.
	return &tableAdmin{fakeAdmin: &fakeAdmin{sessions: map[uint64]bool{}}, now: 1000, tables: []*stick.Table{
		mk("b6", stick.Spec{Type: stick.KeyIPv6, Size: 10, Expire: 60000}),
		mk("bb", stick.Spec{Type: stick.KeyBinary, KeyLen: 4, Size: 10}),
		mk("bi", stick.Spec{Type: stick.KeyInteger, Size: 10 << 20, NoPurge: true}),
		mk("bs", stick.Spec{Type: stick.KeyString, KeyLen: 8, Size: 10}),
		mk("be", stick.Spec{Type: stick.KeyIPv4, Size: 1024, Expire: 30000, Store: []stick.Store{
			{Type: stick.GPC1}, {Type: stick.ServerID}, {Type: stick.GPC0}, {Type: stick.ConnRate, Period: 10000}}}),
	}}
}

// tableCases run in order on both sides: changes accumulate.
var tableCases = []string{
	"show table",
	"show table be",
	"set table be key 1.2.3.4 data.server_id 7 data.gpc0 3",
	"set table be key 10.0.0.1 data.gpc0 1",
	"set table be key 1.2.3.5 data.conn_rate 5",
	"set table be key 9.9.9.9",
	"show table",
	"show table be",
	"show table be key 1.2.3.4",
	"show table be key 1.2.3.9",
	"show table be key foo",
	"show table be data.gpc0 gt 2",
	"show table be data.gpc0 gt 0 data.gpc0 lt 5",
	"show table be data.gpc0 ge 0 data.gpc0 ge 0 data.gpc0 ge 0 data.gpc0 ge 0",
	"show table be data.foo gt 1",
	"show table be data.gpc0 gt 0 key 1.2.3.4",
	"show table be data.gpc0 zz 1",
	"show table be data.gpc0 gt x",
	"show table be data.gpc0",
	"show table be foo",
	"show table be key",
	"show table bs data.server_id gt 1",
	"show table nope",
	"set table be key 1.2.3.5 data.foo 3",
	"set table be key 1.2.3.5 data.server_id",
	"set table be key 1.2.3.5 data.conn_rate(1) 1",
	"set table be key 1.2.3.4 foo",
	"set table be key 1.2.3.4 data.gpc0 1 data.gpc1 x",
	"set table be key 1.2.3.4 data.server_id 99999999999",
	"set table be key",
	"set table be foo",
	"set table be key foo",
	"set table nope key 1",
	"set table bi key abc",
	"set table bi key 42",
	"set table bi key 7x",
	"set table bs key abcdefghijkl",
	"set table bs key abc data.server_id 1",
	"set table bb key 0102",
	"set table b6 key ::1",
	"set table b6 key 10.1.2.3",
	"show table bs",
	"show table bs key abcdefghXYZ",
	"show table bi",
	"show table bb",
	"show table bb key 0102",
	"clear table bb key 0102",
	"show table bb key",
	"show table be data.server_key eq 1",
	"set table be key 1.2.3.4 data.server_key x",
	"show table b6",
	"show table",
	"show table be",
	"clear table be key 1.2.3.4",
	"clear table be key 9.9.9.8",
	"clear table be key foo",
	"clear table be key",
	"show table be",
	"clear table be data.gpc0 gt 0",
	"show table be",
	"clear table be data.gpc0",
	"clear table be data.gpc0 gt",
	"clear table",
	"clear table be foo",
	"clear table nope",
	"clear table be",
	"show table be",
	"show table",
}

var (
	tableID  = regexp.MustCompile(`(?m)^0x[0-9a-f]+: `)
	tableExp = regexp.MustCompile(` exp=[1-9][0-9]*`)
)

// normaliseTable replaces entry ids and non-zero expiry delays.
func normaliseTable(s string) string {
	return tableExp.ReplaceAllString(tableID.ReplaceAllString(s, "0xID: "), " exp=N")
}

func TestHAProxyTableCommands(t *testing.T) {
	h := startHAProxy(t, liveTables)
	ts := startServer(t, Options{Admin: liveTablesAdmin(t)}, config.LevelAdmin)
	for _, cmd := range tableCases {
		want := normaliseTable(framed(ask(t, h.admin, cmd+"\n", false)))
		got := normaliseTable(ts.exchange(t, cmd+"\n", false))
		if got != want {
			t.Errorf("%s", firstDiff(cmd, got, want))
		}
	}
}

// TestHAProxyTableLevels: a user socket sees the table list and headers
// only, cannot set, and clears nothing; an operator socket does all.
func TestHAProxyTableLevels(t *testing.T) {
	h := startHAProxy(t, liveTables)
	a := liveTablesAdmin(t)
	user := startServer(t, Options{Admin: a}, config.LevelUser)
	oper := startServer(t, Options{Admin: a}, config.LevelOperator)
	for _, c := range []struct {
		path string
		ts   *testServer
		cmd  string
	}{
		{h.admin, oper, "set table be key 1.2.3.4 data.gpc0 2"},
		{h.user, user, "show table"},
		{h.user, user, "show table be"},
		{h.user, user, "set table be key 1.2.3.5"},
		{h.user, user, "clear table be"},
		{h.user, user, "clear table be key 1.2.3.4"},
		{h.oper, oper, "show table be"},
		{h.oper, oper, "set table be key 1.2.3.6"},
		{h.oper, oper, "clear table be key 1.2.3.4"},
		{h.oper, oper, "show table be"},
		{h.oper, oper, "clear table be"},
		{h.oper, oper, "show table be"},
	} {
		want := normaliseTable(framed(ask(t, c.path, c.cmd+"\n", false)))
		got := normaliseTable(c.ts.exchange(t, c.cmd+"\n", false))
		if got != want {
			t.Errorf("%s", firstDiff(c.cmd, got, want))
		}
	}
	if !strings.Contains(user.exchange(t, "help\n", false), "show table") {
		t.Error("help does not list show table")
	}
}

// FuzzTableCommand sends arbitrary input to a server with stick tables
// and checks that every answer ends, with its closing newline for a plain
// command line, never blocking and never panicking. Seeds: tableCases.
func FuzzTableCommand(f *testing.F) {
	for _, c := range tableCases {
		f.Add([]byte(c + "\n"))
	}
	ts := startServer(f, Options{Admin: liveTablesAdmin(f)}, config.LevelAdmin)
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<16 {
			return
		}
		got := ts.exchange(t, string(in), true)
		if simpleCommand(in) && !strings.HasSuffix(got, "\n") {
			t.Errorf("%q: answer %q does not end with a newline", in, got)
		}
	})
}
