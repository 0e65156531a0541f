package rules

import (
	"strings"
	"testing"
)

// fuzzSamples are the transactions fuzzed conditions and rules run on.
func fuzzSamples() []*fakeSample {
	a := newReq("GET /api/v1/x?id=1&a=b;c HTTP/1.1", "Host: h.example:80", "X-L: a, \"b,c\", ,", "X-E:")
	b := newReq("OPTIONS * HTTP/1.0")
	b.noVars = true
	b.src = mustAddr("2001:db8::1")
	c := newReq("POST http://x.example HTTP/1.1", "host: , x").withRes(503, "Set-Cookie: a=b", "X-L: z")
	d := newReq("GET /?? HTTP/1.1")
	d.src = mustAddr("::ffff:127.0.0.1")
	d.method = nil
	return []*fakeSample{a, b, c, d}
}

func fuzzSet() *ACLSet {
	set := NewACLSet()
	for _, l := range []string{"a path_beg /api", "b hdr(host) -i h.example:80", "c src 127.0.0.0/8", "d var(txn.fz) -m found"} {
		if err := set.ParseACL(strings.Fields(l)); err != nil {
			panic(err)
		}
	}
	return set
}

var condSeeds = []string{
	"if a",
	"unless a b || c",
	"if !a or !{ path_reg ^/x } || TRUE",
	"if { hdr(x-l,-2) -m len 0:3 } { url_param(id) -m int ge 1 } !{ src -m ip ::/0 }",
	"if { var(txn.fz) -m str -i x } { req.hdr(host),lower,hex -m beg 68 } LOCALHOST",
	"if { method -i get post } { base_dir api } { url_dom example } { path -m bin 2F }",
	"if { status 500:599 } { res.hdr(x-l) z } { hdr_cnt gt 2 } HTTP_1.0",
	"if { str(a\\,b) -m sub , } { int(5) lt 6 7: } { bool(0) } { always_true -m found }",
	"if {",
	"if { }",
	"if !",
	"unless {path /",
	"if { path -f /nonexistent }",
	"if { req.fhdr(x-l) -m reg (a|b)\\1 }",
	"if { url_param(a,;) b } { query -m found } { req.ver 1.1 } METH_GET",
}

// FuzzParseCond checks that ParseCond never panics on any words, and that
// evaluating what parses never panics either.
func FuzzParseCond(f *testing.F) {
	for _, s := range condSeeds {
		f.Add(s)
	}
	samples := fuzzSamples()
	f.Fuzz(func(t *testing.T, text string) {
		w := strings.Split(text, " ")
		c, err := ParseCond(w, fuzzSet())
		if err != nil {
			if c != nil {
				t.Fatal("condition and error")
			}
			return
		}
		for _, s := range samples {
			c.Eval(s)
		}
	})
}

// FuzzParseRule checks that the rule parsers never panic, and that what
// parses can be evaluated.
func FuzzParseRule(f *testing.F) {
	for _, s := range []string{
		"set-header X-A %[path]%%%[hdr(host,1),upper]",
		"add-header X %[url_param(a)]|%[src,hex] if a",
		"replace-header X-L (.*) <\\1\\x41\\> unless b",
		"replace-path ^/api(.*) /v2\\1",
		"return status 404 content-type text/plain lf-string %[path] hdr X-B %[query]",
		"deny deny_status 503 if c",
		"redirect scheme https code 308 drop-query append-slash set-cookie A=b",
		"redirect prefix %[hdr(host)] ignore-empty",
		"set-var(txn.fz) req.hdr(host),lower",
		"unset-var(txn.fz)",
		"del-header x- -m beg",
		"del-header (x|y) -m reg",
		"set-status 200 reason OK",
	} {
		f.Add(s)
	}
	samples := fuzzSamples()
	f.Fuzz(func(t *testing.T, text string) {
		w := strings.Split(text, " ")
		set := fuzzSet()
		for _, parse := range []func([]string, *ACLSet) (*Rule, error){ParseHTTPRequest, ParseHTTPResponse, ParseRedirect} {
			r, err := parse(w, set)
			if err != nil {
				continue
			}
			for _, s := range samples {
				r.Cond.Eval(s)
				if r.Value != nil {
					r.Value.Append(nil, s)
					r.Value.Literal()
				}
				for _, h := range r.Hdrs {
					h.Value.Append(nil, s)
				}
				if r.Redirect != nil {
					r.Redirect.AppendResponse(nil, s, true)
					r.Redirect.AppendResponseIf(nil, s, false)
				}
				r.MatchName([]byte("X-Forwarded-For"))
				r.ReplaceValue(nil, []byte("a, b"), s)
				r.ApplyVar(s)
			}
		}
	})
}
