package engine

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"hitless/affinity"
	"hitless/engine/config"
	"hitless/engine/h1"
	"hitless/engine/logs"
	"hitless/lb"
	"hitless/poller"
	"hitless/queue"
	"hitless/stick"
)

// Options are the engine settings that do not come from the configuration.
type Options struct {
	// Logf receives operational messages (bind problems, pinning failures,
	// unexpected system call errors). Nil discards them. It must be safe
	// for concurrent use; it is never called per request.
	Logf func(format string, args ...any)
	// Alertf receives the alerts HAProxy prints as such ("backend x has
	// no server available!"). Nil sends them to Logf.
	Alertf func(format string, args ...any)
	// Nbthread overrides the configuration's nbthread when > 0.
	Nbthread int
	// ResolveTimeout bounds start-up DNS resolution of server names.
	ResolveTimeout time.Duration
	// Inherited are listening sockets received from the previous process
	// (-x, _getsocks). The engine owns them from New on. Start listens on
	// each one whose address, type and IPV6_V6ONLY match a bind instead of
	// opening a socket (each used once; those beyond one per reactor
	// become extra listeners, as closing them would reset their queues)
	// and closes the others; Close of an engine never started closes them
	// all.
	Inherited []int
}

// Engine runs a configuration: its reactors, listeners, frontends,
// backends and servers. Methods are safe for concurrent use unless stated.
type Engine struct {
	cfg   *config.Config
	opts  Options
	start time.Time // monotonic origin of the reactor clock

	reactors  []*reactor
	frontends []*frontend
	backends  []*backend
	tables    map[string]*stick.Table // stick tables by proxy name; fixed after New
	tableList []*stick.Table          // the same in configuration order
	// tablesShown is tableList reversed, the order of "show table".
	tablesShown []*stick.Table
	allSrv      atomic.Pointer[[]*server] // every server ever created, by seq; replaced whole on "add server"
	adminMu     sync.Mutex                // serialises adding and deleting servers
	checkTurn   atomic.Uint32             // rotates the reactor that runs the next checker
	nctr        int                       // counter objects (frontends, backends, servers); grows with "add server"
	nreactors   int

	maxconn   int64
	maxAccept int
	maxpipes  int64
	bufsize   int
	pid       int
	sinks     map[sinkKey]*logs.Sink // log targets, opened once
	maxHead   int                    // largest HTTP head: bufsize - maxrewrite
	h1lim     h1.Limits              // parser limits of mode http
	pipesUsed atomic.Int64           // pipes alive, pooled or held by a stream
	pipesBusy atomic.Int64           // pipes held by a stream

	global       gauge         // client connections alive (CurrConns)
	cumConns     atomic.Uint64 // accepted connections (CumConns)
	reqIDs       atomic.Uint64 // transactions numbered for %rt
	connRate     rate
	slotWaiters  atomic.Uint64 // bit i: reactor i paused a listener for lack of slots
	fdShortage   atomic.Uint64 // accept failures with EMFILE/ENFILE
	drainRefused atomic.Uint64 // queued connections left at soft stop (maxconn reached)

	stopping atomic.Bool
	started  atomic.Bool
	running  sync.WaitGroup
	done     chan struct{}
	doneOnce sync.Once
	stopMu   sync.Mutex
	shared   []*listenSpec // sockets shared by the reactors, closed after them

	// exportMu orders ExportListeners with the start of a stop, so that
	// the descriptors it sends are open. listenFDs is set by Start.
	exportMu  sync.Mutex
	exported  bool  // the listeners went to another process (once only)
	listenFDs []int // every listening socket, each once
}

// ErrNoBackend is returned when a frontend has no backend to send to.
var ErrNoBackend = errors.New("engine: frontend without backend")

