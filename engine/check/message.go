package check

import "strconv"

// Messages HAProxy 2.6 prints on stderr (as warnings and alerts) and
// logs when checks and administrative commands change a server, word for
// word (checked against haproxy 2.6.12, see haproxy_test.go). The
// functions append to dst and do not allocate beyond it; they take every
// figure as a parameter. The texts end with HAProxy's final period but no
// newline.

// ServerName names a server in messages.
type ServerName struct {
	Backend, Name string
	Backup        bool // "Backup Server ..." / "backup server ..."
}

// Counts are the figures of a backend HAProxy appends to state changes,
// taken after the change.
type Counts struct {
	Active, Backup int // usable active and backup servers
	Sessions       int // the server's current sessions ("sessions active")
	Requeued       int // sessions moved to or from the server's queue
	Queued         int // sessions left in the server's queue
}

// AppendCheckLog appends the line "option log-health-checks" logs for a
// check result res that moved health h (already updated) or changed the
// status: "Health check for server be/s failed, reason: Layer4 connection
// problem, info: "Connection refused", check duration: 0ms, status: 0/2
// DOWN." drain says the server's weight is 0 (DRAIN instead of UP).
func AppendCheckLog(dst []byte, s ServerName, res *Result, h *Health, drain bool) []byte {
	dst = append(dst, "Health check for "...)
	if s.Backup {
		dst = append(dst, "backup "...)
	}
	dst = appendName(append(dst, "server "...), s)
	switch res.Status.Outcome() {
	case OutcomeCondPass:
		dst = append(dst, " conditionally succeeded"...)
	case OutcomePassed:
		dst = append(dst, " succeeded"...)
	default:
		dst = append(dst, " failed"...)
	}
	dst = AppendReason(dst, res)
	i, n := h.Progress()
	dst = append(dst, ", status: "...)
	dst = strconv.AppendInt(dst, int64(i), 10)
	dst = append(dst, '/')
	dst = strconv.AppendInt(dst, int64(n), 10)
	switch {
	case !h.Up():
		dst = append(dst, " DOWN."...)
	case drain:
		dst = append(dst, " DRAIN."...)
	default:
		dst = append(dst, " UP."...)
	}
	return dst
}

// AppendReason appends HAProxy's description of a check result:
// ", reason: <desc>[, code: <n>][, info: "<info>"][, check duration: <n>ms]".
// The info is escaped as HAProxy does: bytes that are not printable
// ASCII, '<', '>' and '"' become "<XX>".
func AppendReason(dst []byte, res *Result) []byte {
	dst = append(dst, ", reason: "...)
	dst = append(dst, res.Status.Desc()...)
	if res.Status.HasCode() {
		dst = append(dst, ", code: "...)
		dst = strconv.AppendInt(dst, int64(res.Code), 10)
	}
	if res.infoLen > 0 {
		dst = append(dst, `, info: "`...)
		for _, c := range res.info[:res.infoLen] {
			if c < 0x20 || c > 0x7e || c == '<' || c == '>' || c == '"' {
				const hex = "0123456789ABCDEF"
				dst = append(dst, '<', hex[c>>4], hex[c&15], '>')
				continue
			}
			dst = append(dst, c)
		}
		dst = append(dst, '"')
	}
	if res.Duration >= 0 {
		dst = append(dst, ", check duration: "...)
		dst = strconv.AppendInt(dst, res.Duration.Milliseconds(), 10)
		dst = append(dst, "ms"...)
	}
	return dst
}

// AppendServerDown appends the message of a server going DOWN: "Server
// be/s is DOWN, reason: ..., check duration: 1ms. 0 active and 1 backup
// servers left. Running on backup. 0 sessions active, 0 requeued, 0
// remaining in queue." res is the check that took it down, nil when not
// told (with "option log-health-checks", the check was logged already);
// cause replaces it for other causes ("changed from CLI").
func AppendServerDown(dst []byte, s ServerName, res *Result, cause string, c Counts) []byte {
	dst = appendName(appendServerWord(dst, s), s)
	dst = append(dst, " is DOWN"...)
	dst = appendWhy(dst, res, cause)
	return appendLeft(dst, c)
}

// AppendServerUp appends the message of a server coming UP: "Server be/s
// is UP, reason: Layer4 check passed, check duration: 0ms. 1 active and 0
// backup servers online. 0 sessions requeued, 0 total in queue."
func AppendServerUp(dst []byte, s ServerName, res *Result, cause string, c Counts) []byte {
	dst = appendName(appendServerWord(dst, s), s)
	dst = append(dst, " is UP"...)
	dst = appendWhy(dst, res, cause)
	return appendOnline(dst, c)
}

// AppendServerStopping appends the message of a server going to NOLB
// (disable-on-404, "set server ... health stopping"): "Server be/s is
// stopping, reason: ... . 1 active and 0 backup servers online. 0
// sessions requeued, 0 total in queue."
func AppendServerStopping(dst []byte, s ServerName, res *Result, cause string, c Counts) []byte {
	dst = appendName(appendServerWord(dst, s), s)
	dst = append(dst, " is stopping"...)
	dst = appendWhy(dst, res, cause)
	return appendOnline(dst, c)
}

