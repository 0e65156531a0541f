package lb

import "testing"

func mustKeyer(t *testing.T, o Options) *Keyer {
	t.Helper()
	k, err := NewKeyer(o)
	if err != nil {
		t.Fatalf("NewKeyer(%+v) = %v", o, err)
	}
	return k
}

func TestKeyerInput(t *testing.T) {
	tests := []struct {
		o     Options
		input KeyInput
		name  string
	}{
		{Options{Algo: "roundrobin"}, KeyNone, ""},
		{Options{Algo: "random(3)"}, KeyNone, ""},
		{Options{Algo: "source"}, KeySource, ""},
		{Options{Algo: "uri"}, KeyURI, ""},
		{Options{Algo: "url_param", Args: []string{"sid"}}, KeyURLParam, "sid"},
		{Options{Algo: "hdr(X-Tenant)"}, KeyHeader, "X-Tenant"},
		{Options{Algo: "rdp-cookie"}, KeyRDPCookie, "mstshash"},
		{Options{Algo: "rdp-cookie(user)"}, KeyRDPCookie, "user"},
		{Options{Algo: "hash", Args: []string{"src"}}, KeyExpr, ""},
	}
	for _, tt := range tests {
		k := mustKeyer(t, tt.o)
		if k.Input != tt.input || k.Name != tt.name {
			t.Errorf("NewKeyer(%+v) = input %d name %q, want %d %q", tt.o, k.Input, k.Name, tt.input, tt.name)
		}
	}
	if _, err := NewKeyer(Options{Algo: "random(0)"}); err == nil {
		t.Error("NewKeyer(random(0)) accepted")
	}
}

func TestURIPart(t *testing.T) {
	tests := []struct {
		args   []string
		target string
		want   string
	}{
		{nil, "/a/b/c?x=1", "/a/b/c"},
		{nil, "/a/b/c", "/a/b/c"},
		{nil, "?x", ""},
		{[]string{"whole"}, "/a/b/c?x=1", "/a/b/c?x=1"},
		{[]string{"len", "4"}, "/a/b/c?x=1", "/a/b"},
		{[]string{"len", "100"}, "/a?x", "/a"},
		{[]string{"depth", "1"}, "/a/b/c?x=1", "/a"},
		{[]string{"depth", "2"}, "/a/b/c?x=1", "/a/b"},
		{[]string{"depth", "5"}, "/a/b?c/d", "/a/b"},
		{[]string{"depth", "3", "whole"}, "/a/b?c/d/e", "/a/b?c/d"},
		{[]string{"depth", "2", "len", "3"}, "/a/b/c", "/a/"},
		{nil, "http://h.com/a/b?q", "http://h.com/a/b"},
		{[]string{"path-only"}, "http://h.com/a/b?q", "/a/b"},
		{[]string{"path-only", "whole"}, "https://h.com:8443/a/b?q", "/a/b?q"},
		{[]string{"path-only"}, "http://h.com", ""},
		{[]string{"path-only"}, "http://h.com?x/y", "/y"}, // the authority ends at '/'
		{[]string{"path-only"}, "h.com:443", ""},          // authority form
		{[]string{"path-only"}, "*", ""},
		{[]string{"path-only"}, "/p?q", "/p"},
		{[]string{"path-only"}, "1http://h/p", ""}, // a scheme starts with a letter
		{[]string{"path-only", "len", "2"}, "http://h.com/abc", "/a"},
	}
	for _, tt := range tests {
		sp, err := parse(Options{Algo: "uri", Args: tt.args})
		if err != nil {
			t.Fatal(err)
		}
		if got := string(uriPart([]byte(tt.target), &sp)); got != tt.want {
			t.Errorf("uri %v of %q = %q, want %q", tt.args, tt.target, got, tt.want)
		}
	}
}

func TestURLParam(t *testing.T) {
	tests := []struct {
		target string
		value  string
		ok     bool
	}{
		{"/p?id=42", "42", true},
		{"/p?a=1&id=42&b=2", "42", true},
		{"/p?id=", "", true},
		{"/p?id=1&id=2", "1", true},
		{"/p?ID=1", "", false},  // case-sensitive
		{"/p?xid=1", "", false}, // whole names only
		{"/p?id", "", false},
		{"/p?a=1;id=2", "", false}, // '&' separates, not ';'
		{"/p/id=1", "", false},     // not in a query string
		{"/p?a=b?id=3", "", false}, // the second '?' is data
		{"/p?a=1&id=x=y", "x=y", true},
		{"/p?&&id=7", "7", true},
	}
	k := mustKeyer(t, Options{Algo: "url_param", Args: []string{"id"}})
	for _, tt := range tests {
		got := k.URLParam([]byte(tt.target))
		want := Key{}
		if tt.ok {
			want = Key{Hash: sdbm([]byte(tt.value)), Valid: true}
		}
		if got != want {
			t.Errorf("URLParam(%q) = %+v, want %+v (value %q)", tt.target, got, want, tt.value)
		}
	}
}

