package engine

import (
	"os"
	"time"

	"golang.org/x/sys/unix"

	"hitless/engine/cli"
	"hitless/engine/config"
)

// Identity of the process as statistics report it. Version starts with the
// HAProxy version whose behaviour hitless implements, so that tools that
// parse it keep working.
const (
	ProductName = "hitless"
	ReleaseDate = "2026/11/21"
)

// compatVersion mirrors config.CompatVersion until the parser lands.
const compatVersion = "2.6.12"

// Version is the hitless version, set by the command at start-up from its
// build information; statistics report config.CompatVersion + "-hitless-"
// + Version.
var Version = "dev"

// Info implements [cli.Source]. It reads atomics and per-reactor shards
// only; any goroutine may call it.
func (e *Engine) Info() cli.Info {
	now := e.clock()
	var rl unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &rl)
	var out, spliced uint64
	for _, fe := range e.frontends {
		var s sum
		for _, r := range e.reactors {
			s.add(&r.ctr[fe.ctr])
		}
		out += s.bytesIn + s.bytesOut
		spliced += s.spliced
	}
	listeners := 0
	for _, fe := range e.frontends {
		listeners += len(fe.specs)
	}
	busy := e.pipesBusy.Load()
	alive := e.pipesUsed.Load()
	idle := uint64(0)
	for _, r := range e.reactors {
		idle += r.idlePct.Load()
	}
	if n := len(e.reactors); n > 0 {
		idle /= uint64(n)
	}
	cur := uint64(max(e.global.cur.Load(), 0))
	return cli.Info{
		Name:                 ProductName,
		Version:              compatVersion + "-hitless-" + Version,
		ReleaseDate:          ReleaseDate,
		Nbthread:             uint64(len(e.reactors)),
		Nbproc:               1,
		ProcessNum:           1,
		Pid:                  uint64(os.Getpid()),
		Uptime:               time.Since(e.start),
		StartTime:            e.start,
		UlimitN:              rl.Cur,
		Maxsock:              uint64(e.maxsock()),
		Maxconn:              uint64(e.maxconn),
		HardMaxconn:          uint64(e.maxconn),
		CurrConns:            cur,
		CumConns:             e.cumConns.Load(),
		Maxpipes:             uint64(e.maxpipes),
		PipesUsed:            uint64(max(busy, 0)),
		PipesFree:            uint64(max(alive-busy, 0)),
		ConnRate:             e.connRate.read(now),
		MaxConnRate:          e.connRate.max.Load(),
		SessRate:             e.connRate.read(now),
		MaxSessRate:          e.connRate.max.Load(),
		Tasks:                cur,
		IdlePct:              idle,
		Node:                 e.cfg.Global.Node,
		Description:          e.cfg.Global.Description,
		Stopping:             e.stopping.Load(),
		Jobs:                 cur + uint64(listeners),
		Listeners:            uint64(listeners),
		TotalBytesOut:        out,
		TotalSplicedBytesOut: spliced,
	}
}

// maxsock is the number of descriptors the configuration may need:
// two per connection, two per pipe, the listeners and a reserve.
func (e *Engine) maxsock() int64 {
	n := e.maxconn*2 + e.maxpipes*2 + 100
	for _, fe := range e.frontends {
		n += int64(len(fe.specs) * len(e.reactors))
	}
	return n
}

// AppendStats implements [cli.Source]: for each proxy in configuration
// order, its FRONTEND row, its server rows and its BACKEND row. Any
// goroutine may call it.
func (e *Engine) AppendStats(dst []cli.StatRow) []cli.StatRow {
	now := e.clock()
	upSec := uint64(now / 1000)
	for _, p := range e.cfg.Proxies {
		if fe := e.frontendOf(p); fe != nil {
			dst = append(dst, e.frontendRow(fe, now))
		}
		b := e.backendOf(p)
		if b == nil {
			continue
		}
		for _, s := range b.servers() {
			if s.deleted.Load() {
				continue
			}
			dst = append(dst, e.serverRow(s, now))
		}
		dst = append(dst, e.backendRow(b, now, upSec))
	}
	return dst
}

func (e *Engine) frontendOf(p *config.Proxy) *frontend {
	for _, fe := range e.frontends {
		if fe.cfg == p {
			return fe
		}
	}
	return nil
}

func (e *Engine) backendOf(p *config.Proxy) *backend {
	for _, b := range e.backends {
		if b.cfg == p {
			return b
		}
	}
	return nil
}

func (e *Engine) sumOf(ctr int) sum {
	var s sum
	for _, r := range e.reactors {
		s.add(&r.ctr[ctr])
	}
	return s
}

func (e *Engine) frontendRow(fe *frontend, now int64) cli.StatRow {
	c := e.sumOf(fe.ctr)
	status := "OPEN"
	if e.stopping.Load() {
		status = "STOP"
	}
	row := cli.StatRow{
		Type: cli.StatFrontend, Mode: fe.cfg.Mode.String(), PxName: fe.name, SvName: "FRONTEND",
		Iid: uint64(fe.id), Status: status,
		Scur: uint64(max(fe.cur.cur.Load(), 0)), Smax: uint64(fe.cur.max.Load()), Slim: uint64(fe.maxconn),
		Stot: c.sessions, Bin: c.bytesIn, Bout: c.bytesOut, Dreq: c.denied,
		Rate: fe.rate.read(now), RateMax: fe.rate.max.Load(),
		ConnRate: fe.rate.read(now), ConnRateMax: fe.rate.max.Load(), ConnTot: c.sessions,
		ReqRate: fe.reqRate.read(now), ReqRateMax: fe.reqRate.max.Load(), Intercepted: c.intercepted,
	}
	httpRow(&row, &c)
	return row
}

