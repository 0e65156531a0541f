package cli

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The statistics page of "stats uri": its CSV export ("<uri>;csv") and an
// HTML page in the spirit of HAProxy 2.6's, built from the same Info and
// StatRow figures as show info and show stat; and what the page reads
// from a request: the ";st=" outcome it shows, the admin form a POST
// carries (ProcessStatsPost, acting through a StatsTarget) and Basic
// credentials.
//
// Invariants:
//   - Rendering only appends to dst: it allocates only when dst grows.
//   - The output depends on the arguments only; the time shown is the
//     now argument, never a clock read.
//   - Every text that comes from the configuration or the engine (names,
//     statuses, check reports, addresses, the URI) is HTML-escaped, and
//     invalid UTF-8 and control characters become U+FFFD, so the page is
//     also well-formed XML: void elements are self-closed, attributes
//     quoted, and the only entities are XML's.
//   - The readers keep nothing of their input past the call and decide
//     as HAProxy 2.6 does for the same bytes, except where their
//     comments say otherwise.

// statsDefaultURI is HAProxy's default "stats uri".
const statsDefaultURI = "/haproxy?stats"

// StatsPage describes the page: the proxy's "stats" settings.
type StatsPage struct {
	URI         string        // "stats uri" (default "/haproxy?stats")
	Refresh     time.Duration // "stats refresh": adds the refresh meta tag/header; 0 none
	ShowNode    string        // "stats show-node"; "" = not shown
	ShowLegends bool          // "stats show-legends"
	HideVersion bool          // "stats hide-version"
	// Admin adds HAProxy's admin form: a checkbox column in every
	// table and, under each proxy with servers, the action list posted
	// back to the page with the servers checked.
	Admin bool
	// Status is the message box of the outcome of an admin POST
	// (";st=<WORD>" in the URI); StatsStatusInit shows none.
	Status StatsStatus
	// View holds the display options of the request URI; the page's
	// links keep them.
	View StatsView
}

// StatsView are the display options of a statistics page URI, as HAProxy
// reads them after the "stats uri" prefix: ";up" hides the servers that
// are down (in maintenance, or DOWN and not going up), ";no-maint" those
// in maintenance, ";norefresh" drops the refresh, ";scope=<text>" keeps
// the proxies whose name holds text (case-insensitive; at most
// StatsScopeMax bytes, up to the next ';' or '&') and ";csv" asks for CSV.
type StatsView struct {
	HideDown  bool
	HideMaint bool
	NoRefresh bool
	CSV       bool
	Scope     []byte // aliases the URI; nil = every proxy
}

// StatsScopeMax is the longest scope text HAProxy's page accepts.
const StatsScopeMax = 15

// ParseStatsView reads the display options of rest, what follows the
// "stats uri" prefix in a request target. It does not allocate.
func ParseStatsView(rest []byte) StatsView {
	var v StatsView
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c != ';' && c != '?' && c != '&' {
			continue
		} else if c != ';' {
			// the page's scope form submits "?scope=" or "&scope="
			if opt := rest[i+1:]; bytes.HasPrefix(opt, []byte("scope=")) {
				v.Scope = scopeText(opt[len("scope="):])
			}
			continue
		}
		opt := rest[i+1:]
		switch {
		case bytes.HasPrefix(opt, []byte("up")):
			v.HideDown = true
		case bytes.HasPrefix(opt, []byte("no-maint")):
			v.HideMaint = true
		case bytes.HasPrefix(opt, []byte("norefresh")):
			v.NoRefresh = true
		case bytes.HasPrefix(opt, []byte("csv")):
			v.CSV = true
		case bytes.HasPrefix(opt, []byte("scope=")):
			v.Scope = scopeText(opt[len("scope="):])
		}
	}
	return v
}

// scopeText is the scope text at the start of b: up to the next ';' or
// '&', at most StatsScopeMax bytes.
func scopeText(b []byte) []byte {
	end := bytes.IndexAny(b, ";&")
	if end < 0 {
		end = len(b)
	}
	return b[:min(end, StatsScopeMax)]
}

// appendViewURI appends uri with the options of v, changed by the
// caller, in HAProxy's order.
func appendViewURI(dst []byte, uri string, v StatsView) []byte {
	dst = appendHTML(dst, uri)
	if v.HideDown {
		dst = append(dst, ";up"...)
	}
	if v.HideMaint {
		dst = append(dst, ";no-maint"...)
	}
	if v.NoRefresh {
		dst = append(dst, ";norefresh"...)
	}
	if len(v.Scope) > 0 {
		dst = append(dst, ";scope="...)
		dst = appendHTML(dst, string(v.Scope))
	}
	return dst
}

// FilterStatRows keeps, in place and in order, the rows v shows, and
// returns them: the proxies matching its scope, without the servers it
// hides. The rows after the result keep stale copies the caller clears.
func FilterStatRows(rows []StatRow, v StatsView) []StatRow {
	if !v.HideDown && !v.HideMaint && len(v.Scope) == 0 {
		return rows
	}
	kept := rows[:0]
	for i := range rows {
		r := &rows[i]
		if len(v.Scope) > 0 && !containsFold(r.PxName, v.Scope) {
			continue
		}
		if r.Type == StatServer {
			maint := strings.HasPrefix(r.Status, "MAINT")
			if (v.HideMaint || v.HideDown) && maint || v.HideDown && r.Status == "DOWN" {
				continue
			}
		}
		kept = append(kept, *r)
	}
	return kept
}

