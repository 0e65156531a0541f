package cli

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The Prometheus exposition of "http-request use-service
// prometheus-exporter": HAProxy 2.6's exporter families (names, help texts,
// types, label names, order, which rows each family covers, NaN for figures
// show stat leaves empty), in the text format, version 0.0.4.
//
// Invariants:
//   - Families come in HAProxy's order: process, then frontend, listener,
//     backend and server families, each group in show stat column order;
//     samples of one family follow the row order (proxies in configuration
//     order), and http_responses_total is ordered by code, then row.
//   - A family's "# HELP" and "# TYPE" lines are written once, just before
//     its first sample; a family without samples is left out.
//   - Per-object figures are the fields show stat prints (promField is
//     fillRow for one column), so both outputs always agree, including
//     HAProxy's 32-bit truncations.
//   - Rendering only appends to dst: it allocates only when dst grows.

// promScope is one group of families: the rows of one StatType.
type promScope uint8

const (
	promFrontend promScope = 1 << iota
	promListener
	promBackend
	promServer

	promAll = promFrontend | promListener | promBackend | promServer
)

// promKind says how a family is built from a row.
type promKind uint8

const (
	promValue         promKind = iota // the show stat field; NaN when empty
	promSeconds                       // a field in milliseconds, exported in seconds
	promState                         // status, one sample per state label
	promHrsp                          // hrsp_1xx..hrsp_other, one sample per code label
	promCheckStatus                   // server check status, one sample per status label
	promCheckCode                     // server check code, 0 without layer 5-7 data
	promCheckDuration                 // server check duration, once a check completed
	promAggServer                     // backend: its servers counted per state
	promAggCheck                      // backend: its checked servers counted per check status
)

const (
	promGauge   = "gauge"
	promCounter = "counter"
)

// promStat is one per-object family, exported for the scopes in scopes,
// and only for http proxies in the scopes in httpOnly.
type promStat struct {
	col      int    // show stat column
	name     string // after "haproxy_<scope>_"
	typ      string
	help     string // "" = the show stat description of col
	scopes   promScope
	httpOnly promScope
	kind     promKind
}

const (
	helpState = "Current status of the service, per state label value."
	promFBS   = promFrontend | promBackend | promServer
	promFLB   = promFrontend | promListener | promBackend
	promFL    = promFrontend | promListener
	promFB    = promFrontend | promBackend
	promBS    = promBackend | promServer
)

