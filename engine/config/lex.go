package config

import "strings"

// This file cuts one configuration line into words, the way HAProxy 2.6's
// parse_line() does (configuration.txt sections 2.2 and 2.3), with one
// deliberate extension: "${NAME}" is also expanded outside quotes.

// lexEnv resolves variables during lexing. lookup answers environment
// variables; the pseudo-variables .FILE, .LINE and .SECTION come from the
// other fields.
type lexEnv struct {
	lookup  func(string) (string, bool)
	file    string
	line    int
	section string
}

// lexError is a lexing failure: msg is HAProxy's wording without the
// position, pos the byte offset in the line of the offending character.
// A whole error has its complete message in msg and no caret display.
type lexError struct {
	msg   string
	pos   int
	whole bool
}

// lexed is the result of cutting one line.
type lexed struct {
	words []string
	// starts[i] is the byte offset in the line where words[i] began (for
	// words produced by a "${VAR[*]}" expansion, where the variable began).
	starts []int
}

// maxWords is the number of words a line may have, as in HAProxy.
const maxWords = 64

// lexLine cuts line into words. Separators are unprotected blanks; '#'
// outside quotes starts a comment; a NUL, CR or LF ends the line. Inside
// double quotes and outside quotes, backslash escapes are resolved and
// variables expanded ("$NAME" only inside double quotes, "${NAME}" in
// both); inside single quotes nothing is interpreted. A word made only of
// quotes (two double or two single quotes) is kept as an empty word. A
// line of more than maxWords words is an error, as in HAProxy. It never
// panics.
func lexLine(line string, env *lexEnv) (lexed, *lexError) {
	var (
		out     lexed
		cur     []byte
		started bool // cur is a word, even if empty (quotes seen)
		squote  bool
		dquote  bool
		quoteAt int
		start   int
	)
	tooMany := false
	emitWord := func() {
		if len(out.words) < maxWords {
			out.words = append(out.words, string(cur))
			out.starts = append(out.starts, start)
		} else {
			tooMany = true
		}
		cur = cur[:0]
		started = false
	}
	begin := func(i int) {
		if !started {
			started = true
			start = i
		}
	}
	i := 0
	for i < len(line) {
		c := line[i]
		if c == 0 || c == '\n' || c == '\r' {
			break
		}
		if squote {
			if c == '\'' {
				squote = false
			} else {
				cur = append(cur, c)
			}
			i++
			continue
		}
		switch {
		case c == '#' && !dquote:
			i = len(line)
			continue
		case c == '"':
			begin(i)
			dquote = !dquote
			quoteAt = i
			i++
		case c == '\'' && !dquote:
			begin(i)
			squote = true
			quoteAt = i
			i++
		case c == '\\':
			begin(i)
			n, adv, err := lexEscape(line, i, dquote)
			if err != nil {
				return out, err
			}
			cur = append(cur, n...)
			i += adv
		case isBlank(c) && !dquote:
			if started {
				emitWord()
			}
			i++
		case c == '$' && (dquote || (i+1 < len(line) && line[i+1] == '{')):
			begin(i)
			val, adv, split, err := lexVar(line, i, env)
			if err != nil {
				return out, err
			}
			i += adv
			if !split {
				cur = append(cur, val...)
				break
			}
			// "${NAME[*]}": every blank-separated part of the value is a
			// word of its own; the first joins what precedes it.
			for j := 0; j < len(val); {
				if isBlank(val[j]) {
					for j < len(val) && isBlank(val[j]) {
						j++
					}
					emitWord()
					started, start = true, i
					continue
				}
				cur = append(cur, val[j])
				j++
			}
		default:
			begin(i)
			cur = append(cur, c)
			i++
		}
	}
	if squote || dquote {
		return out, &lexError{msg: "unmatched quote", pos: quoteAt}
	}
	if started {
		emitWord()
	}
	if tooMany {
		indent := 0
		for indent < len(line) && isBlank(line[indent]) {
			indent++
		}
		last := maxWords - 1
		return out, &lexError{
			msg: "too many words, truncating after word " + itoa(maxWords) + ", position " +
				itoa(out.starts[last]-indent+1) + ": <" + out.words[last] + ">.",
			whole: true,
		}
	}
	return out, nil
}

