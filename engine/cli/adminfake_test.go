package cli

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"sync"
)

// fakeAdmin is an Admin holding its backends in memory and changing them
// the way HAProxy 2.6 changes its servers, closely enough for the
// differential tests: admin state bits with their effect on the
// operational state, forced health, tracking, weights, addresses, checks
// and agents, dynamic servers with HAProxy's id allocation. Safe for
// concurrent use.
type fakeAdmin struct {
	mu       sync.Mutex
	backends []*fakeBackend
	sessions map[uint64]bool // live stream ids for shutdown session
	calls    []string        // log of the changes, for assertions
}

type fakeBackend struct {
	BackendState
	servers []*fakeServer
	inUse   bool // BackendRemovable: still has streams
}

type fakeServer struct {
	st         ServerState // Backend is filled on snapshots
	referenced bool        // tracked or used by a rule: cannot be deleted
	conns      int         // attached connections: del server refused
	drainPolls int         // > 0: conns drop to 0 after that many ServerRemovable calls
	polls      int         // ServerRemovable calls
	maxconn    uint32
	agentSend  string
}

// maintBits are the admin bits that put a server in maintenance
// (SRV_ADMF_MAINT); CMAINT only records that "disabled" was configured.
const maintBits = AdminForcedMaint | AdminInheritedMaint | AdminResolutionMaint | AdminHostnameMaint

// Defaults of a server without a check, as HAProxy reports them.
const (
	fakeRise = 2
	fakeFall = 3
)

// fakeSrv returns a server as HAProxy configures "server <name> <addr>
// [weight w]": running, health at rise, checks "INI".
func fakeSrv(name string, id int, addr string, port uint16, weight int) *fakeServer {
	return &fakeServer{st: ServerState{
		Name: name, ID: id, Addr: netip.MustParseAddr(addr), Port: port,
		OpState: OpRunning, Uweight: weight, Iweight: weight,
		Check: CheckState{Status: "INI", Health: fakeRise, Rise: fakeRise, Fall: fakeFall},
		Agent: CheckState{Rise: 1, Fall: 1},
		Conns: ServerConns{PurgeDelay: 5000, IdleLimit: -1, IdlePerThread: []uint32{0, 0}},
	}}
}

// disabled marks the server "disabled" in the configuration.
func (f *fakeServer) disabled() *fakeServer {
	f.st.AdminState |= AdminForcedMaint | AdminConfigMaint
	f.st.OpState = OpStopped
	f.st.Check.Health = 0
	f.st.Check.Paused = true
	return f
}

func (a *fakeAdmin) backend(b Ref) (*fakeBackend, error) {
	for _, be := range a.backends {
		if b.Matches(be.Name, be.ID) {
			return be, nil
		}
	}
	return nil, ErrNoBackend
}

func (a *fakeAdmin) server(b, s Ref) (*fakeBackend, *fakeServer, error) {
	be, err := a.backend(b)
	if err != nil {
		return nil, nil, err
	}
	for _, sv := range be.servers {
		if s.Matches(sv.st.Name, sv.st.ID) {
			return be, sv, nil
		}
	}
	return be, nil, ErrNoServer
}

func (a *fakeAdmin) snapshot(be *fakeBackend, sv *fakeServer) ServerState {
	st := sv.st
	st.Backend = be.BackendState
	st.Conns.IdlePerThread = append([]uint32(nil), sv.st.Conns.IdlePerThread...)
	return st
}

func (a *fakeAdmin) logCall(parts ...string) {
	a.calls = append(a.calls, strings.Join(parts, " "))
}

// Calls returns the changes made so far and forgets them.
func (a *fakeAdmin) Calls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.calls
	a.calls = nil
	return c
}

func (a *fakeAdmin) AppendBackends(dst []BackendState) []BackendState {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, be := range a.backends {
		dst = append(dst, be.BackendState)
	}
	return dst
}

func (a *fakeAdmin) Backend(b Ref) (BackendState, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	be, err := a.backend(b)
	if err != nil {
		return BackendState{}, err
	}
	return be.BackendState, nil
}

func (a *fakeAdmin) AppendServers(dst []ServerState, b Ref) ([]ServerState, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	be, err := a.backend(b)
	if err != nil {
		return dst, err
	}
	for _, sv := range be.servers {
		dst = append(dst, a.snapshot(be, sv))
	}
	return dst, nil
}

func (a *fakeAdmin) Server(b, s Ref) (ServerState, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	be, sv, err := a.server(b, s)
	if err != nil {
		return ServerState{}, err
	}
	return a.snapshot(be, sv), nil
}

