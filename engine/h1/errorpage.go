package h1

import "strconv"

// errorPage is one of HAProxy 2.6's built-in error messages.
type errorPage struct {
	status int
	title  string // reason phrase of the status line and of the <h1>
	text   string // the sentence under the title
	raw    bool   // sent by the HTTP/1 layer as stored (capitalized names); else through HAProxy's header normalization (lower-case names)
	close  bool   // carries "Connection: close"
}

// The texts are HAProxy 2.6's, byte for byte, including the stray '.'
// of 501. 400 and 408 are the forms HAProxy's HTTP/1 layer sends for a
// malformed request and for "timeout http-request", the situations
// hitless answers them in; the others are the forms sent through HTTP
// rules and the stream (deny, no server, bad or late response). HAProxy
// 2.6 has no 414 and 431 pages: those two follow the 400 page's layout
// with their own text.
var errorPages = [...]errorPage{
	{400, "Bad request", "Your browser sent an invalid request.", true, true},
	{403, "Forbidden", "Request forbidden by administrative rules.", false, false},
	{405, "Method Not Allowed", "A request was made of a resource using a request method not supported by that resource", false, false},
	{408, "Request Time-out", "Your browser didn't send a complete request in time.", true, true},
	{410, "Gone", "The resource is no longer available and will not be available again.", false, false},
	{413, "Payload Too Large", "The request entity exceeds the maximum allowed.", false, false},
	{414, "Request-URI Too Long", "Your browser sent a request line that is too long.", true, true},
	{425, "Too Early", "Your browser sent early data.", false, false},
	{429, "Too Many Requests", "You have sent too many requests in a given amount of time.", false, false},
	{431, "Request Header Fields Too Large", "Your browser sent header fields that are too large.", true, true},
	{500, "Internal Server Error", "An internal server error occurred.", false, false},
	{501, "Not Implemented", ".The server does not support the functionality required to fulfill the request.", false, false},
	{502, "Bad Gateway", "The server returned an invalid or incomplete response.", false, false},
	{503, "Service Unavailable", "No server is available to handle this request.", false, false},
	{504, "Gateway Time-out", "The server didn't respond in time.", false, false},
}

// pages holds the encoded errorPages, in the same order.
var pages = func() (p [len(errorPages)][]byte) {
	for i, e := range errorPages {
		body := "<html><body><h1>" + strconv.Itoa(e.status) + " " + e.title + "</h1>\n" + e.text + "\n</body></html>\n"
		cl := strconv.Itoa(len(body))
		s := "HTTP/1.1 " + strconv.Itoa(e.status) + " " + e.title + "\r\n"
		if e.raw {
			s += "Content-length: " + cl + "\r\nCache-Control: no-cache\r\n"
			if e.close {
				s += "Connection: close\r\n"
			}
			s += "Content-Type: text/html\r\n"
		} else {
			s += "content-length: " + cl + "\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n"
			if e.close {
				s += "connection: close\r\n"
			}
		}
		p[i] = []byte(s + "\r\n" + body)
	}
	return
}()

// ErrorPage returns HAProxy 2.6's default error response for status (400,
// 403, 405, 408, 410, 413, 414, 425, 429, 431, 500, 501, 502, 503, 504),
// byte for byte as haproxy 2.6 sends it, or nil for another status. The
// slice is shared: callers must not modify it. It never allocates.
func ErrorPage(status int) []byte {
	for i := range errorPages {
		if errorPages[i].status == status {
			return pages[i]
		}
	}
	return nil
}

// AppendResponse appends a complete response to dst and returns it:
// "HTTP/1.1 <status> <reason>" with [StatusText]'s reason, "content-type"
// (if contentType is not empty), "content-length", the extra header lines
// (already formatted "Name: Value\r\n", may be nil), the empty line and
// body. It allocates only if dst grows.
func AppendResponse(dst []byte, status int, contentType string, extra, body []byte) []byte {
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, ' ')
	dst = append(dst, StatusText(status)...)
	dst = append(dst, '\r', '\n')
	if contentType != "" {
		dst = append(dst, "content-type: "...)
		dst = append(dst, contentType...)
		dst = append(dst, '\r', '\n')
	}
	dst = append(dst, "content-length: "...)
	dst = strconv.AppendInt(dst, int64(len(body)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, extra...)
	dst = append(dst, '\r', '\n')
	return append(dst, body...)
}

// StatusText returns HAProxy 2.6's reason phrase for status: a name for
// the statuses it knows, else the class ("Informational", "Success",
// "Redirection", "Client Error", "Server Error") or "Other" outside
// 100-599.
func StatusText(status int) string {
	if s, ok := statusTexts[status]; ok {
		return s
	}
	switch {
	case status >= 100 && status < 200:
		return "Informational"
	case status >= 200 && status < 300:
		return "Success"
	case status >= 300 && status < 400:
		return "Redirection"
	case status >= 400 && status < 500:
		return "Client Error"
	case status >= 500 && status < 600:
		return "Server Error"
	}
	return "Other"
}

var statusTexts = map[int]string{
	100: "Continue",
	101: "Switching Protocols",
	102: "Processing",
	200: "OK",
	201: "Created",
	202: "Accepted",
	203: "Non-Authoritative Information",
	204: "No Content",
	205: "Reset Content",
	206: "Partial Content",
	207: "Multi-Status",
	210: "Content Different",
	226: "IM Used",
	300: "Multiple Choices",
	301: "Moved Permanently",
	302: "Moved Temporarily",
	303: "See Other",
	304: "Not Modified",
	305: "Use Proxy",
	307: "Temporary Redirect",
	308: "Permanent Redirect",
	310: "Too many Redirects",
	400: "Bad Request",
	401: "Unauthorized",
	402: "Payment Required",
	403: "Forbidden",
	404: "Not Found",
	405: "Method Not Allowed",
	406: "Not Acceptable",
	407: "Proxy Authentication Required",
	408: "Request Time-out",
	409: "Conflict",
	410: "Gone",
	411: "Length Required",
	412: "Precondition Failed",
	413: "Request Entity Too Large",
	414: "Request-URI Too Long",
	415: "Unsupported Media Type",
	416: "Requested range unsatisfiable",
	417: "Expectation failed",
	418: "I'm a teapot",
	421: "Misdirected Request",
	422: "Unprocessable Content",
	423: "Locked",
	424: "Method failure",
	425: "Too Early",
	426: "Upgrade Required",
	428: "Precondition Required",
	429: "Too Many Requests",
	431: "Request Header Fields Too Large",
	449: "Retry With",
	450: "Blocked by Windows Parental Controls",
	451: "Unavailable For Legal Reasons",
	456: "Unrecoverable Error",
	499: "client has closed connection",
	500: "Internal Server Error",
	501: "Not Implemented",
	502: "Bad Gateway or Proxy Error",
	503: "Service Unavailable",
	504: "Gateway Time-out",
	505: "HTTP Version not supported",
	506: "Variant also negotiate",
	507: "Insufficient storage",
	508: "Loop detected",
	509: "Bandwidth Limit Exceeded",
	510: "Not extended",
	511: "Network authentication required",
	520: "Web server is returning an unknown error",
}
