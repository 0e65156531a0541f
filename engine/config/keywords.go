package config

import "sort"

// Every keyword HAProxy 2.6 accepts in a proxy has one of three statuses
// here (see doc.go): implemented, parsed but ignored with a warning, or
// refused with an alert because running without it would change what
// the configuration means.

type kwStatus uint8

const (
	statusImplemented kwStatus = iota
	statusIgnored              // parsed, warning "not supported yet and is ignored"
	statusAlert                // alert "not implemented yet"
)

// dfltRule says whether a keyword may appear in a defaults section.
type dfltRule uint8

const (
	dfltOK    dfltRule = iota
	dfltNo             // never
	dfltNamed          // only in a named defaults section
)

// proxyKW describes one proxy keyword (the first word of a line).
type proxyKW struct {
	need     Cap // capability the proxy must have, 0 for any
	capAlert bool
	capHint  string // appended to the "ignored because" warning
	dflt     dfltRule
	dfltMsg  string // replaces the "not allowed in 'defaults'" message
	dfltForm Form
	handle   func(p *parser, ps *proxyState, w []string)
}

// ignoredKW returns a handler for a keyword that is accepted with a
// warning.
func ignoredKW(name string) func(p *parser, ps *proxyState, w []string) {
	return func(p *parser, ps *proxyState, w []string) { p.notSupported(name) }
}

// alertKW returns a handler for a keyword that is refused.
func alertKW(name string) func(p *parser, ps *proxyState, w []string) {
	return func(p *parser, ps *proxyState, w []string) { p.notImplemented(name) }
}

// removedKW returns a handler for a keyword HAProxy 2.6 no longer accepts.
func removedKW(msg string) func(p *parser, ps *proxyState, w []string) {
	return func(p *parser, ps *proxyState, w []string) { p.alert(msg) }
}

var proxyKeywords map[string]proxyKW

// proxySuggest suggests proxy keywords and section names.
var proxySuggest *suggester

