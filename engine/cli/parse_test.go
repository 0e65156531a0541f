package cli

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    []string
		payload bool
	}{
		{"empty", "", []string{}, false},
		{"blanks", " \t ", []string{}, false},
		{"simple", "show info", []string{"show", "info"}, false},
		{"runs of blanks", "  show\t\t info  ", []string{"show", "info"}, false},
		{"escaped space", `set map m a\ b`, []string{"set", "map", "m", "a b"}, false},
		{"escaped semicolon", `a\;b`, []string{"a;b"}, false},
		{"escaped backslash", `a\\b`, []string{`a\b`}, false},
		{"escaped letter", `versio\n`, []string{"version"}, false},
		{"trailing backslash", `version\`, []string{"version"}, false},
		{"lone backslash", `\`, []string{""}, false},
		{"no quoting", `"a b"`, []string{`"a`, `b"`}, false},
		{"payload", "add map m <<", []string{"add", "map", "m"}, true},
		{"payload alone", "<<", []string{}, true},
		{"glued payload is a word", "add<<", []string{"add<<"}, false},
		{"NUL ends a word", "show\x00info", []string{"show", "info"}, false},
		{"NUL where a word starts ends the line", "show \x00info", []string{"show"}, false},
		{"escaped NUL", "a\\\x00b", []string{"a", "b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, payload := splitWords(nil, []byte(tt.line))
			if !slices.Equal(got, tt.want) || payload != tt.payload {
				t.Errorf("splitWords(%q) = %q, %v; want %q, %v", tt.line, got, payload, tt.want, tt.payload)
			}
		})
	}
}

func TestSplitWordsLimit(t *testing.T) {
	line := strings.Repeat("w ", maxArgs+10)
	got, _ := splitWords(nil, []byte(line))
	if len(got) != maxArgs {
		t.Errorf("splitWords(%d words) kept %d words, want %d", maxArgs+10, len(got), maxArgs)
	}
}

func TestFindDelim(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", -1},
		{"abc", -1},
		{"a;b", 1},
		{"ab\n", 2},
		{`a\;b;`, 4},
		{`a\\;b`, 3},
		{"a\\\nb", -1},
		{`a\`, -1},
	}
	for _, tt := range tests {
		if got := findDelim([]byte(tt.in)); got != tt.want {
			t.Errorf("findDelim(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// FuzzParseLine cuts arbitrary input into commands and words as a session
// does, and checks that nothing panics, that words never hold a separator
// HAProxy would have split on, and that the limits hold. Seeds are in
// testdata/fuzz/FuzzParseLine.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		"show info\n", "a;b;c\n", `a\;b` + "\n", "show stat -1 4 -1 typed\n",
		"add map m <<\na b\n\n", "x\\", "\x00;\\\n", "\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<16 {
			return
		}
		rest := in
		for len(rest) > 0 {
			i := findDelim(rest)
			var line []byte
			if i < 0 {
				line, rest = rest, nil
			} else {
				if rest[i] != ';' && rest[i] != '\n' {
					t.Fatalf("findDelim returned %d on %q", i, rest[i])
				}
				line, rest = rest[:i], rest[i+1:]
			}
			line = trimCR(line)
			words, payload := splitWords(nil, line)
			if len(words) > maxArgs {
				t.Fatalf("%d words > %d", len(words), maxArgs)
			}
			for _, w := range words {
				if strings.ContainsAny(w, "\x00") {
					t.Fatalf("word %q holds a NUL", w)
				}
			}
			if payload && !endsWithPayload(bytes.TrimRight(line, "\x00")) && !bytes.Contains(line, []byte("<<\x00")) {
				t.Fatalf("payload word found in %q which does not end with <<", line)
			}
		}
	})
}
