package cli

import (
	"errors"
	"net/netip"
	"strconv"
	"time"
)

// Admin is what the server-administration commands (set server, get and
// set weight, enable and disable, shutdown sessions, add and del server,
// show servers, show backend, wait) ask of the engine. The engine
// implements it beside [Source]; [Options.Admin] hands it to the server,
// which registers those commands only when it is set.
//
// Methods are called from session goroutines, several at once: the
// implementation must be safe for concurrent use, and must not block on a
// reactor for long (read atomics, or post to the reactors and wait for
// their answers with a bound). The commands parse and validate their
// arguments and word every answer as HAProxy 2.6 does; the engine only
// looks up, reports and applies.
//
// Errors: the sentinel errors of this file (ErrNoBackend, ErrNoServer, ...)
// are turned into HAProxy's messages by the commands. Any other error is
// shown to the user as its Error() text, so the engine words it like
// HAProxy would ("'cookie' option is not accepted for dynamic server",
// "changing the address is not supported at run time"): followed by a
// newline, except in the answers of del server and wait, whose messages
// are single lines ending without one.
type Admin interface {
	// AppendBackends appends every proxy with the backend capability
	// (backends and listen sections, disabled ones included), in
	// configuration order, and returns dst. The caller owns the result.
	AppendBackends(dst []BackendState) []BackendState

	// Backend returns backend b, or ErrNoBackend.
	Backend(b Ref) (BackendState, error)

	// AppendServers appends the servers of backend b in their order (the
	// configuration's, then those added at run time), or returns
	// ErrNoBackend. The caller owns the result, slices included.
	AppendServers(dst []ServerState, b Ref) ([]ServerState, error)

	// Server returns server s of backend b, or ErrNoBackend or
	// ErrNoServer.
	Server(b, s Ref) (ServerState, error)

	// SetServerAdmin applies "set server b/s state ready|drain|maint"
	// (and "enable server", "disable server"): ready clears the forced
	// maintenance and drain, drain sets forced drain and clears forced
	// maintenance, maint sets forced maintenance and clears forced drain.
	SetServerAdmin(b, s Ref, t AdminTarget) error

	// SetServerHealth forces the result of a check: for CheckHealth
	// ("set server b/s health"), up and stopping set the health to
	// rise+fall-1 and down to 0, and the server goes running, stopping or
	// stopped; for CheckAgent ("set server b/s agent", HealthUp or
	// HealthDown only) the same with the agent's health. The command has
	// already refused tracking servers (health) and servers whose agent is
	// not enabled (agent); the engine may refuse with ErrTracking or
	// ErrCheckNotEnabled if that changed meanwhile.
	SetServerHealth(b, s Ref, k CheckKind, h Health) error

	// SetServerWeight sets the user weight, 0..256. The command has
	// already turned a percentage into an absolute weight and refused
	// weights a static algorithm cannot take (see
	// BackendState.DynamicWeights); the engine may still answer
	// ErrStaticLB.
	SetServerWeight(b, s Ref, weight int) error

	// SetServerMaxconn sets the server's maxconn ("set maxconn server").
	// The value is what HAProxy stores in its int field, seen unsigned:
	// 0 is no limit, and "-3" arrives as 4294967293 (no limit in effect,
	// as in HAProxy). When maxconn equals minconn (a static limit) both
	// change.
	SetServerMaxconn(b, s Ref, maxconn uint32) error

	// UpdateServerAddr changes the service address and port ("set server
	// b/s addr"). The engine calls update exactly once, with the current
	// address, while no other change of that server's address can
	// interleave; update is quick and never blocks. If it returns true the
	// engine applies next's Addr, Port and MapPorts (closing the idle
	// connections to the old address, as HAProxy does).
	UpdateServerAddr(b, s Ref, update func(cur ServerAddr) (next ServerAddr, apply bool)) error

	// SetCheckTarget changes where the health check (check-addr,
	// check-port) or the agent (agent-addr, agent-port) connects. An
	// invalid addr leaves the address unchanged, a negative port the port.
	// The command has checked that the check is enabled; the engine
	// answers ErrCheckNotEnabled if that changed meanwhile.
	SetCheckTarget(b, s Ref, k CheckKind, addr netip.Addr, port int) error

	// SetAgentSend sets the string sent to the agent ("agent-send").
	SetAgentSend(b, s Ref, send string) error

	// SetCheckEnabled enables or disables the health check or the agent
	// ("enable health", "disable agent", ...). Enabling a check that is
	// not configured answers ErrCheckNotConfigured; disabling it is a
	// no-op, as in HAProxy.
	SetCheckEnabled(b, s Ref, k CheckKind, on bool) error

	// ShutdownServerSessions closes every stream established on the
	// server ("shutdown sessions server"), termination flag K.
	ShutdownServerSessions(b, s Ref) error

	// ShutdownSession closes the stream with that id, the number show sess
	// prints as "0x..." ("shutdown session"), or answers ErrNoSession.
	ShutdownSession(id uint64) error

	// ServerRemovable reports whether DelServer would succeed now: nil,
	// ErrServerInUse while connections, queued streams or idle
	// connections remain (the one condition "wait srv-removable" waits
	// out), or a lasting refusal: ErrNoBackend, ErrNoServer,
	// ErrServerReferenced, ErrServerNotInMaint, or an error of the
	// engine's own.
	ServerRemovable(b, s Ref) error

	// BackendRemovable reports whether backend b could be removed now,
	// for "wait be-removable": nil, ErrBackendInUse while it still has
	// servers or streams, or a lasting refusal (ErrNoBackend, or an error
	// of the engine's own, for instance because hitless cannot remove
	// backends).
	BackendRemovable(b Ref) error

	// AddServer creates server name in backend b from the rest of an
	// "add server" line: args[0] is "<addr>[:<port>]" (never empty) and
	// the following words are server keywords. As in HAProxy, the server
	// starts in forced maintenance, its id is the lowest free one unless
	// "id" is given, and without a port it uses the port the client
	// connected to (MapPorts, offset 0). The command has already refused
	// unknown, disabled and static backends. Errors: ErrNoBackend,
	// ErrStaticLB, ErrServerExists (checked after the keywords), or the
	// engine's own parsing or "not accepted for dynamic server" message.
	AddServer(b Ref, name string, args []string) error

	// DelServer removes server s from backend b. Errors: ErrNoBackend,
	// ErrNoServer, ErrServerReferenced, ErrServerNotInMaint,
	// ErrServerInUse, in that order of precedence.
	DelServer(b, s Ref) error
}

