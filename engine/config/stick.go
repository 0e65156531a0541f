package config

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"hitless/engine/rules"
	"hitless/stick"
)

// StickTable is a proxy's "stick-table" declaration. The table is named
// after its proxy.
type StickTable struct {
	Type    stick.KeyType
	KeyLen  int // string and binary keys; 0 = stick.DefaultKeyLen
	Size    int
	Expire  time.Duration // 0 = entries never expire
	NoPurge bool
	Peers   string // "peers" section, accepted but not replicated yet
	// Store lists the stored data types in declaration order, duplicates
	// removed; server_id and server_key are added when stick rules use
	// the table.
	Store []stick.Store
	File  string
	Line  int
}

// Spec returns the declaration in the stick package's terms.
func (t *StickTable) Spec() stick.Spec {
	return stick.Spec{Type: t.Type, KeyLen: t.KeyLen, Size: t.Size, Expire: t.Expire.Milliseconds(), NoPurge: t.NoPurge, Store: t.Store}
}

// stores reports whether data type d is in the table's store list.
func (t *StickTable) stores(d stick.DataType) bool {
	for _, s := range t.Store {
		if s.Type == d {
			return true
		}
	}
	return false
}

// StickKind is the kind of a stick rule.
type StickKind uint8

const (
	StickMatch StickKind = 1 << iota // "stick match": look the key up
	StickStore                       // "stick store-request": store the key
	StickOn    = StickMatch | StickStore
)

// StickRule is one "stick on|match|store-request" rule.
type StickRule struct {
	Kind  StickKind
	Expr  *rules.Expr
	Table string      // proxy holding the table; the rule's own proxy when not set
	Cond  *rules.Cond // nil = always
	File  string
	Line  int
}

// proxyStickTable handles "stick-table type <t> [len n] size <n> [expire
// t] [nopurge] [peers p] [store a,b(p),...]".
func (p *parser) proxyStickTable(ps *proxyState, w []string) {
	if ps.px.StickTable != nil {
		t := ps.px.StickTable
		p.alert("stick-table name '" + ps.px.Name + "' conflicts with table declared in " + ps.typeName() + " '" + ps.px.Name + "' at " + t.File + ":" + strconv.Itoa(t.Line) + ".")
		return
	}
	t := &StickTable{File: p.file, Line: p.line}
	typeSet := false
	for i := 1; i < len(w); i++ {
		kw := w[i]
		switch kw {
		case "type":
			i++
			kt, hasLen, ok := stick.ParseKeyType(arg(w, i))
			if !ok {
				p.alert("stick-table: unknown type '" + arg(w, i) + "'.")
				return
			}
			t.Type, t.KeyLen, typeSet = kt, 0, true
			if hasLen && arg(w, i+1) == "len" {
				i += 2
				n, err := strconv.Atoi(arg(w, i))
				if err != nil || n <= 0 {
					p.alert("stick-table: unknown type '" + arg(w, i) + "'.")
					return
				}
				t.KeyLen = n
			}
		case "size":
			i++
			n, bad := parseStickSize(arg(w, i))
			if bad != "" {
				p.alert("stick-table: unexpected character '" + bad + "' in argument of 'size'.")
				return
			}
			t.Size = n
		case "expire":
			i++
			s := arg(w, i)
			if s == "" {
				p.alert("stick-table: missing argument after 'expire'.")
				return
			}
			r := parseTime(s)
			switch {
			case r.bad >= 0:
				p.alert("stick-table: unexpected character '" + string(s[r.bad]) + "' in argument of 'expire'.")
				return
			case r.overflow:
				p.alertForm(FormParsingTight, "stick-table: timer overflow in argument <"+s+"> to <expire>, maximum value is 2147483647 ms (~24.8 days).")
				return
			case r.trailing >= 0:
				p.warnForm(FormMsgOnly, "unexpected character '"+string(s[r.trailing])+"' after the timer value '"+s+
					"', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported."+
					" This will be reported as an error in next versions.")
			}
			t.Expire = r.d
		case "nopurge":
			t.NoPurge = true
		case "peers":
			i++
			if arg(w, i) == "" {
				p.alert("stick-table: missing argument after 'peers'.")
				return
			}
			t.Peers = w[i]
			p.warn("stick-table: 'peers' is not supported yet and is ignored: the table is not replicated.")
		case "store":
			i++
			if !p.stickStore(t, arg(w, i)) {
				return
			}
		default:
			p.alert("stick-table: unknown argument '" + kw + "'.")
			return
		}
	}
	if t.Size <= 0 {
		p.alert("stick-table: missing size.")
		return
	}
	if !typeSet {
		p.alert("stick-table: missing type.")
		return
	}
	ps.px.StickTable = t
}

