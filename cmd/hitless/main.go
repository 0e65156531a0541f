// Command hitless is the load balancer's process: it reads HAProxy-syntax
// configuration, runs the engine and the runtime API, and handles signals
// and the command-line flags HAProxy scripts use.
package main

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"

	"hitless/engine"
	"hitless/engine/config"
)

//go:embed default.cfg
var defaultConfig []byte

// buildVersion is set with -ldflags "-X main.buildVersion=...".
var buildVersion = ""

func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "0.1-dev-" + s.Value[:12]
			}
		}
	}
	return "0.1-dev"
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the exit, for tests: it returns the exit status.
func run(argv []string, stdout, stderr io.Writer) int {
	engine.Version = version()
	lg := newLogger(stderr)
	a, err := parseArgs(argv)
	if err != nil {
		lg.alert("%v", err)
		usage(stderr)
		return 1
	}
	if a.version > 0 {
		printVersion(stdout, a.version > 1)
		return 0
	}
	opts := configOptions()
	if a.condExpr != nil {
		// -cc: evaluate a condition, print nothing; 0 true, 1 false, 2 error.
		ok, err := config.EvalCond(*a.condExpr, opts)
		switch {
		case err != nil:
			return 2
		case ok:
			return 0
		}
		return 1
	}
	lg.quiet = a.quiet
	if thisWorker, err = takeWorkerLink(); err != nil {
		lg.alert("%v", err)
		return 1
	}
	if a.master && thisWorker == nil {
		setMasterEnv()
	}
	cfg, err := loadConfig(a, opts)
	if thisWorker == nil || err != nil {
		// a worker's master printed the warnings already
		printDiags(lg, cfg, err)
	}
	if err != nil {
		lg.alert("config : Fatal errors found in configuration.")
		return 1
	}
	if a.nosplice {
		cfg.Global.NoSplice = true
	}
	if a.check {
		eng, err := engine.New(cfg, engine.Options{Logf: lg.warningf, Alertf: lg.alert})
		if err != nil {
			lg.alert("config : %v", err)
			lg.alert("config : Fatal errors found in configuration.")
			return 1
		}
		eng.Close()
		if !a.quiet {
			if len(cfg.Warnings) > 0 {
				fmt.Fprintln(stdout, "Warnings were found.")
			}
			fmt.Fprintln(stdout, "Configuration file is valid")
		}
		return 0
	}
	masterMode := (a.master || cfg.Global.MasterWorker) && thisWorker == nil
	if !masterMode && thisWorker == nil && len(a.masterCLI) > 0 {
		lg.warningf("config : a master CLI socket was defined, but master-worker mode (-W) is not enabled.")
	}
	if (a.daemon || cfg.Global.Daemon) && !a.debug && !a.foreground && thisWorker == nil {
		return daemonize(lg, a)
	}
	if masterMode {
		return runMaster(lg, a, cfg, opts)
	}
	if a.sockPath != "" {
		fds, err := fetchOldSockets(a.sockPath)
		if err != nil {
			lg.warningf("%v", err)
			lg.alert("Failed to get the sockets from the old process!")
		}
		oldSockets = fds
	}
	return serve(lg, a, cfg)
}

// configOptions are the parser settings: the process environment, the
// HAProxy version hitless implements and the features it really has.
func configOptions() config.Options {
	return config.Options{Feature: hasFeature}
}

// features are what feature(NAME) answers true for in conditions.
var features = map[string]bool{
	"EPOLL": true, "LINUX_SPLICE": true, "ACCEPT4": true, "CPU_AFFINITY": true,
	"THREAD": true, "GETADDRINFO": true, "TFO": true, "NS": false, "PCRE2": false,
	"OPENSSL": false, "LUA": false, "ZLIB": false, "SLZ": false, "PROMEX": false,
	"QUIC": false, "SYSTEMD": false,
}

func hasFeature(name string) bool { return features[name] }

// loadConfig reads the -f files and directories, or the embedded demo
// configuration when there is none.
func loadConfig(a *args, opts config.Options) (*config.Config, error) {
	if len(a.files) == 0 {
		return config.Parse("<embedded default>", defaultConfig, opts)
	}
	return config.Load(a.files, opts)
}

// printDiags writes configuration warnings and alerts the way HAProxy
// does: "[WARNING]  (pid) : config : parsing [file:line] : ...".
func printDiags(lg *logger, cfg *config.Config, err error) {
	var diags []config.Diag
	var cerr *config.Error
	switch {
	case errors.As(err, &cerr):
		diags = cerr.Diags
	case err != nil:
		lg.alert("config : %v", err)
		return
	case cfg != nil:
		diags = cfg.Warnings
	}
	for _, d := range diags {
		if d.Sev == config.SevAlert {
			lg.alert("config : %s", d)
		} else {
			lg.warningf("config : %s", d)
		}
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `Usage : %s [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -n <maxconn> ] [ -N <maxpconn> ]
        [ -p <pidfile> ] [ -m <max megs> ] [ -C <dir> ] [-- <cfgfile>*]
        -v displays version ; -vv shows known build options.
        -d enters debug mode ; -db only disables background mode.
        -D goes daemon ; -C changes to <dir> before loading files.
        -W master-worker mode.
        -Ws master-worker mode with systemd notify support.
        -S <bind>[,<bind options>...] new master CLI
        -q quiet mode : don't display messages
        -c check mode : only check config files and exit
        -cc check condition : evaluate a condition and exit
        -p writes pids of all children to this file
        -dS disables splice usage (broken on old kernels)
        -sf/-st [pid ]* finishes/terminates old pids.
`, filepath.Base(os.Args[0]))
}

func printVersion(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "hitless version %s, implementing HAProxy version %s - https://hitless.dev/\n",
		version(), config.CompatVersion)
	if !verbose {
		return
	}
	fmt.Fprintf(w, "Running on: %s %s\n", runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "Build options :\n  GO      = %s\n\n", runtime.Version())
	fmt.Fprint(w, "Feature list :")
	for _, name := range sortedFeatures() {
		sign := "-"
		if features[name] {
			sign = "+"
		}
		fmt.Fprintf(w, " %s%s", sign, name)
	}
	fmt.Fprint(w, "\n\nDefault settings :\n  bufsize = 16384, maxrewrite = 1024, maxpollevents = 200\n\n")
	fmt.Fprintf(w, "Built with multi-threading support (MAX_THREADS=%d, default=%d).\n\n", config.MaxThreads, runtime.NumCPU())
	fmt.Fprint(w, "Available polling systems :\n      epoll : pref=300,  test result OK\nTotal: 1 (1 usable), will use epoll.\n\n")
	fmt.Fprint(w, "Available multiplexer protocols :\n(protocols marked as <default> cannot be specified using 'proto' keyword)\n              : mode=TCP  side=FE|BE  mux=PASS  flags=\n\n")
}

func sortedFeatures() []string {
	names := make([]string, 0, len(features))
	for n := range features {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
