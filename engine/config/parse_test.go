package config

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// noEnv is an environment without any variable, so that tests never
// depend on the process environment.
func noEnv(string) (string, bool) { return "", false }

func envOf(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

// diagLines formats diagnostics as "SEVERITY text".
func diagLines(diags []Diag) []string {
	var out []string
	for _, d := range diags {
		out = append(out, d.Sev.String()+" "+d.String())
	}
	return out
}

// parseAll parses cfg as "t.cfg" and returns every diagnostic, whether
// the configuration was accepted or not.
func parseAll(t *testing.T, cfg string, opts Options) (*Config, []string) {
	t.Helper()
	if opts.LookupEnv == nil {
		opts.LookupEnv = noEnv
	}
	c, err := Parse("t.cfg", []byte(cfg), opts)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("Parse returned %T %v, want *Error", err, err)
		}
		if c != nil {
			t.Fatal("Parse returned a Config with an error")
		}
		return nil, diagLines(e.Diags)
	}
	out := diagLines(c.Warnings)
	for _, w := range c.Warnings {
		if w.Sev != SevWarning {
			t.Errorf("Warnings holds %v", w)
		}
	}
	return c, out
}

// parseOK parses cfg and fails the test on any alert.
func parseOK(t *testing.T, cfg string) *Config {
	t.Helper()
	c, diags := parseAll(t, cfg, Options{})
	if c == nil {
		t.Fatalf("Parse failed:\n%s", strings.Join(diags, "\n"))
	}
	return c
}

// minimal is prepended to proxy snippets so that only the lines under
// test produce diagnostics.
const minimal = "defaults\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n"

