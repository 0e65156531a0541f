package cli

import (
	"bytes"
	"sort"
	"strconv"
	"strings"

	"hitless/engine/config"
	"hitless/stick"
)

// The stick-table commands of HAProxy 2.6 (src/stick_table.c): show
// table, clear table and set table. Answers and errors are HAProxy's.
//
// Deliberate differences: entries are identified by a per-table serial
// number where HAProxy prints a pointer; "set table <t>" without "key",
// which in HAProxy 2.6 clears the table, answers with the usage of set
// table. As in HAProxy, text that is not an IPv4 address is the key
// 0.0.0.0 of an ip table.

// TableSource is implemented by an [Admin] that has stick tables; the
// table commands are registered only then. Its methods are safe for
// concurrent use.
type TableSource interface {
	// StickTables returns the tables in the order "show table" lists
	// them. The slice must not be modified.
	StickTables() []*stick.Table
	// StickNow returns the current date of the tables' clock, in
	// milliseconds.
	StickNow() int64
}

func tableCommands() []Command {
	return []Command{
		{Words: []string{"clear", "table"}, Run: runClearTable,
			Usage: "clear table <table> [<filter>]*", Help: "remove an entry from a table (filter: data/key)"},
		{Words: []string{"set", "table"}, Level: config.LevelOperator, Run: runSetTable,
			Usage: "set table <table> key <k> [data.* <v>]*", Help: "update or create a table entry's data"},
		{Words: []string{"show", "table"}, Run: runShowTable,
			Usage: "show table <table> [<filter>]*", Help: "report table usage stats or dump this table's contents (filter: data/key)"},
	}
}

// maxTableFilters is HAProxy's limit of data filters per command.
const maxTableFilters = 4

type tableFilter struct {
	d  stick.DataType
	op string
	v  int64
}

func (f *tableFilter) match(sn *stick.Snapshot) bool {
	if f.d.IsString() {
		return false // HAProxy compares numbers only: server_key never matches
	}
	v := sn.Vals[f.d]
	switch f.op {
	case "eq":
		return v == f.v
	case "ne":
		return v != f.v
	case "le":
		return v <= f.v
	case "ge":
		return v >= f.v
	case "lt":
		return v < f.v
	}
	return v > f.v
}

func findTable(s *Session, name string) (*stick.Table, TableSource) {
	ts, _ := s.srv.admin.(TableSource)
	if ts == nil {
		return nil, nil
	}
	for _, t := range ts.StickTables() {
		if t.Name() == name {
			return t, ts
		}
	}
	return nil, ts
}

// parseTableFilters reads "data.<type> <op> <value>" triplets from
// args[i:], returning HAProxy's message on error.
func parseTableFilters(t *stick.Table, args []string, i int) ([]tableFilter, string) {
	var fs []tableFilter
	for n := 1; i < len(args) && args[i] != ""; n++ {
		pre := "Filter entry #" + strconv.Itoa(n) + ": "
		if n > maxTableFilters {
			return nil, "Too many filters\n"
		}
		name, ok := strings.CutPrefix(args[i], "data.")
		d, known := stick.ParseDataType(name)
		if !ok || !known {
			return nil, pre + "Unknown data type\n"
		}
		if _, stored := t.Stores(d); !stored {
			return nil, pre + "Data type not stored in this table\n"
		}
		op := arg(args, i+1)
		switch op {
		case "eq", "ne", "le", "ge", "lt", "gt":
		default:
			return nil, pre + "Require and operator among \"eq\", \"ne\", \"le\", \"ge\", \"lt\", \"gt\"\n"
		}
		v, err := strconv.ParseInt(arg(args, i+2), 10, 64)
		if err != nil {
			return nil, pre + "Require a valid integer value to compare against\n"
		}
		fs = append(fs, tableFilter{d: d, op: op, v: v})
		i += 3
	}
	return fs, ""
}

// tableKey parses the key of a "key <k>" argument. ok is false when the
// command must stop; msg is then what to answer (maybe nothing).
// binMsg is HAProxy's answer for a binary table, whose keys the commands
// do not take.
func tableKey(t *stick.Table, k, binMsg string) (key []byte, msg string, ok bool) {
	if k == "" {
		return nil, "Key value expected\n", false
	}
	if t.KeyType() == stick.KeyInteger {
		// strtoul: the leading digits.
		n := 0
		for n < len(k) && k[n] >= '0' && k[n] <= '9' {
			n++
		}
		if n == 0 {
			return nil, "Invalid key\n", false
		}
		k = k[:n]
	}
	if t.KeyType() == stick.KeyBinary {
		return nil, binMsg + " tables of type other than ip, ipv6, string and integer is not supported\n", false
	}
	key, err := t.ParseKey(nil, k)
	switch {
	case err == nil:
		return key, "", true
	case t.KeyType() == stick.KeyIPv4:
		// HAProxy 2.6 keys any text that is not an IPv4 address as
		// 0.0.0.0.
		return []byte{0, 0, 0, 0}, "", true
	}
	return nil, "Invalid key\n", false
}

