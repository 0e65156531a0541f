package cli

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"hitless/engine/config"
)

// The differential test of the server-administration commands: the same
// commands, in the same order, go to HAProxy 2.6 and to a Server backed by
// a fakeAdmin configured like HAProxy's configuration below, and the
// answers must be equal byte for byte. The one field normalised is
// srv_time_since_last_change of show servers state (seconds since an
// event, which the two processes do not share). Ids and addresses are not
// normalised: the fake is configured with the ids HAProxy assigns.

const liveAdmin = liveSockets + `    nbthread 2

defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend fe
    bind 127.0.0.1:@PORT1@
    default_backend be

backend be
    server s1 127.0.0.1:8001
    server s2 127.0.0.1:8002 weight 20 maxconn 5
    server s3 127.0.0.1:8001 id 7 disabled
    server k1 127.0.0.1:8001 check port 8004 addr 127.0.0.2 disabled
    server k2 127.0.0.1:8001 track k1
    server a1 127.0.0.1:8002 agent-check agent-port 8004 agent-addr 127.0.0.3 disabled
    server s4 127.0.0.1:8003 backup
    server u1 unix@@DIR@/nonexistent.sock

backend st
    balance static-rr
    server x1 [::1]:8004 weight 10

backend off
    disabled
    server d1 127.0.0.1:8005

listen li
    bind 127.0.0.1:@PORT2@
    balance source
    id 42
    server l1 127.0.0.1:8006
`

// liveAdminFake returns a fakeAdmin in the state HAProxy is in right after
// loading liveAdmin. No health check runs there: the servers with one are
// disabled, and nothing listens behind the others.
func liveAdminFake() *fakeAdmin {
	be := &fakeBackend{BackendState: BackendState{Name: "be", ID: 3, DynamicWeights: true}}
	s3 := fakeSrv("s3", 7, "127.0.0.1", 8001, 1).disabled()
	s3.st.ForcedID = true
	k1 := fakeSrv("k1", 4, "127.0.0.1", 8001, 1).disabled()
	k1.referenced = true // tracked by k2
	k1.st.Check.Configured, k1.st.Check.Enabled = true, true
	k1.st.Check.Port, k1.st.Check.Addr = 8004, netip.MustParseAddr("127.0.0.2")
	// HAProxy's "port" and "addr" set the agent's too
	k1.st.Agent.Port, k1.st.Agent.Addr = 8004, netip.MustParseAddr("127.0.0.2")
	k2 := fakeSrv("k2", 5, "127.0.0.1", 8001, 1)
	k2.st.Tracks = "be/k1"
	k2.st.AdminState, k2.st.OpState, k2.st.Check.Health = AdminInheritedMaint, OpStopped, 0
	a1 := fakeSrv("a1", 6, "127.0.0.1", 8002, 1).disabled()
	a1.st.Agent.Configured, a1.st.Agent.Enabled = true, true
	a1.st.Agent.Port, a1.st.Agent.Addr = 8004, netip.MustParseAddr("127.0.0.3")
	u1 := fakeSrv("u1", 9, "0.0.0.0", 0, 1)
	u1.st.Addr = netip.Addr{} // a unix socket
	be.servers = []*fakeServer{
		fakeSrv("s1", 1, "127.0.0.1", 8001, 1),
		fakeSrv("s2", 2, "127.0.0.1", 8002, 20),
		s3, k1, k2, a1,
		fakeSrv("s4", 8, "127.0.0.1", 8003, 1),
		u1,
	}
	st := &fakeBackend{BackendState: BackendState{Name: "st", ID: 4}}
	st.servers = []*fakeServer{fakeSrv("x1", 1, "::1", 8004, 10)}
	off := &fakeBackend{BackendState: BackendState{Name: "off", ID: 5, Disabled: true}}
	off.servers = []*fakeServer{fakeSrv("d1", 0, "127.0.0.1", 8005, 1)}
	li := &fakeBackend{BackendState: BackendState{Name: "li", ID: 42, ForcedID: true}}
	li.servers = []*fakeServer{fakeSrv("l1", 1, "127.0.0.1", 8006, 1)}
	return &fakeAdmin{backends: []*fakeBackend{be, st, off, li}, sessions: map[uint64]bool{}}
}

