package config

import (
	"strings"
)

// Options tunes a parse. The zero value is ready to use.
type Options struct {
	// LookupEnv resolves environment variables for "${VAR}" expansion and
	// defined(); nil means os.LookupEnv. It is only read.
	LookupEnv func(string) (string, bool)
	// Version is the version version_atleast() and version_before()
	// compare against; "" means CompatVersion.
	Version string
	// Feature answers feature(NAME) in conditions; nil means always false.
	Feature func(name string) bool
}

// Source is one configuration file's name (used in messages) and content.
type Source struct {
	Name string
	Data []byte
}

// Parse parses one configuration source. See ParseSources.
func Parse(name string, data []byte, opts Options) (*Config, error) {
	return ParseSources([]Source{{Name: name, Data: data}}, opts)
}

// ParseSources parses several sources as HAProxy parses several -f files:
// in order, each one starting outside any section (a file cannot continue
// the section the previous one ended in), sharing global settings, the
// environment changes of setenv and friends, and defaults sections.
//
// On success it returns a validated Config whose Warnings hold every
// warning. If any alert was raised it returns a nil Config and an *Error
// holding every diagnostic (alerts, warnings and notices) in file order.
// It never panics, whatever the input.
func ParseSources(srcs []Source, opts Options) (*Config, error) {
	p := newParser(opts)
	for _, src := range srcs {
		p.parseFile(src.Name, src.Data)
	}
	return p.finish()
}

// sectionKind is the kind of section the parser is in.
type sectionKind uint8

const (
	secNone        sectionKind = iota // before the first section of a file
	secGlobal                         // "global"
	secProxy                          // "defaults", "frontend", "backend", "listen"
	secUnsupported                    // a known section hitless does not implement; lines skipped
	secInvalid                        // a proxy whose header was rejected; lines skipped
)

// unsupportedSections are HAProxy 2.6 sections that hitless recognises but
// does not implement yet.
var unsupportedSections = map[string]bool{
	"peers": true, "resolvers": true, "userlist": true, "mailers": true,
	"program": true, "http-errors": true, "cache": true, "ring": true,
	"log-forward": true, "fcgi-app": true,
}

// sectionKeywords are the words that start a section, used for
// suggestions.
var sectionKeywords = []string{
	"global", "defaults", "frontend", "backend", "listen", "peers",
	"resolvers", "userlist", "mailers", "program", "http-errors", "cache",
	"ring", "log-forward", "fcgi-app",
}

// condFrame is one level of ".if" nesting.
type condFrame struct {
	line    int  // line of the ".if"
	active  bool // lines of the current branch are processed
	taken   bool // a branch of this block was already chosen
	sawElse bool
	outer   bool // the enclosing level is active
}

// parser holds the state of one ParseSources call. It is owned by that
// call and never shared.
type parser struct {
	opts    Options
	env     *envOverlay
	version versionKey

	cfg   Config
	diags []Diag

	// Current position.
	file string
	line int
	raw  string
	lx   lexed

	sec     sectionKind
	secName string      // .SECTION: the section's name, or its type
	cur     *proxyState // current proxy or defaults section

	lastDefaults *proxyState   // the defaults in effect for new proxies
	defaults     []*proxyState // every defaults section, for "from"
	proxies      []*proxyState // frontends, backends, listens in order

	conds []condFrame

	globalSeen      bool
	spreadChecksSet bool
	suggestions     int // "did you mean" computations so far
	// cliPos is the number of proxies declared when the internal CLI
	// proxy came into existence, or -1.
	cliPos int
}

func newParser(opts Options) *parser {
	p := &parser{
		opts:    opts,
		env:     newEnvOverlay(opts.lookupEnv()),
		version: opts.versionKey(),
		cliPos:  -1,
	}
	p.lastDefaults = newDefaults("", "", 0)
	return p
}

// diag records a diagnostic at the current line.
func (p *parser) diag(sev Severity, form Form, msg string) {
	p.diags = append(p.diags, Diag{Sev: sev, File: p.file, Line: p.line, Msg: msg, Form: form})
}

func (p *parser) alert(msg string)                { p.diag(SevAlert, FormParsing, msg) }
func (p *parser) warn(msg string)                 { p.diag(SevWarning, FormParsing, msg) }
func (p *parser) alertForm(form Form, msg string) { p.diag(SevAlert, form, msg) }
func (p *parser) warnForm(form Form, msg string)  { p.diag(SevWarning, form, msg) }

