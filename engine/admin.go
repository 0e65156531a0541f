package engine

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"hitless/engine/cli"
	"hitless/engine/config"
)

// The engine's side of the runtime API's server administration
// (cli.Admin). Lookups scan the configuration-ordered lists: backends and
// servers are few, and the CLI is not a hot path.

var (
	errDelBackend = errors.New("backends cannot be removed at run time")
	errNoAgent    = errors.New("agent checks are not supported")
)

var (
	_ cli.Admin       = (*Engine)(nil)
	_ cli.TableSource = (*Engine)(nil)
)

func (e *Engine) findBackend(ref cli.Ref) (*backend, error) {
	for _, b := range e.backends {
		if ref.Matches(b.name, b.id) {
			return b, nil
		}
	}
	return nil, cli.ErrNoBackend
}

func (e *Engine) findServer(bref, sref cli.Ref) (*server, error) {
	b, err := e.findBackend(bref)
	if err != nil {
		return nil, err
	}
	for _, s := range b.servers() {
		if !s.deleted.Load() && sref.Matches(s.name, s.id) {
			return s, nil
		}
	}
	return nil, cli.ErrNoServer
}

// dynamicWeights tells whether b's algorithm takes weight changes at run
// time (HAProxy's BE_LB_PROP_DYN).
func dynamicWeights(b *backend) bool {
	switch b.cfg.Balance.Algo {
	case "roundrobin", "leastconn", "first", "random":
		return true
	}
	return b.cfg.Balance.HashType == "consistent"
}

func (e *Engine) backendState(b *backend) cli.BackendState {
	return cli.BackendState{Name: b.name, ID: b.id, ForcedID: b.cfg.IDForced, DynamicWeights: dynamicWeights(b)}
}

// AppendBackends implements cli.Admin.
func (e *Engine) AppendBackends(dst []cli.BackendState) []cli.BackendState {
	for _, b := range e.backends {
		dst = append(dst, e.backendState(b))
	}
	return dst
}

// Backend implements cli.Admin.
func (e *Engine) Backend(ref cli.Ref) (cli.BackendState, error) {
	b, err := e.findBackend(ref)
	if err != nil {
		return cli.BackendState{}, err
	}
	return e.backendState(b), nil
}

// AppendServers implements cli.Admin.
func (e *Engine) AppendServers(dst []cli.ServerState, ref cli.Ref) ([]cli.ServerState, error) {
	b, err := e.findBackend(ref)
	if err != nil {
		return dst, err
	}
	now := e.nanos() / 1e6
	for _, s := range b.servers() {
		if !s.deleted.Load() {
			dst = append(dst, e.serverState(s, now))
		}
	}
	return dst, nil
}

// Server implements cli.Admin.
func (e *Engine) Server(bref, sref cli.Ref) (cli.ServerState, error) {
	s, err := e.findServer(bref, sref)
	if err != nil {
		return cli.ServerState{}, err
	}
	return e.serverState(s, e.nanos()/1e6), nil
}

func (e *Engine) serverState(s *server, now int64) cli.ServerState {
	d := s.dst.Load()
	st := cli.ServerState{
		Backend: e.backendState(s.be),
		Name:    s.name, ID: s.id, ForcedID: s.cfg.IDForced,
		Addr: d.addr.Addr(), Port: d.addr.Port(),
		Uweight: int(s.weight.Load()), Iweight: s.cfg.Weight,
		SinceChange: time.Duration(now-s.lastChg.Load()) * time.Millisecond,
	}
	switch s.op.Load() {
	case opStopped:
		st.OpState = cli.OpStopped
	case opStopping:
		st.OpState = cli.OpStopping
	default:
		st.OpState = cli.OpRunning
	}
	a := s.admin.Load()
	if a&adminMaint != 0 {
		if s.cfg.Disabled && s.cfgMaint.Load() {
			st.AdminState |= cli.AdminConfigMaint
		} else {
			st.AdminState |= cli.AdminForcedMaint
		}
	}
	if a&adminDrain != 0 {
		st.AdminState |= cli.AdminForcedDrain
	}
	st.Check = e.checkState(s)
	used := uint32(max(s.served.cur.Load(), 0))
	st.Conns = cli.ServerConns{UsedCur: used, UsedMax: uint32(max(s.served.max.Load(), 0)), NeedEst: used, IdleLimit: -1}
	return st
}