// adminCases are run in order on both sides: state changes accumulate.
var adminCases = []string{
	// listings and lookups
	"show backend",
	"show backend foo",
	"show servers state",
	"show servers state be",
	"show servers state #4",
	"show servers state #42 extra",
	"show servers state nope",
	"show servers state fe",
	"show servers state #2",
	"show servers conn",
	"show servers conn st",
	"show servers conn #5",
	"show servers conn nope",
	"get weight be/s2",
	"get weight be",
	"get weight",
	"get weight be/zz",
	"get weight zz/s1",
	"get weight /s1",
	"get weight be/",
	"get weight #3/#2",
	"get weight #3x/#2y",
	"get weight be/#7",
	"get weight be/#-1",
	"get weight be/#abc",
	"get weight be/#0",
	"get weight #abc/s1",
	"get weight be/s1/x",
	"get weight a/b/c",
	"get weight //",
	"get weight fe/s1",
	"get weight off/d1",
	"get weight li/l1",
	"get weight be/s2 extra",

	// weights
	"set weight be/s1 abc",
	"set weight be/s1 150%",
	"set weight be/s1 300",
	"set weight be/s1 -1",
	"set weight be/s1 -1%",
	"set weight be/s1 10x",
	"set weight be/s1 10%x",
	"set weight be/s1 7%%",
	"set weight be/s1 %",
	"set weight be/s1 0x10",
	"set weight be/s1",
	"set weight be/s1 5",
	"get weight be/s1",
	"set weight be/s1 +7",
	"set weight be/s1 -0%",
	"get weight be/s1",
	"set weight be/s2 50%",
	"get weight be/s2",
	"set weight be/s2 2000%",
	"get weight be/s2",
	"set weight be/s2 99999999999999999999%",
	"set weight be/s2 99999999999999999999",
	"set weight be/s2 20 5",
	"get weight be/s2",
	"set weight st/x1 2",
	"set weight st/x1 0",
	"get weight st/x1",
	"set weight st/x1 100%",
	"set weight st/x1 5%",
	"set weight st/x1 200%",
	"set weight st/x1 10",
	"get weight st/x1",
	"set weight li/l1 2",
	"set weight be",
	"set weight",
	"set weight /s1 3",
	"set weight zz/s1 3",
	"set weight be/zz 3",
	"set weight off/d1 3",

	// set server: lookups and sub-commands
	"set server",
	"set server be",
	"set server /s1 state ready",
	"set server be/s1",
	"set server be/zz state ready",
	"set server be/zz foo",
	"set server off/d1 state ready",
	"set server be/s1 foo",
	"set server be/s1 maxconn 10",
	"set server be/s1 state",
	"set server be/s1 state foo",
	"set server be/s1 state drain",
	"show servers state be",
	"set server be/s1 state maint",
	"show servers state be",
	"set server be/s1 state drain",
	"set server be/s1 state ready",
	"show servers state be",
	"set server be/s1 health",
	"set server be/s1 health foo",
	"set server be/s1 health down",
	"show servers state be",
	"set server be/s1 state maint",
	"set server be/s1 health up",
	"show servers state be",
	"set server be/s1 state ready",
	"set server be/s1 health stopping",
	"show servers state be",
	"set server be/s1 state drain",
	"set server be/s1 health down",
	"set server be/s1 state ready",
	"show servers state be",
	"set server be/s1 health up x",
	"set server be/k2 health up",
	"set server be/k2 state maint",
	"show servers state be",
	"set server be/k2 state ready",
	"set server be/s1 weight",
	"set server be/s1 weight abc",
	"set server be/s1 weight 12",
	"get weight be/s1",

	// agents and checks
	"set server be/s1 agent",
	"set server be/s1 agent up",
	"set server be/a1 agent",
	"set server be/a1 agent foo",
	"set server be/a1 agent down",
	"set server be/a1 agent up",
	"set server be/a1 agent-send",
	"set server be/a1 agent-send hello",
	"set server be/s1 agent-send hello",
	"set server be/s1 agent-addr",
	"set server be/s1 agent-addr a..b",
	"set server be/s1 agent-port",
	"set server be/s1 agent-port x",
	// agent-addr resolves names (check-addr does not): "a..b" fails
	// without a DNS query, "localhost" comes from /etc/hosts
	"set server be/a1 agent-addr a..b",
	"set server be/a1 agent-addr localhost",
	"show servers state be",
	"set server be/a1 agent-addr 10.0.0.1",
	"set server be/a1 agent-addr ::1 port 5",
	"set server be/a1 agent-addr 10.0.0.1 port x",
	"set server be/a1 agent-addr 10.0.0.1 port",
	"set server be/a1 agent-addr 10.0.0.1 foo 9",
	"set server be/a1 agent-port 99999",
	"set server be/a1 agent-port -1",
	"set server be/a1 agent-port +5",
	"set server be/a1 agent-port 5/",
	"set server be/a1 agent-port 2147483648",
	"set server be/a1 agent-port -",
	"set server be/a1 agent-port 555",
	"set server be/s1 check-addr",
	"set server be/s1 check-addr 1.2.3.4",
	"set server be/s1 check-port",
	"set server be/s1 check-port 77",
	"set server be/k1 check-addr localhost",
	"set server be/k1 check-addr *",
	"set server be/k1 check-addr 10.0.0.5 port 6",
	"set server be/k1 check-port 77x",
	"set server be/k1 check-port 65536",
	"set server be/k1 check-port 00077",
	"show servers state be",
	"disable health be/k1",
	"set server be/k1 check-port 78",
	"enable health be/k1",
	"disable agent be/a1",
	"set server be/a1 agent up",
	"set server be/a1 agent-port 5",
	"enable agent be/a1",
	"show servers state be",
	"set server be/s1 fqdn",
	"set server be/s1 fqdn foo",
	"set server be/s1 ssl",
	"set server be/s1 ssl on",

	// addresses
	"set server be/s1 addr",
	"set server be/s1 addr foo",
	"set server be/s1 addr localhost",
	"set server be/s1 addr 010.0.0.1",
	"set server be/s1 addr 1.2.3",
	"set server be/s1 addr fe80::1%lo",
	"set server be/s1 addr 10.0.0.1",
	"set server be/s1 addr 10.0.0.1",
	"set server be/s1 addr 10.0.0.2 port 81",
	"set server be/s1 addr 10.0.0.2 port 81",
	"set server be/s1 addr 10.0.0.2 port",
	"set server be/s1 addr 10.0.0.2 port abc",
	"set server be/s1 addr 10.0.0.2 port -",
	"set server be/s1 addr 10.0.0.2 port 0",
	"set server be/s1 addr 10.0.0.2 port 70000",
	"set server be/s1 addr 10.0.0.3 port 99999999999999999999",
	"set server be/s1 addr 10.0.0.3 port 4294967301",
	"set server be/s1 addr 10.0.0.3 port 7x",
	"set server be/s1 addr 10.0.0.3 port +5",
	"set server be/s1 addr 10.0.0.3 port -1",
	"set server be/s1 addr 10.0.0.3 foo 5",
	"set server be/s1 addr 10.0.0.3 port 7 port 8",
	"set server be/s1 addr ::ffff:1.2.3.4",
	"set server be/s1 addr ::102:304",
	"set server be/s1 addr 1:0:0:0:0:0:0:8",
	"set server be/s1 addr *",
	"set server be/s1 addr 0.0.0.0",
	"set server be/u1 addr 1.2.3.4",
	"set server be/u1 addr 1.2.3.4 port 5",
	"set server be/u1 addr foo",
	"show servers state be",
	"show servers conn be",
	"set server be/k1 addr 127.0.0.1 port +1",
	"set server be/k1 addr 127.0.0.1 port +1",
	"set server be/k1 addr 127.0.0.1 port -3",
	"set server be/k1 addr 127.0.0.1 port 5",
	"set server be/k1 addr 127.0.0.1 port -0",
	"set server be/k1 addr 127.0.0.1 port 0",
	"set server be/k1 addr 127.0.0.1 port +0",
	"set server be/k1 addr 127.0.0.1 port 0x10",
	"set server be/k1 addr 127.0.0.1 port \\ 8",
	"set server be/s1 addr 127.0.0.1 port 8001",
	"show servers state",

	// maxconn
	"set maxconn server be/s1 7",
	"set maxconn server be/s1",
	"set maxconn server be/s1 -3",
	"set maxconn server be/s1 abc",
	"set maxconn server be/s1 10x",
	"set maxconn server be/s1 99999999999",
	"set maxconn server be/s1 0",
	"set maxconn server be",
	"set maxconn server",
	"set maxconn server zz/s1 3",
	"set maxconn server off/d1 3",

	// enable, disable
	"disable server",
	"disable server be",
	"disable server be/zz",
	"disable server be/s2",
	"disable server be/s2",
	"show servers state be",
	"enable server be/s2",
	"enable server be/s2 extra",
	"enable server be/s3",
	"show servers state be",
	"disable health be/s1",
	"enable health be/s1",
	"disable health",
	"disable health be/zz",
	"enable agent be/s1",
	"enable agent",
	"disable agent be/s1",
	"disable server off/d1",
	"enable health off/d1",

	// sessions
	"shutdown session",
	"shutdown session 0x1",
	"shutdown session abc",
	"shutdown session 0",
	"shutdown session 0x",
	"shutdown session 08",
	"shutdown session -1",
	"shutdown session \\ 0x10",
	"shutdown sessions server",
	"shutdown sessions server be",
	"shutdown sessions server be/zz",
	"shutdown sessions server off/d1",
	"shutdown sessions server be/s1",

	// dynamic servers
	"add server",
	"add server be",
	"add server be/",
	"add server /s9 1.2.3.4",
	"add server be/s9",
	"add server be/s9 ",
	"add server zz/s9 1.2.3.4",
	"add server #77/s9 1.2.3.4",
	"add server st/s9 1.2.3.4",
	"add server li/s9 1.2.3.4",
	"add server off/s9 1.2.3.4",
	"add server be/s1 1.2.3.4",
	"add server be/n1 1.2.3.4:8009",
	"add server be/n1 1.2.3.4",
	"add server #3/n2 1.2.3.4 weight 3",
	"add server be/n3 1.2.3.4:8011 id 40",
	"add server be/n4 1.2.3.4:8012 disabled",
	"show servers state be",
	"show servers conn be",
	"get weight be/n2",
	"set server be/n1 ssl on",
	"del server",
	"del server be",
	"del server be/",
	"del server /s3",
	"del server //s3",
	"del server be/zz",
	"del server zz/s1",
	"del server be/s1",
	"del server be/k1",
	"del server be/n1",
	"del server be/n1",
	"del server be/#40",
	"del server be/s3",
	"disable server be/s3",
	"del server be/s3",
	"show servers state be",
	"show backend",
}

