package config

import (
	"hitless/engine/logs"
)

// Keywords whose sub-keywords decide how they are treated: logging and
// rule sets. Stickiness is in stick.go.

// proxyLogFormat handles "log-format <fmt>".
func (p *parser) proxyLogFormat(ps *proxyState, w []string) {
	if arg(w, 1) == "" {
		p.alert("log-format expects an argument.")
		return
	}
	if !ps.isDefaults && ps.px.Cap&CapFE == 0 {
		p.warn("backend '" + ps.px.Name + "' : 'log-format' directive is ignored in backends.")
		return
	}
	switch {
	case ps.httplogSet:
		p.warnForm(FormParsingTight, "'log-format' overrides previous 'option httplog' in '"+ps.kind+"' section.")
	case ps.tcplogSet:
		p.warnForm(FormParsingTight, "'log-format' overrides previous 'option tcplog' in '"+ps.kind+"' section.")
	}
	ps.logFormatSet, ps.httplogSet, ps.tcplogSet = true, false, false
	if _, err := logs.Compile(w[1]); err != nil {
		p.alert("log-format : " + err.Error())
		return
	}
	ps.px.LogFormat = w[1]
}

// proxyTCPRequest handles "tcp-request connection|session|content|
// inspect-delay ...". Rules decide what is accepted: they are refused.
func (p *parser) proxyTCPRequest(ps *proxyState, w []string) {
	sub := arg(w, 1)
	switch sub {
	case "connection", "session", "content", "inspect-delay":
	default:
		where := "defaults section"
		if !ps.isDefaults {
			where = ps.typeName() + " '" + ps.px.Name + "'"
		}
		p.alert("'tcp-request' expects 'inspect-delay', 'connection', or 'content' in " + where + " (got '" + sub + "')")
		return
	}
	if ps.isDefaults && ps.px.Name == "" {
		p.alert("tcp-request " + sub + " is not allowed in anonymous 'defaults' sections")
		return
	}
	if !ps.isDefaults && ps.px.Cap&CapFE == 0 && (sub == "connection" || sub == "session") {
		p.alert("tcp-request " + sub + " is not allowed because backend " + ps.px.Name + " is not a frontend")
		return
	}
	if sub == "inspect-delay" {
		p.notSupported("tcp-request inspect-delay")
		return
	}
	p.notImplemented("tcp-request " + sub)
}

// proxyTCPResponse handles "tcp-response content|inspect-delay ...".
func (p *parser) proxyTCPResponse(ps *proxyState, w []string) {
	sub := arg(w, 1)
	switch sub {
	case "content", "inspect-delay":
	default:
		p.alert("'tcp-response' expects 'inspect-delay' or 'content' in " + ps.typeName() + " '" + ps.px.Name + "' (got '" + sub + "')")
		return
	}
	if (ps.isDefaults && ps.px.Name == "") || (!ps.isDefaults && ps.px.Cap&CapBE == 0) {
		p.alert("tcp-response " + sub + " is only allowed in 'backend' sections or 'defaults' section with a name")
		return
	}
	if sub == "inspect-delay" {
		p.notSupported("tcp-response inspect-delay")
		return
	}
	p.notImplemented("tcp-response " + sub)
}
