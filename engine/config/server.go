package config

import (
	"net/netip"
	"strings"
)

// srvOpt describes one option of a "server" or "default-server" line.
type srvOpt struct {
	args   int
	status kwStatus
	// noDefault: refused on "default-server" lines.
	noDefault bool
}

// serverOptions are the server keywords of HAProxy 2.6. The implemented
// ones (parsed into Server, checks included) are handled in
// parseServerOption; the status applies to the others.
var serverOptions = map[string]srvOpt{
	"weight": {args: 1}, "maxconn": {args: 1}, "maxqueue": {args: 1}, "minconn": {args: 1},
	"backup": {}, "no-backup": {}, "disabled": {}, "enabled": {}, "id": {args: 1, noDefault: true},
	"check": {}, "no-check": {}, "inter": {args: 1}, "fastinter": {args: 1}, "downinter": {args: 1},
	"rise": {args: 1}, "fall": {args: 1}, "port": {args: 1}, "addr": {args: 1}, "slowstart": {args: 1},
	"on-marked-down": {args: 1}, "on-marked-up": {args: 1}, "observe": {args: 1},
	"error-limit": {args: 1}, "on-error": {args: 1}, "check-ssl": {}, "no-check-ssl": {},
	"agent-check": {}, "no-agent-check": {}, "agent-addr": {args: 1}, "agent-port": {args: 1},
	"agent-inter": {args: 1}, "agent-send": {args: 1}, "track": {args: 1},
	"init-addr": {args: 1}, "resolvers": {args: 1},
	"pool-max-conn": {args: 1}, "pool-purge-delay": {args: 1}, "max-reuse": {args: 1},

	// Parsed, ignored with a warning.
	"cookie": {args: 1, status: statusIgnored}, "namespace": {args: 1, status: statusIgnored},
	"tfo": {status: statusIgnored}, "no-tfo": {status: statusIgnored},
	"non-stick": {}, "stick": {},
	"pool-low-conn": {args: 1, status: statusIgnored},
	"tcp-ut":        {args: 1, status: statusIgnored}, "log-proto": {args: 1, status: statusIgnored},
	"resolve-net": {args: 1, status: statusIgnored}, "resolve-opts": {args: 1, status: statusIgnored},
	"resolve-prefer":   {args: 1, status: statusIgnored},
	"check-send-proxy": {status: statusIgnored}, "no-check-send-proxy": {status: statusIgnored},
	"check-proto": {args: 1, status: statusIgnored}, "check-alpn": {args: 1, status: statusIgnored},
	"check-sni": {args: 1, status: statusIgnored}, "check-via-socks4": {status: statusIgnored},
	"ws": {args: 1, status: statusIgnored}, "proxy-v2-options": {args: 1, status: statusIgnored},
	"no-ssl": {status: statusIgnored}, "no-send-proxy": {status: statusIgnored},
	"no-send-proxy-v2": {status: statusIgnored}, "no-send-proxy-v2-ssl": {status: statusIgnored},
	"no-send-proxy-v2-ssl-cn": {status: statusIgnored},
	// TLS settings only matter with "ssl", which is refused.
	"sni": {args: 1, status: statusIgnored}, "alpn": {args: 1, status: statusIgnored},
	"npn": {args: 1, status: statusIgnored}, "ciphers": {args: 1, status: statusIgnored},
	"ciphersuites": {args: 1, status: statusIgnored}, "crt": {args: 1, status: statusIgnored},
	"ca-file": {args: 1, status: statusIgnored}, "crl-file": {args: 1, status: statusIgnored},
	"verify": {args: 1, status: statusIgnored}, "verifyhost": {args: 1, status: statusIgnored},
	"allow-0rtt": {status: statusIgnored}, "force-sslv3": {status: statusIgnored},
	"force-tlsv10": {status: statusIgnored}, "force-tlsv11": {status: statusIgnored},
	"force-tlsv12": {status: statusIgnored}, "force-tlsv13": {status: statusIgnored},
	"no-sslv3": {status: statusIgnored}, "no-tlsv10": {status: statusIgnored},
	"no-tlsv11": {status: statusIgnored}, "no-tlsv12": {status: statusIgnored},
	"no-tlsv13": {status: statusIgnored}, "ssl-max-ver": {args: 1, status: statusIgnored},
	"ssl-min-ver": {args: 1, status: statusIgnored}, "ssl-reuse": {status: statusIgnored},
	"no-ssl-reuse": {status: statusIgnored}, "tls-tickets": {status: statusIgnored},
	"no-tls-tickets": {status: statusIgnored},

	// Refused.
	"ssl": {status: statusAlert}, "send-proxy": {status: statusAlert},
	"send-proxy-v2": {status: statusAlert}, "send-proxy-v2-ssl": {status: statusAlert},
	"send-proxy-v2-ssl-cn": {status: statusAlert}, "socks4": {args: 1, status: statusAlert},
	"source": {args: 1, status: statusAlert}, "usesrc": {args: 1, status: statusAlert},
	"redir": {args: 1, status: statusAlert}, "proto": {args: 1, status: statusAlert},
}

