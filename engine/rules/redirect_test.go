package rules

import (
	"strings"
	"testing"
)

// TestRedirectResponse checks the responses against what HAProxy 2.6.12
// sends for the same rules and requests (observed with curl).
func TestRedirectResponse(t *testing.T) {
	const noCache = "cache-control: no-cache\r\n"
	tests := []struct {
		http  bool // http-request redirect (log-format) rather than "redirect"
		rule  string
		req   *fakeSample
		close bool
		want  string // headers after the status line, without the final CRLF
	}{
		{false, "location /new code 301", newReq("GET /r1?q=1 HTTP/1.1"), false,
			"HTTP/1.1 301 Moved Permanently\r\ncontent-length: 0\r\nlocation: /new\r\n"},
		{false, "prefix /pfx", newReq("GET /r2/x?q=1 HTTP/1.1"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /pfx/r2/x?q=1\r\n" + noCache},
		{false, "prefix /pfx drop-query", newReq("GET /r3/x?q=1 HTTP/1.1"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /pfx/r3/x\r\n" + noCache},
		{false, "prefix /pfx append-slash", newReq("GET /r4/x?q=1 HTTP/1.1"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /pfx/r4/x?q=1/\r\n" + noCache},
		{false, "prefix /pfx append-slash", newReq("GET /r4/x/?q=1 HTTP/1.1"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /pfx/r4/x/?q=1/\r\n" + noCache},
		{false, "scheme https", newReq("GET /r5/x?q=1 HTTP/1.1", "Host: 127.0.0.1:18081"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://127.0.0.1:18081/r5/x?q=1\r\n" + noCache},
		{false, "location /loc set-cookie FOO=bar", newReq("GET /r6 HTTP/1.1"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /loc\r\n" + noCache + "set-cookie: FOO=bar; path=/;\r\n"},
		{false, "location /loc clear-cookie FOO=", newReq("GET /r7 HTTP/1.1"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /loc\r\n" + noCache + "set-cookie: FOO=; path=/; Max-Age=0;\r\n"},
		{false, "location /loc append-slash", newReq("GET /r8 HTTP/1.1"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /loc\r\n" + noCache},
		{false, "scheme https code 308 drop-query append-slash", newReq("GET /r9/p?q HTTP/1.1", "Host: 127.0.0.1:18081"), false,
			"HTTP/1.1 308 Permanent Redirect\r\ncontent-length: 0\r\nlocation: https://127.0.0.1:18081/r9/p/\r\n"},
		{false, "location %[hdr(host)]/x%[path]", newReq("GET /ra?z HTTP/1.1"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: %[hdr(host)]/x%[path]\r\n" + noCache},
		{false, "prefix /", newReq("GET /rb/x?q HTTP/1.1"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /rb/x?q\r\n" + noCache},
		{false, "prefix http://h.example/", newReq("GET /rc/x HTTP/1.1"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: http://h.example//rc/x\r\n" + noCache},
		{false, "location http://a/b drop-query", newReq("GET /rd?x HTTP/1.1"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: http://a/b\r\n" + noCache},
		{false, "location /n303 code 303", newReq("GET /a HTTP/1.1"), true,
			"HTTP/1.1 303 See Other\r\ncontent-length: 0\r\nlocation: /n303\r\n" + noCache + "connection: close\r\n"},
		{false, "location /n307 code 307", newReq("GET /b HTTP/1.1"), false,
			"HTTP/1.1 307 Temporary Redirect\r\ncontent-length: 0\r\nlocation: /n307\r\n" + noCache},
		{false, "scheme https", newReq("GET /c?x HTTP/1.0", "Host:"), true,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https:///c?x\r\n" + noCache + "connection: close\r\n"},
		{false, "scheme https", newReq("GET /p HTTP/1.0"), true,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https:///p\r\n" + noCache + "connection: close\r\n"},
		{false, "scheme https", newReq("GET /p HTTP/1.1", "Host: a, b"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://a/p\r\n" + noCache},
		{false, "scheme https", newReq("OPTIONS * HTTP/1.1", "Host: x"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://x/\r\n" + noCache},
		{false, "prefix /pre", newReq("OPTIONS * HTTP/1.1", "Host: x"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /pre/\r\n" + noCache},
		{false, "prefix /pre", newReq("GET http://h HTTP/1.1", "Host: h"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /pre/\r\n" + noCache},
		{false, "scheme https drop-query append-slash", newReq("GET /a/?q HTTP/1.1", "Host: h"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://h/a/\r\n" + noCache},
		{false, "prefix / drop-query", newReq("GET /?q HTTP/1.1", "Host: h"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /\r\n" + noCache},
		{false, "scheme https", newReq("GET http://abs.example:90/p?q HTTP/1.1", "Host: abs.example:90"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://abs.example:90/p?q\r\n" + noCache},
		{true, "location /h%[path] code 301", newReq("GET /e?q HTTP/1.1"), false,
			"HTTP/1.1 301 Moved Permanently\r\ncontent-length: 0\r\nlocation: /h/e\r\n"},
		{true, "scheme https", newReq("GET /f?q HTTP/1.1", "Host: foo:81"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://foo:81/f?q\r\n" + noCache},
		{true, "prefix %[hdr(host)]", newReq("GET /f HTTP/1.1", "Host: foo"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: foo/f\r\n" + noCache},
		{true, "prefix /", newReq("GET /f HTTP/1.1"), false,
			"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /f\r\n" + noCache},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			var r *Rule
			var err error
			if tt.http {
				r, err = ParseHTTPRequest(append([]string{"redirect"}, strings.Fields(tt.rule)...), nil)
			} else {
				r, err = ParseRedirect(strings.Fields(tt.rule), nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			got := r.Redirect.AppendResponse([]byte("X"), tt.req, tt.close)
			if string(got) != "X"+tt.want+"\r\n" {
				t.Errorf("got\n%q\nwant\n%q", got, "X"+tt.want+"\r\n")
			}
		})
	}
}

func TestRedirectIgnoreEmpty(t *testing.T) {
	r, err := ParseHTTPRequest(strings.Fields("redirect location %[req.hdr(x-to)] ignore-empty"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := r.Redirect.AppendResponseIf([]byte("X"), newReq("GET / HTTP/1.1"), false); ok || string(got) != "X" {
		t.Errorf("empty location: %q %v", got, ok)
	}
	got, ok := r.Redirect.AppendResponseIf(nil, newReq("GET / HTTP/1.1", "X-To: /there"), false)
	if !ok || !strings.Contains(string(got), "location: /there\r\n") {
		t.Errorf("location: %q %v", got, ok)
	}
}

func TestParseRedirectRule(t *testing.T) {
	set := frontendSet(t)
	r, err := ParseRedirect(strings.Fields("prefix /x location /y code 301 code 307 set-cookie A=1 clear-cookie B unless is_api"), set)
	if err != nil {
		t.Fatal(err)
	}
	rd := r.Redirect
	want(t, r.Action == ActRedirect && rd.Type == RedirectLocation && rd.Code == 307, "last type and code win: %+v", rd)
	want(t, rd.SetCookie == "" && rd.ClearCookie == "B", "last cookie wins: %+v", rd)
	want(t, r.Cond != nil && !r.Cond.Eval(newReq("GET /api HTTP/1.1")), "condition")
	lit, ok := rd.To.Literal()
	want(t, ok && string(lit) == "/y", "literal location")
	for _, tt := range []struct{ line, want string }{
		{"", "error detected in frontend 'f' while parsing redirect rule : redirection type expected ('prefix', 'location', or 'scheme')."},
		{"location", "error detected in frontend 'f' while parsing redirect rule : missing argument for 'location'."},
		{"location /x set-cookie", "error detected in frontend 'f' while parsing redirect rule : missing argument for 'set-cookie'."},
		{"location /x foo", "error detected in frontend 'f' while parsing redirect rule : expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was 'foo')."},
		{"location /x if nosuch", "error detected in frontend 'f' while parsing redirect rule : error in condition: no such ACL : 'nosuch'."},
		{"location /x unless TRUE extra", "error detected in frontend 'f' while parsing redirect rule : error in condition: no such ACL : 'extra'."},
		{"location /x if", "error detected in frontend 'f' while parsing redirect rule : error in condition: missing condition after 'if'."},
	} {
		_, err := ParseRedirect(strings.Fields(tt.line), set)
		if err == nil || err.Error() != tt.want {
			t.Errorf("redirect %s: got %v\nwant %s", tt.line, err, tt.want)
		}
	}
}
