package main

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// logger prints HAProxy-style process messages on stderr:
// "[ALERT]    (pid) : message". It is safe for concurrent use.
type logger struct {
	mu    sync.Mutex
	w     io.Writer
	quiet bool // -q: warnings and notices are not printed
}

func newLogger(w io.Writer) *logger { return &logger{w: w} }

func (l *logger) print(tag, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%-11s(%d) : %s\n", tag, os.Getpid(), fmt.Sprintf(format, args...))
}

func (l *logger) alert(format string, args ...any) { l.print("[ALERT]", format, args...) }

func (l *logger) warningf(format string, args ...any) {
	if !l.quiet {
		l.print("[WARNING]", format, args...)
	}
}

func (l *logger) notice(format string, args ...any) {
	if !l.quiet {
		l.print("[NOTICE]", format, args...)
	}
}
