// Package cli serves the runtime API (HAProxy's "stats socket") with
// HAProxy 2.6's commands, framing and output formats, byte for byte, so that
// tools written for HAProxy (socat one-liners, hatop, exporters) work
// unchanged.
//
// # Pieces
//
//   - [Listen] opens the socket of a "stats socket" line (unix path with
//     atomic replacement and mode, abstract, inherited fd@, TCP).
//   - [Server] accepts sessions on any number of listeners and runs the
//     command table. Commands are [Command] entries; adding one means
//     appending an entry, through [Options.Commands].
//   - [Source] is implemented by the engine: the figures of show info
//     ([Info]) and the rows of show stat ([StatRow]). The engine imports
//     this package, never the reverse.
//   - [Admin], also implemented by the engine and passed in
//     [Options.Admin], backs the server-administration commands (set
//     server, set/get weight, enable/disable server, health and agent,
//     shutdown session(s), add/del server, show servers, show backend,
//     wait). The commands parse, validate and word every answer; the
//     engine looks up, reports and applies.
//
// # Invariants
//
//   - One goroutine per session. This is the one deliberate exception to
//     the project's "no goroutine per connection" rule, which is about
//     proxied traffic on the reactors: admin sessions are few (bounded by
//     "stats maxconn", 10 by default), short, and never touch reactor-owned
//     state directly; they read through [Source], which the engine makes
//     safe for concurrent use. A [Session] is owned by its goroutine.
//   - The server never holds more than Maxconn sessions: when the bound is
//     reached it stops calling Accept (and wakes pending Accepts with a
//     past deadline), so further clients wait in the kernel backlog, like
//     HAProxy pausing its listeners. With several listeners, Accepts racing
//     the pause may exceed the bound by at most the number of listeners
//     minus one.
//   - Every read and write of a session has a deadline of [Options.Timeout]
//     ("stats timeout"); an idle session is closed without a word.
//   - The session level only goes down ("operator", "user").
//   - The command table is immutable once the server is built; sessions
//     read it without locks.
//
// # Exchange, as HAProxy 2.6 does it
//
// Input is cut into commands at every ';' or '\n' not preceded by a
// backslash; a trailing '\r' is ignored. Words are separated by spaces and
// tabs, and a backslash makes the next byte literal (no quoting). Each
// answer is followed by an empty line ("\n"); in interactive mode ("prompt")
// by "\n> " instead. A non-interactive session ends after the answer that
// leaves no unread input, so "a;b;c\n" runs three commands and closes. An
// unterminated last command is dropped when the client shuts its side (as
// HAProxy does: "echo -n cmd | socat" gets no answer). A command ending with
// "<<" takes the next lines as payload, up to an empty line. Unknown
// commands get HAProxy's help listing with its fuzzy suggestions, listed
// regardless of level as in 2.6; a command above the session level answers
// "Permission denied".
//
// Deliberate differences: "wait" exists although HAProxy 2.6 has no such
// command (its syntax and answers are those of later versions, see
// wait.go); "set server b/s fqdn" and "ssl" always answer that they cannot
// be set, as hitless has no resolvers nor server-side TLS; JSON strings
// are escaped (2.6 emits invalid JSON for strings holding quotes or
// backslashes); a keyword is matched by longest prefix rather than
// registration order (same result for HAProxy's keyword set); a command
// line longer than 16 KiB, or a payload longer than 1 MiB, ends the
// session at once, where HAProxy stops reading and lets the stats timeout
// close it.
package cli
