package bench

import (
	"math"
	"testing"
	"time"
)

func TestParseProcStatCPU(t *testing.T) {
	tests := []struct {
		name string
		stat string
		want uint64
		ok   bool
	}{
		{
			name: "haproxy",
			stat: "4242 (haproxy) S 1 4242 4242 0 -1 4194560 1203 0 0 0 731 269 0 0 20 0 2 0 123456 51234816 3012 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 0 0 0 0 0 0\n",
			want: 1000,
			ok:   true,
		},
		{
			name: "name with spaces and parentheses",
			stat: "77 (a (b) c) R 1 77 77 0 -1 0 0 0 0 0 5 7 0 0 20 0 1 0 1 1 1",
			want: 12,
			ok:   true,
		},
		{name: "truncated", stat: "1 (x) S 1 2 3", ok: false},
		{name: "no name", stat: "1 x S", ok: false},
		{name: "not a number", stat: "1 (x) S 1 1 1 0 -1 0 0 0 0 0 u s 0 0", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseProcStatCPU([]byte(tt.stat))
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("ParseProcStatCPU = %d, %v; want %d, ok %v", got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestTicksToDuration(t *testing.T) {
	if got := ticksToDuration(250, 100); got != 2500*time.Millisecond {
		t.Errorf("250 ticks at 100 Hz = %v", got)
	}
	if got := ticksToDuration(3, 1000); got != 3*time.Millisecond {
		t.Errorf("3 ticks at 1000 Hz = %v", got)
	}
}

func TestParseProcStatTotals(t *testing.T) {
	stat := "cpu  100 10 50 800 20 5 5 10 7 0\ncpu0 50 5 25 400 10 2 3 5 0 0\nintr 1 2 3\n"
	got, err := ParseProcStatTotals([]byte(stat))
	if err != nil {
		t.Fatal(err)
	}
	// busy: user nice system irq softirq steal = 100+10+50+5+5+10; guest is inside user.
	if want := (CPUTimes{Busy: 180, Total: 1000}); got != want {
		t.Errorf("ParseProcStatTotals = %+v, want %+v", got, want)
	}
	if _, err := ParseProcStatTotals([]byte("cpu0 1 2 3 4\n")); err == nil {
		t.Error("a file without the aggregate line was accepted")
	}
	if _, err := ParseProcStatTotals([]byte("cpu 1 x 3 4 5\n")); err == nil {
		t.Error("a non-numeric field was accepted")
	}
}

func TestBusyFraction(t *testing.T) {
	tests := []struct {
		a, b CPUTimes
		want float64
	}{
		{CPUTimes{100, 1000}, CPUTimes{150, 1200}, 0.25},
		{CPUTimes{100, 1000}, CPUTimes{100, 1000}, 0},
		{CPUTimes{0, 0}, CPUTimes{200, 200}, 1},
	}
	for _, tt := range tests {
		if got := BusyFraction(tt.a, tt.b); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("BusyFraction(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParseCPUModel(t *testing.T) {
	tests := []struct {
		name, info string
		model      string
		hyper      bool
	}{
		{"x86 VM", "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t\t: fpu vme hypervisor lahf_lm\n\nprocessor\t: 1\nmodel name\t: AMD EPYC\n", "AMD EPYC", true},
		{"x86 bare metal", "model name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz\nflags\t: fpu sse2 hypervisorx\n", "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", false},
		{"arm", "processor\t: 0\nBogoMIPS\t: 50.00\nCPU part\t: 0xd0c\n\nModel\t: Raspberry Pi 4\n", "Raspberry Pi 4", false},
		{"nothing", "processor\t: 0\n", "unknown", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, h := ParseCPUModel(tt.info)
			if m != tt.model || h != tt.hyper {
				t.Errorf("ParseCPUModel = %q, %v; want %q, %v", m, h, tt.model, tt.hyper)
			}
		})
	}
}

func TestAffinity(t *testing.T) {
	l, err := ParseCpusAllowedList("Name:\thitless\nCpus_allowed:\t1\nCpus_allowed_list:\t0\nMems_allowed:\t1\n")
	if err != nil || l != "0" {
		t.Errorf("ParseCpusAllowedList = %q, %v", l, err)
	}
	if _, err := ParseCpusAllowedList("Name:\tx\n"); err == nil {
		t.Error("status without the field was accepted")
	}
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"0"}, "1 thread on CPU 0"},
		{[]string{"0-1", "0", "0-1", "0-1"}, "1 thread on CPU 0, 3 threads on CPU 0-1"},
	}
	for _, tt := range tests {
		if got := SummarizeAffinity(tt.in); got != tt.want {
			t.Errorf("SummarizeAffinity(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseProcStatGroup(t *testing.T) {
	tests := []struct {
		name, stat string
		want       int
		ok         bool
	}{
		{"nginx worker in its master's group", "4243 (nginx) S 4242 4242 4242 0 -1 4194624 10 0 0 0 1 2 0 0 20 0 1 0", 4242, true},
		{"name with spaces and parentheses", "77 (a (b) c) R 1 70 70 0", 70, true},
		{"truncated", "1 (x) S 1", 0, false},
		{"not a number", "1 (x) S 1 g 1", 0, false},
		{"no name", "1 x S 1 1 1", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseProcStatGroup([]byte(tt.stat))
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("ParseProcStatGroup = %d, %v; want %d, ok %v", got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name, status string
		want         int64
		ok           bool
	}{
		{"haproxy", "Name:\thaproxy\nVmPeak:\t  123456 kB\nVmHWM:\t   50000 kB\nVmRSS:\t   48236 kB\nRssAnon:\t   40000 kB\n", 48236 << 10, true},
		{"zombie: no VmRSS", "Name:\tx\nState:\tZ (zombie)\n", 0, false},
		{"other unit", "VmRSS:\t 12 MB\n", 0, false},
		{"not a number", "VmRSS:\t lots kB\n", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseVmRSS(tt.status)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("ParseVmRSS = %d, %v; want %d, ok %v", got, err, tt.want, tt.ok)
			}
		})
	}
}
