package check

import (
	"testing"
	"time"
)

func TestHealthSequences(t *testing.T) {
	type step struct {
		ok      bool
		changed bool
		status  string
		inter   time.Duration // Interval(1s, 100ms, 5s) after the report
	}
	for _, tt := range []struct {
		name       string
		rise, fall int
		steps      []step
	}{
		{"fresh server, one failure is DOWN", 2, 3, []step{
			{false, true, "DOWN", 5 * time.Second},
			{false, false, "DOWN", 5 * time.Second},
			{true, false, "DOWN 1/2", 100 * time.Millisecond},
			{true, true, "UP", time.Second},
			{true, false, "UP", time.Second},
			{false, false, "UP 2/3", 100 * time.Millisecond},
			{false, false, "UP 1/3", 100 * time.Millisecond},
			{true, false, "UP", time.Second},
			{false, false, "UP 2/3", 100 * time.Millisecond},
			{false, false, "UP 1/3", 100 * time.Millisecond},
			{false, true, "DOWN", 5 * time.Second},
		}},
		{"fresh server, one success is fully UP", 2, 3, []step{
			{true, false, "UP", time.Second},
		}},
		{"rise 1 fall 1", 1, 1, []step{
			{false, true, "DOWN", 5 * time.Second},
			{true, true, "UP", time.Second},
			{true, false, "UP", time.Second},
			{false, true, "DOWN", 5 * time.Second},
		}},
		{"rise 3 fall 2", 3, 2, []step{
			{false, true, "DOWN", 5 * time.Second},
			{true, false, "DOWN 1/3", 100 * time.Millisecond},
			{false, false, "DOWN", 5 * time.Second},
			{true, false, "DOWN 1/3", 100 * time.Millisecond},
			{true, false, "DOWN 2/3", 100 * time.Millisecond},
			{true, true, "UP", time.Second},
			{false, false, "UP 1/2", 100 * time.Millisecond},
			{true, false, "UP", time.Second},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHealth(tt.rise, tt.fall)
			if h.Cur != tt.rise || !h.Up() {
				t.Fatalf("fresh health = %+v", h)
			}
			if tt.rise+tt.fall > 2 && h.Interval(time.Second, 100*time.Millisecond, 5*time.Second) != 100*time.Millisecond {
				t.Errorf("fresh interval is not fastinter")
			}
			for i, s := range tt.steps {
				if changed := h.Report(s.ok); changed != s.changed {
					t.Errorf("step %d: changed = %v", i, changed)
				}
				if got := h.Status(); got != s.status {
					t.Errorf("step %d: status %q, want %q (cur %d)", i, got, s.status, h.Cur)
				}
				if got := h.Interval(time.Second, 100*time.Millisecond, 5*time.Second); got != s.inter {
					t.Errorf("step %d: interval %v, want %v", i, got, s.inter)
				}
			}
		})
	}
}

func TestHealthDetails(t *testing.T) {
	h := NewHealth(2, 3)
	if got := h.Status(); got != "UP 1/3" {
		t.Errorf("fresh status %q", got)
	}
	if i, n := h.Progress(); i != 1 || n != 3 {
		t.Errorf("progress %d/%d", i, n)
	}
	if got := string(h.AppendStatus(nil, OpStopping)); got != "NOLB 1/3" {
		t.Errorf("stopping status %q", got)
	}
	if moved, changed := h.Observe(true); !moved || changed || h.Cur != 4 {
		t.Errorf("observe = %v %v %+v", moved, changed, h)
	}
	if moved, _ := h.Observe(true); moved {
		t.Error("a success at the top moved the counter")
	}
	if got := string(h.AppendStatus(nil, OpStopping)); got != "NOLB" {
		t.Errorf("stopping status %q", got)
	}
	h.Cur = 0
	if moved, _ := h.Observe(false); moved {
		t.Error("a failure at 0 moved the counter")
	}
	if got := string(h.AppendStatus(nil, OpStopped)); got != "DOWN" {
		t.Errorf("status %q", got)
	}
	// Zero fastinter and downinter mean inter.
	if got := h.Interval(time.Second, 0, 0); got != time.Second {
		t.Errorf("down interval %v", got)
	}
	h.Cur = 1
	if got := h.Interval(time.Second, 0, 0); got != time.Second {
		t.Errorf("transition interval %v", got)
	}
	if h := NewHealth(0, -1); h.Rise != 1 || h.Fall != 1 {
		t.Errorf("NewHealth(0, -1) = %+v", h)
	}
	if !LogWorthy(StatusL4CON, StatusL4TOUT, false) || LogWorthy(StatusL4CON, StatusL4CON, false) || !LogWorthy(StatusL7OK, StatusL7OK, true) {
		t.Error("LogWorthy")
	}
}

func TestSpread(t *testing.T) {
	for _, tt := range []struct {
		d       time.Duration
		percent int
		rnd     uint32
		want    time.Duration
	}{
		{2 * time.Second, 0, 12345, 2 * time.Second},
		{2 * time.Second, 10, 0, 2200 * time.Millisecond},            // +10%
		{2 * time.Second, 10, 1<<32 - 1, 1800 * time.Millisecond},    // -10%
		{2 * time.Second, 10, 1 << 31, 2000 * time.Millisecond},      // middle
		{2 * time.Second, 50, 0, 3 * time.Second},                    // +50%
		{1500 * time.Microsecond, 50, 0, 1 * time.Millisecond},       // whole milliseconds
		{100 * time.Millisecond, 5, 1 << 30, 103 * time.Millisecond}, // 5 - int(2*5*0.25), truncated as in C
	} {
		if got := Spread(tt.d, tt.percent, tt.rnd); got != tt.want {
			t.Errorf("Spread(%v, %d, %d) = %v, want %v", tt.d, tt.percent, tt.rnd, got, tt.want)
		}
	}
}

func TestStartDelays(t *testing.T) {
	zero := func() uint32 { return 1 << 31 }
	got := StartDelays([]time.Duration{10 * time.Second, 10 * time.Second, 200 * time.Millisecond, 4 * time.Second}, 0, zero)
	// The smallest interval of at least 1s is 4s; a longer own interval wins.
	want := []time.Duration{0, 10 * time.Second * 1 / 4, 4 * time.Second * 2 / 4, 4 * time.Second * 3 / 4}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("delays = %v, want %v", got, want)
			break
		}
	}
	calls := 0
	StartDelays([]time.Duration{time.Second, time.Second}, 5, func() uint32 { calls++; return 0 })
	if calls != 2 {
		t.Errorf("rnd called %d times", calls)
	}
}

func TestTimeouts(t *testing.T) {
	for _, tt := range []struct {
		inter, connect, check time.Duration
		conn, rest            time.Duration
	}{
		{2 * time.Second, 5 * time.Second, 0, 2 * time.Second, 0},
		{2 * time.Second, time.Second, 0, 2 * time.Second, 0},
		{2 * time.Second, time.Second, 3 * time.Second, time.Second, 3 * time.Second},
		{2 * time.Second, 5 * time.Second, 3 * time.Second, 2 * time.Second, 3 * time.Second},
		{2 * time.Second, 0, 3 * time.Second, 2 * time.Second, 3 * time.Second},
	} {
		conn, rest := Timeouts(tt.inter, tt.connect, tt.check)
		if conn != tt.conn || rest != tt.rest {
			t.Errorf("Timeouts(%v, %v, %v) = %v, %v", tt.inter, tt.connect, tt.check, conn, rest)
		}
	}
}
