package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// chk builds a configuration with one backend holding lines (separated
// by '|') and a checked server; the first line is line 6.
func chk(lines string) string {
	return minimal + "backend be\n  " + strings.ReplaceAll(lines, "|", "\n  ") + "\n  server s1 1.2.3.4:80 check\n"
}

// checkDiagCases join diagCases, so that the rows not marked "(hitless)"
// are also compared with HAProxy's output by TestParseDiagnosticsHAProxy.
var checkDiagCases = []diagCase{
	// tcp-check.
	{"tcp-check no action", chk("tcp-check"), []string{
		"ALERT parsing [t.cfg:6] : 'tcp-check' only supports 'comment', 'connect', 'send', 'send-binary', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got ''",
	}},
	{"tcp-check unknown action", chk("tcp-check foo"), []string{
		"ALERT parsing [t.cfg:6] : 'tcp-check' only supports 'comment', 'connect', 'send', 'send-binary', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got 'foo'",
	}},
	{"tcp-check connect port", chk("tcp-check connect port|tcp-check connect port 0|tcp-check connect port 70000"), []string{
		"ALERT parsing [t.cfg:6] : 'tcp-check connect' : 'port' expects a port number or a sample expression as argument..",
		"ALERT parsing [t.cfg:7] : 'tcp-check connect' : expects a valid TCP port (from range 1 to 65535) or a sample expression, got 0..",
		"ALERT parsing [t.cfg:8] : 'tcp-check connect' : expects a valid TCP port (from range 1 to 65535) or a sample expression, got 70000..",
	}},
	{"tcp-check connect args", chk("tcp-check connect addr|tcp-check connect comment|tcp-check connect foo"), []string{
		"ALERT parsing [t.cfg:6] : 'tcp-check connect' : 'addr' expects <ipv4|ipv6> as argument..",
		"ALERT parsing [t.cfg:7] : 'tcp-check connect' : 'comment' expects a string as argument..",
		"ALERT parsing [t.cfg:8] : 'tcp-check connect' : expects 'comment', 'port', 'addr', 'send-proxy', 'ssl', 'sni', 'alpn' or 'via-socks4', 'linger', 'default' but got 'foo' as argument..",
	}},
	{"tcp-check send args", chk("tcp-check send|tcp-check send a b|tcp-check send a comment|tcp-check send-binary|tcp-check send-binary 0g|tcp-check send-binary 123"), []string{
		"ALERT parsing [t.cfg:6] : 'tcp-check send' : 'string' expects a send as argument.",
		"ALERT parsing [t.cfg:7] : 'tcp-check send' : expects 'comment' but got 'b' as argument..",
		"ALERT parsing [t.cfg:8] : 'tcp-check send' : 'comment' expects a string as argument..",
		"ALERT parsing [t.cfg:9] : 'tcp-check send-binary' : 'binary string' expects a send-binary as argument.",
		"ALERT parsing [t.cfg:10] : 'tcp-check send-binary' : '0g' invalid binary string (an hex digit is expected (found 'g')).",
		"ALERT parsing [t.cfg:11] : 'tcp-check send-binary' : '123' invalid binary string (an even number of hex digit is expected).",
	}},
	{"tcp-check expect args", chk("tcp-check expect|tcp-check expect string|tcp-check expect foo x|tcp-check expect status 200|tcp-check expect string a string b|tcp-check expect binary 0z|tcp-check expect binary 123|tcp-check expect string a foo"), []string{
		"ALERT parsing [t.cfg:6] : 'tcp-check expect' : expects at least a matching pattern as arguments.",
		"ALERT parsing [t.cfg:7] : 'tcp-check expect' : 'string' expects a <pattern> as argument.",
		"ALERT parsing [t.cfg:8] : 'tcp-check expect' : 'only supports min-recv, '[!]binary', '[!]string', '[!]rstring', '[!]string-lf''[!]rbinary', '[!]binary-lf' or comment but got 'foo' as argument..",
		"ALERT parsing [t.cfg:9] : 'tcp-check expect' : 'only supports min-recv, '[!]binary', '[!]string', '[!]rstring', '[!]string-lf''[!]rbinary', '[!]binary-lf' or comment but got 'status' as argument..",
		"ALERT parsing [t.cfg:10] : 'tcp-check expect' : only on pattern expected.",
		"ALERT parsing [t.cfg:11] : 'tcp-check expect' : invalid binary string (an hex digit is expected (found 'z')).",
		"ALERT parsing [t.cfg:12] : 'tcp-check expect' : invalid binary string (an even number of hex digit is expected).",
		"ALERT parsing [t.cfg:13] : 'tcp-check expect' : 'only supports min-recv, '[!]binary', '[!]string', '[!]rstring', '[!]string-lf''[!]rbinary', '[!]binary-lf' or comment but got 'foo' as argument..",
	}},
	{"tcp-check expect options", chk("tcp-check expect min-recv|tcp-check expect min-recv -2 string a|tcp-check expect ok-status FOO string a|tcp-check expect error-status FOO string a|tcp-check expect tout-status FOO string a|tcp-check expect ! comment x string a|tcp-check expect comment|tcp-check comment"), []string{
		"ALERT parsing [t.cfg:6] : 'tcp-check expect' : 'min-recv' expects a integer as argument.",
		"ALERT parsing [t.cfg:7] : 'tcp-check expect' : 'min-recv' expects -1 or an integer from 0 to INT_MAX.",
		"ALERT parsing [t.cfg:8] : 'tcp-check expect' : 'ok-status' only supports 'L4OK', 'L6OK', 'L7OK' or 'L7OKC' status (got 'FOO')..",
		"ALERT parsing [t.cfg:9] : 'tcp-check expect' : 'error-status' only supports 'L4CON', 'L6RSP', 'L7RSP' or 'L7STS' status (got 'FOO')..",
		"ALERT parsing [t.cfg:10] : 'tcp-check expect' : 'tout-status' only supports 'L4TOUT', 'L6TOUT' or 'L7TOUT' status (got 'FOO')..",
		"ALERT parsing [t.cfg:11] : 'tcp-check expect' : [!] not supported with 'comment'.",
		"ALERT parsing [t.cfg:12] : 'tcp-check expect' : 'comment' expects a string as argument.",
		"ALERT parsing [t.cfg:13] : 'tcp-check comment' : expects a string as argument.",
	}},
	{"tcp-check connect first", chk("option tcp-check|tcp-check expect string x|tcp-check connect port 80"), []string{
		"ALERT parsing [t.cfg:8] : 'tcp-check connect' : first step MUST also be a 'connect', optionally preceded by a 'set-var', an 'unset-var' or a 'comment', when there is a 'connect' step in the tcp-check ruleset.",
	}},
	{"tcp-check rules unused", chk("tcp-check send x"), []string{
		"WARNING backend 'be' uses tcp-check rules without 'option tcp-check', so the rules are ignored.",
	}},
	{"check rules unused", chk("option mysql-check user check|tcp-check connect|http-check expect status 200"), []string{
		"WARNING backend 'be' uses http-check rules without 'option httpchk', so the rules are ignored.",
		"WARNING backend 'be' uses tcp-check rules without 'option tcp-check', so the rules are ignored.",
	}},
	{"check rules used later", chk("http-check send meth GET|tcp-check send x|option tcp-check"), nil},

	// http-check.
	{"http-check actions", chk("http-check|http-check foo|http-check disable-on-404 x|http-check comment"), []string{
		"ALERT parsing [t.cfg:6] : 'http-check' only supports 'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got ''",
		"ALERT parsing [t.cfg:7] : 'http-check' only supports 'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'. but got 'foo'",
		"ALERT parsing [t.cfg:8] : 'http-check' cannot handle unexpected argument 'x'.",
		"ALERT parsing [t.cfg:9] : 'http-check comment' : expects a string as argument.",
	}},
	{"http-check send args", chk("http-check send foo|http-check send meth|http-check send hdr a|http-check send hdr Host a hdr host b|http-check send hdr X \"\""), []string{
		"ALERT parsing [t.cfg:6] : 'http-check send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got 'foo' as argument..",
		"ALERT parsing [t.cfg:7] : 'http-check send' : 'meth' expects a string as argument..",
		"ALERT parsing [t.cfg:8] : 'http-check send' : 'hdr' expects <name> and <value> as arguments.",
		"ALERT parsing [t.cfg:9] : 'http-check send' : 'host' header already defined (previous value is 'a').",
		"ALERT parsing [t.cfg:10] : 'http-check send' : 'hdr' expects <name> and <value> as arguments.",
	}},
	{"http-check expect args", chk("http-check expect status 2x0|http-check expect status 300-200|http-check expect binary 00|http-check expect hdr name|http-check expect foo|http-check expect string"), []string{
		"ALERT parsing [t.cfg:6] : 'http-check expect' : invalid character 'x' in the list of status codes.",
		"ALERT parsing [t.cfg:7] : 'http-check expect' : invalid range of status codes '300-200'.",
		"ALERT parsing [t.cfg:8] : 'http-check expect' : 'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got 'binary' as argument..",
		"ALERT parsing [t.cfg:9] : 'http-check expect' : 'hdr' expects at the name keyword as first argument followed by a pattern.",
		"ALERT parsing [t.cfg:10] : 'http-check expect' : 'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got 'foo' as argument..",
		"ALERT parsing [t.cfg:11] : 'http-check expect' : 'string' expects a <pattern> as argument.",
	}},
	{"http-check missing send", chk("option httpchk|http-check connect|http-check expect status 200"), []string{
		"ALERT parsing [t.cfg:8] : 'http-check expect' : unable to add http-check expect rule at step 2 (missing send rule)..",
	}},
	{"http-check missing connect", chk("option httpchk|http-check expect status 200|http-check send"), []string{
		"ALERT parsing [t.cfg:8] : 'http-check send' : unable to add http-check send rule at step 2 (missing connect rule)..",
	}},
	{"http-check connect first", chk("option httpchk|http-check send|http-check connect"), []string{
		"ALERT parsing [t.cfg:8] : 'http-check connect' : first step MUST also be a 'connect', optionally preceded by a 'set-var', an 'unset-var' or a 'comment', when there is a 'connect' step in the tcp-check ruleset.",
	}},
	{"http-check step numbers", chk("option httpchk|http-check comment a|http-check connect|http-check send|http-check expect status 200|http-check send"), []string{
		"ALERT parsing [t.cfg:11] : 'http-check send' : unable to add http-check send rule at step 3 (missing connect rule)..",
	}},
	{"http-check rules unused", chk("http-check connect"), []string{
		"WARNING backend 'be' uses http-check rules without 'option httpchk', so the rules are ignored.",
	}},

	// Options.
	{"check option arguments", chk("option httpchk a b c d|option tcp-check x|option redis-check x|option pgsql-check user x y|option pgsql-check foo x|option mysql-check user x pre-41 y"), []string{
		"ALERT parsing [t.cfg:6] : 'option httpchk' cannot handle unexpected argument 'd'.",
		"ALERT parsing [t.cfg:7] : 'option tcp-check' cannot handle unexpected argument 'x'.",
		"ALERT parsing [t.cfg:8] : 'option redis-check' cannot handle unexpected argument 'x'.",
		"ALERT parsing [t.cfg:9] : 'option pgsql-check' cannot handle unexpected argument 'y'.",
		"ALERT parsing [t.cfg:10] : 'option pgsql-check' only supports optional values: 'user'.",
		"ALERT parsing [t.cfg:11] : 'option mysql-check' cannot handle unexpected argument 'y'.",
	}},
	{"check option negations", chk("no option httpchk|no option tcp-check|no option redis-check|no option log-health-checks|no option ldap-check"), []string{
		"ALERT parsing [t.cfg:6]: negation/default is not supported for option 'httpchk'.",
		"ALERT parsing [t.cfg:7]: negation/default is not supported for option 'tcp-check'.",
		"ALERT parsing [t.cfg:8]: negation/default is not supported for option 'redis-check'.",
		"ALERT parsing [t.cfg:10]: negation/default is not supported for option 'ldap-check'.",
	}},
	{"httpchk headers in version", chk(`option httpchk GET / HTTP/1.0\r\nHost:\ x`), []string{
		"WARNING parsing [t.cfg:6]: 'option httpchk' : hiding headers or body at the end of the version string is deprecated. Please, consider to use 'http-check send' directive instead.",
	}},

	// Ports of checked servers.
	{"check ports", minimal + "backend be\n  server s1 1.2.3.4 check\n  server s2 1.2.3.4 check port 80\n  server s3 1.2.3.4 check addr 1.2.3.5:81\n  server s4 1.2.3.4\n" +
		"backend be2\n  option tcp-check\n  tcp-check connect port 80\n  tcp-check connect\n  server s1 1.2.3.4 check\n" +
		"backend be3\n  option tcp-check\n  tcp-check connect port 80\n  server s1 1.2.3.4 check\n" +
		"backend be4\n  option httpchk\n  server s1 1.2.3.4 check\n", []string{
		"ALERT config: backend 'be': server 's1' has neither service port nor check port.",
		"ALERT config: backend 'be2': server 's1' has neither service port nor check port, and a tcp_check rule 'connect' with no port information.",
		"ALERT config: backend 'be4': server 's1' has neither service port nor check port nor tcp_check rule 'connect' with port information.",
	}},

	{"agent and track (hitless)", minimal + "backend be\n  server s1 1.2.3.4:80 check agent-check agent-port 9 maxqueue 5\n  server s2 1.2.3.4:80 track s1\n", []string{
		"WARNING [t.cfg:6] : 'server be/s1' : agent checks are not implemented yet and are ignored.",
		"WARNING [t.cfg:7] : 'server be/s2' : 'track' is not implemented yet; the server is considered always up.",
	}},

	// What hitless refuses.
	{"check refusals (hitless)", chk("tcp-check connect ssl|tcp-check connect port abc|tcp-check send-lf %[src]|tcp-check expect string-lf x|tcp-check set-var(check.x) int(1)|http-check expect hdr name x|http-check send-state|http-check send hdr X %[src]|http-check send uri-lf /%[src]|option ldap-check|tcp-check expect rstring (?=x)|external-check command /bin/true"), []string{
		"ALERT parsing [t.cfg:6] : 'tcp-check connect' : 'ssl' is not implemented yet.",
		"ALERT parsing [t.cfg:7] : 'tcp-check connect' : a sample expression as port is not implemented yet.",
		"ALERT parsing [t.cfg:8] : 'tcp-check send-lf' is not implemented yet.",
		"ALERT parsing [t.cfg:9] : 'tcp-check expect' : 'string-lf' is not implemented yet.",
		"ALERT parsing [t.cfg:10] : 'tcp-check set-var' is not implemented yet.",
		"ALERT parsing [t.cfg:11] : 'http-check expect' : 'hdr' is not implemented yet.",
		"ALERT parsing [t.cfg:12] : 'http-check send-state' is not implemented yet.",
		"ALERT parsing [t.cfg:13] : 'http-check send' : a log-format header value is not implemented yet.",
		"ALERT parsing [t.cfg:14] : 'http-check send' : 'uri-lf' is not implemented yet.",
		"ALERT parsing [t.cfg:15] : 'option ldap-check' is not implemented yet.",
		"ALERT parsing [t.cfg:16] : 'tcp-check expect' : regex '(?=x)' is invalid (invalid or unsupported Perl syntax).",
		"ALERT parsing [t.cfg:17] : 'external-check' is not implemented yet.",
	}},
}

