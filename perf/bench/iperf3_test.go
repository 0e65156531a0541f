package bench

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseIperf3(t *testing.T) {
	tests := []struct {
		name string
		file string
		want Iperf3Result
	}{
		{
			name: "client to server (sum_received is the server's)",
			file: "iperf3-tcp.json",
			want: Iperf3Result{Sample: Sample{Rate: 14306212654.76849 / 1e9, Ops: 3578003456, Elapsed: 2000811 * time.Microsecond}},
		},
		{
			name: "server to client, -R (sum_received is the client's)",
			file: "iperf3-tcp-reverse.json",
			want: Iperf3Result{Sample: Sample{Rate: 15407706835.28684 / 1e9, Ops: 3852075008, Elapsed: 2000077 * time.Microsecond}, Reverse: true},
		},
		{
			// iperf3 -n ends the test before the receiver counts the bytes:
			// a valid report that Run, not ParseIperf3, rejects.
			name: "check transfer, nothing counted as received",
			file: "iperf3-check.json",
			want: Iperf3Result{Sample: Sample{Rate: 0, Ops: 0, Elapsed: 2906 * time.Microsecond}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIperf3([]byte(readTestdata(t, tt.file)))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseIperf3:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseIperf3Rejects(t *testing.T) {
	good := readTestdata(t, "iperf3-tcp.json")
	// inSum replaces old by new in end.sum_received only: the same
	// figures appear earlier in end.streams.
	inSum := func(old, new string) string {
		i := strings.Index(good, `"sum_received"`)
		return good[:i] + strings.Replace(good[i:], old, new, 1)
	}
	tests := []struct {
		name       string
		out        string
		want       error
		notStarted bool
	}{
		{"refused: iperf3's own error, exit status 0", readTestdata(t, "iperf3-error.json"), ErrIperf3Failed, true},
		{"reset by a server closing its listener", readTestdata(t, "iperf3-reset.json"), ErrIperf3Failed, true},
		{"error after the test started", good[:strings.LastIndex(good, "}")] + `, "error": "the server has terminated"}`, ErrIperf3Failed, false},
		{"empty", "", ErrIperf3Output, false},
		{"plain-text report (no -J)", "Connecting to host 127.0.0.1, port 5201\n", ErrIperf3Output, false},
		{"truncated", good[:len(good)/2], ErrIperf3Output, false},
		{"no end", `{"start":{"test_start":{"protocol":"TCP","reverse":0}}}`, ErrIperf3Output, false},
		{"no test_start", strings.Replace(good, `"test_start"`, `"test_begin"`, 1), ErrIperf3Output, false},
		{"udp", strings.Replace(good, `"protocol":	"TCP"`, `"protocol":	"UDP"`, 1), ErrIperf3Output, false},
		{"no sum_received", strings.Replace(good, `"sum_received"`, `"sum_elsewhere"`, 1), ErrIperf3Output, false},
		{"no seconds", inSum(`"seconds":`, `"secs":`), ErrIperf3Output, false},
		{"no bits_per_second", inSum(`"bits_per_second":`, `"bps":`), ErrIperf3Output, false},
		{"negative bytes", inSum(`"bytes":	3578003456`, `"bytes":	-1`), ErrIperf3Output, false},
		{"bytes not a number", inSum(`"bytes":	3578003456`, `"bytes":	"many"`), ErrIperf3Output, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.out == good {
				t.Fatal("the edit did not apply to the sample")
			}
			_, err := ParseIperf3([]byte(tt.out))
			if !errors.Is(err, tt.want) {
				t.Errorf("ParseIperf3 error = %v, want %v", err, tt.want)
			}
			if errors.Is(err, ErrIperf3NotStarted) != tt.notStarted {
				t.Errorf("ParseIperf3 error = %v, want not started %v", err, tt.notStarted)
			}
		})
	}
}

func TestIperf3Argv(t *testing.T) {
	tests := []struct {
		name string
		g    Iperf3
		addr string
		want []string
	}{
		{
			name: "pinned, client to server",
			g:    Iperf3{Binary: "/usr/bin/iperf3", CPUs: CPUSet{1}},
			addr: "127.0.0.1:4000",
			want: []string{"taskset", "-c", "1", "/usr/bin/iperf3", "-c", "127.0.0.1", "-p", "4000", "-t", "5", "-J"},
		},
		{
			name: "unpinned reverse, report placeholder",
			g:    Iperf3{Binary: "iperf3", Reverse: true},
			addr: "127.0.0.1:PORT",
			want: []string{"iperf3", "-c", "127.0.0.1", "-p", "PORT", "-t", "5", "-J", "-R"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.g.Argv(tt.addr, 5*time.Second); !slices.Equal(got, tt.want) {
				t.Errorf("Argv = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIperf3Server(t *testing.T) {
	b := Iperf3Server("/usr/bin/iperf3")
	if b.Config != nil {
		t.Error("iperf3 server takes a configuration file")
	}
	argv := b.Argv("", BackendSpec{Listen: "127.0.0.1:5201", CPUs: CPUSet{1}, Dir: "/tmp/perf/iperf3"})
	want := []string{"taskset", "-c", "1", "/usr/bin/iperf3", "-s", "-B", "127.0.0.1", "-p", "5201"}
	if !slices.Equal(argv, want) {
		t.Errorf("argv %q, want %q", argv, want)
	}
}

func TestBulkWorkloads(t *testing.T) {
	be := Iperf3Server("iperf3")
	g := Iperf3{Binary: "iperf3", Reverse: true}
	tests := []struct {
		w       Workload
		name    string
		reverse bool
	}{
		{Bulk(g, &be), "bulk", false},
		{BulkReverse(Iperf3{Binary: "iperf3"}, &be), "bulk-reverse", true},
	}
	for _, tt := range tests {
		w := tt.w
		if w.Name != tt.name || w.Gen.(Iperf3).Reverse != tt.reverse {
			t.Errorf("%s: name %q, reverse %v", tt.name, w.Name, w.Gen.(Iperf3).Reverse)
		}
		if w.Mode != ModeTCP || w.Backend != &be || w.CPUPer != PerGB || w.Unit != "Gbit/s" || len(w.Latency) != 0 || !w.NoErrors {
			t.Errorf("%s: %+v", tt.name, w)
		}
		var names []string
		for _, v := range w.Variants {
			names = append(names, v.Name)
		}
		if want := []string{"hitless", "hitless nosplice", "haproxy", "haproxy splice-auto"}; !slices.Equal(names, want) {
			t.Errorf("%s variants %q, want %q", tt.name, names, want)
		}
	}
}
