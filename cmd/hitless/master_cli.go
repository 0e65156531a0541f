package main

// The master CLI (-S): HAProxy 2.6's master command-line interface. It
// answers a few commands of its own (show proc, reload, ...) and forwards
// a command prefixed with "@<relative pid>", "@!<pid>" or "@master" to the
// runtime API of that process, returning its answer unchanged.
//
// The exchange is the runtime API's (see engine/cli): commands end at an
// unescaped ';' or '\n'; a non-interactive session ends after the answer
// that leaves no unread input; "prompt" toggles interactive mode. What
// differs, as in HAProxy: the prompt is "master> " or "<pid>> " (the
// process commands go to) with no empty line before it; "prompt", "quit",
// "operator", "user" and a lone prefix (which makes the session's commands
// go to that process) are handled by the session and answer nothing; a
// prefix that names no process answers "Can't find the target PID
// matching the prefix '<prefix>'" and ends the session. A forwarded
// command runs at the session's level: "operator -;" or "user -;" is put
// before it when the level was lowered.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"hitless/engine"
	"hitless/engine/cli"
	"hitless/engine/config"
)

// Bounds of the master CLI.
const (
	masterCLIMaxconn = 10                 // sessions at once, over all -S sockets ("stats maxconn")
	masterCLITimeout = cli.DefaultTimeout // idle client, and a silent worker between two reads
	masterCLIMaxLine = 16384              // bytes of a command, payload line included
	masterCLIPayload = 1 << 20            // bytes of a forwarded payload
)

// masterCommands are the master's own commands, for help and suggestions;
// the session interprets them. Usage and help texts are HAProxy 2.6's.
var masterCommands = []cli.Command{
	{Words: []string{"@<relative pid>"}, Usage: "@<relative pid>", Help: "send a command to the <relative pid> process"},
	{Words: []string{"@!<pid>"}, Usage: "@!<pid>", Help: "send a command to the <pid> process"},
	{Words: []string{"@master"}, Usage: "@master", Help: "send a command to the master process"},
	{Words: []string{"operator"}, Usage: "operator", Help: "lower the level of the current CLI session to operator"},
	{Words: []string{"reload"}, Usage: "reload", Help: "reload haproxy"},
	{Words: []string{"show", "cli", "level"}, Usage: "show cli level", Help: "display the level of the current CLI session"},
	{Words: []string{"show", "cli", "sockets"}, Usage: "show cli sockets", Help: "dump list of cli sockets"},
	{Words: []string{"show", "proc"}, Usage: "show proc", Help: "show processes status"},
	{Words: []string{"show", "version"}, Usage: "show version", Help: "show version of the current process"},
	{Words: []string{"user"}, Usage: "user", Help: "lower the level of the current CLI session to user"},
	// listed by the trailer of every listing
	{Words: []string{"help"}},
	{Words: []string{"prompt"}},
	{Words: []string{"quit"}},
}

// listenMasterCLI opens the socket of "-S <bind>[,<option>...]": the
// address and options of a "stats socket" line, separated by commas (a
// unix path, "fd@N", "ipv4@addr:port", ...; "mode", "level", ...). The
// level is admin unless an option says otherwise.
func listenMasterCLI(lg *logger, spec string, opts config.Options) (net.Listener, config.Level, error) {
	words := strings.Split(spec, ",")
	var text strings.Builder
	text.WriteString("global\n    stats socket")
	level := false
	for _, w := range words {
		if strings.ContainsAny(w, "'\n") {
			return nil, 0, fmt.Errorf("master CLI '%s': invalid character in '%s'", spec, w)
		}
		level = level || w == "level"
		text.WriteString(" '" + w + "'")
	}
	text.WriteString("\n")
	cfg, err := config.Parse("-S "+spec, []byte(text.String()), opts)
	printDiags(lg, cfg, err)
	if err != nil {
		return nil, 0, fmt.Errorf("master CLI '%s': invalid address or option", spec)
	}
	if len(cfg.Global.StatsSockets) != 1 {
		return nil, 0, fmt.Errorf("master CLI '%s': invalid address", spec)
	}
	sock := cfg.Global.StatsSockets[0]
	if !level {
		sock.Level = config.LevelAdmin
	}
	ln, err := cli.Listen(sock)
	if err != nil {
		return nil, 0, fmt.Errorf("master CLI: %w", err)
	}
	return ln, sock.Level, nil
}