// containsFold reports whether s holds sub, ASCII case-insensitively.
func containsFold(s string, sub []byte) bool {
next:
	for i := 0; i+len(sub) <= len(s); i++ {
		for j, c := range sub {
			if lowerASCII(s[i+j]) != lowerASCII(c) {
				continue next
			}
		}
		return true
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// AppendStatsCSV appends the CSV statistics HAProxy's stats page serves at
// "<uri>;csv" to dst and returns it: the same header line and rows as
// "show stat" (typed=false, no legends: a user-level session), without
// the empty line that ends a CLI answer. rows are in Source.AppendStats
// order and are not retained. It allocates only when dst grows.
func AppendStatsCSV(dst []byte, rows []StatRow) []byte {
	dst = append(dst, statHeader...)
	var f [statFields]field
	for i := range rows {
		fillRow(&f, &rows[i], false, false)
		dst = appendStatCSV(dst, &f)
	}
	return dst
}

// AppendStatsHTML appends the HTML statistics page to dst and returns it:
// a process information block from info (pid, uptime, limits, current
// connections, threads, the version unless page.HideVersion), links to
// refresh and to the CSV export, then one table per proxy (its frontend,
// listener, server and backend rows, in rows order) with HAProxy's column
// groups: Queue, Session rate, Sessions, Bytes, Denied, Errors, Warnings
// and Server. HTTP response counts by class are in the tooltip of the
// Sessions Total cell, as HAProxy shows them. Addresses, cookies,
// balance algorithms, modes and ids are shown only with page.ShowLegends.
// now is the report time printed on the page. page.Status adds the
// message box of an admin POST's outcome, page.Admin the admin form (see
// StatsPage). rows are not retained. It allocates only when dst grows.
func AppendStatsHTML(dst []byte, info Info, rows []StatRow, page StatsPage, now time.Time) []byte {
	uri := page.URI
	if uri == "" {
		uri = statsDefaultURI
	}
	w := statsHTML{b: dst, admin: page.Admin}
	w.s("<!DOCTYPE html>\n<html><head>\n<meta charset=\"utf-8\"/>\n")
	if page.Refresh > 0 && !page.View.NoRefresh {
		secs := (page.Refresh + time.Second - 1) / time.Second
		w.s(`<meta http-equiv="refresh" content="`)
		w.u(uint64(secs))
		w.s("\"/>\n")
	}
	w.s("<title>Statistics Report for ")
	w.esc(info.Name)
	if page.ShowNode != "" {
		w.s(" on ")
		w.esc(page.ShowNode)
	}
	w.s("</title>\n<style>\n")
	w.s(statsCSS)
	w.s("</style>\n</head>\n<body>\n<h1>")
	w.esc(info.Name)
	if !page.HideVersion {
		w.s(" version ")
		w.esc(info.Version)
		if info.ReleaseDate != "" {
			w.s(", released ")
			w.esc(info.ReleaseDate)
		}
	}
	w.s("</h1>\n<h2>Statistics Report for pid ")
	w.u(info.Pid)
	if page.ShowNode != "" {
		w.s(" on ")
		w.esc(page.ShowNode)
	}
	w.s("</h2>\n")
	w.process(&info, uri, &page, now)
	if page.Status != StatsStatusInit {
		w.message(page.Status, uri)
	}
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j].Iid == rows[i].Iid && rows[j].PxName == rows[i].PxName {
			j++
		}
		w.proxy(rows[i:j], page.ShowLegends)
		i = j
	}
	w.s("</body>\n</html>\n")
	return w.b
}

// statsCSS is the page's style sheet; it holds no '<' or '&', so the page
// stays well-formed XML.
const statsCSS = `body { font-family: arial, helvetica, sans-serif; font-size: 12px; color: #000; background: #fff; }
h1 { font-size: x-large; margin-bottom: 0.3em; }
h2 { font-size: large; color: #5a2a9a; margin: 0; }
h3 { font-size: 14px; color: #a01040; background: #ecebd8; margin: 0.5em 0 0.2em 0; }
div.info { display: flex; gap: 3em; align-items: flex-start; margin-bottom: 1em; }
table.tbl { border-collapse: collapse; width: 100%; margin-bottom: 1em; }
table.tbl caption { text-align: left; font-weight: bold; color: #fff; background: #a01040; padding: 2px 4px; width: 10%; white-space: nowrap; }
table.tbl th, table.tbl td { border: 1px solid #999; padding: 2px 3px; font-size: 10px; white-space: nowrap; }
table.tbl td { text-align: right; }
table.tbl td.ac { text-align: center; }
tr.titre { background: #30c8c8; }
tr.frontend, tr.backend { background: #ecebd8; }
tr.socket { background: #d8d8d8; }
.active_up { background: #b8f5b8; }
.backup_up { background: #b8ccf5; }
.active_going_down, .backup_going_down { background: #f5f0a0; }
.active_going_up, .backup_going_up { background: #f5c860; }
.active_down, .backup_down { background: #f59c9c; }
.active_nolb, .backup_nolb, .active_draining, .backup_draining { background: #70b0f0; }
.active_no_check, .backup_no_check { background: #e4e4e4; }
.maintain { background: #cc8844; }
table.lgd td { padding: 1px 4px; }
div.msg { margin: 0.5em 0; padding: 3px 6px; border: 1px solid #999; }
table.lgd td.sw { width: 1.5em; border: 1px solid #999; }
.tip { position: relative; border-bottom: 1px dotted #000; }
.tips { display: none; position: absolute; z-index: 10; left: 0; top: 1.4em; padding: 2px 4px; text-align: left; white-space: nowrap; font-weight: normal; color: #000; background: #f5f0a0; border: 1px solid #6040b0; }
.tip:hover .tips { display: block; }
`

// statsHTML appends the page. It lives on the caller's stack.
type statsHTML struct {
	b     []byte
	admin bool // the page has the admin checkbox column
	form  bool // the current table is in an admin form: its servers have checkboxes
}

func (w *statsHTML) s(str string)  { w.b = append(w.b, str...) }
func (w *statsHTML) esc(s string)  { w.b = appendHTML(w.b, s) }
func (w *statsHTML) u(v uint64)    { w.b = strconv.AppendUint(w.b, v, 10) }
func (w *statsHTML) dur(sec int64) { w.b = appendHumanDuration(w.b, sec) }

