package config

import "sort"

// "Did you mean" suggestions, in the spirit of HAProxy's: a word is
// summarised by which character classes it contains (letters a to z,
// digit, other) and how often each transition between classes occurs,
// word start and end counting as "other". The candidate whose summary
// differs least wins, unless it differs by more than twice the length of
// either word.

const (
	fpDigit = 27
	fpOther = 28 // also word start and end
)

func fpClass(c byte) int {
	switch {
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 1
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 1
	case isDigit(c):
		return fpDigit
	}
	return fpOther
}

// fpCell is one non-zero cell of a fingerprint: cells 0..31 mark the
// classes present (n is 1), cell 32*from+to counts transitions.
type fpCell struct {
	idx uint16
	n   uint16
}

// fingerprint is the sparse summary of a word, sorted by cell.
type fingerprint []fpCell

func makeFingerprint(w string) fingerprint {
	cells := make([]uint16, 0, 2*len(w)+1)
	present := uint32(0)
	prev := fpOther
	for i := 0; i < len(w); i++ {
		c := fpClass(w[i])
		present |= 1 << c
		cells = append(cells, uint16(prev*32+c))
		prev = c
	}
	cells = append(cells, uint16(prev*32+fpOther))
	for c := 0; c < 32; c++ {
		if present&(1<<c) != 0 {
			cells = append(cells, uint16(c))
		}
	}
	sort.Slice(cells, func(i, j int) bool { return cells[i] < cells[j] })
	var fp fingerprint
	for _, c := range cells {
		if n := len(fp); n > 0 && fp[n-1].idx == c {
			if c >= 32 {
				fp[n-1].n++
			}
			continue
		}
		fp = append(fp, fpCell{idx: c, n: 1})
	}
	return fp
}

// distance is the sum of the differences between the cells of a and b.
func (a fingerprint) distance(b fingerprint) int {
	d, i, j := 0, 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i].idx < b[j].idx):
			d += int(a[i].n)
			i++
		case i == len(a) || b[j].idx < a[i].idx:
			d += int(b[j].n)
			j++
		default:
			if a[i].n > b[j].n {
				d += int(a[i].n - b[j].n)
			} else {
				d += int(b[j].n - a[i].n)
			}
			i++
			j++
		}
	}
	return d
}

// suggester holds candidate words and their fingerprints. It is built once
// and only read afterwards.
type suggester struct {
	words  []string
	fps    []fingerprint
	maxLen int
}

func newSuggester(lists ...[]string) *suggester {
	s := &suggester{}
	for _, l := range lists {
		for _, w := range l {
			s.words = append(s.words, w)
			s.fps = append(s.fps, makeFingerprint(w))
			s.maxLen = max(s.maxLen, len(w))
		}
	}
	return s
}

// suggest returns the candidate closest to word, or "" when none is close
// enough. Ties go to the first candidate.
func (s *suggester) suggest(word string) string {
	// The distance is at least the difference of lengths, so a word
	// more than three times longer than every candidate cannot match:
	// skip the work.
	if len(word) > 3*s.maxLen {
		return ""
	}
	wfp := makeFingerprint(word)
	best, bestDist := -1, 0
	for i, fp := range s.fps {
		if d := wfp.distance(fp); best < 0 || d < bestDist {
			best, bestDist = i, d
		}
	}
	if best < 0 || bestDist > 2*len(word) || bestDist > 2*len(s.words[best]) {
		return ""
	}
	return s.words[best]
}

// maxSuggestions bounds the suggestions one parse computes: past that
// many unknown words, nobody reads them, and a huge garbage file must not
// cost time proportional to its size times the keyword count.
const maxSuggestions = 100

// suggest returns s's suggestion for word, until maxSuggestions were
// computed in this parse.
func (p *parser) suggest(s *suggester, word string) string {
	if p.suggestions >= maxSuggestions {
		return ""
	}
	p.suggestions++
	return s.suggest(word)
}

// didYouMean formats a suggestion the way HAProxy appends it to an
// "unknown keyword" message, or returns "" when there is none.
func (p *parser) didYouMean(s *suggester, word string) string {
	if w := p.suggest(s, word); w != "" {
		return "; did you mean '" + w + "' maybe ?"
	}
	return ""
}
