package logs

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of Compile. The error texts of formats HAProxy refuses are
// HAProxy's own, so that "failed to parse log-format : <text>" reads the
// same; errors.Is tells the kinds apart.
var (
	// ErrFormat: HAProxy 2.6 refuses the format too.
	ErrFormat = errors.New("logs: invalid log-format")
	// ErrSampleExpr: "%[...]" is valid for HAProxy but hitless does not
	// evaluate sample expressions in log-format yet.
	ErrSampleExpr = errors.New("logs: sample expressions in log-format are not supported by hitless yet")
)

// formatError carries HAProxy's text and the kind for errors.Is.
type formatError struct {
	msg  string
	kind error
}

func (e *formatError) Error() string { return e.msg }
func (e *formatError) Unwrap() error { return e.kind }

func errorf(kind error, format string, args ...any) error {
	return &formatError{msg: fmt.Sprintf(format, args...), kind: kind}
}

// Node options, HAProxy's flags.
const (
	optQuote     uint8 = 1 << iota // +Q: quote strings
	optHex                         // +X: hexadecimal IPs, ports, %Ts %ms %pid %rt %lc
	optEsc                         // +E: backslash before '"', '\' and ']' in strings
	optMandatory                   // +M (default): print "-" for a missing string
)

// Node kinds: text, separator, then one per variable.
type kind uint8

const (
	kText kind = iota
	kSep
	vB
	vCC
	vCS
	vH
	vID
	vST
	vT
	vTa
	vTc
	vTh
	vTi
	vTl
	vTq
	vTr
	vTR
	vTd
	vTs
	vTt
	vTu
	vTw
	vU
	vac
	vb
	vbc
	vbi
	vbp
	vbq
	vci
	vcp
	vf
	vfc
	vfi
	vfp
	vft
	vhr
	vhrl
	vhs
	vhsl
	vHM
	vHP
	vHPO
	vHQ
	vHU
	vHV
	vlc
	vms
	vpid
	vr
	vrc
	vrt
	vs
	vsc
	vsi
	vsp
	vsq
	vsslc
	vsslv
	vt
	vtr
	vtrg
	vtrl
	vts
	vtsc
	numKinds
)

// variable is one entry of HAProxy 2.6's log-format variable table.
type variable struct {
	k    kind
	http bool // reserved for mode http
}

// variables maps a variable name (case-sensitive) to its kind; "o" is
// the special variable that sets the flags of the variables after it.
var variables = map[string]variable{
	"B": {vB, false}, "CC": {vCC, true}, "CS": {vCS, true}, "H": {vH, false},
	"ID": {vID, false}, "ST": {vST, false}, "T": {vT, false}, "Ta": {vTa, true},
	"Tc": {vTc, false}, "Th": {vTh, false}, "Ti": {vTi, true}, "Tl": {vTl, false},
	"Tq": {vTq, true}, "Tr": {vTr, true}, "TR": {vTR, true}, "Td": {vTd, false},
	"Ts": {vTs, false}, "Tt": {vTt, false}, "Tu": {vTu, false}, "Tw": {vTw, false},
	"U": {vU, false}, "ac": {vac, false}, "b": {vb, false}, "bc": {vbc, false},
	"bi": {vbi, false}, "bp": {vbp, false}, "bq": {vbq, false}, "ci": {vci, false},
	"cp": {vcp, false}, "f": {vf, false}, "fc": {vfc, false}, "fi": {vfi, false},
	"fp": {vfp, false}, "ft": {vft, false}, "hr": {vhr, false}, "hrl": {vhrl, false},
	"hs": {vhs, false}, "hsl": {vhsl, false}, "HM": {vHM, true}, "HP": {vHP, true},
	"HPO": {vHPO, true}, "HQ": {vHQ, true}, "HU": {vHU, true}, "HV": {vHV, true},
	"lc": {vlc, false}, "ms": {vms, false}, "pid": {vpid, false}, "r": {vr, true},
	"rc": {vrc, false}, "rt": {vrt, false}, "s": {vs, false}, "sc": {vsc, false},
	"si": {vsi, false}, "sp": {vsp, false}, "sq": {vsq, false}, "sslc": {vsslc, false},
	"sslv": {vsslv, false}, "t": {vt, false}, "tr": {vtr, true}, "trg": {vtrg, true},
	"trl": {vtrl, true}, "ts": {vts, false}, "tsc": {vtsc, false},
}

// node is one compiled element: literal text, a separator (a run of
// spaces, printed as one space unless the line is empty or already ends
// with a separator) or a variable with its options.
type node struct {
	k    kind
	opts uint8
	text string // kText only
}

// DefaultLogURILen is HAProxy's default "tune.http.logurilen": %r prints
// at most DefaultLogURILen-1 bytes of the request line.
const DefaultLogURILen = 1024

// Format is a compiled log-format. It is immutable once compiled (but
// for SetLogURILen at configuration time) and safe for concurrent use.
type Format struct {
	src    string
	nodes  []node
	used   [2]uint64 // bit per kind printed
	uriLen int
}

// Compile compiles a log-format string as HAProxy 2.6 does for a proxy
// in mode http: literal text, spaces (each run prints as one space),
// %var and %{flags}var (flags +Q, +X, +E, +M and their '-' forms; unknown
// flags are ignored), "%o" (flags for every variable after it), "%%".
// "%[...]" sample expressions return an error wrapping ErrSampleExpr;
// every format HAProxy refuses returns HAProxy's error text, wrapping
// ErrFormat. Compile allocates; the result is meant to be shared.
func Compile(format string) (*Format, error) { return compile(format, false) }

