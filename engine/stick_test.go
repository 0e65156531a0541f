package engine

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"hitless/engine/config"
	"hitless/engine/rules"
	"hitless/stick"
)

// stickServerOf returns the server id stored for key text k in table tb.
func stickServerOf(t *testing.T, e *Engine, tb, k string) int32 {
	t.Helper()
	tab := e.tables[tb]
	key, err := tab.ParseKey(nil, k)
	if err != nil {
		t.Fatal(err)
	}
	ent := tab.Lookup(key, e.StickNow())
	if ent == nil {
		return 0
	}
	defer tab.Release(ent)
	id, _ := tab.ServerID(ent)
	return id
}

// pickName connects through addr and returns the name of the server that
// answered, closing the connection.
func pickName(t *testing.T, addr string) string {
	t.Helper()
	name, c := pickVia(t, addr)
	if c != nil {
		c.Close()
	}
	return name
}

// waitStored polls until the table holds key k for server id (the store
// is committed by the reactor once the server connection is up, which may
// be after the client read the server's greeting).
func waitStored(t *testing.T, e *Engine, tb, k string, id int32) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%s[%s] = %d", tb, k, id), 5*time.Second, func() bool { return stickServerOf(t, e, tb, k) == id })
}

// TestStickTCP: in mode tcp a client sticks to its server across
// connections (stick on src, and the forum's stick on dst); a stuck
// server that goes DOWN or into maintenance is replaced and the entry
// overwritten; a DRAIN server keeps its clients.
func TestStickTCP(t *testing.T) {
	for _, expr := range []string{"src", "dst"} {
		t.Run(expr, func(t *testing.T) {
			e, _ := startParsed(t, fmt.Sprintf(checkDefaults+`
listen px
    bind 127.0.0.1:0
    balance roundrobin
    stick-table type ip size 100 expire 30m
    stick on %s
    server a %s
    server b %s id 7
`, expr, nameServer(t, "a"), nameServer(t, "b")), 2)
			addr := e.ListenAddrs()["px"][0]
			key := "127.0.0.1"
			first := pickName(t, addr)
			id := map[string]int32{"a": 1, "b": 7}
			other := map[string]string{"a": "b", "b": "a"}
			waitStored(t, e, "px", key, id[first])
			for i := 0; i < 6; i++ {
				if got := pickName(t, addr); got != first {
					t.Fatalf("connection %d went to %s, stuck to %s", i, got, first)
				}
			}

			// DRAIN keeps the clients.
			srv := serverNamed(e, first)
			e.setAdmin(srv, adminDrain, true)
			for i := 0; i < 3; i++ {
				if got := pickName(t, addr); got != first {
					t.Fatalf("drained stuck server lost its client to %s", got)
				}
			}
			e.setAdmin(srv, adminDrain, false)

			// Maintenance (stopped): replaced, entry overwritten.
			e.setAdmin(srv, adminMaint, true)
			if got := pickName(t, addr); got != other[first] {
				t.Fatalf("stuck server in maintenance still chosen (%s)", got)
			}
			waitStored(t, e, "px", key, id[other[first]])
			e.setAdmin(srv, adminMaint, false)
			for i := 0; i < 3; i++ {
				if got := pickName(t, addr); got != other[first] {
					t.Fatalf("after the move, connection %d went to %s", i, got)
				}
			}

			// DOWN by health: the same.
			srv2 := serverNamed(e, other[first])
			e.setOp(srv2, opStopped, "test")
			if got := pickName(t, addr); got != first {
				t.Fatalf("stuck DOWN server still chosen (%s)", got)
			}
			waitStored(t, e, "px", key, id[first])
		})
	}
}