func TestParseUserConfig(t *testing.T) {
	data, err := os.ReadFile("testdata/user-mysql.cfg")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("user-mysql.cfg", data, Options{LookupEnv: noEnv})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	g := c.Global
	if !g.Daemon || g.Pidfile != "/var/run/haproxy.pid" || g.Chroot != "/var/lib/haproxy" || g.User != "haproxy" || g.Group != "haproxy" {
		t.Errorf("global = %+v", g)
	}
	wantSockets := []StatsSocket{
		{Addr: "/var/lib/haproxy/stats", Kind: AddrUnix, Path: "/var/lib/haproxy/stats", Mode: 0o666, ModeSet: true, Level: LevelUser, File: "user-mysql.cfg", Line: 8},
		{Addr: "/var/lib/haproxy/stats-admin", Kind: AddrUnix, Path: "/var/lib/haproxy/stats-admin", Mode: 0o600, ModeSet: true, Level: LevelAdmin, File: "user-mysql.cfg", Line: 9},
	}
	if !reflect.DeepEqual(g.StatsSockets, wantSockets) {
		t.Errorf("stats sockets = %+v", g.StatsSockets)
	}
	if len(g.Logs) != 1 || g.Logs[0].Address != "127.0.0.1" || g.Logs[0].Facility != "local2" {
		t.Errorf("global logs = %+v", g.Logs)
	}
	if len(c.Proxies) != 1 {
		t.Fatalf("%d proxies", len(c.Proxies))
	}
	px := c.Proxy("mysql-cluster", CapFE|CapBE)
	if px == nil {
		t.Fatal("no listen mysql-cluster")
	}
	if px.Mode != ModeTCP || px.Retries != 2 || px.DefaultBackend != "" || px.ID != 2 || g.CLIProxyID != 1 {
		t.Errorf("proxy = %+v", px)
	}
	if want := (Timeouts{Connect: 100 * time.Millisecond, Server: time.Hour, Client: time.Hour}); px.Timeouts != want {
		t.Errorf("timeouts = %+v", px.Timeouts)
	}
	if len(px.Binds) != 1 || px.Binds[0].Kind != AddrIPv4 || px.Binds[0].Host != "" || px.Binds[0].PortFirst != 3306 || px.Binds[0].PortLast != 3306 {
		t.Errorf("binds = %+v", px.Binds)
	}
	if len(px.Logs) != 1 || !px.Logs[0].Global {
		t.Errorf("proxy logs = %+v", px.Logs)
	}
	if px.Balance.Algo != "roundrobin" || px.RedispatchInterval != -1 {
		t.Errorf("balance = %+v %d", px.Balance, px.RedispatchInterval)
	}
	if c := px.Check; c.Kind != CheckMySQL || c.MySQLUser != "haproxy_check" || c.MySQLPre41 || c.Line != 27 {
		t.Errorf("check = %+v", c)
	}
	if len(px.Servers) != 2 {
		t.Fatalf("%d servers", len(px.Servers))
	}
	for i, s := range px.Servers {
		if s.ID != i+1 || !s.Check || s.Inter != 500*time.Millisecond || s.Fall != 5 || s.Rise != 2 ||
			s.Weight != 1 || s.OnMarkedDown != "shutdown-sessions" || s.Host != "127.0.0.1" || s.Port != 3307+i || s.Backup != (i == 1) {
			t.Errorf("server %d = %+v", i, s)
		}
	}
	want := []string{
		"WARNING parsing [user-mysql.cfg:3] : 'chroot' is not supported yet and is ignored.",
		"WARNING parsing [user-mysql.cfg:5] : 'user' is not supported yet and is ignored.",
		"WARNING parsing [user-mysql.cfg:6] : 'group' is not supported yet and is ignored.",
		"WARNING parsing [user-mysql.cfg:10] : 'ssl-default-bind-ciphers' is not supported yet and is ignored.",
		"WARNING parsing [user-mysql.cfg:11] : 'ca-base' is not supported yet and is ignored.",
		"WARNING parsing [user-mysql.cfg:12] : 'crt-base' is not supported yet and is ignored.",
		"WARNING parsing [user-mysql.cfg:13] : 'tune.ssl.default-dh-param' is not supported yet and is ignored.",
	}
	if got := diagLines(c.Warnings); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestParseDiagnostics checks messages and locations, one configuration
// per row. Unless noted, the messages are HAProxy 2.6.12's.
// diagCase is one configuration and the diagnostics it must produce.
// Rows whose name ends with "(hitless)" are about hitless's own
// behaviour; the others reproduce HAProxy 2.6.12 exactly, unless
// haproxyDiffers says how HAProxy's output differs.
type diagCase struct {
	name string
	cfg  string
	want []string
}

var diagCases = []diagCase{
	{"out of section", "foo bar\n", []string{"ALERT parsing [t.cfg:1]: unknown keyword 'foo' out of section."}},
	{"global unknown", "global\n  wieght 3\n", []string{"ALERT parsing [t.cfg:2] : unknown keyword 'wieght' in 'global' section"}},
	{"global suggestion", "global\n  bind :80\n", []string{"ALERT parsing [t.cfg:2] : unknown keyword 'bind' in 'global' section; did you mean 'unix-bind' maybe ?"}},
	{"global suggestion node", "global\n  mode tcp\n", []string{"ALERT parsing [t.cfg:2] : unknown keyword 'mode' in 'global' section; did you mean 'node' maybe ?"}},
	{"nbthread range", "global\n  nbthread 0\n  nbthread 65\n  nbthread -1\n", []string{
		"ALERT parsing [t.cfg:2] : 'nbthread' value must be between 1 and 64 (was 0)",
		"ALERT parsing [t.cfg:3] : 'nbthread' value must be between 1 and 64 (was 65)",
		"ALERT parsing [t.cfg:4] : 'nbthread' value must be between 1 and 64 (was -1)",
	}},
	{"nbthread syntax", "global\n  nbthread abc\n  nbthread\n  nbthread 4x\n", []string{
		"ALERT parsing [t.cfg:2] : 'nbthread' passed a missing or unparsable integer value in 'abc'",
		"ALERT parsing [t.cfg:3] : 'nbthread' passed a missing or unparsable integer value in ''",
		"ALERT parsing [t.cfg:4] : 'nbthread' passed a missing or unparsable integer value in '4x'",
	}},
	{"maxconn", "global\n  maxconn\n  maxconn 10 20\n", []string{
		"ALERT parsing [t.cfg:2] : 'maxconn' expects an integer argument.",
		"ALERT parsing [t.cfg:3] : 'maxconn' cannot handle unexpected argument '20'.",
	}},
	{"hard-stop-after", "global\n  hard-stop-after 10x\n  hard-stop-after\n  hard-stop-after 25d\n", []string{
		"ALERT parsing [t.cfg:2] : unexpected character 'x' in argument to <hard-stop-after>.",
		"ALERT parsing [t.cfg:3] : 'hard-stop-after' expects <time> as argument.",
		"ALERT parsing [t.cfg:4] : timer overflow in argument '25d' to 'hard-stop-after' (maximum value is 2147483647 ms or ~24.8 days)",
	}},
	{"spread-checks", "global\n  spread-checks 60\n", []string{"ALERT parsing [t.cfg:2]: 'spread-checks' needs a positive value in range 0..50."}},
	{"spread-checks twice", "global\n  spread-checks 5\n  spread-checks 6\n", []string{"ALERT parsing [t.cfg:3]: spread-checks already specified. Continuing."}},
	{"tune", "global\n  tune.bufsize 0\n  tune.bufsize abc\n  tune.maxaccept\n", []string{
		"ALERT parsing [t.cfg:2] : 'tune.bufsize' expects a positive integer argument.",
		"ALERT parsing [t.cfg:3] : 'tune.bufsize' expects a positive integer argument.",
		"ALERT parsing [t.cfg:4] : 'tune.maxaccept' expects an integer argument.",
	}},
	{"stats", "global\n  stats timeout 10x\n  stats timeout 0\n  stats maxconn 0\n  stats foo\n", []string{
		"ALERT parsing [t.cfg:2] : 'stats timeout' : unexpected character 'x'",
		"ALERT parsing [t.cfg:3] : 'stats timeout' expects a positive value",
		"ALERT parsing [t.cfg:4] : 'stats maxconn' expects a positive value",
		"ALERT parsing [t.cfg:5] : 'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got 'foo')",
	}},
	{"stats socket", "global\n  stats socket\n  stats socket /a level foo\n  stats socket /a mode 999\n  stats socket /a mode\n  stats socket /a expose-fd foo\n  stats socket /a foo\n  stats socket /a level\n", []string{
		"ALERT parsing [t.cfg:2] : 'stats socket' in global section expects an address or a path to a UNIX socket",
		"ALERT parsing [t.cfg:3] : 'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got 'foo')'",
		"ALERT parsing [t.cfg:4] : 'stats socket' : ''mode' : missing or invalid mode '999' (octal integer expected)'",
		"ALERT parsing [t.cfg:5] : 'stats socket' : ''mode' : missing or invalid mode '' (octal integer expected)'",
		"ALERT parsing [t.cfg:6] : 'stats socket' : ''expose-fd' only supports 'listeners' (got 'foo')'",
		"ALERT parsing [t.cfg:7] : 'stats socket' : unknown keyword 'foo'. Did you mean 'tfo' maybe ?",
		"ALERT parsing [t.cfg:8] : 'stats socket' : ''level' : missing level'",
	}},
	{"stats socket ignored options (hitless)", "global\n  stats socket /a user root uid 0\n", []string{
		"WARNING parsing [t.cfg:2] : 'stats socket' : 'user' is not supported yet and is ignored.",
		"WARNING parsing [t.cfg:2] : 'stats socket' : 'uid' is not supported yet and is ignored.",
	}},
	{"acls reading the other half", minimal + "  mode http\nfrontend f\n  bind :80\n  acl x res.hdr(foo) -m found\n  acl x path /a\n  acl z status 200\n  acl z res.hdr(a) -m found\n  use_backend b if z\n  use_backend b if x\n  http-request deny if { status 200 } or { path /a }\n  http-request deny if { path /a } !{ res.hdr(a) b }\n  http-response deny if { method GET }\n  http-response deny if { url_param(a) b }\n  http-response deny if { path_beg /a }\n  default_backend b\nbackend b\n  acl z status 200\n  acl p path /\n  http-request deny if z\n  http-response deny unless p\n  redirect location /x if z\n  http-request deny if TRUE\n  stats admin if z\n  stats http-request deny if z\n  server s 127.0.0.1:9\nlisten l\n  bind :81\n  http-request deny if { status 200 }\n  http-response deny if { path / }\n", []string{
		"WARNING parsing [t.cfg:12] : acl 'z' will never match because it only involves keywords that are incompatible with 'frontend use-backend rule'",
		"WARNING parsing [t.cfg:13] : acl 'x' involves keywords 'res.hdr' which is incompatible with 'frontend use-backend rule'",
		"WARNING parsing [t.cfg:14] : a 'http-request' rule placed after a 'use_backend' rule will still be processed before.",
		"WARNING parsing [t.cfg:14] : anonymous acl will never match because it uses keyword 'status' which is incompatible with 'frontend http-request header rule'",
		"WARNING parsing [t.cfg:15] : a 'http-request' rule placed after a 'use_backend' rule will still be processed before.",
		"WARNING parsing [t.cfg:15] : anonymous acl will never match because it uses keyword 'res.hdr' which is incompatible with 'frontend http-request header rule'",
		"WARNING parsing [t.cfg:17] : anonymous acl will never match because it uses keyword 'url_param' which is incompatible with 'frontend http-response header rule'",
		"WARNING parsing [t.cfg:18] : anonymous acl will never match because it uses keyword 'path_beg' which is incompatible with 'frontend http-response header rule'",
		"WARNING parsing [t.cfg:23] : acl 'z' will never match because it only involves keywords that are incompatible with 'backend http-request header rule'",
		"WARNING parsing [t.cfg:24] : acl 'p' will never match because it only involves keywords that are incompatible with 'backend http-response header rule'",
		"WARNING parsing [t.cfg:25] : acl 'z' will never match because it only involves keywords that are incompatible with 'backend http-request header rule'",
		"WARNING parsing [t.cfg:26] : a 'http-request' rule placed after a 'redirect' rule will still be processed before.",
		"WARNING parsing [t.cfg:27] : acl 'z' will never match because it only involves keywords that are incompatible with 'backend http-request header rule'",
		"WARNING parsing [t.cfg:28] : acl 'z' will never match because it only involves keywords that are incompatible with 'backend http-request header rule'",
		"WARNING parsing [t.cfg:32] : anonymous acl will never match because it uses keyword 'status' which is incompatible with 'frontend http-request header rule'",
		"WARNING parsing [t.cfg:33] : anonymous acl will never match because it uses keyword 'path' which is incompatible with 'backend http-response header rule'",
	}},
	{"hdr() in a response acl", minimal + "  mode http\nlisten l\n  bind :80\n  http-response deny if { hdr(x) a }\n  http-response deny if { hdr_beg(x) a }\n  http-response deny if { res.hdr(x) a }\n  server s 127.0.0.1:9\n", []string{
		"WARNING parsing [t.cfg:8] : anonymous acl will never match because it uses keyword 'hdr' which is incompatible with 'backend http-response header rule'",
		"WARNING parsing [t.cfg:9] : anonymous acl will never match because it uses keyword 'hdr_beg' which is incompatible with 'backend http-response header rule'",
	}},
	{"master-worker no-exit-on-failure (hitless)", "global\n  master-worker no-exit-on-failure\n", []string{
		"WARNING parsing [t.cfg:2] : 'master-worker no-exit-on-failure' is not supported yet and is ignored: the master exits when its current worker fails.",
	}},
	{"global args", "global\n  pidfile\n  pidfile a b\n  daemon x\n  node\n  node a/b\n  description\n  log-tag\n  master-worker foo\n  nbproc 2\n", []string{
		"ALERT parsing [t.cfg:2] : 'pidfile' expects a file name as an argument.",
		"ALERT parsing [t.cfg:3] : 'pidfile' cannot handle unexpected argument 'b'.",
		"ALERT parsing [t.cfg:4] : 'daemon' cannot handle unexpected argument 'x'.",
		"ALERT parsing [t.cfg:5]: 'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_).",
		"ALERT parsing [t.cfg:6]: 'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_).",
		"ALERT parsing [t.cfg:7]: 'description' expects a string argument.",
		"ALERT parsing [t.cfg:8] : 'log-tag' expects a tag for use in syslog.",
		"ALERT parsing [t.cfg:9] : 'master-worker' only supports 'no-exit-on-failure' option.",
		"ALERT parsing [t.cfg:10] : nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.",
	}},
	{"log", "global\n  log\n  log stdout foo\n  log 127.0.0.1 local0 info err x\n  log global\n  log 127.0.0.1 local0 foo\n  log 127.0.0.1 len 10 local0\n  log 127.0.0.1 format foo local0\n  log 127.0.0.1:99999 local0\n", []string{
		"ALERT parsing [t.cfg:2] : log : expects <address> and <facility>  as arguments",
		"ALERT parsing [t.cfg:3] : log : unknown log facility 'foo'",
		"ALERT parsing [t.cfg:4] : log : cannot handle unexpected argument 'x'",
		"ALERT parsing [t.cfg:5] : log : 'global' is not supported for a global syslog server",
		"ALERT parsing [t.cfg:6] : log : unknown optional log level 'foo'",
		"ALERT parsing [t.cfg:7] : log : invalid log length '10', must be between 80 and 65535",
		"ALERT parsing [t.cfg:8] : log : unknown log format 'foo'",
		"ALERT parsing [t.cfg:9] : log : invalid port '99999'",
	}},
	{"setenv", "global\n  setenv\n  setenv A\n  unsetenv\n  presetenv A\n", []string{
		"ALERT parsing [t.cfg:2]: 'setenv' expects a name and a value.",
		"ALERT parsing [t.cfg:3]: 'setenv' expects a name and a value.",
		"ALERT parsing [t.cfg:4]: 'unsetenv' expects at least one variable name.",
		"ALERT parsing [t.cfg:5]: 'presetenv' expects a name and a value.",
	}},
	{"cpu-map", "global\n  cpu-map 1/1-2\n  cpu-map 1/0 0\n  cpu-map 1/65 0\n  cpu-map auto:1/1-4 0-1\n  cpu-map 1/all 0 x\n  cpu-map 1/1-3-4 0\n  cpu-map 1/ 0\n  cpu-map 1/1 1024\n  cpu-map 1/1 ,\n  cpu-map foo:1/1 0\n", []string{
		"ALERT parsing [t.cfg:2] : cpu-map expects a process number  ('all', 'odd', 'even', a number from 1 to 64 or a range),  followed by a list of CPU ranges with numbers from 0 to 63.",
		"ALERT parsing [t.cfg:3] : cpu-map : '0' is not a valid number/range. It supports numbers from 1 to 64.",
		"ALERT parsing [t.cfg:4] : cpu-map : '65' is not a valid number/range. It supports numbers from 1 to 64.",
		"ALERT parsing [t.cfg:5] : cpu-map : PROC/THREAD range and CPU sets must have the same size to be automatically bound",
		"ALERT parsing [t.cfg:6] : cpu-map : 'x' is not a CPU range.",
		"ALERT parsing [t.cfg:7] : cpu-map : '1-3-4' is not a valid number/range.",
		"ALERT parsing [t.cfg:8] : cpu-map : '' is not a valid number/range. It supports numbers from 1 to 64.",
		"ALERT parsing [t.cfg:9] : cpu-map : supports CPU numbers from 0 to 1023.",
		"ALERT parsing [t.cfg:10] : cpu-map : ',' is not a CPU range.",
		"ALERT parsing [t.cfg:11] : cpu-map : 'foo:1' is not a valid number/range.",
	}},
	{"cpu-map single process (hitless)", "global\n  cpu-map 2/1 0\n  cpu-map even 0\n", []string{
		"ALERT parsing [t.cfg:2] : cpu-map : process set '2' does not include process 1; hitless runs a single process.",
		"ALERT parsing [t.cfg:3] : cpu-map : process set 'even' does not include process 1; hitless runs a single process.",
	}},
	{"ignored global (hitless)", "global\n  ulimit-n 100\n  lua-load x.lua\n", []string{
		"WARNING parsing [t.cfg:2] : 'ulimit-n' is not supported yet and is ignored.",
		"WARNING parsing [t.cfg:3] : 'lua-load' is not supported yet and is ignored.",
	}},
	{"unsupported section (hitless)", "peers p\n  peer x 1.2.3.4:1000\n  foo bar\nresolvers r\n  nameserver x 1.1.1.1:53\n", []string{
		"WARNING parsing [t.cfg:1] : section 'peers' is not supported yet and is ignored.",
		"WARNING parsing [t.cfg:4] : section 'resolvers' is not supported yet and is ignored.",
	}},

	// Lexer.
	{"unmatched quote", "global\n  .warning \"abc\n", []string{"ALERT parsing [t.cfg:2]: unmatched quote at position 12:\n  .warning \"abc\n           ^"}},
	{"bad hex", "global\n\t.warning \\xZZ\n", []string{"ALERT parsing [t.cfg:2]: truncated or invalid hexadecimal sequence at position 11:\n  .warning \\xZZ\n           ^"}},
	{"too many words", "global\n  description " + strings.Repeat("w ", 70) + "\n", []string{"ALERT parsing [t.cfg:2]: too many words, truncating after word 64, position 137: <w>."}},
	{"bad var", "global\n  .warning \"$\"\n", []string{"ALERT parsing [t.cfg:2]: forbidden first char in environment variable name at position 14:\n  .warning \"$\"\n             ^"}},

	// Conditional blocks.
	{"lone elif", "global\n.elif 1\n", []string{"ALERT parsing [t.cfg:2]: lone '.elif' with no matching '.if'."}},
	{"lone else", "global\n.else\n", []string{"ALERT parsing [t.cfg:2]: lone '.else' with no matching '.if'."}},
	{"lone endif", "global\n.endif\n", []string{"ALERT parsing [t.cfg:2]: lone '.endif' with no matching '.if'."}},
	{"else after else", "global\n.if 1\n.else\n.else\n.endif\n", []string{"ALERT parsing [t.cfg:4]: '.else' after '.else' is not permitted."}},
	{"elif after else", "global\n.if 1\n.else\n.elif 1\n.endif\n", []string{"ALERT parsing [t.cfg:4]: '.elif' after '.else' is not permitted."}},
	// hitless names the opening line; HAProxy names the last line.
	{"non-terminated", "global\n.if 1\n.if 0\n.endif\n  daemon\n", []string{"ALERT parsing [t.cfg:2]: non-terminated '.if' block."}},
	{"endif args", "global\n.if 1\n.endif x\n.endif\n", []string{"ALERT parsing [t.cfg:3]: Unexpected argument 'x' for '.endif'."}},
	{"unknown directive", "global\n.foo\n", []string{"ALERT parsing [t.cfg:2]: unknown directive '.foo'."}},
	{"directive messages", "global\n.diag \"d\"\n.notice \"n\"\n.warning \"w\"\n.warning\n.alert \"a\"\n", []string{
		"NOTICE parsing [t.cfg:3]: 'n'.",
		"WARNING parsing [t.cfg:4]: 'w'.",
		"WARNING parsing [t.cfg:5]: ''.",
		"ALERT parsing [t.cfg:6]: 'a'.",
	}},
	{"warning args", "global\n.warning a b\n", []string{"ALERT parsing [t.cfg:2]: Unexpected argument 'b' for '.warning'. Use quotes if the message should contain spaces."}},
	{"bad condition", "global\n  .if 1 1\n  .endif\n", []string{"ALERT parsing [t.cfg:2]: unexpected character '1' at the end of conditional expression '1 1' in '.if' at position 3:\n  .if 1 1\n        ^"}},
	{"bad elif", "global\n.if 0\n.elif 1 x\n.endif\n", []string{"ALERT parsing [t.cfg:3]: unexpected character 'x' at the end of conditional expression '1 x' in '.elif' at position 3:\n  .elif 1 x\n          ^"}},
	{"skipped block not diagnosed (hitless)", "global\n.if 0\n  foo bar\n  \"unterminated\n  .alert \"x\"\n  .foo\n.if foo(\n.endif\n.elif 0\n.else\n.endif\n", nil},
	{"not evaluated after taken branch", "global\n.if 1\n.elif foo(\n.endif\n", nil},
	{"nested in skipped block (hitless)", "global\n.if 0\n.if 1\n.else x\n.else\n.elif 1\n.endif x\n.endif\n", nil},

	// Proxy sections.
	{"no name", "frontend\n", []string{"ALERT parsing [t.cfg:1] : 'frontend' expects an <id> argument"}},
	{"bad name", "backend a/b\n", []string{"ALERT parsing [t.cfg:1] : character '/' is not permitted in 'backend' name 'a/b'."}},
	{"old syntax", "listen l 1.2.3.4:80\n  bind :80\n", []string{"ALERT parsing [t.cfg:1] : please use the 'bind' keyword for listening addresses."}},
	{"from extra", "defaults d1\nfrontend fe from d1 x\n", []string{"ALERT parsing [t.cfg:2] : 'frontend' cannot handle unexpected argument 'x'."}},
	{"from missing", "frontend fe from nope\n  bind :80\n", []string{"ALERT parsing [t.cfg:1] : defaults section 'nope' not found for frontend 'fe'."}},
	{"from ambiguous", "defaults d1\ndefaults\ndefaults d1\nfrontend fe from d1\n  bind :80\n", []string{"ALERT parsing [t.cfg:4] : ambiguous defaults section name 'd1' referenced by frontend 'fe' exists at least at t.cfg:1 and t.cfg:3."}},
	{"duplicate frontend", minimal + "frontend fe\n  bind :80\nfrontend fe\n  bind :81\n", []string{"ALERT Parsing [t.cfg:7]: frontend 'fe' has the same name as frontend 'fe' declared at t.cfg:5."}},
	{"duplicate listen", minimal + "frontend be\n  bind :80\nlisten be\n  bind :81\n", []string{"ALERT Parsing [t.cfg:7]: proxy 'be' has the same name as frontend 'be' declared at t.cfg:5."}},
	{"listen after backend (hitless)", minimal + "backend be\nlisten be\n  bind :81\n", []string{"ALERT Parsing [t.cfg:6]: proxy 'be' has the same name as backend 'be' declared at t.cfg:5."}},
	{"proxy unknown", "backend be\n  foo bar\n  wieght 3\n", []string{
		"ALERT parsing [t.cfg:2] : unknown keyword 'foo' in 'backend' section",
		"ALERT parsing [t.cfg:3] : unknown keyword 'wieght' in 'backend' section",
	}},
	{"defaults forbidden", "defaults\n  server s1 1.2.3.4:80\n  bind :80\n  use_backend x\n  id 3\n  description x\n  stick-table type ip size 1\n  stick on src\n  capture request header Host len 10\n  acl a src 1.2.3.4\n  http-request deny\n  tcp-request content reject\n", []string{
		"ALERT [t.cfg:2] : 'server' not allowed in 'defaults' section.",
		"ALERT parsing [t.cfg:3] : 'bind' not allowed in 'defaults' section.",
		"ALERT parsing [t.cfg:4] : 'use_backend' not allowed in 'defaults' section.",
		"ALERT parsing [t.cfg:5]: 'id' not allowed in 'defaults' section.",
		"ALERT parsing [t.cfg:6]: 'description' not allowed in 'defaults' section.",
		"ALERT parsing [t.cfg:7] : 'stick-table' is not supported in 'defaults' section.",
		"ALERT parsing [t.cfg:8] : 'stick' not allowed in 'defaults' section.",
		"ALERT parsing [t.cfg:9] : 'capture request' not allowed in 'defaults' section.",
		"ALERT parsing [t.cfg:10] : 'acl' not allowed in anonymous 'defaults' section.",
		"ALERT parsing [t.cfg:11] : 'http-request' not allowed in anonymous 'defaults' section.",
		"ALERT parsing [t.cfg:12] : tcp-request content is not allowed in anonymous 'defaults' sections",
	}},
	{"frontend capability (hitless)", minimal + "frontend fe\n  bind :80\n  server s1 1.2.3.4:80\n  default-server weight 3\n  balance roundrobin\n  retries 3\n  option redispatch\n  timeout server 3s\n  fullconn 3\n  hash-type consistent\n  option allbackups\n  stick on src\n  cookie SRV insert\n  option httpchk\n", []string{
		"ALERT [t.cfg:7] : parsing [t.cfg:7] : 'server' not allowed because frontend 'fe' has no backend capability.",
		"ALERT [t.cfg:8] : parsing [t.cfg:8] : 'default-server' not allowed because frontend 'fe' has no backend capability.",
		"ALERT parsing [t.cfg:9] : 'balance' not allowed in frontend 'fe', which has no backend capability.",
		"ALERT parsing [t.cfg:10] : 'retries' not allowed in frontend 'fe', which has no backend capability.",
		"ALERT parsing [t.cfg:11] : 'redispatch' not allowed in frontend 'fe', which has no backend capability.",
		"ALERT parsing [t.cfg:12] : 'timeout server' not allowed in frontend 'fe', which has no backend capability.",
		"ALERT parsing [t.cfg:13] : 'fullconn' not allowed in frontend 'fe', which has no backend capability. Maybe you want 'maxconn' instead ?",
		"ALERT parsing [t.cfg:14] : 'hash-type' not allowed in frontend 'fe', which has no backend capability.",
		"ALERT parsing [t.cfg:15] : 'allbackups' not allowed in frontend 'fe', which has no backend capability.",
		"ALERT parsing [t.cfg:16] : 'stick' not allowed in frontend 'fe', which has no backend capability.",
		"ALERT parsing [t.cfg:17] : 'cookie' not allowed in frontend 'fe', which has no backend capability.",
		"ALERT parsing [t.cfg:18] : 'httpchk' not allowed in frontend 'fe', which has no backend capability.",
	}},
	{"backend capability (hitless)", minimal + "backend be\n  bind :8001\n  default_backend foo\n  maxconn 10\n  backlog 10\n  timeout client 3s\n  monitor-uri /x\n  log-format foo\n  option httplog\n  option tcplog\n  option dontlognull\n  use_backend foo\n  tcp-request connection reject\n", []string{
		"ALERT parsing [t.cfg:6] : 'bind' not allowed in backend 'be', which has no frontend capability.",
		"ALERT parsing [t.cfg:7] : 'default_backend' not allowed in backend 'be', which has no frontend capability.",
		"ALERT parsing [t.cfg:8] : 'maxconn' not allowed in backend 'be', which has no frontend capability. Maybe you want 'fullconn' instead ?",
		"ALERT parsing [t.cfg:9] : 'backlog' not allowed in backend 'be', which has no frontend capability.",
		"ALERT parsing [t.cfg:10] : 'timeout client' not allowed in backend 'be', which has no frontend capability.",
		"ALERT parsing [t.cfg:11] : 'monitor-uri' not allowed in backend 'be', which has no frontend capability.",
		"WARNING parsing [t.cfg:12] : backend 'be' : 'log-format' directive is ignored in backends.",
		"WARNING parsing [t.cfg:13] : backend 'be' : 'option httplog' directive is ignored in backends.",
		"WARNING parsing [t.cfg:14] : backend 'be' : 'option tcplog' directive is ignored in backends.",
		"ALERT parsing [t.cfg:15] : 'dontlognull' not allowed in backend 'be', which has no frontend capability.",
		"ALERT parsing [t.cfg:16] : 'use_backend' not allowed in backend 'be', which has no frontend capability.",
		"ALERT parsing [t.cfg:17] : tcp-request connection is not allowed because backend be is not a frontend",
	}},
	{"timeouts", "defaults\n  timeout connect 5x\n  timeout client\n  timeout foo 3s\n  contimeout 3s\n  clitimeout 3s\n  srvtimeout 3s\n  timeout clitimeout 3s\n  timeout queue 1s 2s\n  timeout connect 2147483648\n  timeout connect 25d\n  timeout connect -1\n  timeout connect 1.5s\n", []string{
		"ALERT parsing [t.cfg:2] : unexpected character 'x' in 'timeout connect'",
		"ALERT parsing [t.cfg:3] : 'timeout client' expects an integer value (in milliseconds)",
		"ALERT parsing [t.cfg:4] : 'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got 'foo')",
		"ALERT parsing [t.cfg:5] : the 'contimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout connect'.",
		"ALERT parsing [t.cfg:6] : the 'clitimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout client'.",
		"ALERT parsing [t.cfg:7] : the 'srvtimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout server'.",
		"ALERT parsing [t.cfg:8] : the 'clitimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout client'.",
		"ALERT parsing [t.cfg:9] : 'timeout queue' : unexpected extra argument '2s' after value '1s'.",
		"ALERT parsing [t.cfg:10] : timer overflow in argument '2147483648' to 'timeout connect' (maximum value is 2147483647 ms or ~24.8 days)",
		"ALERT parsing [t.cfg:11] : timer overflow in argument '25d' to 'timeout connect' (maximum value is 2147483647 ms or ~24.8 days)",
		"ALERT parsing [t.cfg:12] : unexpected character '-' in 'timeout connect'",
		"ALERT parsing [t.cfg:13] : unexpected character '.' in 'timeout connect'",
	}},
	{"timer trailing characters", "defaults\n  timeout connect 1ms2\n", []string{
		"WARNING unexpected character '2' after the timer value '1ms2', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. This will be reported as an error in next versions.",
	}},
	{"proxy args", "listen l\n  maxconn\n  backlog\n  fullconn\n  default_backend\n  default_backend a b\n  retries\n  mode tcp x\n  mode foo\n  mode\n  mode health\n  id\n  id 0\n  description\n", []string{
		"ALERT parsing [t.cfg:2] : 'maxconn' expects an integer argument.",
		"ALERT parsing [t.cfg:3] : 'backlog' expects an integer argument.",
		"ALERT parsing [t.cfg:4] : 'fullconn' expects an integer argument.",
		"ALERT parsing [t.cfg:5] : 'default_backend' expects a backend name.",
		"ALERT parsing [t.cfg:6] : 'default_backend' cannot handle unexpected argument 'b'.",
		"ALERT parsing [t.cfg:7] : 'retries' expects an integer argument (dispatch counts for one).",
		"ALERT parsing [t.cfg:8] : 'mode' cannot handle unexpected argument 'x'.",
		"ALERT parsing [t.cfg:9] : unknown proxy mode 'foo'.",
		"ALERT parsing [t.cfg:10] : unknown proxy mode ''.",
		"ALERT parsing [t.cfg:11] : 'mode health' doesn't exist anymore. Please use 'http-request return status 200' instead.",
		"ALERT parsing [t.cfg:12]: 'id' expects an integer argument.",
		"ALERT parsing [t.cfg:13]: custom id has to be > 0.",
		"ALERT parsing [t.cfg:14]: 'description' expects a string argument.",
	}},
	{"duplicate proxy id", "frontend f1\n  bind :80\n  id 1\nfrontend f2\n  bind :81\n  id 1\n", []string{
		"ALERT parsing [t.cfg:6]: frontend f2 reuses same custom id as frontend f1 (declared at t.cfg:1).",
	}},
	{"options", "defaults\n  option foo\n  no option foo\n  option\n  option splice-auto x\n  option allbackups x\n  no option httplog\n  no option mysql-check\n  no foo\n  option httplog x\n  option mysql-check user\n  option forwardfor except\n  option http-restrict-req-hdr-names\n  option forceclose\n  disabled x\n", []string{
		"ALERT parsing [t.cfg:2] : unknown option 'foo'.",
		"ALERT parsing [t.cfg:3]: negation/default is not supported for option 'foo'.",
		"ALERT parsing [t.cfg:4]: 'option' expects an option name.",
		"ALERT parsing [t.cfg:5] : 'option splice-auto' cannot handle unexpected argument 'x'.",
		"ALERT parsing [t.cfg:6] : 'option allbackups' cannot handle unexpected argument 'x'.",
		"ALERT parsing [t.cfg:7]: negation/default is not supported for option 'httplog'.",
		"ALERT parsing [t.cfg:8]: negation/default is not supported for option 'mysql-check'.",
		"ALERT parsing [t.cfg:9]: negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.",
		"ALERT parsing [t.cfg:9] : unknown keyword 'foo' in 'defaults' section",
		"ALERT parsing [t.cfg:10] : keyword 'httplog' only supports option 'clf'.",
		"ALERT parsing [t.cfg:11] : 'option mysql-check user' expects <username> as argument.",
		"ALERT parsing [t.cfg:12] : 'option forwardfor except' expects <address>[/mask] as argument.",
		"ALERT parsing [t.cfg:13] : missing parameter. option 'http-restrict-req-hdr-names' expects 'preserve', 'reject' or 'delete' option.",
		"ALERT parsing [t.cfg:14]: option 'forceclose' is not supported any more since HAProxy 2.0, please just remove it, or use 'option httpclose' if absolutely needed.",
		"ALERT parsing [t.cfg:15] : 'disabled' cannot handle unexpected argument 'x'.",
	}},
	{"option arguments", "backend b\n  stick foo\n  stick on\n  tcp-request foo\n  tcp-response foo\n  option pgsql-check\n  option pgsql-check user\n  option mysql-check foo\n  option mysql-check user x y\n  option forwardfor foo\n  option forwardfor header\n  option http-restrict-req-hdr-names foo\n  no log x\n", []string{
		"ALERT parsing [t.cfg:2] : 'stick' expects 'on', 'match', or 'store'.",
		"ALERT parsing [t.cfg:3] : 'stick' expects a fetch method.",
		"ALERT parsing [t.cfg:4] : 'tcp-request' expects 'inspect-delay', 'connection', or 'content' in backend 'b' (got 'foo')",
		"ALERT parsing [t.cfg:5] : 'tcp-response' expects 'inspect-delay' or 'content' in backend 'b' (got 'foo')",
		"ALERT parsing [t.cfg:6] : 'option pgsql-check' expects 'user <username>' as argument.",
		"ALERT parsing [t.cfg:7] : 'option pgsql-check' expects 'user <username>' as argument.",
		"ALERT parsing [t.cfg:8] : 'option mysql-check' only supports optional values: 'user' (got 'foo').",
		"ALERT parsing [t.cfg:9] : keyword 'user' only supports 'post-41' and 'pre-41' (got 'y').",
		"ALERT parsing [t.cfg:10] : 'option forwardfor' only supports optional values: 'except', 'header' and 'if-none'.",
		"ALERT parsing [t.cfg:11] : 'option forwardfor header' expects <header_name> as argument.",
		"ALERT parsing [t.cfg:12] : invalid parameter 'foo'. option 'http-restrict-req-hdr-names' expects 'preserve', 'reject' or 'delete' option.",
		"ALERT parsing [t.cfg:13] : log : 'no log' does not expect arguments",
	}},
	{"tcp rules placement", "frontend f\n  tcp-response content accept\ndefaults\n  tcp-response content accept\ndefaults d\n  tcp-request foo\n  tcp-response foo\n", []string{
		"ALERT parsing [t.cfg:2] : tcp-response content is only allowed in 'backend' sections or 'defaults' section with a name",
		"ALERT parsing [t.cfg:4] : tcp-response content is only allowed in 'backend' sections or 'defaults' section with a name",
		"ALERT parsing [t.cfg:6] : 'tcp-request' expects 'inspect-delay', 'connection', or 'content' in defaults section (got 'foo')",
		"ALERT parsing [t.cfg:7] : 'tcp-response' expects 'inspect-delay' or 'content' in defaults 'd' (got 'foo')",
	}},
	{"global negation", "global\n  no foo\n", []string{
		"ALERT parsing [t.cfg:2]: negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.",
		"ALERT parsing [t.cfg:2] : unknown keyword 'foo' in 'global' section",
	}},
	{"global negation ignored (hitless)", "global\n  no busy-polling\n  no log\n  user root\n  group\n  chroot\n", []string{
		"WARNING parsing [t.cfg:2] : 'no busy-polling' is not supported yet and is ignored.",
		"WARNING parsing [t.cfg:4] : 'user' is not supported yet and is ignored.",
		"ALERT parsing [t.cfg:5] : cannot find group id for '' (0:Success)",
		"ALERT parsing [t.cfg:6] : 'chroot' expects a directory as an argument.",
	}},
	{"removed keywords", "backend b\n  reqrep a b\n  reqadd x\n  block if TRUE\n  redispatch\n  appsession x\n", []string{
		"ALERT parsing [t.cfg:2] : The 'reqrep' directive is not supported anymore since HAProxy 2.1. Use 'http-request replace-path', 'http-request replace-uri' or 'http-request replace-header' instead.",
		"ALERT parsing [t.cfg:3] : The 'reqadd' directive is not supported anymore since HAProxy 2.1. Use 'http-request add-header' instead.",
		"ALERT parsing [t.cfg:4] : The 'block' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny' which uses the exact same syntax.",
		"ALERT parsing [t.cfg:5] : keyword 'redispatch' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'.",
		"ALERT parsing [t.cfg:6] : 'appsession' is not supported anymore since HAProxy 1.6.",
	}},
	{"log overrides", "defaults\n  log-format foo\n  option httplog\n  option tcplog\n", []string{
		"WARNING parsing [t.cfg:3]: 'option httplog' overrides previous 'log-format' in 'defaults' section.",
		"WARNING parsing [t.cfg:4]: 'option tcplog' overrides previous 'option httplog' in 'defaults' section.",
	}},
	{"balance", "backend b\n  balance foo\n  balance uri foo\n  balance uri len abc\n  balance url_param\n  balance hdr\n  balance hdr(\n  balance hdr(x) foo\n  balance random(x)\n  balance random(\n  balance random(0)\n  balance rdp-cookie(\n  balance hash\n  hash-type foo\n  hash-type consistent foo\n  hash-type consistent sdbm foo\n", []string{
		"ALERT parsing [t.cfg:2] : balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.",
		"ALERT parsing [t.cfg:3] : balance uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got 'foo').",
		"ALERT parsing [t.cfg:4] : balance uri : 'len' expects a positive integer (got 'abc').",
		"ALERT parsing [t.cfg:5] : balance url_param requires an URL parameter name.",
		"ALERT parsing [t.cfg:6] : balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.",
		"ALERT parsing [t.cfg:7] : balance hdr requires an http header field name.",
		"ALERT parsing [t.cfg:8] : balance hdr(x) only accepts 'use_domain_only' modifier (got 'foo').",
		"ALERT parsing [t.cfg:9] : balance random : unexpected character 'x' after argument.",
		"ALERT parsing [t.cfg:10] : balance random : missing closing parenthesis.",
		"ALERT parsing [t.cfg:11] : balance random : number of draws must be at least 1.",
		"ALERT parsing [t.cfg:12] : balance rdp-cookie : missing cookie name.",
		"ALERT parsing [t.cfg:13] : balance hash requires a sample expression.",
		"ALERT parsing [t.cfg:14] : 'hash-type' only supports 'consistent' and 'map-based'.",
		"ALERT parsing [t.cfg:15] : 'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions.",
		"ALERT parsing [t.cfg:16] : 'hash-type' only supports 'avalanche' as a modifier for hash functions.",
	}},
	{"balance not implemented (hitless)", minimal + "backend b\n  balance uri\n  server s 1.2.3.4:80\n", []string{
		"ALERT parsing [t.cfg:6] : backend 'b' : balance 'uri' is not implemented yet.",
	}},
	{"inherited balance not implemented (hitless)", minimal + "  balance url_param id\nbackend b\n  server s 1.2.3.4:80\nfrontend f\n  bind :80\n  default_backend b\n", []string{
		"ALERT parsing [t.cfg:5] : backend 'b' : balance 'url_param' is not implemented yet.",
	}},
	{"mode http backend of a tcp frontend (hitless)", minimal + "  mode http\nfrontend f\n  bind :80\n  mode tcp\n  default_backend b\nbackend b\n", []string{
		"ALERT Proxy 'f': sending a tcp frontend's traffic to the mode http backend 'b' is not implemented yet.",
	}},
	{"tcp backend of a mode http frontend", minimal + "frontend f\n  bind :80\n  mode http\n  default_backend b\nbackend b\n", []string{
		"ALERT http frontend 'f' (t.cfg:5) tries to use incompatible tcp backend 'b' (t.cfg:9) as its default backend (see 'mode').",
	}},
	{"http rules in mode tcp (hitless)", minimal + "frontend f\n  bind :80\n  acl a src 1.2.3.4\n  http-request deny if a\n  default_backend b\nbackend b\n", []string{
		"ALERT frontend 'f' : http rules, use_backend and stats need 'mode http' (tcp-request content switching is not implemented yet).",
	}},
	{"use_backend without backend", minimal + "  mode http\nfrontend f\n  bind :80\n  use_backend nope if TRUE\n", []string{
		"ALERT Proxy 'f': unable to find required use_backend: 'nope'.",
	}},
	{"refused keywords (hitless)", minimal + "frontend f\n  bind :80\n  use-server x\n  acl a src 1.2.3.4\n  tcp-request connection reject\n  stats auth a:b\n  monitor x\n  http-after-response set-header a b\nbackend b\n  dispatch 1.2.3.4:80\n  source 1.2.3.4\n  option transparent\n  use-server s if TRUE\n  tcp-response content accept\n  server-template s 3 1.2.3.4:80\n", []string{
		"ALERT parsing [t.cfg:7] : 'use-server' not allowed in frontend 'f', which has no backend capability.",
		"ALERT parsing [t.cfg:9] : 'tcp-request connection' is not implemented yet.",
		"ALERT parsing [t.cfg:11] : 'monitor' is not implemented yet.",
		"ALERT parsing [t.cfg:12] : 'http-after-response' is not implemented yet.",
		"ALERT parsing [t.cfg:14] : 'dispatch' is not implemented yet.",
		"ALERT parsing [t.cfg:15] : 'source' is not implemented yet.",
		"ALERT parsing [t.cfg:16] : 'option transparent' is not implemented yet.",
		"ALERT parsing [t.cfg:17] : 'use-server' is not implemented yet.",
		"ALERT parsing [t.cfg:18] : 'tcp-response content' is not implemented yet.",
		"ALERT parsing [t.cfg:19] : 'server-template' is not implemented yet.",
	}},
	{"pool options", minimal + "backend b\n  mode http\n  server s1 127.0.0.1:80 pool-max-conn\n  server s2 127.0.0.1:80 pool-max-conn -2\n  server s3 127.0.0.1:80 pool-purge-delay abc\n  server s4 127.0.0.1:80 pool-purge-delay -1\n  server s5 127.0.0.1:80 pool-max-conn 10 max-reuse 3 pool-purge-delay 2s\n", []string{
		"ALERT [t.cfg:7] : 'server b/s1' : 'pool-max-conn' expects <value> as argument..",
		"ALERT [t.cfg:8] : 'server b/s2' : 'pool-max-conn' must be >= -1.",
		"ALERT [t.cfg:9] : 'server b/s3' : unexpected character 'a' in argument to <pool-purge-delay>..",
		"ALERT [t.cfg:10] : 'server b/s4' : unexpected character '-' in argument to <pool-purge-delay>..",
	}},
	{"capture and unique-id", minimal + "frontend f\n  mode http\n  bind :80\n  capture request header\n  capture foo\n  capture response header X len 5 extra\n  capture cookie\n  capture cookie a len 3\n  capture cookie b len 3 x\n  unique-id-format\n  unique-id-header\n  log-tag\n  capture request header Host len abc\nbackend b\n  mode http\n  capture request header a len 1\n  unique-id-format %ci\n", []string{
		"ALERT parsing [t.cfg:8] : 'capture request' expects 'header' <header_name> 'len' <len>.",
		"ALERT parsing [t.cfg:9] : 'capture' expects 'cookie' or 'request header' or 'response header'.",
		"ALERT parsing [t.cfg:10] : 'capture response' cannot handle unexpected argument 'extra'.",
		"ALERT parsing [t.cfg:11] : 'capture' expects 'cookie' <cookie_name> 'len' <len>.",
		"ALERT parsing [t.cfg:14] : unique-id-format expects an argument.",
		"ALERT parsing [t.cfg:15] : unique-id-header expects an argument.",
		"ALERT parsing [t.cfg:16] : 'log-tag' expects a tag for use in syslog.",
		"WARNING parsing [t.cfg:20] : 'capture' ignored because backend 'b' has no frontend capability.",
	}},
	{"ignored keywords (hitless)", minimal + "listen l\n  bind :80\n  option tcplog\n  option dontlognull\n  option httpchk\n  http-check expect status 200\n  tcp-check connect\n  option tcpka\n  errorloc 503 /x\n  hash-balance-factor 150\n  cookie SRV insert\n  no option dontlognull\n", []string{
		"WARNING parsing [t.cfg:12] : 'option tcpka' is not supported yet and is ignored.",
		"WARNING parsing [t.cfg:13] : 'errorloc' is not supported yet and is ignored.",
		"WARNING parsing [t.cfg:14] : 'hash-balance-factor' is not supported yet and is ignored.",
		"WARNING parsing [t.cfg:15] : 'cookie' is not supported yet and is ignored.",
		"WARNING proxy 'l' uses tcp-check rules without 'option tcp-check', so the rules are ignored.",
	}},

	// Servers.
	{"server args", "backend be\n  server\n  server s1\n  server s1 1.2.3.4:80 wieght 3\n  server s2 1.2.3.4:80 weight 257\n  server s3 1.2.3.4:80 weight -1\n  server s5 1.2.3.4:99999\n  server s6 1.2.3.4:abc\n  server s7 1.2.3.4:80-90\n  server s8 fd@3\n", []string{
		"ALERT [t.cfg:2] : 'server' expects <name> and <addr>[:<port>] as arguments.",
		"ALERT [t.cfg:3] : 'server' expects <name> and <addr>[:<port>] as arguments.",
		"ALERT [t.cfg:4] : 'server be/s1' : unknown keyword 'wieght'; did you mean 'weight' maybe ?",
		"ALERT [t.cfg:5] : 'server be/s2' : weight of server s2 is not within 0 and 256 (257)..",
		"ALERT [t.cfg:6] : 'server be/s3' : weight of server s3 is not within 0 and 256 (-1)..",
		"ALERT [t.cfg:7] : 'server be/s5' : invalid port '99999'",
		"ALERT [t.cfg:8] : 'server be/s6' : invalid character 'a' in port number 'abc' in '1.2.3.4:abc'",
		"ALERT [t.cfg:9] : 'server be/s7' : port range not permitted here in '1.2.3.4:80-90'",
		"ALERT [t.cfg:10] : 'server be/s8' : a file descriptor is not acceptable here in 'fd@3'",
	}},
	{"server options", "backend be\n  server s1 1.2.3.4:80 id 0\n  server s2 1.2.3.4:80 id abc\n  server s3 1.2.3.4:80 inter 0\n  server s4 1.2.3.4:80 slowstart 3x\n  server s5 1.2.3.4:80 rise 0\n  server s6 1.2.3.4:80 fall 0\n  server s7 1.2.3.4:80 on-marked-down foo\n  server s8 1.2.3.4:80 on-marked-up foo\n  server s9 1.2.3.4:80 inter\n  server s10 1.2.3.4:80 id\n  server s11 1.2.3.4:80 id 5\n  server s12 1.2.3.4:80 id 5\n  server s13 1.2.3.4:80 check track be/s1\n", []string{
		"ALERT [t.cfg:2] : 'server be/s1' : 'id' : custom id has to be > 0.",
		"ALERT [t.cfg:3] : 'server be/s2' : 'id' : custom id has to be > 0.",
		"ALERT [t.cfg:4] : 'server be/s3' : invalid value 0 for argument 'inter' of server s3..",
		"ALERT [t.cfg:5] : 'server be/s4' : unexpected character 'x' in 'slowstart' argument of server s4..",
		"ALERT [t.cfg:6] : 'server be/s5' : 'rise' has to be > 0..",
		"ALERT [t.cfg:7] : 'server be/s6' : 'fall' has to be > 0..",
		"ALERT [t.cfg:8] : 'server be/s7' : 'on-marked-down' expects 'shutdown-sessions' but got 'foo'.",
		"ALERT [t.cfg:9] : 'server be/s8' : 'on-marked-up' expects 'shutdown-backup-sessions' but got 'foo'.",
		"ALERT [t.cfg:10] : 'server be/s9' : 'inter' expects a delay as argument..",
		"ALERT [t.cfg:11] : 'server be/s10' : 'id' : expects an integer argument.",
		"ALERT [t.cfg:13] : 'server be/s12' : 'id' : custom id 5 already used at t.cfg:12 ('server s11').",
		"ALERT [t.cfg:14] : 'server be/s13' : unable to enable checks and tracking at the same time!",
	}},
	{"default-server", "backend be\n  default-server wieght 3\n  default-server id 3\n  default-server weight 300\n", []string{
		"ALERT [t.cfg:2] : unknown keyword 'wieght'; did you mean 'weight' maybe ? Hint: no address was expected for this server.",
		"ALERT [t.cfg:3] : 'id' option is not accepted in default-server sections",
		"ALERT [t.cfg:4] : weight of server default-server is not within 0 and 256 (300)..",
	}},
	{"server refused (hitless)", "backend be\n  server s1 1.2.3.4:80 ssl\n  server s2 1.2.3.4:80 send-proxy\n  server s3 1.2.3.4:+80\n", []string{
		"ALERT [t.cfg:2] : 'server be/s1' : 'ssl' is not implemented yet.",
		"ALERT [t.cfg:3] : 'server be/s2' : 'send-proxy' is not implemented yet.",
		"ALERT [t.cfg:4] : 'server be/s3' : port offsets ('+80') are not implemented yet in '1.2.3.4:+80'",
	}},
	{"server bad check port (hitless)", "backend be\n  server s1 1.2.3.4:80 port 70000\n", []string{
		"ALERT [t.cfg:2] : 'server be/s1' : 'port' : invalid port '70000'.",
	}},

	// Binds.
	{"bind", "frontend fe\n  bind\n  bind :80 foo\n  bind :80 wieght\n  bind :99999\n  bind :abc\n  bind 1.2.3.4\n  bind :8010-8000\n  bind fd@abc\n  bind \"fd@${NOPE}\"\n  bind :80 backlog\n  bind :80 name\n  bind 1.2.3.4:\n  bind udp@:80\n", []string{
		"ALERT parsing [t.cfg:2] : 'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.",
		"ALERT parsing [t.cfg:3] : 'bind :80' in section 'frontend': unknown keyword 'foo'; did you mean 'tfo' maybe ?",
		"ALERT parsing [t.cfg:4] : 'bind :80' in section 'frontend': unknown keyword 'wieght'.",
		"ALERT parsing [t.cfg:5] : 'bind' : invalid port '99999'",
		"ALERT parsing [t.cfg:6] : 'bind' : invalid character 'a' in port number 'abc' in ':abc'",
		"ALERT parsing [t.cfg:7] : 'bind' : missing port specification in '1.2.3.4'",
		"ALERT parsing [t.cfg:8] : 'bind' : invalid port range '8010-8000'",
		"ALERT parsing [t.cfg:9] : 'bind' : file descriptor 'abc' is not a valid integer in 'fd@abc'",
		"ALERT parsing [t.cfg:10] : 'bind' : file descriptor '' is not a valid integer in 'fd@'",
		"ALERT parsing [t.cfg:11] : 'bind :80' in section 'frontend' : 'backlog' : missing value",
		"ALERT parsing [t.cfg:12] : 'bind :80' in section 'frontend' : 'name' : missing name",
		"ALERT parsing [t.cfg:13] : 'bind' : missing port specification in '1.2.3.4:'",
		"ALERT parsing [t.cfg:14] : 'bind' : dgram-type address not acceptable in 'udp@:80'",
	}},
	{"bind options (hitless)", minimal + "listen l\n  bind :80 ssl crt /x.pem\n  bind :81 accept-proxy\n  bind :82 process 1 tfo interface lo\n", []string{
		"ALERT parsing [t.cfg:6] : 'bind :80' in section 'listen' : 'ssl' is not implemented yet.",
		"ALERT parsing [t.cfg:7] : 'bind :81' in section 'listen' : 'accept-proxy' is not implemented yet.",
		"WARNING parsing [t.cfg:8] : 'bind :82' in section 'listen' : 'process' is not supported yet and is ignored.",
		"WARNING parsing [t.cfg:8] : 'bind :82' in section 'listen' : 'tfo' is not supported yet and is ignored.",
		"WARNING parsing [t.cfg:8] : 'bind :82' in section 'listen' : 'interface' is not supported yet and is ignored.",
	}},

	// Whole-configuration checks.
	{"missing timeouts", "frontend fe\n  bind :8000\n  default_backend be\nbackend be\n  server s1 1.2.3.4:80\nlisten l\n  bind :8001\n  timeout client 1s\nbackend empty\n", []string{
		"WARNING missing timeouts for frontend 'fe'.\n   | While not properly invalid, you will certainly encounter various problems\n   | with such a configuration. To fix this, please ensure that all following\n   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
		"WARNING missing timeouts for backend 'be'.\n   | While not properly invalid, you will certainly encounter various problems\n   | with such a configuration. To fix this, please ensure that all following\n   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
	}},
	{"duplicate server", minimal + "backend be\n  server s1 1.2.3.4:80\n  server s1 1.2.3.5:80\n", []string{
		"ALERT parsing [t.cfg:7] : backend 'be', another server named 's1' was already defined at line 6, please use distinct names.",
	}},
	{"no bind", minimal + "frontend nobind\n  default_backend be\nlisten l\n  server s 1.2.3.4:80\nbackend be\n", []string{
		"WARNING frontend 'nobind' has no 'bind' directive. Please declare it as a backend if this was intended.",
		"WARNING proxy 'l' has no 'bind' directive. Please declare it as a backend if this was intended.",
	}},
	{"default_backend", minimal + "frontend f\n  bind :80\n  default_backend f\nlisten l\n  bind :81\n  default_backend l\nfrontend g\n  bind :82\n  default_backend nope\n", []string{
		"ALERT Proxy 'f': unable to find required default_backend: 'f'.",
		"ALERT Proxy 'l': loop detected for default_backend: 'l'.",
		"ALERT Proxy 'g': unable to find required default_backend: 'nope'.",
	}},
	{"disabled proxies are not checked", "frontend f\n  disabled\n  bind :80\n  default_backend nope\nbackend b\n  disabled\n  server s 1.2.3.4:80\n  server s 1.2.3.4:80\n", nil},
	{"stick-table errors", minimal + "backend b1\n  stick-table type ip\nbackend b2\n  stick-table type foo size 1\nbackend b3\n  stick-table size 1\nbackend b4\n  stick-table type ip size 1 expire\nbackend b5\n  stick-table type ip size 1 expire x\nbackend b6\n  stick-table type ip size 1 expire 30d\nbackend b7\n  stick-table type ip size 1 store conn_rate\nbackend b8\n  stick-table type ip size 1 store foo\nbackend b9\n  stick-table type ip size 1 store conn_cnt(10s)\nbackend b10\n  stick-table type ip size 1 store conn_rate(x)\nbackend b11\n  stick-table type ip size 1 foo\nbackend b12\n  stick-table type ip size 5g\nbackend b13\n  stick-table type ip size 0\nbackend b14\n  stick-table type string len x size 1\nbackend b15\n  stick-table type ip len 4 size 1\nbackend b16\n  stick-table type ip size 1\n  stick-table type ip size 1\n", []string{
		"ALERT parsing [t.cfg:6] : stick-table: missing size.",
		"ALERT parsing [t.cfg:8] : stick-table: unknown type 'foo'.",
		"ALERT parsing [t.cfg:10] : stick-table: missing type.",
		"ALERT parsing [t.cfg:12] : stick-table: missing argument after 'expire'.",
		"ALERT parsing [t.cfg:14] : stick-table: unexpected character 'x' in argument of 'expire'.",
		"ALERT parsing [t.cfg:16]: stick-table: timer overflow in argument <30d> to <expire>, maximum value is 2147483647 ms (~24.8 days).",
		"ALERT parsing [t.cfg:18] : stick-table: missing argument to store option 'conn_rate'.",
		"ALERT parsing [t.cfg:20] : stick-table: unknown store option 'foo'.",
		"ALERT parsing [t.cfg:22] : stick-table: unexpected argument to store option 'conn_cnt'.",
		"ALERT parsing [t.cfg:24] : stick-table: error when processing store option 'conn_rate'.",
		"ALERT parsing [t.cfg:26] : stick-table: unknown argument 'foo'.",
		"ALERT parsing [t.cfg:28] : stick-table: unexpected character 'g' in argument of 'size'.",
		"ALERT parsing [t.cfg:30] : stick-table: missing size.",
		"ALERT parsing [t.cfg:32] : stick-table: unknown type 'x'.",
		"ALERT parsing [t.cfg:34] : stick-table: unknown argument 'len'.",
		"ALERT parsing [t.cfg:37] : stick-table name 'b16' conflicts with table declared in backend 'b16' at t.cfg:36.",
	}},
	{"stick-table warnings", minimal + "backend b\n  stick-table type ip size 10K expire 10sx store gpc0,gpc0\n  stick on src\n", []string{
		"WARNING unexpected character 'x' after the timer value '10sx', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. This will be reported as an error in next versions.",
		"WARNING parsing [t.cfg:6]: stick-table: store option 'gpc0' already enabled, ignored.",
	}},
	{"stick-table peers (hitless)", minimal + "backend b\n  stick-table type ip size 1 peers p\n", []string{
		"WARNING parsing [t.cfg:6] : stick-table: 'peers' is not supported yet and is ignored: the table is not replicated.",
	}},
	{"stick rule errors", minimal + "backend b\n  stick-table type ip size 1\n  stick on foo\n  stick on src foo\n  stick on\n  stick bar src\n", []string{
		"ALERT parsing [t.cfg:7] : 'stick': unknown fetch method 'foo'",
		"ALERT parsing [t.cfg:8] : 'stick': unknown keyword 'foo'.",
		"ALERT parsing [t.cfg:9] : 'stick' expects a fetch method.",
		"ALERT parsing [t.cfg:10] : 'stick' expects 'on', 'match', or 'store'.",
	}},
	{"stick rule tables", minimal + "backend b1\n  stick on src\nbackend b2\n  stick-table type ip size 1\n  stick on src table x\nbackend b3\n  stick-table type ip size 1\n  stick match src table\n", []string{
		"ALERT Proxy 'b1': unable to find stick-table 'b1'.",
		"ALERT Proxy 'b2': unable to find stick-table 'x'.",
		"ALERT Proxy 'b3': unable to find stick-table ''.",
	}},
	{"stick rules valid", minimal + "frontend f\n  bind 127.0.0.1:8080\n  stick-table type integer size 1m nopurge\n  default_backend b\nbackend b\n  stick-table type ip size 1 expire 30m store gpc0,conn_rate(10s)\n  stick on src if { src 1.2.3.4 }\n  stick store-request src table f\n  stick match src unless { src 1.1.1.1 }\n  stick on hdr(host)\n  server s1 127.0.0.1:80 non-stick\n", nil},
	{"track-sc tables", minimal + "frontend f\n  mode http\n  bind 127.0.0.1:8080\n  http-request track-sc0 src\n  http-request track-sc1 src table nosuch\n  http-request track-sc2 src table nt\n  http-request deny if { sc_http_req_rate(0,nosuch) gt 5 }\n  http-request deny if { sc1_conn_cur(nt) gt 5 } || { src_conn_cur gt 1 }\n  http-request set-var(txn.x) src_get_gpc0(nosuch)\n  http-request track-sc0 src_conn_cur(t)\n  http-request deny if { src_inc_gpc0(t) gt 1 } || { sc2_tracked(t) }\nbackend nt\nbackend t\n  stick-table type ip size 1k store gpc0,conn_cur\n", []string{
		"ALERT Proxy 'f': unable to find table 'f' referenced by track-sc0.",
		"ALERT Proxy 'f': unable to find table 'nosuch' referenced by track-sc1.",
		"ALERT Proxy 'f': unable to find table 'nt' referenced by track-sc2.",
		"ALERT Proxy 'f': unable to find table 'f' referenced by track-sc0.",
		"ALERT multiple argument resolution errors:" +
			"\n        parsing [t.cfg:11]: unable to find table 'nosuch' referenced in arg 2 of ACL keyword 'sc_http_req_rate' in proxy 'f'." +
			"\n        parsing [t.cfg:12]: unable to find table 'nt' referenced in arg 1 of ACL keyword 'sc1_conn_cur' in proxy 'f'." +
			"\n        parsing [t.cfg:12]: unable to find table 'f' referenced in arg 1 of ACL keyword 'src_conn_cur' in proxy 'f'." +
			"\n        parsing [t.cfg:13]: unable to find table 'nosuch' referenced in arg 1 of sample fetch keyword 'src_get_gpc0' in http-request expression in proxy 'f'.",
	}},
	{"track-sc tables in other rules", minimal + "frontend f\n  mode http\n  bind 127.0.0.1:8080\n  use_backend b if { src_conn_cur(x) gt 1 }\n  redirect location /x if { sc0_conn_cur(y) gt 1 }\n  http-request deny if { src_conn_cur(z) gt 1 }\nbackend b\n  mode http\n", []string{
		"WARNING parsing [t.cfg:9] : a 'redirect' rule placed after a 'use_backend' rule will still be processed before.",
		"WARNING parsing [t.cfg:10] : a 'http-request' rule placed after a 'redirect' rule will still be processed before.",
		"ALERT multiple argument resolution errors:" +
			"\n        parsing [t.cfg:8]: unable to find table 'x' referenced in arg 1 of ACL keyword 'src_conn_cur' in proxy 'f'." +
			"\n        parsing [t.cfg:9]: unable to find table 'y' referenced in arg 1 of ACL keyword 'sc0_conn_cur' in proxy 'f'." +
			"\n        parsing [t.cfg:10]: unable to find table 'z' referenced in arg 1 of ACL keyword 'src_conn_cur' in proxy 'f'.",
	}},
	{"track-sc table argument", minimal + "frontend f\n  mode http\n  bind 127.0.0.1:8080\n  http-request deny if { src_conn_cur(x) gt 1 }\n  http-request track-sc0 src\n", []string{
		"ALERT Proxy 'f': unable to find table 'f' referenced by track-sc0.",
		"ALERT parsing [t.cfg:8]: unable to find table 'x' referenced in arg 1 of ACL keyword 'src_conn_cur' in proxy 'f'.",
	}},
	{"track-sc valid", minimal + "frontend f\n  mode http\n  bind 127.0.0.1:8080\n  stick-table type ip size 1k expire 10s store http_req_rate(10s),conn_cur,gpc0\n  http-request track-sc0 src\n  http-request track-sc1 hdr(x-user) table t\n  http-request deny deny_status 429 if { sc_http_req_rate(0) gt 5 } || { sc1_http_req_cnt(f) gt 1 } || { src_http_req_rate(t) gt 3 }\n  http-request deny if { sc_inc_gpc0(0) gt 1 } || { sc_tracked(2) } || { sc_conn_cur(1,t) gt 1 }\nbackend t\n  stick-table type string size 1k store http_req_cnt\n", nil},
	{"validation only after a clean parse", "frontend f\n  bind :80\n  default_backend nope\n  foo\n", []string{
		"ALERT parsing [t.cfg:4] : unknown keyword 'foo' in 'frontend' section",
	}},
}

func TestParseDiagnostics(t *testing.T) {
	for _, tt := range diagCases {
		t.Run(tt.name, func(t *testing.T) {
			_, got := parseAll(t, tt.cfg, Options{})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestParseGlobal(t *testing.T) {
	c := parseOK(t, `global
    nbthread 4
    maxconn 1000
    daemon
    master-worker
    pidfile /run/h.pid
    node n1
    description hello  world
    log-tag tag
    hard-stop-after 30s
    quiet
    spread-checks 5
    stats timeout 2m
    stats maxconn 7
    tune.bufsize 32768
    tune.maxrewrite 0
    tune.pipesize 65536
    maxpipes 10
    tune.maxaccept -1
    tune.maxpollevents 300
    nosplice
global
    maxconn 2000
`)
	g := c.Global
	want := Global{
		Nbthread: 4, Maxconn: 2000, Daemon: true, MasterWorker: true, Pidfile: "/run/h.pid",
		Node: "n1", Description: "hello world", LogTag: "tag", HardStopAfter: 30 * time.Second,
		Quiet: true, SpreadChecks: 5, StatsTimeout: 2 * time.Minute, StatsMaxconn: 7,
		TuneBufsize: 32768, TuneMaxrewrite: 0, TunePipesize: 65536, Maxpipes: 10,
		TuneMaxaccept: -1, TuneMaxpollevents: 300, NoSplice: true, CLIProxyID: 1,
		File: "t.cfg", Line: 1,
	}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("global =\n%+v\nwant\n%+v", g, want)
	}
}

func TestParseCPUMap(t *testing.T) {
	tests := []struct {
		line string
		want []CPUMap
	}{
		{"cpu-map 1/1-2 0-1", []CPUMap{{ThreadFirst: 1, ThreadLast: 2, CPUs: []int{0, 1}}}},
		{"cpu-map auto:1/all 0-1", []CPUMap{{Auto: true, ThreadFirst: 1, ThreadLast: 2, CPUs: []int{0, 1}}}},
		{"cpu-map 1/all 0", []CPUMap{{ThreadFirst: 1, ThreadLast: MaxThreads, CPUs: []int{0}}}},
		{"cpu-map auto:1/1-4 0-3", []CPUMap{{Auto: true, ThreadFirst: 1, ThreadLast: 4, CPUs: []int{0, 1, 2, 3}}}},
		{"cpu-map auto:1/1-4 0 1 2 3", []CPUMap{{Auto: true, ThreadFirst: 1, ThreadLast: 4, CPUs: []int{0, 1, 2, 3}}}},
		{"cpu-map auto:1/1-4 0-1 2,3", []CPUMap{{Auto: true, ThreadFirst: 1, ThreadLast: 4, CPUs: []int{0, 1, 2, 3}}}},
		{"cpu-map auto:1/1-2 5", []CPUMap{{ThreadFirst: 1, ThreadLast: 2, CPUs: []int{5}}}},
		{"cpu-map 1 0-3", []CPUMap{{ThreadFirst: 1, ThreadLast: MaxThreads, CPUs: []int{0, 1, 2, 3}}}},
		{"cpu-map auto:1 2", []CPUMap{{ThreadFirst: 1, ThreadLast: MaxThreads, CPUs: []int{2}}}},
		{"cpu-map all/1 0", []CPUMap{{ThreadFirst: 1, ThreadLast: 1, CPUs: []int{0}}}},
		{"cpu-map odd/3 1", []CPUMap{{ThreadFirst: 3, ThreadLast: 3, CPUs: []int{1}}}},
		{"cpu-map 1-2/4-3 1", []CPUMap{{ThreadFirst: 3, ThreadLast: 4, CPUs: []int{1}}}},
		{"cpu-map 1/1 3-1 1 2", []CPUMap{{ThreadFirst: 1, ThreadLast: 1, CPUs: []int{1, 2, 3}}}},
		{"cpu-map 1/1 1023", []CPUMap{{ThreadFirst: 1, ThreadLast: 1, CPUs: []int{1023}}}},
		{"cpu-map 1/1 0,", []CPUMap{{ThreadFirst: 1, ThreadLast: 1, CPUs: []int{0}}}},
		{"cpu-map 1/2 01", []CPUMap{{ThreadFirst: 2, ThreadLast: 2, CPUs: []int{1}}}},
		{"cpu-map 1/odd 0", func() []CPUMap {
			var out []CPUMap
			for th := 1; th <= MaxThreads; th += 2 {
				out = append(out, CPUMap{ThreadFirst: th, ThreadLast: th, CPUs: []int{0}})
			}
			return out
		}()},
	}
	for _, tt := range tests {
		c := parseOK(t, "global\n  "+tt.line+"\n")
		for i := range tt.want {
			tt.want[i].File, tt.want[i].Line = "t.cfg", 2
		}
		if !reflect.DeepEqual(c.Global.CPUMaps, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.line, c.Global.CPUMaps, tt.want)
		}
	}
	// "auto:" with "odd" pairs threads and CPUs in order.
	c := parseOK(t, "global\n  cpu-map auto:1/odd 0-31\n")
	if m := c.Global.CPUMaps; len(m) != 32 || m[1].ThreadFirst != 3 || !reflect.DeepEqual(m[1].CPUs, []int{1}) {
		t.Errorf("auto odd = %+v", m)
	}
}

func TestParseStatsSocketAddresses(t *testing.T) {
	tests := []struct {
		line string
		want StatsSocket
	}{
		{"stats socket /run/a.sock", StatsSocket{Addr: "/run/a.sock", Kind: AddrUnix, Path: "/run/a.sock", Level: LevelOperator}},
		{"stats socket unix@/run/b.sock level admin expose-fd listeners", StatsSocket{Addr: "/run/b.sock", Kind: AddrUnix, Path: "/run/b.sock", Level: LevelAdmin, ExposeFDListeners: true}},
		{"stats socket abns@cli", StatsSocket{Addr: "cli", Kind: AddrAbstract, Path: "cli", Level: LevelOperator}},
		{"stats socket fd@7", StatsSocket{Addr: "7", Kind: AddrFD, FD: 7, Level: LevelOperator}},
		{`stats socket "fd@${CLI_FD}"`, StatsSocket{Addr: "9", Kind: AddrFD, FD: 9, Level: LevelOperator}},
		{"stats socket ipv4@127.0.0.1:9999 level user", StatsSocket{Addr: "127.0.0.1:9999", Kind: AddrIPv4, Host: "127.0.0.1", Port: 9999, Level: LevelUser}},
		{"stats socket 127.0.0.1:9998", StatsSocket{Addr: "127.0.0.1:9998", Kind: AddrIPv4, Host: "127.0.0.1", Port: 9998, Level: LevelOperator}},
		{"stats socket [::1]:9997 mode 600", StatsSocket{Addr: "[::1]:9997", Kind: AddrIPv6, Host: "::1", Port: 9997, Level: LevelOperator, Mode: 0o600, ModeSet: true}},
		{"stats socket ipv6@:9996", StatsSocket{Addr: ":9996", Kind: AddrIPv6, Port: 9996, Level: LevelOperator}},
		{"stats socket relative.sock", StatsSocket{Addr: "relative.sock", Kind: AddrUnix, Path: "relative.sock", Level: LevelOperator}},
	}
	for _, tt := range tests {
		c, diags := parseAll(t, "global\n  "+tt.line+"\n", Options{LookupEnv: envOf(map[string]string{"CLI_FD": "9"})})
		if c == nil {
			t.Errorf("%s: %v", tt.line, diags)
			continue
		}
		tt.want.File, tt.want.Line = "t.cfg", 2
		if len(c.Global.StatsSockets) != 1 || !reflect.DeepEqual(c.Global.StatsSockets[0], tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.line, c.Global.StatsSockets, tt.want)
		}
	}
}

func TestParseBind(t *testing.T) {
	b := func(addr string, kind AddrKind, host string, lo, hi int) Bind {
		return Bind{Addr: addr, Kind: kind, Host: host, PortFirst: lo, PortLast: hi, File: "t.cfg", Line: 7}
	}
	tests := []struct {
		line string
		want []Bind
	}{
		{"bind 1.2.3.4:80", []Bind{b("1.2.3.4:80", AddrIPv4, "1.2.3.4", 80, 80)}},
		{"bind *:80", []Bind{b("*:80", AddrIPv4, "", 80, 80)}},
		{"bind :80", []Bind{b(":80", AddrIPv4, "", 80, 80)}},
		{"bind 127.0.0.1:0", []Bind{b("127.0.0.1:0", AddrIPv4, "127.0.0.1", 0, 0)}},
		{"bind [::]:80", []Bind{b("[::]:80", AddrIPv6, "::", 80, 80)}},
		{"bind :::80", []Bind{b(":::80", AddrIPv6, "::", 80, 80)}},
		{"bind [::1]:8000-8010", []Bind{b("[::1]:8000-8010", AddrIPv6, "::1", 8000, 8010)}},
		{"bind ipv4@:80", []Bind{b("ipv4@:80", AddrIPv4, "", 80, 80)}},
		{"bind ipv6@:80", []Bind{b("ipv6@:80", AddrIPv6, "", 80, 80)}},
		{"bind localhost:80", []Bind{b("localhost:80", AddrIPv4, "localhost", 80, 80)}},
		{"bind :80,:81", []Bind{b(":80", AddrIPv4, "", 80, 80), b(":81", AddrIPv4, "", 81, 81)}},
		{"bind fd@3", []Bind{{Addr: "fd@3", Kind: AddrFD, FD: 3, File: "t.cfg", Line: 7}}},
		{`bind "fd@${FD_APP1}"`, []Bind{{Addr: "fd@5", Kind: AddrFD, FD: 5, File: "t.cfg", Line: 7}}},
		{"bind sockpair@4", []Bind{{Addr: "sockpair@4", Kind: AddrSockpair, FD: 4, File: "t.cfg", Line: 7}}},
		{"bind unix@/run/x.sock mode 600", []Bind{{Addr: "unix@/run/x.sock", Kind: AddrUnix, Path: "/run/x.sock", Mode: 0o600, ModeSet: true, File: "t.cfg", Line: 7}}},
		{"bind /run/y.sock", []Bind{{Addr: "/run/y.sock", Kind: AddrUnix, Path: "/run/y.sock", File: "t.cfg", Line: 7}}},
		{"bind abns@foo", []Bind{{Addr: "abns@foo", Kind: AddrAbstract, Path: "foo", File: "t.cfg", Line: 7}}},
		{"bind :::80 v4v6 name web backlog 100 maxconn 50 defer-accept", []Bind{{
			Addr: ":::80", Kind: AddrIPv6, Host: "::", PortFirst: 80, PortLast: 80, Name: "web",
			V4V6: true, Backlog: 100, Maxconn: 50, DeferAccept: true, File: "t.cfg", Line: 7,
		}}},
		{"bind [::]:80 v6only", []Bind{{Addr: "[::]:80", Kind: AddrIPv6, Host: "::", PortFirst: 80, PortLast: 80, V6Only: true, File: "t.cfg", Line: 7}}},
	}
	for _, tt := range tests {
		c, diags := parseAll(t, minimal+"frontend fe\n  default_backend be\n"+"  "+tt.line+"\nbackend be\n", Options{LookupEnv: envOf(map[string]string{"FD_APP1": "5"})})
		if c == nil {
			t.Errorf("%s: %v", tt.line, diags)
			continue
		}
		if got := c.Proxy("fe", CapFE).Binds; !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.line, got, tt.want)
		}
	}
}