func init() { diagCases = append(diagCases, checkDiagCases...) }

func TestParseCheckOptions(t *testing.T) {
	c := parseOK(t, minimal+`    option httpchk GET /def HTTP/1.1
    http-check send hdr Host example.org
    option log-health-checks
    http-check disable-on-404
backend http
    http-check expect status 200-299,304
    server s1 1.2.3.4:80 check
backend http-inherit
    server s1 1.2.3.4:80 check
backend http-own
    option httpchk HEAD /own
    no option log-health-checks
    server s1 1.2.3.4:80 check
backend tcp
    option tcp-check
    tcp-check comment hello
    tcp-check connect port 8080 linger comment c
    tcp-check send PING\r\n
    tcp-check send-binary 50494e47
    tcp-check expect !rstring ^-ERR min-recv 4 error-status L7STS on-error oops
    tcp-check expect binary 2b504f4e47 ok-status L6OK tout-status L4TOUT
    server s1 1.2.3.4:80 check
backend mysql
    option mysql-check user haproxy pre-41
    server s1 1.2.3.4:3306 check addr 1.2.3.5:3307
backend pgsql
    option pgsql-check user pg
    server s1 1.2.3.4:5432 check port 5433
backend redis
    option redis-check
    server s1 1.2.3.4:6379 check
`)
	get := func(name string) *Proxy {
		px := c.Proxy(name, CapBE)
		if px == nil {
			t.Fatalf("no backend %s", name)
		}
		return px
	}

	h := get("http")
	wantHTTP := []CheckRule{{Action: RuleExpect, File: "t.cfg", Line: 10, Match: "status", Pattern: "200-299,304", MinRecv: -1, Codes: [][2]int{{200, 299}, {304, 304}}}}
	if h.Check.Kind != CheckHTTP || !h.Check.DisableOn404 || !h.LogHealthChecks || !reflect.DeepEqual(h.Check.HTTPRules, wantHTTP) {
		t.Errorf("http: %+v", h.Check)
	}
	hi := get("http-inherit").Check
	wantInherit := []CheckRule{{Action: RuleSend, File: "t.cfg", Line: 6, Method: "GET", URI: "/def", Version: "HTTP/1.1",
		Headers: []CheckHeader{{"Host", "example.org"}}}}
	if hi.Kind != CheckHTTP || hi.Line != 5 || !reflect.DeepEqual(hi.HTTPRules, wantInherit) {
		t.Errorf("http-inherit: %+v", hi)
	}
	ho := get("http-own")
	wantOwn := []CheckRule{{Action: RuleSend, FromOption: true, File: "t.cfg", Line: 15, Method: "HEAD", URI: "/own"}}
	if ho.LogHealthChecks || ho.Check.Line != 15 || !reflect.DeepEqual(ho.Check.HTTPRules, wantOwn) {
		t.Errorf("http-own: %+v", ho.Check)
	}

	tc := get("tcp").Check
	wantTCP := []CheckRule{
		{Action: RuleComment, Index: 0, Comment: "hello", File: "t.cfg", Line: 20},
		{Action: RuleConnect, Index: 1, Port: 8080, Linger: true, Comment: "c", File: "t.cfg", Line: 21},
		{Action: RuleSend, Index: 2, Data: "PING\r\n", File: "t.cfg", Line: 22},
		{Action: RuleSend, Index: 3, Data: "PING", Binary: true, File: "t.cfg", Line: 23},
		{Action: RuleExpect, Index: 4, Match: "rstring", Pattern: "^-ERR", Inverse: true, MinRecv: 4, ErrorStatus: "L7STS", OnError: "oops", File: "t.cfg", Line: 24},
		{Action: RuleExpect, Index: 5, Match: "binary", Pattern: "2b504f4e47", Data: "+PONG", OKStatus: "L6OK", ToutStatus: "L4TOUT", MinRecv: -1, File: "t.cfg", Line: 25},
	}
	if tc.Kind != CheckTCP || !reflect.DeepEqual(tc.TCPRules, wantTCP) {
		t.Errorf("tcp rules:\n%+v\nwant\n%+v", tc.TCPRules, wantTCP)
	}

	my := get("mysql")
	if my.Check.Kind != CheckMySQL || my.Check.MySQLUser != "haproxy" || !my.Check.MySQLPre41 ||
		my.Servers[0].CheckAddr != "1.2.3.5" || my.Servers[0].CheckAddrPort != 3307 {
		t.Errorf("mysql: %+v %+v", my.Check, my.Servers[0])
	}
	if pg := get("pgsql"); pg.Check.Kind != CheckPgSQL || pg.Check.PgSQLUser != "pg" || pg.Servers[0].CheckPort != 5433 {
		t.Errorf("pgsql: %+v", pg.Check)
	}
	if rd := get("redis"); rd.Check.Kind != CheckRedis || rd.Servers[0].Inter != 2*time.Second {
		t.Errorf("redis: %+v", rd.Check)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings: %v", diagLines(c.Warnings))
	}
}

