package h1

import (
	"strings"
	"testing"
)

// smuggleCase is a request (head and body, as sent on the wire) that
// proxies and servers have been known to frame differently, with the
// outcome of hitless and the one of HAProxy 2.6.12.
type smuggleCase struct {
	name string
	raw  string
	// hitless: err nil means accepted with this framing and payload length.
	err    error
	body   Framing
	length int
	// HAProxy 2.6.12 (haproxyCorpusConfig: option http-buffer-request and
	// an http-request return of req.body_len): the status it answers, and
	// for a 200 the body length it read. haproxy_test.go re-checks them.
	haproxy     int
	haproxyBody int
	why         string // why hitless differs, when it does
}

func (c *smuggleCase) matchesHAProxy() bool {
	if c.err != nil {
		return c.err.(*Error).Status == c.haproxy
	}
	return c.haproxy == 200 && c.haproxyBody == c.length
}

const (
	pr      = "POST / HTTP/1.1\r\nHost: a\r\n"
	te      = "Transfer-Encoding: chunked\r\n"
	chunks5 = "5\r\nhello\r\n0\r\n\r\n"
)

var smuggleCases = []smuggleCase{
	{name: "cl", raw: pr + "Content-Length: 5\r\n\r\nhello", body: BodyLength, length: 5, haproxy: 200, haproxyBody: 5},
	{name: "cl duplicate equal", raw: pr + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", body: BodyLength, length: 5, haproxy: 200, haproxyBody: 5},
	{name: "cl duplicate different", raw: pr + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", err: ErrContentLengthConflict, haproxy: 400},
	{name: "cl list equal", raw: pr + "Content-Length: 5, 5\r\n\r\nhello", body: BodyLength, length: 5, haproxy: 200, haproxyBody: 5},
	{name: "cl list different", raw: pr + "Content-Length: 5, 6\r\n\r\nhello!", err: ErrContentLength, haproxy: 400},
	{name: "cl negative", raw: pr + "Content-Length: -5\r\n\r\nhello", err: ErrContentLength, haproxy: 400},
	{name: "cl plus sign", raw: pr + "Content-Length: +5\r\n\r\nhello", err: ErrContentLength, haproxy: 400},
	{name: "cl hex", raw: pr + "Content-Length: 0x5\r\n\r\nhello", err: ErrContentLength, haproxy: 400},
	{name: "cl overflow", raw: pr + "Content-Length: 9223372036854775808\r\n\r\nhello", err: ErrContentLength, haproxy: 400},
	{name: "cl space before colon", raw: pr + "Content-Length : 5\r\n\r\nhello", err: ErrHeaderName, haproxy: 400},
	{name: "cl then te", raw: pr + "Content-Length: 5\r\n" + te + "\r\n" + chunks5, err: ErrTEWithCL, haproxy: 200, haproxyBody: 5,
		why: "HAProxy drops Content-Length and reads the chunks; a server that reads Content-Length would not (RFC 9112 section 6.3 allows rejecting)"},
	{name: "te then cl", raw: pr + te + "Content-Length: 5\r\n\r\n" + chunks5, err: ErrTEWithCL, haproxy: 200, haproxyBody: 5,
		why: "HAProxy drops Content-Length; rejecting both is the RFC 9112 section 6.3 option that leaves no room for a second reading"},
	{name: "te chunked", raw: pr + te + "\r\n" + chunks5, body: BodyChunked, length: 5, haproxy: 200, haproxyBody: 5},
	{name: "te upper-case", raw: pr + "Transfer-Encoding: CHUNKED\r\n\r\n" + chunks5, body: BodyChunked, length: 5, haproxy: 200, haproxyBody: 5},
	{name: "te leading space", raw: pr + "Transfer-Encoding:  chunked\r\n\r\n" + chunks5, body: BodyChunked, length: 5, haproxy: 200, haproxyBody: 5},
	{name: "te trailing comma", raw: pr + "Transfer-Encoding: chunked,\r\n\r\n" + chunks5, body: BodyChunked, length: 5, haproxy: 200, haproxyBody: 5},
	{name: "te chunked, identity", raw: pr + "Transfer-Encoding: chunked, identity\r\n\r\n" + chunks5, err: ErrNotChunked, haproxy: 400},
	{name: "te identity", raw: pr + "Transfer-Encoding: identity\r\n\r\n" + chunks5, err: ErrNotChunked, haproxy: 400},
	{name: "te gzip", raw: pr + "Transfer-Encoding: gzip\r\n\r\n" + chunks5, err: ErrNotChunked, haproxy: 400},
	{name: "te chunked, gzip", raw: pr + "Transfer-Encoding: chunked, gzip\r\n\r\n" + chunks5, err: ErrNotChunked, haproxy: 400},
	{name: "te gzip, chunked", raw: pr + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunks5, body: BodyChunked, length: 5, haproxy: 422,
		why: "HAProxy's parser accepts it too; 422 comes from http-buffer-request, which refuses a body it would have to decode"},
	{name: "te xchunked", raw: pr + "Transfer-Encoding: xchunked\r\n\r\n" + chunks5, err: ErrNotChunked, haproxy: 400},
	{name: "te chunked NUL", raw: pr + "Transfer-Encoding: chunked\x00\r\n\r\n" + chunks5, err: ErrHeaderValue, haproxy: 400},
	{name: "te chunked VT", raw: pr + "Transfer-Encoding: chunked\x0b\r\n\r\n" + chunks5, err: ErrHeaderValue, haproxy: 400},
	{name: "te empty", raw: pr + "Transfer-Encoding: \r\n\r\n" + chunks5, err: ErrTransferEncoding, haproxy: 400},
	{name: "te chunked twice", raw: pr + "Transfer-Encoding: chunked, chunked\r\n\r\n" + chunks5, err: ErrChunkedTwice, haproxy: 400},
	{name: "te two fields", raw: pr + te + te + "\r\n" + chunks5, err: ErrChunkedTwice, haproxy: 400},
	{name: "te parameter", raw: pr + "Transfer-Encoding: chunked;q=1\r\n\r\n" + chunks5, err: ErrTransferEncoding, haproxy: 400},
	{name: "te space before colon", raw: pr + "Transfer-Encoding : chunked\r\n\r\n" + chunks5, err: ErrHeaderName, haproxy: 400},
	{name: "te in http/1.0", raw: "POST / HTTP/1.0\r\nHost: a\r\n" + te + "\r\n" + chunks5, err: ErrTEHTTP10, haproxy: 200, haproxyBody: 5,
		why: "RFC 9112 section 6.1: an HTTP/1.0 recipient may not understand chunked, the framing is faulty"},
	{name: "te obs-fold", raw: pr + "Transfer-Encoding:\r\n chunked\r\n\r\n" + chunks5, err: ErrObsFold, haproxy: 200, haproxyBody: 5,
		why: "RFC 9112 section 5.2 allows rejecting obs-fold; unfolding is how TE hides from other parsers"},
	{name: "te folded into host", raw: pr + " Transfer-Encoding: chunked\r\n\r\n" + chunks5, err: ErrObsFold, haproxy: 200, haproxyBody: 0,
		why: "HAProxy appends the line to Host and then reads the chunks as a second request"},
	{name: "bare CR in value", raw: pr + "X: a\rb\r\nContent-Length: 5\r\n\r\nhello", err: ErrBareCR, haproxy: 400},
	{name: "bare LF line ends", raw: "POST / HTTP/1.1\nHost: a\nContent-Length: 5\n\nhello", body: BodyLength, length: 5, haproxy: 200, haproxyBody: 5},
	{name: "NUL in value", raw: pr + "X: a\x00b\r\nContent-Length: 5\r\n\r\nhello", err: ErrHeaderValue, haproxy: 200, haproxyBody: 5,
		why: "RFC 9110 section 5.5: NUL is not a field-vchar"},
	{name: "NUL in name", raw: pr + "X\x00: b\r\nContent-Length: 5\r\n\r\nhello", err: ErrHeaderName, haproxy: 400},
	{name: "obs-fold", raw: pr + "X: a\r\n b\r\nContent-Length: 5\r\n\r\nhello", err: ErrObsFold, haproxy: 200, haproxyBody: 5,
		why: "RFC 9112 section 5.2 allows rejecting obs-fold"},
	{name: "chunk size -1", raw: pr + te + "\r\n-1\r\nhello\r\n0\r\n\r\n", err: ErrChunkSize, haproxy: 400},
	{name: "chunk size 0x5", raw: pr + te + "\r\n0x5\r\nhello\r\n0\r\n\r\n", err: ErrChunkSize, haproxy: 400},
	{name: "chunk size 17 f", raw: pr + te + "\r\nfffffffffffffffff\r\nhello\r\n0\r\n\r\n", err: ErrChunkSize, haproxy: 400},
	{name: "chunk size leading space", raw: pr + te + "\r\n 5\r\nhello\r\n0\r\n\r\n", err: ErrChunkSize, haproxy: 400},
	{name: "chunk size trailing space", raw: pr + te + "\r\n5 \r\nhello\r\n0\r\n\r\n", err: ErrChunkSize, haproxy: 200, haproxyBody: 5,
		why: "RFC 9112 section 7.1: whitespace after the size is only BWS before ';'"},
	{name: "chunk size 19 digits", raw: pr + te + "\r\n0000000000000000005\r\nhello\r\n0\r\n\r\n", err: ErrChunkSize, haproxy: 200, haproxyBody: 5,
		why: "at most 16 hex digits, as net/http, so no size is read two ways"},
	{name: "chunk size NUL", raw: pr + te + "\r\n5\x00\r\nhello\r\n0\r\n\r\n", err: ErrChunkSize, haproxy: 400},
	{name: "chunk extension NUL", raw: pr + te + "\r\n5;a\x00\r\nhello\r\n0\r\n\r\n", err: ErrChunkExt, haproxy: 200, haproxyBody: 5,
		why: "an extension is a token or quoted-string (RFC 9112 section 7.1.1)"},
	{name: "chunk extension", raw: pr + te + "\r\n5;a=b\r\nhello\r\n0\r\n\r\n", body: BodyChunked, length: 5, haproxy: 200, haproxyBody: 5},
	{name: "chunk data too long", raw: pr + te + "\r\n5\r\nhelloX\r\n0\r\n\r\n", err: ErrChunkCRLF, haproxy: 400},
	{name: "chunk data then LF", raw: pr + te + "\r\n5\r\nhello\n0\r\n\r\n", err: ErrChunkCRLF, haproxy: 200, haproxyBody: 5,
		why: "chunk data must end with CRLF exactly, as net/http requires"},
	{name: "chunk bare LF size lines", raw: pr + te + "\r\n5\nhello\r\n0\n\n", body: BodyChunked, length: 5, haproxy: 200, haproxyBody: 5},
	{name: "trailer", raw: pr + te + "\r\n5\r\nhello\r\n0\r\nX: y\r\n\r\n", body: BodyChunked, length: 5, haproxy: 200, haproxyBody: 5},
	{name: "trailer without colon", raw: pr + te + "\r\n5\r\nhello\r\n0\r\nXy\r\n\r\n", err: ErrTrailer, haproxy: 400},
	{name: "absolute-form", raw: "GET http://a/p HTTP/1.1\r\nHost: a\r\n\r\n", body: BodyNone, haproxy: 200},
	{name: "absolute-form other host", raw: "GET http://a/p HTTP/1.1\r\nHost: b\r\n\r\n", err: ErrHostMismatch, haproxy: 400},
	{name: "absolute-form userinfo", raw: "GET http://u@a/p HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrTarget, haproxy: 200,
		why: "RFC 9110 section 4.2.4: userinfo is an error"},
	{name: "absolute-form ftp", raw: "GET ftp://a/p HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrTarget, haproxy: 200,
		why: "only http and https are proxied"},
	{name: "missing host", raw: "GET / HTTP/1.1\r\n\r\n", err: ErrNoHost, haproxy: 200,
		why: "RFC 9112 section 3.2: MUST respond 400"},
	{name: "double host equal", raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", err: ErrDupHost, haproxy: 200,
		why: "RFC 9112 section 3.2: MUST respond 400 to several Host lines"},
	{name: "double host different", raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", err: ErrDupHost, haproxy: 400},
	{name: "http/2.0 version", raw: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", err: ErrVersion, haproxy: 200,
		why: "only HTTP/1.x is spoken on this connection"},
	{name: "double space", raw: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrRequestLine, haproxy: 200,
		why: "RFC 9112 section 3: single SP"},
	{name: "huge uri", raw: "GET /" + strings.Repeat("a", 20000) + " HTTP/1.1\r\nHost: a\r\n\r\n", err: ErrLineTooLong, haproxy: 400},
	{name: "oversize head", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("b", 20000) + "\r\n\r\n", err: ErrHeadTooLarge, haproxy: 400},
	{name: "100 fields", raw: "GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X: y\r\n", 99) + "\r\n", body: BodyNone, haproxy: 200},
	{name: "too many fields", raw: "GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X: y\r\n", 100) + "\r\n", err: ErrTooManyHeaders, haproxy: 400},
}

// hitlessOutcome parses raw as a request and, for a chunked body, scans
// it; it returns the error or the framing and the payload length.
func hitlessOutcome(raw string) (error, Framing, int) {
	buf := []byte(raw)
	var req Request
	if err := ParseRequest(buf, &req, Limits{}); err != nil {
		return err, 0, 0
	}
	rest := buf[req.HeadLen:]
	switch req.Body {
	case BodyLength:
		return nil, BodyLength, int(req.ContentLength)
	case BodyChunked:
		payload, n, done, err := dechunk(rest)
		if err != nil {
			return err, 0, 0
		}
		if !done || n != len(rest) {
			return ErrIncomplete, 0, 0
		}
		return nil, BodyChunked, len(payload)
	}
	return nil, req.Body, 0
}

// dechunk scans body one byte at a time and collects the chunk data (the
// bytes read while the scanner is in csData).
func dechunk(body []byte) (payload []byte, n int, done bool, err error) {
	var c Chunked
	for n < len(body) && !done {
		data := c.state == csData
		var k int
		k, done, err = c.Scan(body[n : n+1])
		if err != nil {
			return payload, n, false, err
		}
		if data {
			payload = append(payload, body[n])
		}
		n += k
	}
	return payload, n, done, nil
}

func TestSmugglingCorpus(t *testing.T) {
	if len(smuggleCases) < 30 {
		t.Fatalf("%d cases", len(smuggleCases))
	}
	names := map[string]bool{}
	for _, tc := range smuggleCases {
		t.Run(tc.name, func(t *testing.T) {
			if names[tc.name] {
				t.Fatal("duplicate name")
			}
			names[tc.name] = true
			err, body, length := hitlessOutcome(tc.raw)
			if err != tc.err || err == nil && (body != tc.body || length != tc.length) {
				t.Fatalf("got %s %v %d, want %s %v %d", errName(err), body, length, errName(tc.err), tc.body, tc.length)
			}
			if tc.matchesHAProxy() == (tc.why != "") {
				t.Errorf("matches HAProxy: %v, but why = %q", tc.matchesHAProxy(), tc.why)
			}
		})
	}
}