func TestParseServer(t *testing.T) {
	def := Server{Weight: 1, Inter: 2 * time.Second, Rise: 2, Fall: 3, File: "t.cfg", Line: 6}
	with := func(f func(*Server)) Server {
		s := def
		f(&s)
		return s
	}
	tests := []struct {
		line string
		want Server
	}{
		{"server s 1.2.3.4:80", with(func(s *Server) { s.Addr, s.Host, s.Port, s.Kind = "1.2.3.4", "1.2.3.4", 80, AddrIPv4 })},
		{"server s 1.2.3.4", with(func(s *Server) { s.Addr, s.Host, s.Kind = "1.2.3.4", "1.2.3.4", AddrIPv4 })},
		{"server s db.example.com:5432", with(func(s *Server) { s.Addr, s.Host, s.Port, s.Kind = "db.example.com", "db.example.com", 5432, AddrIPv4 })},
		{"server s [::1]:80", with(func(s *Server) { s.Addr, s.Host, s.Port, s.Kind = "[::1]", "::1", 80, AddrIPv6 })},
		{"server s [::1]", with(func(s *Server) { s.Addr, s.Host, s.Kind = "[::1]", "::1", AddrIPv6 })},
		{"server s ::1:80", with(func(s *Server) { s.Addr, s.Host, s.Port, s.Kind = "::1", "::1", 80, AddrIPv6 })},
		{"server s 2001:db8::1", with(func(s *Server) { s.Addr, s.Host, s.Kind = "2001:db8::1", "2001:db8::1", AddrIPv6 })},
		{"server s ipv6@::1", with(func(s *Server) { s.Addr, s.Host, s.Kind = "ipv6@::1", "::1", AddrIPv6 })},
		{"server s ipv4@10.0.0.1:82", with(func(s *Server) { s.Addr, s.Host, s.Port, s.Kind = "ipv4@10.0.0.1", "10.0.0.1", 82, AddrIPv4 })},
		{"server s unix@/run/s.sock", with(func(s *Server) { s.Addr, s.Path, s.Kind = "unix@/run/s.sock", "/run/s.sock", AddrUnix })},
		{"server s 1.2.3.4:80 weight 0 maxconn 10 maxqueue 20 minconn 5 backup disabled id 7", with(func(s *Server) {
			s.Addr, s.Host, s.Port, s.Kind = "1.2.3.4", "1.2.3.4", 80, AddrIPv4
			s.Weight, s.Maxconn, s.Maxqueue, s.Minconn, s.Backup, s.Disabled, s.ID, s.IDForced = 0, 10, 20, 5, true, true, 7, true
		})},
		{"server s 1.2.3.4:80 weight 256 disabled enabled backup no-backup", with(func(s *Server) {
			s.Addr, s.Host, s.Port, s.Kind, s.Weight = "1.2.3.4", "1.2.3.4", 80, AddrIPv4, 256
		})},
		{"server s 1.2.3.4:80 check inter 3s fastinter 1s downinter 5s rise 4 fall 6 port 81 addr 1.2.3.5 slowstart 30s on-marked-down shutdown-sessions on-marked-up shutdown-backup-sessions observe layer4 error-limit 7 on-error mark-down check-ssl agent-check agent-addr 1.2.3.6 agent-port 9000 agent-inter 4s agent-send hi init-addr last,libc resolvers dns", with(func(s *Server) {
			s.Addr, s.Host, s.Port, s.Kind = "1.2.3.4", "1.2.3.4", 80, AddrIPv4
			s.Check, s.Inter, s.FastInter, s.DownInter, s.Rise, s.Fall = true, 3*time.Second, time.Second, 5*time.Second, 4, 6
			s.CheckPort, s.CheckAddr, s.Slowstart = 81, "1.2.3.5", 30*time.Second
			s.OnMarkedDown, s.OnMarkedUp, s.Observe, s.ErrorLimit, s.OnError = "shutdown-sessions", "shutdown-backup-sessions", "layer4", 7, "mark-down"
			s.CheckSSL, s.Agent, s.AgentAddr, s.AgentPort, s.AgentInter, s.AgentSend = true, true, "1.2.3.6", 9000, 4*time.Second, "hi"
			s.InitAddr, s.Resolvers = "last,libc", "dns"
		})},
		{"server s 1.2.3.4:80 inter 10us", with(func(s *Server) {
			s.Addr, s.Host, s.Port, s.Kind, s.Inter = "1.2.3.4", "1.2.3.4", 80, AddrIPv4, time.Millisecond
		})},
	}
	for _, tt := range tests {
		c, diags := parseAll(t, minimal+"backend be\n  "+tt.line+"\n", Options{})
		if c == nil {
			t.Errorf("%s: %v", tt.line, diags)
			continue
		}
		srv := c.Proxy("be", CapBE).Servers
		tt.want.Name = "s"
		if tt.want.ID == 0 {
			tt.want.ID = 1
		}
		if len(srv) != 1 || !reflect.DeepEqual(*srv[0], tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.line, *srv[0], tt.want)
		}
	}
}

