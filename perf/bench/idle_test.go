package bench

import (
	"errors"
	"strings"
	"testing"
)

func TestIdleFit(t *testing.T) {
	tests := []struct {
		requested int
		hard      uint64
		want      int
		ok        bool
	}{
		{10000, 1 << 20, 10000, true},
		{10000, 20100, 10000, true}, // exactly two per connection plus the reserve
		{10000, 20000, 9950, false},
		{10000, 1024, 462, false},
		{10, 100, 0, false},
	}
	for _, tt := range tests {
		n, ok := IdleFit(tt.requested, tt.hard)
		if n != tt.want || ok != tt.ok {
			t.Errorf("IdleFit(%d, %d) = %d, %v; want %d, %v", tt.requested, tt.hard, n, ok, tt.want, tt.ok)
		}
	}
}

func TestIdleSample(t *testing.T) {
	s := IdleSample(10000, 15<<20, 15<<20+10000*3*1024, 20, 20020)
	want := Sample{Rate: 3, Ops: 10000, Memory: Memory{Conns: 10000, Before: 15 << 20, After: 15<<20 + 10000*3*1024, FDs: 20000}}
	if s != want {
		t.Errorf("IdleSample = %+v, want %+v", s, want)
	}
}

func TestIdleMemoryWorkload(t *testing.T) {
	be := Nginx("nginx", "x\n")
	tests := []struct {
		mode    Mode
		name    string
		summary string
	}{
		{ModeTCP, "idle-conns", "each of them also holds a connection to the backend"},
		{ModeHTTP, "idle-conns-http", "without a request it opens no connection to the backend"},
	}
	for _, tt := range tests {
		w := IdleMemory(&IdleConns{Conns: 9950, Requested: 10000}, &be, tt.mode)
		if w.Name != tt.name || !w.NoDirect || !w.RecordFailures || !w.Memory || !w.NoCPU || !w.LowerIsBetter {
			t.Errorf("%s: %+v", tt.name, w)
		}
		for _, want := range []string{tt.summary, "9950 idle client connections (10000 asked for"} {
			if !strings.Contains(w.Summary, want) {
				t.Errorf("%s: summary %q lacks %q", tt.name, w.Summary, want)
			}
		}
		spec := testSpec()
		w.Tweak(&spec)
		if spec.Maxconn != 9966 || spec.Splice != SpliceNoAuto || spec.NoSplice {
			t.Errorf("%s: tweaked spec maxconn %d, splice %v, nosplice %v", tt.name, spec.Maxconn, spec.Splice, spec.NoSplice)
		}
	}
}

func TestFailureReason(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		exited bool
		output string
		want   string
	}{
		{"exited on EMFILE", errors.New("bench: idle connection 8194 of 9950: dial tcp4 127.0.0.1:1: connection refused\nmore"), true,
			"copy-proxy: accept tcp 127.0.0.1:1: accept4: too many open files\n\n",
			"idle connection 8194 of 9950: dial tcp4 127.0.0.1:1: connection refused; the proxy exited; " +
				"its last output: copy-proxy: accept tcp 127.0.0.1:1: accept4: too many open files"},
		{"stalled, silent", errors.New("bench: 256 idle connections opened: bench: the proxy holds 12 descriptors after 10s, want 260"), false, "",
			"256 idle connections opened: the proxy holds 12 descriptors after 10s, want 260"},
		{"exited without a word", nil, true, "", "the proxy exited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := failureReason(tt.err, tt.exited, tt.output); got != tt.want {
				t.Errorf("failureReason = %q, want %q", got, tt.want)
			}
		})
	}
}
