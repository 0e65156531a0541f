package config

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// Health-check methods and rules: "option httpchk|tcp-check|mysql-check|
// pgsql-check|redis-check", "http-check ..." and "tcp-check ...".
//
// The rules are kept as HAProxy 2.6 keeps them while it parses (its
// "rulesets"), so that the check package can apply HAProxy's own
// post-processing (implicit connect, implicit "expect status 200-399",
// comments folded into the rules that follow them) and reproduce its step
// numbers in messages. The same quirks follow:
//
//   - a section that writes its own "tcp-check" (or "http-check") line
//     starts a new list: the rules of its defaults section are not
//     appended to, they are replaced;
//   - "option httpchk" in a section also starts that section's own list,
//     so a backend with "option httpchk" does not inherit the
//     "http-check" rules of its defaults, and a backend with only
//     "http-check expect" inherits the option but not the request line of
//     its defaults (HAProxy then sends no request at all);
//   - the request of "option httpchk" and the first "http-check send"
//     merge whatever their order;
//   - rules written while another method is selected stay unused, with
//     HAProxy's warning once the proxy is complete.

// CheckKind is the health-check method of a backend.
type CheckKind uint8

const (
	CheckConnect CheckKind = iota // no check option: a TCP connection is the whole check
	CheckHTTP                     // "option httpchk" with the "http-check" rules
	CheckTCP                      // "option tcp-check" with the "tcp-check" rules
	CheckMySQL                    // "option mysql-check"
	CheckPgSQL                    // "option pgsql-check"
	CheckRedis                    // "option redis-check"
)

func (k CheckKind) String() string {
	switch k {
	case CheckConnect:
		return "connect"
	case CheckHTTP:
		return "httpchk"
	case CheckTCP:
		return "tcp-check"
	case CheckMySQL:
		return "mysql-check"
	case CheckPgSQL:
		return "pgsql-check"
	case CheckRedis:
		return "redis-check"
	}
	return "CheckKind(" + itoa(int(k)) + ")"
}

// Check is a backend's health-check method and rules. The rule slices
// hold every "http-check" and "tcp-check" line in force for the proxy,
// whichever method is selected: only the ones of the selected method run.
type Check struct {
	Kind CheckKind
	File string // line of the option that selected Kind; "" for CheckConnect
	Line int

	MySQLUser  string // "option mysql-check user <u>"; "" = greeting only
	MySQLPre41 bool   // "pre-41"
	PgSQLUser  string // "option pgsql-check user <u>"

	// HTTPRules are the "http-check connect|send|expect|comment" lines,
	// with the request of "option httpchk" merged in as HAProxy merges
	// it (a send rule with FromOption while no "http-check send" took it
	// over).
	HTTPRules []CheckRule
	// TCPRules are the "tcp-check connect|send|send-binary|expect|
	// comment" lines.
	TCPRules []CheckRule
	// DisableOn404 is "http-check disable-on-404".
	DisableOn404 bool
}

// RuleAction is what a CheckRule does.
type RuleAction uint8

const (
	RuleConnect RuleAction = iota + 1
	RuleSend
	RuleExpect
	RuleComment
)

