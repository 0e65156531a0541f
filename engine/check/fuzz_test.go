package check

import "testing"

// FuzzReceived feeds arbitrary answers to every kind of check: no panic,
// and a run always ends with one verdict once the server closes.
func FuzzReceived(f *testing.F) {
	for _, seed := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
		"HTTP/1.0 404 Not Found\n\n",
		"+PONG\r\n",
		"-ERR\r\n",
		string(mysqlGreeting) + string(mysqlOK),
		string(mysqlBlocked),
		string(pgMD5),
		"E\x00\x00\x00\x08SFATAL\x00",
		"\xff\xff\xff\xff",
		"",
	} {
		f.Add([]byte(seed))
	}
	progs := []*Program{
		program(f, "option httpchk|http-check expect string ok"),
		program(f, "option httpchk|http-check disable-on-404|http-check expect rstatus ^2"),
		program(f, "option tcp-check|tcp-check expect ! rstring ERR|tcp-check expect rbinary ^2B|tcp-check expect string PONG"),
		program(f, "option mysql-check user u"),
		program(f, "option mysql-check"),
		program(f, "option pgsql-check user u"),
		program(f, "option redis-check"),
	}
	f.Fuzz(func(t *testing.T, answer []byte) {
		for _, p := range progs {
			var r Run
			r.Start(p, false)
			for i := 0; !r.Done() && i < 20; i++ {
				switch r.Step().Op {
				case OpConnect:
					r.Connected()
				case OpSend:
					r.Sent()
				case OpExpect:
					for n := 0; n <= len(answer) && !r.Done(); n += 7 {
						if r.Received(answer[:n], false) != NeedMore {
							break
						}
					}
					if !r.Done() && r.Step() != nil && r.Step().Op == OpExpect {
						r.Received(answer, true)
					}
				}
			}
			if !r.Done() {
				r.TimedOut()
			}
			if len(r.Reports()) == 0 {
				t.Fatalf("no report for %q", answer)
			}
		}
	})
}
