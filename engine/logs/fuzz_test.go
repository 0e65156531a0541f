package logs

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// mergeSpaces is what a format without '%' prints: each run of spaces
// becomes one, leading spaces disappear.
func mergeSpaces(s string) string {
	var b strings.Builder
	sep := true
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if !sep {
				b.WriteByte(' ')
				sep = true
			}
			continue
		}
		b.WriteByte(s[i])
		sep = false
	}
	return b.String()
}

// FuzzCompile compiles arbitrary formats: errors are of a known kind,
// mode tcp accepts a subset of mode http, rendering is deterministic and
// literal text comes out as written.
func FuzzCompile(f *testing.F) {
	for _, seed := range []string{
		HTTPLog, TCPLog, CLFHTTPLog, DefaultLog, "", "  a   b  ", "%%", "x%%y%.z%-w",
		"%{+Q,+E,+X,-M}o %ci %{-Q}r %[src] %{+Q}[src,lower]", "% x", "%1", "%{+Q", "%{+Q}", "%{}ci",
		"%zz", "%HPO%HQ%HV%tsc%hrl%hsl", "%{Q+X}cp %{+Q-Q}f", "%", "%{", "%[", "a%{b}}c",
	} {
		f.Add(seed)
	}
	fl := testFields()
	f.Fuzz(func(t *testing.T, format string) {
		fm, err := Compile(format)
		tcp, tcpErr := CompileTCP(format)
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrSampleExpr) {
				t.Fatalf("%q: error of no known kind: %v", format, err)
			}
			if tcpErr == nil {
				t.Fatalf("%q: mode tcp accepts what mode http refuses: %v", format, err)
			}
			return
		}
		if tcpErr != nil && !strings.Contains(tcpErr.Error(), "reserved for HTTP mode") {
			t.Fatalf("%q: mode tcp refuses with %v", format, tcpErr)
		}
		out := fm.Append(nil, fl)
		if again := fm.Append(make([]byte, 0, len(out)), fl); !bytes.Equal(out, again) {
			t.Fatalf("%q: two renderings differ: %q, %q", format, out, again)
		}
		if tcp != nil && tcpErr == nil {
			if tout := tcp.Append(nil, fl); !bytes.Equal(out, tout) {
				t.Fatalf("%q: modes render differently: %q, %q", format, out, tout)
			}
		}
		if !strings.Contains(format, "%") {
			if want := mergeSpaces(format); string(out) != want {
				t.Fatalf("%q: text printed as %q, want %q", format, out, want)
			}
		}
		if bytes.Contains(out, []byte("  ")) && !strings.Contains(format, "%") {
			t.Fatalf("%q: two spaces in %q", format, out)
		}
	})
}

// FuzzAppend renders arbitrary request lines, captures and names through
// every variable: no panic, and what HAProxy encodes never comes out raw.
func FuzzAppend(f *testing.F) {
	for _, seed := range [][3]string{
		{"GET /p?q HTTP/1.1", "ua", "fe"},
		{"GET http://u:p@h:80/x?y HTTP/1.0", "a|b{c}", `a"b\c]`},
		{"GARBAGE", "", ""},
		{"\x00\x7f\xff \t?#\"", "\r\n", "\x01"},
		{"CONNECT h:443 HTTP/1.1", "#", "<NOSRV>"},
		{"GET  /two  spaces  HTTP/1.1", "x", "y"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	var parts []string
	for name := range variables {
		parts = append(parts, "%"+name, "%{+Q,+E,+X}"+name, "%{-M}"+name)
	}
	all, err := Compile(strings.Join(parts, " "))
	if err != nil {
		f.Fatal(err)
	}
	encoded, err := Compile("%r%HM%HU%HP%HPO%HQ%HV%hr%hs%hrl%hsl")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, line, capture, name string) {
		fl := testFields()
		fl.ReqLine = []byte(line)
		fl.ReqCaptures = [][]byte{[]byte(capture), nil, []byte(line)}
		fl.ResCaptures = [][]byte{[]byte(name)}
		fl.Frontend, fl.Backend, fl.Server, fl.UniqueID = name, name, name, []byte(capture)
		all.Append(nil, fl)
		out := encoded.Append(nil, fl)
		for _, c := range out {
			if c < 32 || c >= 127 || c == '"' {
				t.Fatalf("raw byte %#x in %q", c, out)
			}
		}
		fl.ReqLine = nil
		fl.Method, fl.URI, fl.Version = []byte(name), []byte(line), []byte(capture)
		all.Append(nil, fl)
		if out := encoded.Append(nil, fl); bytes.ContainsAny(out, "\"\x00\n\r") {
			t.Fatalf("raw byte in %q", out)
		}
	})
}

// FuzzParseAddr parses arbitrary "log" addresses without touching the
// network: no panic, and an accepted address is usable.
func FuzzParseAddr(f *testing.F) {
	for _, seed := range []string{
		"127.0.0.1", "127.0.0.1:514", "udp@h:1", "ipv6@::1:600", "[::1]:6", "[::1", "/dev/log",
		"unix@/x", "fd@3", "fd@-1", "stdout", "stderr", "tcp@h:1", "", "@", ":", "a:99999",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		p, err := parseAddr(addr)
		if (err == nil) != (CheckAddr(addr) == nil) {
			t.Fatalf("%q: parseAddr and CheckAddr disagree", addr)
		}
		if err != nil {
			if !errors.Is(err, ErrTarget) {
				t.Fatalf("%q: %v does not wrap ErrTarget", addr, err)
			}
			return
		}
		switch p.kind {
		case addrUDP:
			if p.port < 1 || p.port > 65535 || p.host == "" {
				t.Fatalf("%q: %+v", addr, p)
			}
		case addrUnix:
			if p.path == "" {
				t.Fatalf("%q: %+v", addr, p)
			}
		case addrFD:
			if p.fd < 0 {
				t.Fatalf("%q: %+v", addr, p)
			}
		}
	})
}
