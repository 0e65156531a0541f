package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"hitless/engine/check"
	"hitless/engine/cli"
	"hitless/engine/config"
	"hitless/engine/logs"
	"hitless/poller"
)

// Health checks run on the reactors, one server's checks on one reactor
// (its owner, chosen by the server's position): a check is a non-blocking
// connection registered in the owner's epoll like any other, driven by
// check.Run, with its deadlines on the owner's timer wheel. Nothing here
// blocks and no goroutine is started per check.

// checker is one server's health check. The fields above the atomics are
// owned by the owner reactor; the atomics publish its state to the CLI.
type checker struct {
	srv   *server
	owner *reactor
	idx   int32  // index in owner.checks
	gen   uint32 // bumped per connection: events of an older one are dropped
	tm    timer

	prog       *check.Program
	targets    []checkTarget // per step: the resolved address of OpConnect steps
	run        check.Run
	health     check.Health
	fd         int
	running    bool
	dead       bool // the server was deleted: no more checks
	connecting bool // the current connect step waits for EPOLLOUT
	eof        bool
	out        []byte // unsent bytes of the current OpSend step
	in         []byte // bytes received since the last Send or Connect
	started    int64  // ms
	due        int64  // ms: the running check's deadline, or the next check's start

	inter, fastinter, downinter time.Duration
	connTO, restTO              time.Duration
	prevStatus                  check.Status
	msg                         []byte // message scratch

	// A program replaced while a check ran ("set server check-addr"),
	// taken by the next check.
	nextProg    *check.Program
	nextTargets []checkTarget

	enabled    atomic.Bool
	stHealth   atomic.Int32
	stStatus   atomic.Uint32
	stCode     atomic.Int32
	stDuration atomic.Int64 // ms
	stInfo     atomic.Pointer[string]
	stRunning  atomic.Bool
	chkfail    atomic.Uint64
}

// checkTarget is where an OpConnect step connects.
type checkTarget struct {
	family int
	sa     unix.Sockaddr
}

// newCheckers builds the checkers of every server with "check", and gives
// each to a reactor. Called by New once the reactors exist.
func (e *Engine) newCheckers() error {
	for _, s := range e.serverList() {
		if !s.cfg.Check {
			continue
		}
		c, err := e.newChecker(s)
		if err != nil {
			return fmt.Errorf("parsing [%s:%d] : 'server %s/%s' : health check: %w", s.cfg.File, s.cfg.Line, s.be.name, s.name, err)
		}
		c.owner.attachChecker(c)
	}
	return nil
}

// newChecker builds the checker of s and chooses its reactor, in turn.
// The caller attaches it on that reactor.
func (e *Engine) newChecker(s *server) (*checker, error) {
	prog, err := check.NewProgram(s.be.cfg, s.cfg)
	if err != nil {
		return nil, err
	}
	bufsize := orDefault(e.cfg.Global.TuneBufsize, check.DefaultBufSize)
	prog.BufSize = bufsize
	targets, err := resolveTargets(prog, e.opts.ResolveTimeout)
	if err != nil {
		return nil, err
	}
	r := e.reactors[int(e.checkTurn.Add(1)-1)%len(e.reactors)]
	c := &checker{srv: s, owner: r, prog: prog, targets: targets, fd: -1,
		health: check.NewHealth(max(s.cfg.Rise, 1), max(s.cfg.Fall, 1)),
		inter:  s.cfg.Inter, fastinter: s.cfg.FastInter, downinter: s.cfg.DownInter,
		in: make([]byte, 0, bufsize)}
	if c.inter <= 0 {
		c.inter = 2 * time.Second
	}
	c.connTO, c.restTO = check.Timeouts(c.inter, s.be.cfg.Timeouts.Connect, s.be.cfg.Timeouts.Check)
	c.enabled.Store(true)
	c.stHealth.Store(int32(c.health.Cur))
	c.stStatus.Store(uint32(check.StatusIni))
	c.prevStatus = check.StatusIni
	s.chk = c
	return c, nil
}

// attachChecker makes c one of the reactor's checks. It runs on the
// reactor (or before it starts).
func (r *reactor) attachChecker(c *checker) {
	c.idx = int32(len(r.checks))
	c.tm.kind, c.tm.idx = timerCheck, c.idx
	r.checks = append(r.checks, c)
}

// detachChecker stops c for good (its server was deleted). The slot stays
// in r.checks so that indexes do not move. It runs on the reactor.
func (r *reactor) detachChecker(c *checker) {
	r.closeCheckConn(c)
	r.wheel.disarm(&c.tm)
	c.running, c.dead = false, true
	c.stRunning.Store(false)
}

