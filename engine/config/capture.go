package config

import (
	"strconv"

	"hitless/engine/logs"
)

// Capture is one "capture request header", "capture response header" or
// "capture cookie": the first Len bytes of the value are kept for the
// traffic log (%hr %hs, %CC %CS).
type Capture struct {
	Name string // header or cookie name
	Len  int    // bytes kept; 0 keeps an empty value
}

// maxCaptureLen bounds a capture to what a header can hold.
const maxCaptureLen = 16384

// proxyCapture handles "capture cookie <name> len <n>" and "capture
// request|response header <name> len <n>".
func (p *parser) proxyCapture(ps *proxyState, w []string) {
	h := &ps.px.HTTP
	if ps.px.Cap&CapFE == 0 {
		p.warn("'capture' ignored because " + ps.typeName() + " '" + ps.px.Name + "' has no frontend capability.")
		return
	}
	switch arg(w, 1) {
	case "cookie":
		if arg(w, 2) == "" || arg(w, 3) != "len" || arg(w, 4) == "" {
			p.alert("'capture' expects 'cookie' <cookie_name> 'len' <len>.")
			return
		}
		// As HAProxy: words after the length are ignored and a later
		// cookie capture replaces an earlier one.
		h.CookieCapture = Capture{Name: w[2], Len: captureLen(w[4])}
	case "request", "response":
		dir := w[1]
		if arg(w, 2) != "header" || arg(w, 3) == "" || arg(w, 4) != "len" || arg(w, 5) == "" {
			p.alert("'capture " + dir + "' expects 'header' <header_name> 'len' <len>.")
			return
		}
		if len(w) > 6 {
			p.alert("'capture " + dir + "' cannot handle unexpected argument '" + w[6] + "'.")
			return
		}
		c := Capture{Name: w[3], Len: captureLen(w[5])}
		if dir == "request" {
			h.ReqCaptures = append(h.ReqCaptures, c)
		} else {
			h.ResCaptures = append(h.ResCaptures, c)
		}
	default:
		p.alert("'capture' expects 'cookie' or 'request header' or 'response header'.")
	}
}

// captureLen reads a capture length as HAProxy does: leading digits,
// anything else is 0.
func captureLen(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	v, err := strconv.Atoi(s[:n])
	if err != nil || v < 0 {
		return 0
	}
	return min(v, maxCaptureLen)
}

// proxyUniqueIDFormat handles "unique-id-format <fmt>"; like HAProxy,
// a backend accepts it silently and never uses it.
func (p *parser) proxyUniqueIDFormat(ps *proxyState, w []string) {
	if arg(w, 1) == "" {
		p.alert("unique-id-format expects an argument.")
		return
	}
	if _, err := logs.Compile(w[1]); err != nil {
		p.alert("unique-id-format : " + err.Error())
		return
	}
	ps.px.HTTP.UniqueIDFormat = w[1]
}

// proxyUniqueIDHeader handles "unique-id-header <name>".
func (p *parser) proxyUniqueIDHeader(ps *proxyState, w []string) {
	if arg(w, 1) == "" {
		p.alert("unique-id-header expects an argument.")
		return
	}
	ps.px.HTTP.UniqueIDHeader = w[1]
}

// proxyLogTag handles "log-tag <tag>" in a proxy: it replaces the global
// tag in this proxy's traffic logs.
func (p *parser) proxyLogTag(ps *proxyState, w []string) {
	if arg(w, 1) == "" {
		p.alert("'log-tag' expects a tag for use in syslog.")
		return
	}
	ps.px.LogTag = w[1]
}
