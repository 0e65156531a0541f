package rules

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// aclKeyword is an HAProxy ACL keyword: a fetch with its own matching
// method ("path_beg" is path with -m beg).
type aclKeyword struct {
	name  string
	fetch string
	match matchKind
}

var aclKeywords = map[string]*aclKeyword{}

func init() {
	suffixes := []struct {
		s string
		m matchKind
	}{{"", mStr}, {"_beg", mBeg}, {"_dir", mDir}, {"_dom", mDom}, {"_end", mEnd}, {"_len", mLen}, {"_reg", mReg}, {"_sub", mSub}}
	for _, base := range []struct{ kw, fetch string }{
		{"base", "base"}, {"hdr", "req.hdr"}, {"path", "path"}, {"shdr", "res.hdr"}, {"url", "url"}, {"urlp", "urlp"},
	} {
		for _, s := range suffixes {
			k := base.kw + s.s
			aclKeywords[k] = &aclKeyword{name: k, fetch: base.fetch, match: s.m}
		}
	}
	aclKeywords["method"] = &aclKeyword{name: "method", fetch: "method", match: mMeth}
	aclKeywords["req_ver"] = &aclKeyword{name: "req_ver", fetch: "req.ver", match: mStr}
}

// acl is a named ACL: the OR of its expressions, one per "acl" line.
type acl struct {
	name  string
	exprs []*aclExpr
}

// aclExpr is one ACL expression: a sample expression, a matching method
// and patterns. It is immutable once parsed.
type aclExpr struct {
	kw    string // the keyword, for messages
	expr  *Expr
	match matchKind
	fold  bool // -i
	pats  patterns
}

// ACLSet holds the named ACLs of one proxy; several lines with one name
// are ORed. It is filled at parse time by one goroutine; the conditions
// built from it are immutable afterwards and safe for concurrent use.
type ACLSet struct {
	acls  map[string]*acl
	proxy string // "frontend 'f'", for messages
}

// NewACLSet returns an empty set.
func NewACLSet() *ACLSet { return &ACLSet{acls: map[string]*acl{}} }

// SetProxy names the proxy whose rules the set serves, as HAProxy names
// it in rule errors ("error detected in frontend 'f' while parsing ...").
// kind is "frontend", "backend", "listen" or "defaults".
func (s *ACLSet) SetProxy(kind, name string) {
	if kind == "defaults" && name == "" {
		s.proxy = "defaults section"
		return
	}
	s.proxy = kind + " '" + name + "'"
}

// ParseACL parses the words after "acl": NAME CRITERION [FLAGS]
// [OPERATOR] [VALUES...]. Pattern files (-f) are read now.
func (s *ACLSet) ParseACL(words []string) error {
	if len(words) == 0 {
		return syntaxErr("'acl' expects an ACL name.")
	}
	name := words[0]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isAlnum(c) && c != '.' && c != ':' && c != '_' && c != '-' {
			return syntaxErr("character '" + string(c) + "' is not permitted in acl name '" + name + "'.")
		}
	}
	e, err := parseACLExpr(words[1:])
	if err != nil {
		return err.wrap("error detected while parsing ACL '"+name+"' : ", ".")
	}
	if name == "" { // as HAProxy: an anonymous ACL nobody can name
		return nil
	}
	if s.acls == nil {
		s.acls = map[string]*acl{}
	}
	a := s.acls[name]
	if a == nil {
		a = &acl{name: name}
		s.acls[name] = a
	}
	a.exprs = append(a.exprs, e)
	return nil
}

// lookup finds a named ACL, then a predefined one, which is then added to
// the set as HAProxy does (a later "acl TRUE ..." line extends it).
func (s *ACLSet) lookup(name string) (*acl, *perr) {
	if s != nil && s.acls != nil {
		if a := s.acls[name]; a != nil {
			return a, nil
		}
	}
	def, ok := predefinedACLs[name]
	if !ok {
		return nil, reason("no such ACL : '" + name + "'")
	}
	if def == "" {
		return nil, notImpl("predefined ACL '" + name + "' is not implemented yet")
	}
	e, err := parseACLExpr(strings.Fields(def))
	if err != nil {
		return nil, err
	}
	a := &acl{name: name, exprs: []*aclExpr{e}}
	if s != nil {
		if s.acls == nil {
			s.acls = map[string]*acl{}
		}
		s.acls[name] = a
	}
	return a, nil
}

