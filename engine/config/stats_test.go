package config

import (
	"reflect"
	"strings"
	"testing"

	"hitless/engine/rules"
)

// statsHTTP is a mode http defaults section for the "stats" rows.
const statsHTTP = "defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n"

// statsDiagCases are the "stats" rows; those not marked "(hitless)" are
// also run through haproxy -c by TestStatsDiagnosticsHAProxy.
var statsDiagCases = []diagCase{
	{"stats auth missing account", statsHTTP + "listen l\n  bind :80\n  stats auth\n", []string{
		"ALERT parsing [t.cfg:8] : 'auth' needs a user:password account.",
	}},
	{"stats auth variants", statsHTTP + "listen l\n  bind :80\n  stats auth nocolon\n  stats auth u:\n  stats auth :p\n  stats auth a:b:c extra\n", nil},
	{"stats realm missing", statsHTTP + "listen l\n  bind :80\n  stats realm\n", []string{
		"ALERT parsing [t.cfg:8] : 'realm' needs an realm name.",
	}},
	{"stats scope missing", statsHTTP + "listen l\n  bind :80\n  stats scope\n  stats scope nosuch\n  stats scope .\n", []string{
		"ALERT parsing [t.cfg:8] : 'scope' needs a proxy name.",
	}},
	{"stats admin without condition", statsHTTP + "listen l\n  bind :80\n  stats admin\n  stats admin foo\n", []string{
		"ALERT parsing [t.cfg:8] : 'stats admin' requires either 'if' or 'unless' followed by a condition.",
		"ALERT parsing [t.cfg:9] : 'stats admin' requires either 'if' or 'unless' followed by a condition.",
	}},
	{"stats admin bad condition", statsHTTP + "listen l\n  bind :80\n  stats admin if nosuch\n  stats admin unless TRUE x\n  stats admin if TRUE\n", []string{
		"ALERT parsing [t.cfg:8] : error detected while parsing a 'stats admin' rule : no such ACL : 'nosuch'.",
		"ALERT parsing [t.cfg:9] : error detected while parsing a 'stats admin' rule : no such ACL : 'x'.",
	}},
	{"stats admin in defaults", statsHTTP + "  stats admin if TRUE\n  stats http-request allow\nlisten l\n  bind :80\n", []string{
		"ALERT parsing [t.cfg:6]: 'stats admin' not allowed in 'defaults' section.",
		"ALERT parsing [t.cfg:7]: 'stats' not allowed in 'defaults' section.",
	}},
	{"stats keyword", statsHTTP + "listen l\n  bind :80\n  stats\n  stats bogus\n", []string{
		"ALERT parsing [t.cfg:8]: missing keyword in 'stats', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.",
		"ALERT parsing [t.cfg:9]: unknown stats parameter 'bogus', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.",
	}},
	{"stats http-request auth realm missing", statsHTTP + "listen l\n  bind :80\n  stats http-request auth realm\n", []string{
		"ALERT parsing [t.cfg:8] : error detected in proxy 'l' while parsing 'http-request auth' rule : missing realm value.",
	}},
	{"stats http-request auth junk", statsHTTP + "listen l\n  bind :80\n  stats http-request auth realm R foo\n", []string{
		"ALERT parsing [t.cfg:8] : 'http-request auth' expects either 'if' or 'unless' followed by a condition but found 'foo'.",
	}},
	{"stats http-request auth bad condition", statsHTTP + "listen l\n  bind :80\n  stats http-request auth if nosuch\n", []string{
		"ALERT parsing [t.cfg:8] : error detected while parsing an 'http-request auth' condition : no such ACL : 'nosuch'.",
	}},
	{"stats http-request deny junk", statsHTTP + "listen l\n  bind :80\n  stats http-request deny foo\n", []string{
		"ALERT parsing [t.cfg:8] : 'http-request deny' expects either 'if' or 'unless' followed by a condition but found 'foo'.",
	}},
	{"stats http-request allow junk", statsHTTP + "listen l\n  bind :80\n  stats http-request allow foo\n", []string{
		"ALERT parsing [t.cfg:8] : 'http-request allow' expects either 'if' or 'unless' followed by a condition but found 'foo'.",
	}},
	{"stats http-request deny status", statsHTTP + "listen l\n  bind :80\n  stats http-request deny deny_status 999\n", []string{
		"ALERT parsing [t.cfg:8] : error detected in proxy 'l' while parsing 'http-request deny' rule : Unexpected status code '999'.",
	}},
	{"stats http-request noop", statsHTTP + "listen l\n  bind :80\n  stats http-request allow if TRUE\n  stats http-request allow\n  stats http-request deny\n", []string{
		"WARNING parsing [t.cfg:10]: previous 'stats' action has no condition attached, further entries are NOOP.",
	}},
	{"stats auth and http-request", statsHTTP + "listen l\n  bind :80\n  stats auth a:b\n  stats http-request deny if TRUE\n  stats http-request allow\nbackend b\n  stats http-request allow\n  stats realm R\n  stats realm S\n", []string{
		"ALERT proxy 'l': stats 'auth'/'realm' and 'http-request' can't be used at the same time.",
		"ALERT proxy 'b': stats 'auth'/'realm' and 'http-request' can't be used at the same time.",
	}},
	{"stats http-request other action (hitless)", statsHTTP + "listen l\n  bind :80\n  stats http-request set-header a b\n  stats http-request return status 200\n", []string{
		"ALERT parsing [t.cfg:8] : 'stats http-request set-header' is not implemented yet.",
		"ALERT parsing [t.cfg:9] : 'stats http-request return' is not implemented yet.",
	}},
	{"stats admin empty condition (hitless)", statsHTTP + "listen l\n  bind :80\n  stats admin if\n", []string{
		"ALERT parsing [t.cfg:8] : error detected while parsing a 'stats admin' rule : missing condition after 'if'.",
	}},
}

