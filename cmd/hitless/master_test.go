package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"hitless/engine/config"
)

// mwSetup is a master-worker run: the configuration file, the master CLI
// (a socket pre-bound by the test and inherited as "-S fd@N", the harness
// style) and the frontend address.
type mwSetup struct {
	cfg     string
	cliNet  string // "unix" or "tcp"
	cliAddr string
	files   []*os.File // inherited as fd 3, 4, ...
	env     []string
	feAddr  string
	pidfile string
}

// mwConfig is a TCP echo proxy on a port of its own (taken over through
// the master's channel on reload), with 2 reactors.
func mwConfig(t *testing.T, backend string, extraGlobal string) (cfgPath, feAddr string) {
	t.Helper()
	feAddr = freeAddr(t)
	text := fmt.Sprintf(`global
    nbthread 2
%s
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend fe
    bind %s
    default_backend be
backend be
    server s1 %s
`, extraGlobal, feAddr, backend)
	return writeFile(t, "mw.cfg", text), feAddr
}

// newMWSetup prepares a run whose master CLI is a pre-bound socket of
// network cliNet.
func newMWSetup(t *testing.T, cliNet, extraGlobal string) *mwSetup {
	t.Helper()
	s := &mwSetup{cliNet: cliNet, pidfile: filepath.Join(t.TempDir(), "mw.pid")}
	s.cfg, s.feAddr = mwConfig(t, echoServer(t), extraGlobal)
	var f *os.File
	switch cliNet {
	case "unix":
		s.cliAddr = filepath.Join(t.TempDir(), "master.sock")
		ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: s.cliAddr, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		ln.SetUnlinkOnClose(false)
		if f, err = ln.File(); err != nil {
			t.Fatal(err)
		}
		ln.Close()
	case "tcp":
		f, s.cliAddr = preBound(t)
	}
	t.Cleanup(func() { f.Close() })
	s.files = append(s.files, f)
	return s
}

// start runs hitless with -W (or the given mode flags), -S fd@3, -p.
func (s *mwSetup) start(t *testing.T, mode ...string) *proc {
	t.Helper()
	if len(mode) == 0 {
		mode = []string{"-W"}
	}
	args := append(append([]string{}, mode...), "-S", "fd@3", "-f", s.cfg, "-p", s.pidfile)
	return startProc(t, s.env, s.files, args...)
}

// cli sends one command to the master CLI the way harnesses do: write,
// half-close, read to the end.
func (s *mwSetup) cli(t *testing.T, cmd string) string {
	t.Helper()
	c, err := net.DialTimeout(s.cliNet, s.cliAddr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	io.WriteString(c, cmd+"\n")
	if hc, ok := c.(interface{ CloseWrite() error }); ok {
		hc.CloseWrite()
	}
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("master CLI %q: %v", cmd, err)
	}
	return string(out)
}

// waitPidfile polls the pid file of p until it names want.
func waitPidfile(t *testing.T, p *proc, path string, want int) {
	t.Helper()
	waitPidfileFor(t, path, want, p.done, func() string { return p.stderr.String() })
}

var showProcRow = regexp.MustCompile(`(?m)^(\d+) +(master|worker) +(\d+)(?: \[failed: (\d+)\])? +(\d+d\d\dh\d\dm\d\ds) +(\S+) *$`)

// procTable is "show proc" parsed.
type procTable struct {
	master         int
	reloads        int
	failed         int
	current, older []int
}

func parseShowProc(t *testing.T, out string) procTable {
	t.Helper()
	var pt procTable
	section := ""
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "# ") {
			section = line
			continue
		}
		m := showProcRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		pid, _ := strconv.Atoi(m[1])
		switch {
		case m[2] == "master":
			pt.master = pid
			pt.reloads, _ = strconv.Atoi(m[3])
			pt.failed, _ = strconv.Atoi(m[4])
		case section == "# workers":
			pt.current = append(pt.current, pid)
		case section == "# old workers":
			pt.older = append(pt.older, pid)
		}
	}
	if pt.master == 0 {
		t.Fatalf("show proc without master row:\n%s", out)
	}
	return pt
}

