package cli

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"

	"hitless/engine/config"
)

// ErrServerClosed is returned by [Server.Serve] after [Server.Close].
var ErrServerClosed = errors.New("cli: server closed")

// Defaults of HAProxy's "stats timeout" and "stats maxconn".
const (
	DefaultTimeout = 10 * time.Second
	DefaultMaxconn = 10
)

// Options configure a [Server]. The zero value is usable.
type Options struct {
	// Timeout closes a session that sends nothing (or does not read its
	// answer) for that long: "stats timeout". Zero means DefaultTimeout.
	Timeout time.Duration

	// Maxconn bounds the sessions served at once, over all the listeners
	// of the server: "stats maxconn". Zero means DefaultMaxconn. Beyond it
	// the server stops accepting, so that new clients wait in the kernel
	// backlog.
	Maxconn int

	// Logf, if set, receives session failures (write errors, handler
	// errors). It is called from session goroutines, concurrently.
	Logf func(format string, args ...any)

	// Admin, if set, gives the server-administration commands (set server,
	// get and set weight, enable and disable server, health and agent,
	// shutdown session(s), add and del server, show servers, show backend,
	// wait) their engine. Without it those commands do not exist. The
	// engine usually implements both Source and Admin.
	Admin Admin

	// Commands are added after the built-in commands (help, prompt, quit,
	// user, operator, show cli level, show info, show stat, show version)
	// and the Admin ones. NewServer panics if two commands have the same
	// keyword.
	Commands []Command

	// Test hooks: an upper bound of wait's delay (0 = none), and the name
	// resolution of agent-addr (nil = the system's).
	waitCap    time.Duration
	lookupHost func(host string) (netip.Addr, bool)
}

// Server serves the runtime API on any number of listeners. Its methods are
// safe for concurrent use. Each accepted connection is served by one
// goroutine of its own (see the package documentation for why this is
// allowed here).
type Server struct {
	src     Source
	admin   Admin // nil: no server-administration commands
	cmds    *table
	timeout time.Duration
	maxconn int
	logf    func(format string, args ...any)
	// see Options' test hooks
	waitCap    time.Duration
	lookupHost func(host string) (netip.Addr, bool)

	// mu guards everything below. cond is signalled when a session ends
	// and when the server closes.
	mu        sync.Mutex
	cond      *sync.Cond
	closed    bool
	active    int  // sessions being served
	paused    bool // listener deadlines are in the past because active >= maxconn
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
	wg        sync.WaitGroup // Serve loops and sessions
	done      chan struct{}  // closed by Close
}

