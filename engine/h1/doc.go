// Package h1 parses and writes HTTP/1.x message heads in place, and
// follows chunked bodies as they pass through, for a reactor that holds
// the bytes in its own buffer.
//
//   - [FindHeadEnd] finds the end of a head in trickled input without
//     rescanning; [ParseRequest] and [ParseResponse] parse a complete
//     head into a [Request] or [Response] made of [Span]s (offsets into
//     the buffer), classify the request-target and decide the body's
//     [Framing] (RFC 9112 section 6.3).
//   - [Chunked] checks a chunked body byte for byte, split anywhere,
//     and says where it ends, without de-chunking.
//   - [Request.AppendHead] and [Response.AppendHead] write a head again,
//     with headers dropped (Header.Del), a new target and extra lines.
//   - [ErrorPage], [AppendResponse] and [StatusText] produce the
//     responses and reason phrases HAProxy 2.6 sends.
//
// # Invariants
//
//   - Nothing here allocates on the per-request path: parsing, lookups,
//     Chunked.Scan, AppendHead into a large enough dst (alloc_test.go).
//     Errors are predefined *Error values compared by pointer.
//   - A parsed Request or Response only holds offsets: it is valid while
//     the buffer it was parsed from keeps the head unchanged, and it
//     belongs, with that buffer, to the goroutine (reactor) that owns the
//     stream. Slices returned by Span.Bytes alias the buffer, with their
//     capacity cut at the span. ErrorPage's slices are shared and
//     read-only. No state is global except those read-only tables.
//   - Every loop is bounded by its input and by Limits.MaxHead,
//     MaxHeaders, MaxChunkLine and MaxTrailers.
//   - Parsing is stricter than HAProxy 2.6 where HAProxy is lenient and
//     a lenient reading could let two parsers frame a message
//     differently; elsewhere it follows HAProxy. Every case is pinned in
//     smuggling_test.go next to what HAProxy 2.6.12 does, and
//     haproxy_test.go re-checks HAProxy's column against the installed
//     haproxy (skipped without it, unless CI=true).
//
// # Stricter than HAProxy 2.6 (RFC 9112 / RFC 9110 rules)
//
// A request is rejected (400) and a response (502) for: obs-fold and
// whitespace before the first field; NUL, DEL or another CTL but HTAB in
// a field value or reason phrase; a version other than HTTP/1.x
// (HTTP/2.0, HTTP/0.9: RFC 9112 would allow 505, HAProxy accepts them);
// more than one space between start-line parts; Transfer-Encoding
// together with Content-Length (HAProxy drops Content-Length);
// Transfer-Encoding in an HTTP/1.0 message; a transfer coding with
// parameters. A request is also rejected for: a missing Host in HTTP/1.1
// (RFC 9112 section 3.2); several Host fields, even equal; a Host value
// that is not host[:port] (no spaces, no ',', no '/', an IP-literal must
// be an IPv6 address); userinfo in an absolute-form or CONNECT target
// (RFC 9110 section 4.2.4); an absolute-form scheme other than http and
// https, or an empty host; authority-form with a method other than
// CONNECT, "*" with one other than OPTIONS, and CONNECT without a host
// or port. A response is rejected for a status outside 100-599 or not
// three digits. A chunk size is at most 16 hex digits, leading zeros
// included, and fits an int64; whitespace after it is allowed only
// before ';'; an extension is name[=token|quoted-string] and a size line
// is at most MaxChunkLine bytes; chunk data must be followed by CRLF
// (HAProxy also takes a bare LF); trailer fields follow the field rules.
//
// # Other choices
//
//   - Oversized heads: HAProxy 2.6 answers 400 (it has no 414 or 431
//     page), so [ErrLineTooLong] and [ErrHeadTooLarge] carry 400. The
//     limit is MaxHead bytes of head as received; HAProxy's is its
//     internal representation of the head, which makes it accept about
//     80 to 130 bytes fewer than tune.bufsize - tune.maxrewrite.
//   - At most MaxHeaders-1 = 100 field lines, as HAProxy.
//   - A response with a Transfer-Encoding whose final coding is not
//     chunked is read until close (RFC 9112 section 6.3); HAProxy 2.6
//     answers 502.
//   - "Content-Length: 0" gives BodyNone, never a BodyLength of 0.
//   - Bare LF ends head lines and chunk-size and trailer lines, and empty
//     lines before a start line are skipped, as HAProxy does.
//   - Header lookups ignore Del: a header marked for deletion is still
//     found.
package h1
