package engine

import (
	"net/netip"

	"hitless/engine/h1"
	"hitless/engine/rules"
	"hitless/stick"
)

// txnSample is the rules.Sample of the head a reactor is processing. It
// reads the parsed request (and response) in place, so it is valid only
// while those heads sit in their buffers. Owned by the reactor.
type txnSample struct {
	s       *stream
	reqHead []byte
	req     *h1.Request
	resHead []byte
	res     *h1.Response // nil while processing the request
	target  []byte       // replaced request target, nil when unchanged
	r       *reactor     // its hextra/hlines: header lines rules added to the head being processed
	table   *stick.Table // the stick table of the proxy whose rules run; nil: none
}

var _ rules.Sample = (*txnSample)(nil)

// Method is the request's method, also while the response is processed
// (the request head is gone then; its method was kept).
func (t *txnSample) Method() []byte {
	if t.reqHead == nil {
		return t.s.h.methName[:t.s.h.methLen]
	}
	return t.req.MethodSpan.Bytes(t.reqHead)
}

func (t *txnSample) URL() []byte {
	if t.target != nil {
		return t.target
	}
	return t.req.Target.Bytes(t.reqHead)
}

func (t *txnSample) Path() []byte {
	if t.target != nil {
		p, _ := splitTarget(t.target)
		return p
	}
	return t.req.Path.Bytes(t.reqHead)
}

func (t *txnSample) Query() []byte {
	if t.target != nil {
		_, q := splitTarget(t.target)
		return q
	}
	return t.req.Query.Bytes(t.reqHead)
}

func (t *txnSample) Minor() int { return int(t.req.Minor) }

// NumHeaders counts the parsed headers of a head and then the lines
// rules added to it, so that a rule sees what the rules before it did.
func (t *txnSample) NumHeaders(res bool) int {
	if res {
		if t.res == nil {
			return 0
		}
		return t.res.NumHeaders + t.numExtra(true)
	}
	return t.req.NumHeaders + t.numExtra(false)
}

// numExtra is the number of lines added to the head of direction res:
// they belong to the message being processed.
func (t *txnSample) numExtra(res bool) int {
	if t.r == nil || res != (t.res != nil) {
		return 0
	}
	return len(t.r.hlines)
}

func (t *txnSample) HeaderAt(res bool, i int) (name, value []byte, ok bool) {
	var hs []h1.Header
	var head []byte
	switch {
	case !res:
		hs, head = t.req.Headers[:t.req.NumHeaders], t.reqHead
	case t.res != nil:
		hs, head = t.res.Headers[:t.res.NumHeaders], t.resHead
	default:
		return nil, nil, false
	}
	if i < len(hs) {
		h := &hs[i]
		return h.Name.Bytes(head), h.Value.Bytes(head), !h.Del
	}
	i -= len(hs)
	if i >= t.numExtra(res) {
		return nil, nil, false
	}
	l := &t.r.hlines[i]
	b := t.r.hextra
	return b[l.off:l.colon:l.colon], b[l.colon+2 : l.end-2 : l.end-2], !l.del
}

func (t *txnSample) Src() netip.Addr { return t.s.client.Addr().Unmap() }
func (t *txnSample) SrcPort() int    { return int(t.s.client.Port()) }

func (t *txnSample) Dst() netip.Addr { return t.s.h.localAddr().Addr().Unmap() }
func (t *txnSample) DstPort() int    { return int(t.s.h.localAddr().Port()) }

func (t *txnSample) Status() int {
	if t.res == nil {
		return 0
	}
	return t.res.Status
}

func (t *txnSample) Vars() *rules.Vars { return &t.s.h.vars }

// splitTarget splits an origin-form target into path and query.
func splitTarget(t []byte) (path, query []byte) {
	for i, c := range t {
		if c == '?' {
			return t[:i], t[i+1:]
		}
	}
	return t, nil
}

// localAddr returns the address the client connected to, asking the
// kernel the first time.
func (h *httpTxn) localAddr() netip.AddrPort {
	if !h.dstKnown {
		h.dstKnown = true
		h.dst = localAddrOf(h.cliFD)
	}
	return h.dst
}

// Outcomes of a rule set.
const (
	rulesContinue = iota // go on with the transaction
	rulesAnswered        // a local response was prepared; the transaction ends
	rulesFailed          // a rewrite did not fit; a 500 (request) or 502 was prepared
)

