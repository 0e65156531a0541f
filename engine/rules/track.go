package rules

import (
	"strconv"
	"strings"

	"hitless/stick"
)

// Stick counters: the http-request track-sc<N> action and the fetches
// that read the entries a transaction tracks (sc_*, sc<N>_*) or look the
// client's address up in a table (src_*).
//
// The fetches name tables by proxy name; the engine resolves the names
// ([Sample.StickTable]) and the configuration checks them once every
// proxy is known ([Rule.TableRefs]).

// MaxTrackers is the number of stick counters a transaction has
// (HAProxy's MAX_SESS_STKCTR): track-sc0 to track-sc2.
const MaxTrackers = 3

// counterOp is what a counter fetch does with its entry.
type counterOp uint8

const (
	opGet     counterOp = iota // read data type d
	opInc                      // increment gpc0 (and gpc0_rate), read gpc0
	opTracked                  // sc_tracked: whether the slot tracks an entry
)

// counterFetch describes the counter a fetch reads: "http_req_rate"
// reads stick.HTTPReqRate.
type counterFetch struct {
	suffix string
	data   stick.DataType
	op     counterOp
	incs   stick.DataType // opInc: the rate incremented with data
}

var counterFetches = []counterFetch{
	{suffix: "bytes_in_rate", data: stick.BytesInRate},
	{suffix: "bytes_out_rate", data: stick.BytesOutRate},
	{suffix: "conn_cnt", data: stick.ConnCnt},
	{suffix: "conn_cur", data: stick.ConnCur},
	{suffix: "conn_rate", data: stick.ConnRate},
	{suffix: "get_gpc0", data: stick.GPC0},
	{suffix: "get_gpc1", data: stick.GPC1},
	{suffix: "gpc0_rate", data: stick.GPC0Rate},
	{suffix: "gpc1_rate", data: stick.GPC1Rate},
	{suffix: "http_err_cnt", data: stick.HTTPErrCnt},
	{suffix: "http_err_rate", data: stick.HTTPErrRate},
	{suffix: "http_req_cnt", data: stick.HTTPReqCnt},
	{suffix: "http_req_rate", data: stick.HTTPReqRate},
	{suffix: "inc_gpc0", data: stick.GPC0, op: opInc, incs: stick.GPC0Rate},
	{suffix: "inc_gpc1", data: stick.GPC1, op: opInc, incs: stick.GPC1Rate},
	{suffix: "tracked", op: opTracked},
}

var (
	scArgs    = []argKind{argInt, argStr} // sc_*(<ctr>[,<table>])
	tableArgs = []argKind{argStr}         // sc<N>_*([<table>]), src_*([<table>])
)

func init() {
	for i := range counterFetches {
		c := &counterFetches[i]
		out := typeInt
		if c.op == opTracked {
			out = typeBool
		}
		add := func(name string, args []argKind, min int, slot int8) {
			fetchDefs[name] = &fetchDef{name: name, out: out, args: args, min: min, kind: fkCounter, counter: c, slot: slot}
		}
		add("sc_"+c.suffix, scArgs, 1, -1)
		for n := 0; n < MaxTrackers; n++ {
			add("sc"+strconv.Itoa(n)+"_"+c.suffix, tableArgs, 0, int8(n))
		}
		if c.op != opTracked {
			add("src_"+c.suffix, tableArgs, 0, srcSlot)
		}
	}
}

// srcSlot marks the src_* fetches in fetchDef.slot.
const srcSlot = -2

// setCounterArgs records the slot and table of a counter fetch.
func (f *fetch) setCounterArgs(args []argVal) {
	f.num = int64(f.def.slot)
	ti := 0
	if f.def.slot == -1 {
		if len(args) > 0 {
			f.num = args[0].n
		}
		ti = 1
	}
	if ti < len(args) {
		f.table = args[ti].s
	}
}