// promStats is in show stat column order, which is the order of the
// families within each scope.
var promStats = [...]promStat{
	{col: stQcur, name: "current_queue", typ: promGauge, scopes: promBS},
	{col: stQmax, name: "max_queue", typ: promGauge, scopes: promBS},
	{col: stScur, name: "current_sessions", typ: promGauge, scopes: promAll},
	{col: stSmax, name: "max_sessions", typ: promGauge, scopes: promAll},
	{col: stSlim, name: "limit_sessions", typ: promGauge, scopes: promAll},
	{col: stStot, name: "sessions_total", typ: promCounter, scopes: promAll},
	{col: stBin, name: "bytes_in_total", typ: promCounter, scopes: promAll},
	{col: stBout, name: "bytes_out_total", typ: promCounter, scopes: promAll},
	{col: stDreq, name: "requests_denied_total", typ: promCounter, scopes: promFLB},
	{col: stDresp, name: "responses_denied_total", typ: promCounter, scopes: promAll},
	{col: stEreq, name: "request_errors_total", typ: promCounter, scopes: promFL},
	{col: stEcon, name: "connection_errors_total", typ: promCounter, scopes: promBS},
	{col: stEresp, name: "response_errors_total", typ: promCounter, scopes: promBS},
	{col: stWretr, name: "retry_warnings_total", typ: promCounter, scopes: promBS},
	{col: stWredis, name: "redispatch_warnings_total", typ: promCounter, scopes: promBS},
	{col: stStatus, name: "status", typ: promGauge, help: helpState, scopes: promAll, kind: promState},
	{col: stWeight, name: "weight", typ: promGauge, scopes: promBS},
	{col: stAct, name: "active_servers", typ: promGauge, scopes: promBackend},
	{col: stBck, name: "backup_servers", typ: promGauge, scopes: promBackend},
	{col: stChkfail, name: "check_failures_total", typ: promCounter, scopes: promServer},
	{col: stChkdown, name: "check_up_down_total", typ: promCounter, scopes: promBS},
	{col: stLastchg, name: "check_last_change_seconds", typ: promGauge, scopes: promBS},
	{col: stDowntime, name: "downtime_seconds_total", typ: promCounter, scopes: promBS},
	{col: stQlimit, name: "queue_limit", typ: promGauge, scopes: promServer},
	{col: stThrottle, name: "current_throttle", typ: promGauge, scopes: promServer},
	{col: stLbtot, name: "loadbalanced_total", typ: promCounter, scopes: promBS},
	{col: stRateLim, name: "limit_session_rate", typ: promGauge, scopes: promFrontend},
	{col: stRateMax, name: "max_session_rate", typ: promGauge, scopes: promFBS},
	{col: stCheckStatus, name: "check_status", typ: promGauge, help: "Status of last health check, per state label value.", scopes: promServer, kind: promCheckStatus},
	{col: stCheckCode, name: "check_code", typ: promGauge, help: "layer5-7 code, if available of the last health check.", scopes: promServer, kind: promCheckCode},
	{col: stCheckDuration, name: "check_duration_seconds", typ: promGauge, help: "Total duration of the latest server health check, in seconds.", scopes: promServer, kind: promCheckDuration},
	// HAProxy describes the whole family with hrsp_1xx's text.
	{col: stHrsp1xx, name: "http_responses_total", typ: promCounter, scopes: promFBS, httpOnly: promFBS, kind: promHrsp},
	{col: stReqRateMax, name: "http_requests_rate_max", typ: promGauge, scopes: promFrontend, httpOnly: promFrontend},
	{col: stReqTot, name: "http_requests_total", typ: promCounter, scopes: promFB, httpOnly: promFB},
	{col: stCliAbrt, name: "client_aborts_total", typ: promCounter, scopes: promBS},
	{col: stSrvAbrt, name: "server_aborts_total", typ: promCounter, scopes: promBS},
	{col: stCompIn, name: "http_comp_bytes_in_total", typ: promCounter, scopes: promFB, httpOnly: promFB},
	{col: stCompOut, name: "http_comp_bytes_out_total", typ: promCounter, scopes: promFB, httpOnly: promFB},
	{col: stCompByp, name: "http_comp_bytes_bypassed_total", typ: promCounter, scopes: promFB, httpOnly: promFB},
	{col: stCompRsp, name: "http_comp_responses_total", typ: promCounter, scopes: promFB, httpOnly: promFB},
	{col: stLastsess, name: "last_session_seconds", typ: promGauge, scopes: promBS},
	{col: stQtime, name: "queue_time_average_seconds", typ: promGauge, help: "Avg. queue time for last 1024 successful connections.", scopes: promBS, kind: promSeconds},
	{col: stCtime, name: "connect_time_average_seconds", typ: promGauge, help: "Avg. connect time for last 1024 successful connections.", scopes: promBS, kind: promSeconds},
	{col: stRtime, name: "response_time_average_seconds", typ: promGauge, help: "Avg. response time for last 1024 successful connections.", scopes: promBS, kind: promSeconds},
	{col: stTtime, name: "total_time_average_seconds", typ: promGauge, help: "Avg. total time for last 1024 successful connections.", scopes: promBS, kind: promSeconds},
	{col: stConnRateMax, name: "connections_rate_max", typ: promGauge, scopes: promFrontend},
	{col: stConnTot, name: "connections_total", typ: promCounter, scopes: promFrontend},
	{col: stIntercepted, name: "intercepted_requests_total", typ: promCounter, scopes: promFrontend, httpOnly: promFrontend},
	{col: stDcon, name: "denied_connections_total", typ: promCounter, scopes: promFL},
	{col: stDses, name: "denied_sessions_total", typ: promCounter, scopes: promFL},
	{col: stWrew, name: "failed_header_rewriting_total", typ: promCounter, scopes: promAll},
	{col: stConnect, name: "connection_attempts_total", typ: promCounter, scopes: promBS},
	{col: stReuse, name: "connection_reuses_total", typ: promCounter, scopes: promBS},
	{col: stCacheLookups, name: "http_cache_lookups_total", typ: promCounter, scopes: promFB, httpOnly: promFB},
	{col: stCacheHits, name: "http_cache_hits_total", typ: promCounter, scopes: promFB, httpOnly: promFB},
	{col: stSrvIcur, name: "idle_connections_current", typ: promGauge, scopes: promServer},
	{col: stSrcIlim, name: "idle_connections_limit", typ: promGauge, scopes: promServer},
	{col: stQtimeMax, name: "max_queue_time_seconds", typ: promGauge, help: "Maximum observed time spent in the queue", scopes: promBS, kind: promSeconds},
	{col: stCtimeMax, name: "max_connect_time_seconds", typ: promGauge, help: "Maximum observed time spent waiting for a connection to complete", scopes: promBS, kind: promSeconds},
	{col: stRtimeMax, name: "max_response_time_seconds", typ: promGauge, help: "Maximum observed time spent waiting for a server response", scopes: promBS, kind: promSeconds},
	{col: stTtimeMax, name: "max_total_time_seconds", typ: promGauge, help: "Maximum observed total request+response time (request+queue+connect+response+processing)", scopes: promBS, kind: promSeconds},
	{col: stEint, name: "internal_errors_total", typ: promCounter, scopes: promAll},
	{col: stIdleConnCur, name: "unsafe_idle_connections_current", typ: promGauge, scopes: promServer},
	{col: stSafeConnCur, name: "safe_idle_connections_current", typ: promGauge, scopes: promServer},
	{col: stUsedConnCur, name: "used_connections_current", typ: promGauge, scopes: promServer},
	{col: stNeedConnEst, name: "need_connections_current", typ: promGauge, scopes: promServer},
	{col: stUweight, name: "uweight", typ: promGauge, scopes: promBS},
	{col: stAggServerStatus, name: "agg_server_status", typ: promGauge, scopes: promBackend, kind: promAggServer},
	{col: stAggServerCheckStatus, name: "agg_server_check_status", typ: promGauge, scopes: promBackend, kind: promAggServer},
	{col: stAggCheckStatus, name: "agg_check_status", typ: promGauge, scopes: promBackend, kind: promAggCheck},
}

