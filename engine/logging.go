package engine

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"hitless/engine/config"
	"hitless/engine/logs"
)

// Traffic logs. A frontend with "log" lines (its own, or "log global")
// renders one line per transaction (mode http) or per connection (mode
// tcp) with its log format, on the reactor, into the reactor's scratch
// buffer, and hands it to the sinks of its targets: a sink copies it into
// its ring and returns at once, dropping and counting when the ring is
// full, so a slow log server never blocks a reactor. Sinks are shared by
// every proxy that logs to the same target and live as long as the engine.

// logTarget is one resolved "log" line of a frontend.
type logTarget struct {
	sink *logs.Sink
}

// sinkKey identifies a sink: the same destination with the same framing
// and filters is opened once.
type sinkKey struct {
	addr, framing, facility, level, minLevel, tag string
	maxLen                                        int
}

// logTargets resolves the "log" lines of a proxy, "log global" standing
// for the global section's.
func (e *Engine) logTargets(p *config.Proxy) ([]logTarget, error) {
	var targets []logTarget
	for _, lt := range p.Logs {
		lines := []config.LogTarget{lt}
		if lt.Global {
			lines = e.cfg.Global.Logs
		}
		for _, l := range lines {
			s, err := e.sinkFor(l, p.LogTag)
			if err != nil {
				return nil, fmt.Errorf("parsing [%s:%d] : log %s: %w", l.File, l.Line, l.Address, err)
			}
			targets = append(targets, logTarget{sink: s})
		}
	}
	return targets, nil
}

// buildLogs resolves the log targets and the format of a frontend.
func (e *Engine) buildLogs(fe *frontend, p *config.Proxy) error {
	if err := fe.setLogOptions(p); err != nil {
		return fmt.Errorf("proxy '%s': unique-id-format: %w", p.Name, err)
	}
	targets, err := e.logTargets(p)
	if err != nil || len(targets) == 0 {
		return err
	}
	text := p.LogFormat
	var f *logs.Format
	switch {
	case text == "" && p.Mode == config.ModeHTTP:
		f, err = logs.Compile(logs.DefaultLog)
	case text == "":
		f, err = logs.CompileTCP(logs.DefaultTCPLog)
	case p.Mode == config.ModeHTTP:
		f, err = logs.Compile(text)
	default:
		f, err = logs.CompileTCP(text)
	}
	if err != nil {
		return fmt.Errorf("proxy '%s': log-format: %w", p.Name, err)
	}
	fe.logFmt = f
	fe.logAtAccept = text == ""
	fe.needReqID = fe.needReqID || f.Uses("rt")
	fe.logs = targets
	return nil
}

// backendLog sends a message about backend b or its servers (state
// changes, health checks) to b's log targets at level, as HAProxy does.
// It never blocks; it may be called from any goroutine.
func (e *Engine) backendLog(b *backend, level int, msg []byte) {
	if len(b.logs) == 0 {
		return
	}
	now := time.Now()
	for _, t := range b.logs {
		t.sink.Send(level, now, msg)
	}
}

// sinkFor returns the sink of a "log" line, opening it the first time.
// tag is the proxy's "log-tag", "" for the global one.
func (e *Engine) sinkFor(lt config.LogTarget, tag string) (*logs.Sink, error) {
	if tag == "" {
		tag = e.logTag()
	}
	k := sinkKey{lt.Address, lt.Format, lt.Facility, lt.Level, lt.MinLevel, tag, lt.MaxLen}
	if s := e.sinks[k]; s != nil {
		return s, nil
	}
	t := logs.Target{Addr: lt.Address, Level: logs.LevelDebug, MaxLen: lt.MaxLen, Tag: tag}
	switch {
	case lt.Format != "":
		fr, ok := logs.ParseFraming(lt.Format)
		if !ok {
			return nil, fmt.Errorf("unknown log format '%s'", lt.Format)
		}
		t.Framing = fr
		if fr == logs.FrameRFC3164 {
			// An explicit rfc3164 names the host, "localhost" without
			// log-send-hostname, as HAProxy does.
			t.Hostname = "localhost"
		}
	default:
		t.Framing = logs.FrameRFC3164
	}
	t.Facility, _ = logs.ParseFacility(lt.Facility)
	if lt.Level != "" {
		t.Level, _ = logs.ParseLevel(lt.Level)
	}
	if lt.MinLevel != "" {
		t.MinLevel, _ = logs.ParseLevel(lt.MinLevel)
	}
	s, err := logs.NewSink(t, 0)
	if err != nil {
		return nil, err
	}
	if e.sinks == nil {
		e.sinks = map[sinkKey]*logs.Sink{}
	}
	e.sinks[k] = s
	return s, nil
}