// CheckRule is one "tcp-check" or "http-check" line.
type CheckRule struct {
	Action RuleAction
	// Index is HAProxy's rule index; messages name the rule "step
	// Index+1". Comments have one too.
	Index   int
	Comment string // "comment <msg>" of the rule, or the text of a comment rule
	File    string
	Line    int

	// RuleConnect.
	Port     int    // "port <n>"; 0 = the server's check port
	Addr     string // "addr <ip>[:<port>]", host part; "" = the server's check address
	AddrPort int    // port written in Addr; 0 = none
	Default  bool   // "default"
	Linger   bool   // "linger"

	// RuleSend of tcp-check: Data is the string ("send") or the decoded
	// bytes ("send-binary", Binary set).
	Data   string
	Binary bool

	// RuleSend of http-check. Empty fields take HAProxy's defaults
	// (OPTIONS, "/", HTTP/1.0) when the request is built.
	FromOption bool // the request of "option httpchk", not yet merged with an "http-check send"
	Method     string
	URI        string
	Version    string
	Headers    []CheckHeader // "hdr <name> <value>", in order; content-length and transfer-encoding dropped
	Body       string
	HasBody    bool

	// RuleExpect. Match is "string", "rstring", "binary", "rbinary" (tcp)
	// or "status", "rstatus", "string", "rstring" (http). Pattern is the
	// pattern as written; for "binary", Data holds the decoded bytes.
	Match       string
	Pattern     string
	Inverse     bool     // "!"
	MinRecv     int      // "min-recv"; -1 when not set (expect rules only)
	Codes       [][2]int // "status": inclusive ranges
	OKStatus    string   // "ok-status"; "" = default (L7OK)
	ErrorStatus string   // "error-status"; "" = default
	ToutStatus  string   // "tout-status"; "" = default (L7TOUT)
	OnSuccess   string   // "on-success" text
	OnError     string   // "on-error" text
}

// CheckHeader is one "hdr <name> <value>" of "http-check send".
type CheckHeader struct {
	Name, Value string
}

// clone returns a deep copy of c, so that a section inheriting it can
// change its rules.
func (c Check) clone() Check {
	c.HTTPRules = cloneRules(c.HTTPRules)
	c.TCPRules = cloneRules(c.TCPRules)
	return c
}

func cloneRules(rs []CheckRule) []CheckRule {
	if rs == nil {
		return nil
	}
	out := make([]CheckRule, len(rs))
	for i, r := range rs {
		r.Headers = append([]CheckHeader(nil), r.Headers...)
		r.Codes = append([][2]int(nil), r.Codes...)
		out[i] = r
	}
	return out
}

// checkState is the part of a proxyState that tracks check rules.
type checkState struct {
	ownTCP, ownHTTP       bool // the section started its own rule list
	unusedTCP, unusedHTTP bool // rules were added while another method was selected
}

// Check options.

// selectCheck records a check option: it selects kind and, as in HAProxy,
// forgets that rules were written for another method.
func (p *parser) selectCheck(ps *proxyState, kind CheckKind) {
	c := &ps.px.Check
	c.Kind, c.File, c.Line = kind, p.file, p.line
	ps.chk.unusedTCP, ps.chk.unusedHTTP = false, false
}

// optionHTTPChk handles "option httpchk [<method>] [<uri>] [<version>]".
func (p *parser) optionHTTPChk(ps *proxyState, w []string) {
	req := CheckRule{Action: RuleSend, FromOption: true, File: p.file, Line: p.line}
	switch {
	case arg(w, 2) == "":
	case arg(w, 3) == "":
		req.URI = w[2]
	default:
		req.Method, req.URI = w[2], w[3]
	}
	if v := arg(w, 4); v != "" {
		// The old trick: headers and body after the version.
		hdrs, body := strings.Index(v, "\r\n"), strings.Index(v, "\r\n\r\n")
		if hdrs == body {
			hdrs = -1
		}
		version, rest := v, ""
		if hdrs >= 0 {
			version, rest = v[:hdrs], v[hdrs+2:]
		}
		if body >= 0 {
			req.Body, req.HasBody = v[body+4:], true
			if hdrs < 0 {
				version = v[:body]
			} else {
				rest = v[hdrs+2 : body]
			}
		}
		req.Version = version
		if hdrs >= 0 || body >= 0 {
			p.warnForm(FormParsingTight, "'option httpchk' : hiding headers or body at the end of the version string is deprecated. Please, consider to use 'http-check send' directive instead.")
		}
		if hdrs >= 0 {
			for _, l := range strings.Split(rest, "\r\n") {
				name, value, ok := strings.Cut(l, ":")
				if !ok || name == "" || !isToken(name) {
					p.alert("'option httpchk' : unable to parse the request '" + rest + "\r\n\r\n'.")
					return
				}
				value = strings.Trim(value, " \t")
				if strings.Contains(value, "%") {
					p.alert("'option httpchk' : log-format header values are not implemented yet.")
					return
				}
				req.Headers = append(req.Headers, CheckHeader{Name: name, Value: value})
			}
		}
	}
	p.selectCheck(ps, CheckHTTP)
	c := &ps.px.Check
	if !ps.chk.ownHTTP {
		c.HTTPRules, ps.chk.ownHTTP = nil, true
	}
	c.HTTPRules = addOptionRequest(c.HTTPRules, req)
}

