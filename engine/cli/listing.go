package cli

// The parser and the help listing of the runtime API, for another command
// interpreter that must split input and word its listings exactly as this
// one does (hitless's master CLI, which forwards commands to the workers'
// runtime API).

// FindDelim returns the index of the first byte of b that ends a command:
// a ';' or '\n' not escaped by a backslash, or -1. It does not allocate.
func FindDelim(b []byte) int { return findDelim(b) }

// SplitWords splits one command (without its delimiter) into words as a
// session does (see the package documentation): blanks separate words, a
// backslash makes the next byte literal, at most 64 words. The words are
// appended to dst[:0] and do not alias line. payload reports a last word
// of exactly "<<", which is not returned.
func SplitWords(dst []string, line []byte) (words []string, payload bool) {
	return splitWords(dst, line)
}

// Usage returns the listing HAProxy 2.6 prints for cmds: the help listing
// ("The following commands are valid at this level:") when isHelp, args
// being the words after "help"; otherwise the answer to the unknown
// command args, with the same fuzzy suggestions as the runtime API. Only
// the Words, Usage and Help of cmds are used (Run may be nil). It
// allocates; it is meant for help and errors.
func Usage(cmds []Command, args []string, isHelp bool) string {
	t := &table{cmds: make([]*Command, len(cmds))}
	for i := range cmds {
		t.cmds[i] = &cmds[i]
	}
	return t.usage(args, isHelp)
}