// serveCLI accepts master CLI sessions on ln until it is closed.
func (m *master) serveCLI(ln net.Listener, level config.Level) {
	slots := m.cliSlots
	var backoff time.Duration
	for {
		select {
		case slots <- struct{}{}:
		case <-m.done:
			return
		}
		c, err := ln.Accept()
		if err != nil {
			<-slots
			var ne net.Error
			if errors.Is(err, net.ErrClosed) || !errors.As(err, &ne) {
				return
			}
			// EMFILE and friends: retry later
			if backoff = 2*backoff + 5*time.Millisecond; backoff > time.Second {
				backoff = time.Second
			}
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-m.done:
				t.Stop()
				return
			}
			continue
		}
		backoff = 0
		go func() {
			defer func() { <-slots }()
			defer c.Close()
			s := &mcliSession{m: m, conn: c, level: level}
			s.run()
		}()
	}
}

// mcliSession is one master CLI connection, owned by its goroutine.
type mcliSession struct {
	m           *master
	conn        net.Conn
	level       config.Level
	interactive bool
	target      int    // pid the session's commands go to; 0 = the master
	targetName  string // the prefix that chose target, for errors

	buf  []byte
	in   []byte // unread input, a window of buf
	eof  bool
	out  bytes.Buffer
	args []string
}

