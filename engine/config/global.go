package config

import (
	"os"
	"strings"
)

// globalHandlers are the global keywords hitless implements (some of them
// only parsed, with a warning: log, chroot, user, group).
var globalHandlers map[string]func(p *parser, w []string)

func init() {
	globalHandlers = map[string]func(p *parser, w []string){
		"nbthread":           (*parser).globalNbthread,
		"cpu-map":            (*parser).globalCPUMap,
		"maxconn":            (*parser).globalMaxconn,
		"daemon":             func(p *parser, w []string) { p.globalFlag(w, &p.cfg.Global.Daemon) },
		"quiet":              func(p *parser, w []string) { p.globalFlag(w, &p.cfg.Global.Quiet) },
		"nosplice":           func(p *parser, w []string) { p.globalFlag(w, &p.cfg.Global.NoSplice) },
		"master-worker":      (*parser).globalMasterWorker,
		"pidfile":            (*parser).globalPidfile,
		"node":               (*parser).globalNode,
		"description":        (*parser).globalDescription,
		"log-tag":            (*parser).globalLogTag,
		"hard-stop-after":    (*parser).globalHardStopAfter,
		"spread-checks":      (*parser).globalSpreadChecks,
		"stats":              (*parser).globalStats,
		"tune.bufsize":       func(p *parser, w []string) { p.globalPositive(w, &p.cfg.Global.TuneBufsize, false) },
		"tune.maxrewrite":    func(p *parser, w []string) { p.globalPositive(w, &p.cfg.Global.TuneMaxrewrite, true) },
		"tune.pipesize":      func(p *parser, w []string) { p.globalInt(w, &p.cfg.Global.TunePipesize) },
		"maxpipes":           func(p *parser, w []string) { p.globalInt(w, &p.cfg.Global.Maxpipes) },
		"tune.maxaccept":     func(p *parser, w []string) { p.globalInt(w, &p.cfg.Global.TuneMaxaccept) },
		"tune.maxpollevents": func(p *parser, w []string) { p.globalInt(w, &p.cfg.Global.TuneMaxpollevents) },
		"setenv":             (*parser).globalSetenv,
		"presetenv":          (*parser).globalSetenv,
		"unsetenv":           (*parser).globalUnsetenv,
		"resetenv":           (*parser).globalResetenv,
		"log":                (*parser).globalLog,
		"chroot":             (*parser).globalChroot,
		"user":               func(p *parser, w []string) { p.globalUserGroup(w, &p.cfg.Global.User, "user") },
		"group":              func(p *parser, w []string) { p.globalUserGroup(w, &p.cfg.Global.Group, "group") },
		"nbproc": func(p *parser, w []string) {
			p.alert("nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.")
		},
		"unix-bind": func(p *parser, w []string) { p.notImplemented("unix-bind") },
	}
}