// promScopes are the groups in output order.
var promScopes = [...]struct {
	scope  promScope
	typ    StatType
	prefix string // family name prefix
	label  string // label naming the row beside proxy; "" = none
}{
	{promFrontend, StatFrontend, "haproxy_frontend_", ""},
	{promListener, StatListener, "haproxy_listener_", "listener"},
	{promBackend, StatBackend, "haproxy_backend_", ""},
	{promServer, StatServer, "haproxy_server_", "server"},
}

// State label values, in HAProxy's order.
var (
	promProxyStates    = [...]string{"DOWN", "UP"}
	promListenerStates = [...]string{"WAITING", "OPEN", "FULL"}
	promServerStates   = [...]string{"DOWN", "UP", "MAINT", "DRAIN", "NOLB"}
	// promCheckStates are the check statuses after CHECKED (UNK, INI and
	// CHECKED have no sample).
	promCheckStates = [...]string{"HANA", "SOCKERR", "L4OK", "L4TOUT", "L4CON", "L6OK", "L6TOUT", "L6RSP", "L7TOUT", "L7RSP", "L7OK", "L7OKC", "L7STS", "PROCERR", "PROCTOUT", "PROCOK"}
	promHrspCodes   = [...]string{"1xx", "2xx", "3xx", "4xx", "5xx", "other"}
)

// Server states, indexes in promServerStates.
const (
	promSrvDown = iota
	promSrvUp
	promSrvMaint
	promSrvDrain
	promSrvNolb
)

// promServerState returns the index in promServerStates of a server's
// state, read from its show stat status: "MAINT..." (or Maint), "DRAIN...",
// "NOLB...", "UP...", "no check" are themselves; anything else ("DOWN",
// "DOWN 1/2" on its way up, "DOWN (agent)") is DOWN.
func promServerState(r *StatRow) int {
	s := r.Status
	switch {
	case r.Maint || strings.HasPrefix(s, "MAINT"):
		return promSrvMaint
	case strings.HasPrefix(s, "DRAIN"):
		return promSrvDrain
	case strings.HasPrefix(s, "NOLB"):
		return promSrvNolb
	case strings.HasPrefix(s, "UP"), s == "no check":
		return promSrvUp
	}
	return promSrvDown
}

// promInfo is one process family: the figure of a show info line.
type promInfo struct {
	name string // after "haproxy_process_"
	info string // show info line; "" for figures hitless has not (NaN)
	typ  string
	help string // when info is ""; otherwise the line's description
	u32  bool   // show info types the line as 32 bits: truncated alike
}

