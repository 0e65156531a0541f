package h1

import (
	"strings"
	"testing"
)

type chunkedCase struct {
	name string
	body string
	n    int   // bytes of the message; -1: all of body
	done bool  // false with a nil err: incomplete
	err  error // nil: no error
}

var chunkedCases = []chunkedCase{
	{"one chunk", "5\r\nhello\r\n0\r\n\r\n", -1, true, nil},
	{"two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", -1, true, nil},
	{"empty body", "0\r\n\r\n", -1, true, nil},
	{"next message follows", "5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n", 15, true, nil},
	{"upper-case hex", "A\r\n0123456789\r\n0\r\n\r\n", -1, true, nil},
	{"leading zeros", "0005\r\nhello\r\n0000\r\n\r\n", -1, true, nil},
	{"16 digits", "0000000000000005\r\nhello\r\n0\r\n\r\n", -1, true, nil},
	{"17 digits", "00000000000000005\r\nhello\r\n0\r\n\r\n", 16, false, ErrChunkSize},
	{"17 f", "fffffffffffffffff\r\n", 16, false, ErrChunkSize},
	{"int64 max", "7fffffffffffffff\r\nabc", -1, false, nil},
	{"int64 overflow", "8000000000000000\r\n", 16, false, ErrChunkSize},
	{"negative", "-1\r\nhello\r\n0\r\n\r\n", 0, false, ErrChunkSize},
	{"0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", 1, false, ErrChunkSize},
	{"leading space", " 5\r\nhello\r\n0\r\n\r\n", 0, false, ErrChunkSize},
	{"trailing space", "5 \r\nhello\r\n0\r\n\r\n", 2, false, ErrChunkSize},
	{"trailing tab", "5\t\r\nhello\r\n0\r\n\r\n", 2, false, ErrChunkSize},
	{"not hex", "g\r\nhello\r\n0\r\n\r\n", 0, false, ErrChunkSize},
	{"empty size line", "\r\n5\r\nhello\r\n0\r\n\r\n", 0, false, ErrChunkSize},
	{"NUL after size", "5\x00\r\nhello\r\n0\r\n\r\n", 1, false, ErrChunkSize},
	{"bare CR after size", "5\rhello\r\n0\r\n\r\n", 2, false, ErrChunkSize},
	{"bare LF after size", "5\nhello\r\n0\r\n\r\n", -1, true, nil},
	{"all bare LF lines", "5\nhello\r\n0\n\n", -1, true, nil},
	{"extension", "5;a=b\r\nhello\r\n0\r\n\r\n", -1, true, nil},
	{"extension without value", "5;a\r\nhello\r\n0;b\r\n\r\n", -1, true, nil},
	{"extensions", "5;a=b;c;d=e\r\nhello\r\n0\r\n\r\n", -1, true, nil},
	{"extension BWS", "5 ; a = b ;c\r\nhello\r\n0\r\n\r\n", -1, true, nil},
	{"extension quoted", "5;a=\"b c\\\"d\"\r\nhello\r\n0\r\n\r\n", -1, true, nil},
	{"extension quoted then more", "5;a=\"b\" ;c=d\r\nhello\r\n0\r\n\r\n", -1, true, nil},
	{"extension quoted then token", "5;a=\"b\"c\r\nhello\r\n0\r\n\r\n", 7, false, ErrChunkExt},
	{"extension empty name", "5;\r\nhello\r\n0\r\n\r\n", 2, false, ErrChunkExt},
	{"extension empty value", "5;a=\r\nhello\r\n0\r\n\r\n", 4, false, ErrChunkExt},
	{"extension NUL", "5;a\x00\r\nhello\r\n0\r\n\r\n", 3, false, ErrChunkExt},
	{"extension VT", "5;a\x0bb\r\nhello\r\n0\r\n\r\n", 3, false, ErrChunkExt},
	{"extension bare CR", "5;a\rb\r\nhello\r\n0\r\n\r\n", 4, false, ErrChunkSize},
	{"extension trailing space", "5;a \r\nhello\r\n0\r\n\r\n", 4, false, ErrChunkExt},
	{"extension unterminated quote", "5;a=\"b\r\nhello", 6, false, ErrChunkExt},
	{"extension too long", "5;a=" + strings.Repeat("b", MaxChunkLine) + "\r\nhello\r\n0\r\n\r\n", MaxChunkLine + 2, false, ErrChunkLineTooLong},
	{"extension at the limit", "5;a=" + strings.Repeat("b", MaxChunkLine-4) + "\r\nhello\r\n0\r\n\r\n", -1, true, nil},
	{"data too long", "5\r\nhelloX\r\n0\r\n\r\n", 8, false, ErrChunkCRLF},
	{"data too short", "5\r\nhell\r\n0\r\n\r\n", 8, false, ErrChunkCRLF},
	{"data then bare LF", "5\r\nhello\n0\r\n\r\n", 8, false, ErrChunkCRLF},
	{"data then bare CR", "5\r\nhello\r0\r\n\r\n", 9, false, ErrChunkCRLF},
	{"trailer", "5\r\nhello\r\n0\r\nX: y\r\nZ:\r\n\r\n", -1, true, nil},
	{"trailer bare LF", "5\r\nhello\r\n0\r\nX: y\n\n", -1, true, nil},
	{"last chunk bare LF then CRLF", "5\r\nhello\r\n0\n\r\n", -1, true, nil},
	{"trailer space before colon", "5\r\nhello\r\n0\r\nX : y\r\n\r\n", 14, false, ErrTrailer},
	{"trailer NUL", "5\r\nhello\r\n0\r\nX: y\x00\r\n\r\n", 17, false, ErrTrailer},
	{"trailer obs-fold", "5\r\nhello\r\n0\r\nX: y\r\n z\r\n\r\n", 19, false, ErrTrailer},
	{"trailer no colon", "5\r\nhello\r\n0\r\nXy\r\n\r\n", 15, false, ErrTrailer},
	{"trailer empty name", "5\r\nhello\r\n0\r\n: y\r\n\r\n", 13, false, ErrTrailer},
	{"trailer CTL name", "5\r\nhello\r\n0\r\n\x0bX: y\r\n\r\n", 13, false, ErrTrailer},
	{"trailer bare CR", "5\r\nhello\r\n0\r\nX: a\rb\r\n\r\n", 18, false, ErrTrailer},
	{"final CR CR", "5\r\nhello\r\n0\r\n\r\r\n", 14, false, ErrTrailer},
	{"last chunk CR CR", "5\r\nhello\r\n0\r\r\n\r\n", 12, false, ErrChunkSize},
	{"incomplete size", "5", -1, false, nil},
	{"incomplete data", "5\r\nhel", -1, false, nil},
	{"incomplete trailer", "0\r\nX: y\r\n", -1, false, nil},
}

