package config

import (
	"bufio"
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// condCase is one row of the condition truth table. err is true when the
// expression must be rejected; msg, when set, is HAProxy's explanation.
type condCase struct {
	expr string
	want bool
	err  bool
	msg  string
	// diverges: HAProxy answers differently on purpose or in a detail
	// not worth reproducing; the differential test skips the row.
	diverges string
}

// condCases were checked against "haproxy -cc" of HAProxy 2.6.12 with
// HOME=/root set and NOPE unset, and the features OPENSSL and THREAD.
var condCases = []condCase{
	// Empty and integers.
	{expr: "", want: false},
	{expr: "   ", want: false, diverges: "haproxy -cc rejects blank expressions; blank means empty here, as in .if"},
	{expr: "0", want: false},
	{expr: "1", want: true},
	{expr: "2", want: true},
	{expr: "-1", want: true},
	{expr: "-0", want: false},
	{expr: "00", want: false},
	{expr: "0x10", want: true},
	{expr: "0x0", want: false},
	{expr: "010", want: true},
	{expr: "+1", want: true},
	{expr: " 1 ", want: true},
	{expr: "9999999999999999999999", want: true},
	{expr: "-9999999999999999999999", want: true},
	{expr: "200rrr", err: true, msg: "unexpected character 'r' at the end of conditional expression '200rrr'"},
	{expr: "08", err: true, msg: "unexpected character '8' at the end of conditional expression '08'"},
	{expr: "0x", err: true, msg: "unexpected character 'x' at the end of conditional expression '0x'"},
	{expr: "1a", err: true},
	{expr: "1 1", err: true, msg: "unexpected character '1' at the end of conditional expression '1 1'"},
	{expr: "-1x", err: true},
	// Operators.
	{expr: "!0", want: true},
	{expr: "!1", want: false},
	{expr: "! 1", want: false},
	{expr: "!!1", want: true},
	{expr: "!  !  1", want: true},
	{expr: "((1))", want: true},
	{expr: "( 1 )", want: true},
	{expr: "1&&0", want: false},
	{expr: "1 && 1", want: true},
	{expr: "1&& 0", want: false},
	{expr: "1&&!0", want: true},
	{expr: "0||1", want: true},
	{expr: "0 || 0", want: false},
	{expr: "1||0&&0", want: true},
	{expr: "0 || 1 && 0", want: false},
	{expr: "1 && 1 && 0 || 1", want: true},
	{expr: "(1)&&(0)", want: false},
	{expr: "1 && (0 || 1)", want: true},
	{expr: "!(0))", err: true, msg: "unexpected character ')' at the end of conditional expression '!(0))'"},
	{expr: "(0", err: true, msg: "expected ')' after conditional expression '(0'"},
	{expr: "!(1", err: true, msg: "expected ')' after conditional expression '!(1'"},
	{expr: "((1)", err: true, msg: "expected ')' after conditional expression '((1)'"},
	{expr: "0 && (1", err: true, msg: "expected ')' after conditional expression '(1'"},
	{expr: "1)", err: true},
	{expr: ")", err: true, msg: "unparsable conditional expression ')'"},
	{expr: "(", err: true, msg: "unparsable conditional expression '('"},
	{expr: "()", err: true, msg: "unparsable conditional expression ')'"},
	{expr: "( )", err: true, msg: "unparsable conditional expression ')'"},
	{expr: "!", err: true, msg: "unparsable conditional expression '!'"},
	{expr: "!!", err: true, msg: "unparsable conditional expression '!!'"},
	{expr: "!(", err: true, msg: "unparsable conditional expression '!('"},
	{expr: "!()", err: true, msg: "unparsable conditional expression ')'"},
	{expr: "(!)", err: true, msg: "unparsable conditional expression '!)'"},
	{expr: "!foo", err: true, msg: "unparsable conditional expression '!foo'"},
	{expr: "1 && !foo", err: true, msg: "unparsable conditional expression '!foo'"},
	{expr: "1 &&", err: true, msg: "unparsable conditional expression '&&'"},
	{expr: "1 &&  ", err: true, msg: "unparsable conditional expression '&&'", diverges: "haproxy keeps one trailing blank: '&& '"},
	{expr: "&& 1", err: true, msg: "unparsable conditional expression '&& 1'"},
	{expr: "1 ||", err: true, msg: "unparsable conditional expression '1 ||'"},
	{expr: "1||", err: true, msg: "unparsable conditional expression '1||'"},
	{expr: "1 || !", err: true, msg: "unparsable conditional expression '!'"},
	{expr: "(1 ||)", err: true, msg: "unparsable conditional expression ')'"},
	{expr: "1||(", err: true, msg: "unparsable conditional expression '('"},
	{expr: "1&&&0", err: true, msg: "unparsable conditional expression '&0'"},
	{expr: "1|||0", err: true, msg: "unparsable conditional expression '|0'"},
	{expr: "1&0", err: true},
	{expr: "1|0", err: true},
	{expr: "1 || foo", err: true},
	{expr: "0 && foo", err: true},
	{expr: "1 || 1 1", err: true},
	// Predicates.
	{expr: "defined(HOME)", want: true},
	{expr: "defined(NOPE)", want: false},
	{expr: "defined()", want: false},
	{expr: "defined", want: false},
	{expr: "!defined(HOME)", want: false},
	{expr: "defined(HOME) ", want: true},
	{expr: " defined(HOME)", want: true},
	{expr: "defined(HO ME)", want: false},
	{expr: "defined(HOME", err: true, msg: "expected ')' in argument 1 of predicate 'defined' used in conditional expression"},
	{expr: "defined(", err: true},
	{expr: "defined(HOME,X)", err: true, msg: "expected ')' before ',X)' in argument 1 of predicate 'defined' used in conditional expression"},
	{expr: "defined (HOME)", err: true, msg: "unexpected character '(' at the end of conditional expression 'defined (HOME)'"},
	{expr: "defined(HOME)x", err: true},
	{expr: "defined(HOME)(", err: true},
	{expr: "definedx(HOME)", err: true, msg: "unparsable conditional expression 'definedx(HOME)'"},
	{expr: "STREQ(a,a)", err: true},
	{expr: "foo(1)", err: true, msg: "unparsable conditional expression 'foo(1)'"},
	{expr: "foo", err: true},
	{expr: "true", err: true},
	{expr: "_", err: true},
	{expr: "streq(a,a)", want: true},
	{expr: "streq(a,b)", want: false},
	{expr: "strneq(a,b)", want: true},
	{expr: "streq(,)", want: true},
	{expr: `streq("",)`, want: true},
	{expr: `streq(a,"")`, want: false},
	{expr: `streq(a,"a")`, want: true},
	{expr: `streq("a b","a b")`, want: true},
	{expr: "streq(a b,a b)", want: true},
	{expr: "streq( a,a)", want: false},
	{expr: "streq(a ,a)", want: false},
	{expr: "streq(  a  ,  a  )", want: true},
	{expr: `streq(a"b",ab)`, want: true},
	{expr: `streq(a,"a"b)`, want: false},
	{expr: "streq(a(b,a(b)", want: true},
	{expr: `streq(\"a,b\",\"a,b\")`, want: true},
	{expr: `streq(a\\\"b,a\\\"b)`, want: true},
	{expr: `streq(a\\\\b,a\\b)`, want: true},
	{expr: `streq(x\\\\,x\\)`, want: true},
	{expr: `streq(a\,b)`, want: false},
	{expr: `streq("${HOME}",/root)`, want: true},
	{expr: `streq(a,"a)`, err: true, msg: "Unmatched quote."},
	{expr: "streq(a)", err: true, msg: "missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression"},
	{expr: "streq()", err: true, msg: "missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression"},
	{expr: "streq", err: true, msg: "missing arguments (got 1/2), type 'string' expected in argument 1 of predicate 'streq' used in conditional expression"},
	{expr: "streq(a)b", err: true},
	{expr: "streq(a,b,c)", err: true, msg: "expected ')' before ',c)' in argument 1 of predicate 'streq' used in conditional expression"},
	{expr: "streq('a,b','a,b')", err: true},
	{expr: "streq(a,", err: true},
	{expr: "streq(a,b", err: true},
	{expr: "streq(a,b))", err: true},
	{expr: "streq(a,b)c", err: true},
	{expr: `streq(a,"a'b")`, err: true},
	{expr: "streq((a),(a))", err: true},
	{expr: "streq(a,a) 1", err: true},
	{expr: "1 || streq(a)", err: true},
	{expr: "0 && streq(a)", err: true},
	{expr: "0 && defined(", err: true},
	{expr: "feature(OPENSSL)", want: true},
	{expr: "feature(FOO)", want: false},
	{expr: "!feature(X)", want: true},
	{expr: "feature()", want: true},
	{expr: "feature", want: true},
	{expr: "feature(OPENSSL) && (streq(a,a) || 0)", want: true},
	// Versions, against 2.6.12.
	{expr: "version_atleast(2.6)", want: true},
	{expr: "version_atleast(2.6.12)", want: true},
	{expr: "version_atleast(2.6.13)", want: false},
	{expr: "version_atleast(2)", want: true},
	{expr: "version_atleast(3)", want: false},
	{expr: "version_atleast(1.9.0)", want: true},
	{expr: "version_atleast(2.6-dev0)", want: true},
	{expr: "version_atleast(2.7-dev0)", want: false},
	{expr: "version_atleast(2.6-rc1)", want: true},
	{expr: "version_atleast(2.6.12-dev1)", want: true},
	{expr: "version_atleast(2.6.12-dev)", want: true},
	{expr: "version_atleast(2.6.12-1)", want: false},
	{expr: "version_atleast(2.6.12-)", want: true},
	{expr: "version_atleast(2.6.12-foo)", want: true},
	{expr: "version_atleast(2.6.12-foo-3)", want: false},
	{expr: "version_atleast(2.6.12-rc1-5)", want: true},
	{expr: "version_atleast(2.6.12+deb12u4)", want: true},
	{expr: "version_atleast(2.6.12.0)", want: true},
	{expr: "version_atleast(2.6.12.0.1)", want: true},   // unparsable
	{expr: "version_atleast(2.6.12-dev3x)", want: true}, // unparsable
	{expr: "version_atleast(2..6)", want: true},
	{expr: "version_atleast( 2.6)", want: true},
	{expr: "version_atleast(2.6 )", want: true},
	{expr: "version_atleast(2.6.x)", want: true},
	{expr: "version_atleast(-2)", want: false},
	{expr: "version_atleast(v2)", want: true},
	{expr: "version_atleast(abc)", want: true},
	{expr: "version_atleast()", want: true},
	{expr: "version_atleast", want: true},
	{expr: "version_before(2.7)", want: true},
	{expr: "version_before(2.6.12)", want: false},
	{expr: "version_before(2.6.12-dev1)", want: false},
	{expr: "version_before(2.6.13-dev0)", want: true},
	{expr: "version_before(2.6.12-)", want: false},
	{expr: "version_before(2.6.12-1+deb12u5)", want: false},
	{expr: "version_before(2.6.12-2)", want: true},
	{expr: "version_before(2.6.12-1-0)", want: false},
	{expr: "version_before(2.6.12.0.1)", want: false},
	{expr: "version_before(abc)", want: false},
	{expr: "version_before()", want: false},
}

// condTestOptions are the options the truth table was written for.
func condTestOptions() Options {
	env := map[string]string{"HOME": "/root"}
	return Options{
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Feature: func(name string) bool {
			return strings.Contains("+OPENSSL +THREAD", "+"+name)
		},
	}
}

func TestEvalCond(t *testing.T) {
	opts := condTestOptions()
	for _, tt := range condCases {
		got, err := EvalCond(tt.expr, opts)
		switch {
		case tt.err && err == nil:
			t.Errorf("EvalCond(%q) = %v, want an error", tt.expr, got)
		case tt.err && !errors.Is(err, ErrCondSyntax):
			t.Errorf("EvalCond(%q) error %v does not wrap ErrCondSyntax", tt.expr, err)
		case tt.err && tt.msg != "" && err.Error() != ErrCondSyntax.Error()+": "+tt.msg:
			t.Errorf("EvalCond(%q) error\n%q, want message\n%q", tt.expr, err, tt.msg)
		case !tt.err && err != nil:
			t.Errorf("EvalCond(%q): unexpected error %v", tt.expr, err)
		case !tt.err && got != tt.want:
			t.Errorf("EvalCond(%q) = %v, want %v", tt.expr, got, tt.want)
		}
	}
}

func TestEvalCondVersion(t *testing.T) {
	tests := []struct {
		version string
		expr    string
		want    bool
	}{
		{"2.5-dev0", "version_before(2.5)", true},
		{"2.5", "version_atleast(2.5-dev0)", true},
		{"2.6.12-1+deb12u4", "version_atleast(2.6.12)", true},
		{"2.6.12-1+deb12u4", "version_atleast(2.6.12-1)", false},
		{"3.1.0", "version_atleast(2.6) && version_before(3.2)", true},
		{"garbage", "version_atleast(2.6.12) && version_before(2.6.13)", true}, // falls back to CompatVersion
	}
	for _, tt := range tests {
		got, err := EvalCond(tt.expr, Options{Version: tt.version})
		if err != nil || got != tt.want {
			t.Errorf("EvalCond(%q) with version %q = %v, %v; want %v", tt.expr, tt.version, got, err, tt.want)
		}
	}
}

func TestEvalCondNilOptions(t *testing.T) {
	// The zero Options: os.LookupEnv, no features, CompatVersion.
	t.Setenv("HITLESS_COND_TEST", "1")
	for expr, want := range map[string]bool{
		"defined(HITLESS_COND_TEST)":             true,
		"feature(OPENSSL)":                       false,
		"version_atleast(" + CompatVersion + ")": true,
	} {
		if got, err := EvalCond(expr, Options{}); err != nil || got != want {
			t.Errorf("EvalCond(%q) = %v, %v; want %v", expr, got, err, want)
		}
	}
}

// TestEvalCondHAProxy compares the truth table with the installed
// haproxy's "-cc". It is skipped when haproxy is missing, unless CI=true.
func TestEvalCondHAProxy(t *testing.T) {
	bin := haproxyBin(t)
	features := haproxyFeatures(t, bin)
	opts := Options{
		LookupEnv: func(k string) (string, bool) {
			if k == "HOME" {
				return "/root", true
			}
			return "", false
		},
		Feature: func(name string) bool { return strings.Contains(features, "+"+name) },
		Version: haproxyVersion(t, bin),
	}
	for _, tt := range condCases {
		if tt.diverges != "" {
			continue
		}
		cmd := exec.Command(bin, "-cc", tt.expr)
		cmd.Env = []string{"HOME=/root"}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		got, gerr := EvalCond(tt.expr, opts)
		want := map[int]string{0: "true", 1: "false", 2: "error"}[code]
		have := "error"
		if gerr == nil {
			have = map[bool]string{true: "true", false: "false"}[got]
		}
		if have != want {
			t.Errorf("%q: haproxy says %s, EvalCond says %s (%v)", tt.expr, want, have, gerr)
		}
		if code == 2 && gerr != nil {
			if hmsg := haproxyCondMessage(stderr.String()); hmsg != "" && !strings.HasSuffix(gerr.Error(), ": "+hmsg) {
				t.Errorf("%q: haproxy says %q, EvalCond says %q", tt.expr, hmsg, gerr)
			}
		}
	}
}

// haproxyCondMessage extracts the explanation of a "-cc" failure.
func haproxyCondMessage(stderr string) string {
	sc := bufio.NewScanner(strings.NewReader(stderr))
	for sc.Scan() {
		line := sc.Text()
		for _, p := range []string{"Failed to evaluate condition: ", "Syntax Error in condition: "} {
			if i := strings.Index(line, p); i >= 0 {
				return line[i+len(p):]
			}
		}
	}
	return ""
}

func haproxyVersion(t *testing.T, bin string) string {
	out, err := exec.Command(bin, "-v").Output()
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(out))
	for i, w := range f {
		if w == "version" && i+1 < len(f) {
			return f[i+1]
		}
	}
	t.Fatalf("no version in %q", out)
	return ""
}

func haproxyFeatures(t *testing.T, bin string) string {
	out, err := exec.Command(bin, "-vv").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "Feature list : "); ok {
			return rest
		}
	}
	t.Fatal("no feature list in haproxy -vv")
	return ""
}