func runShowTable(s *Session, args []string, _ []byte) error {
	name := arg(args, 2)
	if name == "" {
		ts, _ := s.srv.admin.(TableSource)
		if ts == nil {
			return nil
		}
		var b []byte
		for _, t := range ts.StickTables() {
			b = append(t.AppendHeader(b[:0]), '\n')
			s.Write(b)
		}
		return nil
	}
	t, ts := findTable(s, name)
	if t == nil {
		s.WriteString("No such table\n")
		return nil
	}
	now := ts.StickNow()
	var key []byte
	var fs []tableFilter
	switch a := arg(args, 3); {
	case a == "key":
		var msg string
		var ok bool
		if key, msg, ok = tableKey(t, arg(args, 4), "Showing keys from"); !ok {
			s.WriteString(msg)
			return nil
		}
	case strings.HasPrefix(a, "data."):
		var msg string
		if fs, msg = parseTableFilters(t, args, 3); msg != "" {
			s.WriteString(msg)
			return nil
		}
	case a != "":
		s.WriteString("Optional argument only supports \"data.<store_data_type>\" <operator> <value> and key <key>\n")
		return nil
	}
	t.ExpireEntries(now, t.Size())
	var sn stick.Snapshot
	if key != nil && !t.LookupSnapshot(key, now, &sn) {
		return nil // HAProxy prints nothing, not even the header
	}
	b := append(t.AppendHeader(nil), '\n')
	s.Write(b)
	if s.Level() < config.LevelOperator {
		s.WriteString("# contents not dumped due to insufficient privileges\n")
		return nil
	}
	write := func(sn *stick.Snapshot) bool {
		for i := range fs {
			if !fs[i].match(sn) {
				return true
			}
		}
		b = append(t.AppendEntry(b[:0], sn), '\n')
		s.Write(b)
		return true
	}
	if key != nil {
		write(&sn)
		return nil
	}
	// HAProxy lists entries in the order of its key tree: by key bytes.
	var list []stick.Snapshot
	t.Walk(now, func(sn *stick.Snapshot) bool {
		list = append(list, *sn)
		return true
	})
	sort.Slice(list, func(i, j int) bool { return bytes.Compare(list[i].Key, list[j].Key) < 0 })
	for i := range list {
		write(&list[i])
	}
	return nil
}

func runClearTable(s *Session, args []string, _ []byte) error {
	const usage = "Required arguments: <table> \"data.<store_data_type>\" <operator> <value> or <table> key <key>\n"
	name := arg(args, 2)
	if name == "" {
		s.WriteString(usage)
		return nil
	}
	t, ts := findTable(s, name)
	if t == nil {
		s.WriteString("No such table\n")
		return nil
	}
	now := ts.StickNow()
	switch a := arg(args, 3); {
	case a == "key":
		key, msg, ok := tableKey(t, arg(args, 4), "Removing keys from")
		if !ok {
			s.WriteString(msg)
			return nil
		}
		if s.Level() < config.LevelOperator {
			s.WriteString("Permission denied\n")
			return nil
		}
		t.Delete(key)
	case strings.HasPrefix(a, "data."):
		fs, msg := parseTableFilters(t, args, 3)
		if msg != "" {
			s.WriteString(msg)
			return nil
		}
		if s.Level() >= config.LevelOperator {
			t.Clear(now, func(sn *stick.Snapshot) bool {
				for i := range fs {
					if !fs[i].match(sn) {
						return false
					}
				}
				return true
			})
		}
	case a != "":
		s.WriteString(usage)
	default:
		if s.Level() >= config.LevelOperator {
			t.Clear(now, nil)
		}
	}
	return nil
}

func runSetTable(s *Session, args []string, _ []byte) error {
	name := arg(args, 2)
	t, ts := findTable(s, name)
	if name != "" && t == nil {
		s.WriteString("No such table\n")
		return nil
	}
	if t == nil || arg(args, 3) != "key" {
		s.WriteString("Required arguments: <table> key <key> [data.<store_data_type> <value>]*\n")
		return nil
	}
	key, msg, ok := tableKey(t, arg(args, 4), "Inserting keys into")
	if !ok {
		s.WriteString(msg)
		return nil
	}
	now := ts.StickNow()
	e, err := t.Get(key, now)
	if err != nil {
		s.WriteString("Unable to allocate a new entry\n")
		return nil
	}
	defer t.Release(e)
	t.Touch(e, now)
	// As in HAProxy, the entry exists from here on, and the data
	// arguments apply in order until the first bad one.
	for i := 5; i < len(args) && args[i] != ""; i += 2 {
		dname, isData := strings.CutPrefix(args[i], "data.")
		if !isData {
			s.WriteString("\"data.<type>\" followed by a value expected\n")
			return nil
		}
		d, known := stick.ParseDataType(dname)
		if !known {
			s.WriteString("Unknown data type\n")
			return nil
		}
		if _, stored := t.Stores(d); !stored {
			s.WriteString("Data type not stored in this table\n")
			return nil
		}
		v, err := strconv.ParseInt(arg(args, i+1), 10, 64)
		if err != nil || d.IsString() {
			s.WriteString("Require a valid integer value to store\n")
			return nil
		}
		t.SetValue(e, d, v, now)
	}
	return nil
}
