package queue

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// spinModel is the Promela model of the enqueue / dequeue / redistribute
// protocol; model/README.md says what it covers.
const spinModel = "model/queue.pml"

// spinCheck is one verification run of spinModel.
type spinCheck struct {
	name    string
	defines []string // spin -D options: the configuration (see queue.pml)
	np      bool     // non-progress cycles (-DNP, pan -l) instead of safety
	fair    bool     // pan -f: weak fairness (only cycles every process takes part in)
	reached bool     // also require every statement of Client and Admin to be reached
	// want is empty for the real protocol, which must verify; for a
	// mutant it matches the error spin must find.
	want string
}

// spinChecks cover the protocol in small configurations (1 or 2 servers
// with maxconn 1, 2 or 3 reactors, 2 or 3 clients, an admin cycling
// disable / shutdown sessions / enable) and prove with the mutants that
// each kind of check can fail. The longest runs come first: they start
// first when the subtests run in parallel.
var spinChecks = []spinCheck{
	{name: "np/2srv-2shards-3clients", defines: []string{"NS=2"}, np: true},
	{name: "np/1srv-2shards-3clients", np: true},
	{name: "safety/2srv-2shards-3clients", defines: []string{"NS=2"}},
	{name: "safety/1srv-2shards-3clients", reached: true},
	{name: "safety/1srv-3shards-3clients", defines: []string{"NR=3"}},
	{name: "safety/qlen-late", defines: []string{"QLEN_LATE=1"}},
	{name: "safety/fifo-no-double-bypass", defines: []string{"NC=2", "NREQ=2", "BYPASS=2"}},
	{name: "np/2clients-2requests-2rounds", defines: []string{"NC=2", "NREQ=2", "NROUNDS=2"}, np: true},
	{name: "safety/2clients-2requests-2rounds", defines: []string{"NC=2", "NREQ=2", "NROUNDS=2"}},
	{name: "mutant1/no-drain-after-push", defines: []string{"MUTANT=1"}, want: `invalid end state`},
	{name: "mutant2/no-flush", defines: []string{"MUTANT=2"}, want: `invalid end state`},
	{name: "mutant3/haproxy-retry-loop", defines: []string{"MUTANT=3"}, np: true, fair: true, want: `non-progress cycle`},
	{name: "mutant4/drain-bound-drops-request", defines: []string{"MUTANT=4"}, want: `invalid end state|assertion violated`},
	{name: "mutant5/no-fifo-bypassed", defines: []string{"FIFO=0", "NC=2", "NREQ=2", "BYPASS=2"}, want: `assertion violated`},
}

// TestSpinQueueModel model-checks the queue protocol with spin: no
// deadlock and no lost entry (assertions, invalid end states), no
// livelock (non-progress cycles). Every mutant must fail. It needs spin
// and gcc; without them it skips, unless CI is set.
func TestSpinQueueModel(t *testing.T) {
	if raceBuild {
		// The check runs spin and gcc, not Go code: the race detector
		// has nothing to watch, and make test already ran it.
		t.Skip("model check: not repeated under the race detector")
	}
	spin := spinTool(t, "spin")
	gcc := spinTool(t, "gcc")
	model, err := os.ReadFile(spinModel)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range spinChecks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runSpinCheck(t, spin, gcc, model, c)
		})
	}
}

// spinTool returns the path of a tool the check needs, or skips the test
// (fails it when CI is set) if it is missing.
func spinTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := name + " not installed: run make deps"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

var (
	panErrors  = regexp.MustCompile(`depth reached (\d+), errors: (\d+)`)
	panStates  = regexp.MustCompile(`(\d+) states, stored`)
	panElapsed = regexp.MustCompile(`pan: elapsed time ([0-9.e+]+) seconds`)
	// panIncomplete: the search did not cover the whole state space.
	panIncomplete = regexp.MustCompile(`max search depth too small|reached -DMEMLIM bound|out of memory`)
	// panFound: the first error, "pan:1: invalid end state (at depth 87)".
	panFound = regexp.MustCompile(`(?m)^pan:\d+: (.+) \(at depth \d+\)`)
	// trailStep: a step of a process in a replayed trail.
	trailStep    = regexp.MustCompile(`^\s*\d+:\s+proc\s`)
	panUnreached = regexp.MustCompile(`unreached in proctype (Client|Admin)\n(?:\t.*\n)*?\t\((\d+) of \d+ states\)`)
)

