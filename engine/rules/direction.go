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
