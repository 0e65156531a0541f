package config

import (
	"reflect"
	"testing"
	"time"

	"hitless/stick"
)

func TestParseStick(t *testing.T) {
	c, diags := parseAll(t, minimal+`frontend f
  bind 127.0.0.1:8080
  stick-table type string len 8 size 2k nopurge
  default_backend b
backend b
  stick-table type ip size 1m expire 30m store gpc0,conn_rate(10s)
  stick on src if { src 1.2.3.4 }
  stick store-request hdr(host) table f
  stick match src unless { src 1.1.1.1 }
  server s1 127.0.0.1:80 non-stick
  server s2 127.0.0.1:81 id 7
  server s3 127.0.0.1:82
`, Options{})
	if len(diags) != 0 {
		t.Fatalf("diagnostics %q", diags)
	}
	f, b := c.Proxy("f", CapFE), c.Proxy("b", CapBE)
	ft, bt := f.StickTable, b.StickTable
	if ft == nil || ft.Type != stick.KeyString || ft.KeyLen != 8 || ft.Size != 2048 || !ft.NoPurge || ft.Expire != 0 {
		t.Errorf("f table %+v", ft)
	}
	wantF := []stick.Store{{Type: stick.ServerID}, {Type: stick.ServerKey}}
	if !reflect.DeepEqual(ft.Store, wantF) {
		t.Errorf("f stores %+v", ft.Store)
	}
	if bt == nil || bt.Type != stick.KeyIPv4 || bt.Size != 1<<20 || bt.Expire != 30*time.Minute {
		t.Errorf("b table %+v", bt)
	}
	wantB := []stick.Store{{Type: stick.GPC0}, {Type: stick.ConnRate, Period: 10000}, {Type: stick.ServerID}, {Type: stick.ServerKey}}
	if !reflect.DeepEqual(bt.Store, wantB) {
		t.Errorf("b stores %+v", bt.Store)
	}
	if _, err := stick.New("b", bt.Spec()); err != nil {
		t.Errorf("spec: %v", err)
	}
	r := b.StickRules
	if len(r) != 3 || r[0].Kind != StickOn || r[0].Cond == nil || r[0].Table != "b" ||
		r[1].Kind != StickStore || r[1].Table != "f" || r[1].Expr.String() != "hdr(host)" ||
		r[2].Kind != StickMatch || r[2].Cond == nil || r[2].Line != 13 {
		t.Errorf("rules %+v", r)
	}
	ids := []int{b.Servers[0].ID, b.Servers[1].ID, b.Servers[2].ID}
	if !reflect.DeepEqual(ids, []int{1, 7, 3}) || !b.Servers[0].NonStick || b.Servers[1].NonStick {
		t.Errorf("servers ids %v, non-stick %v %v", ids, b.Servers[0].NonStick, b.Servers[1].NonStick)
	}
}

func TestParseStickSize(t *testing.T) {
	for _, tc := range []struct {
		in  string
		n   int
		bad string
	}{{"1", 1, ""}, {"10k", 10240, ""}, {"2M", 2 << 20, ""}, {"1g", 0, "g"}, {"", 0, ""}, {"1kb", 0, "b"}, {"99999999999m", 1<<31 - 1, ""}} {
		n, bad := parseStickSize(tc.in)
		if n != tc.n || bad != tc.bad {
			t.Errorf("%q: %d %q, want %d %q", tc.in, n, bad, tc.n, tc.bad)
		}
	}
}
