package h1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"strconv"
	"strings"
	"testing"
)

// Differential fuzzing against net/http. Whenever this package accepts a
// message, net/http must accept it too and read the same method, target,
// status and framing, except for the documented disagreements below,
// where this package follows RFC 9112/9110 (and HAProxy) and net/http is
// stricter or reads another way:
//
//   - Transfer-Encoding with codings before chunked ("gzip, chunked"),
//     empty list elements ("chunked,") or spread over several fields:
//     RFC 9112 section 6.1 and RFC 9110 section 5.6.1 allow them;
//     net/http accepts exactly one field "chunked". For a response whose
//     final coding is not chunked, RFC 9112 section 6.3 (item 4) reads
//     until close; net/http rejects the response.
//   - A Content-Length list of equal values ("5, 5"): RFC 9110 section 8.6
//     allows accepting it; net/http rejects it.
//   - Percent-encoding is not checked in the target or Host ("/%zz"):
//     the target is forwarded as received, as HAProxy does; net/url
//     rejects a malformed escape.
//   - Empty lines before the start line are skipped (RFC 9112 section
//     2.2); net/http does not skip them, so they are removed before
//     net/http reads the message.
//   - A chunk-size line ended by a bare LF is accepted, as HAProxy does
//     (RFC 9112 section 2.2 lets a recipient accept a bare LF); net/http
//     rejects it following erratum 7633.
//   - Whitespace between a chunk size and ';' is BWS (RFC 9112 section
//     7.1.1), which recipients must accept; net/http rejects it.

// requestDisagreement returns the allowlisted reason why net/http may
// reject a request this package accepted, or "".
func requestDisagreement(buf []byte, hdrs []Header, target []byte) string {
	if r := framingDisagreement(buf, hdrs); r != "" {
		return r
	}
	if bytes.IndexByte(target, '%') >= 0 {
		return "percent-encoding not checked"
	}
	for i := range hdrs {
		if equalFold(hdrs[i].Name.Bytes(buf), "host") && bytes.IndexByte(hdrs[i].Value.Bytes(buf), '%') >= 0 {
			return "percent-encoding not checked"
		}
	}
	return ""
}

func framingDisagreement(buf []byte, hdrs []Header) string {
	te := 0
	for i := range hdrs {
		name, v := hdrs[i].Name.Bytes(buf), hdrs[i].Value.Bytes(buf)
		switch {
		case equalFold(name, "transfer-encoding"):
			te++
			if te > 1 || !equalFold(v, "chunked") {
				return "RFC 9112 6.1: transfer codings list"
			}
		case equalFold(name, "content-length") && bytes.IndexByte(v, ',') >= 0:
			return "RFC 9110 8.6: Content-Length list"
		}
	}
	return ""
}

func addRequestSeeds(f *testing.F) {
	for _, tc := range requestCases {
		f.Add([]byte(tc.raw))
	}
	for _, tc := range smuggleCases {
		if len(tc.raw) < 4096 {
			f.Add([]byte(tc.raw))
		}
	}
	f.Add([]byte(browserRequest))
}

