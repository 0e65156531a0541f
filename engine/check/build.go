package check

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"

	"hitless/engine/config"
)

var (
	// ErrNoCheck is returned for a server without "check".
	ErrNoCheck = errors.New("check: server has no health check")
	// ErrNoPort is returned when a connect step has no port to use.
	ErrNoPort = errors.New("check: no port to connect to")
	// ErrAddr is returned for servers whose address cannot be checked
	// (inherited file descriptors, socket pairs).
	ErrAddr = errors.New("check: address cannot be checked")
	// ErrRule is returned for a rule the configuration should have
	// refused.
	ErrRule = errors.New("check: invalid rule")
)

// NewProgram builds the health check of server srv of backend px from the
// configuration, as HAProxy 2.6 would run it: the implicit connect, the
// implicit "expect status 200-399" of HTTP checks, comments folded into
// the rules they describe, targets resolved from the rules and the
// server's "addr" and "port" options. It allocates; call it once per
// server and configuration.
func NewProgram(px *config.Proxy, srv *config.Server) (*Program, error) {
	if !srv.Check {
		return nil, ErrNoCheck
	}
	c := &px.Check
	p := &Program{Kind: c.Kind, BufSize: DefaultBufSize, disableOn404: c.DisableOn404}
	var err error
	switch c.Kind {
	case config.CheckConnect:
		var s Step
		s, err = connectStep(srv, nil)
		s.implicit = true
		p.Steps = []Step{s}
	case config.CheckTCP:
		p.tcp = true
		err = p.buildRules(srv, c.TCPRules, false)
	case config.CheckHTTP:
		err = p.buildRules(srv, httpRules(c.HTTPRules), true)
	case config.CheckMySQL:
		err = p.buildMySQL(srv, c.MySQLUser, c.MySQLPre41)
	case config.CheckPgSQL:
		err = p.buildPgSQL(srv, c.PgSQLUser)
	case config.CheckRedis:
		err = p.buildRedis(srv)
	default:
		err = fmt.Errorf("%w: check method %v", ErrRule, c.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("server %s/%s: %w", px.Name, srv.Name, err)
	}
	return p, nil
}

// httpRules applies HAProxy's post-processing of an HTTP ruleset: the
// request of "option httpchk" moves after a first connect, and a last
// send gets an implicit "expect status 200-399".
func httpRules(in []config.CheckRule) []config.CheckRule {
	rules := append([]config.CheckRule(nil), in...)
	if i := firstRule(rules, 0); i >= 0 && rules[i].Action == config.RuleSend && rules[i].FromOption {
		if j := firstRule(rules, i+1); j >= 0 && rules[j].Action == config.RuleConnect {
			send := rules[i]
			send.Index = rules[j].Index
			copy(rules[i:j], rules[i+1:j+1])
			rules[j] = send
		}
	}
	if i := lastRule(rules); i >= 0 && rules[i].Action == config.RuleSend {
		rules = append(rules, config.CheckRule{Action: config.RuleExpect, Index: rules[i].Index,
			Match: "status", Pattern: "200-399", MinRecv: -1, Codes: [][2]int{{200, 399}}})
	}
	return rules
}

func firstRule(rules []config.CheckRule, from int) int {
	for i := from; i < len(rules); i++ {
		if rules[i].Action != config.RuleComment {
			return i
		}
	}
	return -1
}

func lastRule(rules []config.CheckRule) int {
	for i := len(rules) - 1; i >= 0; i-- {
		if rules[i].Action != config.RuleComment {
			return i
		}
	}
	return -1
}

// buildRules turns a tcp-check or http-check ruleset into steps.
func (p *Program) buildRules(srv *config.Server, rules []config.CheckRule, http bool) error {
	if i := firstRule(rules, 0); i < 0 || rules[i].Action != config.RuleConnect {
		rules = append([]config.CheckRule{{Action: config.RuleConnect, Default: true}}, rules...)
		rules[0].Line = -1 // marks the implicit connect
	}
	// Comments describe the rules that follow them, up to the next
	// change of action; a connect takes it and ends it.
	var comment string
	prev := config.RuleComment
	method := ""
	for _, r := range rules {
		if r.Action != prev && prev != config.RuleComment {
			comment = ""
		}
		prev = r.Action
		if r.Action == config.RuleComment {
			comment = r.Comment
			continue
		}
		if r.Comment == "" {
			r.Comment = comment
		}
		if r.Action == config.RuleConnect {
			comment = ""
		}
		var (
			s   Step
			err error
		)
		switch r.Action {
		case config.RuleConnect:
			s, err = connectStep(srv, &r)
			s.Linger = r.Linger
			if r.Line == -1 {
				s.implicit = true
			} else {
				s.id = r.Index + 1
			}
			if r.Port != 0 {
				s.what = " (connect port " + strconv.Itoa(r.Port) + ")"
			} else {
				s.what = " (connect)"
			}
		case config.RuleSend:
			s = Step{Op: OpSend, id: r.Index + 1, what: " (send)"}
			if http {
				s.Data = encodeRequest(&r)
				method = r.Method
			} else {
				s.Data = []byte(r.Data)
			}
		case config.RuleExpect:
			s, err = p.expectStep(&r, http, method)
		default:
			err = fmt.Errorf("%w: action %d", ErrRule, r.Action)
		}
		if err != nil {
			return err
		}
		s.comment = r.Comment
		p.Steps = append(p.Steps, s)
	}
	p.linkExpects()
	return nil
}

// linkExpects sets where each expect step resumes after NeedMore: the
// first inverted expect of the run of expects it ends, or itself.
func (p *Program) linkExpects() {
	for i := range p.Steps {
		s := &p.Steps[i]
		if s.Op != OpExpect {
			continue
		}
		s.head = i
		for j := i - 1; j >= 0 && p.Steps[j].Op == OpExpect; j-- {
			if m, ok := p.Steps[j].Expect.(interface{ inverted() bool }); ok && m.inverted() {
				s.head = j
			}
		}
	}
}

// expectStep builds the step of an expect rule.
func (p *Program) expectStep(r *config.CheckRule, http bool, method string) (Step, error) {
	s := Step{Op: OpExpect, id: r.Index + 1, http: http, onSuccess: r.OnSuccess}
	var ok bool
	if s.okStatus, ok = statusArg(r.OKStatus); !ok {
		return s, fmt.Errorf("%w: ok-status %q", ErrRule, r.OKStatus)
	}
	if s.errStatus, ok = statusArg(r.ErrorStatus); !ok {
		return s, fmt.Errorf("%w: error-status %q", ErrRule, r.ErrorStatus)
	}
	if s.tout, ok = statusArg(r.ToutStatus); !ok {
		return s, fmt.Errorf("%w: tout-status %q", ErrRule, r.ToutStatus)
	}
	ctx := expectCtx{id: s.id, comment: r.Comment, onError: r.OnError, errStatus: s.errStatus, tcp: p.tcp}
	var re *regexp.Regexp
	switch r.Match {
	case "rstring", "rbinary", "rstatus":
		var err error
		if re, err = regexp.Compile(r.Pattern); err != nil {
			return s, fmt.Errorf("%w: %v", ErrRule, err)
		}
	}
	if http {
		m := &httpExpect{expectCtx: ctx, inverse: r.Inverse, minRecv: r.MinRecv, re: re, head: method == "HEAD"}
		switch r.Match {
		case "status":
			m.kind, m.codes = httpStatusCodes, r.Codes
		case "rstatus":
			m.kind = httpStatusRegex
		case "string":
			m.kind, m.data = httpBodyString, []byte(r.Pattern)
		case "rstring":
			m.kind = httpBodyRegex
		default:
			return s, fmt.Errorf("%w: http-check expect %s", ErrRule, r.Match)
		}
		s.Expect = m
		return s, nil
	}
	m := &tcpExpect{expectCtx: ctx, inverse: r.Inverse, minRecv: r.MinRecv, re: re}
	switch r.Match {
	case "string":
		m.kind, m.data = tcpString, []byte(r.Pattern)
		s.what = " (expect string '" + r.Pattern + "')"
	case "binary":
		m.kind, m.data = tcpBinary, []byte(r.Data)
		s.what = " (expect binary '" + r.Data + "')"
	case "rstring":
		m.kind = tcpRegex
		s.what = " (expect regex)"
	case "rbinary":
		m.kind = tcpBinaryRegex
		s.what = " (expect binary regex)"
	default:
		return s, fmt.Errorf("%w: tcp-check expect %s", ErrRule, r.Match)
	}
	m.pattern = r.Pattern
	s.Expect = m
	return s, nil
}

// statusArg converts an ok-status, error-status or tout-status argument.
func statusArg(s string) (Status, bool) {
	if s == "" {
		return 0, true
	}
	return ParseStatus(s)
}

// connectStep resolves the target of a connect rule (nil for the default
// connect) as HAProxy does: the rule's addr, else the server's check
// address, else its address; the rule's port, else the port in the
// rule's addr, the server's "port", the port in its "addr", its own port.
func connectStep(srv *config.Server, r *config.CheckRule) (Step, error) {
	s := Step{Op: OpConnect, Kind: srv.Kind, Host: srv.Host, Path: srv.Path}
	switch {
	case r != nil && r.Addr != "":
		s.Kind, s.Host, s.Path = hostKind(r.Addr), r.Addr, ""
	case srv.CheckAddr != "":
		s.Kind, s.Host, s.Path = hostKind(srv.CheckAddr), srv.CheckAddr, ""
	}
	switch s.Kind {
	case config.AddrIPv4, config.AddrIPv6:
	case config.AddrUnix, config.AddrAbstract:
		return s, nil
	default:
		return s, fmt.Errorf("%w: %v", ErrAddr, s.Kind)
	}
	for _, port := range []int{rulePort(r), ruleAddrPort(r), srv.CheckPort, srv.CheckAddrPort, srv.Port} {
		if port != 0 {
			s.Port = port
			return s, nil
		}
	}
	return s, ErrNoPort
}

func rulePort(r *config.CheckRule) int {
	if r == nil {
		return 0
	}
	return r.Port
}

func ruleAddrPort(r *config.CheckRule) int {
	if r == nil {
		return 0
	}
	return r.AddrPort
}

// hostKind returns the address family of a check address.
func hostKind(host string) config.AddrKind {
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is6() {
		return config.AddrIPv6
	}
	return config.AddrIPv4
}
