package cli

import (
	"strconv"
	"strings"

	"hitless/engine/config"
)

// StatType is the kind of object a show stat row describes. The values are
// HAProxy's (printed in the "type" column), which is why the zero value is
// a valid type, unlike our other enums.
type StatType uint8

const (
	StatFrontend StatType = 0
	StatBackend  StatType = 1
	StatServer   StatType = 2
	StatListener StatType = 3
)

// Opt is a figure HAProxy prints only in some states (a throttle during
// slow start, an idle-connection limit when one is configured). The zero
// Opt is printed as an empty cell.
type Opt struct {
	V   uint64
	Set bool
}

// Some returns a set Opt.
func Some(v uint64) Opt { return Opt{V: v, Set: true} }

// CheckStat is the state of a server's health check or agent check.
type CheckStat struct {
	// Enabled: the check is configured and enabled. For the health check
	// it also shows the chkfail, chkdown and downtime columns.
	Enabled bool
	// Paused: checks are paused (the status columns are then empty).
	Paused bool
	// InProgress: a check is running; its status is prefixed with "* ".
	InProgress bool
	// Status is HAProxy's short status: "UNK", "INI", "SOCKERR", "L4OK",
	// "L4TOUT", "L4CON", "L6OK", "L6TOUT", "L6RSP", "L7TOUT", "L7RSP",
	// "L7OK", "L7OKC", "L7STS", "PROCERR", "PROCTOUT", "PROCOK".
	Status string
	// Code is the protocol status code (HTTP status), printed only for
	// statuses with layer 7 data (L7OK, L7OKC, L7STS, PROC*).
	Code uint64
	// Duration of the latest check in milliseconds, printed once a check
	// completed (any status but UNK and INI).
	Duration uint64
	// Desc overrides the description column (check_desc, agent_desc);
	// empty means HAProxy's description of Status.
	Desc string
	// Last is the latest report (last_chk, last_agt), e.g. "Connection
	// refused", "via agent : up".
	Last string
	// Rise, Fall and Health are the check's settings and current health.
	Rise, Fall, Health uint64
}

// SSLStat, H2Stat and H1Stat are the columns of HAProxy's ssl, h2 and h1
// stats modules, which follow the "-" column.
type SSLStat struct {
	Sess, ReusedSess, FailedHandshake uint64
}

type H2Stat struct {
	HeadersRcvd, DataRcvd, SettingsRcvd, RstStreamRcvd, GoawayRcvd uint64
	DetectedConnProtocolErrors, DetectedStrmProtocolErrors         uint64
	RstStreamResp, GoawayResp                                      uint64
	OpenConnections, BackendOpenStreams                            uint64
	TotalConnections, BackendTotalStreams                          uint64
}

type H1Stat struct {
	OpenConnections, OpenStreams, TotalConnections, TotalStreams uint64
	BytesIn, BytesOut, SplicedBytesIn, SplicedBytesOut           uint64
}

