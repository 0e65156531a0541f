package main

// Master-worker mode (-W, -Ws, or "master-worker" in the global section),
// as HAProxy 2.6 runs it, for service units, reload scripts and test
// harnesses written for haproxy.
//
// The master serves no traffic. It starts one worker, supervises it,
// starts a new one on each reload, and exits when no worker is left. A Go
// process cannot fork, so a worker is the same executable started again
// (os.Executable) with the master's argv and the workerEnv variable,
// which names the descriptors of its two channels to the master:
//
//   - a readiness pipe: the worker writes "ready\n" once it listens and
//     has told the previous workers to finish, then closes it. End of file
//     without it means the start failed.
//   - a "sockpair" channel (a connected unix socketpair, see
//     cli.ListenSockpair): the worker serves its runtime API on it at
//     level admin with "expose-fd listeners". The master opens one session
//     per command it forwards (master CLI "@1 cmd") by sending a fresh
//     socketpair end over it; a new worker started by a reload inherits
//     the master's end of the current worker's channel and passes
//     "-x sockpair@<fd>" to take the listening sockets with _getsocks. The
//     worker exits when the channel reaches its end: the master is gone.
//
// Invariants:
//
//   - The master's loop goroutine (master.run) owns the workers' life
//     cycle; signals, exits, readiness reports and CLI reload requests
//     reach it through channels. It alone mutates workers, under mu,
//     which CLI sessions take to read them (show proc, forwarding).
//   - At most one worker is starting at a time; reloads requested
//     meanwhile are merged into one that runs when the start ends.
//   - Descriptors the master inherited open (harness sockets named by
//     "fd@N" binds and stats sockets) are handed to every worker at the
//     same numbers, and to nothing else: the master marks them
//     close-on-exec and starts workers with syscall.ForkExec, which never
//     changes their file status flags (os/exec would make them blocking,
//     and running workers share them).
//   - Every worker holds the master's standard streams as its own. A
//     daemon's first worker detaches them once ready, as the master does;
//     later workers inherit the master's /dev/null.
//   - The master exits 130 after SIGINT, 143 after SIGTERM and 0 after
//     SIGUSR1, once its workers are gone; when the current worker dies on
//     its own with another status, it stops the others with SIGTERM and
//     exits with that status (HAProxy's exit-on-failure).

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"hitless/engine/config"
)

// workerStartTimeout bounds a worker's start: one not ready by then is
// killed and the start counts as failed.
const workerStartTimeout = 60 * time.Second

// workerState is where a worker is in its life.
type workerState uint8

const (
	workerStarting workerState = iota // started, not ready yet
	workerCurrent                     // serving; "@1" and reloads take its sockets
	workerOld                         // replaced by a reload, finishing its connections
)

// worker is one worker process, as the master sees it. Its fields are
// written by the master's loop, under master.mu once it is in
// master.workers.
type worker struct {
	pid       int
	proc      *os.Process
	started   time.Time
	reloads   int // reloads it has been through
	state     workerState
	ipc       int  // the master's end of its sockpair channel; -1 once closed
	initial   bool // the first worker of the master
	concluded bool // its start ended (ready, failed or timed out)
	exited    bool
	timer     *time.Timer // start timeout
}

// workerExit and workerReady are reports of a worker's goroutines to the
// master's loop.
type workerExit struct {
	w    *worker
	code int // exit status, or 128 + signal
}

type workerReady struct {
	w        *worker
	ok       bool
	timedOut bool
}

// reloadResult answers a reload requested on the master CLI.
type reloadResult struct {
	ok  bool
	log string // the master's messages during the reload
}

// master is the master process. See the top of this file for the model.
type master struct {
	lg      *logger
	a       *args
	opts    config.Options
	argv    []string // command-line arguments, without the program name
	exe     string
	started time.Time
	pidfile string

	inherited   []int // descriptors handed to every worker at the same numbers
	notify      *sdNotifier
	daemonReady string // readiness descriptor of a daemonizing parent, or ""
	startup     *capture

	sigs      chan os.Signal
	exits     chan workerExit
	readies   chan workerReady
	reloadReq chan chan reloadResult
	done      chan struct{} // closed when run returns

	// loop-owned
	stopping  bool
	exitCode  int
	everReady bool
	starting  *worker
	waiters   []chan reloadResult // answered when the reload in progress ends
	queued    []chan reloadResult // a reload was requested during another one
	queuedAny bool

	mu      sync.Mutex // guards workers, reloads, failed
	workers []*worker  // in start order
	reloads int
	failed  int

	clis     []net.Listener
	cliSlots chan struct{} // master CLI sessions being served, over all -S sockets
}