// AppendNoServer appends "backend 'be' has no server available!", the
// alert HAProxy prints when a backend's last usable server goes.
func AppendNoServer(dst []byte, backend string) []byte {
	dst = append(dst, "backend '"...)
	dst = append(dst, backend...)
	return append(dst, "' has no server available!"...)
}

// AppendMaintDown appends "Server be/s is going DOWN for maintenance. 1
// active and 1 backup servers left. 0 sessions active, 0 requeued, 0
// remaining in queue." for a running server put in maintenance.
func AppendMaintDown(dst []byte, s ServerName, c Counts) []byte {
	dst = appendName(appendServerWord(dst, s), s)
	dst = append(dst, " is going DOWN for maintenance"...)
	return appendLeft(dst, c)
}

// AppendMaintWasDown appends "Server be/s was DOWN and now enters
// maintenance." for a server already DOWN put in maintenance.
func AppendMaintWasDown(dst []byte, s ServerName) []byte {
	dst = appendName(appendServerWord(dst, s), s)
	return append(dst, " was DOWN and now enters maintenance."...)
}

// AppendMaintLeave appends "Server be/s is UP/READY (leaving forced
// maintenance)." up says whether the server is up afterwards (DOWN
// otherwise), drain whether it stays in drain mode (DRAIN, else READY).
func AppendMaintLeave(dst []byte, s ServerName, up, drain bool) []byte {
	dst = appendName(appendServerWord(dst, s), s)
	dst = append(dst, " is "...)
	dst = append(dst, upDown(up)...)
	if drain {
		dst = append(dst, "/DRAIN"...)
	} else {
		dst = append(dst, "/READY"...)
	}
	return append(dst, " (leaving forced maintenance)."...)
}

// AppendDrainEnter appends "Server be/s enters drain state. ..." with the
// figures HAProxy adds: "servers online" while the server is up, "servers
// left" when it is down.
func AppendDrainEnter(dst []byte, s ServerName, up bool, c Counts) []byte {
	dst = appendName(appendServerWord(dst, s), s)
	dst = append(dst, " enters drain state"...)
	if up {
		return appendOnline(dst, c)
	}
	return appendLeft(dst, c)
}

// AppendDrainLeave appends "Server be/s is UP (leaving forced drain)."
// (DOWN when the server is down).
func AppendDrainLeave(dst []byte, s ServerName, up bool) []byte {
	dst = appendName(appendServerWord(dst, s), s)
	dst = append(dst, " is "...)
	dst = append(dst, upDown(up)...)
	return append(dst, " (leaving forced drain)."...)
}

// AppendDrainRemains appends "Server be/s remains in forced drain mode.",
// printed when a server in drain leaves maintenance.
func AppendDrainRemains(dst []byte, s ServerName) []byte {
	dst = appendName(appendServerWord(dst, s), s)
	return append(dst, " remains in forced drain mode."...)
}

func appendServerWord(dst []byte, s ServerName) []byte {
	if s.Backup {
		return append(dst, "Backup Server "...)
	}
	return append(dst, "Server "...)
}

func appendName(dst []byte, s ServerName) []byte {
	dst = append(dst, s.Backend...)
	dst = append(dst, '/')
	return append(dst, s.Name...)
}

func appendWhy(dst []byte, res *Result, cause string) []byte {
	switch {
	case res != nil:
		return AppendReason(dst, res)
	case cause != "":
		dst = append(dst, ", "...)
		return append(dst, cause...)
	}
	return dst
}

func appendLeft(dst []byte, c Counts) []byte {
	dst = appendServers(dst, c)
	dst = append(dst, " left."...)
	dst = appendRunningOnBackup(dst, c)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(c.Sessions), 10)
	dst = append(dst, " sessions active, "...)
	dst = strconv.AppendInt(dst, int64(c.Requeued), 10)
	dst = append(dst, " requeued, "...)
	dst = strconv.AppendInt(dst, int64(c.Queued), 10)
	return append(dst, " remaining in queue."...)
}

func appendOnline(dst []byte, c Counts) []byte {
	dst = appendServers(dst, c)
	dst = append(dst, " online."...)
	dst = appendRunningOnBackup(dst, c)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(c.Requeued), 10)
	dst = append(dst, " sessions requeued, "...)
	dst = strconv.AppendInt(dst, int64(c.Queued), 10)
	return append(dst, " total in queue."...)
}

func appendServers(dst []byte, c Counts) []byte {
	dst = append(dst, ". "...)
	dst = strconv.AppendInt(dst, int64(c.Active), 10)
	dst = append(dst, " active and "...)
	dst = strconv.AppendInt(dst, int64(c.Backup), 10)
	return append(dst, " backup servers"...)
}

func appendRunningOnBackup(dst []byte, c Counts) []byte {
	if c.Backup > 0 && c.Active == 0 {
		return append(dst, " Running on backup."...)
	}
	return dst
}

func upDown(up bool) string {
	if up {
		return "UP"
	}
	return "DOWN"
}
