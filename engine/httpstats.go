package engine

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"hitless/engine/cli"
	"hitless/engine/config"
	"hitless/engine/h1"
	"hitless/poller"
)

// Statistics served over HTTP: "stats uri" (HTML, and CSV at
// "<uri>;csv") and "http-request use-service prometheus-exporter". They
// are rendered on the reactor from the same rows as "show stat"; reading
// them sums the reactors' counter shards, so it costs a few microseconds
// per object, which is why they are not meant to be polled at high rates.
//
// Access to the page goes through the "stats http-request" rules, then
// the "stats auth" accounts (Basic credentials, compared in constant
// time); "stats scope" filters the rows of both forms. When a "stats
// admin" condition holds, the page carries HAProxy's admin form and a
// POST of it changes servers. The POST is read on the reactor, but the
// changes are applied on another goroutine: some of them (killing
// sessions, a server going down with "on-marked-down shutdown-sessions")
// wait for every reactor, the serving one included, which would never
// answer. The 303 answer therefore reports what the form asked for and
// may come before the change is visible; the changes of one page are
// applied in the order of the requests.

// defaultStatsURI is HAProxy's "stats uri" default.
const defaultStatsURI = "/haproxy?stats"

// statsWebCause is the cause HAProxy logs for a state forced on the page.
const statsWebCause = "changed from Web interface"

// statsCredMax bounds the decoded Basic credentials read from a request.
const statsCredMax = 1024

// statsQueueMax bounds the admin POSTs of one page waiting to be
// applied; a POST beyond it is answered EXCD and changes nothing.
const statsQueueMax = 64

// statsUnauthorizedBody is HAProxy's 401 page; read only.
var statsUnauthorizedBody = []byte("<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n")

func hasPrefix(b []byte, p string) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == p
}

// isStatsMethod reports whether a request of method m is for the
// statistics page when its target matches: GET, HEAD and POST, as in
// HAProxy; the others go to the backend's servers.
func isStatsMethod(m h1.Method) bool {
	return m == h1.MethodGET || m == h1.MethodHEAD || m == h1.MethodPOST
}

// statsUser is a "stats auth" account, kept as digests so that checking
// credentials takes the same time whatever their length.
type statsUser struct {
	name, pass [sha256.Size]byte
}

// initStats prepares the access control, scope and admin queue of the
// statistics page of b from b.stats. It runs before the reactors start.
func (b *backend) initStats() {
	st := b.stats
	b.statsUsers = b.statsUsers[:0]
	for _, u := range st.Users {
		b.statsUsers = append(b.statsUsers, statsUser{sha256.Sum256([]byte(u.Name)), sha256.Sum256([]byte(u.Password))})
	}
	b.statsRealm = st.Realm
	if b.statsRealm == "" {
		b.statsRealm = config.DefaultStatsRealm
	}
	b.statsScope = nil
	for _, n := range st.Scope {
		if n == "." {
			n = b.name
		}
		b.statsScope = append(b.statsScope, n)
	}
	if len(st.Admin) > 0 {
		b.statsAdmin = &statsQueue{}
	}
}