// addOptionRequest inserts the request of "option httpchk" into rules as
// HAProxy does: it replaces a previous option request, merges into an
// "http-check send" that comes first, or goes in front of the list.
func addOptionRequest(rules []CheckRule, req CheckRule) []CheckRule {
	i := firstRule(rules, 0)
	if i >= 0 && rules[i].Action == RuleConnect {
		i = firstRule(rules, i+1)
	}
	switch {
	case i < 0 || rules[i].Action != RuleSend:
		return append([]CheckRule{req}, rules...)
	case rules[i].FromOption:
		rules = append(rules[:i:i], rules[i+1:]...)
		return append([]CheckRule{req}, rules...)
	}
	mergeRequest(&rules[i], &req)
	return rules
}

// mergeRequest overwrites the parts of dst that src sets.
func mergeRequest(dst, src *CheckRule) {
	if src.Method != "" {
		dst.Method = src.Method
	}
	if src.URI != "" {
		dst.URI = src.URI
	}
	if src.Version != "" {
		dst.Version = src.Version
	}
	if len(src.Headers) > 0 {
		dst.Headers = src.Headers
	}
	if src.HasBody {
		dst.Body, dst.HasBody = src.Body, true
	}
}

// firstRule returns the index of the first rule at or after from that is
// not a comment, or -1.
func firstRule(rules []CheckRule, from int) int {
	for i := from; i < len(rules); i++ {
		if rules[i].Action != RuleComment {
			return i
		}
	}
	return -1
}

// lastRule returns the index of the last rule that is not a comment, or -1.
func lastRule(rules []CheckRule) int {
	for i := len(rules) - 1; i >= 0; i-- {
		if rules[i].Action != RuleComment {
			return i
		}
	}
	return -1
}

func checkMySQLCheck(p *parser, w []string) bool {
	switch arg(w, 2) {
	case "":
		return true
	case "user":
		if arg(w, 3) == "" {
			p.alert("'option mysql-check user' expects <username> as argument.")
			return false
		}
		if v := arg(w, 4); v != "" && v != "post-41" && v != "pre-41" {
			p.alert("keyword 'user' only supports 'post-41' and 'pre-41' (got '" + v + "').")
			return false
		}
		return true
	}
	p.alert("'option mysql-check' only supports optional values: 'user' (got '" + w[2] + "').")
	return false
}

func checkPgSQLCheck(p *parser, w []string) bool {
	switch {
	case arg(w, 2) == "" || arg(w, 3) == "":
		p.alert("'option pgsql-check' expects 'user <username>' as argument.")
		return false
	case w[2] != "user":
		p.alert("'option pgsql-check' only supports optional values: 'user'.")
		return false
	}
	return true
}

// tcp-check and http-check lines.

// tcpCheckActions is HAProxy's list in its message for an unknown action.
const tcpCheckActions = "'comment', 'connect', 'send', 'send-binary', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'"