// globalIgnored are HAProxy 2.6 global keywords that hitless accepts but
// does not act upon yet: each use yields a warning.
var globalIgnored = []string{
	"busy-polling", "ca-base", "close-spread-time", "cluster-secret",
	"crt-base", "default-path", "expose-experimental-directives",
	"external-check", "fd-hard-limit", "gid", "grace",
	"h1-accept-payload-with-any-method", "h1-case-adjust",
	"h1-case-adjust-file", "h2-workaround-bogus-websocket-clients",
	"httpclient.resolvers.id", "httpclient.resolvers.prefer",
	"httpclient.ssl.ca-file", "httpclient.ssl.verify",
	"insecure-fork-wanted", "insecure-setuid-wanted", "issuers-chain-path",
	"localpeer", "log-send-hostname", "lua-load", "lua-load-per-thread",
	"lua-prepend-path", "max-spread-checks", "maxcompcpuusage",
	"maxcomprate", "maxconnrate", "maxsessrate", "maxsslconn",
	"maxsslrate", "maxzlibmem", "mworker-max-reloads", "no-memory-trimming",
	"noepoll", "noevports", "nogetaddrinfo", "nokqueue", "nopoll",
	"noreuseport", "numa-cpu-mapping", "pp2-never-send-local",
	"profiling.tasks", "server-state-base", "server-state-file",
	"set-dumpable", "set-var", "set-var-fmt", "ssl-default-bind-ciphers",
	"ssl-default-bind-ciphersuites", "ssl-default-bind-curves",
	"ssl-default-bind-options", "ssl-default-server-ciphers",
	"ssl-default-server-ciphersuites", "ssl-default-server-options",
	"ssl-dh-param-file", "ssl-engine", "ssl-load-extra-del-ext",
	"ssl-load-extra-files", "ssl-mode-async", "ssl-propquery",
	"ssl-provider", "ssl-provider-path", "ssl-server-verify",
	"ssl-skip-self-issued-ca", "strict-limits", "thread-group",
	"thread-groups", "uid", "ulimit-n", "zero-warning",
	"tune.buffers.limit", "tune.buffers.reserve", "tune.comp.maxlevel",
	"tune.fail-alloc", "tune.fd.edge-triggered", "tune.h2.header-table-size",
	"tune.h2.initial-window-size", "tune.h2.max-concurrent-streams",
	"tune.h2.max-frame-size", "tune.http.cookielen", "tune.http.logurilen",
	"tune.http.maxhdr", "tune.idle-pool.shared", "tune.idletimer",
	"tune.listener.multi-queue", "tune.lua.forced-yield", "tune.lua.maxmem",
	"tune.lua.service-timeout", "tune.lua.session-timeout",
	"tune.lua.task-timeout", "tune.pattern.cache-size",
	"tune.peers.max-updates-at-once", "tune.pool-high-fd-ratio",
	"tune.pool-low-fd-ratio", "tune.quic.frontend.conn-tx-buffers.limit",
	"tune.quic.frontend.max-idle-timeout", "tune.quic.frontend.max-streams-bidi",
	"tune.quic.retry-threshold", "tune.rcvbuf.client", "tune.rcvbuf.server",
	"tune.recv_enough", "tune.runqueue-depth", "tune.sched.low-latency",
	"tune.sndbuf.client", "tune.sndbuf.server", "tune.ssl.cachesize",
	"tune.ssl.capture-buffer-size", "tune.ssl.capture-cipherlist-size",
	"tune.ssl.default-dh-param", "tune.ssl.force-private-cache",
	"tune.ssl.hard-maxrecord", "tune.ssl.keylog", "tune.ssl.lifetime",
	"tune.ssl.maxrecord", "tune.ssl.ssl-ctx-cache-size",
	"tune.vars.check-max-size", "tune.vars.global-max-size",
	"tune.vars.proc-max-size", "tune.vars.reqres-max-size",
	"tune.vars.sess-max-size", "tune.vars.txn-max-size",
	"tune.zlib.memlevel", "tune.zlib.windowsize",
}

var globalIgnoredSet = stringSet(globalIgnored)

// globalSuggest suggests global keywords and section names.
var globalSuggest *suggester

func init() {
	list := append([]string(nil), globalIgnored...)
	for k := range globalHandlers {
		list = append(list, k)
	}
	sortStrings(list)
	globalSuggest = newSuggester(list, sectionKeywords)
}

// globalKeyword handles one line of a global section.
func (p *parser) globalKeyword(w []string) {
	if w[0] == "no" || w[0] == "default" {
		p.globalNegation(w)
		return
	}
	if h, ok := globalHandlers[w[0]]; ok {
		h(p, w)
		return
	}
	if globalIgnoredSet[w[0]] {
		p.notSupported(w[0])
		return
	}
	p.alert("unknown keyword '" + w[0] + "' in 'global' section" + p.didYouMean(globalSuggest, w[0]))
}

