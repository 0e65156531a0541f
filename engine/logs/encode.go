package logs

// Byte classes of the encodings HAProxy applies to logged strings.
const (
	encURL uint8 = 1 << iota // %r and %H*: '"', '#', controls and bytes >= 127 become "#XX"
	encHdr                   // captures: the same plus '{', '|' and '}'
	escSD                    // +E: '"', '\' and ']' get a backslash (RFC 5424 PARAM-VALUE)
)

var byteClass = func() (t [256]uint8) {
	for c := range 256 {
		if c < 32 || c >= 127 {
			t[c] |= encURL | encHdr
		}
	}
	for _, c := range []byte{'"', '#'} {
		t[c] |= encURL | encHdr
	}
	for _, c := range []byte{'{', '|', '}'} {
		t[c] |= encHdr
	}
	for _, c := range []byte{'"', '\\', ']'} {
		t[c] |= escSD
	}
	return t
}()

const hexUpper = "0123456789ABCDEF"

// appendEncoded prints src with the bytes of class enc as "#XX" and,
// under esc, a backslash before '"', '\' and ']' that are not encoded.
func appendEncoded(dst, src []byte, enc uint8, esc bool) []byte {
	mask := enc
	if esc {
		mask |= escSD
	}
	start := 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		cl := byteClass[c]
		if cl&mask == 0 {
			continue
		}
		dst = append(dst, src[start:i]...)
		start = i + 1
		if cl&enc != 0 {
			dst = append(dst, '#', hexUpper[c>>4], hexUpper[c&15])
		} else {
			dst = append(dst, '\\', c)
		}
	}
	return append(dst, src[start:]...)
}

// appendCaptures prints %hr/%hs ("{a|b}", quoted as a whole under +Q) or
// %hrl/%hsl ("a b", each quoted under +Q, "-" for a header not seen).
func appendCaptures(dst []byte, caps [][]byte, o uint8, list bool) []byte {
	q := o&optQuote != 0
	esc := o&optEsc != 0
	if list {
		for i, c := range caps {
			if i > 0 {
				dst = append(dst, ' ')
			}
			if q {
				dst = append(dst, '"')
			}
			if c != nil {
				dst = appendEncoded(dst, c, encHdr, esc)
			} else if !q {
				dst = append(dst, '-')
			}
			if q {
				dst = append(dst, '"')
			}
		}
		return dst
	}
	if q {
		dst = append(dst, '"')
	}
	dst = append(dst, '{')
	for i, c := range caps {
		if i > 0 {
			dst = append(dst, '|')
		}
		dst = appendEncoded(dst, c, encHdr, esc)
	}
	dst = append(dst, '}')
	if q {
		dst = append(dst, '"')
	}
	return dst
}

// appendHex prints v in uppercase hexadecimal, left-padded with zeros to
// at least digits digits.
func appendHex(dst []byte, v uint64, digits int) []byte {
	n := 1
	for x := v >> 4; x != 0; x >>= 4 {
		n++
	}
	n = max(n, digits)
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, hexUpper[(v>>(4*uint(i)))&15])
	}
	return dst
}

func appendHexBytes(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexUpper[c>>4], hexUpper[c&15])
	}
	return dst
}