// runRequestRules evaluates list (http-request, then redirect rules when
// redirects is set) on the request in r.hreq. Header edits mark headers
// deleted and append lines to r.hextra; a new target goes to r.htarget.
func (r *reactor) runRequestRules(s *stream, t *txnSample, list []*rules.Rule, headLen int) int {
	for _, rule := range list {
		if !rule.Cond.Eval(t) {
			continue
		}
		switch rule.Action {
		case rules.ActAllow:
			return rulesContinue
		case rules.ActTrackSC:
			r.trackSC(s, t, rule)
			continue
		case rules.ActDeny:
			s.setTerm('P', 'R')
			r.ctr[s.fe.ctr].denied.Add(1)
			r.trackErr(s)
			r.httpLocal(s, r.denyResponse(s, rule), -1)
			return rulesAnswered
		case rules.ActTarpit:
			// The deny reply, held for "timeout tarpit" with the client
			// connection open, then the connection closes.
			s.setTerm('P', 'T')
			r.ctr[s.fe.ctr].denied.Add(1)
			r.trackErr(s)
			s.h.tarpit, s.h.tarpitEnd = true, r.now+s.fe.tarpitTO
			r.httpLocal(s, r.denyResponse(s, rule), -1)
			return rulesAnswered
		case rules.ActReturn:
			s.setTerm('L', 'R')
			r.ctr[s.fe.ctr].intercepted.Add(1)
			r.httpLocal(s, r.returnResponse(s, rule, t), headLen)
			return rulesAnswered
		case rules.ActRedirect:
			resp, ok := rule.Redirect.AppendResponseIf(r.hlocal[:0], t, !s.h.cliKeep)
			r.hlocal = resp[:0]
			if !ok {
				continue // "ignore-empty" with an empty location
			}
			s.setTerm('L', 'R')
			r.ctr[s.fe.ctr].intercepted.Add(1)
			r.httpLocal(s, resp, headLen)
			return rulesAnswered
		case rules.ActSetPath, rules.ActSetURI, rules.ActSetQuery, rules.ActReplacePath, rules.ActReplaceURI:
			r.rewriteTarget(t, rule)
		case rules.ActUseService:
			s.setTerm('L', 'R')
			r.ctr[s.fe.ctr].intercepted.Add(1)
			r.httpPrometheus(s, headLen)
			return rulesAnswered
		case rules.ActSetVar, rules.ActUnsetVar:
			rule.ApplyVar(t)
			continue // the head is unchanged
		default:
			r.headerRule(t, rule, false)
		}
		s.h.rewrite = true
	}
	return rulesContinue
}

// runResponseRules evaluates http-response rules on the response in
// r.hres.
func (r *reactor) runResponseRules(s *stream, t *txnSample, list []*rules.Rule) int {
	for _, rule := range list {
		if !rule.Cond.Eval(t) {
			continue
		}
		switch rule.Action {
		case rules.ActAllow:
			return rulesContinue
		case rules.ActDeny:
			if s.be != nil {
				r.ctr[s.be.ctr].deniedRes.Add(1)
			}
			r.ctr[s.fe.ctr].deniedRes.Add(1)
			return rulesAnswered
		case rules.ActSetStatus:
			s.h.newStatus = rule.Status
			s.h.newReason = rule.Reason
		case rules.ActSetVar, rules.ActUnsetVar:
			rule.ApplyVar(t)
			continue
		default:
			r.headerRule(t, rule, true)
		}
		s.h.rewrite = true
	}
	return rulesContinue
}

// extraLine is a header line a rule added: r.hextra[off:end] is
// "name: value\r\n" with the colon at colon.
type extraLine struct {
	off, colon, end int
	del             bool // removed by a later rule
}

// resetExtra forgets the lines added to the previous head.
func (r *reactor) resetExtra() {
	r.hextra, r.hlines, r.hdeleted = r.hextra[:0], r.hlines[:0], false
}

// addExtra adds the header line "name: value" that later rules see.
// name and value may point into r.hextra.
func (r *reactor) addExtra(name, value []byte) {
	off := len(r.hextra)
	r.hextra = append(r.hextra, name...)
	colon := len(r.hextra)
	r.hextra = append(r.hextra, ':', ' ')
	r.hextra = append(r.hextra, value...)
	r.hextra = append(r.hextra, '\r', '\n')
	r.hlines = append(r.hlines, extraLine{off: off, colon: colon, end: len(r.hextra)})
}

// dropDeletedExtra removes from r.hextra the lines later rules deleted;
// it runs once the rules are done, before the head is written.
func (r *reactor) dropDeletedExtra() {
	if !r.hdeleted {
		return
	}
	w := 0
	for _, l := range r.hlines {
		if !l.del {
			w += copy(r.hextra[w:], r.hextra[l.off:l.end])
		}
	}
	r.hextra, r.hlines, r.hdeleted = r.hextra[:w], r.hlines[:0], false
}