// stickStore parses the comma-separated list of a "store" argument.
func (p *parser) stickStore(t *StickTable, list string) bool {
	for _, item := range strings.Split(list, ",") {
		if item == "" {
			continue
		}
		name, argText, hasArg := item, "", false
		if i := strings.IndexByte(item, '('); i >= 0 {
			name, argText, hasArg = item[:i], item[i+1:], true
			argText = strings.TrimSuffix(argText, ")")
		}
		d, ok := stick.ParseDataType(name)
		if !ok {
			p.alert("stick-table: unknown store option '" + name + "'.")
			return false
		}
		st := stick.Store{Type: d}
		switch {
		case d.IsRate() && !hasArg:
			p.alert("stick-table: missing argument to store option '" + name + "'.")
			return false
		case !d.IsRate() && hasArg:
			p.alert("stick-table: unexpected argument to store option '" + name + "'.")
			return false
		case d.IsRate():
			r := parseTime(argText)
			if r.bad >= 0 || r.trailing >= 0 || r.overflow || r.d <= 0 {
				p.alert("stick-table: error when processing store option '" + name + "'.")
				return false
			}
			st.Period = r.d.Milliseconds()
		}
		if t.stores(d) {
			p.warnForm(FormParsingTight, "stick-table: store option '"+name+"' already enabled, ignored.")
			continue
		}
		t.Store = append(t.Store, st)
	}
	return true
}

// parseStickSize parses a table size: digits and an optional k or m
// suffix (case-insensitive), as HAProxy 2.6 does. It returns the first
// offending character, or "".
func parseStickSize(s string) (int, string) {
	i := 0
	n := 0
	for i < len(s) && isDigit(s[i]) {
		if n < 1<<40 {
			n = n*10 + int(s[i]-'0')
		}
		i++
	}
	if i < len(s) {
		switch s[i] {
		case 'k', 'K':
			n *= 1024
			i++
		case 'm', 'M':
			n *= 1024 * 1024
			i++
		}
	}
	if i < len(s) {
		return 0, string(s[i])
	}
	if n > 1<<31-1 {
		n = 1<<31 - 1
	}
	return n, ""
}

// proxyStick handles "stick on|match|store-request|store-response <expr>
// [table <t>] [if|unless <cond>]".
func (p *parser) proxyStick(ps *proxyState, w []string) {
	var kind StickKind
	switch arg(w, 1) {
	case "on":
		kind = StickOn
	case "match":
		kind = StickMatch
	case "store-request":
		kind = StickStore
	case "store-response":
		if arg(w, 2) == "" {
			p.alert("'stick' expects a fetch method.")
			return
		}
		p.notImplemented("stick store-response")
		return
	default:
		p.alert("'stick' expects 'on', 'match', or 'store'.")
		return
	}
	if arg(w, 2) == "" {
		p.alert("'stick' expects a fetch method.")
		return
	}
	e, err := rules.ParseExpr(w[2])
	if err != nil {
		p.alert("'stick': " + err.Error())
		return
	}
	r := StickRule{Kind: kind, Expr: e, Table: ps.px.Name, File: p.file, Line: p.line}
	for i := 3; i < len(w); i++ {
		switch w[i] {
		case "table":
			i++
			r.Table = arg(w, i)
		case "if", "unless":
			c, err := rules.ParseCond(w[i:], ps.acls())
			if err != nil {
				p.alert("'stick': error detected while parsing sticking condition : " + err.Error())
				return
			}
			p.warnConflict(c, false, "backend sticking rule")
			r.Cond = c
			i = len(w)
		default:
			p.alert("'stick': unknown keyword '" + w[i] + "'.")
			return
		}
	}
	ps.px.StickRules = append(ps.px.StickRules, r)
}

