package bench

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSpliceVariants renders every variant's file from a template that
// says "option splice-auto", as the runner's does for the other
// workloads: each variant must replace it with its own choice.
func TestSpliceVariants(t *testing.T) {
	want := map[string]struct {
		proxy  string
		has    []string
		hasNot []string
	}{
		"hitless":             {"hitless", nil, []string{"splice"}},
		"hitless nosplice":    {"hitless", []string{"    nosplice\n"}, []string{"option splice"}},
		"haproxy":             {"haproxy", nil, []string{"splice"}},
		"haproxy splice-auto": {"haproxy", []string{"    option splice-auto\n"}, []string{"nosplice", "no option"}},
	}
	vs := SpliceVariants()
	if len(vs) != len(want) {
		t.Fatalf("%d variants, want %d", len(vs), len(want))
	}
	for _, v := range vs {
		w, ok := want[v.Name]
		if !ok {
			t.Errorf("unexpected variant %q", v.Name)
			continue
		}
		if v.Proxy != w.proxy || v.About == "" || v.Tweak == nil {
			t.Errorf("%s: proxy %q, about %q, tweak set %v", v.Name, v.Proxy, v.About, v.Tweak != nil)
			continue
		}
		s := testSpec()
		s.NoSplice = true // a template with nosplice must not leak into the plain variants
		v.Tweak(&s)
		cfg, err := HAProxyConfig(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range w.has {
			if !strings.Contains(string(cfg), h) {
				t.Errorf("%s: missing %q in:\n%s", v.Name, h, cfg)
			}
		}
		for _, h := range w.hasNot {
			if strings.Contains(string(cfg), h) {
				t.Errorf("%s: unexpected %q in:\n%s", v.Name, h, cfg)
			}
		}
	}
}

func testRunner(proxies ...string) *Runner {
	r := &Runner{Direct: true, Rounds: 1, Duration: 10 * time.Second, ClockTicks: 100, Dir: "/tmp/x"}
	for _, name := range proxies {
		switch name {
		case "hitless":
			r.Proxies = append(r.Proxies, Hitless("hitless"))
		case "haproxy":
			r.Proxies = append(r.Proxies, HAProxy("haproxy"))
		default:
			r.Proxies = append(r.Proxies, Proxy{Name: name, Modes: []Mode{ModeHTTP}})
		}
	}
	return r
}

func TestRunnerTargets(t *testing.T) {
	nginx, iperf := Nginx("nginx", "x\n"), Iperf3Server("iperf3")
	keepalive := KeepAlive(Wrk{Binary: "wrk"}, &nginx, ModeTCP)
	bulk := Bulk(Iperf3{Binary: "iperf3"}, &iperf)
	bulk.Duration = 5 * time.Second
	tests := []struct {
		name     string
		r        *Runner
		w        Workload
		want     []string
		duration time.Duration
	}{
		{"plain workload, runner order", testRunner("haproxy", "hitless"), keepalive,
			[]string{"direct", "haproxy", "hitless"}, 10 * time.Second},
		{"variants grouped by proxy, in runner order", testRunner("hitless", "haproxy"), bulk,
			[]string{"direct", "hitless", "hitless nosplice", "haproxy", "haproxy splice-auto"}, 5 * time.Second},
		{"variants of a proxy not run are skipped", testRunner("haproxy"), bulk,
			[]string{"direct", "haproxy", "haproxy splice-auto"}, 5 * time.Second},
		{"proxy without the mode is skipped", testRunner("http-only", "hitless"), keepalive,
			[]string{"direct", "hitless"}, 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Targets(tt.w); !slices.Equal(got, tt.want) {
				t.Errorf("Targets = %q, want %q", got, tt.want)
			}
			if got := tt.r.DurationOf(tt.w); got != tt.duration {
				t.Errorf("DurationOf = %v, want %v", got, tt.duration)
			}
		})
	}
}

func TestRunnerTargetsTweak(t *testing.T) {
	iperf := Iperf3Server("iperf3")
	r := testRunner("hitless", "haproxy")
	r.Proxy = testSpec() // "option splice-auto", as the harness's template
	for _, tg := range r.proxyTargets(Bulk(Iperf3{Binary: "iperf3"}, &iperf)) {
		spec := r.Proxy
		tg.tweak(&spec)
		if tg.name == "haproxy splice-auto" {
			if spec.Splice != SpliceAuto {
				t.Errorf("%s: splice %v", tg.name, spec.Splice)
			}
		} else if spec.Splice != SpliceUnset {
			t.Errorf("%s: splice %v, want no line", tg.name, spec.Splice)
		}
		if spec.NoSplice != (tg.name == "hitless nosplice") {
			t.Errorf("%s: nosplice %v", tg.name, spec.NoSplice)
		}
	}
	if r.Proxy.Splice != SpliceAuto || r.Proxy.NoSplice {
		t.Errorf("tweaks changed the template: %+v", r.Proxy)
	}
}

func TestRunnerValidate(t *testing.T) {
	nginx, iperf := Nginx("nginx", "x\n"), Iperf3Server("iperf3")
	good := func() Workload { return Bulk(Iperf3{Binary: "iperf3"}, &iperf) }
	tests := []struct {
		name string
		edit func(*Runner)
		ok   bool
	}{
		{"valid", func(r *Runner) {}, true},
		{"workload duration not whole seconds", func(r *Runner) { r.Workloads[1].Duration = 1500 * time.Millisecond }, false},
		{"duplicate variant name", func(r *Runner) {
			r.Workloads[1].Variants = append(r.Workloads[1].Variants, Variant{Name: "haproxy", Proxy: "haproxy"})
		}, false},
		{"variant named direct", func(r *Runner) { r.Workloads[1].Variants = []Variant{{Name: DirectTarget, Proxy: "haproxy"}} }, false},
		{"no CPU basis", func(r *Runner) { r.Workloads[1].CPUPer = CPUBasis{} }, false},
		{"no target at all", func(r *Runner) { r.Direct = false; r.Proxies = nil }, false},
		{"variant of an absent proxy, the others run as themselves", func(r *Runner) {
			r.Direct = false
			r.Workloads[1].Variants = []Variant{{Name: "x", Proxy: "absent"}}
		}, true},
		{"workload name twice", func(r *Runner) { r.Workloads = append(r.Workloads, good()) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testRunner("hitless", "haproxy")
			r.Workloads = []Workload{KeepAlive(Wrk{Binary: "wrk"}, &nginx, ModeTCP), good()}
			tt.edit(r)
			if err := r.validate(); (err == nil) != tt.ok {
				t.Errorf("validate = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestAddProxyFile(t *testing.T) {
	res := &Results{Files: []File{{Program: "nginx", Text: "a"}}}
	res.addProxyFile("hitless", "keepalive", "splice-auto")
	res.addProxyFile("hitless", "conn-per-request", "splice-auto")
	res.addProxyFile("hitless", "bulk", "no line")
	res.addProxyFile("hitless", "bulk-reverse", "no line")
	res.addProxyFile("hitless", "bulk", "no line")
	var labels []string
	for _, f := range res.Files {
		labels = append(labels, f.Label())
	}
	want := []string{"nginx", "hitless (keepalive, conn-per-request)", "hitless (bulk, bulk-reverse)"}
	if !slices.Equal(labels, want) {
		t.Errorf("labels %q, want %q", labels, want)
	}
}