func init() {
	intKW := func(missing string, pick func(*Proxy) *int) func(p *parser, ps *proxyState, w []string) {
		return func(p *parser, ps *proxyState, w []string) { p.proxyInt(w, pick(ps.px), missing) }
	}
	proxyKeywords = map[string]proxyKW{
		// Implemented.
		"mode":            {handle: (*parser).proxyMode},
		"bind":            {need: CapFE, dflt: dfltNo, handle: (*parser).proxyBind},
		"maxconn":         {need: CapFE, capHint: " Maybe you want 'fullconn' instead ?", handle: intKW("'maxconn' expects an integer argument.", func(px *Proxy) *int { return &px.Maxconn })},
		"backlog":         {need: CapFE, handle: intKW("'backlog' expects an integer argument.", func(px *Proxy) *int { return &px.Backlog })},
		"fullconn":        {need: CapBE, capHint: " Maybe you want 'maxconn' instead ?", handle: intKW("'fullconn' expects an integer argument.", func(px *Proxy) *int { return &px.Fullconn })},
		"retries":         {need: CapBE, handle: intKW("'retries' expects an integer argument (dispatch counts for one).", func(px *Proxy) *int { return &px.Retries })},
		"default_backend": {need: CapFE, handle: (*parser).proxyDefaultBackend},
		"balance":         {need: CapBE, handle: (*parser).proxyBalance},
		"hash-type":       {need: CapBE, handle: (*parser).proxyHashType},
		"server":          {need: CapBE, capAlert: true, dflt: dfltNo, dfltForm: FormBare, handle: (*parser).proxyServer},
		"default-server":  {need: CapBE, capAlert: true, handle: (*parser).proxyDefaultServer},
		"timeout":         {handle: (*parser).proxyTimeout},
		"option":          {handle: func(p *parser, ps *proxyState, w []string) { p.proxyOption(ps, w, "") }},
		"disabled":        {handle: (*parser).proxyDisabled},
		"enabled":         {handle: (*parser).proxyDisabled},
		"id":              {dflt: dfltNo, dfltForm: FormParsingTight, handle: (*parser).proxyID},
		"description":     {dflt: dfltNo, dfltForm: FormParsingTight, handle: (*parser).proxyDescription},
		"log":             {handle: (*parser).proxyLog},
		"http-check":      {need: CapBE, handle: (*parser).proxyHTTPCheck},
		"tcp-check":       {need: CapBE, handle: (*parser).proxyTCPCheck},
		"http-reuse":      {need: CapBE, handle: (*parser).proxyHTTPReuse},
		"monitor-uri":     {need: CapFE, handle: (*parser).proxyMonitorURI},
		"errorfile":       {handle: (*parser).proxyErrorfile},
		"acl":             {dflt: dfltNamed, handle: (*parser).proxyACL},
		"http-request":    {dflt: dfltNamed, handle: (*parser).proxyHTTPRequest},
		"http-response":   {dflt: dfltNamed, handle: (*parser).proxyHTTPResponse},
		"use_backend":     {need: CapFE, dflt: dfltNo, handle: (*parser).proxyUseBackend},
		"redirect":        {dflt: dfltNo, handle: (*parser).proxyRedirect},

		// Parsed, ignored with a warning.
		"log-format":                  {handle: (*parser).proxyLogFormat},
		"log-format-sd":               {need: CapFE, handle: ignoredKW("log-format-sd")},
		"error-log-format":            {need: CapFE, handle: ignoredKW("error-log-format")},
		"log-tag":                     {handle: (*parser).proxyLogTag},
		"capture":                     {dflt: dfltNo, dfltMsg: "'capture request' not allowed in 'defaults' section.", handle: (*parser).proxyCapture},
		"declare":                     {need: CapFE, dflt: dfltNo, handle: ignoredKW("declare")},
		"stick-table":                 {dflt: dfltNo, dfltMsg: "'stick-table' is not supported in 'defaults' section.", handle: (*parser).proxyStickTable},
		"stick":                       {need: CapBE, dflt: dfltNo, handle: (*parser).proxyStick},
		"external-check":              {need: CapBE, handle: alertKW("external-check")},
		"cookie":                      {need: CapBE, handle: ignoredKW("cookie")},
		"dynamic-cookie-key":          {need: CapBE, handle: ignoredKW("dynamic-cookie-key")},
		"persist":                     {need: CapBE, handle: ignoredKW("persist")},
		"force-persist":               {need: CapBE, dflt: dfltNo, handle: ignoredKW("force-persist")},
		"ignore-persist":              {need: CapBE, dflt: dfltNo, handle: ignoredKW("ignore-persist")},
		"hash-balance-factor":         {handle: ignoredKW("hash-balance-factor")},
		"errorfiles":                  {handle: ignoredKW("errorfiles")},
		"errorloc":                    {handle: ignoredKW("errorloc")},
		"errorloc302":                 {handle: ignoredKW("errorloc302")},
		"errorloc303":                 {handle: ignoredKW("errorloc303")},
		"http-error":                  {handle: ignoredKW("http-error")},
		"unique-id-format":            {handle: (*parser).proxyUniqueIDFormat},
		"unique-id-header":            {handle: (*parser).proxyUniqueIDHeader},
		"email-alert":                 {handle: ignoredKW("email-alert")},
		"compression":                 {handle: ignoredKW("compression")},
		"rate-limit":                  {need: CapFE, handle: ignoredKW("rate-limit")},
		"http-send-name-header":       {need: CapBE, handle: ignoredKW("http-send-name-header")},
		"max-keep-alive-queue":        {need: CapBE, handle: ignoredKW("max-keep-alive-queue")},
		"retry-on":                    {need: CapBE, handle: ignoredKW("retry-on")},
		"server-state-file-name":      {need: CapBE, handle: ignoredKW("server-state-file-name")},
		"load-server-state-from-file": {need: CapBE, handle: ignoredKW("load-server-state-from-file")},
		"clitcpka-cnt":                {need: CapFE, handle: ignoredKW("clitcpka-cnt")},
		"clitcpka-idle":               {need: CapFE, handle: ignoredKW("clitcpka-idle")},
		"clitcpka-intvl":              {need: CapFE, handle: ignoredKW("clitcpka-intvl")},
		"srvtcpka-cnt":                {need: CapBE, handle: ignoredKW("srvtcpka-cnt")},
		"srvtcpka-idle":               {need: CapBE, handle: ignoredKW("srvtcpka-idle")},
		"srvtcpka-intvl":              {need: CapBE, handle: ignoredKW("srvtcpka-intvl")},
		"bind-process":                {handle: ignoredKW("bind-process")},

		// Refused: running without them would change the meaning.
		"http-after-response": {dflt: dfltNamed, handle: alertKW("http-after-response")},
		"tcp-request":         {handle: (*parser).proxyTCPRequest},
		"tcp-response":        {handle: (*parser).proxyTCPResponse},
		"use-server":          {need: CapBE, dflt: dfltNo, handle: alertKW("use-server")},
		"monitor":             {need: CapFE, dflt: dfltNo, handle: alertKW("monitor")},
		"stats":               {handle: (*parser).proxyStats},
		"dispatch":            {need: CapBE, dflt: dfltNo, handle: alertKW("dispatch")},
		"transparent":         {need: CapBE, handle: alertKW("transparent")},
		"source":              {need: CapBE, handle: alertKW("source")},
		"server-template":     {need: CapBE, capAlert: true, dflt: dfltNo, dfltForm: FormBare, handle: alertKW("server-template")},
		"filter":              {dflt: dfltNo, handle: alertKW("filter")},
		"use-fcgi-app":        {need: CapBE, dflt: dfltNo, handle: alertKW("use-fcgi-app")},

		// Removed before 2.6: HAProxy's own alerts.
		"contimeout": {handle: func(p *parser, ps *proxyState, w []string) { p.removedTimeout("contimeout") }},
		"clitimeout": {handle: func(p *parser, ps *proxyState, w []string) { p.removedTimeout("clitimeout") }},
		"srvtimeout": {handle: func(p *parser, ps *proxyState, w []string) { p.removedTimeout("srvtimeout") }},
		"redispatch": {handle: removedKW("keyword 'redispatch' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'.")},
		"redisp":     {handle: removedKW("keyword 'redisp' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'.")},
		"block":      {handle: removedKW("The 'block' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny' which uses the exact same syntax.")},
		"monitor-net": {handle: func(p *parser, ps *proxyState, w []string) {
			p.alert("'monitor-net' doesn't exist anymore. Please use 'http-request return status 200 if { src " + arg(w, 1) + " }' instead.")
		}},
		"appsession": {handle: removedKW("'appsession' is not supported anymore since HAProxy 1.6.")},
	}
	for name, repl := range removedReqRsp {
		proxyKeywords[name] = proxyKW{handle: removedKW("The '" + name + "' directive is not supported anymore since HAProxy 2.1. Use " + repl + " instead.")}
	}
	proxySuggest = newSuggester(mapKeys(proxyKeywords), sectionKeywords)
}