// fetchCounter implements the sc_*, sc<N>_* and src_* fetches. An
// untracked counter or a data type the table does not store gives no
// sample; an address (or tracked key) absent from the table gives 0, as
// HAProxy's. It does not allocate, except when src_inc_gpc0 creates the
// entry of a new address.
func fetchCounter(f *fetch, s Sample, it *iter, buf *[]byte, v *value) bool {
	c := f.def.counter
	now := s.StickNow()
	var t *stick.Table
	var e *stick.Entry
	release := false
	if f.num == srcSlot {
		if t = s.StickTable(f.table); t == nil {
			return false
		}
		a := s.Src()
		var kb [16]byte
		var key []byte
		var ok bool
		if a.Is4() {
			b := a.As4()
			key, ok = t.KeyIP(kb[:0], b[:])
		} else {
			b := a.As16()
			key, ok = t.KeyIP(kb[:0], b[:])
		}
		if !ok {
			return false
		}
		if c.op == opInc {
			e, _ = t.Get(key, now)
		} else {
			e = t.Lookup(key, now)
		}
		release = e != nil
	} else {
		if f.num < 0 || f.num >= MaxTrackers {
			if c.op == opTracked {
				v.setBool(false)
				return true
			}
			return false
		}
		t, e = s.Tracked(int(f.num))
		if c.op == opTracked {
			v.setBool(e != nil)
			return true
		}
		if e == nil {
			return false
		}
		if f.table != "" {
			other := s.StickTable(f.table)
			if other == nil {
				return false
			}
			if other != t {
				var kb [64]byte
				t, e = other, other.Lookup(append(kb[:0], e.Key()...), now)
				release = e != nil
			}
		}
	}
	if e == nil {
		if _, stored := t.Stores(c.data); !stored {
			return false
		}
		v.setInt(0)
		return true
	}
	if release {
		defer t.Release(e)
	}
	if c.op == opInc {
		_, a := t.Stores(c.data)
		_, b := t.Stores(c.incs)
		if !a && !b {
			return false
		}
		t.Add(e, c.incs, 1, now)
		t.Add(e, c.data, 1, now)
		n, _ := t.Value(e, c.data, now)
		v.setInt(n)
		return true
	}
	n, ok := t.Value(e, c.data, now)
	if !ok {
		return false
	}
	v.setInt(n)
	return true
}

// TableRef is a table a rule names: the table of a track-sc action or
// the table argument of a counter fetch. Name is empty for the rule's own
// proxy's table.
type TableRef struct {
	Name    string
	Slot    int    // track-sc<Slot>; -1 for a fetch
	Keyword string // the fetch keyword
	Arg     int    // the fetch argument naming the table (1-based)
	InACL   bool   // the fetch is the criterion of an ACL (or a track-sc key)
}

// TableRefs calls visit for every table r names, in its action and its
// condition, so that the configuration can check them once every proxy
// is known.
func (r *Rule) TableRefs(visit func(TableRef)) {
	if r.Action == ActTrackSC {
		visit(TableRef{Name: r.Table, Slot: r.Slot})
	}
	if r.Expr != nil {
		// HAProxy names the key of a track-sc action an ACL keyword.
		r.Expr.tableRefs(r.Action == ActTrackSC, visit)
	}
	r.Cond.TableRefs(visit)
}

// TableRefs calls visit for the tables the counter fetches of c name.
func (c *Cond) TableRefs(visit func(TableRef)) {
	if c == nil {
		return
	}
	for _, suite := range c.suites {
		for _, t := range suite {
			for _, e := range t.acl.exprs {
				e.expr.tableRefs(true, visit)
			}
		}
	}
}

func (e *Expr) tableRefs(inACL bool, visit func(TableRef)) {
	if e.f.def.kind != fkCounter {
		return
	}
	switch {
	case e.f.def.slot == srcSlot:
		visit(TableRef{Name: e.f.table, Slot: -1, Keyword: e.f.def.name, Arg: 1, InACL: inACL})
	case e.f.table == "":
		// A tracked counter without a table argument reads the table
		// the entry was tracked in.
	case e.f.def.slot == -1:
		visit(TableRef{Name: e.f.table, Slot: -1, Keyword: e.f.def.name, Arg: 2, InACL: inACL})
	default:
		visit(TableRef{Name: e.f.table, Slot: -1, Keyword: e.f.def.name, Arg: 1, InACL: inACL})
	}
}

// parseTrackSC parses "track-sc<N> <expr> [table <name>]" from words
// (words[0] is the action).
func parseTrackSC(r *Rule, words []string) (int, *perr) {
	act := words[0]
	num := strings.TrimPrefix(act, "track-sc")
	n := 0
	if num != "" {
		// As HAProxy's strtol: digits only, no sign.
		v, err := strconv.Atoi(num)
		if err != nil || num[0] == '+' || num[0] == '-' {
			return 0, reason("Wrong track-sc number '" + num + "'")
		}
		n = v
	}
	if n >= MaxTrackers {
		return 0, reason(strconv.Itoa(n) + " track-sc number exceeding " + strconv.Itoa(MaxTrackers-1) + " (MAX_SESS_STKCTR-1) value")
	}
	r.Action, r.Slot = ActTrackSC, n
	text := ""
	if len(words) > 1 {
		text = words[1]
	}
	e, _, err := parseExprAt(text, 0, modeWord, nil)
	if err != nil {
		return 0, err
	}
	r.Expr = e
	i := 2
	if i < len(words) && words[i] == "table" {
		if i+1 >= len(words) || words[i+1] == "" {
			return 0, reason("missing table name")
		}
		r.Table = words[i+1]
		i += 2
	}
	return i, nil
}
