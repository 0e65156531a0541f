package cli

import (
	"strconv"
)

// infoField describes one line of "show info". The table below is in
// HAProxy 2.6's order; a line's position is its index (typed output prints
// it), so entries are never removed or reordered, and lines hitless never
// fills stay as always-empty entries.
type infoField struct {
	name string
	desc string
	get  func(*Info) field
}

const mb = 1 << 20

func uptimeString(sec uint64) string {
	b := make([]byte, 0, 16)
	b = strconv.AppendUint(b, sec/86400, 10)
	b = append(b, 'd', ' ')
	b = strconv.AppendUint(b, (sec%86400)/3600, 10)
	b = append(b, 'h')
	b = append2(b, (sec%3600)/60)
	b = append(b, 'm')
	b = append2(b, sec%60)
	return string(append(b, 's'))
}

// append2 appends v (< 100) on two digits.
func append2(b []byte, v uint64) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}

func boolNum(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// hexAlt formats v as C's "%#x": "0" for zero, "0x..." otherwise.
func hexAlt(v uint64) string {
	if v == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(v, 16)
}

func optStr(t tags, s string) field {
	if s == "" {
		return field{}
	}
	return strf(t, s)
}

var infoFields = [...]infoField{
	{"Name", "Product name", func(i *Info) field { return strf("POS", i.Name) }},
	{"Version", "Product version", func(i *Info) field { return strf("POS", i.Version) }},
	{"Release_date", "Date of latest source code update", func(i *Info) field { return strf("POS", i.ReleaseDate) }},
	{"Nbthread", "Number of started threads (global.nbthread)", func(i *Info) field { return u32f("CGS", i.Nbthread) }},
	{"Nbproc", "Number of started worker processes (historical, always 1)", func(i *Info) field { return u32f("CGS", i.Nbproc) }},
	{"Process_num", "Relative worker process number (1)", func(i *Info) field { return u32f("KGP", i.ProcessNum) }},
	{"Pid", "This worker process identifier for the system", func(i *Info) field { return u32f("SGP", i.Pid) }},
	{"Uptime", "How long ago this worker process was started (days+hours+minutes+seconds)", func(i *Info) field {
		return strf("MDP", uptimeString(uint64(i.Uptime.Seconds())))
	}},
	{"Uptime_sec", "How long ago this worker process was started (seconds)", func(i *Info) field { return u32f("MDP", uint64(i.Uptime.Seconds())) }},
	{"Memmax_MB", "Worker process's hard limit on memory usage in MB (-m on command line)", func(i *Info) field { return u32f("CLP", i.MemmaxBytes/mb) }},
	{"PoolAlloc_MB", "Amount of memory allocated in pools (in MB)", func(i *Info) field { return u32f("MGP", i.PoolAllocBytes/mb) }},
	{"PoolUsed_MB", "Amount of pool memory currently used (in MB)", func(i *Info) field { return u32f("MGP", i.PoolUsedBytes/mb) }},
	{"PoolFailed", "Number of failed pool allocations since this worker was started", func(i *Info) field { return u32f("MCP", i.PoolFailed) }},
	{"Ulimit-n", "Hard limit on the number of per-process file descriptors", func(i *Info) field { return u32f("CLP", i.UlimitN) }},
	{"Maxsock", "Hard limit on the number of per-process sockets", func(i *Info) field { return u32f("CLP", i.Maxsock) }},
	{"Maxconn", "Hard limit on the number of per-process connections (configured or imposed by Ulimit-n)", func(i *Info) field { return u32f("CLP", i.Maxconn) }},
	{"Hard_maxconn", "Hard limit on the number of per-process connections (imposed by Memmax_MB or Ulimit-n)", func(i *Info) field { return u32f("CLP", i.HardMaxconn) }},
	{"CurrConns", "Current number of connections on this worker process", func(i *Info) field { return u32f("MGP", i.CurrConns) }},
	{"CumConns", "Total number of connections on this worker process since started", func(i *Info) field { return u32f("MCP", i.CumConns) }},
	{"CumReq", "Total number of requests on this worker process since started", func(i *Info) field { return u32f("MCP", i.CumReq) }},
	{"MaxSslConns", "Hard limit on the number of per-process SSL endpoints (front+back), 0=unlimited", func(i *Info) field { return u32f("MMP", i.MaxSslConns) }},
	{"CurrSslConns", "Current number of SSL endpoints on this worker process (front+back)", func(i *Info) field { return u32f("MGP", i.CurrSslConns) }},
	{"CumSslConns", "Total number of SSL endpoints on this worker process since started (front+back)", func(i *Info) field { return u32f("MCP", i.CumSslConns) }},
	{"Maxpipes", "Hard limit on the number of pipes for splicing, 0=unlimited", func(i *Info) field { return u32f("CLP", i.Maxpipes) }},
	{"PipesUsed", "Current number of pipes in use in this worker process", func(i *Info) field { return u32f("MGP", i.PipesUsed) }},
	{"PipesFree", "Current number of allocated and available pipes in this worker process", func(i *Info) field { return u32f("MGP", i.PipesFree) }},
	{"ConnRate", "Number of front connections created on this worker process over the last second", func(i *Info) field { return u32f("MRP", i.ConnRate) }},
	{"ConnRateLimit", "Hard limit for ConnRate (global.maxconnrate)", func(i *Info) field { return u32f("CLP", i.ConnRateLimit) }},
	{"MaxConnRate", "Highest ConnRate reached on this worker process since started (in connections per second)", func(i *Info) field { return u32f("MMP", i.MaxConnRate) }},
	{"SessRate", "Number of sessions created on this worker process over the last second", func(i *Info) field { return u32f("MRP", i.SessRate) }},
	{"SessRateLimit", "Hard limit for SessRate (global.maxsessrate)", func(i *Info) field { return u32f("CLP", i.SessRateLimit) }},
	{"MaxSessRate", "Highest SessRate reached on this worker process since started (in sessions per second)", func(i *Info) field { return u32f("MRP", i.MaxSessRate) }},
	{"SslRate", "Number of SSL connections created on this worker process over the last second", func(i *Info) field { return u32f("MRP", i.SslRate) }},
	{"SslRateLimit", "Hard limit for SslRate (global.maxsslrate)", func(i *Info) field { return u32f("CLP", i.SslRateLimit) }},
	{"MaxSslRate", "Highest SslRate reached on this worker process since started (in connections per second)", func(i *Info) field { return u32f("MMP", i.MaxSslRate) }},
	{"SslFrontendKeyRate", "Number of SSL keys created on frontends in this worker process over the last second", func(i *Info) field { return u32f("MGP", i.SslFrontendKeyRate) }},
	{"SslFrontendMaxKeyRate", "Highest SslFrontendKeyRate reached on this worker process since started (in SSL keys per second)", func(i *Info) field { return u32f("MMP", i.SslFrontendMaxKeyRate) }},
	{"SslFrontendSessionReuse_pct", "Percent of frontend SSL connections which did not require a new key", func(i *Info) field { return u32f("MGP", i.SslFrontendSessionReusePct) }},
	{"SslBackendKeyRate", "Number of SSL keys created on backends in this worker process over the last second", func(i *Info) field { return u32f("MRP", i.SslBackendKeyRate) }},
	{"SslBackendMaxKeyRate", "Highest SslBackendKeyRate reached on this worker process since started (in SSL keys per second)", func(i *Info) field { return u32f("MMP", i.SslBackendMaxKeyRate) }},
	{"SslCacheLookups", "Total number of SSL session ID lookups in the SSL session cache on this worker since started", func(i *Info) field { return u32f("MCP", i.SslCacheLookups) }},
	{"SslCacheMisses", "Total number of SSL session ID lookups that didn't find a session in the SSL session cache on this worker since started", func(i *Info) field { return u32f("MCP", i.SslCacheMisses) }},
	{"CompressBpsIn", "Number of bytes submitted to the HTTP compressor in this worker process over the last second", func(i *Info) field { return u32f("MRP", i.CompressBpsIn) }},
	{"CompressBpsOut", "Number of bytes emitted by the HTTP compressor in this worker process over the last second", func(i *Info) field { return u32f("MRP", i.CompressBpsOut) }},
	{"CompressBpsRateLim", "Limit of CompressBpsOut beyond which HTTP compression is automatically disabled", func(i *Info) field { return u32f("CLP", i.CompressBpsRateLim) }},
	// zlib memory lines: HAProxy builds with libslz (Debian's) leave them
	// out, and hitless has no zlib.
	{"ZlibMemUsage", "", func(*Info) field { return field{} }},
	{"MaxZlibMemUsage", "", func(*Info) field { return field{} }},
	{"Tasks", "Total number of tasks in the current worker process (active + sleeping)", func(i *Info) field { return u32f("MGP", i.Tasks) }},
	{"Run_queue", "Total number of active tasks+tasklets in the current worker process", func(i *Info) field { return u32f("MGP", i.RunQueue) }},
	{"Idle_pct", "Percentage of last second spent waiting in the current worker thread", func(i *Info) field { return u32f("MaP", i.IdlePct) }},
	{"node", "Node name (global.node)", func(i *Info) field { return optStr("COS", i.Node) }},
	{"description", "Node description (global.description)", func(i *Info) field { return optStr("COS", i.Description) }},
	{"Stopping", "1 if the worker process is currently stopping, otherwise zero", func(i *Info) field { return u32f("MGP", boolNum(i.Stopping)) }},
	{"Jobs", "Current number of active jobs on the current worker process (frontend connections, master connections, listeners)", func(i *Info) field { return u32f("MGP", i.Jobs) }},
	{"Unstoppable Jobs", "Current number of unstoppable jobs on the current worker process (master connections)", func(i *Info) field { return u32f("MGP", i.UnstoppableJobs) }},
	{"Listeners", "Current number of active listeners on the current worker process", func(i *Info) field { return u32f("MGP", i.Listeners) }},
	{"ActivePeers", "Current number of verified active peers connections on the current worker process", func(i *Info) field { return u32f("MGP", i.ActivePeers) }},
	{"ConnectedPeers", "Current number of peers having passed the connection step on the current worker process", func(i *Info) field { return u32f("MGP", i.ConnectedPeers) }},
	{"DroppedLogs", "Total number of dropped logs for current worker process since started", func(i *Info) field { return u32f("MGP", i.DroppedLogs) }},
	{"BusyPolling", "1 if busy-polling is currently in use on the worker process, otherwise zero (config.busy-polling)", func(i *Info) field { return u32f("MGP", boolNum(i.BusyPolling)) }},
	{"FailedResolutions", "Total number of failed DNS resolutions in current worker process since started", func(i *Info) field { return u32f("MGP", i.FailedResolutions) }},
	{"TotalBytesOut", "Total number of bytes emitted by current worker process since started", func(i *Info) field { return u64f("MGP", i.TotalBytesOut) }},
	{"TotalSplicdedBytesOut", "Total number of bytes emitted by current worker process through a kernel pipe since started", func(i *Info) field { return u64f("MGP", i.TotalSplicedBytesOut) }},
	{"BytesOutRate", "Number of bytes emitted by current worker process over the last second", func(i *Info) field { return u64f("MRP", i.BytesOutRate) }},
	{"DebugCommandsIssued", "Number of debug commands issued on this process (anything > 0 is unsafe)", func(i *Info) field { return u32f("MGP", i.DebugCommandsIssued) }},
	{"CumRecvLogs", "Total number of log messages received by log-forwarding listeners on this worker process since started", func(i *Info) field { return u32f("MCP", i.CumRecvLogs) }},
	{"Build info", "Build info", func(i *Info) field { return strf("POS", i.BuildInfo) }},
	{"Memmax_bytes", "Worker process's hard limit on memory usage in byes (-m on command line)", func(i *Info) field { return u32f("CLP", i.MemmaxBytes) }},
	{"PoolAlloc_bytes", "Amount of memory allocated in pools (in bytes)", func(i *Info) field { return u64f("MGP", i.PoolAllocBytes) }},
	{"PoolUsed_bytes", "Amount of pool memory currently used (in bytes)", func(i *Info) field { return u64f("MGP", i.PoolUsedBytes) }},
	{"Start_time_sec", "Start time in seconds", func(i *Info) field { return u32f("MDP", uint64(i.StartTime.Unix())) }},
	{"Tainted", "Experimental features used", func(i *Info) field { return strf("SGP", hexAlt(i.Tainted)) }},
}

// Output formats of show info and show stat.
type format uint8

const (
	fmtPlain format = iota
	fmtTyped
	fmtJSON
)

// parseDumpOptions reads the "typed", "json" and "desc" options of show
// info / show stat; the last format word wins, unknown words are ignored,
// as in HAProxy. up and noMaint are show stat's filters.
func parseDumpOptions(args []string) (f format, desc, up, noMaint bool) {
	for _, a := range args {
		switch a {
		case "typed":
			f = fmtTyped
		case "json":
			f = fmtJSON
		case "desc":
			desc = true
		case "up":
			up = true
		case "no-maint":
			noMaint = true
		}
	}
	return f, desc, up, noMaint
}

// runShowInfo implements "show info [typed|json] [desc] [float]". Empty
// lines (no description configured, no zlib) are left out.
func runShowInfo(s *Session, args []string, _ []byte) error {
	f, desc, _, _ := parseDumpOptions(args[2:])
	info := s.srv.src.Info()
	out := s.output()
	b := out.B
	if f == fmtJSON {
		b = append(b, '[')
	}
	first := true
	for pos := range infoFields {
		fd := &infoFields[pos]
		v := fd.get(&info)
		if v.typ == ftEmpty {
			continue
		}
		switch f {
		case fmtPlain:
			b = append(b, fd.name...)
			b = append(b, ':', ' ')
			b = v.appendCSV(b)
			if desc {
				b = appendDesc(b, fd.desc)
			}
			b = append(b, '\n')
		case fmtTyped:
			b = strconv.AppendInt(b, int64(pos), 10)
			b = append(b, '.')
			b = append(b, fd.name...)
			b = append(b, ".1:"...)
			b = append(b, v.tags...)
			b = append(b, ':')
			b = append(b, v.typ.String()...)
			b = append(b, ':')
			b = v.appendRaw(b)
			if desc {
				b = appendDesc(b, fd.desc)
			}
			b = append(b, '\n')
		case fmtJSON:
			if !first {
				b = append(b, ',')
			}
			b = append(b, `{"field":{"pos":`...)
			b = strconv.AppendInt(b, int64(pos), 10)
			b = append(b, `,"name":`...)
			b = appendJSONString(b, fd.name)
			b = append(b, `},"processNum":1,`...)
			b = appendJSONTags(b, v.tags)
			b = append(b, `,"value":`...)
			b = v.appendJSON(b)
			b = append(b, '}')
		}
		first = false
	}
	if f == fmtJSON {
		b = append(b, "]\n"...)
	}
	out.B = b
	return nil
}
