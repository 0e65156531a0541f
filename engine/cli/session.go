package cli

import (
	"errors"
	"io"
	"net"
	"os"
	"time"

	"github.com/valyala/bytebufferpool"

	"hitless/engine/config"
)

// Session is one connection to the runtime API. It is owned by the
// goroutine serving the connection: command handlers receive it and may
// use it only until they return.
type Session struct {
	srv  *Server
	conn net.Conn
	lc   listenerConf

	level       config.Level // current level; only ever lowered
	interactive bool         // "prompt" mode
	quit        bool         // end the session after the current command, without output
	noLF        bool         // do not end the current answer with an empty line ("user -")
	wrote       bool         // the current command wrote something
	last        byte         // the last byte it wrote

	out  *bytebufferpool.ByteBuffer // answer being built; from the pool on first use until the session ends
	buf  []byte                     // input buffer
	in   []byte                     // unconsumed input, a window of buf
	eof  bool                       // the client shut its sending side
	args []string                   // scratch for splitWords
	rows []StatRow                  // scratch for show stat
}

func newSession(srv *Server, c net.Conn, lc listenerConf) *Session {
	return &Session{srv: srv, conn: c, lc: lc, level: lc.level}
}

// Level returns the session's current level: the socket's level, possibly
// lowered by the "operator" and "user" commands.
func (s *Session) Level() config.Level { return s.level }

// SocketLevel returns the level of the socket the session came in on. Some
// answers depend on it rather than on the session level (show stat prints
// addresses when the socket is at least operator, as HAProxy does).
func (s *Session) SocketLevel() config.Level { return s.lc.level }

// ExposeFDListeners reports whether the socket was configured with
// "expose-fd listeners", which allows _getsocks to hand out listeners.
func (s *Session) ExposeFDListeners() bool { return s.lc.exposeFD }

// Conn returns the raw connection, for commands that speak another
// protocol on it (_getsocks sends file descriptors with SCM_RIGHTS over a
// *net.UnixConn). Such a command calls Flush first if it wrote anything,
// and Quit after, as the byte stream is no longer in step. Input the session
// already buffered (what the client pipelined after the command) is not
// visible through the connection.
func (s *Session) Conn() net.Conn { return s.conn }

// Source returns the data source of the server.
func (s *Session) Source() Source { return s.srv.src }

// Write appends p to the answer of the current command. It never fails;
// the answer is sent when the command returns or on Flush.
func (s *Session) Write(p []byte) (int, error) {
	if len(p) > 0 {
		s.wrote, s.last = true, p[len(p)-1]
	}
	s.output().Write(p)
	return len(p), nil
}

// WriteString appends str to the answer of the current command.
func (s *Session) WriteString(str string) (int, error) {
	if len(str) > 0 {
		s.wrote, s.last = true, str[len(str)-1]
	}
	s.output().WriteString(str)
	return len(str), nil
}

// Flush sends what the current command wrote so far.
func (s *Session) Flush() error {
	if s.out == nil || s.out.Len() == 0 {
		return nil
	}
	err := s.send(s.out.B)
	s.out.Reset()
	return err
}

// Quit ends the session once the current command returns. What it wrote is
// still sent, but no empty line nor prompt follows (HAProxy's "quit").
func (s *Session) Quit() { s.quit = true }

func (s *Session) output() *bytebufferpool.ByteBuffer {
	if s.out == nil {
		s.out = bytebufferpool.Get()
	}
	return s.out
}

func (s *Session) send(b []byte) error {
	s.conn.SetWriteDeadline(time.Now().Add(s.srv.timeout))
	_, err := s.conn.Write(b)
	return err
}

// run serves the connection until the client leaves, the session times
// out, a command quits, or the non-interactive exchange is over.
//
// The exchange follows HAProxy 2.6: input is split into commands at every
// ';' or '\n' not escaped by a backslash; each command's answer is followed
// by "\n" (an empty line), or by "\n> " in interactive mode; a
// non-interactive session ends after the first answer that leaves no
// unread input behind. A command ending with "<<" takes the following lines
// as payload, up to an empty line, and the prompt becomes "+ " meanwhile.
// An incomplete last command (no delimiter before the client shut its side)
// is dropped, as HAProxy drops it.
func (s *Session) run() {
	defer func() {
		if s.out != nil {
			bytebufferpool.Put(s.out)
			s.out = nil
		}
	}()
	for {
		line, ok := s.readCommand()
		if !ok {
			return
		}
		line = trimCR(line)
		var payload []byte
		hasPayload := endsWithPayload(line)
		if hasPayload {
			// line aliases the input buffer, which reading refills
			cmd := append([]byte(nil), line...)
			if payload, ok = s.readPayload(); !ok {
				return
			}
			line = cmd
		}
		s.wrote = false
		if err := s.execute(line, payload, hasPayload); err != nil {
			s.srv.logErr("cli: %s: %v", s.conn.RemoteAddr(), err)
			return
		}
		if !s.quit {
			// Every answer ends with a line feed and then an empty line,
			// even the few that HAProxy 2.6 leaves without a final line
			// feed ("Server deleted.", some errors): scripts split
			// answers on the empty line.
			if s.wrote && s.last != '\n' {
				s.WriteString("\n")
			}
			switch {
			case s.interactive:
				s.WriteString("\n> ")
			case !s.noLF:
				s.WriteString("\n")
			}
		}
		s.noLF = false
		if s.Flush() != nil || s.quit {
			return
		}
		if !s.interactive && len(s.in) == 0 {
			return
		}
	}
}

