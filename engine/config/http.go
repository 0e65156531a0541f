package config

import (
	"net/netip"
	"os"
	"strings"
	"time"

	"hitless/engine/rules"
)

// ConnMode is how a proxy in mode http handles connections between
// transactions: HAProxy's "option http-keep-alive" (the default),
// "option http-server-close" and "option httpclose". A stream's mode is
// the strictest of its frontend's and its backend's.
type ConnMode uint8

const (
	ConnKeepAlive   ConnMode = 0 // keep both connections open between requests
	ConnServerClose ConnMode = 1 // close the server connection after each response
	ConnClose       ConnMode = 2 // close both connections after each response
)

// Reuse is "http-reuse": which streams may send a request over an idle
// server connection another stream opened.
type Reuse uint8

const (
	ReuseSafe       Reuse = 0 // the first request of a client connection opens its own
	ReuseNever      Reuse = 1 // server connections are private to the client connection
	ReuseAggressive Reuse = 2 // first requests may use connections reused at least once
	ReuseAlways     Reuse = 3 // any request may use any idle connection
)

// HeaderOpt is "option forwardfor" or "option originalto": a header the
// proxy adds with the client's (or the original destination's) address,
// except when the address is in Except.
type HeaderOpt struct {
	Enabled   bool
	Header    string       // header name; HAProxy's default in lower case
	Except    netip.Prefix // valid when HasExcept
	HasExcept bool
	IfNone    bool // forwardfor if-none: only when the request has no such header
}

// HTTP holds a proxy's mode http settings.
type HTTP struct {
	ConnMode   ConnMode
	Reuse      Reuse
	ForwardFor HeaderOpt
	OriginalTo HeaderOpt
	MonitorURI string // "monitor-uri": answered 200 by the frontend itself

	ACLs          *rules.ACLSet // named ACLs; nil when none
	RequestRules  []*rules.Rule // "http-request", in order
	ResponseRules []*rules.Rule // "http-response", in order
	Redirects     []*rules.Rule // "redirect" (run after http-request rules)
	UseBackends   []UseBackend  // "use_backend", in order

	Stats Stats // the "stats" keywords of the statistics page

	// ReqCaptures and ResCaptures are "capture request|response header",
	// in order; CookieCapture is "capture cookie" (Name "" when none).
	ReqCaptures, ResCaptures []Capture
	CookieCapture            Capture

	// UniqueIDFormat is "unique-id-format" (engine/logs syntax), ""
	// when none; UniqueIDHeader is "unique-id-header", the request header
	// that carries the identifier to the server.
	UniqueIDFormat, UniqueIDHeader string

	// ErrorFiles are the "errorfile" responses by status; shared
	// read-only (a section copies the map before changing it).
	ErrorFiles map[int][]byte
}

// Stats is the statistics page of a proxy.
type Stats struct {
	Enabled     bool
	URI         string // "" = HAProxy's default "/haproxy?stats"
	Refresh     time.Duration
	ShowNode    string
	ShowLegends bool
	HideVersion bool

	// Users are the "stats auth" accounts and Realm the "stats realm"
	// ("" = DefaultStatsRealm): with at least one user, the page asks
	// for Basic credentials.
	Users []StatsUser
	Realm string
	// Scope lists the "stats scope" proxy names the page shows, "."
	// standing for the proxy serving it; nil shows every proxy.
	Scope []string
	// Admin are the "stats admin" conditions: when one holds for a
	// request, the page offers and accepts actions on servers.
	Admin []*rules.Cond
	// Rules are the "stats http-request" rules, in order. Parsing
	// refuses them together with Users or Realm, as HAProxy does.
	Rules []StatsRule
}

// optionConnMode handles "option httpclose|http-server-close|
// http-keep-alive": they replace one another, and "no option" returns to
// keep-alive.
func optionConnMode(px *Proxy, name string, on bool) {
	mode := ConnKeepAlive
	if on {
		switch name {
		case "httpclose":
			mode = ConnClose
		case "http-server-close":
			mode = ConnServerClose
		}
	}
	px.HTTP.ConnMode = mode
}

