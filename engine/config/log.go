package config

import (
	"strings"

	"hitless/engine/logs"
)

// "log" lines: targets of the traffic logs and of the server state and
// health-check messages, sent by engine/logs sinks.

var logFacilities = stringSet([]string{
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "auth2", "ftp", "ntp", "audit", "alert", "cron2",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
})

var logLevels = stringSet([]string{
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
})

var logFormats = stringSet([]string{
	"local", "rfc3164", "rfc5424", "priority", "short", "timed", "iso", "raw",
})

// parseLog parses "log <address> [len <n>] [format <f>] [sample <r>:<s>]
// <facility> [<level> [<minlevel>]]", or "log global" in a proxy. ok is
// false when an alert was raised.
func (p *parser) parseLog(w []string, inGlobal bool) (LogTarget, bool) {
	lt := LogTarget{File: p.file, Line: p.line}
	if arg(w, 1) == "global" && arg(w, 2) == "" {
		if inGlobal {
			p.alert("log : 'global' is not supported for a global syslog server")
			return lt, false
		}
		lt.Global = true
		return lt, true
	}
	if arg(w, 1) == "" || arg(w, 2) == "" {
		if inGlobal {
			p.alert("log : expects <address> and <facility>  as arguments")
		} else {
			p.alert("log : expects <address> and <facility> or global as arguments")
		}
		return lt, false
	}
	lt.Address = w[1]
	if msg := checkLogAddress(w[1]); msg != "" {
		p.alert("log : " + msg)
		return lt, false
	}
	if err := logs.CheckAddr(w[1]); err != nil {
		p.alert("log : address '" + w[1] + "' is not implemented yet (" + err.Error() + ")")
		return lt, false
	}
	i := 2
	for ; i+1 < len(w); i += 2 {
		switch w[i] {
		case "len":
			n, end := strtolBase10(w[i+1], 0)
			if end != len(w[i+1]) || n < 80 || n > 65535 {
				p.alert("log : invalid log length '" + w[i+1] + "', must be between 80 and 65535")
				return lt, false
			}
			lt.MaxLen = int(n)
			continue
		case "format":
			if !logFormats[w[i+1]] {
				p.alert("log : unknown log format '" + w[i+1] + "'")
				return lt, false
			}
			lt.Format = w[i+1]
			continue
		case "sample":
			continue
		}
		break
	}
	fac := arg(w, i)
	if !logFacilities[fac] {
		p.alert("log : unknown log facility '" + fac + "'")
		return lt, false
	}
	lt.Facility = fac
	if lvl := arg(w, i+1); lvl != "" {
		if !logLevels[lvl] {
			p.alert("log : unknown optional log level '" + lvl + "'")
			return lt, false
		}
		lt.Level = lvl
	}
	if lvl := arg(w, i+2); lvl != "" {
		if !logLevels[lvl] {
			p.alert("log : unknown optional minimum log level '" + lvl + "'")
			return lt, false
		}
		lt.MinLevel = lvl
	}
	for j := i + 3; j < len(w); j++ {
		if w[j] != "" {
			p.alert("log : cannot handle unexpected argument '" + w[j] + "'")
			return lt, false
		}
	}
	return lt, true
}

// checkLogAddress validates the port of an inet log address.
func checkLogAddress(s string) string {
	switch {
	case s == "stdout" || s == "stderr",
		strings.HasPrefix(s, "/"),
		strings.HasPrefix(s, "ring@"),
		strings.HasPrefix(s, "unix@"),
		strings.HasPrefix(s, "fd@"):
		return ""
	}
	rest := s
	if i := strings.IndexByte(s, '@'); i >= 0 {
		rest = s[i+1:]
	}
	if strings.HasPrefix(rest, "[") {
		if j := strings.IndexByte(rest, ']'); j >= 0 {
			rest = rest[j+1:]
		}
	} else if strings.Count(rest, ":") > 1 {
		return ""
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		port := rest[i+1:]
		if _, ok := parseUint(port, 65535); !ok || port == "0" {
			return "invalid port '" + port + "'"
		}
	}
	return ""
}