// TestStickMatchAndStore: stick match alone never stores; store-request
// alone never matches; non-stick servers are never stored; conditions
// apply.
func TestStickMatchAndStore(t *testing.T) {
	e, _ := startParsed(t, checkDefaults+`
backend tab
    stick-table type ip size 100
listen px
    bind 127.0.0.1:0
    balance roundrobin
    stick match src table tab
    stick store-request src table tab if { src 10.0.0.0/8 }
    stick-table type integer size 10
    stick store-request src_port
    server a `+nameServer(t, "a")+` non-stick
    server b `+nameServer(t, "b")+`
`, 1)
	addr := e.ListenAddrs()["px"][0]
	seen := map[string]bool{}
	for i := 0; i < 4; i++ {
		seen[pickName(t, addr)] = true
	}
	if len(seen) != 2 {
		t.Fatalf("a failed condition still stored: %v", seen)
	}
	if n := e.tables["tab"].Used(); n != 0 {
		t.Fatalf("store under a false condition: %d entries", n)
	}
	// Entries of the second table come only from b (a is non-stick).
	waitFor(t, "src_port entries", 5*time.Second, func() bool { return e.tables["px"].Used() == 2 })
	e.tables["px"].Walk(e.StickNow(), func(sn *stick.Snapshot) bool {
		if sn.Vals[stick.ServerID] != 2 {
			t.Errorf("entry for server id %d, want 2 (b)", sn.Vals[stick.ServerID])
		}
		return true
	})

	// A match on an entry written by hand sends every client to it.
	tab := e.tables["tab"]
	key, _ := tab.ParseKey(nil, "127.0.0.1")
	ent, err := tab.Get(key, e.StickNow())
	if err != nil {
		t.Fatal(err)
	}
	tab.StoreServer(ent, 1, "a", e.StickNow())
	tab.Release(ent)
	for i := 0; i < 4; i++ {
		if got := pickName(t, addr); got != "a" {
			t.Fatalf("matched entry ignored: went to %s", got)
		}
	}
	// The server key (name) wins over the id, as in HAProxy 2.6; an
	// entry with an id only is found by id.
	ent, _ = tab.Get(key, e.StickNow())
	tab.StoreServer(ent, 2, "a", e.StickNow())
	tab.Release(ent)
	if got := pickName(t, addr); got != "a" {
		t.Fatalf("server_key a, server_id 2: went to %s", got)
	}
	tab.Clear(e.StickNow(), nil)
	ent, _ = tab.Get(key, e.StickNow())
	tab.SetValue(ent, stick.ServerID, 2, e.StickNow())
	tab.Release(ent)
	for i := 0; i < 3; i++ {
		if got := pickName(t, addr); got != "b" {
			t.Fatalf("server_id 2 only: went to %s", got)
		}
	}
}

