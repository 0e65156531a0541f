package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// idleBatch is how many connections IdleConns opens before it waits for
// the proxy to accept them: below every proxy's listen backlog (nginx's
// is 511), so that no connection waits on a dropped SYN.
const idleBatch = 256

// idleSettle bounds each wait for the proxy to take the connections: to
// accept a batch, and to connect all of them to the backend.
const idleSettle = 10 * time.Second

// idleStable is how long the proxy's descriptor count must stay put for
// IdleConns to take it as final when it stays below two per connection
// (a proxy that does not connect to the backend until the client sends).
const idleStable = time.Second

// idleSlack is how many descriptors short of one (or two) per
// connection a count may fall and still be taken as reached: the proxy
// may close, after the harness read its count, connections of the check
// that ran before (up to six: three requests, client and server side).
const idleSlack = 8

// idleFDReserve is what IdleFit keeps of the open-files limit for
// everything but the connections: listeners, logs, epoll, pipes, and
// the margin of the maxconn the workload sets (HAProxy 2.6 asks for
// 2 * maxconn + 14 descriptors).
const idleFDReserve = 100

// IdleFit returns how many idle connections a run can hold when every
// process's open-files limit is at most hard: the requested count, or
// fewer when a proxy holding two descriptors per connection (client and
// server side) would run out. ok is false when it had to lower the count.
func IdleFit(requested int, hard uint64) (n int, ok bool) {
	room := (int64(hard) - idleFDReserve) / 2
	if room < 1 {
		return 0, false
	}
	if int64(requested) > room {
		return int(room), false
	}
	return requested, true
}

// IdleConns is a generator that runs inside the harness: it opens Conns
// TCP connections to the proxy, sends nothing, holds them for the run's
// duration, and reads the proxy's resident memory (VmRSS of its process
// group, /proc/<pid>/status) and descriptor count before opening them and
// once they are all open and held. The headline figure is the memory the
// proxy gained per connection, in KiB.
//
// The harness's own open-files limit must allow Conns more descriptors.
type IdleConns struct {
	Conns int
	// Requested is the count asked for, when the open-files limit
	// lowered Conns (see IdleFit); 0 or Conns otherwise.
	Requested int
}

// Argv is nil: IdleConns runs no command. See Describe.
func (g *IdleConns) Argv(string, time.Duration) []string { return nil }

// Describe says what the harness does, for the report.
func (g *IdleConns) Describe(addr string, d time.Duration) string {
	return fmt.Sprintf("harness: open %d TCP connections to %s (%d at a time, each batch accepted before the next), "+
		"send nothing, hold them %v, read the proxy's VmRSS and open descriptors before and after", g.Conns, addr, idleBatch, d)
}

// Figure says where Sample.Rate comes from.
func (g *IdleConns) Figure() string {
	return "for idle connections, the proxy's VmRSS (all processes of its group) with them open minus before, per connection, in KiB"
}

// Run fails: the figure is the proxy's, there is none without one.
func (g *IdleConns) Run(context.Context, string, time.Duration) (Sample, error) {
	return Sample{}, errors.New("bench: idle connections measure a proxy's memory; there is none to measure without a proxy")
}

// RunProxy opens the connections to addr, where the process group led by
// pid listens, and measures it. The connections are closed before it
// returns. It fails if a connection cannot be opened, if the proxy does
// not accept a batch within 10 s, or if it gained less than one
// descriptor per connection.
func (g *IdleConns) RunProxy(ctx context.Context, addr string, d time.Duration, pid int) (Sample, error) {
	if g.Conns < 1 {
		return Sample{}, fmt.Errorf("bench: %d idle connections", g.Conns)
	}
	// Start from a settled count: connections of the check before may
	// still be closing.
	if _, err := waitFDs(ctx, pid, -1, true); err != nil {
		return Sample{}, err
	}
	rss0, fds0, err := GroupMemory(pid)
	if err != nil {
		return Sample{}, err
	}
	conns := make([]net.Conn, 0, g.Conns)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	dialer := net.Dialer{Timeout: 5 * time.Second}
	for len(conns) < g.Conns {
		for n := min(idleBatch, g.Conns-len(conns)); n > 0; n-- {
			c, err := dialer.DialContext(ctx, "tcp4", addr)
			if err != nil {
				return Sample{}, fmt.Errorf("bench: idle connection %d of %d: %w", len(conns)+1, g.Conns, err)
			}
			conns = append(conns, c)
		}
		// Accepted: the proxy holds at least one descriptor per connection.
		if _, err := waitFDs(ctx, pid, fds0+len(conns)-idleSlack, false); err != nil {
			return Sample{}, fmt.Errorf("bench: %d idle connections opened: %w", len(conns), err)
		}
	}
	// Connected to the backend: two per connection, or as many as it
	// settles on.
	fds, err := waitFDs(ctx, pid, fds0+2*len(conns)-idleSlack, true)
	if err != nil {
		return Sample{}, err
	}
	select {
	case <-ctx.Done():
		return Sample{}, ctx.Err()
	case <-time.After(d):
	}
	rss1, fds1, err := GroupMemory(pid)
	if err != nil {
		return Sample{}, err
	}
	if fds1 < fds {
		return Sample{}, fmt.Errorf("bench: the proxy closed idle connections while they were held: %d descriptors, down from %d", fds1, fds)
	}
	return IdleSample(g.Conns, rss0, rss1, fds0, fds1), nil
}

// IdleSample turns two readings of a proxy's memory and descriptors,
// before opening conns connections and with them open, into a sample:
// the rate is the memory gained per connection, in KiB.
func IdleSample(conns int, rssBefore, rssAfter int64, fdsBefore, fdsAfter int) Sample {
	return Sample{
		Rate: float64(rssAfter-rssBefore) / float64(conns) / 1024,
		Ops:  int64(conns),
		Memory: Memory{Conns: conns, Before: rssBefore, After: rssAfter,
			FDs: fdsAfter - fdsBefore},
	}
}

// waitFDs polls the descriptor count of the process group led by pid
// every 20 ms until it reaches want, and returns it. With settle, a count
// that stays put for idleStable short of want is also returned (want -1
// waits for just that). It fails after idleSettle.
func waitFDs(ctx context.Context, pid, want int, settle bool) (int, error) {
	deadline := time.Now().Add(idleSettle)
	last, lastChange := -1, time.Now()
	// Counting 20,000 descriptors takes a few milliseconds of a CPU the
	// proxy may need: poll gently.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		_, fds, err := GroupMemory(pid)
		if err != nil {
			return 0, err
		}
		now := time.Now()
		if want >= 0 && fds >= want {
			return fds, nil
		}
		if fds != last {
			last, lastChange = fds, now
		} else if settle && now.Sub(lastChange) >= idleStable {
			return fds, nil
		}
		if now.After(deadline) {
			return 0, fmt.Errorf("bench: the proxy holds %d descriptors after %v, want %d", fds, idleSettle, want)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-tick.C:
		}
	}
}