// run serves the session until the client leaves, the exchange is over, or
// an error ends it.
func (s *mcliSession) run() {
	for {
		line, ok := s.readCommand()
		if !ok {
			return
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		keep, end := s.execute(line)
		if s.flush() != nil || end {
			return
		}
		if !s.interactive && !keep && len(s.in) == 0 {
			return
		}
	}
}

// execute runs one command line. keep asks not to end a non-interactive
// session for lack of input (prompt was just turned off); end ends the
// session at once.
func (s *mcliSession) execute(line []byte) (keep, end bool) {
	line = trimBlanks(line)
	if len(line) > 0 && line[0] == '@' {
		i := bytes.IndexAny(line, " \t")
		if i < 0 {
			i = len(line)
		}
		prefix := string(line[:i])
		pid, ok := s.m.resolvePrefix(prefix)
		if !ok {
			fmt.Fprintf(&s.out, "Can't find the target PID matching the prefix '%s'\n", prefix)
			return false, true
		}
		rest := trimBlanks(line[i:])
		if len(rest) == 0 {
			s.target, s.targetName = pid, prefix
			s.prompt()
			return false, false
		}
		if pid == 0 {
			s.runMaster(rest)
		} else {
			s.forward(pid, prefix, rest)
		}
		return false, false
	}

	words, _ := cli.SplitWords(s.args, line)
	s.args = words
	if len(words) == 1 {
		switch words[0] {
		case "prompt":
			s.interactive = !s.interactive
			s.prompt()
			return true, false
		case "quit":
			return false, true
		case "operator", "user":
			s.lower(words[0])
			s.prompt()
			return false, false
		}
	}
	if s.target == 0 {
		s.runMaster(line)
	} else {
		s.forward(s.target, s.targetName, line)
	}
	return false, false
}

func (s *mcliSession) lower(to string) {
	want := config.LevelUser
	if to == "operator" {
		want = config.LevelOperator
	}
	if want < s.level {
		s.level = want
	}
}

// runMaster runs one of the master's own commands: its answer, then an
// empty line.
func (s *mcliSession) runMaster(line []byte) {
	words, _ := cli.SplitWords(s.args, line)
	s.args = words
	switch {
	case len(words) == 0:
		s.out.WriteString(cli.Usage(masterCommands, words, false))
	case words[0] == "help":
		s.out.WriteString(cli.Usage(masterCommands, words[1:], true))
	case words[0] == "prompt" || words[0] == "quit" || words[0] == "operator" || words[0] == "user":
		// with arguments, or after a prefix: nothing to do
	case words[0] == "reload":
		if s.level < config.LevelAdmin {
			s.out.WriteString("Permission denied\n")
			break
		}
		s.flush()
		r := s.m.requestReload()
		if r.ok {
			s.out.WriteString("Success=1\n--\n")
		} else {
			s.out.WriteString("Success=0\n--\n")
		}
		s.out.WriteString(r.log)
	case len(words) >= 2 && words[0] == "show" && words[1] == "proc":
		s.m.appendShowProc(&s.out, time.Now())
	case len(words) >= 2 && words[0] == "show" && words[1] == "version":
		s.out.WriteString(processVersion() + "\n")
	case len(words) >= 3 && words[0] == "show" && words[1] == "cli" && words[2] == "level":
		s.out.WriteString(levelName(s.level) + "\n")
	case len(words) >= 3 && words[0] == "show" && words[1] == "cli" && words[2] == "sockets":
		// HAProxy's master lists no socket of its own
	default:
		s.out.WriteString(cli.Usage(masterCommands, words, false))
	}
	if n := s.out.Len(); n > 0 && s.out.Bytes()[n-1] != '\n' {
		s.out.WriteByte('\n')
	}
	s.out.WriteByte('\n')
	s.prompt()
}

// forward runs line on the runtime API of worker pid and copies its answer
// to the client. A command ending with "<<" takes its payload from the
// client's next lines, up to an empty one.
func (s *mcliSession) forward(pid int, prefix string, line []byte) {
	var req bytes.Buffer
	switch s.level {
	case config.LevelOperator:
		req.WriteString("operator -;")
	case config.LevelUser:
		req.WriteString("user -;")
	}
	req.Write(line)
	req.WriteByte('\n')
	if bytes.HasSuffix(line, []byte("<<")) {
		if !s.readPayload(&req) {
			return
		}
	}
	c, err := s.m.dialWorker(pid)
	if err != nil {
		fmt.Fprintf(&s.out, "Can't connect to the target CLI of '%s' (%v)\n\n", prefix, err)
		s.prompt()
		return
	}
	defer c.Close()
	if err := s.flush(); err != nil {
		return
	}
	c.SetWriteDeadline(time.Now().Add(masterCLITimeout))
	if _, err := c.Write(req.Bytes()); err == nil {
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		buf := make([]byte, 16<<10)
		for {
			c.SetReadDeadline(time.Now().Add(masterCLITimeout))
			n, rerr := c.Read(buf)
			if n > 0 {
				s.conn.SetWriteDeadline(time.Now().Add(masterCLITimeout))
				if _, werr := s.conn.Write(buf[:n]); werr != nil {
					return
				}
			}
			if rerr != nil {
				break
			}
		}
	}
	s.prompt()
}

// readPayload appends the client's payload lines to req, up to and with
// the empty line that ends them.
func (s *mcliSession) readPayload(req *bytes.Buffer) bool {
	for {
		i := bytes.IndexByte(s.in, '\n')
		if i < 0 {
			if s.eof || !s.fill() {
				return false
			}
			continue
		}
		line := s.in[:i+1]
		s.in = s.in[i+1:]
		if req.Len()+len(line) > masterCLIPayload {
			return false
		}
		req.Write(line)
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			return true
		}
	}
}

// prompt ends an answer in interactive mode.
func (s *mcliSession) prompt() {
	if !s.interactive {
		return
	}
	if s.target == 0 {
		s.out.WriteString("master> ")
	} else {
		s.out.WriteString(strconv.Itoa(s.target) + "> ")
	}
}

func (s *mcliSession) flush() error {
	if s.out.Len() == 0 {
		return nil
	}
	s.conn.SetWriteDeadline(time.Now().Add(masterCLITimeout))
	_, err := s.conn.Write(s.out.Bytes())
	s.out.Reset()
	return err
}

// readCommand returns the next command without its delimiter; it aliases
// the input buffer until the next read. ok is false when the session must
// end: end of input (an unterminated last command is dropped), timeout,
// error, or a command longer than masterCLIMaxLine.
func (s *mcliSession) readCommand() (line []byte, ok bool) {
	for {
		if i := cli.FindDelim(s.in); i >= 0 {
			line, s.in = s.in[:i], s.in[i+1:]
			return line, true
		}
		if s.eof || !s.fill() {
			return nil, false
		}
	}
}