// logTag is "log-tag", or the program's base name.
func (e *Engine) logTag() string {
	if t := e.cfg.Global.LogTag; t != "" {
		return t
	}
	return filepath.Base(os.Args[0])
}

// closeSinks sends what the sinks hold and stops them.
func (e *Engine) closeSinks() {
	for _, s := range e.sinks {
		s.Close()
	}
}

// LogsDropped returns the log lines the sinks dropped because their ring
// was full.
func (e *Engine) LogsDropped() uint64 {
	var n uint64
	for _, s := range e.sinks {
		n += s.Dropped()
	}
	return n
}

// wallTime converts a reactor clock instant to wall time.
func (e *Engine) wallTime(ms int64) time.Time {
	return e.start.Add(time.Duration(ms) * time.Millisecond)
}

// emitLog renders fl with the frontend's format and sends it to its
// targets at level info.
func (r *reactor) emitLog(fe *frontend, fl *logs.Fields) {
	fl.Pid = r.e.pid
	r.logBuf = fe.logFmt.Append(r.logBuf[:0], fl)
	now := r.e.wallTime(r.now)
	for _, t := range fe.logs {
		t.sink.Send(logs.LevelInfo, now, r.logBuf)
	}
}

// logField returns the reactor's Fields, reset.
func (r *reactor) logFields() *logs.Fields {
	fl := &r.logF
	*fl = logs.Fields{Status: -1, TR: -1, Tw: -1, Tc: -1, Tr: -1, Ta: -1, Tt: -1, Ti: -1, Tq: -1, Td: -1}
	return fl
}

// logAccept logs a new connection with HAProxy's default line (a
// frontend with "log" but no log format logs at accept time).
func (r *reactor) logAccept(s *stream, fe *frontend) {
	fl := r.logFields()
	fl.Accept = r.e.wallTime(s.born)
	fl.ClientAddr = s.client
	fl.FrontAddr = localAddrOf(s.cli.fd)
	fl.Frontend = fe.name
	r.emitLog(fe, fl)
}

// logTCP logs a mode tcp stream when it closes (option tcplog or a
// log-format), or with "option logasap" once its server connection is
// established (asap): the total time then ends there, and the byte
// counts are marked as partial.
func (r *reactor) logTCP(s *stream, asap bool) {
	fe := s.fe
	fl := r.logFields()
	fl.LogASAP = asap
	fl.Accept = r.e.wallTime(s.born)
	fl.ClientAddr = s.client
	fl.Frontend = fe.name
	fl.Backend = fe.name
	fl.Server = "<NOSRV>"
	if s.be != nil {
		fl.Backend = s.be.name
	}
	if srv := s.lastSrv; srv != nil {
		fl.Server = srv.name
		fl.ServerAddr = srv.dst.Load().addr
		fl.SrvConn = int(srv.served.cur.Load())
		fl.SrvQueue = int(srv.q.Len())
	}
	if s.tSrv >= 0 {
		fl.Tw = s.tSrv - s.born
	}
	if s.tConn >= 0 {
		fl.Tc = s.tConn - s.tSrv
	}
	fl.Tt = r.now - s.born
	fl.BytesOut, fl.BytesIn = s.bytesOut, s.bytesIn
	fl.TermState = s.termState()
	r.fillConnCounts(fl, s)
	r.emitLog(fe, fl)
}

