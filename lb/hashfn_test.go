package lb

import "testing"

// The sdbm, djb2 and avalanche values were computed independently from the
// formulas; crc32 is the standard check value. wt6 and all four functions
// in context are also checked against haproxy itself in golden_test.go.
func TestHash(t *testing.T) {
	tests := []struct {
		fn   string
		in   string
		want uint32
	}{
		{"sdbm", "", 0},
		{"sdbm", "a", 0x61},
		{"sdbm", "/index.html", 0x33242976},
		{"sdbm", "\xff\x80\x01", 0x7e119100}, // bytes are unsigned
		{"", "/index.html", 0x33242976},      // sdbm is the default
		{"unknown", "/index.html", 0x33242976},
		{"djb2", "", 5381},
		{"djb2", "a", 0x2b606},
		{"djb2", "/index.html", 0xe114b9cf},
		{"djb2", "\xff\x80\x01", 0x0b8b0025},
		{"crc32", "123456789", 0xcbf43926},
		{"crc32", "", 0},
		{"wt6", "", 0xa53c965a ^ 0x5ca6953a},
		{"none", "", 0},
		{"none", "42", 42},
		{"none", "+42", 42},
		{"none", "-1", 0xffffffff},
		{"none", "12abc", 12},
		{"none", "abc", 0},
		{"none", "4294967297", 1},                       // low 32 bits
		{"none", "99999999999999999999999", 0xffffffff}, // clamped to 2^63-1
		{"none", "-99999999999999999999999", 0},         // clamped to -2^63
	}
	for _, tt := range tests {
		if got := Hash(tt.fn, []byte(tt.in)); got != tt.want {
			t.Errorf("Hash(%q, %q) = %#x, want %#x", tt.fn, tt.in, got, tt.want)
		}
	}
}

func TestAvalanche(t *testing.T) {
	for in, want := range map[uint32]uint32{0: 0xab4ed927, 1: 0x348681b6, 4096: 0x49c2008b, 0xffffffff: 0x7e64c182} {
		if got := Avalanche(in); got != want {
			t.Errorf("Avalanche(%#x) = %#x, want %#x", in, got, want)
		}
	}
}

func TestRotl(t *testing.T) {
	for _, r := range []uint32{0, 1, 6, 18, 31} {
		x := uint32(0x80000001)
		want := x<<r | x>>(32-r) // Go: x>>32 is 0, so r=0 gives x
		if got := rotl(x, r); got != want {
			t.Errorf("rotl(%#x, %d) = %#x, want %#x", x, r, got, want)
		}
	}
}

func TestHashAllocs(t *testing.T) {
	data := []byte("/some/path/to/hash?with=query")
	for _, fn := range []string{"sdbm", "djb2", "wt6", "crc32", "none"} {
		if n := testing.AllocsPerRun(100, func() { Hash(fn, data) }); n != 0 {
			t.Errorf("Hash(%s) allocates %v times", fn, n)
		}
	}
}

func BenchmarkHash(b *testing.B) {
	data := []byte("/static/images/2024/header-background.png")
	for _, fn := range []string{"sdbm", "djb2", "wt6", "crc32"} {
		b.Run(fn, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				Hash(fn, data)
			}
		})
	}
}