// proxyTCPCheck handles "tcp-check <action> ...".
func (p *parser) proxyTCPCheck(ps *proxyState, w []string) {
	c := &ps.px.Check
	if !ps.chk.ownTCP {
		c.TCPRules, ps.chk.ownTCP = nil, true
	}
	act := arg(w, 1)
	var (
		r   CheckRule
		msg string
	)
	switch {
	case act == "connect":
		r, msg = parseCheckConnect(c.TCPRules, w)
	case act == "send" || act == "send-binary":
		r, msg = parseTCPCheckSend(w)
	case act == "send-lf" || act == "send-binary-lf":
		if arg(w, 2) == "" {
			msg = "'string' expects a " + act + " as argument"
			break
		}
		p.notImplemented("tcp-check " + act)
		return
	case act == "expect":
		r, msg = parseCheckExpect(w, false)
	case act == "comment":
		r, msg = parseCheckComment(w)
	case isVarAction(act):
		p.notImplemented("tcp-check " + varActionName(act))
		return
	default:
		p.alert("'tcp-check' only supports " + tcpCheckActions + ". but got '" + act + "'")
		return
	}
	if msg != "" {
		p.alert(checkMsg(w, msg))
		return
	}
	r.File, r.Line = p.file, p.line
	if n := len(c.TCPRules); n > 0 {
		r.Index = c.TCPRules[n-1].Index + 1
	}
	c.TCPRules = append(c.TCPRules, r)
	if c.Kind != CheckTCP {
		ps.chk.unusedTCP = true
	}
}

// httpCheckActions is HAProxy's list in its message for an unknown action.
const httpCheckActions = "'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'"

// proxyHTTPCheck handles "http-check <action> ...".
func (p *parser) proxyHTTPCheck(ps *proxyState, w []string) {
	c := &ps.px.Check
	act := arg(w, 1)
	switch act {
	case "disable-on-404":
		if !p.tooMany(1, w, "http-check") {
			c.DisableOn404 = true
		}
		return
	case "send-state":
		if !p.tooMany(1, w, "http-check") {
			p.notImplemented("http-check send-state")
		}
		return
	}
	if !ps.chk.ownHTTP {
		c.HTTPRules, ps.chk.ownHTTP = nil, true
	}
	var (
		r   CheckRule
		msg string
	)
	switch {
	case act == "connect":
		r, msg = parseCheckConnect(c.HTTPRules, w)
	case act == "send":
		r, msg = parseHTTPCheckSend(w)
	case act == "expect":
		r, msg = parseCheckExpect(w, true)
	case act == "comment":
		r, msg = parseCheckComment(w)
	case isVarAction(act):
		p.notImplemented("http-check " + varActionName(act))
		return
	default:
		p.alert("'http-check' only supports " + httpCheckActions + ". but got '" + act + "'")
		return
	}
	if msg != "" {
		p.alert(checkMsg(w, msg))
		return
	}
	r.File, r.Line = p.file, p.line
	if n := len(c.HTTPRules); n > 0 {
		if last := c.HTTPRules[n-1]; last.Action != RuleSend || !last.FromOption {
			r.Index = last.Index + 1
		}
	}
	if c.Kind != CheckHTTP {
		c.HTTPRules = append(c.HTTPRules, r)
		ps.chk.unusedHTTP = true
		return
	}
	rules, msg := addHTTPRule(c.HTTPRules, r)
	if msg != "" {
		p.alert(checkMsg(w, msg))
		return
	}
	c.HTTPRules = rules
}

// addHTTPRule appends r to the rules of an active HTTP check, with
// HAProxy's order checks, merging a send into the request of "option
// httpchk".
func addHTTPRule(rules []CheckRule, r CheckRule) ([]CheckRule, string) {
	if i := lastRule(rules); i >= 0 && (rules[i].Action != RuleSend || !rules[i].FromOption) {
		last := rules[i].Action
		step := itoa(r.Index + 1)
		switch {
		case last != RuleConnect && r.Action == RuleSend:
			return rules, "unable to add http-check send rule at step " + step + " (missing connect rule)."
		case last != RuleSend && last != RuleExpect && r.Action == RuleExpect:
			return rules, "unable to add http-check expect rule at step " + step + " (missing send rule)."
		case last != RuleExpect && r.Action == RuleConnect:
			return rules, "unable to add http-check connect rule at step " + step + " (missing expect rule)."
		}
	}
	if r.Action == RuleSend {
		if i := firstRule(rules, 0); i >= 0 && rules[i].Action == RuleSend && rules[i].FromOption {
			opt := rules[i]
			mergeRequest(&opt, &r)
			opt.FromOption = false
			opt.File, opt.Line, opt.Comment = r.File, r.Line, r.Comment
			rules = append(rules[:i:i], rules[i+1:]...)
			r = opt
		}
	}
	return append(rules, r), ""
}