func FuzzRequest(f *testing.F) {
	addRequestSeeds(f)
	var req Request
	f.Fuzz(func(t *testing.T, data []byte) {
		err := ParseRequest(data, &req, Limits{})
		if err != nil {
			if _, ok := err.(*Error); !ok && err != ErrIncomplete {
				t.Fatalf("unexpected error type %T", err)
			}
			if err == ErrIncomplete && FindHeadEnd(data, 0) >= 0 && len(data) < DefaultMaxHead {
				t.Fatalf("ErrIncomplete but FindHeadEnd finds an end in %q", data)
			}
			return
		}
		if end := FindHeadEnd(data, 0); end != req.HeadLen {
			t.Fatalf("FindHeadEnd %d != HeadLen %d for %q", end, req.HeadLen, data)
		}
		checkRequestSpans(t, data, &req)
		// net/http must read the same head.
		start := skipEmptyLines(data, req.HeadLen)
		hr, herr := http.ReadRequest(bufio.NewReader(bytes.NewReader(data[start:])))
		if herr != nil {
			if requestDisagreement(data, req.Headers[:req.NumHeaders], req.Target.Bytes(data)) != "" {
				return
			}
			t.Fatalf("we accept, net/http rejects %q: %v\nours: %s", data, herr, describeRequest(data, &req))
		}
		if hr.Method != string(req.MethodSpan.Bytes(data)) || hr.RequestURI != string(req.Target.Bytes(data)) {
			t.Fatalf("method/target %q %q vs net/http %q %q", req.MethodSpan.Bytes(data), req.Target.Bytes(data), hr.Method, hr.RequestURI)
		}
		chunked := len(hr.TransferEncoding) == 1 && hr.TransferEncoding[0] == "chunked"
		switch req.Body {
		case BodyChunked:
			if !chunked && framingDisagreement(data, req.Headers[:req.NumHeaders]) == "" {
				t.Fatalf("chunked, net/http: TE %q CL %d", hr.TransferEncoding, hr.ContentLength)
			}
		case BodyLength:
			if chunked || hr.ContentLength != req.ContentLength {
				t.Fatalf("length %d, net/http: TE %q CL %d", req.ContentLength, hr.TransferEncoding, hr.ContentLength)
			}
		case BodyNone:
			if chunked || hr.ContentLength != 0 {
				t.Fatalf("no body, net/http: TE %q CL %d", hr.TransferEncoding, hr.ContentLength)
			}
		}
		// Writing the head again gives a head that parses the same way.
		out := req.AppendHead(nil, data, nil, nil)
		var again Request
		if err := ParseRequest(out, &again, Limits{MaxHead: 1 << 20}); err != nil {
			t.Fatalf("AppendHead output %q does not parse: %v", out, err)
		}
		if describeRequest(out, &again) != strings.Replace(describeRequest(data, &req), "headlen="+strconv.Itoa(req.HeadLen), "headlen="+strconv.Itoa(len(out)), 1) {
			t.Fatalf("round trip:\n%s\n%s", describeRequest(data, &req), describeRequest(out, &again))
		}
	})
}

// checkRequestSpans checks that every span lies within the head.
func checkRequestSpans(t *testing.T, data []byte, req *Request) {
	t.Helper()
	spans := []Span{req.MethodSpan, req.Target, req.Authority, req.Path, req.Query, req.Line, req.Host}
	for i := 0; i < req.NumHeaders; i++ {
		spans = append(spans, req.Headers[i].Name, req.Headers[i].Value)
	}
	for _, s := range spans {
		if s.Off < 0 || s.Len < 0 || int(s.Off+s.Len) > req.HeadLen {
			t.Fatalf("span %+v outside the head (%d bytes)", s, req.HeadLen)
		}
	}
}

func FuzzResponse(f *testing.F) {
	for _, tc := range responseCases {
		f.Add([]byte(tc.raw), uint8(tc.method))
	}
	f.Add([]byte(typicalResponse), uint8(MethodGET))
	var res Response
	f.Fuzz(func(t *testing.T, data []byte, m uint8) {
		method := Method(m % uint8(MethodPATCH+1))
		err := ParseResponse(data, &res, method, Limits{})
		if err != nil {
			if e, ok := err.(*Error); ok && e.Status != 502 {
				t.Fatalf("response error with status %d", e.Status)
			}
			return
		}
		if end := FindHeadEnd(data, 0); end != res.HeadLen {
			t.Fatalf("FindHeadEnd %d != HeadLen %d", end, res.HeadLen)
		}
		start := skipEmptyLines(data, res.HeadLen)
		hreq := &http.Request{Method: method.String()}
		if method == MethodOther {
			hreq.Method = "FOO"
		}
		hr, herr := http.ReadResponse(bufio.NewReader(bytes.NewReader(data[start:])), hreq)
		if herr != nil {
			if framingDisagreement(data, res.Headers[:res.NumHeaders]) != "" {
				return
			}
			t.Fatalf("we accept, net/http rejects %q: %v\nours: %s", data, herr, describeResponse(data, &res))
		}
		if hr.StatusCode != res.Status {
			t.Fatalf("status %d vs net/http %d", res.Status, hr.StatusCode)
		}
		if method == MethodHEAD || method == MethodCONNECT || res.Status < 200 {
			return // net/http's view of these bodies is not the wire framing
		}
		chunked := len(hr.TransferEncoding) == 1 && hr.TransferEncoding[0] == "chunked"
		switch res.Body {
		case BodyChunked:
			if !chunked && framingDisagreement(data, res.Headers[:res.NumHeaders]) == "" {
				t.Fatalf("chunked, net/http: TE %q CL %d", hr.TransferEncoding, hr.ContentLength)
			}
		case BodyLength:
			if chunked || hr.ContentLength != res.ContentLength {
				t.Fatalf("length %d, net/http: TE %q CL %d", res.ContentLength, hr.TransferEncoding, hr.ContentLength)
			}
		case BodyNone:
			if chunked || hr.ContentLength > 0 {
				t.Fatalf("no body, net/http: TE %q CL %d", hr.TransferEncoding, hr.ContentLength)
			}
		case BodyUntilClose:
			if chunked || hr.ContentLength != -1 {
				if framingDisagreement(data, res.Headers[:res.NumHeaders]) == "" {
					t.Fatalf("until close, net/http: TE %q CL %d", hr.TransferEncoding, hr.ContentLength)
				}
			}
		}
		out := res.AppendHead(nil, data, nil)
		var again Response
		if err := ParseResponse(out, &again, method, Limits{MaxHead: 1 << 20}); err != nil {
			t.Fatalf("AppendHead output %q does not parse: %v", out, err)
		}
		if again.Status != res.Status || again.Body != res.Body || again.ContentLength != res.ContentLength || again.NumHeaders != res.NumHeaders {
			t.Fatalf("round trip:\n%s\n%s", describeResponse(data, &res), describeResponse(out, &again))
		}
	})
}