// globalNegation handles "no <kw>" and "default <kw>" in the global
// section.
func (p *parser) globalNegation(w []string) {
	switch arg(w, 1) {
	case "busy-polling", "set-dumpable", "strict-limits", "insecure-fork-wanted", "numa-cpu-mapping":
		if !p.tooMany(1, w, w[0]+" "+w[1]) {
			p.notSupported(w[0] + " " + w[1])
		}
	case "log":
		if w[0] == "no" && !p.tooMany(1, w, "no log") {
			p.cfg.Global.Logs = nil
			return
		}
		fallthrough
	default:
		p.alertForm(FormParsingTight, "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.")
		if arg(w, 1) != "" {
			p.alert("unknown keyword '" + w[1] + "' in 'global' section" + p.didYouMean(globalSuggest, w[1]))
		}
	}
}

func (p *parser) globalFlag(w []string, f *bool) {
	if p.tooMany(0, w, w[0]) {
		return
	}
	*f = true
}

func (p *parser) globalMasterWorker(w []string) {
	if len(w) > 1 && w[1] != "" && w[1] != "no-exit-on-failure" {
		p.alert("'master-worker' only supports 'no-exit-on-failure' option.")
		return
	}
	if p.tooMany(1, w, w[0]) {
		return
	}
	p.cfg.Global.MasterWorker = true
	if arg(w, 1) == "no-exit-on-failure" {
		p.warn("'master-worker no-exit-on-failure' is not supported yet and is ignored: the master exits when its current worker fails.")
	}
}

func (p *parser) globalNbthread(w []string) {
	if p.tooMany(1, w, w[0]) {
		return
	}
	s := arg(w, 1)
	n, end := strtolBase10(s, 0)
	if s == "" || end != len(s) {
		p.alert("'nbthread' passed a missing or unparsable integer value in '" + s + "'")
		return
	}
	if n < 1 || n > MaxThreads {
		p.alert("'nbthread' value must be between 1 and " + itoa(MaxThreads) + " (was " + itoa(clampInt(n)) + ")")
		return
	}
	p.cfg.Global.Nbthread = int(n)
}

func (p *parser) globalMaxconn(w []string) {
	if p.tooMany(1, w, w[0]) {
		return
	}
	if arg(w, 1) == "" {
		p.alert("'maxconn' expects an integer argument.")
		return
	}
	p.cfg.Global.Maxconn = atol(w[1])
}

// globalInt parses "<kw> <integer>" with atol semantics.
func (p *parser) globalInt(w []string, dst *int) {
	if p.tooMany(1, w, w[0]) {
		return
	}
	if arg(w, 1) == "" {
		p.alert("'" + w[0] + "' expects an integer argument.")
		return
	}
	*dst = atol(w[1])
}

// globalPositive parses "<kw> <integer>" requiring a value above zero (or
// at least zero when zeroOK).
func (p *parser) globalPositive(w []string, dst *int, zeroOK bool) {
	if p.tooMany(1, w, w[0]) {
		return
	}
	v := atol(arg(w, 1))
	if arg(w, 1) == "" || v < 0 || (v == 0 && !zeroOK) {
		p.alert("'" + w[0] + "' expects a positive integer argument.")
		return
	}
	*dst = v
}

func (p *parser) globalPidfile(w []string) {
	if p.tooMany(1, w, w[0]) {
		return
	}
	if arg(w, 1) == "" {
		p.alert("'pidfile' expects a file name as an argument.")
		return
	}
	p.cfg.Global.Pidfile = w[1]
}

func (p *parser) globalNode(w []string) {
	if p.tooMany(1, w, w[0]) {
		return
	}
	s := arg(w, 1)
	ok := s != ""
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '.' && s[i] != '-' && s[i] != '_' {
			ok = false
		}
	}
	if !ok {
		p.alertForm(FormParsingTight, "'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_).")
		return
	}
	p.cfg.Global.Node = s
}

func (p *parser) globalDescription(w []string) {
	if arg(w, 1) == "" {
		p.alertForm(FormParsingTight, "'description' expects a string argument.")
		return
	}
	p.cfg.Global.Description = strings.Join(w[1:], " ")
}

func (p *parser) globalLogTag(w []string) {
	if p.tooMany(1, w, w[0]) {
		return
	}
	if arg(w, 1) == "" {
		p.alert("'log-tag' expects a tag for use in syslog.")
		return
	}
	p.cfg.Global.LogTag = w[1]
}

