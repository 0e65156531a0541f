package rules

import (
	"strconv"
	"strings"
)

// argKind is the type of a fetch or converter argument.
type argKind uint8

const (
	argStr argKind = iota + 1
	argInt
)

// argVal is one parsed argument.
type argVal struct {
	s   string
	n   int64
	set bool // false: empty or absent
}

// parseArgs parses the argument list of a fetch or converter whose name
// ends at text[pos], as HAProxy's make_arg_list does: no '(' means no
// arguments; otherwise comma-separated arguments up to the matching ')',
// where quotes and backslashes protect commas and parentheses. The first
// min arguments are mandatory for integer kinds (strings default to
// empty). It returns the arguments, the position after the list, the
// index of the failing argument and HAProxy's reason on error.
func parseArgs(text string, pos int, kinds []argKind, min int) ([]argVal, int, int, *perr) {
	var args []argVal
	if pos >= len(text) || text[pos] != '(' {
		if err := missingArg(kinds, min, 0); err != nil {
			return nil, pos, 0, err
		}
		return nil, pos, 0, nil
	}
	p := pos + 1
	if len(kinds) == 0 {
		if p < len(text) && text[p] == ')' {
			return nil, p + 1, 0, nil
		}
		if p >= len(text) {
			return nil, p, 0, reason("expected ')'")
		}
		return nil, p, 0, reason("expected ')' before '" + text[p:] + "'")
	}
	for {
		var b strings.Builder
		var quote byte
		start := p
		for ; p < len(text); p++ {
			c := text[p]
			if quote != 0 {
				switch {
				case c == quote:
					quote = 0
				case c == '\\' && quote == '"' && p+1 < len(text):
					p++
					b.WriteByte(text[p])
				default:
					b.WriteByte(c)
				}
				continue
			}
			if c == ',' || c == ')' {
				break
			}
			switch c {
			case '\'', '"':
				quote = c
			case '\\':
				if p+1 < len(text) {
					p++
					b.WriteByte(text[p])
				}
			default:
				b.WriteByte(c)
			}
		}
		if p >= len(text) {
			return nil, p, len(args), reason("expected ')'")
		}
		idx := len(args)
		a := argVal{s: b.String(), set: p > start}
		if kinds[idx] == argInt && a.set {
			n, err := strconv.ParseInt(strings.TrimSpace(a.s), 10, 64)
			if err != nil {
				return nil, p, idx, reason("failed to parse '" + a.s + "' as type 'integer' at position " + strconv.Itoa(idx+1))
			}
			a.n = n
		}
		args = append(args, a)
		if text[p] == ')' {
			p++
			break
		}
		// a comma
		if len(args) == len(kinds) {
			return nil, p, len(args), reason("expected ')' before '" + text[p:] + "'")
		}
		p++
	}
	if err := missingArg(kinds, min, len(args)); err != nil {
		return nil, p, len(args), err
	}
	for i := 0; i < min && i < len(args); i++ {
		if kinds[i] == argInt && !args[i].set {
			return nil, p, i, reason("expected type 'integer' at position " + strconv.Itoa(i+1) + ", but got nothing")
		}
	}
	return args, p, 0, nil
}

// missingArg reports the first mandatory integer argument absent from a
// list of n arguments.
func missingArg(kinds []argKind, min, n int) *perr {
	for i := n; i < min; i++ {
		if kinds[i] == argInt {
			return reason("expected type 'integer' at position " + strconv.Itoa(i+1) + ", but got nothing")
		}
	}
	return nil
}