func TestHAProxyAdminCommands(t *testing.T) {
	h := startHAProxy(t, liveAdmin)
	fake := liveAdminFake()
	ts := startServer(t, Options{Admin: fake, lookupHost: hostsOnly}, config.LevelAdmin)
	ts.src.setNbthread(2)
	for _, cmd := range adminCases {
		want := normaliseAdmin(cmd, framed(ask(t, h.admin, cmd+"\n", false)))
		got := normaliseAdmin(cmd, ts.exchange(t, cmd+"\n", false))
		if got != want {
			t.Errorf("%s", firstDiff(cmd, got, want))
		}
	}
}

// TestHAProxyAdminLevels checks that operator and user sockets get the
// same answers from both sides: the read-only commands work, the others
// are refused before their arguments are looked at.
func TestHAProxyAdminLevels(t *testing.T) {
	h := startHAProxy(t, liveAdmin)
	fake := liveAdminFake()
	for _, lv := range []struct {
		level config.Level
		sock  string
	}{{config.LevelOperator, h.oper}, {config.LevelUser, h.user}} {
		ts := startServer(t, Options{Admin: fake, lookupHost: hostsOnly}, lv.level)
		ts.src.setNbthread(2)
		for _, cmd := range []string{
			"show backend", "show servers state", "show servers state nope", "show servers conn li",
			"get weight be/s2", "get weight be",
			"set weight be/s1 3", "set weight be", "set server be/s1 state maint", "set server be",
			"set maxconn server be/s1 3", "set maxconn server be", "disable server be/s1", "disable server be",
			"enable server be/s1", "enable server", "disable health be/k1", "disable health",
			"enable health be/k1", "enable agent be/a1", "disable agent be/a1",
			"shutdown session", "shutdown session 0x1", "shutdown sessions server be/s1", "shutdown sessions server",
			"add server be/s9 1.2.3.4", "add server", "del server be/s3", "del server",
			"show servers state be",
		} {
			want := normaliseAdmin(cmd, framed(ask(t, lv.sock, cmd+"\n", false)))
			got := normaliseAdmin(cmd, ts.exchange(t, cmd+"\n", false))
			if got != want {
				t.Errorf("%v: %s", lv.level, firstDiff(cmd, got, want))
			}
		}
	}
}

