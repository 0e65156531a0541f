package engine

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"hitless/engine/cli"
)

// Health checks against real servers from Debian packages: redis-server,
// mariadb-server and postgresql. Each test starts its servers on
// 127.0.0.1 on free ports, with their data in t.TempDir() and nothing
// system-wide (no systemd, not the packages' default instances), and
// stops them by pid when it ends, failed or not. The statuses and infos
// asserted are the ones HAProxy 2.6.12 reports for the same
// configurations against the same servers. A missing binary skips the
// test, or fails it when CI is set: "make deps" installs them.

// realInter is the check interval of every server: short, so that each
// test takes seconds.
const realInter = "inter 50ms"

// realDefaults are the defaults of every configuration: "timeout check"
// bounds the checks that wait for an answer that never comes.
const realDefaults = `
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout check 200ms
`

// realBinary returns the path of a server binary looked up in PATH and
// in the sbin directories (mariadbd is in /usr/sbin), or skips the test
// (fails it under CI).
func realBinary(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p
		}
	}
	realMissing(t, name)
	return ""
}

// realMissing skips the test for lack of binary, or fails it under CI.
func realMissing(t *testing.T, name string) {
	t.Helper()
	msg := name + " not installed: run make deps"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// pgBinDir returns the bin directory of the newest PostgreSQL installed
// by the Debian packages (/usr/lib/postgresql/<major>/bin).
func pgBinDir(t *testing.T) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	best, bestMajor := "", -1
	for _, p := range dirs {
		major, err := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(p))))
		if err == nil && major > bestMajor {
			best, bestMajor = filepath.Dir(p), major
		}
	}
	if best == "" {
		realMissing(t, "postgres (/usr/lib/postgresql/*/bin)")
	}
	return best
}

// realFreePort returns a loopback port nobody listens on now. Another
// process may take it before the server binds it: startDaemon retries.
func realFreePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// daemon is a server process started by a test, in its own process
// group, stopped with stopSig by pid. It belongs to the test goroutine;
// exited is closed by the goroutine that started the process and waits
// for it.
type daemon struct {
	name    string
	port    int
	cmd     *exec.Cmd
	logPath string
	stopSig syscall.Signal
	exited  chan struct{} // closed once cmd.Wait returned
}

// daemonSpec says how to run a server on a port.
type daemonSpec struct {
	name    string
	dir     string // where its log goes
	stopSig syscall.Signal
	cred    *syscall.Credential // nil: run as the test
	// args returns the command line for a port.
	args func(port int) []string
	// ready probes the server on its port: nil once it serves.
	ready func(port int) error
}

// startDaemon starts a server on a free port and waits until it is
// ready. A server that exits first (its port was taken meanwhile) is
// started again on another port, up to three times. The server is
// stopped when the test ends.
func startDaemon(t *testing.T, spec daemonSpec) *daemon {
	t.Helper()
	var lastErr error
	for attempt := 1; attempt <= 3; attempt++ {
		d, err := spawnDaemon(t, spec, attempt)
		if err == nil {
			return d
		}
		lastErr = err
		t.Logf("%s, attempt %d: %v", spec.name, attempt, err)
	}
	t.Fatalf("%s did not start: %v", spec.name, lastErr)
	return nil
}

