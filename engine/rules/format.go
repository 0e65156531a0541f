package rules

import "strconv"

// Format is a rule value in HAProxy's log-format syntax restricted to
// literal text, "%%", "\" escapes already done by the lexer, and
// "%[expr]" sample expressions. It is immutable once parsed and may be
// used by several goroutines at once.
type Format struct {
	parts []fmtPart
	lit   []byte // the whole value when it has no expression
	expr  bool
	text  string
}

type fmtPart struct {
	lit  []byte
	expr *Expr
	pos  int // expr: offset of its fetch name in the format text
}

// ParseFormat parses text. Other %-variables (%ci, %T...) and "%{...}"
// options give an error saying they are not supported in this context yet;
// unknown ones HAProxy's error. Error texts are HAProxy's reasons, without
// the rule context (the rule parsers of this package add it).
func ParseFormat(text string) (*Format, error) {
	f, err := parseFormat(text)
	if err != nil {
		return nil, err.wrap("", "")
	}
	return f, nil
}

// literalFormat returns a Format that is text as it is (HAProxy's
// "redirect" keyword, for instance, does not read log-format).
func literalFormat(text string) *Format {
	return &Format{lit: []byte(text), parts: []fmtPart{{lit: []byte(text)}}, text: text}
}

func parseFormat(text string) (*Format, *perr) {
	f := &Format{text: text}
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			f.parts = append(f.parts, fmtPart{lit: lit})
			lit = nil
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c != '%' {
			lit = append(lit, c)
			i++
			continue
		}
		if i+1 >= len(text) {
			return nil, reason("truncated line after '%'")
		}
		switch n := text[i+1]; {
		case n == '%':
			lit = append(lit, '%')
			i += 2
		case n == '[':
			start := i + 2
			e, end, err := parseExprAt(text, start, modeFmt, nil)
			if err != nil {
				return nil, &perr{msg: "failed to parse sample expression <" + text[start:] + "> : " + err.msg, notImpl: err.notImpl}
			}
			if end >= len(text) {
				return nil, reason("missing ']' after '" + text[start:end] + "'")
			}
			if text[end] != ']' {
				return nil, reason("expected ']' after '" + text[start:end] + "', but found '" + text[end:end+1] + "'")
			}
			flush()
			f.parts = append(f.parts, fmtPart{expr: e, pos: start})
			f.expr = true
			i = end + 1
		case n == '{':
			return nil, notImpl("log-format options ('%{...}') are not supported in this context yet")
		case isAlnum(n):
			j := i + 1
			for j < len(text) && isAlnum(text[j]) {
				j++
			}
			name := text[i+1 : j]
			if logFormatVars[name] {
				return nil, notImpl("format variable '%" + name + "' is not supported in this context yet")
			}
			return nil, reason("no such format variable '" + name + "'. If you wanted to emit the '%' character verbatim, you need to use '%%'")
		default:
			return nil, reason("unexpected variable name near '" + text[i+1:i+2] + "' at position " + strconv.Itoa(i+1) +
				" line : '" + text + "'. Maybe you want to write a single '%', use the syntax '%%'")
		}
	}
	flush()
	if !f.expr {
		for _, p := range f.parts {
			f.lit = append(f.lit, p.lit...)
		}
		if f.lit == nil {
			f.lit = []byte{}
		}
	}
	return f, nil
}

// Append appends the value to dst: literal parts as they are, expressions
// as Expr.Append does (nothing for an absent sample). It does not
// allocate unless dst must grow.
func (f *Format) Append(dst []byte, s Sample) []byte {
	for i := range f.parts {
		p := &f.parts[i]
		if p.expr != nil {
			dst, _ = p.expr.Append(dst, s)
		} else {
			dst = append(dst, p.lit...)
		}
	}
	return dst
}

// Literal returns the whole value when it has no expression. The slice
// belongs to f and must not be modified.
func (f *Format) Literal() ([]byte, bool) {
	if f.expr {
		return nil, false
	}
	return f.lit, true
}

// String returns the format as written.
func (f *Format) String() string { return f.text }
