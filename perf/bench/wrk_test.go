package bench

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseWrk(t *testing.T) {
	tests := []struct {
		name string
		file string
		want Sample
	}{
		{
			name: "keep-alive, no error lines",
			file: "wrk-keepalive.txt",
			want: Sample{
				Rate: 67318.84, Ops: 134691, Elapsed: 2 * time.Second,
				Latency: Latency{P50: 530 * time.Microsecond, P75: 581 * time.Microsecond, P90: 693 * time.Microsecond, P99: 835 * time.Microsecond},
			},
		},
		{
			name: "socket errors, non-2xx, minutes and seconds",
			file: "wrk-errors.txt",
			want: Sample{
				Rate: 14761.14, Ops: 148940, Elapsed: time.Minute,
				Latency: Latency{P50: 2110 * time.Microsecond, P75: 2600 * time.Microsecond, P90: 2930 * time.Microsecond, P99: 1020 * time.Millisecond},
				Errors:  Errors{Connect: 3, Read: 17, Write: 2, Timeout: 9, Status: 41},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWrk(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseWrk:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseWrkRejects(t *testing.T) {
	good := readTestdata(t, "wrk-keepalive.txt")
	drop := func(prefix string) string {
		var keep []string
		for l := range strings.SplitSeq(good, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(l), prefix) {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	tests := []struct {
		name, out string
	}{
		{"empty", ""},
		{"usage text", "Usage: wrk <options> <url>\n"},
		{"no request count", drop("134691 requests")},
		{"no rate", drop("Requests/sec:")},
		{"no latency distribution", drop("50%")},
		{"bad rate", strings.Replace(good, "67318.84", "fast", 1)},
		{"bad latency unit", strings.Replace(good, "530.00us", "530.00ns", 1)},
		{"bad socket errors", good + "  Socket errors: connect 1, bogus 2\n"},
		{"NaN latency", strings.Replace(good, "530.00us", "nanus", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseWrk(tt.out)
			if !errors.Is(err, ErrWrkOutput) {
				t.Errorf("ParseWrk error = %v, want ErrWrkOutput", err)
			}
		})
	}
}

func TestParseWrkDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"530.00us", 530 * time.Microsecond, true},
		{"2.11ms", 2110 * time.Microsecond, true},
		{"10.00s", 10 * time.Second, true},
		{"1.50m", 90 * time.Second, true},
		{"1.00h", time.Hour, true},
		{"0.00us", 0, true},
		{"12", 0, false},
		{"-1.00ms", 0, false},
		{"ms", 0, false},
	}
	for _, tt := range tests {
		got, err := parseWrkDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseWrkDuration(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestWrkArgv(t *testing.T) {
	tests := []struct {
		name string
		w    Wrk
		want []string
	}{
		{
			name: "pinned keep-alive",
			w:    Wrk{Binary: "wrk", Threads: 1, Connections: 50, CPUs: CPUSet{1}},
			want: []string{"taskset", "-c", "1", "wrk", "-t1", "-c50", "-d10s", "--latency", "http://127.0.0.1:8080/"},
		},
		{
			name: "unpinned with header and path",
			w:    Wrk{Binary: "/usr/bin/wrk", Threads: 2, Connections: 10, Headers: []string{"Connection: close"}, Path: "/x"},
			want: []string{"/usr/bin/wrk", "-t2", "-c10", "-d10s", "--latency", "-H", "Connection: close", "http://127.0.0.1:8080/x"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.w.Argv("127.0.0.1:8080", 10*time.Second)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Argv = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConnPerRequestDoesNotShareHeaders(t *testing.T) {
	base := Wrk{Headers: make([]string, 0, 4)}
	w := ConnPerRequest(base, nil, ModeTCP).Gen.(Wrk)
	if len(base.Headers) != 0 || !slices.Equal(w.Headers, []string{"Connection: close"}) {
		t.Errorf("base headers %q, conn-per-request headers %q", base.Headers, w.Headers)
	}
	if h := KeepAlive(base, nil, ModeTCP).Gen.(Wrk).Headers; len(h) != 0 {
		t.Errorf("keep-alive headers %q, want none", h)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		e     Errors
		str   string
		total int64
	}{
		{Errors{}, "0", 0},
		{Errors{Read: 3, Status: 1}, "read 3, non-2xx/3xx 1", 4},
		{Errors{1, 2, 3, 4, 5, 6}, "connect 1, read 2, write 3, timeout 4, non-2xx/3xx 5, failed 6", 21},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.str {
			t.Errorf("%+v.String() = %q, want %q", tt.e, got, tt.str)
		}
		if got := tt.e.Total(); got != tt.total {
			t.Errorf("%+v.Total() = %d, want %d", tt.e, got, tt.total)
		}
	}
	if got := (Errors{1, 2, 3, 4, 5, 6}).Add(Errors{1, 1, 1, 1, 1, 1}); got != (Errors{2, 3, 4, 5, 6, 7}) {
		t.Errorf("Add = %+v", got)
	}
}
