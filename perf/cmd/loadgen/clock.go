package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// timerClock is a worker's real clock. It sleeps on a timerfd of its own,
// read through Go's netpoller: the runtime's timers fire up to about a
// millisecond late on Linux (the poller's epoll_wait takes its timeout in
// milliseconds), which would show as latency, while a timerfd wakes the
// poller when it expires. It costs two or three system calls per sleep.
type timerClock struct {
	ctx  context.Context
	fd   int
	file *os.File // fd, non-blocking, registered with the netpoller
	stop func() bool
}

// newTimerClock returns a clock whose sleeps fail once ctx is done.
func newTimerClock(ctx context.Context) (*timerClock, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("timerfd_create: %w", err)
	}
	c := &timerClock{ctx: ctx, fd: fd, file: os.NewFile(uintptr(fd), "timerfd")}
	c.stop = context.AfterFunc(ctx, func() { c.file.SetReadDeadline(time.Unix(1, 0)) })
	return c, nil
}

func (c *timerClock) Now() time.Time { return time.Now() }

// SleepUntil arms the timerfd for t and reads it. It returns false if the
// context ended or the timerfd failed.
func (c *timerClock) SleepUntil(t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return c.ctx.Err() == nil
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	if err := unix.TimerfdSettime(c.fd, 0, &spec, nil); err != nil {
		return false
	}
	var expirations [8]byte
	_, err := c.file.Read(expirations[:])
	return err == nil
}

// close releases the timerfd.
func (c *timerClock) close() {
	c.stop()
	c.file.Close()
}