// predefinedACLs are HAProxy's predefined ACLs; "" marks those hitless
// cannot evaluate.
var predefinedACLs = map[string]string{
	"TRUE":           "always_true",
	"FALSE":          "always_false",
	"LOCALHOST":      "src 127.0.0.1/8 ::1",
	"HTTP":           "req.proto_http",
	"HTTP_1.0":       "req.ver 1.0",
	"HTTP_1.1":       "req.ver 1.1",
	"HTTP_2.0":       "req.ver 2.0",
	"HTTP_3.0":       "req.ver 3.0",
	"METH_CONNECT":   "method CONNECT",
	"METH_DELETE":    "method DELETE",
	"METH_GET":       "method GET HEAD",
	"METH_HEAD":      "method HEAD",
	"METH_OPTIONS":   "method OPTIONS",
	"METH_POST":      "method POST",
	"METH_PUT":       "method PUT",
	"METH_TRACE":     "method TRACE",
	"HTTP_URL_ABS":   "url_reg ^[^/:]*://",
	"HTTP_URL_SLASH": "url_beg /",
	"HTTP_URL_STAR":  "url *",
	"HTTP_CONTENT":   "req.hdr_val(content-length) gt 0",
	"RDP_COOKIE":     "",
	"REQ_CONTENT":    "",
	"WAIT_END":       "",
}