// StatRow is one line of show stat. The engine fills the fields that exist
// for the row's Type; the formatter decides, per type and as HAProxy 2.6
// does, which columns are printed and which are left empty, so fields that
// do not apply to a type are ignored. Counters are cumulative since start;
// times are in seconds unless stated.
type StatRow struct {
	Type   StatType
	Mode   string // "tcp" or "http"; http shows the hrsp_*, req_tot and cache columns
	PxName string // proxy name
	SvName string // "FRONTEND", "BACKEND", the server or the listener name
	Iid    uint64 // proxy id
	Sid    uint64 // server or listener id; 0 for FRONTEND and BACKEND

	// Status: FRONTEND "OPEN", "STOP"; listener "OPEN", "WAITING",
	// "FULL"; BACKEND "UP", "DOWN"; server "UP", "DOWN", "UP 1/3",
	// "DOWN 1/2", "NOLB", "DRAIN", "MAINT", "MAINT (via b/s)",
	// "no check", ...
	Status string

	Qcur, Qmax uint64 // queued connections (BACKEND, server)
	Scur, Smax uint64 // current sessions
	// Slim is the session limit: frontend and listener maxconn, backend
	// fullconn, server maxconn (0 = none, left empty for servers).
	Slim uint64
	Stot uint64

	Bin, Bout                  uint64 // bytes
	Dreq, Dresp, Ereq          uint64 // denied requests/responses, request errors
	Econ, Eresp, Wretr, Wredis uint64 // connect errors, response errors, retries, redispatches

	Weight  uint64 // effective weight (BACKEND: sum)
	Uweight uint64 // user weight (BACKEND: sum)
	Act     uint64 // BACKEND: active servers; server: 1 if active
	Bck     uint64 // BACKEND: backup servers; server: 1 if backup

	Chkfail  uint64 // failed checks (server with Check.Enabled)
	Chkdown  uint64 // UP to DOWN transitions
	Lastchg  uint64 // seconds since the last state change
	Downtime uint64 // seconds spent DOWN (server with check, BACKEND with servers)
	Qlimit   uint64 // server maxqueue; 0 = none (empty)
	Throttle Opt    // server slow-start throttle, percent; set while starting
	Lbtot    uint64 // times selected by load balancing
	Tracked  string // "backend/server" this server tracks; "" = none

	Rate, RateLim, RateMax uint64 // sessions per second; RateLim: frontend "rate-limit sessions"

	Check, Agent CheckStat // server checks

	Hrsp1xx, Hrsp2xx, Hrsp3xx, Hrsp4xx, Hrsp5xx, HrspOther uint64 // http responses by class

	// Hanafail counts failed checks from traffic analysis; set for servers
	// whose (tracked) server has "observe".
	Hanafail Opt

	ReqRate, ReqRateMax uint64 // FRONTEND http requests per second
	ReqTot              uint64 // http requests (FRONTEND always; BACKEND and servers in http mode)
	CliAbrt, SrvAbrt    uint64 // aborts by client, by server

	CompIn, CompOut, CompByp, CompRsp uint64 // compression

	Lastsess int64 // seconds since the last session; -1 = never

	Qtime, Ctime, Rtime, Ttime             uint64 // ms, averaged over the last 1024 requests
	QtimeMax, CtimeMax, RtimeMax, TtimeMax uint64 // ms

	// Shown to operator and admin sockets only.
	Addr   string // server "ip:port", listener address
	Cookie string // BACKEND cookie name, server cookie value
	Algo   string // BACKEND balance algorithm

	ConnRate, ConnRateMax, ConnTot uint64 // FRONTEND connections
	Intercepted                    uint64 // FRONTEND http requests answered by the proxy itself
	Dcon, Dses                     uint64 // connections, sessions denied by rules (FRONTEND, listener)
	Wrew                           uint64 // failed header rewrites
	Connect, Reuse                 uint64 // connection attempts, reuses (BACKEND, server)
	CacheLookups, CacheHits        uint64 // http cache
	Eint                           uint64 // internal errors

	SrvIcur                               uint64 // server idle connections
	SrvIlim                               Opt    // server "pool-max-conn"; empty when unlimited
	IdleConnCur, SafeConnCur, UsedConnCur uint64 // server connection pools
	NeedConnEst                           uint64

	AggServerStatus, AggServerCheckStatus, AggCheckStatus uint64 // BACKEND aggregates

	SSL SSLStat // every row type
	H2  H2Stat  // FRONTEND and BACKEND
	H1  H1Stat  // FRONTEND and BACKEND

	// Filters of "show stat up" and "no-maint", and the "(up/total)"
	// suffix they add to a BACKEND status.
	Maint    bool   // server in maintenance: hidden by up and no-maint
	Down     bool   // server stopped and not on its way up: hidden by up
	SrvUp    uint64 // BACKEND: servers not stopped
	SrvTotal uint64 // BACKEND: servers; non-zero also shows the downtime column
}

// checkDescs are HAProxy's descriptions of check statuses.
var checkDescs = map[string]string{
	"UNK":      "Unknown",
	"INI":      "Initializing",
	"CHECKED":  "No status change",
	"HANA":     "Health analyze",
	"SOCKERR":  "Socket error",
	"L4OK":     "Layer4 check passed",
	"L4TOUT":   "Layer4 timeout",
	"L4CON":    "Layer4 connection problem",
	"L6OK":     "Layer6 check passed",
	"L6TOUT":   "Layer6 timeout",
	"L6RSP":    "Layer6 invalid response",
	"L7TOUT":   "Layer7 timeout",
	"L7RSP":    "Layer7 invalid response",
	"L7OK":     "Layer7 check passed",
	"L7OKC":    "Layer7 check conditionally passed",
	"L7STS":    "Layer7 wrong status",
	"PROCERR":  "External check error",
	"PROCTOUT": "External check timeout",
	"PROCOK":   "External check passed",
}

