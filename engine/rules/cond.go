package rules

import "strings"

// Cond is a parsed condition: an OR of AND-suites of possibly negated
// ACLs, and the polarity of "if" or "unless". It is immutable once parsed
// and may be evaluated by several goroutines at once, each with its own
// Sample. A nil *Cond is true.
type Cond struct {
	unless bool
	suites [][]term
}

type term struct {
	acl *acl
	neg bool
}

// ParseCond parses words starting at "if" or "unless" (e.g.
// ["if","is_api","!{","src","10.0.0.0/8","}"]): implicit AND between
// terms, "||" or "or" between suites, "!" before a term (alone or glued)
// negates it, "{ criterion ... }" is an anonymous ACL. Named ACLs are
// looked up in acls (which also answers the predefined ones: TRUE, FALSE,
// HTTP, HTTP_1.0, HTTP_1.1, HTTP_URL_ABS, HTTP_URL_SLASH, HTTP_URL_STAR,
// LOCALHOST, METH_CONNECT, METH_DELETE, METH_GET, METH_HEAD, METH_OPTIONS,
// METH_POST, METH_PUT, METH_TRACE); acls may be nil.
//
// The error text is HAProxy's reason without its context ("no such ACL :
// 'x'"); callers add theirs, as HAProxy does: "error detected while
// parsing switching rule : %s." for use_backend, for instance. The rule
// parsers of this package do so themselves.
func ParseCond(words []string, acls *ACLSet) (*Cond, error) {
	c, err := parseCond(words, acls)
	if err != nil {
		return nil, err.wrap("", "")
	}
	return c, nil
}

func parseCond(words []string, acls *ACLSet) (*Cond, *perr) {
	if len(words) == 0 || words[0] != "if" && words[0] != "unless" {
		return nil, reason("conditions must start with either 'if' or 'unless'")
	}
	c := &Cond{unless: words[0] == "unless"}
	var suite []term
	neg := false
	terms := 0
	for i := 1; i < len(words); i++ {
		w := words[i]
		for strings.HasPrefix(w, "!") {
			neg = !neg
			w = w[1:]
		}
		if w == "" {
			continue
		}
		if w == "||" || strings.EqualFold(w, "or") {
			if suite != nil {
				c.suites = append(c.suites, suite)
			}
			suite, neg = nil, false
			continue
		}
		var a *acl
		if w == "{" {
			end := i + 1
			for end < len(words) && words[end] != "}" {
				end++
			}
			if end == len(words) {
				return nil, reason("missing closing '}' in condition")
			}
			e, err := parseACLExpr(words[i+1 : end])
			if err != nil {
				return nil, err
			}
			a = &acl{exprs: []*aclExpr{e}}
			i = end
		} else {
			var err *perr
			if a, err = acls.lookup(w); err != nil {
				return nil, err
			}
		}
		suite = append(suite, term{acl: a, neg: neg})
		terms++
		neg = false
	}
	if suite != nil {
		c.suites = append(c.suites, suite)
	}
	if terms == 0 {
		return nil, reason("missing condition after '" + words[0] + "'")
	}
	return c, nil
}

// SplitCond returns the index of the first word "if"/"unless" in words,
// or len(words).
func SplitCond(words []string) int {
	for i, w := range words {
		if w == "if" || w == "unless" {
			return i
		}
	}
	return len(words)
}

// Eval reports whether the condition holds for s. It does not allocate
// (conversions use scratch space in s.Vars()); regular expressions are
// run by Go's regexp, whose matchers are pooled and do not allocate once
// warm (measured by TestAllocsCondRegex).
func (c *Cond) Eval(s Sample) bool {
	if c == nil {
		return true
	}
	if v := s.Vars(); v != nil {
		return c.eval(s, &v.scratch)
	}
	var local []byte
	return c.eval(s, &local)
}

func (c *Cond) eval(s Sample, buf *[]byte) bool {
	res := false
	for _, suite := range c.suites {
		ok := true
		for i := range suite {
			t := &suite[i]
			if t.acl.eval(s, buf) == t.neg {
				ok = false
				break
			}
		}
		if ok {
			res = true
			break
		}
	}
	return res != c.unless
}

// eval is the OR of the ACL's expressions.
func (a *acl) eval(s Sample, buf *[]byte) bool {
	for _, e := range a.exprs {
		if e.eval(s, buf) {
			return true
		}
	}
	return false
}
