package config

// Checks that need the whole configuration, run once every file is
// parsed and only if parsing raised no alert (as HAProxy does). Disabled
// proxies are not checked, as in HAProxy.

// validate runs the whole-configuration checks and assigns ids.
func (p *parser) validate() {
	for _, ps := range p.proxies {
		if ps.px.Disabled {
			continue
		}
		p.checkDefaultBackend(ps)
		p.checkSwitching(ps)
		p.checkBinds(ps)
		p.checkTimeouts(ps)
		p.checkServerNames(ps)
		p.checkStick(ps)
		p.checkTrack(ps)
	}
	// HAProxy checks the check rules of every proxy, then the check
	// settings of every server, after its per-proxy checks.
	for _, ps := range p.proxies {
		if !ps.px.Disabled {
			p.checkUnusedRules(ps)
		}
	}
	for _, ps := range p.proxies {
		if !ps.px.Disabled {
			p.checkServerCheckPorts(ps)
		}
	}
	p.assignProxyIDs()
	for _, ps := range p.proxies {
		assignServerIDs(ps.px.Servers)
	}
}

// configDiag records a diagnostic of the whole-configuration checks about
// ps. HAProxy prints these without a location; the Diag still points at
// the proxy's declaration.
func (p *parser) configDiag(sev Severity, ps *proxyState, msg string) {
	p.diags = append(p.diags, Diag{Sev: sev, File: ps.px.File, Line: ps.px.Line, Msg: msg, Form: FormMsgOnly})
}

func (p *parser) checkDefaultBackend(ps *proxyState) {
	px := ps.px
	if px.Cap&CapFE == 0 || px.DefaultBackend == "" {
		return
	}
	if px.DefaultBackend == px.Name && px.Cap&CapBE != 0 {
		p.configDiag(SevAlert, ps, "Proxy '"+px.Name+"': loop detected for default_backend: '"+px.DefaultBackend+"'.")
		return
	}
	var target *Proxy
	for _, o := range p.proxies {
		if o.px.Name == px.DefaultBackend && o.px.Cap&CapBE != 0 {
			target = o.px
			break
		}
	}
	if target == nil {
		p.configDiag(SevAlert, ps, "Proxy '"+px.Name+"': unable to find required default_backend: '"+px.DefaultBackend+"'.")
		return
	}
	// A listen section with a default_backend sends its traffic there and
	// never to its own servers, as in HAProxy.
}

func (p *parser) checkBinds(ps *proxyState) {
	if ps.px.Cap&CapFE != 0 && len(ps.px.Binds) == 0 {
		p.configDiag(SevWarning, ps, ps.typeName()+" '"+ps.px.Name+"' has no 'bind' directive. Please declare it as a backend if this was intended.")
	}
}

// checkTimeouts reproduces HAProxy's warning about missing timeouts: a
// frontend needs "timeout client", a backend with servers needs "timeout
// connect" and "timeout server".
func (p *parser) checkTimeouts(ps *proxyState) {
	px := ps.px
	t := px.Timeouts
	missing := px.Cap&CapFE != 0 && t.Client == 0
	if px.Cap&CapBE != 0 && len(px.Servers) > 0 && (t.Connect == 0 || t.Server == 0) {
		missing = true
	}
	if !missing {
		return
	}
	p.configDiag(SevWarning, ps, "missing timeouts for "+ps.typeName()+" '"+px.Name+"'.\n"+
		"   | While not properly invalid, you will certainly encounter various problems\n"+
		"   | with such a configuration. To fix this, please ensure that all following\n"+
		"   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.")
}

func (p *parser) checkServerNames(ps *proxyState) {
	seen := make(map[string]*Server, len(ps.px.Servers))
	for _, s := range ps.px.Servers {
		if first, ok := seen[s.Name]; ok {
			p.diags = append(p.diags, Diag{Sev: SevAlert, File: s.File, Line: s.Line,
				Msg: ps.typeName() + " '" + ps.px.Name + "', another server named '" + s.Name +
					"' was already defined at line " + itoa(first.Line) + ", please use distinct names."})
			continue
		}
		seen[s.Name] = s
	}
}

// idSlot is one object taking part in automatic id assignment.
type idSlot struct {
	id     *int
	forced bool
}

