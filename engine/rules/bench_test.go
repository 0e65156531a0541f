package rules

import (
	"strings"
	"testing"
)

// allocSample is a request with the usual headers and warm variables.
func allocSample(t testing.TB) *fakeSample {
	s := newReq("GET /api/v1/users?id=42&name=bob HTTP/1.1",
		"Host: www.example.com",
		"User-Agent: curl/8.0",
		"Accept: text/html, application/json;q=0.9, */*",
		"X-Forwarded-For: 10.1.2.3, 192.0.2.7",
		"Cookie: a=b",
	)
	return s
}

func mustCond(t testing.TB, set *ACLSet, line string) *Cond {
	t.Helper()
	c, err := ParseCond(strings.Fields(line), set)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func allocSet(t testing.TB) *ACLSet {
	t.Helper()
	set := NewACLSet()
	for _, l := range []string{
		"is_api path_beg /api/",
		"is_json hdr_sub(accept) -i json",
		"from_lan hdr_ip_like hdr(x-forwarded-for) -m beg 10.",
		"internal src 192.0.2.0/24 10.0.0.0/8",
		"has_id url_param(id) -m int gt 10",
		"host_ok hdr(host),lower -m dom example.com",
		"users path_dir users",
		"get method GET HEAD",
		"v11 req.ver 1.1",
		"seen var(txn.alloc_seen) -m found",
	} {
		w := strings.Fields(l)
		if w[1] == "hdr_ip_like" {
			w = append(w[:1], w[2:]...)
		}
		if err := set.ParseACL(w); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	return set
}

func BenchmarkCondEval(b *testing.B) {
	s := allocSample(b)
	c := mustCond(b, allocSet(b), "if is_api is_json from_lan internal has_id host_ok users get v11")
	b.ReportAllocs()
	for b.Loop() {
		c.Eval(s)
	}
}

func BenchmarkCondEvalRegex(b *testing.B) {
	s := allocSample(b)
	c := mustCond(b, nil, `if { path_reg ^/api/v[0-9]+/ } { hdr_reg(host) -i ^WWW\.[a-z]+\.com$ }`)
	b.ReportAllocs()
	for b.Loop() {
		c.Eval(s)
	}
}

func BenchmarkFormatAppend(b *testing.B) {
	s := allocSample(b)
	f, err := ParseFormat("%[req.hdr(host),lower]%[path]?%[query] from %[src]")
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = f.Append(buf[:0], s)
	}
}

func BenchmarkExprAppend(b *testing.B) {
	s := allocSample(b)
	e, err := ParseExpr("req.hdr(accept,-1),upper")
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = e.Append(buf[:0], s)
	}
}

func BenchmarkRedirect(b *testing.B) {
	s := allocSample(b)
	r, err := ParseRedirect(strings.Fields("scheme https code 301"), nil)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = r.Redirect.AppendResponse(buf[:0], s, false)
	}
}

func BenchmarkApplyVar(b *testing.B) {
	s := allocSample(b)
	r, err := ParseHTTPRequest(strings.Fields("set-var(txn.bench) req.hdr(host),lower"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r.ApplyVar(s)
	}
}
