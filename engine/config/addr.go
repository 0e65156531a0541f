package config

import (
	"net/netip"
	"strings"
)

// Addresses as HAProxy writes them (configuration.txt, "bind" and
// "server"): an optional family prefix ("ipv4@", "ipv6@", "unix@",
// "abns@", "fd@", "sockpair@"), then a UNIX path, a file descriptor
// number, or host:port where the port is whatever follows the last colon
// and the host may be bracketed. Host names are kept as written: the
// parser never resolves anything.

// addrUse selects the rules of the keyword whose address is parsed.
type addrUse uint8

const (
	useBind   addrUse = iota // port required, ranges allowed
	useServer                // port optional, no range, no fd
	useStats                 // like bind, single port
)

// addr is a parsed address.
type addr struct {
	kind      AddrKind
	written   string // after the prefix
	host      string // brackets removed; "" for any address
	portFirst int
	portLast  int
	portSet   bool
	fd        int
	path      string
	ip        bool // host is an IP literal (or empty)
}

// parseAddr parses s for use. On failure it returns HAProxy's message
// (without the keyword prefix).
func parseAddr(s string, use addrUse) (addr, string) {
	a := addr{written: s}
	family := AddrKind(0)
	rest := s
	if i := strings.IndexByte(s, '@'); i > 0 && !strings.ContainsAny(s[:i], ":/[") {
		prefix := s[:i+1]
		rest = s[i+1:]
		switch prefix {
		case "ipv4@", "tcp4@":
			family = AddrIPv4
		case "ipv6@", "tcp6@":
			family = AddrIPv6
		case "tcp@", "stream+ipv4@", "stream+ipv6@":
			family = AddrIPv4
			if prefix == "stream+ipv6@" {
				family = AddrIPv6
			}
		case "unix@", "uxst@":
			a.kind, a.path, a.written = AddrUnix, rest, rest
			return a, ""
		case "abns@":
			a.kind, a.path, a.written = AddrAbstract, rest, rest
			return a, ""
		case "fd@", "sockpair@":
			if use == useServer {
				if prefix == "fd@" {
					return a, "a file descriptor is not acceptable here in '" + s + "'"
				}
			}
			n, end := strtolBase10(rest, 0)
			if rest == "" || end != len(rest) || n < 0 || n > 1<<30 {
				what := "file descriptor"
				if prefix == "sockpair@" {
					what = "socket pair"
				}
				return a, what + " '" + rest + "' is not a valid integer in '" + s + "'"
			}
			a.kind, a.fd, a.written = AddrFD, int(n), rest
			if prefix == "sockpair@" {
				a.kind = AddrSockpair
			}
			return a, ""
		case "udp@", "udp4@", "udp6@", "uxdg@", "quic4@", "quic6@", "dgram+ipv4@", "dgram+ipv6@":
			return a, "dgram-type address not acceptable in '" + s + "'"
		default:
			return a, "unknown address family '" + s[:i] + "' in '" + s + "'"
		}
		a.written = rest
	}
	if family == 0 && strings.HasPrefix(rest, "/") {
		a.kind, a.path = AddrUnix, rest
		return a, ""
	}
	return parseInet(a, s, rest, family, use)
}

// parseInet parses host[:port] in rest (s is the whole word, for
// messages).
func parseInet(a addr, s, rest string, family AddrKind, use addrUse) (addr, string) {
	host, port, hasPort := rest, "", false
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return a, "invalid address: '" + rest + "' in '" + s + "'"
		}
		host = rest[1:end]
		after := rest[end+1:]
		switch {
		case after == "":
		case after[0] == ':':
			port, hasPort = after[1:], true
		default:
			return a, "invalid address: '" + rest + "' in '" + s + "'"
		}
	} else if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		host, port, hasPort = rest[:i], rest[i+1:], true
		// HAProxy always takes the last colon as the port separator,
		// so "::1:80" is [::1]:80. A bare IPv6 address whose head is
		// not an address itself ("::1", "2001:db8::1") cannot start
		// in HAProxy; here it is taken as an address without a port.
		if _, err := netip.ParseAddr(host); err != nil && strings.Contains(host, ":") {
			if ip, err := netip.ParseAddr(rest); err == nil && ip.Is6() {
				host, port, hasPort = rest, "", false
			}
		}
	}
	if host == "*" {
		host = ""
	}
	a.host = host
	a.kind = AddrIPv4
	if host == "" {
		a.ip = true
		if family == AddrIPv6 {
			a.kind = AddrIPv6
		}
	} else if ip, err := netip.ParseAddr(host); err == nil {
		a.ip = true
		if ip.Is6() {
			a.kind = AddrIPv6
		}
		if ip.Zone() != "" || (family == AddrIPv4 && a.kind == AddrIPv6) || (family == AddrIPv6 && a.kind == AddrIPv4) {
			return a, "invalid address: '" + host + "' in '" + s + "'"
		}
	} else {
		if !validHostName(host) {
			return a, "invalid address: '" + host + "' in '" + s + "'"
		}
		if family == AddrIPv6 {
			a.kind = AddrIPv6
		}
	}
	if !hasPort || port == "" {
		if use == useServer {
			return a, ""
		}
		return a, "missing port specification in '" + s + "'"
	}
	return parsePorts(a, s, port, use)
}

// parsePorts parses "N" or "N-M" (bind only) into a.
func parsePorts(a addr, s, port string, use addrUse) (addr, string) {
	if use == useServer && (port[0] == '+' || port[0] == '-') {
		return a, "port offsets ('" + port + "') are not implemented yet in '" + s + "'"
	}
	first, last := port, ""
	if i := strings.IndexByte(port, '-'); i >= 0 {
		first, last = port[:i], port[i+1:]
		if use != useBind {
			return a, "port range not permitted here in '" + s + "'"
		}
	}
	for _, part := range []string{first, last} {
		for i := 0; i < len(part); i++ {
			if !isDigit(part[i]) {
				return a, "invalid character '" + string(part[i]) + "' in port number '" + port + "' in '" + s + "'"
			}
		}
	}
	lo, ok := parseUint(first, 65535)
	if !ok {
		return a, "invalid port '" + first + "'"
	}
	hi := lo
	if last != "" || strings.IndexByte(port, '-') >= 0 {
		hi, ok = parseUint(last, 65535)
		if !ok {
			return a, "invalid port '" + last + "'"
		}
		if hi < lo {
			return a, "invalid port range '" + port + "'"
		}
	}
	a.portFirst, a.portLast, a.portSet = lo, hi, true
	return a, ""
}

// validHostName reports whether h may be a DNS name.
func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !isAlnum(c) && c != '.' && c != '-' && c != '_' {
			return false
		}
	}
	return true
}
