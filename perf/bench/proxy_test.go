package bench

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func testSpec() ProxySpec {
	return ProxySpec{
		Mode: ModeTCP, Listen: "127.0.0.1:4000", Server: "127.0.0.1:5000",
		Threads: 1, CPUs: CPUSet{0}, Maxconn: 4096, Splice: SpliceAuto,
		TimeoutConnect: 5 * time.Second, TimeoutClient: 30 * time.Second, TimeoutServer: 1500 * time.Millisecond,
	}
}

func TestHAProxyConfig(t *testing.T) {
	got, err := HAProxyConfig(testSpec())
	if err != nil {
		t.Fatal(err)
	}
	want := `# written by perf/bench; every HAProxy-syntax proxy under test runs this same file
global
    nbthread 1
    cpu-map 1/all 0
    maxconn 4096

defaults
    mode tcp
    maxconn 4096
    timeout connect 5s
    timeout client 30s
    timeout server 1500ms
    option splice-auto

frontend fe
    bind 127.0.0.1:4000
    default_backend be

backend be
    server s1 127.0.0.1:5000
`
	if string(got) != want {
		t.Errorf("HAProxyConfig:\n%s\nwant:\n%s", got, want)
	}
}

func TestHAProxyConfigVariants(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*ProxySpec)
		has     []string
		hasNot  []string
		invalid bool
	}{
		{name: "no splice-auto", edit: func(s *ProxySpec) { s.Splice = SpliceNoAuto }, has: []string{"    no option splice-auto\n"}},
		{name: "no splice line", edit: func(s *ProxySpec) { s.Splice = SpliceUnset }, hasNot: []string{"splice"}},
		{name: "nosplice in global", edit: func(s *ProxySpec) { s.Splice, s.NoSplice = SpliceUnset, true },
			has: []string{"    maxconn 4096\n    nosplice\n\ndefaults\n"}, hasNot: []string{"option splice"}},
		{name: "unknown splice setting", edit: func(s *ProxySpec) { s.Splice = 7 }, invalid: true},
		{name: "unpinned", edit: func(s *ProxySpec) { s.CPUs = nil }, hasNot: []string{"cpu-map"}},
		{name: "threads one to one", edit: func(s *ProxySpec) { s.Threads, s.CPUs = 2, CPUSet{0, 1} },
			has: []string{"nbthread 2\n", "cpu-map auto:1/1-2 0-1\n"}},
		{name: "threads sharing a CPU", edit: func(s *ProxySpec) { s.Threads = 2 }, has: []string{"cpu-map 1/all 0\n"}},
		{name: "http mode", edit: func(s *ProxySpec) { s.Mode = ModeHTTP }, has: []string{"    mode http\n"}},
		{name: "unknown mode", edit: func(s *ProxySpec) { s.Mode = "udp" }, invalid: true},
		{name: "no threads", edit: func(s *ProxySpec) { s.Threads = 0 }, invalid: true},
		{name: "no maxconn", edit: func(s *ProxySpec) { s.Maxconn = 0 }, invalid: true},
		{name: "no server", edit: func(s *ProxySpec) { s.Server = "" }, invalid: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSpec()
			tt.edit(&s)
			got, err := HAProxyConfig(s)
			if tt.invalid {
				if err == nil {
					t.Errorf("accepted:\n%s", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range tt.has {
				if !strings.Contains(string(got), h) {
					t.Errorf("missing %q in:\n%s", h, got)
				}
			}
			for _, h := range tt.hasNot {
				if strings.Contains(string(got), h) {
					t.Errorf("unexpected %q in:\n%s", h, got)
				}
			}
		})
	}
}

func TestProxies(t *testing.T) {
	for _, p := range []Proxy{Hitless("/bin/hitless"), HAProxy("/usr/sbin/haproxy")} {
		argv := p.Argv("/tmp/x.cfg", testSpec())
		if !slices.Equal(argv[1:], []string{"-db", "-f", "/tmp/x.cfg"}) {
			t.Errorf("%s argv %q: want foreground (-db) on the file", p.Name, argv)
		}
		if !p.Supports(ModeTCP) || !p.Supports(ModeHTTP) {
			t.Errorf("%s does not support both modes", p.Name)
		}
		if len(p.Pending) != 0 {
			t.Errorf("%s has pending rows: %v", p.Name, p.Pending)
		}
	}
}

func TestBodyContent(t *testing.T) {
	for _, b := range SizedBodies {
		c := b.Content()
		if len(c) != b.Size || c[63] != '\n' || c[0] != 'a' || c[64] != 'b' {
			t.Errorf("%s: %d bytes starting %.70q", b.Path, len(c), c)
		}
	}
	if got := string((Body{Size: 3}).Content()); got != "aaa" {
		t.Errorf("3-byte body %q", got)
	}
}

func TestNginxConfig(t *testing.T) {
	b := Nginx("/usr/sbin/nginx", "ok \"quoted\" \\\n")
	spec := BackendSpec{Listen: "127.0.0.1:5000", CPUs: CPUSet{1}, Dir: "/tmp/perf/nginx"}
	cfg, err := b.Config(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"master_process off;", "worker_processes 1;", "access_log off;", "keepalive_requests 1000000000;",
		"pid /tmp/perf/nginx/nginx.pid;", "listen 127.0.0.1:5000;", `return 200 "ok \"quoted\" \\\n";`,
		"client_header_timeout 300s;",
		"        location = /1k {\n            root /tmp/perf/nginx/www;\n        }\n",
		"        location = /64k {\n            root /tmp/perf/nginx/www;\n        }\n    }\n}\n",
	} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("nginx config lacks %q:\n%s", want, cfg)
		}
	}
	argv := b.Argv("/tmp/perf/nginx/nginx.conf", spec)
	want := []string{"taskset", "-c", "1", "/usr/sbin/nginx", "-p", "/tmp/perf/nginx/", "-c", "/tmp/perf/nginx/nginx.conf", "-e", "/tmp/perf/nginx/error.log"}
	if !slices.Equal(argv, want) {
		t.Errorf("nginx argv %q, want %q", argv, want)
	}
	for _, bad := range []string{"$host", "tab\there", "caf\xc3\xa9"} {
		if _, err := Nginx("nginx", bad).Config(spec); err == nil {
			t.Errorf("body %q accepted", bad)
		}
	}
}

func TestFileName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hitless", "hitless"},
		{"haproxy splice-auto", "haproxy-splice-auto"},
		{"a/b c.d_e", "a-b-c.d_e"},
	}
	for _, tt := range tests {
		if got := fileName(tt.in); got != tt.want {
			t.Errorf("fileName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
