package main

import (
	"fmt"
	"strconv"
	"strings"
)

// args are the parsed command-line arguments, with HAProxy's meanings.
type args struct {
	files      []string // -f, repeatable
	check      bool     // -c
	condExpr   *string  // -cc <expr>
	debug      bool     // -d: foreground, debug output
	debugOpt   []string // other -d* flags
	foreground bool     // -db: never go to the background
	daemon     bool     // -D
	quiet      bool     // -q
	pidfile    string   // -p
	version    int      // -v = 1, -vv = 2
	softPids   []int    // -sf
	hardPids   []int    // -st
	nosplice   bool     // -dS
	master     bool     // -W / -Ws
	systemd    bool     // -Ws: notify systemd (NOTIFY_SOCKET) of the master's state
	localPeer  string   // -L
	sockPath   string   // -x
	masterCLI  []string // -S
}

// knownDebugFlags are the -d* flags HAProxy 2.6 accepts; those without an
// effect in hitless are accepted and ignored, as scripts pass them.
var knownDebugFlags = map[string]string{
	"-dM": "memory poisoning", "-dS": "disable splice", "-dR": "disable SO_REUSEPORT",
	"-dV": "disable SSL verify", "-dW": "zero-warning", "-db": "disable background",
	"-de": "disable epoll", "-dp": "disable poll", "-dr": "ignore resolution failures",
	"-dL": "dump libraries", "-dG": "disable getaddrinfo", "-dK": "dump keywords",
	"-dD": "diagnostic mode", "-dF": "disable fast-forward", "-dZ": "disable zero-copy",
}

// parseArgs reads argv (without the program name) the way HAProxy does:
// options may take several following words (-sf, -st), -f repeats, and a
// lone word is a configuration file.
func parseArgs(argv []string) (*args, error) {
	a := &args{}
	for i := 0; i < len(argv); i++ {
		arg := argv[i]
		next := func() (string, error) {
			if i+1 >= len(argv) {
				return "", fmt.Errorf("option '%s' requires an argument", arg)
			}
			i++
			return argv[i], nil
		}
		switch {
		case arg == "-f":
			f, err := next()
			if err != nil {
				return nil, err
			}
			a.files = append(a.files, f)
		case arg == "-c":
			a.check = true
		case arg == "-cc":
			expr, err := next()
			if err != nil {
				return nil, err
			}
			a.condExpr = &expr
		case arg == "-d":
			a.debug = true
		case arg == "-D":
			a.daemon = true
		case arg == "-q":
			a.quiet = true
		case arg == "-v":
			a.version = 1
		case arg == "-vv":
			a.version = 2
		case arg == "-p":
			p, err := next()
			if err != nil {
				return nil, err
			}
			a.pidfile = p
		case arg == "-L":
			p, err := next()
			if err != nil {
				return nil, err
			}
			a.localPeer = p
		case arg == "-x":
			p, err := next()
			if err != nil {
				return nil, err
			}
			a.sockPath = p
		case arg == "-S":
			p, err := next()
			if err != nil {
				return nil, err
			}
			a.masterCLI = append(a.masterCLI, p)
		case arg == "-W" || arg == "-Ws":
			a.master = true
			a.systemd = a.systemd || arg == "-Ws"
		case arg == "-sf" || arg == "-st":
			var pids []int
			for i+1 < len(argv) && !strings.HasPrefix(argv[i+1], "-") {
				pid, err := strconv.Atoi(argv[i+1])
				if err != nil || pid <= 0 {
					return nil, fmt.Errorf("'%s' expects process ids, got '%s'", arg, argv[i+1])
				}
				pids = append(pids, pid)
				i++
			}
			if arg == "-sf" {
				a.softPids = append(a.softPids, pids...)
			} else {
				a.hardPids = append(a.hardPids, pids...)
			}
		case strings.HasPrefix(arg, "-d") && len(arg) > 2:
			if _, ok := knownDebugFlags[arg]; !ok {
				return nil, fmt.Errorf("unknown option '%s'", arg)
			}
			a.debugOpt = append(a.debugOpt, arg)
			switch arg {
			case "-dS":
				a.nosplice = true
			case "-db":
				a.foreground = true
			}
		case arg == "--":
			a.files = append(a.files, argv[i+1:]...)
			i = len(argv)
		case strings.HasPrefix(arg, "-"):
			return nil, fmt.Errorf("unknown option '%s'", arg)
		default:
			a.files = append(a.files, arg)
		}
	}
	return a, nil
}
