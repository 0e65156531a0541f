package main

import (
	"math"
	"math/bits"
	"time"
)

// subBits sets the histogram's precision: 2^subBits buckets per power of
// two, so a recorded value is reported at most 1/2^subBits (0.8 %) above
// itself.
const subBits = 7

// histBuckets covers every non-negative int64: exact below 2^(subBits+1) ns,
// then 2^subBits buckets for each further power of two.
const histBuckets = (64-subBits-1)*(1<<subBits) + 1<<(subBits+1)

// histogram counts durations in log-linear (HDR-style) buckets. Its memory
// is fixed (histBuckets counters, 58 KiB) whatever the number of samples.
// The zero value is empty and ready; a histogram belongs to one goroutine.
type histogram struct {
	counts [histBuckets]uint64
	total  uint64
	max    time.Duration
}

// bucket returns the index of the bucket holding v (v >= 0).
func bucket(v uint64) int {
	e := max(bits.Len64(v)-subBits-1, 0)
	return e<<subBits + int(v>>e)
}

// bucketHigh returns the largest value that falls in bucket i.
func bucketHigh(i int) uint64 {
	if i < 1<<(subBits+1) {
		return uint64(i)
	}
	e := i>>subBits - 1
	m := uint64(i - e<<subBits)
	return (m+1)<<e - 1
}

// record adds one sample; a negative one counts as 0.
func (h *histogram) record(d time.Duration) {
	d = max(d, 0)
	h.counts[bucket(uint64(d))]++
	h.total++
	h.max = max(h.max, d)
}

// merge adds o's samples to h.
func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.max = max(h.max, o.max)
}

// quantile returns the smallest bucket bound that at least q (0 < q <= 1) of
// the samples do not exceed, capped at the largest sample: within 0.8 % above
// the exact order statistic ceil(q*n). It returns 0 for an empty histogram.
func (h *histogram) quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.total)))
	rank = min(max(rank, 1), h.total)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(bucketHigh(i)), h.max)
		}
	}
	return h.max
}
