package rules

import "errors"

// Sentinel errors wrapped by every *Error the parse functions return.
var (
	// ErrSyntax: the words are not valid HAProxy 2.6 syntax.
	ErrSyntax = errors.New("rules: syntax error")
	// ErrNotImplemented: the words are valid for HAProxy 2.6 but ask for
	// something hitless does not do (yet).
	ErrNotImplemented = errors.New("rules: not implemented")
)

// Error is a parse error. Its text is what HAProxy 2.6 prints after
// "parsing [file:line] : " for the same mistake, final period included,
// except for ParseCond, whose errors carry only HAProxy's reason (see
// ParseCond). Errors wraps ErrSyntax or ErrNotImplemented.
type Error struct {
	Msg  string
	kind error
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns ErrSyntax or ErrNotImplemented.
func (e *Error) Unwrap() error { return e.kind }

func syntaxErr(msg string) *Error { return &Error{Msg: msg, kind: ErrSyntax} }

func notImplErr(msg string) *Error { return &Error{Msg: msg, kind: ErrNotImplemented} }

// perr is an error reason found while parsing a part of a line (an
// expression, a pattern, a condition); the caller wraps it in the
// context HAProxy names.
type perr struct {
	msg     string
	notImpl bool
}

func reason(msg string) *perr { return &perr{msg: msg} }

func notImpl(msg string) *perr { return &perr{msg: msg, notImpl: true} }

// wrap returns the Error whose text is prefix+msg+suffix, of the kind of p.
func (p *perr) wrap(prefix, suffix string) *Error {
	if p.notImpl {
		return notImplErr(prefix + p.msg + suffix)
	}
	return syntaxErr(prefix + p.msg + suffix)
}