// refuse is what the rule parsers return for an argument hitless does not
// implement; checkMsg turns it into the "not implemented" alert.
func refuse(what string) string { return "\x00" + what }

// checkMsg formats an error of a check rule line as HAProxy does.
func checkMsg(w []string, msg string) string {
	if strings.HasPrefix(msg, "\x00") {
		return "'" + w[0] + " " + arg(w, 1) + "' : " + msg[1:] + " is not implemented yet."
	}
	return "'" + w[0] + " " + arg(w, 1) + "' : " + msg + "."
}

func isVarAction(act string) bool {
	return strings.HasPrefix(act, "set-var(") || strings.HasPrefix(act, "set-var-fmt(") || strings.HasPrefix(act, "unset-var(")
}

func varActionName(act string) string {
	if i := strings.IndexByte(act, '('); i >= 0 {
		return act[:i]
	}
	return act
}

// parseCheckConnect parses "tcp-check|http-check connect [options]".
// rules are the rules of the list it joins, for the "first step" check.
func parseCheckConnect(rules []CheckRule, w []string) (CheckRule, string) {
	r := CheckRule{Action: RuleConnect}
	for _, o := range rules {
		if o.Action == RuleConnect {
			break
		}
		if o.Action == RuleComment || (o.Action == RuleSend && o.FromOption) {
			continue
		}
		return r, "first step MUST also be a 'connect', optionally preceded by a 'set-var', an 'unset-var' or a 'comment', when there is a 'connect' step in the tcp-check ruleset"
	}
	for i := 2; i < len(w) && w[i] != ""; i++ {
		kw, val := w[i], arg(w, i+1)
		switch kw {
		case "default":
			r.Default = true
		case "linger":
			r.Linger = true
		case "addr":
			if val == "" {
				return r, "'addr' expects <ipv4|ipv6> as argument."
			}
			a, msg := parseAddr(val, useServer)
			if msg != "" {
				return r, "'addr' : " + msg + "."
			}
			if a.kind != AddrIPv4 && a.kind != AddrIPv6 {
				return r, refuse("'addr " + val + "'")
			}
			r.Addr, r.AddrPort = a.host, a.portFirst
			i++
		case "port":
			if val == "" {
				return r, "'port' expects a port number or a sample expression as argument."
			}
			n, ok := parseUint(val, 1<<31-1)
			if !ok {
				return r, refuse("a sample expression as port")
			}
			if n < 1 || n > 65535 {
				return r, "expects a valid TCP port (from range 1 to 65535) or a sample expression, got " + val + "."
			}
			r.Port = n
			i++
		case "comment":
			if val == "" {
				return r, "'comment' expects a string as argument."
			}
			r.Comment = val
			i++
		case "proto":
			if val == "" {
				return r, "'proto' expects a MUX protocol as argument."
			}
			return r, refuse("'proto'")
		case "sni", "alpn":
			if val == "" && kw == "sni" {
				return r, "'sni' expects a string as argument."
			}
			return r, refuse("'" + kw + "'")
		case "send-proxy", "via-socks4", "ssl":
			return r, refuse("'" + kw + "'")
		default:
			return r, "expects 'comment', 'port', 'addr', 'send-proxy', 'ssl', 'sni', 'alpn' or 'via-socks4', 'linger', 'default' but got '" + kw + "' as argument."
		}
	}
	return r, ""
}

