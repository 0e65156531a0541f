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
		Workloads: []WorkloadReport{
			{Name: "keepalive", Summary: "Keep-alive.", Command: "wrk -t1",
				Table: TableSpec{Unit: "req/s", CPUPer: "100k req", OpName: "req", Reference: "haproxy"},
				Rows:  []Row{{Target: "haproxy", Rate: Summary{2, 10, 9, 11}}}},
			{Name: "bulk", Summary: "Bulk.", Command: "iperf3 -c 127.0.0.1", Targets: []string{"**haproxy splice-auto**: splices"},
				Table: TableSpec{Unit: "Gbit/s", Decimals: 2, CPUPer: "GB", OpName: "GB", Reference: "haproxy", NoErrors: true},
				Rows:  []Row{{Target: "haproxy splice-auto", Rate: Summary{2, 20, 19.5, 20.5}}}},
		},
		Files: []File{
			{Program: "hitless", Workloads: []string{"keepalive", "conn-per-request"}, Text: "global\n"},
			{Program: "nginx", Text: "events {}\n"},
			{Program: "haproxy splice-auto", Workloads: []string{"bulk"}, Text: "global\n"},
			{Program: "iperf3 command line", Text: "iperf3 -s\n"},
		},
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
		"### bulk\n\nBulk.\n\nGenerator: `iperf3 -c 127.0.0.1`\n\nTargets:\n\n- **haproxy splice-auto**: splices\n\n| target | Gbit/s (median) |",
		"| haproxy splice-auto | 20.00 | 19.50 – 20.50 | 5.0% |",
		"## Notes\n\n- Something to know.\n",
		"hitless (keepalive, conn-per-request), haproxy splice-auto (bulk):\n\n```\nglobal\n```",
		"nginx:\n\n```\nevents {}\n```",
		"iperf3 command line:\n\n```\niperf3 -s\n```",
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