// resolveTargets resolves the address of each OpConnect step once, at
// start-up, as server addresses are.
func resolveTargets(p *check.Program, timeout time.Duration) ([]checkTarget, error) {
	ts := make([]checkTarget, len(p.Steps))
	for i := range p.Steps {
		st := &p.Steps[i]
		if st.Op != check.OpConnect {
			continue
		}
		switch st.Kind {
		case config.AddrUnix:
			ts[i] = checkTarget{family: unix.AF_UNIX, sa: &unix.SockaddrUnix{Name: st.Path}}
			continue
		case config.AddrAbstract:
			ts[i] = checkTarget{family: unix.AF_UNIX, sa: &unix.SockaddrUnix{Name: "@" + st.Path}}
			continue
		}
		ip, err := netip.ParseAddr(st.Host)
		if err != nil {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			addrs, lerr := net.DefaultResolver.LookupNetIP(ctx, "ip", st.Host)
			cancel()
			if lerr != nil || len(addrs) == 0 {
				return nil, fmt.Errorf("could not resolve address '%s'", st.Host)
			}
			ip = addrs[0]
		}
		d := newDst(ip, st.Port)
		if d.family == unix.AF_INET {
			sa := d.sa4
			ts[i] = checkTarget{family: unix.AF_INET, sa: &sa}
		} else {
			sa := d.sa6
			ts[i] = checkTarget{family: unix.AF_INET6, sa: &sa}
		}
	}
	return ts, nil
}

// startChecks schedules the first check of each of the reactor's
// checkers, staggered over their intervals as HAProxy does.
func (r *reactor) startChecks() {
	if len(r.checks) == 0 {
		return
	}
	inters := make([]time.Duration, len(r.checks))
	for i, c := range r.checks {
		inters[i] = c.health.Interval(c.inter, c.fastinter, c.downinter)
	}
	delays := check.StartDelays(inters, r.e.cfg.Global.SpreadChecks, rand.Uint32)
	for i, c := range r.checks {
		c.due = r.now + delays[i].Milliseconds()
		r.wheel.arm(&c.tm, c.due)
	}
}

// checkTimer runs when a checker's timer fires: a check starts, or the
// running one reached its deadline.
func (r *reactor) checkTimer(c *checker) {
	if c.dead {
		return
	}
	if r.now < c.due {
		r.wheel.arm(&c.tm, c.due)
		return
	}
	if c.running {
		c.run.TimedOut()
		r.checkDone(c)
		return
	}
	if !c.enabled.Load() {
		r.scheduleCheck(c)
		return
	}
	c.running = true
	c.stRunning.Store(true)
	c.started = r.now
	c.due = r.now + c.connTO.Milliseconds()
	r.wheel.arm(&c.tm, c.due)
	c.run.Start(c.prog, c.srv.op.Load() == opStopped)
	r.checkAdvance(c)
}

// checkEvent handles an epoll event of a check connection.
func (r *reactor) checkEvent(c *checker, ev uint32) {
	if c.dead || !c.running || c.fd < 0 {
		return
	}
	st := c.run.Step()
	if st == nil {
		return
	}
	switch st.Op {
	case check.OpConnect:
		if ev&(poller.Err|poller.Hup) != 0 {
			c.run.Failed(sockErr(c.fd))
			r.checkDone(c)
			return
		}
		if ev&poller.Out != 0 {
			r.checkConnected(c)
		}
	}
	r.checkAdvance(c)
}

// checkConnected notes that the current connect step completed.
func (r *reactor) checkConnected(c *checker) {
	c.connecting = false
	c.run.Connected()
	if c.restTO > 0 {
		c.due = r.now + c.restTO.Milliseconds()
		r.wheel.arm(&c.tm, c.due)
	}
}

// checkAdvance performs the current step and the ones after it until one
// must wait for an event, or the run is done.
func (r *reactor) checkAdvance(c *checker) {
	for c.running {
		if c.run.Done() {
			r.checkDone(c)
			return
		}
		st := c.run.Step()
		switch st.Op {
		case check.OpConnect:
			if c.connecting {
				return // EPOLLOUT completes it
			}
			if !r.checkConnect(c, st) {
				return
			}
		case check.OpSend:
			if c.out == nil {
				c.out = st.Data
				c.in = c.in[:0]
				c.eof = false
			}
			for len(c.out) > 0 {
				n, err := poller.Write(c.fd, c.out)
				if err == unix.EAGAIN {
					return // EPOLLOUT resumes
				}
				if err == unix.EINTR {
					continue
				}
				if err != nil {
					c.run.Failed(errnoOf(err))
					break
				}
				c.out = c.out[n:]
			}
			if !c.run.Done() {
				c.out = nil
				c.run.Sent()
			}
		case check.OpExpect:
			if !r.checkRead(c) {
				return
			}
		}
	}
}

