// Command loadgen is an open-loop HTTP/1.1 load generator: it sends GET
// requests at a fixed rate, below saturation, and reports their latency, which
// wrk cannot do (wrk sends as fast as answers come back).
//
//	loadgen -url http://127.0.0.1:P/path -rate R -duration D -connections C
//	        [-close] [-warmup W] [-timeout T]
//
// Request i is due at start + i/R. C workers, each with its own connection,
// take the requests in due order: an idle worker waits until its request is
// due and sends it; when all are busy, the next request waits for one. Its
// latency is measured from the time it was due, not from when it was sent, so
// a stall of the server shows in every request scheduled during it instead of
// only in the one that met it (coordinated omission). With -close each
// request opens a new connection and asks the server to close it; C then
// bounds the requests in flight. Requests due in the first W (default 0) are
// sent but not measured; the measured window is the next D. Nothing is sent
// later than T after the window, and no answer is awaited past that, so a run
// ends by itself within W + D + T. Requests are written as raw bytes and answers parsed by a
// minimal HTTP/1.1 parser (status line, Content-Length, chunked, Connection,
// HTTP/1.0 defaults), so the generator costs little CPU. Workers sleep on a
// timerfd rather than a Go timer, which on Linux fires up to a millisecond
// late; the lag_* figures show how late sends still were.
//
// It prints one JSON object on one line of stdout, over the requests due in
// the measured window:
//
//	{"target_rate":R, "achieved_rate":x, "requests":n, "errors":e, "non2xx":k,
//	 "unsent":u, "p50_us":.., "p90_us":.., "p99_us":.., "p999_us":..,
//	 "max_us":.., "lag_p50_us":.., "lag_p99_us":.., "lag_max_us":..,
//	 "first_error":"..."}
//
// requests counts complete responses of any status (non2xx of them outside
// 200-299); errors counts requests without one (connect, write, read, parse,
// timeout T; a keep-alive connection the server closed while idle shows here
// too), first_error (absent when none) gives the first; unsent counts
// requests due in the window that were never sent because the run ended
// first. achieved_rate is requests per second of D. The p*_us and max_us
// figures are latencies of the requests, in microseconds, from a histogram
// with a fixed 58 KiB per worker that reports each within 0.8 % above the
// exact value (max is exact); lag_* is the same for the delay between the due
// time and the send, which is how late the generator or the busy connections
// were. Exit status: 0 after a run with at least one response, 1 otherwise or
// on SIGINT/SIGTERM (the JSON is still printed), 2 for bad flags.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// config is a run's settings.
type config struct {
	url         string
	rate        float64
	duration    time.Duration
	warmup      time.Duration
	timeout     time.Duration
	connections int
	close       bool
}

// target is where config.url sends requests.
type target struct {
	addr string // host:port to dial
	host string // Host header
	path string // request target
}

// parseTarget checks an http URL and splits it for requests.
func parseTarget(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return target{}, err
	}
	if u.Scheme != "http" || u.Host == "" || u.User != nil || u.Fragment != "" {
		return target{}, fmt.Errorf("want http://host[:port][/path], got %q", raw)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return target{addr: addr, host: u.Host, path: u.RequestURI()}, nil
}

// check reports the first invalid setting.
func (c config) check() error {
	switch {
	case !(c.rate > 0) || math.IsInf(c.rate, 0):
		return errors.New("-rate must be above 0")
	case c.duration <= 0:
		return errors.New("-duration must be above 0")
	case c.warmup < 0:
		return errors.New("-warmup must not be negative")
	case c.timeout <= 0:
		return errors.New("-timeout must be above 0")
	case c.connections < 1:
		return errors.New("-connections must be at least 1")
	}
	_, err := parseTarget(c.url)
	return err
}

// report is the JSON object loadgen prints.
type report struct {
	TargetRate   float64 `json:"target_rate"`
	AchievedRate float64 `json:"achieved_rate"`
	Requests     int64   `json:"requests"`
	Errors       int64   `json:"errors"`
	Non2xx       int64   `json:"non2xx"`
	Unsent       int64   `json:"unsent"`
	P50          float64 `json:"p50_us"`
	P90          float64 `json:"p90_us"`
	P99          float64 `json:"p99_us"`
	P999         float64 `json:"p999_us"`
	Max          float64 `json:"max_us"`
	LagP50       float64 `json:"lag_p50_us"`
	LagP99       float64 `json:"lag_p99_us"`
	LagMax       float64 `json:"lag_max_us"`
	FirstError   string  `json:"first_error,omitempty"`
}

func main() {
	var cfg config
	flag.StringVar(&cfg.url, "url", "", "http://host:port/path to GET (required)")
	flag.Float64Var(&cfg.rate, "rate", 0, "requests per second (required)")
	flag.DurationVar(&cfg.duration, "duration", 10*time.Second, "measured window")
	flag.DurationVar(&cfg.warmup, "warmup", 0, "time sent at the same rate before the measured window, not measured")
	flag.DurationVar(&cfg.timeout, "timeout", 2*time.Second, "longest wait for a response from its send, and longest run past the window")
	flag.IntVar(&cfg.connections, "connections", 10, "connections (workers); with -close, requests in flight at most")
	flag.BoolVar(&cfg.close, "close", false, "a new connection per request, with Connection: close")
	flag.Parse()
	if err := cfg.check(); err != nil || flag.NArg() > 0 {
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
		}
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	r, err := run(ctx, cfg)
	if err == nil {
		err = printReport(os.Stdout, r)
	}
	if err == nil && ctx.Err() != nil {
		err = errors.New("interrupted")
	}
	if err == nil && r.Requests == 0 {
		err = errors.New("no response")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// run performs one run of cfg (already checked) and returns its report. It
// stops early, with what it measured, when ctx ends; it returns an error only
// if it cannot start.
func run(ctx context.Context, cfg config) (report, error) {
	tg, err := parseTarget(cfg.url)
	if err != nil {
		return report{}, err
	}
	clocks := make([]clock, cfg.connections)
	exchangers := make([]exchanger, cfg.connections)
	for i := range clocks {
		c, err := newTimerClock(ctx)
		if err != nil {
			return report{}, err
		}
		defer c.close()
		clocks[i] = c
		exchangers[i] = newHTTPConn(tg.addr, tg.host, tg.path, cfg.close)
	}
	s := newSchedule(time.Now(), cfg.rate, cfg.warmup, cfg.duration, cfg.timeout)
	return summarize(s, drive(s, clocks, exchangers)), nil
}

// summarize turns a run's tally into its report.
func summarize(s schedule, t tally) report {
	us := func(d time.Duration) float64 { return math.Round(float64(d)/100) / 10 }
	r := report{
		TargetRate:   s.rate,
		AchievedRate: math.Round(float64(t.requests)/s.end.Sub(s.measureFrom).Seconds()*10) / 10,
		Requests:     t.requests,
		Errors:       t.errors,
		Non2xx:       t.non2xx,
		Unsent:       max(s.measured()-t.requests-t.errors, 0),
		P50:          us(t.latency.quantile(0.5)),
		P90:          us(t.latency.quantile(0.9)),
		P99:          us(t.latency.quantile(0.99)),
		P999:         us(t.latency.quantile(0.999)),
		Max:          us(t.latency.max),
		LagP50:       us(t.lag.quantile(0.5)),
		LagP99:       us(t.lag.quantile(0.99)),
		LagMax:       us(t.lag.max),
	}
	if t.firstErr != nil {
		r.FirstError = t.firstErr.Error()
	}
	return r
}

// printReport writes r as one line of JSON.
func printReport(w io.Writer, r report) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