// New builds an engine for cfg: it resolves server addresses, sizes
// limits, plans CPU placement and creates one poller per reactor. Nothing
// listens until [Engine.Start].
func New(cfg *config.Config, opts Options) (*Engine, error) {
	if opts.ResolveTimeout <= 0 {
		opts.ResolveTimeout = 5 * time.Second
	}
	e := &Engine{cfg: cfg, opts: opts, start: time.Now(), done: make(chan struct{}), pid: os.Getpid()}
	g := &cfg.Global

	usable := usableCPUs()
	nb := g.Nbthread
	if opts.Nbthread > 0 {
		nb = opts.Nbthread
	}
	if nb <= 0 {
		nb = len(usable)
		if nb == 0 {
			nb = 1
		}
	}
	maps := make([]affinity.Map, len(g.CPUMaps))
	for i, m := range g.CPUMaps {
		maps[i] = affinity.Map{Auto: m.Auto, ThreadFirst: m.ThreadFirst, ThreadLast: m.ThreadLast, CPUs: m.CPUs}
	}
	plan, err := affinity.Resolve(maps, nb, usable)
	if err != nil {
		return nil, err
	}

	e.bufsize = orDefault(g.TuneBufsize, 16384)
	// A head must leave tune.maxrewrite bytes of its buffer free for
	// rewriting; HAProxy caps maxrewrite at half the buffer.
	e.maxHead = e.bufsize - min(orDefault(g.TuneMaxrewrite, 1024), e.bufsize/2)
	e.h1lim = h1.Limits{MaxHead: e.maxHead}
	e.maxAccept = orDefault(g.TuneMaxaccept, 64)
	e.maxconn = int64(g.Maxconn)
	if e.maxconn <= 0 {
		e.maxconn = defaultMaxconn()
	}
	e.maxpipes = int64(g.Maxpipes)
	if e.maxpipes <= 0 {
		e.maxpipes = max(e.maxconn/4, 1)
	}
	if g.NoSplice {
		e.maxpipes = 0
	}

	e.nreactors = nb
	if err := e.buildProxies(); err != nil {
		return nil, err
	}
	if err := e.buildTables(); err != nil {
		return nil, err
	}
	for i := 0; i < nb; i++ {
		p, err := poller.New()
		if err != nil {
			e.closePollers()
			return nil, err
		}
		r := &reactor{
			id:       i,
			e:        e,
			p:        p,
			cpus:     plan.Threads[i],
			evs:      make([]poller.Event, orDefault(g.TuneMaxpollevents, 200)),
			ctr:      make([]counters, e.nctr+maxDynamicServers),
			bufs:     bufPool{size: e.bufsize},
			pipeSize: orDefault(g.TunePipesize, 64<<10),
		}
		r.pipes = pipePool{used: &e.pipesUsed, busy: &e.pipesBusy, max: e.maxpipes, size: g.TunePipesize}
		r.idle.tm.kind = timerIdle
		r.hscratch = make([]byte, 0, e.bufsize)
		r.hextra = make([]byte, 0, 1024)
		e.reactors = append(e.reactors, r)
	}
	if err := e.newCheckers(); err != nil {
		e.closePollers()
		return nil, err
	}
	return e, nil
}

// lbOptions translates a backend's balance settings for lb.
func lbOptions(p *config.Proxy) lb.Options {
	bal := &p.Balance
	o := lb.Options{Algo: bal.Algo, Args: bal.Args, HashType: bal.HashType, HashFunction: bal.HashFunction,
		Avalanche: bal.Avalanche, N: len(p.Servers), Seed: uint64(time.Now().UnixNano()),
		PreserveAffinity: true}
	switch bal.Algo {
	case "hdr":
		o.Algo = "hdr(" + bal.Hdr + ")"
	case "random":
		if bal.Draws > 0 {
			o.Algo = "random(" + strconv.Itoa(bal.Draws) + ")"
		}
	}
	for _, s := range p.Servers {
		o.IDs = append(o.IDs, s.ID)
		o.Weights = append(o.Weights, s.Weight)
	}
	return o
}

func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// usableCPUs returns the CPUs the process may run on, ascending.
func usableCPUs() []int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil
	}
	var out []int
	for c := 0; c < len(set)*64; c++ {
		if set.IsSet(c) {
			out = append(out, c)
		}
	}
	return out
}

