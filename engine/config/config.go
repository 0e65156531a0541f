package config

import (
	"fmt"
	"os"
	"time"
)

// Config is a validated configuration. It is immutable once returned by
// [Load] or [Parse]: the engine shares it between goroutines without locks
// and replaces it as a whole on reload.
type Config struct {
	Global   Global
	Proxies  []*Proxy // frontends, backends and listens in declaration order
	Warnings []Diag   // non-fatal findings, in file order
	Notices  []Diag   // ".notice" messages (Sev == SevNotice), in file order
	Files    []string // files read, in order
}

// Proxy returns the proxy named name having at least the capabilities in
// cap, or nil.
func (c *Config) Proxy(name string, cap Cap) *Proxy {
	for _, p := range c.Proxies {
		if p.Name == name && p.Cap&cap == cap {
			return p
		}
	}
	return nil
}

// Frontends returns the proxies with the frontend capability, in order.
// It allocates.
func (c *Config) Frontends() []*Proxy { return c.withCap(CapFE) }

// Backends returns the proxies with the backend capability, in order.
// It allocates.
func (c *Config) Backends() []*Proxy { return c.withCap(CapBE) }

func (c *Config) withCap(cap Cap) []*Proxy {
	var out []*Proxy
	for _, p := range c.Proxies {
		if p.Cap&cap != 0 {
			out = append(out, p)
		}
	}
	return out
}

// Global holds the "global" section; several global sections merge into
// one, later lines overriding earlier ones.
type Global struct {
	Nbthread      int      // 0 = one per usable CPU
	CPUMaps       []CPUMap // in file order; later lines override earlier ones
	Maxconn       int      // 0 = derived from the file descriptor limit
	Daemon        bool     // "daemon"
	MasterWorker  bool     // "master-worker"
	Pidfile       string   // "pidfile"
	Chroot        string   // parsed; see warnings
	User, Group   string   // parsed; see warnings
	Node          string
	Description   string
	LogTag        string        // "log-tag"; "" = program base name
	Logs          []LogTarget   // "log" lines
	StatsSockets  []StatsSocket // "stats socket" lines
	StatsTimeout  time.Duration // "stats timeout"; 0 = default (10s)
	StatsMaxconn  int           // "stats maxconn"; 0 = default (10)
	HardStopAfter time.Duration // "hard-stop-after"; 0 = none
	Quiet         bool          // "quiet"
	SpreadChecks  int           // "spread-checks", percent 0..50

	TuneBufsize       int  // "tune.bufsize" bytes; 0 = 16384
	TuneMaxrewrite    int  // "tune.maxrewrite" bytes; 0 = 1024
	TunePipesize      int  // "tune.pipesize" bytes; 0 = kernel default
	Maxpipes          int  // "maxpipes"; 0 = maxconn/4 as HAProxy
	TuneMaxaccept     int  // "tune.maxaccept"; 0 = 64
	TuneMaxpollevents int  // "tune.maxpollevents"; 0 = 200
	NoSplice          bool // "nosplice"

	// CLIProxyID is the proxy id HAProxy gives its internal "GLOBAL" CLI
	// proxy, created by the first "stats socket|timeout|maxconn" line; it
	// takes part in automatic proxy id assignment so that iid values in
	// "show stat" match HAProxy's. 0 when no such line exists.
	CLIProxyID int

	File string // where the first global section starts
	Line int
}

// CPUMap is one "cpu-map [auto:]<process-set>[/<thread-set>] <cpu-set>..."
// line. Threads are numbered from 1 as in HAProxy.
type CPUMap struct {
	Auto        bool  // "auto:" prefix: threads map one to one onto CPUs
	ThreadFirst int   // first thread of the set, >= 1
	ThreadLast  int   // last thread of the set; MaxThreads for "all"
	CPUs        []int // CPU numbers in ascending order, no duplicates
	File        string
	Line        int
}

// MaxThreads is the highest thread number accepted in cpu-map and nbthread.
const MaxThreads = 64

