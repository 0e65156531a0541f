package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"syscall"
	"time"

	"hitless/engine"
	"hitless/engine/cli"
	"hitless/engine/config"
)

// serve runs the engine and the runtime API in the foreground until a
// signal stops it. SIGUSR1 soft-stops (stop accepting, finish the
// connections, exit 0), SIGTERM and SIGINT stop at once (exit 0; a
// worker exits 128 + the signal, as HAProxy's workers do).
//
// A worker (thisWorker set) also serves its runtime API on its master's
// channel, reports readiness to it, leaves the pid file to it, ignores
// SIGUSR2 (meant for the master), and stops at once when the channel
// ends: the master is gone.
func serve(lg *logger, a *args, cfg *config.Config) int {
	if thisWorker != nil {
		closeXferChannel(a.sockPath)
		signal.Ignore(syscall.SIGUSR2)
	}
	eng, err := engine.New(cfg, engine.Options{Logf: lg.warningf, Alertf: lg.alert, Inherited: oldSockets})
	if err != nil {
		lg.alert("%v", err)
		return 1
	}
	if path := os.Getenv(cpuProfileEnv); path != "" {
		stop, err := startCPUProfile(path)
		if err != nil {
			lg.alert("%s: %v", cpuProfileEnv, err)
			eng.Close()
			return 1
		}
		defer stop()
	}
	// Reactors are locked to their threads: keep processors for the rest
	// of the runtime (CLI, GC workers, signal handling).
	if want := eng.Nbthread() + 2; runtime.GOMAXPROCS(0) < want {
		runtime.GOMAXPROCS(want)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)

	var lns []net.Listener
	for _, s := range cfg.Global.StatsSockets {
		ln, err := cli.Listen(s)
		if err != nil {
			lg.alert("Starting proxy stats socket: %v", err)
			closeAll(lns)
			eng.Close()
			return 1
		}
		lns = append(lns, ln)
	}
	if err := eng.Start(); err != nil {
		lg.alert("%v", err)
		closeAll(lns)
		return 1
	}
	srv := cli.NewServer(eng, cli.Options{
		Timeout: cfg.Global.StatsTimeout,
		Maxconn: cfg.Global.StatsMaxconn,
		Logf:    lg.warningf,
		Admin:   eng,
	})
	for i, ln := range lns {
		go srv.ServeSocket(ln, cfg.Global.StatsSockets[i])
	}
	defer srv.Close()
	masterGone := make(chan struct{})
	if thisWorker != nil {
		ln, err := cli.ListenSockpair(thisWorker.cli)
		if err != nil {
			lg.alert("master channel: %v", err)
			eng.HardStop()
			return 1
		}
		go func() {
			err := srv.ServeSocket(ln, config.StatsSocket{Level: config.LevelAdmin, ExposeFDListeners: true})
			if errors.Is(err, cli.ErrSockpairPeerGone) {
				close(masterGone)
			}
		}()
	}

	pidfile := a.pidfile
	if pidfile == "" {
		pidfile = cfg.Global.Pidfile
	}
	if pidfile != "" && thisWorker == nil {
		if err := os.WriteFile(pidfile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			lg.alert("[%s.main()] Cannot create pidfile %s", os.Args[0], pidfile)
		}
	}
	// Listening: now the previous processes may go (-sf / -st).
	signalOld(lg, a.softPids, syscall.SIGUSR1)
	signalOld(lg, a.hardPids, syscall.SIGTERM)
	if a.debug {
		lg.notice("hitless %s started: %d reactors, maxconn %d, listening on %s",
			engine.Version, eng.Nbthread(), eng.Maxconn(), listenSummary(eng))
	}
	if ready := os.Getenv(readyEnv); ready != "" && thisWorker == nil {
		notifyDaemonParent(ready)
	}
	if thisWorker != nil {
		thisWorker.reportReady()
	}

	var hardStop <-chan time.Time
	stopSig := 0
	for {
		select {
		case sig := <-sigs:
			switch sig {
			case syscall.SIGUSR1:
				lg.notice("soft stop requested: no longer accepting, finishing connections")
				eng.SoftStop()
				if d := cfg.Global.HardStopAfter; d > 0 && hardStop == nil {
					hardStop = time.After(d)
				}
			case syscall.SIGTERM, syscall.SIGINT:
				stopSig = int(sig.(syscall.Signal))
				eng.HardStop()
			case syscall.SIGHUP:
				// HAProxy dumps server states on SIGHUP; nothing to do yet.
			}
		case <-hardStop:
			lg.warningf("hard-stop-after reached: closing remaining connections")
			eng.HardStop()
		case <-masterGone:
			masterGone = nil
			eng.HardStop()
		case <-eng.Done():
			if thisWorker != nil {
				if stopSig != 0 {
					return 128 + stopSig
				}
				return 0
			}
			if pidfile != "" && a.pidfile != "" {
				os.Remove(pidfile)
			}
			return 0
		}
	}
}

// cpuProfileEnv names a file to write a Go CPU profile of the whole run
// to, for performance work (make perf's profile step uses it).
const cpuProfileEnv = "HITLESS_CPUPROFILE"

func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

func signalOld(lg *logger, pids []int, sig syscall.Signal) {
	for _, pid := range pids {
		if err := syscall.Kill(pid, sig); err != nil {
			lg.warningf("cannot signal old process %d: %v", pid, err)
		}
	}
}

func listenSummary(eng *engine.Engine) string {
	addrs := eng.ListenAddrs()
	names := make([]string, 0, len(addrs))
	for n := range addrs {
		names = append(names, n)
	}
	sort.Strings(names)
	s := ""
	for _, n := range names {
		s += fmt.Sprintf("%s=%v ", n, addrs[n])
	}
	return s
}
