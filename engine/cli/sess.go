package cli

import (
	"fmt"
	"strconv"
	"time"
)

// SessionLister is implemented by an Admin that can list its streams for
// "show sess". It is called from session goroutines, several at once.
type SessionLister interface {
	// AppendSessions appends one entry per stream and returns dst.
	AppendSessions(dst []SessionInfo) []SessionInfo
}

// SessionInfo describes one stream for "show sess".
type SessionInfo struct {
	ID       uint64 // printed as 0x%x; "shutdown session" takes it back
	Accepted time.Time
	Proto    string // "tcpv4", "tcpv6", "unix_stream"
	Src      string // client address, "ip:port" ("[ip6]:port" style as HAProxy: ip6:port)
	Frontend string
	FeID     int
	Listener string // the listening address
	Backend  string // "<NONE>" when none
	BeID     int
	Server   string // "<none>" when none
	SrvID    int
	Age      time.Duration
	Retries  int // connection retries left
	CliFD    int // -1 when closed
	SrvFD    int
	Expire   time.Duration // until the next timeout; < 0 for none
	Queued   bool          // waiting in a queue for a server slot
}

// humanTime formats a duration as HAProxy's human_time does.
func humanTime(d time.Duration) string {
	t := int64(d / time.Second)
	switch {
	case t < 60:
		return strconv.FormatInt(t, 10) + "s"
	case t < 3600:
		return fmt.Sprintf("%dm%02ds", t/60, t%60)
	case t < 86400:
		return fmt.Sprintf("%dh%02dm", t/3600, t/60%60)
	}
	return fmt.Sprintf("%dd%02dh", t/86400, t/3600%24)
}

func expireText(d time.Duration) string {
	if d < 0 {
		return ""
	}
	return humanTime(d)
}

// runShowSess implements "show sess [id]": one line per stream in HAProxy's
// layout. The stream flags of HAProxy's line (rq[f=...], scf=[...]) are
// internal to HAProxy and printed as zero here; the fields tools read
// (id, proto, src, fe, be, srv, age, exp, fds) are real.
func runShowSess(s *Session, args []string, _ []byte) error {
	sl, ok := s.srv.admin.(SessionLister)
	if !ok {
		return nil
	}
	list := sl.AppendSessions(nil)
	if a := arg(args, 2); a != "" && a != "all" {
		id := cStrtoul(a)
		for i := range list {
			if list[i].ID == id {
				writeSessDetail(s, &list[i])
				return nil
			}
		}
		s.WriteString("Session not found.\n")
		return nil
	}
	for i := range list {
		if arg(args, 2) == "all" {
			writeSessDetail(s, &list[i])
			continue
		}
		si := &list[i]
		fmt.Fprintf(s, "0x%x: proto=%s src=%s fe=%s be=%s srv=%s ts=00 epoch=0 age=%s calls=0 rate=0 cpu=0 lat=0 "+
			"rq[f=0h,i=0,an=00h,rx=%s,wx=,ax=] rp[f=0h,i=0,an=00h,rx=,wx=,ax=] scf=[8,0h,fd=%d] scb=[8,1h,fd=%d] exp=%s rc=0 c_exp=\n",
			si.ID, si.Proto, si.Src, si.Frontend, si.Backend, si.Server, humanTime(si.Age),
			expireText(si.Expire), si.CliFD, si.SrvFD, expireText(si.Expire))
	}
	return nil
}

// writeSessDetail writes the first lines of HAProxy's dump of one stream.
func writeSessDetail(s *Session, si *SessionInfo) {
	t := si.Accepted
	fmt.Fprintf(s, "0x%x: [%02d/%s/%04d:%02d:%02d:%02d.%06d] id=%d proto=%s source=%s\n",
		si.ID, t.Day(), t.Month().String()[:3], t.Year(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1000,
		si.ID&0xffffffff, si.Proto, si.Src)
	waiting := 0
	if si.Queued {
		waiting = 1
	}
	fmt.Fprintf(s, "  flags=0x0, conn_retries=%d, conn_exp=<NEVER> conn_et=0x000 srv_conn=(nil), pend_pos=(nil) waiting=%d epoch=0x0\n",
		si.Retries, waiting)
	fmt.Fprintf(s, "  frontend=%s (id=%d mode=tcp), listener=? (id=1) addr=%s\n", si.Frontend, si.FeID, si.Listener)
	if si.Backend == "<NONE>" {
		s.WriteString("  backend=<NONE> (id=-1 mode=-)\n")
	} else {
		fmt.Fprintf(s, "  backend=%s (id=%d mode=tcp)\n", si.Backend, si.BeID)
	}
	if si.Server == "<none>" {
		s.WriteString("  server=<NONE> (id=-1)\n")
	} else {
		fmt.Fprintf(s, "  server=%s (id=%d)\n", si.Server, si.SrvID)
	}
}
