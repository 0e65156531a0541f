package cli

import (
	"errors"
	"io"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"hitless/engine/config"
)

// unitFake is liveAdminFake plus what only the fake can stage: servers
// with connections attached (busy never drains, busy2 after 3 polls), an
// empty backend and a live stream.
func unitFake() *fakeAdmin {
	a := liveAdminFake()
	be := a.backends[0]
	busy := fakeSrv("busy", 20, "127.0.0.1", 9000, 1).disabled()
	busy.conns = 2
	busy2 := fakeSrv("busy2", 21, "127.0.0.1", 9000, 1).disabled()
	busy2.conns, busy2.drainPolls = 1, 3
	be.servers = append(be.servers, busy, busy2)
	a.backends = append(a.backends, &fakeBackend{BackendState: BackendState{Name: "empty", ID: 50, DynamicWeights: true}})
	a.sessions[0x1234] = true
	return a
}

func TestAdminCommandsAbsentWithoutAdmin(t *testing.T) {
	ts := startServer(t, Options{}, config.LevelAdmin)
	for _, cmd := range []string{"show backend", "set weight be/s1 1", "wait 1"} {
		if got := ts.exchange(t, cmd+"\n", false); !strings.HasPrefix(got, "Unknown command") {
			t.Errorf("%q without Admin: got %q", cmd, got)
		}
	}
	if got := ts.exchange(t, "help\n", false); strings.Contains(got, "set server") {
		t.Errorf("help lists admin commands without Admin:\n%s", got)
	}
}