// removedReqRsp maps the pre-2.1 header manipulation keywords to what
// HAProxy suggests instead.
var removedReqRsp = map[string]string{
	"reqadd":     "'http-request add-header'",
	"rspadd":     "'http-response add-header'",
	"reqdel":     "'http-request del-header'",
	"reqidel":    "'http-request del-header'",
	"rspdel":     "'http-response del-header'",
	"rspidel":    "'http-response del-header'",
	"reqrep":     "'http-request replace-path', 'http-request replace-uri' or 'http-request replace-header'",
	"reqirep":    "'http-request replace-path', 'http-request replace-uri' or 'http-request replace-header'",
	"rsprep":     "'http-response replace-header'",
	"rspirep":    "'http-response replace-header'",
	"reqdeny":    "'http-request deny'",
	"reqideny":   "'http-request deny'",
	"reqallow":   "'http-request allow'",
	"reqiallow":  "'http-request allow'",
	"reqpass":    "'http-request allow'",
	"reqipass":   "'http-request allow'",
	"reqtarpit":  "'http-request tarpit'",
	"reqitarpit": "'http-request tarpit'",
	"rspdeny":    "'http-response deny'",
	"rspideny":   "'http-response deny'",
}

// proxyOpt describes one "option".
type proxyOpt struct {
	need      Cap  // capability the proxy must have, 0 for any
	onlyFE    bool // logging options: "ignored in backends" warning
	negatable bool // "no option" and "default option" are accepted
	args      int  // number of optional arguments; -1 = any
	status    kwStatus
	check     func(p *parser, w []string) bool // validates arguments
}

