package bench

// Variant is one way a workload runs a proxy: a target of its own in the
// workload's table, the proxy it starts, and how its settings differ from
// the runner's template. A workload that compares settings (splicing or
// not, more threads) lists its variants instead of the harness growing a
// special case; a workload without variants runs every proxy once, as
// itself.
//
// A variant of a proxy the run does not include (-targets) is skipped,
// as is one of a proxy that does not support the workload's mode.
type Variant struct {
	Name  string // target name in the table and progress lines: "haproxy splice-auto"
	Proxy string // the [Proxy] it starts, by name: "haproxy"
	// Tweak edits a copy of the runner's [ProxySpec] after Mode, Listen,
	// Server and Dir are filled in; nil keeps it. It must not modify the
	// slices the spec shares (CPUs).
	Tweak func(*ProxySpec)
	// About says what is different, for the report: "`nosplice` in
	// global".
	About string
}

// SpliceVariants are the targets of the bulk workloads, which measure
// the splice decision: each proxy with no splice line, as it runs out of
// the box (hitless splices in tcp mode as "option splice-auto" would,
// HAProxy does not splice), and each with the other choice written out.
// The plain "hitless" and "haproxy" keep the proxies' names, so that
// ratios are still taken against HAProxy as it runs by default.
func SpliceVariants() []Variant {
	unset := func(s *ProxySpec) { s.Splice, s.NoSplice = SpliceUnset, false }
	return []Variant{
		{Name: "hitless", Proxy: "hitless", Tweak: unset,
			About: "no splice line: hitless's default in tcp mode, which splices as `option splice-auto` would"},
		{Name: "hitless nosplice", Proxy: "hitless",
			Tweak: func(s *ProxySpec) { unset(s); s.NoSplice = true },
			About: "`nosplice` in global: no kernel splicing, every byte copied through user space"},
		{Name: "haproxy", Proxy: "haproxy", Tweak: unset,
			About: "no splice line: HAProxy's default, which never splices"},
		{Name: "haproxy splice-auto", Proxy: "haproxy",
			Tweak: func(s *ProxySpec) { unset(s); s.Splice = SpliceAuto },
			About: "`option splice-auto` in defaults: HAProxy may splice, when its streamer heuristic marks the transfer as fast"},
	}
}