// td appends a numeric cell.
func (w *statsHTML) td(v uint64) {
	w.s("<td>")
	w.u(v)
	w.s("</td>")
}

// tdLimit appends a limit cell: "-" when there is none (0).
func (w *statsHTML) tdLimit(v uint64) {
	if v == 0 {
		w.s("<td>-</td>")
		return
	}
	w.td(v)
}

// tdEmpty appends n empty cells.
func (w *statsHTML) tdEmpty(n int) {
	for range n {
		w.s("<td></td>")
	}
}

// tdSpan appends one empty cell spanning n columns.
func (w *statsHTML) tdSpan(n int) {
	w.s(`<td colspan="`)
	w.u(uint64(n))
	w.s(`"></td>`)
}

// line appends one "label: value" line of a tooltip, after a break unless
// it is the first.
func (w *statsHTML) line(first bool, label string, v uint64) {
	if !first {
		w.s("<br/>")
	}
	w.s(label)
	w.s(": ")
	w.u(v)
}

func (w *statsHTML) process(info *Info, uri string, page *StatsPage, now time.Time) {
	w.s("<h3>&gt; General process information</h3>\n<div class=\"info\">\n<p><b>pid = </b>")
	w.u(info.Pid)
	w.s(" (process #")
	w.u(info.ProcessNum)
	w.s(", nbproc = ")
	w.u(info.Nbproc)
	w.s(", nbthread = ")
	w.u(info.Nbthread)
	w.s(")<br/>\n<b>uptime = </b>")
	w.b = appendUptime(w.b, uint64(info.Uptime/time.Second))
	w.s("<br/>\n<b>system limits:</b> memmax = ")
	if info.MemmaxBytes == 0 {
		w.s("unlimited")
	} else {
		w.u(info.MemmaxBytes / mb)
		w.s(" MB")
	}
	w.s("; ulimit-n = ")
	w.u(info.UlimitN)
	w.s("<br/>\n<b>maxsock = </b>")
	w.u(info.Maxsock)
	w.s("; <b>maxconn = </b>")
	w.u(info.Maxconn)
	w.s("; <b>maxpipes = </b>")
	w.u(info.Maxpipes)
	w.s("<br/>\ncurrent conns = ")
	w.u(info.CurrConns)
	w.s("; current pipes = ")
	w.u(info.PipesUsed)
	w.s("/")
	w.u(info.PipesUsed + info.PipesFree)
	w.s("; conn rate = ")
	w.u(info.ConnRate)
	w.s("/sec; bit rate = ")
	bits := info.BytesOutRate * 8
	w.u(bits / 1000)
	w.s(".")
	r := bits % 1000
	w.b = append(w.b, byte('0'+r/100), byte('0'+r/10%10), byte('0'+r%10))
	w.s(" kbps<br/>\nRunning tasks: ")
	w.u(info.RunQueue)
	w.s("/")
	w.u(info.Tasks)
	w.s("; idle = ")
	w.u(info.IdlePct)
	w.s(" %<br/>\nReport time: ")
	w.b = now.UTC().AppendFormat(w.b, "2006-01-02 15:04:05 UTC")
	w.s("</p>\n")

	w.s("<table class=\"lgd\">\n")
	for _, l := range statsLegend {
		w.s("<tr>")
		for _, c := range l {
			if c[0] == "" {
				continue
			}
			w.s(`<td class="sw `)
			w.s(c[0])
			w.s(`"></td><td>`)
			w.s(c[1])
			w.s("</td>")
		}
		w.s("</tr>\n")
	}
	w.s("</table>\n<div><b>Display options:</b><ul>\n")
	w.scopeForm(uri, page.View)
	v := page.View
	v.HideDown = !v.HideDown
	w.s("<li><a href=\"")
	w.b = appendViewURI(w.b, uri, v)
	if page.View.HideDown {
		w.s("\">Show all servers</a></li>\n")
	} else {
		w.s("\">Hide 'DOWN' servers</a></li>\n")
	}
	if page.Refresh > 0 {
		v = page.View
		v.NoRefresh = !v.NoRefresh
		w.s("<li><a href=\"")
		w.b = appendViewURI(w.b, uri, v)
		if page.View.NoRefresh {
			w.s("\">Enable refresh</a></li>\n")
		} else {
			w.s("\">Disable refresh</a></li>\n")
		}
	}
	w.s("<li><a href=\"")
	w.b = appendViewURI(w.b, uri, page.View)
	w.s("\">Refresh now</a></li>\n<li><a href=\"")
	w.esc(uri)
	w.s(";csv\">CSV export</a></li>\n</ul></div>\n</div>\n")
}

// scopeForm appends the scope box: a GET form whose submission reaches
// the page again as "<path>[;options]?scope=<text>", the query of a
// "stats uri" that has one passed as hidden fields.
func (w *statsHTML) scopeForm(uri string, v StatsView) {
	path, query, hasQuery := strings.Cut(uri, "?")
	w.s(`<li><form method="GET" action="`)
	if hasQuery {
		w.esc(path)
	} else {
		scopeless := v
		scopeless.Scope = nil
		w.b = appendViewURI(w.b, uri, scopeless)
	}
	w.s("\"><b>Scope : </b>")
	for query != "" {
		var kv string
		kv, query, _ = strings.Cut(query, "&")
		k, val, _ := strings.Cut(kv, "=")
		w.s(`<input type="hidden" name="`)
		w.esc(k)
		w.s(`" value="`)
		w.esc(val)
		w.s(`"/>`)
	}
	w.s(`<input value="`)
	w.esc(string(v.Scope))
	w.s(`" name="scope" size="8" maxlength="15" tabindex="1" type="text"/></form></li>`)
	w.s("\n")
}