func (p *parser) globalHardStopAfter(w []string) {
	if arg(w, 1) == "" {
		p.alert("'hard-stop-after' expects <time> as argument.")
		return
	}
	t := parseTime(w[1])
	switch {
	case t.bad >= 0:
		p.alert("unexpected character '" + string(w[1][t.bad]) + "' in argument to <hard-stop-after>.")
		return
	case t.overflow:
		p.alert("timer overflow in argument '" + w[1] + "' to 'hard-stop-after' (maximum value is 2147483647 ms or ~24.8 days)")
		return
	}
	p.timeTrailing(w[1], t)
	p.cfg.Global.HardStopAfter = t.d
}

// timeTrailing warns about characters after a valid time unit, which
// HAProxy 2.6 tolerates with a warning.
func (p *parser) timeTrailing(s string, t timeParse) {
	if t.trailing >= 0 {
		p.warnForm(FormMsgOnly, "unexpected character '"+string(s[t.trailing])+"' after the timer value '"+s+
			"', only (us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported."+
			" This will be reported as an error in next versions.")
	}
}

func (p *parser) globalSpreadChecks(w []string) {
	if p.tooMany(1, w, w[0]) {
		return
	}
	if p.spreadChecksSet {
		p.alertForm(FormParsingTight, "spread-checks already specified. Continuing.")
		return
	}
	p.spreadChecksSet = true
	v := atol(arg(w, 1))
	if v < 0 || v > 50 {
		p.alertForm(FormParsingTight, "'spread-checks' needs a positive value in range 0..50.")
		return
	}
	p.cfg.Global.SpreadChecks = v
}

func (p *parser) globalSetenv(w []string) {
	if arg(w, 1) == "" || len(w) < 3 {
		p.alertForm(FormParsingTight, "'"+w[0]+"' expects a name and a value.")
		return
	}
	if w[0] == "presetenv" {
		p.env.presetenv(w[1], w[2])
		return
	}
	p.env.setenv(w[1], w[2])
}

func (p *parser) globalUnsetenv(w []string) {
	if arg(w, 1) == "" {
		p.alertForm(FormParsingTight, "'unsetenv' expects at least one variable name.")
		return
	}
	for _, name := range w[1:] {
		p.env.unsetenv(name)
	}
}

func (p *parser) globalResetenv(w []string) {
	p.env.resetenv(w[1:])
}

func (p *parser) globalChroot(w []string) {
	if p.tooMany(1, w, w[0]) {
		return
	}
	if arg(w, 1) == "" {
		p.alert("'chroot' expects a directory as an argument.")
		return
	}
	p.cfg.Global.Chroot = w[1]
	p.notSupported("chroot")
}

// globalUserGroup stores "user" or "group". The name is not resolved:
// the process that applies it does.
func (p *parser) globalUserGroup(w []string, dst *string, kw string) {
	if p.tooMany(1, w, w[0]) {
		return
	}
	if arg(w, 1) == "" {
		p.alert("cannot find " + kw + " id for '' (0:Success)")
		return
	}
	*dst = w[1]
	p.notSupported(kw)
}

func (p *parser) globalLog(w []string) {
	lt, ok := p.parseLog(w, true)
	if !ok {
		return
	}
	p.cfg.Global.Logs = append(p.cfg.Global.Logs, lt)
}

