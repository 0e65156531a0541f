package h1

// Character classes, one bit each in charClass.
const (
	isToken  = 1 << iota // tchar (RFC 9110 section 5.6.2)
	isValue              // field-vchar, SP or HTAB (RFC 9110 section 5.5); no CTL, no DEL
	isTarget             // request-target byte: visible ASCII except '#'
	isHost               // uri-host and port bytes (RFC 3986), without ','
	isQText              // qdtext of a quoted-string, without '\\'
)

var charClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		alnum := b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
		if alnum || b != 0 && b < 0x80 && contains("!#$%&'*+-.^_`|~", b) {
			t[c] |= isToken
		}
		if b == '\t' || b >= 0x20 && b != 0x7f {
			t[c] |= isValue
		}
		if b > 0x20 && b < 0x7f && b != '#' {
			t[c] |= isTarget
		}
		if alnum || b != 0 && b < 0x80 && contains("-._~%!$&'()*+;=:[]", b) {
			t[c] |= isHost
		}
		if b == '\t' || b == ' ' || b == 0x21 || b >= 0x23 && b <= 0x7e && b != '\\' || b >= 0x80 {
			t[c] |= isQText
		}
	}
	return
}()

func contains(s string, b byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return true
		}
	}
	return false
}

// hexVal holds a hexadecimal digit's value, or 0xff.
var hexVal = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c >= '0' && c <= '9':
			t[c] = uint8(c - '0')
		case c >= 'a' && c <= 'f':
			t[c] = uint8(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			t[c] = uint8(c - 'A' + 10)
		default:
			t[c] = 0xff
		}
	}
	return
}()

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFold reports whether b equals the lower-case ASCII string s,
// ignoring the case of b.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lower(b[i]) != s[i] {
			return false
		}
	}
	return true
}

// equalFoldString reports whether b and s are equal ignoring ASCII case.
func equalFoldString(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lower(b[i]) != lower(s[i]) {
			return false
		}
	}
	return true
}

// equalFoldBytes reports whether a and b are equal ignoring ASCII case.
func equalFoldBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// trimOWS returns the bounds of b[i:j] without leading and trailing SP
// and HTAB.
func trimOWS(b []byte, i, j int) (int, int) {
	for i < j && isOWS(b[i]) {
		i++
	}
	for j > i && isOWS(b[j-1]) {
		j--
	}
	return i, j
}
