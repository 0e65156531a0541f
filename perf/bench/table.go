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
	Decimals  int    // decimals of the rate cells
	CPUPer    string // the work CPU time is given per: "100k req"
	OpName    string // the unit of work in the CPU ratio's header: "req"
	Reference string // target the ratios divide by: "haproxy"
	// LowerIsBetter marks the headline as a cost (latency, memory) in
	// its header.
	LowerIsBetter bool
	// Latency lists the percentile columns; none for generators without
	// latency figures.
	Latency []Percentile
	// NoErrors leaves out the errors column, NoCPU the CPU columns;
	// Achieved adds the offered and achieved rates of a fixed-rate
	// generator, Memory the proxy's memory and descriptors.
	NoErrors, NoCPU, Achieved, Memory bool
}

// none marks a cell without a value.
const none = "—"

// FormatTable renders rows as a GitHub-flavoured Markdown table: per
// target the median rate, the min–max range and the spread, the ratio to
// the reference's median, the median and range of the ratios to the
// reference round by round, the latency medians, the offered and achieved
// rates, the proxy's memory, the proxy's CPU seconds per unit of work and
// its ratio to the reference's, the proxy's CPU use and the generator's
// error counts over all rounds. A row with NA set shows its reason in the
// rate column and dashes elsewhere.
func FormatTable(spec TableSpec, rows []Row) string {
	type column struct {
		header, align string
		cell          func(Row) string
		skip          bool
	}
	rate := func(v float64) string { return formatNumber(v, spec.Decimals) }
	headline := spec.Unit + " (median)"
	if spec.LowerIsBetter {
		headline = spec.Unit + " (median, lower is better)"
	}
	cols := []column{
		{header: "target", align: "---", cell: func(r Row) string { return r.Target }},
		{header: headline, align: "--:", cell: func(r Row) string { return rate(r.Rate.Median) }},
		{header: "min – max", align: "--:", cell: func(r Row) string { return rate(r.Rate.Min) + " – " + rate(r.Rate.Max) }},
		{header: "spread", align: "--:", cell: func(r Row) string { return formatPercent(r.Rate.Spread()) }},
		{header: "vs " + spec.Reference, align: "--:", cell: func(r Row) string {
			if !r.HasRef {
				return none
			}
			return formatRatio(r.RateRef)
		}},
		{header: "per-round vs " + spec.Reference + " (min – max)", align: "--:", cell: func(r Row) string {
			if r.Paired.N == 0 {
				return none
			}
			return formatRatio(r.Paired.Median) + " (" + formatRatio(r.Paired.Min) + " – " + formatRatio(r.Paired.Max) + ")"
		}},
	}
	for _, p := range spec.Latency {
		cols = append(cols, column{header: p.String(), align: "--:", cell: func(r Row) string { return formatLatency(r.latency(p)) }})
	}
	cols = append(cols,
		column{header: "offered req/s", align: "--:", cell: func(r Row) string { return formatCount(r.Offered) }, skip: !spec.Achieved},
		column{header: "achieved req/s", align: "--:", cell: func(r Row) string { return formatCount(r.Achieved) }, skip: !spec.Achieved},
		column{header: "connections", align: "--:", cell: func(r Row) string { return formatCount(float64(r.Conns)) }, skip: !spec.Memory},
		column{header: "RSS before", align: "--:", cell: func(r Row) string { return formatBytes(r.RSSBefore) }, skip: !spec.Memory},
		column{header: "RSS with connections", align: "--:", cell: func(r Row) string { return formatBytes(r.RSSAfter) }, skip: !spec.Memory},
		column{header: "fds/conn", align: "--:", cell: func(r Row) string { return strconv.FormatFloat(r.FDsPerConn, 'f', 2, 64) }, skip: !spec.Memory},
		column{header: "CPU s/" + spec.CPUPer, align: "--:", cell: func(r Row) string {
			if !r.HasCPU {
				return none
			}
			return strconv.FormatFloat(r.CPUPer, 'f', 3, 64)
		}, skip: spec.NoCPU},
		column{header: "CPU/" + spec.OpName + " vs " + spec.Reference, align: "--:", cell: func(r Row) string {
			if !r.HasCPUR {
				return none
			}
			return formatRatio(r.CPURef)
		}, skip: spec.NoCPU},
		column{header: "proxy CPU use", align: "--:", cell: func(r Row) string {
			if !r.HasCPU {
				return none
			}
			return formatPercent(r.CPUUse)
		}, skip: spec.NoCPU},
		column{header: "errors (all rounds)", align: "---", cell: func(r Row) string { return r.Errors.String() }, skip: spec.NoErrors},
	)
	var header, align []string
	for _, c := range cols {
		if !c.skip {
			header, align = append(header, c.header), append(align, c.align)
		}
	}
	var b strings.Builder
	writeRow(&b, header)
	writeRow(&b, align)
	for _, r := range rows {
		var cells []string
		for i, c := range cols {
			if c.skip {
				continue
			}
			switch {
			case r.NA == "":
				cells = append(cells, c.cell(r))
			case i == 0:
				cells = append(cells, r.Target)
			case i == 1:
				cells = append(cells, r.NA)
			default:
				cells = append(cells, none)
			}
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
func formatCount(v float64) string { return formatNumber(v, 0) }

// formatNumber writes v with decimals digits after the point and
// thousands separators: formatNumber(12345.678, 2) is "12,345.68".
func formatNumber(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return none
	}
	// Halves round away from zero, as math.Round does.
	scale := math.Pow10(decimals)
	s := strconv.FormatFloat(math.Round(math.Abs(v)*scale)/scale, 'f', decimals, 64)
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// formatBytes writes a byte count in MiB with one decimal: "12.3 MiB".
func formatBytes(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return none
	}
	return formatNumber(v/(1<<20), 1) + " MiB"
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
