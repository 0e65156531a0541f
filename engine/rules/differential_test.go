package rules

import (
	"bufio"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The differential test runs HAProxy on loopback with ACLs, conditions
// and expressions, sends it requests, and compares what HAProxy computed
// (returned in response headers) with what this package computes for the
// same requests.

var diffACLs = [][]string{
	{"path_beg", "/api"},
	{"path", "/api/v1/users"},
	{"path_end", "-i", ".JPG"},
	{"path_sub", "v1"},
	{"path_reg", "^/api/v[0-9]+"},
	{"path_dir", "v1"},
	{"path_dir", "img/a.jpg"},
	{"path_dom", "api"},
	{"path_len", "gt", "5"},
	{"path_len", "le", "4"},
	{"url", "*"},
	{"url_beg", "/api"},
	{"url_sub", "id="},
	{"url_end", "?"},
	{"url_dom", "www"},
	{"url_param(id)", "42"},
	{"url_param(id)", "7"},
	{"url_param(id)", "2"},
	{"url_param(x)", "-m", "found"},
	{"url_param(id)", "-m", "len", "0"},
	{"urlp(name)", "-i", "BOB"},
	{"url_param", "-m", "found"},
	{"url_param(b,;)", "-m", "found"},
	{"query", "-m", "found"},
	{"query", "-m", "len", "0"},
	{"base_beg", "-i", "www.example.com/api"},
	{"base", "www.Example.com/api/v1/users"},
	{"base", "/api/x"},
	{"method", "GET"},
	{"method", "-i", "get"},
	{"method", "get"},
	{"method", "-i", "purge"},
	{"method", "POST", "PUT"},
	{"method", "-m", "beg", "PU"},
	{"req.ver", "1.0"},
	{"req_ver", "1.1"},
	{"hdr(host)", "-i", "www.example.com"},
	{"hdr(host)", "www.example.com"},
	{"hdr_beg(host)", "www"},
	{"hdr_end(host)", ".com"},
	{"hdr_dom(host)", "-i", "example"},
	{"hdr_dom(host)", "-i", "ample"},
	{"hdr_dir(x-path)", "b"},
	{"hdr_reg(x-path)", "^/a/.*c$"},
	{"hdr(x-list)", "b"},
	{"hdr(x-list)", `"b,c"`},
	{"hdr(x-list)", "d"},
	{"hdr(x-list,1)", "a"},
	{"hdr(x-list,1)", "e"},
	{"hdr(x-list,-1)", "e"},
	{"hdr(x-list,-2)", "d"},
	{"hdr(x-list,3)", "d"},
	{"hdr_cnt(x-list)", "5"},
	{"hdr_cnt(x-list)", "gt", "3"},
	{"req.fhdr_cnt(x-list)", "2"},
	{"req.hdr_cnt", "ge", "6"},
	{"hdr_len(x-list)", "0"},
	{"hdr_sub(x-list)", "c"},
	{"hdr_val(x-num)", "ge", "10"},
	{"req.hdr_val(x-num)", "12"},
	{"req.fhdr(x-list)", "-m", "beg", "a,"},
	{"req.fhdr(x-list)", "-m", "sub", ","},
	{"req.hdr(x-empty)", "-m", "found"},
	{"req.hdr(x-empty)", "-m", "len", "0"},
	{"req.hdr(x-missing)", "-m", "found"},
	{"req.hdr(host),lower", "www.example.com"},
	{"req.hdr(host),upper", "-m", "beg", "WWW"},
	{"src", "127.0.0.1"},
	{"src", "127.0.0.0/8"},
	{"src", "127.0.0.0/255.0.255.0"},
	{"src", "10.0.0.0/8"},
	{"src", "::ffff:127.0.0.1"},
	{"src", "::ffff:127.0.0.0/104"},
	{"src", "::/0"},
	{"src", "::1"},
	{"src", "-m", "beg", "127."},
	{"src", "-m", "int", "2130706433"},
	{"src_port", "gt", "1024"},
	{"dst_port", "lt", "80"},
	{"dst", "-m", "str", "127.0.0.1"},
	{"always_true"},
	{"always_false"},
	{"str(abc)", "-m", "sub", "b"},
	{"int(5)", "1:10"},
	{"int(5)", "-m", "bool"},
	{"int(10),hex", "000000000000000A"},
	{"path,hex", "-m", "beg", "2F"},
	{"path,length", "gt", "3"},
	{"path", "-m", "bin", "2F"},
	{"ssl_fc"},
	{"path", "-m", "found"},
	{"path", "-m", "dom", "users"},
}

var diffConds = []string{
	"if TRUE",
	"if FALSE",
	"if HTTP",
	"if HTTP_1.0",
	"if HTTP_1.1",
	"if METH_GET",
	"if METH_POST",
	"if HTTP_URL_ABS",
	"if HTTP_URL_SLASH",
	"if HTTP_URL_STAR",
	"if LOCALHOST",
	"if a0 a1",
	"if a0 || !a1",
	"if !a0 !a1 or a2",
	"unless { path_beg /api } || { method GET }",
	"if ! a0 a3",
	"if a0 a1 a2 || a5 || !a10",
}

var diffExprs = []string{
	"req.hdr(x-list)",
	"req.hdr(x-list,2)",
	"req.hdr(x-list,-3)",
	"req.hdr(x-list,9)",
	"req.fhdr(x-list)",
	"req.fhdr(x-list,1)",
	"req.hdr_cnt(x-list)",
	"req.hdr_cnt",
	"req.fhdr_cnt",
	"url_param(id)",
	"url_param",
	"url_param(name,;)",
	"urlp(x)",
	"query",
	"base",
	"req.ver",
	"method",
	"path,upper",
	"path,lower,hex",
	"src,hex",
	"int(-5)",
	"hdr(host)",
	"url",
	"path",
	"req.hdr(x-empty)",
	"req.hdr_val(x-num)",
	"hdr_val(x-list)",
	"str(x),hex",
	"dst_port,lower",
	"src",
	"path,length",
	"always_true",
	"bool(true)",
	"req.hdr()",
	"req.hdr(,2)",
	"req.fhdr()",
	"req.hdr_cnt()",
	"url_param()",
	"hdr_val(x-num,1)",
}

var diffRequests = []string{
	"GET /api/v1/users?id=42&name=bob;x=1&id=7 HTTP/1.1\r\nHost: www.Example.com\r\nX-List: a, \"b,c\" , d\r\nX-List: e\r\nX-Path: /a/b/c\r\nX-Num: 12abc\r\n\r\n",
	"GET http://www.example.com/img/A.JPG HTTP/1.1\r\nHost: www.example.com\r\nX-List: ,\r\n\r\n",
	"POST /api/x?q HTTP/1.0\r\nHost: h\r\nContent-Length: 0\r\nX-Empty:\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
	"get /lower HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /?id= HTTP/1.1\r\nHost: y\r\nX-Empty: \r\nX-List: \"q\\\",x\", z\r\n\r\n",
	"PURGE /a;b?x=1;id=2 HTTP/1.1\r\nHost: www.example.com:8080\r\nX-Num: -3\r\n\r\n",
	"PUT /api/v1/users/ HTTP/1.1\r\nHost: a.b\r\nX-List: a\r\nX-List: b\r\nX-List: c\r\n\r\n",
	"GET /? HTTP/1.0\r\n\r\n",
}

// cfgWord quotes a word for an HAProxy configuration.
func cfgWord(w string) string {
	if strings.ContainsAny(w, " \"'#\\$") {
		return "'" + w + "'"
	}
	return w
}

func TestDifferentialHAProxy(t *testing.T) {
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("haproxy not found: %v", err)
		}
		t.Skip("haproxy not installed")
	}
	var cfg strings.Builder
	cfg.WriteString("defaults\n  mode http\n  timeout client 5s\n  timeout server 5s\n  timeout connect 5s\n")
	cfg.WriteString("frontend f\n  bind 127.0.0.1:@P0@\n")
	set := NewACLSet()
	for i, a := range diffACLs {
		q := make([]string, len(a))
		for j, w := range a {
			q[j] = cfgWord(w)
		}
		name := "a" + strconv.Itoa(i)
		cfg.WriteString("  acl " + name + " " + strings.Join(q, " ") + "\n")
		cfg.WriteString("  http-request set-var(txn.a" + strconv.Itoa(i) + ") bool(1) if " + name + "\n")
		if err := set.ParseACL(append([]string{name}, a...)); err != nil {
			t.Fatalf("acl %s %v: %v", name, a, err)
		}
	}
	conds := make([]*Cond, len(diffConds))
	for i, c := range diffConds {
		cfg.WriteString("  http-request set-var(txn.c" + strconv.Itoa(i) + ") bool(1) " + c + "\n")
		if conds[i], err = ParseCond(strings.Fields(c), set); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
	}
	// Expressions go through set-var-fmt, whose variables are joined in
	// one header: a configuration line holds at most 64 words.
	fmts := make([]*Format, len(diffExprs))
	var exprs strings.Builder
	for i, e := range diffExprs {
		text := "<%[" + e + "]>"
		cfg.WriteString("  http-request set-var-fmt(txn.e" + strconv.Itoa(i) + ") " + cfgWord(text) + "\n")
		exprs.WriteString("%[var(txn.e" + strconv.Itoa(i) + ")]|")
		if fmts[i], err = ParseFormat(text); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
	}
	cfg.WriteString("  http-request return status 200 hdr x-exprs \"" + exprs.String() + "\"")
	var acls, cs strings.Builder
	for i := range diffACLs {
		acls.WriteString("%[var(txn.a" + strconv.Itoa(i) + ")],")
	}
	for i := range diffConds {
		cs.WriteString("%[var(txn.c" + strconv.Itoa(i) + ")],")
	}
	cfg.WriteString(" hdr x-acls \"<" + acls.String() + ">\" hdr x-conds \"<" + cs.String() + ">\"\n")
	// Response rules: frontend fr forwards to frontend back, whose answer
	// the http-response rules of fr examine.
	cfg.WriteString("frontend fr\n  bind 127.0.0.1:@P1@\n  default_backend bb\n")
	resSet := NewACLSet()
	for i, a := range diffResACLs {
		name := "r" + strconv.Itoa(i)
		q := make([]string, len(a))
		for j, w := range a {
			q[j] = cfgWord(w)
		}
		cfg.WriteString("  acl " + name + " " + strings.Join(q, " ") + "\n")
		cfg.WriteString("  http-response set-var(txn.r" + strconv.Itoa(i) + ") bool(1) if " + name + "\n")
		if err := resSet.ParseACL(append([]string{name}, a...)); err != nil {
			t.Fatalf("acl %s %v: %v", name, a, err)
		}
	}
	resFmts := make([]*Format, len(diffResExprs))
	var racls, rexprs strings.Builder
	for i := range diffResACLs {
		racls.WriteString("%[var(txn.r" + strconv.Itoa(i) + ")],")
	}
	for i, e := range diffResExprs {
		text := "<%[" + e + "]>"
		rexprs.WriteString(text + "|")
		if resFmts[i], err = ParseFormat(text); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
	}
	cfg.WriteString("  http-response set-header x-racls \"<" + racls.String() + ">\"\n")
	cfg.WriteString("  http-response set-header x-rexprs " + cfgWord(rexprs.String()) + "\n")
	cfg.WriteString("backend bb\n  server s 127.0.0.1:@P2@\n")
	cfg.WriteString("frontend back\n  bind 127.0.0.1:@P2@\n")
	cfg.WriteString("  http-request return status 203 hdr x-resp \"a, b\" hdr x-resp c hdr x-n 42\n")

	ports := startHAProxy(t, bin, cfg.String())
	port, portR := ports[0], ports[1]
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for _, raw := range diffRequests {
		head, hdrs, srcPort := exchange(t, addr, raw)
		if !strings.HasPrefix(head, "HTTP/1.1 200") {
			t.Errorf("%q: haproxy answered %q", raw, head)
			continue
		}
		s := sampleFromRaw(raw)
		s.src, s.srcPort = netip.MustParseAddr("127.0.0.1"), srcPort
		s.dst, s.dstPort = netip.MustParseAddr("127.0.0.1"), port
		line := raw[:strings.Index(raw, "\r\n")]
		var ours strings.Builder
		for i := range diffACLs {
			c, err := ParseCond([]string{"if", "a" + strconv.Itoa(i)}, set)
			if err != nil {
				t.Fatal(err)
			}
			if c.Eval(s) {
				ours.WriteString("1")
			}
			ours.WriteString(",")
		}
		compareList(t, line, "acl", diffACLsText(), hdrs["x-acls"], ours.String())
		ours.Reset()
		for _, c := range conds {
			if c.Eval(s) {
				ours.WriteString("1")
			}
			ours.WriteString(",")
		}
		compareList(t, line, "cond", diffConds, hdrs["x-conds"], ours.String())
		theirs := strings.Split(hdrs["x-exprs"], "|")
		if len(theirs) != len(fmts)+1 {
			t.Errorf("%s: expressions: %q", line, hdrs["x-exprs"])
			continue
		}
		for i, f := range fmts {
			if got := string(f.Append(nil, s)); got != theirs[i] {
				t.Errorf("%s: %%[%s]: hitless %q, haproxy %q", line, diffExprs[i], got, theirs[i])
			}
		}
	}

	// Response side.
	for _, raw := range diffRequests[:3] {
		head, hdrs, srcPort := exchange(t, "127.0.0.1:"+strconv.Itoa(portR), raw)
		line := raw[:strings.Index(raw, "\r\n")]
		if !strings.HasPrefix(head, "HTTP/1.1 203") {
			t.Errorf("%s: response rules: haproxy answered %q", line, head)
			continue
		}
		s := sampleFromRaw(raw).withRes(203, "x-resp: a, b", "x-resp: c", "x-n: 42", "content-length: 0")
		s.src, s.srcPort = netip.MustParseAddr("127.0.0.1"), srcPort
		s.dst, s.dstPort = netip.MustParseAddr("127.0.0.1"), portR
		var ours strings.Builder
		for i := range diffResACLs {
			c, err := ParseCond([]string{"if", "r" + strconv.Itoa(i)}, resSet)
			if err != nil {
				t.Fatal(err)
			}
			if c.Eval(s) {
				ours.WriteString("1")
			}
			ours.WriteString(",")
		}
		names := make([]string, len(diffResACLs))
		for i, a := range diffResACLs {
			names[i] = strings.Join(a, " ")
		}
		compareList(t, line, "response acl", names, hdrs["x-racls"], ours.String())
		theirs := strings.Split(hdrs["x-rexprs"], "|")
		if len(theirs) != len(resFmts)+1 {
			t.Errorf("%s: response expressions: %q", line, hdrs["x-rexprs"])
			continue
		}
		for i, f := range resFmts {
			if got := string(f.Append(nil, s)); got != theirs[i] {
				t.Errorf("%s: response %%[%s]: hitless %q, haproxy %q", line, diffResExprs[i], got, theirs[i])
			}
		}
	}
}

