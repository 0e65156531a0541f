package bench

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// TableSpec names what a workload's table shows.
type TableSpec struct {
	Unit      string // rate unit: "req/s"
	OpName    string // operation: "req"
	Reference string // target the ratios divide by: "haproxy"
}

// none marks a cell without a value.
const none = "—"

// FormatTable renders rows as a GitHub-flavoured Markdown table: per
// target the median rate, the min–max range and the spread, the ratio to
// the reference's median, the median and range of the ratios to the
// reference round by round, the latency medians, the proxy's CPU seconds
// per 100k operations and its ratio to the reference's, the proxy's CPU
// use and the generator's error counts over all rounds.
func FormatTable(spec TableSpec, rows []Row) string {
	header := []string{
		"target",
		spec.Unit + " (median)",
		"min – max",
		"spread",
		"vs " + spec.Reference,
		"per-round vs " + spec.Reference + " (min – max)",
		"p50",
		"p99",
		"CPU s/100k " + spec.OpName,
		"CPU/" + spec.OpName + " vs " + spec.Reference,
		"proxy CPU use",
		"errors (all rounds)",
	}
	align := []string{"---", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "---"}
	var b strings.Builder
	writeRow(&b, header)
	writeRow(&b, align)
	for _, r := range rows {
		cells := []string{
			r.Target,
			formatCount(r.Rate.Median),
			formatCount(r.Rate.Min) + " – " + formatCount(r.Rate.Max),
			formatPercent(r.Rate.Spread()),
			none,
			none,
			formatLatency(r.P50),
			formatLatency(r.P99),
			none,
			none,
			none,
			r.Errors.String(),
		}
		if r.HasRef {
			cells[4] = formatRatio(r.RateRef)
		}
		if r.Paired.N > 0 {
			cells[5] = formatRatio(r.Paired.Median) + " (" + formatRatio(r.Paired.Min) + " – " + formatRatio(r.Paired.Max) + ")"
		}
		if r.HasCPU {
			cells[8] = strconv.FormatFloat(r.CPUPer, 'f', 3, 64)
			cells[10] = formatPercent(r.CPUUse)
		}
		if r.HasCPUR {
			cells[9] = formatRatio(r.CPURef)
		}
		writeRow(&b, cells)
	}
	return b.String()
}

func writeRow(b *strings.Builder, cells []string) {
	b.WriteString("|")
	for _, c := range cells {
		b.WriteString(" ")
		b.WriteString(strings.ReplaceAll(c, "|", `\|`))
		b.WriteString(" |")
	}
	b.WriteString("\n")
}

// formatCount rounds v to an integer with thousands separators:
// 67318.84 -> "67,319".
func formatCount(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return none
	}
	neg := v < 0
	s := strconv.FormatInt(int64(math.Round(math.Abs(v))), 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// formatPercent writes a fraction as a percentage with one decimal.
func formatPercent(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return none
	}
	return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
}

// formatRatio writes a ratio with two decimals: "1.07×".
func formatRatio(f float64) string {
	return strconv.FormatFloat(f, 'f', 2, 64) + "×"
}

// formatLatency writes d in µs below 1 ms, in ms with two decimals below
// 1 s, in s above; 0 (not measured) is a dash.
func formatLatency(d time.Duration) string {
	switch {
	case d <= 0:
		return none
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Round(time.Microsecond)/time.Microsecond)
	case d < time.Second:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}