// serverSuggest suggests server keywords.
var serverSuggest = newSuggester(mapKeys(serverOptions))

// proxyServer handles "server <name> <addr>[:<port>] [options]".
func (p *parser) proxyServer(ps *proxyState, w []string) {
	name, address := arg(w, 1), arg(w, 2)
	if name == "" || address == "" {
		p.alertForm(FormBare, "'server' expects <name> and <addr>[:<port>] as arguments.")
		return
	}
	if bad := invalidNameChar(name); bad >= 0 {
		p.alertForm(FormBare, "character '"+string(name[bad])+"' is not permitted in server name '"+name+"'.")
		return
	}
	prefix := "'server " + ps.px.Name + "/" + name + "' : "
	a, msg := parseAddr(address, useServer)
	if msg != "" {
		p.alertForm(FormBare, prefix+msg)
		return
	}
	s := ps.defServer
	s.Name, s.File, s.Line = name, p.file, p.line
	s.Kind, s.Host, s.Port, s.Path = a.kind, a.host, a.portFirst, a.path
	s.Addr = address
	if a.portSet {
		s.Addr = address[:strings.LastIndexByte(address, ':')]
	}
	if a.kind == AddrFD || a.kind == AddrSockpair {
		s.Host = itoa(a.fd)
	}
	if !p.serverOptions(ps, &s, w[3:], prefix, false) {
		return
	}
	if s.Check && s.Track != "" {
		p.alertForm(FormBare, prefix+"unable to enable checks and tracking at the same time!")
		return
	}
	// Agent checks and tracking are not implemented: the server's state
	// only follows its own health check, if any.
	if s.Agent {
		p.warnForm(FormBare, prefix+"agent checks are not implemented yet and are ignored.")
	}
	if s.Track != "" {
		p.warnForm(FormBare, prefix+"'track' is not implemented yet; the server is considered always up.")
	}
	srv := &s
	ps.px.Servers = append(ps.px.Servers, srv)
	if srv.IDForced {
		if ps.serverIDs == nil {
			ps.serverIDs = make(map[int]*Server)
		}
		ps.serverIDs[srv.ID] = srv
	}
}

// proxyDefaultServer handles "default-server [options]": the options
// become the starting point of the servers declared after it.
func (p *parser) proxyDefaultServer(ps *proxyState, w []string) {
	s := ps.defServer
	if p.serverOptions(ps, &s, w[1:], "", true) {
		ps.defServer = s
	}
}

