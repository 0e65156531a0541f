package cli

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"hitless/engine/config"
)

// The server-administration commands of HAProxy 2.6 (src/server.c,
// src/stream.c, src/proxy.c), on top of [Admin]. Every answer, errors
// included, is HAProxy's byte for byte; some of its messages end with a
// newline and some do not (the empty line closing the answer then follows
// the text directly), and both are kept.
//
// Deliberate differences: "set server b/s fqdn" always answers that no
// resolution is configured and "set server b/s ssl" that SSL cannot be
// set, as hitless has neither resolvers nor server-side TLS.

// adminCommands returns the commands registered when [Options.Admin] is
// set. Usage and help texts are HAProxy 2.6's (wait's is 2.8's: 2.6 has
// no wait). The levels are HAProxy's: the show commands and get weight are
// open to every level, the rest needs admin and is refused before its
// arguments are looked at.
func adminCommands() []Command {
	admin := config.LevelAdmin
	return []Command{
		{Words: []string{"add", "server"}, Level: admin, Run: runAddServer,
			Usage: "add server <bk>/<srv>", Help: "create a new server"},
		{Words: []string{"del", "server"}, Level: admin, Run: runDelServer,
			Usage: "del server <bk>/<srv>", Help: "remove a dynamically added server"},
		{Words: []string{"disable", "agent"}, Level: admin, Run: runEnableCheck,
			Usage: "disable agent", Help: "disable agent checks"},
		{Words: []string{"disable", "health"}, Level: admin, Run: runEnableCheck,
			Usage: "disable health", Help: "disable health checks"},
		{Words: []string{"disable", "server"}, Level: admin, Run: runEnableServer,
			Usage: "disable server (DEPRECATED)", Help: "disable a server for maintenance (use 'set server' instead)"},
		{Words: []string{"enable", "agent"}, Level: admin, Run: runEnableCheck,
			Usage: "enable agent", Help: "enable agent checks"},
		{Words: []string{"enable", "health"}, Level: admin, Run: runEnableCheck,
			Usage: "enable health", Help: "enable health checks"},
		{Words: []string{"enable", "server"}, Level: admin, Run: runEnableServer,
			Usage: "enable server  (DEPRECATED)", Help: "enable a disabled server (use 'set server' instead)"},
		{Words: []string{"get", "weight"}, Run: runGetWeight,
			Usage: "get weight <bk>/<srv>", Help: "report a server's current weight"},
		{Words: []string{"set", "maxconn", "server"}, Level: admin, Run: runSetMaxconnServer,
			Usage: "set maxconn server <bk>/<srv>", Help: "change a server's maxconn setting"},
		{Words: []string{"set", "server"}, Level: admin, Run: runSetServer,
			Usage: "set server <bk>/<srv> [opts]", Help: "change a server's state, weight, address or ssl"},
		{Words: []string{"set", "weight"}, Level: admin, Run: runSetWeight,
			Usage: "set weight <bk>/<srv>  (DEPRECATED)", Help: "change a server's weight (use 'set server' instead)"},
		{Words: []string{"show", "backend"}, Run: runShowBackend,
			Usage: "show backend", Help: "list backends in the current running config"},
		{Words: []string{"show", "servers", "conn"}, Run: runShowServers,
			Usage: "show servers conn [<backend>]", Help: "dump server connections status (all or for a single backend)"},
		{Words: []string{"show", "servers", "state"}, Run: runShowServers,
			Usage: "show servers state [<backend>]", Help: "dump volatile server information (all or for a single backend)"},
		{Words: []string{"show", "sess"}, Level: config.LevelOperator, Run: runShowSess,
			Usage: "show sess [id]", Help: "report the list of current sessions or dump this exact session"},
		{Words: []string{"shutdown", "session"}, Level: admin, Run: runShutdownSession,
			Usage: "shutdown session [id]", Help: "kill a specific session"},
		{Words: []string{"shutdown", "sessions", "server"}, Level: admin, Run: runShutdownSessionsServer,
			Usage: "shutdown sessions server <bk>/<srv>", Help: "kill sessions on a server"},
		{Words: []string{"wait"}, Level: admin, Run: runWait,
			Usage: "wait {-h|<delay_ms>} cond [args...]", Help: "wait the specified delay or condition (-h to see list)"},
	}
}

