package rules

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evalACL parses "acl a <line>" and evaluates "if a" on s.
func evalACL(t *testing.T, line string, s Sample) bool {
	t.Helper()
	set := NewACLSet()
	if err := set.ParseACL(append([]string{"a"}, strings.Fields(line)...)); err != nil {
		t.Fatalf("acl a %s: %v", line, err)
	}
	c, err := ParseCond([]string{"if", "a"}, set)
	if err != nil {
		t.Fatal(err)
	}
	return c.Eval(s)
}

func TestACLMatch(t *testing.T) {
	get := newReq("GET /api/v1/users?id=42&name=bob;x=1&id=7 HTTP/1.1",
		"Host: www.Example.com:8080",
		"X-List: a, \"b,c\" , d",
		"X-List: e",
		"Content-Length: 12",
		"X-Empty:",
		"X-Num: 12abc",
	)
	tests := []struct {
		line string
		s    *fakeSample
		want bool
	}{
		// path and its derivatives
		{"path /api/v1/users", get, true},
		{"path /api/v1", get, false},
		{"path -i /API/V1/USERS", get, true},
		{"path /API/V1/USERS", get, false},
		{"path_beg /api/", get, true},
		{"path_beg -i /API", get, true},
		{"path_beg /v1", get, false},
		{"path_end /users", get, true},
		{"path_end -i USERS", get, true},
		{"path_sub /v1/", get, true},
		{"path_sub -i V1", get, true},
		{"path_sub nope", get, false},
		{"path_reg ^/api/v[0-9]+/", get, true},
		{"path_reg ^/API", get, false},
		{"path_reg -i ^/API", get, true},
		{"path_dir v1", get, true},
		{"path_dir /v1/", get, true},
		{"path_dir api/v1", get, true},
		{"path_dir v", get, false},
		{"path_dir users", get, true},
		{"path_dom api", get, true},
		{"path_len 13", get, true},
		{"path_len 10:20", get, true},
		{"path_len gt 13", get, false},
		{"path_len ge 13", get, true},
		{"path_len lt 14", get, true},
		{"path_len le 12", get, false},
		{"path_len eq 13", get, true},
		{"path /a /b /api/v1/users", get, true},
		{"path -m beg /api", get, true},
		{"path_beg -m str /api", get, false},
		{"path -m found", get, true},
		{"path -m len 13", get, true},
		{"path -- /api/v1/users", get, true},
		{"path -n /api/v1/users", get, true},
		{"path -u 3 /api/v1/users", get, true},
		{"path", get, false},
		{"path --", get, false},
		// url
		{"url /api/v1/users?id=42&name=bob;x=1&id=7", get, true},
		{"url_beg /api", get, true},
		{"url_end id=7", get, true},
		{"url_sub name=bob", get, true},
		{"url_reg id=[0-9]+$", get, true},
		{"url_len 37", get, true},
		{"url_dir users", get, true},
		{"url_dom bob;x", get, false},
		// url_param: every occurrence in ACLs
		{"url_param(id) 42", get, true},
		{"url_param(id) 7", get, true},
		{"url_param(id) 8", get, false},
		{"url_param(name) bob", get, true},
		{"url_param(x) 1", get, true},
		{"url_param(missing) -m found", get, false},
		{"url_param(id) -m int gt 40", get, true},
		{"urlp(name) bob", get, true},
		{"urlp_beg(name) b", get, true},
		{"url_param 42", get, true},
		// query, base, method, version
		{"query id=42&name=bob;x=1&id=7", get, true},
		{"query -m found", newReq("GET /x HTTP/1.1"), false},
		{"query -m found", newReq("GET /x? HTTP/1.1"), true},
		{"base www.Example.com:8080/api/v1/users", get, true},
		{"base_beg -i www.example.com", get, true},
		{"base /x", newReq("GET /x HTTP/1.1"), true},
		{"base_len 0", newReq("OPTIONS * HTTP/1.1"), false},
		{"method GET", get, true},
		{"method get", get, false},
		{"method -i get", get, false},
		{"method POST GET", get, true},
		{"method -i purge", newReq("PURGE / HTTP/1.1"), true},
		{"method purge", newReq("PURGE / HTTP/1.1"), false},
		{"method -m str get", newReq("get / HTTP/1.1"), true},
		{"method,lower get", get, true},
		{"req.ver 1.1", get, true},
		{"req.ver 1.0", newReq("GET / HTTP/1.0"), true},
		{"req_ver 1.1", get, true},
		// headers: every value, split at commas outside quotes
		{"hdr(host) www.example.com:8080", get, false},
		{"hdr(host) -i www.example.com:8080", get, true},
		{"hdr(HOST) -i www.example.com:8080", get, true},
		{"hdr_beg(host) www.", get, true},
		{"hdr_end(host) :8080", get, true},
		{"hdr_sub(host) Example", get, true},
		{"hdr_reg(host) ^www\\.", get, true},
		{"hdr_dom(host) -i example", get, true},
		{"hdr_dom(host) -i example.com", get, true},
		{"hdr_dom(host) -i ample", get, false},
		{"hdr_dir(x-list) d", get, true},
		{"hdr(x-list) a", get, true},
		{"hdr(x-list) \"b,c\"", get, true},
		{"hdr(x-list) b", get, false},
		{"hdr(x-list) d", get, true},
		{"hdr(x-list) e", get, true},
		{"hdr(x-list,1) a", get, true},
		{"hdr(x-list,1) d", get, false},
		{"hdr(x-list,3) d", get, true},
		{"hdr(x-list,-1) e", get, true},
		{"hdr(x-list,-2) d", get, true},
		{"hdr(x-list,-9) a", get, false},
		{"hdr_len(x-list) 1", get, true},
		{"hdr_len(x-list) 5", get, true},
		{"hdr_cnt(x-list) 4", get, true},
		{"hdr_cnt(x-list) gt 4", get, false},
		{"hdr_cnt 8", get, true},
		{"req.hdr_cnt(x-list) 4", get, true},
		{"req.fhdr_cnt(x-list) 2", get, true},
		{"hdr_val(content-length) gt 10", get, true},
		{"hdr_val(x-num) 12", get, true},
		{"req.hdr_val(content-length) 12", get, true},
		{"req.hdr(x-list) d", get, true},
		{"req.fhdr(x-list) a, \"b,c\" , d", get, false}, // patterns are words
		{"req.fhdr(x-list) -m beg a,", get, true},
		{"req.fhdr(x-list,1) -m end d", get, true},
		{"req.hdr(x-empty) -m found", get, true},
		{"req.hdr(x-empty) -m len 0", get, true},
		{"req.hdr(x-missing) -m found", get, false},
		{"req.hdr(host),lower www.example.com:8080", get, true},
		{"req.hdr(host),upper -m beg WWW.EXAMPLE", get, true},
		{"req.hdr(host),length 20", get, true},
		{"hdr(host),lower -m beg www.example", get, true},
		{"hdr(x-list) e", get.withResCopy(200, "X-List: z"), true},
		{"res.hdr(x-list) z", get.withResCopy(200, "X-List: z"), true},
		{"shdr(x-list) z", get.withResCopy(200, "X-List: z"), true},
		{"res.hdr_cnt(x-list) 1", get.withResCopy(200, "X-List: z"), true},
		{"res.hdr(x-list) -m found", get, false},
		// addresses and ports
		{"src 192.0.2.1", get, true},
		{"src 192.0.2.0/24", get, true},
		{"src 192.0.2.0/255.255.255.0", get, true},
		{"src 192.0.0.1/255.255.0.255", get, true},
		{"src 10.0.0.0/8 192.0.2.0/30", get, true},
		{"src 10.0.0.0/8", get, false},
		{"src 0.0.0.0/0", get, true},
		{"src ::ffff:192.0.2.1", get, true},
		{"src ::ffff:192.0.2.0/120", get, true},
		{"src ::/0", get, true},
		{"src 2001:db8::/32", get, false},
		{"src 192.0.2.1", withSrc(get, "::ffff:192.0.2.1"), true},
		{"src 192.0.2.0/24", withSrc(get, "::ffff:192.0.2.9"), true},
		{"src 2001:db8::/32", withSrc(get, "2001:db8::1"), true},
		{"src 2001:db8::1", withSrc(get, "2001:db8::1"), true},
		{"src 192.0.2.1", withSrc(get, "2001:db8::1"), false},
		{"src -m str 192.0.2.1", get, true},
		{"src -m beg 192.0", get, true},
		{"src -m int 3221225985", get, true},
		{"src,hex C0000201", get, true},
		{"src_port 40000", get, true},
		{"src_port 1024:65535", get, true},
		{"src_port 1-1023", get, false},
		{"src_port :39999", get, false},
		{"src_port 40000:", get, true},
		{"src_port gt 39999", get, true},
		{"dst 198.51.100.1", get, true},
		{"dst_port 80", get, true},
		{"dst_port lt 80", get, false},
		{"dst_port 80 443", get, true},
		{"dst_port -m str 80", get, true},
		// constants, literals, status, variables
		{"always_true", get, true},
		{"always_false", get, false},
		{"always_true -m int 0", get, false},
		{"always_true -m str 1", get, true},
		{"ssl_fc", get, false},
		{"str(abc) abc", get, true},
		{"str(abc) -m sub b", get, true},
		{"str(ab\\,c) ab,c", get, true},
		{"int(12) 12", get, true},
		{"int(12) -m str 12", get, true},
		{"int(-3) -- -3", get, true},
		{"int(10),hex 000000000000000A", get, true},
		{"bool(1)", get, true},
		{"bool(0)", get, false},
		{"status 200", get, false},
		{"status 200", get.withResCopy(200), true},
		{"status 500:599", get.withResCopy(503), true},
		{"req.proto_http", get, true},
		// -m bin
		{"path -m bin 2F6170692F76312F7573657273", get, true},
		{"path -m bin 2f", get, false},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			if got := evalACL(t, tt.line, tt.s); got != tt.want {
				t.Errorf("acl a %s = %v, want %v", tt.line, got, tt.want)
			}
		})
	}
}

