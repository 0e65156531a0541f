package main

// The worker's side of master-worker mode (see master.go).

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// workerEnv names the variable that makes a process a worker of the
// master that started it: "ready=<fd>,cli=<fd>[,detach]" (see workerLink).
const workerEnv = "HITLESS_MWORKER_LINK"

// workerLink is a worker's connection to its master: the descriptors of
// its readiness pipe and of its sockpair channel, and whether it must
// detach its standard streams once ready (the first worker of a daemon).
type workerLink struct {
	ready  int
	cli    int
	detach bool
}

// thisWorker is the link of this process when it is a worker, nil
// otherwise; run sets it from the environment before anything else.
var thisWorker *workerLink

func (l workerLink) String() string {
	s := "ready=" + strconv.Itoa(l.ready) + ",cli=" + strconv.Itoa(l.cli)
	if l.detach {
		s += ",detach"
	}
	return s
}

// errWorkerLink is returned by parseWorkerLink for a malformed value.
var errWorkerLink = errors.New("malformed " + workerEnv)

// parseWorkerLink parses the value of workerEnv.
func parseWorkerLink(s string) (*workerLink, error) {
	l := &workerLink{ready: -1, cli: -1}
	for _, part := range strings.Split(s, ",") {
		name, val, hasVal := strings.Cut(part, "=")
		switch {
		case name == "detach" && !hasVal:
			l.detach = true
		case (name == "ready" || name == "cli") && hasVal:
			fd, err := strconv.Atoi(val)
			if err != nil || fd < 3 {
				return nil, fmt.Errorf("%w: %q", errWorkerLink, s)
			}
			if name == "ready" {
				l.ready = fd
			} else {
				l.cli = fd
			}
		default:
			return nil, fmt.Errorf("%w: %q", errWorkerLink, s)
		}
	}
	if l.ready < 0 || l.cli < 0 || l.ready == l.cli {
		return nil, fmt.Errorf("%w: %q", errWorkerLink, s)
	}
	return l, nil
}

// takeWorkerLink reads and removes workerEnv: nil, nil when this process
// is not a worker. The link's descriptors are marked close-on-exec.
func takeWorkerLink() (*workerLink, error) {
	v, ok := os.LookupEnv(workerEnv)
	if !ok {
		return nil, nil
	}
	os.Unsetenv(workerEnv)
	l, err := parseWorkerLink(v)
	if err != nil {
		return nil, err
	}
	for _, fd := range []int{l.ready, l.cli} {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC); err != nil {
			return nil, fmt.Errorf("%s: descriptor %d: %w", workerEnv, fd, err)
		}
	}
	return l, nil
}

// reportReady tells the master that the worker listens, once; with
// detach, the standard streams then become /dev/null.
func (l *workerLink) reportReady() {
	if l.ready < 0 {
		return
	}
	f := os.NewFile(uintptr(l.ready), "master ready")
	f.WriteString("ready\n")
	f.Close()
	l.ready = -1
	if !l.detach {
		return
	}
	if null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0); err == nil {
		syscall.Dup2(int(null.Fd()), 0)
		syscall.Dup2(int(null.Fd()), 1)
		syscall.Dup2(int(null.Fd()), 2)
		null.Close()
	}
}

// closeXferChannel closes the descriptor of "-x sockpair@<fd>" once the
// sockets were taken: the worker must not keep the master's end of
// another worker's channel, or that worker would not see the master go.
func closeXferChannel(spec string) {
	rest, ok := strings.CutPrefix(spec, "sockpair@")
	if !ok {
		return
	}
	if fd, err := strconv.Atoi(rest); err == nil && fd > 2 {
		unix.Close(fd)
	}
}