// Errors the Admin returns and the commands word as HAProxy 2.6 does.
var (
	ErrNoBackend          = errors.New("cli: no such backend")
	ErrNoServer           = errors.New("cli: no such server")
	ErrBackendDisabled    = errors.New("cli: backend is disabled")
	ErrStaticLB           = errors.New("cli: backend uses a static load balancing algorithm")
	ErrTracking           = errors.New("cli: server tracks another server")
	ErrCheckNotConfigured = errors.New("cli: check not configured")
	ErrCheckNotEnabled    = errors.New("cli: check not enabled")
	ErrServerExists       = errors.New("cli: server name already used in backend")
	ErrServerReferenced   = errors.New("cli: server referenced by the configuration")
	ErrServerNotInMaint   = errors.New("cli: server not in maintenance")
	ErrServerInUse        = errors.New("cli: server still has connections")
	ErrBackendInUse       = errors.New("cli: backend still in use")
	ErrNoSession          = errors.New("cli: no such session")
)

// Ref designates a backend or a server the way HAProxy's commands accept
// it: by name, or by numeric id when written "#<id>". The commands build
// it with HAProxy's rules: a backend "#<x>" is looked up by the id atoi(x)
// only; a server "#<x>" by that id when it is not negative, by the name
// "#<x>" otherwise. Lookups by name compare exactly, lookups by id match
// the id only (0 included).
type Ref struct {
	Name string // compared when ByID is false
	ID   int    // compared when ByID is true
	ByID bool
}

