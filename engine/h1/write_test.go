package h1

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

func TestRequestAppendHead(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		del       []int // indexes of headers to drop
		newTarget string
		extra     string
		want      string
	}{
		{"canonical round trip", get("/a?b", "Host: a", "X: 1"), nil, "", "", get("/a?b", "Host: a", "X: 1")},
		{"normalized spacing and line ends", "GET / HTTP/1.1\nHost:a\nX: \t1 \t\n\n", nil, "", "", get("/", "Host: a", "X: 1")},
		{"empty lines before", "\r\nGET / HTTP/1.0\r\n\r\n", nil, "", "", "GET / HTTP/1.0\r\n\r\n"},
		{"minor read as 1", "GET / HTTP/1.7\r\nHost: a\r\n\r\n", nil, "", "", get("/", "Host: a")},
		{"del", get("/", "Host: a", "Connection: close", "X: 1"), []int{1}, "", "", get("/", "Host: a", "X: 1")},
		{"del all", "GET / HTTP/1.0\r\nX: 1\r\nY: 2\r\n\r\n", []int{0, 1}, "", "", "GET / HTTP/1.0\r\n\r\n"},
		{"new target", get("http://a/p?q", "Host: a"), nil, "/p?q", "", get("/p?q", "Host: a")},
		{"extra", get("/", "Host: a"), nil, "", "X-Forwarded-For: 1.2.3.4\r\n", get("/", "Host: a", "X-Forwarded-For: 1.2.3.4")},
		{"all three", head("POST", "http://a/p", "Host: a", "Proxy-Connection: x", "Content-Length: 2"), []int{1}, "/p", "Via: 1.1 h\r\n",
			head("POST", "/p", "Host: a", "Content-Length: 2", "Via: 1.1 h")},
	}
	var req Request
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			buf := []byte(tc.raw)
			if err := ParseRequest(buf, &req, Limits{}); err != nil {
				t.Fatal(errName(err))
			}
			for _, i := range tc.del {
				req.Headers[i].Del = true
			}
			var nt, extra []byte
			if tc.newTarget != "" {
				nt = []byte(tc.newTarget)
			}
			if tc.extra != "" {
				extra = []byte(tc.extra)
			}
			out := req.AppendHead([]byte("prefix"), buf, nt, extra)
			if string(out) != "prefix"+tc.want {
				t.Fatalf("AppendHead:\n got %q\nwant %q", out, "prefix"+tc.want)
			}
			// The written head parses to the same request.
			var again Request
			if err := ParseRequest(out[6:], &again, Limits{}); err != nil {
				t.Fatalf("written head does not parse: %s", errName(err))
			}
			if again.Method != req.Method || again.Minor != req.Minor || again.Body != req.Body || again.ContentLength != req.ContentLength {
				t.Errorf("reparsed: %s", describeRequest(out[6:], &again))
			}
		})
	}
}

func TestResponseAppendHead(t *testing.T) {
	tests := []struct {
		name  string
		raw   string
		del   []int
		extra string
		want  string
	}{
		{"canonical round trip", resp("HTTP/1.1 200 OK", "Content-Length: 5"), nil, "", resp("HTTP/1.1 200 OK", "Content-Length: 5")},
		{"no reason", "HTTP/1.0 404\nX:y\n\n", nil, "", resp("HTTP/1.0 404 ", "X: y")},
		{"del and extra", resp("HTTP/1.1 503 Service Unavailable", "Server: x", "Retry-After: 1"), []int{0}, "Cache-Control: no-cache\r\n",
			resp("HTTP/1.1 503 Service Unavailable", "Retry-After: 1", "Cache-Control: no-cache")},
	}
	var res Response
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			buf := []byte(tc.raw)
			if err := ParseResponse(buf, &res, MethodGET, Limits{}); err != nil {
				t.Fatal(errName(err))
			}
			for _, i := range tc.del {
				res.Headers[i].Del = true
			}
			out := res.AppendHead(nil, buf, []byte(tc.extra))
			if string(out) != tc.want {
				t.Fatalf("AppendHead:\n got %q\nwant %q", out, tc.want)
			}
		})
	}
}

