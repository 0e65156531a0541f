package logs

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrTarget: the address of a "log" line is invalid or of a kind hitless
// does not send to (tcp@, ring@, abns@, ...).
var ErrTarget = errors.New("logs: invalid log target")

// DefaultMaxLen is HAProxy's default "len" of a log target.
const DefaultMaxLen = 1024

// syslogPort is used when a UDP target has no port (or port 0).
const syslogPort = 514

// Target is one "log" line, resolved.
type Target struct {
	// Addr is "udp@host:port", "host:port" (UDP; "udp4@", "udp6@",
	// "ipv4@", "ipv6@" force the family; no port or port 0 is 514; an
	// IPv6 address is "[addr]:port" or HAProxy's "addr:port" with the
	// port after the last colon), "unix@/path" or a plain "/path" (unix
	// datagram), "stdout", "stderr", "fd@N".
	Addr     string
	Framing  Framing
	Facility int
	Level    int // max level sent: the zero value is emerg, HAProxy's default is debug (7)
	MinLevel int // min level: more severe messages are sent with this level (default emerg=0)
	MaxLen   int // "len": header and message are truncated to this many bytes (0: 1024)
	Tag      string
	Hostname string // log-send-hostname; empty: none
	Pid      int    // 0: the process's pid
}

type addrKind uint8

const (
	addrUDP addrKind = iota
	addrUnix
	addrFD
)

// parsedAddr is a Target address split, not resolved.
type parsedAddr struct {
	kind    addrKind
	network string // addrUDP: "udp", "udp4" or "udp6"
	host    string // addrUDP
	port    int    // addrUDP
	path    string // addrUnix
	fd      int    // addrFD
}

// CheckAddr reports whether addr is a valid Target address, without
// resolving a host name or touching a socket. The error wraps ErrTarget.
func CheckAddr(addr string) error {
	_, err := parseAddr(addr)
	return err
}

func parseAddr(addr string) (parsedAddr, error) {
	bad := func(why string) (parsedAddr, error) {
		return parsedAddr{}, fmt.Errorf("%w: %q: %s", ErrTarget, addr, why)
	}
	switch addr {
	case "":
		return bad("empty address")
	case "stdout":
		return parsedAddr{kind: addrFD, fd: 1}, nil
	case "stderr":
		return parsedAddr{kind: addrFD, fd: 2}, nil
	}
	if strings.HasPrefix(addr, "/") {
		return parsedAddr{kind: addrUnix, path: addr}, nil
	}
	network := "udp"
	rest := addr
	if at := strings.IndexByte(addr, '@'); at >= 0 {
		prefix := addr[:at]
		rest = addr[at+1:]
		switch prefix {
		case "fd":
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 || rest[0] == '+' {
				return bad("fd@ expects a file descriptor number")
			}
			return parsedAddr{kind: addrFD, fd: n}, nil
		case "unix":
			if rest == "" {
				return bad("missing socket path")
			}
			return parsedAddr{kind: addrUnix, path: rest}, nil
		case "udp":
		case "udp4", "ipv4":
			network = "udp4"
		case "udp6", "ipv6":
			network = "udp6"
		default:
			return bad("hitless sends logs to udp, unix datagram sockets and file descriptors only")
		}
	}
	host, port, err := splitHostPort(rest)
	if err != nil {
		return bad(err.Error())
	}
	return parsedAddr{kind: addrUDP, network: network, host: host, port: port}, nil
}

// splitHostPort splits "host", "host:port", "[v6]", "[v6]:port" and
// HAProxy's "v6:port" (port after the last colon, possibly empty).
func splitHostPort(s string) (host string, port int, err error) {
	portStr := ""
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0, errors.New("missing ']'")
		}
		host = s[1:end]
		switch after := s[end+1:]; {
		case after == "":
		case after[0] == ':':
			portStr = after[1:]
		default:
			return "", 0, errors.New("unexpected text after ']'")
		}
	default:
		host = s
		if c := strings.LastIndexByte(s, ':'); c >= 0 {
			host, portStr = s[:c], s[c+1:]
		}
	}
	if host == "" {
		return "", 0, errors.New("missing host")
	}
	port = syslogPort
	if portStr != "" {
		n, err := strconv.Atoi(portStr)
		if err != nil || n < 0 || n > 65535 || portStr[0] == '+' || portStr[0] == '-' {
			return "", 0, fmt.Errorf("invalid port %q", portStr)
		}
		if n != 0 {
			port = n
		}
	}
	return host, port, nil
}