// withResCopy returns a copy of f as a response-rule sample.
func (f *fakeSample) withResCopy(status int, headers ...string) *fakeSample {
	c := *f
	c.vars = Vars{}
	return c.withRes(status, headers...)
}

func withSrc(f *fakeSample, addr string) *fakeSample {
	c := *f
	c.vars = Vars{}
	c.src = mustAddr(addr)
	return &c
}

func TestACLVar(t *testing.T) {
	s := newReq("GET / HTTP/1.1")
	idx, err := VarIndex("txn.acltest")
	if err != nil {
		t.Fatal(err)
	}
	if evalACL(t, "var(txn.acltest) -m found", s) {
		t.Fatal("unset variable found")
	}
	s.vars.Set(idx, []byte("Hello"))
	for _, tt := range []struct {
		line string
		want bool
	}{
		{"var(txn.acltest) -m found", true},
		{"var(txn.acltest) -m str Hello", true},
		{"var(txn.acltest) -m str -i hello", true},
		{"var(txn.acltest),lower -m str hello", true},
		{"var(txn.acltest),lower hello", true},
		{"var(txn.acltest) -m len 5", true},
		{"var(txn.acltest) -m int 0", true},
	} {
		if got := evalACL(t, tt.line, s); got != tt.want {
			t.Errorf("acl a %s = %v, want %v", tt.line, got, tt.want)
		}
	}
	s.vars.SetInt(idx, 42)
	if !evalACL(t, "var(txn.acltest) -m int gt 41", s) || !evalACL(t, "var(txn.acltest) -m str 42", s) {
		t.Error("integer variable does not match")
	}
}

func TestACLFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	paths := write("paths", "# comment\n/admin\n\n  /private\r\n")
	nets := write("nets", "10.0.0.0/8\n192.0.2.0/24 office\n")
	bad := write("bad", "10.0.0.0/8\nnot-an-ip\n")
	s := newReq("GET /private/x HTTP/1.1")
	if !evalACL(t, "path_beg -f "+paths, s) {
		t.Error("path_beg -f: /private not matched")
	}
	if evalACL(t, "path_beg -f "+paths, newReq("GET /public HTTP/1.1")) {
		t.Error("path_beg -f: /public matched")
	}
	if !evalACL(t, "path_beg -i -f "+paths, newReq("GET /ADMIN HTTP/1.1")) {
		t.Error("-i -f not case-insensitive")
	}
	if !evalACL(t, "src -M -f "+nets, s) {
		t.Error("src -M -f: 192.0.2.1 not matched")
	}
	set := NewACLSet()
	err := set.ParseACL([]string{"a", "src", "-f", bad})
	want := "error detected while parsing ACL 'a' : 'not-an-ip' is not a valid IPv4 or IPv6 address at line 2 of file '" + bad + "'."
	if err == nil || err.Error() != want {
		t.Errorf("bad file: got %v, want %s", err, want)
	}
	err = set.ParseACL([]string{"a", "src", "-f", filepath.Join(dir, "missing")})
	if err == nil || !strings.Contains(err.Error(), "failed to open pattern file <") {
		t.Errorf("missing file: %v", err)
	}
}

