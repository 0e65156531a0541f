package rules

import "strconv"

// Redirect types.
const (
	RedirectLocation uint8 = iota + 1
	RedirectPrefix
	RedirectScheme
)

// Redirect is a parsed redirect rule. It is immutable once parsed.
type Redirect struct {
	Type                   uint8   // RedirectLocation, RedirectPrefix, RedirectScheme
	To                     *Format // the location, prefix or scheme
	Code                   int     // 301, 302 (default), 303, 307, 308
	DropQuery, AppendSlash bool
	// SetCookie and ClearCookie hold the argument as written ("NAME=value",
	// "NAME"); at most one is set, the last given.
	SetCookie, ClearCookie string
	// IgnoreEmpty: skip the rule when To evaluates to nothing
	// (AppendResponseIf reports it); HAProxy applies it to log-format
	// values only.
	IgnoreEmpty bool

	legacy bool // the proxy keyword "redirect": To is literal
}

var redirectReasons = map[int]string{
	301: "Moved Permanently",
	302: "Found",
	303: "See Other",
	307: "Temporary Redirect",
	308: "Permanent Redirect",
}

// AppendResponse writes the complete redirect response as HAProxy 2.6
// sends it: the status line, "content-length: 0", "location",
// "cache-control: no-cache" for 302, 303 and 307, "set-cookie" when
// asked, and "connection: close" when close is set, then the empty line.
// It does not allocate unless dst must grow.
func (r *Redirect) AppendResponse(dst []byte, s Sample, close bool) []byte {
	dst, _ = r.appendResponse(dst, s, close, false)
	return dst
}

// AppendResponseIf is AppendResponse for rules with IgnoreEmpty: when
// the location's value is empty it appends nothing and returns false,
// and the rule must be skipped as if its condition had failed.
func (r *Redirect) AppendResponseIf(dst []byte, s Sample, close bool) ([]byte, bool) {
	return r.appendResponse(dst, s, close, r.IgnoreEmpty && !r.legacy)
}

func (r *Redirect) appendResponse(dst []byte, s Sample, close, skipEmpty bool) ([]byte, bool) {
	start := len(dst)
	code := r.Code
	reason, ok := redirectReasons[code]
	if !ok {
		code, reason = 302, redirectReasons[302]
	}
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(code), 10)
	dst = append(dst, ' ')
	dst = append(dst, reason...)
	dst = append(dst, "\r\ncontent-length: 0\r\nlocation: "...)
	locStart := len(dst)
	var empty bool
	dst, empty = r.appendLocation(dst, s)
	if skipEmpty && empty {
		return dst[:start], false
	}
	if r.AppendSlash && r.Type != RedirectLocation && len(dst) > locStart && dst[len(dst)-1] != '/' {
		dst = append(dst, '/')
	}
	dst = append(dst, "\r\n"...)
	if code == 302 || code == 303 || code == 307 {
		dst = append(dst, "cache-control: no-cache\r\n"...)
	}
	switch {
	case r.SetCookie != "":
		dst = append(dst, "set-cookie: "...)
		dst = append(dst, r.SetCookie...)
		dst = append(dst, "; path=/;\r\n"...)
	case r.ClearCookie != "":
		dst = append(dst, "set-cookie: "...)
		dst = append(dst, r.ClearCookie...)
		dst = append(dst, "; path=/; Max-Age=0;\r\n"...)
	}
	if close {
		dst = append(dst, "connection: close\r\n"...)
	}
	return append(dst, "\r\n"...), true
}

