package h1

import "errors"

// Error is a parse failure with the status the proxy answers (400 for a
// request, 502 for a response) and a short reason for logs. Only the
// predefined values below exist: returning one never allocates, and
// callers compare them by pointer (for a response error, with
// [Error.ForResponse] applied to the request value).
type Error struct {
	Status int
	Reason string
}

// Error returns "h1: " and the reason. It allocates; the parsers never
// call it.
func (e *Error) Error() string { return "h1: " + e.Reason }

// ForResponse returns the response twin of a request error: same reason,
// status 502. It returns e itself when e is already a response error or
// not one of the predefined values. It never allocates.
func (e *Error) ForResponse() *Error {
	for i := range reqErrs {
		if e == &reqErrs[i] {
			return &resErrs[i]
		}
	}
	return e
}

// ErrIncomplete means the head (or chunk-size line) is not complete yet:
// read more and parse again.
var ErrIncomplete = errors.New("h1: incomplete message head")

type code uint8

const (
	cLineTooLong code = iota
	cHeadTooLarge
	cTooManyHeaders
	cRequestLine
	cMethod
	cTarget
	cVersion
	cStatusLine
	cStatus
	cHeaderName
	cHeaderValue
	cObsFold
	cBareCR
	cNoHost
	cDupHost
	cHostValue
	cHostMismatch
	cContentLength
	cContentLengthConflict
	cTransferEncoding
	cNotChunked
	cChunkedTwice
	cTEHTTP10
	cTEWithCL
	cChunkSize
	cChunkExt
	cChunkLineTooLong
	cChunkCRLF
	cTrailer
	cTrailersTooLarge
	numCodes
)

var reasons = [numCodes]string{
	cLineTooLong:           "start line too long",
	cHeadTooLarge:          "head too large",
	cTooManyHeaders:        "too many header fields",
	cRequestLine:           "malformed request line",
	cMethod:                "invalid method",
	cTarget:                "invalid request target",
	cVersion:               "unsupported HTTP version",
	cStatusLine:            "malformed status line",
	cStatus:                "invalid status code",
	cHeaderName:            "invalid header field name",
	cHeaderValue:           "invalid character in header field value",
	cObsFold:               "obsolete line folding",
	cBareCR:                "bare CR",
	cNoHost:                "missing Host",
	cDupHost:               "several Host fields",
	cHostValue:             "invalid Host value",
	cHostMismatch:          "Host differs from the target authority",
	cContentLength:         "invalid Content-Length",
	cContentLengthConflict: "conflicting Content-Length values",
	cTransferEncoding:      "invalid Transfer-Encoding",
	cNotChunked:            "final transfer coding is not chunked",
	cChunkedTwice:          "chunked applied more than once",
	cTEHTTP10:              "Transfer-Encoding in an HTTP/1.0 message",
	cTEWithCL:              "both Transfer-Encoding and Content-Length",
	cChunkSize:             "invalid chunk size",
	cChunkExt:              "invalid chunk extension",
	cChunkLineTooLong:      "chunk size line too long",
	cChunkCRLF:             "chunk data not followed by CRLF",
	cTrailer:               "invalid trailer field",
	cTrailersTooLarge:      "trailer section too large",
}

var reqErrs, resErrs = func() (req, res [numCodes]Error) {
	for i, r := range reasons {
		req[i] = Error{Status: 400, Reason: r}
		res[i] = Error{Status: 502, Reason: r}
	}
	return
}()

// The request errors (status 400). Each has a response twin with status
// 502, see [Error.ForResponse]. HAProxy 2.6 answers 400 to an oversized
// request line or head (it has no 414 or 431 page), and so do we.
var (
	// ErrLineTooLong: no line end within MaxHead bytes.
	ErrLineTooLong = &reqErrs[cLineTooLong]
	// ErrHeadTooLarge: the head does not end within MaxHead bytes. The
	// caller of [FindHeadEnd] uses it (or ErrLineTooLong, see
	// [HeadTooLarge]) when MaxHead bytes hold no complete head.
	ErrHeadTooLarge   = &reqErrs[cHeadTooLarge]
	ErrTooManyHeaders = &reqErrs[cTooManyHeaders]
	ErrRequestLine    = &reqErrs[cRequestLine]
	ErrMethod         = &reqErrs[cMethod]
	ErrTarget         = &reqErrs[cTarget]
	ErrVersion        = &reqErrs[cVersion]
	ErrStatusLine     = &resErrs[cStatusLine] // responses only
	ErrStatus         = &resErrs[cStatus]     // responses only
	ErrHeaderName     = &reqErrs[cHeaderName]
	ErrHeaderValue    = &reqErrs[cHeaderValue]
	ErrObsFold        = &reqErrs[cObsFold]
	ErrBareCR         = &reqErrs[cBareCR]
	ErrNoHost         = &reqErrs[cNoHost]
	ErrDupHost        = &reqErrs[cDupHost]
	ErrHostValue      = &reqErrs[cHostValue]
	ErrHostMismatch   = &reqErrs[cHostMismatch]

	ErrContentLength         = &reqErrs[cContentLength]
	ErrContentLengthConflict = &reqErrs[cContentLengthConflict]
	ErrTransferEncoding      = &reqErrs[cTransferEncoding]
	ErrNotChunked            = &reqErrs[cNotChunked]
	ErrChunkedTwice          = &reqErrs[cChunkedTwice]
	ErrTEHTTP10              = &reqErrs[cTEHTTP10]
	ErrTEWithCL              = &reqErrs[cTEWithCL]

	// Chunked body errors, returned by [Chunked.Scan] for requests and
	// responses alike.
	ErrChunkSize        = &reqErrs[cChunkSize]
	ErrChunkExt         = &reqErrs[cChunkExt]
	ErrChunkLineTooLong = &reqErrs[cChunkLineTooLong]
	ErrChunkCRLF        = &reqErrs[cChunkCRLF]
	ErrTrailer          = &reqErrs[cTrailer]
	ErrTrailersTooLarge = &reqErrs[cTrailersTooLarge]
)

// HeadTooLarge returns the request error for a buffer that holds MaxHead
// bytes or more and no complete head ([FindHeadEnd] returned -1):
// ErrLineTooLong when not even the request line ended, else
// ErrHeadTooLarge. Use ForResponse on the result for a response.
func HeadTooLarge(buf []byte) *Error {
	if lineEnd(buf, skipEmptyLines(buf, len(buf)), len(buf)) >= 0 {
		return ErrHeadTooLarge
	}
	return ErrLineTooLong
}
