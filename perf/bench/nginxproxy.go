package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// nginxUpstreamKeepalive is the size of nginx's cache of idle upstream
// connections (per worker) in http mode: more than any generator's
// connections, so that none is closed for want of room and every request
// reuses one, as HAProxy's connection pool and Go's Transport do.
const nginxUpstreamKeepalive = 1024

// NginxStream is what a run knows about nginx's stream module, which
// mode tcp needs.
type NginxStream struct {
	Have   bool   // nginx can load or has the module
	Module string // the dynamic module to load_module; "" when built in
	// Why says, when Have is false, what is missing, for the tables.
	Why string
}

// ParseNginxStream reads "nginx -V" output: a stream module built in
// ("--with-stream" as an argument of its own), or built as a dynamic
// module ("--with-stream=dynamic") found, by exists, in the modules path
// ("--modules-path=", else "<prefix>/modules", else nginx's default
// "/usr/local/nginx/modules"). Debian's nginx 1.22 builds it dynamic and
// ships it in libnginx-mod-stream.
func ParseNginxStream(nginxV string, exists func(path string) bool) NginxStream {
	var dynamic bool
	prefix, modules := "/usr/local/nginx", ""
	for arg := range strings.FieldsSeq(nginxV) {
		arg = strings.Trim(arg, "'")
		switch {
		case arg == "--with-stream":
			return NginxStream{Have: true}
		case arg == "--with-stream=dynamic":
			dynamic = true
		case strings.HasPrefix(arg, "--modules-path="):
			modules = strings.TrimPrefix(arg, "--modules-path=")
		case strings.HasPrefix(arg, "--prefix="):
			prefix = strings.TrimPrefix(arg, "--prefix=")
		}
	}
	if !dynamic {
		return NginxStream{Why: "n/a: this nginx is built without the stream module"}
	}
	if modules == "" {
		modules = filepath.Join(prefix, "modules")
	}
	module := filepath.Join(modules, "ngx_stream_module.so")
	if !exists(module) {
		return NginxStream{Why: "n/a: nginx's stream module " + module + " is not installed (Debian: libnginx-mod-stream)"}
	}
	return NginxStream{Have: true, Module: module}
}

// DetectNginxStream runs "nginx -V" (bounded to 10 s) and reads it with
// ParseNginxStream.
func DetectNginxStream(ctx context.Context, binary string) (NginxStream, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, binary, "-V").CombinedOutput()
	if err != nil {
		return NginxStream{}, fmt.Errorf("bench: %s -V: %w", binary, err)
	}
	return ParseNginxStream(string(out), func(p string) bool {
		_, err := os.Stat(p)
		return err == nil
	}), nil
}

// NginxProxy is nginx as a proxy under test: in mode tcp the stream
// module's proxy_pass, in mode http the http module's proxy_pass to an
// upstream with a pool of keep-alive connections (HTTP/1.1, the client's
// Connection header dropped). Without the stream module, mode tcp is
// pending with stream.Why. It runs in the foreground (daemon off), pinned
// with taskset to the proxy CPUs, its configuration from
// [NginxProxyConfig]; errors go to stderr, which the harness keeps.
func NginxProxy(binary string, stream NginxStream) Proxy {
	p := Proxy{
		Name:  "nginx",
		Modes: []Mode{ModeHTTP},
		Config: func(s ProxySpec) ([]byte, error) {
			return NginxProxyConfig(s, stream.Module)
		},
		Argv: func(cfgPath string, s ProxySpec) []string {
			return s.CPUs.TasksetArgv([]string{binary, "-p", s.Dir + "/", "-c", cfgPath, "-e", "stderr"})
		},
		Placement: func(s ProxySpec) string {
			how := "one process (`master_process off`, `worker_processes 1`)"
			if s.Threads > 1 {
				how = fmt.Sprintf("a master and `worker_processes %d`", s.Threads)
				if len(s.CPUs) > 0 {
					how += ", `worker_cpu_affinity " + nginxAffinity(s.Threads, s.CPUs) + "`"
				}
			}
			return fmt.Sprintf("%s, every process under `taskset -c %s`", how, cpuOrAll(s.CPUs))
		},
	}
	if stream.Have {
		p.Modes = append(p.Modes, ModeTCP)
	} else {
		p.Pending = map[Mode]string{ModeTCP: stream.Why}
	}
	return p
}