var diffResACLs = [][]string{
	{"status", "203"},
	{"status", "200:299"},
	{"status", "lt", "200"},
	{"res.hdr(x-resp)", "b"},
	{"res.hdr(x-resp,1)", "a"},
	{"shdr(x-resp)", "c"},
	{"shdr_beg(x-resp)", "a"},
	{"res.hdr_cnt(x-resp)", "3"},
	{"res.fhdr_cnt(x-resp)", "2"},
	{"res.fhdr(x-resp,1)", "-m", "beg", "a,"},
	{"res.hdr_val(x-n)", "gt", "40"},
	{"method", "GET"},
	{"src", "127.0.0.1"},
}

var diffResExprs = []string{
	"status",
	"hdr(x-resp)",
	"hdr(x-resp,1)",
	"hdr(x-resp,-2)",
	"res.hdr(x-resp)",
	"res.fhdr(x-resp,1)",
	"res.hdr_cnt(x-resp)",
	"res.fhdr_cnt(x-resp)",
	"shdr(x-resp)",
	"res.hdr_val(x-n)",
	"method",
	"src",
}

// startHAProxy runs haproxy in the foreground on cfg, whose "@P0@",
// "@P1@" and "@P2@" are replaced by free loopback ports, until the test
// ends. It returns the ports once all of them accept connections, trying
// other ports when haproxy exits first (a port taken in the meantime).
func startHAProxy(t *testing.T, bin, cfg string) [3]int {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "h.cfg")
	for attempt := 0; ; attempt++ {
		var ports [3]int
		text := cfg
		for i := range ports {
			ports[i] = freePort(t)
			text = strings.ReplaceAll(text, "@P"+strconv.Itoa(i)+"@", strconv.Itoa(ports[i]))
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(bin, "-c", "-f", path).CombinedOutput(); err != nil {
			t.Fatalf("haproxy -c: %v\n%s", err, out)
		}
		cmd := exec.Command(bin, "-db", "-f", path)
		cmd.Dir = dir
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() {
			_ = cmd.Wait()
			close(exited)
		}()
		stop := func() {
			_ = cmd.Process.Kill()
			<-exited
		}
		if waitListen(ports[:], exited) {
			t.Cleanup(stop)
			return ports
		}
		stop()
		if attempt == 2 {
			t.Fatal("haproxy did not start")
		}
	}
}

