package main

import (
	"errors"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestScheduleCounts(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		rate                      float64
		warmup, duration          time.Duration
		wantMeasured, wantFirstIn int64
	}{
		{"whole seconds", 2000, 0, 3 * time.Second, 6000, 0},
		{"warmup", 1000, 500 * time.Millisecond, time.Second, 1000, 500},
		{"fractional rate", 3, 0, time.Second, 3, 0},                        // due at 0, 333.3 ms, 666.7 ms
		{"below one per window", 0.5, 0, time.Second, 1, 0},                 // due at 0, 2 s
		{"uneven", 7, 100 * time.Millisecond, 500 * time.Millisecond, 4, 1}, // 142.9 .. 571.4 ms
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSchedule(t0, tc.rate, tc.warmup, tc.duration, time.Second)
			if got := s.measured(); got != tc.wantMeasured {
				t.Errorf("measured %d, want %d", got, tc.wantMeasured)
			}
			first := s.firstAt(s.measureFrom)
			if first != tc.wantFirstIn {
				t.Errorf("first measured %d, want %d", first, tc.wantFirstIn)
			}
			// firstAt agrees with due on both sides of every boundary.
			for _, at := range []time.Time{s.start, s.measureFrom, s.end} {
				i := s.firstAt(at)
				if s.due(i).Before(at) || (i > 0 && !s.due(i-1).Before(at)) {
					t.Errorf("firstAt(%v) = %d: due %v, previous %v", at.Sub(t0), i, s.due(i).Sub(t0), s.due(i-1).Sub(t0))
				}
			}
		})
	}
}

// fakeClock is one worker's simulated time: sleeping moves it to the wake-up
// time, a fake exchange moves it by the service time. Nothing waits.
// It records the times it was asked to sleep until.
type fakeClock struct {
	now   time.Time
	slept []time.Time
}

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) SleepUntil(t time.Time) bool {
	c.slept = append(c.slept, t)
	if t.After(c.now) {
		c.now = t
	}
	return true
}

// fakeServer answers each exchange after service(i) of simulated time, i
// counting its exchanges, and records the send times.
type fakeServer struct {
	clk     *fakeClock
	service func(i int) time.Duration
	fail    func(i int) error
	status  int
	sent    []time.Time
	closed  bool
}

func (f *fakeServer) exchange(deadline time.Time) (int, error) {
	i := len(f.sent)
	f.sent = append(f.sent, f.clk.now)
	if d := f.service(i); f.clk.now.Add(d).After(deadline) {
		f.clk.now = deadline
		return 0, errors.New("timeout")
	} else {
		f.clk.now = f.clk.now.Add(d)
	}
	if f.fail != nil {
		if err := f.fail(i); err != nil {
			return 0, err
		}
	}
	return f.status, nil
}

func (f *fakeServer) close() { f.closed = true }

func constant(d time.Duration) func(int) time.Duration { return func(int) time.Duration { return d } }

