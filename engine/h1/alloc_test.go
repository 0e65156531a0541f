package h1

import "testing"

// browserRequest is a typical browser request head (about 300 bytes).
const browserRequest = "GET /static/app.js?v=3 HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: */*\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Referer: https://www.example.com/\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: session=abc123\r\n" +
	"\r\n"

// typicalResponse is a typical response head (about 150 bytes).
const typicalResponse = "HTTP/1.1 200 OK\r\n" +
	"Date: Sat, 22 Nov 2025 10:00:00 GMT\r\n" +
	"Content-Type: application/javascript\r\n" +
	"Content-Length: 18231\r\n" +
	"Cache-Control: max-age=3600\r\n" +
	"\r\n"

const chunkedBody = "1a;ext=v\r\nabcdefghijklmnopqrstuvwxyz\r\n10\r\n0123456789abcdef\r\n0\r\nX-Checksum: 1\r\n\r\n"

func TestAllocs(t *testing.T) {
	reqBuf := []byte(browserRequest)
	resBuf := []byte(typicalResponse)
	body := []byte(chunkedBody)
	var req Request
	var res Response
	var c Chunked
	dst := make([]byte, 0, 1024)
	if len(reqBuf) < 280 || len(reqBuf) > 340 || len(resBuf) < 130 || len(resBuf) > 170 {
		t.Fatalf("sizes %d %d", len(reqBuf), len(resBuf))
	}
	if err := ParseRequest(reqBuf, &req, Limits{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		fn   func()
	}{
		{"FindHeadEnd", func() { FindHeadEnd(reqBuf, 0) }},
		{"ParseRequest", func() { _ = ParseRequest(reqBuf, &req, Limits{}) }},
		{"ParseRequest error", func() { _ = ParseRequest([]byte("GET / HTTP/2.0\r\n\r\n"), &req, Limits{}) }},
		{"ParseResponse", func() { _ = ParseResponse(resBuf, &res, MethodGET, Limits{}) }},
		{"Chunked.Scan", func() { c.Reset(); _, _, _ = c.Scan(body) }},
		{"Chunked.Scan error", func() { c.Reset(); _, _, _ = c.Scan([]byte("x")) }},
		{"Request.Header", func() { req.Header(reqBuf, "cookie") }},
		{"Request.AppendHead", func() { dst = req.AppendHead(dst[:0], reqBuf, []byte("/x"), []byte("X-F: 1\r\n")) }},
		{"Response.AppendHead", func() { dst = res.AppendHead(dst[:0], resBuf, nil) }},
		{"AppendResponse", func() { dst = AppendResponse(dst[:0], 503, "text/plain", nil, []byte("no")) }},
		{"ErrorPage", func() { ErrorPage(503) }},
		{"ForResponse", func() { _ = ErrChunkSize.ForResponse() }},
	}
	_ = ParseResponse(resBuf, &res, MethodGET, Limits{})
	for _, tc := range tests {
		if n := testing.AllocsPerRun(100, tc.fn); n != 0 {
			t.Errorf("%s: %v allocations per run", tc.name, n)
		}
	}
}

func BenchmarkParseRequest(b *testing.B) {
	buf := []byte(browserRequest)
	var req Request
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if err := ParseRequest(buf, &req, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseResponse(b *testing.B) {
	buf := []byte(typicalResponse)
	var res Response
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if err := ParseResponse(buf, &res, MethodGET, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFindHeadEnd(b *testing.B) {
	buf := []byte(browserRequest)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if FindHeadEnd(buf, 0) != len(buf) {
			b.Fatal("end")
		}
	}
}

func BenchmarkRequestAppendHead(b *testing.B) {
	buf := []byte(browserRequest)
	var req Request
	if err := ParseRequest(buf, &req, Limits{}); err != nil {
		b.Fatal(err)
	}
	req.Headers[7].Del = true
	dst := make([]byte, 0, 1024)
	extra := []byte("X-Forwarded-For: 192.0.2.1\r\n")
	b.ReportAllocs()
	for b.Loop() {
		dst = req.AppendHead(dst[:0], buf, nil, extra)
	}
}

func BenchmarkChunkedScan(b *testing.B) {
	body := []byte(chunkedBody)
	var c Chunked
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		c.Reset()
		if _, done, err := c.Scan(body); !done || err != nil {
			b.Fatal(done, err)
		}
	}
}
