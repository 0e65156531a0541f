package rules

import (
	"net/netip"
	"strings"
	"testing"

	"hitless/stick"
)

func newTable(t *testing.T, name string, store ...stick.Store) *stick.Table {
	t.Helper()
	tab, err := stick.New(name, stick.Spec{Type: stick.KeyIPv4, Size: 10, Expire: 10000, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// counterSample is a sample from 10.0.0.1 whose slot 0 tracks its
// address in table "f" (http_req_rate, conn_cur, gpc0); table "g" stores
// conn_cnt and holds 10.0.0.1 with conn_cnt=7.
func counterSample(t *testing.T) *fakeSample {
	f := newTable(t, "f", stick.Store{Type: stick.HTTPReqRate, Period: 10000}, stick.Store{Type: stick.ConnCur}, stick.Store{Type: stick.GPC0})
	g := newTable(t, "g", stick.Store{Type: stick.ConnCnt})
	s := &fakeSample{src: netip.MustParseAddr("10.0.0.1"), proxy: "f", now: 1000,
		tables: map[string]*stick.Table{"f": f, "g": g}}
	key, _ := f.KeyIP(nil, []byte{10, 0, 0, 1})
	e, err := f.Get(key, s.now)
	if err != nil {
		t.Fatal(err)
	}
	f.Add(e, stick.HTTPReqRate, 3, s.now)
	f.Add(e, stick.ConnCur, 1, s.now)
	s.trk[0], s.trkTab[0] = e, f
	ge, _ := g.Get(key, s.now)
	g.Add(ge, stick.ConnCnt, 7, s.now)
	g.Release(ge)
	return s
}

func TestCounterFetches(t *testing.T) {
	tests := []struct {
		expr, want string
		ok         bool
	}{
		{"sc_http_req_rate(0)", "3", true},
		{"sc0_http_req_rate", "3", true},
		{"sc0_conn_cur", "1", true},
		{"sc_conn_cur(0,f)", "1", true},
		{"sc0_conn_cnt", "", false},        // not stored
		{"sc1_http_req_rate", "", false},   // untracked slot
		{"sc_http_req_rate(3)", "", false}, // no such slot
		{"sc0_conn_cnt(g)", "7", true},     // the tracked key, looked up in g
		{"sc0_conn_cur(g)", "", false},     // g does not store conn_cur
		{"sc0_conn_cnt(nosuch)", "", false},
		{"sc_tracked(0)", "1", true},
		{"sc1_tracked", "0", true},
		{"sc_tracked(5)", "0", true},
		{"src_http_req_rate", "3", true},
		{"src_conn_cnt(g)", "7", true},
		{"src_conn_cur(g)", "", false},
		{"sc0_get_gpc0", "0", true},
		{"sc_inc_gpc0(0)", "1", true},
		{"sc0_inc_gpc0", "2", true},
		{"src_get_gpc0", "2", true},
		{"src_inc_gpc0", "3", true},
		{"sc1_inc_gpc0", "", false},
		{"sc0_inc_gpc0(g)", "", false}, // g stores neither gpc0 nor gpc0_rate
	}
	s := counterSample(t)
	for _, tt := range tests {
		e, err := ParseExpr(tt.expr)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		got, ok := e.Append(nil, s)
		if ok != tt.ok || string(got) != tt.want {
			t.Errorf("%s = %q, %v; want %q, %v", tt.expr, got, ok, tt.want, tt.ok)
		}
	}
	// An address absent from the table reads 0; src_inc_gpc0 creates it.
	s.src = netip.MustParseAddr("10.9.9.9")
	for _, tt := range []struct{ expr, want string }{{"src_http_req_rate", "0"}, {"src_conn_cnt(g)", "0"}, {"src_inc_gpc0", "1"}, {"src_get_gpc0", "1"}} {
		e, _ := ParseExpr(tt.expr)
		if got, ok := e.Append(nil, s); !ok || string(got) != tt.want {
			t.Errorf("new address: %s = %q, %v; want %q", tt.expr, got, ok, tt.want)
		}
	}
	// src_* takes no reference: only the tracked entry is in use.
	var uses []int32
	s.tables["f"].Walk(s.now, func(sn *stick.Snapshot) bool { uses = append(uses, sn.Use); return true })
	if len(uses) != 2 || uses[0]+uses[1] != 1 {
		t.Errorf("references %v, want the tracked one only", uses)
	}
}

func TestCounterCond(t *testing.T) {
	s := counterSample(t)
	for _, tt := range []struct {
		line string
		want bool
	}{
		{"if { sc_http_req_rate(0) gt 2 }", true},
		{"if { sc_http_req_rate(0) gt 3 }", false},
		{"if { sc1_http_req_rate ge 0 }", false}, // no sample: no match
		{"if !{ sc1_http_req_rate ge 0 }", true},
		{"if { sc_tracked(0) }", true},
		{"if { sc2_tracked }", false},
	} {
		if got := mustCond(t, nil, tt.line).Eval(s); got != tt.want {
			t.Errorf("%s = %v", tt.line, got)
		}
	}
}

func TestParseTrackSC(t *testing.T) {
	for _, tt := range []struct {
		line  string
		slot  int
		table string
		expr  string
		cond  bool
	}{
		{"track-sc0 src", 0, "", "src", false},
		{"track-sc2 req.hdr(x-user),lower table users if TRUE", 2, "users", "req.hdr(x-user),lower", true},
		{"track-sc src", 0, "", "src", false},
		{"track-sc01 src unless { src 10.0.0.0/8 }", 1, "", "src", true},
	} {
		r, err := ParseHTTPRequest(strings.Fields(tt.line), nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.line, err)
		}
		if r.Action != ActTrackSC || r.Slot != tt.slot || r.Table != tt.table || r.Expr.String() != tt.expr || (r.Cond != nil) != tt.cond {
			t.Errorf("%s: action %d slot %d table %q expr %q cond %v", tt.line, r.Action, r.Slot, r.Table, r.Expr, r.Cond != nil)
		}
	}
}

func TestTableRefs(t *testing.T) {
	r, err := ParseHTTPRequest(strings.Fields("track-sc1 src_conn_cur(a) table b if { sc_http_req_rate(0,c) gt 1 } { sc2_conn_cur(d) gt 1 } { sc0_conn_cur gt 1 } || { src_conn_cur gt 1 }"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	r.TableRefs(func(ref TableRef) {
		got = append(got, ref.Name+"/"+ref.Keyword+"/"+strings.Repeat("*", ref.Arg))
		if ref.Slot >= 0 {
			got[len(got)-1] += "/sc" + string(rune('0'+ref.Slot))
		}
	})
	want := "b///sc1 a/src_conn_cur/* c/sc_http_req_rate/** d/sc2_conn_cur/* /src_conn_cur/*"
	if strings.Join(got, " ") != want {
		t.Errorf("refs %q\nwant %q", strings.Join(got, " "), want)
	}
}