// httpStats answers a GET, HEAD or POST request for the statistics page
// of backend be: 401 or a deny response when the access rules say so,
// 303 to "<uri>;st=<WORD>" for a POST, else the page (CSV with ";csv").
func (r *reactor) httpStats(s *stream, be *backend, target []byte, headLen int) {
	r.ctr[s.fe.ctr].intercepted.Add(1)
	st := be.stats
	t := &r.hsample
	allowed := false
access:
	for i := range st.Rules {
		rule := &st.Rules[i]
		if !rule.Cond.Eval(t) {
			continue
		}
		switch rule.Action {
		case config.StatsAllow:
			allowed = true
			break access
		case config.StatsDeny:
			s.setTerm('P', 'R')
			r.ctr[s.fe.ctr].denied.Add(1)
			r.httpLocal(s, r.denyResponse(s, rule.Reply), -1)
			return
		case config.StatsAuth:
			realm := rule.Realm
			if realm == "" {
				realm = config.DefaultStatsRealm
			}
			r.statsUnauthorized(s, be, realm, headLen)
			return
		}
	}
	if !allowed && len(be.statsUsers) > 0 && !statsAuthorized(be, t) {
		r.statsUnauthorized(s, be, be.statsRealm, headLen)
		return
	}
	s.setTerm('L', 'R')
	admin := false
	for _, c := range st.Admin {
		if c.Eval(t) {
			admin = true
			break
		}
	}
	if r.hreq.Method == h1.MethodPOST {
		r.statsPost(s, be, admin, headLen)
		return
	}

	e := r.e
	r.statRows = e.AppendStats(r.statRows[:0])
	n := len(r.statRows)
	if be.statsScope != nil {
		r.statRows = scopeRows(r.statRows, be.statsScope)
	}
	rest := target[len(be.statsURI):]
	view := cli.ParseStatsView(rest)
	r.statRows = cli.FilterStatRows(r.statRows, view)
	var body []byte
	ctype := "text/html"
	extra := []byte("cache-control: no-cache\r\n")
	if view.CSV {
		ctype = "text/plain"
		body = cli.AppendStatsCSV(r.statBody[:0], r.statRows)
	} else {
		page := cli.StatsPage{URI: be.statsURI, Refresh: st.Refresh, ShowNode: st.ShowNode,
			ShowLegends: st.ShowLegends, HideVersion: st.HideVersion,
			Admin: admin, Status: cli.StatsStatusOf(rest), View: view}
		body = cli.AppendStatsHTML(r.statBody[:0], e.Info(), r.statRows, page, time.Now())
		if st.Refresh > 0 && !view.NoRefresh {
			extra = append(extra, "refresh: "...)
			extra = strconv.AppendInt(extra, int64((st.Refresh+time.Second-1)/time.Second), 10)
			extra = append(extra, '\r', '\n')
		}
	}
	clear(r.statRows[:n])
	r.statBody = body[:0]
	r.statResp = h1.AppendResponse(r.statResp[:0], 200, ctype, extra, body)
	r.httpLocal(s, r.statResp, headLen)
}

// scopeRows keeps, in place and in order, the rows of the proxies named
// in scope, and returns them. The rows after the result keep stale
// copies the caller clears.
func scopeRows(rows []cli.StatRow, scope []string) []cli.StatRow {
	kept := rows[:0]
	for i := range rows {
		for _, name := range scope {
			if rows[i].PxName == name {
				kept = append(kept, rows[i])
				break
			}
		}
	}
	return kept
}

// statsAuthorized reports whether the first Authorization header of the
// request carries Basic credentials of one of be's accounts. Every
// account is compared, in constant time. It does not allocate.
func statsAuthorized(be *backend, t *txnSample) bool {
	n := t.NumHeaders(false)
	for i := 0; i < n; i++ {
		name, value, ok := t.HeaderAt(false, i)
		if !ok || !asciiEqualFold(name, "authorization") {
			continue
		}
		var buf [statsCredMax]byte
		user, pass, ok := cli.BasicCredentials(value, buf[:0])
		if !ok {
			return false
		}
		u, p := sha256.Sum256(user), sha256.Sum256(pass)
		match := 0
		for i := range be.statsUsers {
			a := &be.statsUsers[i]
			match |= subtle.ConstantTimeCompare(u[:], a.name[:]) & subtle.ConstantTimeCompare(p[:], a.pass[:])
		}
		return match == 1
	}
	return false
}

// statsUnauthorized answers 401 with "WWW-Authenticate: Basic
// realm=<realm>": HAProxy's page, or the "errorfile 401" of be (else of
// the frontend) with the header added at the end of its head.
func (r *reactor) statsUnauthorized(s *stream, be *backend, realm string, headLen int) {
	s.setTerm('L', 'R')
	hdr := append(r.statBody[:0], "www-authenticate: Basic realm=\""...)
	hdr = append(hdr, realm...)
	hdr = append(hdr, "\"\r\n"...)
	p, ok := be.cfg.HTTP.ErrorFiles[401]
	if !ok {
		p, ok = s.fe.cfg.HTTP.ErrorFiles[401]
	}
	if i := bytes.Index(p, []byte("\r\n\r\n")); ok && i >= 0 {
		r.statResp = append(append(append(r.statResp[:0], p[:i+2]...), hdr...), p[i+2:]...)
	} else {
		extra := append(hdr, "cache-control: no-cache\r\n"...)
		r.statResp = h1.AppendResponse(r.statResp[:0], 401, "text/html", extra, statsUnauthorizedBody)
		hdr = extra
	}
	r.statBody = hdr[:0]
	r.httpLocal(s, r.statResp, headLen)
}