// Matches reports whether an object with that name and id is the one r
// designates. Engines and fakes with a linear scan use it.
func (r Ref) Matches(name string, id int) bool {
	if r.ByID {
		return id == r.ID
	}
	return name == r.Name
}

// String returns r as the user wrote it, "#<id>" or the name.
func (r Ref) String() string {
	if r.ByID {
		return "#" + strconv.Itoa(r.ID)
	}
	return r.Name
}

// BackendState describes a proxy with the backend capability.
type BackendState struct {
	Name     string
	ID       int  // HAProxy's proxy uuid ("be_id", "bkid")
	ForcedID bool // the id comes from an "id" keyword ("bk_f_forced_id")

	// Disabled: "disabled" in the configuration, or stopped. Server
	// changes are refused with "Proxy is disabled."; reads still work.
	Disabled bool

	// DynamicWeights: the balance algorithm takes weight changes at run
	// time (HAProxy's BE_LB_PROP_DYN: roundrobin, leastconn, first, and
	// the consistent hashes). Otherwise a server's weight may only be set
	// to 0 or its initial weight, and "add server" is refused.
	DynamicWeights bool
}

// ServerState is a snapshot of one server, for the show commands and for
// the checks commands make before changing something.
type ServerState struct {
	Backend BackendState // the server's backend

	Name     string
	ID       int  // "srv_id", "svid"; 0 in a disabled backend, as in HAProxy
	ForcedID bool // the id comes from an "id" keyword ("srv_f_forced_id")
	Dynamic  bool // added at run time with "add server"

	// Addr is the server's address; invalid when it has no IP address
	// (unix socket, name not resolved): shown as "-", and "set server
	// addr" is then refused.
	Addr netip.Addr
	// Port is the service port ("srv_port"); with MapPorts it is an
	// offset added to the port the client connected to, "+N" or "-N"
	// stored as a uint16 ("-3" is 65533), as HAProxy stores it.
	Port     uint16
	MapPorts bool
	FQDN     string // "srv_fqdn"; "" = none
	UseSSL   bool   // "srv_use_ssl"
	Tracks   string // "backend/server" this server tracks; "" = none

	OpState     OpState
	AdminState  AdminState
	Uweight     int           // user weight, the one "set weight" changes ("srv_uweight")
	Iweight     int           // initial weight, from the configuration ("srv_iweight")
	SinceChange time.Duration // since the last state change ("srv_time_since_last_change", in seconds)

	Check CheckState // the health check
	Agent CheckState // the agent check

	Conns ServerConns // "show servers conn"
}

// ServerAddr is the part of a server UpdateServerAddr changes.
type ServerAddr struct {
	Addr     netip.Addr // invalid: no IP address; the command refuses to change it
	Port     uint16     // service port, or offset with MapPorts
	MapPorts bool       // Port is an offset ("+N", "-N")
	// CheckPort is the health check's own port (0 = it uses the service
	// port): switching to mapped ports needs one. Read only.
	CheckPort uint16
}

// OpState is a server's operational state, numbered as HAProxy's
// SRV_ST_* ("srv_op_state").
type OpState uint8

const (
	OpStopped  OpState = 0
	OpStarting OpState = 1
	OpRunning  OpState = 2
	OpStopping OpState = 3
)

// AdminState is a server's administrative state, the bits of HAProxy's
// SRV_ADMF_* ("srv_admin_state").
type AdminState uint8

const (
	AdminForcedMaint     AdminState = 0x01 // "set server state maint", "disable server"
	AdminInheritedMaint  AdminState = 0x02 // the tracked server is in maintenance
	AdminConfigMaint     AdminState = 0x04 // "disabled" in the configuration
	AdminForcedDrain     AdminState = 0x08 // "set server state drain"
	AdminInheritedDrain  AdminState = 0x10 // the tracked server drains
	AdminResolutionMaint AdminState = 0x20 // name resolution failed
	AdminHostnameMaint   AdminState = 0x40 // no address yet
)