func TestChunkedScan(t *testing.T) {
	for _, tc := range chunkedCases {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.n
			if want < 0 {
				want = len(tc.body)
			}
			var c Chunked
			n, done, err := c.Scan([]byte(tc.body))
			if n != want || done != tc.done || err != tc.err {
				t.Fatalf("Scan(%q) = %d, %v, %s; want %d, %v, %s", tc.body, n, done, errName(err), want, tc.done, errName(tc.err))
			}
			if done != c.Done() {
				t.Errorf("Done() = %v", c.Done())
			}
			// Byte by byte gives the same result.
			var b Chunked
			total, bdone := 0, false
			var berr error
			for i := 0; i < len(tc.body) && !bdone && berr == nil; i++ {
				var k int
				k, bdone, berr = b.Scan([]byte{tc.body[i]})
				total += k
			}
			if total != want || bdone != tc.done || berr != tc.err {
				t.Errorf("byte by byte: %d, %v, %s", total, bdone, errName(berr))
			}
			if tc.err != nil {
				if n, _, err := c.Scan([]byte("0\r\n\r\n")); n != 0 || err != tc.err {
					t.Errorf("error not sticky: %d, %s", n, errName(err))
				}
			}
		})
	}
}

func TestChunkedReset(t *testing.T) {
	var c Chunked
	if _, _, err := c.Scan([]byte("x")); err != ErrChunkSize {
		t.Fatal(errName(err))
	}
	c.Reset()
	n, done, err := c.Scan([]byte("0\r\n\r\n"))
	if n != 5 || !done || err != nil {
		t.Fatalf("after Reset: %d %v %s", n, done, errName(err))
	}
	if n, done, err := c.Scan([]byte("more")); n != 0 || !done || err != nil {
		t.Fatalf("after done: %d %v %s", n, done, errName(err))
	}
}

func TestChunkedTrailerLimits(t *testing.T) {
	var c Chunked
	body := "0\r\n" + strings.Repeat("X: y\r\n", MaxHeaders-1) + "\r\n"
	if n, done, err := c.Scan([]byte(body)); n != len(body) || !done || err != nil {
		t.Fatalf("%d trailer fields: %d %v %s", MaxHeaders-1, n, done, errName(err))
	}
	c.Reset()
	body = "0\r\n" + strings.Repeat("X: y\r\n", MaxHeaders) + "\r\n"
	if _, _, err := c.Scan([]byte(body)); err != ErrTrailer {
		t.Fatalf("%d trailer fields: %s", MaxHeaders, errName(err))
	}
	c.Reset()
	body = "0\r\nX: " + strings.Repeat("y", MaxTrailers) + "\r\n\r\n"
	if _, _, err := c.Scan([]byte(body)); err != ErrTrailersTooLarge {
		t.Fatalf("large trailer: %s", errName(err))
	}
}

// TestChunkedLargeData checks that data is skipped in one step, whatever
// its size, and that the size line may be split.
func TestChunkedLargeData(t *testing.T) {
	var c Chunked
	parts := []string{"1", "0000", "0\r", "\n"}
	for _, p := range parts {
		if n, done, err := c.Scan([]byte(p)); n != len(p) || done || err != nil {
			t.Fatalf("Scan(%q) = %d %v %s", p, n, done, errName(err))
		}
	}
	data := make([]byte, 0x100000+2+5)
	copy(data[0x100000:], "\r\n0\r\n")
	n, done, err := c.Scan(data[:0x100000+5])
	if n != 0x100000+5 || done || err != nil {
		t.Fatalf("data: %d %v %s", n, done, errName(err))
	}
	if n, done, err := c.Scan([]byte("\r\nnext")); n != 2 || !done || err != nil {
		t.Fatalf("end: %d %v %s", n, done, errName(err))
	}
}