func TestAdminHelp(t *testing.T) {
	ts := startServer(t, Options{Admin: unitFake()}, config.LevelUser)
	got := ts.exchange(t, "help\n", false)
	for _, want := range []string{
		"  wait {-h|<delay_ms>} cond [args...]     : wait the specified delay or condition (-h to see list)\n",
		"  set weight <bk>/<srv>  (DEPRECATED)     : change a server's weight (use 'set server' instead)\n",
		"  show servers state [<backend>]          : dump volatile server information (all or for a single backend)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestWait(t *testing.T) {
	ts := startServer(t, Options{Admin: unitFake()}, config.LevelAdmin)
	const inUse = "Server still has connections attached to it, cannot remove it.\n"
	for _, tt := range []struct{ in, want string }{
		{"wait", "Expects a duration in milliseconds.\n"},
		{"wait abc", "Invalid duration.\n"},
		{"wait 0", "Invalid duration.\n"},
		{"wait 1.5s", "Invalid duration.\n"},
		{"wait 100d", "Invalid duration.\n"},
		{"wait -h", waitUsage},
		{"wait -h srv-removable be/s1", waitUsage},
		{"wait 10 -h", waitUsage},
		{"wait 10 foo", waitUsage},
		{"wait 10 srv-removable", "Missing server name (<backend>/<server>).\n"},
		{"wait 10 srv-removable be", "Require 'backend/server'.\n"},
		{"wait 10 srv-removable be/", "Require 'backend/server'.\n"},
		{"wait 10 be-removable", "Missing backend name.\n"},
		{"wait 1", "Done.\n"},
		{"wait 1us", "Done.\n"},
		{"wait 5 srv-removable be/s1", "Failed. Only servers in maintenance mode can be deleted.\n"},
		{"wait 5 srv-removable be/zz", "Failed. No such server.\n"},
		{"wait 5 srv-removable zz/s1", "Failed. No such backend.\n"},
		{"wait 5 srv-removable /s1", "Failed. No such backend.\n"},
		{"wait 5 srv-removable be/k1", "Failed. This server cannot be removed at runtime due to other configuration elements pointing to it.\n"},
		{"wait 5 srv-removable be/s3", "Done.\n"},
		{"wait 5 srv-removable #3/#7", "Done.\n"},
		{"wait 30 srv-removable be/busy", "Wait delay expired. " + inUse},
		{"wait 10s srv-removable be/busy2", "Done.\n"},
		{"wait 10 be-removable st", "Wait delay expired. Backend still has servers or streams attached to it, cannot remove it.\n"},
		{"wait 10 be-removable nope", "Failed. No such backend.\n"},
		{"wait 10s be-removable empty", "Done.\n"},
	} {
		start := time.Now()
		if got := ts.exchange(t, tt.in+"\n", false); got != tt.want+"\n" {
			t.Errorf("%q:\n got %q\nwant %q", tt.in, got, tt.want+"\n")
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%q took %v", tt.in, d)
		}
	}
	if n := ts.srv.admin.(*fakeAdmin).Polls("be", "busy2"); n != 3 {
		t.Errorf("busy2 polled %d times, want 3", n)
	}

	// The commands that follow a wait run after it, even when the client
	// already shut its side; with nothing left to run, a client that
	// leaves interrupts the wait.
	for _, tt := range []struct{ in, want string }{
		{"wait 20 srv-removable be/busy; get weight be/s2\n", "Wait delay expired. " + inUse + "\n20 (initial 20)\n\n"},
		{"wait 20; get weight be/s2\n", "Done.\n\n20 (initial 20)\n\n"},
		{"wait 1h srv-removable be/busy\n", "Interrupted. " + inUse + "\n"},
		{"wait 1h\n", "Interrupted.\n\n"},
	} {
		if got := ts.exchange(t, tt.in, true); got != tt.want {
			t.Errorf("%q (shut):\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}

	op := startServer(t, Options{Admin: unitFake()}, config.LevelOperator)
	if got := op.exchange(t, "wait 1\n", false); got != "Permission denied\n\n" {
		t.Errorf("wait at operator level: %q", got)
	}
}

// TestWaitInteractive checks that a wait in interactive mode reads the
// next command only once it is over.
func TestWaitInteractive(t *testing.T) {
	ts := startServer(t, Options{Admin: unitFake()}, config.LevelAdmin)
	c := ts.dial(t)
	io.WriteString(c, "prompt\n")
	readUntil(t, c, "\n> ")
	io.WriteString(c, "wait 30 srv-removable be/busy\nget weight be/s2\n")
	got := readUntil(t, c, "(initial 20)\n\n> ")
	want := "Wait delay expired. Server still has connections attached to it, cannot remove it.\n\n> 20 (initial 20)\n\n> "
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestWaitClose checks that closing the server ends a session waiting.
func TestWaitClose(t *testing.T) {
	fake := unitFake()
	ts := startServer(t, Options{Admin: fake}, config.LevelAdmin)
	c := ts.dial(t)
	io.WriteString(c, "wait 1h srv-removable be/busy\n")
	deadline := time.Now().Add(5 * time.Second)
	for fake.Polls("be", "busy") < 2 {
		if time.Now().After(deadline) {
			t.Fatal("wait never polled")
		}
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	ts.srv.Close()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Close took %v with a session waiting", d)
	}
	if _, err := io.ReadAll(c); err != nil {
		t.Errorf("reading after Close: %v", err)
	}
}

func TestAdminSessionsAndRemoval(t *testing.T) {
	fake := unitFake()
	ts := startServer(t, Options{Admin: fake}, config.LevelAdmin)
	for _, tt := range []struct{ in, want string }{
		{"shutdown session 0x1234", "\n"},
		{"shutdown session 0x1234", "No such session (use 'show sess').\n\n"},
		{"del server be/busy", "Server still has connections attached to it, cannot remove it.\n\n"},
		{"shutdown sessions server be/busy", "\n"},
		{"del server be/busy", "Server deleted.\n\n"},
		{"del server be/busy", "No such server.\n\n"},
	} {
		if got := ts.exchange(t, tt.in+"\n", false); got != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
	want := []string{"kill 1234", "shutdown busy", "del busy"}
	if got := fake.Calls(); strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("calls %q, want %q", got, want)
	}
}

// errAdmin is a fakeAdmin whose setters fail with the engine's own errors.
type errAdmin struct {
	*fakeAdmin
	err error
}

func (a errAdmin) SetServerWeight(Ref, Ref, int) error             { return a.err }
func (a errAdmin) SetServerAdmin(Ref, Ref, AdminTarget) error      { return a.err }
func (a errAdmin) SetCheckEnabled(Ref, Ref, CheckKind, bool) error { return a.err }
func (a errAdmin) DelServer(Ref, Ref) error                        { return a.err }
func (a errAdmin) AddServer(Ref, string, []string) error           { return a.err }
func (a errAdmin) ShutdownSession(uint64) error                    { return a.err }
func (a errAdmin) UpdateServerAddr(Ref, Ref, func(ServerAddr) (ServerAddr, bool)) error {
	return a.err
}

func TestAdminEngineErrors(t *testing.T) {
	for _, tt := range []struct {
		err      error
		in, want string
	}{
		{errors.New("weights are frozen"), "set weight be/s1 3", "weights are frozen\n"},
		{errors.New("weights are frozen"), "set server be/s1 weight 3", "weights are frozen\n"},
		{ErrStaticLB, "set weight be/s1 3", msgStaticLB},
		{ErrBackendDisabled, "disable server be/s1", msgProxyDisabled},
		{ErrNoServer, "set server be/s1 addr 1.2.3.4", msgNoServer},
		{ErrCheckNotConfigured, "enable health be/k1", msgHealthNotConfigured},
		{errors.New("'cookie' option is not accepted for dynamic server"), "add server be/n1 1.2.3.4 cookie x",
			"'cookie' option is not accepted for dynamic server\n"},
		{ErrServerExists, "add server be/n1 1.2.3.4", "Already exists a server with the same name in backend.\n"},
		{errors.New("cannot delete"), "del server be/s3", "cannot delete\n"}, // the framing adds the line feed
		{ErrNoSession, "shutdown session 12", "No such session (use 'show sess').\n"},
		{errors.New("streams are busy"), "shutdown session 12", "streams are busy\n"},
	} {
		ts := startServer(t, Options{Admin: errAdmin{unitFake(), tt.err}}, config.LevelAdmin)
		if got := ts.exchange(t, tt.in+"\n", false); got != tt.want+"\n" {
			t.Errorf("%q with %v:\n got %q\nwant %q", tt.in, tt.err, got, tt.want+"\n")
		}
	}
}

// TestShowServersLarge checks a dump longer than the flush threshold.
func TestShowServersLarge(t *testing.T) {
	fake := &fakeAdmin{sessions: map[uint64]bool{}}
	be := &fakeBackend{BackendState: BackendState{Name: "big", ID: 2, DynamicWeights: true}}
	for i := 1; i <= 3000; i++ {
		be.servers = append(be.servers, fakeSrv("srv"+strconv.Itoa(i), i, "10.0.0.1", uint16(i), 1))
	}
	fake.backends = []*fakeBackend{be}
	ts := startServer(t, Options{Admin: fake}, config.LevelUser)
	for _, tt := range []struct {
		cmd, last string
		header    int
	}{
		{"show servers state", "\n2 big 3000 srv3000 10.0.0.1 2 0 1 1 0 1 0 2 0 0 0 0 - 3000 - 0 0 - - 0\n\n", 2},
		{"show servers conn big", "\nbig/srv3000 2/3000 10.0.0.1 3000 - 5000 0 0 0 0 0 -1 0\n\n", 1},
	} {
		got := ts.exchange(t, tt.cmd+"\n", false)
		if n := strings.Count(got, "\n"); n != tt.header+3000+1 || !strings.HasSuffix(got, tt.last) {
			t.Errorf("%s: %d lines, ending %q", tt.cmd, n, got[max(len(got)-100, 0):])
		}
	}
}

func TestFormatIP(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"1.2.3.4", "1.2.3.4"},
		{"::1", "::1"},
		{"::", "::"},
		{"::102:304", "::1.2.3.4"},
		{"::1:0", "::0.1.0.0"},
		{"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
		{"::ffff:0:102:304", "::ffff:0:102:304"},
		{"1::8", "1::8"},
		{"fe80::1:2", "fe80::1:2"},
	} {
		if got := formatIP(netip.MustParseAddr(tt.in)); got != tt.want {
			t.Errorf("formatIP(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if got := formatIP(netip.Addr{}); got != "-" {
		t.Errorf("formatIP(invalid) = %q", got)
	}
}

func TestCNumbers(t *testing.T) {
	for _, tt := range []struct {
		in       string
		v        int64
		end      int
		overflow bool
	}{
		{"", 0, 0, false},
		{"abc", 0, 0, false},
		{"12", 12, 2, false},
		{" \t+12x", 12, 5, false},
		{"-7%", -7, 2, false},
		{"-", 0, 0, false},
		{"99999999999999999999", math.MaxInt64, 20, true},
		{"-99999999999999999999", math.MinInt64, 21, true},
		{"-9223372036854775808", math.MinInt64, 20, false},
	} {
		v, end, of := cStrtol(tt.in)
		if v != tt.v || end != tt.end || of != tt.overflow {
			t.Errorf("cStrtol(%q) = %d, %d, %v; want %d, %d, %v", tt.in, v, end, of, tt.v, tt.end, tt.overflow)
		}
	}
	for _, tt := range []struct {
		in   string
		want uint64
	}{
		{"", 0}, {"abc", 0}, {"0x", 0}, {"08", 0}, {"010", 8}, {"0x1f", 31}, {"0X1F", 31},
		{" 42z", 42}, {"-1", math.MaxUint64}, {"99999999999999999999999", math.MaxUint64},
		{"0xffffffffffffffff", math.MaxUint64},
	} {
		if got := cStrtoul(tt.in); got != tt.want {
			t.Errorf("cStrtoul(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in   string
		want int
	}{{"3", 3}, {"3x", 3}, {"abc", 0}, {"-1", -1}, {"4294967297", 1}, {"99999999999999999999", -1}} {
		if got := cAtoi(tt.in); got != tt.want {
			t.Errorf("cAtoi(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in string
		v  int
		ok bool
	}{
		{"", 0, false}, {"-", 0, true}, {"-0", 0, true}, {"+5", 0, false}, {"5/", 0, false},
		{"00080", 80, true}, {"-1", -1, true}, {"2147483647", math.MaxInt32, true},
		{"2147483648", 0, false}, {"-2147483648", math.MinInt32, true}, {"-2147483649", 0, false},
	} {
		if v, ok := cStrl2irc(tt.in); v != tt.v || ok != tt.ok {
			t.Errorf("cStrl2irc(%q) = %d, %v; want %d, %v", tt.in, v, ok, tt.v, tt.ok)
		}
	}
}

func TestRefs(t *testing.T) {
	for _, tt := range []struct {
		in      string
		backend Ref
		server  Ref
	}{
		{"be", Ref{Name: "be"}, Ref{Name: "be"}},
		{"#3", Ref{ID: 3, ByID: true}, Ref{ID: 3, ByID: true}},
		{"#3x", Ref{ID: 3, ByID: true}, Ref{ID: 3, ByID: true}},
		{"#abc", Ref{ID: 0, ByID: true}, Ref{ID: 0, ByID: true}},
		{"#-1", Ref{ID: -1, ByID: true}, Ref{Name: "#-1"}},
		{"", Ref{}, Ref{}},
	} {
		if got := backendRef(tt.in); got != tt.backend {
			t.Errorf("backendRef(%q) = %+v, want %+v", tt.in, got, tt.backend)
		}
		if got := serverRef(tt.in); got != tt.server {
			t.Errorf("serverRef(%q) = %+v, want %+v", tt.in, got, tt.server)
		}
	}
	for _, tt := range []struct{ in, bk, sv string }{
		{"be/s1", "be", "s1"}, {"/s1/x", "/s1", "x"}, {"//x", "/", "x"}, {"a/b/c", "a", "b/c"},
	} {
		if bk, sv, ok := splitAddDel(tt.in); !ok || bk != tt.bk || sv != tt.sv {
			t.Errorf("splitAddDel(%q) = %q, %q, %v", tt.in, bk, sv, ok)
		}
	}
	for _, in := range []string{"", "/", "/s1", "be", "be/", "b"} {
		if _, _, ok := splitAddDel(in); ok {
			t.Errorf("splitAddDel(%q) accepted", in)
		}
	}
}

func TestParseAddresses(t *testing.T) {
	for _, tt := range []struct {
		in, ip, aton string // "" = refused
	}{
		{"1.2.3.4", "1.2.3.4", "1.2.3.4"},
		{"*", "0.0.0.0", ""},
		{"[::1]", "::1", ""},
		{"[1.2.3.4]", "1.2.3.4", "1.2.3.4"},
		{"[*]", "", ""}, // shorter than "[::]"
		{"[::1", "", ""},
		{"[1]", "", ""},
		{"::1]", "", ""},
		{"fe80::1%lo", "", ""},
		{"010.1.1.1", "", "8.1.1.1"},
		{"1.2.3", "", "1.2.0.3"},
		{"1.2", "", "1.0.0.2"},
		{"1", "", "0.0.0.1"},
		{"0x7f.1", "", "127.0.0.1"},
		{"1.0x10.3.4", "", "1.16.3.4"},
		{"4294967295", "", "255.255.255.255"},
		{"4294967296", "", ""},
		{"256.1", "", ""},
		{"1.2.3.256", "", ""},
		{"1.2.65536", "", ""},
		{"08.1.1.1", "", ""},
		{"0x", "", ""},
		{"1.2.3.4.", "", ""},
		{"1..2", "", ""},
		{"+1", "", ""},
		{"localhost", "", ""},
	} {
		ip, ok := parseIP(tt.in)
		if got := map[bool]string{true: ip.String(), false: ""}[ok]; got != tt.ip {
			t.Errorf("parseIP(%q) = %q, want %q", tt.in, got, tt.ip)
		}
		host, _ := stripBrackets(tt.in)
		a, ok := inetAton(host)
		if got := map[bool]string{true: a.String(), false: ""}[ok]; got != tt.aton {
			t.Errorf("inetAton(%q) = %q, want %q", host, got, tt.aton)
		}
	}
	for in, want := range map[string]bool{
		"localhost": true, "a.example.": true, "x_y-z.local": true, "a..b": false, "": false,
		"256.1": false, "08.1.1.1": false, "a%b": false, "a b": false, strings.Repeat("a", 64): false,
	} {
		if got := isHostName(in); got != want {
			t.Errorf("isHostName(%q) = %v", in, got)
		}
	}
}