func TestFindHeadEnd(t *testing.T) {
	tests := []struct {
		raw  string
		want int
	}{
		{"", -1},
		{"GET / HTTP/1.1\r\n", -1},
		{"GET / HTTP/1.1\r\n\r\n", 18},
		{"GET / HTTP/1.1\n\n", 16},
		{"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody", 27},
		{"GET / HTTP/1.1\nHost: a\n\r\n", 25},
		{"GET / HTTP/1.1\r\nHost: a\r\n\r", -1},
		{"\r\n\r\n", -1},
		{"\r\n\r\nGET / HTTP/1.1\r\n\r\n", 22},
		{"\n\nGET / HTTP/1.1\n\n", 18},
		{"\r", -1},
		{"\rGET / HTTP/1.1\r\n\r\n", 19},
		{"GET / HTTP/1.1\r\r\n", -1},
		{"GET / HTTP/1.1\r\nX: a\r\r\n\r\n", 25},
	}
	for _, tc := range tests {
		if got := FindHeadEnd([]byte(tc.raw), 0); got != tc.want {
			t.Errorf("FindHeadEnd(%q, 0) = %d, want %d", tc.raw, got, tc.want)
		}
		// Trickled one byte at a time, keeping from, gives the same end.
		from, got := 0, -1
		for i := 1; i <= len(tc.raw) && got < 0; i++ {
			got = FindHeadEnd([]byte(tc.raw[:i]), from)
			from = i
		}
		if got != tc.want {
			t.Errorf("trickled FindHeadEnd(%q) = %d, want %d", tc.raw, got, tc.want)
		}
	}
}

func TestErrorPage(t *testing.T) {
	for _, st := range []int{400, 403, 405, 408, 410, 413, 414, 425, 429, 431, 500, 501, 502, 503, 504} {
		p := ErrorPage(st)
		if p == nil {
			t.Fatalf("ErrorPage(%d) = nil", st)
		}
		var res Response
		if err := ParseResponse(p, &res, MethodGET, Limits{}); err != nil {
			t.Fatalf("ErrorPage(%d) does not parse: %s", st, errName(err))
		}
		if res.Status != st || res.Body != BodyLength || int(res.ContentLength) != len(p)-res.HeadLen {
			t.Errorf("ErrorPage(%d): %s, %d body bytes", st, describeResponse(p, &res), len(p)-res.HeadLen)
		}
		if !bytes.Contains(p, []byte("<h1>"+strconv.Itoa(st)+" ")) {
			t.Errorf("ErrorPage(%d) title: %q", st, p)
		}
	}
	for _, st := range []int{0, 200, 404, 599} {
		if ErrorPage(st) != nil {
			t.Errorf("ErrorPage(%d) not nil", st)
		}
	}
}

func TestAppendResponse(t *testing.T) {
	got := AppendResponse([]byte("x"), 200, "text/plain", []byte("X-A: 1\r\n"), []byte("hello"))
	want := "xHTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\nX-A: 1\r\n\r\nhello"
	if string(got) != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	got = AppendResponse(nil, 302, "", nil, nil)
	want = "HTTP/1.1 302 Moved Temporarily\r\ncontent-length: 0\r\n\r\n"
	if string(got) != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestStatusText(t *testing.T) {
	tests := map[int]string{
		100: "Continue", 103: "Informational", 200: "OK", 208: "Success", 302: "Moved Temporarily",
		306: "Redirection", 400: "Bad Request", 419: "Client Error", 502: "Bad Gateway or Proxy Error",
		599: "Server Error", 600: "Other", 99: "Other",
	}
	for st, want := range tests {
		if got := StatusText(st); got != want {
			t.Errorf("StatusText(%d) = %q, want %q", st, got, want)
		}
	}
}

func TestMethodString(t *testing.T) {
	for m := MethodOther; m <= MethodPATCH+1; m++ {
		s := m.String()
		if m == MethodOther || m > MethodPATCH {
			if s != "" {
				t.Errorf("%d: %q", m, s)
			}
			continue
		}
		if lookupMethod([]byte(s)) != m || strings.ToUpper(s) != s {
			t.Errorf("%d: %q", m, s)
		}
	}
}

func TestDelHeader(t *testing.T) {
	buf := []byte("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\nX: 1\r\nconnection: te\r\n\r\n")
	var req Request
	if err := ParseRequest(buf, &req, Limits{}); err != nil {
		t.Fatal(err)
	}
	req.DelHeader(buf, "connection")
	if got := string(req.AppendHead(nil, buf, nil, nil)); got != "GET / HTTP/1.1\r\nHost: h\r\nX: 1\r\n\r\n" {
		t.Fatalf("request after DelHeader: %q", got)
	}
	rbuf := []byte("HTTP/1.1 200 OK\r\nCONNECTION: close\r\nContent-Length: 0\r\n\r\n")
	var res Response
	if err := ParseResponse(rbuf, &res, MethodGET, Limits{}); err != nil {
		t.Fatal(err)
	}
	res.DelHeader(rbuf, "connection")
	if got := string(res.AppendHead(nil, rbuf, nil)); got != "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" {
		t.Fatalf("response after DelHeader: %q", got)
	}
}