// checkHasDuration reports statuses of completed checks, which print a
// duration; checkHasCode those carrying layer 5-7 data, which print a code.
func checkHasDuration(status string) bool {
	switch status {
	case "", "UNK", "INI":
		return false
	}
	return true
}

func checkHasCode(status string) bool {
	switch status {
	case "L7OK", "L7OKC", "L7STS", "PROCERR", "PROCTOUT", "PROCOK":
		return true
	}
	return false
}

// fillCheck fills the status columns of a check (status, code, duration,
// desc, last, rise, fall, health), given their column indexes.
func fillCheck(f *[statFields]field, c *CheckStat, status, code, duration, desc, last, rise, fall, health int) {
	if !c.Enabled || c.Paused {
		return
	}
	st := c.Status
	if c.InProgress {
		st = "* " + st
	}
	f[status] = strf("MOP", st)
	if checkHasCode(c.Status) {
		f[code] = u32f("MOP", c.Code)
	}
	if checkHasDuration(c.Status) {
		f[duration] = u64f("MDP", c.Duration)
	}
	d := c.Desc
	if d == "" {
		d = checkDescs[c.Status]
	}
	f[desc] = strf("MOP", d)
	f[last] = strf("MOP", c.Last)
	f[rise] = u32f("CGS", c.Rise)
	f[fall] = u32f("CGS", c.Fall)
	f[health] = u32f("CGS", c.Health)
}

func optU32(t tags, o Opt) field {
	if !o.Set {
		return field{}
	}
	return u32f(t, o.V)
}

func optU64(t tags, o Opt) field {
	if !o.Set {
		return field{}
	}
	return u64f(t, o.V)
}

// fillRow converts r into HAProxy's fields. legends is HAProxy's
// "show-legends" flag: addresses, cookies and algorithms are shown only to
// sockets at operator level or above. statusSuffix is set by the up and
// no-maint filters, which append "(up/total)" to BACKEND statuses.
func fillRow(f *[statFields]field, r *StatRow, legends, statusSuffix bool) {
	*f = [statFields]field{}
	http := r.Mode == "http"

	f[stPxname] = strf("KNS", r.PxName)
	f[stSvname] = strf("KNS", r.SvName)
	f[stMode] = strf("CGS", r.Mode)
	f[stPid] = u32f("KGP", 1)
	f[stIid] = u32f("KGS", r.Iid)
	f[stSid] = u32f("KGS", r.Sid)
	f[stType] = u32f("CGS", uint64(r.Type))
	f[stScur] = u32f("MGP", r.Scur)
	f[stSmax] = u32f("MMP", r.Smax)
	f[stStot] = u64f("MCP", r.Stot)
	f[stBin] = u64f("MCP", r.Bin)
	f[stBout] = u64f("MCP", r.Bout)
	f[stStatus] = strf("SGP", r.Status)
	f[stWrew] = u64f("MCP", r.Wrew)
	f[stEint] = u64f("MCP", r.Eint)

	switch r.Type {
	case StatFrontend:
		fillFrontend(f, r, http)
	case StatListener:
		fillListener(f, r, legends)
	case StatServer:
		fillServer(f, r, http, legends)
	case StatBackend:
		fillBackend(f, r, http, legends, statusSuffix)
	}
}

func fillFrontend(f *[statFields]field, r *StatRow, http bool) {
	f[stSlim] = u32f("CLP", r.Slim)
	f[stDreq] = u64f("MCP", r.Dreq)
	f[stDresp] = u64f("MCP", r.Dresp)
	f[stEreq] = u64f("MCP", r.Ereq)
	f[stDcon] = u64f("MCP", r.Dcon)
	f[stDses] = u64f("MCP", r.Dses)
	f[stRate] = u32f("MRP", r.Rate)
	f[stRateLim] = u32f("CLP", r.RateLim)
	f[stRateMax] = u32f("MMP", r.RateMax)
	if http {
		fillHrsp(f, r)
		f[stIntercepted] = u64f("MCP", r.Intercepted)
		f[stCacheLookups] = u64f("MCP", r.CacheLookups)
		f[stCacheHits] = u64f("MCP", r.CacheHits)
	}
	f[stReqRate] = u32f("MRP", r.ReqRate)
	f[stReqRateMax] = u32f("MMP", r.ReqRateMax)
	f[stReqTot] = u64f("MCP", r.ReqTot)
	fillComp(f, r)
	f[stConnRate] = u32f("MRP", r.ConnRate)
	f[stConnRateMax] = u32f("MMP", r.ConnRateMax)
	f[stConnTot] = u64f("MCP", r.ConnTot)
	fillSSL(f, r)
	fillH2H1(f, r)
}

