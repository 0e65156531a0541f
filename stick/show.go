package stick

import "strconv"

// AppendHeader appends the "show table" line that describes the table,
// without its newline.
func (t *Table) AppendHeader(dst []byte) []byte {
	dst = append(dst, "# table: "...)
	dst = append(dst, t.name...)
	dst = append(dst, ", type: "...)
	dst = append(dst, t.keyType.String()...)
	dst = append(dst, ", size:"...)
	dst = strconv.AppendInt(dst, int64(t.size), 10)
	dst = append(dst, ", used:"...)
	dst = strconv.AppendInt(dst, t.used.Load(), 10)
	return dst
}

// AppendEntry appends the "show table" line of entry sn, without its
// newline: id, key, references, milliseconds left, then every stored data
// type in the fixed order of [DataType].
func (t *Table) AppendEntry(dst []byte, sn *Snapshot) []byte {
	dst = append(dst, "0x"...)
	dst = strconv.AppendUint(dst, sn.ID, 16)
	dst = append(dst, ": key="...)
	dst = t.AppendKey(dst, sn.Key)
	dst = append(dst, " use="...)
	dst = strconv.AppendInt(dst, int64(sn.Use), 10)
	dst = append(dst, " exp="...)
	dst = strconv.AppendInt(dst, sn.Exp, 10)
	for d := DataType(0); d < NumDataTypes; d++ {
		if t.off[d] < 0 {
			continue
		}
		dst = append(dst, ' ')
		dst = append(dst, dataInfo[d].name...)
		if d.IsRate() {
			dst = append(dst, '(')
			dst = strconv.AppendInt(dst, t.period[d], 10)
			dst = append(dst, ')')
		}
		dst = append(dst, '=')
		if d == ServerKey {
			if sn.ServerKey == "" {
				dst = append(dst, '-')
			} else {
				dst = append(dst, sn.ServerKey...)
			}
			continue
		}
		dst = strconv.AppendInt(dst, sn.Vals[d], 10)
	}
	return dst
}