// TestDriveOneWorker checks the schedule and the latency accounting on one
// connection, where every figure can be worked out by hand.
func TestDriveOneWorker(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name             string
		warmup, duration time.Duration
		service          func(int) time.Duration
		fail             func(int) error
		status           int
		wantSent         []time.Duration // from t0
		want             tally           // histograms checked through wantMax
		wantMax, wantLag time.Duration
	}{
		{
			name: "keeps up", duration: 5 * ms, service: constant(ms / 2), status: 200,
			wantSent: []time.Duration{0, ms, 2 * ms, 3 * ms, 4 * ms},
			want:     tally{requests: 5}, wantMax: ms / 2, wantLag: 0,
		},
		{
			// Each answer takes 1.5 periods: every request is sent late and
			// its latency counts the wait: 1.5, 2, 2.5, 3, 3.5 ms.
			name: "falls behind", duration: 5 * ms, service: constant(3 * ms / 2), status: 200,
			wantSent: []time.Duration{0, 3 * ms / 2, 3 * ms, 9 * ms / 2, 6 * ms},
			want:     tally{requests: 5}, wantMax: 7 * ms / 2, wantLag: 2 * ms,
		},
		{
			// One 4.2 ms stall: the request that meets it and the four
			// queued behind it all carry part of it.
			name: "stall", duration: 6 * ms, status: 200,
			service: func(i int) time.Duration {
				if i == 1 {
					return 42 * ms / 10
				}
				return ms / 10
			},
			wantSent: []time.Duration{0, ms, 52 * ms / 10, 53 * ms / 10, 54 * ms / 10, 55 * ms / 10},
			want:     tally{requests: 6}, wantMax: 42 * ms / 10, wantLag: 32 * ms / 10,
		},
		{
			name: "warmup not measured", warmup: 3 * ms, duration: 2 * ms, service: constant(0), status: 503,
			wantSent: []time.Duration{0, ms, 2 * ms, 3 * ms, 4 * ms},
			want:     tally{requests: 2, non2xx: 2},
		},
		{
			name: "errors counted", duration: 4 * ms, service: constant(0), status: 200,
			fail: func(i int) error {
				if i%2 == 1 {
					return errors.New("reset")
				}
				return nil
			},
			wantSent: []time.Duration{0, ms, 2 * ms, 3 * ms},
			want:     tally{requests: 2, errors: 2},
		},
		{
			// The first request times out after 1 s; the second is sent
			// then, before the hard stop 1 s after the window, and times
			// out at the hard stop.
			name: "hung server", duration: 2 * ms, service: constant(time.Hour), status: 200,
			wantSent: []time.Duration{0, time.Second},
			want:     tally{errors: 2},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSchedule(t0, 1000, tc.warmup, tc.duration, time.Second)
			clk := &fakeClock{now: t0}
			srv := &fakeServer{clk: clk, service: tc.service, fail: tc.fail, status: tc.status}
			got := drive(s, []clock{clk}, []exchanger{srv})
			var sent []time.Duration
			for _, at := range srv.sent {
				sent = append(sent, at.Sub(t0))
			}
			if !slices.Equal(sent, tc.wantSent) {
				t.Errorf("sent at %v, want %v", sent, tc.wantSent)
			}
			if got.requests != tc.want.requests || got.errors != tc.want.errors || got.non2xx != tc.want.non2xx {
				t.Errorf("requests %d errors %d non2xx %d, want %d %d %d",
					got.requests, got.errors, got.non2xx, tc.want.requests, tc.want.errors, tc.want.non2xx)
			}
			if got.latency.max != tc.wantMax || got.lag.max != tc.wantLag {
				t.Errorf("max latency %v lag %v, want %v %v", got.latency.max, got.lag.max, tc.wantMax, tc.wantLag)
			}
			if got.latency.total != uint64(got.requests) {
				t.Errorf("%d latencies for %d requests", got.latency.total, got.requests)
			}
			if (got.errors > 0) != (got.firstErr != nil) {
				t.Errorf("first error %v with %d errors", got.firstErr, got.errors)
			}
			if !srv.closed {
				t.Error("exchanger not closed")
			}
		})
	}
}

// TestDriveManyWorkers checks that workers share the schedule: every due time
// is taken by exactly one worker and sent no earlier. (Each worker's fake
// clock runs on its own, so which worker takes which request, and how late,
// is not simulated.)
func TestDriveManyWorkers(t *testing.T) {
	const workers = 8
	s := newSchedule(t0, 10000, 0, 100*time.Millisecond, time.Second)
	var clocks []clock
	var exchangers []exchanger
	var fakes []*fakeClock
	var servers []*fakeServer
	for range workers {
		clk := &fakeClock{now: t0}
		srv := &fakeServer{clk: clk, service: constant(250 * time.Microsecond), status: 200}
		clocks, exchangers = append(clocks, clk), append(exchangers, srv)
		fakes, servers = append(fakes, clk), append(servers, srv)
	}
	got := drive(s, clocks, exchangers)
	var due []time.Time
	for w, clk := range fakes {
		taken := clk.slept // a worker sleeps only for requests due in the run
		for i, at := range servers[w].sent {
			if at.Before(taken[i]) {
				t.Fatalf("worker %d sent at %v a request due at %v", w, at.Sub(t0), taken[i].Sub(t0))
			}
		}
		due = append(due, taken...)
	}
	slices.SortFunc(due, time.Time.Compare)
	if int64(len(due)) != s.measured() || got.requests != s.measured() {
		t.Fatalf("sent %d, measured %d, want %d", len(due), got.requests, s.measured())
	}
	for i, at := range due {
		if !at.Equal(s.due(int64(i))) {
			t.Fatalf("request %d due at %v taken, want %v", i, at.Sub(t0), s.due(int64(i)).Sub(t0))
		}
	}
}
