package cli

import "time"

// Source is what the runtime API reads from the engine. The engine
// implements it; this package never imports the engine.
//
// Methods are called from session goroutines, several at once: the
// implementation must be safe for concurrent use, and must not block on a
// reactor for long (sum per-reactor shards, read atomics, or post to the
// reactors and wait for their answers with a bound).
type Source interface {
	// Info returns a snapshot of the process-wide figures of "show info".
	Info() Info

	// AppendStats appends one row per object to dst and returns it, in
	// HAProxy's order: for each proxy in configuration order, its FRONTEND
	// row (if it has the frontend capability), its listener rows (for
	// "option socket-stats" frontends), its server rows, then its BACKEND
	// row (if it has the backend capability). The caller owns the returned
	// slice; the implementation must not retain dst. Filters (proxy, type,
	// server id, up, no-maint) are applied by the caller.
	AppendStats(dst []StatRow) []StatRow
}

// ListenerExporter is implemented by a [Source] whose listening sockets can
// be handed to another process with _getsocks; a Source without it answers
// _getsocks with no socket.
type ListenerExporter interface {
	// ExportListeners calls send once, with the descriptors of every
	// listening socket, or with none when they were already exported
	// (only the first successful export hands them out) or the process is
	// stopping, and returns send's error. Calls are serialised, and the
	// descriptors stay open until send returns; the slice is only valid
	// during send, and send must not close the descriptors. The exporter
	// keeps its own descriptors open afterwards.
	ExportListeners(send func(fds []int) error) error
}

// Info holds the lines of "show info", in HAProxy 2.6's order. Numbers are
// uint64 for the engine's convenience; the formatter truncates those that
// HAProxy types as 32-bit, exactly as HAProxy does. Lines hitless cannot
// know are printed as HAProxy prints them when the feature is unused
// (zero), so zero values are right for them.
type Info struct {
	Name        string // product name ("Name"); tools match on "HAProxy"
	Version     string // "Version", also the answer of "show version"
	ReleaseDate string // "Release_date", "YYYY/MM/DD"

	Nbthread   uint64
	Nbproc     uint64 // always 1 in HAProxy 2.6
	ProcessNum uint64 // always 1 in HAProxy 2.6
	Pid        uint64

	Uptime    time.Duration // "Uptime" as "0d 0h01m02s" and "Uptime_sec"
	StartTime time.Time     // "Start_time_sec" (Unix seconds)

	MemmaxBytes    uint64 // "Memmax_MB" and "Memmax_bytes"; 0 = no limit
	PoolAllocBytes uint64 // "PoolAlloc_MB" and "PoolAlloc_bytes"
	PoolUsedBytes  uint64 // "PoolUsed_MB" and "PoolUsed_bytes"
	PoolFailed     uint64

	UlimitN     uint64 // "Ulimit-n"
	Maxsock     uint64
	Maxconn     uint64
	HardMaxconn uint64 // "Hard_maxconn"
	CurrConns   uint64
	CumConns    uint64
	CumReq      uint64

	MaxSslConns  uint64
	CurrSslConns uint64
	CumSslConns  uint64

	Maxpipes  uint64
	PipesUsed uint64
	PipesFree uint64

	ConnRate      uint64
	ConnRateLimit uint64
	MaxConnRate   uint64
	SessRate      uint64
	SessRateLimit uint64
	MaxSessRate   uint64

	SslRate                    uint64
	SslRateLimit               uint64
	MaxSslRate                 uint64
	SslFrontendKeyRate         uint64
	SslFrontendMaxKeyRate      uint64
	SslFrontendSessionReusePct uint64 // "SslFrontendSessionReuse_pct"
	SslBackendKeyRate          uint64
	SslBackendMaxKeyRate       uint64
	SslCacheLookups            uint64
	SslCacheMisses             uint64

	CompressBpsIn      uint64
	CompressBpsOut     uint64
	CompressBpsRateLim uint64

	Tasks    uint64
	RunQueue uint64 // "Run_queue"
	IdlePct  uint64 // "Idle_pct", 0..100

	Node        string // "node" (HAProxy defaults it to the host name); "" = line left out
	Description string // "description"; "" = line left out

	Stopping          bool // "Stopping" 1 while soft-stopping
	Jobs              uint64
	UnstoppableJobs   uint64 // "Unstoppable Jobs"
	Listeners         uint64
	ActivePeers       uint64
	ConnectedPeers    uint64
	DroppedLogs       uint64
	BusyPolling       bool
	FailedResolutions uint64

	TotalBytesOut        uint64
	TotalSplicedBytesOut uint64 // printed under HAProxy's spelling "TotalSplicdedBytesOut"
	BytesOutRate         uint64

	DebugCommandsIssued uint64
	CumRecvLogs         uint64
	BuildInfo           string // "Build info"
	Tainted             uint64 // "Tainted", printed as "%#x" ("0", "0x4")
}