// setAdminLocked changes the admin bits of sv and applies what HAProxy
// does: a server entering maintenance stops with a null health and its
// enabled check paused, one leaving it runs again, its enabled check
// resumed at health rise; trackers inherit maintenance and drain.
func (a *fakeAdmin) setAdminLocked(be *fakeBackend, sv *fakeServer, nw AdminState) {
	old := sv.st.AdminState
	if nw == old {
		return
	}
	sv.st.AdminState = nw
	sv.st.SinceChange = 0
	chk := &sv.st.Check
	switch {
	case old&maintBits == 0 && nw&maintBits != 0:
		sv.st.OpState = OpStopped
		chk.Health = 0
		chk.Paused = chk.Paused || chk.Enabled
	case old&maintBits != 0 && nw&maintBits == 0:
		sv.st.OpState = OpRunning
		if chk.Enabled {
			chk.Paused = false
			chk.Health = chk.Rise
		}
	}
	self := be.Name + "/" + sv.st.Name
	for _, t := range be.servers {
		if t.st.Tracks != self {
			continue
		}
		inh := t.st.AdminState &^ (AdminInheritedMaint | AdminInheritedDrain)
		if nw&maintBits != 0 {
			inh |= AdminInheritedMaint
		}
		if nw&(AdminForcedDrain|AdminInheritedDrain) != 0 {
			inh |= AdminInheritedDrain
		}
		a.setAdminLocked(be, t, inh)
	}
}

func (a *fakeAdmin) SetServerAdmin(b, s Ref, t AdminTarget) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	be, sv, err := a.server(b, s)
	if err != nil {
		return err
	}
	st := sv.st.AdminState
	switch t {
	case TargetReady:
		st &^= AdminForcedMaint | AdminForcedDrain
	case TargetDrain:
		st = st&^AdminForcedMaint | AdminForcedDrain
	case TargetMaint:
		st = st&^AdminForcedDrain | AdminForcedMaint
	}
	a.logCall("admin", sv.st.Name, strconv.Itoa(int(t)))
	a.setAdminLocked(be, sv, st)
	return nil
}

// setOpLocked sets the operational state of sv, unless it is in
// maintenance, and of the servers tracking it.
func (a *fakeAdmin) setOpLocked(be *fakeBackend, sv *fakeServer, op OpState) {
	if sv.st.AdminState&maintBits != 0 || sv.st.OpState == op {
		return
	}
	sv.st.OpState = op
	sv.st.SinceChange = 0
	self := be.Name + "/" + sv.st.Name
	for _, t := range be.servers {
		if t.st.Tracks == self {
			a.setOpLocked(be, t, op)
		}
	}
}

func (a *fakeAdmin) SetServerHealth(b, s Ref, k CheckKind, h Health) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	be, sv, err := a.server(b, s)
	if err != nil {
		return err
	}
	chk := &sv.st.Check
	if k == CheckAgent {
		if !sv.st.Agent.Enabled {
			return ErrCheckNotEnabled
		}
		chk = &sv.st.Agent
	} else if sv.st.Tracks != "" {
		return ErrTracking
	}
	op := OpRunning
	switch h {
	case HealthUp:
		chk.Health = chk.Rise + chk.Fall - 1
	case HealthStopping:
		chk.Health = chk.Rise + chk.Fall - 1
		op = OpStopping
	case HealthDown:
		chk.Health = 0
		op = OpStopped
	}
	a.setOpLocked(be, sv, op)
	a.logCall("health", sv.st.Name, strconv.Itoa(int(k)), strconv.Itoa(int(h)))
	return nil
}

func (a *fakeAdmin) SetServerWeight(b, s Ref, w int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	be, sv, err := a.server(b, s)
	if err != nil {
		return err
	}
	if w != 0 && w != sv.st.Iweight && !be.DynamicWeights {
		return ErrStaticLB
	}
	sv.st.Uweight = w
	a.logCall("weight", sv.st.Name, strconv.Itoa(w))
	return nil
}

func (a *fakeAdmin) SetServerMaxconn(b, s Ref, n uint32) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, sv, err := a.server(b, s)
	if err != nil {
		return err
	}
	sv.maxconn = n
	a.logCall("maxconn", sv.st.Name, strconv.FormatUint(uint64(n), 10))
	return nil
}

func (a *fakeAdmin) UpdateServerAddr(b, s Ref, update func(ServerAddr) (ServerAddr, bool)) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, sv, err := a.server(b, s)
	if err != nil {
		return err
	}
	next, ok := update(ServerAddr{Addr: sv.st.Addr, Port: sv.st.Port, MapPorts: sv.st.MapPorts, CheckPort: sv.st.Check.Port})
	if ok {
		sv.st.Addr, sv.st.Port, sv.st.MapPorts = next.Addr, next.Port, next.MapPorts
		a.logCall("addr", sv.st.Name, next.Addr.String(), strconv.Itoa(int(next.Port)), strconv.FormatBool(next.MapPorts))
	}
	return nil
}

func (a *fakeAdmin) SetCheckTarget(b, s Ref, k CheckKind, addr netip.Addr, port int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, sv, err := a.server(b, s)
	if err != nil {
		return err
	}
	chk := &sv.st.Check
	if k == CheckAgent {
		chk = &sv.st.Agent
	}
	if !chk.Enabled {
		return ErrCheckNotEnabled
	}
	if addr.IsValid() {
		chk.Addr = addr
	}
	if port >= 0 {
		chk.Port = uint16(port)
	}
	return nil
}