// defaultMaxconn derives maxconn from the file descriptor limit as HAProxy
// does when none is configured: each connection needs two sockets plus a
// share of the splice pipes, and a reserve is kept for listeners, logs and
// the CLI.
func defaultMaxconn() int64 {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil || rl.Cur == unix.RLIM_INFINITY {
		return 4096
	}
	n := (int64(rl.Cur) - 100) * 2 / 5 // 2 fds per connection + maxconn/4 pipes of 2 fds
	if n < 1 {
		n = 1
	}
	return n
}

func (e *Engine) buildProxies() error {
	cfg := e.cfg
	be := map[string]*backend{}
	for _, p := range cfg.Proxies {
		if p.Cap&config.CapBE == 0 || p.Disabled {
			continue
		}
		b := &backend{cfg: p, e: e, name: p.Name, id: p.ID, ctr: e.nctr, retries: p.Retries,
			redispatch: p.Redispatch, redispInt: p.RedispatchInterval, q: queue.New(e.nreactors),
			connMode: p.HTTP.ConnMode, reuse: p.HTTP.Reuse,
			reqRules: p.HTTP.RequestRules, resRules: p.HTTP.ResponseRules,
			forwardFor: p.HTTP.ForwardFor, originalTo: p.HTTP.OriginalTo}
		e.nctr++
		var err error
		if b.logs, err = e.logTargets(p); err != nil {
			return err
		}
		b.timeouts = timeoutsOf(p)
		b.connectTO = b.timeouts.connect
		// "timeout queue" falls back to "timeout connect", as in HAProxy.
		b.queueTO = b.timeouts.queue
		if b.queueTO == 0 {
			b.queueTO = b.connectTO
		}
		lo := lbOptions(p)
		algo, err := lb.New(lo)
		if err != nil {
			return fmt.Errorf("proxy '%s': balance '%s': %w", p.Name, p.Balance.Algo, err)
		}
		b.active = algo
		lo.Seed++
		b.backups, _ = lb.New(lo)
		b.keyer, _ = lb.NewKeyer(lo)
		b.affinity = b.keyer.Input != lb.KeyNone
		b.actView = view{b: b}
		b.bckView = view{b: b, backup: true, only: -1}
		for _, sc := range p.Servers {
			s, err := e.newServer(b, sc)
			if err != nil {
				return fmt.Errorf("parsing [%s:%d] : 'server %s/%s' : %w", sc.File, sc.Line, p.Name, sc.Name, err)
			}
			if sc.Disabled {
				s.admin.Store(adminMaint)
				s.cfgMaint.Store(true)
			}
			e.publishServer(s)
		}
		if st := &p.HTTP.Stats; st.Enabled && p.Mode == config.ModeHTTP {
			b.stats, b.statsURI = st, st.URI
			if b.statsURI == "" {
				b.statsURI = defaultStatsURI
			}
			b.initStats()
		}
		be[p.Name] = b
		e.backends = append(e.backends, b)
	}
	for _, p := range cfg.Proxies {
		if p.Cap&config.CapFE == 0 || p.Disabled {
			continue
		}
		fe := &frontend{cfg: p, name: p.Name, id: p.ID, ctr: e.nctr, maxconn: int64(p.Maxconn)}
		e.nctr++
		if fe.maxconn <= 0 {
			fe.maxconn = e.maxconn
		}
		fe.timeouts = timeoutsOf(p)
		if p.Mode == config.ModeHTTP {
			fe.http = true
			fe.connMode = p.HTTP.ConnMode
			fe.forwardFor, fe.originalTo = p.HTTP.ForwardFor, p.HTTP.OriginalTo
			fe.monitorURI = p.HTTP.MonitorURI
			fe.reqTO = p.Timeouts.HTTPRequest.Milliseconds()
			fe.kaTO = p.Timeouts.HTTPKeepAlive.Milliseconds()
			fe.tarpitTO = p.Timeouts.Tarpit.Milliseconds()
			if fe.tarpitTO == 0 {
				fe.tarpitTO = p.Timeouts.Connect.Milliseconds() // HAProxy's fallback
			}
			fe.reqRules, fe.resRules, fe.redirects = p.HTTP.RequestRules, p.HTTP.ResponseRules, p.HTTP.Redirects
			for _, ub := range p.HTTP.UseBackends {
				if b := be[ub.Name]; b != nil {
					fe.switching = append(fe.switching, switchRule{cond: ub.Cond, be: b})
				}
			}
		}
		switch {
		case p.DefaultBackend != "":
			fe.backend = be[p.DefaultBackend]
		case p.Cap&config.CapBE != 0:
			fe.backend = be[p.Name]
		}
		fe.spliceReq, fe.spliceRes = spliceModes(p, fe.backend, e.maxpipes)
		if err := e.buildLogs(fe, p); err != nil {
			e.closeSinks()
			return err
		}
		backlog := p.Backlog
		if backlog <= 0 {
			backlog = int(fe.maxconn)
		}
		for i := range p.Binds {
			b := &p.Binds[i]
			specs, err := specsForBind(fe, b)
			if err != nil {
				return fmt.Errorf("parsing [%s:%d] : 'bind %s' : %w", b.File, b.Line, b.Addr, err)
			}
			for _, sp := range specs {
				sp.backlog = backlog
				if b.Backlog > 0 {
					sp.backlog = b.Backlog
				}
			}
			fe.specs = append(fe.specs, specs...)
		}
		e.frontends = append(e.frontends, fe)
	}
	// fullconn defaults to 10% of the maxconn of the frontends that send
	// to the backend, as in HAProxy.
	for _, b := range e.backends {
		b.fullconn = int64(b.cfg.Fullconn)
		if b.fullconn > 0 {
			continue
		}
		var sum int64
		for _, fe := range e.frontends {
			if fe.backend == b {
				sum += fe.maxconn
			}
		}
		b.fullconn = max((sum+9)/10, 1)
	}
	return nil
}

