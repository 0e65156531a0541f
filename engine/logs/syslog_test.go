package logs

import (
	"errors"
	"testing"
	"time"
)

func TestAppendHeader(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 5, 7, 42_123_456, ist)
	late := time.Date(2026, 12, 25, 23, 59, 59, 999_999_999, time.UTC)
	west := time.Date(2026, 1, 31, 0, 0, 0, 1000, time.FixedZone("", -(9*3600+30*60)))
	for _, tt := range []struct {
		name      string
		fr        Framing
		fac, lvl  int
		now       time.Time
		host, tag string
		pid       int
		want      string
	}{
		{"rfc3164", FrameRFC3164, 16, 6, now, "", "haproxy", 4242, "<134>Nov  2 09:05:07 haproxy[4242]: "},
		{"rfc3164 host", FrameRFC3164, 16, 6, now, "myhost", "haproxy", 4242, "<134>Nov  2 09:05:07 myhost haproxy[4242]: "},
		{"rfc3164 two-digit day", FrameRFC3164, 23, 7, late, "", "hitless", 1, "<191>Dec 25 23:59:59 hitless[1]: "},
		{"rfc3164 no pid", FrameRFC3164, 0, 0, now, "", "haproxy", 0, "<0>Nov  2 09:05:07 haproxy: "},
		{"rfc3164 no tag", FrameRFC3164, 16, 6, now, "h", "", 4242, "<134>Nov  2 09:05:07 h "},
		{"local", FrameLocal, 19, 6, now, "myhost", "haproxy", 4242, "<158>Nov  2 09:05:07 haproxy[4242]: "},
		{"rfc5424", FrameRFC5424, 16, 6, now, "", "haproxy", 4242, "<134>1 2026-11-02T09:05:07.042123+05:30 - haproxy 4242 - - "},
		{"rfc5424 host", FrameRFC5424, 16, 6, now, "myhost", "haproxy", 4242, "<134>1 2026-11-02T09:05:07.042123+05:30 myhost haproxy 4242 - - "},
		{"rfc5424 utc", FrameRFC5424, 16, 4, late, "h", "t", 9, "<132>1 2026-12-25T23:59:59.999999+00:00 h t 9 - - "},
		{"rfc5424 west", FrameRFC5424, 16, 4, west, "", "", 0, "<132>1 2026-01-31T00:00:00.000001-09:30 - - - - - "},
		{"timed", FrameTimed, 19, 6, now, "myhost", "haproxy", 4242, "<6>2026-11-02T09:05:07.042123+05:30 "},
		{"iso", FrameISO, 19, 6, now, "myhost", "haproxy", 4242, "2026-11-02T09:05:07.042123+05:30 "},
		{"short", FrameShort, 19, 3, now, "myhost", "haproxy", 4242, "<3>"},
		{"priority", FramePriority, 19, 3, now, "myhost", "haproxy", 4242, "<155>"},
		{"raw", FrameRaw, 19, 3, now, "myhost", "haproxy", 4242, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := string(AppendHeader([]byte("x"), tt.fr, tt.fac, tt.lvl, tt.now, tt.host, tt.tag, tt.pid))
			if got != "x"+tt.want {
				t.Errorf("\n got %q\nwant %q", got[1:], tt.want)
			}
		})
	}
}

func TestParseNames(t *testing.T) {
	for _, tt := range []struct {
		name string
		fr   Framing
	}{
		{"rfc3164", FrameRFC3164}, {"rfc5424", FrameRFC5424}, {"raw", FrameRaw}, {"short", FrameShort},
		{"timed", FrameTimed}, {"iso", FrameISO}, {"local", FrameLocal}, {"priority", FramePriority},
	} {
		if fr, ok := ParseFraming(tt.name); !ok || fr != tt.fr {
			t.Errorf("ParseFraming(%q) = %v, %v", tt.name, fr, ok)
		}
		if tt.fr.String() != tt.name {
			t.Errorf("%d.String() = %q", tt.fr, tt.fr.String())
		}
	}
	for _, bad := range []string{"", "RFC5424", "rfc", "json"} {
		if _, ok := ParseFraming(bad); ok {
			t.Errorf("ParseFraming(%q) accepted", bad)
		}
	}
	for name, want := range map[string]int{
		"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
		"uucp": 8, "cron": 9, "auth2": 10, "ftp": 11, "ntp": 12, "audit": 13, "alert": 14, "cron2": 15,
		"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
	} {
		if got, ok := ParseFacility(name); !ok || got != want {
			t.Errorf("ParseFacility(%q) = %d, %v", name, got, ok)
		}
	}
	for name, want := range map[string]int{
		"emerg": 0, "alert": 1, "crit": 2, "err": 3, "warning": 4, "notice": 5, "info": 6, "debug": 7,
	} {
		if got, ok := ParseLevel(name); !ok || got != want {
			t.Errorf("ParseLevel(%q) = %d, %v", name, got, ok)
		}
	}
	for _, bad := range []string{"", "local8", "LOCAL0", "error", "warn"} {
		if _, ok := ParseFacility(bad); ok {
			t.Errorf("ParseFacility(%q) accepted", bad)
		}
		if _, ok := ParseLevel(bad); ok {
			t.Errorf("ParseLevel(%q) accepted", bad)
		}
	}
}