// spawnDaemon runs one attempt of startDaemon. It returns an error when
// the server exited before being ready.
func spawnDaemon(t *testing.T, spec daemonSpec, attempt int) (*daemon, error) {
	t.Helper()
	d := &daemon{name: spec.name, port: realFreePort(t), stopSig: spec.stopSig, exited: make(chan struct{}),
		logPath: filepath.Join(spec.dir, fmt.Sprintf("%s.%d.log", spec.name, attempt))}
	out, err := os.Create(d.logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	args := spec.args(d.port)
	d.cmd = exec.Command(args[0], args[1:]...)
	d.cmd.Dir = spec.dir
	d.cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C", "LC_ALL=C", "TZ=UTC"}
	d.cmd.Stdout, d.cmd.Stderr = out, out
	// Its own group so that a server that forks (postgres) can be killed
	// whole; killed with the test binary if that dies first.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Credential: spec.cred}
	// Pdeathsig fires when the thread that forked ends, and engines end
	// their reactors' threads when they stop: fork from a thread locked
	// until the server exits.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		err := d.cmd.Start()
		started <- err
		if err == nil {
			d.cmd.Wait()
		}
		close(d.exited)
	}()
	if err := <-started; err != nil {
		t.Fatalf("%s: %v", spec.name, err)
	}
	t.Cleanup(func() { d.stop(t) })
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-d.exited:
			return nil, fmt.Errorf("exited with %v before serving on port %d:\n%s", d.cmd.ProcessState, d.port, d.logTail())
		default:
		}
		err := spec.ready(d.port)
		if err == nil {
			return d, nil
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready on port %d after 30s: %v\n%s", spec.name, d.port, err, d.logTail())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// addr is the server's TCP address.
func (d *daemon) addr() string { return "127.0.0.1:" + strconv.Itoa(d.port) }

// stop signals the server by pid and waits for it to exit; after 20 s
// its process group is killed. It may be called more than once.
func (d *daemon) stop(t *testing.T) {
	select {
	case <-d.exited:
		return
	default:
	}
	pid := d.cmd.Process.Pid
	syscall.Kill(pid, d.stopSig)
	select {
	case <-d.exited:
	case <-time.After(20 * time.Second):
		t.Errorf("%s (pid %d) ignored %v for 20s: killing its group", d.name, pid, d.stopSig)
		syscall.Kill(-pid, syscall.SIGKILL)
		<-d.exited
	}
	// Children left by the server (postgres backends) go with the group.
	syscall.Kill(-pid, syscall.SIGKILL)
}

// logTail returns the end of the server's log, for failure messages.
func (d *daemon) logTail() string {
	b, _ := os.ReadFile(d.logPath)
	if len(b) > 2048 {
		b = b[len(b)-2048:]
	}
	return string(b)
}

// realRow returns the check columns of the server s of backend be.
func realRow(t *testing.T, e *Engine, be string) cli.CheckStat {
	t.Helper()
	for _, b := range e.backends {
		if b.name == be {
			return e.serverRow(b.servers()[0], 0).Check
		}
	}
	t.Fatalf("no backend %s", be)
	return cli.CheckStat{}
}

// realWant is a check result to wait for: the server's status and the
// check's status, code and info as "show stat" shows them.
type realWant struct {
	be     string
	state  string // "UP", "DOWN"
	status string // check_status
	code   uint64 // check_code
	info   string // last_chk
}

// waitCheck waits until the server of w.be has w's state and check
// status, then compares the code and info.
func waitCheck(t *testing.T, e *Engine, w realWant) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%s/s %s with %s", w.be, w.state, w.status), 10*time.Second, func() bool {
		return serverStatus(e, w.be, "s") == w.state && realRow(t, e, w.be).Status == w.status
	})
	row := realRow(t, e, w.be)
	if row.Code != w.code || row.Last != w.info {
		t.Errorf("%s/s: check %s code %d info %q, want code %d info %q", w.be, row.Status, row.Code, row.Last, w.code, w.info)
	}
}

