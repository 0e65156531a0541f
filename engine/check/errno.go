package check

import "syscall"

// appendStrerror appends the C library's text for errno ("Connection
// refused"): Go's errno strings are glibc's with a lower-case first
// letter.
func appendStrerror(res *Result, errno syscall.Errno) {
	s := errno.Error()
	if s == "" {
		return
	}
	c := s[0]
	if c >= 'a' && c <= 'z' {
		var b [1]byte
		b[0] = c - 'a' + 'A'
		res.addInfoBytes(b[:])
		s = s[1:]
	}
	res.addInfo(s)
}
