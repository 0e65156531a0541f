package cli

import (
	"errors"
	"strings"
	"time"

	"hitless/engine/config"
)

// "wait" first appeared in HAProxy 2.7 (srv-removable) and gained
// be-removable in 3.x; 2.6 has no such command, so its syntax and
// messages follow the later versions: the argument checks and the usage
// text of src/cli.c, then "Done.", or "Wait delay expired. <why>",
// "Failed. <why>" and "Interrupted." when the client leaves.
//
// The condition is polled with HAProxy's back-off: half the time elapsed
// plus 1ms, at most a tenth of the delay, at least 1ms. Meanwhile the
// session keeps reading what the client sends, for the commands that
// follow ("wait 2s srv-removable b/s; del server b/s").

const waitUsage = "Usage: wait {-h|<duration>} [condition [args...]]\n" +
	"  - '-h' displays this help\n" +
	"  - <duration> is the maximum wait time, optionally suffixed by the unit among\n" +
	"    'us', 'ms', 's', 'm', 'h', and 'd'. ; the default unit is milliseconds.\n" +
	"  - <condition> indicates what to wait for, no longer than the specified\n" +
	"    duration. Supported conditions are:\n" +
	"    - <none> : by default, just sleep for the specified duration.\n" +
	"    - srv-removable <px>/<sv> : wait for this server to become removable.\n" +
	"    - be-removable <px> : wait for this backend to become removable.\n"

func runWait(s *Session, args []string, _ []byte) error {
	a := s.srv.admin
	if arg(args, 1) == "" {
		s.WriteString("Expects a duration in milliseconds.\n")
		return nil
	}
	cond := 2 // index of the condition
	d, err := config.ParseTime(args[1])
	if err != nil || d < time.Millisecond {
		if args[1] != "-h" {
			s.WriteString("Invalid duration.\n")
			return nil
		}
		cond = 1 // "-h" takes the place of the condition: usage
	}

	var check func() error // nil: just sleep
	var transient error    // the answer of check worth waiting out
	switch c := arg(args, cond); c {
	case "":
	case "srv-removable":
		spec := arg(args, cond+1)
		if spec == "" {
			s.WriteString("Missing server name (<backend>/<server>).\n")
			return nil
		}
		bk, sv, ok := strings.Cut(spec, "/")
		if !ok || sv == "" {
			s.WriteString(msgRequireBackendServer)
			return nil
		}
		b, sr := backendRef(bk), serverRef(sv)
		check = func() error { return a.ServerRemovable(b, sr) }
		transient = ErrServerInUse
	case "be-removable":
		name := arg(args, cond+1)
		if name == "" {
			s.WriteString("Missing backend name.\n")
			return nil
		}
		b := backendRef(name)
		check = func() error { return a.BackendRemovable(b) }
		transient = ErrBackendInUse
	default: // "-h" asks for the usage, anything else gets it as an error
		s.WriteString(waitUsage)
		return nil
	}

	if s.srv.waitCap > 0 {
		d = min(d, s.srv.waitCap)
	}
	start := time.Now()
	deadline := start.Add(d)
	var last error // the latest transient refusal
	for {
		if check != nil {
			err := check()
			switch {
			case err == nil:
				s.WriteString("Done.\n")
				return nil
			case !errors.Is(err, transient):
				s.WriteString("Failed. " + removalText(err) + "\n")
				return nil
			}
			last = err
		}
		left := time.Until(deadline)
		if left <= 0 {
			if last == nil {
				s.WriteString("Done.\n")
			} else {
				s.WriteString("Wait delay expired. " + removalText(last) + "\n")
			}
			return nil
		}
		pause := left
		if check != nil {
			pause = min(time.Since(start)/2+time.Millisecond, d/10, left)
			pause = max(pause, time.Millisecond)
		}
		if s.idle(pause) {
			if last == nil {
				s.WriteString("Interrupted.\n")
			} else {
				s.WriteString("Interrupted. " + removalText(last) + "\n")
			}
			return nil
		}
	}
}
