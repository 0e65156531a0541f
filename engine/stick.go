package engine

import (
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"

	"hitless/engine/config"
	"hitless/engine/rules"
	"hitless/stick"
)

// Stickiness (stick match, stick on, stick store-request).
//
// The tables (package stick) are shared by every reactor; their shards
// lock for the length of one lookup or update, never across I/O. A
// stream's stick rules run once per server choice, before load balancing
// (stickEval): the first match rule whose key is found names the server
// the stream sticks to (stream.stickSrv), and the keys of the store rules
// wait in the stream (stickPending) until the server connection is
// established (stickCommit), when they are written with the id of the
// server actually used. connect honours stickSrv unless it is stopped or
// in maintenance, so UP, NOLB, DRAIN and backup servers keep their
// clients; a full stuck server queues the stream on its own queue, as a
// hash-balanced stream does.

// maxStickStores is HAProxy's limit of store rules applied per request
// (the first one of each table).
const maxStickStores = 8

// connectStuck takes a slot of srv, the server s sticks to, and reports
// true; or, when srv is full or has streams waiting, queues s on srv (or
// refuses it beyond maxqueue) and reports false.
func (r *reactor) connectStuck(s *stream, srv *server) bool {
	if srv.q.Len() == 0 && srv.served.takeBelow(srv.limit(), true) {
		r.assigned(s, srv)
		return true
	}
	if srv.maxqueue > 0 && srv.q.Len() >= srv.maxqueue {
		r.ctr[s.be.ctr].connErr.Add(1)
		r.refuse(s)
		return false
	}
	r.enqueueOn(s, srv)
	return false
}

// stickRule is a compiled "stick" rule of a backend.
type stickRule struct {
	kind config.StickKind
	expr *rules.Expr
	cond *rules.Cond
	t    *stick.Table
}

// stickPending holds the keys of the store rules of a stream until its
// server connection is established. Owned by the stream's reactor; kept
// with the stream slot, so its buffer is reused.
type stickPending struct {
	n    int
	tabs [maxStickStores]*stick.Table
	end  [maxStickStores]int // key i is buf[end[i-1]:end[i]]
	buf  []byte
}

func (p *stickPending) has(t *stick.Table) bool {
	for _, x := range p.tabs[:p.n] {
		if x == t {
			return true
		}
	}
	return false
}

// buildTables creates the stick tables of the configuration's enabled
// proxies and compiles the backends' stick rules.
func (e *Engine) buildTables() error {
	e.tables = map[string]*stick.Table{}
	for _, p := range e.cfg.Proxies {
		if p.Disabled || p.StickTable == nil {
			continue
		}
		t, err := stick.New(p.Name, p.StickTable.Spec())
		if err != nil {
			return fmt.Errorf("parsing [%s:%d] : stick-table of proxy '%s': %w", p.StickTable.File, p.StickTable.Line, p.Name, err)
		}
		e.tables[p.Name] = t
		e.tableList = append(e.tableList, t)
	}
	for i := len(e.tableList) - 1; i >= 0; i-- {
		e.tablesShown = append(e.tablesShown, e.tableList[i])
	}
	for _, f := range e.frontends {
		f.table = e.tables[f.name]
	}
	for _, b := range e.backends {
		b.table = e.tables[b.name]
	}
	for _, b := range e.backends {
		for _, r := range b.cfg.StickRules {
			t := e.tables[r.Table]
			if t == nil {
				return fmt.Errorf("parsing [%s:%d] : Proxy '%s': unable to find stick-table '%s'", r.File, r.Line, b.name, r.Table)
			}
			b.stick = append(b.stick, stickRule{kind: r.Kind, expr: r.Expr, cond: r.Cond, t: t})
		}
	}
	return nil
}

// stickable reports whether a stream stuck to s may still use it: s is
// neither stopped nor in maintenance (HAProxy's cur_state != STOPPED).
func (s *server) stickable() bool {
	return s.admin.Load()&adminMaint == 0 && s.op.Load() != opStopped && !s.deleted.Load()
}

// stuckServer returns the server entry ent of table t names: by its
// server key (name) first, then by its id, as HAProxy 2.6 looks it up.
func (b *backend) stuckServer(t *stick.Table, ent *stick.Entry) *server {
	if name := t.ServerKey(ent); name != "" {
		for _, s := range b.servers() {
			if s.name == name && !s.deleted.Load() {
				return s
			}
		}
	}
	if id, ok := t.ServerID(ent); ok {
		return b.serverByID(id)
	}
	return nil
}

// serverByID returns the backend's server with numeric id id, or nil.
func (b *backend) serverByID(id int32) *server {
	for _, s := range b.servers() {
		if int32(s.id) == id && !s.deleted.Load() {
			return s
		}
	}
	return nil
}