func fillListener(f *[statFields]field, r *StatRow, legends bool) {
	f[stSlim] = u32f("CLP", r.Slim)
	f[stDreq] = u64f("MCP", r.Dreq)
	f[stDresp] = u64f("MCP", r.Dresp)
	f[stEreq] = u64f("MCP", r.Ereq)
	f[stDcon] = u64f("MCP", r.Dcon)
	f[stDses] = u64f("MCP", r.Dses)
	if legends && r.Addr != "" {
		f[stAddr] = strf("CGS", r.Addr)
	}
	fillSSL(f, r)
}

func fillServer(f *[statFields]field, r *StatRow, http, legends bool) {
	f[stQcur] = u32f("MGP", r.Qcur)
	f[stQmax] = u32f("MMP", r.Qmax)
	if r.Slim != 0 {
		f[stSlim] = u32f("CLP", r.Slim)
	}
	f[stSrvIcur] = u32f("MGP", r.SrvIcur)
	f[stSrcIlim] = optU32("CLP", r.SrvIlim)
	f[stDresp] = u64f("MCP", r.Dresp)
	f[stEcon] = u64f("MCP", r.Econ)
	f[stEresp] = u64f("MCP", r.Eresp)
	f[stWretr] = u64f("MCP", r.Wretr)
	f[stWredis] = u64f("MCP", r.Wredis)
	f[stConnect] = u64f("MCP", r.Connect)
	f[stReuse] = u64f("MCP", r.Reuse)
	f[stIdleConnCur] = u32f("MGP", r.IdleConnCur)
	f[stSafeConnCur] = u32f("MGP", r.SafeConnCur)
	f[stUsedConnCur] = u32f("MGP", r.UsedConnCur)
	f[stNeedConnEst] = u32f("MGP", r.NeedConnEst)
	f[stLastchg] = u32f("MAP", r.Lastchg)
	f[stWeight] = u32f("MaP", r.Weight)
	f[stUweight] = u32f("MaP", r.Uweight)
	f[stAct] = u32f("SGP", r.Act)
	f[stBck] = u32f("SGP", r.Bck)
	if r.Check.Enabled {
		f[stChkfail] = u64f("MCP", r.Chkfail)
		f[stChkdown] = u64f("MCP", r.Chkdown)
		f[stDowntime] = u32f("MCP", r.Downtime)
	}
	if r.Qlimit != 0 {
		f[stQlimit] = u32f("CGS", r.Qlimit)
	}
	f[stThrottle] = optU32("MaP", r.Throttle)
	f[stLbtot] = u64f("MCP", r.Lbtot)
	if r.Tracked != "" {
		f[stTracked] = strf("CNS", r.Tracked)
	}
	f[stRate] = u32f("MRP", r.Rate)
	f[stRateMax] = u32f("MMP", r.RateMax)
	fillCheck(f, &r.Check, stCheckStatus, stCheckCode, stCheckDuration, stCheckDesc, stLastChk, stCheckRise, stCheckFall, stCheckHealth)
	fillCheck(f, &r.Agent, stAgentStatus, stAgentCode, stAgentDuration, stAgentDesc, stLastAgt, stAgentRise, stAgentFall, stAgentHealth)
	if http {
		f[stReqTot] = u64f("MCP", r.ReqTot)
		fillHrsp(f, r)
	}
	f[stHanafail] = optU64("MCP", r.Hanafail)
	f[stCliAbrt] = u64f("MCP", r.CliAbrt)
	f[stSrvAbrt] = u64f("MCP", r.SrvAbrt)
	f[stLastsess] = s32f("MAP", r.Lastsess)
	fillTimes(f, r)
	if legends {
		if r.Addr != "" {
			f[stAddr] = strf("CGS", r.Addr)
		}
		if r.Cookie != "" {
			f[stCookie] = strf("CNS", r.Cookie)
		}
	}
	fillSSL(f, r)
}