// LogTarget is one "log" line. Only the parsed form is kept here.
type LogTarget struct {
	Global   bool   // "log global" inside a proxy
	Address  string // "127.0.0.1:514", "stdout", "stderr", "/dev/log", "udp@..."
	Format   string // "raw", "rfc3164", "rfc5424", ... ; "" = rfc3164
	Facility string
	Level    string
	MinLevel string
	MaxLen   int // "len"; 0 = default (1024)
	File     string
	Line     int
}

// StatsSocket is one "stats socket" line.
type StatsSocket struct {
	Addr              string      // as written after address prefix removal
	Kind              AddrKind    // AddrUnix, AddrFD, AddrIPv4, AddrIPv6 ...
	Path              string      // unix path (AddrUnix, AddrAbstract)
	FD                int         // inherited fd (AddrFD)
	Host              string      // AddrIPv4/AddrIPv6
	Port              int         // AddrIPv4/AddrIPv6
	Mode              os.FileMode // 0 = not set (umask applies)
	ModeSet           bool
	Level             Level
	ExposeFDListeners bool
	File              string
	Line              int
}

// Level is a CLI access level.
type Level uint8

const (
	LevelUser     Level = 1
	LevelOperator Level = 2
	LevelAdmin    Level = 3
)

func (l Level) String() string {
	switch l {
	case LevelUser:
		return "user"
	case LevelOperator:
		return "operator"
	case LevelAdmin:
		return "admin"
	}
	return fmt.Sprintf("Level(%d)", uint8(l))
}

// AddrKind says how an address was written and therefore how it is opened.
type AddrKind uint8

const (
	AddrIPv4     AddrKind = 1 // "1.2.3.4:80", "*:80", ":80", "ipv4@..."
	AddrIPv6     AddrKind = 2 // "[::1]:80", ":::80", "ipv6@..."
	AddrFD       AddrKind = 3 // "fd@N": an inherited, already listening socket
	AddrUnix     AddrKind = 4 // "/path", "unix@/path"
	AddrAbstract AddrKind = 5 // "abns@name"
	AddrSockpair AddrKind = 6 // "sockpair@N"
)

func (k AddrKind) String() string {
	switch k {
	case AddrIPv4:
		return "ipv4"
	case AddrIPv6:
		return "ipv6"
	case AddrFD:
		return "fd"
	case AddrUnix:
		return "unix"
	case AddrAbstract:
		return "abns"
	case AddrSockpair:
		return "sockpair"
	}
	return fmt.Sprintf("AddrKind(%d)", uint8(k))
}

// Cap is a proxy's set of capabilities.
type Cap uint8

const (
	CapFE Cap = 1 << 0 // frontend: has binds, accepts connections
	CapBE Cap = 1 << 1 // backend: has servers
)

// Mode is a proxy's traffic mode.
type Mode uint8

const (
	ModeTCP  Mode = 1
	ModeHTTP Mode = 2
)