// waitListen polls the loopback ports until all accept connections (true),
// or until exited is closed or 10 s have passed (false).
func waitListen(ports []int, exited <-chan struct{}) bool {
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range ports {
		for {
			c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-exited:
				return false
			default:
			}
			if time.Now().After(deadline) {
				return false
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return true
}

func diffACLsText() []string {
	out := make([]string, len(diffACLs))
	for i, a := range diffACLs {
		out[i] = strings.Join(a, " ")
	}
	return out
}

// compareList compares the "<v0,v1,...,>" lists of HAProxy and hitless.
func compareList(t *testing.T, req, what string, names []string, theirs, ours string) {
	t.Helper()
	theirs = strings.TrimSuffix(strings.TrimPrefix(theirs, "<"), ">")
	tv, ov := strings.Split(theirs, ","), strings.Split(ours, ",")
	if len(tv) != len(ov) {
		t.Errorf("%s: %s list: haproxy %q, hitless %q", req, what, theirs, ours)
		return
	}
	for i := range tv {
		if tv[i] != ov[i] && i < len(names) {
			t.Errorf("%s: %s %q: haproxy %q, hitless %q", req, what, names[i], tv[i], ov[i])
		}
	}
}

// exchange sends one raw request and returns the status line, the
// response headers (names lower-cased) and the client's port.
func exchange(t *testing.T, addr, raw string) (string, map[string]string, int) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	head, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	hdrs := map[string]string{}
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			break
		}
		n, v, _ := strings.Cut(l, ":")
		hdrs[strings.ToLower(n)] = strings.TrimLeft(v, " ")
	}
	return strings.TrimRight(head, "\r\n"), hdrs, c.LocalAddr().(*net.TCPAddr).Port
}

// sampleFromRaw builds the fake sample of a raw request.
func sampleFromRaw(raw string) *fakeSample {
	lines := strings.Split(strings.TrimSuffix(raw, "\r\n\r\n"), "\r\n")
	return newReq(lines[0], lines[1:]...)
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
