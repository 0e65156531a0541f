package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes Parse panic, that failures are
// reported as *Error with at least one alert, and that an accepted
// configuration respects the invariants the engine relies on.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"user-mysql.cfg", "all-keywords.cfg"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("global\n  description \"a\"b'c' \\x41 \"${X-d}\" '${X}' ${Y[*]}\n.if defined(X) && !(0)\n.endif\n"))
	env := envOf(map[string]string{"X": "1", "Y": "a b", "FD": "3"})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.cfg", data, Options{LookupEnv: env})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not *Error", err, err)
			}
			if c != nil {
				t.Fatal("config returned with an error")
			}
			alerts := 0
			for _, d := range e.Diags {
				if d.Sev == SevAlert {
					alerts++
				}
			}
			if alerts == 0 {
				t.Fatal("*Error without alert")
			}
			_ = e.Error()
			return
		}
		for _, d := range c.Warnings {
			if d.Sev != SevWarning {
				t.Fatalf("warning with severity %v", d.Sev)
			}
		}
		ids := map[int]bool{}
		for _, px := range c.Proxies {
			if px.ID <= 0 || ids[px.ID] {
				t.Fatalf("proxy %q has id %d", px.Name, px.ID)
			}
			ids[px.ID] = true
			if px.Cap == 0 || px.Mode != ModeTCP || px.Options == nil {
				t.Fatalf("proxy %q: %+v", px.Name, px)
			}
			sids := map[int]bool{}
			names := map[string]bool{}
			for _, s := range px.Servers {
				if s.ID <= 0 || sids[s.ID] || names[s.Name] {
					t.Fatalf("server %s/%s id %d", px.Name, s.Name, s.ID)
				}
				sids[s.ID], names[s.Name] = true, true
				if s.Weight < 0 || s.Weight > 256 || s.Port < 0 || s.Port > 65535 {
					t.Fatalf("server %s/%s: %+v", px.Name, s.Name, s)
				}
			}
			for _, b := range px.Binds {
				if b.PortFirst > b.PortLast || b.PortLast > 65535 {
					t.Fatalf("bind %+v", b)
				}
			}
		}
		for _, m := range c.Global.CPUMaps {
			if m.ThreadFirst < 1 || m.ThreadLast > MaxThreads || m.ThreadFirst > m.ThreadLast || len(m.CPUs) == 0 {
				t.Fatalf("cpu-map %+v", m)
			}
		}
	})
}

// FuzzEvalCond checks that no expression makes EvalCond panic and that
// every error wraps ErrCondSyntax.
func FuzzEvalCond(f *testing.F) {
	for _, c := range condCases {
		f.Add(c.expr)
	}
	opts := condTestOptions()
	f.Fuzz(func(t *testing.T, expr string) {
		_, err := EvalCond(expr, opts)
		if err != nil && !errors.Is(err, ErrCondSyntax) {
			t.Fatalf("EvalCond(%q): error %v does not wrap ErrCondSyntax", expr, err)
		}
	})
}
