package bench

import (
	"math"
	"slices"
	"time"
)

// Summary describes a set of samples by its median and its range.
type Summary struct {
	N                int
	Median, Min, Max float64
}

// Summarize returns the summary of xs; the zero Summary (N == 0) when xs
// is empty. It does not modify xs.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{}
	}
	return Summary{N: len(xs), Median: Median(xs), Min: slices.Min(xs), Max: slices.Max(xs)}
}

// Spread is the range relative to the median, (Max-Min)/Median: 0.04
// means that the best and worst rounds are 4% of the median apart. NaN
// when the median is 0 or there is no sample.
func (s Summary) Spread() float64 {
	if s.N == 0 || s.Median == 0 {
		return math.NaN()
	}
	return (s.Max - s.Min) / s.Median
}

// Median returns the middle value of xs, the mean of the two middle
// values for an even count, and NaN for none. It does not modify xs.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// MedianDuration is Median for durations; 0 for none.
func MedianDuration(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Ratio returns a/b, and false when it is undefined (b is 0, or either
// is NaN).
func Ratio(a, b float64) (float64, bool) {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return 0, false
	}
	return a / b, true
}