// promInfos is in HAProxy's order. hitless has no zlib: its two figures
// are NaN, as in HAProxy builds with libslz.
var promInfos = [...]promInfo{
	{name: "nbthread", info: "Nbthread", typ: promGauge},
	{name: "nbproc", info: "Nbproc", typ: promGauge},
	{name: "relative_process_id", info: "Process_num", typ: promGauge},
	{name: "uptime_seconds", info: "Uptime_sec", typ: promGauge},
	{name: "pool_failures_total", info: "PoolFailed", typ: promCounter},
	{name: "max_fds", info: "Ulimit-n", typ: promGauge},
	{name: "max_sockets", info: "Maxsock", typ: promGauge},
	{name: "max_connections", info: "Maxconn", typ: promGauge},
	{name: "hard_max_connections", info: "Hard_maxconn", typ: promGauge},
	{name: "current_connections", info: "CurrConns", typ: promGauge},
	{name: "connections_total", info: "CumConns", typ: promCounter},
	{name: "requests_total", info: "CumReq", typ: promCounter},
	{name: "max_ssl_connections", info: "MaxSslConns", typ: promGauge},
	{name: "current_ssl_connections", info: "CurrSslConns", typ: promGauge},
	{name: "ssl_connections_total", info: "CumSslConns", typ: promCounter},
	{name: "max_pipes", info: "Maxpipes", typ: promGauge},
	{name: "pipes_used_total", info: "PipesUsed", typ: promCounter},
	{name: "pipes_free_total", info: "PipesFree", typ: promCounter},
	{name: "current_connection_rate", info: "ConnRate", typ: promGauge},
	{name: "limit_connection_rate", info: "ConnRateLimit", typ: promGauge},
	{name: "max_connection_rate", info: "MaxConnRate", typ: promGauge},
	{name: "current_session_rate", info: "SessRate", typ: promGauge},
	{name: "limit_session_rate", info: "SessRateLimit", typ: promGauge},
	{name: "max_session_rate", info: "MaxSessRate", typ: promGauge},
	{name: "current_ssl_rate", info: "SslRate", typ: promGauge},
	{name: "limit_ssl_rate", info: "SslRateLimit", typ: promGauge},
	{name: "max_ssl_rate", info: "MaxSslRate", typ: promGauge},
	{name: "current_frontend_ssl_key_rate", info: "SslFrontendKeyRate", typ: promGauge},
	{name: "max_frontend_ssl_key_rate", info: "SslFrontendMaxKeyRate", typ: promGauge},
	{name: "frontend_ssl_reuse", info: "SslFrontendSessionReuse_pct", typ: promGauge},
	{name: "current_backend_ssl_key_rate", info: "SslBackendKeyRate", typ: promGauge},
	{name: "max_backend_ssl_key_rate", info: "SslBackendMaxKeyRate", typ: promGauge},
	{name: "ssl_cache_lookups_total", info: "SslCacheLookups", typ: promCounter},
	{name: "ssl_cache_misses_total", info: "SslCacheMisses", typ: promCounter},
	{name: "http_comp_bytes_in_total", info: "CompressBpsIn", typ: promCounter},
	{name: "http_comp_bytes_out_total", info: "CompressBpsOut", typ: promCounter},
	{name: "limit_http_comp", info: "CompressBpsRateLim", typ: promGauge},
	{name: "current_zlib_memory", typ: promGauge, help: "Amount of memory currently used by HTTP compression on the current worker process (in bytes)"},
	{name: "max_zlib_memory", typ: promGauge, help: "Limit on the amount of memory used by HTTP compression above which it is automatically disabled (in bytes, see global.maxzlibmem)"},
	{name: "current_tasks", info: "Tasks", typ: promGauge},
	{name: "current_run_queue", info: "Run_queue", typ: promGauge},
	{name: "idle_time_percent", info: "Idle_pct", typ: promGauge},
	{name: "stopping", info: "Stopping", typ: promGauge},
	{name: "jobs", info: "Jobs", typ: promGauge},
	{name: "unstoppable_jobs", info: "Unstoppable Jobs", typ: promGauge},
	{name: "listeners", info: "Listeners", typ: promGauge},
	{name: "active_peers", info: "ActivePeers", typ: promGauge},
	{name: "connected_peers", info: "ConnectedPeers", typ: promGauge},
	{name: "dropped_logs_total", info: "DroppedLogs", typ: promCounter},
	{name: "busy_polling_enabled", info: "BusyPolling", typ: promGauge},
	{name: "failed_resolutions", info: "FailedResolutions", typ: promCounter},
	{name: "bytes_out_total", info: "TotalBytesOut", typ: promCounter},
	{name: "spliced_bytes_out_total", info: "TotalSplicdedBytesOut", typ: promCounter},
	{name: "bytes_out_rate", info: "BytesOutRate", typ: promGauge},
	{name: "recv_logs_total", info: "CumRecvLogs", typ: promCounter},
	{name: "build_info", info: "Build info", typ: promGauge}, // labelled with the version
	{name: "max_memory_bytes", info: "Memmax_bytes", typ: promGauge},
	{name: "pool_allocated_bytes", info: "PoolAlloc_bytes", typ: promGauge},
	{name: "pool_used_bytes", info: "PoolUsed_bytes", typ: promGauge},
	{name: "start_time_seconds", info: "Start_time_sec", typ: promGauge},
}