var proxyOptions = map[string]proxyOpt{
	// Implemented.
	"redispatch":      {need: CapBE, negatable: true, args: -1},
	"splice-auto":     {negatable: true},
	"splice-request":  {negatable: true},
	"splice-response": {negatable: true},
	"allbackups":      {need: CapBE, negatable: true},

	// Health checks.
	"httpchk":           {need: CapBE, args: 3},
	"tcp-check":         {need: CapBE},
	"mysql-check":       {need: CapBE, args: 3, check: checkMySQLCheck},
	"pgsql-check":       {need: CapBE, args: 2, check: checkPgSQLCheck},
	"redis-check":       {need: CapBE},
	"log-health-checks": {need: CapBE, negatable: true},

	// Logging; those marked ignored are parsed and ignored.
	"tcplog":              {onlyFE: true},
	"httplog":             {onlyFE: true, args: 1, check: checkHTTPLog},
	"httpslog":            {onlyFE: true, status: statusIgnored},
	"dontlognull":         {need: CapFE, negatable: true},
	"dontlog-normal":      {need: CapFE, negatable: true, status: statusIgnored},
	"logasap":             {need: CapFE, negatable: true},
	"log-separate-errors": {need: CapFE, negatable: true, status: statusIgnored},
	"contstats":           {need: CapFE, negatable: true, status: statusIgnored},
	"socket-stats":        {need: CapFE, negatable: true, status: statusIgnored},

	// Health check methods hitless does not implement: running a plain
	// connect check instead would change what "check" means.
	"ldap-check":     {need: CapBE, status: statusAlert},
	"smtpchk":        {need: CapBE, args: 2, status: statusAlert},
	"ssl-hello-chk":  {need: CapBE, status: statusAlert},
	"spop-check":     {need: CapBE, status: statusAlert},
	"external-check": {need: CapBE, status: statusAlert},

	// TCP tuning and persistence, parsed and ignored.
	"tcpka":               {status: statusIgnored},
	"clitcpka":            {need: CapFE, negatable: true, status: statusIgnored},
	"srvtcpka":            {need: CapBE, negatable: true, status: statusIgnored},
	"nolinger":            {negatable: true, status: statusIgnored},
	"tcp-smart-accept":    {need: CapFE, negatable: true, status: statusIgnored},
	"tcp-smart-connect":   {need: CapBE, negatable: true, status: statusIgnored},
	"persist":             {need: CapBE, negatable: true, status: statusIgnored},
	"prefer-last-server":  {need: CapBE, negatable: true, status: statusIgnored},
	"abortonclose":        {need: CapBE, negatable: true, status: statusIgnored},
	"independent-streams": {negatable: true, status: statusIgnored},

	// HTTP options; those with a status are parsed and ignored.
	"accept-invalid-http-request":  {need: CapFE, negatable: true, status: statusIgnored},
	"accept-invalid-http-response": {need: CapBE, negatable: true, status: statusIgnored},
	"checkcache":                   {need: CapBE, negatable: true, status: statusIgnored},
	"disable-h2-upgrade":           {need: CapFE, negatable: true, status: statusIgnored},
	"forwardfor":                   {args: -1, check: checkForwardFor},
	"originalto":                   {args: -1, check: checkOriginalTo},
	"h1-case-adjust-bogus-client":  {need: CapFE, negatable: true, status: statusIgnored},
	"h1-case-adjust-bogus-server":  {need: CapBE, negatable: true, status: statusIgnored},
	"http-buffer-request":          {negatable: true, status: statusIgnored},
	"http-ignore-probes":           {need: CapFE, negatable: true, status: statusIgnored},
	"http-keep-alive":              {negatable: true},
	"http-no-delay":                {negatable: true, status: statusIgnored},
	"http-pretend-keepalive":       {need: CapBE, negatable: true, status: statusIgnored},
	"http-restrict-req-hdr-names":  {args: 1, status: statusIgnored, check: checkRestrictHdr},
	"http-server-close":            {negatable: true},
	"http-use-proxy-header":        {need: CapFE, negatable: true, status: statusIgnored},
	"httpclose":                    {negatable: true},
	"idle-close-on-response":       {need: CapFE, negatable: true, status: statusIgnored},

	// Refused.
	"transparent": {need: CapBE, negatable: true, status: statusAlert},
}

