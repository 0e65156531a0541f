package cli

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"hitless/engine/config"
)

// The tests in this file run the real HAProxy 2.6 beside our server and
// compare answers byte for byte. Without haproxy they are skipped, unless
// CI=true, where a missing reference is a failure.

// liveHAProxy is a running haproxy with stats sockets at three levels.
type liveHAProxy struct {
	admin, oper, user string // socket paths
}

func needHAProxy(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("haproxy not found; the differential tests need HAProxy 2.6")
		}
		t.Skip("haproxy not found")
	}
	out, err := exec.Command(path, "-v").Output()
	if err != nil || !bytes.Contains(out, []byte("version 2.6.")) {
		t.Skipf("not HAProxy 2.6: %s", bytes.SplitN(out, []byte("\n"), 2)[0])
	}
	return path
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// startHAProxy runs haproxy in the foreground with cfg, where @DIR@ is a
// temporary directory and @PORTn@ (n = 1..4) free TCP ports, and waits for
// its stats sockets. The process is killed at the end of the test.
func startHAProxy(t *testing.T, cfg string) *liveHAProxy {
	t.Helper()
	bin := needHAProxy(t)
	dir := t.TempDir()
	h := &liveHAProxy{
		admin: filepath.Join(dir, "admin.sock"),
		oper:  filepath.Join(dir, "oper.sock"),
		user:  filepath.Join(dir, "user.sock"),
	}
	r := strings.NewReplacer("@DIR@", dir, "@PORT1@", freePort(t), "@PORT2@", freePort(t), "@PORT3@", freePort(t), "@PORT4@", freePort(t))
	cfgPath := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfgPath, []byte(r.Replace(cfg)), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin, "-d", "-f", cfgPath)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		ready := true
		for _, path := range []string{h.admin, h.oper, h.user} {
			c, err := net.Dial("unix", path)
			if err != nil {
				ready = false
				break
			}
			c.Close()
		}
		if ready {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy did not open its stats socket:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ask sends in to the socket at path, half-closing if shut, and returns
// everything read until the server closes.
func ask(t *testing.T, path, in string, shut bool) string {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, in); err != nil {
		t.Fatal(err)
	}
	if shut {
		c.(*net.UnixConn).CloseWrite()
	}
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("%q: %v (got %q)", in, err, out)
	}
	return string(out)
}

const liveSockets = `
global
    stats socket @DIR@/admin.sock mode 600 level admin
    stats socket @DIR@/oper.sock
    stats socket @DIR@/user.sock level user
    stats timeout 10s
`

const liveTCP = liveSockets + `
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s

listen lst
    bind 127.0.0.1:@PORT1@
    option socket-stats
    server s1 127.0.0.1:@PORT2@
    server s2 127.0.0.1:@PORT2@ check inter 100 backup

frontend fe
    bind 127.0.0.1:@PORT3@ name main
    default_backend be

backend be
    balance leastconn
    server b1 127.0.0.1:@PORT4@ check maxconn 10 maxqueue 5
    server b2 127.0.0.1:@PORT4@ disabled
    server b3 127.0.0.1:@PORT4@ track b1
`

const liveHTTP = liveSockets + `
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s

frontend fh
    bind 127.0.0.1:@PORT1@
    rate-limit sessions 10
    default_backend bh

backend bh
    cookie SRV insert
    server h1 127.0.0.1:@PORT2@ check cookie c1 observe layer4
    server h2 127.0.0.1:@PORT2@ backup
`