// runMaster runs hitless as a master with cfg, already loaded, and returns
// its exit status.
func runMaster(lg *logger, a *args, cfg *config.Config, opts config.Options) int {
	exe, err := os.Executable()
	if err != nil {
		lg.alert("master-worker: cannot find the executable: %v", err)
		return 1
	}
	m := &master{
		lg:          lg,
		a:           a,
		opts:        opts,
		argv:        append([]string(nil), os.Args[1:]...),
		exe:         exe,
		started:     time.Now(),
		pidfile:     a.pidfile,
		daemonReady: os.Getenv(readyEnv),
		startup:     &capture{},
		sigs:        make(chan os.Signal, 8),
		exits:       make(chan workerExit, 8),
		readies:     make(chan workerReady, 8),
		reloadReq:   make(chan chan reloadResult),
		done:        make(chan struct{}),
		cliSlots:    make(chan struct{}, masterCLIMaxconn),
	}
	if m.pidfile == "" {
		m.pidfile = cfg.Global.Pidfile
	}
	setMasterEnv()
	if a.systemd {
		m.notify = newSDNotifier(os.Getenv("NOTIFY_SOCKET"))
	}
	lg.mu.Lock()
	lg.w = io.MultiWriter(lg.w, m.startup)
	lg.mu.Unlock()

	signal.Notify(m.sigs, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(m.sigs)

	for _, spec := range a.masterCLI {
		ln, level, err := listenMasterCLI(lg, spec, opts)
		if err != nil {
			lg.alert("%v", err)
			m.closeCLI()
			return 1
		}
		m.clis = append(m.clis, ln)
		go m.serveCLI(ln, level)
	}
	defer m.closeCLI()

	exclude := map[int]bool{}
	if fd, err := strconv.Atoi(m.daemonReady); err == nil {
		exclude[fd] = true
	}
	m.inherited = takeInheritedFDs(exclude)

	if err := m.spawn(m.argv, -1, true); err != nil {
		lg.alert("master-worker: cannot start a worker: %v", err)
		return 1
	}
	code := m.run()
	close(m.done)
	return code
}

// run is the master's loop: it returns the exit status once no worker is
// left.
func (m *master) run() int {
	for {
		select {
		case sig := <-m.sigs:
			m.onSignal(sig.(syscall.Signal))
		case e := <-m.exits:
			m.onExit(e)
		case r := <-m.readies:
			m.onReady(r)
		case reply := <-m.reloadReq:
			m.reload(reply)
		}
		m.mu.Lock()
		left := len(m.workers)
		m.mu.Unlock()
		if left == 0 {
			if m.everReady {
				m.lg.warningf("All workers exited. Exiting... (%d)", m.exitCode)
			}
			return m.exitCode
		}
	}
}

func (m *master) onSignal(sig syscall.Signal) {
	switch sig {
	case syscall.SIGUSR2, syscall.SIGHUP:
		m.reload(nil)
	case syscall.SIGUSR1:
		m.stop(0, sig)
	case syscall.SIGINT, syscall.SIGTERM:
		m.stop(128+int(sig), sig)
	}
}

// stop forwards sig to every worker; the master exits with code once they
// are gone.
func (m *master) stop(code int, sig syscall.Signal) {
	if !m.stopping {
		m.lg.warningf("Exiting Master process...")
		m.notify.send("STOPPING=1")
	}
	m.stopping = true
	m.exitCode = code
	m.signalAll(sig)
	m.answer(&m.queued, reloadResult{})
	m.queuedAny = false
}

func (m *master) signalAll(sig syscall.Signal) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range m.workers {
		syscall.Kill(w.pid, sig)
	}
}