// checkStick resolves the tables of ps's stick rules, as HAProxy does once
// every proxy is known, and adds server_id and server_key to the tables
// stick rules write.
func (p *parser) checkStick(ps *proxyState) {
	for i := range ps.px.StickRules {
		r := &ps.px.StickRules[i]
		var t *StickTable
		for _, o := range p.proxies {
			if o.px.Name == r.Table && o.px.StickTable != nil {
				t = o.px.StickTable
				break
			}
		}
		if t == nil {
			p.configDiag(SevAlert, ps, "Proxy '"+ps.px.Name+"': unable to find stick-table '"+r.Table+"'.")
			continue
		}
		for _, d := range []stick.DataType{stick.ServerID, stick.ServerKey} {
			if !t.stores(d) {
				t.Store = append(t.Store, stick.Store{Type: d})
			}
		}
	}
}

// checkTrack resolves the tables the http rules of ps name, as HAProxy
// does once every proxy is known: first those of the track-sc actions,
// then the table arguments of the stick counter fetches (HAProxy's
// argument resolution, which groups several errors of a proxy in one
// alert). A missing name is the proxy's own table.
func (p *parser) checkTrack(ps *proxyState) {
	hasTable := func(name string) bool {
		for _, o := range p.proxies {
			if o.px.Name == name && o.px.StickTable != nil && !o.px.Disabled {
				return true
			}
		}
		return false
	}
	var argErrs []Diag
	visitor := func(file string, line int, dir string, actions bool) func(rules.TableRef) {
		return func(ref rules.TableRef) {
			if (ref.Slot >= 0) != actions {
				return
			}
			name := ref.Name
			if name == "" {
				name = ps.px.Name
			}
			if hasTable(name) {
				return
			}
			if ref.Slot >= 0 {
				p.configDiag(SevAlert, ps, "Proxy '"+ps.px.Name+"': unable to find table '"+name+"' referenced by track-sc"+strconv.Itoa(ref.Slot)+".")
				return
			}
			what := "ACL keyword '" + ref.Keyword + "'"
			if !ref.InACL {
				what = "sample fetch keyword '" + ref.Keyword + "' in " + dir + " expression"
			}
			argErrs = append(argErrs, Diag{Sev: SevAlert, File: file, Line: line, Form: FormParsingTight,
				Msg: "unable to find table '" + name + "' referenced in arg " + strconv.Itoa(ref.Arg) + " of " + what + " in proxy '" + ps.px.Name + "'."})
		}
	}
	for _, actions := range []bool{true, false} {
		for _, r := range ps.px.HTTP.RequestRules {
			r.TableRefs(visitor(r.File, r.Line, "http-request", actions))
		}
		for _, r := range ps.px.HTTP.ResponseRules {
			r.TableRefs(visitor(r.File, r.Line, "http-response", actions))
		}
	}
	for _, r := range ps.px.HTTP.Redirects {
		r.Cond.TableRefs(visitor(r.File, r.Line, "", false))
	}
	for _, ub := range ps.px.HTTP.UseBackends {
		ub.Cond.TableRefs(visitor(ub.File, ub.Line, "", false))
	}
	// HAProxy reports them in the order it parsed them; a proxy lies in
	// one file.
	sort.SliceStable(argErrs, func(i, j int) bool { return argErrs[i].Line < argErrs[j].Line })
	switch len(argErrs) {
	case 0:
	case 1:
		p.diags = append(p.diags, argErrs[0])
	default:
		var b strings.Builder
		b.WriteString("multiple argument resolution errors:")
		for _, d := range argErrs {
			b.WriteString("\n        ")
			b.WriteString(d.String())
		}
		p.diags = append(p.diags, Diag{Sev: SevAlert, File: argErrs[0].File, Line: argErrs[0].Line, Msg: b.String(), Form: FormMsgOnly})
	}
}
