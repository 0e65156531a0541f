//go:build !race

// The race detector makes sync.Pool drop items, so allocation counts
// are only checked without it.

package rules

import (
	"strings"
	"testing"
)

func TestAllocsCondEval(t *testing.T) {
	s := allocSample(t)
	set := allocSet(t)
	idx, _ := VarIndex("txn.alloc_seen")
	s.vars.Set(idx, []byte("1"))
	conds := []struct {
		line string
		want bool
	}{
		{"if is_api is_json from_lan internal has_id host_ok users get v11 seen", true},
		{"if !is_api || { hdr_cnt(accept) gt 2 } { dst_port 80 } { src_port 1024: }", true},
		{"unless { hdr(user-agent),upper -m sub CURL } { base_beg -i WWW.Example } || FALSE", false},
		{"if { url_len gt 5 } { query -m found } { req.fhdr(accept) -m end */* } { int(3),hex -m len 16 }", true},
	}
	for _, tt := range conds {
		c := mustCond(t, set, tt.line)
		if got := c.Eval(s); got != tt.want {
			t.Errorf("%s = %v", tt.line, got)
		}
		if n := testing.AllocsPerRun(200, func() { c.Eval(s) }); n != 0 {
			t.Errorf("%s: %v allocations per Eval", tt.line, n)
		}
	}
}

// TestAllocsCondRegex measures regular expressions: Go's regexp pools its
// matchers, so a warm Eval does not allocate either.
func TestAllocsCondRegex(t *testing.T) {
	s := allocSample(t)
	c := mustCond(t, nil, `if { path_reg ^/api/v[0-9]+/ } { hdr_reg(host) -i ^WWW\.[a-z]+\.com$ } { url_reg id=[0-9]+ }`)
	if !c.Eval(s) {
		t.Fatal("regex condition does not match")
	}
	if n := testing.AllocsPerRun(200, func() { c.Eval(s) }); n != 0 {
		t.Errorf("%v allocations per Eval with regular expressions", n)
	}
}

func TestAllocsFormatExpr(t *testing.T) {
	s := allocSample(t)
	f, err := ParseFormat("%[req.hdr(host),lower]%[path]?%[query]|%[src]:%[src_port]|%[req.hdr(x-forwarded-for,1)]|%[url_param(name),upper,hex]|%[ssl_fc]")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	want := string(f.Append(nil, s))
	if n := testing.AllocsPerRun(200, func() {
		if got := f.Append(buf[:0], s); string(got) != want {
			t.Fatalf("got %q", got)
		}
	}); n != 0 {
		t.Errorf("Format.Append: %v allocations", n)
	}
	for _, text := range []string{"req.hdr(accept,-1)", "base", "src,hex", "dst_port", "var(txn.alloc_seen),upper", "url_param(id)", "req.hdr_cnt(accept)"} {
		e, err := ParseExpr(text)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(200, func() { e.Append(buf[:0], s) }); n != 0 {
			t.Errorf("Expr.Append(%s): %v allocations", text, n)
		}
	}
}

func TestAllocsVars(t *testing.T) {
	s := allocSample(t)
	idx, _ := VarIndex("txn.alloc_var")
	val := []byte("some value")
	s.vars.Set(idx, val) // warm
	if n := testing.AllocsPerRun(200, func() {
		s.vars.Set(idx, val)
		if v, ok := s.vars.Get(idx); !ok || len(v) != len(val) {
			t.Fatal("Get")
		}
		s.vars.SetInt(idx, 12345)
		s.vars.Unset(idx)
		s.vars.ResetTxn()
		s.vars.Reset()
	}); n != 0 {
		t.Errorf("Vars: %v allocations", n)
	}
	set := NewACLSet()
	var rules []*Rule
	for _, l := range []string{"set-var(txn.alloc_host) req.hdr(host),upper", "set-var(sess.alloc_port) src_port", "set-var(txn.alloc_src) src", "unset-var(txn.alloc_host)"} {
		r, err := ParseHTTPRequest(strings.Fields(l), set)
		if err != nil {
			t.Fatal(err)
		}
		rules = append(rules, r)
		r.ApplyVar(s) // warm
	}
	if n := testing.AllocsPerRun(200, func() {
		for _, r := range rules {
			r.ApplyVar(s)
		}
	}); n != 0 {
		t.Errorf("ApplyVar: %v allocations", n)
	}
}

func TestAllocsRedirectAndNames(t *testing.T) {
	s := allocSample(t)
	buf := make([]byte, 0, 512)
	for _, l := range []string{"redirect scheme https drop-query append-slash", "redirect prefix /x set-cookie A=b", "redirect location /%[hdr(host)]%[path] code 301"} {
		r, err := ParseHTTPRequest(strings.Fields(l), nil)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(200, func() { r.Redirect.AppendResponse(buf[:0], s, true) }); n != 0 {
			t.Errorf("%s: %v allocations", l, n)
		}
	}
	r, err := ParseHTTPRequest(strings.Fields("del-header x-forwarded -m beg"), nil)
	if err != nil {
		t.Fatal(err)
	}
	name := []byte("X-Forwarded-For")
	if n := testing.AllocsPerRun(200, func() { r.MatchName(name) }); n != 0 {
		t.Errorf("MatchName: %v allocations", n)
	}
}

// TestAllocsCounterFetches: reading and incrementing stick counters, in
// the tracked entry, another table and by source address, allocates
// nothing once the entries exist.
func TestAllocsCounterFetches(t *testing.T) {
	s := counterSample(t)
	c := mustCond(t, nil, "if { sc_http_req_rate(0) gt 1 } { sc0_conn_cnt(g) gt 1 } { src_conn_cur lt 5 } { sc_inc_gpc0(0) gt 0 } { src_inc_gpc0 gt 0 } { sc_tracked(0) } !{ sc1_conn_cur ge 0 }")
	if !c.Eval(s) {
		t.Fatal("counter condition does not match")
	}
	if n := testing.AllocsPerRun(200, func() { c.Eval(s) }); n != 0 {
		t.Errorf("%v allocations per Eval with stick counters", n)
	}
}
