package rules

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// words splits a rule line; a word "”" stands for an empty word.
func words(line string) []string {
	w := strings.Fields(line)
	for i := range w {
		if w[i] == "''" {
			w[i] = ""
		}
	}
	return w
}

func frontendSet(t *testing.T) *ACLSet {
	t.Helper()
	set := condSet(t)
	set.SetProxy("frontend", "f")
	return set
}

func TestParseHTTPRequest(t *testing.T) {
	dir := t.TempDir()
	body := filepath.Join(dir, "body.txt")
	if err := os.WriteFile(body, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	errfile := filepath.Join(dir, "503.http")
	if err := os.WriteFile(errfile, []byte("HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n\r\nsorry\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lffile := filepath.Join(dir, "lf.txt")
	if err := os.WriteFile(lffile, []byte("path=%[path]"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := newReq("GET /api/x HTTP/1.1", "Host: h")
	tests := []struct {
		line  string
		check func(t *testing.T, r *Rule)
	}{
		{"allow", func(t *testing.T, r *Rule) { want(t, r.Action == ActAllow && r.Cond == nil, "allow") }},
		{"allow if is_api", func(t *testing.T, r *Rule) { want(t, r.Cond != nil && r.Cond.Eval(s), "allow if") }},
		{"deny", func(t *testing.T, r *Rule) {
			want(t, r.Action == ActDeny && r.Status == 403 && r.DefaultErrorfile && r.Body == nil, "deny %+v", r)
		}},
		{"deny unless is_api", func(t *testing.T, r *Rule) {
			want(t, r.Status == 403 && r.DefaultErrorfile && r.Cond != nil && !r.Cond.Eval(s), "deny unless")
		}},
		{"deny deny_status 429", func(t *testing.T, r *Rule) { want(t, r.Status == 429 && r.DefaultErrorfile, "deny_status %+v", r) }},
		{"tarpit", func(t *testing.T, r *Rule) {
			want(t, r.Action == ActTarpit && r.Status == 500 && r.DefaultErrorfile, "tarpit %+v", r)
		}},
		{"tarpit deny_status 403 if is_api", func(t *testing.T, r *Rule) {
			want(t, r.Action == ActTarpit && r.Status == 403 && r.Cond != nil, "tarpit deny_status %+v", r)
		}},
		{"deny deny_status 500 if is_api", func(t *testing.T, r *Rule) {
			want(t, r.Status == 500 && r.DefaultErrorfile && r.Cond != nil, "deny_status if")
		}},
		{"deny deny_status 418 content-type text/plain string teapot", func(t *testing.T, r *Rule) {
			want(t, r.Status == 418 && !r.DefaultErrorfile && string(r.Body) == "teapot" && r.ContentType == "text/plain", "deny payload %+v", r)
		}},
		{"deny status 500", func(t *testing.T, r *Rule) {
			want(t, r.Status == 500 && !r.DefaultErrorfile && r.Body == nil, "deny status: empty reply %+v", r)
		}},
		{"deny deny_status 500 status 502", func(t *testing.T, r *Rule) { want(t, r.Status == 502, "deny status twice") }},
		{"deny content-type text/html lf-string <%[path]> hdr x-a b", func(t *testing.T, r *Rule) {
			want(t, r.Value != nil && string(r.Value.Append(nil, s)) == "</api/x>" && len(r.Hdrs) == 1, "deny lf-string")
		}},
		{"return", func(t *testing.T, r *Rule) {
			want(t, r.Action == ActReturn && r.Status == 200 && !r.DefaultErrorfile && r.Body == nil, "return %+v", r)
		}},
		{"return status 404 content-type text/plain string gone hdr x-a %[path] hdr content-length 9 if is_api", func(t *testing.T, r *Rule) {
			want(t, r.Status == 404 && string(r.Body) == "gone" && r.ContentType == "text/plain" && r.Cond != nil, "return string %+v", r)
			want(t, len(r.Hdrs) == 1 && string(r.Hdrs[0].Name) == "x-a" && string(r.Hdrs[0].Value.Append(nil, s)) == "/api/x", "return hdr")
		}},
		{"return status 200 content-type text/plain file " + body, func(t *testing.T, r *Rule) {
			want(t, string(r.Body) == "hello\n", "return file %q", r.Body)
		}},
		{"return errorfile " + errfile, func(t *testing.T, r *Rule) {
			want(t, r.Errorfile && strings.HasPrefix(string(r.Body), "HTTP/1.1 503"), "return errorfile")
		}},
		{"return status 503 default-errorfiles", func(t *testing.T, r *Rule) { want(t, r.DefaultErrorfile && r.Status == 503, "default-errorfiles") }},
		{"return content-type text/plain lf-file " + lffile, func(t *testing.T, r *Rule) {
			want(t, string(r.Value.Append(nil, s)) == "path=/api/x", "lf-file")
		}},
		{"return status 204 content-type text/plain", func(t *testing.T, r *Rule) { want(t, r.ContentType == "", "content-type without payload dropped") }},
		{"redirect location /x%[path] code 301 if is_api", func(t *testing.T, r *Rule) {
			want(t, r.Action == ActRedirect && r.Redirect.Type == RedirectLocation && r.Redirect.Code == 301 && r.Cond != nil, "redirect")
			want(t, string(r.Redirect.To.Append(nil, s)) == "/x/api/x", "redirect log-format")
		}},
		{"set-header X-A %[path]", func(t *testing.T, r *Rule) {
			want(t, r.Action == ActSetHeader && string(r.Name) == "X-A" && string(r.Value.Append(nil, s)) == "/api/x", "set-header")
		}},
		{"add-header X-B lit unless is_api", func(t *testing.T, r *Rule) {
			lit, ok := r.Value.Literal()
			want(t, r.Action == ActAddHeader && ok && string(lit) == "lit" && r.Cond != nil, "add-header")
		}},
		{"del-header X-C", func(t *testing.T, r *Rule) {
			want(t, r.Action == ActDelHeader && r.MatchName([]byte("x-c")) && !r.MatchName([]byte("x-cd")), "del-header")
		}},
		{"del-header x- -m beg", func(t *testing.T, r *Rule) {
			want(t, r.NameMatch == NameBeg && r.MatchName([]byte("X-Foo")) && !r.MatchName([]byte("Y-X-")), "del-header -m beg")
		}},
		{"del-header -id -m end", func(t *testing.T, r *Rule) { want(t, r.MatchName([]byte("X-Request-ID")), "-m end") }},
		{"del-header forward -m sub", func(t *testing.T, r *Rule) { want(t, r.MatchName([]byte("X-Forwarded-For")), "-m sub") }},
		{"del-header ^x-(a|b)$ -m reg", func(t *testing.T, r *Rule) {
			want(t, r.MatchName([]byte("X-A")) && !r.MatchName([]byte("x-c")), "-m reg")
		}},
		{"del-header x -m str", func(t *testing.T, r *Rule) { want(t, r.NameMatch == NameStr && r.MatchName([]byte("X")), "-m str") }},
		{"replace-header Host (.*):80 \\1", func(t *testing.T, r *Rule) {
			want(t, r.Action == ActReplaceHeader && r.Regex.String() == "(.*):80", "replace-header")
		}},
		{"replace-value X-L ^a$ b", func(t *testing.T, r *Rule) { want(t, r.Action == ActReplaceValue, "replace-value") }},
		{"set-path /new%[path]", func(t *testing.T, r *Rule) { want(t, r.Action == ActSetPath, "set-path") }},
		{"set-uri /u", func(t *testing.T, r *Rule) { want(t, r.Action == ActSetURI, "set-uri") }},
		{"set-query a=1 if TRUE", func(t *testing.T, r *Rule) { want(t, r.Action == ActSetQuery && r.Cond != nil, "set-query") }},
		{"set-uri a if", nil}, // error: missing condition, tested below
		{"replace-path ^/api(.*) \\1", func(t *testing.T, r *Rule) { want(t, r.Action == ActReplacePath, "replace-path") }},
		{"replace-uri ^http://[^/]+(.*) \\1 if TRUE", func(t *testing.T, r *Rule) { want(t, r.Action == ActReplaceURI, "replace-uri") }},
		{"set-var(txn.rt) req.hdr(host),lower", func(t *testing.T, r *Rule) {
			want(t, r.Action == ActSetVar && r.Var >= 0 && VarName(r.Var) == "txn.rt" && r.Expr.String() == "req.hdr(host),lower", "set-var")
		}},
		{"unset-var(txn.rt) if is_api", func(t *testing.T, r *Rule) {
			want(t, r.Action == ActUnsetVar && r.Var >= 0 && r.Cond != nil, "unset-var")
		}},
		{"deny '' if is_api", func(t *testing.T, r *Rule) { want(t, r.Cond != nil, "empty word before if") }},
	}
	for _, tt := range tests {
		if tt.check == nil {
			continue
		}
		t.Run(tt.line, func(t *testing.T) {
			r, err := ParseHTTPRequest(words(tt.line), frontendSet(t))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, r)
		})
	}
}

func want(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Errorf(format, args...)
	}
}

func TestParseHTTPResponse(t *testing.T) {
	s := newReq("GET / HTTP/1.1").withRes(200, "X-A: 1")
	tests := []struct {
		line  string
		check func(t *testing.T, r *Rule)
	}{
		{"deny", func(t *testing.T, r *Rule) {
			want(t, r.Status == 502 && r.DefaultErrorfile, "response deny defaults to 502")
		}},
		{"set-status 503", func(t *testing.T, r *Rule) {
			want(t, r.Action == ActSetStatus && r.Status == 503 && r.Reason == "", "set-status")
		}},
		{"set-status 200 reason Fine if TRUE", func(t *testing.T, r *Rule) {
			want(t, r.Status == 200 && r.Reason == "Fine" && r.Cond != nil, "set-status reason")
		}},
		{"set-status 999", func(t *testing.T, r *Rule) { want(t, r.Status == 999, "") }},
		{"set-header X-S %[status]", func(t *testing.T, r *Rule) { want(t, string(r.Value.Append(nil, s)) == "200", "status") }},
		{"redirect location /x", func(t *testing.T, r *Rule) { want(t, r.Redirect.Type == RedirectLocation, "") }},
		{"set-var(res.x) status", func(t *testing.T, r *Rule) { want(t, r.Action == ActSetVar, "") }},
		{"return status 200", func(t *testing.T, r *Rule) { want(t, r.Action == ActReturn, "") }},
		{"allow", func(t *testing.T, r *Rule) { want(t, r.Action == ActAllow, "") }},
		{"replace-value X-A 1 2", func(t *testing.T, r *Rule) { want(t, r.Action == ActReplaceValue, "") }},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			r, err := ParseHTTPResponse(words(tt.line), frontendSet(t))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, r)
		})
	}
}