// TestStickFullServerQueues: a stuck server at its maxconn queues the
// stream on its own queue instead of sending it elsewhere.
func TestStickFullServerQueues(t *testing.T) {
	e, _ := startParsed(t, checkDefaults+`
listen px
    bind 127.0.0.1:0
    balance roundrobin
    timeout queue 5s
    stick-table type ip size 100
    stick on src
    server a `+nameServer(t, "a")+` maxconn 1
    server b `+nameServer(t, "b")+` maxconn 1
`, 1)
	addr := e.ListenAddrs()["px"][0]
	first, c1 := pickVia(t, addr)
	if c1 == nil {
		t.Fatal("no answer")
	}
	waitStored(t, e, "px", "127.0.0.1", map[string]int32{"a": 1, "b": 2}[first])
	done := make(chan string, 1)
	go func() {
		name, c := pickVia(t, addr)
		if c != nil {
			c.Close()
		}
		done <- name
	}()
	srv := serverNamed(e, first)
	waitFor(t, "queued on the stuck server", 5*time.Second, func() bool { return srv.q.Len() == 1 })
	c1.Close()
	select {
	case got := <-done:
		if got != first {
			t.Fatalf("queued stream went to %s, stuck to %s", got, first)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("queued stream never served")
	}
}

// TestStickHTTP: in mode http a header sticks each user to its server,
// across requests and connections.
func TestStickHTTP(t *testing.T) {
	b1 := startHTTPBackend(t, "app1", nil)
	b2 := startHTTPBackend(t, "app2", nil)
	e, addr := httpProxy(t, "  balance roundrobin\n  stick-table type string len 16 size 1k expire 1m\n  stick on hdr(x-user)\n", b1.addr(), b2.addr())
	serverOf := func(user string) string {
		rc := dialHTTP(t, addr)
		rc.send("GET / HTTP/1.1\r\nHost: h\r\nX-User: " + user + "\r\n\r\n")
		res, _ := rc.read("GET")
		return res.Header.Get("X-Server")
	}
	users := map[string]string{}
	for _, u := range []string{"alice", "bob", "carol", "dave"} {
		users[u] = serverOf(u)
		waitFor(t, "stored "+u, 5*time.Second, func() bool { return stickServerOf(t, e, "px", u) != 0 })
	}
	for i := 0; i < 3; i++ {
		for u, srv := range users {
			if got := serverOf(u); got != srv {
				t.Fatalf("%s went to %s, stuck to %s", u, got, srv)
			}
		}
	}
	if n := e.tables["px"].Used(); n != 4 {
		t.Fatalf("%d entries, want 4", n)
	}
	// One keep-alive connection: each request is stuck on its own.
	rc := dialHTTP(t, addr)
	for i := 0; i < 2; i++ {
		for _, u := range []string{"alice", "bob", "carol", "dave"} {
			rc.send("GET / HTTP/1.1\r\nHost: h\r\nX-User: " + u + "\r\n\r\n")
			res, _ := rc.read("GET")
			if got := res.Header.Get("X-Server"); got != users[u] {
				t.Fatalf("keep-alive request of %s went to %s, stuck to %s", u, got, users[u])
			}
		}
	}
}

// TestStickExpiry: an entry past its expire date is gone, and the client
// is balanced again. Time is the tables' parameter, not a sleep.
func TestStickExpiry(t *testing.T) {
	tab, err := stick.New("px", stick.Spec{Type: stick.KeyIPv4, Size: 10, Expire: 1000, Store: []stick.Store{{Type: stick.ServerID}}})
	if err != nil {
		t.Fatal(err)
	}
	b := &backend{stick: []stickRule{{kind: 3, expr: mustExpr(t, "src"), t: tab}}}
	srv := &server{id: 1, be: b, cfg: &config.Server{}}
	list := []*server{srv}
	b.srvList.Store(&list)
	r := &reactor{}
	s := &stream{be: b, client: netip.MustParseAddrPort("10.1.2.3:4000")}
	r.tsample.s = s
	r.stickEval(s, b, &r.tsample)
	s.srv = srv
	r.now = 0
	r.stickCommit(s)
	s.srv = nil
	r.now = 999
	r.stickEval(s, b, &r.tsample)
	if s.stickSrv != srv {
		t.Fatal("entry not matched before expiry")
	}
	// The match refreshed it: alive until 1999.
	r.now = 1998
	r.stickEval(s, b, &r.tsample)
	if s.stickSrv != srv {
		t.Fatal("match did not refresh the entry")
	}
	r.now = 2998
	r.stickEval(s, b, &r.tsample)
	if s.stickSrv != nil {
		t.Fatal("expired entry matched")
	}
}

func mustExpr(t *testing.T, s string) *rules.Expr {
	t.Helper()
	e, err := rules.ParseExpr(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestStickKey: samples become keys of every table type as HAProxy's
// casts make them.
func TestStickKey(t *testing.T) {
	mk := func(kt stick.KeyType) *stick.Table {
		tb, _ := stick.New("t", stick.Spec{Type: kt, Size: 1, KeyLen: 8})
		return tb
	}
	v4 := rules.Value{Kind: rules.ValueAddr, Addr: netip.MustParseAddr("1.2.3.4")}
	for _, tc := range []struct {
		kt   stick.KeyType
		v    rules.Value
		want string
		ok   bool
	}{
		{stick.KeyIPv4, v4, "1.2.3.4", true},
		{stick.KeyIPv6, v4, "::ffff:1.2.3.4", true},
		{stick.KeyIPv4, rules.Value{Kind: rules.ValueBytes, Bytes: []byte("5.6.7.8")}, "5.6.7.8", true},
		{stick.KeyIPv4, rules.Value{Kind: rules.ValueBytes, Bytes: []byte("nope")}, "", false},
		{stick.KeyIPv4, rules.Value{Kind: rules.ValueInt, Int: 0x01020304}, "1.2.3.4", true},
		{stick.KeyInteger, v4, "16909060", true},
		{stick.KeyInteger, rules.Value{Kind: rules.ValueBytes, Bytes: []byte("42")}, "42", true},
		{stick.KeyInteger, rules.Value{Kind: rules.ValueBytes, Bytes: []byte("x")}, "", false},
		{stick.KeyString, v4, "1.2.3.4", true},
		{stick.KeyString, rules.Value{Kind: rules.ValueBytes, Bytes: []byte("abcdefghijk")}, "abcdefgh", true},
		{stick.KeyString, rules.Value{Kind: rules.ValueInt, Int: 12}, "12", true},
		{stick.KeyString, rules.Value{}, "", false},
	} {
		tb := mk(tc.kt)
		k, ok := stickKey(tb, nil, tc.v)
		if ok != tc.ok || ok && string(tb.AppendKey(nil, k)) != tc.want {
			t.Errorf("%v %+v: %q %v, want %q %v", tc.kt, tc.v, tb.AppendKey(nil, k), ok, tc.want, tc.ok)
		}
	}
}