func fillBackend(f *[statFields]field, r *StatRow, http, legends, statusSuffix bool) {
	f[stQcur] = u32f("MGP", r.Qcur)
	f[stQmax] = u32f("MMP", r.Qmax)
	f[stSlim] = u32f("CLP", r.Slim)
	f[stDreq] = u64f("MCP", r.Dreq)
	f[stDresp] = u64f("MCP", r.Dresp)
	f[stEcon] = u64f("MCP", r.Econ)
	f[stEresp] = u64f("MCP", r.Eresp)
	f[stWretr] = u64f("MCP", r.Wretr)
	f[stWredis] = u64f("MCP", r.Wredis)
	f[stConnect] = u64f("MCP", r.Connect)
	f[stReuse] = u64f("MCP", r.Reuse)
	if statusSuffix {
		st := make([]byte, 0, len(r.Status)+16)
		st = append(st, r.Status...)
		st = append(st, " ("...)
		st = strconv.AppendUint(st, r.SrvUp, 10)
		st = append(st, '/')
		st = strconv.AppendUint(st, r.SrvTotal, 10)
		f[stStatus] = strf("SGP", string(append(st, ')')))
	}
	f[stWeight] = u32f("MaP", r.Weight)
	f[stUweight] = u32f("MaP", r.Uweight)
	f[stAct] = u32f("MGP", r.Act)
	f[stBck] = u32f("MGP", r.Bck)
	f[stChkdown] = u64f("MCP", r.Chkdown)
	f[stLastchg] = u32f("MAP", r.Lastchg)
	if r.SrvTotal != 0 {
		f[stDowntime] = u32f("MCP", r.Downtime)
	}
	f[stLbtot] = u64f("MCP", r.Lbtot)
	f[stRate] = u32f("MGP", r.Rate)
	f[stRateMax] = u32f("MGP", r.RateMax)
	if legends {
		if r.Cookie != "" {
			f[stCookie] = strf("CNS", r.Cookie)
		}
		f[stAlgo] = strf("CGS", r.Algo)
	}
	if http {
		f[stReqTot] = u64f("MCP", r.ReqTot)
		fillHrsp(f, r)
		f[stCacheLookups] = u64f("MCP", r.CacheLookups)
		f[stCacheHits] = u64f("MCP", r.CacheHits)
	}
	f[stCliAbrt] = u64f("MCP", r.CliAbrt)
	f[stSrvAbrt] = u64f("MCP", r.SrvAbrt)
	fillComp(f, r)
	f[stLastsess] = s32f("MAP", r.Lastsess)
	fillTimes(f, r)
	f[stAggServerStatus] = u32f("MGP", r.AggServerStatus)
	f[stAggServerCheckStatus] = u32f("MGP", r.AggServerCheckStatus)
	f[stAggCheckStatus] = u32f("MGP", r.AggCheckStatus)
	fillSSL(f, r)
	fillH2H1(f, r)
}

func fillHrsp(f *[statFields]field, r *StatRow) {
	f[stHrsp1xx] = u64f("MCP", r.Hrsp1xx)
	f[stHrsp2xx] = u64f("MCP", r.Hrsp2xx)
	f[stHrsp3xx] = u64f("MCP", r.Hrsp3xx)
	f[stHrsp4xx] = u64f("MCP", r.Hrsp4xx)
	f[stHrsp5xx] = u64f("MCP", r.Hrsp5xx)
	f[stHrspOther] = u64f("MCP", r.HrspOther)
}

func fillComp(f *[statFields]field, r *StatRow) {
	f[stCompIn] = u64f("MCP", r.CompIn)
	f[stCompOut] = u64f("MCP", r.CompOut)
	f[stCompByp] = u64f("MCP", r.CompByp)
	f[stCompRsp] = u64f("MCP", r.CompRsp)
}

func fillTimes(f *[statFields]field, r *StatRow) {
	f[stQtime] = u32f("MaP", r.Qtime)
	f[stCtime] = u32f("MaP", r.Ctime)
	f[stRtime] = u32f("MaP", r.Rtime)
	f[stTtime] = u32f("MaP", r.Ttime)
	f[stQtimeMax] = u32f("MMP", r.QtimeMax)
	f[stCtimeMax] = u32f("MMP", r.CtimeMax)
	f[stRtimeMax] = u32f("MMP", r.RtimeMax)
	f[stTtimeMax] = u32f("MMP", r.TtimeMax)
}