// httpLog logs the transaction of a mode http stream that just ended.
func (r *reactor) httpLog(s *stream) { r.httpLogLine(s, false) }

// httpLogLine logs the transaction of a mode http stream once: when it
// ends, or when its response head arrives with "option logasap" (asap).
func (r *reactor) httpLogLine(s *stream, asap bool) {
	h := s.h
	fe := s.fe
	if fe.logFmt == nil || fe.logAtAccept || h.logged || !h.begun {
		return // no log, or no request since the previous transaction
	}
	h.logged = true
	fl := r.logFields()
	fl.LogASAP = asap
	if c := h.caps; c != nil {
		fl.ReqCaptures, fl.ResCaptures = c.req, c.res
		fl.CookieReq, fl.CookieRes = c.cookieReq, c.cookie
	}
	fl.ConnID = h.reqID
	if fe.uidFmt != nil && fe.logFmt.Uses("ID") {
		fl.UniqueID = r.uniqueID(s)
	}
	fl.Accept = r.e.wallTime(h.txnStart)
	fl.Request = r.e.wallTime(h.reqStart)
	fl.ClientAddr = s.client
	fl.FrontAddr = h.localAddr()
	fl.Frontend, fl.Backend, fl.Server = fe.name, fe.name, "<NOSRV>"
	if h.lastBe != nil {
		fl.Backend = h.lastBe.name
	}
	if srv := s.lastSrv; srv != nil {
		fl.Server = srv.name
		fl.ServerAddr = srv.dst.Load().addr
		fl.SrvConn = int(srv.served.cur.Load())
		fl.SrvQueue = int(srv.q.Len())
	}
	fl.Ti = h.reqStart - h.txnStart
	if h.tHead >= 0 {
		fl.TR = h.tHead - h.reqStart
		fl.Tq = fl.Ti + fl.TR
	}
	if s.tSrv >= 0 && h.tHead >= 0 {
		fl.Tw = s.tSrv - h.tHead
	}
	if s.tConn >= 0 && s.tSrv >= 0 {
		fl.Tc = s.tConn - s.tSrv
	}
	if h.tRes >= 0 && s.tConn >= 0 {
		fl.Tr = h.tRes - s.tConn
	}
	fl.Ta = r.now - h.reqStart
	fl.Tt = r.now - h.txnStart
	fl.Status = h.status
	if h.status == 0 {
		fl.Status = -1
	}
	fl.BytesOut, fl.BytesIn = s.bytesOut, s.bytesIn
	if len(h.reqLine) > 0 {
		fl.ReqLine = h.reqLine
	}
	fl.TermState = s.termState()
	r.fillConnCounts(fl, s)
	r.emitLog(fe, fl)
}

// termState is HAProxy's termination state of the stream (%tsc): the
// cause and the phase, then the persistence flags hitless never sets.
func (s *stream) termState() [4]byte {
	t := [4]byte{'-', '-', '-', '-'}
	if s.term[0] != 0 {
		t[0], t[1] = s.term[0], s.term[1]
	}
	return t
}

// setTerm records the first termination cause of a stream.
func (s *stream) setTerm(cause, phase byte) {
	if s.term[0] == 0 {
		s.term = [2]byte{cause, phase}
	}
}

// localAddrOf returns the local address of a socket.
func localAddrOf(fd int) netip.AddrPort {
	sa, err := unix.Getsockname(fd)
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

// fillConnCounts sets %ac %fc %bc %bq %rc.
func (r *reactor) fillConnCounts(fl *logs.Fields, s *stream) {
	fl.ActConn = int(r.e.global.cur.Load())
	fl.FeConn = int(s.fe.cur.cur.Load())
	if s.be != nil {
		fl.BeConn = int(s.be.cur.cur.Load())
		fl.BackQueue = int(s.be.q.Len())
		fl.Retries = s.attempts - 1
		if fl.Retries < 0 {
			fl.Retries = 0
		}
	}
}
