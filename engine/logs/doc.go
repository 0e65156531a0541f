// Package logs renders HAProxy 2.6 traffic log lines and sends them to
// syslog targets without ever blocking a reactor.
//
//   - [Format]: a compiled "log-format" string ([Compile], [CompileTCP]),
//     with HAProxy's variables, flags (+Q, +X, +E, +M, %o), space merging
//     and error texts. [HTTPLog], [TCPLog], [CLFHTTPLog], [DefaultLog] and
//     [DefaultTCPLog] are the strings behind "option httplog",
//     "option tcplog", "option httplog clf" and a "log" line with no
//     option. [Format.Append] renders one line from [Fields].
//   - [AppendHeader]: the syslog header of one message in each of
//     HAProxy's "format" framings (rfc3164, rfc5424, local, short,
//     priority, timed, iso, raw), byte for byte.
//   - [Sink]: one "log" target ([Target]: UDP, unix datagram socket,
//     stdout, stderr, fd@N) fed through a bounded ring by [Sink.Send] and
//     written by the sink's own goroutine.
//
// # Ownership and invariants
//
//   - A Format is immutable once compiled (except [Format.SetLogURILen],
//     a configuration-time call) and may be shared by every reactor.
//   - Fields belong to the reactor that fills them; byte slices in it
//     point into engine-owned buffers and are read only during Append.
//     Append never keeps them.
//   - Append and AppendHeader do not allocate when dst has room; neither
//     does Sink.Send, which copies the message into a preallocated slot
//     and returns at once. When the ring is full the message is dropped
//     and counted ([Sink.Dropped]); Send never waits for I/O.
//   - A Sink is safe for concurrent use by many reactors: producers claim
//     slots with a compare-and-swap on the ring head (no lock); only the
//     sink's goroutine frames and writes, so no lock is ever held during
//     I/O. Close drains the ring for at most one second.
//   - Dates are printed in the location of the time value given (the
//     engine passes time.Now(), which is local time, as HAProxy prints
//     local time); the "g" variants and %T are printed in UTC.
//
// # What the engine does
//
// At configuration time: one Format per frontend (Compile for mode http,
// CompileTCP for mode tcp; HTTPLog, TCPLog, CLFHTTPLog for the options,
// DefaultLog or DefaultTCPLog when "log" has no option), one Sink per
// "log" line (NewSink; the ring is allocated there), closed when the
// configuration is retired.
//
// Per stream: fill a reactor-owned Fields, skipping what the format does
// not print (Format.Uses, Format.UsesRequestLine); Append into a
// reactor-owned buffer; Send the line to each Sink of the frontend with
// the stream's level (info; err for errors with "option
// log-separate-errors") and time.Now(). HAProxy logs the default format
// at accept time and the others at the end of the stream ("option
// logasap": at the response, with Fields.LogASAP set).
//
// Sent and Dropped feed the statistics (HAProxy's DroppedLogs counts
// what Dropped counts); LastError says why writes fail.
//
// # Differences from HAProxy 2.6
//
//   - "%[...]" sample expressions are refused ([ErrSampleExpr]).
//   - Datagrams carry no trailing LF (HAProxy appends one); stream
//     targets (stdout, stderr, fd@N) end each line with LF, as HAProxy.
//   - HAProxy's default framing (no "format" keyword) is "local", or
//     "rfc3164" with log-send-hostname. [FrameRFC3164] with an empty
//     hostname behaves as that default; an explicit "format rfc3164"
//     without log-send-hostname, which HAProxy prints with the hostname
//     "localhost", is obtained with Target.Hostname = "localhost".
//   - %ft never carries the '~' of SSL listeners, %sslc and %sslv print
//     "-", and %CC and %CS print "-": hitless terminates no TLS and
//     captures no cookies.
//   - The default format logs "(frontend/HTTP)" or "(frontend/TCP)"
//     depending on the mode: there is no variable for the mode, hence two
//     strings, DefaultLog and DefaultTCPLog.
package logs