// parseTCPCheckSend parses "tcp-check send|send-binary <data> [comment <msg>]".
func parseTCPCheckSend(w []string) (CheckRule, string) {
	r := CheckRule{Action: RuleSend, Binary: w[1] == "send-binary"}
	if arg(w, 2) == "" {
		what := "string"
		if r.Binary {
			what = "binary string"
		}
		return r, "'" + what + "' expects a " + w[1] + " as argument"
	}
	for i := 3; i < len(w) && w[i] != ""; i++ {
		if w[i] != "comment" {
			return r, "expects 'comment' but got '" + w[i] + "' as argument."
		}
		if arg(w, i+1) == "" {
			return r, "'comment' expects a string as argument."
		}
		r.Comment = w[i+1]
		i++
	}
	r.Data = w[2]
	if r.Binary {
		b, msg := parseBinary(w[2])
		if msg != "" {
			// HAProxy's message goes on with a stray line holding ".".
			return r, "'" + w[2] + "' invalid binary string (" + msg + ")"
		}
		r.Data = b
	} else if i := strings.IndexByte(r.Data, 0); i >= 0 {
		r.Data = r.Data[:i] // HAProxy keeps a C string
	}
	return r, ""
}

// parseBinary decodes an even number of hex digits, with HAProxy's
// messages.
func parseBinary(s string) (string, string) {
	if len(s)%2 != 0 {
		return "", "an even number of hex digit is expected"
	}
	out := make([]byte, len(s)/2)
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return "", "an hex digit is expected (found '" + string(s[i]) + "')"
		}
		if i%2 == 0 {
			out[i/2] = hexVal(s[i]) << 4
		} else {
			out[i/2] |= hexVal(s[i])
		}
	}
	return string(out), ""
}

// parseHTTPCheckSend parses "http-check send [meth <m>] [uri <u>] [ver <v>]
// [hdr <name> <value>]* [body <string>] [comment <msg>]".
func parseHTTPCheckSend(w []string) (CheckRule, string) {
	r := CheckRule{Action: RuleSend}
	hostAt := -1
	for i := 2; i < len(w) && w[i] != ""; i++ {
		kw, val := w[i], arg(w, i+1)
		switch kw {
		case "meth", "uri", "uri-lf", "ver", "body", "body-lf", "comment":
			if val == "" {
				return r, "'" + kw + "' expects a string as argument."
			}
			switch kw {
			case "meth":
				r.Method = val
			case "uri":
				r.URI = val
			case "ver":
				r.Version = val
			case "body":
				r.Body, r.HasBody = val, true
			case "comment":
				r.Comment = val
			default:
				return r, refuse("'" + kw + "'")
			}
			i++
		case "hdr":
			name, value := val, arg(w, i+2)
			if name == "" || value == "" {
				return r, "'hdr' expects <name> and <value> as arguments"
			}
			i += 2
			switch strings.ToLower(name) {
			case "host":
				if hostAt >= 0 {
					return r, "'" + name + "' header already defined (previous value is '" + r.Headers[hostAt].Value + "')"
				}
				hostAt = len(r.Headers)
			case "content-length", "transfer-encoding":
				continue
			}
			if strings.Contains(value, "%") {
				return r, refuse("a log-format header value")
			}
			r.Headers = append(r.Headers, CheckHeader{Name: name, Value: value})
		default:
			return r, "expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got '" + kw + "' as argument."
		}
	}
	return r, ""
}

// parseCheckComment parses "tcp-check|http-check comment <string>".
func parseCheckComment(w []string) (CheckRule, string) {
	if arg(w, 2) == "" {
		return CheckRule{}, "expects a string as argument"
	}
	return CheckRule{Action: RuleComment, Comment: w[2]}, ""
}

// Messages of parseCheckExpect for a keyword that does not belong.
const (
	badHTTPExpect = "'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got '"
	badTCPExpect  = "'only supports min-recv, '[!]binary', '[!]string', '[!]rstring', '[!]string-lf''[!]rbinary', '[!]binary-lf' or comment but got '"
)