func TestParseRuleErrors(t *testing.T) {
	const req, res = false, true
	pfx := "error detected in frontend 'f' while parsing "
	tests := []struct {
		res     bool
		line    string
		want    string
		notImpl bool
	}{
		{req, "foo", "'http-request' expects " + httpRequestActions + ", but got 'foo'.", false},
		{res, "foo", "'http-response' expects " + httpResponseActions + ", but got 'foo'.", false},
		{req, "set-status 200", "'http-request' expects " + httpRequestActions + ", but got 'set-status'.", false},
		{res, "set-path /x", "'http-response' expects " + httpResponseActions + ", but got 'set-path'.", false},
		{req, "auth realm x", "'http-request auth' is not implemented yet.", true},
		{res, "track-sc0 src", "'http-response track-sc0' is not implemented yet.", true},
		{req, "set-map(/x) a b", "'http-request set-map(/x)' is not implemented yet.", true},
		{req, "lua.foo", "'http-request lua.foo' is not implemented yet.", true},
		{req, "cache-use c", "'http-request cache-use' is not implemented yet.", true},
		{req, "set-var-fmt(txn.x) %[path]", "'http-request set-var-fmt(txn.x)' is not implemented yet.", true},
		{res, "cache-store c", "'http-response cache-store' is not implemented yet.", true},
		{req, "deny foo", "'http-request deny' expects either 'if' or 'unless' followed by a condition but found 'foo'.", false},
		{req, "deny if nosuch", "error detected while parsing an 'http-request deny' condition : no such ACL : 'nosuch'.", false},
		{req, "deny if", "error detected while parsing an 'http-request deny' condition : missing condition after 'if'.", false},
		{req, "set-uri a if", "error detected while parsing an 'http-request set-uri' condition : missing condition after 'if'.", false},
		{req, "deny if { foo }", "error detected while parsing an 'http-request deny' condition : unknown fetch method 'foo' in ACL expression 'foo'.", false},
		{req, "set-header", pfx + "'http-request set-header' rule : expects exactly 2 arguments.", false},
		{req, "set-header x ''", pfx + "'http-request set-header' rule : expects exactly 2 arguments.", false},
		{req, "set-header x if TRUE", "'http-request set-header' expects either 'if' or 'unless' followed by a condition but found 'TRUE'.", false},
		{req, "add-header x y z", "'http-request add-header' expects either 'if' or 'unless' followed by a condition but found 'z'.", false},
		{req, "set-header x %[path", pfx + "'http-request set-header' rule : missing ']' after 'path'.", false},
		{req, "set-header X %ci", pfx + "'http-request set-header' rule : format variable '%ci' is not supported in this context yet.", true},
		{req, "del-header", pfx + "'http-request del-header' rule : expects at least 1 argument.", false},
		{req, "del-header x -m foo", pfx + "'http-request del-header' rule : -m with unsupported matching method 'foo'.", false},
		{req, "del-header x -m", pfx + "'http-request del-header' rule : -m flag expects exactly 1 argument.", false},
		{req, "replace-header x a", pfx + "'http-request replace-header' rule : expects exactly 3 arguments.", false},
		{req, "replace-header x ( y", pfx + "'http-request replace-header' rule : regex '(' is invalid (error=missing closing ): `(`).", false},
		{req, "set-path", pfx + "'http-request set-path' rule : expects exactly 1 argument <format>.", false},
		{req, "set-path a b", pfx + "'http-request set-path' rule : expects exactly 1 argument <format>.", false},
		{req, "replace-path a", pfx + "'http-request replace-path' rule : expects exactly 2 arguments <match-regex> and <replace-format>.", false},
		{req, "replace-uri a b c", pfx + "'http-request replace-uri' rule : expects exactly 2 arguments <match-regex> and <replace-format>.", false},
		{req, "replace-path ( b", pfx + "'http-request replace-path' rule : failed to parse the regex : regex '(' is invalid (error=missing closing ): `(`).", false},
		{res, "set-status", pfx + "'http-response set-status' rule : expects 1 argument: <status>; or 3 arguments: <status> reason <fmt>.", false},
		{res, "set-status abc", pfx + "'http-response set-status' rule : expects an integer status code between 100 and 999.", false},
		{res, "set-status 99", pfx + "'http-response set-status' rule : expects an integer status code between 100 and 999.", false},
		{res, "set-status 200 reason", "'http-response set-status' expects either 'if' or 'unless' followed by a condition but found 'reason'.", false},
		{req, "set-var(txn.x) foo", pfx + "'http-request set-var(txn.x)' rule : unknown fetch method 'foo'.", false},
		{req, "set-var(txn.x)", pfx + "'http-request set-var(txn.x)' rule : missing fetch method.", false},
		{req, "set-var(txn.x) if", pfx + "'http-request set-var(txn.x)' rule : unknown fetch method 'if'.", false},
		{req, "set-var(x) path", pfx + "'http-request set-var(x)' rule : invalid variable name 'x'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'.", false},
		{req, "set-var(txn.a$) path", pfx + "'http-request set-var(txn.a$)' rule : invalid syntax at char '$)'.", false},
		{req, "set-var(proc.a) path", pfx + "'http-request set-var(proc.a)' rule : variables of scope 'proc' are not implemented yet.", true},
		{req, "set-var(txn.x str(a)", pfx + "'http-request set-var(txn.x' rule : incomplete argument after action 'set-var(txn.x'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'.", false},
		{req, "set-var str(a)", pfx + "'http-request set-var' rule : invalid or incomplete action 'set-var'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'.", false},
		{req, "unset-var(txn.x) path", "'http-request unset-var(txn.x)' expects either 'if' or 'unless' followed by a condition but found 'path'.", false},
		{req, "return string foo", pfx + "'http-request return' rule : a content type must be defined when non-empty payload is configured.", false},
		{req, "return status 99", pfx + "'http-request return' rule : Unexpected status code '99'.", false},
		{req, "return status abc", pfx + "'http-request return' rule : Unexpected status code '0'.", false},
		{req, "return status", pfx + "'http-request return' rule : 'status' expects <status_code> as argument.", false},
		{req, "return status 204 content-type text/plain string x", pfx + "'http-request return' rule : No body expected for 204 responses.", false},
		{req, "return content-type", pfx + "'http-request return' rule : 'content-type' expects <ctype> as argument.", false},
		{req, "return string", pfx + "'http-request return' rule : 'string' expects <str> as argument.", false},
		{req, "return file /nonexistent/x", pfx + "'http-request return' rule : error opening file '/nonexistent/x'.", false},
		{req, "return string a string b", pfx + "'http-request return' rule : unexpected 'string' argument, 'string' already defined.", false},
		{req, "return hdr x", pfx + "'http-request return' rule : 'hdr' expects <name> and <value> as arguments.", false},
		{req, "return lf-string %[path]", pfx + "'http-request return' rule : a content type must be defined with a log-format payload.", false},
		{req, "return status 418 default-errorfiles", pfx + "'http-request return' rule : status code '418' not handled by default with 'default-errorfiles' argument..", false},
		{req, "return errorfiles e", pfx + "'http-request return' rule : 'errorfiles' (http-errors sections) is not implemented yet.", true},
		{req, "return if nosuch", "error detected while parsing an 'http-request return' condition : no such ACL : 'nosuch'.", false},
		{req, "deny deny_status 418", pfx + "'http-request deny' rule : status code '418' not handled by default with 'default-errorfiles' argument..", false},
		{req, "deny deny_status abc", pfx + "'http-request deny' rule : Unexpected status code '0'.", false},
		{req, "deny deny_status", pfx + "'http-request deny' rule : 'status' expects <status_code> as argument.", false},
		{req, "deny string x", pfx + "'http-request deny' rule : a content type must be defined when non-empty payload is configured.", false},
		{req, "redirect", pfx + "'http-request redirect' rule : redirection type expected ('prefix', 'location', or 'scheme').", false},
		{req, "redirect foo", pfx + "'http-request redirect' rule : expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was 'foo').", false},
		{req, "redirect location", pfx + "'http-request redirect' rule : missing argument for 'location'.", false},
		{req, "redirect location /x code 304", pfx + "'http-request redirect' rule : 'code': unsupported HTTP code '304' (must be one of 301, 302, 303, 307 or 308).", false},
		{req, "redirect location /x code", pfx + "'http-request redirect' rule : missing argument for 'code'.", false},
		{req, "redirect location %[foo]", pfx + "'http-request redirect' rule : failed to parse sample expression <foo]> : unknown fetch method 'foo'.", false},
		{req, "redirect location /x if nosuch", pfx + "'http-request redirect' rule : error in condition: no such ACL : 'nosuch'.", false},
		{res, "redirect prefix /x", pfx + "'http-response redirect' rule : response only supports redirect type 'location'.", false},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			parse := ParseHTTPRequest
			if tt.res {
				parse = ParseHTTPResponse
			}
			_, err := parse(words(tt.line), frontendSet(t))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got  %v\nwant %s", err, tt.want)
			}
			if errors.Is(err, ErrNotImplemented) != tt.notImpl {
				t.Errorf("notImpl = %v", !tt.notImpl)
			}
		})
	}
}