// init takes the help texts and widths of promInfos from infoFields.
func init() {
	for i := range promInfos {
		m := &promInfos[i]
		if m.info == "" {
			continue
		}
		found := false
		for pos := range infoFields {
			if infoFields[pos].name == m.info {
				m.help = infoFields[pos].desc
				m.u32 = infoFields[pos].get(&Info{}).typ == ftU32
				found = true
				break
			}
		}
		if !found {
			panic("cli: no show info line " + m.info)
		}
	}
}

// promInfoValue returns the figure of show info line name. It is a switch
// rather than the getters of infoFields so that info stays on the caller's
// stack.
func promInfoValue(i *Info, name string) uint64 {
	switch name {
	case "Nbthread":
		return i.Nbthread
	case "Nbproc":
		return i.Nbproc
	case "Process_num":
		return i.ProcessNum
	case "Uptime_sec":
		return uint64(i.Uptime.Seconds())
	case "PoolFailed":
		return i.PoolFailed
	case "Ulimit-n":
		return i.UlimitN
	case "Maxsock":
		return i.Maxsock
	case "Maxconn":
		return i.Maxconn
	case "Hard_maxconn":
		return i.HardMaxconn
	case "CurrConns":
		return i.CurrConns
	case "CumConns":
		return i.CumConns
	case "CumReq":
		return i.CumReq
	case "MaxSslConns":
		return i.MaxSslConns
	case "CurrSslConns":
		return i.CurrSslConns
	case "CumSslConns":
		return i.CumSslConns
	case "Maxpipes":
		return i.Maxpipes
	case "PipesUsed":
		return i.PipesUsed
	case "PipesFree":
		return i.PipesFree
	case "ConnRate":
		return i.ConnRate
	case "ConnRateLimit":
		return i.ConnRateLimit
	case "MaxConnRate":
		return i.MaxConnRate
	case "SessRate":
		return i.SessRate
	case "SessRateLimit":
		return i.SessRateLimit
	case "MaxSessRate":
		return i.MaxSessRate
	case "SslRate":
		return i.SslRate
	case "SslRateLimit":
		return i.SslRateLimit
	case "MaxSslRate":
		return i.MaxSslRate
	case "SslFrontendKeyRate":
		return i.SslFrontendKeyRate
	case "SslFrontendMaxKeyRate":
		return i.SslFrontendMaxKeyRate
	case "SslFrontendSessionReuse_pct":
		return i.SslFrontendSessionReusePct
	case "SslBackendKeyRate":
		return i.SslBackendKeyRate
	case "SslBackendMaxKeyRate":
		return i.SslBackendMaxKeyRate
	case "SslCacheLookups":
		return i.SslCacheLookups
	case "SslCacheMisses":
		return i.SslCacheMisses
	case "CompressBpsIn":
		return i.CompressBpsIn
	case "CompressBpsOut":
		return i.CompressBpsOut
	case "CompressBpsRateLim":
		return i.CompressBpsRateLim
	case "Tasks":
		return i.Tasks
	case "Run_queue":
		return i.RunQueue
	case "Idle_pct":
		return i.IdlePct
	case "Stopping":
		return boolNum(i.Stopping)
	case "Jobs":
		return i.Jobs
	case "Unstoppable Jobs":
		return i.UnstoppableJobs
	case "Listeners":
		return i.Listeners
	case "ActivePeers":
		return i.ActivePeers
	case "ConnectedPeers":
		return i.ConnectedPeers
	case "DroppedLogs":
		return i.DroppedLogs
	case "BusyPolling":
		return boolNum(i.BusyPolling)
	case "FailedResolutions":
		return i.FailedResolutions
	case "TotalBytesOut":
		return i.TotalBytesOut
	case "TotalSplicdedBytesOut":
		return i.TotalSplicedBytesOut
	case "BytesOutRate":
		return i.BytesOutRate
	case "CumRecvLogs":
		return i.CumRecvLogs
	case "Memmax_bytes":
		return i.MemmaxBytes
	case "PoolAlloc_bytes":
		return i.PoolAllocBytes
	case "PoolUsed_bytes":
		return i.PoolUsedBytes
	case "Start_time_sec":
		return uint64(i.StartTime.Unix())
	}
	return 0
}

// AppendPrometheus appends the Prometheus text exposition format (version
// 0.0.4) of info and rows to dst and returns it, with HAProxy 2.6's
// exporter families: haproxy_process_* from info, then
// haproxy_frontend_*, haproxy_listener_*, haproxy_backend_* and
// haproxy_server_* from the rows (in Source.AppendStats order), labelled
// proxy="<pxname>", plus listener= or server= "<svname>". Figures show stat
// leaves empty are NaN. The caller owns the result; nothing is retained.
// It allocates only when dst grows.
func AppendPrometheus(dst []byte, info Info, rows []StatRow) []byte {
	dst = appendPromProcess(dst, &info)
	for s := range promScopes {
		for m := range promStats {
			if promStats[m].scopes&promScopes[s].scope != 0 {
				dst = appendPromFamily(dst, &promStats[m], s, rows)
			}
		}
	}
	return dst
}