// statsLegend explains the server row colours, two per line.
var statsLegend = [...][2][2]string{
	{{"active_up", "active UP"}, {"backup_up", "backup UP"}},
	{{"active_going_down", "active UP, going down"}, {"backup_going_down", "backup UP, going down"}},
	{{"active_going_up", "active DOWN, going up"}, {"backup_going_up", "backup DOWN, going up"}},
	{{"active_down", "active or backup DOWN"}, {"active_no_check", "not checked"}},
	{{"maintain", "DOWN for maintenance (MAINT)"}, {"active_draining", "UP, load balancing disabled (DRAIN, NOLB)"}},
}

// statsGroups are the column groups after the name column.
var statsGroups = [...]struct {
	name string
	cols []string
}{
	{"Queue", []string{"Cur", "Max", "Limit"}},
	{"Session rate", []string{"Cur", "Max", "Limit"}},
	{"Sessions", []string{"Cur", "Max", "Limit", "Total", "LbTot", "Last"}},
	{"Bytes", []string{"In", "Out"}},
	{"Denied", []string{"Req", "Resp"}},
	{"Errors", []string{"Req", "Conn", "Resp"}},
	{"Warnings", []string{"Retr", "Redis"}},
	{"Server", []string{"Status", "LastChk", "Wght", "Act", "Bck", "Chk", "Dwn", "Dwntme", "Thrtle"}},
}

// proxy appends the table of one proxy's rows. On an admin page, a
// proxy with servers is a form posting the checked servers ("s"), the
// chosen action ("action") and the backend ("b", as "#<id>").
func (w *statsHTML) proxy(rows []StatRow, legends bool) {
	r0 := &rows[0]
	w.form = false
	if w.admin {
		for i := range rows {
			if rows[i].Type == StatServer {
				w.form = true
				break
			}
		}
	}
	if w.form {
		w.s("<form method=\"post\">\n")
	}
	w.s("<table class=\"tbl\">\n<caption>")
	if legends {
		w.s(`<span class="tip">`)
		w.esc(r0.PxName)
		w.s(`<span class="tips">mode: `)
		w.esc(r0.Mode)
		w.s(", id: ")
		w.u(r0.Iid)
		w.s("</span></span>")
	} else {
		w.esc(r0.PxName)
	}
	w.s("</caption>\n<tr class=\"titre\">")
	if w.form {
		w.s(`<th rowspan="2"><input type="checkbox" title="all servers" onclick="for(var e of this.form.elements)if(e.name=='s')e.checked=this.checked"/></th>`)
	} else if w.admin {
		w.s(`<th rowspan="2"></th>`)
	}
	w.s(`<th rowspan="2"></th>`)
	for _, g := range statsGroups {
		w.s(`<th colspan="`)
		w.u(uint64(len(g.cols)))
		w.s(`">`)
		w.s(g.name)
		w.s("</th>")
	}
	w.s("</tr>\n<tr class=\"titre\">")
	for _, g := range statsGroups {
		for _, c := range g.cols {
			w.s("<th>")
			w.s(c)
			w.s("</th>")
		}
	}
	w.s("</tr>\n")
	for i := range rows {
		r := &rows[i]
		switch r.Type {
		case StatFrontend:
			w.frontendRow(r)
		case StatListener:
			w.listenerRow(r, legends)
		case StatServer:
			w.serverRow(r, legends)
		case StatBackend:
			w.backendRow(r, legends)
		}
	}
	w.s("</table>\n")
	if w.form {
		w.s(`<p>Action on the checked servers: <select name="action"><option value=""></option>`)
		for _, a := range statsActions[1:] {
			w.s(`<option value="`)
			w.s(a.name)
			w.s(`">`)
			w.s(a.label)
			w.s("</option>")
		}
		w.s(`</select><input type="hidden" name="b" value="#`)
		w.u(r0.Iid)
		w.s(`"/> <input type="submit" value="Apply"/></p>` + "\n</form>\n")
	}
}

// check appends the admin column's cell of a row: a checkbox named "s"
// for a server of a form, else an empty cell; nothing without admin.
func (w *statsHTML) check(r *StatRow) {
	switch {
	case w.form && r.Type == StatServer:
		w.s(`<td><input type="checkbox" name="s" value="`)
		w.esc(r.SvName)
		w.s(`"/></td>`)
	case w.admin:
		w.s("<td></td>")
	}
}

// message appends the message box of an admin POST's outcome, with a
// link to the page without it.
func (w *statsHTML) message(st StatsStatus, uri string) {
	m := &statsMessages[st]
	w.s(`<div class="msg `)
	w.s(m.class)
	w.s(`"><a href="`)
	w.esc(uri)
	w.s(`" title="Remove this message">[X]</a> `)
	w.s(m.html)
	w.s("</div>\n")
}

// sessionsTotal appends the Sessions Total cell, with the cumulated
// figures of HTTP rows (and of frontends) in its tooltip.
func (w *statsHTML) sessionsTotal(r *StatRow) {
	http := r.Mode == "http"
	if !http && r.Type != StatFrontend {
		w.td(r.Stot)
		return
	}
	w.s(`<td><span class="tip">`)
	w.u(r.Stot)
	w.s(`<span class="tips">`)
	first := true
	if r.Type == StatFrontend {
		w.line(first, "Cum. connections", r.ConnTot)
		first = false
	}
	w.line(first, "Cum. sessions", r.Stot)
	if http {
		w.line(false, "Cum. HTTP requests", r.ReqTot)
		w.line(false, "- HTTP 1xx responses", r.Hrsp1xx)
		w.line(false, "- HTTP 2xx responses", r.Hrsp2xx)
		w.line(false, "- HTTP 3xx responses", r.Hrsp3xx)
		w.line(false, "- HTTP 4xx responses", r.Hrsp4xx)
		w.line(false, "- HTTP 5xx responses", r.Hrsp5xx)
		w.line(false, "- other responses", r.HrspOther)
		if r.Type == StatFrontend {
			w.line(false, "Intercepted requests", r.Intercepted)
		}
	}
	w.s("</span></span></td>")
}