// notSupported is the warning for a keyword that is parsed but has no
// effect yet.
func (p *parser) notSupported(kw string) {
	p.warn("'" + kw + "' is not supported yet and is ignored.")
}

// notImplemented is the alert for a keyword whose meaning hitless does
// not implement and that it refuses rather than run with other semantics.
func (p *parser) notImplemented(kw string) {
	p.alert("'" + kw + "' is not implemented yet.")
}

// tooMany reports an alert if words has a non-empty word after index max,
// as HAProxy's alertif_too_many_args does, and returns true then.
func (p *parser) tooMany(max int, words []string, kw string) bool {
	for i := max + 1; i < len(words); i++ {
		if words[i] != "" {
			p.alert("'" + kw + "' cannot handle unexpected argument '" + words[i] + "'.")
			return true
		}
	}
	return false
}

// parseFile parses one source.
func (p *parser) parseFile(name string, data []byte) {
	p.cfg.Files = append(p.cfg.Files, name)
	p.file = name
	p.endSection()
	p.conds = p.conds[:0]
	text := string(data)
	for n := 1; len(text) > 0; n++ {
		var raw string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			raw, text = text[:i], text[i+1:]
		} else {
			raw, text = text, ""
		}
		p.line = n
		p.handleLine(raw)
	}
	if len(p.conds) > 0 {
		p.line = p.conds[len(p.conds)-1].line
		p.alertForm(FormParsingTight, "non-terminated '.if' block.")
		p.conds = p.conds[:0]
	}
	p.endSection()
}

// active reports whether lines at the current nesting level are processed.
func (p *parser) active() bool {
	return len(p.conds) == 0 || p.conds[len(p.conds)-1].active
}

// outerActive reports whether the level enclosing the current block is
// processed: the ".elif", ".else" and ".endif" of a block nested in a
// skipped one are only tracked, never diagnosed.
func (p *parser) outerActive() bool {
	return len(p.conds) == 0 || p.conds[len(p.conds)-1].outer
}

// handleLine processes one physical line.
func (p *parser) handleLine(raw string) {
	p.raw = raw
	env := &lexEnv{lookup: p.env.lookup, file: p.file, line: p.line, section: p.secName}
	lx, lerr := lexLine(raw, env)
	if lerr != nil {
		// Lines of a block that is skipped are not diagnosed; a
		// broken line cannot be a directive anyway.
		switch {
		case !p.active():
		case lerr.whole:
			p.alertForm(FormParsingTight, lerr.msg)
		default:
			p.alertForm(FormParsingTight, caretLine(lerr.msg, raw, lerr.pos+1, lerr.pos))
		}
		return
	}
	p.lx = lx
	w := lx.words
	if len(w) == 0 || (len(w) == 1 && w[0] == "") {
		return
	}
	if strings.HasPrefix(w[0], ".") {
		p.directive(w)
		return
	}
	if !p.active() {
		return
	}
	p.keyword(w)
}

// directive handles the lines whose first word starts with a dot.
func (p *parser) directive(w []string) {
	switch w[0] {
	case ".if":
		if !p.active() {
			p.conds = append(p.conds, condFrame{line: p.line, taken: true})
			return
		}
		v, ok := p.evalDirective(w)
		p.conds = append(p.conds, condFrame{line: p.line, active: v, taken: v || !ok, outer: true})
	case ".elif":
		if len(p.conds) == 0 {
			p.alertForm(FormParsingTight, "lone '.elif' with no matching '.if'.")
			return
		}
		f := &p.conds[len(p.conds)-1]
		if f.sawElse {
			if f.outer {
				p.alertForm(FormParsingTight, "'.elif' after '.else' is not permitted.")
			}
			return
		}
		if f.taken || !f.outer {
			f.active = false
			return
		}
		v, ok := p.evalDirective(w)
		f.active, f.taken = v, v || !ok
	case ".else":
		if p.outerActive() && p.directiveArgs(w, 0) {
			return
		}
		if len(p.conds) == 0 {
			p.alertForm(FormParsingTight, "lone '.else' with no matching '.if'.")
			return
		}
		f := &p.conds[len(p.conds)-1]
		if f.sawElse {
			if f.outer {
				p.alertForm(FormParsingTight, "'.else' after '.else' is not permitted.")
			}
			return
		}
		f.sawElse = true
		f.active = f.outer && !f.taken
		f.taken = true
	case ".endif":
		if p.outerActive() && p.directiveArgs(w, 0) {
			return
		}
		if len(p.conds) == 0 {
			p.alertForm(FormParsingTight, "lone '.endif' with no matching '.if'.")
			return
		}
		p.conds = p.conds[:len(p.conds)-1]
	case ".diag", ".notice", ".warning", ".alert":
		if !p.active() || p.directiveArgs(w, 1) {
			return
		}
		msg := ""
		if len(w) > 1 {
			msg = w[1]
		}
		msg = "'" + msg + "'."
		switch w[0] {
		case ".notice":
			p.diag(SevNotice, FormParsingTight, msg)
		case ".warning":
			p.warnForm(FormParsingTight, msg)
		case ".alert":
			p.alertForm(FormParsingTight, msg)
		}
		// ".diag" only speaks in HAProxy's diagnostic mode (-dD).
	default:
		if p.active() {
			p.alertForm(FormParsingTight, "unknown directive '"+w[0]+"'.")
		}
	}
}