func appendPromProcess(b []byte, info *Info) []byte {
	const prefix = "haproxy_process_"
	for i := range promInfos {
		m := &promInfos[i]
		b = appendPromHeader(b, prefix, m.name, m.help, m.typ)
		b = append(b, prefix...)
		b = append(b, m.name...)
		switch m.info {
		case "":
			b = append(b, " NaN\n"...)
			continue
		case "Build info":
			b = append(b, `{version="`...)
			b = appendPromLabelValue(b, info.Version)
			b = append(b, "\"} 1\n"...)
			continue
		}
		v := promInfoValue(info, m.info)
		if m.u32 {
			v &= 0xffffffff
		}
		b = append(b, ' ')
		b = strconv.AppendUint(b, v, 10)
		b = append(b, '\n')
	}
	return b
}

// appendPromHeader appends the "# HELP" and "# TYPE" lines of a family.
func appendPromHeader(b []byte, prefix, name, help, typ string) []byte {
	b = append(b, "# HELP "...)
	b = append(b, prefix...)
	b = append(b, name...)
	b = append(b, ' ')
	b = appendPromHelp(b, help)
	b = append(b, "\n# TYPE "...)
	b = append(b, prefix...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, typ...)
	return append(b, '\n')
}

// promFamily writes the samples of one family, with its header before
// the first one.
type promFamily struct {
	b      []byte
	prefix string
	m      *promStat
	label  string
	hdr    bool
}

// sample starts a sample line of row r: name and labels up to, not
// including, the closing brace.
func (p *promFamily) sample(r *StatRow) {
	if !p.hdr {
		help := p.m.help
		if help == "" {
			help = statColumns[p.m.col].desc
		}
		p.b = appendPromHeader(p.b, p.prefix, p.m.name, help, p.m.typ)
		p.hdr = true
	}
	p.b = append(p.b, p.prefix...)
	p.b = append(p.b, p.m.name...)
	p.b = append(p.b, `{proxy="`...)
	p.b = appendPromLabelValue(p.b, r.PxName)
	p.b = append(p.b, '"')
	if p.label != "" {
		p.b = append(p.b, ',')
		p.b = append(p.b, p.label...)
		p.b = append(p.b, `="`...)
		p.b = appendPromLabelValue(p.b, r.SvName)
		p.b = append(p.b, '"')
	}
}

// labelled completes a sample with one more label and an integer value.
func (p *promFamily) labelled(name, value string, v uint64) {
	p.b = append(p.b, ',')
	p.b = append(p.b, name...)
	p.b = append(p.b, `="`...)
	p.b = append(p.b, value...)
	p.b = append(p.b, `"} `...)
	p.b = strconv.AppendUint(p.b, v, 10)
	p.b = append(p.b, '\n')
}

// value completes a sample with a field's value: NaN when empty, seconds
// when the field is in milliseconds.
func (p *promFamily) value(f *field, seconds bool) {
	p.b = append(p.b, "} "...)
	switch {
	case f.typ == ftEmpty || f.typ == ftStr:
		p.b = append(p.b, "NaN"...)
	case f.typ == ftS32:
		p.b = strconv.AppendInt(p.b, f.i, 10)
	case seconds:
		p.b = appendMillisAsSeconds(p.b, f.u)
	default:
		p.b = strconv.AppendUint(p.b, f.u, 10)
	}
	p.b = append(p.b, '\n')
}

