package engine

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"hitless/engine/check"
	"hitless/engine/config"
	"hitless/engine/logs"
	"hitless/engine/rules"
	"hitless/lb"
	"hitless/queue"
	"hitless/stick"
)

// Server administrative state bits (HAProxy's srv_admin).
const (
	adminMaint uint32 = 1 << 0 // forced maintenance ("disabled", "disable server")
	adminDrain uint32 = 1 << 1 // drain: no new load-balanced traffic
)

// server is a backend server's runtime state, shared by every reactor.
// Its configuration fields never change after construction; the rest are
// atomics.
type server struct {
	cfg       *config.Server
	be        *backend
	poolMax   int32        // pool-max-conn: idle connections kept, -1 = no limit
	maxReuse  int          // max-reuse: transactions after the first on a connection, -1 = no limit
	purgeMs   int64        // pool-purge-delay
	idle      atomic.Int32 // connections of this server in the reactors' idle pools
	name      string
	id        int
	seq       int // index in Engine.servers
	ctr       int // counter shard index
	backup    bool
	maxconn   atomic.Int64 // 0 = unlimited; "set maxconn server" changes it
	minconn   atomic.Int64 // with fullconn: the dynamic limit's floor; 0 = static maxconn
	weight    atomic.Int32
	admin     atomic.Uint32          // adminMaint | adminDrain
	op        atomic.Uint32          // opRunning, opStopping or opStopped
	chkdown   atomic.Uint64          // transitions to DOWN
	chk       *checker               // the health check; nil without "check"
	slowstart int64                  // ms; 0 = none
	upSince   atomic.Int64           // engine ms when s came back up, while slowstart runs; 0 = not starting
	served    gauge                  // streams holding a connection slot (HAProxy's served)
	dst       atomic.Pointer[srvDst] // where to connect; replaced whole by "set server addr"
	addrMu    sync.Mutex             // serialises address changes
	cfgMaint  atomic.Bool            // the maintenance comes from "disabled" in the configuration
	deleted   atomic.Bool            // removed by "del server": never picked, listed nowhere
	q         *queue.Queue           // streams waiting for this server (hash affinity)
	maxqueue  int64                  // server queue limit; 0 = none
	dynamic   bool                   // added by "add server"
	lastChg   atomic.Int64           // engine clock ms of the last state change
	lastSess  atomic.Int64           // engine clock ms of the last session assigned; 0 = never
	rate      rate                   // sessions per second
}

// usable reports whether the server may receive load-balanced traffic.
func (s *server) usable() bool {
	return s.admin.Load() == 0 && s.op.Load() == opRunning && s.weight.Load() > 0 && !s.deleted.Load()
}

// limit returns the server's current connection limit, 0 for none:
// maxconn, or with minconn the dynamic limit HAProxy computes, which
// grows with the backend's load from minconn at no load to maxconn at
// fullconn sessions.
func (s *server) limit() int64 {
	maxc, minc := s.maxconn.Load(), s.minconn.Load()
	l := max(maxc, 0)
	if maxc > 0 && minc > 0 && minc < maxc {
		be := s.be
		if cur := be.cur.cur.Load(); cur < be.fullconn {
			l = max(minc, cur*maxc/be.fullconn)
		}
	}
	if l > 0 {
		if pct := s.throttle(); pct < 100 {
			l = max(l*int64(pct)/100, 1)
		}
	}
	return l
}

// throttle returns the slowstart percentage of s: 100 unless s came back
// up less than slowstart ago, then the share of slowstart elapsed.
func (s *server) throttle() int {
	since := s.upSince.Load()
	if since == 0 {
		return 100
	}
	el := s.be.e.nanos()/1e6 - since
	if el >= s.slowstart {
		s.upSince.CompareAndSwap(since, 0)
		return 100
	}
	return int(max(el*100/s.slowstart, 0))
}

// full reports whether every connection slot of s is taken.
func (s *server) full() bool {
	l := s.limit()
	return l > 0 && s.served.cur.Load() >= l
}

// status is the "show stat" status column of the server.
func (s *server) status() string {
	switch a := s.admin.Load(); {
	case a&adminMaint != 0:
		return "MAINT"
	case a&adminDrain != 0:
		return "DRAIN"
	}
	op := s.op.Load()
	if c := s.chk; c != nil && c.enabled.Load() {
		h := check.Health{Rise: c.health.Rise, Fall: c.health.Fall, Cur: int(c.stHealth.Load())}
		st := check.OpRunning
		switch op {
		case opStopping:
			st = check.OpStopping
		case opStopped:
			st = check.OpStopped
		}
		return string(h.AppendStatus(nil, st))
	}
	switch op {
	case opStopped:
		return "DOWN"
	case opStopping:
		return "NOLB"
	}
	return "no check"
}

