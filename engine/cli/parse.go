package cli

import "bytes"

// Limits of the command-line parser. They match HAProxy 2.6 (MAX_CLI_ARGS,
// CLI_PREFIX_KW_NB, the size of the request buffer) so that the same input
// splits into the same words.
const (
	maxArgs     = 64      // words kept from one command; the rest of the line is ignored
	maxKeywords = 5       // words of a command keyword, and words used for fuzzy matching
	maxLine     = 16384   // bytes buffered while waiting for a delimiter; beyond it the session ends
	maxPayload  = 1 << 20 // bytes of one payload; beyond it the session ends
)

// payloadPattern ends a command line whose payload follows on the next
// lines, up to an empty line.
const payloadPattern = "<<"

// findDelim returns the index of the first byte of b that ends a command:
// a ';' or '\n' not escaped by a backslash, or -1. A backslash escapes the
// byte after it, whatever it is, so "\\;" ends a command and "\;" does not.
func findDelim(b []byte) int {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++ // skip the escaped byte
		case ';', '\n':
			return i
		}
	}
	return -1
}

// splitWords splits one command (without its delimiter) into words the way
// HAProxy's CLI does: words are separated by runs of spaces and tabs; a
// backslash makes the next byte part of the word ("\ " keeps a space,
// "\;" a semicolon, "\\" a backslash) and is removed; a trailing lone
// backslash is dropped. No quoting is recognised. Like HAProxy, which works
// on C strings, a NUL byte ends the word it is in, and ends the whole line
// where a word would start. At most maxArgs words are returned, appended to
// dst[:0]. payload reports that the last word was exactly "<<", which is
// not returned. The words are copies: they do not alias line.
func splitWords(dst []string, line []byte) (words []string, payload bool) {
	words = dst[:0]
	var w []byte
	i := 0
	for i < len(line) && len(words) < maxArgs {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) || line[i] == 0 {
			break
		}
		if cString(line[i:]) == payloadPattern {
			return words, true
		}
		w = w[:0]
		for i < len(line) && line[i] != ' ' && line[i] != '\t' && line[i] != 0 {
			if line[i] == '\\' {
				i++
				if i >= len(line) || line[i] == 0 {
					break
				}
			}
			w = append(w, line[i])
			i++
		}
		i++ // the separator ending the word, if any
		words = append(words, string(w))
	}
	return words, false
}

// cString returns b up to its first NUL byte, as a C string would read it.
func cString(b []byte) string {
	if n := bytes.IndexByte(b, 0); n >= 0 {
		b = b[:n]
	}
	return string(b)
}

// trimCR removes one '\r' ending line, as HAProxy accepts CRLF input.
func trimCR(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1]
	}
	return line
}

// endsWithPayload reports whether a command line asks for a payload: it
// ends with "<<" (HAProxy checks the raw end of the line, so "cmd<<" counts
// too).
func endsWithPayload(line []byte) bool {
	return bytes.HasSuffix(line, []byte(payloadPattern))
}
