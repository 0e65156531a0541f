package bench

import (
	"slices"
	"testing"
)

func TestParseCPUSet(t *testing.T) {
	tests := []struct {
		in   string
		want CPUSet
		str  string
		ok   bool
	}{
		{"0", CPUSet{0}, "0", true},
		{"1", CPUSet{1}, "1", true},
		{"0-1", CPUSet{0, 1}, "0-1", true},
		{"3,0-1", CPUSet{0, 1, 3}, "0-1,3", true},
		{"0,1,2,5,6", CPUSet{0, 1, 2, 5, 6}, "0-2,5-6", true},
		{"1,1,0-1", CPUSet{0, 1}, "0-1", true},
		{" 2 , 4 ", CPUSet{2, 4}, "2,4", true},
		{"", nil, "", false},
		{"1-0", nil, "", false},
		{"a", nil, "", false},
		{"0,", nil, "", false},
		{"-1", nil, "", false},
		{"1024", nil, "", false},
	}
	for _, tt := range tests {
		got, err := ParseCPUSet(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseCPUSet(%q) error = %v, want ok %v", tt.in, err, tt.ok)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ParseCPUSet(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if s := got.String(); s != tt.str {
			t.Errorf("ParseCPUSet(%q).String() = %q, want %q", tt.in, s, tt.str)
		}
	}
}

func TestCPUSetOverlapsAndTaskset(t *testing.T) {
	if !(CPUSet{0, 1}).Overlaps(CPUSet{1}) || (CPUSet{0}).Overlaps(CPUSet{1}) || (CPUSet{}).Overlaps(CPUSet{0}) {
		t.Error("Overlaps is wrong")
	}
	if got := (CPUSet{0, 2, 3}).TasksetArgv([]string{"nginx", "-c", "x"}); !slices.Equal(got, []string{"taskset", "-c", "0,2-3", "nginx", "-c", "x"}) {
		t.Errorf("TasksetArgv = %q", got)
	}
	if got := CPUSet(nil).TasksetArgv([]string{"wrk"}); !slices.Equal(got, []string{"wrk"}) {
		t.Errorf("TasksetArgv of the empty set = %q", got)
	}
}
