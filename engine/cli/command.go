package cli

import (
	"fmt"
	"sort"
	"strings"

	"hitless/engine/config"
)

// Command is one entry of the command table. Adding a runtime command means
// appending a Command to [Options.Commands] (or to the built-in table in
// this package); nothing else refers to it.
type Command struct {
	// Words is the keyword: the first len(Words) words of a request must
	// equal them exactly (case-sensitive). At most 5 words, as in HAProxy.
	// Further words are arguments, available to Run.
	Words []string

	// Level is the lowest session level allowed to run the command; a
	// session below it gets "Permission denied\n" and Run is not called.
	// Zero means config.LevelUser (everyone). A command whose HAProxy
	// counterpart validates its arguments before checking the level sets
	// LevelUser here and checks [Session.Level] itself.
	Level config.Level

	// Usage and Help are the two columns of the help listing. A command
	// with an empty Usage is hidden from help and from the suggestions
	// printed for unknown commands (like HAProxy's _getsocks).
	Usage string
	Help  string

	// Run executes the command on the session's goroutine. It writes its
	// answer to s (see [Session.Write]); the framing (the empty line that
	// ends every answer, the interactive prompt) is added by the server.
	// args holds every word of the request, keyword words included, and
	// must not be retained after Run returns. payload is the text given
	// after a trailing "<<" (lines joined with "\n", without the final
	// one), nil without payload.
	//
	// A non-nil error is a session failure, not a user error: it is
	// logged through [Options.Logf] and the connection is closed. User
	// errors are answers ("No such server.\n").
	Run func(s *Session, args []string, payload []byte) error
}

// helpColumn is the width of the usage column of the help listing.
const helpColumn = 40

// helpLine formats c as one help line, "  <usage padded to 40>: <help>".
func (c *Command) helpLine() string {
	return "  " + padRight(c.Usage, helpColumn) + ": " + c.Help + "\n"
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}

// The lines HAProxy always appends to a help listing. help, prompt and quit
// are commands with an empty Usage so that they are not listed twice.
const helpTrailer = "" +
	"  help [<command>]                        : list matching or all commands\n" +
	"  prompt                                  : toggle interactive mode with prompt\n" +
	"  quit                                    : disconnect\n"

// Titles of the help listing.
const (
	helpTitle      = "The following commands are valid at this level:\n"
	unknownTitle   = "Unknown command. Please enter one of the following commands only:\n"
	suggestTitle   = "Unknown command, but maybe one of the following ones is a better match:\n"
	maxSuggestions = 5 // CLI_MAX_MATCHES
)

// table is an ordered, immutable set of commands. It is built once by
// NewServer and then only read, from any session goroutine.
type table struct {
	cmds []*Command
}

// newTable validates cmds and returns them as a table, in order. It panics
// on a programmer error: an empty or too long keyword, a missing Run, or two
// commands with the same keyword.
func newTable(cmds []Command) *table {
	t := &table{cmds: make([]*Command, 0, len(cmds))}
	seen := make(map[string]bool, len(cmds))
	for i := range cmds {
		c := cmds[i]
		if len(c.Words) == 0 || len(c.Words) > maxKeywords {
			panic(fmt.Sprintf("cli: command %q: keyword must have 1 to %d words", c.Words, maxKeywords))
		}
		if c.Run == nil {
			panic(fmt.Sprintf("cli: command %q: Run is nil", c.Words))
		}
		key := strings.Join(c.Words, " ")
		if seen[key] {
			panic(fmt.Sprintf("cli: command %q registered twice", key))
		}
		seen[key] = true
		if c.Level == 0 {
			c.Level = config.LevelUser
		}
		t.cmds = append(t.cmds, &c)
	}
	return t
}