// httpRow fills the mode http columns of a row.
func httpRow(row *cli.StatRow, c *sum) {
	row.ReqTot, row.Ereq, row.Reuse = c.reqTot, c.reqErr, c.reuse
	row.Hrsp1xx, row.Hrsp2xx, row.Hrsp3xx = c.hrsp[0], c.hrsp[1], c.hrsp[2]
	row.Hrsp4xx, row.Hrsp5xx, row.HrspOther = c.hrsp[3], c.hrsp[4], c.hrsp[5]
}

func (e *Engine) serverRow(s *server, now int64) cli.StatRow {
	c := e.sumOf(s.ctr)
	act, bck := uint64(1), uint64(0)
	if s.backup {
		act, bck = 0, 1
	}
	last := int64(-1)
	if t := s.lastSess.Load(); t > 0 {
		last = (now - t) / 1000
	}
	w := uint64(s.weight.Load())
	if !s.usable() {
		w = 0
	}
	row := cli.StatRow{
		Type: cli.StatServer, Mode: s.be.cfg.Mode.String(), PxName: s.be.name, SvName: s.name,
		Iid: uint64(s.be.id), Sid: uint64(s.id), Status: s.status(),
		Qcur: uint64(max(s.q.Len(), 0)), Qmax: uint64(s.q.Max()),
		Scur: uint64(max(s.served.cur.Load(), 0)), Smax: uint64(s.served.max.Load()), Slim: uint64(max(s.maxconn.Load(), 0)),
		Stot: c.sessions, Bin: c.bytesIn, Bout: c.bytesOut,
		Econ: c.connErr, Eresp: c.respErr, Wretr: c.retries, Wredis: c.redisp,
		Weight: w, Uweight: uint64(s.cfg.Weight), Act: act, Bck: bck,
		Lastchg: uint64((now - s.lastChg.Load()) / 1000), Qlimit: uint64(s.cfg.Maxqueue),
		Lbtot: c.lbtot, Rate: s.rate.read(now), RateMax: s.rate.max.Load(),
		CliAbrt: c.cliAbort, SrvAbrt: c.srvAbort, Lastsess: last,
		Addr: s.dst.Load().addr.String(), Connect: c.sessions - c.reuse + c.connErr,
		Maint: s.admin.Load()&adminMaint != 0,
	}
	httpRow(&row, &c)
	s.checkStat(&row)
	if pct := s.throttle(); pct < 100 {
		row.Throttle = cli.Opt{V: uint64(pct), Set: true}
	}
	return row
}

func (e *Engine) backendRow(b *backend, now int64, upSec uint64) cli.StatRow {
	c := e.sumOf(b.ctr)
	var act, bck, wAct, wBck, up uint64
	var total uint64
	for _, s := range b.servers() {
		if s.deleted.Load() {
			continue
		}
		total++
		if !s.usable() {
			continue
		}
		up++
		if s.backup {
			bck++
			wBck += uint64(s.weight.Load())
		} else {
			act++
			wAct += uint64(s.weight.Load())
		}
	}
	w := wAct
	if act == 0 {
		w = wBck
	}
	last := int64(-1)
	if t := b.lastSess.Load(); t > 0 {
		last = (now - t) / 1000
	}
	var downSec uint64
	if st := b.downSince.Load(); st != 0 && !b.anyUsable() {
		downSec = uint64((now - st) / 1000)
	}
	row := cli.StatRow{
		Type: cli.StatBackend, Mode: b.cfg.Mode.String(), PxName: b.name, SvName: "BACKEND",
		Iid: uint64(b.id), Status: b.status(),
		Qcur: uint64(max(b.pending(), 0)), Qmax: uint64(b.q.Max()),
		Scur: uint64(max(b.cur.cur.Load(), 0)), Smax: uint64(b.cur.max.Load()), Slim: uint64(b.fullconn),
		Stot: c.sessions, Bin: c.bytesIn, Bout: c.bytesOut, Dreq: c.denied,
		Econ: c.connErr, Eresp: c.respErr, Wretr: c.retries, Wredis: c.redisp,
		Weight: w, Uweight: w, Act: act, Bck: bck,
		Lastchg: upSec, Downtime: downSec, Lbtot: c.lbtot,
		Rate: b.rate.read(now), RateMax: b.rate.max.Load(),
		CliAbrt: c.cliAbort, SrvAbrt: c.srvAbort, Lastsess: last,
		Algo: b.cfg.Balance.Algo, Connect: c.sessions + c.connErr,
		SrvUp: up, SrvTotal: total,
	}
	httpRow(&row, &c)
	// Reused server connections are not connection attempts.
	for _, s := range b.servers() {
		row.Reuse += e.sumOf(s.ctr).reuse
	}
	row.Connect -= row.Reuse
	return row
}
