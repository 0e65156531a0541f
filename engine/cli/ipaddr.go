package cli

import (
	"context"
	"math"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Addresses as HAProxy's commands read and print them: str2ip2 (with or
// without name resolution) and inet_ntop.

// parseIP parses an address as HAProxy's str2ip2 without name resolution:
// an IPv4 address in dotted decimal or an IPv6 address without zone,
// possibly between brackets ("[::1]", "[1.2.3.4]"), or "*" for 0.0.0.0.
func parseIP(s string) (netip.Addr, bool) {
	s, ok := stripBrackets(s)
	if !ok {
		return netip.Addr{}, false
	}
	if s == "*" {
		return netip.IPv4Unspecified(), true
	}
	ip, err := netip.ParseAddr(s)
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, false
	}
	return ip, true
}

// stripBrackets removes the brackets around an address, as str2ip2 does:
// "[x]" needs at least 4 bytes and the closing bracket.
func stripBrackets(s string) (string, bool) {
	if !strings.HasPrefix(s, "[") {
		return s, true
	}
	if len(s) < 4 || s[len(s)-1] != ']' {
		return "", false
	}
	return s[1 : len(s)-1], true
}

// parseAgentAddr parses the address of agent-addr, which HAProxy 2.6 reads
// with name resolution (str2ip): what parseIP accepts, then the numeric
// forms getaddrinfo accepts for IPv4 ("010.1.1.1" is 8.1.1.1, "1.2.3" is
// 1.2.0.3, "0x7f.1" is 127.0.0.1), then host names, resolved with the
// server's lookupHost. Strings that are no host name are refused without
// a query.
func (s *Session) parseAgentAddr(addr string) (netip.Addr, bool) {
	if ip, ok := parseIP(addr); ok {
		return ip, true
	}
	host, ok := stripBrackets(addr)
	if !ok {
		return netip.Addr{}, false
	}
	if ip, ok := inetAton(host); ok {
		return ip, true
	}
	if !isHostName(host) {
		return netip.Addr{}, false
	}
	return s.srv.lookupHost(host)
}

// inetAton parses s as glibc's inet_aton_exact: one to four parts
// separated by dots, each a C integer (decimal, 0 octal, 0x hexadecimal)
// starting with a digit, the last part filling the remaining bytes.
func inetAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, p := range parts {
		if p == "" || p[0] < '0' || p[0] > '9' {
			return netip.Addr{}, false
		}
		base, digits := uint64(10), p
		switch {
		case len(p) > 1 && (p[1] == 'x' || p[1] == 'X') && p[0] == '0':
			base, digits = 16, p[2:]
			if digits == "" {
				return netip.Addr{}, false
			}
		case len(p) > 1 && p[0] == '0':
			base = 8
		}
		var n uint64
		for j := 0; j < len(digits); j++ {
			d := hexDigit(digits[j])
			if d < 0 || uint64(d) >= base {
				return netip.Addr{}, false
			}
			if n = n*base + uint64(d); n > math.MaxUint32 {
				return netip.Addr{}, false
			}
		}
		last := i == len(parts)-1
		if !last && n > 0xff {
			return netip.Addr{}, false
		}
		if last {
			bits := uint(8 * (4 - i))
			if n>>bits != 0 && bits < 32 {
				return netip.Addr{}, false
			}
			v = v<<bits | n
		} else {
			v = v<<8 | n
		}
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// isHostName reports whether s is a syntactically valid host name worth a
// lookup: dot-separated labels of letters, digits, '-' and '_', 1 to 63
// bytes each, at most 253 bytes, the last label not all digits.
func isHostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(strings.TrimSuffix(s, "."), ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return strings.Trim(last, "0123456789") != ""
}

// resolveTimeout bounds the name resolution of agent-addr, which holds
// the session (HAProxy holds its whole thread).
const resolveTimeout = 2 * time.Second

// resolveHost resolves a host name as getaddrinfo would for str2ip: the
// first address found, IPv4 or IPv6.
func resolveHost(host string) (netip.Addr, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), resolveTimeout)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return netip.Addr{}, false
	}
	return ips[0].Unmap(), true
}

// formatIP formats ip as glibc's inet_ntop does, which differs from
// netip's String for IPv4-compatible IPv6 addresses ("::1.2.3.4"). An
// invalid address is "-".
func formatIP(ip netip.Addr) string {
	if !ip.IsValid() {
		return "-"
	}
	if ip.Is6() && !ip.Is4In6() {
		b := ip.As16()
		zero := true
		for _, c := range b[:12] {
			zero = zero && c == 0
		}
		if zero && (b[12] != 0 || b[13] != 0) {
			return "::" + netip.AddrFrom4([4]byte(b[12:])).String()
		}
	}
	return ip.String()
}
