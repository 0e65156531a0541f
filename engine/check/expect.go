package check

import (
	"bytes"
	"regexp"
	"sync"
)

// expectCtx is what an expectation needs to word its failures as
// HAProxy's tcpcheck_expect_onerror_message does.
type expectCtx struct {
	id        int    // step number
	comment   string // the rule's comment
	onError   string // "on-error" text
	errStatus Status // "error-status"; 0 = the expectation's default
	tcp       bool   // tcp-check ruleset: generic "TCPCHK ..." messages
}

// status returns the error status, or def when none was configured.
func (c *expectCtx) status(def Status) Status {
	if c.errStatus != 0 {
		return c.errStatus
	}
	return def
}

// failure starts a failure: desc if any, else the on-error text;
// generic is set when neither exists in a tcp-check ruleset, where the
// caller writes HAProxy's generic "TCPCHK ..." message before finish.
func (c *expectCtx) failure(st Status, code int, desc []byte) (res Result, generic bool) {
	res = Result{Status: st, Code: code}
	switch {
	case len(desc) > 0:
		res.addInfoBytes(desc)
	case c.onError != "":
		res.addInfo(c.onError)
	default:
		generic = c.tcp
	}
	return res, generic
}

// finish ends a failure with the rule's comment.
func (c *expectCtx) finish(res *Result) {
	if c.comment != "" {
		res.addInfo(" comment: ")
		res.addInfo(c.comment)
	}
}

// fail builds a failure without a generic message.
func (c *expectCtx) fail(st Status, code int, desc []byte) Result {
	res, _ := c.failure(st, code, desc)
	c.finish(&res)
	return res
}

// tcpKind is the match of a tcp-check expect rule.
type tcpKind uint8

const (
	tcpString      tcpKind = iota // "string": the bytes appear in the buffer
	tcpBinary                     // "binary": same, written in hex
	tcpRegex                      // "rstring": the regex matches the buffer
	tcpBinaryRegex                // "rbinary": the regex matches the buffer dumped in upper-case hex
)

// tcpExpect is a "tcp-check expect" rule.
type tcpExpect struct {
	expectCtx
	kind    tcpKind
	data    []byte // string, binary
	pattern string // as written, for messages
	re      *regexp.Regexp
	inverse bool
	minRecv int // -1 = not set
}

func (m *tcpExpect) inverted() bool { return m.inverse }

// Match follows HAProxy's tcpcheck_eval_expect: without eof it waits for
// at least the pattern's length and min-recv bytes, and after a mismatch
// it waits for more unless min-recv was set.
func (m *tcpExpect) Match(buf []byte, eof bool) (Verdict, Result) {
	if !eof {
		if (m.kind == tcpString || m.kind == tcpBinary) && len(buf) < len(m.data) {
			return NeedMore, Result{}
		}
		if m.minRecv > 0 && len(buf) < m.minRecv {
			return NeedMore, Result{}
		}
	}
	var match bool
	switch m.kind {
	case tcpString, tcpBinary:
		match = bytes.Contains(buf, m.data)
	case tcpRegex:
		match = m.re.Match(buf)
	case tcpBinaryRegex:
		match = matchHex(m.re, buf)
	}
	if !match && !eof && m.minRecv == -1 {
		return NeedMore, Result{}
	}
	if match != m.inverse {
		return Pass, Result{}
	}
	res, generic := m.failure(m.status(StatusL7RSP), 0, nil)
	if generic {
		if match {
			res.addInfo("TCPCHK matched unwanted content")
		} else {
			res.addInfo("TCPCHK did not match content")
		}
		switch m.kind {
		case tcpString:
			res.addInfo(" '")
			res.addInfo(m.pattern)
			res.addInfo("'")
		case tcpBinary:
			res.addInfo(" (binary)")
		case tcpRegex:
			res.addInfo(" (regex)")
		case tcpBinaryRegex:
			res.addInfo(" (binary regex)")
		}
		res.addInfo(" at step ")
		res.addInfoInt(m.id)
	}
	m.finish(&res)
	return Fail, res
}

// scratchPool holds the buffers rbinary dumps responses into and chunked
// bodies are decoded into.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 2*DefaultBufSize); return &b }}

// matchHex matches re against buf written in upper-case hex, as HAProxy's
// dump_binary writes it.
func matchHex(re *regexp.Regexp, buf []byte) bool {
	const digits = "0123456789ABCDEF"
	bp := scratchPool.Get().(*[]byte)
	h := (*bp)[:0]
	for _, c := range buf {
		h = append(h, digits[c>>4], digits[c&15])
	}
	ok := re.Match(h)
	*bp = h
	scratchPool.Put(bp)
	return ok
}
