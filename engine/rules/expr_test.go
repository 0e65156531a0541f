package rules

import (
	"errors"
	"testing"
)

func TestExprAppend(t *testing.T) {
	s := newReq("GET /p/a?a=1&b=2;c&c=&a=3 HTTP/1.1",
		"Host: 127.0.0.1:18081",
		"X-Q: q1, \"q,2\" , q3",
		"X-Q: q4",
		"X-N: 12abc",
		"X-E: a,,b,",
	)
	res := newReq("GET /r HTTP/1.1", "X-Q: request").withRes(200, "X-Resp: a, b", "X-Resp: c")
	tests := []struct {
		expr  string
		s     *fakeSample
		want  string
		found bool
	}{
		{"req.hdr(x-q)", s, "q4", true},
		{"req.hdr(x-q,1)", s, "q1", true},
		{"req.hdr(x-q,2)", s, "\"q,2\"", true},
		{"req.hdr(x-q,-2)", s, "q3", true},
		{"req.hdr(x-q,9)", s, "", false},
		{"req.hdr(X-Q)", s, "q4", true},
		{"req.fhdr(x-q)", s, "q4", true},
		{"req.fhdr(x-q,1)", s, "q1, \"q,2\" , q3", true},
		{"req.hdr_cnt(x-q)", s, "4", true},
		{"req.fhdr_cnt(x-q)", s, "2", true},
		{"req.hdr_cnt(nope)", s, "0", true},
		{"hdr(x-q)", s, "q4", true},
		{"hdr_val(x-n)", s, "12", true},
		{"req.hdr(x-e)", s, "", true},
		{"req.hdr_cnt(x-e)", s, "4", true},
		{"req.hdr(nonexist)", s, "", false},
		{"req.hdr", s, "", false},
		{"req.hdr()", s, "", true}, // every header: the last value is the empty one of X-E
		{"req.hdr(,1)", s, "127.0.0.1:18081", true},
		{"req.fhdr()", s, "a,,b,", true},
		{"req.hdr_cnt()", s, "10", true},
		{"url_param(a)", s, "1", true},
		{"url_param(b)", s, "2", true},
		{"url_param(c)", s, "", true},
		{"url_param", s, "1", true},
		{"url_param(z)", s, "", false},
		{"url_param(a,;)", s, "3", true},
		{"url_param(b,;)", s, "", false},
		{"urlp(a)", s, "1", true},
		{"query", s, "a=1&b=2;c&c=&a=3", true},
		{"base", s, "127.0.0.1:18081/p/a", true},
		{"req.ver", s, "1.1", true},
		{"req.ver", newReq("GET / HTTP/1.0"), "1.0", true},
		{"method", s, "GET", true},
		{"src", s, "192.0.2.1", true},
		{"src", withSrc(s, "::ffff:192.0.2.1"), "::ffff:192.0.2.1", true},
		{"dst", s, "198.51.100.1", true},
		{"src_port", s, "40000", true},
		{"dst_port", s, "80", true},
		{"ssl_fc", s, "0", true},
		{"always_true", s, "1", true},
		{"always_false", s, "0", true},
		{"str(ab)", s, "ab", true},
		{"str()", s, "", true},
		{"int(-5)", s, "-5", true},
		{"bool(true)", s, "1", true},
		{"bool(0)", s, "0", true},
		{"path,upper", s, "/P/A", true},
		{"path,upper,lower", s, "/p/a", true},
		{"path,hex", s, "2F702F61", true},
		{"path,length", s, "4", true},
		{"path,,lower,", s, "/p/a", true},
		{"src,hex", s, "C0000201", true},
		{"src,hex", withSrc(s, "2001:db8::1"), "20010DB8000000000000000000000001", true},
		{"int(10),hex", s, "000000000000000A", true},
		{"dst_port,lower", s, "80", true},
		{"url", s, "/p/a?a=1&b=2;c&c=&a=3", true},
		{"path", s, "/p/a", true},
		{"path", newReq("OPTIONS * HTTP/1.1"), "", false},
		{"path", newReq("GET http://x HTTP/1.1"), "", false},
		{"query", newReq("GET /a HTTP/1.1"), "", false},
		{"query", newReq("GET /a? HTTP/1.1"), "", true},
		{"status", s, "", false},
		{"status", res, "200", true},
		{"hdr(x-resp)", res, "c", true},
		{"hdr(x-q)", res, "", false}, // hdr() reads the response in response rules
		{"req.hdr(x-q)", res, "request", true},
		{"res.hdr(x-resp,1)", res, "a", true},
		{"shdr(x-resp)", res, "c", true},
		{"res.hdr_cnt(x-resp)", res, "3", true},
		{"res.fhdr(x-resp,1)", res, "a, b", true},
		{"res.fhdr_cnt", res, "2", true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := ParseExpr(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			got, found := e.Append([]byte("<"), tt.s)
			if string(got) != "<"+tt.want || found != tt.found {
				t.Errorf("%s = %q, %v; want %q, %v", tt.expr, got, found, "<"+tt.want, tt.found)
			}
			if e.String() != tt.expr {
				t.Errorf("String() = %q", e.String())
			}
		})
	}
}

func TestExprVar(t *testing.T) {
	s := newReq("GET /Path HTTP/1.1")
	idx, err := VarIndex("txn.exprtest")
	if err != nil {
		t.Fatal(err)
	}
	e, err := ParseExpr("var(txn.exprtest),lower")
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := e.Append(nil, s); ok || len(got) != 0 {
		t.Errorf("unset variable: %q %v", got, ok)
	}
	s.vars.Set(idx, []byte("ABC"))
	if got, ok := e.Append(nil, s); !ok || string(got) != "abc" {
		t.Errorf("got %q %v", got, ok)
	}
}