func appendPromFamily(b []byte, m *promStat, s int, rows []StatRow) []byte {
	sc := &promScopes[s]
	p := promFamily{b: b, prefix: sc.prefix, m: m, label: sc.label}
	if m.kind == promHrsp {
		for code := range promHrspCodes {
			for i := range rows {
				r := &rows[i]
				if r.Type != sc.typ || r.Mode != "http" {
					continue
				}
				f := promField(r, stHrsp1xx+code)
				p.sample(r)
				p.b = append(p.b, `,code="`...)
				p.b = append(p.b, promHrspCodes[code]...)
				p.b = append(p.b, '"')
				p.value(&f, false)
			}
		}
		return p.b
	}
	for i := range rows {
		r := &rows[i]
		if r.Type != sc.typ || m.httpOnly&sc.scope != 0 && r.Mode != "http" {
			continue
		}
		switch m.kind {
		case promValue, promSeconds:
			f := promField(r, m.col)
			p.sample(r)
			p.value(&f, m.kind == promSeconds)
		case promState:
			p.appendStates(r)
		case promCheckStatus:
			if !r.Check.Enabled || r.Check.Paused {
				continue
			}
			for _, st := range promCheckStates {
				p.sample(r)
				p.labelled("state", st, boolNum(r.Check.Status == st))
			}
		case promCheckCode:
			if !r.Check.Enabled || r.Check.Paused {
				continue
			}
			var code uint64
			if checkHasCode(r.Check.Status) {
				code = r.Check.Code & 0xffffffff
			}
			p.sample(r)
			p.b = append(p.b, "} "...)
			p.b = strconv.AppendUint(p.b, code, 10)
			p.b = append(p.b, '\n')
		case promCheckDuration:
			if !r.Check.Enabled || r.Check.Paused || !checkHasDuration(r.Check.Status) {
				continue
			}
			p.sample(r)
			p.b = append(p.b, "} "...)
			p.b = appendMillisAsSeconds(p.b, r.Check.Duration)
			p.b = append(p.b, '\n')
		case promAggServer:
			var n [len(promServerStates)]uint64
			srv := backendRows(rows, i)
			for j := range srv {
				if srv[j].Type == StatServer {
					n[promServerState(&srv[j])]++
				}
			}
			for st := range promServerStates {
				p.sample(r)
				p.labelled("state", promServerStates[st], n[st])
			}
		case promAggCheck:
			var n [len(promCheckStates)]uint64
			srv := backendRows(rows, i)
			for j := range srv {
				c := &srv[j].Check
				if srv[j].Type != StatServer || !c.Enabled || c.Paused {
					continue
				}
				for st := range promCheckStates {
					if c.Status == promCheckStates[st] {
						n[st]++
					}
				}
			}
			for st := range promCheckStates {
				p.sample(r)
				p.labelled("state", promCheckStates[st], n[st])
			}
		}
	}
	return p.b
}

// promField returns the field show stat prints (at user level) in column
// col of row r, for the columns of the value families of promStats. It is
// fillRow for one column: filling a whole row per sample would make a
// scrape of a thousand servers twenty times slower. TestPromField holds
// the two to the same results.
func promField(r *StatRow, col int) field {
	srv := r.Type == StatServer
	noCheck := srv && !r.Check.Enabled
	switch col {
	case stQcur:
		return u32f("", r.Qcur)
	case stQmax:
		return u32f("", r.Qmax)
	case stScur:
		return u32f("", r.Scur)
	case stSmax:
		return u32f("", r.Smax)
	case stSlim:
		if srv && r.Slim == 0 {
			return field{}
		}
		return u32f("", r.Slim)
	case stStot:
		return u64f("", r.Stot)
	case stBin:
		return u64f("", r.Bin)
	case stBout:
		return u64f("", r.Bout)
	case stDreq:
		return u64f("", r.Dreq)
	case stDresp:
		return u64f("", r.Dresp)
	case stEreq:
		return u64f("", r.Ereq)
	case stEcon:
		return u64f("", r.Econ)
	case stEresp:
		return u64f("", r.Eresp)
	case stWretr:
		return u64f("", r.Wretr)
	case stWredis:
		return u64f("", r.Wredis)
	case stWeight:
		return u32f("", r.Weight)
	case stAct:
		return u32f("", r.Act)
	case stBck:
		return u32f("", r.Bck)
	case stChkfail:
		if noCheck {
			return field{}
		}
		return u64f("", r.Chkfail)
	case stChkdown:
		if noCheck {
			return field{}
		}
		return u64f("", r.Chkdown)
	case stLastchg:
		return u32f("", r.Lastchg)
	case stDowntime:
		if noCheck || r.Type == StatBackend && r.SrvTotal == 0 {
			return field{}
		}
		return u32f("", r.Downtime)
	case stQlimit:
		if r.Qlimit == 0 {
			return field{}
		}
		return u32f("", r.Qlimit)
	case stThrottle:
		return optU32("", r.Throttle)
	case stLbtot:
		return u64f("", r.Lbtot)
	case stRateLim:
		return u32f("", r.RateLim)
	case stRateMax:
		return u32f("", r.RateMax)
	case stHrsp1xx:
		return u64f("", r.Hrsp1xx)
	case stHrsp2xx:
		return u64f("", r.Hrsp2xx)
	case stHrsp3xx:
		return u64f("", r.Hrsp3xx)
	case stHrsp4xx:
		return u64f("", r.Hrsp4xx)
	case stHrsp5xx:
		return u64f("", r.Hrsp5xx)
	case stHrspOther:
		return u64f("", r.HrspOther)
	case stReqRateMax:
		return u32f("", r.ReqRateMax)
	case stReqTot:
		return u64f("", r.ReqTot)
	case stCliAbrt:
		return u64f("", r.CliAbrt)
	case stSrvAbrt:
		return u64f("", r.SrvAbrt)
	case stCompIn:
		return u64f("", r.CompIn)
	case stCompOut:
		return u64f("", r.CompOut)
	case stCompByp:
		return u64f("", r.CompByp)
	case stCompRsp:
		return u64f("", r.CompRsp)
	case stLastsess:
		return s32f("", r.Lastsess)
	case stQtime:
		return u32f("", r.Qtime)
	case stCtime:
		return u32f("", r.Ctime)
	case stRtime:
		return u32f("", r.Rtime)
	case stTtime:
		return u32f("", r.Ttime)
	case stConnRateMax:
		return u32f("", r.ConnRateMax)
	case stConnTot:
		return u64f("", r.ConnTot)
	case stIntercepted:
		return u64f("", r.Intercepted)
	case stDcon:
		return u64f("", r.Dcon)
	case stDses:
		return u64f("", r.Dses)
	case stWrew:
		return u64f("", r.Wrew)
	case stConnect:
		return u64f("", r.Connect)
	case stReuse:
		return u64f("", r.Reuse)
	case stCacheLookups:
		return u64f("", r.CacheLookups)
	case stCacheHits:
		return u64f("", r.CacheHits)
	case stSrvIcur:
		return u32f("", r.SrvIcur)
	case stSrcIlim:
		return optU32("", r.SrvIlim)
	case stQtimeMax:
		return u32f("", r.QtimeMax)
	case stCtimeMax:
		return u32f("", r.CtimeMax)
	case stRtimeMax:
		return u32f("", r.RtimeMax)
	case stTtimeMax:
		return u32f("", r.TtimeMax)
	case stEint:
		return u64f("", r.Eint)
	case stIdleConnCur:
		return u32f("", r.IdleConnCur)
	case stSafeConnCur:
		return u32f("", r.SafeConnCur)
	case stUsedConnCur:
		return u32f("", r.UsedConnCur)
	case stNeedConnEst:
		return u32f("", r.NeedConnEst)
	case stUweight:
		return u32f("", r.Uweight)
	}
	return field{}
}