// errorsResp appends the Errors Resp cell of a server or backend, with
// the aborts in its tooltip.
func (w *statsHTML) errorsResp(r *StatRow) {
	w.s(`<td><span class="tip">`)
	w.u(r.Eresp)
	w.s(`<span class="tips">`)
	w.line(true, "Client aborts", r.CliAbrt)
	w.line(false, "Server aborts", r.SrvAbrt)
	w.s("</span></span></td>")
}

// last appends the Sessions Last cell: time since the last session, "?"
// if none ever.
func (w *statsHTML) last(r *StatRow) {
	w.s("<td>")
	if r.Lastsess < 0 {
		w.s("?")
	} else {
		w.dur(r.Lastsess)
	}
	w.s("</td>")
}

func (w *statsHTML) frontendRow(r *StatRow) {
	w.s(`<tr class="frontend">`)
	w.check(r)
	w.s(`<td class="ac">Frontend</td>`)
	w.tdSpan(3)
	w.td(r.Rate)
	w.td(r.RateMax)
	w.tdLimit(r.RateLim)
	w.td(r.Scur)
	w.td(r.Smax)
	w.tdLimit(r.Slim)
	w.sessionsTotal(r)
	w.listenTail(r)
}

// listenTail writes the cells a frontend row and a listener row share
// after their sessions: bytes, denied, errors, status, and the empty
// server columns.
func (w *statsHTML) listenTail(r *StatRow) {
	w.tdEmpty(2)
	w.td(r.Bin)
	w.td(r.Bout)
	w.td(r.Dreq)
	w.td(r.Dresp)
	w.td(r.Ereq)
	w.tdEmpty(4)
	w.s(`<td class="ac">`)
	w.esc(r.Status)
	w.s("</td>")
	w.tdSpan(8)
	w.s("</tr>\n")
}

func (w *statsHTML) listenerRow(r *StatRow, legends bool) {
	w.s(`<tr class="socket">`)
	w.check(r)
	w.s(`<td class="ac">`)
	if legends && r.Addr != "" {
		w.s(`<span class="tip">`)
		w.esc(r.SvName)
		w.s(`<span class="tips">`)
		w.esc(r.Addr)
		w.s(", id: ")
		w.u(r.Sid)
		w.s("</span></span>")
	} else {
		w.esc(r.SvName)
	}
	w.s("</td>")
	w.tdSpan(3)
	w.tdSpan(3)
	w.td(r.Scur)
	w.td(r.Smax)
	w.tdLimit(r.Slim)
	w.td(r.Stot)
	w.listenTail(r)
}

func (w *statsHTML) serverRow(r *StatRow, legends bool) {
	w.s(`<tr class="`)
	w.serverClass(r)
	w.s(`">`)
	w.check(r)
	w.s(`<td class="ac">`)
	if legends {
		w.s(`<span class="tip">`)
		w.esc(r.SvName)
		w.s(`<span class="tips">`)
		if r.Addr != "" {
			w.esc(r.Addr)
			w.s(", ")
		}
		w.s("id: ")
		w.u(r.Sid)
		if r.Cookie != "" {
			w.s(", cookie: ")
			w.esc(r.Cookie)
		}
		w.s("</span></span>")
	} else {
		w.esc(r.SvName)
	}
	w.s("</td>")
	w.td(r.Qcur)
	w.td(r.Qmax)
	w.tdLimit(r.Qlimit)
	w.td(r.Rate)
	w.td(r.RateMax)
	w.tdEmpty(1)
	w.td(r.Scur)
	w.td(r.Smax)
	w.tdLimit(r.Slim)
	w.sessionsTotal(r)
	w.td(r.Lbtot)
	w.last(r)
	w.td(r.Bin)
	w.td(r.Bout)
	w.tdEmpty(1)
	w.td(r.Dresp)
	w.tdEmpty(1)
	w.td(r.Econ)
	w.errorsResp(r)
	w.td(r.Wretr)
	w.td(r.Wredis)

	w.s(`<td class="ac">`)
	if r.Status == "no check" {
		w.s("<i>no check</i>")
	} else {
		w.dur(int64(r.Lastchg))
		w.s(" ")
		w.esc(r.Status)
	}
	w.s(`</td><td class="ac">`)
	w.lastCheck(r)
	w.s(`</td><td class="ac">`)
	w.u(r.Weight)
	w.s("/")
	w.u(r.Uweight)
	w.s(`</td><td class="ac">`)
	w.s(yesNo(r.Act != 0))
	w.s(`</td><td class="ac">`)
	w.s(yesNo(r.Bck != 0))
	w.s("</td>")
	if r.Check.Enabled {
		w.td(r.Chkfail)
		w.td(r.Chkdown)
		w.s("<td>")
		w.dur(int64(r.Downtime))
		w.s("</td>")
	} else {
		w.tdEmpty(3)
	}
	w.s(`<td class="ac">`)
	if r.Throttle.Set {
		w.u(r.Throttle.V)
		w.s(" %")
	} else {
		w.s("-")
	}
	w.s("</td></tr>\n")
}