// readCommand returns the next command, without its delimiter. The result
// aliases the input buffer until the next read. ok is false when the session
// must end: end of input, timeout, error, or a command longer than maxLine.
func (s *Session) readCommand() (line []byte, ok bool) {
	for {
		if i := findDelim(s.in); i >= 0 {
			line, s.in = s.in[:i], s.in[i+1:]
			return line, true
		}
		if s.eof {
			// At end of input HAProxy takes what remains as a command if
			// it ends with a newline, even an escaped one.
			if n := len(s.in); n > 0 && s.in[n-1] == '\n' {
				line, s.in = s.in[:n-1], s.in[n:]
				return line, true
			}
			return nil, false
		}
		if !s.fill() {
			return nil, false
		}
	}
}

// readPayload reads payload lines up to an empty one and returns them
// joined by "\n". In interactive mode each line is prompted with "+ ".
func (s *Session) readPayload() (payload []byte, ok bool) {
	payload = []byte{}
	for n := 0; ; n++ {
		if s.interactive {
			s.WriteString("+ ")
			if s.Flush() != nil {
				return nil, false
			}
		}
		line, ok := s.readLine()
		if !ok {
			return nil, false
		}
		line = trimCR(line)
		if len(line) == 0 {
			return payload, true
		}
		if len(payload)+len(line)+1 > maxPayload {
			return nil, false
		}
		if n > 0 {
			payload = append(payload, '\n')
		}
		payload = append(payload, line...)
	}
}

// readLine returns the next raw line (payload lines know no escapes nor
// semicolons), without its newline.
func (s *Session) readLine() (line []byte, ok bool) {
	for {
		for i, c := range s.in {
			if c == '\n' {
				line, s.in = s.in[:i], s.in[i+1:]
				return line, true
			}
		}
		if s.eof || !s.fill() {
			return nil, false
		}
	}
}

// fill reads more input, waiting at most the session timeout. It returns
// false if the session must end. Reaching end of input is not an end by
// itself: what was buffered is still processed.
func (s *Session) fill() bool {
	ok, _ := s.fillUntil(time.Now().Add(s.srv.timeout))
	return ok
}

// fillUntil is fill with a deadline of the caller's; timedOut reports that
// it passed without input (then ok is false).
func (s *Session) fillUntil(deadline time.Time) (ok, timedOut bool) {
	if len(s.in) >= maxLine {
		return false, false // a command or payload line that long is abuse
	}
	if s.buf == nil {
		s.buf = make([]byte, 4096)
	}
	n := copy(s.buf, s.in) // compact: s.in may start inside s.buf
	if n == len(s.buf) {
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	s.conn.SetReadDeadline(deadline)
	m, err := s.conn.Read(s.buf[n:])
	s.in = s.buf[:n+m]
	switch {
	case err == nil:
		return true, false
	case errors.Is(err, io.EOF):
		s.eof = true
		return true, false
	case errors.Is(err, os.ErrDeadlineExceeded):
		return false, true
	}
	return false, false
}

// idle waits for d while a command runs (wait), watching the client:
// input that arrives is kept for the commands that follow, as HAProxy
// keeps it. gone reports that the client closed its side with nothing
// left to run, that the connection failed, or that the server is closing.
func (s *Session) idle(d time.Duration) (gone bool) {
	deadline := time.Now().Add(d)
	for {
		if s.eof || len(s.in) >= maxLine {
			if s.eof && len(s.in) == 0 {
				return true
			}
			// nothing more to read until the command ends: just wait
			t := time.NewTimer(time.Until(deadline))
			defer t.Stop()
			select {
			case <-t.C:
				return false
			case <-s.srv.done:
				return true
			}
		}
		ok, timedOut := s.fillUntil(deadline)
		switch {
		case timedOut:
			return false
		case !ok:
			return true
		}
	}
}

// execute runs one command line and leaves its answer in s.out.
func (s *Session) execute(line, payload []byte, hasPayload bool) error {
	args, payloadWord := splitWords(s.args, line)
	s.args = args
	if !hasPayload && !payloadWord {
		payload = nil
	}
	cmd := s.srv.cmds.lookup(args)
	if cmd == nil {
		s.WriteString(s.srv.cmds.usage(args, false))
		return nil
	}
	if s.level < cmd.Level {
		s.WriteString("Permission denied\n")
		return nil
	}
	return cmd.Run(s, args, payload)
}
