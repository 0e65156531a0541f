package cli

// fingerprint is a bag of character transitions used to rank commands that
// look like a mistyped one. It reproduces HAProxy 2.6's word fingerprint
// (transitions between character classes, plus a presence row) because the
// ranking decides which commands an "Unknown command" answer proposes, and
// that answer must match HAProxy's byte for byte.
//
// Classes: 1..26 letters (case-insensitive), 27 digits, 28 anything else,
// which is also the class of the word boundaries. Cell 32*from+to counts the
// transitions from one class to the next; cells 0..31 (from = 0) record
// which classes appear at all.
type fingerprint [1024]uint8

func charClass(c byte) int {
	switch {
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 1
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 1
	case c >= '0' && c <= '9':
		return 27
	}
	return 28
}

// add accumulates the transitions of word, from its start to its end.
// Counts wrap at 256 as HAProxy's uint8 cells do.
func (fp *fingerprint) add(word string) {
	from := 28
	for i := 0; i < len(word); i++ {
		to := charClass(word[i])
		fp[to] = 1
		fp[32*from+to]++
		from = to
	}
	fp[32*from+28]++
}

// distance is the sum of the absolute differences of all cells.
func (fp *fingerprint) distance(other *fingerprint) int {
	d := 0
	for i := range fp {
		k := int(fp[i]) - int(other[i])
		if k < 0 {
			k = -k
		}
		d += k
	}
	return d
}
