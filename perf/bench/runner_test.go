package bench

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// suiteRunner is a runner with every kind of proxy: hitless (tcp, http
// pending), haproxy (both), nginx without its stream module (http, tcp
// pending), and two Go peers.
func suiteRunner() *Runner {
	r := &Runner{Direct: true, Rounds: 5, Duration: 4 * time.Second, ClockTicks: 100, Dir: "/tmp/x"}
	r.Proxies = []Proxy{Hitless("hitless"), HAProxy("haproxy"), NginxProxy("nginx", NginxStream{Why: "n/a: no stream module"}),
		GnetProxy("gnet"), ReverseProxy("rp")}
	return r
}

func TestRunnerSuiteTargets(t *testing.T) {
	nginx, iperf := Nginx("nginx", "x\n"), Iperf3Server("iperf3")
	lg := &Loadgen{Binary: "loadgen", Warmup: time.Second}
	tests := []struct {
		name    string
		w       Workload
		targets []string
		table   []string
		pending map[string]string
	}{
		{"tcp: nginx pending, rp-proxy left out", KeepAlive(Wrk{}, &nginx, ModeTCP),
			[]string{"direct", "hitless", "haproxy", "gnet-proxy"},
			[]string{"direct", "hitless", "haproxy", "nginx", "gnet-proxy"},
			map[string]string{"nginx": "n/a: no stream module"}},
		{"http: no direct", KeepAliveBody(Wrk{}, &nginx, ModeHTTP, SizedBodies[1]),
			[]string{"hitless", "haproxy", "nginx", "rp-proxy"},
			[]string{"hitless", "haproxy", "nginx", "rp-proxy"},
			map[string]string{}},
		{"bulk: splice variants, other proxies as themselves", Bulk(Iperf3{}, &iperf),
			[]string{"direct", "hitless", "hitless nosplice", "haproxy", "haproxy splice-auto", "gnet-proxy"},
			[]string{"direct", "hitless", "hitless nosplice", "haproxy", "haproxy splice-auto", "nginx", "gnet-proxy"},
			map[string]string{"nginx": "n/a: no stream module"}},
		{"latency in http", LatencyAtRate(lg, &nginx, ModeHTTP),
			[]string{"hitless", "haproxy", "nginx", "rp-proxy"},
			[]string{"hitless", "haproxy", "nginx", "rp-proxy"},
			map[string]string{}},
		{"idle in tcp: no direct", IdleMemory(&IdleConns{Conns: 10}, &nginx, ModeTCP),
			[]string{"hitless", "haproxy", "gnet-proxy"},
			[]string{"hitless", "haproxy", "nginx", "gnet-proxy"},
			map[string]string{"nginx": "n/a: no stream module"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := suiteRunner()
			if got := r.Targets(tt.w); !slices.Equal(got, tt.targets) {
				t.Errorf("Targets = %q, want %q", got, tt.targets)
			}
			order, pending := r.TableTargets(tt.w)
			if !slices.Equal(order, tt.table) {
				t.Errorf("TableTargets order = %q, want %q", order, tt.table)
			}
			if len(pending) != len(tt.pending) {
				t.Errorf("pending = %q, want %q", pending, tt.pending)
			}
			for k, v := range tt.pending {
				if pending[k] != v {
					t.Errorf("pending[%s] = %q, want %q", k, pending[k], v)
				}
			}
		})
	}
}

func TestWithPending(t *testing.T) {
	rows := []Row{{Target: "haproxy"}, {Target: "rp-proxy"}}
	got := WithPending(rows, []string{"hitless", "haproxy", "nginx", "rp-proxy"}, map[string]string{"hitless": "n/a: later"})
	var names []string
	for _, r := range got {
		names = append(names, r.Target+"="+r.NA)
	}
	// nginx has neither a row nor a reason: left out.
	if want := []string{"hitless=n/a: later", "haproxy=", "rp-proxy="}; !slices.Equal(names, want) {
		t.Errorf("WithPending = %q, want %q", names, want)
	}
}

func TestPlan(t *testing.T) {
	nginx, iperf := Nginx("nginx", "x\n"), Iperf3Server("iperf3")
	r := suiteRunner()
	bulk := Bulk(Iperf3{}, &iperf)
	bulk.Duration = 3 * time.Second
	lat := LatencyAtRate(&Loadgen{Warmup: time.Second}, &nginx, ModeTCP)
	lat.Duration = 5 * time.Second
	idle := IdleMemory(&IdleConns{Conns: 10}, &nginx, ModeHTTP)
	idle.Duration = time.Second
	r.Workloads = []Workload{KeepAlive(Wrk{}, &nginx, ModeTCP), bulk, lat, idle}
	p := r.Plan()
	want := []PlannedWorkload{
		{"keepalive", 20, 4700 * time.Millisecond, 94 * time.Second},
		{"bulk", 30, 3700 * time.Millisecond, 111 * time.Second},
		{"latency", 20, 6700 * time.Millisecond, 134 * time.Second},
		{"idle-conns-http", 20, 4700 * time.Millisecond, 94 * time.Second},
	}
	if !slices.Equal(p.Workloads, want) {
		t.Errorf("Plan workloads:\n got %+v\nwant %+v", p.Workloads, want)
	}
	if p.Total != 433*time.Second {
		t.Errorf("Plan total %v", p.Total)
	}
	if s := p.String(); !strings.Contains(s, "  bulk                    30 samples x   3.7s = 1m51s\n") || !strings.HasSuffix(s, "  total                  7m13s\n") {
		t.Errorf("Plan.String:\n%s", s)
	}
	tests := []struct {
		budget time.Duration
		ok     bool
	}{{0, true}, {8 * time.Minute, true}, {7 * time.Minute, false}}
	for _, tt := range tests {
		if err := p.CheckBudget(tt.budget); (err == nil) != tt.ok {
			t.Errorf("CheckBudget(%v) = %v, want ok %v", tt.budget, err, tt.ok)
		}
	}
}

func TestFormatMinutes(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{{0, "0m00s"}, {61500 * time.Millisecond, "1m02s"}, {29*time.Minute + 59*time.Second, "29m59s"}, {2 * time.Hour, "120m00s"}}
	for _, tt := range tests {
		if got := formatMinutes(tt.d); got != tt.want {
			t.Errorf("formatMinutes(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestWorkloadNames(t *testing.T) {
	nginx := Nginx("nginx", "x\n")
	lg := &Loadgen{}
	var got []string
	for _, mode := range []Mode{ModeTCP, ModeHTTP} {
		got = append(got, KeepAlive(Wrk{}, &nginx, mode).Name, ConnPerRequest(Wrk{}, &nginx, mode).Name)
		for _, b := range SizedBodies {
			w := KeepAliveBody(Wrk{}, &nginx, mode, b)
			if w.Gen.(Wrk).Path != b.Path {
				t.Errorf("%s: path %q", w.Name, w.Gen.(Wrk).Path)
			}
			got = append(got, w.Name)
		}
		got = append(got, LatencyAtRate(lg, &nginx, mode).Name, IdleMemory(&IdleConns{Conns: 1}, &nginx, mode).Name)
	}
	want := []string{"keepalive", "conn-per-request", "keepalive-1k", "keepalive-64k", "latency", "idle-conns",
		"keepalive-http", "conn-per-request-http", "keepalive-1k-http", "keepalive-64k-http", "latency-http", "idle-conns-http"}
	if !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
}