// lexEscape resolves the backslash sequence at line[i]. It returns the
// bytes to emit and how many input bytes were consumed. Sequences that are
// not escapes keep their backslash, as in HAProxy.
func lexEscape(line string, i int, dquote bool) ([]byte, int, *lexError) {
	if i+1 >= len(line) {
		return []byte{'\\'}, 1, nil
	}
	switch line[i+1] {
	case ' ', '\\', '#', '\'', '"':
		return []byte{line[i+1]}, 2, nil
	case 't':
		return []byte{'\t'}, 2, nil
	case 'n':
		return []byte{'\n'}, 2, nil
	case 'r':
		return []byte{'\r'}, 2, nil
	case '$':
		if dquote {
			return []byte{'$'}, 2, nil
		}
		// Outside quotes HAProxy keeps "\$" as is; we also keep the
		// dollar from starting an expansion.
		return []byte{'\\', '$'}, 2, nil
	case 'x':
		if i+3 < len(line) && isHex(line[i+2]) && isHex(line[i+3]) {
			return []byte{hexVal(line[i+2])<<4 | hexVal(line[i+3])}, 4, nil
		}
		return nil, 0, &lexError{msg: "truncated or invalid hexadecimal sequence", pos: i}
	}
	return []byte{'\\'}, 1, nil
}

// lexVar expands the variable reference starting with the '$' at line[i].
// It returns the value, the number of input bytes consumed and whether
// the value must be split into words ("[*]" suffix).
func lexVar(line string, i int, env *lexEnv) (string, int, bool, *lexError) {
	p := i + 1
	brace := -1
	if p < len(line) && line[p] == '{' {
		brace = p
		p++
	}
	if p >= len(line) || !(isAlpha(line[p]) || line[p] == '_' || line[p] == '.') {
		return "", 0, false, &lexError{msg: "forbidden first char in environment variable name", pos: p}
	}
	nameStart := p
	if line[p] == '.' {
		p++
	}
	for p < len(line) && (isAlnum(line[p]) || line[p] == '_') {
		p++
	}
	name := line[nameStart:p]
	var (
		val string
		set bool
	)
	if name[0] == '.' {
		switch name {
		case ".FILE":
			val, set = env.file, true
		case ".LINE":
			val, set = itoa(env.line), true
		case ".SECTION":
			val, set = env.section, true
		default:
			return "", 0, false, &lexError{msg: "forbidden first char in environment variable name", pos: nameStart}
		}
	} else if env != nil && env.lookup != nil {
		val, set = env.lookup(name)
	}
	split := false
	if brace >= 0 && p < len(line) && line[p] == '[' {
		if p+2 >= len(line) || line[p+1] != '*' || line[p+2] != ']' {
			return "", 0, false, &lexError{msg: "truncated or invalid word expansion sequence", pos: p}
		}
		split = true
		p += 3
	}
	if brace >= 0 {
		if p < len(line) && line[p] == '-' {
			end := p + 1
			for end < len(line) && line[end] != '}' && line[end] != 0 && line[end] != '\n' && line[end] != '\r' {
				end++
			}
			if end >= len(line) || line[end] != '}' {
				return "", 0, false, &lexError{msg: "unmatched brace in environment variable name", pos: brace}
			}
			if !set {
				val, set = line[p+1:end], true
			}
			p = end
		} else if p >= len(line) || line[p] != '}' {
			return "", 0, false, &lexError{msg: "unmatched brace in environment variable name", pos: brace}
		}
		p++ // the closing brace
	}
	return val, p - i, split, nil
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\v' || c == '\f'
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }

func isHex(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }

func hexVal(c byte) byte {
	if isDigit(c) {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}

// caretLine formats a lexing or condition error the way HAProxy does: the
// message, " at position N:" with the 1-based position shown, then the
// line without its indentation and a caret under byte offset col.
func caretLine(msg, line string, shown, col int) string {
	if i := strings.IndexAny(line, "\x00\n\r"); i >= 0 {
		line = line[:i]
	}
	indent := 0
	for indent < len(line) && isBlank(line[indent]) {
		indent++
	}
	col -= indent
	if col > len(line)-indent {
		col = len(line) - indent
	}
	if col < 0 {
		col = 0
	}
	return msg + " at position " + itoa(shown) + ":\n  " + line[indent:] + "\n  " + strings.Repeat(" ", col) + "^"
}