// stickKey builds into dst the key of value v for table t, converting
// between types as HAProxy's sample casts do. ok is false when v has no
// key in t.
func stickKey(t *stick.Table, dst []byte, v rules.Value) ([]byte, bool) {
	switch t.KeyType() {
	case stick.KeyIPv4, stick.KeyIPv6:
		a := v.Addr
		switch v.Kind {
		case rules.ValueAddr:
		case rules.ValueBytes:
			var ok bool
			if a, ok = rules.ParseAddr(v.Bytes); !ok {
				return dst, false
			}
		case rules.ValueInt:
			a = netip.AddrFrom4([4]byte{byte(v.Int >> 24), byte(v.Int >> 16), byte(v.Int >> 8), byte(v.Int)})
		default:
			return dst, false
		}
		if a.Is4() {
			b := a.As4()
			return t.KeyIP(dst, b[:])
		}
		b := a.As16()
		return t.KeyIP(dst, b[:])
	case stick.KeyInteger:
		switch v.Kind {
		case rules.ValueInt:
			return t.KeyInt(dst, v.Int), true
		case rules.ValueAddr:
			if a := v.Addr.Unmap(); a.Is4() {
				b := a.As4()
				return t.KeyIP(dst, b[:])
			}
		case rules.ValueBytes:
			n, ok := atoi(v.Bytes)
			if ok {
				return t.KeyInt(dst, n), true
			}
		}
		return dst, false
	}
	switch v.Kind {
	case rules.ValueBytes:
		return t.KeyBytes(dst, v.Bytes), true
	case rules.ValueInt:
		return t.KeyInt(dst, v.Int), true
	case rules.ValueAddr:
		if v.Addr.Is4() {
			b := v.Addr.As4()
			return t.KeyIP(dst, b[:])
		}
		b := v.Addr.As16()
		return t.KeyIP(dst, b[:])
	}
	return dst, false
}

// atoi parses an optionally signed decimal integer.
func atoi(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg || len(b) > 0 && b[0] == '+' {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// stickEval runs the stick rules of s's backend on smp: it sets
// s.stickSrv to the server the first matching entry names (refreshing
// every entry found) and records the keys of the store rules. Called once
// per server choice, before connect.
func (r *reactor) stickEval(s *stream, be *backend, smp rules.Sample) {
	s.stickSrv = nil
	if s.stk != nil {
		s.stk.n = 0
	}
	if len(be.stick) == 0 {
		return
	}
	if s.stk == nil {
		s.stk = &stickPending{}
	}
	p := s.stk
	p.buf = p.buf[:0]
	now := r.now
	for i := range be.stick {
		rule := &be.stick[i]
		if rule.kind&config.StickStore != 0 && p.has(rule.t) {
			// Only the first store rule of each table applies.
			continue
		}
		if rule.cond != nil && !rule.cond.Eval(smp) {
			continue
		}
		var v rules.Value
		v, r.stickScratch = rule.expr.Eval(r.stickScratch, smp)
		start := len(p.buf)
		key, ok := stickKey(rule.t, p.buf, v)
		if !ok {
			continue
		}
		p.buf = key
		key = key[start:]
		if rule.kind&config.StickMatch != 0 {
			if ent := rule.t.Lookup(key, now); ent != nil {
				if s.stickSrv == nil {
					if srv := be.stuckServer(rule.t, ent); srv != nil && srv.stickable() {
						s.stickSrv = srv
					}
				}
				rule.t.Touch(ent, now)
				rule.t.Release(ent)
			}
		}
		if rule.kind&config.StickStore != 0 && p.n < maxStickStores {
			p.tabs[p.n] = rule.t
			p.end[p.n] = len(p.buf)
			p.n++
		} else {
			p.buf = p.buf[:start]
		}
	}
}

// stickCommit writes the pending store keys of s with the id of its
// server, once the server connection is established. Servers declared
// non-stick are never stored.
func (r *reactor) stickCommit(s *stream) {
	p := s.stk
	if p == nil || p.n == 0 {
		return
	}
	n := p.n
	p.n = 0
	srv := s.srv
	if srv == nil || srv.cfg.NonStick {
		return
	}
	start := 0
	for i := 0; i < n; i++ {
		key := p.buf[start:p.end[i]]
		start = p.end[i]
		t := p.tabs[i]
		ent, err := t.Get(key, r.now)
		if err != nil {
			continue // table full: HAProxy drops the store too
		}
		t.StoreServer(ent, int32(srv.id), srv.name, r.now)
		t.Release(ent)
	}
}

// tcpSample is the rules.Sample of a mode tcp stream: addresses only.
// One per reactor, set up for each evaluation.
type tcpSample struct {
	r    *reactor
	s    *stream
	vars rules.Vars
}

func (t *tcpSample) Method() []byte                                         { return nil }
func (t *tcpSample) URL() []byte                                            { return nil }
func (t *tcpSample) Path() []byte                                           { return nil }
func (t *tcpSample) Query() []byte                                          { return nil }
func (t *tcpSample) Minor() int                                             { return 0 }
func (t *tcpSample) NumHeaders(res bool) int                                { return 0 }
func (t *tcpSample) HeaderAt(res bool, i int) (name, value []byte, ok bool) { return nil, nil, false }
func (t *tcpSample) Src() netip.Addr                                        { return t.s.client.Addr().Unmap() }
func (t *tcpSample) SrcPort() int                                           { return int(t.s.client.Port()) }
func (t *tcpSample) Status() int                                            { return 0 }
func (t *tcpSample) Vars() *rules.Vars                                      { return nil }

// Dst and DstPort ask the kernel for the address the client connected
// to.
func (t *tcpSample) Dst() netip.Addr { return t.local().Addr().Unmap() }
func (t *tcpSample) DstPort() int    { return int(t.local().Port()) }

func (t *tcpSample) local() netip.AddrPort {
	sa, err := unix.Getsockname(t.s.cli.fd)
	if err != nil {
		return netip.AddrPort{}
	}
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port))
	}
	return netip.AddrPort{}
}

// StickTables returns the stick tables in the order HAProxy's "show
// table" lists them: the last declared first. It implements
// cli.TableSource.
func (e *Engine) StickTables() []*stick.Table { return e.tablesShown }

// StickNow returns the date of the tables' clock (the reactors' clock).
func (e *Engine) StickNow() int64 { return e.clock() }