// wantLog waits for a message starting with prefix: the engine logs a
// state change just after publishing it.
func wantLog(t *testing.T, logs *logSink, prefix string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !logs.has(prefix) {
		if time.Now().After(deadline) {
			t.Fatalf("no message %q in:\n%s", prefix, strings.Join(logs.all(), "\n"))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stopAndWantDown stops d and waits for the servers of backends to go
// DOWN with L4CON "Connection refused", each with its "Server be/s is
// DOWN" message. A check running while the server stops may fail
// otherwise first (PostgreSQL answers "the database system is shutting
// down" during a fast shutdown), so the reason of the DOWN message is
// only logged; the last status is asserted.
func stopAndWantDown(t *testing.T, e *Engine, logs *logSink, d *daemon, backends ...string) {
	t.Helper()
	d.stop(t)
	for _, be := range backends {
		waitCheck(t, e, realWant{be: be, state: "DOWN", status: "L4CON", info: "Connection refused"})
		wantLog(t, logs, "Server "+be+"/s is DOWN")
		for _, m := range realLogs(logs, "Server "+be+"/s is DOWN") {
			t.Logf("%s", m)
		}
	}
}

// realLogs returns the messages starting with prefix ("": all).
func realLogs(logs *logSink, prefix string) []string {
	var out []string
	for _, m := range logs.all() {
		if strings.HasPrefix(m, prefix) {
			out = append(out, m)
		}
	}
	return out
}

// realBackend is one backend of a test configuration: its check options
// and its server's address.
type realBackend struct {
	name string
	opts string // lines, indented in the configuration
	addr string
}

// realConfig returns a configuration with the backends and a frontend
// using the first.
func realConfig(bes ...realBackend) string {
	var b strings.Builder
	b.WriteString(realDefaults)
	for _, be := range bes {
		fmt.Fprintf(&b, "backend %s\n", be.name)
		for _, l := range strings.Split(strings.TrimSpace(be.opts), "\n") {
			fmt.Fprintf(&b, "    %s\n", strings.TrimSpace(l))
		}
		fmt.Fprintf(&b, "    server s %s check %s\n", be.addr, realInter)
	}
	fmt.Fprintf(&b, "frontend fe\n    bind 127.0.0.1:0\n    default_backend %s\n", bes[0].name)
	return b.String()
}

// redisReady is ready once the server answers an inline PING, with PONG
// or an authentication error.
func redisReady(port int) error {
	c, err := net.DialTimeout("tcp4", "127.0.0.1:"+strconv.Itoa(port), time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") && !strings.HasPrefix(line, "-NOAUTH") {
		return fmt.Errorf("PING: %q", line)
	}
	return nil
}

// startRedis starts redis-server without persistence, with the extra
// arguments.
func startRedis(t *testing.T, name string, extra ...string) *daemon {
	bin := realBinary(t, "redis-server")
	dir := t.TempDir()
	return startDaemon(t, daemonSpec{name: name, dir: dir, stopSig: syscall.SIGTERM, ready: redisReady,
		args: func(port int) []string {
			return append([]string{bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir}, extra...)
		}})
}

// TestRealCheckRedis: "option redis-check" against redis-server. A
// server answering PONG is UP with L7OK "Redis server is ok"; one
// requiring a password answers -NOAUTH and keeps the connection open, so
// the check times out (L7TOUT, no info), as in HAProxy; the tcp-check
// recipe that authenticates first keeps that server UP; a stopped server
// goes DOWN with L4CON "Connection refused".
func TestRealCheckRedis(t *testing.T) {
	t.Parallel()
	open := startRedis(t, "redis")
	auth := startRedis(t, "redis-auth", "--requirepass", "s3cret")
	e, logs := startParsed(t, realConfig(
		realBackend{"redis_ok", "option redis-check\noption log-health-checks", open.addr()},
		realBackend{"redis_plain", "option redis-check", open.addr()},
		realBackend{"redis_noauth", "option redis-check", auth.addr()},
		realBackend{"redis_auth", `
			option tcp-check
			tcp-check connect
			tcp-check send AUTH\ s3cret\r\n
			tcp-check expect string +OK
			tcp-check send PING\r\n
			tcp-check expect string +PONG
			tcp-check send QUIT\r\n
			tcp-check expect string +OK`, auth.addr()},
	), 2)

	waitCheck(t, e, realWant{be: "redis_ok", state: "UP", status: "L7OK", info: "Redis server is ok"})
	wantLog(t, logs, `Health check for server redis_ok/s succeeded, reason: Layer7 check passed, code: 0, info: "Redis server is ok"`)
	waitCheck(t, e, realWant{be: "redis_auth", state: "UP", status: "L7OK", info: "(tcp-check)"})
	waitCheck(t, e, realWant{be: "redis_noauth", state: "DOWN", status: "L7TOUT"})
	wantLog(t, logs, "Server redis_noauth/s is DOWN, reason: Layer7 timeout, check duration: ")
	if serverStatus(e, "redis_plain", "s") != "UP" || logs.seen("Server redis_ok/s is DOWN") || logs.seen("Server redis_plain/s is DOWN") {
		t.Fatalf("redis_ok or redis_plain went DOWN: %q", realLogs(logs, ""))
	}

	stopAndWantDown(t, e, logs, open, "redis_ok", "redis_plain")
	wantLog(t, logs, "Server redis_plain/s is DOWN, reason: ")
	wantLog(t, logs, `Health check for server redis_ok/s failed, reason: Layer4 connection problem, info: "Connection refused"`)
}

// mysqlGreeting connects to a MySQL server and returns the server
// version of its initial handshake packet.
func mysqlGreeting(addr string) (string, error) {
	c, err := net.DialTimeout("tcp4", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	var hdr [4]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return "", err
	}
	body := make([]byte, int(hdr[0])|int(hdr[1])<<8|int(hdr[2])<<16)
	if _, err := io.ReadFull(c, body); err != nil {
		return "", err
	}
	if len(body) < 2 || body[0] != 0x0a {
		return "", fmt.Errorf("not a protocol 10 greeting: %q", body)
	}
	v, _, ok := bytes.Cut(body[1:], []byte{0})
	if !ok {
		return "", errors.New("greeting without version")
	}
	return string(v), nil
}

// TestRealCheckMySQL: "option mysql-check" against mariadbd with a
// private datadir. Without user the greeting passes; with the user
// haproxy_check (no password) the login passes, in 4.1 and 4.0 forms;
// each reports the server version of the greeting in its log line, and
// "show stat" keeps no info, as in HAProxy. An unknown user fails with
// L7STS, the MySQL error 1045 and its message (with the SQL state
// "#28000" for a 4.1 client). A stopped server goes DOWN with L4CON.
func TestRealCheckMySQL(t *testing.T) {
	t.Parallel()
	mariadbd := realBinary(t, "mariadbd")
	installDB := realBinary(t, "mariadb-install-db")
	client := realBinary(t, "mariadb")
	dir := t.TempDir()
	datadir, sock := filepath.Join(dir, "data"), filepath.Join(dir, "mysqld.sock")
	asRoot := os.Geteuid() == 0
	// A small redo log keeps the datadir at ~20 MB instead of ~110.
	install := []string{"--no-defaults", "--datadir=" + datadir, "--auth-root-authentication-method=normal",
		"--skip-test-db", "--innodb-log-file-size=4M"}
	if asRoot {
		install = append(install, "--user=root")
	}
	if out, err := exec.Command(installDB, install...).CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	db := startDaemon(t, daemonSpec{name: "mariadbd", dir: dir, stopSig: syscall.SIGTERM,
		args: func(port int) []string {
			args := []string{mariadbd, "--no-defaults", "--datadir=" + datadir, "--socket=" + sock,
				"--port=" + strconv.Itoa(port), "--bind-address=127.0.0.1", "--skip-name-resolve",
				"--pid-file=" + filepath.Join(dir, "mysqld.pid"), "--innodb-log-file-size=4M",
				"--innodb-buffer-pool-size=32M", "--skip-log-bin"}
			if asRoot {
				args = append(args, "--user=root")
			}
			return args
		},
		ready: func(port int) error {
			_, err := mysqlGreeting("127.0.0.1:" + strconv.Itoa(port))
			return err
		}})
	sql := "CREATE USER 'haproxy_check'@'127.0.0.1'"
	if out, err := exec.Command(client, "--no-defaults", "--protocol=socket", "--socket="+sock, "--user=root",
		"-e", sql).CombinedOutput(); err != nil {
		t.Fatalf("mariadb -e %q: %v\n%s", sql, err, out)
	}
	version, err := mysqlGreeting(db.addr())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(version, "MariaDB") {
		t.Fatalf("greeting version %q", version)
	}

	e, logs := startParsed(t, realConfig(
		realBackend{"my_greet", "option mysql-check\noption log-health-checks", db.addr()},
		realBackend{"my_user", "option mysql-check user haproxy_check post-41\noption log-health-checks", db.addr()},
		realBackend{"my_user40", "option mysql-check user haproxy_check pre-41\noption log-health-checks", db.addr()},
		realBackend{"my_plain", "option mysql-check user haproxy_check", db.addr()},
		realBackend{"my_denied", "option mysql-check user nosuchuser post-41", db.addr()},
		realBackend{"my_denied40", "option mysql-check user nosuchuser pre-41", db.addr()},
	), 2)

	for _, be := range []string{"my_greet", "my_user", "my_user40", "my_plain"} {
		waitCheck(t, e, realWant{be: be, state: "UP", status: "L7OK"})
	}
	for _, be := range []string{"my_greet", "my_user", "my_user40"} {
		wantLog(t, logs, fmt.Sprintf(`Health check for server %s/s succeeded, reason: Layer7 check passed, code: 0, info: "%s", check duration: `, be, version))
	}
	denied := "Access denied for user 'nosuchuser'@'127.0.0.1' (using password: NO)"
	waitCheck(t, e, realWant{be: "my_denied", state: "DOWN", status: "L7STS", code: 1045, info: "#28000" + denied})
	wantLog(t, logs, `Server my_denied/s is DOWN, reason: Layer7 wrong status, code: 1045, info: "#28000`+denied+`"`)
	waitCheck(t, e, realWant{be: "my_denied40", state: "DOWN", status: "L7STS", code: 1045, info: denied})
	for _, be := range []string{"my_greet", "my_user", "my_user40", "my_plain"} {
		if logs.seen("Server " + be + "/s is DOWN") {
			t.Fatalf("%s went DOWN: %q", be, realLogs(logs, ""))
		}
	}

	stopAndWantDown(t, e, logs, db, "my_greet", "my_user", "my_plain")
	wantLog(t, logs, "Server my_plain/s is DOWN, reason: ")
	wantLog(t, logs, `Health check for server my_user/s failed, reason: Layer4 connection problem, info: "Connection refused"`)
}

// pgStartup returns a StartupMessage (protocol 3.0) for user.
func pgStartup(user string) []byte {
	body := append([]byte("user\x00"+user+"\x00"), 0)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	b = binary.BigEndian.AppendUint32(b, 3<<16)
	return append(b, body...)
}

// pgReady is ready once the server answers a startup message for the
// user postgres with an authentication request (while it starts, it
// answers an error).
func pgReady(port int) error {
	c, err := net.DialTimeout("tcp4", "127.0.0.1:"+strconv.Itoa(port), time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write(pgStartup("postgres")); err != nil {
		return err
	}
	var b [1]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		return err
	}
	if b[0] != 'R' {
		return fmt.Errorf("startup answered %q", b[0])
	}
	return nil
}

// pgHBA lets postgres in without password, asks app for one (SCRAM),
// rejects blocked, and trusts anyone else on loopback.
const pgHBA = `local all all trust
host all app 127.0.0.1/32 scram-sha-256
host all blocked 127.0.0.1/32 reject
host all all 127.0.0.1/32 trust
`

// TestRealCheckPgSQL: "option pgsql-check" against a private PostgreSQL
// cluster. HAProxy passes a server that answers the startup message with
// any authentication request: AuthenticationOk (trust), SASL (the role
// app has a SCRAM password) and even AuthenticationOk for an unknown
// role under trust, since PostgreSQL checks the role after
// authentication. A role pg_hba.conf rejects gets an ErrorResponse: L7RSP
// with the severity "FATAL" as info. A server speaking another protocol
// (an HTTP 400) fails with L7STS "PostgreSQL unknown error". A stopped
// server goes DOWN with L4CON.
func TestRealCheckPgSQL(t *testing.T) {
	t.Parallel()
	bin := pgBinDir(t)
	dir := t.TempDir()
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: the cluster belongs to the
		// postgres account the package created.
		u, err := user.Lookup("postgres")
		if err != nil {
			realMissing(t, "the postgres user (postgresql package)")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		// t.TempDir's parent is private to root: let postgres through.
		if err := os.Chmod(filepath.Dir(dir), 0o711); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	datadir := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", datadir, "-U", "postgres", "--auth=trust", "--no-sync", "--no-instructions")
	initdb.Env = []string{"PATH=/usr/bin:/bin", "LANG=C", "LC_ALL=C", "TZ=UTC"}
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(datadir, "pg_hba.conf"), []byte(pgHBA), 0o600); err != nil {
		t.Fatal(err)
	}
	if cred != nil {
		os.Chown(filepath.Join(datadir, "pg_hba.conf"), int(cred.Uid), int(cred.Gid))
	}
	// SIGINT is PostgreSQL's fast shutdown.
	pg := startDaemon(t, daemonSpec{name: "postgres", dir: dir, stopSig: syscall.SIGINT, cred: cred, ready: pgReady,
		args: func(port int) []string {
			return []string{filepath.Join(bin, "postgres"), "-D", datadir, "-k", dir, "-p", strconv.Itoa(port),
				"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "shared_buffers=16MB"}
		}})
	psql := exec.Command(filepath.Join(bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", dir,
		"-p", strconv.Itoa(pg.port), "-U", "postgres", "-d", "postgres", "-c", "CREATE ROLE app LOGIN PASSWORD 's3cret'")
	psql.Env = []string{"PATH=/usr/bin:/bin", "LANG=C", "LC_ALL=C"}
	if out, err := psql.CombinedOutput(); err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	// A server of another protocol on the port, answering as an HTTP
	// server does once it has read the request.
	other := newFlakyServer(t, func(c net.Conn) {
		var n [4]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		if _, err := io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint32(n[:]))-4); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	})

	e, logs := startParsed(t, realConfig(
		realBackend{"pg_ok", "option pgsql-check user postgres\noption log-health-checks", pg.addr()},
		realBackend{"pg_plain", "option pgsql-check user postgres", pg.addr()},
		realBackend{"pg_scram", "option pgsql-check user app", pg.addr()},
		realBackend{"pg_norole", "option pgsql-check user nosuchrole", pg.addr()},
		realBackend{"pg_reject", "option pgsql-check user blocked", pg.addr()},
		realBackend{"pg_http", "option pgsql-check user postgres", other.addr},
	), 2)

	up := []string{"pg_ok", "pg_plain", "pg_scram", "pg_norole"}
	for _, be := range up {
		waitCheck(t, e, realWant{be: be, state: "UP", status: "L7OK", info: "PostgreSQL server is ok"})
	}
	wantLog(t, logs, `Health check for server pg_ok/s succeeded, reason: Layer7 check passed, code: 0, info: "PostgreSQL server is ok"`)
	waitCheck(t, e, realWant{be: "pg_reject", state: "DOWN", status: "L7RSP", info: "FATAL"})
	wantLog(t, logs, `Server pg_reject/s is DOWN, reason: Layer7 invalid response, info: "FATAL"`)
	waitCheck(t, e, realWant{be: "pg_http", state: "DOWN", status: "L7STS", info: "PostgreSQL unknown error"})
	wantLog(t, logs, `Server pg_http/s is DOWN, reason: Layer7 wrong status, code: 0, info: "PostgreSQL unknown error"`)
	for _, be := range up {
		if logs.seen("Server " + be + "/s is DOWN") {
			t.Fatalf("%s went DOWN: %q", be, realLogs(logs, ""))
		}
	}

	stopAndWantDown(t, e, logs, pg, "pg_ok", "pg_plain")
	wantLog(t, logs, "Server pg_plain/s is DOWN, reason: ")
	wantLog(t, logs, `Health check for server pg_ok/s failed, reason: Layer4 connection problem, info: "Connection refused"`)
}
