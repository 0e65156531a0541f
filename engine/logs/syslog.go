package logs

import (
	"strconv"
	"time"
)

// Framing is what precedes the message in a datagram or a stream line:
// HAProxy's "log ... format <name>".
type Framing uint8

const (
	// FrameRFC3164 is "<PRI>Mmm dd hh:mm:ss host tag[pid]: ", the host
	// only when there is one: with no hostname it is HAProxy's default
	// framing (no "format" keyword).
	FrameRFC3164 Framing = iota
	// FrameRFC5424 is "<PRI>1 2006-01-02T15:04:05.000000+00:00 host tag pid - - ",
	// "-" for a missing host, tag or pid.
	FrameRFC5424
	// FrameRaw is the message alone.
	FrameRaw
	// FrameShort is "<level>", without the facility.
	FrameShort
	// FrameTimed is "<level>2006-01-02T15:04:05.000000+00:00 ".
	FrameTimed
	// FrameISO is "2006-01-02T15:04:05.000000+00:00 ".
	FrameISO
	// FrameLocal is FrameRFC3164 without the hostname, even when set.
	FrameLocal
	// FramePriority is "<PRI>".
	FramePriority
)

var framingNames = [...]string{
	FrameRFC3164:  "rfc3164",
	FrameRFC5424:  "rfc5424",
	FrameRaw:      "raw",
	FrameShort:    "short",
	FrameTimed:    "timed",
	FrameISO:      "iso",
	FrameLocal:    "local",
	FramePriority: "priority",
}

// String returns HAProxy's name of the framing.
func (fr Framing) String() string {
	if int(fr) < len(framingNames) {
		return framingNames[fr]
	}
	return "Framing(" + strconv.Itoa(int(fr)) + ")"
}

// ParseFraming maps HAProxy's names (rfc3164 rfc5424 raw short timed iso
// local priority) to a Framing.
func ParseFraming(name string) (Framing, bool) {
	for i, n := range framingNames {
		if n == name {
			return Framing(i), true
		}
	}
	return 0, false
}

var facilityNames = [24]string{
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "auth2", "ftp", "ntp", "audit", "alert", "cron2",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
}

var levelNames = [8]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// ParseFacility maps HAProxy's facility names, kern..local7, to 0..23.
func ParseFacility(name string) (int, bool) {
	for i, n := range facilityNames {
		if n == name {
			return i, true
		}
	}
	return -1, false
}

// ParseLevel maps HAProxy's level names, emerg..debug, to 0..7.
func ParseLevel(name string) (int, bool) {
	for i, n := range levelNames {
		if n == name {
			return i, true
		}
	}
	return -1, false
}

// Syslog levels used by hitless's own messages.
const (
	LevelEmerg   = 0
	LevelAlert   = 1
	LevelCrit    = 2
	LevelErr     = 3
	LevelWarning = 4
	LevelNotice  = 5
	LevelInfo    = 6
	LevelDebug   = 7
)

// AppendHeader appends the header of one message, HAProxy 2.6 byte for
// byte:
//
//	rfc3164:  "<PRI>Mmm dd hh:mm:ss host tag[pid]: " (host only when hostname != "")
//	local:    "<PRI>Mmm dd hh:mm:ss tag[pid]: "
//	rfc5424:  "<PRI>1 2006-01-02T15:04:05.000000+00:00 host tag pid - - "
//	timed:    "<level>2006-01-02T15:04:05.000000+00:00 "
//	iso:      "2006-01-02T15:04:05.000000+00:00 "
//	short:    "<level>"
//	priority: "<PRI>"
//	raw:      ""
//
// PRI is facility*8+level. Dates are in now's location. In rfc3164 and
// local, an empty tag drops "tag[pid]: " and pid <= 0 drops "[pid]"; in
// rfc5424 they print "-". It does not allocate when dst has room.
func AppendHeader(dst []byte, fr Framing, facility, level int, now time.Time, hostname, tag string, pid int) []byte {
	switch fr {
	case FrameRFC3164, FrameLocal:
		dst = appendPri(dst, facility*8+level)
		dst = appendLegacyTime(dst, now)
		if fr == FrameRFC3164 && hostname != "" {
			dst = append(dst, hostname...)
			dst = append(dst, ' ')
		}
		if tag != "" {
			dst = append(dst, tag...)
			if pid > 0 {
				dst = append(dst, '[')
				dst = strconv.AppendInt(dst, int64(pid), 10)
				dst = append(dst, ']')
			}
			dst = append(dst, ':', ' ')
		}
	case FrameRFC5424:
		dst = appendPri(dst, facility*8+level)
		dst = append(dst, '1', ' ')
		dst = appendISOTime(dst, now)
		dst = appendNil(dst, hostname)
		dst = appendNil(dst, tag)
		if pid > 0 {
			dst = strconv.AppendInt(dst, int64(pid), 10)
			dst = append(dst, ' ')
		} else {
			dst = append(dst, '-', ' ')
		}
		dst = append(dst, "- - "...) // MSGID, STRUCTURED-DATA
	case FrameTimed:
		dst = appendPri(dst, level)
		dst = appendISOTime(dst, now)
	case FrameISO:
		dst = appendISOTime(dst, now)
	case FrameShort:
		dst = appendPri(dst, level)
	case FramePriority:
		dst = appendPri(dst, facility*8+level)
	}
	return dst
}

func appendPri(dst []byte, pri int) []byte {
	dst = append(dst, '<')
	dst = strconv.AppendInt(dst, int64(pri), 10)
	return append(dst, '>')
}

// appendNil appends s and a space, or "- " when s is empty.
func appendNil(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, '-', ' ')
	}
	dst = append(dst, s...)
	return append(dst, ' ')
}
