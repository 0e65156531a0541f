package config

import (
	"os"
	"strings"

	"hitless/engine/rules"
)

// StatsUser is one "stats auth <user>:<password>" account. The password
// is the plain text of the line (a line without ':' is a user with an
// empty password, as in HAProxy).
type StatsUser struct {
	Name     string
	Password string
}

// StatsRuleAction is what a "stats http-request" rule does.
type StatsRuleAction uint8

const (
	StatsAllow StatsRuleAction = iota + 1 // serve the page, skip the later rules
	StatsDeny                             // answer Reply's deny response
	StatsAuth                             // answer 401 asking for Basic credentials in Realm
)

// DefaultStatsRealm is the realm HAProxy names in its 401 when neither
// "stats realm" nor "auth realm" gave one.
const DefaultStatsRealm = "HAProxy Statistics"

// StatsRule is a "stats http-request allow|deny|auth" rule. It is
// immutable once parsed and shared by every reactor.
type StatsRule struct {
	Action StatsRuleAction
	Cond   *rules.Cond // nil: always
	Realm  string      // StatsAuth: "" = DefaultStatsRealm
	Reply  *rules.Rule // StatsDeny: the parsed deny rule (status, reply), its Cond is Cond
	File   string
	Line   int
}

// statsKeywords is HAProxy's list of "stats" sub-keywords in its
// messages.
const statsKeywords = "expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'."

// proxyStats handles "stats ..." in a proxy: the HTML statistics page
// (and its ";csv" form) served by mode http proxies, its access control
// (auth, realm, http-request), what it shows (scope) and whether it may
// act on servers (admin). Lists inherited from a defaults section are
// extended on a copy, never in the section's own array.
func (p *parser) proxyStats(ps *proxyState, w []string) {
	st := &ps.px.HTTP.Stats
	switch arg(w, 1) {
	case "enable":
		st.Enabled = true
	case "uri":
		if arg(w, 2) == "" {
			p.alert("'uri' needs an URI prefix.")
			return
		}
		st.Enabled, st.URI = true, w[2]
	case "refresh":
		if arg(w, 2) == "" {
			p.alert("'refresh' needs a positive interval in seconds.")
			return
		}
		tp := parseTime(w[2])
		if tp.bad >= 0 || tp.overflow || tp.d <= 0 {
			p.alert("'refresh' needs a positive interval in seconds.")
			return
		}
		st.Enabled, st.Refresh = true, tp.d
	case "show-node":
		st.Enabled, st.ShowNode = true, arg(w, 2)
		if st.ShowNode == "" {
			st.ShowNode = p.cfg.Global.Node
			if st.ShowNode == "" {
				st.ShowNode, _ = os.Hostname()
			}
		}
	case "show-legends":
		st.Enabled, st.ShowLegends = true, true
	case "hide-version":
		st.Enabled, st.HideVersion = true, true
	case "auth":
		if arg(w, 2) == "" {
			p.alert("'auth' needs a user:password account.")
			return
		}
		conflict := !st.hasAuth() && len(st.Rules) > 0
		name, pass, _ := strings.Cut(w[2], ":")
		st.Enabled = true
		st.Users = append(st.Users[:len(st.Users):len(st.Users)], StatsUser{Name: name, Password: pass})
		if conflict {
			p.statsConflict(ps)
		}
	case "realm":
		if arg(w, 2) == "" {
			p.alert("'realm' needs an realm name.")
			return
		}
		conflict := !st.hasAuth() && len(st.Rules) > 0
		st.Enabled, st.Realm = true, w[2]
		if conflict {
			p.statsConflict(ps)
		}
	case "scope":
		if arg(w, 2) == "" {
			p.alert("'scope' needs a proxy name.")
			return
		}
		st.Enabled = true
		st.Scope = append(st.Scope[:len(st.Scope):len(st.Scope)], w[2])
	case "admin":
		p.statsAdmin(ps, st, w)
	case "http-request":
		p.statsHTTPRequest(ps, st, w)
	case "show-desc", "show-modules":
		p.notSupported("stats " + w[1])
	case "":
		p.alertForm(FormParsingTight, "missing keyword in 'stats', "+statsKeywords)
	default:
		p.alertForm(FormParsingTight, "unknown stats parameter '"+w[1]+"', "+statsKeywords)
	}
}

