package config

import (
	"errors"
	"os"
	"strings"
)

// ErrCondSyntax is wrapped by every error EvalCond returns: the expression
// could not be parsed. The wrapping error's text says why, in HAProxy's
// words.
var ErrCondSyntax = errors.New("config: syntax error in condition")

// EvalCond evaluates a condition of the ".if" / "-cc" grammar
// (configuration.txt section 2.4). expr is first cut into words by the
// configuration lexer (quotes removed, escapes resolved, "${VAR}"
// expanded through opts.LookupEnv) and the words are joined with single
// spaces, exactly as a ".if" line is; the result is then evaluated.
//
// An empty expression is false, not an error. Every error wraps
// ErrCondSyntax. EvalCond has no side effects and never panics.
func EvalCond(expr string, opts Options) (bool, error) {
	env := &lexEnv{lookup: opts.lookupEnv()}
	lx, lerr := lexLine(expr, env)
	if lerr != nil {
		msg := lerr.msg
		if !lerr.whole && msg == "unmatched quote" {
			msg = "Unmatched quote."
		}
		return false, condErr(msg)
	}
	v, cerr := evalCond(strings.Join(lx.words, " "), opts.versionKey(), opts.Feature, env.lookup)
	if cerr != nil {
		return false, condErr(cerr.msg)
	}
	return v, nil
}

func condErr(msg string) error {
	return &condSyntaxError{msg: msg}
}

// condSyntaxError carries HAProxy's description of a condition error.
type condSyntaxError struct{ msg string }

func (e *condSyntaxError) Error() string { return ErrCondSyntax.Error() + ": " + e.msg }

func (e *condSyntaxError) Unwrap() error { return ErrCondSyntax }

// condError is an evaluation failure: HAProxy's message and the byte
// offset in the expression it refers to.
type condError struct {
	msg  string
	pos  int
	kind condErrKind
}

type condErrKind uint8

const (
	condErrOther      condErrKind = iota
	condErrUnparsable             // a term could not start at pos
	condErrParen                  // the term starting at pos lacks its ')'
)

// termError builds the error of kind k about the term starting at from.
func (e *condEval) termError(k condErrKind, from int) *condError {
	if k == condErrParen {
		return &condError{msg: "expected ')' after conditional expression '" + e.s[from:] + "'", pos: from, kind: k}
	}
	return &condError{msg: "unparsable conditional expression '" + e.s[from:] + "'", pos: from, kind: k}
}

// condEval is one evaluation of an already lexed expression.
type condEval struct {
	s       string
	pos     int
	version versionKey
	feature func(string) bool
	lookup  func(string) (string, bool)
}

// evalCond evaluates an expression whose words were already joined. The
// whole expression is always parsed, even the operands that do not decide
// the result, so that a syntax error is reported whatever the values.
func evalCond(s string, version versionKey, feature func(string) bool, lookup func(string) (string, bool)) (bool, *condError) {
	e := &condEval{s: s, version: version, feature: feature, lookup: lookup}
	e.skipBlanks()
	if e.pos == len(s) {
		return false, nil
	}
	v, err := e.parseOr()
	if err != nil {
		return false, err
	}
	e.skipBlanks()
	if e.pos < len(s) {
		return false, &condError{
			msg: "unexpected character '" + string(s[e.pos]) + "' at the end of conditional expression '" + s + "'",
			pos: e.pos,
		}
	}
	return v, nil
}

func (e *condEval) skipBlanks() {
	for e.pos < len(e.s) && isBlank(e.s[e.pos]) {
		e.pos++
	}
}

func (e *condEval) peek(op string) bool { return strings.HasPrefix(e.s[e.pos:], op) }

// parseOr parses and-terms separated by "||".
func (e *condEval) parseOr() (bool, *condError) {
	start := e.pos
	v, err := e.parseAnd()
	if err != nil {
		return false, err
	}
	for {
		e.skipBlanks()
		if !e.peek("||") {
			return v, nil
		}
		e.pos += 2
		r, err := e.parseAnd()
		if err != nil {
			if err.kind == condErrUnparsable && err.pos >= len(e.s) {
				// Nothing after the operator: HAProxy quotes the
				// whole disjunction.
				err = e.termError(condErrUnparsable, start)
			}
			return false, err
		}
		v = v || r
	}
}

// parseAnd parses terms separated by "&&".
func (e *condEval) parseAnd() (bool, *condError) {
	v, err := e.parseTerm()
	if err != nil {
		return false, err
	}
	for {
		e.skipBlanks()
		if !e.peek("&&") {
			return v, nil
		}
		op := e.pos
		e.pos += 2
		r, err := e.parseTerm()
		if err != nil {
			if err.kind == condErrUnparsable && err.pos >= len(e.s) {
				// Nothing after the operator: HAProxy quotes the
				// operator.
				err = e.termError(condErrUnparsable, op)
			}
			return false, err
		}
		v = v && r
	}
}