func TestParseDefaultServer(t *testing.T) {
	c := parseOK(t, minimal+`backend be
  server a 1.2.3.4:80
  default-server weight 10 inter 5s maxconn 100
  server b 1.2.3.4:81
  server c 1.2.3.4:82 weight 20
  default-server rise 9
  server d 1.2.3.4:83
`)
	srv := c.Proxy("be", CapBE).Servers
	type summary struct{ weight, maxconn, rise int }
	got := []summary{}
	for _, s := range srv {
		got = append(got, summary{s.Weight, s.Maxconn, s.Rise})
	}
	want := []summary{{1, 0, 2}, {10, 100, 2}, {20, 100, 2}, {10, 100, 9}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("servers = %+v, want %+v", got, want)
	}
	if srv[1].Inter != 5*time.Second {
		t.Errorf("inter = %v", srv[1].Inter)
	}
	// default-server in defaults is inherited.
	c = parseOK(t, minimal+"  default-server weight 7 check\nbackend be\n  server a 1.2.3.4:80\n")
	if s := c.Proxy("be", CapBE).Servers[0]; s.Weight != 7 || !s.Check {
		t.Errorf("inherited default-server: %+v", s)
	}
}

func TestParseDefaultsInheritance(t *testing.T) {
	c := parseOK(t, `defaults
    mode tcp
    retries 5
    maxconn 100
    backlog 50
    fullconn 30
    timeout connect 1s
    timeout client 2s
    timeout server 3s
    timeout tunnel 1h
    timeout queue 4s
    timeout check 5s
    timeout client-fin 6s
    timeout server-fin 7s
    timeout http-request 8s
    timeout http-keep-alive 9s
    timeout tarpit 10s
    option redispatch 2
    option splice-auto
    option allbackups
    option tcpka
    log 127.0.0.1:514 local0
    hash-type consistent djb2 avalanche
    default_backend be
    disabled
frontend fe
    bind :80
    enabled
backend be
    no option redispatch
    no option splice-auto
    retries 1
defaults
    timeout client 1s
frontend fe2
    bind :81
    default_backend be
`)
	fe := c.Proxy("fe", CapFE)
	wantT := Timeouts{Connect: time.Second, Client: 2 * time.Second, Server: 3 * time.Second, Tunnel: time.Hour,
		Queue: 4 * time.Second, Check: 5 * time.Second, ClientFin: 6 * time.Second, ServerFin: 7 * time.Second,
		HTTPRequest: 8 * time.Second, HTTPKeepAlive: 9 * time.Second, Tarpit: 10 * time.Second}
	if fe.Timeouts != wantT || fe.Retries != 5 || fe.Maxconn != 100 || fe.Backlog != 50 || fe.Fullconn != 30 ||
		!fe.Redispatch || fe.RedispatchInterval != 2 || fe.Splice != (Splice{Set: true, Auto: true}) || !fe.AllBackups ||
		!fe.Options["tcpka"] || len(fe.Logs) != 1 || fe.DefaultBackend != "be" || fe.Disabled ||
		fe.Balance.HashType != "consistent" || fe.Balance.HashFunction != "djb2" || !fe.Balance.Avalanche {
		t.Errorf("fe = %+v", fe)
	}
	be := c.Proxy("be", CapBE)
	if be.Redispatch || be.RedispatchInterval != -1 || be.Splice != (Splice{Set: true}) || be.Retries != 1 ||
		be.DefaultBackend != "" || !be.Disabled || be.Timeouts.Server != 3*time.Second {
		t.Errorf("be = %+v", be)
	}
	// A new defaults section starts from the built-in defaults.
	fe2 := c.Proxy("fe2", CapFE)
	if fe2.Timeouts != (Timeouts{Client: time.Second}) || fe2.Retries != 3 || fe2.Redispatch || fe2.RedispatchInterval != -1 ||
		fe2.Mode != ModeTCP || fe2.Balance.Algo != "roundrobin" || len(fe2.Logs) != 0 || len(fe2.Options) != 0 || fe2.Disabled {
		t.Errorf("fe2 = %+v", fe2)
	}
}

