package queue

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
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
	// reach names a group of safety runs of the same code (the same
	// defines but for NC, NH, NREQ, NROUNDS) that must together reach
	// every statement of Client and Admin; a group may be a single run.
	// A statement no run reaches is a part of the protocol the
	// configurations do not exercise: the check would be vacuous there.
	reach string
	// want is empty for the real protocol, which must verify; for a
	// mutant it matches the error spin must find.
	want string
	// long: a search of millions of states, whose verifier is worth
	// compiling with -O2. pan.c of this model compiles in about 1 s at
	// -O0 and 2 to 5 s at -O2, and runs about 1.7 times faster at -O2:
	// only runs of more than a few seconds gain.
	long bool
}

// sqFixes are the three fixes the model found for the server queues; the
// engine has them (and they are the model's defaults), the sqbug checks
// turn one off each.
var sqFixes = []string{"GIVEBACK=1", "FLUSH_BOUND=1", "SQFULL=1"}

// sq returns the defines of a server-queue configuration: SQ=1, each fix
// that defs does not set, then defs.
func sq(defs ...string) []string {
	out := []string{"SQ=1"}
	for _, f := range sqFixes {
		name, _, _ := strings.Cut(f, "=")
		if !slices.ContainsFunc(defs, func(d string) bool { return strings.HasPrefix(d, name+"=") }) {
			out = append(out, f)
		}
	}
	return append(out, defs...)
}

// spinChecks cover the protocol in small configurations (1 or 2 servers
// with maxconn 1, 2 or 3 reactors, 2 or 3 clients, an admin cycling
// disable / shutdown sessions / enable), the server queues (sq: 1 or 2
// servers, 2 clients, one or both hash-balanced) with the proposed fixes,
// and prove with the mutants that each kind of check can fail. The sqbug
// checks are the server queues as implemented: each lacks one fix and
// must fail (once the engine has the fix, it becomes a mutant). The
// longest runs come first: they start first when the subtests run in
// parallel.
var spinChecks = []spinCheck{
	{name: "np/2srv-2shards-3clients", defines: []string{"NS=2"}, np: true, long: true},
	{name: "np/1srv-2shards-3clients", np: true, long: true},
	{name: "np/sq-1srv-hashed+plain-2requests", defines: sq("NC=2", "NREQ=2"), np: true, long: true},
	{name: "safety/sq-1srv-hashed+plain-2rounds", defines: sq("NC=2", "NREQ=2", "NROUNDS=2"), reach: "sq"},
	{name: "safety/2srv-2shards-3clients", defines: []string{"NS=2"}},
	{name: "safety/sq-1srv-2hashed", defines: sq("NC=2", "NH=2", "NREQ=2"), reach: "sq"},
	{name: "safety/1srv-2shards-3clients", reach: "base"},
	{name: "safety/1srv-3shards-3clients", defines: []string{"NR=3"}},
	{name: "safety/sq-2srv-hashed+plain", defines: sq("NS=2", "NC=2", "NREQ=2")},
	{name: "safety/qlen-late", defines: []string{"QLEN_LATE=1"}},
	{name: "safety/fifo-no-double-bypass", defines: []string{"NC=2", "NREQ=2", "BYPASS=2"}},
	{name: "np/2clients-2requests-2rounds", defines: []string{"NC=2", "NREQ=2", "NROUNDS=2"}, np: true},
	{name: "safety/2clients-2requests-2rounds", defines: []string{"NC=2", "NREQ=2", "NROUNDS=2"}},
	{name: "safety/sq-maxqueue", defines: sq("NC=2", "NH=2", "NREQ=2", "NROUNDS=0", "MAXQ=1")},
	{name: "safety/sq-no-double-bypass", defines: sq("NC=2", "NREQ=3", "NROUNDS=0", "TIMEOUTS=0", "BYPASS=2")},
	{name: "mutant1/no-drain-after-push", defines: []string{"MUTANT=1"}, want: `invalid end state`},
	{name: "mutant2/no-flush", defines: []string{"MUTANT=2"}, want: `invalid end state`},
	{name: "mutant3/haproxy-retry-loop", defines: []string{"MUTANT=3"}, np: true, fair: true, want: `non-progress cycle`},
	{name: "mutant4/drain-bound-drops-request", defines: []string{"MUTANT=4"}, want: `invalid end state|assertion violated`},
	{name: "mutant5/no-fifo-bypassed", defines: []string{"FIFO=0", "NC=2", "NREQ=2", "BYPASS=2"}, want: `assertion violated`},
	{name: "mutant6/sq-release-no-drainserver", defines: sq("NC=2", "MUTANT=6"), want: `invalid end state`},
	{name: "mutant7/sq-disable-no-requeue", defines: sq("NC=2", "MUTANT=7"), want: `invalid end state`},
	{name: "sqbug1/giveback-loses-wakeup", defines: sq("GIVEBACK=0", "NC=2", "NREQ=2"), want: `invalid end state`},
	{name: "sqbug2/flush-unbounded", defines: sq("FLUSH_BOUND=0", "NC=2", "NH=2", "NREQ=2", "TIMEOUTS=0"), want: `assertion violated`},
	{name: "sqbug3/plain-bypasses-server-queue", defines: sq("SQFULL=0", "NC=2", "NREQ=3", "NROUNDS=0", "TIMEOUTS=0", "BYPASS=2"), want: `assertion violated`},
}