// backend is a proxy with the backend capability. Its server list is fixed
// at construction; server state is in the servers' atomics.
type backend struct {
	cfg        *config.Proxy
	e          *Engine
	logs       []logTarget // where server state and health check messages go
	name       string
	id         int
	ctr        int                       // counter shard index
	srvList    atomic.Pointer[[]*server] // configuration order, then added ones; replaced whole
	retries    int
	redispatch bool
	redispInt  int // -1: on the last retry; N: every Nth retry
	connectTO  int64
	queueTO    int64         // ms a stream may wait in the queue; 0 = forever
	q          *queue.Queue  // streams waiting for any server of the backend
	drainTurn  atomic.Uint32 // rotates the reactor that continues a long drain
	timeouts   msTimeouts
	fullconn   int64
	cur        gauge // sessions assigned to this backend
	rate       rate
	lastSess   atomic.Int64 // engine clock ms of the last session; 0 = never
	downSince  atomic.Int64 // engine clock ms when the last usable server went away; 0 = up

	mu       sync.Mutex // guards the algorithms and the views; never held across I/O
	active   lb.Algorithm
	backups  lb.Algorithm
	keyer    *lb.Keyer // what the algorithm hashes; Input KeyNone for the others
	affinity bool      // a hash algorithm: a stream with a key queues on its server
	actView  view
	bckView  view

	connMode               config.ConnMode // mode http: option httpclose / http-server-close
	reuse                  config.Reuse    // http-reuse
	forwardFor, originalTo config.HeaderOpt
	stats                  *config.Stats // statistics page; nil when disabled
	statsURI               string
	statsScope             []string      // proxies the page shows ("." resolved); nil = all
	statsUsers             []statsUser   // "stats auth" accounts; none = no credentials asked
	statsRealm             string        // realm of the 401 asking for them
	statsAdmin             *statsQueue   // admin actions to apply; nil without "stats admin"
	reqRules               []*rules.Rule // http-request rules of the backend section
	resRules               []*rules.Rule // http-response rules of the backend section
	stick                  []stickRule   // stick match/on/store-request rules, in order
	table                  *stick.Table  // the section's own stick-table; nil without one
}

// pending returns the streams waiting in the backend's queue and in its
// servers' queues (HAProxy's totpend).
func (b *backend) pending() int64 {
	n := b.q.Len()
	for _, s := range b.servers() {
		n += s.q.Len()
	}
	return n
}

// servers returns the backend's servers, deleted ones included (they keep
// their index, which the algorithms' state refers to).
func (b *backend) servers() []*server {
	if l := b.srvList.Load(); l != nil {
		return *l
	}
	return nil
}

// view exposes one of the backend's server sets (active or backup) to an
// lb algorithm. Called with backend.mu held, list being the server list
// of the current pick.
type view struct {
	b      *backend
	list   []*server
	backup bool
	only   int // for the backup view without allbackups: the one backup allowed, -1 none
}

func (v *view) Len() int { return len(v.list) }

func (v *view) Weight(i int) int {
	s := v.list[i]
	if s.backup != v.backup || !s.usable() {
		return 0
	}
	if v.backup && v.only >= 0 && i != v.only {
		return 0
	}
	w := int(s.weight.Load())
	if pct := s.throttle(); pct < 100 && dynamicWeights(v.b) {
		// slowstart ramps the weight of dynamic algorithms up too.
		w = max(w*pct/100, 1)
	}
	return w
}

// Full: a server with streams waiting in its queue counts as full, so that
// a stream without a hash key does not take the slot freed for them (as
// HAProxy's algorithms skip a server with pending streams).
func (v *view) Full(i int) bool {
	s := v.list[i]
	return s.full() || s.q.Len() > 0
}

// Load is what leastconn and random compare: the streams the server
// serves plus those queued on it, as HAProxy's leastconn counts them.
func (v *view) Load(i int) int {
	s := v.list[i]
	return int(max(s.served.cur.Load(), 0) + max(s.q.Len(), 0))
}

// pickResult says why pick did or did not return a server.
type pickResult uint8

