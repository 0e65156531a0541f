package config

import (
	"reflect"
	"testing"
)

func testEnv(vars map[string]string) *lexEnv {
	return &lexEnv{
		lookup: func(k string) (string, bool) {
			v, ok := vars[k]
			return v, ok
		},
		file:    "f.cfg",
		line:    7,
		section: "fe",
	}
}

// The expected words were checked against HAProxy 2.6.12 (".warning"
// echoes its argument), except where the comments say otherwise.
func TestLexLine(t *testing.T) {
	vars := map[string]string{"FOO": "foo", "BAR": "x y", "EMPTY": "", "FD": "3"}
	tests := []struct {
		line string
		want []string
	}{
		{"", nil},
		{"   \t  ", nil},
		{"# comment", nil},
		{"  global   # comment", []string{"global"}},
		{"a b\tc", []string{"a", "b", "c"}},
		{"a\r", []string{"a"}},
		{"a\rb", []string{"a"}},
		{`"a"b'c'`, []string{"abc"}},
		{`a\ b`, []string{"a b"}},
		{`a\#b`, []string{"a#b"}},
		{`a#b`, []string{"a"}},
		{`"a#b"`, []string{"a#b"}},
		{`'a#b'`, []string{"a#b"}},
		{`a\\b`, []string{`a\b`}},
		{`"\x41\x4a"`, []string{"AJ"}},
		{`\x41\x4ahash\#`, []string{"AJhash#"}},
		{`"tab\there"`, []string{"tab\there"}},
		{`a\nb\rc`, []string{"a\nb\rc"}},
		{`\q`, []string{`\q`}},
		{`"\q"`, []string{`\q`}},
		{`\`, []string{`\`}},
		{`"a\"b"`, []string{`a"b`}},
		{`"a\'b"`, []string{`a'b`}},
		{`a\"b`, []string{`a"b`}},
		{`a\'b`, []string{`a'b`}},
		{`'a\'`, []string{`a\`}},
		{`'a"b'`, []string{`a"b`}},
		{`"a'b"`, []string{`a'b`}},
		{`"" a`, []string{"", "a"}},
		{`x ""`, []string{"x", ""}}, // HAProxy drops a trailing empty word
		{`''`, []string{""}},
		{`%hs\ ""`, []string{"%hs "}},
		// Environment.
		{`"$FOO"`, []string{"foo"}},
		{`"${FOO}"`, []string{"foo"}},
		{`$FOO`, []string{"$FOO"}},
		{`${FOO}`, []string{"foo"}}, // HAProxy: "${FOO}" (not expanded outside quotes)
		{`'${FOO}'`, []string{"${FOO}"}},
		{`"${NOPE}x"`, []string{"x"}},
		{`"${NOPE-def}x"`, []string{"defx"}},
		{`"${EMPTY-def}x"`, []string{"x"}},
		{`"${NOPE-a b}"`, []string{"a b"}},
		{`"${NOPE-${FOO}}"`, []string{"${FOO}"}},
		{`"${NOPE-}x"`, []string{"x"}},
		{`"$FOO.bar"`, []string{"foo.bar"}},
		{`"$FOO_x"`, []string{""}},
		{`"${BAR}"`, []string{"x y"}},
		{`"${BAR[*]}"`, []string{"x", "y"}},
		{`"a${BAR[*]}b"`, []string{"ax", "yb"}},
		{`"${BAR-x[*]}"`, []string{"x y"}},
		{`"\$FOO"`, []string{"$FOO"}},
		{`\$FOO`, []string{`\$FOO`}},
		{`\${FOO}`, []string{`\${FOO}`}},
		{`"fd@${FD}"`, []string{"fd@3"}},
		{`"${.LINE}" "${.FILE}" "${.SECTION}"`, []string{"7", "f.cfg", "fe"}},
	}
	for _, tt := range tests {
		got, err := lexLine(tt.line, testEnv(vars))
		if err != nil {
			t.Errorf("lexLine(%q): unexpected error %q at %d", tt.line, err.msg, err.pos)
			continue
		}
		if !reflect.DeepEqual(got.words, tt.want) {
			t.Errorf("lexLine(%q) = %q, want %q", tt.line, got.words, tt.want)
		}
	}
}

func TestLexLineErrors(t *testing.T) {
	tests := []struct {
		line string
		msg  string
		pos  int
	}{
		{`.warning "abc`, "unmatched quote", 9},
		{`.warning 'abc`, "unmatched quote", 9},
		{`"x" "abc`, "unmatched quote", 4},
		{`\xZZ`, "truncated or invalid hexadecimal sequence", 0},
		{`"\x4"`, "truncated or invalid hexadecimal sequence", 1},
		{`a\x`, "truncated or invalid hexadecimal sequence", 1},
		{`"${FOO"`, "unmatched brace in environment variable name", 2},
		{`"${F OO}"`, "unmatched brace in environment variable name", 2},
		{`${FOO-x`, "unmatched brace in environment variable name", 1},
		{`"$"`, "forbidden first char in environment variable name", 2},
		{`"$1"`, "forbidden first char in environment variable name", 2},
		{`"${}"`, "forbidden first char in environment variable name", 3},
		{`"${.FOO}"`, "forbidden first char in environment variable name", 3},
		{`"${BAR[x]}"`, "truncated or invalid word expansion sequence", 6},
	}
	for _, tt := range tests {
		_, err := lexLine(tt.line, testEnv(nil))
		if err == nil {
			t.Errorf("lexLine(%q): no error, want %q", tt.line, tt.msg)
			continue
		}
		if err.msg != tt.msg || err.pos != tt.pos {
			t.Errorf("lexLine(%q) error = %q at %d, want %q at %d", tt.line, err.msg, err.pos, tt.msg, tt.pos)
		}
	}
}

func TestLexLineStarts(t *testing.T) {
	got, err := lexLine(`  .if  "a b" c`, testEnv(nil))
	if err != nil {
		t.Fatal(err.msg)
	}
	if want := []int{2, 7, 13}; !reflect.DeepEqual(got.starts, want) {
		t.Errorf("starts = %v, want %v", got.starts, want)
	}
}

// TestCaretLine checks the layout HAProxy uses for errors pointing into a
// line: the 1-based position, the line without indentation, a caret.
func TestCaretLine(t *testing.T) {
	tests := []struct {
		line  string
		shown int
		col   int
		want  string
	}{
		{"  .warning \"abc", 12, 11, "m at position 12:\n  .warning \"abc\n           ^"},
		{".warning \"abc", 10, 9, "m at position 10:\n  .warning \"abc\n           ^"},
		{"\t.warning \"abc", 11, 10, "m at position 11:\n  .warning \"abc\n           ^"},
		{"x\r\n", 5, 40, "m at position 5:\n  x\n   ^"},
	}
	for _, tt := range tests {
		if got := caretLine("m", tt.line, tt.shown, tt.col); got != tt.want {
			t.Errorf("caretLine(%q) =\n%s\nwant\n%s", tt.line, got, tt.want)
		}
	}
}
