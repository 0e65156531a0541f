package check

import (
	"bytes"

	"hitless/engine/config"
)

// Redis checks ("option redis-check"), as HAProxy 2.6 runs them: send
// PING as a RESP array, expect "+PONG\r\n" anywhere in the answer. Any
// other answer fails with L7STS once the server closes (or the check
// times out), the info being the first line of the answer; a server
// refusing the command ("-NOAUTH ...") but keeping the connection open
// therefore fails with L7TOUT.

// redisPing is the request HAProxy sends.
const redisPing = "*1\r\n$4\r\nPING\r\n"

var redisPong = []byte("+PONG\r\n")

// redisExpect is HAProxy's "string +PONG\r\n" with error status L7STS and
// on-error "%[res.payload(0,0),cut_crlf]".
type redisExpect struct{ expectCtx }

func (m *redisExpect) Match(buf []byte, eof bool) (Verdict, Result) {
	if !eof && len(buf) < len(redisPong) {
		return NeedMore, Result{}
	}
	if bytes.Contains(buf, redisPong) {
		return Pass, Result{}
	}
	if !eof {
		return NeedMore, Result{}
	}
	line := buf
	if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	res := Result{Status: StatusL7STS}
	res.addInfoBytes(line)
	return Fail, res
}

// buildRedis builds "option redis-check".
func (p *Program) buildRedis(srv *config.Server) error {
	conn, err := connectStep(srv, nil)
	if err != nil {
		return err
	}
	conn.implicit = true
	p.Steps = append(p.Steps,
		conn,
		Step{Op: OpSend, id: 1, Data: []byte(redisPing)},
		// error-status L7STS also covers an empty answer (the server
		// closed without a word), as in HAProxy.
		Step{Op: OpExpect, id: 2, Expect: &redisExpect{expectCtx{id: 2}}, onSuccess: "Redis server is ok", errStatus: StatusL7STS},
	)
	p.linkExpects()
	return nil
}