// reload starts a new worker with the configuration as it is now; reply,
// if not nil, gets the result.
func (m *master) reload(reply chan reloadResult) {
	if m.stopping {
		if reply != nil {
			reply <- reloadResult{}
		}
		return
	}
	if m.starting != nil {
		m.queuedAny = true
		if reply != nil {
			m.queued = append(m.queued, reply)
		}
		return
	}
	if reply != nil {
		m.waiters = append(m.waiters, reply)
	}
	m.startup.begin()
	m.lg.notice("Reloading hitless")
	m.notify.send("RELOADING=1")
	var pids []string
	var cur *worker
	m.mu.Lock()
	m.reloads++
	for _, w := range m.workers {
		w.reloads++
		pids = append(pids, strconv.Itoa(w.pid))
		if w.state == workerCurrent {
			cur = w
		}
	}
	m.mu.Unlock()

	cfg, err := config.Load(m.a.files, m.opts)
	printDiags(m.lg, cfg, err)
	if err != nil {
		m.lg.alert("config : Fatal errors found in configuration.")
		m.reloadFailed()
		return
	}
	var argv []string
	if len(pids) > 0 {
		argv = append(append(argv, "-sf"), pids...)
	}
	xfer := -1
	if cur != nil && cur.ipc >= 0 {
		xfer = cur.ipc
		argv = append(argv, "-x", "sockpair@"+strconv.Itoa(m.xferSlot()))
	}
	argv = append(argv, withoutTakeover(m.argv)...)
	if err := m.spawn(argv, xfer, false); err != nil {
		m.lg.alert("master-worker: cannot start a worker: %v", err)
		m.reloadFailed()
	}
}

// reloadFailed ends a reload that did not replace the current worker.
func (m *master) reloadFailed() {
	m.lg.warningf("Loading failure!")
	m.mu.Lock()
	m.failed++
	m.mu.Unlock()
	if !m.stopping {
		m.notify.send("READY=1\nMAINPID=" + strconv.Itoa(os.Getpid()))
	}
	m.endReload(false)
}

// endReload answers the reload's waiters and runs a reload requested
// meanwhile.
func (m *master) endReload(ok bool) {
	m.starting = nil
	m.answer(&m.waiters, reloadResult{ok: ok, log: m.startup.end()})
	if m.queuedAny && !m.stopping {
		m.queuedAny = false
		m.waiters, m.queued = m.queued, nil
		m.reload(nil)
	}
}

func (m *master) answer(list *[]chan reloadResult, r reloadResult) {
	for _, c := range *list {
		c <- r // buffered by the requester
	}
	*list = nil
}

// spawn starts a worker with argv (without the program name). xfer, if not
// negative, is the master's end of the current worker's channel, handed to
// the new worker at xferSlot for "-x sockpair@".
func (m *master) spawn(argv []string, xfer int, initial bool) error {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return fmt.Errorf("pipe2: %w", err)
	}
	readyR, readyW := p[0], p[1]
	sv, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		unix.Close(readyR)
		unix.Close(readyW)
		return fmt.Errorf("socketpair: %w", err)
	}
	// Forwarded sessions are opened with a blocking sendmsg: bound it.
	tv := unix.NsecToTimeval(int64(time.Second))
	unix.SetsockoptTimeval(sv[0], unix.SOL_SOCKET, unix.SO_SNDTIMEO, &tv)

	base := m.xferSlot() - 2
	files := make([]uintptr, base+3)
	for i := range files {
		files[i] = ^uintptr(0) // closed in the worker
	}
	files[0], files[1], files[2] = 0, 1, 2
	for _, fd := range m.inherited {
		files[fd] = uintptr(fd)
	}
	files[base], files[base+1] = uintptr(readyW), uintptr(sv[1])
	if xfer >= 0 {
		files[base+2] = uintptr(xfer)
	} else {
		files = files[:base+2]
	}
	link := workerLink{ready: base, cli: base + 1, detach: initial && m.daemonReady != ""}
	env := workerEnviron(os.Environ(), link.String())
	pid, err := syscall.ForkExec(m.exe, append([]string{os.Args[0]}, argv...), &syscall.ProcAttr{Env: env, Files: files})
	unix.Close(readyW)
	unix.Close(sv[1])
	if err != nil {
		unix.Close(readyR)
		unix.Close(sv[0])
		return fmt.Errorf("fork/exec %s: %w", m.exe, err)
	}
	proc, err := os.FindProcess(pid)
	if err != nil { // never on Linux
		syscall.Kill(pid, syscall.SIGKILL)
		unix.Close(readyR)
		unix.Close(sv[0])
		return err
	}
	w := &worker{pid: pid, proc: proc, started: time.Now(), state: workerStarting, ipc: sv[0], initial: initial}
	m.mu.Lock()
	m.workers = append(m.workers, w)
	m.mu.Unlock()
	m.starting = w
	m.lg.notice("New worker (%d) forked", pid)
	w.timer = time.AfterFunc(workerStartTimeout, func() { m.report(workerReady{w: w, timedOut: true}) })
	go m.waitReady(w, readyR)
	go m.waitExit(w)
	return nil
}