// appendLocation appends the location and reports whether the value of
// To was empty.
func (r *Redirect) appendLocation(dst []byte, s Sample) ([]byte, bool) {
	toStart := len(dst)
	switch r.Type {
	case RedirectPrefix:
		dst = r.To.Append(dst, s)
		empty := len(dst) == toStart
		if len(dst) == toStart+1 && dst[toStart] == '/' {
			// A prefix of "/" alone adds nothing, so that a rule can
			// redirect to the same path.
			dst = dst[:toStart]
		}
		return r.appendPath(dst, s), empty
	case RedirectScheme:
		dst = r.To.Append(dst, s)
		empty := len(dst) == toStart
		dst = append(dst, "://"...)
		var hc hdrCursor
		if host, ok := hc.next(s, false, hostName, false); ok {
			dst = append(dst, host...)
		}
		return r.appendPath(dst, s), empty
	default:
		dst = r.To.Append(dst, s)
		return dst, len(dst) == toStart
	}
}

// appendPath appends the request's path and query (unless DropQuery), or
// "/" when the target has no path.
func (r *Redirect) appendPath(dst []byte, s Sample) []byte {
	p, ok := reqPath(s)
	if !ok {
		return append(dst, '/')
	}
	dst = append(dst, p...)
	if !r.DropQuery && hasQuery(s) {
		dst = append(dst, '?')
		dst = append(dst, s.Query()...)
	}
	return dst
}

// ParseRedirect parses the words after the proxy keyword "redirect",
// condition included. Its location, prefix or scheme is literal text, as
// in HAProxy.
func ParseRedirect(words []string, acls *ACLSet) (*Rule, error) {
	r, err := parseRedirect(words, acls, true, false)
	if err != nil {
		return nil, err.wrap(ruleErrPrefix(acls, "redirect rule"), ".")
	}
	return r, nil
}

// parseRedirect parses a redirect rule: the proxy keyword (legacy) or
// the action of http-request/http-response (log-format values).
func parseRedirect(words []string, acls *ACLSet, legacy, res bool) (*Rule, *perr) {
	rd := &Redirect{Code: 302, legacy: legacy}
	var to string
	r := &Rule{Action: ActRedirect, Redirect: rd, Var: -1}
	i := 0
	for ; i < len(words); i++ {
		w := words[i]
		arg := ""
		if i+1 < len(words) {
			arg = words[i+1]
		}
		switch w {
		case "location", "prefix", "scheme":
			if arg == "" {
				return nil, reason("missing argument for '" + w + "'")
			}
			switch w {
			case "location":
				rd.Type = RedirectLocation
			case "prefix":
				rd.Type = RedirectPrefix
			default:
				rd.Type = RedirectScheme
			}
			to = arg
			i++
		case "code":
			if arg == "" {
				return nil, reason("missing argument for 'code'")
			}
			n, err := strconv.Atoi(arg)
			if _, ok := redirectReasons[n]; err != nil || !ok {
				return nil, reason("'code': unsupported HTTP code '" + arg + "' (must be one of 301, 302, 303, 307 or 308)")
			}
			rd.Code = n
			i++
		case "set-cookie", "clear-cookie":
			if arg == "" {
				return nil, reason("missing argument for '" + w + "'")
			}
			if w == "set-cookie" {
				rd.SetCookie, rd.ClearCookie = arg, ""
			} else {
				rd.SetCookie, rd.ClearCookie = "", arg
			}
			i++
		case "drop-query":
			rd.DropQuery = true
		case "append-slash":
			rd.AppendSlash = true
		case "ignore-empty":
			rd.IgnoreEmpty = true
		case "if", "unless":
			c, err := parseCond(words[i:], acls)
			if err != nil {
				return nil, &perr{msg: "error in condition: " + err.msg, notImpl: err.notImpl}
			}
			r.Cond = c
			i = len(words)
		case "":
		default:
			return nil, reason("expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', " +
				"'drop-query', 'ignore-empty' or 'append-slash' (was '" + w + "')")
		}
	}
	if rd.Type == 0 {
		return nil, reason("redirection type expected ('prefix', 'location', or 'scheme')")
	}
	if res && rd.Type != RedirectLocation {
		return nil, reason("response only supports redirect type 'location'")
	}
	if legacy {
		rd.To = literalFormat(to)
	} else {
		f, err := parseFormat(to)
		if err != nil {
			return nil, err
		}
		rd.To = f
	}
	return r, nil
}