func TestStatsDiagnostics(t *testing.T) {
	for _, tt := range statsDiagCases {
		t.Run(tt.name, func(t *testing.T) {
			_, got := parseAll(t, tt.cfg, Options{})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestStatsDiagnosticsHAProxy checks the rows of statsDiagCases that
// claim HAProxy's messages against haproxy -c. hitless prints every
// message as "parsing [f:l] : ", HAProxy sometimes "parsing [f:l]: ";
// the rows use hitless's form, so the comparison ignores that space.
func TestStatsDiagnosticsHAProxy(t *testing.T) {
	bin := haproxyBin(t)
	norm := func(l []string) []string {
		var out []string
		for _, s := range l {
			if i := strings.Index(s, "]: "); i >= 0 && strings.Contains(s[:i], "parsing [") {
				s = s[:i] + "] : " + s[i+3:]
			}
			out = append(out, s)
		}
		return out
	}
	for _, tt := range statsDiagCases {
		if strings.HasSuffix(tt.name, "(hitless)") {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			got := haproxyCheck(t, bin, tt.cfg)
			if !reflect.DeepEqual(norm(got), norm(tt.want)) {
				t.Errorf("haproxy -c says:\n%s\nhitless expects:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestStatsParse(t *testing.T) {
	c := parseOK(t, statsHTTP+`  stats scope d1
  stats scope d2
  stats scope d3
listen l
  bind :80
  acl local src 127.0.0.1
  stats uri /st
  stats auth admin:se:cret
  stats auth nopass
  stats realm My\ Realm
  stats scope .
  stats scope be
  stats admin if local
  stats admin unless TRUE
backend be
  stats scope B
  stats http-request allow if { hdr(x-a) 1 }
  stats http-request deny deny_status 429 if { hdr(x-d) 1 }
  stats http-request auth realm R if { hdr(x-r) 1 }
  stats http-request auth
`)
	var l, be *Proxy
	for _, px := range c.Proxies {
		switch px.Name {
		case "l":
			l = px
		case "be":
			be = px
		}
	}
	st := l.HTTP.Stats
	wantUsers := []StatsUser{{"admin", "se:cret"}, {"nopass", ""}}
	if !st.Enabled || st.URI != "/st" || !reflect.DeepEqual(st.Users, wantUsers) || st.Realm != "My Realm" ||
		!reflect.DeepEqual(st.Scope, []string{"d1", "d2", "d3", ".", "be"}) || len(st.Admin) != 2 || len(st.Rules) != 0 {
		t.Fatalf("listen stats = %+v", st)
	}
	// Both inherit the defaults' scopes, and neither wrote into the
	// array the other shares.
	bs := be.HTTP.Stats
	if !reflect.DeepEqual(bs.Scope, []string{"d1", "d2", "d3", "B"}) {
		t.Fatalf("backend scope = %+v", bs.Scope)
	}
	if len(bs.Rules) != 4 {
		t.Fatalf("backend rules = %+v", bs.Rules)
	}
	want := []struct {
		act   StatsRuleAction
		cond  bool
		realm string
	}{{StatsAllow, true, ""}, {StatsDeny, true, ""}, {StatsAuth, true, "R"}, {StatsAuth, false, ""}}
	for i, w := range want {
		r := bs.Rules[i]
		if r.Action != w.act || (r.Cond != nil) != w.cond || r.Realm != w.realm || r.Line != 22+i {
			t.Errorf("rule %d = %+v, want %+v", i, r, w)
		}
	}
	if r := bs.Rules[1]; r.Reply == nil || r.Reply.Action != rules.ActDeny || r.Reply.Status != 429 {
		t.Errorf("deny reply = %+v", r.Reply)
	}
}