func (m Mode) String() string {
	switch m {
	case ModeTCP:
		return "tcp"
	case ModeHTTP:
		return "http"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// Proxy is a frontend, a backend or a listen section (both capabilities),
// with the values inherited from its defaults section already applied.
type Proxy struct {
	Name     string
	Cap      Cap
	ID       int  // "id" or assigned in declaration order from 1, skipping forced ids
	IDForced bool // true when set with "id"
	Mode     Mode // ModeTCP unless "mode http"
	Disabled bool // "disabled"
	File     string
	Line     int

	Description string // "description"

	// Frontend side.
	Binds          []Bind
	Maxconn        int    // 0 = global maxconn
	DefaultBackend string // "default_backend"; "" sends a listen section's traffic to its own servers
	Backlog        int    // "backlog"; 0 = maxconn

	// Backend side.
	Balance    Balance
	Servers    []*Server
	Retries    int  // "retries"; default 3
	Fullconn   int  // "fullconn"; 0 = computed as HAProxy does
	Redispatch bool // "option redispatch"
	// RedispatchInterval is the <interval> of "option redispatch": -1
	// redispatches on the last retry (the default), N > 0 every Nth retry.
	RedispatchInterval int
	AllBackups         bool // "option allbackups"

	// Check is the health-check method of the backend and its rules
	// ("option httpchk", "tcp-check ...", ...); see [Check].
	Check Check
	// LogHealthChecks is "option log-health-checks": every change of a
	// check's status or of a server's health is logged, not only the
	// transitions between UP and DOWN.
	LogHealthChecks bool

	Timeouts Timeouts
	Splice   Splice
	HTTP     HTTP // mode http settings
	Logs     []LogTarget
	// LogFormat is the traffic log line: "option httplog", "option
	// tcplog" or "log-format" (engine/logs syntax); "" = HAProxy's
	// default line.
	LogFormat string
	LogTag    string // "log-tag" of the proxy; "" = the global one

	// StickTable is the proxy's "stick-table", nil without one.
	StickTable *StickTable
	// StickRules are the "stick on|match|store-request" rules in order.
	StickRules []StickRule
	Options    map[string]bool // other "option X" / "no option X" seen, for warnings and later issues
}

// Timeouts are the "timeout" values of a proxy. Zero means not set.
type Timeouts struct {
	Connect       time.Duration
	Client        time.Duration
	Server        time.Duration
	Tunnel        time.Duration
	ClientFin     time.Duration
	ServerFin     time.Duration
	Queue         time.Duration
	Check         time.Duration
	HTTPRequest   time.Duration
	HTTPKeepAlive time.Duration
	Tarpit        time.Duration
}

// Splice holds the "option splice-*" settings. Set is true once any of
// them (or its "no option" form) appeared, so that the engine can tell an
// explicit choice from its own default.
type Splice struct {
	Set      bool
	Auto     bool // "option splice-auto"
	Request  bool // "option splice-request"
	Response bool // "option splice-response"
}

// Balance is the "balance" line.
type Balance struct {
	Algo         string   // "roundrobin", "static-rr", "leastconn", "first", "source", "uri", "url_param", "hdr", "random", ...
	Args         []string // words after the algorithm, e.g. ["2"] for random(2) or the url_param name
	Hdr          string   // header name for hdr(<name>)
	Draws        int      // random(<draws>); 0 = default 2
	HashType     string   // "map-based" (default) or "consistent"
	HashFunction string   // "sdbm", "djb2", "wt6", "crc32"; "" = not given: sdbm, with avalanche for consistent hashing, as HAProxy
	Avalanche    bool
	File         string
	Line         int
}

// Server is one "server" line.
type Server struct {
	Name     string
	ID       int      // "id" or assigned in declaration order from 1, skipping forced ids
	IDForced bool     // true when set with "id"
	Addr     string   // address as written, without the port
	Host     string   // host name or IP literal, brackets removed; "" for the client's destination
	Port     int      // 0 = same port as the client connected to
	Kind     AddrKind // AddrIPv4 (also host names), AddrIPv6, AddrUnix, AddrAbstract, AddrSockpair
	Path     string   // AddrUnix, AddrAbstract
	Weight   int      // 0..256; default 1
	Maxconn  int      // 0 = unlimited
	Maxqueue int      // 0 = unlimited
	Minconn  int
	Backup   bool
	Disabled bool // starts in maintenance
	NonStick bool // "non-stick": never written to a stick table

	Check         bool
	CheckAddr     string        // "addr": host (IP literal or name) of the checks; "" = server address
	CheckAddrPort int           // port written in "addr <ip>:<port>"; 0 = none
	CheckPort     int           // "port"; 0 = CheckAddrPort, then the server port
	Inter         time.Duration // default 2s
	FastInter     time.Duration // 0 = Inter
	DownInter     time.Duration // 0 = Inter
	Rise          int           // default 2
	Fall          int           // default 3
	Slowstart     time.Duration
	OnMarkedDown  string // "shutdown-sessions" or ""
	OnMarkedUp    string // "shutdown-backup-sessions" or ""

	// Idle connection pool (mode http): valid when the matching Set is
	// true; unset means HAProxy's defaults (no limit, 5 s, no limit).
	PoolMaxConn                           int           // "pool-max-conn": idle connections kept, -1 = no limit
	PoolPurgeDelay                        time.Duration // "pool-purge-delay"
	MaxReuse                              int           // "max-reuse": requests after the first, -1 = no limit
	PoolMaxSet, PoolPurgeSet, MaxReuseSet bool

	// Parsed for later work on checks; see the warnings.
	CheckSSL   bool          // "check-ssl"
	Observe    string        // "observe layer4|layer7"
	ErrorLimit int           // "error-limit"; 0 = default (10)
	OnError    string        // "on-error fastinter|fail-check|sudden-death|mark-down"
	Agent      bool          // "agent-check"
	AgentAddr  string        // "agent-addr"
	AgentPort  int           // "agent-port"
	AgentInter time.Duration // "agent-inter"; 0 = Inter
	AgentSend  string        // "agent-send"
	Track      string        // "track [<backend>/]<server>"
	InitAddr   string        // "init-addr", as written
	Resolvers  string        // "resolvers"

	File string
	Line int
}

// Bind is one address of a "bind" line. A line with several
// comma-separated addresses yields one Bind per address, sharing options.
type Bind struct {
	Addr        string      // as written
	Kind        AddrKind    // AddrIPv4, AddrIPv6, AddrFD, AddrUnix, AddrAbstract
	Host        string      // IP literal, "" for any address; brackets removed
	PortFirst   int         // inclusive; 0 lets the kernel choose
	PortLast    int         // inclusive; PortFirst for a single port
	FD          int         // AddrFD
	Path        string      // AddrUnix, AddrAbstract
	Name        string      // "name"
	V6Only      bool        // "v6only"
	V4V6        bool        // "v4v6"
	Backlog     int         // "backlog"; 0 = proxy backlog
	Maxconn     int         // "maxconn" on the bind line; 0 = none
	DeferAccept bool        // "defer-accept"
	Mode        os.FileMode // unix sockets: "mode"
	ModeSet     bool
	File        string
	Line        int
}

// Severity is the gravity of a [Diag].
type Severity uint8

const (
	SevWarning Severity = 1
	SevAlert   Severity = 2
	SevNotice  Severity = 3 // ".notice" directive; never makes a configuration invalid
)

func (s Severity) String() string {
	switch s {
	case SevWarning:
		return "WARNING"
	case SevAlert:
		return "ALERT"
	case SevNotice:
		return "NOTICE"
	}
	return fmt.Sprintf("Severity(%d)", uint8(s))
}

// Diag is one finding about the configuration, with the place it refers to.
// File and Line are empty/zero for findings about the whole configuration.
type Diag struct {
	Sev  Severity
	File string
	Line int
	Msg  string // message without location and severity; may span several lines
	Form Form   // how String lays out the location, as HAProxy does for this message
}

// Form is the layout of a [Diag]'s location. HAProxy 2.6 is not consistent
// across its messages; each Diag records the layout HAProxy uses for it so
// that String reproduces HAProxy's text exactly.
type Form uint8

const (
	FormParsing      Form = iota // "parsing [f.cfg:3] : msg" (the common case)
	FormParsingTight             // "parsing [f.cfg:3]: msg"
	FormBare                     // "[f.cfg:3] : msg" (server lines)
	FormParsingCap               // "Parsing [f.cfg:3]: msg"
	// FormMsgOnly: HAProxy prints the message without a location; File
	// and Line still say what it is about (a proxy's declaration, the
	// line of a time value...).
	FormMsgOnly
)

// String formats d as the text that follows "config : " in HAProxy's
// messages, e.g. "parsing [f.cfg:3] : unknown keyword 'x' in 'global' section".
func (d Diag) String() string {
	if d.File == "" || d.Form == FormMsgOnly {
		return d.Msg
	}
	switch d.Form {
	case FormParsingTight:
		return fmt.Sprintf("parsing [%s:%d]: %s", d.File, d.Line, d.Msg)
	case FormBare:
		return fmt.Sprintf("[%s:%d] : %s", d.File, d.Line, d.Msg)
	case FormParsingCap:
		return fmt.Sprintf("Parsing [%s:%d]: %s", d.File, d.Line, d.Msg)
	}
	return fmt.Sprintf("parsing [%s:%d] : %s", d.File, d.Line, d.Msg)
}

// Error is returned when a configuration has at least one alert. It holds
// every alert and warning found, in file order.
type Error struct {
	Diags []Diag
}

func (e *Error) Error() string {
	for _, d := range e.Diags {
		if d.Sev == SevAlert {
			return "config: " + d.String()
		}
	}
	return "config: invalid configuration"
}
