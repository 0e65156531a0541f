package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("20-b.cfg", "global\n  maxconn 20\n")
	write("10-a.cfg", "global\n  maxconn 10\n  nbthread 2\n")
	write(".30-hidden.cfg", "global\n  maxconn 30\n")
	write("40-c.txt", "global\n  maxconn 40\n")
	write("B-upper.cfg", "global\n  node upper\n")
	if err := os.Mkdir(filepath.Join(dir, "50-dir.cfg"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "50-dir.cfg", "x.cfg"), []byte("global\n  maxconn 50\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "40-c.txt"), filepath.Join(dir, "60-link.cfg")); err != nil {
		t.Fatal(err)
	}
	extra := filepath.Join(t.TempDir(), "extra.cfg")
	if err := os.WriteFile(extra, []byte("defaults\n  timeout client 1s\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	c, err := Load([]string{dir, extra}, Options{LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(dir, "10-a.cfg"), filepath.Join(dir, "20-b.cfg"),
		filepath.Join(dir, "60-link.cfg"), filepath.Join(dir, "B-upper.cfg"), extra,
	}
	if !reflect.DeepEqual(c.Files, want) {
		t.Errorf("files = %q, want %q", c.Files, want)
	}
	// The symbolic link is read last among the numbered files.
	if c.Global.Maxconn != 40 || c.Global.Nbthread != 2 || c.Global.Node != "upper" {
		t.Errorf("global = %+v", c.Global)
	}

	_, err = Load([]string{filepath.Join(dir, "missing.cfg")}, Options{})
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.cfg") {
		t.Errorf("missing file: %v", err)
	}
	write("bad.cfg", "global\n  foo\n")
	_, err = Load([]string{filepath.Join(dir, "bad.cfg")}, Options{})
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "bad.cfg:2") {
		t.Errorf("bad file: %v", err)
	}
}
