package main

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestBucketBounds checks that every value lands in a bucket whose bound is
// at or above it and within the stated precision, and that buckets grow with
// their values.
func TestBucketBounds(t *testing.T) {
	vals := []uint64{0, 1, 255, 256, 257, 511, 512, 1000, 1 << 20, 1<<20 + 1, 123456789, 1<<62 + 12345, 1<<63 - 1, 1<<64 - 1}
	for range 10000 {
		vals = append(vals, rand.Uint64()>>rand.IntN(64))
	}
	slices.Sort(vals)
	prev := -1
	for _, v := range vals {
		i := bucket(v)
		if i < prev || i >= histBuckets {
			t.Fatalf("bucket(%d) = %d after %d, of %d", v, i, prev, histBuckets)
		}
		prev = i
		hi := bucketHigh(i)
		if hi < v || float64(hi-v) > float64(v)/(1<<subBits) {
			t.Fatalf("value %d: bucket %d bound %d", v, i, hi)
		}
		if i > 0 && bucketHigh(i-1) >= v {
			t.Fatalf("value %d also fits bucket %d (bound %d)", v, i-1, bucketHigh(i-1))
		}
	}
}

// TestQuantile compares quantiles with the exact order statistics.
func TestQuantile(t *testing.T) {
	uniform := make([]time.Duration, 10000)
	for i := range uniform {
		uniform[i] = time.Duration(i+1) * time.Microsecond
	}
	skewed := make([]time.Duration, 5000)
	for i := range skewed {
		skewed[i] = time.Duration(rand.ExpFloat64() * float64(200*time.Microsecond))
	}
	skewed[17] = 3 * time.Second // one stall
	for _, tc := range []struct {
		name    string
		samples []time.Duration
	}{
		{"one", []time.Duration{42 * time.Microsecond}},
		{"small exact", []time.Duration{5, 1, 3, 2, 4}},
		{"uniform", uniform},
		{"skewed", skewed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h histogram
			for _, d := range tc.samples {
				h.record(d)
			}
			sorted := slices.Sorted(slices.Values(tc.samples))
			for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
				rank := int(float64(len(sorted))*q+0.999999999) - 1 // ceil(q*n)-1
				exact := sorted[max(rank, 0)]
				got := h.quantile(q)
				if got < exact || float64(got-exact) > float64(exact)/(1<<subBits) {
					t.Errorf("q%v = %v, exact %v", q, got, exact)
				}
			}
			if h.max != sorted[len(sorted)-1] || h.total != uint64(len(sorted)) {
				t.Errorf("max %v total %d, want %v %d", h.max, h.total, sorted[len(sorted)-1], len(sorted))
			}
		})
	}
}

func TestHistogramMergeAndEmpty(t *testing.T) {
	var a, b, empty histogram
	if empty.quantile(0.99) != 0 || empty.max != 0 {
		t.Fatal("empty histogram reports a value")
	}
	for i := range 100 {
		a.record(time.Duration(i) * time.Millisecond)
		b.record(time.Duration(i+100) * time.Millisecond)
	}
	b.record(-time.Second) // counted as 0
	a.merge(&b)
	a.merge(&empty)
	if a.total != 201 || a.max != 199*time.Millisecond {
		t.Fatalf("total %d max %v", a.total, a.max)
	}
	if got := a.quantile(0.5); got < 99*time.Millisecond || got > 100*time.Millisecond {
		t.Fatalf("median %v", got)
	}
	if got := a.quantile(0.001); got != 0 {
		t.Fatalf("lowest %v, want 0", got)
	}
}