// TestSpinQueueModel model-checks the queue protocol with spin: no
// deadlock and no lost entry (assertions, invalid end states), no
// livelock (non-progress cycles). Every mutant and sqbug check must fail.
// It needs spin and gcc; without them it skips, unless CI is set.
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
	reach := &reachGroups{runs: map[string]int{}, left: map[string]map[string]bool{}}
	// Cleanup runs once every parallel subtest has ended.
	t.Cleanup(func() { reach.check(t, spinChecks) })
	for _, c := range spinChecks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runSpinCheck(t, spin, gcc, model, c, reach)
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
	trailStep = regexp.MustCompile(`^\s*\d+:\s+proc\s`)
)

// runSpinCheck generates the verifier for c, compiles it, runs it and
// judges its output.
func runSpinCheck(t *testing.T, spin, gcc string, model []byte, c spinCheck, reach *reachGroups) {
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
	opt := "-O0"
	if c.long {
		opt = "-O2"
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
	if c.reach != "" {
		reach.report(c.reach, unreachedStatements(out))
	}
}

// unreachedStatements returns the statements of Client and Admin that pan
// lists as never reached, each as `Client: queue.pml:271, state 19, "res = 3"`.
func unreachedStatements(out string) []string {
	var proc string
	var list []string
	for _, line := range strings.Split(out, "\n") {
		if p, ok := strings.CutPrefix(line, "unreached in "); ok {
			proc = strings.TrimPrefix(p, "proctype ")
			continue
		}
		if (proc == "Client" || proc == "Admin") && strings.HasPrefix(line, "\tqueue.pml:") {
			list = append(list, proc+": "+strings.TrimSpace(line))
		}
	}
	return list
}

// reachGroups gathers, for each reach group, the statements that no run
// of the group reached so far. Safe for concurrent use.
type reachGroups struct {
	mu   sync.Mutex
	runs map[string]int             // runs of the group that reported
	left map[string]map[string]bool // statements none of them reached
}

// report records the statements one run of group left unreached.
func (g *reachGroups) report(group string, unreached []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	set := make(map[string]bool, len(unreached))
	for _, u := range unreached {
		set[u] = true
	}
	if g.runs[group] == 0 {
		g.left[group] = set
	} else {
		for u := range g.left[group] {
			if !set[u] {
				delete(g.left[group], u)
			}
		}
	}
	g.runs[group]++
}

// check fails t for each group of checks whose runs all reported and
// together left a statement unreached. A group with a run that failed,
// or was not selected by -run, is not judged.
func (g *reachGroups) check(t *testing.T, checks []spinCheck) {
	g.mu.Lock()
	defer g.mu.Unlock()
	want := map[string]int{}
	for _, c := range checks {
		if c.reach != "" {
			want[c.reach]++
		}
	}
	for group, n := range want {
		left := slices.Sorted(maps.Keys(g.left[group]))
		if g.runs[group] == n && len(left) > 0 {
			t.Errorf("reach group %s: %d statements no run reached:\n%s", group, len(left), strings.Join(left, "\n"))
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