// TestHAProxyAdminHelp checks the help lines of the commands against the
// live listing (wait excepted: HAProxy 2.6 has none).
func TestHAProxyAdminHelp(t *testing.T) {
	h := startHAProxy(t, liveAdmin)
	help := ask(t, h.admin, "help\n", false)
	for _, c := range adminCommands() {
		if c.Words[0] == "wait" {
			continue
		}
		if !strings.Contains(help, c.helpLine()) {
			t.Errorf("%q not in HAProxy's help", c.helpLine())
		}
	}
}

// framed applies hitless's framing rule to an answer of haproxy: every
// answer ends with a line feed and an empty line, where HAProxy 2.6
// leaves a few messages without their own line feed.
func framed(answer string) string {
	body, ok := strings.CutSuffix(answer, "\n")
	if ok && body != "" && !strings.HasSuffix(body, "\n") {
		return body + "\n\n"
	}
	return answer
}

// normaliseAdmin blanks srv_time_since_last_change in the answer of show
// servers state.
func normaliseAdmin(cmd, answer string) string {
	if !strings.HasPrefix(cmd, "show servers state") {
		return answer
	}
	lines := strings.Split(answer, "\n")
	for i, l := range lines {
		if f := strings.Split(l, " "); len(f) == 25 && !strings.HasPrefix(l, "#") {
			f[9] = "T"
			lines[i] = strings.Join(f, " ")
		}
	}
	return strings.Join(lines, "\n")
}