// appendStates writes the status samples of r, one per state label.
func (p *promFamily) appendStates(r *StatRow) {
	switch r.Type {
	case StatFrontend:
		up := r.Status != "STOP"
		p.sample(r)
		p.labelled("state", promProxyStates[0], boolNum(!up))
		p.sample(r)
		p.labelled("state", promProxyStates[1], boolNum(up))
	case StatBackend:
		up := strings.HasPrefix(r.Status, "UP")
		p.sample(r)
		p.labelled("state", promProxyStates[0], boolNum(!up))
		p.sample(r)
		p.labelled("state", promProxyStates[1], boolNum(up))
	case StatListener:
		for _, st := range promListenerStates {
			p.sample(r)
			p.labelled("state", st, boolNum(r.Status == st))
		}
	case StatServer:
		cur := promServerState(r)
		for st := range promServerStates {
			p.sample(r)
			p.labelled("state", promServerStates[st], boolNum(st == cur))
		}
	}
}

// backendRows returns the rows of the proxy of the BACKEND row at
// index i that precede it (its frontend, listeners and servers), as
// Source.AppendStats orders them.
func backendRows(rows []StatRow, i int) []StatRow {
	r := &rows[i]
	j := i
	for j > 0 && rows[j-1].Type != StatBackend && rows[j-1].Iid == r.Iid && rows[j-1].PxName == r.PxName {
		j--
	}
	return rows[j:i]
}

// appendMillisAsSeconds appends ms/1000 with six decimals, as C's "%f"
// prints it.
func appendMillisAsSeconds(b []byte, ms uint64) []byte {
	b = strconv.AppendUint(b, ms/1000, 10)
	r := ms % 1000
	return append(b, '.', byte('0'+r/100), byte('0'+r/10%10), byte('0'+r%10), '0', '0', '0')
}

// appendPromLabelValue appends s escaped as a label value: backslash,
// double quote and line feed are escaped, invalid UTF-8 becomes U+FFFD.
func appendPromLabelValue(b []byte, s string) []byte {
	return appendPromEscaped(b, s, true)
}

// appendPromHelp appends s escaped as a help text: backslash and line
// feed are escaped, invalid UTF-8 becomes U+FFFD.
func appendPromHelp(b []byte, s string) []byte {
	return appendPromEscaped(b, s, false)
}

func appendPromEscaped(b []byte, s string, quote bool) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\\':
				b = append(b, '\\', '\\')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '"' && quote:
				b = append(b, '\\', '"')
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return b
}
