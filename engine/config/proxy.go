package config

import (
	"strings"
	"time"

	"hitless/engine/logs"
	"hitless/engine/rules"
)

// proxyState is a frontend, backend, listen or defaults section while it
// is being parsed. Defaults sections use the same Proxy type to hold the
// values they pass on; they never appear in Config.Proxies.
type proxyState struct {
	px         *Proxy
	kind       string // "defaults", "frontend", "backend" or "listen"
	isDefaults bool
	defServer  Server          // "default-server" template for the next servers
	serverIDs  map[int]*Server // servers with a forced id

	// Where the inheritable values that hitless refuses were set, for
	// the alerts raised when the proxy is complete.
	modeFile string
	modeLine int

	chk checkState // which check rules the section wrote itself

	logFormatSet bool // for HAProxy's "overrides previous" warnings
	httplogSet   bool
	tcplogSet    bool
}

// typeName is HAProxy's name for the proxy type in messages.
func (ps *proxyState) typeName() string {
	if ps.kind == "listen" {
		return "proxy"
	}
	return ps.kind
}

// newDefaults returns a defaults section holding HAProxy's built-in
// defaults.
func newDefaults(name, file string, line int) *proxyState {
	return &proxyState{
		px: &Proxy{
			Name:               name,
			Mode:               ModeTCP,
			Retries:            3,
			RedispatchInterval: -1,
			Balance:            Balance{Algo: "roundrobin", HashType: "map-based"},
			Options:            make(map[string]bool),
			File:               file,
			Line:               line,
		},
		kind:       "defaults",
		isDefaults: true,
		defServer:  Server{Weight: 1, Inter: 2 * time.Second, Rise: 2, Fall: 3},
	}
}

// inherit copies into ps everything its defaults section d passes on.
func (ps *proxyState) inherit(d *proxyState) {
	px, dp := ps.px, d.px
	px.Mode = dp.Mode
	px.Disabled = dp.Disabled
	px.Maxconn = dp.Maxconn
	px.Backlog = dp.Backlog
	px.DefaultBackend = dp.DefaultBackend
	px.Balance = dp.Balance
	px.Balance.Args = append([]string(nil), dp.Balance.Args...)
	px.Retries = dp.Retries
	px.Fullconn = dp.Fullconn
	px.Redispatch = dp.Redispatch
	px.RedispatchInterval = dp.RedispatchInterval
	px.AllBackups = dp.AllBackups
	px.Timeouts = dp.Timeouts
	px.Splice = dp.Splice
	px.HTTP = dp.HTTP
	// Rules of a named defaults section run before the proxy's own, with
	// the ACLs of the defaults section; the proxy's ACLs are its own.
	px.HTTP.ACLs = nil
	px.HTTP.RequestRules = append([]*rules.Rule(nil), dp.HTTP.RequestRules...)
	px.HTTP.ResponseRules = append([]*rules.Rule(nil), dp.HTTP.ResponseRules...)
	px.Check = dp.Check.clone()
	px.LogHealthChecks = dp.LogHealthChecks
	px.Logs = append([]LogTarget(nil), dp.Logs...)
	px.LogFormat = dp.LogFormat
	px.LogTag = dp.LogTag
	px.Options = make(map[string]bool, len(dp.Options))
	for k, v := range dp.Options {
		px.Options[k] = v
	}
	ps.defServer = d.defServer
	ps.modeFile, ps.modeLine = d.modeFile, d.modeLine
	ps.logFormatSet, ps.httplogSet, ps.tcplogSet = d.logFormatSet, d.httplogSet, d.tcplogSet
}