// parseTerm parses "!" term, "(" expression ")", a predicate or an integer.
func (e *condEval) parseTerm() (bool, *condError) {
	e.skipBlanks()
	start := e.pos
	unparsable := func() *condError { return e.termError(condErrUnparsable, start) }
	if e.pos >= len(e.s) {
		return false, unparsable()
	}
	c := e.s[e.pos]
	switch {
	case c == '!':
		e.pos++
		e.skipBlanks()
		inner := e.pos
		v, err := e.parseTerm()
		if err != nil {
			if err.kind != condErrOther && (err.pos == inner || err.pos >= len(e.s)) {
				// HAProxy quotes a negated term from its '!'.
				return false, e.termError(err.kind, start)
			}
			return false, err
		}
		return !v, nil
	case c == '(':
		e.pos++
		e.skipBlanks()
		if e.pos >= len(e.s) {
			return false, unparsable()
		}
		v, err := e.parseOr()
		if err != nil {
			return false, err
		}
		e.skipBlanks()
		if e.pos >= len(e.s) || e.s[e.pos] != ')' {
			return false, e.termError(condErrParen, start)
		}
		e.pos++
		return v, nil
	case isAlpha(c) || c == '_':
		end := e.pos
		for end < len(e.s) && (isAlnum(e.s[end]) || e.s[end] == '_') {
			end++
		}
		name := e.s[e.pos:end]
		pred, ok := condPredicates[name]
		if !ok {
			return false, unparsable()
		}
		e.pos = end
		return e.evalPredicate(name, pred)
	default:
		n, end := strtol(e.s, e.pos, 0)
		if end == e.pos {
			return false, unparsable()
		}
		e.pos = end
		return n != 0, nil
	}
}

// condPredicate describes one predicate: how many arguments it needs and
// accepts.
type condPredicate struct {
	min, max int
}

var condPredicates = map[string]condPredicate{
	"defined":         {0, 1},
	"feature":         {0, 1},
	"streq":           {2, 2},
	"strneq":          {2, 2},
	"version_atleast": {0, 1},
	"version_before":  {0, 1},
}

// evalPredicate parses the argument list that may follow a predicate name
// at e.pos and evaluates the predicate.
func (e *condEval) evalPredicate(name string, pred condPredicate) (bool, *condError) {
	var args []string
	if e.pos < len(e.s) && e.s[e.pos] == '(' {
		var err *condError
		args, err = e.parseArgs(name, pred.max)
		if err != nil {
			return false, err
		}
	}
	if len(args) < pred.min {
		got := len(args)
		if got == 0 {
			got = 1
		}
		return false, &condError{
			msg: "missing arguments (got " + itoa(got) + "/" + itoa(pred.min) + "), type 'string' expected in argument " +
				itoa(got) + " of predicate '" + name + "' used in conditional expression",
			pos: e.pos,
		}
	}
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	switch name {
	case "defined":
		if e.lookup == nil {
			return false, nil
		}
		_, ok := e.lookup(arg(0))
		return ok && arg(0) != "", nil
	case "feature":
		return e.feature != nil && e.feature(arg(0)), nil
	case "streq":
		return args[0] == args[1], nil
	case "strneq":
		return args[0] != args[1], nil
	case "version_atleast":
		c, ok := compareVersion(e.version, arg(0))
		return !ok || c <= 0, nil
	case "version_before":
		c, ok := compareVersion(e.version, arg(0))
		return ok && c > 0, nil
	}
	return false, nil
}

// parseArgs parses "(a,b,...)" starting at the '(' at e.pos. Arguments are
// taken verbatim (blanks included) except that single and double quotes
// protect commas and parentheses and are removed, and that a backslash
// outside single quotes escapes a quote or a backslash.
func (e *condEval) parseArgs(name string, max int) ([]string, *condError) {
	open := e.pos
	e.pos++
	var (
		args   []string
		cur    []byte
		squote bool
		dquote bool
	)
	for e.pos < len(e.s) {
		c := e.s[e.pos]
		switch {
		case squote:
			if c == '\'' {
				squote = false
			} else {
				cur = append(cur, c)
			}
		case c == '\'' && !dquote:
			squote = true
		case c == '"':
			dquote = !dquote
		case c == '\\' && e.pos+1 < len(e.s) && strings.IndexByte(`\"'`, e.s[e.pos+1]) >= 0:
			e.pos++
			cur = append(cur, e.s[e.pos])
		case dquote:
			cur = append(cur, c)
		case c == ',':
			if len(args)+1 >= max {
				return nil, &condError{
					msg: "expected ')' before '" + e.s[e.pos:] + "' in argument 1 of predicate '" + name + "' used in conditional expression",
					pos: e.pos,
				}
			}
			args = append(args, string(cur))
			cur = cur[:0]
		case c == ')':
			e.pos++
			return append(args, string(cur)), nil
		default:
			cur = append(cur, c)
		}
		e.pos++
	}
	return nil, &condError{
		msg: "expected ')' in argument 1 of predicate '" + name + "' used in conditional expression",
		pos: open,
	}
}

// lookupEnv returns the environment lookup function of opts.
func (o Options) lookupEnv() func(string) (string, bool) {
	if o.LookupEnv != nil {
		return o.LookupEnv
	}
	return os.LookupEnv
}

// versionKey returns the parsed version conditions compare against. An
// unparsable Options.Version compares as CompatVersion.
func (o Options) versionKey() versionKey {
	if o.Version != "" {
		if k, ok := splitVersion(o.Version); ok {
			return k
		}
	}
	k, _ := splitVersion(CompatVersion)
	return k
}
