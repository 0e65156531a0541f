package config

import (
	"fmt"

	"hitless/engine/rules"
)

// UseBackend is one "use_backend <name> [if|unless <cond>]" line.
type UseBackend struct {
	Name string
	Cond *rules.Cond // nil: always
	File string
	Line int
}

// acls returns the ACL set of a proxy, created on first use.
func (ps *proxyState) acls() *rules.ACLSet {
	if ps.px.HTTP.ACLs == nil {
		ps.px.HTTP.ACLs = rules.NewACLSet()
		ps.px.HTTP.ACLs.SetProxy(ps.typeName(), ps.px.Name)
	}
	return ps.px.HTTP.ACLs
}

// proxyACL handles "acl <name> <criterion> [flags] [operator] <value>...".
func (p *parser) proxyACL(ps *proxyState, w []string) {
	if err := ps.acls().ParseACL(w[1:]); err != nil {
		p.alert(err.Error())
	}
}

// warnMisplaced warns, as HAProxy does, that a rule of kind kw written
// after a redirect (when afterRedirect) or a use_backend rule still runs
// before them; only the first such warning is given.
func (p *parser) warnMisplaced(ps *proxyState, kw string, afterRedirect bool) {
	switch {
	case afterRedirect && len(ps.px.HTTP.Redirects) > 0:
		p.warn("a '" + kw + "' rule placed after a 'redirect' rule will still be processed before.")
	case len(ps.px.HTTP.UseBackends) > 0:
		p.warn("a '" + kw + "' rule placed after a 'use_backend' rule will still be processed before.")
	}
}

// warnConflict warns, as HAProxy does, when condition c of a rule (an
// http-response rule when res is set) reads the other half of the
// transaction.
func (p *parser) warnConflict(c *rules.Cond, res bool, where string) {
	if msg := c.Conflict(res, where); msg != "" {
		p.warn(msg)
	}
}

// ruleWhere names the rules of ps's request (or response, res) rules as
// HAProxy's warnings do: request rules count as the frontend's when the
// proxy has one, response rules as the backend's when it has one.
func (ps *proxyState) ruleWhere(res bool) string {
	fe := ps.isDefaults || ps.px.Cap&CapFE != 0
	be := ps.isDefaults || ps.px.Cap&CapBE != 0
	switch {
	case !res && fe:
		return "frontend http-request header rule"
	case !res:
		return "backend http-request header rule"
	case be:
		return "backend http-response header rule"
	}
	return "frontend http-response header rule"
}

// proxyHTTPRequest handles "http-request <action> ... [if|unless <cond>]".
func (p *parser) proxyHTTPRequest(ps *proxyState, w []string) {
	r, err := rules.ParseHTTPRequest(w[1:], ps.acls())
	if err != nil {
		p.alert(err.Error())
		return
	}
	p.warnMisplaced(ps, "http-request", true)
	p.warnConflict(r.Cond, false, ps.ruleWhere(false))
	r.File, r.Line = p.file, p.line
	ps.px.HTTP.RequestRules = append(ps.px.HTTP.RequestRules, r)
}

// proxyHTTPResponse handles "http-response <action> ... [if|unless <cond>]".
func (p *parser) proxyHTTPResponse(ps *proxyState, w []string) {
	r, err := rules.ParseHTTPResponse(w[1:], ps.acls())
	if err != nil {
		p.alert(err.Error())
		return
	}
	p.warnConflict(r.Cond, true, ps.ruleWhere(true))
	r.File, r.Line = p.file, p.line
	ps.px.HTTP.ResponseRules = append(ps.px.HTTP.ResponseRules, r)
}

// proxyRedirect handles "redirect location|prefix|scheme <to> ... [cond]".
func (p *parser) proxyRedirect(ps *proxyState, w []string) {
	r, err := rules.ParseRedirect(w[1:], ps.acls())
	if err != nil {
		p.alert(err.Error())
		return
	}
	p.warnMisplaced(ps, "redirect", false)
	p.warnConflict(r.Cond, false, ps.ruleWhere(false))
	r.File, r.Line = p.file, p.line
	ps.px.HTTP.Redirects = append(ps.px.HTTP.Redirects, r)
}

// proxyUseBackend handles "use_backend <name> [if|unless <cond>]".
func (p *parser) proxyUseBackend(ps *proxyState, w []string) {
	if arg(w, 1) == "" {
		p.alert("'use_backend' requires a backend name.")
		return
	}
	ub := UseBackend{Name: w[1], File: p.file, Line: p.line}
	if len(w) > 2 {
		if w[2] != "if" && w[2] != "unless" {
			p.alert("'use_backend' expects 'if', 'unless' or nothing after the backend name (got '" + w[2] + "').")
			return
		}
		c, err := rules.ParseCond(w[2:], ps.acls())
		if err != nil {
			p.alert("error detected while parsing switching rule : " + err.Error())
			return
		}
		p.warnConflict(c, false, "frontend use-backend rule")
		ub.Cond = c
	}
	ps.px.HTTP.UseBackends = append(ps.px.HTTP.UseBackends, ub)
}

// checkSwitching checks the targets of use_backend and the modes of the
// proxies a frontend sends to.
func (p *parser) checkSwitching(ps *proxyState) {
	px := ps.px
	if px.Cap&CapFE == 0 {
		return
	}
	check := func(name string, what string) {
		var target *Proxy
		for _, o := range p.proxies {
			if o.px.Name == name && o.px.Cap&CapBE != 0 {
				target = o.px
				break
			}
		}
		if target == nil {
			if what == "use_backend" {
				p.configDiag(SevAlert, ps, "Proxy '"+px.Name+"': unable to find required use_backend: '"+name+"'.")
			}
			return
		}
		if target.Mode == px.Mode {
			return
		}
		if px.Mode == ModeHTTP {
			how := "as its default backend"
			if what == "use_backend" {
				how = "in a 'use_backend' rule"
			}
			p.configDiag(SevAlert, ps, fmt.Sprintf("http frontend '%s' (%s:%d) tries to use incompatible tcp backend '%s' (%s:%d) %s (see 'mode').",
				px.Name, px.File, px.Line, name, target.File, target.Line, how))
			return
		}
		p.configDiag(SevAlert, ps, "Proxy '"+px.Name+"': sending a tcp frontend's traffic to the mode http backend '"+name+"' is not implemented yet.")
	}
	for _, ub := range px.HTTP.UseBackends {
		check(ub.Name, "use_backend")
	}
	if px.DefaultBackend != "" && px.DefaultBackend != px.Name {
		check(px.DefaultBackend, "default_backend")
	}
	if px.Mode != ModeHTTP && (len(px.HTTP.UseBackends) > 0 || len(px.HTTP.RequestRules) > 0 ||
		len(px.HTTP.ResponseRules) > 0 || len(px.HTTP.Redirects) > 0 || px.HTTP.Stats.Enabled) {
		p.configDiag(SevAlert, ps, ps.typeName()+" '"+px.Name+"' : http rules, use_backend and stats need 'mode http' (tcp-request content switching is not implemented yet).")
	}
}