// hasAuth reports whether "stats auth" or "stats realm" was given.
func (st *Stats) hasAuth() bool { return len(st.Users) > 0 || st.Realm != "" }

// statsConflict reports what HAProxy reports once the section is
// complete (naming every section a proxy): "stats auth"/"stats realm"
// and "stats http-request" exclude each other. It is called when a line
// makes them meet, so once per section.
func (p *parser) statsConflict(ps *proxyState) {
	p.configDiag(SevAlert, ps, "proxy '"+ps.px.Name+"': stats 'auth'/'realm' and 'http-request' can't be used at the same time.")
}

// statsAdmin handles "stats admin if|unless <cond>".
func (p *parser) statsAdmin(ps *proxyState, st *Stats, w []string) {
	if ps.isDefaults {
		p.alertForm(FormParsingTight, "'stats admin' not allowed in 'defaults' section.")
		return
	}
	if c := arg(w, 2); c != "if" && c != "unless" {
		p.alert("'stats admin' requires either 'if' or 'unless' followed by a condition.")
		return
	}
	c, err := rules.ParseCond(w[2:], ps.acls())
	if err != nil {
		p.alert("error detected while parsing a 'stats admin' rule : " + err.Error() + ".")
		return
	}
	p.warnConflict(c, false, ps.ruleWhere(false))
	st.Enabled = true
	st.Admin = append(st.Admin[:len(st.Admin):len(st.Admin)], c)
}

// statsHTTPRequest handles "stats http-request allow|deny|auth [realm R]
// [if|unless <cond>]". allow and deny are read by the http-request rule
// parser (deny with its reply options); other actions are refused.
func (p *parser) statsHTTPRequest(ps *proxyState, st *Stats, w []string) {
	if ps.isDefaults {
		p.alertForm(FormParsingTight, "'stats' not allowed in 'defaults' section.")
		return
	}
	if n := len(st.Rules); n > 0 && st.Rules[n-1].Cond == nil {
		p.warnForm(FormParsingTight, "previous 'stats' action has no condition attached, further entries are NOOP.")
	}
	r := StatsRule{File: p.file, Line: p.line}
	if arg(w, 2) == "auth" {
		i := 3
		if arg(w, i) == "realm" {
			if arg(w, i+1) == "" {
				p.alert("error detected in " + ps.typeName() + " '" + ps.px.Name + "' while parsing 'http-request auth' rule : missing realm value.")
				return
			}
			r.Realm = w[i+1]
			i += 2
		}
		if i < len(w) {
			if w[i] != "if" && w[i] != "unless" {
				p.alert("'http-request auth' expects either 'if' or 'unless' followed by a condition but found '" + w[i] + "'.")
				return
			}
			c, err := rules.ParseCond(w[i:], ps.acls())
			if err != nil {
				p.alert("error detected while parsing an 'http-request auth' condition : " + err.Error() + ".")
				return
			}
			p.warnConflict(c, false, ps.ruleWhere(false))
			r.Cond = c
		}
		r.Action = StatsAuth
	} else {
		rule, err := rules.ParseHTTPRequest(w[2:], ps.acls())
		if err != nil {
			p.alert(err.Error())
			return
		}
		p.warnConflict(rule.Cond, false, ps.ruleWhere(false))
		switch rule.Action {
		case rules.ActAllow:
			r.Action = StatsAllow
		case rules.ActDeny:
			r.Action, r.Reply = StatsDeny, rule
			rule.File, rule.Line = p.file, p.line
		default:
			p.notImplemented("stats http-request " + w[2])
			return
		}
		r.Cond = rule.Cond
	}
	conflict := st.hasAuth() && len(st.Rules) == 0
	st.Enabled = true
	st.Rules = append(st.Rules[:len(st.Rules):len(st.Rules)], r)
	if conflict {
		p.statsConflict(ps)
	}
}