// waitWorker polls show proc until one current worker other than not is
// listed, ready, and no old worker is left, and returns the table.
func (s *mwSetup) waitWorker(t *testing.T, p *proc, not int) procTable {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		pt := parseShowProc(t, s.cli(t, "show proc"))
		// A worker is listed as soon as it is started; "@1" reaches it
		// once it is ready.
		if len(pt.current) == 1 && pt.current[0] != not && len(pt.older) == 0 &&
			strings.Contains(s.cli(t, "@1 show info"), "Pid: "+strconv.Itoa(pt.current[0])+"\n") {
			return pt
		}
		select {
		case <-p.done:
			t.Fatalf("exited with %d; stderr:\n%s", p.code, p.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("show proc never settled: %+v; stderr:\n%s", pt, p.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// listeningInodes returns the inodes of the TCP listening sockets on port
// that process pid holds.
func listeningInodes(t *testing.T, pid, port int) map[uint64]bool {
	t.Helper()
	listening := map[uint64]bool{}
	for _, table := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, table))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" {
				continue
			}
			if i := strings.LastIndexByte(f[1], ':'); i < 0 || f[1][i+1:] != fmt.Sprintf("%04X", port) {
				continue
			}
			ino, _ := strconv.ParseUint(f[9], 10, 64)
			listening[ino] = true
		}
	}
	out := map[uint64]bool{}
	for ino := range socketInodes(t, pid) {
		if listening[ino] {
			out[ino] = true
		}
	}
	return out
}

// socketInodes returns the inodes of the sockets process pid holds.
func socketInodes(t *testing.T, pid int) map[uint64]bool {
	t.Helper()
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint64]bool{}
	for _, e := range ents {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name()))
		if err != nil || !strings.HasPrefix(link, "socket:[") {
			continue
		}
		ino, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]"), 10, 64)
		out[ino] = true
	}
	return out
}

// processGone reports that pid no longer exists (not even as a zombie
// waiting for its parent).
func processGone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// state is the field after the parenthesised command name
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}

