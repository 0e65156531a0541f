package rules

import (
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Action is what a rule does when its condition holds.
type Action uint8

const (
	ActAllow Action = iota + 1
	// ActDeny: Status (403 in http-request, 502 in http-response, as
	// HAProxy), optional Body/ContentType via "deny_status N" and HAProxy
	// 2.6 "deny [deny_status N] [content-type T] [string S|lf-string F|file F]".
	ActDeny
	// ActReturn: "return [status N] [content-type T] [default-errorfiles|
	// errorfile F|string S|lf-string F|file F] [hdr NAME FMT]*".
	ActReturn
	ActRedirect
	ActSetHeader
	ActAddHeader
	ActDelHeader
	ActReplaceHeader
	ActReplaceValue
	ActSetPath
	ActSetURI
	ActSetQuery
	ActReplacePath
	ActReplaceURI
	ActSetVar
	ActUnsetVar
	ActSetStatus // http-response set-status N [reason R]
	// ActUseService: http-request use-service prometheus-exporter (the
	// only service hitless has): the proxy answers with its metrics.
	ActUseService
	// ActTarpit: http-request tarpit, with deny's reply syntax and 500 as
	// its default status: the reply is sent after "timeout tarpit".
	ActTarpit
	// ActTrackSC: http-request track-sc<Slot> <Expr> [table <Table>]:
	// the transaction tracks the entry of Expr's value in Table (the
	// proxy's own when empty) with stick counter Slot.
	ActTrackSC
)

// NameMatch is how del-header compares header names ("-m").
type NameMatch uint8

const (
	NameStr NameMatch = iota // the whole name (default)
	NameBeg
	NameEnd
	NameSub
	NameReg // Regex, matched case-insensitively
)

// Rule is a parsed http-request, http-response or redirect rule. It is
// immutable once parsed (File and Line are set by the caller before
// publishing it) and may be used by several goroutines at once.
type Rule struct {
	Action      Action
	Cond        *Cond
	Name        []byte         // header name for header actions (as written)
	Value       *Format        // header value, set-path/uri/query value, return/deny lf-string
	Regex       *regexp.Regexp // replace-header/value/path/uri; del-header -m reg
	Status      int            // deny/return/set-status
	Reason      string         // set-status reason; empty for the default one
	ContentType string
	Body        []byte         // return/deny "string" or "file"/"errorfile" contents (read at parse time)
	Hdrs        []ReturnHeader // return "hdr" lines
	Redirect    *Redirect
	Var         int    // variable index for set-var/unset-var (-1 otherwise)
	Expr        *Expr  // set-var expression; track-sc key
	Slot        int    // track-sc stick counter (0 to MaxTrackers-1)
	Table       string // track-sc table; "" for the proxy's own
	File        string
	Line        int

	// NameMatch is the del-header "-m" method.
	NameMatch NameMatch
	// DefaultErrorfile: deny/return answer with the proxy's error page for
	// Status (deny without payload, or "default-errorfiles"); Body and the
	// other reply fields are then empty.
	DefaultErrorfile bool
	// Errorfile: Body is a complete HTTP response read from an
	// "errorfile", sent as it is.
	Errorfile bool
}

// ReturnHeader is a "hdr NAME FMT" of a return or deny rule.
type ReturnHeader struct {
	Name  []byte
	Value *Format
}

// ParseHTTPRequest parses the words after "http-request".
func ParseHTTPRequest(words []string, acls *ACLSet) (*Rule, error) {
	return parseHTTPRule(words, acls, false)
}

// ParseHTTPResponse parses the words after "http-response".
func ParseHTTPResponse(words []string, acls *ACLSet) (*Rule, error) {
	return parseHTTPRule(words, acls, true)
}

func ruleErrPrefix(acls *ACLSet, what string) string {
	if acls != nil && acls.proxy != "" {
		return "error detected in " + acls.proxy + " while parsing " + what + " : "
	}
	return "error detected while parsing " + what + " : "
}

// parseHTTPRule parses an http-request (res=false) or http-response
// rule. Unknown actions give HAProxy's error; actions HAProxy has and
// hitless lacks give "is not implemented yet".
func parseHTTPRule(words []string, acls *ACLSet, res bool) (*Rule, error) {
	kw, list := "http-request", httpRequestActions
	if res {
		kw, list = "http-response", httpResponseActions
	}
	act := ""
	if len(words) > 0 {
		act = words[0]
	}
	name := kw + " " + act
	fail := func(err *perr) (*Rule, error) {
		return nil, err.wrap(ruleErrPrefix(acls, "'"+name+"' rule"), ".")
	}
	arg := func(i int) string {
		if i < len(words) {
			return words[i]
		}
		return ""
	}
	r := &Rule{Var: -1}
	i := 1
	var err *perr
	switch {
	case act == "allow":
		r.Action = ActAllow
	case !res && act == "use-service":
		if arg(1) == "" {
			return fail(reason("expects a service name"))
		}
		if arg(1) != "prometheus-exporter" {
			return fail(reason("use-service '" + arg(1) + "' is not implemented yet (hitless has 'prometheus-exporter')"))
		}
		r.Action = ActUseService
		i = 2
	case act == "deny":
		r.Action = ActDeny
		i, err = parseReply(r, words, 1, res, true)
	case !res && act == "tarpit":
		r.Action = ActTarpit
		i, err = parseReply(r, words, 1, res, true)
	case act == "return":
		r.Action = ActReturn
		i, err = parseReply(r, words, 1, res, false)
	case act == "redirect":
		rr, err := parseRedirect(words[1:], acls, false, res)
		if err != nil {
			return fail(err)
		}
		return rr, nil
	case act == "set-header" || act == "add-header":
		r.Action = ActSetHeader
		if act == "add-header" {
			r.Action = ActAddHeader
		}
		if arg(1) == "" || arg(2) == "" {
			return fail(reason("expects exactly 2 arguments"))
		}
		r.Name = []byte(arg(1))
		r.Value, err = parseFormat(arg(2))
		i = 3
	case act == "del-header":
		r.Action = ActDelHeader
		if arg(1) == "" {
			return fail(reason("expects at least 1 argument"))
		}
		r.Name = []byte(arg(1))
		i = 2
		if arg(2) == "-m" {
			if arg(3) == "" {
				return fail(reason("-m flag expects exactly 1 argument"))
			}
			switch arg(3) {
			case "str":
				r.NameMatch = NameStr
			case "beg":
				r.NameMatch = NameBeg
			case "end":
				r.NameMatch = NameEnd
			case "sub":
				r.NameMatch = NameSub
			case "reg":
				r.NameMatch = NameReg
				r.Regex, err = compileRegex(arg(1), true)
			default:
				return fail(reason("-m with unsupported matching method '" + arg(3) + "'"))
			}
			i = 4
		}
	case act == "replace-header" || act == "replace-value":
		r.Action = ActReplaceHeader
		if act == "replace-value" {
			r.Action = ActReplaceValue
		}
		if arg(1) == "" || arg(2) == "" || arg(3) == "" {
			return fail(reason("expects exactly 3 arguments"))
		}
		r.Name = []byte(arg(1))
		if r.Regex, err = compileRegex(arg(2), false); err == nil {
			r.Value, err = parseFormat(arg(3))
		}
		i = 4
	case !res && (act == "set-path" || act == "set-uri" || act == "set-query"):
		r.Action = map[string]Action{"set-path": ActSetPath, "set-uri": ActSetURI, "set-query": ActSetQuery}[act]
		if arg(1) == "" || !endsArgs(words, 2) {
			return fail(reason("expects exactly 1 argument <format>"))
		}
		r.Value, err = parseFormat(arg(1))
		i = 2
	case !res && (act == "replace-path" || act == "replace-uri"):
		r.Action = ActReplacePath
		if act == "replace-uri" {
			r.Action = ActReplaceURI
		}
		if arg(1) == "" || arg(2) == "" || !endsArgs(words, 3) {
			return fail(reason("expects exactly 2 arguments <match-regex> and <replace-format>"))
		}
		if r.Regex, err = compileRegex(arg(1), false); err != nil {
			err = &perr{msg: "failed to parse the regex : " + err.msg}
		} else {
			r.Value, err = parseFormat(arg(2))
		}
		i = 3
	case res && act == "set-status":
		r.Action = ActSetStatus
		if arg(1) == "" {
			return fail(reason("expects 1 argument: <status>; or 3 arguments: <status> reason <fmt>"))
		}
		n, e := strconv.Atoi(arg(1))
		if e != nil || n < 100 || n > 999 {
			return fail(reason("expects an integer status code between 100 and 999"))
		}
		r.Status = n
		i = 2
		if arg(2) == "reason" && arg(3) != "" {
			r.Reason = arg(3)
			i = 4
		}
	case strings.HasPrefix(act, "track-sc"):
		if res {
			return nil, notImplErr("'" + name + "' is not implemented yet.")
		}
		i, err = parseTrackSC(r, words)
	case strings.HasPrefix(act, "set-var-fmt"):
		return nil, notImplErr("'" + name + "' is not implemented yet.")
	case strings.HasPrefix(act, "set-var") || strings.HasPrefix(act, "unset-var"):
		r.Action = ActSetVar
		prefix := "set-var"
		if act[0] == 'u' {
			r.Action, prefix = ActUnsetVar, "unset-var"
		}
		expects := "Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'"
		rest := act[len(prefix):]
		if !strings.HasPrefix(rest, "(") {
			return fail(reason("invalid or incomplete action '" + act + "'. " + expects))
		}
		close := strings.IndexByte(rest, ')')
		if close < 0 || close != len(rest)-1 {
			return fail(reason("incomplete argument after action '" + act + "'. " + expects))
		}
		if r.Var, err = varIndex(rest[1:close], rest[close:]); err != nil {
			return fail(err)
		}
		if r.Action == ActSetVar {
			r.Expr, _, err = parseExprAt(arg(1), 0, modeWord, nil)
			i = 2
		}
	default:
		if knownAction(list, act) {
			return nil, notImplErr("'" + name + "' is not implemented yet.")
		}
		return nil, syntaxErr("'" + kw + "' expects " + list + ", but got '" + act + "'.")
	}
	if err == nil {
		err = checkDirection(r, act, res)
	}
	if err != nil {
		return fail(err)
	}
	// The condition, if any.
	for i < len(words) && words[i] == "" {
		i++
	}
	if i < len(words) {
		if w := words[i]; w != "if" && w != "unless" {
			return nil, syntaxErr("'" + name + "' expects either 'if' or 'unless' followed by a condition but found '" + w + "'.")
		}
		c, cerr := parseCond(words[i:], acls)
		if cerr != nil {
			return nil, cerr.wrap("error detected while parsing an '"+name+"' condition : ", ".")
		}
		r.Cond = c
	}
	return r, nil
}

// endsArgs reports whether words[i:] is empty or starts a condition.
func endsArgs(words []string, i int) bool {
	for ; i < len(words); i++ {
		switch words[i] {
		case "":
			continue
		case "if", "unless":
			return true
		}
		return false
	}
	return true
}

// httpErrCodes are the statuses HAProxy has a default error page for.
var httpErrCodes = []int{200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504}

func hasErrorPage(status int) bool {
	for _, c := range httpErrCodes {
		if c == status {
			return true
		}
	}
	return false
}

// maxReplyFile is the largest "file" payload, HAProxy's default bufsize.
const maxReplyFile = 16384

// atol reads an optional sign and leading digits as C's atol (0 when
// there are none).
func atol(s string) int {
	s = strings.TrimLeft(s, " \t")
	n := readInt64([]byte(s))
	if n > 1<<31-1 || n < -1<<31 {
		return 0
	}
	return int(n)
}

// parseReply parses the arguments of deny (deny=true) or return from
// words[i], as HAProxy's http_parse_http_reply, and returns the index of
// the first word it did not take.
func parseReply(r *Rule, words []string, i int, res, deny bool) (int, *perr) {
	arg := func(j int) string {
		if j < len(words) {
			return words[j]
		}
		return ""
	}
	r.Status = 200
	if deny {
		r.Status = 403
		if res {
			r.Status = 502
		}
		if r.Action == ActTarpit {
			r.Status = 500
		}
		// No argument, or a lone deny_status: the legacy form, the
		// default error page.
		if w := arg(i); w == "" || w == "if" || w == "unless" {
			return i, checkErrorPage(r, "default-errorfiles")
		}
		if arg(i) == "deny_status" {
			if w := arg(i + 2); w == "" || w == "if" || w == "unless" {
				if arg(i+1) == "" {
					return i, reason("'status' expects <status_code> as argument")
				}
				r.Status = atol(arg(i + 1))
				if r.Status < 200 || r.Status > 599 {
					return i, reason("Unexpected status code '" + strconv.Itoa(r.Status) + "'")
				}
				return i + 2, checkErrorPage(r, "default-errorfiles")
			}
		}
	}
	kind := "" // the payload argument given
	var lf string
	hasLF := false
	for i < len(words) {
		w := words[i]
		if deny && w == "deny_status" {
			w = "status"
		}
		a := arg(i + 1)
		payload := func() *perr {
			if kind != "" {
				return reason("unexpected '" + w + "' argument, '" + kind + "' already defined")
			}
			kind = w
			return nil
		}
		switch w {
		case "status":
			if a == "" {
				return i, reason("'" + w + "' expects <status_code> as argument")
			}
			r.Status = atol(a)
			if r.Status < 200 || r.Status > 599 {
				return i, reason("Unexpected status code '" + strconv.Itoa(r.Status) + "'")
			}
			i += 2
		case "content-type":
			if a == "" {
				return i, reason("'" + w + "' expects <ctype> as argument")
			}
			r.ContentType = a
			i += 2
		case "errorfiles":
			if err := payload(); err != nil {
				return i, err
			}
			if a == "" {
				return i, reason("'" + w + "' expects <name> as argument")
			}
			return i, notImpl("'errorfiles' (http-errors sections) is not implemented yet")
		case "default-errorfiles":
			if err := payload(); err != nil {
				return i, err
			}
			r.DefaultErrorfile = true
			i++
		case "errorfile", "file", "lf-file":
			if err := payload(); err != nil {
				return i, err
			}
			if a == "" {
				what := "<file>"
				if w == "errorfile" {
					what = "<fmt>"
				}
				return i, reason("'" + w + "' expects " + what + " as argument")
			}
			data, err := os.ReadFile(a)
			if err != nil {
				return i, reason("error opening file '" + a + "'")
			}
			if len(data) > maxReplyFile {
				return i, reason("file '" + a + "' exceeds the buffer size (" + strconv.Itoa(len(data)) + " > " + strconv.Itoa(maxReplyFile) + ")")
			}
			switch w {
			case "errorfile":
				if !strings.HasPrefix(string(data), "HTTP/") {
					return i, reason("'" + a + "': unable to parse headers (error offset: 0)")
				}
				r.Body, r.Errorfile = data, true
			case "file":
				r.Body = data
			default:
				lf, hasLF = string(data), true
			}
			i += 2
		case "string", "lf-string":
			if err := payload(); err != nil {
				return i, err
			}
			if a == "" {
				what := "<str>"
				if w == "lf-string" {
					what = "<fmt>"
				}
				return i, reason("'" + w + "' expects " + what + " as argument")
			}
			if w == "string" {
				r.Body = []byte(a)
			} else {
				lf, hasLF = a, true
			}
			i += 2
		case "hdr":
			if a == "" || arg(i+2) == "" {
				return i, reason("'" + w + "' expects <name> and <value> as arguments")
			}
			switch strings.ToLower(a) {
			case "content-length", "transfer-encoding", "content-type":
				// HAProxy warns that the reply always ignores them.
			default:
				f, err := parseFormat(arg(i + 2))
				if err != nil {
					return i, err
				}
				r.Hdrs = append(r.Hdrs, ReturnHeader{Name: []byte(a), Value: f})
			}
			i += 3
		default:
			goto done
		}
	}
done:
	switch {
	case kind == "":
		r.ContentType = ""
	case r.DefaultErrorfile || r.Errorfile:
		if r.DefaultErrorfile {
			if err := checkErrorPage(r, "default-errorfiles"); err != nil {
				return i, err
			}
		}
		r.ContentType, r.Hdrs = "", nil
	case hasLF:
		if r.Status == 204 || r.Status == 304 {
			return i, reason("No body expected for " + strconv.Itoa(r.Status) + " responses")
		}
		if r.ContentType == "" {
			return i, reason("a content type must be defined with a log-format payload")
		}
		f, err := parseFormat(lf)
		if err != nil {
			return i, err
		}
		r.Value = f
	default: // string or file
		if (r.Status == 204 || r.Status == 304) && len(r.Body) > 0 {
			return i, reason("No body expected for " + strconv.Itoa(r.Status) + " responses")
		}
		if r.ContentType == "" && len(r.Body) > 0 {
			return i, reason("a content type must be defined when non-empty payload is configured")
		}
		if len(r.Body) == 0 {
			r.ContentType = ""
		}
	}
	return i, nil
}

// checkErrorPage sets r to answer with the default error page of its
// status, which must have one.
func checkErrorPage(r *Rule, arg string) *perr {
	if !hasErrorPage(r.Status) {
		return reason("status code '" + strconv.Itoa(r.Status) + "' not handled by default with '" + arg + "' argument.")
	}
	r.DefaultErrorfile = true
	return nil
}

// MatchName reports whether a header name equals the rule's Name,
// case-insensitively; for del-header with "-m beg|end|sub|reg", whether
// it starts with, ends with, contains or matches it.
func (r *Rule) MatchName(name []byte) bool {
	switch r.NameMatch {
	case NameBeg:
		return hasPrefixFold(name, r.Name, true)
	case NameEnd:
		return hasSuffixFold(name, r.Name, true)
	case NameSub:
		return indexFold(name, r.Name, true) >= 0
	case NameReg:
		return r.Regex != nil && r.Regex.Match(name)
	}
	return equalFold(name, r.Name)
}

// ReplaceValue appends to dst the value after a replace-header/
// replace-value/replace-path/replace-uri substitution and reports whether
// the regex matched (dst is unchanged otherwise). As in HAProxy the regex
// is searched anywhere in value and, when it matches, the whole value is
// replaced by the rule's format, evaluated for s, in which "\0".."\9"
// stand for the regex's groups, "\xHH" for a byte and "\c" for c.
// It allocates the submatch indexes (Go's regexp has no API to reuse
// them); the format is built in scratch space of s.Vars().
func (r *Rule) ReplaceValue(dst, value []byte, s Sample) ([]byte, bool) {
	if r.Regex == nil || r.Value == nil {
		return dst, false
	}
	m := r.Regex.FindSubmatchIndex(value)
	if m == nil {
		return dst, false
	}
	var local []byte
	tmpl := &local
	if v := s.Vars(); v != nil {
		tmpl = &v.tmp
	}
	*tmpl = r.Value.Append((*tmpl)[:0], s)
	return expandReplace(dst, *tmpl, value, m), true
}

// expandReplace appends tmpl to dst with HAProxy's exp_replace escapes.
func expandReplace(dst, tmpl, src []byte, m []int) []byte {
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c != '\\' || i+1 >= len(tmpl) {
			dst = append(dst, c)
			continue
		}
		i++
		c = tmpl[i]
		switch {
		case c >= '0' && c <= '9':
			n := int(c-'0') * 2
			if n+1 < len(m) && m[n] >= 0 && m[n+1] >= 0 {
				dst = append(dst, src[m[n]:m[n+1]]...)
			}
		case c == 'x' && i+2 < len(tmpl):
			dst = append(dst, hexNibble(tmpl[i+1])<<4|hexNibble(tmpl[i+2]))
			i += 2
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// hexNibble converts a hex digit as HAProxy's exp_replace does, without
// checking it.
func hexNibble(c byte) byte {
	h := upperByte(c) - '0'
	if h > 9 {
		h -= 'A' - '9' - 1
	}
	return h
}

// ApplyVar executes a set-var or unset-var rule on s.Vars(); it does
// nothing for other actions. As in HAProxy, set-var leaves the variable
// as it is when the expression finds no value. It does not allocate once
// the variable's buffer is large enough.
func (r *Rule) ApplyVar(s Sample) {
	vars := s.Vars()
	if vars == nil {
		return
	}
	switch r.Action {
	case ActUnsetVar:
		vars.Unset(r.Var)
	case ActSetVar:
		var it iter
		var v value
		vars.tmp = vars.tmp[:0]
		if r.Expr.eval(s, &it, &vars.tmp, &v) {
			vars.setValue(r.Var, &v)
		}
	}
}
