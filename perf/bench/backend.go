package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// BackendSpec is where and how one backend instance runs.
type BackendSpec struct {
	Listen string // "127.0.0.1:port"
	CPUs   CPUSet // taskset CPUs; empty: not pinned
	Dir    string // private, existing directory for its configuration, pid and temporary files
}

// Backend describes a server program that workloads reach directly or
// through a proxy. A new kind of backend (an iperf3 server for bulk
// transfers, a server with a large body) is a new Backend value.
type Backend struct {
	Name string
	// Config renders the configuration file; nil when the program takes
	// none.
	Config func(s BackendSpec) ([]byte, error)
	// Argv is the command line; cfgPath is where Config's output was
	// written ("" without Config). The pid it starts is the server's.
	Argv func(cfgPath string, s BackendSpec) []string
	// Check verifies that whatever listens on addr (the backend, or a proxy
	// in front of it) answers as this backend does.
	Check func(ctx context.Context, addr string) error
}

// StartBackend writes b's configuration into s.Dir, starts it, waits until
// it listens and checks that it answers. On error nothing is left running.
func StartBackend(ctx context.Context, b Backend, s BackendSpec) (*Process, error) {
	cfgPath := ""
	if b.Config != nil {
		text, err := b.Config(s)
		if err != nil {
			return nil, err
		}
		cfgPath = filepath.Join(s.Dir, b.Name+".conf")
		if err := os.WriteFile(cfgPath, text, 0o644); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	p, err := StartProcess(b.Name, b.Argv(cfgPath, s), s.Dir)
	if err != nil {
		return nil, err
	}
	if err := WaitListening(ctx, s.Listen, p); err != nil {
		_ = p.Stop()
		return nil, err
	}
	if err := b.Check(ctx, s.Listen); err != nil {
		_ = p.Stop()
		return nil, fmt.Errorf("bench: backend %s started but does not answer: %w", b.Name, err)
	}
	return p, nil
}

// Nginx is an nginx backend answering every request with a 200 and body,
// from memory ("return 200"), with one single-process worker
// (master_process off, so that the pid started is the one serving and
// Pdeathsig covers it), no access log, unlimited keep-alive requests, and
// every file (pid, error log, temporary directories) under the spec's Dir.
// body must be printable ASCII or newlines, without '$' (nginx would
// expand it as a variable).
func Nginx(binary, body string) Backend {
	return Backend{
		Name: "nginx",
		Config: func(s BackendSpec) ([]byte, error) {
			quoted, err := nginxQuote(body)
			if err != nil {
				return nil, err
			}
			return []byte(fmt.Sprintf(nginxConfig, s.Dir, s.Listen, quoted)), nil
		},
		Argv: func(cfgPath string, s BackendSpec) []string {
			return s.CPUs.TasksetArgv([]string{binary, "-p", s.Dir + "/", "-c", cfgPath,
				"-e", filepath.Join(s.Dir, "error.log")})
		},
		Check: func(ctx context.Context, addr string) error {
			return CheckHTTP(ctx, addr, body)
		},
	}
}

// nginxConfig takes the directory (%[1]s), the listen address and the
// quoted body.
const nginxConfig = `# written by perf/bench: the backend every benchmark target forwards to
daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;

events {
    worker_connections 16384;
}

http {
    access_log off;
    keepalive_requests 1000000000;
    keepalive_timeout 300s;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;

    server {
        listen %[2]s;
        location / {
            default_type text/plain;
            return 200 %[3]s;
        }
    }
}
`

// nginxQuote renders s as an nginx double-quoted string.
func nginxQuote(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range []byte(s) {
		switch {
		case c == '\n':
			b.WriteString(`\n`)
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '$' || c < 0x20 || c > 0x7e:
			return "", fmt.Errorf("bench: nginx body may not hold byte %q", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}