// TestHAProxyFraming compares whole exchanges made only of commands whose
// answers do not depend on the process (levels, prompt, quit, errors), so
// that framing, splitting, escapes, payloads and levels are checked against
// the real thing.
func TestHAProxyFraming(t *testing.T) {
	h := startHAProxy(t, liveTCP)
	ours := map[config.Level]*testServer{
		config.LevelAdmin:    startServer(t, Options{}, config.LevelAdmin),
		config.LevelOperator: startServer(t, Options{}, config.LevelOperator),
		config.LevelUser:     startServer(t, Options{}, config.LevelUser),
	}
	theirs := map[config.Level]string{config.LevelAdmin: h.admin, config.LevelOperator: h.oper, config.LevelUser: h.user}
	inputs := []struct {
		in   string
		shut bool
	}{
		{"show cli level\n", false},
		{"show cli level\n", true},
		{"show cli level", true},
		{"show cli level;show cli level\n", false},
		{"show cli level;show cli level", true},
		{"show cli level\r\n", false},
		{"show cli level\nshow cli level\n", false},
		{"show cli level\\\n", true},
		{"show cli\\ level\n", false},
		{"show\\;cli level;show cli level\n", false},
		{"show cli lev\\el\n", false},
		{"user;show cli level\n", false},
		{"operator;show cli level\n", false},
		{"user;operator;show cli level\n", false},
		{"user -;show cli level\n", false},
		{"operator -;show cli level\n", false},
		{"user -\n", false},
		{"show cli level;quit;show cli level\n", false},
		{"quit\n", false},
		{"prompt\n", true},
		{"prompt\nshow cli level\nuser\nshow cli level\nquit\n", false},
		{"prompt;prompt\n", false},
		{"prompt\nshow cli level <<\na\nb\n\nquit\n", false},
		{"show cli level <<\na;b\n\n", false},
		{"show cli level <<\n", true},
		{"prompt\nuser -\noperator -\nquit\n", false},
		{"show cli lvl\n", false},
		{"show  cli   level\t\n", false},
	}
	for _, level := range []config.Level{config.LevelAdmin, config.LevelOperator, config.LevelUser} {
		for _, tt := range inputs {
			want := ask(t, theirs[level], tt.in, tt.shut)
			if strings.Contains(want, "Unknown command") {
				// suggestions list HAProxy's whole command set: compare the
				// part that is about ours only
				want = want[:strings.Index(want, "\n")+1]
			}
			got := ours[level].exchange(t, tt.in, tt.shut)
			if strings.Contains(got, "Unknown command") {
				got = got[:strings.Index(got, "\n")+1]
			}
			if got != want {
				t.Errorf("%v socket, %q (shut %v):\n got %q\nwant %q", level, tt.in, tt.shut, got, want)
			}
		}
	}
}

// TestHAProxySuggestions compares unknown-command answers with HAProxy's
// own keyword table loaded into our command table.
func TestHAProxySuggestions(t *testing.T) {
	h := startHAProxy(t, liveTCP)
	tbl := haproxyTable(t)
	for _, in := range []string{"foo", "help foo", "show", "disable", "show stats", "set wieght", "sho info", "enable srv", "help show", "shutdown", "x y z", "SHOW info", ""} {
		want := ask(t, h.admin, in+"\n", false)
		if suggestTies[in] {
			continue
		}
		args, _ := splitWords(nil, []byte(in))
		var got string
		if len(args) > 0 && args[0] == "help" {
			got = tbl.usage(args[1:], true) + "\n"
		} else {
			got = tbl.usage(args, false) + "\n"
		}
		if got != want {
			t.Errorf("%q:\n got %q\nwant %q", in, got, want)
		}
	}
}

// TestHAProxyStat rebuilds rows from HAProxy's typed dump, serves them, and
// compares show stat in every format, at operator/admin and user level.
// The dumps of one command line may straddle a second (lastchg), so a
// mismatch is retried on a fresh capture before failing.
func TestHAProxyStat(t *testing.T) {
	for _, tc := range []struct{ name, cfg string }{{"tcp", liveTCP}, {"http", liveHTTP}} {
		t.Run(tc.name, func(t *testing.T) {
			h := startHAProxy(t, tc.cfg)
			for _, level := range []config.Level{config.LevelAdmin, config.LevelUser} {
				sock := h.admin
				if level == config.LevelUser {
					sock = h.user
				}
				ts := startServer(t, Options{}, level)
				var diff string
				for attempt := 0; attempt < 5; attempt++ {
					answers := strings.Split(ask(t, h.admin, "show stat typed desc;show stat;show stat typed;show stat json\n", false), "\n\n")
					userAnswers := strings.Split(ask(t, sock, "show stat;show stat typed\n", false), "\n\n")
					ts.src.mu.Lock()
					ts.src.rows = ts.src.rows[:0]
					for _, o := range parseTyped(t, answers[0]) {
						ts.src.rows = append(ts.src.rows, rowFromTyped(t, o))
					}
					ts.src.mu.Unlock()
					diff = ""
					type check struct{ in, want string }
					checks := []check{
						{"show stat typed desc\n", answers[0]},
						{"show stat\n", answers[1]},
						{"show stat typed\n", answers[2]},
						{"show stat json\n", answers[3]},
					}
					if level == config.LevelUser {
						// addresses, cookies and algorithms hidden
						checks = []check{{"show stat\n", userAnswers[0]}, {"show stat typed\n", userAnswers[1]}}
					}
					for _, c := range checks {
						if got := ts.exchange(t, c.in, false); got != c.want+"\n\n" {
							diff = firstDiff(c.in, got, c.want+"\n\n")
							break
						}
					}
					if diff == "" {
						break
					}
				}
				if diff != "" {
					t.Errorf("%v socket: %s", level, diff)
				}
			}
		})
	}
}

