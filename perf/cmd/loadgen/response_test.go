package main

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

// splitReader returns at most n bytes per Read, to cut the input at every
// place a network read could.
type splitReader struct {
	s string
	n int
}

func (r *splitReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	k := min(len(p), r.n, len(r.s))
	copy(p, r.s[:k])
	r.s = r.s[k:]
	return k, nil
}

func TestReadResponse(t *testing.T) {
	const next = "HTTP/1.1 204 next\r\n\r\n" // must be left unread after a response
	for _, tc := range []struct {
		name    string
		in      string
		status  int
		close   bool
		toClose bool  // body delimited by the end of the connection: no next response
		err     error // errMalformed, io.EOF or io.ErrUnexpectedEOF
	}{
		{name: "content-length", in: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", status: 200},
		{name: "header case and spaces", in: "HTTP/1.1 200 OK\r\ncontent-LENGTH:\t 3 \r\nX: y\r\n\r\nabc", status: 200},
		{name: "repeated equal length", in: "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok", status: 200},
		{name: "no reason phrase", in: "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", status: 200},
		{name: "bare LF", in: "HTTP/1.1 200 OK\nContent-Length: 1\n\nx", status: 200},
		{name: "empty body", in: "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", status: 500},
		{name: "chunked", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=\"a\"\r\nabc\r\nA \r\n0123456789\r\n1f\r\n" + strings.Repeat("z", 31) + "\r\n0\r\nTrailer: x\r\n\r\n", status: 200},
		{name: "chunked over length", in: "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n", status: 200},
		{name: "empty chunked", in: "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 404},
		{name: "204 ignores length", in: "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", status: 204},
		{name: "304 ignores length", in: "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", status: 304},
		{name: "interim skipped", in: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", status: 201},
		{name: "connection close", in: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", status: 200, close: true},
		{name: "connection list", in: "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 2\r\n\r\nok", status: 200, close: true},
		{name: "http/1.0 closes", in: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", status: 200, close: true},
		{name: "http/1.0 keep-alive", in: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", status: 200},
		{name: "body to close", in: "HTTP/1.1 200 OK\r\n\r\nall of it", status: 200, close: true, toClose: true},
		{name: "unknown coding to close", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nanything", status: 200, close: true, toClose: true},

		{name: "nothing", in: "", err: io.EOF, toClose: true},
		{name: "cut in status line", in: "HTTP/1.1 20", err: io.ErrUnexpectedEOF, toClose: true},
		{name: "cut in head", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", err: io.ErrUnexpectedEOF, toClose: true},
		{name: "cut in body", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc", err: io.ErrUnexpectedEOF, toClose: true},
		{name: "cut in chunk", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab", err: io.ErrUnexpectedEOF, toClose: true},
		{name: "cut after interim", in: "HTTP/1.1 100 Continue\r\n\r\n", err: io.ErrUnexpectedEOF, toClose: true},
		{name: "cut in trailer", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n", err: io.ErrUnexpectedEOF, toClose: true},
		{name: "http/2", in: "HTTP/2 200\r\n\r\n", err: errMalformed},
		{name: "http/1.2", in: "HTTP/1.2 200 OK\r\n\r\n", err: errMalformed},
		{name: "status not digits", in: "HTTP/1.1 2x0 OK\r\n\r\n", err: errMalformed},
		{name: "status below 100", in: "HTTP/1.1 099 OK\r\n\r\n", err: errMalformed},
		{name: "status too long", in: "HTTP/1.1 2000 OK\r\n\r\n", err: errMalformed},
		{name: "switching protocols", in: "HTTP/1.1 101 Switching Protocols\r\n\r\n", err: errMalformed},
		{name: "negative length", in: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", err: errMalformed},
		{name: "conflicting lengths", in: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc", err: errMalformed},
		{name: "empty length", in: "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", err: errMalformed},
		{name: "header without colon", in: "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", err: errMalformed},
		{name: "bad chunk size", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", err: errMalformed},
		{name: "chunk without CRLF", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", err: errMalformed},
		{name: "line too long", in: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 5000) + "\r\n\r\n", err: errMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if !tc.toClose && tc.err == nil {
				in += next
			}
			for n := 1; n <= max(len(in), 1); n++ {
				br := bufio.NewReaderSize(&splitReader{in, n}, 4096)
				got, err := readResponse(br)
				if tc.err != nil {
					if !errors.Is(err, tc.err) {
						t.Fatalf("reads of %d: err %v, want %v", n, err, tc.err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("reads of %d: %v", n, err)
				}
				if got.status != tc.status || got.close != tc.close {
					t.Fatalf("reads of %d: got %+v, want status %d close %v", n, got, tc.status, tc.close)
				}
				rest, _ := io.ReadAll(br)
				want := next
				if tc.toClose {
					want = ""
				}
				if string(rest) != want {
					t.Fatalf("reads of %d: left %q unread, want %q", n, rest, want)
				}
			}
		})
	}
}