// msTimeouts are a proxy's timeouts in ms, 0 = none.
type msTimeouts struct {
	connect, client, server, tunnel, clientFin, serverFin, queue int64
}

func timeoutsOf(p *config.Proxy) msTimeouts {
	t := &p.Timeouts
	return msTimeouts{
		connect:   t.Connect.Milliseconds(),
		client:    t.Client.Milliseconds(),
		server:    t.Server.Milliseconds(),
		tunnel:    t.Tunnel.Milliseconds(),
		clientFin: t.ClientFin.Milliseconds(),
		serverFin: t.ServerFin.Milliseconds(),
		queue:     t.Queue.Milliseconds(),
	}
}

// spliceModes decides how each direction of a frontend's streams is
// forwarded. Explicit "option splice-*" on the frontend or its backend win;
// without any, TCP mode uses splice-auto in both directions.
func spliceModes(p *config.Proxy, b *backend, maxpipes int64) (req, res uint8) {
	if maxpipes <= 0 {
		return spliceNever, spliceNever
	}
	sp := p.Splice
	if b != nil && b.cfg != p && b.cfg.Splice.Set {
		bs := b.cfg.Splice
		if !sp.Set {
			sp = bs
		} else {
			sp.Auto, sp.Request, sp.Response = sp.Auto || bs.Auto, sp.Request || bs.Request, sp.Response || bs.Response
		}
	}
	if !sp.Set {
		return spliceAuto, spliceAuto
	}
	req, res = spliceNever, spliceNever
	if sp.Auto {
		req, res = spliceAuto, spliceAuto
	}
	if sp.Request {
		req = spliceAlways
	}
	if sp.Response {
		res = spliceAlways
	}
	return req, res
}

func (e *Engine) closePollers() {
	for _, r := range e.reactors {
		r.p.Close()
	}
	e.reactors = nil
}

func (e *Engine) logf(format string, args ...any) {
	if e.opts.Logf != nil {
		e.opts.Logf(format, args...)
	}
}

// clock returns the engine's monotonic time in ms.
func (e *Engine) clock() int64 { return int64(time.Since(e.start) / time.Millisecond) }

// nanos returns the engine's monotonic time in ns.
func (e *Engine) nanos() int64 { return int64(time.Since(e.start)) }