// parseCheckExpect parses "tcp-check|http-check expect [options] [!]
// <match> <pattern>", argument by argument as HAProxy does.
func parseCheckExpect(w []string, http bool) (CheckRule, string) {
	r := CheckRule{Action: RuleExpect, MinRecv: -1}
	if arg(w, 2) == "" {
		return r, "expects at least a matching pattern as arguments"
	}
	bad := func(kw string) (CheckRule, string) {
		if http {
			return r, badHTTPExpect + kw + "' as argument."
		}
		return r, badTCPExpect + kw + "' as argument."
	}
	refused := "" // what hitless does not implement, reported once the line parses
	for i := 2; i < len(w) && w[i] != ""; i++ {
		inPattern := false
		kw := w[i]
	rescan:
		val := arg(w, i+1)
		switch {
		case kw == "min-recv":
			if inPattern {
				return r, "[!] not supported with '" + kw + "'"
			}
			if val == "" {
				return r, "'min-recv' expects a integer as argument"
			}
			v, _ := strtolBase10(val, 0)
			if v < -1 || v > 1<<31-1 {
				return r, "'min-recv' expects -1 or an integer from 0 to INT_MAX"
			}
			r.MinRecv = int(v)
			i++
		case strings.HasPrefix(kw, "!"):
			inPattern = true
			for strings.HasPrefix(kw, "!") {
				r.Inverse = !r.Inverse
				kw = kw[1:]
			}
			if kw == "" {
				i++
				kw = arg(w, i)
			}
			goto rescan
		case kw == "string" || kw == "rstring" || kw == "binary" || kw == "rbinary" ||
			kw == "string-lf" || kw == "binary-lf" || kw == "status" || kw == "rstatus":
			switch {
			case http && (kw == "binary" || kw == "rbinary" || kw == "binary-lf"):
				return bad(kw)
			case !http && (kw == "status" || kw == "rstatus"):
				return bad(kw)
			case r.Match != "":
				return r, "only on pattern expected"
			case val == "":
				return r, "'" + kw + "' expects a <pattern> as argument"
			}
			r.Match, r.Pattern = kw, val
			if kw == "string-lf" || kw == "binary-lf" {
				refused = "'" + kw + "'"
			}
			i++
		case kw == "custom":
			if inPattern {
				return r, "[!] not supported with '" + kw + "'"
			}
			if r.Match != "" {
				return r, "only on pattern expected"
			}
			r.Match = kw
			refused = "'custom'"
		case kw == "hdr" || kw == "fhdr":
			if !http {
				return bad(kw)
			}
			if r.Match != "" {
				return r, "only on pattern expected"
			}
			r.Match = kw
			n, msg := skipHdrPattern(w, i)
			if msg != "" {
				return r, msg
			}
			i = n
			refused = "'" + kw + "'"
		case kw == "comment" || kw == "on-success" || kw == "on-error" || kw == "ok-status" ||
			kw == "error-status" || kw == "tout-status" || kw == "status-code":
			if inPattern {
				return r, "[!] not supported with '" + kw + "'"
			}
			if val == "" {
				if kw == "status-code" {
					return r, "'status-code' expects an expression as argument"
				}
				return r, "'" + kw + "' expects a string as argument"
			}
			switch kw {
			case "comment":
				r.Comment = val
			case "on-success", "on-error":
				if strings.Contains(val, "%") {
					refused = "a log-format '" + kw + "'"
				}
				if kw == "on-success" {
					r.OnSuccess = val
				} else {
					r.OnError = val
				}
			case "ok-status":
				st, ok := checkStatusArg(val, "L7OK", "L7OKC", "L6OK", "L4OK")
				if !ok {
					return r, "'ok-status' only supports 'L4OK', 'L6OK', 'L7OK' or 'L7OKC' status (got '" + val + "')."
				}
				r.OKStatus = st
			case "error-status":
				st, ok := checkStatusArg(val, "L7RSP", "L7STS", "L7OKC", "L6RSP", "L4CON")
				if !ok {
					return r, "'error-status' only supports 'L4CON', 'L6RSP', 'L7RSP' or 'L7STS' status (got '" + val + "')."
				}
				r.ErrorStatus = st
			case "tout-status":
				st, ok := checkStatusArg(val, "L7TOUT", "L6TOUT", "L4TOUT")
				if !ok {
					return r, "'tout-status' only supports 'L4TOUT', 'L6TOUT' or 'L7TOUT' status (got '" + val + "')."
				}
				r.ToutStatus = st
			case "status-code":
				refused = "'status-code'"
			}
			i++
		default:
			return bad(kw)
		}
	}
	if refused != "" {
		return r, refuse(refused)
	}
	switch r.Match {
	case "":
		return r, "pattern not found"
	case "status":
		codes, msg := parseStatusCodes(r.Pattern)
		if msg != "" {
			return r, msg
		}
		r.Codes = codes
	case "binary":
		b, msg := parseBinary(r.Pattern)
		if msg != "" {
			return r, "invalid binary string (" + msg + ")"
		}
		r.Data = b
	case "rstring", "rbinary", "rstatus":
		if _, err := regexp.Compile(r.Pattern); err != nil {
			return r, "regex '" + r.Pattern + "' is invalid (" + regexError(err) + ")"
		}
	}
	return r, ""
}

