// Package rules parses and evaluates what HAProxy 2.6 calls ACLs,
// conditions, sample expressions and log-format values, and parses the
// http-request, http-response and redirect rules built from them.
//
// The configuration parser (engine/config) hands over the words of a
// line, already unquoted and variable-expanded, minus the keyword:
// [ACLSet.ParseACL] for "acl", [ParseCond] for "if"/"unless" conditions,
// [ParseHTTPRequest], [ParseHTTPResponse] and [ParseRedirect] for the
// rules. The engine implements [Sample] for a transaction and runs the
// rules: [Cond.Eval], [Format.Append], [Expr.Append],
// [Redirect.AppendResponse] and the [Rule] helpers (MatchName,
// ReplaceValue, ApplyVar). Header edits themselves are the engine's.
//
// # Invariants
//
//   - Parsing happens on one goroutine per configuration. Everything it
//     returns (*Cond, *Expr, *Format, *Rule, *Redirect) is immutable
//     afterwards and safe for concurrent use by every reactor; the only
//     shared mutable state is the variable-name registry ([VarIndex]),
//     locked and used at parse time only (transactions read an immutable
//     snapshot of it).
//   - Evaluation (Cond.Eval, Expr.Append, Format.Append,
//     Redirect.AppendResponse, ApplyVar, MatchName) never allocates: the
//     values it builds go to the caller's dst or to scratch buffers owned
//     by the transaction's [Vars], which belongs to the goroutine that owns
//     the transaction. The tests assert it with testing.AllocsPerRun.
//     ReplaceValue allocates Go's submatch indexes; a Vars grows its
//     buffers until they are warm.
//   - Slices returned by a Sample are only read, never kept past the call.
//   - Parse errors wrap [ErrSyntax] or [ErrNotImplemented]; their text is
//     HAProxy 2.6's for the same mistake (checked against haproxy -c by
//     TestMessagesHAProxy), except where documented below. Evaluation is
//     checked against a running haproxy by TestDifferentialHAProxy. Valid HAProxy
//     keywords hitless lacks (fetches, converters, actions, log-format
//     variables) are refused with "... is not implemented yet", never
//     silently ignored.
//
// # Semantics kept from HAProxy
//
// ACL lines with one name are ORed; a condition refers to the ACL itself,
// so later lines extend it. Multi-valued fetches (hdr(), url_param) try
// every value in ACLs and give one (hdr: the last, url_param: the first)
// elsewhere. hdr() splits values at commas outside double quotes and
// trims blanks; req.fhdr() does not split. The ACL keywords hdr* read the
// request headers, as HAProxy maps them to req.hdr; the fetch hdr() in an
// expression reads the response in response rules (Status() != 0). Known
// quirks are kept: "method -i get" does not match GET (a known method only
// matches its exact upper-case pattern); "http-response deny" defaults to
// 502; redirect "append-slash" looks at the end of the whole location,
// query string included; the "redirect" keyword takes its location
// literally while "http-request redirect" reads log-format.
//
// # Deliberate differences from HAProxy 2.6
//
//   - Regular expressions are Go's RE2: PCRE-only syntax (back-references,
//     look-around, atomic groups, possessive quantifiers) is refused at
//     parse time, and error texts after "error=" are Go's, not PCRE's.
//   - A condition with no term ("if" alone, "unless !") is an error;
//     HAProxy accepts it as never (if) or always (unless) true.
//   - An empty word ("") is a pattern that matches the empty string, and
//     an empty word before "if" in a rule does not hide the condition;
//     HAProxy stops reading at an empty word.
//   - IP patterns are addresses and CIDR (or dotted masks) only: host
//     names and shortened IPv4 forms ("10/8", "1.2.3") are refused, never
//     resolved.
//   - Request fetches stay available in response rules; HAProxy refuses
//     them in log-format values there and warns that such ACLs never
//     match.
//   - "-i" applies to every pattern of the expression, also those of a
//     "-f" file given before it.
//   - "http-response track-sc<N>" is refused as not implemented yet;
//     stick counters are tracked by http-request rules only.
//   - Warnings HAProxy prints (ACL without pattern, ignored content-type,
//     "did you mean") are not produced: parse functions return errors
//     only.
package rules