// TestHAProxyStatColumns checks the header and, per row type, which columns
// are non-empty, straight from HAProxy's CSV.
func TestHAProxyStatColumns(t *testing.T) {
	h := startHAProxy(t, liveTCP)
	ts := startServer(t, Options{}, config.LevelAdmin)
	var got, want string
	for attempt := 0; attempt < 5; attempt++ {
		// one command line, so both dumps describe the same state unless
		// a check completes in between: then try again
		answers := strings.Split(ask(t, h.admin, "show stat;show stat typed\n", false), "\n\n")
		csv, typed := answers[0]+"\n\n", answers[1]
		header, _, _ := strings.Cut(csv, "\n")
		if header+"\n" != statHeader {
			t.Fatalf("header:\n got %q\nwant %q", statHeader, header)
		}
		ts.src.mu.Lock()
		ts.src.rows = ts.src.rows[:0]
		for _, o := range parseTyped(t, typed) {
			ts.src.rows = append(ts.src.rows, rowFromTyped(t, o))
		}
		ts.src.mu.Unlock()
		got, want = nonEmptyByType(ts.exchange(t, "show stat\n", false)), nonEmptyByType(csv)
		if got == want {
			return
		}
	}
	t.Errorf("non-empty columns per row type:\n got %s\nwant %s", got, want)
}

// nonEmptyByType summarises a CSV answer as, for each row type, the
// columns non-empty in at least one row.
func nonEmptyByType(csv string) string {
	lines := strings.Split(strings.TrimSuffix(csv, "\n\n"), "\n")
	names := strings.Split(strings.TrimPrefix(lines[0], "# "), ",")
	sets := map[string]map[string]bool{}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		typ := f[stType]
		if sets[typ] == nil {
			sets[typ] = map[string]bool{}
		}
		for i, v := range f {
			if v != "" && i < len(names) {
				sets[typ][names[i]] = true
			}
		}
	}
	var b strings.Builder
	for _, typ := range []string{"0", "1", "2", "3"} {
		b.WriteString("\ntype " + typ + ":")
		for _, n := range names {
			if sets[typ][n] {
				b.WriteString(" " + n)
			}
		}
	}
	return b.String()
}

// TestHAProxyInfo compares show info in every format with HAProxy's
// answers, rebuilding the figures from each answer.
func TestHAProxyInfo(t *testing.T) {
	h := startHAProxy(t, liveTCP)
	ts := startServer(t, Options{}, config.LevelAdmin)
	for _, in := range []string{"show info\n", "show info desc\n", "show info typed\n", "show info typed desc\n", "show info json\n"} {
		want := ask(t, h.admin, in, false)
		ts.src.mu.Lock()
		ts.src.info = infoFrom(t, strings.TrimSuffix(want, "\n\n"))
		ts.src.mu.Unlock()
		if got := ts.exchange(t, in, false); got != want {
			t.Error(firstDiff(in, got, want))
		}
	}
}

func firstDiff(in, got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(gl) && i < len(wl); i++ {
		if gl[i] != wl[i] {
			return "answer to " + strconv.Quote(in) + ": line " + strconv.Itoa(i+1) + ":\n got " + strconv.Quote(gl[i]) + "\nwant " + strconv.Quote(wl[i])
		}
	}
	return "answer to " + strconv.Quote(in) + ": " + strconv.Itoa(len(gl)) + " lines, want " + strconv.Itoa(len(wl))
}
