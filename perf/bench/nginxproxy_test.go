package bench

import (
	"slices"
	"strings"
	"testing"
)

func TestParseNginxStream(t *testing.T) {
	debian := "nginx version: nginx/1.22.1\nconfigure arguments: --with-cc-opt='-g -O2' --prefix=/usr/share/nginx " +
		"--modules-path=/usr/lib/nginx/modules --with-stream=dynamic --with-stream_ssl_module --with-mail=dynamic\n"
	tests := []struct {
		name      string
		v         string
		installed string
		want      NginxStream
	}{
		{"built in", "configure arguments: --prefix=/etc/nginx --with-stream --with-stream_ssl_module", "",
			NginxStream{Have: true}},
		{"quoted argument", "configure arguments: '--with-stream' --with-http_v2_module", "", NginxStream{Have: true}},
		{"Debian, module installed", debian, "/usr/lib/nginx/modules/ngx_stream_module.so",
			NginxStream{Have: true, Module: "/usr/lib/nginx/modules/ngx_stream_module.so"}},
		{"Debian, module missing", debian, "",
			NginxStream{Why: "n/a: nginx's stream module /usr/lib/nginx/modules/ngx_stream_module.so is not installed (Debian: libnginx-mod-stream)"}},
		{"dynamic, modules under the prefix", "configure arguments: --prefix=/opt/ngx --with-stream=dynamic", "/opt/ngx/modules/ngx_stream_module.so",
			NginxStream{Have: true, Module: "/opt/ngx/modules/ngx_stream_module.so"}},
		{"only stream_ssl, no stream", "configure arguments: --with-stream_ssl_module", "",
			NginxStream{Why: "n/a: this nginx is built without the stream module"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseNginxStream(tt.v, func(p string) bool { return p == tt.installed })
			if got != tt.want {
				t.Errorf("ParseNginxStream = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestNginxProxyConfig(t *testing.T) {
	spec := testSpec()
	spec.Dir, spec.Nofile = "/tmp/perf/nginx", 20000
	tcp, err := NginxProxyConfig(spec, "/usr/lib/nginx/modules/ngx_stream_module.so")
	if err != nil {
		t.Fatal(err)
	}
	want := `# written by perf/bench: nginx as a proxy under test
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 20000;
pid /tmp/perf/nginx/nginx.pid;
error_log stderr warn;

events {
    worker_connections 8208;
}

stream {
    server {
        listen 127.0.0.1:4000;
        proxy_pass 127.0.0.1:5000;
        proxy_connect_timeout 5s;
        proxy_timeout 30s;
    }
}
`
	if string(tcp) != want {
		t.Errorf("tcp:\n%s\nwant:\n%s", tcp, want)
	}

	tests := []struct {
		name    string
		edit    func(*ProxySpec)
		module  string
		has     []string
		hasNot  []string
		invalid bool
	}{
		{name: "http", edit: func(s *ProxySpec) { s.Mode = ModeHTTP }, module: "/m.so",
			has: []string{"http {\n", "    upstream be {\n        server 127.0.0.1:5000;\n        keepalive 1024;\n",
				"            proxy_pass http://be;\n            proxy_http_version 1.1;\n            proxy_set_header Connection \"\";\n",
				"proxy_buffers 16 8k;", "proxy_max_temp_file_size 0;", "proxy_temp_path /tmp/perf/nginx/proxy;",
				"keepalive_requests 1000000000;", "proxy_read_timeout 1500ms;"},
			hasNot: []string{"load_module", "stream {"}},
		{name: "built-in stream module", module: "", hasNot: []string{"load_module"}, has: []string{"stream {\n"}},
		{name: "two workers on two CPUs", edit: func(s *ProxySpec) { s.Threads, s.CPUs = 2, CPUSet{0, 1} },
			has: []string{"master_process on;\nworker_processes 2;\nworker_cpu_affinity 1 10;\n"}},
		{name: "two workers sharing CPUs 2-3", edit: func(s *ProxySpec) { s.Threads, s.CPUs = 3, CPUSet{2, 3} },
			has: []string{"worker_processes 3;\nworker_cpu_affinity 1100;\n"}},
		{name: "unpinned", edit: func(s *ProxySpec) { s.Threads, s.CPUs = 2, nil }, hasNot: []string{"worker_cpu_affinity"}},
		{name: "no open-files limit", edit: func(s *ProxySpec) { s.Nofile = 0 }, hasNot: []string{"worker_rlimit_nofile"}},
		{name: "unknown mode", edit: func(s *ProxySpec) { s.Mode = "udp" }, invalid: true},
		{name: "no threads", edit: func(s *ProxySpec) { s.Threads = 0 }, invalid: true},
		{name: "no directory", edit: func(s *ProxySpec) { s.Dir = "" }, invalid: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spec
			if tt.edit != nil {
				tt.edit(&s)
			}
			got, err := NginxProxyConfig(s, tt.module)
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

func TestNginxProxy(t *testing.T) {
	spec := testSpec()
	spec.Dir = "/tmp/perf/nginx"
	with := NginxProxy("/usr/sbin/nginx", NginxStream{Have: true, Module: "/m.so"})
	if !with.Supports(ModeTCP) || !with.Supports(ModeHTTP) || len(with.Pending) != 0 {
		t.Errorf("with the stream module: modes %v, pending %v", with.Modes, with.Pending)
	}
	argv := with.Argv("/tmp/perf/nginx/nginx-tcp.cfg", spec)
	want := []string{"taskset", "-c", "0", "/usr/sbin/nginx", "-p", "/tmp/perf/nginx/", "-c", "/tmp/perf/nginx/nginx-tcp.cfg", "-e", "stderr"}
	if !slices.Equal(argv, want) {
		t.Errorf("argv %q, want %q", argv, want)
	}
	if got := with.Placement(spec); got != "one process (`master_process off`, `worker_processes 1`), every process under `taskset -c 0`" {
		t.Errorf("placement %q", got)
	}
	without := NginxProxy("nginx", NginxStream{Why: "n/a: no stream"})
	if without.Supports(ModeTCP) || !without.Supports(ModeHTTP) || without.Pending[ModeTCP] != "n/a: no stream" {
		t.Errorf("without the stream module: modes %v, pending %v", without.Modes, without.Pending)
	}
}

func TestGoPeers(t *testing.T) {
	spec := testSpec()
	spec.Threads = 2
	tests := []struct {
		p    Proxy
		mode Mode
		want []string
	}{
		{CopyProxy("/bin/copy-proxy"), ModeTCP, []string{"taskset", "-c", "0", "env", "GOMAXPROCS=2", "/bin/copy-proxy",
			"-listen", "127.0.0.1:4000", "-backend", "127.0.0.1:5000", "-threads", "2"}},
		{GnetProxy("/bin/gnet-proxy"), ModeTCP, []string{"taskset", "-c", "0", "env", "GOMAXPROCS=2", "/bin/gnet-proxy",
			"-listen", "127.0.0.1:4000", "-backend", "127.0.0.1:5000", "-loops", "2"}},
		{ReverseProxy("/bin/rp-proxy"), ModeHTTP, []string{"taskset", "-c", "0", "env", "GOMAXPROCS=2", "/bin/rp-proxy",
			"-listen", "127.0.0.1:4000", "-backend", "http://127.0.0.1:5000", "-threads", "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.p.Name, func(t *testing.T) {
			if !slices.Contains(GoPeers, tt.p.Name) {
				t.Errorf("%s is not in GoPeers %q", tt.p.Name, GoPeers)
			}
			if tt.p.Config != nil || !slices.Equal(tt.p.Modes, []Mode{tt.mode}) {
				t.Errorf("config set %v, modes %v", tt.p.Config != nil, tt.p.Modes)
			}
			if got := tt.p.Argv("", spec); !slices.Equal(got, tt.want) {
				t.Errorf("argv %q, want %q", got, tt.want)
			}
			if got := tt.p.Placement(spec); !strings.Contains(got, "GOMAXPROCS=2") || !strings.Contains(got, "`taskset -c 0`") {
				t.Errorf("placement %q", got)
			}
		})
	}
}