// runSpinCheck generates the verifier for c, compiles it, runs it and
// judges its output.
func runSpinCheck(t *testing.T, spin, gcc string, model []byte, c spinCheck) {
	start := time.Now()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "queue.pml"), model, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		// pan exits 0 even when it finds errors; a failure here means
		// the tool itself failed.
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, tail(out, 40))
		}
		return string(out)
	}

	var defs []string
	for _, d := range c.defines {
		defs = append(defs, "-D"+d)
	}
	spinArgs := append(append([]string{}, defs...), "-a", "queue.pml")
	mode, panArgs := "-DSAFETY", []string{"-m100000"}
	if c.np {
		mode = "-DNP"
		panArgs = append(panArgs, "-l")
	}
	if c.fair {
		panArgs = append(panArgs, "-f")
	}
	opt := "-O2"
	if c.want != "" {
		opt = "-O0" // a mutant fails within a few hundred states: compile fast
	}
	gccArgs := []string{opt, "-w", mode, "-DMEMLIM=2048", "-o", "pan", "pan.c"}
	run(spin, spinArgs...)
	run(gcc, gccArgs...)
	out := run(filepath.Join(dir, "pan"), panArgs...)

	m := panErrors.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no verdict in pan output:\n%s", tail([]byte(out), 40))
	}
	depth, errs := m[1], m[2]
	states, elapsed := "?", "?"
	if s := panStates.FindStringSubmatch(out); s != nil {
		states = s[1]
	}
	if s := panElapsed.FindStringSubmatch(out); s != nil {
		elapsed = s[1]
	}
	t.Logf("%s states stored, depth %s, errors %s; pan %ss, %.1fs with spin and gcc",
		states, depth, errs, elapsed, time.Since(start).Seconds())
	t.Logf("spin %s; gcc %s; ./pan %s",
		strings.Join(spinArgs, " "), strings.Join(gccArgs, " "), strings.Join(panArgs, " "))

	found := ""
	if f := panFound.FindStringSubmatch(out); f != nil {
		found = f[1]
	}
	if c.want != "" {
		// A mutant: spin must find the violation it was built to show.
		if errs == "0" || !regexp.MustCompile(c.want).MatchString(found) {
			t.Fatalf("spin found no %q in the mutant (errors %s, found %q):\n%s", c.want, errs, found, tail([]byte(out), 30))
		}
		t.Logf("counterexample (%s):\n%s", found, spinTrail(ctx, t, spin, dir, defs))
		return
	}
	if errs != "0" || found != "" {
		t.Fatalf("spin found a %s:\n%s\n%s", found, spinTrail(ctx, t, spin, dir, defs), tail([]byte(out), 20))
	}
	if s := panIncomplete.FindString(out); s != "" {
		t.Fatalf("search incomplete (%s):\n%s", s, tail([]byte(out), 20))
	}
	if c.reached {
		// A statement never reached is a part of the protocol the
		// configuration does not exercise: the check would be vacuous.
		for _, u := range panUnreached.FindAllStringSubmatch(out, -1) {
			if u[2] != "0" {
				t.Errorf("%s statements of %s never reached:\n%s", u[2], u[1], u[0])
			}
		}
	}
}

// spinTrail replays the error trail left in dir and returns its summary:
// the printf events of the model, the error, and the final values of the
// globals.
func spinTrail(ctx context.Context, t *testing.T, spin, dir string, defs []string) string {
	t.Helper()
	args := append(append([]string{}, defs...), "-t", "queue.pml")
	cmd := exec.CommandContext(ctx, spin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Sprintf("spin -t: %v\n%s", err, tail(out, 40))
	}
	var b strings.Builder
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.TrimSpace(line) == "",
			strings.Contains(line, "processes created"),
			strings.HasPrefix(line, "spin: warning"),
			strings.Contains(line, "couldn't find claim"),
			trailStep.MatchString(line):
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// tail returns the last n lines of out.
func tail(out []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(out, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