func TestParseNamedDefaults(t *testing.T) {
	c := parseOK(t, `defaults base
    timeout client 1s
    timeout connect 2s
    timeout server 3s
    retries 7
defaults other
    timeout client 9s
defaults child from base
    retries 8
frontend a from base
    bind :80
    default_backend b
backend b from child
    server s 1.2.3.4:80
frontend c
    bind :81
    default_backend b
`)
	if a := c.Proxy("a", CapFE); a.Timeouts.Client != time.Second || a.Retries != 7 {
		t.Errorf("a = %+v", a)
	}
	if b := c.Proxy("b", CapBE); b.Timeouts.Connect != 2*time.Second || b.Retries != 8 {
		t.Errorf("b = %+v", b)
	}
	// Without "from", the last defaults section applies.
	if cc := c.Proxy("c", CapFE); cc.Timeouts.Client != time.Second || cc.Retries != 8 {
		t.Errorf("c = %+v", cc)
	}
}

func TestParseIDs(t *testing.T) {
	c := parseOK(t, `global
    stats socket /tmp/s.sock
defaults
    timeout client 1s
    timeout server 1s
    timeout connect 1s
frontend f1
    bind :18001
    default_backend b1
backend b1
    id 2
    server s1 127.0.0.1:9
    server s2 127.0.0.1:9 id 1
    server s3 127.0.0.1:9
listen l3
    bind :18002
    server x 127.0.0.1:9
`)
	// As HAProxy 2.6 numbers them ("show stat" iid and sid).
	ids := map[string]int{}
	for _, px := range c.Proxies {
		ids[px.Name] = px.ID
	}
	if want := map[string]int{"f1": 3, "b1": 2, "l3": 5}; !reflect.DeepEqual(ids, want) || c.Global.CLIProxyID != 1 {
		t.Errorf("proxy ids = %v, cli %d", ids, c.Global.CLIProxyID)
	}
	var sids []int
	for _, s := range c.Proxy("b1", CapBE).Servers {
		sids = append(sids, s.ID)
	}
	if want := []int{2, 1, 4}; !reflect.DeepEqual(sids, want) {
		t.Errorf("server ids = %v, want %v", sids, want)
	}

	c = parseOK(t, minimal+"frontend f1\n  bind :1\n  default_backend b1\nbackend b1\n  id 2\nlisten l3\n  bind :2\nglobal\n  stats socket /tmp/s.sock\n")
	ids = map[string]int{}
	for _, px := range c.Proxies {
		ids[px.Name] = px.ID
	}
	if want := map[string]int{"f1": 1, "b1": 2, "l3": 3}; !reflect.DeepEqual(ids, want) || c.Global.CLIProxyID != 4 {
		t.Errorf("proxy ids = %v, cli %d", ids, c.Global.CLIProxyID)
	}
}