func TestCheckAddr(t *testing.T) {
	for _, tt := range []struct {
		addr string
		want parsedAddr
		ok   bool
	}{
		{"127.0.0.1", parsedAddr{kind: addrUDP, network: "udp", host: "127.0.0.1", port: 514}, true},
		{"127.0.0.1:1514", parsedAddr{kind: addrUDP, network: "udp", host: "127.0.0.1", port: 1514}, true},
		{"127.0.0.1:0", parsedAddr{kind: addrUDP, network: "udp", host: "127.0.0.1", port: 514}, true},
		{"udp@logs.example:514", parsedAddr{kind: addrUDP, network: "udp", host: "logs.example", port: 514}, true},
		{"ipv4@localhost:9", parsedAddr{kind: addrUDP, network: "udp4", host: "localhost", port: 9}, true},
		{"udp4@10.0.0.1", parsedAddr{kind: addrUDP, network: "udp4", host: "10.0.0.1", port: 514}, true},
		{"ipv6@::1:600", parsedAddr{kind: addrUDP, network: "udp6", host: "::1", port: 600}, true},
		{"::1:", parsedAddr{kind: addrUDP, network: "udp", host: "::1", port: 514}, true},
		{"[::1]:600", parsedAddr{kind: addrUDP, network: "udp", host: "::1", port: 600}, true},
		{"udp6@[::1]", parsedAddr{kind: addrUDP, network: "udp6", host: "::1", port: 514}, true},
		{"/dev/log", parsedAddr{kind: addrUnix, path: "/dev/log"}, true},
		{"unix@/run/log.sock", parsedAddr{kind: addrUnix, path: "/run/log.sock"}, true},
		{"unix@rel.sock", parsedAddr{kind: addrUnix, path: "rel.sock"}, true},
		{"stdout", parsedAddr{kind: addrFD, fd: 1}, true},
		{"stderr", parsedAddr{kind: addrFD, fd: 2}, true},
		{"fd@7", parsedAddr{kind: addrFD, fd: 7}, true},
		{"", parsedAddr{}, false},
		{"fd@", parsedAddr{}, false},
		{"fd@-1", parsedAddr{}, false},
		{"fd@+1", parsedAddr{}, false},
		{"fd@x", parsedAddr{}, false},
		{"unix@", parsedAddr{}, false},
		{"tcp@127.0.0.1:514", parsedAddr{}, false},
		{"ring@buf", parsedAddr{}, false},
		{"abns@x", parsedAddr{}, false},
		{"127.0.0.1:65536", parsedAddr{}, false},
		{"127.0.0.1:-1", parsedAddr{}, false},
		{"127.0.0.1:+5", parsedAddr{}, false},
		{"127.0.0.1:514-515", parsedAddr{}, false},
		{":514", parsedAddr{}, false},
		{"[::1", parsedAddr{}, false},
		{"[::1]x", parsedAddr{}, false},
		{"[]:5", parsedAddr{}, false},
	} {
		got, err := parseAddr(tt.addr)
		if (err == nil) != tt.ok {
			t.Errorf("parseAddr(%q): error %v, want ok %v", tt.addr, err, tt.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrTarget) || !errors.Is(CheckAddr(tt.addr), ErrTarget) {
				t.Errorf("parseAddr(%q): %v does not wrap ErrTarget", tt.addr, err)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("parseAddr(%q) = %+v, want %+v", tt.addr, got, tt.want)
		}
	}
}