// NginxProxyConfig renders s as an nginx configuration, loading
// streamModule first in mode tcp when it is not "". One thread is one
// single-process nginx (master_process off: the started pid does the
// work and Pdeathsig covers it); N threads are a master and N workers
// (worker_processes), one per CPU with worker_cpu_affinity when there are
// as many CPUs as threads. Each worker takes 2 × maxconn + 16 connections
// (nginx counts the client and the server side) and the open-files limit
// s.Nofile. The timeouts are the spec's: connect to the server, and the
// longer of client and server for an idle connection.
func NginxProxyConfig(s ProxySpec, streamModule string) ([]byte, error) {
	switch {
	case s.Mode != ModeTCP && s.Mode != ModeHTTP:
		return nil, fmt.Errorf("bench: nginx configuration: unknown mode %q", s.Mode)
	case s.Threads < 1:
		return nil, fmt.Errorf("bench: nginx configuration: %d threads", s.Threads)
	case s.Maxconn < 1:
		return nil, fmt.Errorf("bench: nginx configuration: maxconn %d", s.Maxconn)
	case s.Listen == "" || s.Server == "" || s.Dir == "":
		return nil, fmt.Errorf("bench: nginx configuration: listen %q, server %q, directory %q", s.Listen, s.Server, s.Dir)
	}
	idle := max(s.TimeoutClient, s.TimeoutServer)
	var b strings.Builder
	b.WriteString("# written by perf/bench: nginx as a proxy under test\n")
	if s.Mode == ModeTCP && streamModule != "" {
		fmt.Fprintf(&b, "load_module %s;\n", streamModule)
	}
	b.WriteString("daemon off;\n")
	if s.Threads == 1 {
		b.WriteString("master_process off;\nworker_processes 1;\n")
	} else {
		fmt.Fprintf(&b, "master_process on;\nworker_processes %d;\n", s.Threads)
		if len(s.CPUs) > 0 {
			b.WriteString("worker_cpu_affinity " + nginxAffinity(s.Threads, s.CPUs) + ";\n")
		}
	}
	if s.Nofile > 0 {
		fmt.Fprintf(&b, "worker_rlimit_nofile %d;\n", s.Nofile)
	}
	fmt.Fprintf(&b, "pid %s;\nerror_log stderr warn;\n\n", filepath.Join(s.Dir, "nginx.pid"))
	fmt.Fprintf(&b, "events {\n    worker_connections %d;\n}\n\n", 2*s.Maxconn+16)
	if s.Mode == ModeTCP {
		b.WriteString("stream {\n")
		b.WriteString("    server {\n")
		fmt.Fprintf(&b, "        listen %s;\n", s.Listen)
		fmt.Fprintf(&b, "        proxy_pass %s;\n", s.Server)
		fmt.Fprintf(&b, "        proxy_connect_timeout %s;\n", nginxDuration(s.TimeoutConnect))
		fmt.Fprintf(&b, "        proxy_timeout %s;\n", nginxDuration(idle))
		b.WriteString("    }\n}\n")
		return []byte(b.String()), nil
	}
	b.WriteString("http {\n")
	b.WriteString("    access_log off;\n")
	b.WriteString("    keepalive_requests 1000000000;\n")
	fmt.Fprintf(&b, "    keepalive_timeout %s;\n", nginxDuration(s.TimeoutClient))
	fmt.Fprintf(&b, "    client_header_timeout %s;\n", nginxDuration(s.TimeoutClient))
	for _, t := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		fmt.Fprintf(&b, "    %s_temp_path %s;\n", t, filepath.Join(s.Dir, t))
	}
	b.WriteString("\n    upstream be {\n")
	fmt.Fprintf(&b, "        server %s;\n", s.Server)
	fmt.Fprintf(&b, "        keepalive %d;\n", nginxUpstreamKeepalive)
	b.WriteString("        keepalive_requests 1000000000;\n")
	fmt.Fprintf(&b, "        keepalive_timeout %s;\n", nginxDuration(s.TimeoutServer))
	b.WriteString("    }\n\n")
	b.WriteString("    server {\n")
	fmt.Fprintf(&b, "        listen %s;\n", s.Listen)
	b.WriteString("        location / {\n")
	b.WriteString("            proxy_pass http://be;\n")
	b.WriteString("            proxy_http_version 1.1;\n")
	b.WriteString("            proxy_set_header Connection \"\";\n")
	fmt.Fprintf(&b, "            proxy_connect_timeout %s;\n", nginxDuration(s.TimeoutConnect))
	fmt.Fprintf(&b, "            proxy_read_timeout %s;\n", nginxDuration(s.TimeoutServer))
	fmt.Fprintf(&b, "            proxy_send_timeout %s;\n", nginxDuration(s.TimeoutServer))
	b.WriteString("            # 128 KiB of buffers hold a 64 KiB answer; never a temporary file\n")
	b.WriteString("            proxy_buffers 16 8k;\n")
	b.WriteString("            proxy_max_temp_file_size 0;\n")
	b.WriteString("        }\n    }\n}\n")
	return []byte(b.String()), nil
}

// nginxAffinity is the worker_cpu_affinity argument for threads workers
// on cpus: one CPU each ("01 10") when there are as many CPUs as
// workers, otherwise one mask of every CPU, which nginx applies to all.
func nginxAffinity(threads int, cpus CPUSet) string {
	mask := func(set ...int) string {
		top := 0
		for _, c := range set {
			top = max(top, c)
		}
		bits := []byte(strings.Repeat("0", top+1))
		for _, c := range set {
			bits[top-c] = '1'
		}
		return string(bits)
	}
	if len(cpus) != threads {
		return mask(cpus...)
	}
	masks := make([]string, len(cpus))
	for i, c := range cpus {
		masks[i] = mask(c)
	}
	return strings.Join(masks, " ")
}

// nginxDuration writes d in seconds when whole, else in milliseconds.
func nginxDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}
