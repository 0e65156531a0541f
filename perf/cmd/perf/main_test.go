package main

import (
	"testing"
	"time"

	"hitless/perf/bench"
)

func TestCheckRateSources(t *testing.T) {
	nginx := bench.Nginx("nginx", "x\n")
	ka := bench.KeepAlive(bench.Wrk{}, &nginx, bench.ModeTCP)
	latency := func(rate float64) bench.Workload {
		return bench.LatencyAtRate(&bench.Loadgen{Rate: rate,
			From: bench.RateSource{Workload: "keepalive", Target: "haproxy", Fraction: 0.5}}, &nginx, bench.ModeTCP)
	}
	tests := []struct {
		name      string
		workloads []bench.Workload
		proxies   []bench.Proxy
		ok        bool
	}{
		{"keepalive with haproxy first", []bench.Workload{ka, latency(0)}, []bench.Proxy{bench.HAProxy("haproxy")}, true},
		{"latency first", []bench.Workload{latency(0), ka}, []bench.Proxy{bench.HAProxy("haproxy")}, false},
		{"no keepalive", []bench.Workload{latency(0)}, []bench.Proxy{bench.HAProxy("haproxy")}, false},
		{"no haproxy", []bench.Workload{ka, latency(0)}, []bench.Proxy{bench.Hitless("hitless")}, false},
		{"rate given", []bench.Workload{latency(20000)}, []bench.Proxy{bench.Hitless("hitless")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &bench.Runner{Rounds: 1, Duration: time.Second, Workloads: tt.workloads, Proxies: tt.proxies}
			if err := checkRateSources(r); (err == nil) != tt.ok {
				t.Errorf("checkRateSources = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestPick(t *testing.T) {
	names := func(s string) string { return s }
	got, err := pick([]string{"a", "b", "c"}, []string{"c", "a"}, names)
	if err != nil || len(got) != 2 || got[0] != "c" || got[1] != "a" {
		t.Errorf("pick = %q, %v", got, err)
	}
	if _, err := pick([]string{"a"}, []string{"z"}, names); err == nil {
		t.Error("an unknown name was accepted")
	}
}
