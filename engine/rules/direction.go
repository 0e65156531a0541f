package rules

// Which half of a transaction a fetch reads. HAProxy refuses, at parse
// time, a rule value that reads the response in an http-request rule or
// the request (other than its method) in an http-response rule: the
// request head is gone when the response is processed. hitless gives the
// same errors.

// fetchNeed names what a fetch needs, in HAProxy's words, or "" when it
// is available on both sides.
func fetchNeed(f *fetch) (need string, res bool) {
	switch f.def.kind {
	case fkPath, fkURL, fkQuery, fkBase, fkURLParam, fkReqVer:
		return "HTTP request headers", false
	case fkStatus:
		return "HTTP response", true
	case fkHdr, fkHdrCnt:
		if f.dirHdr {
			return "", false
		}
		if f.resHdr {
			return "HTTP response headers", true
		}
		return "HTTP request headers", false
	}
	return "", false
}

// checkDirection checks the values of rule r, an http-response rule when
// res is set, for fetches of the other side.
func checkDirection(r *Rule, act string, res bool) *perr {
	formats := []*Format{r.Value}
	for _, h := range r.Hdrs {
		formats = append(formats, h.Value)
	}
	for _, f := range formats {
		if f == nil {
			continue
		}
		for _, p := range f.parts {
			if p.expr == nil {
				continue
			}
			if need, side := fetchNeed(&p.expr.f); need != "" && side != res {
				return reason("sample fetch <" + f.text[p.pos:] + "> may not be reliably used here because it needs '" + need + "' which is not available here")
			}
		}
	}
	if r.Expr != nil {
		if need, side := fetchNeed(&r.Expr.f); need != "" && side != res {
			if need == "HTTP response" {
				need = "HTTP response headers"
			}
			return reason("fetch method '" + act + "' extracts information from '" + need + "', none of which is available here")
		}
	}
	return nil
}

// Conflict returns HAProxy's warning for a condition used in an http-request
// rule (or a use_backend, redirect or stats rule), or in an http-response
// rule when res is set, that reads the other half of the transaction, or
// "" when it does not. where names the rule as HAProxy does ("frontend
// http-request header rule"). Like HAProxy, it reports the first ACL that
// cannot match at all ("will never match"), else the first named ACL with
// such a keyword among others.
func (c *Cond) Conflict(res bool, where string) string {
	if c == nil {
		return ""
	}
	conflicts := func(e *aclExpr) bool {
		need, side := fetchNeed(&e.expr.f)
		return need != "" && side != res
	}
	for _, suite := range c.suites {
		for _, t := range suite {
			a := t.acl
			if len(a.exprs) == 0 {
				continue
			}
			all := true
			for _, e := range a.exprs {
				all = all && conflicts(e)
			}
			if !all {
				continue
			}
			if a.name == "" {
				return "anonymous acl will never match because it uses keyword '" + a.exprs[0].kw + "' which is incompatible with '" + where + "'"
			}
			return "acl '" + a.name + "' will never match because it only involves keywords that are incompatible with '" + where + "'"
		}
	}
	for _, suite := range c.suites {
		for _, t := range suite {
			for _, e := range t.acl.exprs {
				if conflicts(e) {
					if t.acl.name == "" {
						return "anonymous acl involves keyword '" + e.kw + "' which is incompatible with '" + where + "'"
					}
					return "acl '" + t.acl.name + "' involves keywords '" + e.kw + "' which is incompatible with '" + where + "'"
				}
			}
		}
	}
	return ""
}
