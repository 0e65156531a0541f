package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"hitless/engine/config"
)

// FuzzCommand sends arbitrary input to a server with a fakeAdmin (reset to
// the same state for every input) and checks that every session ends with
// an answer, never blocking and never panicking (a panic in a session
// goroutine ends the test binary). Seeds: adminCases and
// testdata/fuzz/FuzzCommand.
func FuzzCommand(f *testing.F) {
	for _, c := range adminCases {
		f.Add([]byte(c + "\n"))
	}
	fake := unitFake()
	ts := startServer(f, Options{Admin: fake, waitCap: 20 * time.Millisecond, lookupHost: hostsOnly}, config.LevelAdmin)
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<16 {
			return
		}
		fake.reset(unitFake())
		start := time.Now()
		got := ts.exchange(t, string(in), true) // fails on a 10s deadline
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%q took %v", in, d)
		}
		if simpleCommand(in) && !strings.HasSuffix(got, "\n") {
			t.Errorf("%q: answer %q does not end with a newline", in, got)
		}
	})
}

// simpleCommand reports whether in is one plain command line, whose
// answer must end with the empty line that closes every answer: no
// separator nor escape inside, no payload, no command that changes the
// framing (quit, prompt, user, operator), and not so long that the
// session drops it.
func simpleCommand(in []byte) bool {
	line, ok := bytes.CutSuffix(in, []byte("\n"))
	if !ok || len(line) == 0 || len(line) > 1024 || bytes.ContainsAny(line, ";\\\n\r\x00") || bytes.Contains(line, []byte("<<")) {
		return false
	}
	words := strings.Fields(string(line))
	if len(words) == 0 {
		return false
	}
	switch words[0] {
	case "quit", "prompt", "user", "operator":
		return false
	}
	return true
}

// reset puts a in the state of from.
func (a *fakeAdmin) reset(from *fakeAdmin) {
	a.mu.Lock()
	a.backends, a.sessions, a.calls = from.backends, from.sessions, nil
	a.mu.Unlock()
}
