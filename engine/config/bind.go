package config

import "strings"

// proxyBind handles "bind <addr>[,<addr>...] [options]". Each address
// becomes one Bind sharing the options of the line.
func (p *parser) proxyBind(ps *proxyState, w []string) {
	if arg(w, 1) == "" {
		p.alert("'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.")
		return
	}
	var binds []Bind
	for _, s := range strings.Split(w[1], ",") {
		a, msg := parseAddr(s, useBind)
		if msg != "" {
			p.alert("'bind' : " + msg)
			return
		}
		binds = append(binds, Bind{
			Addr: s, Kind: a.kind, Host: a.host,
			PortFirst: a.portFirst, PortLast: a.portLast,
			FD: a.fd, Path: a.path, File: p.file, Line: p.line,
		})
	}
	var opts Bind
	prefix := "'bind " + w[1] + "' in section '" + ps.kind + "'"
	for i := 2; i < len(w); i++ {
		kw := w[i]
		if kw == "" {
			continue
		}
		o, ok := bindOptions[kw]
		if !ok {
			msg := prefix + ": unknown keyword '" + kw + "'"
			if s := p.suggest(bindSuggest, kw); s != "" {
				msg += "; did you mean '" + s + "' maybe ?"
			} else {
				msg += "."
			}
			p.alert(msg)
			return
		}
		val := arg(w, i+1)
		if o.args > 0 && val == "" {
			what := "missing value"
			if kw == "name" {
				what = "missing name"
			}
			p.alert(prefix + " : '" + kw + "' : " + what)
			return
		}
		i += o.args
		switch o.status {
		case statusIgnored:
			p.warn(prefix + " : '" + kw + "' is not supported yet and is ignored.")
			continue
		case statusAlert:
			p.alert(prefix + " : '" + kw + "' is not implemented yet.")
			return
		}
		switch kw {
		case "name":
			opts.Name = val
		case "v4v6":
			opts.V4V6 = true
		case "v6only":
			opts.V6Only = true
		case "backlog":
			opts.Backlog = atol(val)
		case "maxconn":
			opts.Maxconn = atol(val)
		case "defer-accept":
			opts.DeferAccept = true
		case "mode":
			m, ok := parseOctalMode(val)
			if !ok {
				p.alert(prefix + " : ''mode' : missing or invalid mode '" + val + "' (octal integer expected)'")
				return
			}
			opts.Mode, opts.ModeSet = m, true
		}
	}
	for i := range binds {
		b := &binds[i]
		b.Name, b.V4V6, b.V6Only = opts.Name, opts.V4V6, opts.V6Only
		b.Backlog, b.Maxconn, b.DeferAccept = opts.Backlog, opts.Maxconn, opts.DeferAccept
		b.Mode, b.ModeSet = opts.Mode, opts.ModeSet
	}
	ps.px.Binds = append(ps.px.Binds, binds...)
}