func TestURLParamBody(t *testing.T) {
	tests := []struct {
		body  string
		value string
		ok    bool
	}{
		{"id=42", "42", true},
		{"a=1&id=42&b=2", "42", true},
		{"id= x", "", true},     // LWS first: empty value
		{"id=,x", "", false},    // not URI-encoded: no parameters
		{"id=x,y", "x,y", true}, // HAProxy only checks the first byte
		{"name=id", "", false},
	}
	k := mustKeyer(t, Options{Algo: "url_param", Args: []string{"id", "check_post"}})
	if !k.CheckPost {
		t.Error("check_post not reported")
	}
	for _, tt := range tests {
		got := k.URLParamBody([]byte(tt.body))
		want := Key{}
		if tt.ok {
			want = Key{Hash: sdbm([]byte(tt.value)), Valid: true}
		}
		if got != want {
			t.Errorf("URLParamBody(%q) = %+v, want %+v (value %q)", tt.body, got, want, tt.value)
		}
	}
}

func TestHeader(t *testing.T) {
	tests := []struct {
		domainOnly bool
		value      string
		hashed     string
		ok         bool
	}{
		{false, "abc", "abc", true},
		{false, " abc \t", "abc", true},
		{false, "a, b", "a", true},
		{false, "", "", false},
		{false, "  ", "", false},
		{false, ", b", "", false},
		{true, "haproxy.1wt.eu", "1wt", true},
		{true, "www.example.com:8080", "example", true},
		{true, "example.com", "example", true},
		{true, "localhost", "localhost", true},
		{true, ".eu", ".eu", true},
		{true, "a.b", "a", true},
		{true, "example.com.", "com", true},
	}
	for _, tt := range tests {
		o := Options{Algo: "hdr(Host)"}
		if tt.domainOnly {
			o.Args = []string{"use_domain_only"}
		}
		got := mustKeyer(t, o).Header([]byte(tt.value))
		want := Key{}
		if tt.ok {
			want = Key{Hash: sdbm([]byte(tt.hashed)), Valid: true}
		}
		if got != want {
			t.Errorf("Header(%q, domain only %v) = %+v, want hash of %q", tt.value, tt.domainOnly, got, tt.hashed)
		}
	}
}

func TestSourceKey(t *testing.T) {
	tests := []struct {
		ip   []byte
		want Key
	}{
		{[]byte{10, 0, 0, 1}, Key{Hash: 0x0a000001, Valid: true}},
		{[]byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, Key{Hash: 0x20010db8 ^ 1, Valid: true}},
		{[]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1}, Key{Hash: 0xffff ^ 0x0a000001, Valid: true}},
		{nil, Key{}},
		{[]byte{1, 2, 3}, Key{}},
	}
	for _, tt := range tests {
		if got := SourceKey(tt.ip, false); got != tt.want {
			t.Errorf("SourceKey(%v) = %+v, want %+v", tt.ip, got, tt.want)
		}
	}
	k := mustKeyer(t, Options{Algo: "source", Avalanche: true, HashFunction: "djb2"})
	if got, want := k.Source([]byte{10, 0, 0, 1}), (Key{Hash: Avalanche(0x0a000001), Valid: true}); got != want {
		t.Errorf("Source with avalanche = %+v, want %+v (the hash function does not apply)", got, want)
	}
}

func TestKeyerAvalancheAndFunction(t *testing.T) {
	k := mustKeyer(t, Options{Algo: "uri", HashFunction: "crc32", Avalanche: true})
	if got, want := k.URI([]byte("/a?b")), Avalanche(Hash("crc32", []byte("/a"))); got != (Key{Hash: want, Valid: true}) {
		t.Errorf("URI = %+v, want %#x", got, want)
	}
	b := mustKeyer(t, Options{Algo: "rdp-cookie", HashFunction: "djb2"})
	if got, want := b.Bytes([]byte("alice")), djb2([]byte("alice")); got != (Key{Hash: want, Valid: true}) {
		t.Errorf("Bytes = %+v, want %#x", got, want)
	}
}

func TestKeyerAllocs(t *testing.T) {
	uri := mustKeyer(t, Options{Algo: "uri", Args: []string{"path-only", "depth", "3"}, Avalanche: true})
	param := mustKeyer(t, Options{Algo: "url_param", Args: []string{"id"}, HashFunction: "wt6"})
	hdr := mustKeyer(t, Options{Algo: "hdr(Host)", Args: []string{"use_domain_only"}, HashFunction: "crc32"})
	target := []byte("http://www.example.com/a/b/c/d?x=1&id=abc")
	host := []byte("www.example.com:8080")
	ip := []byte{192, 0, 2, 1}
	n := testing.AllocsPerRun(100, func() {
		uri.URI(target)
		param.URLParam(target)
		param.URLParamBody(target)
		hdr.Header(host)
		uri.Source(ip)
		uri.Bytes(host)
	})
	if n != 0 {
		t.Errorf("Keyer methods allocate %v times", n)
	}
}

func BenchmarkKeyerURI(b *testing.B) {
	k, _ := NewKeyer(Options{Algo: "uri"})
	target := []byte("/static/images/2024/header-background.png?v=3")
	b.ReportAllocs()
	for b.Loop() {
		k.URI(target)
	}
}