func TestParseEnvironment(t *testing.T) {
	t.Setenv("HITLESS_TEST_REAL", "real")
	cfg := `global
    setenv PORT 8000
    presetenv PORT 9000
    presetenv HOSTV 127.0.0.1
    description "${HOSTV}:$PORT ${MISSING-dflt} ${EMPTY-dflt}x '${PORT}' \${PORT}"
    unsetenv HOSTV
    node "n${HOSTV}1"
    resetenv PORT PORT_RANGE FD
    log-tag "${BASE-none}${PORT}"
defaults
    timeout client 1s
listen l
    bind ":${PORT}"
    bind ${PORT_RANGE}
    bind "fd@${FD}"
    bind ${NOPE-:1}
`
	env := map[string]string{"HOSTV": "10.0.0.1", "BASE": "b", "EMPTY": "", "PORT_RANGE": ":7000-7001", "FD": "4"}
	c, diags := parseAll(t, cfg, Options{LookupEnv: envOf(env)})
	if c == nil {
		t.Fatal(diags)
	}
	g := c.Global
	// Inside double quotes single quotes are literal and "\$" is a dollar.
	if want := `10.0.0.1:8000 dflt x '8000' ${PORT}`; g.Description != want {
		t.Errorf("description = %q, want %q", g.Description, want)
	}
	if g.Node != "n1" || g.LogTag != "none8000" {
		t.Errorf("node = %q, log-tag = %q", g.Node, g.LogTag)
	}
	var addrs []string
	for _, b := range c.Proxies[0].Binds {
		addrs = append(addrs, b.Addr)
	}
	if want := []string{":8000", ":7000-7001", "fd@4", ":1"}; !reflect.DeepEqual(addrs, want) {
		t.Errorf("binds = %q, want %q", addrs, want)
	}
	if env["HOSTV"] != "10.0.0.1" || os.Getenv("PORT") != "" || os.Getenv("HITLESS_TEST_REAL") != "real" {
		t.Error("the environment was modified")
	}
	// nil LookupEnv reads the process environment.
	c, err := Parse("t.cfg", []byte("global\n  node \"${HITLESS_TEST_REAL}\"\n"), Options{})
	if err != nil || c.Global.Node != "real" {
		t.Errorf("os.LookupEnv: %v %v", c, err)
	}
}