// SetServerAdmin implements cli.Admin.
func (e *Engine) SetServerAdmin(bref, sref cli.Ref, t cli.AdminTarget) error {
	s, err := e.findServer(bref, sref)
	if err != nil {
		return err
	}
	switch t {
	case cli.TargetReady:
		e.setAdmin(s, adminMaint, false)
		e.setAdmin(s, adminDrain, false)
	case cli.TargetDrain:
		e.setAdmin(s, adminMaint, false)
		e.setAdmin(s, adminDrain, true)
	case cli.TargetMaint:
		e.setAdmin(s, adminDrain, false)
		e.setAdmin(s, adminMaint, true)
	}
	s.cfgMaint.Store(false)
	return nil
}

// SetServerHealth implements cli.Admin.
func (e *Engine) SetServerHealth(bref, sref cli.Ref, k cli.CheckKind, h cli.Health) error {
	s, err := e.findServer(bref, sref)
	if err != nil {
		return err
	}
	if k == cli.CheckAgent {
		return cli.ErrCheckNotEnabled
	}
	e.forceServerHealth(s, h, "changed from CLI")
	return nil
}

// forceServerHealth sets the operational state of s to h as if its checks
// had said so, and logs the change with reason.
func (e *Engine) forceServerHealth(s *server, h cli.Health, reason string) {
	switch h {
	case cli.HealthUp:
		e.forceHealth(s, true)
		e.setOp(s, opRunning, reason)
	case cli.HealthStopping:
		e.forceHealth(s, true)
		e.setOp(s, opStopping, reason)
	case cli.HealthDown:
		e.forceHealth(s, false)
		e.setOp(s, opStopped, reason)
	}
}

// SetServerWeight implements cli.Admin.
func (e *Engine) SetServerWeight(bref, sref cli.Ref, w int) error {
	s, err := e.findServer(bref, sref)
	if err != nil {
		return err
	}
	if old := s.weight.Swap(int32(w)); old != int32(w) {
		s.be.q.Touch()
		e.drainQueue(s.be)
	}
	return nil
}

// SetServerMaxconn implements cli.Admin.
func (e *Engine) SetServerMaxconn(bref, sref cli.Ref, maxconn uint32) error {
	s, err := e.findServer(bref, sref)
	if err != nil {
		return err
	}
	v := int64(maxconn)
	if int32(maxconn) < 0 {
		v = 0 // a negative int in HAProxy's field: no limit in effect
	}
	if s.minconn.Load() == s.maxconn.Load() {
		s.minconn.Store(v)
	}
	s.maxconn.Store(v)
	// A higher limit frees slots for the waiting streams.
	s.be.q.Touch()
	e.drainQueue(s.be)
	return nil
}

// UpdateServerAddr implements cli.Admin.
func (e *Engine) UpdateServerAddr(bref, sref cli.Ref, update func(cli.ServerAddr) (cli.ServerAddr, bool)) error {
	s, err := e.findServer(bref, sref)
	if err != nil {
		return err
	}
	s.addrMu.Lock()
	defer s.addrMu.Unlock()
	d := s.dst.Load()
	cur := cli.ServerAddr{Addr: d.addr.Addr(), Port: d.addr.Port(), CheckPort: uint16(s.cfg.CheckPort)}
	next, apply := update(cur)
	if !apply {
		return nil
	}
	if next.MapPorts {
		return errors.New("mapped ports are not supported")
	}
	if !next.Addr.IsValid() {
		next.Addr = cur.Addr
	}
	// Connections already made keep their server; new ones use the new
	// destination from their next connect on.
	s.dst.Store(newDst(next.Addr, int(next.Port)))
	return nil
}

// SetCheckTarget implements cli.Admin.
func (e *Engine) SetCheckTarget(bref, sref cli.Ref, k cli.CheckKind, addr netip.Addr, port int) error {
	s, err := e.findServer(bref, sref)
	if err != nil {
		return err
	}
	if k == cli.CheckAgent {
		return cli.ErrCheckNotEnabled
	}
	return e.setCheckTarget(s, addr, port)
}

// SetAgentSend implements cli.Admin.
func (e *Engine) SetAgentSend(bref, sref cli.Ref, send string) error {
	if _, err := e.findServer(bref, sref); err != nil {
		return err
	}
	return errNoAgent
}

// SetCheckEnabled implements cli.Admin.
func (e *Engine) SetCheckEnabled(bref, sref cli.Ref, k cli.CheckKind, on bool) error {
	s, err := e.findServer(bref, sref)
	if err != nil {
		return err
	}
	if k == cli.CheckAgent || !s.cfg.Check {
		if on {
			return cli.ErrCheckNotConfigured
		}
		return nil
	}
	e.setCheckEnabled(s, on)
	return nil
}

