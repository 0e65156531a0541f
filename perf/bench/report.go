package bench

import (
	"fmt"
	"strings"
	"time"
)

// Report is everything a results file holds.
type Report struct {
	Date      time.Time
	Machine   Machine
	Command   string   // the harness's command line, as typed
	Method    []string // how samples were taken, one sentence each
	Pinning   []string // where every program ran, one line each
	Workloads []WorkloadReport
	Files     []File   // configurations, identical texts shown once
	Notes     []string // anything the reader must know to trust the figures
}

// WorkloadReport is one workload's section.
type WorkloadReport struct {
	Name, Summary string
	Command       string   // the generator's command line
	Targets       []string // what each variant changes, "name: about"; none without variants
	Table         TableSpec
	Rows          []Row
}

// Markdown renders the report. Only the date line and the tables change
// from one run of the same command to the next on the same machine.
func (r Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# hitless benchmark, %s\n\n", r.Date.Format("2006-01-02"))
	fmt.Fprintf(&b, "Run at %s.\n\n", r.Date.Format("2006-01-02 15:04:05 MST"))
	fmt.Fprintf(&b, "Command: `%s`\n\n", r.Command)

	b.WriteString("## Machine\n\n")
	m := r.Machine
	virt := ""
	if m.Hypervisor {
		virt = " (virtual machine: the CPU reports a hypervisor)"
	}
	fmt.Fprintf(&b, "- CPU: %s, %d CPUs usable%s\n", m.CPUModel, m.CPUs, virt)
	fmt.Fprintf(&b, "- Kernel: %s\n", m.Kernel)
	fmt.Fprintf(&b, "- Harness built with %s\n", m.GoVersion)
	for _, t := range m.Tools {
		fmt.Fprintf(&b, "- %s: %s\n", t.Name, t.Version)
	}
	for _, s := range m.Sysctls {
		fmt.Fprintf(&b, "- %s = %s\n", s.Name, s.Value)
	}
	fmt.Fprintf(&b, "- Open files limit (soft): %d\n", m.NofileLimit)
	fmt.Fprintf(&b, "- Machine busy before the run: %s of all CPUs over 1 s; load average %s before, %s after\n",
		formatPercent(m.BusyBefore), m.LoadBefore, m.LoadAfter)
	b.WriteString("\n")

	writeList(&b, "Method", r.Method)
	writeList(&b, "CPU placement", r.Pinning)

	b.WriteString("## Results\n\n")
	for _, w := range r.Workloads {
		fmt.Fprintf(&b, "### %s\n\n%s\n\nGenerator: `%s`\n\n", w.Name, w.Summary, w.Command)
		if len(w.Targets) > 0 {
			b.WriteString("Targets:\n\n")
			for _, t := range w.Targets {
				fmt.Fprintf(&b, "- %s\n", t)
			}
			b.WriteString("\n")
		}
		b.WriteString(FormatTable(w.Table, w.Rows))
		b.WriteString("\n")
	}
	writeList(&b, "Notes", r.Notes)

	if len(r.Files) > 0 {
		b.WriteString("## Configurations\n\n")
		for _, g := range groupFiles(r.Files) {
			fmt.Fprintf(&b, "%s:\n\n```\n%s```\n\n", g.label, ensureNewline(g.text))
		}
	}
	return b.String()
}

func writeList(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "## %s\n\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "- %s\n", it)
	}
	b.WriteString("\n")
}

// fileGroup is one configuration text and the labels of every file
// that had it.
type fileGroup struct {
	label, text string
}

// groupFiles merges files with identical text, joining their labels in
// order of first appearance.
func groupFiles(files []File) []fileGroup {
	var out []fileGroup
	for _, f := range files {
		merged := false
		for i := range out {
			if out[i].text == f.Text {
				out[i].label += ", " + f.Label()
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, fileGroup{label: f.Label(), text: f.Text})
		}
	}
	return out
}

func ensureNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