func (w *statsHTML) backendRow(r *StatRow, legends bool) {
	w.s(`<tr class="backend">`)
	w.check(r)
	w.s(`<td class="ac">`)
	if legends {
		w.s(`<span class="tip">Backend<span class="tips">balance: `)
		w.esc(r.Algo)
		if r.Cookie != "" {
			w.s(", cookie: ")
			w.esc(r.Cookie)
		}
		w.s("</span></span>")
	} else {
		w.s("Backend")
	}
	w.s("</td>")
	w.td(r.Qcur)
	w.td(r.Qmax)
	w.tdEmpty(1)
	w.td(r.Rate)
	w.td(r.RateMax)
	w.tdEmpty(1)
	w.td(r.Scur)
	w.td(r.Smax)
	w.tdLimit(r.Slim)
	w.sessionsTotal(r)
	w.td(r.Lbtot)
	w.last(r)
	w.td(r.Bin)
	w.td(r.Bout)
	w.td(r.Dreq)
	w.td(r.Dresp)
	w.tdEmpty(1)
	w.td(r.Econ)
	w.errorsResp(r)
	w.td(r.Wretr)
	w.td(r.Wredis)
	w.s(`<td class="ac">`)
	w.dur(int64(r.Lastchg))
	w.s(" ")
	w.esc(r.Status)
	w.s(`</td><td></td><td class="ac">`)
	w.u(r.Weight)
	w.s("/")
	w.u(r.Uweight)
	w.s("</td>")
	w.td(r.Act)
	w.td(r.Bck)
	w.tdEmpty(1)
	w.td(r.Chkdown)
	w.s("<td>")
	if r.SrvTotal != 0 {
		w.dur(int64(r.Downtime))
	}
	w.s("</td><td></td></tr>\n")
}

// lastCheck appends the LastChk cell of a server: the server it tracks,
// or its check status with its description and report in a tooltip.
func (w *statsHTML) lastCheck(r *StatRow) {
	if r.Tracked != "" {
		w.s("via ")
		w.esc(r.Tracked)
		return
	}
	c := &r.Check
	if !c.Enabled || c.Paused {
		return
	}
	w.s(`<span class="tip">`)
	w.checkStatus(c)
	w.s(`<span class="tips">`)
	w.checkReport(c)
	if a := &r.Agent; a.Enabled && !a.Paused {
		w.s("<br/>agent: ")
		w.checkStatus(a)
		w.s(", ")
		w.checkReport(a)
	}
	w.s("</span></span>")
}

// checkStatus appends "[* ]STATUS[/code][ in Nms]".
func (w *statsHTML) checkStatus(c *CheckStat) {
	if c.InProgress {
		w.s("* ")
	}
	w.esc(c.Status)
	if checkHasCode(c.Status) {
		w.s("/")
		w.u(c.Code)
	}
	if checkHasDuration(c.Status) {
		w.s(" in ")
		w.u(c.Duration)
		w.s("ms")
	}
}

// checkReport appends the description of a check status and its report.
func (w *statsHTML) checkReport(c *CheckStat) {
	d := c.Desc
	if d == "" {
		d = checkDescs[c.Status]
	}
	w.esc(d)
	if c.Last != "" {
		w.s(": ")
		w.esc(c.Last)
	}
}

// serverClass appends the class of a server row: its state, and whether
// it is active or backup.
func (w *statsHTML) serverClass(r *StatRow) {
	s := r.Status
	if r.Maint || strings.HasPrefix(s, "MAINT") {
		w.s("maintain")
		return
	}
	if r.Bck != 0 {
		w.s("backup_")
	} else {
		w.s("active_")
	}
	switch {
	case strings.HasPrefix(s, "DRAIN"):
		w.s("draining")
	case strings.HasPrefix(s, "NOLB"):
		w.s("nolb")
	case s == "no check":
		w.s("no_check")
	case strings.HasPrefix(s, "UP "):
		w.s("going_down")
	case strings.HasPrefix(s, "UP"):
		w.s("up")
	case len(s) > 5 && strings.HasPrefix(s, "DOWN ") && s[5] >= '0' && s[5] <= '9':
		w.s("going_up")
	default:
		w.s("down")
	}
}

func yesNo(b bool) string {
	if b {
		return "Y"
	}
	return "-"
}

// appendUptime appends sec as show info's Uptime: "1d 2h03m04s".
func appendUptime(b []byte, sec uint64) []byte {
	b = strconv.AppendUint(b, sec/86400, 10)
	b = append(b, 'd', ' ')
	b = strconv.AppendUint(b, sec%86400/3600, 10)
	b = append(b, 'h')
	b = append2(b, sec%3600/60)
	b = append(b, 'm')
	b = append2(b, sec%60)
	return append(b, 's')
}

// appendHumanDuration appends a duration in seconds with its two largest
// units: "42s", "3m07s", "5h02m", "12d03h".
func appendHumanDuration(b []byte, sec int64) []byte {
	if sec < 0 {
		sec = 0
	}
	s := uint64(sec)
	switch {
	case s < 60:
		b = strconv.AppendUint(b, s, 10)
		return append(b, 's')
	case s < 3600:
		b = strconv.AppendUint(b, s/60, 10)
		b = append(b, 'm')
		b = append2(b, s%60)
		return append(b, 's')
	case s < 86400:
		b = strconv.AppendUint(b, s/3600, 10)
		b = append(b, 'h')
		b = append2(b, s%3600/60)
		return append(b, 'm')
	}
	b = strconv.AppendUint(b, s/86400, 10)
	b = append(b, 'd')
	b = append2(b, s%86400/3600)
	return append(b, 'h')
}