func (a *fakeAdmin) SetAgentSend(b, s Ref, send string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, sv, err := a.server(b, s)
	if err != nil {
		return err
	}
	if !sv.st.Agent.Enabled {
		return ErrCheckNotEnabled
	}
	sv.agentSend = send
	return nil
}

func (a *fakeAdmin) SetCheckEnabled(b, s Ref, k CheckKind, on bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, sv, err := a.server(b, s)
	if err != nil {
		return err
	}
	chk := &sv.st.Check
	if k == CheckAgent {
		chk = &sv.st.Agent
	}
	if on && !chk.Configured {
		return ErrCheckNotConfigured
	}
	chk.Enabled = on
	return nil
}

func (a *fakeAdmin) ShutdownServerSessions(b, s Ref) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, sv, err := a.server(b, s)
	if err != nil {
		return err
	}
	sv.conns = 0
	a.logCall("shutdown", sv.st.Name)
	return nil
}

func (a *fakeAdmin) ShutdownSession(id uint64) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.sessions[id] {
		return ErrNoSession
	}
	delete(a.sessions, id)
	a.logCall("kill", strconv.FormatUint(id, 16))
	return nil
}

// removableLocked is srv_check_for_deletion.
func (a *fakeAdmin) removableLocked(b, s Ref) (*fakeBackend, int, error) {
	be, sv, err := a.server(b, s)
	if err != nil {
		return nil, 0, err
	}
	switch {
	case sv.referenced:
		return nil, 0, ErrServerReferenced
	case sv.st.AdminState&maintBits == 0:
		return nil, 0, ErrServerNotInMaint
	case sv.conns > 0:
		return nil, 0, ErrServerInUse
	}
	for i := range be.servers {
		if be.servers[i] == sv {
			return be, i, nil
		}
	}
	panic("unreachable")
}

func (a *fakeAdmin) ServerRemovable(b, s Ref) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, sv, err := a.server(b, s); err == nil {
		sv.polls++
		if sv.drainPolls > 0 && sv.polls >= sv.drainPolls {
			sv.conns = 0
		}
	}
	_, _, err := a.removableLocked(b, s)
	return err
}

// Polls returns how many times the removability of b/s was asked.
func (a *fakeAdmin) Polls(b, s string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, sv, err := a.server(Ref{Name: b}, Ref{Name: s})
	if err != nil {
		return 0
	}
	return sv.polls
}

func (a *fakeAdmin) BackendRemovable(b Ref) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	be, err := a.backend(b)
	switch {
	case err != nil:
		return err
	case be.inUse || len(be.servers) > 0:
		return ErrBackendInUse
	}
	return nil
}

func (a *fakeAdmin) DelServer(b, s Ref) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	be, i, err := a.removableLocked(b, s)
	if err != nil {
		return err
	}
	a.logCall("del", be.servers[i].st.Name)
	be.servers = append(be.servers[:i], be.servers[i+1:]...)
	return nil
}

// errFakeKeyword is how the fake refuses keywords it does not know.
var errFakeKeyword = errors.New("unknown keyword")

// AddServer checks the name as HAProxy does and understands
// "<ip>[:<port>]" and the keywords weight, id and disabled, which is all
// the tests use.
func (a *fakeAdmin) AddServer(b Ref, name string, args []string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	be, err := a.backend(b)
	if err != nil {
		return err
	}
	if be.Disabled || !be.DynamicWeights {
		return ErrStaticLB
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.:-", c) >= 0) {
			return errors.New("character '" + string(c) + "' is not permitted in server name '" + name + "'.")
		}
	}
	host, port, mapped := args[0], uint16(0), true // no port: the client's ("+0")
	if ap, err := netip.ParseAddrPort(args[0]); err == nil {
		host, port, mapped = ap.Addr().String(), ap.Port(), false
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return errors.New("invalid address '" + args[0] + "'")
	}
	sv := fakeSrv(name, 0, ip.String(), port, 1)
	sv.st.Dynamic = true
	sv.st.MapPorts = mapped
	sv.st.OpState = OpStopped
	sv.st.AdminState = AdminForcedMaint
	sv.st.Check.Health = 0
	sv.st.Conns = ServerConns{}
	for i := 1; i < len(args); i++ {
		switch args[i] {
		case "weight", "id":
			i++
			n, _ := strconv.Atoi(arg(args, i))
			if args[i-1] == "weight" {
				sv.st.Uweight, sv.st.Iweight = n, n
			} else {
				sv.st.ID, sv.st.ForcedID = n, true
			}
		case "disabled":
			sv.st.AdminState |= AdminConfigMaint
			sv.st.Check.Paused = true
		default:
			return errFakeKeyword
		}
	}
	for _, o := range be.servers {
		if o.st.Name == name {
			return ErrServerExists
		}
	}
	if sv.st.ID == 0 {
		used := map[int]bool{}
		for _, o := range be.servers {
			used[o.st.ID] = true
		}
		for sv.st.ID = 1; used[sv.st.ID]; sv.st.ID++ {
		}
	}
	be.servers = append(be.servers, sv)
	a.logCall("add", name)
	return nil
}
