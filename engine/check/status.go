package check

import (
	"strconv"
	"time"
)

// Status is HAProxy's check status (enum healthcheck_status), shown in
// the check_status column of "show stat" by its short name and in logs by
// its description. The order is HAProxy's: statuses after L57DATA carry a
// protocol code.
type Status uint8

const (
	StatusUnknown  Status = iota // UNK: no check yet
	StatusIni                    // INI: initializing
	statusStart                  // a check is starting (never reported)
	StatusChecked                // CHECKED: no status change
	StatusHANA                   // HANA: health analyze (observe)
	StatusSockErr                // SOCKERR: socket error
	StatusL4OK                   // L4OK: layer 4 check passed
	StatusL4TOUT                 // L4TOUT: layer 1-4 timeout
	StatusL4CON                  // L4CON: layer 1-4 connection problem
	StatusL6OK                   // L6OK: layer 6 check passed
	StatusL6TOUT                 // L6TOUT: layer 6 (SSL) timeout
	StatusL6RSP                  // L6RSP: layer 6 invalid response
	StatusL7TOUT                 // L7TOUT: layer 7 timeout
	StatusL7RSP                  // L7RSP: layer 7 invalid response
	statusL57Data                // marker: statuses after it carry a code
	StatusL7OK                   // L7OK: layer 7 check passed
	StatusL7OKC                  // L7OKC: layer 7 check conditionally passed (NOLB)
	StatusL7STS                  // L7STS: layer 7 wrong status
	StatusProcErr                // PROCERR: external check error
	StatusProcTOUT               // PROCTOUT: external check timeout
	StatusProcOK                 // PROCOK: external check passed
	statusCount
)

var statusNames = [statusCount]struct{ short, desc string }{
	StatusUnknown:  {"UNK", "Unknown"},
	StatusIni:      {"INI", "Initializing"},
	StatusChecked:  {"CHECKED", "No status change"},
	StatusHANA:     {"HANA", "Health analyze"},
	StatusSockErr:  {"SOCKERR", "Socket error"},
	StatusL4OK:     {"L4OK", "Layer4 check passed"},
	StatusL4TOUT:   {"L4TOUT", "Layer4 timeout"},
	StatusL4CON:    {"L4CON", "Layer4 connection problem"},
	StatusL6OK:     {"L6OK", "Layer6 check passed"},
	StatusL6TOUT:   {"L6TOUT", "Layer6 timeout"},
	StatusL6RSP:    {"L6RSP", "Layer6 invalid response"},
	StatusL7TOUT:   {"L7TOUT", "Layer7 timeout"},
	StatusL7RSP:    {"L7RSP", "Layer7 invalid response"},
	StatusL7OK:     {"L7OK", "Layer7 check passed"},
	StatusL7OKC:    {"L7OKC", "Layer7 check conditionally passed"},
	StatusL7STS:    {"L7STS", "Layer7 wrong status"},
	StatusProcErr:  {"PROCERR", "External check error"},
	StatusProcTOUT: {"PROCTOUT", "External check timeout"},
	StatusProcOK:   {"PROCOK", "External check passed"},
}

// String returns the short name shown in "show stat" ("L4OK"); unknown
// values read "UNK" as in HAProxy.
func (s Status) String() string {
	if s < statusCount && statusNames[s].short != "" {
		return statusNames[s].short
	}
	return "UNK"
}

// Desc returns the description used in logs and in the check_desc column
// ("Layer4 check passed").
func (s Status) Desc() string {
	if s < statusCount && statusNames[s].desc != "" {
		return statusNames[s].desc
	}
	return "Unknown"
}

// HasCode reports whether the status carries a protocol code (shown as
// "code: N" in logs and in the check_code column).
func (s Status) HasCode() bool { return s > statusL57Data && s < statusCount }

// Outcome is what a status means for the server's health.
type Outcome uint8

const (
	OutcomeUnknown  Outcome = iota // no result yet (UNK, INI)
	OutcomeNeutral                 // no change (CHECKED)
	OutcomeFailed                  // the health counter goes down
	OutcomePassed                  // the health counter goes up
	OutcomeCondPass                // passed, but the server must stop taking new traffic (NOLB)
)

// Outcome returns HAProxy's result class of s.
func (s Status) Outcome() Outcome {
	switch s {
	case StatusChecked:
		return OutcomeNeutral
	case StatusHANA, StatusSockErr, StatusL4TOUT, StatusL4CON, StatusL6TOUT, StatusL6RSP,
		StatusL7TOUT, StatusL7RSP, StatusL7STS, StatusProcErr, StatusProcTOUT:
		return OutcomeFailed
	case StatusL4OK, StatusL6OK, StatusL7OK, StatusProcOK:
		return OutcomePassed
	case StatusL7OKC:
		return OutcomeCondPass
	}
	return OutcomeUnknown
}

// ParseStatus returns the status named s ("L7OK"), as written in
// ok-status, error-status and tout-status.
func ParseStatus(s string) (Status, bool) {
	for i := Status(0); i < statusCount; i++ {
		if statusNames[i].short != "" && statusNames[i].short == s {
			return i, true
		}
	}
	return StatusUnknown, false
}

// InfoMax is the longest info text HAProxy keeps (HCHK_DESC_LEN - 1).
const InfoMax = 127

// Result is the outcome of one check as HAProxy records it: the status,
// the protocol code, the info text ("Connection refused") and the
// duration. It is a value with no pointer: copying it never allocates.
type Result struct {
	Status Status
	Code   int // protocol code (HTTP status, MySQL error); printed when Status.HasCode()
	// Duration is the time the check took, set by the engine (Run never
	// reads a clock). A negative duration is not printed.
	Duration time.Duration

	infoLen uint8
	infoCut bool // a NUL ended the text: nothing more is appended
	info    [InfoMax]byte
}

// Passed reports whether r counts as a success for the health counter
// (L4OK, L6OK, L7OK and the conditional L7OKC).
func (r *Result) Passed() bool {
	o := r.Status.Outcome()
	return o == OutcomePassed || o == OutcomeCondPass
}

// Info returns the info text. It allocates.
func (r *Result) Info() string { return string(r.info[:r.infoLen]) }

// AppendInfo appends the info text to dst.
func (r *Result) AppendInfo(dst []byte) []byte { return append(dst, r.info[:r.infoLen]...) }

// SetInfo replaces the info text, truncated to InfoMax bytes and at the
// first NUL as HAProxy's C strings are.
func (r *Result) SetInfo(s string) {
	r.infoLen, r.infoCut = 0, false
	r.addInfo(s)
}

// addInfo appends s to the info text with SetInfo's limits.
func (r *Result) addInfo(s string) {
	for i := 0; i < len(s) && int(r.infoLen) < InfoMax && !r.infoCut; i++ {
		if s[i] == 0 {
			r.infoCut = true
			return
		}
		r.info[r.infoLen] = s[i]
		r.infoLen++
	}
}

// addInfoBytes is addInfo for a byte slice.
func (r *Result) addInfoBytes(b []byte) {
	for i := 0; i < len(b) && int(r.infoLen) < InfoMax && !r.infoCut; i++ {
		if b[i] == 0 {
			r.infoCut = true
			return
		}
		r.info[r.infoLen] = b[i]
		r.infoLen++
	}
}

func (r *Result) addInfoInt(n int) {
	var b [20]byte
	r.addInfoBytes(strconv.AppendInt(b[:0], int64(n), 10))
}

// result returns a Result with a status and an info text.
func result(st Status, info string) Result {
	r := Result{Status: st}
	r.SetInfo(info)
	return r
}
