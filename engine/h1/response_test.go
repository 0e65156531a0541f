package h1

import (
	"strings"
	"testing"
)

func resp(line string, fields ...string) string {
	return line + crlf + strings.Join(append(fields, ""), crlf) + crlf
}

type responseCase struct {
	name   string
	raw    string
	method Method
	err    error
	want   string
}

var responseCases = []responseCase{
	// Status line.
	{"ok", resp("HTTP/1.1 200 OK", "Content-Length: 5"), MethodGET, nil, "minor=1 status=200 reason=OK body=length cl=5 n=1 headlen=38"},
	{"http/1.0", resp("HTTP/1.0 200 OK"), MethodGET, nil, "minor=0 body=close"},
	{"http/1.2 read as 1.1", resp("HTTP/1.2 200 OK", "Content-Length: 0"), MethodGET, nil, "minor=1"},
	{"http/2.0", resp("HTTP/2.0 200 OK"), MethodGET, ErrVersion.ForResponse(), ""},
	{"lower-case version", resp("http/1.1 200 OK"), MethodGET, ErrVersion.ForResponse(), ""},
	{"no reason", resp("HTTP/1.1 200", "Content-Length: 0"), MethodGET, nil, "status=200 reason= body=none"},
	{"empty reason", resp("HTTP/1.1 200 ", "Content-Length: 0"), MethodGET, nil, "status=200 reason="},
	{"reason with spaces and tab", resp("HTTP/1.1 404 Not\tFound here"), MethodGET, nil, "status=404"},
	{"reason with obs-text", resp("HTTP/1.1 200 O\x80K"), MethodGET, nil, "status=200"},
	{"NUL in reason", resp("HTTP/1.1 200 O\x00K"), MethodGET, ErrStatusLine, ""},
	{"VT in reason", resp("HTTP/1.1 200 O\x0bK"), MethodGET, ErrStatusLine, ""},
	{"bare CR in reason", resp("HTTP/1.1 200 O\rK"), MethodGET, ErrBareCR.ForResponse(), ""},
	{"double space", resp("HTTP/1.1  200 OK"), MethodGET, ErrStatus, ""},
	{"status 099", resp("HTTP/1.1 099 X"), MethodGET, ErrStatus, ""},
	{"status 600", resp("HTTP/1.1 600 X"), MethodGET, ErrStatus, ""},
	{"status 2000", resp("HTTP/1.1 2000 X"), MethodGET, ErrStatus, ""},
	{"status 20", resp("HTTP/1.1 20 X"), MethodGET, ErrStatus, ""},
	{"status with letter", resp("HTTP/1.1 2x0 X"), MethodGET, ErrStatus, ""},
	{"short line", resp("HTTP/1.1"), MethodGET, ErrStatusLine, ""},
	{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 5\n\n", MethodGET, nil, "body=length cl=5 headlen=35"},
	{"empty lines before", "\r\nHTTP/1.1 204 No Content\r\n\r\n", MethodGET, nil, "status=204 headlen=29"},

	// Field lines (same rules as requests, status 502).
	{"space before colon", resp("HTTP/1.1 200 OK", "X : b"), MethodGET, ErrHeaderName.ForResponse(), ""},
	{"NUL in value", resp("HTTP/1.1 200 OK", "X: a\x00b"), MethodGET, ErrHeaderValue.ForResponse(), ""},
	{"bare CR in value", resp("HTTP/1.1 200 OK", "X: a\rb"), MethodGET, ErrBareCR.ForResponse(), ""},
	{"obs-fold", resp("HTTP/1.1 200 OK", "X: b", " c"), MethodGET, ErrObsFold.ForResponse(), ""},
	{"101 fields", resp("HTTP/1.1 200 OK", repeat("X: y", 101)...), MethodGET, ErrTooManyHeaders.ForResponse(), ""},
	{"100 fields", resp("HTTP/1.1 200 OK", repeat("X: y", 100)...), MethodGET, nil, "n=100"},

	// Framing (RFC 9112 section 6.3).
	{"no framing", resp("HTTP/1.1 200 OK"), MethodGET, nil, "body=close"},
	{"chunked", resp("HTTP/1.1 200 OK", "Transfer-Encoding: chunked"), MethodGET, nil, "body=chunked"},
	{"gzip, chunked", resp("HTTP/1.1 200 OK", "Transfer-Encoding: gzip, chunked"), MethodGET, nil, "body=chunked"},
	{"TE gzip", resp("HTTP/1.1 200 OK", "Transfer-Encoding: gzip"), MethodGET, nil, "body=close"},
	{"TE chunked, gzip", resp("HTTP/1.1 200 OK", "Transfer-Encoding: chunked, gzip"), MethodGET, nil, "body=close"},
	{"TE chunked twice", resp("HTTP/1.1 200 OK", "Transfer-Encoding: chunked, chunked"), MethodGET, ErrChunkedTwice.ForResponse(), ""},
	{"TE empty", resp("HTTP/1.1 200 OK", "Transfer-Encoding:"), MethodGET, ErrTransferEncoding.ForResponse(), ""},
	{"TE and CL", resp("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "Content-Length: 5"), MethodGET, ErrTEWithCL.ForResponse(), ""},
	{"TE in HTTP/1.0", resp("HTTP/1.0 200 OK", "Transfer-Encoding: chunked"), MethodGET, ErrTEHTTP10.ForResponse(), ""},
	{"CL twice different", resp("HTTP/1.1 200 OK", "Content-Length: 5", "Content-Length: 6"), MethodGET, ErrContentLengthConflict.ForResponse(), ""},
	{"CL twice equal", resp("HTTP/1.1 200 OK", "Content-Length: 5", "Content-Length: 5"), MethodGET, nil, "body=length cl=5"},
	{"CL invalid", resp("HTTP/1.1 200 OK", "Content-Length: -1"), MethodGET, ErrContentLength.ForResponse(), ""},
	{"CL zero", resp("HTTP/1.1 200 OK", "Content-Length: 0"), MethodGET, nil, "body=none cl=0"},
	{"HEAD", resp("HTTP/1.1 200 OK", "Content-Length: 5"), MethodHEAD, nil, "body=none cl=5"},
	{"HEAD chunked", resp("HTTP/1.1 200 OK", "Transfer-Encoding: chunked"), MethodHEAD, nil, "body=none"},
	{"204", resp("HTTP/1.1 204 No Content", "Content-Length: 5"), MethodGET, nil, "body=none cl=5"},
	{"304", resp("HTTP/1.1 304 Not Modified", "Content-Length: 5"), MethodGET, nil, "body=none cl=5"},
	{"100", resp("HTTP/1.1 100 Continue"), MethodPOST, nil, "body=none"},
	{"103", resp("HTTP/1.1 103 Early Hints", "Link: </a>"), MethodGET, nil, "body=none"},
	{"101", resp("HTTP/1.1 101 Switching Protocols", "Connection: Upgrade", "Upgrade: websocket"), MethodGET, nil, "body=tunnel conn=upgrade"},
	{"CONNECT 200", resp("HTTP/1.1 200 Connection established"), MethodCONNECT, nil, "body=tunnel"},
	{"CONNECT 200 with CL", resp("HTTP/1.1 200 OK", "Content-Length: 5"), MethodCONNECT, nil, "body=tunnel"},
	{"CONNECT 407", resp("HTTP/1.1 407 Auth", "Content-Length: 5"), MethodCONNECT, nil, "body=length cl=5"},
	{"Connection", resp("HTTP/1.1 200 OK", "Connection: keep-alive, close", "Content-Length: 0"), MethodGET, nil, "conn=close,keep-alive"},

	// Incomplete.
	{"empty", "", MethodGET, ErrIncomplete, ""},
	{"partial", "HTTP/1.1 200 OK\r\nContent-Le", MethodGET, ErrIncomplete, ""},
}

func TestParseResponse(t *testing.T) {
	var res Response
	for _, tc := range responseCases {
		t.Run(tc.name, func(t *testing.T) {
			buf := []byte(tc.raw)
			err := ParseResponse(buf, &res, tc.method, Limits{})
			if err != tc.err {
				t.Fatalf("ParseResponse(%q) = %s, want %s", tc.raw, errName(err), errName(tc.err))
			}
			if e, ok := err.(*Error); ok && e.Status != 502 {
				t.Errorf("status %d, want 502", e.Status)
			}
			if err != nil {
				return
			}
			got := describeResponse(buf, &res)
			if miss := missingTokens(got, tc.want); len(miss) > 0 {
				t.Errorf("ParseResponse(%q):\n got %s\nmissing %q", tc.raw, got, miss)
			}
			if res.HeadLen != len(buf) {
				t.Errorf("HeadLen = %d, want %d", res.HeadLen, len(buf))
			}
		})
	}
}

func TestParseResponseLimits(t *testing.T) {
	var res Response
	raw := resp("HTTP/1.1 200 OK", "X: "+strings.Repeat("a", 100))
	if err := ParseResponse([]byte(raw), &res, MethodGET, Limits{MaxHead: 64}); err != ErrHeadTooLarge.ForResponse() {
		t.Errorf("head: %s", errName(err))
	}
	raw = "HTTP/1.1 200 " + strings.Repeat("a", 100)
	if err := ParseResponse([]byte(raw), &res, MethodGET, Limits{MaxHead: 64}); err != ErrLineTooLong.ForResponse() {
		t.Errorf("line: %s", errName(err))
	}
}

func TestResponseHeaderLookup(t *testing.T) {
	buf := []byte(resp("HTTP/1.1 200 OK", "Content-Type: text/plain", "Set-Cookie: a=1", "set-cookie: b=2"))
	var res Response
	if err := ParseResponse(buf, &res, MethodGET, Limits{}); err != nil {
		t.Fatal(err)
	}
	if s, ok := res.Header(buf, "SET-COOKIE"); !ok || string(s.Bytes(buf)) != "a=1" {
		t.Errorf("Set-Cookie = %q, %v", s.Bytes(buf), ok)
	}
	if _, ok := res.Header(buf, "Content-Length"); ok {
		t.Error("Content-Length found")
	}
}

func TestErrorForResponse(t *testing.T) {
	for i := range reqErrs {
		r := reqErrs[i].ForResponse()
		if r != &resErrs[i] || r.Status != 502 || r.Reason != reqErrs[i].Reason || r.ForResponse() != r {
			t.Errorf("%q: ForResponse = %+v", reqErrs[i].Reason, r)
		}
	}
	other := &Error{Status: 400, Reason: "x"}
	if other.ForResponse() != other {
		t.Error("unknown error mapped")
	}
	if ErrHostValue.Error() != "h1: invalid Host value" {
		t.Errorf("Error() = %q", ErrHostValue.Error())
	}
}