// startProxy handles a "defaults", "frontend", "backend" or "listen" line.
func (p *parser) startProxy(w []string) {
	kind := w[0]
	p.sec, p.secName = secInvalid, kind
	var name, from string
	if kind == "defaults" {
		switch {
		case arg(w, 1) == "from":
			from = arg(w, 2)
		case arg(w, 2) == "from":
			name, from = w[1], arg(w, 3)
		default:
			name = arg(w, 1)
		}
		if name != "" {
			p.secName = name
		}
	} else {
		name = arg(w, 1)
		if name == "" {
			p.alert("'" + kind + "' expects an <id> argument")
			return
		}
		p.secName = name
		if bad := invalidNameChar(name); bad >= 0 {
			p.alert("character '" + string(name[bad]) + "' is not permitted in '" + kind + "' name '" + name + "'.")
			return
		}
		switch {
		case arg(w, 2) == "":
		case w[2] == "from" && arg(w, 3) != "":
			from = w[3]
			if arg(w, 4) != "" {
				p.alert("'" + kind + "' cannot handle unexpected argument '" + w[4] + "'.")
				return
			}
		default:
			p.alert("please use the 'bind' keyword for listening addresses.")
			return
		}
	}

	ps := &proxyState{kind: kind}
	base := p.lastDefaults
	if from != "" {
		base = p.findDefaults(from, kind, name)
		if base == nil {
			return
		}
	}
	if kind == "defaults" {
		ps = newDefaults(name, p.file, p.line)
		if base != p.lastDefaults {
			ps.inherit(base)
		}
		p.defaults = append(p.defaults, ps)
		p.lastDefaults = ps
		p.sec, p.cur = secProxy, ps
		return
	}

	cap := CapFE | CapBE
	switch kind {
	case "frontend":
		cap = CapFE
	case "backend":
		cap = CapBE
	}
	ps.px = &Proxy{Name: name, Cap: cap, File: p.file, Line: p.line}
	ps.inherit(base)
	if cap&CapFE == 0 {
		// Frontend settings of a defaults section mean nothing to a
		// backend.
		ps.px.DefaultBackend, ps.px.Maxconn, ps.px.Backlog = "", 0, 0
	}
	p.checkDuplicateProxy(ps)
	p.proxies = append(p.proxies, ps)
	p.sec, p.cur = secProxy, ps
}

// findDefaults resolves "from <name>" for the section being declared.
func (p *parser) findDefaults(from, kind, name string) *proxyState {
	var found []*proxyState
	for _, d := range p.defaults {
		if d.px.Name == from {
			found = append(found, d)
		}
	}
	switch len(found) {
	case 0:
		p.alert("defaults section '" + from + "' not found for " + kind + " '" + name + "'.")
		return nil
	case 1:
		return found[0]
	}
	p.alert("ambiguous defaults section name '" + from + "' referenced by " + kind + " '" + name +
		"' exists at least at " + found[0].px.File + ":" + itoa(found[0].px.Line) +
		" and " + found[1].px.File + ":" + itoa(found[1].px.Line) + ".")
	return nil
}

// checkDuplicateProxy alerts when a proxy with an overlapping capability
// already has this name.
func (p *parser) checkDuplicateProxy(ps *proxyState) {
	for _, o := range p.proxies {
		if o.px.Name == ps.px.Name && o.px.Cap&ps.px.Cap != 0 {
			p.alertForm(FormParsingCap, ps.typeName()+" '"+ps.px.Name+"' has the same name as "+o.typeName()+" '"+
				o.px.Name+"' declared at "+o.px.File+":"+itoa(o.px.Line)+".")
			return
		}
	}
}

// invalidNameChar returns the offset of the first character not allowed
// in a proxy or server name ([A-Za-z0-9_:.-]), or -1.
func invalidNameChar(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '_' && c != ':' && c != '.' && c != '-' {
			return i
		}
	}
	return -1
}

// proxyKeyword handles one line of a proxy or defaults section.
func (p *parser) proxyKeyword(w []string) {
	ps := p.cur
	switch w[0] {
	case "no", "default":
		p.proxyNegation(ps, w)
		return
	}
	kw, ok := proxyKeywords[w[0]]
	if !ok {
		p.alert("unknown keyword '" + w[0] + "' in '" + ps.kind + "' section" + p.didYouMean(proxySuggest, w[0]))
		return
	}
	if !p.proxyAllows(ps, w[0], kw) {
		return
	}
	kw.handle(p, ps, w)
}

// proxyAllows checks that keyword name may appear in ps, reporting the
// alert or warning HAProxy reports otherwise.
func (p *parser) proxyAllows(ps *proxyState, name string, kw proxyKW) bool {
	if ps.isDefaults {
		switch kw.dflt {
		case dfltNo:
			msg := kw.dfltMsg
			if msg == "" {
				msg = "'" + name + "' not allowed in 'defaults' section."
			}
			p.alertForm(kw.dfltForm, msg)
			return false
		case dfltNamed:
			if ps.px.Name == "" {
				msg := kw.dfltMsg
				if msg == "" {
					msg = "'" + name + "' not allowed in anonymous 'defaults' section."
				}
				p.alertForm(kw.dfltForm, msg)
				return false
			}
		}
		return true
	}
	if kw.need != 0 && ps.px.Cap&kw.need == 0 {
		p.capMismatch(ps, name, kw.need, kw.capAlert, kw.capHint)
		return false
	}
	return true
}