// chunkedQuirks reports whether body[:n] has a chunk-size line ended by a
// bare LF or whitespace before ';' (see the list above).
func chunkedQuirks(body []byte) bool {
	var c Chunked
	for i := range body {
		st := c.state
		if st == csSizeBWS || st <= csExtPostValue && body[i] == '\n' {
			return true
		}
		if _, done, err := c.Scan(body[i : i+1]); done || err != nil {
			return false
		}
	}
	return false
}

func FuzzChunked(f *testing.F) {
	for _, tc := range chunkedCases {
		f.Add([]byte(tc.body), []byte{3, 1, 7})
	}
	f.Add([]byte(chunkedBody), []byte{1})
	f.Fuzz(func(t *testing.T, body, splits []byte) {
		var c Chunked
		n, done, err := c.Scan(body)
		if n < 0 || n > len(body) || done && err != nil || err != nil && err.(*Error).Status != 400 {
			t.Fatalf("Scan = %d, %v, %v", n, done, err)
		}
		if !done && err == nil && n != len(body) {
			t.Fatalf("incomplete but n = %d of %d", n, len(body))
		}
		// Any split gives the same result.
		var s Chunked
		total, sdone := 0, false
		var serr error
		rest := body
		for i := 0; len(rest) > 0 && !sdone && serr == nil; i++ {
			k := len(rest)
			if len(splits) > 0 {
				k = min(k, int(splits[i%len(splits)])+1)
			}
			var m int
			m, sdone, serr = s.Scan(rest[:k])
			if m > k || (m < k && !sdone && serr == nil) {
				t.Fatalf("split scan consumed %d of %d", m, k)
			}
			total += m
			rest = rest[k:]
		}
		if total != n || sdone != done || serr != err {
			t.Fatalf("split: %d %v %v, one shot: %d %v %v", total, sdone, serr, n, done, err)
		}
		if !done {
			return
		}
		// net/http's chunked reader reads the same payload.
		payload, _, _, _ := dechunk(body[:n])
		got, herr := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(body[:n])))
		if herr != nil {
			if chunkedQuirks(body[:n]) {
				return
			}
			t.Fatalf("we accept, net/http rejects %q: %v", body[:n], herr)
		}
		if !bytes.Equal(got, payload) {
			t.Fatalf("payload %q, net/http %q", payload, got)
		}
	})
}

func FuzzFindHeadEnd(f *testing.F) {
	addRequestSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		want := FindHeadEnd(data, 0)
		from, got := 0, -1
		for i := 0; i < len(data) && got < 0; i += 7 {
			got = FindHeadEnd(data[:min(i+7, len(data))], from)
			from = min(i+7, len(data))
		}
		if got != want {
			t.Fatalf("trickled %d, one shot %d", got, want)
		}
	})
}
