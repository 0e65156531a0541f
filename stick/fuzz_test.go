package stick

import (
	"bytes"
	"testing"
)

// FuzzParseKey checks that any text either is refused or gives a key of
// the table's size whose printed form parses back to the same key (ip,
// ipv6, integer), and never panics.
func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "::1", "::ffff:10.0.0.1", "42", "-1", "4294967296", "abc", "0102", "", "fe80::1%eth0"} {
		f.Add(s)
	}
	var tables []*Table
	for _, s := range []Spec{{Type: KeyIPv4}, {Type: KeyIPv6}, {Type: KeyInteger}, {Type: KeyString, KeyLen: 4}, {Type: KeyBinary, KeyLen: 4}} {
		s.Size = 1
		tb, err := New("t", s)
		if err != nil {
			f.Fatal(err)
		}
		tables = append(tables, tb)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tb := range tables {
			k, err := tb.ParseKey(nil, s)
			if err != nil {
				continue
			}
			if tb.keyType != KeyString && len(k) != tb.keyLen || len(k) > tb.keyLen {
				t.Fatalf("%v %q: key of %d bytes", tb.keyType, s, len(k))
			}
			text := tb.AppendKey(nil, k)
			switch tb.keyType {
			case KeyIPv4, KeyIPv6, KeyInteger, KeyBinary:
				k2, err := tb.ParseKey(nil, string(text))
				if err != nil || !bytes.Equal(k, k2) {
					t.Fatalf("%v %q: key %x prints %q, parses back to %x (%v)", tb.keyType, s, k, text, k2, err)
				}
			}
		}
	})
}