// NewServer returns a server answering from src. src is called from session
// goroutines, concurrently. NewServer panics on an invalid command table
// (see [Command]).
func NewServer(src Source, opts Options) *Server {
	cmds := builtinCommands()
	if opts.Admin != nil {
		cmds = append(cmds, adminCommands()...)
	}
	if _, ok := opts.Admin.(TableSource); ok {
		cmds = append(cmds, tableCommands()...)
	}
	s := &Server{
		src:        src,
		admin:      opts.Admin,
		cmds:       newTable(append(cmds, opts.Commands...)),
		timeout:    opts.Timeout,
		maxconn:    opts.Maxconn,
		logf:       opts.Logf,
		waitCap:    opts.waitCap,
		lookupHost: opts.lookupHost,
		listeners:  make(map[net.Listener]struct{}),
		conns:      make(map[net.Conn]struct{}),
		done:       make(chan struct{}),
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.maxconn <= 0 {
		s.maxconn = DefaultMaxconn
	}
	if s.lookupHost == nil {
		s.lookupHost = resolveHost
	}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// listenerConf is what a session needs to know about the socket that
// accepted it.
type listenerConf struct {
	level    config.Level // initial session level, and level of the socket
	exposeFD bool         // "expose-fd listeners": _getsocks may hand out listeners
}

// Serve accepts sessions on ln until ln or the server is closed; sessions
// start at level (zero means config.LevelOperator, HAProxy's default). It
// returns ErrServerClosed after Close, nil if ln was closed by someone else,
// and the accept error otherwise (after closing ln). Serve owns ln from now
// on: Close closes it. Sessions still running when Serve returns keep running until they
// end or Close is called.
func (s *Server) Serve(ln net.Listener, level config.Level) error {
	return s.serve(ln, listenerConf{level: level})
}

// ServeSocket is Serve with the settings of a "stats socket" line: its
// level and "expose-fd listeners", which [Session.ExposeFDListeners]
// reports to commands.
func (s *Server) ServeSocket(ln net.Listener, sock config.StatsSocket) error {
	return s.serve(ln, listenerConf{level: sock.Level, exposeFD: sock.ExposeFDListeners})
}

func (s *Server) serve(ln net.Listener, lc listenerConf) error {
	if lc.level == 0 {
		lc.level = config.LevelOperator
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	if s.paused {
		setListenerDeadline(ln, pastDeadline)
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	var backoff time.Duration
	for {
		s.mu.Lock()
		for s.active >= s.maxconn && !s.closed {
			s.cond.Wait()
		}
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return ErrServerClosed
		}

		c, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			switch {
			case closed:
				return ErrServerClosed
			case errors.Is(err, net.ErrClosed):
				s.forget(ln)
				return nil
			case isTimeout(err):
				// paused by maxconn, or resumed meanwhile: check again
				continue
			case isTemporary(err):
				// EMFILE and friends: retry later, as net/http does
				backoff = nextBackoff(backoff)
				s.logErr("cli: accept on %s: %v; retrying in %v", ln.Addr(), err, backoff)
				if s.sleep(backoff) {
					return ErrServerClosed
				}
				continue
			}
			s.forget(ln)
			ln.Close()
			return err
		}
		backoff = 0

		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return ErrServerClosed
		}
		s.active++
		if s.active >= s.maxconn && !s.paused {
			s.pauseLocked()
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.session(c, lc)
	}
}

// forget removes ln from the listeners paused and closed by the server.
func (s *Server) forget(ln net.Listener) {
	s.mu.Lock()
	delete(s.listeners, ln)
	s.mu.Unlock()
}

// session runs one connection and releases its slot.
func (s *Server) session(c net.Conn, lc listenerConf) {
	defer s.wg.Done()
	sess := newSession(s, c, lc)
	sess.run()
	c.Close()

	s.mu.Lock()
	delete(s.conns, c)
	s.active--
	if s.paused && s.active < s.maxconn {
		s.resumeLocked()
	}
	s.cond.Broadcast()
	s.mu.Unlock()
}

// pastDeadline makes a blocked Accept return at once with a timeout.
var pastDeadline = time.Unix(1, 0)

// pauseLocked stops accepting on every listener: a past deadline wakes the
// Accept calls in progress, whose loops then wait for a free slot. Two
// listeners may each complete an Accept racing with the pause, so with
// several listeners the bound can be exceeded by at most their number minus
// one; with one listener it is exact.
func (s *Server) pauseLocked() {
	s.paused = true
	for ln := range s.listeners {
		setListenerDeadline(ln, pastDeadline)
	}
}

func (s *Server) resumeLocked() {
	s.paused = false
	for ln := range s.listeners {
		setListenerDeadline(ln, time.Time{})
	}
}

func setListenerDeadline(ln net.Listener, t time.Time) {
	if d, ok := ln.(interface{ SetDeadline(time.Time) error }); ok {
		d.SetDeadline(t)
	}
}

// Close closes every listener passed to Serve and every session, then waits
// until the Serve loops and session goroutines have returned. It returns the
// first error from closing a listener.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	s.closed = true
	close(s.done)
	var first error
	for ln := range s.listeners {
		if err := ln.Close(); err != nil && first == nil && !errors.Is(err, net.ErrClosed) {
			first = err
		}
	}
	for c := range s.conns {
		c.Close()
	}
	s.cond.Broadcast()
	s.mu.Unlock()
	s.wg.Wait()
	return first
}

// sleep waits for d or until the server closes, reporting the latter.
func (s *Server) sleep(d time.Duration) (closed bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return false
	case <-s.done:
		return true
	}
}

func nextBackoff(d time.Duration) time.Duration {
	if d == 0 {
		return 5 * time.Millisecond
	}
	if d *= 2; d > time.Second {
		d = time.Second
	}
	return d
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isTemporary(err error) bool {
	te, ok := err.(interface{ Temporary() bool })
	return ok && te.Temporary()
}

func (s *Server) logErr(format string, args ...any) {
	if s.logf != nil {
		s.logf(format, args...)
	}
}