// fillSSL fills the ssl module, present on every row type.
func fillSSL(f *[statFields]field, r *StatRow) {
	f[stSslSess] = u64f("MCP", r.SSL.Sess)
	f[stSslReusedSess] = u64f("MCP", r.SSL.ReusedSess)
	f[stSslFailedHandshake] = u64f("MCP", r.SSL.FailedHandshake)
}

// fillH2H1 fills the h2 and h1 modules, present on FRONTEND and BACKEND
// rows only.
func fillH2H1(f *[statFields]field, r *StatRow) {
	h2 := &r.H2
	for i, v := range [...]uint64{
		h2.HeadersRcvd, h2.DataRcvd, h2.SettingsRcvd, h2.RstStreamRcvd, h2.GoawayRcvd,
		h2.DetectedConnProtocolErrors, h2.DetectedStrmProtocolErrors,
		h2.RstStreamResp, h2.GoawayResp,
	} {
		f[stH2HeadersRcvd+i] = u64f("MCP", v)
	}
	f[stH2OpenConnections] = u64f("MGP", h2.OpenConnections)
	f[stH2BackendOpenStreams] = u64f("MGP", h2.BackendOpenStreams)
	f[stH2TotalConnections] = u64f("MCP", h2.TotalConnections)
	f[stH2BackendTotalStreams] = u64f("MCP", h2.BackendTotalStreams)
	h1 := &r.H1
	f[stH1OpenConnections] = u64f("MGP", h1.OpenConnections)
	f[stH1OpenStreams] = u64f("MGP", h1.OpenStreams)
	for i, v := range [...]uint64{
		h1.TotalConnections, h1.TotalStreams, h1.BytesIn, h1.BytesOut, h1.SplicedBytesIn, h1.SplicedBytesOut,
	} {
		f[stH1TotalConnections+i] = u64f("MCP", v)
	}
}

// statHeader is the CSV header of show stat in the proxy domain.
var statHeader = func() string {
	var b strings.Builder
	b.WriteString("# ")
	for i := range statColumns {
		if i == statStaticFields {
			b.WriteString("-,")
		}
		b.WriteString(statColumns[i].name)
		b.WriteByte(',')
	}
	b.WriteByte('\n')
	return b.String()
}()

// resolversHeader is the CSV header of "show stat domain resolvers"; hitless
// has no resolvers, so no row follows it.
const resolversHeader = "# id,pid,sent,send_error,valid,update,cname,cname_error,any_err,nx,timeout,refused,other,invalid,too_big,truncated,outdated,\n"

// statFilter is the "{<iid>|<proxy>} <type> <sid>" part of show stat.
type statFilter struct {
	bound bool
	iid   int64 // -1: any proxy
	types int64 // bit mask: 1 frontend, 2 backend, 4 server, 8 listener
	sid   int64 // -1: any server or listener
}

// statTypeBit maps a row type to its bit in a show stat type mask.
func statTypeBit(t StatType) int64 { return 1 << t }

// atoi converts like C's atoi: optional sign, leading digits, 0 if none.
func atoi(s string) int64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var v int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		v = v*10 + int64(s[i]-'0')
		if v > 1<<31 {
			v = 1 << 31 // beyond int range; the exact C result is undefined
		}
	}
	if neg {
		v = -v
	}
	return int64(int32(v))
}

// keep reports whether a row passes the filters. HAProxy applies the type
// mask to every row, the proxy to every row and the sid to server and
// listener rows only.
func (fl *statFilter) keep(r *StatRow, up, noMaint bool) bool {
	if fl.bound {
		if fl.iid != -1 && int64(r.Iid) != fl.iid {
			return false
		}
		if fl.types&statTypeBit(r.Type) == 0 {
			return false
		}
		if (r.Type == StatServer || r.Type == StatListener) && fl.sid != -1 && int64(r.Sid) != fl.sid {
			return false
		}
	}
	if r.Type == StatServer {
		if (up || noMaint) && r.Maint {
			return false
		}
		if up && r.Down {
			return false
		}
	}
	return true
}

