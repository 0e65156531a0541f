package hitless_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "hitless"

// leaves import nothing from the project (DESIGN.md section 7).
var leaves = []string{"poller", "lb", "queue", "stick", "affinity"}

// restricted standard packages, with the only directories allowed to use
// them in non-test code, and the reason.
var restricted = map[string]struct {
	allowed []string
	why     string
}{
	"unsafe":   {[]string{"poller", "engine/h1"}, "kernel-visible memory and raw system calls live in poller"},
	"net/http": {[]string{"perf", "fuzz"}, "the proxy never uses net/http on its paths"},
	"testing":  {nil, "test code only"},
	// gnet is the Go event-loop baseline the benchmarks compare against.
	"github.com/panjf2000/gnet/v2": {[]string{"perf"}, "gnet is a benchmark peer, never part of the proxy"},
}

// restrictedKey maps an import path to its entry in restricted (module
// subpackages share their module's entry).
func restrictedKey(imp string) string {
	if strings.HasPrefix(imp, "github.com/panjf2000/gnet/v2/") {
		return "github.com/panjf2000/gnet/v2"
	}
	return imp
}

type goFile struct {
	dir     string // package directory relative to the module root
	path    string
	test    bool
	imports []string
}

func moduleFiles(t *testing.T) []goFile {
	t.Helper()
	var out []goFile
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		gf := goFile{dir: filepath.ToSlash(filepath.Dir(path)), path: path, test: strings.HasSuffix(path, "_test.go")}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			gf.imports = append(gf.imports, p)
		}
		out = append(out, gf)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func under(dir, root string) bool { return dir == root || strings.HasPrefix(dir, root+"/") }

func isProduct(dir string) bool { return !under(dir, "perf") && !under(dir, "fuzz") && dir != "." }

// TestDependencyDirection enforces the package map: leaves import nothing
// from the project, engine subpackages never import the engine, product
// code never imports perf or fuzz, and restricted standard packages stay
// where they belong.
func TestDependencyDirection(t *testing.T) {
	files := moduleFiles(t)
	if len(files) == 0 {
		t.Fatal("no Go files found: the test must run from the module root")
	}
	for _, f := range files {
		for _, imp := range f.imports {
			internal := imp == module || strings.HasPrefix(imp, module+"/")
			rel := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
			for _, leaf := range leaves {
				if under(f.dir, leaf) && internal && !f.test {
					t.Errorf("%s: leaf package %s imports %s", f.path, leaf, imp)
				}
			}
			if internal && isProduct(f.dir) && !f.test && (under(rel, "perf") || under(rel, "fuzz")) {
				t.Errorf("%s: product code imports %s", f.path, imp)
			}
			if internal && under(f.dir, "engine") && f.dir != "engine" && rel == "engine" {
				t.Errorf("%s: engine subpackage imports the engine (pass interfaces down instead)", f.path)
			}
			if r, ok := restricted[restrictedKey(imp)]; ok && !f.test {
				allowed := false
				for _, a := range r.allowed {
					if under(f.dir, a) {
						allowed = true
					}
				}
				if !allowed {
					t.Errorf("%s imports %s: %s", f.path, imp, r.why)
				}
			}
		}
	}
}

// TestPackagesHaveDoc checks that every package directory has a doc.go
// with a package comment, where its invariants are written.
func TestPackagesHaveDoc(t *testing.T) {
	dirs := map[string]bool{}
	for _, f := range moduleFiles(t) {
		if !f.test && f.dir != "." && !under(f.dir, "perf/cmd") && !under(f.dir, "cmd") {
			dirs[f.dir] = true
		}
	}
	for dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "doc.go"))
		if err != nil {
			t.Errorf("package %s has no doc.go", dir)
			continue
		}
		if !strings.Contains(string(b), "// Package ") {
			t.Errorf("%s/doc.go has no package comment", dir)
		}
	}
}
