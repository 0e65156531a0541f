package bench

import (
	"strings"
	"testing"
	"time"
)

func TestReportMarkdown(t *testing.T) {
	rep := Report{
		Date:    time.Date(2026, 11, 21, 22, 30, 0, 0, time.UTC),
		Machine: Machine{CPUModel: "AMD EPYC", CPUs: 2, Hypervisor: true, Kernel: "Linux 6.1 x86_64", GoVersion: "go1.26.8", Tools: []Tool{{"HAProxy", "HAProxy version 2.6.12"}}, BusyBefore: 0.02, LoadBefore: "0.1 0.2 0.3", LoadAfter: "1 1 1"},
		Command: "go run ./perf/cmd/perf -quick",
		Method:  []string{"2 rounds."},
		Pinning: []string{"Proxies on CPU 0."},
		Workloads: []WorkloadReport{{Name: "keepalive", Summary: "Keep-alive.", Command: "wrk -t1",
			Table: TableSpec{Unit: "req/s", OpName: "req", Reference: "haproxy"},
			Rows:  []Row{{Target: "haproxy", Rate: Summary{2, 10, 9, 11}}}}},
		Files: []File{{"hitless (tcp)", "global\n"}, {"nginx", "events {}\n"}, {"haproxy (tcp)", "global\n"}},
		Notes: []string{"Something to know."},
	}
	md := rep.Markdown()
	for _, want := range []string{
		"# hitless benchmark, 2026-11-21\n",
		"Command: `go run ./perf/cmd/perf -quick`",
		"- CPU: AMD EPYC, 2 CPUs usable (virtual machine",
		"- HAProxy: HAProxy version 2.6.12\n",
		"## Method\n\n- 2 rounds.\n",
		"## CPU placement\n\n- Proxies on CPU 0.\n",
		"### keepalive\n\nKeep-alive.\n\nGenerator: `wrk -t1`\n\n| target |",
		"| haproxy | 10 | 9 – 11 | 20.0% |",
		"## Notes\n\n- Something to know.\n",
		"hitless (tcp), haproxy (tcp):\n\n```\nglobal\n```",
		"nginx:\n\n```\nevents {}\n```",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

func TestNotes(t *testing.T) {
	ws := []WorkloadReport{{Name: "ka", Rows: []Row{
		{Target: "quiet", Rate: Summary{3, 100, 99, 101}},
		{Target: "noisy", Rate: Summary{3, 100, 80, 120}},
		{Target: "failing", Rate: Summary{3, 100, 100, 100}, Errors: Errors{Read: 4}},
	}}}
	got := notes(Machine{BusyBefore: 0.5}, ws)
	want := []string{"50.0% busy", "ka / noisy: rounds spread over 40.0%", "ka / failing: the generator reported errors: read 4."}
	if len(got) != len(want) {
		t.Fatalf("notes = %q, want %d notes", got, len(want))
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("note %d = %q, want it to contain %q", i, got[i], want[i])
		}
	}
	if got := notes(Machine{BusyBefore: 0.01}, ws[:0]); len(got) != 0 {
		t.Errorf("quiet run got notes %q", got)
	}
}

func TestTailBuffer(t *testing.T) {
	tb := &tailBuffer{limit: 8}
	tb.Write([]byte("hello"))
	if got := tb.String(); got != "hello" {
		t.Errorf("String = %q", got)
	}
	tb.Write([]byte(" world"))
	if got := tb.String(); got != "[...]lo world" {
		t.Errorf("String after overflow = %q, want the last 8 bytes marked as cut", got)
	}
	if got := indent("a\nb\n"); got != "    a\n    b" {
		t.Errorf("indent = %q", got)
	}
	if got := indent(""); got != "    (none)" {
		t.Errorf("indent of nothing = %q", got)
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"wrk", "-t1", "http://127.0.0.1:80/"}, "wrk -t1 http://127.0.0.1:80/"},
		{[]string{"wrk", "-H", "Connection: close"}, "wrk -H 'Connection: close'"},
		{[]string{"echo", "it's", ""}, `echo 'it'\''s' ''`},
	}
	for _, tt := range tests {
		if got := ShellQuote(tt.in); got != tt.want {
			t.Errorf("ShellQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