// removedOptions are options HAProxy 2.6 rejects with a dedicated message.
var removedOptions = map[string]string{
	"forceclose":  "option 'forceclose' is not supported any more since HAProxy 2.0, please just remove it, or use 'option httpclose' if absolutely needed.",
	"http-tunnel": "option 'http-tunnel' is not supported any more since HAProxy 2.1, please just remove it, it shouldn't be needed.",
	"http_proxy":  "option 'http_proxy' is not supported any more since HAProxy 2.5. This option stopped working in HAProxy 1.9 and usually had nasty side effects. It can be more reliably implemented with combinations of 'http-request set-dst' and 'http-request set-uri', and even 'http-request do-resolve' if DNS resolution is desired.",
}

func checkHTTPLog(p *parser, w []string) bool {
	if a := arg(w, 2); a != "" && a != "clf" {
		p.alert("keyword 'httplog' only supports option 'clf'.")
		return false
	}
	return true
}

func checkOriginalTo(p *parser, w []string) bool {
	for i := 2; i < len(w); i++ {
		switch w[i] {
		case "except", "header":
			if arg(w, i+1) == "" {
				if w[i] == "except" {
					p.alert("'option originalto except' expects <address>[/mask] as argument.")
				} else {
					p.alert("'option originalto header' expects <header_name> as argument.")
				}
				return false
			}
			i++
		case "":
		default:
			p.alert("'option originalto' only supports optional values: 'except' and 'header'.")
			return false
		}
	}
	return true
}

func checkForwardFor(p *parser, w []string) bool {
	for i := 2; i < len(w); i++ {
		switch w[i] {
		case "except", "header":
			if arg(w, i+1) == "" {
				if w[i] == "except" {
					p.alert("'option forwardfor except' expects <address>[/mask] as argument.")
				} else {
					p.alert("'option forwardfor header' expects <header_name> as argument.")
				}
				return false
			}
			i++
		case "if-none", "":
		default:
			p.alert("'option forwardfor' only supports optional values: 'except', 'header' and 'if-none'.")
			return false
		}
	}
	return true
}

func checkRestrictHdr(p *parser, w []string) bool {
	switch arg(w, 2) {
	case "preserve", "delete", "reject":
		return true
	case "":
		p.alert("missing parameter. option 'http-restrict-req-hdr-names' expects 'preserve', 'reject' or 'delete' option.")
	default:
		p.alert("invalid parameter '" + w[2] + "'. option 'http-restrict-req-hdr-names' expects 'preserve', 'reject' or 'delete' option.")
	}
	return false
}

// bindOpt describes one option of a "bind" (or "stats socket") line.
type bindOpt struct {
	args   int // number of arguments the option takes
	status kwStatus
}