// regexError is the reason of a regexp compilation failure, without the
// pattern Go repeats.
func regexError(err error) string {
	if e, ok := err.(*syntax.Error); ok {
		return e.Code.String()
	}
	return err.Error()
}

// checkStatusArg matches s case-insensitively against the accepted
// statuses and returns the canonical spelling.
func checkStatusArg(s string, accepted ...string) (string, bool) {
	for _, a := range accepted {
		if strings.EqualFold(s, a) {
			return a, true
		}
	}
	return "", false
}

// skipHdrPattern checks the arguments of "[!]hdr|fhdr name [-m <meth>]
// <name> [value [-m <meth>] <value>]" with HAProxy's messages and returns
// the index of its last word.
func skipHdrPattern(w []string, i int) (int, string) {
	kw := w[i]
	if arg(w, i+1) == "" || arg(w, i+2) == "" || (w[i+1] != "name" && w[i+1] != "name-lf") {
		return i, "'" + kw + "' expects at the name keyword as first argument followed by a pattern"
	}
	meth := func(j int) string {
		if arg(w, j+1) == "" {
			return "'" + kw + "' : '" + w[j] + "' expects at a matching pattern ('str', 'beg', 'end', 'sub' or 'reg')"
		}
		switch w[j+1] {
		case "str", "beg", "end", "sub", "reg":
			return ""
		}
		return "'" + kw + "' : '" + w[j] + "' only supports 'str', 'beg', 'end', 'sub' or 'reg' (got '" + w[j+1] + "')"
	}
	i += 2
	if w[i] == "-m" {
		if msg := meth(i); msg != "" {
			return i, msg
		}
		i += 2
	}
	if v := arg(w, i+1); v != "value" && v != "value-lf" {
		return i, ""
	}
	if arg(w, i+2) == "-m" {
		i += 2
		if msg := meth(i); msg != "" {
			return i, msg
		}
	}
	if arg(w, i+2) == "" {
		return i, "'" + kw + "' expect a pattern with the value keyword"
	}
	return i + 2, ""
}

// parseStatusCodes parses the list of "http-check expect status": codes
// and ranges separated by commas, with HAProxy's leniency (an empty code
// reads as 0).
func parseStatusCodes(s string) ([][2]int, string) {
	var out [][2]int
	p := 0
	readUint := func() int {
		v := 0
		for p < len(s) && isDigit(s[p]) {
			v = v*10 + int(s[p]-'0')
			if v > 1<<31 {
				v = 1 << 31
			}
			p++
		}
		return v
	}
	for {
		c1 := readUint()
		c2 := c1
		if p < len(s) && s[p] == '-' {
			p++
			c2 = readUint()
		}
		if c1 > c2 {
			return nil, "invalid range of status codes '" + s + "'"
		}
		out = append(out, [2]int{c1, c2})
		if p == len(s) {
			return out, ""
		}
		if s[p] != ',' {
			return nil, "invalid character '" + string(s[p]) + "' in the list of status codes"
		}
		p++
	}
}

// isToken reports whether s is an HTTP token (a header name).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return s != ""
}