// statsPost answers an admin POST with HAProxy's 303 to
// "<uri>;st=<WORD>": the outcome of the form, whose changes are queued
// for be's admin goroutine, or DENY when no "stats admin" condition
// holds.
func (r *reactor) statsPost(s *stream, be *backend, admin bool, headLen int) {
	body, consumed, st := r.statsForm(s, headLen)
	switch {
	case !admin:
		st = cli.StatsStatusDeny
	case st == cli.StatsStatusInit:
		job := &statsJob{e: r.e}
		st = cli.ProcessStatsPost(body, job)
		if len(job.servers) > 0 && !be.statsAdmin.push(job) {
			st = cli.StatsStatusExcd
		}
	}
	loc := append(r.statBody[:0], "cache-control: no-cache\r\nlocation: "...)
	loc = append(loc, be.statsURI...)
	loc = append(loc, ";st="...)
	loc = append(loc, st.String()...)
	loc = append(loc, '\r', '\n')
	r.statBody = loc[:0]
	r.statResp = h1.AppendResponse(r.statResp[:0], 303, "text/plain", loc, nil)
	r.httpLocal(s, r.statResp, consumed)
}

// statsForm returns the body of a POST whose head is headLen bytes, and
// how many bytes of the request it consumed; st is StatsStatusInit when
// the body is there, else the outcome to report. The body must be in the
// request buffer already, or be readable from the socket at once (the
// reactor does not wait for it): a body still on its way is ERRP, one
// that cannot fit in a buffer with its head EXCD, a chunked one IVAL.
// A body read whole is consumed, so the connection may carry another
// request; body aliases the request buffer.
func (r *reactor) statsForm(s *stream, headLen int) (body []byte, consumed int, st cli.StatsStatus) {
	h, c := s.h, &s.req
	switch h.rq.framing {
	case h1.BodyNone:
		return nil, headLen, cli.StatsStatusInit
	case h1.BodyLength:
	default:
		return nil, headLen, cli.StatsStatusIval
	}
	if h.rq.left > int64(r.e.maxHead-headLen) {
		return nil, headLen, cli.StatsStatusExcd
	}
	start := c.off + headLen
	end := start + int(h.rq.left)
	if end > len(c.buf) {
		// After a pipelined request far in the buffer, the body would
		// not fit.
		return nil, headLen, cli.StatsStatusErrp
	}
	r.statsReadBody(s, end)
	if c.end < end {
		return nil, headLen, cli.StatsStatusErrp
	}
	h.rq.framing, h.rq.left = h1.BodyNone, 0
	return c.buf[start:end], end - c.off, cli.StatsStatusInit
}

// statsReadBody reads what the client already sent of a request body
// into the request buffer, until the buffer holds need bytes, without
// waiting for more.
func (r *reactor) statsReadBody(s *stream, need int) {
	c := &s.req
	for c.end < need && s.cli.flags&sideEOF == 0 {
		n, err := poller.Read(s.cli.fd, c.buf[c.end:need])
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			s.cli.flags &^= sideCanRead
			return
		case err != nil:
			return
		case n == 0:
			s.cli.flags |= sideEOF
			return
		}
		c.end += n
		s.cli.lastAct = r.now
		s.bytesIn += uint64(n)
		r.ctr[s.fe.ctr].bytesIn.Add(uint64(n))
	}
}

// statsJob is what one admin POST changes: an action on servers of one
// backend. The reactor fills it (cli.StatsTarget) and hands it over to
// the page's statsQueue; it is not touched by the reactor afterwards.
type statsJob struct {
	e       *Engine
	be      *backend
	action  cli.StatsAction
	servers []*server // the servers the action applies to, in form order
}

// StatsBackend implements cli.StatsTarget.
func (j *statsJob) StatsBackend(ref cli.Ref) bool {
	b, err := j.e.findBackend(ref)
	if err != nil {
		return false
	}
	j.be = b
	return true
}