// optionHeader handles "option forwardfor [except <net>] [header <name>]
// [if-none]" and "option originalto [except <net>] [header <name>]"; the
// arguments were checked by checkForwardFor / checkOriginalTo.
func (p *parser) optionHeader(h *HeaderOpt, name string, w []string, on bool) {
	*h = HeaderOpt{Enabled: on, Header: "x-forwarded-for"}
	if name == "originalto" {
		h.Header = "x-original-to"
	}
	if !on {
		return
	}
	for i := 2; i < len(w); i++ {
		switch w[i] {
		case "except":
			i++
			pfx, ok := parseNet(w[i])
			if !ok {
				p.alert("'option " + name + " except' expects <address>[/mask] as argument.")
				return
			}
			h.Except, h.HasExcept = pfx, true
		case "header":
			i++
			h.Header = w[i]
		case "if-none":
			h.IfNone = true
		}
	}
}

// parseNet parses an address with an optional mask: "10.0.0.0/8",
// "127.0.0.1", "::1/128", or a dotted mask "10.0.0.0/255.0.0.0".
func parseNet(s string) (netip.Prefix, bool) {
	addr, mask, hasMask := strings.Cut(s, "/")
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.Prefix{}, false
	}
	bits := a.BitLen()
	if hasMask {
		if m, err := netip.ParseAddr(mask); err == nil && m.Is4() && a.Is4() {
			b := m.As4()
			v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			bits = 0
			for v&(1<<31) != 0 {
				bits++
				v <<= 1
			}
			if v != 0 {
				return netip.Prefix{}, false
			}
		} else {
			n, end := strtolBase10(mask, 0)
			if end != len(mask) || mask == "" || n < 0 || int(n) > a.BitLen() {
				return netip.Prefix{}, false
			}
			bits = int(n)
		}
	}
	return netip.PrefixFrom(a, bits).Masked(), true
}

// proxyHTTPReuse handles "http-reuse never|safe|aggressive|always".
func (p *parser) proxyHTTPReuse(ps *proxyState, w []string) {
	if p.tooMany(1, w, "http-reuse") {
		return
	}
	switch arg(w, 1) {
	case "never":
		ps.px.HTTP.Reuse = ReuseNever
	case "safe":
		ps.px.HTTP.Reuse = ReuseSafe
	case "aggressive":
		ps.px.HTTP.Reuse = ReuseAggressive
	case "always":
		ps.px.HTTP.Reuse = ReuseAlways
	default:
		p.alert("'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'")
	}
}

// proxyMonitorURI handles "monitor-uri <uri>".
func (p *parser) proxyMonitorURI(ps *proxyState, w []string) {
	if p.tooMany(1, w, "monitor-uri") {
		return
	}
	if arg(w, 1) == "" {
		p.alert("'monitor-uri' expects an URI.")
		return
	}
	ps.px.HTTP.MonitorURI = w[1]
}

// errorfileCodes are the statuses "errorfile" accepts (HAProxy 2.6).
var errorfileCodes = map[int]bool{200: true, 400: true, 401: true, 403: true, 404: true, 405: true, 407: true,
	408: true, 410: true, 413: true, 425: true, 429: true, 500: true, 501: true, 502: true, 503: true, 504: true}

// proxyErrorfile handles "errorfile <code> <file>": the file is a complete
// HTTP response sent instead of the built-in page for that status.
func (p *parser) proxyErrorfile(ps *proxyState, w []string) {
	if arg(w, 1) == "" || arg(w, 2) == "" {
		p.alert("'errorfile' expects <status_code> and <file> as arguments.")
		return
	}
	code, end := strtolBase10(w[1], 0)
	if end != len(w[1]) || !errorfileCodes[int(code)] {
		p.alert("status code '" + w[1] + "' not handled.")
		return
	}
	data, err := os.ReadFile(w[2])
	if err != nil {
		p.alert("error opening file '" + w[2] + "'.")
		return
	}
	if len(data) == 0 {
		p.alert("ignore empty error file '" + w[2] + "'.")
		return
	}
	m := make(map[int][]byte, len(ps.px.HTTP.ErrorFiles)+1)
	for k, v := range ps.px.HTTP.ErrorFiles {
		m[k] = v
	}
	m[int(code)] = data
	ps.px.HTTP.ErrorFiles = m
}
