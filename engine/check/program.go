package check

import (
	"syscall"
	"time"

	"hitless/engine/config"
)

// Op is what a Step asks the engine to do.
type Op uint8

const (
	OpConnect Op = iota + 1 // close the current connection, if any, and open a new one
	OpSend                  // write Data, then call Run.Sent
	OpExpect                // read, then call Run.Received with everything read since the last Send
)

func (o Op) String() string {
	switch o {
	case OpConnect:
		return "connect"
	case OpSend:
		return "send"
	case OpExpect:
		return "expect"
	}
	return "Op(?)"
}

// Verdict is what a Matcher concludes from the bytes it was given.
type Verdict uint8

const (
	NeedMore Verdict = iota // not enough data: read more (or give eof=true)
	Pass                    // the expectation is met
	Fail                    // the expectation failed; the Result says why
)

func (v Verdict) String() string {
	switch v {
	case NeedMore:
		return "NeedMore"
	case Pass:
		return "Pass"
	case Fail:
		return "Fail"
	}
	return "Verdict(?)"
}

// Matcher evaluates a server's answer. buf holds every byte received
// since the last send (or connect); eof is set once no more bytes can
// come: the server closed, or the buffer is full (Program.BufSize). A
// Matcher never keeps buf, never blocks and does not allocate on its
// usual path; the Result of a Fail is final (status, code, info), the
// Result of a Pass is zero except for Code, or a complete report when the
// expectation reports one itself (MySQL's greeting).
type Matcher interface {
	Match(buf []byte, eof bool) (Verdict, Result)
}

// Step is one step of a Program. Steps are immutable.
type Step struct {
	Op Op

	// OpConnect: where to connect, resolved from the rule, the server's
	// "addr" and "port" options and its address. Kind is AddrIPv4 or
	// AddrIPv6 (Host may then be a name to resolve), AddrUnix or
	// AddrAbstract (Path).
	Kind config.AddrKind
	Host string
	Port int
	Path string
	// Linger asks for a clean close (FIN) of the connection; by default
	// HAProxy resets check connections when it is done.
	Linger bool

	// OpSend: the bytes to write.
	Data []byte

	// OpExpect: the evaluation of what was read.
	Expect Matcher

	// HAProxy's bookkeeping, for statuses and messages.
	id        int    // "step N" in messages: rule index + 1; 0 for an implicit connect
	implicit  bool   // a connect HAProxy added in front of the rules
	comment   string // the rule's comment
	what      string // tcp-check: " (connect port 80)", " (send)", " (expect string 'x')"
	head      int    // expect: step to evaluate again after NeedMore
	http      bool   // expect of an HTTP check: disable-on-404 applies
	errStatus Status // expect: status of an empty response (0 = L7RSP)
	okStatus  Status // expect: status when it is the last step (0 = L7OK)
	tout      Status // expect: status on timeout (0 = L7TOUT)
	onSuccess string // expect: info when it is the last step
}

// Program is a health check: the steps HAProxy would run for one server.
// It is immutable once built and may be shared by concurrent Runs.
type Program struct {
	Kind  config.CheckKind
	Steps []Step
	// BufSize is the receive buffer limit (tune.bufsize): the engine
	// evaluates the buffer as if the server had closed once it holds
	// BufSize bytes.
	BufSize int

	tcp          bool // a tcp-check ruleset: generic messages and step details
	disableOn404 bool
}

// DefaultBufSize is HAProxy's default tune.bufsize.
const DefaultBufSize = 16384

// Run is one execution of a Program. The engine drives it: it performs
// what Step asks (connect, send, read), reports what happened (Connected,
// Sent, Received, Failed, TimedOut) and, once Done, takes Reports. A Run
// is owned by one goroutine; it never blocks, reads no clock and does not
// allocate. Reuse it with Start.
//
// The engine reads only while the current step is an Expect, and discards
// what it read when a Send or Connect step starts: consecutive Expect
// steps all look at the same bytes, as in HAProxy.
type Run struct {
	p         *Program
	pc        int  // current step
	last      int  // last step started (HAProxy's current_step), -1 before any
	down      bool // the server was DOWN when the run started
	connected bool // the current connection is established
	done      bool
	code      int // protocol code of the last expectation evaluated
	n         int
	reports   [2]Result
}

// Start resets r to run p from its first step. serverDown says whether
// the server is DOWN (disable-on-404 only applies to running servers).
func (r *Run) Start(p *Program, serverDown bool) {
	*r = Run{p: p, down: serverDown, last: -1}
	if len(p.Steps) == 0 {
		r.finish()
		return
	}
	r.enter()
}

// Step returns the current step, or nil once the run is done.
func (r *Run) Step() *Step {
	if r.done {
		return nil
	}
	return &r.p.Steps[r.pc]
}

// Done reports whether the run is over.
func (r *Run) Done() bool { return r.done }

// Reports returns what the run reported, in order, once Done: HAProxy
// applies each one to the health counter (a MySQL check reports twice
// when it passes). The slice is r's own and is valid until the next
// Start.
func (r *Run) Reports() []Result { return r.reports[:r.n] }

// Result returns the last report, the one that stays the check's status.
func (r *Run) Result() Result {
	if r.n == 0 {
		return Result{}
	}
	return r.reports[r.n-1]
}

// SetDuration sets the duration of every report.
func (r *Run) SetDuration(d time.Duration) {
	for i := 0; i < r.n; i++ {
		r.reports[i].Duration = d
	}
}

// Connected reports that the connection of the current Connect step is
// established.
func (r *Run) Connected() {
	if s := r.Step(); s != nil && s.Op == OpConnect {
		r.connected = true
		r.next()
	}
}

