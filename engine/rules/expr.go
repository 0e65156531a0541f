package rules

import (
	"strconv"
	"strings"
)

// Expr is a sample expression: a fetch and optional converters, e.g.
// "req.hdr(host),lower". It is immutable once parsed and may be evaluated
// by several goroutines at once.
type Expr struct {
	f     fetch
	convs []*convDef
	text  string
}

// ParseExpr parses a sample expression taking the whole of text. The
// error text is HAProxy's reason ("unknown fetch method 'foo'"), which
// callers place in their own context.
func ParseExpr(text string) (*Expr, error) {
	e, _, err := parseExprAt(text, 0, modeWord, nil)
	if err != nil {
		return nil, err.wrap("", "")
	}
	return e, nil
}

// String returns the expression as written.
func (e *Expr) String() string { return e.text }

// Append appends the expression's value as text to dst (nothing when the
// sample is absent) and reports whether a value was found. Integers are
// written in decimal, booleans as 0 or 1, addresses in their usual text
// form. Outside ACLs a multi-valued fetch gives its last occurrence
// (hdr), or its first (url_param), as in HAProxy. It does not allocate
// unless dst must grow.
func (e *Expr) Append(dst []byte, s Sample) ([]byte, bool) {
	start := len(dst)
	var it iter
	var v value
	if !e.eval(s, &it, &dst, &v) {
		return dst[:start], false
	}
	switch v.t {
	case typeStr, typeMeth, typeBin, typeAny:
		// v.s may lie in dst after start: append moves it down.
		return append(dst[:start], v.s...), true
	}
	return v.appendText(dst[:start]), true
}

// eval produces the next value of e into v, converters applied.
func (e *Expr) eval(s Sample, it *iter, buf *[]byte, v *value) bool {
	if !e.f.next(s, it, buf, v) {
		return false
	}
	for _, c := range e.convs {
		if !c.apply(v, buf) {
			it.more = false
			return false
		}
	}
	return true
}

// outType is the static type of the expression's values.
func (e *Expr) outType() smpType {
	if n := len(e.convs); n > 0 {
		return e.convs[n-1].out
	}
	return e.f.def.out
}

// kwName is the keyword HAProxy names in messages about e.
func (e *Expr) kwName() string { return e.f.def.name }

type exprMode uint8

const (
	modeWord exprMode = iota // the expression is the whole text
	modeFmt                  // inside "%[...]": stops where it cannot continue
)

// isIDChar reports whether c may appear in a fetch or converter keyword
// (HAProxy's is_idchar).
func isIDChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '-' || c == '+' || c == '$'
}

// parseExprAt parses a sample expression starting at text[pos] and
// returns it with the position after it. kw, when set, is the ACL keyword
// found at pos, which names the fetch and changes the wording of errors as
// HAProxy does. Error texts quote the rest of text, as HAProxy's.
func parseExprAt(text string, pos int, mode exprMode, kw *aclKeyword) (*Expr, int, *perr) {
	end := pos
	for end < len(text) && isIDChar(text[end]) {
		end++
	}
	name := text[pos:end]
	var def *fetchDef
	prefix := "fetch method '" + name + "' : "
	if kw != nil {
		def = fetchDefs[kw.fetch]
		prefix = "ACL keyword '" + kw.name + "' : "
	} else {
		if name == "" {
			return nil, end, reason("missing fetch method")
		}
		def = fetchDefs[name]
		if def == nil {
			if isKnownFetch(name) {
				return nil, end, notImpl("fetch method '" + name + "' is not implemented yet")
			}
			return nil, end, reason("unknown fetch method '" + name + "'")
		}
	}
	e := &Expr{f: fetch{def: def, delim: '?', varIdx: -1}}
	e.f.setHdrSide()
	args, p, _, err := parseArgs(text, end, def.args, def.min)
	if err != nil {
		return nil, p, &perr{msg: prefix + err.msg, notImpl: err.notImpl}
	}
	if len(args) > 0 {
		e.f.hasArg = true
		e.f.name = []byte(args[0].s)
		if def.literal {
			e.f.num = args[0].n
		}
	}
	if def.kind == fkCounter {
		e.f.setCounterArgs(args)
	}
	if def.literal && def.out == typeBool {
		switch strings.ToLower(string(e.f.name)) {
		case "true", "1":
			e.f.num = 1
		case "false", "0":
			e.f.num = 0
		default:
			return nil, p, reason("invalid args in fetch method '" + name + "' : Expects 'true', 'false', '0' or '1'")
		}
	}
	if len(args) > 1 {
		switch {
		case def.hdrOcc:
			e.f.num = args[1].n
			if args[1].set && args[1].n < -maxHdrHistory {
				msg := "header occurrence must be >= " + strconv.Itoa(-maxHdrHistory)
				if kw != nil {
					return nil, p, reason("in argument to '" + kw.name + "', " + msg)
				}
				return nil, p, reason("invalid args in fetch method '" + name + "' : " + msg)
			}
		case def.kind == fkURLParam && args[1].s != "":
			e.f.delim = args[1].s[0]
		}
	}
	if def.isVar {
		vname := ""
		if len(args) > 0 {
			vname = args[0].s
		}
		idx, verr := varIndex(vname, "")
		if verr != nil {
			return nil, p, &perr{msg: "invalid args in fetch method '" + name + "' : " + verr.msg, notImpl: verr.notImpl}
		}
		e.f.varIdx = idx
	}
	// Converters.
	last := "fetch keyword '" + def.name + "'"
	if kw != nil {
		last = "fetch keyword '" + kw.name + "'"
	}
	convErr := func(msg string, ni bool) *perr {
		if kw != nil {
			return &perr{msg: prefix + msg + ".", notImpl: ni}
		}
		return &perr{msg: msg, notImpl: ni}
	}
	for p < len(text) {
		if text[p] != ',' {
			if mode == modeFmt {
				break
			}
			return nil, p, convErr("missing comma after "+last, false)
		}
		for p < len(text) && text[p] == ',' {
			p++
		}
		if p >= len(text) {
			break
		}
		cs := p
		for p < len(text) && isIDChar(text[p]) {
			p++
		}
		cname := text[cs:p]
		cd := convDefs[cname]
		if cd == nil {
			if knownConverters[cname] {
				return nil, p, convErr("converter '"+cname+"' is not implemented yet", true)
			}
			return nil, p, convErr("unknown converter '"+cname+"'", false)
		}
		_, np, idx, aerr := parseArgs(text, p, nil, 0)
		if aerr != nil {
			return nil, np, convErr("invalid arg "+strconv.Itoa(idx+1)+" in converter '"+cname+"' : "+aerr.msg, false)
		}
		p = np
		e.convs = append(e.convs, cd)
		last = "converter '" + cname + "'"
	}
	e.text = text[pos:p]
	return e, p, nil
}