func TestParseConditionalBlocks(t *testing.T) {
	cfg := `global
.if defined(WITH_A)
    node a
.elif streq("${MODE}",b)
    node b
  .if 1
    description nested
  .endif
.elif 1
    node c
.else
    node d
.endif
.if !feature(THREAD) || version_before(2.6)
    maxconn 1
.elif version_atleast(2.6-dev0) && feature(THREAD)
    maxconn 2
.endif
.if 0
  .if 1
    maxconn 3
  .else
    maxconn 4
  .endif
.endif
.if
    nbthread 9
.endif
`
	opts := Options{Feature: func(n string) bool { return n == "THREAD" }}
	tests := []struct {
		env  map[string]string
		node string
		desc string
	}{
		{map[string]string{"WITH_A": ""}, "a", ""},
		{map[string]string{"MODE": "b"}, "b", "nested"},
		{map[string]string{}, "c", ""},
	}
	for _, tt := range tests {
		opts.LookupEnv = envOf(tt.env)
		c, diags := parseAll(t, cfg, opts)
		if c == nil {
			t.Fatal(diags)
		}
		if c.Global.Node != tt.node || c.Global.Description != tt.desc || c.Global.Maxconn != 2 || c.Global.Nbthread != 0 {
			t.Errorf("env %v: global = %+v", tt.env, c.Global)
		}
	}
}