// Start opens every listening socket (one per reactor and address, or the
// shared inherited/unix socket), then starts the reactors. When it returns
// without error every listener accepts connections. On error nothing is
// left open.
func (e *Engine) Start() error {
	if !e.started.CompareAndSwap(false, true) {
		return errors.New("engine: already started")
	}
	var opened []int
	received := describeReceived(e.opts.Inherited)
	e.opts.Inherited = nil
	fail := func(err error) error {
		received.closeUnused()
		for _, fd := range opened {
			unix.Close(fd)
		}
		for _, sp := range e.shared {
			if sp.bind.Kind == config.AddrFD {
				sp.closeShared() // adopted: ours to close, as on a normal stop
			}
		}
		e.closePollers()
		e.closeSinks()
		e.doneOnce.Do(func() { close(e.done) })
		return err
	}
	for _, fe := range e.frontends {
		for _, sp := range fe.specs {
			if sp.shared {
				if sp.bind.Kind == config.AddrFD {
					if err := adoptInherited(sp); err != nil {
						return fail(fmt.Errorf("Starting frontend %s: %w", fe.name, err))
					}
				} else {
					fd, err := received.openOrTake(sp)
					if err != nil {
						return fail(fmt.Errorf("Starting frontend %s: %w", fe.name, err))
					}
					sp.fd = fd
					opened = append(opened, fd)
				}
				sp.refs.Store(int32(len(e.reactors)))
				e.shared = append(e.shared, sp)
			}
			for _, r := range e.reactors {
				fd := sp.fd
				if !sp.shared {
					var err error
					if fd, err = received.openOrTake(sp); err != nil {
						return fail(fmt.Errorf("Starting frontend %s: %w", fe.name, err))
					}
					opened = append(opened, fd)
				}
				r.addListener(sp, fd)
			}
			if !sp.shared {
				for i, fd := range received.takeExtra(sp) {
					opened = append(opened, fd)
					e.reactors[i%len(e.reactors)].addListener(sp, fd)
				}
			}
		}
	}
	received.closeUnused()
	for _, r := range e.reactors {
		for _, l := range r.listeners {
			if err := r.p.Add(l.fd, listenEvents(l.spec.shared), makeToken(tokListener, l.idx, 0)); err != nil {
				return fail(fmt.Errorf("Starting frontend %s: %w", l.spec.fe.name, err))
			}
			l.registered = true
		}
	}
	e.exportMu.Lock()
	e.listenFDs = listenerFDs(e.reactors)
	e.exportMu.Unlock()
	e.running.Add(len(e.reactors))
	for _, r := range e.reactors {
		go r.run()
	}
	go func() {
		e.running.Wait()
		for _, sp := range e.shared {
			sp.closeShared()
		}
		e.closeSinks()
		e.doneOnce.Do(func() { close(e.done) })
	}()
	return nil
}

func (e *Engine) reactorDone(r *reactor) { e.running.Done() }

// Close releases an engine that was never started (configuration check,
// start-up failure). A started engine is stopped with SoftStop or HardStop
// instead.
func (e *Engine) Close() {
	if e.started.CompareAndSwap(false, true) {
		for _, fd := range e.opts.Inherited {
			unix.Close(fd)
		}
		e.opts.Inherited = nil
		e.closePollers()
		e.closeSinks()
		e.doneOnce.Do(func() { close(e.done) })
	}
}

// SoftStop stops accepting new connections and lets the established ones
// finish; [Engine.Done] is closed when the last one ended. Any goroutine
// may call it, more than once.
func (e *Engine) SoftStop() {
	e.exportMu.Lock()
	already := e.stopping.Swap(true)
	e.exportMu.Unlock()
	if already {
		return
	}
	for _, r := range e.reactors {
		if err := r.post(softStopTask); err != nil && !errors.Is(err, errStopped) {
			e.logf("soft stop of reactor %d: %v", r.id+1, err)
		}
	}
}

// HardStop closes every connection and listener at once.
func (e *Engine) HardStop() {
	e.exportMu.Lock()
	e.stopping.Store(true)
	e.exportMu.Unlock()
	for _, r := range e.reactors {
		r.postWaiting(hardStopTask)
	}
}

func softStopTask(r *reactor)    { r.softStop() }
func hardStopTask(r *reactor)    { r.hardStop() }
func resumeSlotsTask(r *reactor) { r.resumeSlots() }

