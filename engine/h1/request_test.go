package h1

import (
	"strings"
	"testing"
)

const crlf = "\r\n"

// head builds "<method> <target> HTTP/1.1" with the given field lines and
// the empty line.
func head(method, target string, fields ...string) string {
	return method + " " + target + " HTTP/1.1\r\n" + strings.Join(append(fields, ""), crlf) + crlf
}

func get(target string, fields ...string) string { return head("GET", target, fields...) }

func post(fields ...string) string { return head("POST", "/", fields...) }

type requestCase struct {
	name string
	raw  string
	err  error  // nil: accepted
	want string // tokens of describeRequest that must appear
}

var requestCases = []requestCase{
	// Request line.
	{"origin", get("/a/b?x=1&y", "Host: a"), nil, "m=GET method=1 form=origin path=/a/b query=x=1&y minor=1 host=a hashost=true body=none n=1 headlen=36"},
	{"empty query", get("/a?", "Host: a"), nil, "path=/a query="},
	{"http/1.0 without host", "GET / HTTP/1.0\r\n\r\n", nil, "minor=0 hashost=false n=0"},
	{"http/1.2 read as 1.1", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", nil, "minor=1"},
	{"http/1.9 read as 1.1", "GET / HTTP/1.9\r\nHost: a\r\n\r\n", nil, "minor=1"},
	{"http/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", ErrVersion, ""},
	{"http/0.9 version", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", ErrVersion, ""},
	{"http/1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", ErrVersion, ""},
	{"lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", ErrVersion, ""},
	{"no version", "GET /\r\nHost: a\r\n\r\n", ErrRequestLine, ""},
	{"double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", ErrRequestLine, ""},
	{"space after version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", ErrVersion, ""},
	{"tab separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", ErrRequestLine, ""},
	{"leading space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", ErrRequestLine, ""},
	{"method not a token", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", ErrMethod, ""},
	{"method with NUL", "G\x00T / HTTP/1.1\r\nHost: a\r\n\r\n", ErrMethod, ""},
	{"unknown method", "FOO / HTTP/1.1\r\nHost: a\r\n\r\n", nil, "m=FOO method=0"},
	{"methods are case-sensitive", "get / HTTP/1.1\r\nHost: a\r\n\r\n", nil, "m=get method=0"},
	{"HEAD", "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", nil, "method=2"},
	{"PATCH", "PATCH / HTTP/1.1\r\nHost: a\r\n\r\n", nil, "method=9"},
	{"bare CR in request line", "GET / HTTP/1.1\rHost: a\r\n\r\n", ErrVersion, ""},

	// Request-target.
	{"NUL in target", get("/a\x00b", "Host: a"), ErrTarget, ""},
	{"VT in target", get("/a\x0bb", "Host: a"), ErrTarget, ""},
	{"tab in target", get("/a\tb", "Host: a"), ErrTarget, ""},
	{"DEL in target", get("/a\x7f", "Host: a"), ErrTarget, ""},
	{"non-ASCII target", get("/a\x80", "Host: a"), ErrTarget, ""},
	{"fragment", get("/p#frag", "Host: a"), ErrTarget, ""},
	{"quote and braces accepted", get(`/a"{b}|<>`, "Host: a"), nil, `path=/a"{b}|<>`},
	{"relative target", get("x", "Host: a"), ErrTarget, ""},
	{"asterisk with GET", get("*", "Host: a"), ErrTarget, ""},
	{"asterisk with OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", nil, "form=asterisk path= method=7"},
	{"asterisk prefix", "OPTIONS *x HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget, ""},
	{"authority-form with GET", get("a:443", "Host: a:443"), ErrTarget, ""},
	{"CONNECT", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", nil, "form=authority auth=a:443 path= method=6"},
	{"CONNECT ipv6", "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n", nil, "auth=[::1]:443"},
	{"CONNECT without port", "CONNECT a HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget, ""},
	{"CONNECT empty port", "CONNECT a: HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget, ""},
	{"CONNECT bad port", "CONNECT a:x HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget, ""},
	{"CONNECT port too big", "CONNECT a:65536 HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget, ""},
	{"CONNECT empty host", "CONNECT :443 HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget, ""},
	{"CONNECT userinfo", "CONNECT u@a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", ErrTarget, ""},
	{"CONNECT origin-form", "CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget, ""},
	{"CONNECT absolute-form", "CONNECT http://a:443/ HTTP/1.1\r\nHost: a\r\n\r\n", ErrTarget, ""},
	{"CONNECT default port vs Host", "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", nil, "host=a"},
	{"CONNECT Host differs", "CONNECT a:443 HTTP/1.1\r\nHost: b:443\r\n\r\n", ErrHostMismatch, ""},
	{"CONNECT other port vs Host", "CONNECT a:8443 HTTP/1.1\r\nHost: a\r\n\r\n", ErrHostMismatch, ""},
	{"absolute", get("http://a/p?q", "Host: a"), nil, "form=absolute auth=a path=/p query=q"},
	{"absolute https", get("https://a:8443/p", "Host: a:8443"), nil, "form=absolute auth=a:8443 path=/p query="},
	{"absolute upper-case scheme", get("HTTP://A/p", "Host: a"), nil, "auth=A"},
	{"absolute without path", get("http://a", "Host: a"), nil, "form=absolute auth=a path= query="},
	{"absolute query without path", get("http://a?q", "Host: a"), ErrTarget, ""},
	{"absolute ftp", get("ftp://a/p", "Host: a"), ErrTarget, ""},
	{"absolute one slash", get("http:/a/p", "Host: a"), ErrTarget, ""},
	{"absolute empty host", get("http:///p", "Host: "), ErrTarget, ""},
	{"absolute userinfo", get("http://u@a/p", "Host: a"), ErrTarget, ""},
	{"absolute http/1.0 without Host", "GET http://a/p HTTP/1.0\r\n\r\n", nil, "form=absolute hashost=false"},
	{"absolute http/1.1 without Host", "GET http://a/p HTTP/1.1\r\n\r\n", ErrNoHost, ""},
	{"absolute Host differs", get("http://a/p", "Host: b"), ErrHostMismatch, ""},
	{"absolute default port in target", get("http://a:80/p", "Host: a"), nil, "auth=a:80 host=a"},
	{"absolute default port in Host", get("http://a/p", "Host: a:80"), nil, "host=a:80"},
	{"absolute https default port", get("https://a:443/p", "Host: a"), nil, "host=a"},
	{"absolute empty port", get("http://a:/p", "Host: a"), nil, "auth=a:"},
	{"absolute other port", get("http://a:8080/p", "Host: a"), ErrHostMismatch, ""},
	{"absolute https port 80", get("https://a:80/p", "Host: a"), ErrHostMismatch, ""},

	// Field lines.
	{"space before colon", get("/", "Host: a", "X : b"), ErrHeaderName, ""},
	{"tab before colon", get("/", "Host: a", "X\t: b"), ErrHeaderName, ""},
	{"no colon", get("/", "Host: a", "Xb"), ErrHeaderName, ""},
	{"empty name", get("/", "Host: a", ": b"), ErrHeaderName, ""},
	{"NUL in name", get("/", "Host: a", "X\x00: b"), ErrHeaderName, ""},
	{"non-ASCII name", get("/", "Host: a", "X\x80: b"), ErrHeaderName, ""},
	{"separator in name", get("/", "Host: a", "X(: b"), ErrHeaderName, ""},
	{"NUL in value", get("/", "Host: a", "X: a\x00b"), ErrHeaderValue, ""},
	{"VT in value", get("/", "Host: a", "X: a\x0bb"), ErrHeaderValue, ""},
	{"DEL in value", get("/", "Host: a", "X: a\x7fb"), ErrHeaderValue, ""},
	{"bare CR in value", get("/", "Host: a", "X: a\rb"), ErrBareCR, ""},
	{"CR CR LF", "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", ErrBareCR, ""},
	{"tab and obs-text in value", get("/", "Host: a", "X: a\tb\x80\xff"), nil, "n=2"},
	{"obs-fold", get("/", "Host: a", "X: a", " b"), ErrObsFold, ""},
	{"space before first field", get("/", " Host: a"), ErrObsFold, ""},
	{"bare LF", "GET / HTTP/1.1\nHost: a\n\n", nil, "host=a headlen=24"},
	{"mixed line ends", "GET / HTTP/1.1\r\nHost: a\n\r\n", nil, "host=a headlen=26"},
	{"empty lines before", "\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", nil, "m=GET headlen=30"},
	{"100 fields", get("/", append([]string{"Host: a"}, repeat("X: y", 99)...)...), nil, "n=100"},
	{"101 fields", get("/", append([]string{"Host: a"}, repeat("X: y", 100)...)...), ErrTooManyHeaders, ""},

	// Host.
	{"missing Host", get("/"), ErrNoHost, ""},
	{"two equal Host", get("/", "Host: a", "Host: a"), ErrDupHost, ""},
	{"two Host", get("/", "Host: a", "Host: b"), ErrDupHost, ""},
	{"empty Host", get("/", "Host: "), nil, "host= hashost=true"},
	{"Host with space", get("/", "Host: a b"), ErrHostValue, ""},
	{"Host list", get("/", "Host: a, b"), ErrHostValue, ""},
	{"Host with slash", get("/", "Host: a/b"), ErrHostValue, ""},
	{"Host userinfo", get("/", "Host: u@a"), ErrHostValue, ""},
	{"Host bad port", get("/", "Host: a:x"), ErrHostValue, ""},
	{"Host ipv6", get("/", "Host: [::1]:80"), nil, "host=[::1]:80"},
	{"Host upper-case name", get("/", "HOST:a"), nil, "host=a"},

	// Content-Length.
	{"CL", post("Host: a", "Content-Length: 5"), nil, "body=length cl=5"},
	{"CL zero", post("Host: a", "Content-Length: 0"), nil, "body=none cl=0"},
	{"CL leading zeros", post("Host: a", "Content-Length: 05"), nil, "body=length cl=5"},
	{"CL OWS", post("Host: a", "Content-Length:\t5 "), nil, "cl=5"},
	{"CL list equal", post("Host: a", "Content-Length: 5, 5"), nil, "body=length cl=5"},
	{"CL list different", post("Host: a", "Content-Length: 5, 6"), ErrContentLength, ""},
	{"CL twice equal", post("Host: a", "Content-Length: 5", "Content-Length: 5"), nil, "cl=5"},
	{"CL twice different", post("Host: a", "Content-Length: 5", "Content-Length: 6"), ErrContentLengthConflict, ""},
	{"CL trailing comma", post("Host: a", "Content-Length: 5,"), ErrContentLength, ""},
	{"CL leading comma", post("Host: a", "Content-Length: ,5"), ErrContentLength, ""},
	{"CL plus", post("Host: a", "Content-Length: +5"), ErrContentLength, ""},
	{"CL minus", post("Host: a", "Content-Length: -5"), ErrContentLength, ""},
	{"CL hex", post("Host: a", "Content-Length: 0x5"), ErrContentLength, ""},
	{"CL empty", post("Host: a", "Content-Length: "), ErrContentLength, ""},
	{"CL two numbers", post("Host: a", "Content-Length: 5 5"), ErrContentLength, ""},
	{"CL max int64", post("Host: a", "Content-Length: 9223372036854775807"), nil, "cl=9223372036854775807"},
	{"CL overflow", post("Host: a", "Content-Length: 9223372036854775808"), ErrContentLength, ""},
	{"CL 20 digits", post("Host: a", "Content-Length: 99999999999999999999"), ErrContentLength, ""},

	// Transfer-Encoding.
	{"TE chunked", post("Host: a", "Transfer-Encoding: chunked"), nil, "body=chunked cl=0"},
	{"TE upper-case", post("Host: a", "Transfer-Encoding: CHUNKED"), nil, "body=chunked"},
	{"TE gzip, chunked", post("Host: a", "Transfer-Encoding: gzip, chunked"), nil, "body=chunked"},
	{"TE two fields gzip then chunked", post("Host: a", "Transfer-Encoding: gzip", "Transfer-Encoding: chunked"), nil, "body=chunked"},
	{"TE empty elements", post("Host: a", "Transfer-Encoding: ,chunked,"), nil, "body=chunked"},
	{"TE chunked, identity", post("Host: a", "Transfer-Encoding: chunked, identity"), ErrNotChunked, ""},
	{"TE identity", post("Host: a", "Transfer-Encoding: identity"), ErrNotChunked, ""},
	{"TE gzip", post("Host: a", "Transfer-Encoding: gzip"), ErrNotChunked, ""},
	{"TE chunked, gzip", post("Host: a", "Transfer-Encoding: chunked, gzip"), ErrNotChunked, ""},
	{"TE xchunked", post("Host: a", "Transfer-Encoding: xchunked"), ErrNotChunked, ""},
	{"TE chunked twice", post("Host: a", "Transfer-Encoding: chunked, chunked"), ErrChunkedTwice, ""},
	{"TE two chunked fields", post("Host: a", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"), ErrChunkedTwice, ""},
	{"TE empty", post("Host: a", "Transfer-Encoding: "), ErrTransferEncoding, ""},
	{"TE comma", post("Host: a", "Transfer-Encoding: ,"), ErrTransferEncoding, ""},
	{"TE parameter", post("Host: a", "Transfer-Encoding: chunked;q=1"), ErrTransferEncoding, ""},
	{"TE NUL", post("Host: a", "Transfer-Encoding: chunked\x00"), ErrHeaderValue, ""},
	{"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", ErrTEHTTP10, ""},
	{"TE and CL", post("Host: a", "Transfer-Encoding: chunked", "Content-Length: 5"), ErrTEWithCL, ""},
	{"CL and TE", post("Host: a", "Content-Length: 5", "Transfer-Encoding: chunked"), ErrTEWithCL, ""},

	// Connection, Expect, Upgrade.
	{"Connection close", get("/", "Host: a", "Connection: close"), nil, "conn=close"},
	{"Connection list", get("/", "Host: a", "Connection: Upgrade, foo,KEEP-ALIVE"), nil, "conn=keep-alive,upgrade"},
	{"Connection two fields", get("/", "Host: a", "Connection: close", "connection: upgrade"), nil, "conn=close,upgrade"},
	{"Connection unknown", get("/", "Host: a", "Connection: closed"), nil, "conn="},
	{"Expect", post("Host: a", "Expect: 100-Continue", "Content-Length: 3"), nil, "exp100=true cl=3"},
	{"Expect other", post("Host: a", "Expect: foo"), nil, "exp100=false"},
	{"Upgrade", get("/", "Host: a", "Connection: upgrade", "Upgrade: websocket"), nil, "upgrade=true conn=upgrade"},

	// Incomplete heads.
	{"empty", "", ErrIncomplete, ""},
	{"partial line", "GET / HTT", ErrIncomplete, ""},
	{"no empty line", "GET / HTTP/1.1\r\nHost: a\r\n", ErrIncomplete, ""},
	{"CR of the empty line", "GET / HTTP/1.1\r\nHost: a\r\n\r", ErrIncomplete, ""},
	{"only empty lines", "\r\n\r\n", ErrIncomplete, ""},
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestParseRequest(t *testing.T) {
	var req Request
	for _, tc := range requestCases {
		t.Run(tc.name, func(t *testing.T) {
			buf := []byte(tc.raw)
			err := ParseRequest(buf, &req, Limits{})
			if err != tc.err {
				t.Fatalf("ParseRequest(%q) = %s, want %s", tc.raw, errName(err), errName(tc.err))
			}
			if err != nil {
				return
			}
			got := describeRequest(buf, &req)
			if miss := missingTokens(got, tc.want); len(miss) > 0 {
				t.Errorf("ParseRequest(%q):\n got %s\nmissing %q", tc.raw, got, miss)
			}
			if req.HeadLen != len(buf) {
				t.Errorf("HeadLen = %d, want %d", req.HeadLen, len(buf))
			}
			if end := FindHeadEnd(buf, 0); end != req.HeadLen {
				t.Errorf("FindHeadEnd = %d, HeadLen = %d", end, req.HeadLen)
			}
		})
	}
}

// TestParseRequestTrailingBytes checks that bytes after the head (a body,
// a pipelined request) are not part of it.
func TestParseRequestTrailingBytes(t *testing.T) {
	head := post("Host: a", "Content-Length: 5")
	buf := []byte(head + "helloGET / HTTP/1.1\r\n")
	var req Request
	if err := ParseRequest(buf, &req, Limits{}); err != nil {
		t.Fatal(err)
	}
	if req.HeadLen != len(head) || req.Body != BodyLength || req.ContentLength != 5 {
		t.Fatalf("HeadLen %d Body %v CL %d", req.HeadLen, req.Body, req.ContentLength)
	}
}

func TestParseRequestLimits(t *testing.T) {
	long := "GET /" + strings.Repeat("a", 100) + " HTTP/1.1\r\nHost: a\r\n\r\n"
	fields := get("/", "Host: a", "X: "+strings.Repeat("b", 100))
	exact := get("/", "Host: a")
	tests := []struct {
		name    string
		raw     string
		maxHead int
		err     error
	}{
		{"request line fits", long, len(long), nil},
		{"request line too long, complete", long, 64, ErrLineTooLong},
		{"request line too long, partial", long[:70], 64, ErrLineTooLong},
		{"request line partial, below limit", long[:63], 64, ErrIncomplete},
		{"head too large, complete", fields, 64, ErrHeadTooLarge},
		{"head too large, partial", fields[:80], 64, ErrHeadTooLarge},
		{"head exactly the limit", exact, len(exact), nil},
		{"head one byte over", exact, len(exact) - 1, ErrHeadTooLarge},
		{"default limit", "GET /" + strings.Repeat("a", DefaultMaxHead) + " HTTP/1.1\r\n", 0, ErrLineTooLong},
	}
	var req Request
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ParseRequest([]byte(tc.raw), &req, Limits{MaxHead: tc.maxHead})
			if err != tc.err {
				t.Fatalf("got %s, want %s", errName(err), errName(tc.err))
			}
		})
	}
}

func TestHeadTooLarge(t *testing.T) {
	if got := HeadTooLarge([]byte("GET /aaaa")); got != ErrLineTooLong {
		t.Errorf("no line end: %s", errName(got))
	}
	if got := HeadTooLarge([]byte("\r\n\r\nGET /aaaa")); got != ErrLineTooLong {
		t.Errorf("empty lines then no line end: %s", errName(got))
	}
	if got := HeadTooLarge([]byte("GET / HTTP/1.1\r\nX: aaa")); got != ErrHeadTooLarge {
		t.Errorf("line end: %s", errName(got))
	}
	if ErrHeadTooLarge.Status != 400 || ErrHeadTooLarge.ForResponse().Status != 502 {
		t.Errorf("statuses %d %d", ErrHeadTooLarge.Status, ErrHeadTooLarge.ForResponse().Status)
	}
}

func TestRequestHeaderLookup(t *testing.T) {
	buf := []byte(get("/", "Host: a", "X-One:  spaced value \t", "x-one: second", "Empty:"))
	var req Request
	if err := ParseRequest(buf, &req, Limits{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"x-one", "spaced value", true},
		{"X-ONE", "spaced value", true},
		{"empty", "", true},
		{"host", "a", true},
		{"missing", "", false},
		{"x-on", "", false},
	}
	for _, tc := range tests {
		s, ok := req.Header(buf, tc.name)
		if ok != tc.ok || string(s.Bytes(buf)) != tc.want {
			t.Errorf("Header(%q) = %q, %v; want %q, %v", tc.name, s.Bytes(buf), ok, tc.want, tc.ok)
		}
	}
	req.Headers[1].Del = true
	if s, ok := req.Header(buf, "x-one"); !ok || string(s.Bytes(buf)) != "spaced value" {
		t.Errorf("Header ignores Del: got %q, %v", s.Bytes(buf), ok)
	}
}

func TestSpan(t *testing.T) {
	buf := []byte("hello world")
	s := Span{Off: 0, Len: 5}
	b := s.Bytes(buf)
	if string(b) != "hello" || cap(b) != 5 || s.Empty() || !(Span{Off: 3}).Empty() {
		t.Fatalf("Bytes %q cap %d", b, cap(b))
	}
	_ = append(b, 'X') // the capacity is cut at the span: buf stays intact
	if string(buf) != "hello world" {
		t.Fatalf("buf %q", buf)
	}
}

func TestValidIPv6(t *testing.T) {
	tests := map[string]bool{
		"::": true, "::1": true, "1::": true, "1:2:3:4:5:6:7:8": true, "1:2:3:4:5:6:7::": true,
		"::ffff:1.2.3.4": true, "1:2:3:4:5:6:1.2.3.4": true, "fe80::1:2": true, "ABCD::ef": true,
		"": false, "0": false, ":": false, ":1": false, "1:": false, "1:2:3:4:5:6:7:8:9": false,
		"1:2:3:4:5:6:7:8::": false, "1::2::3": false, ":::": false, "12345::": false, "g::": false,
		"::1.2.3": false, "::1.2.3.256": false, "::01.2.3.4": false, "1:2:3:4:5:6:7:1.2.3.4": false,
		"::1.2.3.4:5": false, "v1.a": false, "fe80::1%eth0": false, "1:::2": false,
	}
	for in, want := range tests {
		if got := validIPv6([]byte(in)); got != want {
			t.Errorf("validIPv6(%q) = %v, want %v", in, got, want)
		}
	}
}