// capMismatch reports a keyword used in a proxy lacking the capability
// need. It is always an alert: HAProxy 2.6 only warns and ignores most of
// them ('bind' in a backend), but a misplaced keyword is an error in
// hitless (issue #2), because the operator's intent is lost silently
// otherwise. alert selects HAProxy's own wording for the keywords it
// already refuses.
func (p *parser) capMismatch(ps *proxyState, name string, need Cap, alert bool, hint string) {
	capName := "backend"
	if need == CapFE {
		capName = "frontend"
	}
	if alert {
		p.alertForm(FormBare, "parsing ["+p.file+":"+itoa(p.line)+"] : '"+name+"' not allowed because "+
			ps.typeName()+" '"+ps.px.Name+"' has no "+capName+" capability.")
		return
	}
	p.alert("'" + name + "' not allowed in " + ps.typeName() + " '" + ps.px.Name + "', which has no " + capName + " capability." + hint)
}

// proxyNegation handles "no <kw>" and "default <kw>".
func (p *parser) proxyNegation(ps *proxyState, w []string) {
	switch arg(w, 1) {
	case "option":
		p.proxyOption(ps, w[1:], w[0])
	case "log":
		if w[0] == "no" {
			if arg(w, 2) != "" {
				p.alert("log : 'no log' does not expect arguments")
				return
			}
			ps.px.Logs = nil
			return
		}
		fallthrough
	default:
		p.alertForm(FormParsingTight, "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.")
		if arg(w, 1) != "" {
			p.alert("unknown keyword '" + w[1] + "' in '" + ps.kind + "' section" + p.didYouMean(proxySuggest, w[1]))
		}
	}
}

// Handlers of the implemented proxy keywords.

func (p *parser) proxyMode(ps *proxyState, w []string) {
	if p.tooMany(1, w, "mode") {
		return
	}
	switch arg(w, 1) {
	case "tcp":
		ps.px.Mode = ModeTCP
	case "http":
		ps.px.Mode = ModeHTTP
	case "health":
		p.alert("'mode health' doesn't exist anymore. Please use 'http-request return status 200' instead.")
		return
	default:
		p.alert("unknown proxy mode '" + arg(w, 1) + "'.")
		return
	}
	ps.modeFile, ps.modeLine = p.file, p.line
}

// proxyInt parses "<kw> <integer>" with atol semantics into dst.
func (p *parser) proxyInt(w []string, dst *int, missing string) {
	if p.tooMany(1, w, w[0]) {
		return
	}
	if arg(w, 1) == "" {
		p.alert(missing)
		return
	}
	*dst = atol(w[1])
}

func (p *parser) proxyDefaultBackend(ps *proxyState, w []string) {
	if arg(w, 1) == "" {
		p.alert("'default_backend' expects a backend name.")
		return
	}
	if p.tooMany(1, w, w[0]) {
		return
	}
	ps.px.DefaultBackend = w[1]
}

func (p *parser) proxyDisabled(ps *proxyState, w []string) {
	if p.tooMany(0, w, w[0]) {
		return
	}
	ps.px.Disabled = w[0] == "disabled"
}

func (p *parser) proxyID(ps *proxyState, w []string) {
	if arg(w, 1) == "" {
		p.alertForm(FormParsingTight, "'id' expects an integer argument.")
		return
	}
	id := atol(w[1])
	if id <= 0 {
		p.alertForm(FormParsingTight, "custom id has to be > 0.")
		return
	}
	for _, o := range p.proxies {
		if o != ps && o.px.IDForced && o.px.ID == id {
			p.alertForm(FormParsingTight, ps.kind+" "+ps.px.Name+" reuses same custom id as "+o.kind+" "+o.px.Name+
				" (declared at "+o.px.File+":"+itoa(o.px.Line)+").")
			return
		}
	}
	ps.px.ID, ps.px.IDForced = id, true
}

func (p *parser) proxyDescription(ps *proxyState, w []string) {
	if arg(w, 1) == "" {
		p.alertForm(FormParsingTight, "'description' expects a string argument.")
		return
	}
	ps.px.Description = strings.Join(w[1:], " ")
}

func (p *parser) proxyLog(ps *proxyState, w []string) {
	lt, ok := p.parseLog(w, false)
	if !ok {
		return
	}
	ps.px.Logs = append(ps.px.Logs, lt)
}