func TestACLErrors(t *testing.T) {
	tests := []struct {
		words   string
		want    string
		notImpl bool
	}{
		{"a foo /x", "error detected while parsing ACL 'a' : unknown fetch method 'foo' in ACL expression 'foo'.", false},
		{"a", "error detected while parsing ACL 'a' : missing fetch method in ACL expression ''.", false},
		{"a,b path /x", "character ',' is not permitted in acl name 'a,b'.", false},
		{"a path_len abc", "error detected while parsing ACL 'a' : 'abc' is not a number.", false},
		{"a src 1.2.3.4.5", "error detected while parsing ACL 'a' : '1.2.3.4.5' is not a valid IPv4 or IPv6 address.", false},
		{"a src 10.0.0.0/33", "error detected while parsing ACL 'a' : '10.0.0.0/33' is not a valid IPv4 or IPv6 address.", false},
		{"a src ::1/129", "error detected while parsing ACL 'a' : '::1/129' is not a valid IPv4 or IPv6 address.", false},
		{"a src localhost", "error detected while parsing ACL 'a' : 'localhost' is not a valid IPv4 or IPv6 address.", false},
		{"a dst_port 1:b", "error detected while parsing ACL 'a' : '1:b' is not a valid number range.", false},
		{"a dst_port 5:3", "error detected while parsing ACL 'a' : '5:3' is not a valid number range.", false},
		{"a dst_port gt x", "error detected while parsing ACL 'a' : 'x' is neither a number nor a supported operator.", false},
		{"a path -m foo /x", "error detected while parsing ACL 'a' : unknown matching method 'foo' when parsing ACL expression.", false},
		{"a path -x /", "error detected while parsing ACL 'a' : '-x' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'.", false},
		{"a var(txn.x) foo", "error detected while parsing ACL 'a' : matching method must be specified first (using '-m') when using a sample fetch of this type ('var').", false},
		{"a var(x) -m str foo", "error detected while parsing ACL 'a' : invalid args in fetch method 'var' : invalid variable name 'x'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check' in ACL expression 'var(x)'.", false},
		{"a var(proc.x) -m str foo", "error detected while parsing ACL 'a' : invalid args in fetch method 'var' : variables of scope 'proc' are not implemented yet in ACL expression 'var(proc.x)'.", true},
		{"a method -m ip 1.2.3.4", "error detected while parsing ACL 'a' : matching method 'ip' cannot be used with fetch keyword 'method'.", false},
		{"a hdr(host,foo) x", "error detected while parsing ACL 'a' : ACL keyword 'hdr' : failed to parse 'foo' as type 'integer' at position 2.", false},
		{"a hdr(host,-11) x", "error detected while parsing ACL 'a' : in argument to 'hdr', header occurrence must be >= -10.", false},
		{"a path,foo /", "error detected while parsing ACL 'a' : ACL keyword 'path' : unknown converter 'foo'..", false},
		{"a req.hdr(host),foo x", "error detected while parsing ACL 'a' : unknown converter 'foo' in ACL expression 'req.hdr(host),foo'.", false},
		{"a req.hdr(host),base64 x", "error detected while parsing ACL 'a' : converter 'base64' is not implemented yet in ACL expression 'req.hdr(host),base64'.", true},
		{"a cook(x) y", "error detected while parsing ACL 'a' : fetch method 'cook' is not implemented yet in ACL expression 'cook(x)'.", true},
		{"a int(abc) 1", "error detected while parsing ACL 'a' : fetch method 'int' : failed to parse 'abc' as type 'integer' at position 1 in ACL expression 'int(abc)'.", false},
		{"a path_reg (", "error detected while parsing ACL 'a' : regex '(' is invalid (error=missing closing ): `(`).", false},
		{"a path_reg (a)\\1", "error detected while parsing ACL 'a' : regex '(a)\\1' is invalid (error=invalid escape sequence: `\\1`; back-references and look-around are PCRE-only syntax, hitless uses RE2).", false},
		{"a path_reg ^(?=x)", "error detected while parsing ACL 'a' : regex '^(?=x)' is invalid (error=invalid or unsupported Perl syntax: `(?=`; back-references and look-around are PCRE-only syntax, hitless uses RE2).", false},
		{"a path -m bin 4", "error detected while parsing ACL 'a' : an even number of hex digit is expected.", false},
		{"a path -m bin zz", "error detected while parsing ACL 'a' : an hex digit is expected (found 'z').", false},
		{"a path -f /dev/null -m str /y", "error detected while parsing ACL 'a' : '-m' must only be specified before patterns and files in parsing ACL expression.", false},
	}
	for _, tt := range tests {
		t.Run(tt.words, func(t *testing.T) {
			err := NewACLSet().ParseACL(strings.Fields(tt.words))
			if err == nil {
				t.Fatalf("no error, want %s", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("got  %s\nwant %s", err, tt.want)
			}
			if got := errors.Is(err, ErrNotImplemented); got != tt.notImpl {
				t.Errorf("errors.Is(ErrNotImplemented) = %v", got)
			}
			if !errors.Is(err, ErrNotImplemented) && !errors.Is(err, ErrSyntax) {
				t.Error("error wraps neither sentinel")
			}
		})
	}
}

func TestACLNameAlone(t *testing.T) {
	if err := NewACLSet().ParseACL(nil); err == nil {
		t.Error("acl without name accepted")
	}
	if err := NewACLSet().ParseACL([]string{"", "path", "/"}); err != nil {
		t.Errorf("anonymous acl refused: %v", err)
	}
}
