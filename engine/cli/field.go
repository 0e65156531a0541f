package cli

import "strconv"

// fieldType is the type of one statistics value, as HAProxy names it in
// typed and JSON output. The zero value is an empty field: printed as an
// empty CSV cell, and left out of typed, JSON and show info output.
type fieldType uint8

const (
	ftEmpty fieldType = iota
	ftU32
	ftU64
	ftS32
	ftStr
)

func (t fieldType) String() string {
	switch t {
	case ftU32:
		return "u32"
	case ftU64:
		return "u64"
	case ftS32:
		return "s32"
	case ftStr:
		return "str"
	}
	return "empty"
}

// tags are HAProxy's three field tags (origin, nature, scope), one letter
// each, e.g. "MCP": metric, counter, process.
type tags string

// field is one value of a statistics line, typed as HAProxy types it.
type field struct {
	typ  fieldType
	tags tags
	u    uint64 // ftU32, ftU64 (ftU32 values are truncated to 32 bits)
	i    int64  // ftS32
	s    string // ftStr
}

func u32f(t tags, v uint64) field { return field{typ: ftU32, tags: t, u: v & 0xffffffff} }
func u64f(t tags, v uint64) field { return field{typ: ftU64, tags: t, u: v} }
func s32f(t tags, v int64) field  { return field{typ: ftS32, tags: t, i: int64(int32(v))} }
func strf(t tags, v string) field { return field{typ: ftStr, tags: t, s: v} }

// appendRaw appends the value as typed output prints it: numbers in
// decimal, strings as they are.
func (f *field) appendRaw(b []byte) []byte {
	switch f.typ {
	case ftU32, ftU64:
		return strconv.AppendUint(b, f.u, 10)
	case ftS32:
		return strconv.AppendInt(b, f.i, 10)
	case ftStr:
		return append(b, f.s...)
	}
	return b
}

// appendCSV appends the value as CSV output prints it: strings holding a
// comma or a double quote are quoted, inner quotes doubled.
func (f *field) appendCSV(b []byte) []byte {
	if f.typ != ftStr {
		return f.appendRaw(b)
	}
	return appendCSVString(b, f.s)
}

func appendCSVString(b []byte, s string) []byte {
	quote := false
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == '"' {
			quote = true
			break
		}
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// appendJSON appends the value as {"type":"u32","value":1}.
//
// HAProxy 2.6 copies strings into JSON without escaping them, which breaks
// the document when a string holds a quote or a backslash; we escape them
// (identical output for every other string).
func (f *field) appendJSON(b []byte) []byte {
	b = append(b, `{"type":"`...)
	b = append(b, f.typ.String()...)
	b = append(b, `","value":`...)
	if f.typ == ftStr {
		b = appendJSONString(b, f.s)
	} else {
		b = f.appendRaw(b)
	}
	return append(b, '}')
}

func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// appendJSONTags appends "tags":{"origin":"Metric","nature":"Counter","scope":"Process"}.
func appendJSONTags(b []byte, t tags) []byte {
	b = append(b, `"tags":{"origin":"`...)
	b = append(b, tagWord(t, 0)...)
	b = append(b, `","nature":"`...)
	b = append(b, tagWord(t, 1)...)
	b = append(b, `","scope":"`...)
	b = append(b, tagWord(t, 2)...)
	return append(b, `"}`...)
}

// tagWord spells out tag letter i (0 origin, 1 nature, 2 scope).
func tagWord(t tags, i int) string {
	if len(t) != 3 {
		return "Unknown"
	}
	c := t[i]
	switch i {
	case 0:
		switch c {
		case 'M':
			return "Metric"
		case 'S':
			return "Status"
		case 'K':
			return "Key"
		case 'C':
			return "Config"
		case 'P':
			return "Product"
		}
	case 1:
		switch c {
		case 'G':
			return "Gauge"
		case 'L':
			return "Limit"
		case 'm':
			return "Min"
		case 'M':
			return "Max"
		case 'R':
			return "Rate"
		case 'C':
			return "Counter"
		case 'D':
			return "Duration"
		case 'A':
			return "Age"
		case 'T':
			return "Time"
		case 'N':
			return "Name"
		case 'O':
			return "Output"
		case 'a':
			return "Avg"
		}
	case 2:
		switch c {
		case 'C':
			return "Cluster"
		case 'P':
			return "Process"
		case 'S':
			return "Service"
		case 's':
			return "System"
		}
	}
	return "Unknown"
}

// appendDesc appends the ":"<desc>"" suffix of typed and plain output in
// desc mode.
func appendDesc(b []byte, desc string) []byte {
	b = append(b, ':', '"')
	b = append(b, desc...)
	return append(b, '"')
}