// headerRule applies a header action to the request or response head.
// As in HAProxy, a new value is computed before the headers it replaces
// are removed, so it may refer to them.
func (r *reactor) headerRule(t *txnSample, rule *rules.Rule, res bool) {
	n := t.NumHeaders(res)
	switch rule.Action {
	case rules.ActSetHeader, rules.ActAddHeader:
		v := rule.Value.Append(r.hval[:0], t)
		r.hval = v[:0]
		if rule.Action == rules.ActSetHeader {
			r.delHeaders(t, rule, res, n)
		}
		r.addExtra(rule.Name, v)
	case rules.ActDelHeader:
		r.delHeaders(t, rule, res, n)
	case rules.ActReplaceHeader, rules.ActReplaceValue:
		for i := 0; i < n; i++ {
			name, value, ok := t.HeaderAt(res, i)
			if !ok || !rule.MatchName(name) {
				continue
			}
			v, matched := rule.ReplaceValue(r.hval[:0], value, t)
			r.hval = v[:0]
			if !matched {
				continue
			}
			r.markHeader(t, res, i)
			r.addExtra(name, v)
		}
	}
}

// delHeaders marks deleted the first n headers named by rule.
func (r *reactor) delHeaders(t *txnSample, rule *rules.Rule, res bool, n int) {
	for i := 0; i < n; i++ {
		if name, _, ok := t.HeaderAt(res, i); ok && rule.MatchName(name) {
			r.markHeader(t, res, i)
		}
	}
}

// markHeader marks header i of the request or response deleted, a
// parsed one or one a rule added.
func (r *reactor) markHeader(t *txnSample, res bool, i int) {
	hs := t.req.Headers[:t.req.NumHeaders]
	if res {
		hs = t.res.Headers[:t.res.NumHeaders]
	}
	if i < len(hs) {
		hs[i].Del = true
		return
	}
	r.hlines[i-len(hs)].del = true
	r.hdeleted = true
}

// rewriteTarget applies set-path, set-uri, set-query, replace-path and
// replace-uri; the new target is kept in r.htarget.
func (r *reactor) rewriteTarget(t *txnSample, rule *rules.Rule) {
	path, query, url := t.Path(), t.Query(), t.URL()
	nt := r.htmp[:0]
	switch rule.Action {
	case rules.ActSetURI:
		nt = rule.Value.Append(nt, t)
	case rules.ActSetPath:
		nt = rule.Value.Append(nt, t)
		if len(query) > 0 || hasQuery(url) {
			nt = append(nt, '?')
			nt = append(nt, query...)
		}
	case rules.ActSetQuery:
		nt = append(nt, path...)
		nt = append(nt, '?')
		nt = rule.Value.Append(nt, t)
	case rules.ActReplacePath:
		v, ok := rule.ReplaceValue(nt, path, t)
		if !ok {
			return
		}
		nt = v
		if hasQuery(url) {
			nt = append(nt, '?')
			nt = append(nt, query...)
		}
	case rules.ActReplaceURI:
		v, ok := rule.ReplaceValue(nt, url, t)
		if !ok {
			return
		}
		nt = v
	}
	// The new target replaces the previous one; the scratch buffers swap
	// so that the next rewrite can read this one.
	r.htmp, r.htarget = r.htarget[:0], nt
	t.target = nt
}

func hasQuery(url []byte) bool {
	for _, c := range url {
		if c == '?' {
			return true
		}
	}
	return false
}

// denyResponse is the response of an http-request deny rule.
func (r *reactor) denyResponse(s *stream, rule *rules.Rule) []byte {
	st := rule.Status
	if st == 0 {
		st = 403
	}
	switch {
	case rule.Errorfile:
		return rule.Body
	case rule.DefaultErrorfile || rule.Body == nil && rule.Value == nil:
		if p := r.errorPage(s, st); p != nil {
			return p
		}
	}
	r.hlocal = h1.AppendResponse(r.hlocal[:0], st, rule.ContentType, nil, rule.Body)
	return r.hlocal
}

// returnResponse is the response of an http-request return rule.
func (r *reactor) returnResponse(s *stream, rule *rules.Rule, t *txnSample) []byte {
	st := rule.Status
	if st == 0 {
		st = 200
	}
	switch {
	case rule.Errorfile:
		return rule.Body
	case rule.DefaultErrorfile:
		if p := r.errorPage(s, st); p != nil {
			return p
		}
	}
	extra := r.hval[:0]
	for _, h := range rule.Hdrs {
		extra = append(extra, h.Name...)
		extra = append(extra, ':', ' ')
		extra = h.Value.Append(extra, t)
		extra = append(extra, '\r', '\n')
	}
	r.hval = extra[:0]
	body := rule.Body
	if rule.Value != nil {
		r.htmp = rule.Value.Append(r.htmp[:0], t)
		body = r.htmp
	}
	r.hlocal = h1.AppendResponse(r.hlocal[:0], st, rule.ContentType, extra, body)
	return r.hlocal
}
