package main

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// readyEnv names the variable through which a daemon child learns the
// descriptor of its readiness pipe.
const readyEnv = "HITLESS_DAEMON_READY_FD"

// daemonize starts the same command again detached from the terminal (a
// Go process cannot fork), waits until the child listens, and exits: 0
// when it reported ready, 1 when it failed (its messages went to stderr).
func daemonize(lg *logger, a *args) int {
	r, w, err := os.Pipe()
	if err != nil {
		lg.alert("cannot daemonize: %v", err)
		return 1
	}
	self, err := os.Executable()
	if err != nil {
		lg.alert("cannot daemonize: %v", err)
		return 1
	}
	argv := []string{}
	for _, s := range os.Args[1:] {
		if s != "-D" {
			argv = append(argv, s)
		}
	}
	argv = append(argv, "-db") // the child stays in the foreground of its own session
	cmd := exec.Command(self, argv...)
	cmd.Env = append(os.Environ(), readyEnv+"=3")
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stderr = os.Stderr // start-up alerts reach the caller; closed once ready
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		lg.alert("cannot daemonize: %v", err)
		return 1
	}
	w.Close()
	line, _ := bufio.NewReader(r).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		cmd.Wait()
		return 1
	}
	cmd.Process.Release()
	return 0
}

// notifyDaemonParent tells the waiting parent that the child listens, then
// detaches the child's standard streams.
func notifyDaemonParent(fdText string) {
	f := os.NewFile(3, "ready")
	if f == nil {
		return
	}
	f.WriteString("ready\n")
	f.Close()
	os.Unsetenv(readyEnv)
	if null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0); err == nil {
		syscall.Dup2(int(null.Fd()), 0)
		syscall.Dup2(int(null.Fd()), 1)
		syscall.Dup2(int(null.Fd()), 2)
		null.Close()
	}
}