// runShowStat implements
// "show stat [domain proxy] [{<iid>|<proxy>} <type> <sid>] [typed|json] [desc] [up|no-maint]".
func runShowStat(s *Session, args []string, _ []byte) error {
	args = args[2:]
	if len(args) > 0 && args[0] == "domain" {
		dom := ""
		if len(args) > 1 {
			dom = args[1]
		}
		switch dom {
		case "proxy":
		case "resolvers":
			f, _, _, _ := parseDumpOptions(args[2:])
			switch f {
			case fmtPlain:
				s.WriteString(resolversHeader)
			case fmtJSON:
				s.WriteString("[]\n")
			}
			return nil
		default:
			s.WriteString("Invalid statistics domain.\n")
			return nil
		}
		args = args[2:]
	}

	var fl statFilter
	rows := s.srv.src.AppendStats(s.rows[:0])
	s.rows = rows[:0]
	if len(args) >= 3 && args[0] != "" && args[1] != "" && args[2] != "" {
		fl.bound = true
		fl.iid = -2
		for i := range rows {
			if (rows[i].Type == StatFrontend || rows[i].Type == StatBackend) && rows[i].PxName == args[0] {
				fl.iid = int64(rows[i].Iid)
				break
			}
		}
		if fl.iid == -2 {
			fl.iid = atoi(args[0])
		}
		if fl.iid == 0 {
			s.WriteString("No such proxy.\n")
			return nil
		}
		fl.types = atoi(args[1])
		fl.sid = atoi(args[2])
		args = args[3:]
	}
	f, desc, up, noMaint := parseDumpOptions(args)
	legends := s.lc.level >= config.LevelOperator

	out := s.output()
	b := out.B
	switch f {
	case fmtPlain:
		b = append(b, statHeader...)
	case fmtJSON:
		b = append(b, '[')
	}
	var fields [statFields]field
	first := true
	for i := range rows {
		r := &rows[i]
		if !fl.keep(r, up, noMaint) {
			continue
		}
		fillRow(&fields, r, legends, up || noMaint)
		switch f {
		case fmtPlain:
			b = appendStatCSV(b, &fields)
		case fmtTyped:
			b = appendStatTyped(b, &fields, r, desc)
		case fmtJSON:
			if !first {
				b = append(b, ',')
			}
			b = appendStatJSON(b, &fields, r)
		}
		first = false
	}
	if f == fmtJSON {
		b = append(b, "]\n"...)
	}
	out.B = b
	clear(rows) // drop the strings the rows reference
	return nil
}

func appendStatCSV(b []byte, f *[statFields]field) []byte {
	for i := range f {
		if i == statStaticFields {
			b = append(b, '-', ',')
		}
		b = f[i].appendCSV(b)
		b = append(b, ',')
	}
	return append(b, '\n')
}

// statObj returns the object letter of typed output and the objType of
// JSON output.
func statObj(t StatType) (byte, string) {
	switch t {
	case StatFrontend:
		return 'F', "Frontend"
	case StatBackend:
		return 'B', "Backend"
	case StatServer:
		return 'S', "Server"
	case StatListener:
		return 'L', "Listener"
	}
	return '?', "Unknown"
}

func appendStatTyped(b []byte, f *[statFields]field, r *StatRow, desc bool) []byte {
	obj, _ := statObj(r.Type)
	for i := range f {
		v := &f[i]
		if v.typ == ftEmpty {
			continue
		}
		b = append(b, obj, '.')
		b = strconv.AppendUint(b, r.Iid, 10)
		b = append(b, '.')
		b = strconv.AppendUint(b, r.Sid, 10)
		b = append(b, '.')
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, '.')
		b = append(b, statColumns[i].name...)
		b = append(b, ".1:"...)
		b = append(b, v.tags...)
		b = append(b, ':')
		b = append(b, v.typ.String()...)
		b = append(b, ':')
		b = v.appendRaw(b)
		if desc {
			b = appendDesc(b, statColumns[i].desc)
		}
		b = append(b, '\n')
	}
	return b
}

func appendStatJSON(b []byte, f *[statFields]field, r *StatRow) []byte {
	_, obj := statObj(r.Type)
	b = append(b, '[')
	first := true
	for i := range f {
		v := &f[i]
		if v.typ == ftEmpty {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, `{"objType":"`...)
		b = append(b, obj...)
		b = append(b, `","proxyId":`...)
		b = strconv.AppendUint(b, r.Iid, 10)
		b = append(b, `,"id":`...)
		b = strconv.AppendUint(b, r.Sid, 10)
		b = append(b, `,"field":{"pos":`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `,"name":`...)
		b = appendJSONString(b, statColumns[i].name)
		b = append(b, `},"processNum":1,`...)
		b = appendJSONTags(b, v.tags)
		b = append(b, `,"value":`...)
		b = v.appendJSON(b)
		b = append(b, '}')
	}
	return append(b, ']')
}
