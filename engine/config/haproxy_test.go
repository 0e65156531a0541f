package config

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// haproxyDiffers lists the rows of diagCases (not marked "(hitless)")
// where HAProxy 2.6.12's output is not exactly ours, and why.
var haproxyDiffers = map[string]string{
	"endif args":     "HAProxy aborts the parse after the bad '.endif'",
	"non-terminated": "HAProxy names the last line of the file, hitless the '.if' line",
	"proxy args":     "HAProxy aborts the parse after 'description' without argument",
	"old syntax":     "HAProxy then reports every line of the rejected section",
	"from extra":     "HAProxy then reports every line of the rejected section",
	"log overrides":  "hitless adds its 'not supported yet' warnings",
}

// haproxyBin returns the installed haproxy. The test is skipped when it is
// missing, and fails instead under CI=true.
func haproxyBin(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("haproxy not found: %v", err)
		}
		t.Skip("haproxy not installed")
	}
	return bin
}

// TestParseDiagnosticsHAProxy runs the rows of diagCases that claim to
// reproduce HAProxy through the installed haproxy -c and compares the
// diagnostics. It is skipped when haproxy is missing, unless CI=true.
func TestParseDiagnosticsHAProxy(t *testing.T) {
	bin := haproxyBin(t)
	for _, tt := range diagCases {
		if strings.HasSuffix(tt.name, "(hitless)") {
			continue
		}
		if why := haproxyDiffers[tt.name]; why != "" && os.Getenv("HITLESS_ALL_DIFFS") == "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			got := haproxyCheck(t, bin, tt.cfg)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("haproxy -c says:\n%s\nhitless expects:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

var haproxyLine = regexp.MustCompile(`^\[(ALERT|WARNING|NOTICE)\] +\(\d+\) : (?:config : )?(.*)$`)

// haproxyCheck runs "haproxy -c" on cfg saved as t.cfg and returns its
// alerts and warnings formatted like diagLines.
func haproxyCheck(t *testing.T, bin, cfg string) []string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "t.cfg"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-c", "-f", "t.cfg")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	out, _ := cmd.CombinedOutput()
	var diags []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		m := haproxyLine.FindStringSubmatch(line)
		switch {
		case m == nil && len(diags) > 0 && strings.HasPrefix(line, "  "):
			diags[len(diags)-1] += "\n" + line
		case m == nil,
			strings.HasPrefix(m[2], "haproxy version is"),
			strings.HasPrefix(m[2], "path to executable is"):
		case strings.HasPrefix(m[2], "Error(s) found in configuration file"),
			strings.HasPrefix(m[2], "Fatal errors found in configuration"):
		default:
			diags = append(diags, m[1]+" "+m[2])
		}
	}
	return diags
}
