package bench

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopGrace is how long Stop waits after SIGTERM before SIGKILL, and then
// after SIGKILL before giving up on reaping.
const stopGrace = 5 * time.Second

// outputLimit bounds the output kept from a child: its last bytes, which
// hold the error that matters when it dies.
const outputLimit = 64 << 10

// ErrExited is returned (wrapped) when a process that should be running
// has exited.
var ErrExited = errors.New("bench: process exited")

// Process is a server program (backend or proxy) started by the harness.
// It runs in its own process group, so that a Ctrl-C on the terminal
// reaches the harness only, and Stop reaches the program and anything it
// forks. It receives SIGKILL if the harness dies.
//
// Owned by the goroutine that started it; Exited and Output may be called
// from any goroutine.
type Process struct {
	name    string
	argv    []string
	cmd     *exec.Cmd
	out     *tailBuffer
	done    chan struct{} // closed once the process is reaped
	waitErr error         // valid after done is closed
	stopped bool
}

// StartProcess starts argv in dir (the current directory when empty) and
// returns at once; name labels it in errors. Stdout and stderr are kept,
// bounded, for [Process.Output].
func StartProcess(name string, argv []string, dir string) (*Process, error) {
	if len(argv) == 0 {
		return nil, fmt.Errorf("bench: start %s: empty command", name)
	}
	p := &Process{name: name, argv: argv, out: &tailBuffer{limit: outputLimit}, done: make(chan struct{})}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Dir = dir
	p.cmd.Stdout = p.out
	p.cmd.Stderr = p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s (%s): %w", name, strings.Join(argv, " "), err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Name is the label given to StartProcess.
func (p *Process) Name() string { return p.name }

// Pid is the process id of the started program.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Argv is the command line the process was started with. The caller must
// not modify it.
func (p *Process) Argv() []string { return p.argv }

// Exited reports, without blocking, whether the process has exited, and
// if so an error wrapping [ErrExited] that says how and quotes the tail of
// its output.
func (p *Process) Exited() error {
	select {
	case <-p.done:
		how := "exit status 0"
		if p.waitErr != nil {
			how = p.waitErr.Error()
		}
		return fmt.Errorf("%w: %s (pid %d), %s; output:\n%s", ErrExited, p.name, p.Pid(), how, indent(p.Output()))
	default:
		return nil
	}
}

// Output returns the last bytes (at most 64 KiB) the process wrote to
// stdout and stderr.
func (p *Process) Output() string { return p.out.String() }

// Stop ends the process group: SIGTERM, then SIGKILL if it is still
// running after a grace period. It returns an error if the process had
// already exited on its own (it was expected to run until stopped) or
// could not be reaped. Calling Stop again returns nil.
func (p *Process) Stop() error {
	if p.stopped {
		return nil
	}
	p.stopped = true
	if err := p.Exited(); err != nil {
		return err
	}
	// The group id is the leader's pid; the kernel does not reuse it while
	// the leader is unreaped or any member of the group lives, so the
	// signal reaches the group we started and nothing else.
	_ = syscall.Kill(-p.Pid(), syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(stopGrace):
	}
	_ = syscall.Kill(-p.Pid(), syscall.SIGKILL)
	select {
	case <-p.done:
		return fmt.Errorf("bench: %s (pid %d) ignored SIGTERM for %v and was killed", p.name, p.Pid(), stopGrace)
	case <-time.After(stopGrace):
		return fmt.Errorf("bench: %s (pid %d) survived SIGKILL for %v", p.name, p.Pid(), stopGrace)
	}
}

// tailBuffer is an io.Writer keeping the last limit bytes written. It is
// safe for concurrent use (exec copies stdout and stderr from goroutines).
type tailBuffer struct {
	mu    sync.Mutex
	limit int
	buf   []byte
	cut   bool // bytes were dropped from the front
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - t.limit; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
		t.cut = true
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cut {
		return "[...]" + string(t.buf)
	}
	return string(t.buf)
}

// indent prefixes every line of s with four spaces, so that a child's
// output quoted in an error stands apart; empty output is "(none)".
func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return "    (none)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// ShellQuote joins argv into one line a POSIX shell reads back as the
// same words: words with spaces, quotes or shell metacharacters are
// single-quoted.
func ShellQuote(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		if a == "" || strings.ContainsAny(a, " \t\n\"'$\\`|&;<>()*?[]{}~#!") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts[i] = a
	}
	return strings.Join(parts, " ")
}
