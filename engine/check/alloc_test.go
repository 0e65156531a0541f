package check

import (
	"syscall"
	"testing"
)

// The per-check path does not allocate: running a program, matching,
// updating the health counter and formatting the messages.
func TestAllocs(t *testing.T) {
	httpProg := program(t, "option httpchk GET /health HTTP/1.1|http-check expect status 200")
	tcpProg := program(t, "option tcp-check|tcp-check send PING\\r\\n|tcp-check expect string +PONG")
	myProg := program(t, "option mysql-check user check")
	connProg := program(t, "")
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	greet := append(append([]byte(nil), mysqlGreeting...), mysqlOK...)
	errResp := []byte("-ERR")
	var (
		r   Run
		h   = NewHealth(2, 3)
		buf = make([]byte, 0, 512)
	)
	for _, tt := range []struct {
		name string
		f    func()
	}{
		{"http run", func() {
			r.Start(httpProg, false)
			r.Connected()
			r.Sent()
			r.Received(resp[:10], false)
			r.Received(resp, false)
		}},
		{"tcp run", func() {
			r.Start(tcpProg, false)
			r.Connected()
			r.Sent()
			r.Received(errResp, true)
		}},
		{"mysql run", func() {
			r.Start(myProg, false)
			r.Connected()
			r.Sent()
			r.Received(greet, true)
		}},
		{"refused", func() {
			r.Start(connProg, false)
			r.Failed(syscall.ECONNREFUSED)
		}},
		{"timeout", func() {
			r.Start(tcpProg, false)
			r.Connected()
			r.TimedOut()
		}},
		{"health and log", func() {
			res := r.Result()
			h.Report(res.Passed())
			_ = h.Interval(2e9, 1e9, 5e9)
			buf = AppendCheckLog(buf[:0], ServerName{Backend: "be", Name: "s1"}, &res, &h, false)
			buf = AppendServerDown(buf[:0], ServerName{Backend: "be", Name: "s1"}, &res, "", Counts{})
			buf = h.AppendStatus(buf[:0], OpRunning)
		}},
	} {
		if n := testing.AllocsPerRun(100, tt.f); n != 0 {
			t.Errorf("%s: %v allocations per run", tt.name, n)
		}
	}
}

func BenchmarkRunHTTP(b *testing.B) {
	p := program(b, "option httpchk GET /health HTTP/1.1|http-check expect string ok")
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
	var r Run
	b.ReportAllocs()
	for b.Loop() {
		r.Start(p, false)
		r.Connected()
		r.Sent()
		if r.Received(resp, false) != Pass {
			b.Fatal("no pass")
		}
	}
}

func BenchmarkRunTCP(b *testing.B) {
	p := program(b, "option tcp-check|tcp-check send PING\\r\\n|tcp-check expect string +PONG")
	resp := []byte("+PONG\r\n")
	var r Run
	b.ReportAllocs()
	for b.Loop() {
		r.Start(p, false)
		r.Connected()
		r.Sent()
		if r.Received(resp, false) != Pass {
			b.Fatal("no pass")
		}
	}
}

func BenchmarkCheckLog(b *testing.B) {
	res := result(StatusL4CON, "Connection refused")
	h := NewHealth(2, 3)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendCheckLog(buf[:0], ServerName{Backend: "be", Name: "s1"}, &res, &h, false)
	}
}