func TestExprErrors(t *testing.T) {
	tests := []struct {
		expr, want string
		notImpl    bool
	}{
		{"", "missing fetch method", false},
		{"foo", "unknown fetch method 'foo'", false},
		{"HDR(host)", "unknown fetch method 'HDR'", false},
		{"req.hdr(host", "fetch method 'req.hdr' : expected ')'", false},
		{"req.hdr(host,foo)", "fetch method 'req.hdr' : failed to parse 'foo' as type 'integer' at position 2", false},
		{"req.hdr(host,1,2)", "fetch method 'req.hdr' : expected ')' before ',2)'", false},
		{"req.hdr(host,-11)", "invalid args in fetch method 'req.hdr' : header occurrence must be >= -10", false},
		{"path(x)", "fetch method 'path' : expected ')' before 'x)'", false},
		{"int", "fetch method 'int' : expected type 'integer' at position 1, but got nothing", false},
		{"int()", "fetch method 'int' : expected type 'integer' at position 1, but got nothing", false},
		{"str(a,b)", "fetch method 'str' : expected ')' before ',b)'", false},
		{"req.hdr(host)x", "missing comma after fetch keyword 'req.hdr'", false},
		{"path,lower x", "missing comma after converter 'lower'", false},
		{"path,foo", "unknown converter 'foo'", false},
		{"path,lower(1)", "invalid arg 1 in converter 'lower' : expected ')' before '1)'", false},
		{"path,lower(", "invalid arg 1 in converter 'lower' : expected ')'", false},
		{"var()", "invalid args in fetch method 'var' : Empty variable name cannot be accepted", false},
		{"var", "invalid args in fetch method 'var' : Empty variable name cannot be accepted", false},
		{"var(txn.a$)", "invalid args in fetch method 'var' : invalid syntax at char '$'", false},
		{"cook(x)", "fetch method 'cook' is not implemented yet", true},
		{"sc0_sess_rate", "fetch method 'sc0_sess_rate' is not implemented yet", true},
		{"path,map(x)", "converter 'map' is not implemented yet", true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := ParseExpr(tt.expr)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v, want %s", err, tt.want)
			}
			if errors.Is(err, ErrNotImplemented) != tt.notImpl {
				t.Errorf("notImpl = %v", !tt.notImpl)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	s := newReq("GET /p?x=1 HTTP/1.1", "Host: h.example")
	tests := []struct {
		text, want string
		literal    bool
	}{
		{"plain", "plain", true},
		{"", "", true},
		{"100%%", "100%", true},
		{"%[path]", "/p", false},
		{"<%[req.hdr(nonexist)]>", "<>", false},
		{"%[hdr(host)]%[path]?%[query]", "h.example/p?x=1", false},
		{"a%[path,upper]b%%c", "a/Pb%c", false},
		{"%[path]]", "/p]", false},
		{"[%%]", "[%]", true},
		{"\\1 stays", "\\1 stays", true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			f, err := ParseFormat(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Append([]byte("="), s); string(got) != "="+tt.want {
				t.Errorf("Append = %q, want %q", got, "="+tt.want)
			}
			lit, ok := f.Literal()
			if ok != tt.literal || ok && string(lit) != tt.want {
				t.Errorf("Literal() = %q, %v", lit, ok)
			}
			if f.String() != tt.text {
				t.Errorf("String() = %q", f.String())
			}
		})
	}
}

func TestFormatErrors(t *testing.T) {
	tests := []struct {
		text, want string
		notImpl    bool
	}{
		{"%[foo]", "failed to parse sample expression <foo]> : unknown fetch method 'foo'", false},
		{"%[req.hdr(host]", "failed to parse sample expression <req.hdr(host]> : fetch method 'req.hdr' : expected ')'", false},
		{"%[req.hdr(host)", "missing ']' after 'req.hdr(host)'", false},
		{"%[path", "missing ']' after 'path'", false},
		{"%[path ]", "expected ']' after 'path', but found ' '", false},
		{"%[path,foo]", "failed to parse sample expression <path,foo]> : unknown converter 'foo'", false},
		{"%[path,lower(1)]", "failed to parse sample expression <path,lower(1)]> : invalid arg 1 in converter 'lower' : expected ')' before '1)]'", false},
		{"%[path(1)]", "failed to parse sample expression <path(1)]> : fetch method 'path' : expected ')' before '1)]'", false},
		{"%[path,]", "failed to parse sample expression <path,]> : unknown converter ''", false},
		{"%[]", "failed to parse sample expression <]> : missing fetch method", false},
		{"%[ path ]", "failed to parse sample expression < path ]> : missing fetch method", false},
		{"%", "truncated line after '%'", false},
		{"a%", "truncated line after '%'", false},
		{"%foo", "no such format variable 'foo'. If you wanted to emit the '%' character verbatim, you need to use '%%'", false},
		{"%cix", "no such format variable 'cix'. If you wanted to emit the '%' character verbatim, you need to use '%%'", false},
		{"% x", "unexpected variable name near ' ' at position 1 line : '% x'. Maybe you want to write a single '%', use the syntax '%%'", false},
		{"%ci", "format variable '%ci' is not supported in this context yet", true},
		{"x%Ts", "format variable '%Ts' is not supported in this context yet", true},
		{"%{+Q}[path]", "log-format options ('%{...}') are not supported in this context yet", true},
		{"%[cook(a)]", "failed to parse sample expression <cook(a)]> : fetch method 'cook' is not implemented yet", true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			_, err := ParseFormat(tt.text)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v\nwant %s", err, tt.want)
			}
			if errors.Is(err, ErrNotImplemented) != tt.notImpl {
				t.Errorf("notImpl = %v", !tt.notImpl)
			}
		})
	}
}