// checkConnect opens the connection of a connect step. It returns false
// when the step waits for the connection to complete.
func (r *reactor) checkConnect(c *checker, st *check.Step) bool {
	r.closeCheckConn(c)
	c.in, c.out, c.eof = c.in[:0], nil, false
	t := &c.targets[c.stepIndex(st)]
	fd, err := unix.Socket(t.family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		c.run.Failed(errnoOf(err))
		return true
	}
	c.gen++
	if t.family != unix.AF_UNIX {
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	}
	if !st.Linger {
		// HAProxy resets check connections when it is done with them.
		unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	}
	if err := r.p.Add(fd, connEvents, makeToken(tokCheck, c.idx, c.gen)); err != nil {
		unix.Close(fd)
		c.run.Failed(errnoOf(err))
		return true
	}
	c.fd = fd
	switch err := unix.Connect(fd, t.sa); err {
	case nil:
		r.checkConnected(c)
		return true
	case unix.EINPROGRESS, unix.EINTR:
		c.connecting = true
		return false
	default:
		c.run.Failed(errnoOf(err))
		return true
	}
}

// stepIndex returns the index of st in the program.
func (c *checker) stepIndex(st *check.Step) int {
	for i := range c.prog.Steps {
		if &c.prog.Steps[i] == st {
			return i
		}
	}
	return 0
}

// checkRead reads what the server sent and evaluates the expect steps.
// It returns false when it must wait for more data.
func (r *reactor) checkRead(c *checker) bool {
	for !c.eof && len(c.in) < cap(c.in) {
		n, err := poller.Read(c.fd, c.in[len(c.in):cap(c.in)])
		if err == unix.EAGAIN {
			break
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if len(c.in) == 0 {
				c.run.Failed(errnoOf(err))
				return true
			}
			c.eof = true // an error after data: evaluate what came
			break
		}
		if n == 0 {
			c.eof = true
			break
		}
		c.in = c.in[:len(c.in)+n]
	}
	full := len(c.in) == cap(c.in)
	if c.run.Received(c.in, c.eof || full) == check.NeedMore {
		return false // EPOLLIN resumes
	}
	return true
}

// closeCheckConn closes the check's connection, if any.
func (r *reactor) closeCheckConn(c *checker) {
	if c.fd >= 0 {
		unix.Close(c.fd)
		c.fd = -1
	}
	c.connecting = false
}

// checkDone applies a finished check's result and schedules the next.
func (r *reactor) checkDone(c *checker) {
	r.closeCheckConn(c)
	c.running = false
	c.stRunning.Store(false)
	c.out = nil
	c.run.SetDuration(time.Duration(r.now-c.started) * time.Millisecond)
	s := c.srv
	// The CLI sees the run's last report only (a passing MySQL check
	// reports twice, and HAProxy shows the second), published before
	// the state changes it causes.
	last := c.run.Result()
	c.stStatus.Store(uint32(last.Status))
	c.stCode.Store(int32(last.Code))
	c.stDuration.Store(last.Duration.Milliseconds())
	info := last.Info()
	c.stInfo.Store(&info)
	for _, res := range c.run.Reports() {
		res := res
		passed := res.Passed()
		if !passed {
			c.chkfail.Add(1)
		}
		moved, changed := c.health.Observe(passed)
		c.stHealth.Store(int32(c.health.Cur))
		if s.be.cfg.LogHealthChecks && check.LogWorthy(c.prevStatus, res.Status, moved) {
			c.msg = check.AppendCheckLog(c.msg[:0], s.checkName(), &res, &c.health, s.weight.Load() == 0)
			r.e.notice(string(c.msg))
			r.e.backendLog(s.be, logs.LevelNotice, c.msg)
		}
		c.prevStatus = res.Status
		// With log-health-checks the check was logged already: the
		// state change message then names no reason, as in HAProxy.
		why := &res
		if s.be.cfg.LogHealthChecks {
			why = nil
		}
		switch {
		case changed && c.health.Up():
			op := opRunning
			if res.Status.Outcome() == check.OutcomeCondPass {
				op = opStopping
			}
			r.e.setOpCheck(s, op, why)
		case changed:
			r.e.setOpCheck(s, opStopped, why)
		case c.health.Up() && res.Status.Outcome() == check.OutcomeCondPass:
			r.e.setOpCheck(s, opStopping, why) // disable-on-404: NOLB
		case c.health.Up() && passed && s.op.Load() == opStopping:
			r.e.setOpCheck(s, opRunning, why)
		}
	}
	if c.nextProg != nil {
		c.prog, c.targets, c.nextProg, c.nextTargets = c.nextProg, c.nextTargets, nil, nil
	}
	if s.upSince.Load() != 0 {
		// slowstart raised the limit since the last check: waiting
		// streams may fit now, as HAProxy re-evaluates at each check.
		r.e.drainQueue(s.be)
	}
	r.scheduleCheck(c)
}