// bindOptions are the bind keywords of HAProxy 2.6. The implemented ones
// are handled in bind.go; the status applies to the others.
var bindOptions = map[string]bindOpt{
	"name":                 {args: 1},
	"v4v6":                 {},
	"v6only":               {},
	"backlog":              {args: 1},
	"maxconn":              {args: 1},
	"defer-accept":         {},
	"mode":                 {args: 1},
	"process":              {args: 1, status: statusIgnored},
	"thread":               {args: 1, status: statusIgnored},
	"shards":               {args: 1, status: statusIgnored},
	"tfo":                  {status: statusIgnored},
	"interface":            {args: 1, status: statusIgnored},
	"namespace":            {args: 1, status: statusIgnored},
	"id":                   {args: 1, status: statusIgnored},
	"nice":                 {args: 1, status: statusIgnored},
	"mss":                  {args: 1, status: statusIgnored},
	"tcp-ut":               {args: 1, status: statusIgnored},
	"user":                 {args: 1, status: statusIgnored},
	"group":                {args: 1, status: statusIgnored},
	"uid":                  {args: 1, status: statusIgnored},
	"gid":                  {args: 1, status: statusIgnored},
	"level":                {args: 1, status: statusIgnored},
	"severity-output":      {args: 1, status: statusIgnored},
	"expose-fd":            {args: 1, status: statusIgnored},
	"transparent":          {status: statusIgnored},
	"proto":                {args: 1, status: statusAlert},
	"accept-proxy":         {status: statusAlert},
	"accept-netscaler-cip": {args: 1, status: statusAlert},
	// TLS: refused (a TLS listener that spoke clear text would be worse
	// than none).
	"ssl":                   {status: statusAlert},
	"allow-0rtt":            {status: statusAlert},
	"alpn":                  {args: 1, status: statusAlert},
	"ca-file":               {args: 1, status: statusAlert},
	"ca-ignore-err":         {args: 1, status: statusAlert},
	"ca-sign-file":          {args: 1, status: statusAlert},
	"ca-sign-pass":          {args: 1, status: statusAlert},
	"ca-verify-file":        {args: 1, status: statusAlert},
	"ciphers":               {args: 1, status: statusAlert},
	"ciphersuites":          {args: 1, status: statusAlert},
	"crl-file":              {args: 1, status: statusAlert},
	"crt":                   {args: 1, status: statusAlert},
	"crt-ignore-err":        {args: 1, status: statusAlert},
	"crt-list":              {args: 1, status: statusAlert},
	"curves":                {args: 1, status: statusAlert},
	"ecdhe":                 {args: 1, status: statusAlert},
	"force-sslv3":           {status: statusAlert},
	"force-tlsv10":          {status: statusAlert},
	"force-tlsv11":          {status: statusAlert},
	"force-tlsv12":          {status: statusAlert},
	"force-tlsv13":          {status: statusAlert},
	"generate-certificates": {status: statusAlert},
	"no-ca-names":           {status: statusAlert},
	"no-sslv3":              {status: statusAlert},
	"no-tls-tickets":        {status: statusAlert},
	"no-tlsv10":             {status: statusAlert},
	"no-tlsv11":             {status: statusAlert},
	"no-tlsv12":             {status: statusAlert},
	"no-tlsv13":             {status: statusAlert},
	"npn":                   {args: 1, status: statusAlert},
	"prefer-client-ciphers": {status: statusAlert},
	"ssl-max-ver":           {args: 1, status: statusAlert},
	"ssl-min-ver":           {args: 1, status: statusAlert},
	"strict-sni":            {status: statusAlert},
	"tls-ticket-keys":       {args: 1, status: statusAlert},
	"verify":                {args: 1, status: statusAlert},
	"quic-cc-algo":          {args: 1, status: statusAlert},
	"quic-force-retry":      {status: statusAlert},
}

// bindSuggest suggests bind keywords.
var bindSuggest = newSuggester(mapKeys(bindOptions))

func stringSet(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

func sortStrings(s []string) { sort.Strings(s) }