// StatsServer implements cli.StatsTarget: the server is looked up by name
// and remembered when the action applies to it, as HAProxy counts them:
// health check actions need a check, forced health states a server that
// tracks none, agent actions an agent (hitless has none); the others
// always apply.
func (j *statsJob) StatsServer(name []byte, a cli.StatsAction) (found, applies bool) {
	var srv *server
	for _, s := range j.be.servers() {
		if !s.deleted.Load() && s.name == string(name) {
			srv = s
			break
		}
	}
	if srv == nil {
		return false, false
	}
	switch a {
	case cli.StatsActionDisHealth, cli.StatsActionEnHealth:
		applies = srv.cfg.Check
	case cli.StatsActionHealthUp, cli.StatsActionHealthNoLB, cli.StatsActionHealthDown:
		applies = srv.cfg.Track == ""
	case cli.StatsActionDisAgent, cli.StatsActionEnAgent, cli.StatsActionAgentUp, cli.StatsActionAgentDown:
		applies = false
	default:
		applies = true
	}
	if applies {
		j.action = a
		j.servers = append(j.servers, srv)
	}
	return true, applies
}

// apply makes the changes of j through the engine's administration
// functions, as the CLI's commands would, except that forced health
// states are logged as coming from the web interface. It may wait for
// every reactor: it never runs on one.
func (j *statsJob) apply() {
	e := j.e
	for _, s := range j.servers {
		if s.deleted.Load() {
			continue
		}
		bref, sref := cli.Ref{ID: s.be.id, ByID: true}, cli.Ref{ID: s.id, ByID: true}
		switch j.action {
		case cli.StatsActionReady:
			e.SetServerAdmin(bref, sref, cli.TargetReady)
		case cli.StatsActionDrain:
			e.SetServerAdmin(bref, sref, cli.TargetDrain)
		case cli.StatsActionMaint:
			e.SetServerAdmin(bref, sref, cli.TargetMaint)
		case cli.StatsActionDisHealth:
			e.SetCheckEnabled(bref, sref, cli.CheckHealth, false)
		case cli.StatsActionEnHealth:
			e.SetCheckEnabled(bref, sref, cli.CheckHealth, true)
		case cli.StatsActionHealthUp:
			e.forceServerHealth(s, cli.HealthUp, statsWebCause)
		case cli.StatsActionHealthNoLB:
			e.forceServerHealth(s, cli.HealthStopping, statsWebCause)
		case cli.StatsActionHealthDown:
			e.forceServerHealth(s, cli.HealthDown, statsWebCause)
		case cli.StatsActionShutdown:
			e.ShutdownServerSessions(bref, sref)
		}
	}
}

// statsQueue holds the admin POSTs of one statistics page waiting to be
// applied, in arrival order, and runs them on one goroutine at a time,
// started when the queue becomes non-empty and ending when it is empty.
// Any goroutine may push; mu is never held while a job runs.
type statsQueue struct {
	mu      sync.Mutex
	jobs    []*statsJob
	running bool
	refused atomic.Uint64 // POSTs refused because statsQueueMax were waiting
}

// push queues j and reports whether there was room.
func (q *statsQueue) push(j *statsJob) bool {
	q.mu.Lock()
	if len(q.jobs) >= statsQueueMax {
		q.mu.Unlock()
		q.refused.Add(1)
		return false
	}
	q.jobs = append(q.jobs, j)
	start := !q.running
	q.running = true
	q.mu.Unlock()
	if start {
		go q.run()
	}
	return true
}

// run applies the queued jobs until there is none left.
func (q *statsQueue) run() {
	for {
		q.mu.Lock()
		if len(q.jobs) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		j := q.jobs[0]
		n := copy(q.jobs, q.jobs[1:])
		q.jobs[n] = nil
		q.jobs = q.jobs[:n]
		q.mu.Unlock()
		j.apply()
	}
}

// httpPrometheus answers with the metrics in Prometheus's text format.
func (r *reactor) httpPrometheus(s *stream, headLen int) {
	e := r.e
	r.statRows = e.AppendStats(r.statRows[:0])
	body := cli.AppendPrometheus(r.statBody[:0], e.Info(), r.statRows)
	clear(r.statRows)
	r.statBody = body[:0]
	r.statResp = h1.AppendResponse(r.statResp[:0], 200, "text/plain; version=0.0.4", nil, body)
	r.httpLocal(s, r.statResp, headLen)
}