const (
	pickOK    pickResult = 1
	pickFull  pickResult = 2 // usable servers exist, all full
	pickNoSrv pickResult = 3 // no usable server at all
	// pickSrvFull: a hash-balanced stream's server is full, or has
	// streams waiting: the stream queues on that server (HAProxy 2.6
	// keeps hash affinity and queues there).
	pickSrvFull pickResult = 4
)

// pickRetries bounds how often pick retries after losing a slot race.
const pickRetries = 4

// pick chooses a server and takes one of its connection slots. avoid, if
// not nil, is skipped when another usable server exists (redispatch). Any
// goroutine may call it. It does not allocate.
func (b *backend) pick(avoid *server, k lb.Key) (*server, pickResult) {
	for attempt := 0; attempt < pickRetries; attempt++ {
		b.mu.Lock()
		list := b.servers()
		b.actView.list, b.bckView.list = list, list
		i := b.active.Pick(&b.actView, k)
		if i >= 0 && list[i] == avoid {
			// Redispatch: a hash would give the same server again, so
			// the second pick is made without the key.
			if j := b.active.Pick(&b.actView, lb.Key{}); j >= 0 {
				i = j
			}
		}
		if i < 0 && !b.anyActiveUsable() {
			b.bckView.only = -1
			if !b.cfg.AllBackups {
				b.bckView.only = b.firstUsableBackup()
			}
			i = b.backups.Pick(&b.bckView, k)
		}
		b.mu.Unlock()
		if i < 0 {
			if b.anyUsable() {
				return nil, pickFull
			}
			return nil, pickNoSrv
		}
		s := list[i]
		if b.affinity && k.Valid && s.q.Len() > 0 {
			return s, pickSrvFull // behind the streams waiting for it
		}
		if s.served.takeBelow(s.limit(), true) {
			return s, pickOK
		}
		if b.affinity && k.Valid {
			return s, pickSrvFull
		}
		// Lost the last slot to another reactor between Pick and take:
		// the algorithm state moved on, so picking again makes progress.
	}
	return nil, pickFull
}

func (b *backend) anyActiveUsable() bool {
	for _, s := range b.servers() {
		if !s.backup && s.usable() {
			return true
		}
	}
	return false
}

func (b *backend) anyUsable() bool {
	for _, s := range b.servers() {
		if s.usable() {
			return true
		}
	}
	return false
}

func (b *backend) firstUsableBackup() int {
	for i, s := range b.servers() {
		if s.backup && s.usable() {
			return i
		}
	}
	return -1
}

// status is the "show stat" status of the backend row.
func (b *backend) status() string {
	if b.anyUsable() {
		return "UP"
	}
	return "DOWN"
}

// frontend is a proxy with the frontend capability.
type frontend struct {
	cfg                  *config.Proxy
	name                 string
	id                   int
	ctr                  int // counter shard index
	maxconn              int64
	backend              *backend
	cur                  gauge // connections accepted and not yet closed
	rate                 rate
	specs                []*listenSpec
	timeouts             msTimeouts
	spliceReq, spliceRes uint8 // splice policy of each direction

	// mode http
	http       bool
	connMode   config.ConnMode
	forwardFor config.HeaderOpt
	originalTo config.HeaderOpt
	monitorURI string
	reqTO      int64 // timeout http-request, ms; 0 = none
	kaTO       int64 // timeout http-keep-alive, ms; 0 = none
	tarpitTO   int64 // timeout tarpit (else timeout connect), ms
	reqRate    rate  // HTTP requests per second
	reqRules   []*rules.Rule
	resRules   []*rules.Rule
	redirects  []*rules.Rule
	switching  []switchRule

	logFmt      *logs.Format // nil: no traffic log
	logAtAccept bool         // no log format: HAProxy's line at accept time
	logs        []logTarget

	// Captures, unique id and logging options (httplog.go).
	reqCaps, resCaps []config.Capture
	cookieCap        config.Capture
	uidFmt           *logs.Format // "unique-id-format"; nil when none
	uidHeader        string       // "unique-id-header"; "" when none
	needReqID        bool         // %rt is printed: number the transactions
	dontLogNull      bool         // "option dontlognull"
	logASAP          bool         // "option logasap"
	table            *stick.Table // the section's own stick-table; nil without one
}

// switchRule is a use_backend line, resolved.
type switchRule struct {
	cond *rules.Cond
	be   *backend
}

