package config

import (
	"errors"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  error
	}{
		{"0", 0, nil},
		{"100", 100 * time.Millisecond, nil},
		{"100ms", 100 * time.Millisecond, nil},
		{"10s", 10 * time.Second, nil},
		{"3m", 3 * time.Minute, nil},
		{"2h", 2 * time.Hour, nil},
		{"1d", 24 * time.Hour, nil},
		{"24d", 24 * 24 * time.Hour, nil},
		{"250us", time.Millisecond, nil},
		{"1000us", time.Millisecond, nil},
		{"1001us", 2 * time.Millisecond, nil},
		{"2147483647", MaxTime, nil},
		{"2147483648", 0, ErrTimeOverflow},
		{"25d", 0, ErrTimeOverflow},
		{"99999999999999999999999", 0, ErrTimeOverflow},
		{"", 0, ErrTimeSyntax},
		{"s", 0, ErrTimeSyntax},
		{"-1", 0, ErrTimeSyntax},
		{"1.5s", 0, ErrTimeSyntax},
		{"5x", 0, ErrTimeSyntax},
		{"5M", 0, ErrTimeSyntax},
		{"1ms2", 0, ErrTimeSyntax},
		{"1 s", 0, ErrTimeSyntax},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("ParseTime(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