// appendHTML appends s escaped for HTML text and quoted attribute
// values. Invalid UTF-8 and control characters other than tab, line feed
// and carriage return become U+FFFD, which keeps the page valid XML too.
func appendHTML(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '&':
				b = append(b, "&amp;"...)
			case '<':
				b = append(b, "&lt;"...)
			case '>':
				b = append(b, "&gt;"...)
			case '"':
				b = append(b, "&quot;"...)
			case '\'':
				b = append(b, "&#39;"...)
			case '\r':
				b = append(b, "&#13;"...) // a raw one would be read back as a line feed
			case '\t', '\n':
				b = append(b, c)
			default:
				if c < 0x20 || c == 0x7f {
					b = utf8.AppendRune(b, utf8.RuneError)
				} else {
					b = append(b, c)
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1, r >= 0x80 && r < 0xa0, r == 0xfffe, r == 0xffff:
			// invalid, C1 controls and XML non-characters
			b = utf8.AppendRune(b, utf8.RuneError)
		default:
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return b
}

// StatsStatus is the outcome of an admin POST to the statistics page,
// which HAProxy redirects to "<uri>;st=<WORD>" and shows in a message
// box.
type StatsStatus uint8

const (
	StatsStatusInit StatsStatus = iota // no outcome to show
	StatsStatusDone                    // DONE: every server named was changed
	StatsStatusPart                    // PART: some were, some names are unknown
	StatsStatusNone                    // NONE: nothing to do (no server, backend or action, or no server the action applies to)
	StatsStatusDeny                    // DENY: the request may not act ("stats admin" does not hold)
	StatsStatusErrp                    // ERRP: invalid parameters (unknown backend or action, only unknown servers, a parameter too long)
	StatsStatusExcd                    // EXCD: the form is larger than a buffer
	StatsStatusUnkn                    // UNKN: unexpected result
	StatsStatusIval                    // IVAL: invalid request (a chunked form)
)

var statsStatusWords = [...]string{"", "DONE", "PART", "NONE", "DENY", "ERRP", "EXCD", "UNKN", "IVAL"}

// String returns HAProxy's four-letter word for st, "" for
// StatsStatusInit.
func (st StatsStatus) String() string {
	if int(st) < len(statsStatusWords) {
		return statsStatusWords[st]
	}
	return ""
}

// StatsStatusOf reads the status of a page URI as HAProxy does: after the
// first ";st=" in rest (what follows the "stats uri" prefix), the next
// four characters name a status, case-insensitively, whatever follows
// them. Anything else is StatsStatusInit. It does not allocate.
func StatsStatusOf(rest []byte) StatsStatus {
	i := bytes.Index(rest, []byte(";st="))
	if i < 0 || len(rest) < i+8 {
		return StatsStatusInit
	}
	word := rest[i+4 : i+8]
	for st := StatsStatusDone; int(st) < len(statsStatusWords); st++ {
		if asciiFold(word, statsStatusWords[st]) {
			return st
		}
	}
	return StatsStatusInit
}

// statsMessages are the message boxes by status: the class of the row
// colour they take and their HTML.
var statsMessages = [...]struct{ class, html string }{
	StatsStatusInit: {"active_no_check", ""},
	StatsStatusDone: {"active_up", "Action processed successfully."},
	StatsStatusPart: {"active_going_down", "Action partially processed.<br/>Some server names are unknown."},
	StatsStatusNone: {"active_going_down", "Nothing has changed."},
	StatsStatusDeny: {"active_down", "<b>Action denied.</b>"},
	StatsStatusErrp: {"active_down", "Action not processed because of invalid parameters: an unknown action or backend, only unknown servers, or an empty or too long parameter."},
	StatsStatusExcd: {"active_down", "<b>Action not processed: the form is larger than a buffer.<br/>Select fewer servers at a time.</b>"},
	StatsStatusUnkn: {"active_no_check", "Unexpected result."},
	StatsStatusIval: {"active_down", "<b>Invalid request (a chunked form).</b>"},
}

// StatsAction is an action of the statistics page's admin form, named by
// its "action" field.
type StatsAction uint8

const (
	StatsActionNone       StatsAction = iota
	StatsActionReady                  // ready: leave maintenance and drain
	StatsActionDrain                  // drain: drain mode
	StatsActionMaint                  // maint: forced maintenance
	StatsActionDisHealth              // dhlth: stop the health check
	StatsActionEnHealth               // ehlth: start the health check
	StatsActionHealthUp               // hrunn: force UP
	StatsActionHealthNoLB             // hnolb: force NOLB (stopping)
	StatsActionHealthDown             // hdown: force DOWN
	StatsActionDisAgent               // dagent: stop the agent check
	StatsActionEnAgent                // eagent: start the agent check
	StatsActionAgentUp                // arunn: agent forces UP
	StatsActionAgentDown              // adown: agent forces DOWN
	StatsActionShutdown               // shutdown: kill the server's sessions
)

// statsActions are the form's values and option labels, by action.
var statsActions = [...]struct{ name, label string }{
	StatsActionNone:       {"", ""},
	StatsActionReady:      {"ready", "Set state to READY"},
	StatsActionDrain:      {"drain", "Set state to DRAIN"},
	StatsActionMaint:      {"maint", "Set state to MAINT"},
	StatsActionDisHealth:  {"dhlth", "Health: disable checks"},
	StatsActionEnHealth:   {"ehlth", "Health: enable checks"},
	StatsActionHealthUp:   {"hrunn", "Health: force UP"},
	StatsActionHealthNoLB: {"hnolb", "Health: force NOLB"},
	StatsActionHealthDown: {"hdown", "Health: force DOWN"},
	StatsActionDisAgent:   {"dagent", "Agent: disable checks"},
	StatsActionEnAgent:    {"eagent", "Agent: enable checks"},
	StatsActionAgentUp:    {"arunn", "Agent: force UP"},
	StatsActionAgentDown:  {"adown", "Agent: force DOWN"},
	StatsActionShutdown:   {"shutdown", "Kill Sessions"},
}

// String returns the form value of a, "" for StatsActionNone.
func (a StatsAction) String() string {
	if int(a) < len(statsActions) {
		return statsActions[a].name
	}
	return ""
}

// StatsTarget is what an admin POST of the statistics page acts on; the
// engine implements it for one request.
type StatsTarget interface {
	// StatsBackend selects the backend ref designates (by name, or by
	// id for "#<id>") and reports whether there is one.
	StatsBackend(ref Ref) bool
	// StatsServer takes action a on the server of the selected backend
	// named name (a server name only, never "#<id>"); name is not
	// retained. found is false when there is no such server; applies is
	// false when a does not apply to it (a health action on a server
	// without check, for instance), which HAProxy does not count.
	StatsServer(name []byte, a StatsAction) (found, applies bool)
}

// statsParamMax is the longest "key=value" parameter of an admin form
// HAProxy reads (its line buffer, less the final NUL); a longer one is
// ERRP.
const statsParamMax = 2047

// ProcessStatsPost reads the urlencoded admin form body as HAProxy 2.6
// does and acts on t; it returns the outcome to redirect to. Parameters
// are read from the last: the last "b" and the last "action" win, "s"
// parameters are taken once both are known (servers named before them
// are revisited then), other keys are ignored. An unknown backend or
// action, or a parameter longer than statsParamMax, stops with
// StatsStatusErrp (servers already taken stay taken); a parameter that
// does not decode (a bad %-escape) stops the reading silently. The
// outcome counts the servers the action applies to and the unknown ones:
// none is NONE, only unknown ones ERRP, some unknown PART, else DONE.
// "+" decodes to a space and a decoded NUL ends a key or value, as C
// strings do. It allocates its decoding buffer (a POST is not a hot
// path) and the backend name.
func ProcessStatsPost(body []byte, t StatsTarget) StatsStatus {
	var (
		buf         [statsParamMax]byte
		haveBackend bool
		action      StatsAction
		revisit     = -1 // end of the first "s" parameter read before b and action
		total       int  // servers counted: those the action applies to, and unknown ones
		applied     int
	)
	end := len(body)
	for end > 0 {
		// The parameter ends at end and starts after the last '&' before
		// it; a '&' at offset 0 belongs to the first parameter, as in
		// HAProxy.
		start := bytes.LastIndexByte(body[1:end], '&') + 2
		if start == 1 {
			start = 0
		}
		p := body[start:end]
		if len(p) > statsParamMax {
			return StatsStatusErrp
		}
		if i := bytes.IndexByte(p, 0); i >= 0 {
			p = p[:i]
		}
		k, v := p, p[len(p):]
		if i := bytes.IndexByte(p, '='); i >= 0 {
			k, v = p[:i], p[i+1:]
		}
		key, ok := formDecode(buf[:0], k)
		if !ok {
			break
		}
		val, ok := formDecode(buf[len(key):len(key)], v)
		if !ok {
			break
		}
		switch {
		case !haveBackend && string(key) == "b":
			if !t.StatsBackend(backendRef(string(val))) {
				return StatsStatusErrp
			}
			haveBackend = true
		case action == StatsActionNone && string(key) == "action":
			action = statsActionOf(val)
			if action == StatsActionNone {
				return StatsStatusErrp
			}
		case string(key) == "s":
			if !haveBackend || action == StatsActionNone {
				if revisit < 0 {
					revisit = end
				}
				break
			}
			found, applies := t.StatsServer(val, action)
			switch {
			case !found:
				total++
			case applies:
				total++
				applied++
			}
		}
		if revisit >= 0 && haveBackend && action != StatsActionNone {
			end, revisit = revisit, -2 // -2: never again
			continue
		}
		end = max(start-1, 0)
	}
	switch {
	case total == 0:
		return StatsStatusNone
	case applied == 0:
		return StatsStatusErrp
	case applied == total:
		return StatsStatusDone
	}
	return StatsStatusPart
}

// statsActionOf returns the action named by a form value, or
// StatsActionNone.
func statsActionOf(v []byte) StatsAction {
	for a := StatsActionReady; int(a) < len(statsActions); a++ {
		if string(v) == statsActions[a].name {
			return a
		}
	}
	return StatsActionNone
}

// formDecode appends the urlencoded form text s decoded to dst and
// returns it, cut at a decoded NUL; ok is false for a '%' not followed
// by two hexadecimal digits. dst must have room for len(s) bytes.
func formDecode(dst, s []byte) (_ []byte, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '+':
			c = ' '
		case '%':
			if i+2 >= len(s) {
				return dst, false
			}
			h, ok1 := unhexDigit(s[i+1])
			l, ok2 := unhexDigit(s[i+2])
			if !ok1 || !ok2 {
				return dst, false
			}
			c = h<<4 | l
			i += 2
		}
		dst = append(dst, c)
	}
	if i := bytes.IndexByte(dst, 0); i >= 0 {
		dst = dst[:i]
	}
	return dst, true
}