// assignIDs gives every slot without a forced id the first id not forced
// elsewhere nor already given, searching from one past the previous
// slot's position, exactly as HAProxy numbers proxies and servers: a
// counter starts at 1 and moves past each slot, forced or not.
func assignIDs(slots []idSlot) {
	used := make(map[int]bool, len(slots))
	for _, s := range slots {
		if s.forced {
			used[*s.id] = true
		}
	}
	next := 1
	for _, s := range slots {
		if s.forced {
			next++
			continue
		}
		for used[next] {
			next++
		}
		*s.id = next
		used[next] = true
		next++
	}
}

// assignProxyIDs numbers the proxies; HAProxy's internal CLI proxy takes
// its place in the sequence where it was created.
func (p *parser) assignProxyIDs() {
	var slots []idSlot
	for i, ps := range p.proxies {
		if i == p.cliPos {
			slots = append(slots, idSlot{id: &p.cfg.Global.CLIProxyID})
		}
		slots = append(slots, idSlot{id: &ps.px.ID, forced: ps.px.IDForced})
	}
	if p.cliPos >= len(p.proxies) {
		slots = append(slots, idSlot{id: &p.cfg.Global.CLIProxyID})
	}
	assignIDs(slots)
}

func assignServerIDs(servers []*Server) {
	slots := make([]idSlot, len(servers))
	for i, s := range servers {
		slots[i] = idSlot{id: &s.ID, forced: s.IDForced}
	}
	assignIDs(slots)
}

// checkUnusedRules warns about check rules written for a method the
// proxy does not use.
func (p *parser) checkUnusedRules(ps *proxyState) {
	if ps.px.Cap&CapBE == 0 {
		return
	}
	if ps.chk.unusedHTTP {
		p.configDiag(SevWarning, ps, ps.typeName()+" '"+ps.px.Name+"' uses http-check rules without 'option httpchk', so the rules are ignored.")
	}
	if ps.chk.unusedTCP {
		p.configDiag(SevWarning, ps, ps.typeName()+" '"+ps.px.Name+"' uses tcp-check rules without 'option tcp-check', so the rules are ignored.")
	}
}

// checkServerCheckPorts reproduces HAProxy's alerts about checked servers
// with no port to connect to: no server port (the client's port is used
// for traffic), no "port" or "addr" with a port, and no "connect" rule
// with a port.
func (p *parser) checkServerCheckPorts(ps *proxyState) {
	px := ps.px
	if px.Cap&CapBE == 0 {
		return
	}
	for _, s := range px.Servers {
		if !s.Check || s.Port != 0 || s.CheckPort != 0 || s.CheckAddrPort != 0 ||
			(s.Kind != AddrIPv4 && s.Kind != AddrIPv6) {
			continue
		}
		prefix := "config: " + ps.typeName() + " '" + px.Name + "': server '" + s.Name + "' has neither service port nor check port"
		var rules []CheckRule
		switch px.Check.Kind {
		case CheckConnect:
			p.diags = append(p.diags, Diag{Sev: SevAlert, File: s.File, Line: s.Line, Msg: prefix + ".", Form: FormMsgOnly})
			continue
		case CheckHTTP:
			rules = px.Check.HTTPRules
		case CheckTCP:
			rules = px.Check.TCPRules
		}
		// The first step is a connect with a port, and so is every
		// other connect; protocol checks connect to the default port.
		first := -1
		for i, r := range rules {
			if r.Action != RuleComment && !(r.Action == RuleSend && r.FromOption) {
				first = i
				break
			}
		}
		if first < 0 || rules[first].Action != RuleConnect || (rules[first].Port == 0 && rules[first].AddrPort == 0) {
			p.diags = append(p.diags, Diag{Sev: SevAlert, File: s.File, Line: s.Line, Form: FormMsgOnly,
				Msg: prefix + " nor tcp_check rule 'connect' with port information."})
			continue
		}
		for _, r := range rules {
			if r.Action == RuleConnect && r.Port == 0 && r.AddrPort == 0 {
				p.diags = append(p.diags, Diag{Sev: SevAlert, File: s.File, Line: s.Line, Form: FormMsgOnly,
					Msg: prefix + ", and a tcp_check rule 'connect' with no port information."})
				break
			}
		}
	}
}
