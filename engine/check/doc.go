// Package check holds everything protocol- and policy-related about
// server health checks, as HAProxy 2.6 does them; the engine runs each
// check as a non-blocking connection on a reactor and asks this package
// what to do and what it means.
//
//   - [Program]: the steps of a check (connect, send, expect), built from
//     the configuration by [NewProgram] for "check" alone (a TCP connect),
//     "option httpchk" with "http-check" rules, "option tcp-check" with
//     "tcp-check" rules, "option mysql-check", "option pgsql-check" and
//     "option redis-check", with HAProxy's implicit steps and step numbers.
//   - [Run]: one execution of a Program, driven by the engine's events
//     (connected, sent, received, failed, timed out), producing the
//     [Result]s HAProxy would report: status (L4OK, L7STS, ...), code,
//     info text.
//   - [Health]: the rise/fall counter, the "UP 1/3" status strings, the
//     interval before the next check (inter, fastinter, downinter),
//     spread-checks and start-up staggering.
//   - The log and alert texts of checks and server state changes
//     ([AppendCheckLog], [AppendServerDown], ...), word for word.
//
// # Invariants
//
//   - No I/O, no goroutines, no clock: times and random numbers are
//     parameters, so every rule is testable without sleeping.
//   - A Program is immutable once built and may be shared; a Run, a
//     Health and a Result belong to the goroutine that owns the server's
//     check (its reactor).
//   - The per-check path (Run, Matcher.Match, Health, the Append
//     functions) does not allocate, except rbinary and chunked HTTP
//     bodies, which borrow pooled buffers. NewProgram allocates.
//   - Behaviour follows HAProxy 2.6.12, checked against the installed
//     haproxy where it matters (bytes sent, statuses, info texts,
//     messages): see haproxy_test.go. Known quirks are kept, for
//     instance a passing MySQL check moves the health counter twice, and
//     a backend with only "http-check expect" under "option httpchk" in
//     its defaults sends no request at all.
//
// # What the engine does
//
// For each server with "check": NewProgram once per configuration; a
// Health from NewHealth(rise, fall); before each check Run.Start(program,
// serverDown), then execute Run.Step until Run.Done:
//
//   - OpConnect: close the current connection, connect to Host:Port (or
//     Path); call Connected, or Failed(errno). Deadlines come from
//     Timeouts(inter, timeout connect, timeout check).
//   - OpSend: discard what was read, write Data, call Sent (or Failed).
//   - OpExpect: read into a buffer of at most Program.BufSize bytes and
//     call Received(buf, eof) with everything read since the last send,
//     eof being a clean close, a close after data, or a full buffer;
//     NeedMore means read more. A reset with nothing read is
//     Failed(errno).
//   - On the deadline: TimedOut.
//
// Then set the duration (Run.SetDuration), apply each of Run.Reports to
// the Health in order (Observe), log them (AppendCheckLog when "option
// log-health-checks" and LogWorthy), and change the server's state as
// HAProxy does after a check: failed with the counter at 0 marks it
// DOWN, passed with the counter at rise or more marks it UP, L7OKC marks
// it NOLB. The next check runs after Spread(Health.Interval(...)).
package check