// ShutdownServerSessions implements cli.Admin.
func (e *Engine) ShutdownServerSessions(bref, sref cli.Ref) error {
	s, err := e.findServer(bref, sref)
	if err != nil {
		return err
	}
	_, err = e.shutdownSessions(s)
	return err
}

// Stream identifiers of "show sess": the reactor (plus one, so that no id
// is 0) in bits 48-55, the low 16 bits of the slot's generation in bits
// 32-47 and the slot index below.
func streamID(r *reactor, s *stream) uint64 {
	return uint64(r.id+1)<<48 | uint64(s.gen&0xffff)<<32 | uint64(uint32(s.idx))
}

// onReactors runs fn on every reactor and waits for all of them; a
// reactor that stopped is skipped.
func (e *Engine) onReactors(fn func(r *reactor)) {
	done := make(chan struct{}, len(e.reactors))
	posted := 0
	for _, r := range e.reactors {
		if r.postWaiting(func(r *reactor) { fn(r); done <- struct{}{} }) == nil {
			posted++
		}
	}
	for i := 0; i < posted; i++ {
		select {
		case <-done:
		case <-e.done:
			return
		}
	}
}

// AppendSessions implements cli.SessionLister.
func (e *Engine) AppendSessions(dst []cli.SessionInfo) []cli.SessionInfo {
	per := make([][]cli.SessionInfo, len(e.reactors))
	e.onReactors(func(r *reactor) {
		for _, s := range r.streams {
			if s.state != 0 {
				per[r.id] = append(per[r.id], r.sessionInfo(s))
			}
		}
	})
	for _, l := range per {
		dst = append(dst, l...)
	}
	return dst
}

// sessionInfo describes s for "show sess". It runs on s's reactor.
func (r *reactor) sessionInfo(s *stream) cli.SessionInfo {
	si := cli.SessionInfo{
		ID: streamID(r, s), Accepted: r.e.start.Add(time.Duration(s.born) * time.Millisecond),
		Frontend: s.fe.name, FeID: s.fe.id, Backend: "<NONE>", Server: "<none>",
		Age: time.Duration(r.now-s.born) * time.Millisecond, Retries: s.retries,
		CliFD: s.cli.fd, SrvFD: s.out.fd, Expire: -1, Queued: s.state == stQueued,
		Listener: s.lis.spec.name,
	}
	if s.be != nil {
		si.Backend, si.BeID = s.be.name, s.be.id
	}
	if s.srv != nil {
		si.Server, si.SrvID = s.srv.name, s.srv.id
	}
	if d := r.deadline(s); d > 0 {
		si.Expire = time.Duration(max(d-r.now, 0)) * time.Millisecond
	}
	si.Proto, si.Src = "unix_stream", "unix:1"
	if sa, err := unix.Getpeername(s.cli.fd); err == nil {
		switch a := sa.(type) {
		case *unix.SockaddrInet4:
			si.Proto, si.Src = "tcpv4", netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port)).String()
		case *unix.SockaddrInet6:
			si.Proto = "tcpv6"
			si.Src = netip.AddrFrom16(a.Addr).String() + ":" + strconv.Itoa(a.Port)
		}
	}
	return si
}

// ShutdownSession implements cli.Admin: it closes the stream "show sess"
// listed with that id.
func (e *Engine) ShutdownSession(id uint64) error {
	ri := int(id>>48) - 1
	if ri < 0 || ri >= len(e.reactors) {
		return cli.ErrNoSession
	}
	found := make(chan bool, 1)
	if err := e.reactors[ri].post(func(r *reactor) {
		idx := int(uint32(id))
		if idx < len(r.streams) {
			if s := r.streams[idx]; s.state != 0 && streamID(r, s) == id {
				r.closeStream(s)
				found <- true
				return
			}
		}
		found <- false
	}); err != nil {
		return cli.ErrNoSession
	}
	select {
	case ok := <-found:
		if ok {
			return nil
		}
	case <-e.done:
	}
	return cli.ErrNoSession
}

// ServerRemovable implements cli.Admin: a server may go once it is in
// maintenance and holds no connection and no queued stream.
func (e *Engine) ServerRemovable(bref, sref cli.Ref) error {
	s, err := e.findServer(bref, sref)
	if err != nil {
		return err
	}
	if s.admin.Load()&adminMaint == 0 {
		return cli.ErrServerNotInMaint
	}
	if s.served.cur.Load() > 0 || s.q.Len() > 0 {
		return cli.ErrServerInUse
	}
	return nil
}