func TestParseSources(t *testing.T) {
	srcs := []Source{
		{Name: "a.cfg", Data: []byte("global\n  setenv P 8000\n  maxconn 10\n.if 1\n")},
		{Name: "b.cfg", Data: []byte("  maxconn 20\nglobal\n  nbthread 2\ndefaults\n  timeout client 1s\n")},
		{Name: "c.cfg", Data: []byte("frontend f\n  bind :${P}\n")},
	}
	_, err := ParseSources(srcs, Options{LookupEnv: noEnv})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	want := []string{
		"ALERT parsing [a.cfg:4]: non-terminated '.if' block.",
		"ALERT parsing [b.cfg:1]: unknown keyword 'maxconn' out of section.",
	}
	if got := diagLines(e.Diags); !reflect.DeepEqual(got, want) {
		t.Errorf("diags = %q, want %q", got, want)
	}
	srcs[0].Data = []byte("global\n  setenv P 8000\n  maxconn 10\n")
	srcs[1].Data = []byte("global\n  nbthread 2\ndefaults\n  timeout client 1s\n")
	c, err := ParseSources(srcs, Options{LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if c.Global.Maxconn != 10 || c.Global.Nbthread != 2 || c.Proxies[0].Binds[0].PortFirst != 8000 ||
		c.Proxies[0].Timeouts.Client != time.Second || !reflect.DeepEqual(c.Files, []string{"a.cfg", "b.cfg", "c.cfg"}) {
		t.Errorf("config = %+v", c)
	}
	if c.Global.File != "a.cfg" || c.Proxies[0].File != "c.cfg" || c.Proxies[0].Binds[0].Line != 2 {
		t.Errorf("locations: %+v %+v", c.Global, c.Proxies[0])
	}
}

func TestParseQuotingAndCRLF(t *testing.T) {
	cfg := "global\r\n  description \"a  b\"\\ c'd  e' # comment\r\n  pidfile '/run/#1'\r\n\r\n"
	c := parseOK(t, cfg)
	if c.Global.Description != "a  b cd  e" || c.Global.Pidfile != "/run/#1" {
		t.Errorf("description = %q, pidfile = %q", c.Global.Description, c.Global.Pidfile)
	}
}

func TestNotices(t *testing.T) {
	c := parseOK(t, "global\n.notice \"hello\"\n")
	if len(c.Notices) != 1 || c.Notices[0].Msg != "'hello'." || c.Notices[0].Sev != SevNotice || len(c.Warnings) != 0 {
		t.Errorf("notices = %+v, warnings = %+v", c.Notices, c.Warnings)
	}
}

func TestConfigAccessors(t *testing.T) {
	c := parseOK(t, minimal+"frontend f\n  bind :80\n  default_backend b\nbackend b\nlisten l\n  bind :81\n")
	if c.Proxy("f", CapFE) == nil || c.Proxy("f", CapBE) != nil || c.Proxy("l", CapFE|CapBE) == nil {
		t.Error("Proxy lookup")
	}
	var fe, be []string
	for _, p := range c.Frontends() {
		fe = append(fe, p.Name)
	}
	for _, p := range c.Backends() {
		be = append(be, p.Name)
	}
	if !reflect.DeepEqual(fe, []string{"f", "l"}) || !reflect.DeepEqual(be, []string{"b", "l"}) {
		t.Errorf("frontends %v backends %v", fe, be)
	}
}

func TestDiagString(t *testing.T) {
	tests := []struct {
		d    Diag
		want string
	}{
		{Diag{File: "f", Line: 3, Msg: "m"}, "parsing [f:3] : m"},
		{Diag{File: "f", Line: 3, Msg: "m", Form: FormParsingTight}, "parsing [f:3]: m"},
		{Diag{File: "f", Line: 3, Msg: "m", Form: FormBare}, "[f:3] : m"},
		{Diag{File: "f", Line: 3, Msg: "m", Form: FormParsingCap}, "Parsing [f:3]: m"},
		{Diag{Msg: "m", Form: FormBare}, "m"},
		{Diag{File: "f", Line: 3, Msg: "m", Form: FormMsgOnly}, "m"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.d, got, tt.want)
		}
	}
	e := &Error{Diags: []Diag{{Sev: SevWarning, Msg: "w"}, {Sev: SevAlert, File: "f", Line: 1, Msg: "a"}}}
	if got := e.Error(); got != "config: parsing [f:1] : a" {
		t.Errorf("Error() = %q", got)
	}
}