// proxyTimeout handles "timeout <name> <time>".
func (p *parser) proxyTimeout(ps *proxyState, w []string) {
	name := arg(w, 1)
	kw := "timeout " + name
	var dst *time.Duration
	need := Cap(0)
	t := &ps.px.Timeouts
	switch name {
	case "client":
		dst, need = &t.Client, CapFE
	case "client-fin":
		dst, need = &t.ClientFin, CapFE
	case "server":
		dst, need = &t.Server, CapBE
	case "server-fin":
		dst, need = &t.ServerFin, CapBE
	case "connect":
		dst, need = &t.Connect, CapBE
	case "queue":
		dst, need = &t.Queue, CapBE
	case "tunnel":
		dst, need = &t.Tunnel, CapBE
	case "check":
		dst, need = &t.Check, CapBE
	case "http-request":
		dst = &t.HTTPRequest
	case "http-keep-alive":
		dst = &t.HTTPKeepAlive
	case "tarpit":
		dst = &t.Tarpit
	case "clitimeout", "contimeout", "srvtimeout":
		p.removedTimeout(name)
		return
	default:
		p.alert("'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '" + name + "')")
		return
	}
	val := arg(w, 2)
	if val == "" {
		p.alert("'" + kw + "' expects an integer value (in milliseconds)")
		return
	}
	tp := parseTime(val)
	switch {
	case tp.bad >= 0:
		p.alert("unexpected character '" + string(val[tp.bad]) + "' in '" + kw + "'")
		return
	case tp.overflow:
		p.alert("timer overflow in argument '" + val + "' to '" + kw + "' (maximum value is 2147483647 ms or ~24.8 days)")
		return
	}
	for i := 3; i < len(w); i++ {
		if w[i] != "" {
			p.alert("'" + kw + "' : unexpected extra argument '" + w[i] + "' after value '" + val + "'.")
			return
		}
	}
	p.timeTrailing(val, tp)
	if !ps.isDefaults && need != 0 && ps.px.Cap&need == 0 {
		capName := "backend"
		if need == CapFE {
			capName = "frontend"
		}
		// HAProxy 2.6 warns; a misplaced keyword is an error in hitless
		// (see capMismatch).
		p.alert("'" + kw + "' not allowed in " + ps.typeName() + " '" + ps.px.Name + "', which has no " + capName + " capability.")
		return
	}
	*dst = tp.d
}

// removedTimeout reports the pre-2.1 timeout keywords.
func (p *parser) removedTimeout(name string) {
	repl := map[string]string{"clitimeout": "client", "contimeout": "connect", "srvtimeout": "server"}[name]
	p.alert("the '" + name + "' directive is not supported anymore since HAProxy 2.1. Use 'timeout " + repl + "'.")
}

// proxyHashType handles "hash-type <method> [<function> [<modifier>]]".
func (p *parser) proxyHashType(ps *proxyState, w []string) {
	b := &ps.px.Balance
	switch arg(w, 1) {
	case "map-based", "consistent":
	default:
		p.alert("'hash-type' only supports 'consistent' and 'map-based'.")
		return
	}
	fn := arg(w, 2)
	switch fn {
	case "", "sdbm", "djb2", "wt6", "crc32":
	default:
		p.alert("'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions.")
		return
	}
	avalanche := false
	switch arg(w, 3) {
	case "":
	case "avalanche":
		avalanche = true
	default:
		p.alert("'hash-type' only supports 'avalanche' as a modifier for hash functions.")
		return
	}
	b.HashType, b.HashFunction, b.Avalanche = w[1], fn, avalanche
}

