package check

import "hitless/engine/config"

// MySQL checks ("option mysql-check"), as HAProxy 2.6 runs them.
//
// Without a user, the check connects and parses the server's initial
// handshake packet: an error packet (first payload byte 0xff, as sent by
// a server refusing the host) fails with L7STS and the error code, any
// other complete packet passes, reporting the server version. Nothing is
// sent.
//
// With a user, the check sends right after connecting, without waiting
// for the greeting, a client authentication packet (sequence id 1) for
// that user with an empty password and no database, then a COM_QUIT
// packet (sequence id 0), and parses the greeting then the server's
// answer to the authentication: an error packet ("Access denied") fails
// with L7STS, the MySQL error code and the message (SQL state first), any
// other packet passes. "post-41" (the default) sends a protocol 4.1
// HandshakeResponse (capabilities CLIENT_PROTOCOL_41 and
// CLIENT_SECURE_CONNECTION, the max packet bytes 00 80 00 01 HAProxy
// writes, character set utf8, 23 zero bytes), "pre-41" the 4.0 form
// (16-bit capabilities, 24-bit max packet). Truncated packets fail with
// L7RSP.
//
// A passing check reports twice, like HAProxy: first with the server
// version as info, then again without info, each report moving the health
// counter.

// mysqlRequest returns the authentication and QUIT packets for user.
func mysqlRequest(user string, pre41 bool) []byte {
	var body []byte
	if pre41 {
		body = append(body, 0x00, 0x80) // capabilities: CLIENT_SECURE_CONNECTION
		body = append(body, 0x00, 0x00, 0x01)
	} else {
		body = append(body, 0x00, 0x82, 0x00, 0x00) // CLIENT_PROTOCOL_41|CLIENT_SECURE_CONNECTION
		body = append(body, 0x00, 0x80, 0x00, 0x01) // max packet size, bytes as HAProxy sends them
		body = append(body, 0x21)                   // utf8_general_ci
		body = append(body, make([]byte, 23)...)
	}
	body = append(body, user...)
	body = append(body, 0x00) // end of user name
	body = append(body, 0x00) // empty auth response
	n := len(body)
	pkt := []byte{byte(n), byte(n >> 8), byte(n >> 16), 1}
	pkt = append(pkt, body...)
	return append(pkt, 0x01, 0x00, 0x00, 0x00, 0x01) // COM_QUIT
}

// mysqlExpect parses one packet: the greeting (first) or the answer that
// follows it.
type mysqlExpect struct {
	expectCtx
	second bool   // the answer after the greeting
	last   bool   // the last step: report the version on success
	ok     Status // ok-status (L7OK)
}

func (m *mysqlExpect) Match(buf []byte, eof bool) (Verdict, Result) {
	off := 0
	if m.second {
		if len(buf) < 4 {
			if !eof {
				return NeedMore, Result{}
			}
			return Fail, m.fail(StatusL7RSP, 0, nil)
		}
		// The greeting was already checked: at least its header is there.
		off = 4 + (int(buf[0]) | int(buf[1])<<8 | int(buf[2])<<16)
	}
	if len(buf) < off+4 {
		if !eof {
			return NeedMore, Result{}
		}
		return Fail, m.fail(StatusL7RSP, 0, nil)
	}
	plen := int(buf[off]) | int(buf[off+1])<<8 | int(buf[off+2])<<16
	if len(buf) < off+plen+4 {
		if !eof {
			return NeedMore, Result{}
		}
		return Fail, m.fail(StatusL7RSP, 0, nil)
	}
	if len(buf) > off+4 && buf[off+4] == 0xff {
		code := 0
		if len(buf) > off+6 {
			code = int(buf[off+5]) | int(buf[off+6])<<8
		}
		var desc []byte
		if len(buf) > off+7 {
			desc = buf[off+7:]
		}
		return Fail, m.fail(StatusL7STS, code, desc)
	}
	if !m.last {
		return Pass, Result{}
	}
	res := Result{Status: m.ok}
	if len(buf) > 5 {
		res.addInfoBytes(buf[5:])
	}
	return Pass, res
}

// buildMySQL builds "option mysql-check [user <u> [post-41|pre-41]]".
func (p *Program) buildMySQL(srv *config.Server, user string, pre41 bool) error {
	conn, err := connectStep(srv, nil)
	if err != nil {
		return err
	}
	conn.Linger, conn.id = true, 1
	p.Steps = append(p.Steps, conn)
	id := 2
	if user != "" {
		p.Steps = append(p.Steps, Step{Op: OpSend, id: id, Data: mysqlRequest(user, pre41)})
		id++
	}
	p.Steps = append(p.Steps, Step{Op: OpExpect, id: id, Expect: &mysqlExpect{expectCtx: expectCtx{id: id}, last: user == "", ok: StatusL7OK}})
	if user != "" {
		id++
		p.Steps = append(p.Steps, Step{Op: OpExpect, id: id, Expect: &mysqlExpect{expectCtx: expectCtx{id: id}, second: true, last: true, ok: StatusL7OK}})
	}
	p.linkExpects()
	return nil
}
