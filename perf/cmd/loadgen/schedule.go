package main

import (
	"sync"
	"sync/atomic"
	"time"
)

// schedule is the open-loop plan of a run: request i is due at
// start + i/rate, whatever happened to the requests before it. Requests due
// in [measureFrom, end) are measured; those due before measureFrom are the
// warm-up. No request is due at or after end, none is sent at or after
// hardStop, and none waits for its answer past hardStop.
type schedule struct {
	start       time.Time
	rate        float64 // requests per second, > 0
	measureFrom time.Time
	end         time.Time
	hardStop    time.Time
	timeout     time.Duration // the most a request may take from its send
}

// newSchedule plans a run starting at start.
func newSchedule(start time.Time, rate float64, warmup, duration, timeout time.Duration) schedule {
	from := start.Add(warmup)
	end := from.Add(duration)
	return schedule{start: start, rate: rate, measureFrom: from, end: end, hardStop: end.Add(timeout), timeout: timeout}
}

// due returns when request i is to be sent.
func (s schedule) due(i int64) time.Time {
	return s.start.Add(time.Duration(float64(i) * 1e9 / s.rate))
}

// firstAt returns the index of the first request due at or after t.
func (s schedule) firstAt(t time.Time) int64 {
	i := max(int64(float64(t.Sub(s.start))*s.rate/1e9), 0)
	for i > 0 && !s.due(i-1).Before(t) {
		i--
	}
	for s.due(i).Before(t) {
		i++
	}
	return i
}

// measured returns how many requests are due in the measured window.
func (s schedule) measured() int64 {
	return s.firstAt(s.end) - s.firstAt(s.measureFrom)
}

// clock is the time source of one worker.
type clock interface {
	Now() time.Time
	// SleepUntil returns at t or soon after, or false once the run is
	// cancelled.
	SleepUntil(t time.Time) bool
}

// exchanger sends one request and reads its whole response. It belongs to
// one worker.
type exchanger interface {
	// exchange returns the response's status, or an error if there was no
	// complete response by deadline.
	exchange(deadline time.Time) (status int, err error)
	close()
}

// tally is what one worker measured, over the requests due in the measured
// window.
type tally struct {
	latency  histogram // from due time to the end of the response
	lag      histogram // from due time to the send
	requests int64     // complete responses, any status
	non2xx   int64
	errors   int64
	firstErr error
}

// add merges o into t.
func (t *tally) add(o *tally) {
	t.latency.merge(&o.latency)
	t.lag.merge(&o.lag)
	t.requests += o.requests
	t.non2xx += o.non2xx
	t.errors += o.errors
	if t.firstErr == nil {
		t.firstErr = o.firstErr
	}
}

// drive runs s with one worker per exchanger: each idle worker takes the next
// request in due order, waits until it is due and sends it, so requests
// queue behind busy workers and that wait counts in their latency. It
// returns when every worker has stopped: at the end of s, or when a clock
// says the run is cancelled.
func drive(s schedule, clocks []clock, exchangers []exchanger) tally {
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		tallies = make([]tally, len(exchangers))
	)
	for w := range exchangers {
		wg.Go(func() { work(s, &next, clocks[w], exchangers[w], &tallies[w]) })
	}
	wg.Wait()
	var sum tally
	for i := range tallies {
		sum.add(&tallies[i])
	}
	return sum
}

// work is one worker of drive. It closes ex when it stops.
func work(s schedule, next *atomic.Int64, clk clock, ex exchanger, t *tally) {
	defer ex.close()
	for {
		i := next.Add(1) - 1
		due := s.due(i)
		if !due.Before(s.end) || !clk.SleepUntil(due) {
			return
		}
		sent := clk.Now()
		if !sent.Before(s.hardStop) {
			return
		}
		deadline := sent.Add(s.timeout)
		if s.hardStop.Before(deadline) {
			deadline = s.hardStop
		}
		status, err := ex.exchange(deadline)
		done := clk.Now()
		if due.Before(s.measureFrom) {
			continue
		}
		if err != nil {
			t.errors++
			if t.firstErr == nil {
				t.firstErr = err
			}
			continue
		}
		t.requests++
		if status < 200 || status > 299 {
			t.non2xx++
		}
		t.latency.record(done.Sub(due))
		t.lag.record(sent.Sub(due))
	}
}