// proxyOption handles "option <name> [args]" (w[0] == "option") and its
// "no" and "default" forms (prefix set).
func (p *parser) proxyOption(ps *proxyState, w []string, prefix string) {
	name := arg(w, 1)
	if name == "" {
		p.alertForm(FormParsingTight, "'option' expects an option name.")
		return
	}
	if msg, ok := removedOptions[name]; ok {
		p.alertForm(FormParsingTight, msg)
		return
	}
	opt, ok := proxyOptions[name]
	if !ok {
		if prefix != "" {
			p.alertForm(FormParsingTight, "negation/default is not supported for option '"+name+"'.")
			return
		}
		p.alert("unknown option '" + name + "'.")
		return
	}
	if prefix != "" && !opt.negatable {
		p.alertForm(FormParsingTight, "negation/default is not supported for option '"+name+"'.")
		return
	}
	full := "option " + name
	if opt.args >= 0 && p.tooMany(1+opt.args, w, full) {
		return
	}
	if !ps.isDefaults {
		if opt.onlyFE && ps.px.Cap&CapFE == 0 {
			p.warn("backend '" + ps.px.Name + "' : 'option " + name + "' directive is ignored in backends.")
			return
		}
		if opt.need != 0 && ps.px.Cap&opt.need == 0 {
			p.capMismatch(ps, name, opt.need, false, "")
			return
		}
	}
	if opt.check != nil && prefix == "" && !opt.check(p, w) {
		return
	}
	on := prefix == ""
	if prefix == "default" {
		on = false
	}
	px := ps.px
	switch name {
	case "redispatch":
		px.Redispatch = on
		px.RedispatchInterval = -1
		if on && arg(w, 2) != "" {
			px.RedispatchInterval = atol(w[2])
			if px.RedispatchInterval == 0 {
				px.Redispatch = false
			}
		}
	case "splice-auto":
		px.Splice.Set, px.Splice.Auto = true, on
	case "splice-request":
		px.Splice.Set, px.Splice.Request = true, on
	case "splice-response":
		px.Splice.Set, px.Splice.Response = true, on
	case "allbackups":
		px.AllBackups = on
	case "log-health-checks":
		px.LogHealthChecks = on
	case "httpchk":
		p.optionHTTPChk(ps, w)
	case "tcp-check":
		p.selectCheck(ps, CheckTCP)
	case "mysql-check":
		p.selectCheck(ps, CheckMySQL)
		c := &px.Check
		c.MySQLUser, c.MySQLPre41 = "", false
		if arg(w, 2) == "user" {
			c.MySQLUser, c.MySQLPre41 = w[3], arg(w, 4) == "pre-41"
		}
	case "pgsql-check":
		p.selectCheck(ps, CheckPgSQL)
		px.Check.PgSQLUser = w[3]
	case "redis-check":
		p.selectCheck(ps, CheckRedis)
	case "httplog", "tcplog":
		p.logOptionOverride(ps, name, on)
		switch {
		case !on:
			px.LogFormat = ""
		case name == "tcplog":
			px.LogFormat = logs.TCPLog
		case arg(w, 2) == "clf":
			px.LogFormat = logs.CLFHTTPLog
		default:
			px.LogFormat = logs.HTTPLog
		}
	case "httpclose", "http-server-close", "http-keep-alive":
		optionConnMode(px, name, on)
	case "forwardfor":
		p.optionHeader(&px.HTTP.ForwardFor, name, w, on)
	case "originalto":
		p.optionHeader(&px.HTTP.OriginalTo, name, w, on)
	default:
		if prefix == "default" {
			delete(px.Options, name)
		} else {
			px.Options[name] = on
		}
		p.logOptionOverride(ps, name, on)
		if !on {
			return
		}
		switch opt.status {
		case statusAlert:
			p.notImplemented(full)
		case statusIgnored:
			p.notSupported(full)
		}
	}
}

// logOptionOverride reproduces HAProxy's warnings when log formats
// replace one another within a section.
func (p *parser) logOptionOverride(ps *proxyState, name string, on bool) {
	if !on {
		return
	}
	switch name {
	case "httplog", "httpslog":
		if ps.logFormatSet && !ps.httplogSet && !ps.tcplogSet {
			p.warnForm(FormParsingTight, "'option "+name+"' overrides previous 'log-format' in '"+ps.kind+"' section.")
		} else if ps.tcplogSet {
			p.warnForm(FormParsingTight, "'option "+name+"' overrides previous 'option tcplog' in '"+ps.kind+"' section.")
		}
		ps.httplogSet, ps.tcplogSet, ps.logFormatSet = true, false, true
	case "tcplog":
		if ps.httplogSet {
			p.warnForm(FormParsingTight, "'option tcplog' overrides previous 'option httplog' in '"+ps.kind+"' section.")
		} else if ps.logFormatSet && !ps.tcplogSet {
			p.warnForm(FormParsingTight, "'option tcplog' overrides previous 'log-format' in '"+ps.kind+"' section.")
		}
		ps.tcplogSet, ps.httplogSet, ps.logFormatSet = true, false, true
	}
}

// balanceImplemented are the algorithms the engine runs in any mode;
// balanceHTTP those it runs in mode http (they hash request parts).
var (
	balanceImplemented = map[string]bool{
		"roundrobin": true, "static-rr": true, "leastconn": true, "first": true, "source": true, "random": true,
	}
	balanceHTTP = map[string]bool{"uri": true, "url_param": true, "hdr": true}
)

// finishProxies raises the alerts about inherited settings hitless does
// not implement: they are only known once a proxy is complete.
func (p *parser) finishProxies() {
	for _, ps := range p.proxies {
		px := ps.px
		if px.Cap&CapBE != 0 && !balanceImplemented[px.Balance.Algo] && !(px.Mode == ModeHTTP && balanceHTTP[px.Balance.Algo]) {
			p.diags = append(p.diags, Diag{Sev: SevAlert, File: px.Balance.File, Line: px.Balance.Line,
				Msg: ps.typeName() + " '" + px.Name + "' : balance '" + px.Balance.Algo + "' is not implemented yet."})
		}
	}
}