// listenSpec is one address a frontend listens on, resolved from a bind
// line. Each reactor opens its own SO_REUSEPORT socket for it, except for
// inherited and unix sockets, which exist once and are shared.
type listenSpec struct {
	fe      *frontend
	bind    *config.Bind
	family  int
	sa      unix.Sockaddr // nil for inherited sockets
	port    int           // local port (after binding port 0: the chosen one)
	backlog int
	shared  bool // one socket for all reactors (fd@, unix, abns)
	fd      int  // the shared socket, -1 if none
	name    string
	refs    atomic.Int32 // reactors still holding the shared socket
	closed  atomic.Bool  // the shared socket was closed
}

// closeShared closes the shared socket once.
func (sp *listenSpec) closeShared() {
	if sp.fd >= 0 && !sp.closed.Swap(true) {
		unix.Close(sp.fd)
	}
}

// srvDst is a server's destination. It is immutable once published in
// server.dst: a change publishes a new one.
type srvDst struct {
	family int // unix.AF_INET or unix.AF_INET6
	sa4    unix.SockaddrInet4
	sa6    unix.SockaddrInet6
	addr   netip.AddrPort // port 0 = the port the client connected to
}

// newDst builds the destination ip:port.
func newDst(ip netip.Addr, port int) *srvDst {
	ip = ip.Unmap()
	d := &srvDst{addr: netip.AddrPortFrom(ip, uint16(port))}
	if ip.Is4() {
		d.family = unix.AF_INET
		d.sa4 = unix.SockaddrInet4{Port: port, Addr: ip.As4()}
		return d
	}
	d.family = unix.AF_INET6
	d.sa6 = unix.SockaddrInet6{Port: port, Addr: ip.As16()}
	if z := ip.Zone(); z != "" {
		if ifi, err := net.InterfaceByName(z); err == nil {
			d.sa6.ZoneId = uint32(ifi.Index)
		}
	}
	return d
}

// resolveServer sets the destination of s from its configuration. Host
// names are resolved once, at start-up, as HAProxy's default init-addr
// does.
func resolveServer(s *server, timeout time.Duration) error {
	host, port := s.cfg.Host, s.cfg.Port
	ip, err := netip.ParseAddr(host)
	if err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		addrs, lerr := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if lerr != nil || len(addrs) == 0 {
			return fmt.Errorf("could not resolve address '%s'", host)
		}
		ip = addrs[0]
		for _, a := range addrs {
			if a.Is4() || a.Is4In6() {
				ip = a
				break
			}
		}
	}
	s.dst.Store(newDst(ip, port))
	return nil
}

// maxDynamicServers bounds the servers "add server" may create over the
// process's life: each reactor's counter shard is sized for them at
// start-up, so that adding one never resizes what reactors write to.
const maxDynamicServers = 1024

// newServer builds the runtime state of the server sc of b, resolving
// its address. It takes a counter slot; the caller publishes it.
func (e *Engine) newServer(b *backend, sc *config.Server) (*server, error) {
	s := &server{cfg: sc, be: b, name: sc.Name, id: sc.ID, ctr: e.nctr, backup: sc.Backup,
		q: queue.New(e.nreactors), maxqueue: int64(sc.Maxqueue)}
	s.slowstart = sc.Slowstart.Milliseconds()
	s.poolMax, s.maxReuse, s.purgeMs = -1, -1, poolPurgeMs
	if sc.PoolMaxSet {
		s.poolMax = int32(sc.PoolMaxConn)
	}
	if sc.MaxReuseSet {
		s.maxReuse = sc.MaxReuse
	}
	if sc.PoolPurgeSet {
		s.purgeMs = max(sc.PoolPurgeDelay.Milliseconds(), 1)
	}
	s.maxconn.Store(int64(sc.Maxconn))
	s.minconn.Store(int64(sc.Minconn))
	s.weight.Store(int32(sc.Weight))
	if err := resolveServer(s, e.opts.ResolveTimeout); err != nil {
		return nil, err
	}
	e.nctr++
	return s, nil
}

// publishServer appends s to the engine's and its backend's server lists,
// copying them: readers keep the list they loaded. Callers serialise on
// adminMu once the engine runs.
func (e *Engine) publishServer(s *server) {
	all := e.serverList()
	s.seq = len(all)
	nall := append(all[:len(all):len(all)], s)
	e.allSrv.Store(&nall)
	b := s.be
	l := b.servers()
	nl := append(l[:len(l):len(l)], s)
	b.srvList.Store(&nl)
}

// serverList returns every server ever created, by seq.
func (e *Engine) serverList() []*server {
	if l := e.allSrv.Load(); l != nil {
		return *l
	}
	return nil
}

// serverBySeq returns the server with sequence number seq.
func (e *Engine) serverBySeq(seq int32) *server { return e.serverList()[seq] }