// arg returns args[i], or "" past the end: HAProxy's argument array is
// padded with empty strings.
func arg(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

// backendRef reads a backend designation as proxy_be_by_name does:
// "#<id>" is looked up by id only (atoi of the rest), anything else by name.
func backendRef(name string) Ref {
	if strings.HasPrefix(name, "#") {
		return Ref{ID: cAtoi(name[1:]), ByID: true}
	}
	return Ref{Name: name}
}

// serverRef reads a server designation as get_backend_server does:
// "#<id>" with a non-negative atoi is looked up by id, anything else
// (including "#-1") by name.
func serverRef(name string) Ref {
	if strings.HasPrefix(name, "#") {
		if id := cAtoi(name[1:]); id >= 0 {
			return Ref{ID: id, ByID: true}
		}
	}
	return Ref{Name: name}
}

// Messages shared by several commands.
const (
	msgRequireBackendServer = "Require 'backend/server'.\n"
	msgNoBackend            = "No such backend.\n"
	msgNoServer             = "No such server.\n"
	msgProxyDisabled        = "Proxy is disabled.\n"
	msgStaticLB             = "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n"
	msgTracking             = "cannot change health on a tracking server.\n"
	msgAgentNotEnabled      = "agent checks are not enabled on this server.\n"
	msgHealthNotConfigured  = "Health check was not configured on this server, cannot enable.\n"
	msgAgentNotConfigured   = "Agent was not configured on this server, cannot enable.\n"
)

// errText words an Admin error the commands share, or returns the error's
// own text followed by a newline.
func errText(err error) string {
	switch {
	case errors.Is(err, ErrNoBackend):
		return msgNoBackend
	case errors.Is(err, ErrNoServer):
		return msgNoServer
	case errors.Is(err, ErrBackendDisabled):
		return msgProxyDisabled
	case errors.Is(err, ErrStaticLB):
		return msgStaticLB
	case errors.Is(err, ErrTracking):
		return msgTracking
	}
	return err.Error() + "\n"
}

// report writes the answer to a setter's error; success answers nothing.
func report(s *Session, err error) {
	if err != nil {
		s.WriteString(errText(err))
	}
}

// target is a server a command acts on, with its state when looked up.
type target struct {
	b, s Ref
	st   ServerState
}

// findServer resolves "<backend>/<server>" as HAProxy's cli_find_server
// does, for the commands that change a server: the first '/' splits, both
// parts must be non-empty, and a disabled backend is refused. On failure
// it writes the answer and returns false.
func findServer(s *Session, spec string) (target, bool) {
	bk, sv, ok := strings.Cut(spec, "/")
	if !ok || bk == "" || sv == "" {
		s.WriteString(msgRequireBackendServer)
		return target{}, false
	}
	t := target{b: backendRef(bk), s: serverRef(sv)}
	st, err := s.srv.admin.Server(t.b, t.s)
	if err != nil {
		s.WriteString(errText(err))
		return target{}, false
	}
	if st.Backend.Disabled {
		s.WriteString(msgProxyDisabled)
		return target{}, false
	}
	t.st = st
	return t, true
}

func runGetWeight(s *Session, args []string, _ []byte) error {
	// get weight splits like cli_find_server but accepts an empty backend
	// name (then unknown) and ignores disabled backends.
	bk, sv, ok := strings.Cut(arg(args, 2), "/")
	if !ok || sv == "" {
		s.WriteString(msgRequireBackendServer)
		return nil
	}
	st, err := s.srv.admin.Server(backendRef(bk), serverRef(sv))
	if err != nil {
		s.WriteString(errText(err))
		return nil
	}
	var b []byte
	b = strconv.AppendInt(b, int64(st.Uweight), 10)
	b = append(b, " (initial "...)
	b = strconv.AppendInt(b, int64(st.Iweight), 10)
	b = append(b, ")\n"...)
	s.Write(b)
	return nil
}

func runSetWeight(s *Session, args []string, _ []byte) error {
	t, ok := findServer(s, arg(args, 2))
	if !ok {
		return nil
	}
	setWeight(s, t, arg(args, 3))
	return nil
}

// setWeight parses a weight as server_parse_weight_change_request does
// and applies it.
func setWeight(s *Session, t target, str string) {
	w, msg := parseWeight(&t.st, str)
	if msg != "" {
		s.WriteString(msg)
		return
	}
	report(s, s.srv.admin.SetServerWeight(t.b, t.s, w))
}

// parseWeight returns the absolute weight str asks for server st, or
// HAProxy's message. "<n>%" is relative to the initial weight, capped at
// 256; a static algorithm only takes 0 and the initial weight.
func parseWeight(st *ServerState, str string) (int, string) {
	if str == "" {
		return 0, "Require <weight> or <weight%>.\n"
	}
	w, end, _ := cStrtol(str)
	switch rest := str[end:]; {
	case end == 0:
		return 0, "Empty weight string empty or preceded by garbage"
	case rest == "%":
		if w < 0 {
			return 0, "Relative weight must be positive.\n"
		}
		w = min(w, 25600) // no overflow below
		w = min(int64(st.Iweight)*w/100, 256)
	case w < 0 || w > 256:
		return 0, "Absolute weight can only be between 0 and 256 inclusive.\n"
	case rest != "":
		return 0, "Trailing garbage in weight string"
	}
	if w != 0 && w != int64(st.Iweight) && !st.Backend.DynamicWeights {
		return 0, msgStaticLB
	}
	return int(w), ""
}

func runSetMaxconnServer(s *Session, args []string, _ []byte) error {
	t, ok := findServer(s, arg(args, 3))
	if !ok {
		return nil
	}
	str := arg(args, 4)
	if str == "" {
		s.WriteString("Require <maxconn>.\n")
		return nil
	}
	v, end, _ := cStrtol(str)
	switch {
	case end == 0:
		s.WriteString("maxconn string empty or preceded by garbage")
		return nil
	case end != len(str):
		s.WriteString("Trailing garbage in maxconn string")
		return nil
	}
	// HAProxy stores the long in an int: keep the low 32 bits, unsigned.
	report(s, s.srv.admin.SetServerMaxconn(t.b, t.s, uint32(v)))
	return nil
}

// runEnableServer implements "enable server" ("set server state ready")
// and "disable server" ("state maint").
func runEnableServer(s *Session, args []string, _ []byte) error {
	t, ok := findServer(s, arg(args, 2))
	if !ok {
		return nil
	}
	to := TargetReady
	if args[0] == "disable" {
		to = TargetMaint
	}
	report(s, s.srv.admin.SetServerAdmin(t.b, t.s, to))
	return nil
}

// runEnableCheck implements "enable|disable health|agent".
func runEnableCheck(s *Session, args []string, _ []byte) error {
	t, ok := findServer(s, arg(args, 2))
	if !ok {
		return nil
	}
	on := args[0] == "enable"
	k, chk, notConf := CheckHealth, &t.st.Check, msgHealthNotConfigured
	if args[1] == "agent" {
		k, chk, notConf = CheckAgent, &t.st.Agent, msgAgentNotConfigured
	}
	if on && !chk.Configured {
		s.WriteString(notConf)
		return nil
	}
	if err := s.srv.admin.SetCheckEnabled(t.b, t.s, k, on); errors.Is(err, ErrCheckNotConfigured) {
		s.WriteString(notConf)
	} else {
		report(s, err)
	}
	return nil
}

func runShutdownSessionsServer(s *Session, args []string, _ []byte) error {
	t, ok := findServer(s, arg(args, 3))
	if !ok {
		return nil
	}
	report(s, s.srv.admin.ShutdownServerSessions(t.b, t.s))
	return nil
}

func runShutdownSession(s *Session, args []string, _ []byte) error {
	id := cStrtoul(arg(args, 2))
	if id == 0 {
		s.WriteString("Session pointer expected (use 'show sess').\n")
		return nil
	}
	if err := s.srv.admin.ShutdownSession(id); errors.Is(err, ErrNoSession) {
		s.WriteString("No such session (use 'show sess').\n")
	} else {
		report(s, err)
	}
	return nil
}

const setServerUsage = "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n"

// runSetServer implements "set server <b>/<s> <what> ...", checking its
// arguments in HAProxy's order (cli_parse_set_server).
func runSetServer(s *Session, args []string, _ []byte) error {
	t, ok := findServer(s, arg(args, 2))
	if !ok {
		return nil
	}
	a := s.srv.admin
	what, v := arg(args, 3), arg(args, 4)
	// the optional "port <p>" of addr, agent-addr and check-addr
	var port *string
	if arg(args, 5) == "port" {
		p := arg(args, 6)
		port = &p
	}
	switch what {
	case "weight":
		setWeight(s, t, v)
	case "state":
		var to AdminTarget
		switch v {
		case "ready":
			to = TargetReady
		case "drain":
			to = TargetDrain
		case "maint":
			to = TargetMaint
		default:
			s.WriteString("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n")
			return nil
		}
		report(s, a.SetServerAdmin(t.b, t.s, to))
	case "health":
		var h Health
		switch {
		case t.st.Tracks != "":
			s.WriteString(msgTracking)
			return nil
		case v == "up":
			h = HealthUp
		case v == "stopping":
			h = HealthStopping
		case v == "down":
			h = HealthDown
		default:
			s.WriteString("'set server <srv> health' expects 'up', 'stopping', or 'down'.\n")
			return nil
		}
		report(s, a.SetServerHealth(t.b, t.s, CheckHealth, h))
	case "agent":
		var h Health
		switch {
		case !t.st.Agent.Enabled:
			s.WriteString(msgAgentNotEnabled)
			return nil
		case v == "up":
			h = HealthUp
		case v == "down":
			h = HealthDown
		default:
			s.WriteString("'set server <srv> agent' expects 'up' or 'down'.\n")
			return nil
		}
		if err := a.SetServerHealth(t.b, t.s, CheckAgent, h); errors.Is(err, ErrCheckNotEnabled) {
			s.WriteString(msgAgentNotEnabled)
		} else {
			report(s, err)
		}
	case "agent-addr", "check-addr":
		if v == "" {
			s.WriteString("set server <b>/<s> " + what + " requires an address and optionally a port.\n")
			return nil
		}
		setCheckTarget(s, t, what == "agent-addr", &v, port)
	case "agent-port", "check-port":
		if v == "" {
			s.WriteString("set server <b>/<s> " + what + " requires a port.\n")
			return nil
		}
		setCheckTarget(s, t, what == "agent-port", nil, &v)
	case "agent-send":
		if !t.st.Agent.Enabled {
			s.WriteString(msgAgentNotEnabled)
			return nil
		}
		if err := a.SetAgentSend(t.b, t.s, v); errors.Is(err, ErrCheckNotEnabled) {
			s.WriteString(msgAgentNotEnabled)
		} else {
			report(s, err)
		}
	case "addr":
		if v == "" {
			s.WriteString("set server <b>/<s> addr requires an address and optionally a port.\n")
			return nil
		}
		var msg string
		err := a.UpdateServerAddr(t.b, t.s, func(cur ServerAddr) (ServerAddr, bool) {
			next, apply, m := updateAddr(cur, v, port)
			msg = m
			return next, apply
		})
		if err != nil {
			s.WriteString(errText(err))
			return nil
		}
		s.WriteString(msg)
	case "fqdn":
		if v == "" {
			s.WriteString("set server <b>/<s> fqdn requires a FQDN.\n")
			return nil
		}
		s.WriteString("set server <b>/<s> fqdn failed because no resolution is configured.\n")
	case "ssl":
		if t.st.Dynamic {
			s.WriteString("'set server <srv> ssl' not supported on dynamic servers\n")
			return nil
		}
		s.WriteString("'set server <srv> ssl' cannot be set.  default-server should define ssl settings\n")
	default:
		s.WriteString(setServerUsage)
	}
	return nil
}

// setCheckTarget implements check-addr, check-port, agent-addr and
// agent-port as srv_update_check_addr_port and srv_update_agent_addr_port
// do: the check must be enabled, the address an IP address, the port a
// plain integer in 0..65535. These messages end without a newline.
func setCheckTarget(s *Session, t target, agent bool, addr, port *string) {
	k, chk, notEnabled := CheckHealth, &t.st.Check, "health checks are not enabled on this server"
	if agent {
		k, chk, notEnabled = CheckAgent, &t.st.Agent, "agent checks are not enabled on this server"
	}
	if !chk.Enabled {
		s.WriteString(notEnabled)
		return
	}
	var ip netip.Addr
	if addr != nil {
		var ok bool
		if agent {
			// agent-addr, unlike check-addr, resolves host names
			ip, ok = s.parseAgentAddr(*addr)
		} else {
			ip, ok = parseIP(*addr)
		}
		if !ok {
			s.WriteString("invalid addr '" + *addr + "'")
			return
		}
	}
	p := -1
	if port != nil {
		v, ok := cStrl2irc(*port)
		switch {
		case !ok:
			s.WriteString("provided port is not an integer")
			return
		case v < 0 || v > 65535:
			s.WriteString("provided port is invalid")
			return
		}
		p = v
	}
	if err := s.srv.admin.SetCheckTarget(t.b, t.s, k, ip, p); errors.Is(err, ErrCheckNotEnabled) {
		s.WriteString(notEnabled)
	} else {
		report(s, err)
	}
}

// updateAddr computes "set server b/s addr <addr> [port <port>]" from the
// current address as srv_update_addr_port does, and returns the address
// to apply, whether to apply it, and the answer.
func updateAddr(cur ServerAddr, addr string, port *string) (next ServerAddr, apply bool, msg string) {
	var b strings.Builder
	next, apply = addrChange(&b, cur, addr, port)
	b.WriteString(" by 'stats socket command'\n")
	return next, apply, b.String()
}

// addrChange is updateAddr without the answer's common ending. An address
// change stands even when the port that follows is refused, as in
// HAProxy.
func addrChange(b *strings.Builder, cur ServerAddr, addr string, port *string) (next ServerAddr, apply bool) {
	next = cur
	ip, ok := parseIP(addr)
	switch {
	case !ok:
		b.WriteString("Invalid addr '" + addr + "'")
		return next, false
	case !cur.Addr.IsValid():
		b.WriteString("Update for the current server address family is only supported through configuration file")
		return next, false
	case ip == cur.Addr:
		b.WriteString("no need to change the addr")
	default:
		next.Addr, apply = ip, true
		b.WriteString("IP changed from '" + formatIP(cur.Addr) + "' to '" + addr + "'")
	}
	if port == nil {
		return next, apply
	}
	b.WriteString(", ")
	v, end, overflow := cStrtol(*port)
	if overflow || end == 0 {
		b.WriteString("problem converting port '" + *port + "' to an int")
		return next, apply
	}
	newPort := uint16(v) // HAProxy keeps the low 16 bits
	sign := (*port)[0]   // not empty: it has digits
	mapped := sign == '-' || sign == '+'
	change := cur.Port != newPort
	if mapped && !cur.MapPorts {
		// switching to mapped ports needs a check port of its own
		if cur.CheckPort == 0 {
			b.WriteString("can't change <port> to port map because it is incompatible with current health check port configuration (use 'port' statement from the 'server' directive.")
			return next, apply
		}
		change = true
	}
	if !change {
		b.WriteString("no need to change the port")
		return next, apply
	}
	next.Port, next.MapPorts, apply = newPort, mapped, true
	b.WriteString("port changed from '")
	if cur.MapPorts {
		b.WriteByte('+')
	}
	b.WriteString(strconv.Itoa(int(cur.Port)) + "' to '")
	if mapped {
		b.WriteByte(sign)
	}
	if sign == '-' {
		newPort = -newPort // shown as typed
	}
	b.WriteString(strconv.Itoa(int(newPort)) + "'")
	return next, apply
}

// splitAddDel splits the "<backend>/<server>" of add server and del
// server as they do: the '/' is searched from the second byte on, and the
// server part must not be empty.
func splitAddDel(spec string) (bk, sv string, ok bool) {
	if len(spec) < 2 {
		return "", "", false
	}
	i := strings.IndexByte(spec[1:], '/')
	if i < 0 || i+2 == len(spec) {
		return "", "", false
	}
	return spec[:i+1], spec[i+2:], true
}

func runAddServer(s *Session, args []string, _ []byte) error {
	a := s.srv.admin
	bk, sv, ok := splitAddDel(arg(args, 2))
	if !ok {
		s.WriteString("Require 'backend/server'.")
		return nil
	}
	b := backendRef(bk)
	be, err := a.Backend(b)
	if err != nil {
		s.WriteString(addServerErr(err))
		return nil
	}
	if be.Disabled || !be.DynamicWeights {
		s.WriteString(addServerErr(ErrStaticLB))
		return nil
	}
	if arg(args, 3) == "" {
		s.WriteString("'server' expects <name> and <addr>[:<port>] as arguments.\n")
		return nil
	}
	if err := a.AddServer(b, sv, args[3:]); err != nil {
		s.WriteString(addServerErr(err))
		return nil
	}
	s.WriteString("New server registered.\n")
	return nil
}

func addServerErr(err error) string {
	switch {
	case errors.Is(err, ErrNoBackend):
		return "No such backend."
	case errors.Is(err, ErrStaticLB):
		return "Backend must use a dynamic load balancing to support dynamic servers."
	case errors.Is(err, ErrServerExists):
		return "Already exists a server with the same name in backend.\n"
	}
	return err.Error() + "\n"
}

func runDelServer(s *Session, args []string, _ []byte) error {
	bk, sv, ok := splitAddDel(arg(args, 2))
	if !ok {
		s.WriteString("Require 'backend/server'.")
		return nil
	}
	if err := s.srv.admin.DelServer(backendRef(bk), serverRef(sv)); err != nil {
		s.WriteString(removalText(err))
		return nil
	}
	s.WriteString("Server deleted.")
	return nil
}

// removalText words a refusal of del server (and of wait's removability
// conditions) as HAProxy does, without a newline.
func removalText(err error) string {
	switch {
	case errors.Is(err, ErrNoBackend):
		return "No such backend."
	case errors.Is(err, ErrNoServer):
		return "No such server."
	case errors.Is(err, ErrServerReferenced):
		return "This server cannot be removed at runtime due to other configuration elements pointing to it."
	case errors.Is(err, ErrServerNotInMaint):
		return "Only servers in maintenance mode can be deleted."
	case errors.Is(err, ErrServerInUse):
		return "Server still has connections attached to it, cannot remove it."
	case errors.Is(err, ErrBackendInUse):
		return "Backend still has servers or streams attached to it, cannot remove it."
	}
	return err.Error()
}
