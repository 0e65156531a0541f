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
	// Setup, when set, writes what the program serves (files) into the
	// spec's Dir before it starts.
	Setup func(s BackendSpec) error
	// Check verifies that whatever listens on addr (the backend, or a proxy
	// in front of it) answers as this backend does.
	Check func(ctx context.Context, addr string) error
}

// StartBackend writes b's configuration into s.Dir, starts it, waits until
// it listens and checks that it answers. On error nothing is left running.
func StartBackend(ctx context.Context, b Backend, s BackendSpec) (*Process, error) {
	if b.Setup != nil {
		if err := b.Setup(s); err != nil {
			return nil, err
		}
	}
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

// Body is a response of a fixed size the nginx backend serves, from a
// file, at Path.
type Body struct {
	Path string // "/1k"; also the file's name under the backend's www directory
	Size int    // bytes
}

// SizedBodies are the larger responses the backend serves beside the
// small one at "/": 1 KiB and 64 KiB.
var SizedBodies = []Body{{Path: "/1k", Size: 1 << 10}, {Path: "/64k", Size: 64 << 10}}

// Content is the body's bytes: lines of 63 letters cycling through the
// alphabet, each ended by '\n', cut at Size. It allocates.
func (b Body) Content() []byte {
	out := make([]byte, b.Size)
	for i := range out {
		if i%64 == 63 {
			out[i] = '\n'
		} else {
			out[i] = 'a' + byte((i/64)%26)
		}
	}
	return out
}

// Nginx is an nginx backend answering "/" with a 200 and body, from
// memory ("return 200"), and each of [SizedBodies] from a file, with one
// single-process worker (master_process off, so that the pid started is
// the one serving and Pdeathsig covers it), no access log, unlimited
// keep-alive requests, five minutes of patience for a connection that
// sends nothing (the idle workloads hold thousands), and every file
// (pid, error log, temporary directories, the bodies) under the spec's
// Dir. body must be printable ASCII or newlines, without '$' (nginx would
// expand it as a variable).
func Nginx(binary, body string) Backend {
	return Backend{
		Name: "nginx",
		Config: func(s BackendSpec) ([]byte, error) {
			quoted, err := nginxQuote(body)
			if err != nil {
				return nil, err
			}
			var files strings.Builder
			for _, b := range SizedBodies {
				fmt.Fprintf(&files, "        location = %s {\n            root %s;\n        }\n", b.Path, filepath.Join(s.Dir, "www"))
			}
			return []byte(fmt.Sprintf(nginxConfig, s.Dir, s.Listen, quoted, files.String())), nil
		},
		Argv: func(cfgPath string, s BackendSpec) []string {
			return s.CPUs.TasksetArgv([]string{binary, "-p", s.Dir + "/", "-c", cfgPath,
				"-e", filepath.Join(s.Dir, "error.log")})
		},
		Setup: func(s BackendSpec) error {
			www := filepath.Join(s.Dir, "www")
			if err := os.MkdirAll(www, 0o755); err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			for _, b := range SizedBodies {
				if err := os.WriteFile(filepath.Join(www, strings.TrimPrefix(b.Path, "/")), b.Content(), 0o644); err != nil {
					return fmt.Errorf("bench: %w", err)
				}
			}
			return nil
		},
		Check: func(ctx context.Context, addr string) error {
			if err := CheckHTTP(ctx, addr, "/", []byte(body)); err != nil {
				return err
			}
			for _, b := range SizedBodies {
				if err := CheckHTTP(ctx, addr, b.Path, b.Content()); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// nginxConfig takes the directory (%[1]s), the listen address, the
// quoted body and the locations of the sized bodies.
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
    client_header_timeout 300s;
    sendfile on;
    open_file_cache max=16 inactive=1h;
    open_file_cache_valid 1h;
    default_type application/octet-stream;
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
%[4]s    }
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
