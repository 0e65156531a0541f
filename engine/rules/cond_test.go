package rules

import (
	"errors"
	"strings"
	"testing"
)

// condSet returns an ACLSet with the ACLs used by the condition tests.
func condSet(t *testing.T) *ACLSet {
	t.Helper()
	set := NewACLSet()
	for _, l := range []string{
		"is_api path_beg /api",
		"is_get method GET",
		"internal src 10.0.0.0/8",
		"internal src 192.0.2.0/24", // several lines are ORed
		"never always_false",
	} {
		if err := set.ParseACL(strings.Fields(l)); err != nil {
			t.Fatalf("acl %s: %v", l, err)
		}
	}
	return set
}

func TestCondEval(t *testing.T) {
	apiGet := newReq("GET /api/x HTTP/1.1") // from 192.0.2.1: internal
	apiPost := newReq("POST /api/x HTTP/1.1")
	other := newReq("GET /www HTTP/1.0")
	external := withSrc(apiGet, "203.0.113.9")
	local := withSrc(other, "127.0.0.1")
	tests := []struct {
		cond string
		s    *fakeSample
		want bool
	}{
		{"if is_api", apiGet, true},
		{"if is_api", other, false},
		{"unless is_api", other, true},
		{"unless is_api", apiGet, false},
		{"if is_api is_get", apiGet, true}, // implicit AND
		{"if is_api is_get", apiPost, false},
		{"if is_api || is_get", other, true},
		{"if is_api or is_get", apiPost, true},
		{"if never OR is_api", apiPost, true},
		{"if never Or never", apiPost, false},
		{"if !is_api", other, true},
		{"if ! is_api", other, true}, // "!" alone negates the next term
		{"if !!is_api", apiGet, true},
		{"if ! ! is_api", apiGet, true},
		{"if is_api !is_get", apiPost, true},
		{"if is_api !is_get || !internal", external, true},
		{"if is_api !is_get || !internal", apiGet, false},
		{"if internal", apiGet, true},
		{"if internal", external, false},
		{"if { path_beg /api } { method POST }", apiPost, true},
		{"if !{ path_beg /api }", other, true},
		{"if ! { path_beg /api }", apiGet, false},
		{"unless { src 10.0.0.0/8 } || { path /www }", other, false},
		{"if { hdr(host) -m found } || is_get", apiGet, true},
		{"if TRUE", other, true},
		{"if FALSE", other, false},
		{"if HTTP", other, true},
		{"if HTTP_1.0", other, true},
		{"if HTTP_1.1", other, false},
		{"if HTTP_1.1", apiGet, true},
		{"if HTTP_URL_SLASH", other, true},
		{"if HTTP_URL_ABS", other, false},
		{"if HTTP_URL_ABS", newReq("GET http://h/x HTTP/1.1"), true},
		{"if HTTP_URL_STAR", newReq("OPTIONS * HTTP/1.1"), true},
		{"if LOCALHOST", local, true},
		{"if LOCALHOST", other, false},
		{"if LOCALHOST", withSrc(other, "::1"), true},
		{"if METH_GET", newReq("HEAD / HTTP/1.1"), true},
		{"if METH_GET", apiPost, false},
		{"if METH_POST", apiPost, true},
		{"if METH_CONNECT", newReq("CONNECT h:443 HTTP/1.1"), true},
		{"if METH_DELETE", newReq("DELETE / HTTP/1.1"), true},
		{"if METH_HEAD", newReq("HEAD / HTTP/1.1"), true},
		{"if METH_OPTIONS", newReq("OPTIONS / HTTP/1.1"), true},
		{"if METH_PUT", newReq("PUT / HTTP/1.1"), true},
		{"if METH_TRACE", newReq("TRACE / HTTP/1.1"), true},
		{"if is_api ||", apiGet, true}, // a dangling operator is ignored, as in HAProxy
		{"if || is_api", apiGet, true},
		{"if is_api !", apiGet, true},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			c, err := ParseCond(strings.Fields(tt.cond), condSet(t))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Eval(tt.s); got != tt.want {
				t.Errorf("%s = %v, want %v", tt.cond, got, tt.want)
			}
		})
	}
}

func TestCondNil(t *testing.T) {
	var c *Cond
	if !c.Eval(newReq("GET / HTTP/1.1")) {
		t.Error("nil condition is false")
	}
}

func TestCondNoVars(t *testing.T) {
	s := newReq("GET /API HTTP/1.1")
	s.noVars = true
	c, err := ParseCond([]string{"if", "{", "path,lower", "/api", "}"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Eval(s) {
		t.Error("conversion without Vars failed")
	}
}

// TestCondLaterACLLine checks that a condition refers to the ACL itself:
// lines added after the condition still count, as in HAProxy.
func TestCondLaterACLLine(t *testing.T) {
	set := NewACLSet()
	if err := set.ParseACL([]string{"a", "path", "/x"}); err != nil {
		t.Fatal(err)
	}
	c, err := ParseCond([]string{"if", "a"}, set)
	if err != nil {
		t.Fatal(err)
	}
	if err := set.ParseACL([]string{"a", "path", "/y"}); err != nil {
		t.Fatal(err)
	}
	if !c.Eval(newReq("GET /y HTTP/1.1")) {
		t.Error("later acl line not seen")
	}
	// A user ACL may override a predefined name.
	if err := set.ParseACL([]string{"TRUE", "always_false"}); err != nil {
		t.Fatal(err)
	}
	c, err = ParseCond([]string{"if", "TRUE"}, set)
	if err != nil {
		t.Fatal(err)
	}
	if c.Eval(newReq("GET / HTTP/1.1")) {
		t.Error("predefined TRUE not overridden")
	}
}

func TestCondErrors(t *testing.T) {
	tests := []struct {
		cond, want string
		notImpl    bool
	}{
		{"if nosuch", "no such ACL : 'nosuch'", false},
		{"if is_api nosuch", "no such ACL : 'nosuch'", false},
		{"if { path /x", "missing closing '}' in condition", false},
		{"if { }", "missing fetch method in ACL expression ''", false},
		{"if { foo }", "unknown fetch method 'foo' in ACL expression 'foo'", false},
		{"if }", "no such ACL : '}'", false},
		{"if {path /x }", "no such ACL : '{path'", false},
		{"if", "missing condition after 'if'", false},
		{"unless", "missing condition after 'unless'", false},
		{"if !", "missing condition after 'if'", false},
		{"if ||", "missing condition after 'if'", false},
		{"when x", "conditions must start with either 'if' or 'unless'", false},
		{"if WAIT_END", "predefined ACL 'WAIT_END' is not implemented yet", true},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			_, err := ParseCond(strings.Fields(tt.cond), condSet(t))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v, want %s", err, tt.want)
			}
			if errors.Is(err, ErrNotImplemented) != tt.notImpl {
				t.Errorf("notImpl = %v", !tt.notImpl)
			}
		})
	}
}

func TestSplitCond(t *testing.T) {
	for _, tt := range []struct {
		words string
		want  int
	}{
		{"b1 if a", 1},
		{"b1 unless a if b", 1},
		{"b1", 1},
		{"", 0},
		{"if x", 0},
	} {
		if got := SplitCond(strings.Fields(tt.words)); got != tt.want {
			t.Errorf("SplitCond(%q) = %d, want %d", tt.words, got, tt.want)
		}
	}
}