// CompileTCP is Compile for a proxy in mode tcp: the variables HAProxy
// reserves for mode http (%r, %HM, %TR, %tr, %CC, ...) are refused with
// HAProxy's error text.
func CompileTCP(format string) (*Format, error) { return compile(format, true) }

// String returns the source of the format.
func (f *Format) String() string { return f.src }

// SetLogURILen sets "tune.http.logurilen": %r prints at most n-1 bytes
// of the request line, and the HTTP variables derived from it see only
// those. Values below 1 are ignored. It must not race with Append: call
// it while configuring.
func (f *Format) SetLogURILen(n int) {
	if n >= 1 {
		f.uriLen = n
	}
}

// Uses reports whether the format prints the variable named v ("ID",
// "hr", "r", ...), so that the engine skips computing what nobody
// prints. Variables derived from others (%HM from the request line) are
// reported under their own names only. It does not allocate.
func (f *Format) Uses(v string) bool {
	vr, ok := variables[v]
	return ok && f.used[vr.k/64]&(1<<(vr.k%64)) != 0
}

// UsesRequestLine reports whether the format prints the request line or
// a variable derived from it (%r %HM %HU %HP %HPO %HQ %HV), that is
// whether the engine must fill Fields.ReqLine (or its parts).
func (f *Format) UsesRequestLine() bool {
	for _, k := range [...]kind{vr, vHM, vHU, vHP, vHPO, vHQ, vHV} {
		if f.used[k/64]&(1<<(k%64)) != 0 {
			return true
		}
	}
	return false
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }

func compile(s string, tcp bool) (*Format, error) {
	f := &Format{src: s, uriLen: DefaultLogURILen}
	opts := optMandatory // defaults of every variable, changed by %o
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			f.nodes = append(f.nodes, node{k: kText, text: text.String()})
			text.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c == ' ' {
			flush()
			if n := len(f.nodes); n == 0 || f.nodes[n-1].k != kSep {
				f.nodes = append(f.nodes, node{k: kSep})
			}
			i++
			continue
		}
		if c != '%' {
			text.WriteByte(c)
			i++
			continue
		}
		// '%' at s[i]
		if i+1 == len(s) {
			return nil, errorf(ErrFormat, "truncated line after '%%'")
		}
		next := s[i+1]
		var arg string
		hasArg := false
		j := i + 1 // start of the variable name (or '[')
		switch {
		case next == '%':
			text.WriteByte('%')
			i += 2
			continue
		case next == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return nil, errorf(ErrFormat, "truncated line after '%s'", s[i+2:])
			}
			arg, hasArg = s[i+2:i+2+end], true
			j = i + 2 + end + 1
			if j == len(s) || (s[j] != '[' && !isAlnum(s[j])) {
				return nil, errorf(ErrFormat, "parse argument modifier without variable name near '%%{%s}'", arg)
			}
		case next == '[':
		case isAlpha(next):
		case isDigit(next) || next == ' ' || next == '\t':
			return nil, errorf(ErrFormat, "unexpected variable name near '%c' at position %d line : '%s'. Maybe you want to write a single '%%', use the syntax '%%%%'", next, i+1, s)
		default:
			// HAProxy drops a '%' followed by anything else.
			i++
			continue
		}
		if s[j] == '[' {
			expr := s[j:]
			if end := strings.IndexByte(expr, ']'); end >= 0 {
				expr = expr[:end+1]
			}
			return nil, errorf(ErrSampleExpr, "sample expression '%%%s': hitless does not support sample expressions in log-format yet", expr)
		}
		k := j
		for k < len(s) && isAlnum(s[k]) {
			k++
		}
		name := s[j:k]
		i = k
		vr, ok := variables[name]
		if name == "o" {
			opts = applyFlags(opts, arg, hasArg)
			continue
		}
		if !ok {
			return nil, errorf(ErrFormat, "no such format variable '%s'. If you wanted to emit the '%%' character verbatim, you need to use '%%%%'", name)
		}
		if tcp && vr.http {
			return nil, errorf(ErrFormat, "format variable '%s' is reserved for HTTP mode", name)
		}
		flush()
		f.nodes = append(f.nodes, node{k: vr.k, opts: applyFlags(opts, arg, hasArg)})
		f.used[vr.k/64] |= 1 << (vr.k % 64)
	}
	flush()
	return f, nil
}

// applyFlags applies "%{+Q,-M}"-style flags to opts. Each comma-separated
// item is read from its last '+' or '-'; items without one and unknown
// names are ignored, as HAProxy does.
func applyFlags(opts uint8, arg string, hasArg bool) uint8 {
	if !hasArg {
		return opts
	}
	for item := range strings.SplitSeq(arg, ",") {
		p := strings.LastIndexAny(item, "+-")
		if p < 0 {
			continue
		}
		var bit uint8
		switch item[p+1:] {
		case "Q":
			bit = optQuote
		case "X":
			bit = optHex
		case "E":
			bit = optEsc
		case "M":
			bit = optMandatory
		default:
			continue
		}
		if item[p] == '+' {
			opts |= bit
		} else {
			opts &^= bit
		}
	}
	return opts
}
