package rules

// ASCII case folding, as HAProxy's strncasecmp: bytes outside A-Z are
// compared as they are (no Unicode folding).

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upperByte(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// equalFold reports whether a and b are equal ignoring ASCII case.
func equalFold(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && lowerByte(a[i]) != lowerByte(b[i]) {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether s begins with prefix, ignoring ASCII case
// when fold is set.
func hasPrefixFold(s, prefix []byte, fold bool) bool {
	if len(prefix) > len(s) {
		return false
	}
	if !fold {
		return string(s[:len(prefix)]) == string(prefix)
	}
	return equalFold(s[:len(prefix)], prefix)
}

// hasSuffixFold reports whether s ends with suffix, ignoring ASCII case
// when fold is set.
func hasSuffixFold(s, suffix []byte, fold bool) bool {
	if len(suffix) > len(s) {
		return false
	}
	if !fold {
		return string(s[len(s)-len(suffix):]) == string(suffix)
	}
	return equalFold(s[len(s)-len(suffix):], suffix)
}

// indexFold returns the index of the first occurrence of sub in s,
// ignoring ASCII case when fold is set, or -1.
func indexFold(s, sub []byte, fold bool) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if hasPrefixFold(s[i:], sub, fold) {
			return i
		}
	}
	return -1
}