// xferSlot is the descriptor number at which a worker receives the
// current worker's channel; its readiness pipe and own channel are the two
// below. They follow the inherited descriptors.
func (m *master) xferSlot() int {
	base := 3
	for _, fd := range m.inherited {
		if fd >= base {
			base = fd + 1
		}
	}
	return base + 2
}

func (m *master) waitReady(w *worker, fd int) {
	f := os.NewFile(uintptr(fd), "worker ready")
	b, _ := io.ReadAll(io.LimitReader(f, 64))
	f.Close()
	m.report(workerReady{w: w, ok: string(b) == "ready\n"})
}

func (m *master) waitExit(w *worker) {
	code := 1
	if st, err := w.proc.Wait(); err == nil {
		code = exitStatus(st)
	}
	select {
	case m.exits <- workerExit{w: w, code: code}:
	case <-m.done:
	}
}

func (m *master) report(r workerReady) {
	select {
	case m.readies <- r:
	case <-m.done:
	}
}

func (m *master) onReady(r workerReady) {
	w := r.w
	if w.concluded {
		return
	}
	if r.timedOut {
		m.lg.alert("New worker (%d) not ready after %v: killing it", w.pid, workerStartTimeout)
		syscall.Kill(w.pid, syscall.SIGKILL)
	}
	if !r.ok || w.exited {
		if w.initial {
			return // concluded by its exit, whose status the master takes
		}
		m.concludeFailed(w)
		return
	}
	w.concluded = true
	w.timer.Stop()
	m.everReady = true
	m.mu.Lock()
	for _, o := range m.workers {
		if o != w && o.state == workerCurrent {
			o.state = workerOld
		}
	}
	w.state = workerCurrent
	m.mu.Unlock()
	m.lg.notice("Loading success.")
	if w.initial {
		m.writePidfile()
		if m.daemonReady != "" {
			notifyDaemonParent(m.daemonReady)
		}
	}
	if m.stopping {
		syscall.Kill(w.pid, syscall.SIGTERM) // the master stops: it came too late
	} else {
		m.notify.send("READY=1\nMAINPID=" + strconv.Itoa(os.Getpid()))
	}
	m.endReload(true)
}

func (m *master) concludeFailed(w *worker) {
	w.concluded = true
	w.timer.Stop()
	if w.initial {
		m.stopping = true
		m.starting = nil
		return
	}
	m.reloadFailed()
}

func (m *master) onExit(e workerExit) {
	w := e.w
	w.exited = true
	m.mu.Lock()
	for i, o := range m.workers {
		if o == w {
			m.workers = append(m.workers[:i], m.workers[i+1:]...)
			break
		}
	}
	unix.Close(w.ipc)
	w.ipc = -1
	m.mu.Unlock()

	code, why := e.code, exitReason(e.code)
	switch w.state {
	case workerStarting:
		m.lg.alert("New worker (%d) exited with code %d (%s)", w.pid, code, why)
		if w.initial && !m.stopping {
			m.exitCode = code
			if code == 0 {
				m.exitCode = 1
			}
		}
		if !w.concluded {
			m.concludeFailed(w)
		}
	case workerCurrent:
		if code == 0 {
			m.lg.warningf("Current worker (%d) exited with code %d (%s)", w.pid, code, why)
		} else {
			m.lg.alert("Current worker (%d) exited with code %d (%s)", w.pid, code, why)
		}
		if !m.stopping {
			m.exitCode = code
			if code != 0 && code != 130 && code != 143 {
				m.lg.alert("exit-on-failure: killing every processes with SIGTERM")
				m.stopping = true
				m.notify.send("STOPPING=1")
				m.signalAll(syscall.SIGTERM)
			}
		}
	case workerOld:
		m.lg.warningf("Former worker (%d) exited with code %d (%s)", w.pid, code, why)
	}
}