// serverOptions parses the options of a server (or default-server) line
// into s. It returns false after an alert.
func (p *parser) serverOptions(ps *proxyState, s *Server, w []string, prefix string, isDefault bool) bool {
	srvName := s.Name
	if isDefault {
		srvName = "default-server"
	}
	for i := 0; i < len(w); i++ {
		kw := w[i]
		if kw == "" {
			continue
		}
		o, ok := serverOptions[kw]
		if !ok {
			msg := prefix + "unknown keyword '" + kw + "'"
			if sug := p.suggest(serverSuggest, kw); sug != "" {
				msg += "; did you mean '" + sug + "' maybe ?"
			} else {
				msg += "."
			}
			if isDefault {
				msg += " Hint: no address was expected for this server."
			}
			p.alertForm(FormBare, msg)
			return false
		}
		if isDefault && o.noDefault {
			p.alertForm(FormBare, "'"+kw+"' option is not accepted in default-server sections")
			return false
		}
		val := arg(w, i+1)
		i += o.args
		switch o.status {
		case statusIgnored:
			p.warnForm(FormBare, prefix+"'"+kw+"' is not supported yet and is ignored.")
			continue
		case statusAlert:
			p.alertForm(FormBare, prefix+"'"+kw+"' is not implemented yet.")
			return false
		}
		if msg := p.serverOption(ps, s, kw, val, srvName); msg != "" {
			p.alertForm(FormBare, prefix+msg)
			return false
		}
	}
	return true
}