// parseACLExpr parses CRITERION [FLAGS] [OPERATOR] [VALUES...] as
// HAProxy's parse_acl_expr; errors are HAProxy's reasons.
func parseACLExpr(words []string) (*aclExpr, *perr) {
	if len(words) == 0 || words[0] == "" {
		word := ""
		if len(words) > 0 {
			word = words[0]
		}
		return nil, reason("missing fetch method in ACL expression '" + word + "'")
	}
	word := words[0]
	e := &aclExpr{}
	kwEnd := 0
	for kwEnd < len(word) && isIDChar(word[kwEnd]) {
		kwEnd++
	}
	var match matchKind
	haveMatch := false
	kwName := ""
	if kw := aclKeywords[word[:kwEnd]]; kw != nil {
		ex, _, err := parseExprAt(word, 0, modeWord, kw)
		if err != nil {
			return nil, err
		}
		e.expr = ex
		kwName = kw.name
		if len(ex.convs) == 0 {
			match, haveMatch = kw.match, true
		} else {
			kwName = ex.kwName()
		}
	} else {
		ex, _, err := parseExprAt(word, 0, modeWord, nil)
		if err != nil {
			return nil, &perr{msg: err.msg + " in ACL expression '" + word + "'", notImpl: err.notImpl}
		}
		e.expr = ex
		kwName = ex.kwName()
	}
	e.kw = kwName
	out := e.expr.outType()
	if !haveMatch {
		match, haveMatch = defaultMatch(out)
	}
	// Flags.
	i := 1
	var files [][]byte
	var names []string
	mapFile, loaded := false, false
flags:
	for ; i < len(words) && len(words[i]) > 0 && words[i][0] == '-'; i++ {
		arg := ""
		if i+1 < len(words) {
			arg = words[i+1]
		}
		switch words[i] {
		case "-i":
			e.fold = true
		case "-n":
		case "-u":
			if _, ok := strl2llrc(arg); !ok && arg != "" {
				return nil, reason("the argument of -u must be an integer")
			}
			i++
		case "-M":
			mapFile = true
		case "-f":
			if !haveMatch {
				return nil, reason("matching method must be specified first (using '-m') when using a sample fetch of this type ('" + kwName + "')")
			}
			data, err := os.ReadFile(arg)
			if err != nil || arg == "" {
				return nil, reason("failed to open pattern file <" + arg + ">")
			}
			files, names = append(files, data), append(names, arg)
			loaded = true
			i++
		case "-m":
			if loaded {
				return nil, reason("'-m' must only be specified before patterns and files in parsing ACL expression")
			}
			m, ok := matchByName[arg]
			if !ok {
				return nil, reason("unknown matching method '" + arg + "' when parsing ACL expression")
			}
			if m != mFound && !canCast(out, m.inType()) {
				return nil, reason("matching method '" + arg + "' cannot be used with fetch keyword '" + kwName + "'")
			}
			match, haveMatch = m, true
			i++
		case "--":
			i++
			break flags
		default:
			return nil, reason("'" + words[i] + "' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'")
		}
	}
	if !haveMatch {
		return nil, reason("matching method must be specified first (using '-m') when using a sample fetch of this type ('" + kwName + "')")
	}
	if match == mMeth && out != typeMeth {
		match = mStr
	}
	e.match = match
	for j, data := range files {
		if err := e.loadFile(data, names[j], mapFile); err != nil {
			return nil, err
		}
	}
	// Patterns, with the integer operators of HAProxy's ACL syntax.
	op := ""
	for ; i < len(words); i++ {
		w := words[i]
		if e.match == mInt || e.match == mLen {
			switch w {
			case "eq", "gt", "ge", "lt", "le":
				op = w
				continue
			}
			if op != "" && op != "eq" && !strings.ContainsAny(w, ":-") {
				n, ok := strl2llrc(w)
				if !ok {
					return nil, reason("'" + w + "' is neither a number nor a supported operator")
				}
				switch op {
				case "gt":
					w = strconv.FormatInt(n+1, 10) + ":"
				case "ge":
					w = strconv.FormatInt(n, 10) + ":"
				case "lt":
					w = ":" + strconv.FormatInt(n-1, 10)
				case "le":
					w = ":" + strconv.FormatInt(n, 10)
				}
			}
		}
		if err := e.addPattern(w); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// addPattern parses one pattern for e's matching method.
func (e *aclExpr) addPattern(text string) *perr {
	switch e.match {
	case mFound, mBool:
	case mInt, mLen:
		r, err := parseIntRange(text)
		if err != nil {
			return err
		}
		e.pats.ints = append(e.pats.ints, r)
	case mIP:
		p, err := parseIPPattern(text)
		if err != nil {
			return err
		}
		e.pats.ips = append(e.pats.ips, p)
	case mBin:
		b, err := parseHexPattern(text)
		if err != nil {
			return err
		}
		e.pats.strs = append(e.pats.strs, b)
	case mReg:
		re, err := compileRegex(text, e.fold)
		if err != nil {
			return err
		}
		e.pats.res = append(e.pats.res, re)
	case mMeth:
		b := []byte(text)
		e.pats.meths = append(e.pats.meths, methPattern{known: isKnownMethod(b), name: b})
	default:
		e.pats.strs = append(e.pats.strs, []byte(text))
	}
	return nil
}

// loadFile adds the patterns of a file, one per line: leading blanks are
// skipped, lines starting with '#' and empty lines ignored; with -M only
// the first word (the key of a map file) is used.
func (e *aclExpr) loadFile(data []byte, path string, mapFile bool) *perr {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if strings.HasPrefix(l, "#") {
			continue
		}
		l = strings.TrimLeft(strings.TrimRight(l, "\r"), " \t")
		if mapFile {
			if j := strings.IndexAny(l, " \t"); j >= 0 {
				l = l[:j]
			}
		}
		if l == "" {
			continue
		}
		if err := e.addPattern(l); err != nil {
			return &perr{msg: err.msg + " at line " + strconv.Itoa(line) + " of file '" + path + "'"}
		}
	}
	return nil
}

// eval reports whether any value of the expression matches.
func (e *aclExpr) eval(s Sample, buf *[]byte) bool {
	it := iter{iterate: true}
	var v value
	for {
		*buf = (*buf)[:0]
		if !e.expr.eval(s, &it, buf, &v) {
			return false
		}
		if e.matchValue(&v, buf) {
			return true
		}
		if !it.more {
			return false
		}
	}
}

const (
	dirDelims = "/?"
	domDelims = "/?.:"
)

// matchValue matches one value against the patterns.
func (e *aclExpr) matchValue(v *value, buf *[]byte) bool {
	p := &e.pats
	switch e.match {
	case mFound:
		return true
	case mBool:
		return v.toInt() && v.i != 0
	case mInt:
		if !v.toInt() {
			return false
		}
		for i := range p.ints {
			if p.ints[i].contains(v.i) {
				return true
			}
		}
		return false
	case mLen:
		if !v.toStr(buf) {
			return false
		}
		for i := range p.ints {
			if p.ints[i].contains(int64(len(v.s))) {
				return true
			}
		}
		return false
	case mIP:
		return v.toIP() && matchIP(p.ips, v.ip)
	case mMeth:
		known := isKnownMethod(v.s)
		for i := range p.meths {
			m := &p.meths[i]
			if m.known {
				if known && string(m.name) == string(v.s) {
					return true
				}
			} else if !known && hasPrefixFold(v.s, m.name, e.fold) && len(v.s) == len(m.name) {
				return true
			}
		}
		return false
	case mReg:
		if !v.toStr(buf) {
			return false
		}
		for _, re := range p.res {
			if re.Match(v.s) {
				return true
			}
		}
		return false
	}
	if !v.toStr(buf) {
		return false
	}
	for _, pat := range p.strs {
		var ok bool
		switch e.match {
		case mStr:
			ok = len(pat) == len(v.s) && hasPrefixFold(v.s, pat, e.fold)
		case mBin:
			ok = string(pat) == string(v.s)
		case mBeg:
			ok = hasPrefixFold(v.s, pat, e.fold)
		case mEnd:
			ok = hasSuffixFold(v.s, pat, e.fold)
		case mSub:
			ok = indexFold(v.s, pat, e.fold) >= 0
		case mDir:
			ok = matchWord(v.s, pat, e.fold, dirDelims)
		case mDom:
			ok = matchWord(v.s, pat, e.fold, domDelims)
		}
		if ok {
			return true
		}
	}
	return false
}