// asciiFold reports whether b equals s, ignoring ASCII case.
func asciiFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if lowerASCII(b[i]) != lowerASCII(s[i]) {
			return false
		}
	}
	return true
}

func unhexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// BasicCredentials reads the value of an Authorization header as HAProxy
// does for "stats auth": the scheme "Basic" in any case, spaces, then
// standard padded base64 of "user:password" (split at the first ':'),
// decoded into dst[:0]. ok is false for another scheme, bad base64 (also
// trailing text), no ':', or a decoded length larger than cap(dst). user
// and pass alias dst. It does not allocate.
func BasicCredentials(value, dst []byte) (user, pass []byte, ok bool) {
	sp := bytes.IndexByte(value, ' ')
	if sp <= 0 || !asciiFold(value[:sp], "Basic") {
		return nil, nil, false
	}
	enc := value[sp:]
	for len(enc) > 0 && enc[0] == ' ' {
		enc = enc[1:]
	}
	for len(enc) > 0 && (enc[len(enc)-1] == ' ' || enc[len(enc)-1] == '\t') {
		enc = enc[:len(enc)-1]
	}
	if base64.StdEncoding.DecodedLen(len(enc)) > cap(dst) {
		return nil, nil, false
	}
	for _, c := range enc {
		if c == '\r' || c == '\n' {
			return nil, nil, false // the decoder would skip them
		}
	}
	n, err := base64.StdEncoding.Decode(dst[:cap(dst)], enc)
	if err != nil {
		return nil, nil, false
	}
	d := dst[:n]
	colon := bytes.IndexByte(d, ':')
	if colon < 0 {
		return nil, nil, false
	}
	return d[:colon], d[colon+1:], true
}