// Sent reports that the data of the current Send step is written.
func (r *Run) Sent() {
	if s := r.Step(); s != nil && s.Op == OpSend {
		r.next()
	}
}

// Received evaluates the current Expect step, and the Expect steps right
// after it, on buf: every byte received since the last Send or Connect.
// eof is set when the server closed the connection (cleanly, or with an
// error after sending data) or buf reached Program.BufSize. On NeedMore
// the engine reads more and calls Received again with the grown buffer;
// on Pass it moves on to Step; on Fail the run is done.
func (r *Run) Received(buf []byte, eof bool) Verdict {
	for {
		s := r.Step()
		if s == nil || s.Op != OpExpect {
			return Pass
		}
		r.last, r.code = r.pc, 0
		if eof && len(buf) == 0 && !s.http {
			var res Result
			res.Status = StatusL7RSP
			if s.errStatus != 0 {
				res.Status = s.errStatus
			}
			res.addInfo("TCPCHK got an empty response at step ")
			res.addInfoInt(s.id)
			if s.comment != "" {
				res.addInfo(" comment: '")
				res.addInfo(s.comment)
				res.addInfo("'")
			}
			r.report(res)
			r.done = true
			return Fail
		}
		var (
			v   Verdict
			res Result
		)
		if s.http && r.p.disableOn404 && !r.down && httpStatus(buf) == 404 {
			// A running server answering 404 goes to NOLB whatever
			// the expectation says.
			v, res.Code = Pass, 404
		} else {
			v, res = s.Expect.Match(buf, eof)
		}
		r.code = res.Code
		switch v {
		case NeedMore:
			r.pc = s.head
			return NeedMore
		case Fail:
			r.report(res)
			r.done = true
			return Fail
		}
		if res.Status != 0 {
			r.report(res) // the expectation reported by itself
		}
		r.next()
		if r.done {
			return Pass
		}
	}
}

// Failed reports a connection failure (connect error, reset, write or
// read error with nothing received): errno is the system error, 0 if
// unknown. The run is then done.
func (r *Run) Failed(errno syscall.Errno) {
	if r.done {
		return
	}
	var res Result
	res.Status = StatusSockErr
	if !r.connected {
		res.Status = StatusL4CON
	}
	if errno != 0 {
		appendStrerror(&res, errno)
	}
	r.stepInfo(&res)
	r.report(res)
	r.done = true
}

// TimedOut reports that the check's deadline passed (see Timeouts). The
// run is then done.
func (r *Run) TimedOut() {
	if r.done {
		return
	}
	var res Result
	s := r.Step()
	switch {
	case !r.connected:
		res.Status = StatusL4TOUT
	case s.Op == OpExpect && s.tout != 0:
		res.Status = s.tout
	default:
		res.Status = StatusL7TOUT
	}
	r.stepInfo(&res)
	r.report(res)
	r.done = true
}

// stepInfo appends HAProxy's description of the current step to the info
// of a connection failure, for tcp-check rulesets only.
func (r *Run) stepInfo(res *Result) {
	if !r.p.tcp {
		return
	}
	s := &r.p.Steps[r.pc]
	if s.Op == OpConnect && s.implicit {
		res.addInfo(" at initial connection step of tcp-check")
		return
	}
	res.addInfo(" at step ")
	res.addInfoInt(s.id)
	res.addInfo(" of tcp-check")
	res.addInfo(s.what)
	if s.comment != "" {
		res.addInfo(" comment: '")
		res.addInfo(s.comment)
		res.addInfo("'")
	}
}

// next moves past the current step.
func (r *Run) next() {
	r.pc++
	if r.pc == len(r.p.Steps) {
		r.finish()
		return
	}
	r.enter()
}

// enter makes the step at r.pc current.
func (r *Run) enter() {
	s := &r.p.Steps[r.pc]
	if s.Op != OpExpect {
		r.last = r.pc
	}
	switch s.Op {
	case OpConnect:
		r.connected = false
	case OpSend:
		if len(s.Data) >= r.p.bufSize() {
			var res Result
			res.Status = StatusL7RSP
			res.addInfo("tcp-check send : string too large (")
			res.addInfoInt(len(s.Data))
			res.addInfo(") for buffer size (")
			res.addInfoInt(r.p.bufSize())
			res.addInfo(") at step ")
			res.addInfoInt(s.id)
			r.report(res)
			r.done = true
		}
	}
}

// finish reports the success of a run that went through every step.
func (r *Run) finish() {
	r.done = true
	var res Result
	if r.last < 0 {
		res.Status = StatusL7OK
		res.SetInfo("(tcp-check)")
		r.report(res)
		return
	}
	s := &r.p.Steps[r.last]
	switch s.Op {
	case OpExpect:
		res.Code = r.code
		if s.http && r.p.disableOn404 && !r.down && r.code == 404 {
			res.Status = StatusL7OKC
			break
		}
		res.Status = StatusL7OK
		if s.okStatus != 0 {
			res.Status = s.okStatus
		}
		switch {
		case s.onSuccess != "":
			res.SetInfo(s.onSuccess)
		case r.p.tcp:
			res.SetInfo("(tcp-check)")
		}
	case OpConnect:
		res.Status = StatusL4OK
		if !s.implicit {
			res.SetInfo("(tcp-check)")
		}
	default:
		res.Status = StatusL7OK
		res.SetInfo("(tcp-check)")
	}
	r.report(res)
}

func (r *Run) report(res Result) {
	if r.n == len(r.reports) {
		r.reports[r.n-1] = res
		return
	}
	r.reports[r.n] = res
	r.n++
}

func (p *Program) bufSize() int {
	if p.BufSize > 0 {
		return p.BufSize
	}
	return DefaultBufSize
}