func (m *master) writePidfile() {
	if m.pidfile == "" {
		return
	}
	if err := os.WriteFile(m.pidfile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		m.lg.alert("[%s.main()] Cannot create pidfile %s", os.Args[0], m.pidfile)
	}
}

func (m *master) closeCLI() {
	for _, ln := range m.clis {
		ln.Close()
	}
}

// requestReload asks the master's loop for a reload and waits for its
// result; ok is false if the master exits first.
func (m *master) requestReload() reloadResult {
	reply := make(chan reloadResult, 1)
	select {
	case m.reloadReq <- reply:
	case <-m.done:
		return reloadResult{}
	}
	select {
	case r := <-reply:
		return r
	case <-m.done:
		return reloadResult{}
	}
}

// exitStatus is a process's exit status, or 128 + the signal that killed
// it, as shells and HAProxy's master report it.
func exitStatus(st *os.ProcessState) int {
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return st.ExitCode()
}

// exitReason words an exit status as HAProxy's master does: "Exit" below
// 128, the signal's description (strsignal) above.
func exitReason(code int) string {
	if code < 128 || code >= 128+65 {
		return "Exit"
	}
	s := syscall.Signal(code - 128).String()
	if s == "" || strings.HasPrefix(s, "signal ") {
		return "Exit"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// withoutTakeover returns argv without the options that name processes or
// sockets to take over (-sf, -st and their pids, -x and its argument): a
// reload names the master's own workers instead.
func withoutTakeover(argv []string) []string {
	out := make([]string, 0, len(argv))
	for i := 0; i < len(argv); i++ {
		switch argv[i] {
		case "-sf", "-st":
			for i+1 < len(argv) && !strings.HasPrefix(argv[i+1], "-") {
				i++
			}
		case "-x":
			i++
		case "--":
			return append(out, argv[i:]...)
		default:
			out = append(out, argv[i])
		}
	}
	return out
}

// workerEnviron is env for a worker: without the variables that concern
// the master only (the daemon's readiness descriptor, systemd's socket),
// with the worker's link.
func workerEnviron(env []string, link string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case readyEnv, "NOTIFY_SOCKET", workerEnv:
			continue
		}
		out = append(out, kv)
	}
	return append(out, workerEnv+"="+link)
}

// takeInheritedFDs returns the descriptors from 3 up that the process
// inherited open (not close-on-exec), except those in exclude, and marks
// them close-on-exec so that only workers get them, explicitly.
func takeInheritedFDs(exclude map[int]bool) []int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	var fds []int
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd < 3 || exclude[fd] {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			continue
		}
		unix.FcntlInt(uintptr(fd), unix.F_SETFD, flags|unix.FD_CLOEXEC)
		fds = append(fds, fd)
	}
	return fds
}

// capture keeps what the master logs during a reload, for the answer of
// the master CLI's reload command. It is safe for concurrent use.
type capture struct {
	mu     sync.Mutex
	on     bool
	buf    bytes.Buffer
	capped bool
}

// captureMax bounds what one reload keeps.
const captureMax = 64 << 10

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.on && !c.capped {
		if c.buf.Len()+len(p) > captureMax {
			c.capped = true
		} else {
			c.buf.Write(p)
		}
	}
	return len(p), nil
}

func (c *capture) begin() {
	c.mu.Lock()
	c.buf.Reset()
	c.on, c.capped = true, false
	c.mu.Unlock()
}

// end stops capturing and returns what was captured.
func (c *capture) end() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	return c.buf.String()
}

// sdNotifier sends systemd's notification datagrams (sd_notify) to
// NOTIFY_SOCKET. A nil notifier sends nothing.
type sdNotifier struct {
	addr string
}

func newSDNotifier(addr string) *sdNotifier {
	if addr == "" {
		return nil
	}
	return &sdNotifier{addr: addr}
}

// send writes one datagram; failures are ignored, as systemd may not
// listen (a unit without Type=notify).
func (n *sdNotifier) send(state string) {
	if n == nil {
		return
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return
	}
	unix.Sendto(fd, []byte(state), unix.MSG_NOSIGNAL, &unix.SockaddrUnix{Name: n.addr})
	unix.Close(fd)
}

// setMasterEnv exports what HAProxy's master exports to configurations
// and workers.
func setMasterEnv() {
	os.Setenv("HAPROXY_MWORKER", "1")
}