// globalStats handles "stats socket|timeout|maxconn|bind-process".
func (p *parser) globalStats(w []string) {
	switch arg(w, 1) {
	case "socket", "timeout", "maxconn":
		if p.cliPos < 0 {
			p.cliPos = len(p.proxies)
		}
	}
	switch arg(w, 1) {
	case "socket":
		p.statsSocket(w)
	case "timeout":
		if p.tooMany(2, w, "stats timeout") {
			return
		}
		s := arg(w, 2)
		t := parseTime(s)
		switch {
		case t.bad >= 0:
			c := ""
			if t.bad < len(s) {
				c = string(s[t.bad])
			}
			p.alert("'stats timeout' : unexpected character '" + c + "'")
			return
		case t.overflow:
			p.alert("timer overflow in argument '" + s + "' to 'stats timeout' (maximum value is 2147483647 ms or ~24.8 days)")
			return
		case t.d == 0:
			p.alert("'stats timeout' expects a positive value")
			return
		}
		p.timeTrailing(s, t)
		p.cfg.Global.StatsTimeout = t.d
	case "maxconn":
		if p.tooMany(2, w, "stats maxconn") {
			return
		}
		v := atol(arg(w, 2))
		if v <= 0 {
			p.alert("'stats maxconn' expects a positive value")
			return
		}
		p.cfg.Global.StatsMaxconn = v
	case "bind-process":
		p.notSupported("stats bind-process")
	default:
		p.alert("'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '" + arg(w, 1) + "')")
	}
}

// statsSocket parses "stats socket <addr> [options]".
func (p *parser) statsSocket(w []string) {
	if arg(w, 2) == "" {
		p.alert("'stats socket' in global section expects an address or a path to a UNIX socket")
		return
	}
	a, msg := parseAddr(w[2], useStats)
	if msg == "missing port specification in '"+w[2]+"'" && a.kind == AddrIPv4 && !strings.Contains(w[2], ":") {
		// Without a colon, a word is a path relative to the current
		// directory, as in HAProxy.
		a, msg = addr{kind: AddrUnix, path: w[2], written: w[2]}, ""
	}
	if msg != "" {
		p.alert("'stats socket' : " + msg)
		return
	}
	ss := StatsSocket{
		Addr: a.written, Kind: a.kind, Path: a.path, FD: a.fd,
		Host: a.host, Port: a.portFirst, Level: LevelOperator,
		File: p.file, Line: p.line,
	}
	for i := 3; i < len(w); i++ {
		kw := w[i]
		val := arg(w, i+1)
		switch kw {
		case "":
			continue
		case "level":
			switch val {
			case "user":
				ss.Level = LevelUser
			case "operator":
				ss.Level = LevelOperator
			case "admin":
				ss.Level = LevelAdmin
			case "":
				p.alert("'stats socket' : ''level' : missing level'")
				return
			default:
				p.alert("'stats socket' : ''level' only supports 'user', 'operator', and 'admin' (got '" + val + "')'")
				return
			}
			i++
		case "mode":
			m, ok := parseOctalMode(val)
			if !ok {
				p.alert("'stats socket' : ''mode' : missing or invalid mode '" + val + "' (octal integer expected)'")
				return
			}
			ss.Mode, ss.ModeSet = m, true
			i++
		case "expose-fd":
			if val != "listeners" {
				p.alert("'stats socket' : ''expose-fd' only supports 'listeners' (got '" + val + "')'")
				return
			}
			ss.ExposeFDListeners = true
			i++
		default:
			n, ok := bindOptions[kw]
			if !ok {
				msg := "'stats socket' : unknown keyword '" + kw + "'."
				if s := p.suggest(bindSuggest, kw); s != "" {
					msg += " Did you mean '" + s + "' maybe ?"
				}
				p.alert(msg)
				return
			}
			if n.args > 0 && val == "" {
				p.alert("'stats socket' : '" + kw + "' : missing value")
				return
			}
			switch n.status {
			case statusAlert:
				p.alert("'stats socket' : '" + kw + "' is not implemented yet.")
				return
			default:
				p.warn("'stats socket' : '" + kw + "' is not supported yet and is ignored.")
			}
			i += n.args
		}
	}
	p.cfg.Global.StatsSockets = append(p.cfg.Global.StatsSockets, ss)
}

// parseOctalMode parses a UNIX permission mode written in octal.
func parseOctalMode(s string) (os.FileMode, bool) {
	if s == "" {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '7' {
			return 0, false
		}
		v = v*8 + int(s[i]-'0')
		if v > 0o7777 {
			return 0, false
		}
	}
	return os.FileMode(v), true
}

// arg returns w[i], or "" past the end, as HAProxy's argument array does.
func arg(w []string, i int) string {
	if i < len(w) {
		return w[i]
	}
	return ""
}