// AdminTarget is the argument of "set server b/s state".
type AdminTarget uint8

const (
	TargetReady AdminTarget = iota + 1
	TargetDrain
	TargetMaint
)

// CheckKind tells the health check from the agent check.
type CheckKind uint8

const (
	CheckHealth CheckKind = iota + 1
	CheckAgent
)

// Health is the argument of "set server b/s health" and "agent".
type Health uint8

const (
	HealthUp Health = iota + 1
	HealthStopping
	HealthDown
)

// CheckResult is the outcome of the latest check, numbered as HAProxy's
// CHK_RES_* ("srv_check_result").
type CheckResult uint8

const (
	CheckResultUnknown  CheckResult = 0
	CheckResultNeutral  CheckResult = 1
	CheckResultFailed   CheckResult = 2
	CheckResultPassed   CheckResult = 3
	CheckResultCondPass CheckResult = 4
)

// CheckState is the state of a health check or of an agent check.
type CheckState struct {
	Configured bool // "check", "agent-check" in the configuration (CHK_ST_CONFIGURED)
	Enabled    bool // not disabled by "disable health/agent" (CHK_ST_ENABLED)
	Paused     bool // the server is configured "disabled" (CHK_ST_PAUSED)
	InProgress bool // a check is running (CHK_ST_INPROGRESS)

	// Status is the short status as show stat prints it ("L4OK",
	// "L7STS", see CheckStat.Status); "" or unknown strings count as UNK.
	// Servers without a check report "INI", as HAProxy does.
	Status string
	Result CheckResult
	Health int // current health, 0..Rise+Fall-1
	Rise   int
	Fall   int

	Addr netip.Addr // check-addr, agent-addr; invalid = none ("-")
	Port uint16     // check port, agent-port; 0 = none
}

// ServerConns are the connection figures of "show servers conn".
type ServerConns struct {
	PurgeDelay uint32 // "pool-purge-delay" in ms
	UsedCur    uint32 // connections in use
	UsedMax    uint32 // highest UsedCur
	NeedEst    uint32 // estimated connections needed
	UnsafeIdle uint32 // idle connections not safe for reuse
	SafeIdle   uint32 // idle connections safe for reuse
	IdleLimit  int    // "pool-max-conn"; -1 = no limit
	IdleCur    uint32 // idle connections
	// IdlePerThread are the idle connections of each thread, nil when the
	// server keeps none (HAProxy then prints no per-thread column).
	IdlePerThread []uint32
}

// checkStatusCodes are the numbers of HAProxy's HCHK_STATUS_* values
// ("srv_check_status"), by short name.
var checkStatusCodes = map[string]int{
	"UNK": 0, "INI": 1, "START": 2, "CHECKED": 3, "HANA": 4, "SOCKERR": 5,
	"L4OK": 6, "L4TOUT": 7, "L4CON": 8, "L6OK": 9, "L6TOUT": 10, "L6RSP": 11,
	"L7TOUT": 12, "L7RSP": 13, "L57DATA": 14, "L7OK": 15, "L7OKC": 16, "L7STS": 17,
	"PROCERR": 18, "PROCTOUT": 19, "PROCOK": 20,
}

// Bits of HAProxy's check state ("srv_check_state", "srv_agent_state").
const (
	chkInProgress = 0x01
	chkConfigured = 0x02
	chkEnabled    = 0x04
	chkPaused     = 0x08
	chkAgent      = 0x10
)

// stateBits returns the check's state as HAProxy's CHK_ST_* bits.
func (c *CheckState) stateBits() int {
	b := 0
	if c.InProgress {
		b |= chkInProgress
	}
	if c.Configured {
		b |= chkConfigured
	}
	if c.Enabled {
		b |= chkEnabled
	}
	if c.Paused {
		b |= chkPaused
	}
	return b
}