// scheduleCheck arms the next check after the interval the health calls
// for, spread as "spread-checks" asks.
func (r *reactor) scheduleCheck(c *checker) {
	d := c.health.Interval(c.inter, c.fastinter, c.downinter)
	d = check.Spread(d, r.e.cfg.Global.SpreadChecks, rand.Uint32())
	c.due = r.now + max(d.Milliseconds(), 1)
	r.wheel.arm(&c.tm, c.due)
}

// stopChecks closes the reactor's check connections.
func (r *reactor) stopChecks() {
	for _, c := range r.checks {
		r.closeCheckConn(c)
		r.wheel.disarm(&c.tm)
		c.running = false
	}
}

// sockErr returns the pending error of a socket.
func sockErr(fd int) syscall.Errno {
	v, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		return errnoOf(err)
	}
	return syscall.Errno(v)
}

func errnoOf(err error) syscall.Errno {
	if en, ok := err.(syscall.Errno); ok {
		return en
	}
	return 0
}

// checkName is how check messages name s.
func (s *server) checkName() check.ServerName {
	return check.ServerName{Backend: s.be.name, Name: s.name, Backup: s.backup}
}

// checkState implements the check part of cli.ServerState.
func (e *Engine) checkState(s *server) cli.CheckState {
	c := s.chk
	if c == nil {
		return cli.CheckState{Status: "INI"}
	}
	st := check.Status(c.stStatus.Load())
	cs := cli.CheckState{
		Configured: true, Enabled: c.enabled.Load(), InProgress: c.stRunning.Load(),
		Status: st.String(), Health: int(c.stHealth.Load()), Rise: c.health.Rise, Fall: c.health.Fall,
	}
	switch st.Outcome() {
	case check.OutcomePassed:
		cs.Result = cli.CheckResultPassed
	case check.OutcomeCondPass:
		cs.Result = cli.CheckResultCondPass
	case check.OutcomeFailed:
		cs.Result = cli.CheckResultFailed
	}
	return cs
}

// checkStat fills the check columns of a server's show stat row.
func (s *server) checkStat(row *cli.StatRow) {
	c := s.chk
	if c == nil {
		return
	}
	st := check.Status(c.stStatus.Load())
	cs := cli.CheckStat{
		Enabled: c.enabled.Load(), InProgress: c.stRunning.Load(), Status: st.String(),
		Rise: uint64(c.health.Rise), Fall: uint64(c.health.Fall), Health: uint64(max(c.stHealth.Load(), 0)),
	}
	if st.HasCode() {
		cs.Code = uint64(max(c.stCode.Load(), 0))
	}
	if st != check.StatusIni && st != check.StatusUnknown {
		cs.Duration = uint64(max(c.stDuration.Load(), 0))
	}
	if p := c.stInfo.Load(); p != nil {
		cs.Last = *p
	}
	row.Check = cs
	row.Chkfail = c.chkfail.Load()
	row.Chkdown = s.chkdown.Load()
}

// forceHealth sets the health counter as "set server health" does: up
// and stopping to its maximum, down to 0. It runs on the owner reactor.
func (e *Engine) forceHealth(s *server, up bool) {
	c := s.chk
	if c == nil {
		return
	}
	c.owner.post(func(r *reactor) {
		if up {
			c.health.Cur = c.health.Max()
		} else {
			c.health.Cur = 0
		}
		c.stHealth.Store(int32(c.health.Cur))
	})
}

// setCheckTarget changes the address (if valid) and port (if >= 0) the
// health check connects to, by rebuilding the program from a copy of the
// server's configuration.
func (e *Engine) setCheckTarget(s *server, addr netip.Addr, port int) error {
	c := s.chk
	if c == nil {
		return cli.ErrCheckNotEnabled
	}
	sc := *s.cfg
	if addr.IsValid() {
		sc.CheckAddr = addr.String()
	}
	if port >= 0 {
		sc.CheckPort = port
	}
	prog, err := check.NewProgram(s.be.cfg, &sc)
	if err != nil {
		return err
	}
	prog.BufSize = c.prog.BufSize
	targets, err := resolveTargets(prog, e.opts.ResolveTimeout)
	if err != nil {
		return err
	}
	return c.owner.post(func(r *reactor) {
		// The running check finishes on its program; the next one uses
		// the new target.
		c.nextProg, c.nextTargets = prog, targets
		if !c.running {
			c.prog, c.targets, c.nextProg, c.nextTargets = prog, targets, nil, nil
		}
	})
}

// setCheckEnabled enables or disables the health check of s.
func (e *Engine) setCheckEnabled(s *server, on bool) {
	if s.chk != nil {
		s.chk.enabled.Store(on)
	}
}