// directiveArgs reports an alert and returns true if directive w has a
// non-empty argument beyond max.
func (p *parser) directiveArgs(w []string, max int) bool {
	for i := max + 1; i < len(w); i++ {
		if w[i] != "" {
			msg := "Unexpected argument '" + w[i] + "' for '" + w[0] + "'."
			if max > 0 {
				msg += " Use quotes if the message should contain spaces."
			}
			p.alertForm(FormParsingTight, msg)
			return true
		}
	}
	return false
}

// evalDirective evaluates the condition of a ".if" or ".elif" line. ok is
// false when the condition does not parse (an alert was raised).
func (p *parser) evalDirective(w []string) (v, ok bool) {
	expr := strings.Join(w[1:], " ")
	v, err := evalCond(expr, p.version, p.opts.Feature, p.env.lookup)
	if err != nil {
		col := len(p.raw)
		if len(p.lx.starts) > 1 {
			col = p.lx.starts[1] + err.pos
		}
		p.alertForm(FormParsingTight, caretLine(err.msg+" in '"+w[0]+"'", p.raw, err.pos+1, col))
		return false, false
	}
	return v, true
}

// keyword dispatches a regular line: a section start or a keyword of the
// current section.
func (p *parser) keyword(w []string) {
	switch w[0] {
	case "global":
		p.endSection()
		p.sec, p.secName = secGlobal, "global"
		if !p.globalSeen {
			p.globalSeen = true
			p.cfg.Global.File, p.cfg.Global.Line = p.file, p.line
		}
		p.tooMany(0, w, "global")
		return
	case "defaults", "frontend", "backend", "listen":
		p.endSection()
		p.startProxy(w)
		return
	}
	if unsupportedSections[w[0]] {
		p.endSection()
		p.sec, p.secName = secUnsupported, w[0]
		if len(w) > 1 && w[1] != "" {
			p.secName = w[1]
		}
		p.warn("section '" + w[0] + "' is not supported yet and is ignored.")
		return
	}
	switch p.sec {
	case secGlobal:
		p.globalKeyword(w)
	case secProxy:
		p.proxyKeyword(w)
	case secUnsupported, secInvalid:
	default:
		p.alertForm(FormParsingTight, "unknown keyword '"+w[0]+"' out of section.")
	}
}

// endSection closes the current section.
func (p *parser) endSection() {
	p.sec, p.secName, p.cur = secNone, "", nil
}

// finish validates what was parsed and builds the result.
func (p *parser) finish() (*Config, error) {
	p.finishProxies()
	if !p.hasAlert() {
		p.validate()
	}
	if p.hasAlert() {
		return nil, &Error{Diags: p.diags}
	}
	cfg := p.cfg
	for _, ps := range p.proxies {
		cfg.Proxies = append(cfg.Proxies, ps.px)
	}
	for _, d := range p.diags {
		switch d.Sev {
		case SevWarning:
			cfg.Warnings = append(cfg.Warnings, d)
		case SevNotice:
			cfg.Notices = append(cfg.Notices, d)
		}
	}
	return &cfg, nil
}

func (p *parser) hasAlert() bool {
	for _, d := range p.diags {
		if d.Sev == SevAlert {
			return true
		}
	}
	return false
}