// serverOption applies one implemented option to s and returns HAProxy's
// message on error.
func (p *parser) serverOption(ps *proxyState, s *Server, kw, val, srvName string) string {
	switch kw {
	case "weight":
		v := atol(val)
		if v < 0 || v > 256 {
			return "weight of server " + srvName + " is not within 0 and 256 (" + itoa(v) + ").."
		}
		s.Weight = v
	case "maxconn":
		s.Maxconn = atol(val)
	case "pool-max-conn":
		if val == "" {
			return "'pool-max-conn' expects <value> as argument.."
		}
		v := atol(val)
		if v < -1 {
			return "'pool-max-conn' must be >= -1."
		}
		s.PoolMaxConn, s.PoolMaxSet = v, true
	case "max-reuse":
		if val == "" {
			return "'max-reuse' expects <value> as argument.."
		}
		s.MaxReuse, s.MaxReuseSet = atol(val), true
	case "pool-purge-delay":
		if val == "" {
			return "'pool-purge-delay' expects <value> as argument.."
		}
		t := parseTime(val)
		switch {
		case t.bad >= 0:
			return "unexpected character '" + string(val[t.bad]) + "' in argument to <pool-purge-delay>.."
		case t.overflow:
			return "timer overflow in argument <" + val + "> to <pool-purge-delay> of server " + srvName + ", maximum value is 2147483647 ms (~24.8 days).."
		}
		s.PoolPurgeDelay, s.PoolPurgeSet = t.d, true
	case "maxqueue":
		s.Maxqueue = atol(val)
	case "minconn":
		s.Minconn = atol(val)
	case "backup":
		s.Backup = true
	case "no-backup":
		s.Backup = false
	case "non-stick":
		s.NonStick = true
	case "stick":
		s.NonStick = false
	case "disabled":
		s.Disabled = true
	case "enabled":
		s.Disabled = false
	case "id":
		if val == "" {
			return "'id' : expects an integer argument."
		}
		id := atol(val)
		if id <= 0 {
			return "'id' : custom id has to be > 0."
		}
		if o := ps.serverIDs[id]; o != nil {
			return "'id' : custom id " + itoa(id) + " already used at " + o.File + ":" + itoa(o.Line) + " ('server " + o.Name + "')."
		}
		s.ID, s.IDForced = id, true
	case "check":
		s.Check = true
	case "no-check":
		s.Check = false
	case "check-ssl":
		s.CheckSSL = true
	case "no-check-ssl":
		s.CheckSSL = false
	case "agent-check":
		s.Agent = true
	case "no-agent-check":
		s.Agent = false
	case "inter", "fastinter", "downinter", "agent-inter":
		if val == "" {
			return "'" + kw + "' expects a delay as argument.."
		}
		t := parseTime(val)
		switch {
		case t.bad >= 0:
			return "unexpected character '" + string(val[t.bad]) + "' in '" + kw + "' argument of server " + srvName + ".."
		case t.overflow:
			return "timer overflow in argument <" + val + "> to <" + kw + "> of server " + srvName + ", maximum value is 2147483647 ms (~24.8 days).."
		case t.d == 0:
			return "invalid value 0 for argument '" + kw + "' of server " + srvName + ".."
		}
		p.timeTrailing(val, t)
		switch kw {
		case "inter":
			s.Inter = t.d
		case "fastinter":
			s.FastInter = t.d
		case "downinter":
			s.DownInter = t.d
		default:
			s.AgentInter = t.d
		}
	case "slowstart":
		t := parseTime(val)
		switch {
		case t.bad >= 0 && val != "":
			return "unexpected character '" + string(val[t.bad]) + "' in 'slowstart' argument of server " + srvName + ".."
		case val == "":
			return "'slowstart' expects a delay as argument.."
		case t.overflow:
			return "timer overflow in argument <" + val + "> to <slowstart> of server " + srvName + ", maximum value is 2147483647 ms (~24.8 days).."
		}
		p.timeTrailing(val, t)
		s.Slowstart = t.d
	case "rise", "fall", "error-limit":
		v := atol(val)
		if v <= 0 {
			return "'" + kw + "' has to be > 0.."
		}
		switch kw {
		case "rise":
			s.Rise = v
		case "fall":
			s.Fall = v
		default:
			s.ErrorLimit = v
		}
	case "port", "agent-port":
		v := atol(val)
		if v < 0 || v > 65535 {
			return "'" + kw + "' : invalid port '" + val + "'."
		}
		if kw == "port" {
			s.CheckPort = v
		} else {
			s.AgentPort = v
		}
	case "addr":
		if val == "" {
			return "'" + kw + "' expects <ipv4|ipv6> as argument."
		}
		a, msg := parseAddr(val, useServer)
		if msg != "" || (a.kind != AddrIPv4 && a.kind != AddrIPv6) || a.host == "" {
			return "invalid address '" + val + "' in '" + kw + "'."
		}
		s.CheckAddr, s.CheckAddrPort = a.host, a.portFirst
	case "agent-addr":
		if val == "" {
			return "'" + kw + "' expects <ipv4|ipv6> as argument."
		}
		if _, err := netip.ParseAddr(strings.Trim(val, "[]")); err != nil && !validHostName(val) {
			return "invalid address '" + val + "' in '" + kw + "'."
		}
		s.AgentAddr = val
	case "on-marked-down":
		if val != "shutdown-sessions" {
			return "'on-marked-down' expects 'shutdown-sessions' but got '" + val + "'."
		}
		s.OnMarkedDown = val
	case "on-marked-up":
		if val != "shutdown-backup-sessions" {
			return "'on-marked-up' expects 'shutdown-backup-sessions' but got '" + val + "'."
		}
		s.OnMarkedUp = val
	case "observe":
		switch val {
		case "none", "layer4", "layer7":
			s.Observe = val
		default:
			return "'observe' expects one of 'none', 'layer4', 'layer7' but got '" + val + "'"
		}
	case "on-error":
		switch val {
		case "fastinter", "fail-check", "sudden-death", "mark-down":
			s.OnError = val
		default:
			return "'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got '" + val + "'"
		}
	case "agent-send":
		s.AgentSend = val
	case "track":
		if val == "" {
			return "'track' expects [<proxy>/]<server> as argument."
		}
		s.Track = val
	case "init-addr":
		s.InitAddr = val
	case "resolvers":
		s.Resolvers = val
	}
	return ""
}