// fill reads more input, waiting at most masterCLITimeout.
func (s *mcliSession) fill() bool {
	if len(s.in) >= masterCLIMaxLine {
		return false
	}
	if s.buf == nil {
		s.buf = make([]byte, 4096)
	}
	n := copy(s.buf, s.in)
	if n == len(s.buf) {
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	s.conn.SetReadDeadline(time.Now().Add(masterCLITimeout))
	k, err := s.conn.Read(s.buf[n:])
	s.in = s.buf[:n+k]
	switch {
	case err == nil:
		return true
	case errors.Is(err, io.EOF):
		s.eof = true
		return true
	}
	return false
}

func trimBlanks(b []byte) []byte {
	return bytes.Trim(b, " \t")
}

func levelName(l config.Level) string {
	switch l {
	case config.LevelAdmin:
		return "admin"
	case config.LevelOperator:
		return "operator"
	case config.LevelUser:
		return "user"
	}
	return "unknown"
}

// resolvePrefix returns the pid an "@..." prefix names: 0 for the master
// ("@", "@0", "@master"), the current worker for "@1" (hitless has one
// worker per generation, as HAProxy 2.6), any worker for "@!<pid>". ok is
// false if no process matches.
func (m *master) resolvePrefix(prefix string) (pid int, ok bool) {
	rest := strings.TrimPrefix(prefix, "@")
	if rest == "master" {
		return 0, true
	}
	bang := strings.HasPrefix(rest, "!")
	if bang {
		rest = rest[1:]
	}
	n := 0
	if rest != "" {
		var err error
		if n, err = strconv.Atoi(rest); err != nil {
			return 0, false
		}
	}
	if !bang && n == 0 {
		return 0, true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range m.workers {
		switch {
		case bang && w.pid == n:
			return w.pid, true
		case !bang && n == 1 && w.state == workerCurrent:
			return w.pid, true
		}
	}
	return 0, false
}

// dialWorker opens a runtime API session on worker pid.
func (m *master) dialWorker(pid int) (net.Conn, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range m.workers {
		if w.pid == pid && w.ipc >= 0 {
			return cli.DialSockpair(w.ipc)
		}
	}
	return nil, errors.New("no such process")
}

// appendShowProc writes the answer of "show proc" in HAProxy 2.6's layout.
func (m *master) appendShowProc(b *bytes.Buffer, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v := processVersion()
	fmt.Fprintf(b, "%-15s %-15s %-15s %-15s %-15s\n", "#<PID>", "<type>", "<reloads>", "<uptime>", "<version>")
	fmt.Fprintf(b, "%-15d %-15s %-15s %-15s %-15s\n", os.Getpid(), "master",
		fmt.Sprintf("%d [failed: %d]", m.reloads, m.failed), uptime(now.Sub(m.started)), v)
	b.WriteString("# workers\n")
	old := false
	for _, w := range m.workers {
		if w.state == workerOld {
			old = true
			continue
		}
		fmt.Fprintf(b, "%-15d %-15s %-15d %-15s %-15s\n", w.pid, "worker", w.reloads, uptime(now.Sub(w.started)), v)
	}
	if old {
		b.WriteString("# old workers\n")
		for _, w := range m.workers {
			if w.state == workerOld {
				fmt.Fprintf(b, "%-15d %-15s %-15d %-15s %-15s\n", w.pid, "worker", w.reloads, uptime(now.Sub(w.started)), v)
			}
		}
	}
	b.WriteString("# programs\n")
}

// uptime words a duration as HAProxy does: "0d00h00m01s".
func uptime(d time.Duration) string {
	t := int64(d / time.Second)
	return fmt.Sprintf("%dd%02dh%02dm%02ds", t/86400, t/3600%24, t/60%60, t%60)
}

// processVersion is the version the runtime API reports ("show version",
// "show info"): the HAProxy version implemented, then hitless's.
func processVersion() string {
	return config.CompatVersion + "-hitless-" + engine.Version
}
