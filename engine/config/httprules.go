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

// proxyHTTPRequest handles "http-request <action> ... [if|unless <cond>]".
func (p *parser) proxyHTTPRequest(ps *proxyState, w []string) {
	r, err := rules.ParseHTTPRequest(w[1:], ps.acls())
	if err != nil {
		p.alert(err.Error())
		return
	}
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
