package h1

// MaxHeaders is the size of the header arrays of [Request] and [Response]
// (HAProxy's tune.http.maxhdr default). Like HAProxy 2.6, which counts the
// end of the header list in it, a head may carry at most MaxHeaders-1
// field lines; one more is [ErrTooManyHeaders].
const MaxHeaders = 101

// DefaultMaxHead is the head size limit used when [Limits].MaxHead is 0:
// HAProxy's tune.bufsize minus tune.maxrewrite (16384-1024).
const DefaultMaxHead = 16384 - 1024

// Method is a request method. Methods are case-sensitive: "get" is
// MethodOther.
type Method uint8

// The methods of RFC 9110 section 9 and PATCH; every other token is
// MethodOther.
const (
	MethodOther Method = iota
	MethodGET
	MethodHEAD
	MethodPOST
	MethodPUT
	MethodDELETE
	MethodCONNECT
	MethodOPTIONS
	MethodTRACE
	MethodPATCH
)

var methodNames = [...]string{
	MethodOther:   "",
	MethodGET:     "GET",
	MethodHEAD:    "HEAD",
	MethodPOST:    "POST",
	MethodPUT:     "PUT",
	MethodDELETE:  "DELETE",
	MethodCONNECT: "CONNECT",
	MethodOPTIONS: "OPTIONS",
	MethodTRACE:   "TRACE",
	MethodPATCH:   "PATCH",
}

// String returns the method's name, or "" for MethodOther (whose name is
// only in the buffer, see [Request].MethodSpan).
func (m Method) String() string {
	if int(m) < len(methodNames) {
		return methodNames[m]
	}
	return ""
}

// Span is the byte range buf[Off:Off+Len] of the buffer a head was parsed from.
type Span struct{ Off, Len int32 }

// Bytes returns buf[Off:Off+Len] without copying; its capacity ends at
// the span, so appending to it never overwrites the buffer. buf must be
// the buffer the span was parsed from.
func (s Span) Bytes(buf []byte) []byte {
	end := s.Off + s.Len
	return buf[s.Off:end:end]
}

// Empty reports whether the span has no bytes.
func (s Span) Empty() bool { return s.Len == 0 }

func span(off, end int) Span { return Span{Off: int32(off), Len: int32(end - off)} }

// Header is one field line of a head.
type Header struct {
	Name, Value Span // Value without leading/trailing whitespace
	Del         bool // set by the caller to drop the header when the head is written
}

// TargetForm is the form of a request-target (RFC 9112 section 3.2).
type TargetForm uint8

// The four request-target forms.
const (
	FormOrigin    TargetForm = iota // "/path?query"
	FormAbsolute                    // "http://host[:port]/path?query" (http or https)
	FormAuthority                   // "host:port", CONNECT only
	FormAsterisk                    // "*", OPTIONS only
)

// Framing is how the end of a message body is found (RFC 9112 section 6.3).
type Framing uint8

// The framings of a message body.
const (
	BodyNone       Framing = iota // no body
	BodyLength                    // ContentLength bytes
	BodyChunked                   // chunked transfer coding (final coding)
	BodyUntilClose                // responses only: until the server closes
	BodyTunnel                    // responses only: 101 Switching Protocols, 2xx to CONNECT
)

// ConnFlags are the tokens of the Connection header fields that matter to
// a proxy; other tokens are ignored.
type ConnFlags uint8

// Connection tokens (case-insensitive, comma lists, several fields).
const (
	ConnClose ConnFlags = 1 << iota
	ConnKeepAlive
	ConnUpgrade
)

// Request is a parsed request head. Every Span refers to the buffer given
// to [ParseRequest]; the Request is valid only while that buffer holds the
// head unchanged. A Request is owned by the goroutine that parsed it (the
// reactor of its stream); it is large (about 2 KB), so keep one per
// stream and reuse it rather than allocating one per request.
type Request struct {
	Method        Method
	MethodSpan    Span
	Target        Span       // as received
	Form          TargetForm // origin, absolute, authority (CONNECT) or asterisk (OPTIONS)
	Authority     Span       // absolute-form authority, or the CONNECT target
	Path          Span       // path without query ("/" part of absolute-form; empty for *, authority-form, and "http://host")
	Query         Span       // after '?', without the '?'; Len 0 when absent
	Minor         uint8      // HTTP/1.Minor (0 or 1; "HTTP/1.2".."HTTP/1.9" are read as 1)
	Line          Span       // request line without its line ending
	HeadLen       int        // bytes of the head including the empty line (and any empty lines before the request line)
	NumHeaders    int
	Headers       [MaxHeaders]Header
	Host          Span // Host value (Len 0 and HasHost false when absent)
	HasHost       bool
	Body          Framing // BodyNone, BodyLength or BodyChunked
	ContentLength int64   // body length when Body is BodyLength, else 0
	Conn          ConnFlags
	Expect100     bool // Expect: 100-continue
	Upgrade       bool // an Upgrade header is present
}

// Response is a parsed response head, with the same ownership and
// lifetime rules as [Request].
type Response struct {
	Minor         uint8
	Status        int
	Reason        Span
	Line          Span
	HeadLen       int
	NumHeaders    int
	Headers       [MaxHeaders]Header
	Body          Framing
	ContentLength int64 // the Content-Length value when present (even when Body is BodyNone, e.g. HEAD or 304), else 0
	Conn          ConnFlags
}

// Limits bounds what a parser accepts.
type Limits struct {
	MaxHead int // bytes of a head; HAProxy: tune.bufsize - tune.maxrewrite (16384-1024); 0 means DefaultMaxHead
}

func (l Limits) maxHead() int {
	if l.MaxHead <= 0 {
		return DefaultMaxHead
	}
	return l.MaxHead
}