// lookup returns the command whose keyword is the longest prefix of args,
// or nil. HAProxy takes the first registered match instead; no two of its
// keywords are prefixes of one another, so the results agree, and longest
// match lets commands be appended in any order.
func (t *table) lookup(args []string) *Command {
	var best *Command
	for _, c := range t.cmds {
		if len(c.Words) > len(args) || (best != nil && len(c.Words) <= len(best.Words)) {
			continue
		}
		if prefixLen(c.Words, args) == len(c.Words) {
			best = c
		}
	}
	return best
}

// prefixLen returns how many leading words of kw and args are equal, at
// most maxKeywords. An empty argument ends the comparison, as an empty C
// string ends HAProxy's argument list.
func prefixLen(kw, args []string) int {
	n := 0
	for n < len(kw) && n < len(args) && n < maxKeywords && args[n] != "" && kw[n] == args[n] {
		n++
	}
	return n
}

// usage returns the help listing HAProxy 2.6 prints for a help request
// (isHelp, with args being the words after "help") or for an unknown command
// (args being the whole request). It allocates; it is only used on errors
// and explicit help.
//
// Which commands are listed: the keyword words that match args exactly
// are counted (length); if a word follows them, the commands sharing those
// words are ranked by the fingerprint distance between the remaining words
// and at most five close ones are proposed; otherwise all commands sharing
// the first length words are listed. Entries are sorted by their help line.
// Levels do not filter the listing: HAProxy 2.6 lists operator and admin
// commands to a user session too.
func (t *table) usage(args []string, isHelp bool) string {
	length := 0
	for _, c := range t.cmds {
		if n := prefixLen(c.Words, args); n > length {
			length = n
		}
	}

	var b strings.Builder
	switch {
	case isHelp:
		b.WriteString(helpTitle)
	case length == 0 && (len(args) == 0 || args[0] == ""):
		b.WriteString(unknownTitle)
	default:
		b.WriteString(suggestTitle)
	}

	var entries []*Command
	if length < len(args) && args[length] != "" {
		entries = t.suggest(args, length)
	}
	if len(entries) == 0 {
		for _, c := range t.cmds {
			if c.Usage != "" && prefixLen(c.Words, args) >= length && len(c.Words) >= length {
				entries = append(entries, c)
			}
		}
	}
	lines := make([]string, len(entries))
	for i, c := range entries {
		lines[i] = c.helpLine()
	}
	sort.Strings(lines)
	for _, l := range lines {
		b.WriteString(l)
	}
	b.WriteString(helpTrailer)
	return b.String()
}

// suggest ranks the visible commands whose first length words match args
// by the distance between the rest of their keyword and the rest of args.
func (t *table) suggest(args []string, length int) []*Command {
	type match struct {
		c    *Command
		dist int
	}
	var best [maxSuggestions]match
	for i := range best {
		best[i].dist = int(^uint(0) >> 1)
	}
	var argFP fingerprint
	argLen := 0
	for i := length; i < maxKeywords && i < len(args) && args[i] != ""; i++ {
		argFP.add(args[i])
		argLen += len(args[i])
	}
	for _, c := range t.cmds {
		if c.Usage == "" || len(c.Words) < length || prefixLen(c.Words, args) < length {
			continue
		}
		kwFP := fingerprint{}
		total := argLen
		for i := length; i < len(c.Words) && i < maxKeywords; i++ {
			kwFP.add(c.Words[i])
			total += len(c.Words[i])
		}
		d := argFP.distance(&kwFP)
		if d >= 5*total/2 || d >= best[maxSuggestions-1].dist {
			continue
		}
		// insert, keeping earlier entries first among equal distances
		best[maxSuggestions-1] = match{c, d}
		for j := maxSuggestions - 1; j > 0 && best[j].dist < best[j-1].dist; j-- {
			best[j], best[j-1] = best[j-1], best[j]
		}
	}
	var out []*Command
	for _, m := range best {
		if m.c == nil || m.dist > 5*best[0].dist/2 {
			break
		}
		out = append(out, m.c)
	}
	return out
}