// TestParseHTTPCheckMerge covers how HAProxy merges the request of
// "option httpchk" with "http-check send" and where each section's rules
// come from (the same cases were checked against the bytes HAProxy 2.6
// sends, see engine/check).
func TestParseHTTPCheckMerge(t *testing.T) {
	c := parseOK(t, minimal+`    option httpchk GET /def HTTP/1.0
backend expect-only
    http-check expect status 200
    server s1 1.2.3.4:80 check
backend send-only
    http-check send hdr X-A 1
    server s1 1.2.3.4:80 check
backend send-then-option
    http-check send hdr X-B 1 meth PUT
    option httpchk GET /own
    server s1 1.2.3.4:80 check
backend option-twice
    option httpchk /a
    option httpchk POST /b HTTP/1.1
    server s1 1.2.3.4:80 check
`)
	for _, tt := range []struct {
		name string
		want []CheckRule
	}{
		{"expect-only", []CheckRule{{Action: RuleExpect, Match: "status", Pattern: "200", Codes: [][2]int{{200, 200}}, MinRecv: -1, File: "t.cfg", Line: 7}}},
		{"send-only", []CheckRule{{Action: RuleSend, Headers: []CheckHeader{{"X-A", "1"}}, File: "t.cfg", Line: 10}}},
		{"send-then-option", []CheckRule{{Action: RuleSend, Method: "GET", URI: "/own", Headers: []CheckHeader{{"X-B", "1"}}, File: "t.cfg", Line: 13}}},
		{"option-twice", []CheckRule{{Action: RuleSend, FromOption: true, Method: "POST", URI: "/b", Version: "HTTP/1.1", File: "t.cfg", Line: 18}}},
	} {
		if got := c.Proxy(tt.name, CapBE).Check.HTTPRules; !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n%+v\nwant\n%+v", tt.name, got, tt.want)
		}
	}
}