// BackendRemovable implements cli.Admin.
func (e *Engine) BackendRemovable(bref cli.Ref) error {
	if _, err := e.findBackend(bref); err != nil {
		return err
	}
	return errDelBackend
}

// AddServer implements cli.Admin: "add server b/name <addr> [kw...]".
// The line is parsed as a server line of the configuration (the same
// keywords, checks and errors; no default-server applies, as in
// HAProxy), the server starts in maintenance, and its health check, if
// any, starts on a reactor.
func (e *Engine) AddServer(bref cli.Ref, name string, args []string) error {
	b, err := e.findBackend(bref)
	if err != nil {
		return err
	}
	if !dynamicWeights(b) {
		return cli.ErrStaticLB
	}
	e.adminMu.Lock()
	defer e.adminMu.Unlock()
	for _, s := range b.servers() {
		if !s.deleted.Load() && s.name == name {
			return cli.ErrServerExists
		}
	}
	if e.nctr >= len(e.reactors[0].ctr) {
		return errors.New("too many servers added at run time")
	}
	sc, err := parseDynamicServer(b, name, args)
	if err != nil {
		return err
	}
	if !sc.IDForced {
		sc.ID = freeServerID(b)
	} else {
		for _, s := range b.servers() {
			if !s.deleted.Load() && s.id == sc.ID {
				return fmt.Errorf("Server id %d is already in use.", sc.ID)
			}
		}
	}
	s, err := e.newServer(b, sc)
	if err != nil {
		return err
	}
	s.dynamic = true
	s.admin.Store(adminMaint)
	s.lastChg.Store(e.nanos() / 1e6)
	if sc.Check {
		c, err := e.newChecker(s)
		if err != nil {
			return err
		}
		if err := c.owner.post(func(r *reactor) {
			r.attachChecker(c)
			r.scheduleCheck(c)
		}); err != nil {
			return err
		}
	}
	e.publishServer(s)
	return nil
}

// parseDynamicServer parses "server <name> <args>" in a section of b's
// name, with the configuration parser.
func parseDynamicServer(b *backend, name string, args []string) (*config.Server, error) {
	var line strings.Builder
	line.WriteString("backend " + strconv.Quote(b.name) + "\n    server " + strconv.Quote(name))
	for _, a := range args {
		line.WriteString(" " + strconv.Quote(a))
	}
	line.WriteString("\n")
	cfg, err := config.Parse("add server", []byte(line.String()), config.Options{})
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			for _, d := range ce.Diags {
				if d.Sev == config.SevAlert && d.Line == 2 {
					return nil, errors.New(strings.TrimPrefix(d.Msg, serverPrefix(b, name)))
				}
			}
		}
		return nil, err
	}
	for _, w := range cfg.Warnings {
		// A keyword the configuration would accept with a warning
		// (ignored, not implemented) is refused here: the operator
		// asked for it now and would not see the warning. Warnings
		// about the made-up section itself (its timeouts) do not count.
		if w.Line == 2 {
			return nil, errors.New(strings.TrimPrefix(w.Msg, serverPrefix(b, name)))
		}
	}
	px := cfg.Proxies[0]
	if len(px.Servers) != 1 {
		return nil, errors.New("invalid server line")
	}
	return px.Servers[0], nil
}

// serverPrefix is how configuration messages about a server line begin;
// the CLI answers without it, as HAProxy does.
func serverPrefix(b *backend, name string) string { return "'server " + b.name + "/" + name + "' : " }

// freeServerID returns the lowest id no server of b uses.
func freeServerID(b *backend) int {
	used := map[int]bool{}
	for _, s := range b.servers() {
		if !s.deleted.Load() {
			used[s.id] = true
		}
	}
	id := 1
	for used[id] {
		id++
	}
	return id
}

// DelServer implements cli.Admin: a server in maintenance without
// connections is removed; its health check stops.
func (e *Engine) DelServer(bref, sref cli.Ref) error {
	e.adminMu.Lock()
	defer e.adminMu.Unlock()
	if err := e.ServerRemovable(bref, sref); err != nil {
		return err
	}
	s, err := e.findServer(bref, sref)
	if err != nil {
		return err
	}
	s.deleted.Store(true)
	if c := s.chk; c != nil {
		c.enabled.Store(false)
		c.owner.post(func(r *reactor) { r.detachChecker(c) })
	}
	s.be.q.Touch()
	return nil
}
