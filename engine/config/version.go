package config

// CompatVersion is the HAProxy version whose behaviour hitless implements.
// It is what version_atleast() and version_before() compare against when
// Options.Version is empty.
const CompatVersion = "2.6.12"

// versionKey is a version split into the seven fields HAProxy compares, in
// order: major, minor, patch, build, release kind (1 dev, 2 pre/rc,
// 3 release), kind number, commit number.
type versionKey [7]uint32

// splitVersion parses v as HAProxy does:
// <a>[.<b>[.<c>[.<d>]]][-{dev,pre,rc}<f>][-*][-<g>]. Missing numbers are
// zero, so "2.6" equals "2.6.0"; "2.5-dev0" sorts before "2.5". Numbers are
// read like C's strtol (leading blanks and a sign allowed, wrapping to 32
// bits). ok is false for an unparsable version.
func splitVersion(v string) (k versionKey, ok bool) {
	k[4] = 3
	if v == "" {
		return k, false
	}
	p := 0
	for field := 0; field < 4; field++ {
		n, end := strtolBase10(v, p)
		k[field] = uint32(n)
		if end >= len(v) {
			return k, true
		}
		switch v[end] {
		case '-':
			return splitVersionTag(v, end+1, k)
		case '.':
			if field == 3 {
				return k, false
			}
			p = end + 1
		default:
			return k, false
		}
	}
	return k, false
}

// splitVersionTag parses what follows the first '-' of a version, from
// offset p.
func splitVersionTag(v string, p int, k versionKey) (versionKey, bool) {
	if p < len(v) && isDigit(v[p]) {
		return splitVersionCommit(v, p, k)
	}
	rest := v[p:]
	switch {
	case len(rest) >= 3 && rest[:3] == "dev":
		k[4], p = 1, p+3
	case len(rest) >= 2 && rest[:2] == "rc":
		k[4], p = 2, p+2
	case len(rest) >= 3 && rest[:3] == "pre":
		k[4], p = 2, p+3
	default:
		return splitVersionCommit(v, p, k)
	}
	n, end := strtolBase10(v, p)
	k[5] = uint32(n)
	if end >= len(v) {
		return k, true
	}
	if v[end] != '-' {
		return k, false
	}
	return splitVersionCommit(v, end+1, k)
}

// splitVersionCommit reads the commit number: the number after the last
// '-' from p, or the number at p when there is none; anything that is not
// a clean number counts as zero.
func splitVersionCommit(v string, p int, k versionKey) (versionKey, bool) {
	if p > len(v) {
		p = len(v)
	}
	s := v[p:]
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '-' {
			s = s[i+1:]
			if s == "" {
				return k, false
			}
			break
		}
	}
	n, end := strtolBase10(s, 0)
	if end == len(s) {
		k[6] = uint32(n)
	}
	return k, true
}

// compareVersion compares version v with the current version cur: -1 when
// v is older, 0 when equal, 1 when newer, and ok=false when v does not
// parse.
func compareVersion(cur versionKey, v string) (int, bool) {
	k, ok := splitVersion(v)
	if !ok {
		return 0, false
	}
	for i := range k {
		switch {
		case k[i] < cur[i]:
			return -1, true
		case k[i] > cur[i]:
			return 1, true
		}
	}
	return 0, true
}
