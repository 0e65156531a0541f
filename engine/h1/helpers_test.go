package h1

import (
	"fmt"
	"strings"
)

var formNames = [...]string{FormOrigin: "origin", FormAbsolute: "absolute", FormAuthority: "authority", FormAsterisk: "asterisk"}

var framingNames = [...]string{BodyNone: "none", BodyLength: "length", BodyChunked: "chunked", BodyUntilClose: "close", BodyTunnel: "tunnel"}

func (f Framing) String() string { return framingNames[f] }

func connNames(f ConnFlags) string {
	var s []string
	if f&ConnClose != 0 {
		s = append(s, "close")
	}
	if f&ConnKeepAlive != 0 {
		s = append(s, "keep-alive")
	}
	if f&ConnUpgrade != 0 {
		s = append(s, "upgrade")
	}
	return strings.Join(s, ",")
}

// describeRequest renders a parsed request as space-separated key=value
// tokens, for table tests that name only the keys they care about.
func describeRequest(buf []byte, r *Request) string {
	b := func(s Span) string { return string(s.Bytes(buf)) }
	return fmt.Sprintf("m=%s method=%d form=%s target=%s auth=%s path=%s query=%s minor=%d host=%s hashost=%t body=%s cl=%d conn=%s exp100=%t upgrade=%t n=%d headlen=%d",
		b(r.MethodSpan), r.Method, formNames[r.Form], b(r.Target), b(r.Authority), b(r.Path), b(r.Query), r.Minor,
		b(r.Host), r.HasHost, r.Body, r.ContentLength, connNames(r.Conn), r.Expect100, r.Upgrade, r.NumHeaders, r.HeadLen)
}

func describeResponse(buf []byte, r *Response) string {
	return fmt.Sprintf("minor=%d status=%d reason=%s body=%s cl=%d conn=%s n=%d headlen=%d",
		r.Minor, r.Status, strings.ReplaceAll(string(r.Reason.Bytes(buf)), " ", "_"), r.Body, r.ContentLength, connNames(r.Conn), r.NumHeaders, r.HeadLen)
}

// missingTokens returns the tokens of want that are not tokens of got.
func missingTokens(got, want string) []string {
	have := map[string]bool{}
	for _, t := range strings.Fields(got) {
		have[t] = true
	}
	var miss []string
	for _, t := range strings.Fields(want) {
		if !have[t] {
			miss = append(miss, t)
		}
	}
	return miss
}

// errName returns the name of a predefined error, for failure messages.
func errName(err error) string {
	if err == nil {
		return "nil"
	}
	if err == ErrIncomplete {
		return "ErrIncomplete"
	}
	if e, ok := err.(*Error); ok {
		return fmt.Sprintf("%d %q", e.Status, e.Reason)
	}
	return err.Error()
}