func waitGone(t *testing.T, pids ...int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for !processGone(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("process %d still exists", pid)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// childrenOf lists the child processes of pid (started by any of its
// threads).
func childrenOf(t *testing.T, pid int) []int {
	t.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, task := range tasks {
		b, _ := os.ReadFile(task)
		for _, f := range strings.Fields(string(b)) {
			child, _ := strconv.Atoi(f)
			out = append(out, child)
		}
	}
	return out
}

func parentOf(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// TestMasterCLI starts -W with a master CLI inherited as fd@3 (a unix and
// a TCP socket) and checks the pid file, show proc, forwarding and the
// master's own answers.
func TestMasterCLI(t *testing.T) {
	for _, network := range []string{"unix", "tcp"} {
		t.Run(network, func(t *testing.T) {
			s := newMWSetup(t, network, "")
			p := s.start(t)
			master := p.cmd.Process.Pid
			waitPidfile(t, p, s.pidfile, master)
			pt := s.waitWorker(t, p, 0)
			if pt.master != master || pt.reloads != 0 || pt.failed != 0 {
				t.Fatalf("show proc: %+v, master %d", pt, master)
			}
			w := pt.current[0]
			if ppid := parentOf(t, w); ppid != master {
				t.Fatalf("worker %d has parent %d, want the master %d", w, ppid, master)
			}
			dialEcho(t, s.feAddr).Close()

			version := "2.6.12-hitless-"
			tests := []struct {
				cmd  string
				want []string // substrings, in order
				re   string   // whole answer
			}{
				{cmd: "show proc", re: `^#<PID>          <type>          <reloads>       <uptime>        <version>      \n` +
					strconv.Itoa(master) + ` +master          0 \[failed: 0\]   0d00h00m\d\ds     ` + regexp.QuoteMeta(version) + `\S*\s*\n` +
					`# workers\n` + strconv.Itoa(w) + ` +worker          0               0d00h00m\d\ds     \S+\s*\n# programs\n\n$`},
				{cmd: "@1 show info", want: []string{"Name: hitless\n", "Pid: " + strconv.Itoa(w) + "\n"}},
				{cmd: "@!" + strconv.Itoa(w) + " show info", want: []string{"Pid: " + strconv.Itoa(w) + "\n"}},
				{cmd: "@1 show cli level", re: `^admin\n\n$`},
				{cmd: "operator;@1 show cli level", re: `^operator\n\n$`},
				{cmd: "user;show cli level", re: `^user\n\n$`},
				{cmd: "@master show version", re: `^` + regexp.QuoteMeta(version) + `\S+\n\n$`},
				{cmd: "show version;show cli level", re: `^2\.6\.12\S+\n\nadmin\n\n$`},
				{cmd: "@0 show cli level", re: `^admin\n\n$`},
				{cmd: "@9 show info", re: `^Can't find the target PID matching the prefix '@9'\n$`},
				{cmd: "@!" + strconv.Itoa(master) + " show info", re: `^Can't find the target PID matching the prefix '@!\d+'\n$`},
				{cmd: "@1", re: `^$`},
				{cmd: "show info", want: []string{"Unknown command, but maybe one of the following ones is a better match:\n",
					"  show cli level                          : display the level of the current CLI session\n",
					"  show proc                               : show processes status\n", "  quit                                    : disconnect\n\n"}},
				{cmd: "help", want: []string{"The following commands are valid at this level:\n",
					"  @!<pid>                                 : send a command to the <pid> process\n",
					"  @<relative pid>                         : send a command to the <relative pid> process\n",
					"  reload                                  : reload haproxy\n"}},
				{cmd: "show version;quit;show version", re: `^2\.6\.12\S+\n\n$`},
			}
			for _, tt := range tests {
				got := s.cli(t, tt.cmd)
				if tt.re != "" && !regexp.MustCompile(tt.re).MatchString(got) {
					t.Errorf("%q: got\n%q\nwant match of %q", tt.cmd, got, tt.re)
				}
				rest := got
				for _, w := range tt.want {
					i := strings.Index(rest, w)
					if i < 0 {
						t.Errorf("%q: lacks %q (in order):\n%s", tt.cmd, w, got)
						break
					}
					rest = rest[i+len(w):]
				}
			}
			p.cmd.Process.Signal(syscall.SIGTERM)
			if code := p.wait(t, 10*time.Second); code != 143 {
				t.Fatalf("exit %d after SIGTERM, want 143; stderr:\n%s", code, p.stderr)
			}
		})
	}
}

// TestMasterCLIPrompt checks the interactive mode: "master> " and
// "<pid>> " prompts, a lone prefix switching the target, and the
// session-level commands answering nothing.
func TestMasterCLIPrompt(t *testing.T) {
	s := newMWSetup(t, "unix", "")
	p := s.start(t)
	w := s.waitWorker(t, p, 0).current[0]
	c, err := net.Dial("unix", s.cliAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	var got bytes.Buffer
	// readUntil reads until the answer ends with suffix.
	readUntil := func(suffix string) {
		t.Helper()
		buf := make([]byte, 4096)
		for !strings.HasSuffix(got.String(), suffix) {
			n, err := c.Read(buf)
			got.Write(buf[:n])
			if err != nil {
				t.Fatalf("reading %q: %v; got %q", suffix, err, got.String())
			}
		}
	}
	wp := strconv.Itoa(w) + "> "
	steps := []struct{ send, until string }{
		{"prompt\n", "master> "},
		{"show cli level\n", "admin\n\nmaster> "},
		{"@1\n", wp},
		{"show cli level\n", "admin\n\n" + wp},
		{"operator\n", wp},
		{"show cli level\n", "operator\n\n" + wp},
		{"@master\n", "master> "},
		{"show cli level\n", "operator\n\nmaster> "},
	}
	for _, st := range steps {
		got.Reset()
		io.WriteString(c, st.send)
		readUntil(st.until)
		if got.String() != st.until {
			t.Errorf("%q: got %q, want %q", st.send, got.String(), st.until)
		}
	}
	io.WriteString(c, "quit\n")
	if rest, _ := io.ReadAll(c); len(rest) != 0 {
		t.Errorf("quit answered %q", rest)
	}
}

// echoLoop runs clients that each open connections through addr one after
// the other, each with one echo exchange, until stop is closed or each
// made max connections.
type echoLoop struct {
	ok, failed atomic.Int64
	mu         sync.Mutex
	firstErr   error
	done       chan struct{}
}

func startEchoLoop(addr string, clients, max int, stop <-chan struct{}) *echoLoop {
	l := &echoLoop{done: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Add(clients)
	go func() {
		wg.Wait()
		close(l.done)
	}()
	for range clients {
		go l.run(&wg, addr, max, stop)
	}
	return l
}

func (l *echoLoop) run(wg *sync.WaitGroup, addr string, max int, stop <-chan struct{}) {
	defer wg.Done()
	buf := make([]byte, 4)
	for i := 0; i < max; i++ {
		select {
		case <-stop:
			return
		default:
		}
		err := func() error {
			c, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				return err
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write([]byte("ping")); err != nil {
				return err
			}
			if _, err := io.ReadFull(c, buf); err != nil {
				return err
			}
			if string(buf) != "ping" {
				return fmt.Errorf("echo %q", buf)
			}
			return nil
		}()
		if err != nil {
			l.failed.Add(1)
			l.mu.Lock()
			if l.firstErr == nil {
				l.firstErr = err
			}
			l.mu.Unlock()
			continue
		}
		l.ok.Add(1)
	}
}

// waitOK waits until n more exchanges succeeded.
func (l *echoLoop) waitOK(t *testing.T, n int64) {
	t.Helper()
	want := l.ok.Load() + n
	deadline := time.Now().Add(20 * time.Second)
	for l.ok.Load() < want {
		select {
		case <-l.done:
			t.Fatalf("client loop ended early: %d ok, %d failed", l.ok.Load(), l.failed.Load())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("client loop stalled: %d ok, %d failed (%v)", l.ok.Load(), l.failed.Load(), l.firstErr)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestMasterReload reloads three ways (SIGUSR2, SIGHUP, master CLI) under
// a client loop: each reload replaces the worker, the old one exits, and
// no connection fails, as the new worker takes the listening sockets
// over the master's channel (-x sockpair@).
func TestMasterReload(t *testing.T) {
	s := newMWSetup(t, "unix", "")
	p := s.start(t)
	master := p.cmd.Process.Pid
	pt := s.waitWorker(t, p, 0)
	// before the load fills the socket tables
	_, portText, _ := net.SplitHostPort(s.feAddr)
	port, _ := strconv.Atoi(portText)
	sockets := listeningInodes(t, pt.current[0], port)
	if len(sockets) != 2 {
		t.Fatalf("worker listens on %d sockets, want 2 (nbthread 2)", len(sockets))
	}
	stop := make(chan struct{})
	load := startEchoLoop(s.feAddr, 4, 50000, stop)
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		<-load.done
	}()
	load.waitOK(t, 100)
	for i, how := range []string{"SIGUSR2", "SIGHUP", "cli"} {
		prev := pt.current[0]
		switch how {
		case "SIGUSR2":
			syscall.Kill(master, syscall.SIGUSR2)
		case "SIGHUP":
			syscall.Kill(master, syscall.SIGHUP)
		case "cli":
			out := s.cli(t, "reload")
			if !strings.HasPrefix(out, "Success=1\n--\n") || !strings.Contains(out, "Loading success.") {
				t.Fatalf("reload answered %q", out)
			}
		}
		pt = s.waitWorker(t, p, prev)
		if pt.reloads != i+1 {
			t.Errorf("after reload %d, master reloads %d", i+1, pt.reloads)
		}
		waitGone(t, prev)
		held := socketInodes(t, pt.current[0])
		for ino := range sockets {
			if !held[ino] {
				t.Errorf("after reload %d the worker does not hold the listening socket %d", i+1, ino)
			}
		}
		args, _ := os.ReadFile("/proc/" + strconv.Itoa(pt.current[0]) + "/cmdline")
		if want := "-sf\x00" + strconv.Itoa(prev) + "\x00-x\x00sockpair@"; !bytes.HasPrefix(bytes.SplitN(args, []byte{0}, 2)[1], []byte(want)) {
			t.Errorf("new worker's arguments %q, want them to start with %q", args, want)
		}
		load.waitOK(t, 100)
	}
	t.Logf("%d connections, %d failed", load.ok.Load(), load.failed.Load())
	if n := load.failed.Load(); n != 0 {
		t.Errorf("%d of %d connections failed across the reloads (first: %v)", n, n+load.ok.Load(), load.firstErr)
	}
	close(stop)
	<-load.done
	syscall.Kill(master, syscall.SIGTERM)
	if code := p.wait(t, 10*time.Second); code != 143 {
		t.Fatalf("exit %d after SIGTERM; stderr:\n%s", code, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "Former worker (") {
		t.Errorf("no old worker exit logged:\n%s", p.stderr)
	}
}

// TestMasterFailedReload: a configuration that does not load keeps the
// worker and the master; reload answers Success=0 and show proc counts
// the failure.
func TestMasterFailedReload(t *testing.T) {
	s := newMWSetup(t, "unix", "")
	good, err := os.ReadFile(s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := s.start(t)
	w := s.waitWorker(t, p, 0).current[0]
	os.WriteFile(s.cfg, append(append([]byte{}, good...), "    bogus kw\n"...), 0o644)
	out := s.cli(t, "reload")
	if !strings.HasPrefix(out, "Success=0\n--\n") || !strings.Contains(out, "unknown keyword 'bogus'") || !strings.Contains(out, "Loading failure!") {
		t.Fatalf("failed reload answered %q", out)
	}
	pt := parseShowProc(t, s.cli(t, "show proc"))
	if len(pt.current) != 1 || pt.current[0] != w || pt.failed != 1 || pt.reloads != 1 {
		t.Fatalf("after a failed reload: %+v, want worker %d kept and 1 failure", pt, w)
	}
	dialEcho(t, s.feAddr).Close()
	os.WriteFile(s.cfg, good, 0o644)
	if out := s.cli(t, "reload"); !strings.HasPrefix(out, "Success=1\n") {
		t.Fatalf("reload answered %q", out)
	}
	s.waitWorker(t, p, w)
	dialEcho(t, s.feAddr).Close()
}

// mwStart runs hitless with pipes as its standard output and error, read
// to the end by the test, as harnesses do.
type mwPiped struct {
	cmd        *os.Process
	stdoutEOF  chan struct{}
	stderrEOF  chan struct{}
	stderrMu   sync.Mutex
	stderrText bytes.Buffer
	exited     chan struct{}
	code       int
}

func startPiped(t *testing.T, env []string, files []*os.File, args ...string) *mwPiped {
	t.Helper()
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	devnull, _ := os.Open(os.DevNull)
	attr := &os.ProcAttr{Env: append(os.Environ(), env...), Files: append([]*os.File{devnull, outW, errW}, files...)}
	proc, err := os.StartProcess(hitlessBin, append([]string{hitlessBin}, args...), attr)
	outW.Close()
	errW.Close()
	devnull.Close()
	if err != nil {
		t.Fatal(err)
	}
	p := &mwPiped{cmd: proc, stdoutEOF: make(chan struct{}), stderrEOF: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		io.Copy(io.Discard, outR)
		outR.Close()
		close(p.stdoutEOF)
	}()
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := errR.Read(buf)
			p.stderrMu.Lock()
			p.stderrText.Write(buf[:n])
			p.stderrMu.Unlock()
			if err != nil {
				break
			}
		}
		errR.Close()
		close(p.stderrEOF)
	}()
	go func() {
		st, err := proc.Wait()
		if err == nil {
			p.code = exitStatus(st)
		}
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			proc.Kill()
			<-p.exited
		}
	})
	return p
}

func (p *mwPiped) stderr() string {
	p.stderrMu.Lock()
	defer p.stderrMu.Unlock()
	return p.stderrText.String()
}

// waitEnd waits for the exit and for both pipes to reach their end.
func (p *mwPiped) waitEnd(t *testing.T) int {
	t.Helper()
	for _, c := range []struct {
		name string
		ch   chan struct{}
	}{{"exit", p.exited}, {"stdout EOF", p.stdoutEOF}, {"stderr EOF", p.stderrEOF}} {
		select {
		case <-c.ch:
		case <-time.After(15 * time.Second):
			t.Fatalf("no %s; stderr:\n%s", c.name, p.stderr())
		}
	}
	return p.code
}

// TestMasterStop: SIGINT, SIGTERM and SIGUSR1 reach the workers; the
// master exits 130, 143 and 0 once no worker is left, and the standard
// streams reach their end.
func TestMasterStop(t *testing.T) {
	tests := []struct {
		sig       syscall.Signal
		code      int
		workerMsg string
	}{
		{syscall.SIGINT, 130, "Current worker (%d) exited with code 130 (Interrupt)"},
		{syscall.SIGTERM, 143, "Current worker (%d) exited with code 143 (Terminated)"},
		{syscall.SIGUSR1, 0, "Current worker (%d) exited with code 0 (Exit)"},
	}
	for _, tt := range tests {
		t.Run(tt.sig.String(), func(t *testing.T) {
			s := newMWSetup(t, "unix", "")
			p := startPiped(t, nil, s.files, "-W", "-S", "fd@3", "-f", s.cfg, "-p", s.pidfile)
			master := p.cmd.Pid
			waitPidfileFor(t, s.pidfile, master, p.exited, p.stderr)
			w := parseShowProc(t, s.cli(t, "show proc")).current[0]
			syscall.Kill(master, tt.sig)
			if code := p.waitEnd(t); code != tt.code {
				t.Fatalf("exit %d after %v, want %d; stderr:\n%s", code, tt.sig, tt.code, p.stderr())
			}
			waitGone(t, w)
			for _, want := range []string{"Exiting Master process...", fmt.Sprintf(tt.workerMsg, w),
				fmt.Sprintf("All workers exited. Exiting... (%d)", tt.code)} {
				if !strings.Contains(p.stderr(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, p.stderr())
				}
			}
		})
	}
}

// waitPidfileFor polls the pid file until it names want, failing if
// exited is closed first; stderr, if not nil, gives the process's output
// for the failure message.
func waitPidfileFor(t *testing.T, path string, want int, exited <-chan struct{}, stderr func() string) {
	t.Helper()
	output := func() string {
		if stderr == nil {
			return ""
		}
		return "; stderr:\n" + stderr()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.TrimSpace(string(b)) == strconv.Itoa(want) {
			return
		}
		select {
		case <-exited:
			t.Fatalf("exited before writing its pid file%s", output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid file %s holds %q, want %d%s", path, b, want, output())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestMasterWorkerKilled: a worker killed by SIGKILL makes the master
// stop everything and exit with the worker's status, 137, as HAProxy's
// master does.
func TestMasterWorkerKilled(t *testing.T) {
	s := newMWSetup(t, "unix", "")
	p := startPiped(t, nil, s.files, "-W", "-S", "fd@3", "-f", s.cfg, "-p", s.pidfile)
	waitPidfileFor(t, s.pidfile, p.cmd.Pid, p.exited, p.stderr)
	w := parseShowProc(t, s.cli(t, "show proc")).current[0]
	syscall.Kill(w, syscall.SIGKILL)
	if code := p.waitEnd(t); code != 137 {
		t.Fatalf("exit %d, want 137; stderr:\n%s", code, p.stderr())
	}
	for _, want := range []string{fmt.Sprintf("[ALERT]    (%d) : Current worker (%d) exited with code 137 (Killed)", p.cmd.Pid, w),
		"exit-on-failure: killing every processes with SIGTERM", "All workers exited. Exiting... (137)"} {
		if !strings.Contains(p.stderr(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, p.stderr())
		}
	}
}

// TestMasterKilled: when the master dies without a word (SIGKILL), its
// worker notices the end of its channel and exits, releasing the
// standard streams.
func TestMasterKilled(t *testing.T) {
	s := newMWSetup(t, "unix", "")
	p := startPiped(t, nil, s.files, "-W", "-S", "fd@3", "-f", s.cfg, "-p", s.pidfile)
	waitPidfileFor(t, s.pidfile, p.cmd.Pid, p.exited, p.stderr)
	w := parseShowProc(t, s.cli(t, "show proc")).current[0]
	p.cmd.Kill()
	if code := p.waitEnd(t); code != 137 {
		t.Fatalf("master exit %d, want 137", code)
	}
	waitGone(t, w)
}

// TestMasterSystemd: -Ws tells NOTIFY_SOCKET READY=1 with the master's
// pid once the worker listens, RELOADING=1 then READY=1 around a reload,
// STOPPING=1 when stopping.
func TestMasterSystemd(t *testing.T) {
	sockPath := filepath.Join(t.TempDir(), "notify.sock")
	nc, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sockPath, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	next := func() string {
		t.Helper()
		nc.SetReadDeadline(time.Now().Add(15 * time.Second))
		buf := make([]byte, 512)
		n, err := nc.Read(buf)
		if err != nil {
			t.Fatalf("notify socket: %v", err)
		}
		return string(buf[:n])
	}
	s := newMWSetup(t, "unix", "")
	s.env = []string{"NOTIFY_SOCKET=" + sockPath}
	p := s.start(t, "-Ws")
	master := p.cmd.Process.Pid
	ready := "READY=1\nMAINPID=" + strconv.Itoa(master)
	if got := next(); got != ready {
		t.Fatalf("first notification %q, want %q", got, ready)
	}
	w := s.waitWorker(t, p, 0).current[0]
	// The worker must not see the socket: it would notify as another pid.
	env, _ := os.ReadFile("/proc/" + strconv.Itoa(w) + "/environ")
	if bytes.Contains(env, []byte("NOTIFY_SOCKET=")) {
		t.Error("the worker inherited NOTIFY_SOCKET")
	}
	syscall.Kill(master, syscall.SIGUSR2)
	for _, want := range []string{"RELOADING=1", ready} {
		if got := next(); got != want {
			t.Fatalf("notification %q, want %q", got, want)
		}
	}
	syscall.Kill(master, syscall.SIGTERM)
	if got := next(); got != "STOPPING=1" {
		t.Fatalf("notification %q, want STOPPING=1", got)
	}
	if code := p.wait(t, 15*time.Second); code != 143 {
		t.Fatalf("exit %d; stderr:\n%s", code, p.stderr)
	}
}

// TestMasterDaemon: -W -D returns once the worker listens, having let go
// of the caller's pipes; the pid file names the master, which keeps
// supervising its worker.
func TestMasterDaemon(t *testing.T) {
	backend := echoServer(t)
	addr, cfg := portConfig(t, backend)
	pidfile := filepath.Join(t.TempDir(), "h.pid")
	// runCmd reads stdout and stderr to their end.
	code, _, stderr := runCmd(t, nil, "-W", "-D", "-f", cfg, "-p", pidfile)
	if code != 0 {
		t.Fatalf("-W -D exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	master, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	defer syscall.Kill(master, syscall.SIGKILL)
	dialEcho(t, addr).Close()
	workers := childrenOf(t, master)
	if len(workers) != 1 {
		t.Fatalf("the daemon master %d has children %v, want one worker", master, workers)
	}
	syscall.Kill(master, syscall.SIGTERM)
	waitGone(t, append(workers, master)...)
}

// TestMasterWorkerKeyword: "master-worker" in the global section is -W.
func TestMasterWorkerKeyword(t *testing.T) {
	s := newMWSetup(t, "unix", "    master-worker")
	p := startProc(t, nil, s.files, "-S", "fd@3", "-f", s.cfg)
	pt := s.waitWorker(t, p, 0)
	if pt.master != p.cmd.Process.Pid {
		t.Fatalf("show proc: %+v", pt)
	}
	dialEcho(t, s.feAddr).Close()
	p.cmd.Process.Signal(syscall.SIGINT)
	if code := p.wait(t, 10*time.Second); code != 130 {
		t.Fatalf("exit %d; stderr:\n%s", code, p.stderr)
	}
}

// TestMasterStartFailure: a worker that cannot listen makes the master
// exit 1 without a pid file.
func TestMasterStartFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := writeFile(t, "h.cfg", strings.Replace(goodConfig, "127.0.0.1:0", ln.Addr().String(), 1))
	pidfile := filepath.Join(t.TempDir(), "h.pid")
	code, _, stderr := runCmd(t, nil, "-W", "-f", cfg, "-p", pidfile)
	if code != 1 || !strings.Contains(stderr, "Address already in use") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(pidfile); err == nil {
		t.Error("pid file written by a master whose worker never started")
	}
}

func TestMasterCLIWithoutMaster(t *testing.T) {
	code, _, stderr := runCmd(t, nil, "-S", "/nonexistent/x.sock", "-c", "-f", writeFile(t, "h.cfg", goodConfig))
	if code != 0 {
		t.Fatalf("-c with -S: exit %d: %s", code, stderr)
	}
}

func TestWithoutTakeover(t *testing.T) {
	tests := []struct{ in, want string }{
		{"-W -f a.cfg", "-W -f a.cfg"},
		{"-sf 1 2 3 -W -f a.cfg", "-W -f a.cfg"},
		{"-W -st 4 -x /s.sock -f a.cfg -p p", "-W -f a.cfg -p p"},
		{"-W -sf -f a.cfg", "-W -f a.cfg"},
		{"-f a.cfg -- -sf 1", "-f a.cfg -- -sf 1"},
	}
	for _, tt := range tests {
		got := strings.Join(withoutTakeover(strings.Fields(tt.in)), " ")
		if got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWorkerLink(t *testing.T) {
	tests := []struct {
		in   string
		want *workerLink
	}{
		{"ready=5,cli=6", &workerLink{ready: 5, cli: 6}},
		{"cli=9,ready=8,detach", &workerLink{ready: 8, cli: 9, detach: true}},
		{"ready=5", nil},
		{"ready=5,cli=5", nil},
		{"ready=2,cli=6", nil},
		{"ready=x,cli=6", nil},
		{"ready=5,cli=6,bogus", nil},
		{"", nil},
	}
	for _, tt := range tests {
		got, err := parseWorkerLink(tt.in)
		switch {
		case tt.want == nil && !errors.Is(err, errWorkerLink):
			t.Errorf("%q: got %+v, %v; want errWorkerLink", tt.in, got, err)
		case tt.want != nil && (err != nil || *got != *tt.want):
			t.Errorf("%q: got %+v, %v; want %+v", tt.in, got, err, tt.want)
		case tt.want != nil:
			if back, err := parseWorkerLink(got.String()); err != nil || *back != *got {
				t.Errorf("%q: String %q does not parse back", tt.in, got.String())
			}
		}
	}
}

func TestExitReasonAndUptime(t *testing.T) {
	reasons := []struct {
		code int
		want string
	}{{0, "Exit"}, {1, "Exit"}, {130, "Interrupt"}, {137, "Killed"}, {143, "Terminated"}, {139, "Segmentation fault"}, {255, "Exit"}}
	for _, tt := range reasons {
		if got := exitReason(tt.code); got != tt.want {
			t.Errorf("exitReason(%d) = %q, want %q", tt.code, got, tt.want)
		}
	}
	uptimes := []struct {
		d    time.Duration
		want string
	}{{0, "0d00h00m00s"}, {61 * time.Second, "0d00h01m01s"}, {49*time.Hour + 3*time.Minute + 4*time.Second + 900*time.Millisecond, "2d01h03m04s"}}
	for _, tt := range uptimes {
		if got := uptime(tt.d); got != tt.want {
			t.Errorf("uptime(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// fakeMaster is a master with the given workers and no process behind
// them, whose loop is gone (reload answers Success=0 at once).
func fakeMaster(workers ...*worker) *master {
	m := &master{started: time.Now(), done: make(chan struct{}), workers: workers}
	close(m.done)
	return m
}

// mcliExchange runs one master CLI session over a pipe with input and
// returns everything it answered.
func mcliExchange(m *master, level config.Level, input []byte) string {
	srv, cl := unixPair()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer srv.Close()
		s := &mcliSession{m: m, conn: srv, level: level}
		s.run()
	}()
	go func() {
		cl.Write(input)
		cl.CloseWrite()
	}()
	cl.SetDeadline(time.Now().Add(30 * time.Second))
	out, _ := io.ReadAll(cl)
	cl.Close()
	<-done
	return string(out)
}

// unixPair returns the two ends of a connected unix stream socketpair.
func unixPair() (*net.UnixConn, *net.UnixConn) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		panic(err)
	}
	conn := func(fd int) *net.UnixConn {
		f := os.NewFile(uintptr(fd), "pair")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			panic(err)
		}
		return c.(*net.UnixConn)
	}
	return conn(fds[0]), conn(fds[1])
}

func TestMasterCLISession(t *testing.T) {
	m := fakeMaster(&worker{pid: 4242, state: workerCurrent, ipc: -1}, &worker{pid: 4141, state: workerOld, ipc: -1})
	tests := []struct {
		level config.Level
		in    string
		want  string
	}{
		{config.LevelAdmin, "show cli level\n", "admin\n\n"},
		{config.LevelUser, "reload\n", "Permission denied\n\n"},
		{config.LevelAdmin, "reload\n", "Success=0\n--\n\n"},
		{config.LevelAdmin, "operator\n", ""},
		{config.LevelAdmin, "show cli sockets\n", "\n"},
		{config.LevelAdmin, "show version", ""}, // unterminated: dropped
		{config.LevelAdmin, "@!77 show info\nshow version\n", "Can't find the target PID matching the prefix '@!77'\n"},
		{config.LevelAdmin, "@abc\n", "Can't find the target PID matching the prefix '@abc'\n"},
		{config.LevelAdmin, "@1 show info\n", "Can't connect to the target CLI of '@1' (no such process)\n\n"},
		{config.LevelAdmin, "@!4141 show info\n", "Can't connect to the target CLI of '@!4141' (no such process)\n\n"},
		{config.LevelAdmin, "prompt\n@!4242\nquit\n", "master> 4242> "},
		{config.LevelAdmin, "prompt\nprompt\nshow cli level\n", "master> admin\n\n"},
		{config.LevelAdmin, "@ show cli level\n", "admin\n\n"},
	}
	for _, tt := range tests {
		if got := mcliExchange(m, tt.level, []byte(tt.in)); got != tt.want {
			t.Errorf("%q at %v: got %q, want %q", tt.in, tt.level, got, tt.want)
		}
	}
	pt := parseShowProc(t, mcliExchange(m, config.LevelAdmin, []byte("show proc\n")))
	if len(pt.current) != 1 || pt.current[0] != 4242 || len(pt.older) != 1 || pt.older[0] != 4141 {
		t.Errorf("show proc: %+v", pt)
	}
}

// FuzzMasterCLI feeds arbitrary input to a master CLI session: it must end
// without panicking, and a prefix naming no process must end it.
func FuzzMasterCLI(f *testing.F) {
	for _, seed := range []string{
		"show proc\n", "prompt\n@1\nshow info\n@master\nquit\n", "@!1 a\\;b;help show\n",
		"operator;user;show cli level\n", "@1 set ssl cert x <<\nline\n\n", "@\n@0\n@-1\n", "\\\n;;\n\x00@1\n",
	} {
		f.Add([]byte(seed))
	}
	m := fakeMaster(&worker{pid: 1, state: workerCurrent, ipc: -1})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 4096 {
			return
		}
		out := mcliExchange(m, config.LevelAdmin, in)
		if strings.Count(out, "Can't find the target PID") > 1 {
			t.Fatalf("session went on after an unknown prefix: %q", out)
		}
	})
}

// FuzzWorkerLink: parseWorkerLink never panics, and what it accepts
// prints back to the same link.
func FuzzWorkerLink(f *testing.F) {
	for _, seed := range []string{"ready=5,cli=6", "ready=5,cli=6,detach", "cli=3,ready=4", "ready=,cli=", "detach=1", ",,"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		l, err := parseWorkerLink(in)
		if err != nil {
			return
		}
		back, err := parseWorkerLink(l.String())
		if err != nil || *back != *l {
			t.Fatalf("%q parsed as %+v, printed %q, parsed back %+v, %v", in, l, l.String(), back, err)
		}
	})
}