func (f *fakeSource) setNbthread(n uint64) {
	f.mu.Lock()
	f.info.Nbthread = n
	f.mu.Unlock()
}

// hostsOnly resolves the names of the test machine's /etc/hosts that the
// tests use, so that no test sends a DNS query.
func hostsOnly(host string) (netip.Addr, bool) {
	if host == "localhost" {
		return netip.MustParseAddr("127.0.0.1"), true
	}
	return netip.Addr{}, false
}

// TestHAProxyAdminRandom sends the same pseudo-random stream of server
// commands, well-formed or not, to HAProxy and to the fake (fixed seed,
// so the test is deterministic), comparing every answer as
// TestHAProxyAdminCommands does. "add server" with keywords is left out:
// keywords are the engine's parser's business, not the fake's. No address
// in the vocabulary needs a DNS query on either side.
func TestHAProxyAdminRandom(t *testing.T) {
	h := startHAProxy(t, liveAdmin)
	ts := startServer(t, Options{Admin: liveAdminFake(), lookupHost: hostsOnly}, config.LevelAdmin)
	ts.src.setNbthread(2)
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	srv := func() string {
		return pick("be/s1", "be/s2", "be/s3", "be/k1", "be/k2", "be/a1", "be/s4", "be/u1", "st/x1", "off/d1",
			"li/l1", "be", "be/", "/s1", "#3/#2", "be/#7", "zz/s1", "be/zz", "", "#42/#1", "be/#-1", "li/#1")
	}
	num := func() string {
		return pick("0", "1", "5", "20", "256", "257", "-1", "-0", "50%", "150%", "0%", "100%", "abc", "", "7x",
			"+3", "99999999999999999999", "%", "1%%", "-5%", "4294967301", "65535", "65536", `\ 8`, "-")
	}
	ip := func() string {
		return pick("1.2.3.4", "127.0.0.1", "::1", "*", "a..b", "010.1.1.1", "::ffff:1.2.3.4", "::102:304", "",
			"0.0.0.0", "1.2.3", "0x7f.1", "[::1]", "[1.2.3.4]", "[::1", "::1]", "fe80::1%lo", "localhost")
	}
	gen := func() string {
		switch r.IntN(14) {
		case 0:
			return "set weight " + srv() + " " + num()
		case 1:
			return "get weight " + srv()
		case 2:
			return "set server " + srv() + " " + pick("state", "health", "agent") + " " +
				pick("ready", "drain", "maint", "up", "down", "stopping", "", "x")
		case 3:
			return "set server " + srv() + " addr " + ip() + pick("", " port "+num(), " port", " x 1")
		case 4:
			return "set server " + srv() + " " + pick("check-addr", "agent-addr") + " " + ip() + pick("", " port "+num())
		case 5:
			return "set server " + srv() + " " + pick("check-port", "agent-port", "agent-send", "weight", "fqdn",
				"ssl", "maxconn", "foo", "") + " " + num()
		case 6:
			return "set maxconn server " + srv() + " " + num()
		case 7:
			return pick("enable", "disable") + " " + pick("server", "health", "agent") + " " + srv()
		case 8:
			return "shutdown " + pick("session "+num(), "sessions server "+srv())
		case 9:
			return "show servers " + pick("state", "conn") + " " + pick("", "be", "st", "#5", "off", "nope", "li")
		case 10:
			return "del server " + srv()
		case 11:
			return "add server " + pick("be/n"+pick("1", "2", "3"), srv(), "st/q", "off/q") + " " +
				pick("", "1.2.3.4", "1.2.3.4:80", "[::1]:81")
		case 12:
			return "show backend"
		}
		return "set server " + srv() + " " + pick("state", "health", "weight", "addr") + " " +
			pick("ready", "maint", "drain", "up", num(), ip())
	}
	failures := 0
	for i := 0; i < 3000 && failures < 10; i++ {
		cmd := gen()
		want := normaliseAdmin(cmd, framed(ask(t, h.admin, cmd+"\n", false)))
		got := normaliseAdmin(cmd, ts.exchange(t, cmd+"\n", false))
		if got != want {
			failures++
			t.Errorf("command #%d: %s", i, firstDiff(cmd, got, want))
		}
	}
}
