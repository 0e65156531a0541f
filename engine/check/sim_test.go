package check

import (
	"syscall"
)

// script is how a test server behaves on each check connection.
type script struct {
	refused bool   // the connection is refused
	rst     bool   // the server resets the connection right after accepting
	greet   []byte // sent as soon as the connection is accepted
	resp    []byte // sent once reqLen bytes were received (at once if reqLen is 0)
	reqLen  int
	close   bool // the server closes its side after its last bytes
}

// simulate runs p against s the way the engine would over a socket, and
// returns what the check sent and reported. A NeedMore with nothing more
// to come is a timeout.
func simulate(p *Program, s script, serverDown bool) (sent []byte, reports []Result) {
	var (
		r         Run
		stream    []byte // what the server sent on the current connection
		read      int    // how much of stream was read
		buf       []byte // what was read since the last send
		responded bool
	)
	r.Start(p, serverDown)
	for steps := 0; !r.Done() && steps < 100; steps++ {
		st := r.Step()
		switch st.Op {
		case OpConnect:
			if s.refused {
				r.Failed(syscall.ECONNREFUSED)
				continue
			}
			stream, read, buf, responded = append([]byte(nil), s.greet...), 0, nil, false
			if s.reqLen == 0 && s.resp != nil {
				stream, responded = append(stream, s.resp...), true
			}
			r.Connected()
		case OpSend:
			buf = buf[:0]
			sent = append(sent, st.Data...)
			if !responded && s.resp != nil && len(sent) >= s.reqLen {
				stream, responded = append(stream, s.resp...), true
			}
			r.Sent()
		case OpExpect:
			buf = append(buf, stream[read:]...)
			read = len(stream)
			if s.rst && len(buf) == 0 {
				r.Failed(syscall.ECONNRESET)
				continue
			}
			eof := s.close && (responded || s.resp == nil)
			if len(buf) >= p.bufSize() {
				buf, eof = buf[:p.bufSize()], true
			}
			if r.Received(buf, eof) == NeedMore {
				r.TimedOut()
			}
		}
	}
	return sent, r.Reports()
}
