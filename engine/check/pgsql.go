package check

import (
	"encoding/binary"

	"hitless/engine/config"
)

// PostgreSQL checks ("option pgsql-check user <u>"), as HAProxy 2.6 runs
// them: after connecting, send a StartupMessage (protocol 3.0, parameter
// "user" only), then
//   - an ErrorResponse ('E') fails with L7RSP, the info being what
//     follows the first field type (the severity, "FATAL");
//   - an authentication request (Ok, cleartext, MD5, SASL/SCRAM, GSS,
//     ...) passes ("PostgreSQL server is ok");
//   - anything else fails with L7STS ("PostgreSQL unknown error").

// pgsqlRequest returns the StartupMessage for user.
func pgsqlRequest(user string) []byte {
	n := 4 + 4 + len("user") + 1 + len(user) + 1 + 1
	b := binary.BigEndian.AppendUint32(nil, uint32(n))
	b = binary.BigEndian.AppendUint32(b, 3<<16) // protocol 3.0
	b = append(b, "user"...)
	b = append(b, 0)
	b = append(b, user...)
	return append(b, 0, 0)
}

// pgsqlError is HAProxy's "! rstring ^E min-recv 5" with on-error
// "%[res.payload(6,0)]".
type pgsqlError struct{ expectCtx }

func (m *pgsqlError) inverted() bool { return true }

func (m *pgsqlError) Match(buf []byte, eof bool) (Verdict, Result) {
	if !eof && len(buf) < 5 {
		return NeedMore, Result{}
	}
	if len(buf) == 0 || buf[0] != 'E' {
		return Pass, Result{}
	}
	res := Result{Status: StatusL7RSP}
	if len(buf) > 6 {
		res.addInfoBytes(buf[6:])
	}
	return Fail, res
}

// pgsqlAuth is HAProxy's "rbinary
// ^52000000[A-Z0-9]{2}000000(00|02|03|04|05|06|07|09|0A) min-recv 9" with
// error status L7STS: an authentication request of any length whose code
// is Ok, KerberosV5, CleartextPassword, crypt, MD5, SCM, GSS, SSPI or SASL.
type pgsqlAuth struct{ expectCtx }

func (m *pgsqlAuth) Match(buf []byte, eof bool) (Verdict, Result) {
	if !eof && len(buf) < 9 {
		return NeedMore, Result{}
	}
	if len(buf) >= 9 && buf[0] == 'R' && buf[1] == 0 && buf[2] == 0 && buf[3] == 0 &&
		buf[5] == 0 && buf[6] == 0 && buf[7] == 0 &&
		(buf[8] == 0 || (buf[8] >= 2 && buf[8] <= 7) || buf[8] == 9 || buf[8] == 10) {
		return Pass, Result{}
	}
	return Fail, result(StatusL7STS, "PostgreSQL unknown error")
}

// buildPgSQL builds "option pgsql-check user <u>".
func (p *Program) buildPgSQL(srv *config.Server, user string) error {
	conn, err := connectStep(srv, nil)
	if err != nil {
		return err
	}
	conn.Linger, conn.id = true, 1
	p.Steps = append(p.Steps,
		conn,
		Step{Op: OpSend, id: 2, Data: pgsqlRequest(user)},
		Step{Op: OpExpect, id: 3, Expect: &pgsqlError{expectCtx{id: 3}}},
		Step{Op: OpExpect, id: 4, Expect: &pgsqlAuth{expectCtx{id: 4}}, onSuccess: "PostgreSQL server is ok"},
	)
	p.linkExpects()
	return nil
}