// Done is closed once every reactor has exited and the shared sockets are
// closed.
func (e *Engine) Done() <-chan struct{} { return e.done }

// Stopping reports whether a soft or hard stop was requested.
func (e *Engine) Stopping() bool { return e.stopping.Load() }

// reserveConn takes a global and a frontend connection slot, or none.
func (e *Engine) reserveConn(fe *frontend) bool {
	if !e.global.takeBelow(e.maxconn, false) {
		return false
	}
	if !fe.cur.takeBelow(fe.maxconn, false) {
		e.global.dec()
		return false
	}
	return true
}

// unreserveConn gives back a reservation that did not become a stream.
func (e *Engine) unreserveConn(fe *frontend) {
	fe.cur.dec()
	e.global.dec()
}

// releaseConn gives back the slots of a closed stream and tells reactors
// that paused a listener for lack of slots.
func (e *Engine) releaseConn(fe *frontend) {
	fe.cur.dec()
	e.global.dec()
	if e.slotWaiters.Load() == 0 {
		return
	}
	w := e.slotWaiters.Swap(0)
	for i, r := range e.reactors {
		if w&(1<<uint(i)) != 0 {
			if err := r.post(resumeSlotsTask); err != nil && !errors.Is(err, errStopped) {
				e.logf("resume listeners of reactor %d: %v", r.id+1, err)
			}
		}
	}
}

// ListenAddrs returns the addresses each frontend listens on, by frontend
// name (after port 0 was resolved). Valid after Start.
func (e *Engine) ListenAddrs() map[string][]string {
	out := map[string][]string{}
	for _, fe := range e.frontends {
		for _, sp := range fe.specs {
			out[fe.name] = append(out[fe.name], sp.name)
		}
	}
	return out
}

// ListenerFDs returns the descriptor of every listening socket, each once
// (a shared socket is listed once, an extra socket taken from the
// previous process too), or nil before Start and once a stop began. The
// engine keeps the descriptors and closes them when it stops: the caller
// must not close them, and may only use them until it calls SoftStop or
// HardStop. The slice is the caller's.
func (e *Engine) ListenerFDs() []int {
	e.exportMu.Lock()
	defer e.exportMu.Unlock()
	if e.stopping.Load() {
		return nil
	}
	return append([]int(nil), e.listenFDs...)
}

// ExportListeners implements [cli.ListenerExporter]: it calls send once,
// with the listening sockets (see ListenerFDs), or with none when they
// were already exported or a stop began. Stops wait until it returns, so
// the descriptors stay open while send runs. When send succeeds with at
// least one socket they count as exported, and later calls send none.
// The engine keeps its descriptors after an export: a soft stop removes
// them from epoll, accepts what is already queued (the other process
// shares the queue; accepting there is what it would have done) and
// closes its own descriptor, which leaves the kernel socket to the other
// process.
func (e *Engine) ExportListeners(send func(fds []int) error) error {
	e.exportMu.Lock()
	defer e.exportMu.Unlock()
	if e.exported || e.stopping.Load() {
		return send(nil)
	}
	if err := send(e.listenFDs); err != nil {
		return err
	}
	e.exported = len(e.listenFDs) > 0
	return nil
}

// ReactorThread describes where a reactor runs.
type ReactorThread struct {
	Thread int   // 1-based thread number, as cpu-map counts
	TID    int   // kernel thread id; 0 until the reactor started
	CPUs   []int // CPUs it is pinned to; empty when not pinned
}

// Threads returns the reactors' placement. Any goroutine may call it.
func (e *Engine) Threads() []ReactorThread {
	out := make([]ReactorThread, len(e.reactors))
	for i, r := range e.reactors {
		out[i] = ReactorThread{Thread: i + 1, TID: int(r.tid.Load()), CPUs: r.cpus}
	}
	return out
}

// Nbthread returns the number of reactors.
func (e *Engine) Nbthread() int { return len(e.reactors) }

// Maxconn returns the global connection limit in force.
func (e *Engine) Maxconn() int64 { return e.maxconn }

// Pid is the process id reported by statistics.
func (e *Engine) Pid() int { return os.Getpid() }