// TestRuleErrorNoProxy checks the wording when the set does not name its
// proxy.
func TestRuleErrorNoProxy(t *testing.T) {
	_, err := ParseHTTPRequest([]string{"set-header"}, nil)
	if err == nil || err.Error() != "error detected while parsing 'http-request set-header' rule : expects exactly 2 arguments." {
		t.Errorf("got %v", err)
	}
	set := NewACLSet()
	set.SetProxy("defaults", "")
	_, err = ParseRedirect([]string{"foo"}, set)
	if err == nil || !strings.HasPrefix(err.Error(), "error detected in defaults section while parsing redirect rule : ") {
		t.Errorf("got %v", err)
	}
}

func TestReplaceValue(t *testing.T) {
	s := newReq("GET /api/x HTTP/1.1", "Host: h")
	tests := []struct {
		line, value, want string
		ok                bool
	}{
		{"replace-header X-A b(.)c <\\1>", "1abc2", "", false},
		{"replace-header X-A b(.) <\\1>", "1abc2", "<c>", true},
		{"replace-header X-A 1abc <\\0>", "1abc2, zz", "<1abc>", true},
		{"replace-header X-A bc <\\1>", "1abc2", "<>", true},
		{"replace-header X-A (a)(b) \\2\\1\\x41\\q\\\\", "ab", "baAq\\", true},
		{"replace-value X-A ^(a+)$ [\\1]", "aaa", "[aaa]", true},
		{"replace-path ^/api(.*) %[hdr(host)]\\1", "/api/x", "h/x", true},
		{"replace-uri ^/(.*) /v2/\\1", "/a?b", "/v2/a?b", true},
		{"replace-value X-A (?i)A Z", "xa", "Z", true},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			r, err := ParseHTTPRequest(words(tt.line), nil)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := r.ReplaceValue([]byte("="), []byte(tt.value), s)
			if ok != tt.ok || ok && string(got) != "="+tt.want || !ok && string(got) != "=" {
				t.Errorf("ReplaceValue(%q) = %q, %v; want %q, %v", tt.value, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestApplyVar(t *testing.T) {
	s := newReq("GET /Path HTTP/1.1", "Host: H.example")
	set := NewACLSet()
	parse := func(line string) *Rule {
		r, err := ParseHTTPRequest(words(line), set)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	setHost := parse("set-var(txn.host) req.hdr(host),lower")
	setMissing := parse("set-var(txn.host) req.hdr(nonexist)")
	setPort := parse("set-var(sess.port) dst_port")
	setSrc := parse("set-var(req.src) src")
	unset := parse("unset-var(txn.host)")
	get := func(name string) (string, bool) {
		idx, err := VarIndex(name)
		if err != nil {
			t.Fatal(err)
		}
		v, ok := s.vars.Get(idx)
		return string(v), ok
	}
	setHost.ApplyVar(s)
	if v, ok := get("txn.host"); !ok || v != "h.example" {
		t.Errorf("txn.host = %q, %v", v, ok)
	}
	setMissing.ApplyVar(s) // no value: unchanged
	if v, ok := get("txn.host"); !ok || v != "h.example" {
		t.Errorf("after missing sample: txn.host = %q, %v", v, ok)
	}
	setPort.ApplyVar(s)
	setSrc.ApplyVar(s)
	if v, ok := get("sess.port"); !ok || v != "80" {
		t.Errorf("sess.port = %q, %v", v, ok)
	}
	if v, ok := get("req.src"); !ok || v != "192.0.2.1" {
		t.Errorf("req.src = %q, %v", v, ok)
	}
	// Typed values keep their type for matching.
	c, err := ParseCond(words("if { var(sess.port) -m int lt 100 } { var(req.src) -m ip 192.0.2.0/24 }"), set)
	if err != nil {
		t.Fatal(err)
	}
	want(t, c.Eval(s), "typed variables do not match")
	unset.ApplyVar(s)
	if _, ok := get("txn.host"); ok {
		t.Error("unset-var left txn.host")
	}
	parse("allow").ApplyVar(s) // no-op
	s.vars.ResetTxn()
	if _, ok := get("sess.port"); !ok {
		t.Error("ResetTxn cleared sess.port")
	}
	if _, ok := get("req.src"); ok {
		t.Error("ResetTxn kept req.src")
	}
	s.vars.Reset()
	if _, ok := get("sess.port"); ok {
		t.Error("Reset kept sess.port")
	}
}

func TestParseUseService(t *testing.T) {
	r, err := ParseHTTPRequest([]string{"use-service", "prometheus-exporter", "if", "{", "path", "/metrics", "}"}, NewACLSet())
	if err != nil || r.Action != ActUseService || r.Cond == nil {
		t.Fatalf("use-service: %+v %v", r, err)
	}
	if _, err := ParseHTTPRequest([]string{"use-service", "lua.x"}, NewACLSet()); err == nil || !strings.Contains(err.Error(), "not implemented yet") {
		t.Fatalf("unknown service: %v", err)
	}
}
