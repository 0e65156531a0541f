package rules

import (
	"errors"
	"testing"
)

func TestVarIndex(t *testing.T) {
	a, err := VarIndex("txn.vi_a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := VarIndex("txn.vi_b")
	if err != nil {
		t.Fatal(err)
	}
	again, err := VarIndex("txn.vi_a")
	if err != nil || again != a || a == b {
		t.Fatalf("indexes %d %d %d, %v", a, b, again, err)
	}
	if VarName(a) != "txn.vi_a" || VarName(-1) != "" || VarName(1<<20) != "" {
		t.Error("VarName")
	}
	for _, tt := range []struct {
		name, want string
		notImpl    bool
	}{
		{"", "Empty variable name cannot be accepted", false},
		{"x", "invalid variable name 'x'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'", false},
		{"txn.", "invalid variable name 'txn.'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'", false},
		{"TXN.a", "invalid variable name 'TXN.a'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'", false},
		{"txn.a-b", "invalid syntax at char '-b'", false},
		{"proc.a", "variables of scope 'proc' are not implemented yet", true},
		{"check.a", "variables of scope 'check' are not implemented yet", true},
	} {
		_, err := VarIndex(tt.name)
		if err == nil || err.Error() != tt.want || errors.Is(err, ErrNotImplemented) != tt.notImpl {
			t.Errorf("VarIndex(%q) = %v, want %s", tt.name, err, tt.want)
		}
	}
	for _, ok := range []string{"txn.a.b", "txn.a_b", "txn.1", "sess.x", "req.x", "res.x", "txn..a"} {
		if _, err := VarIndex(ok); err != nil {
			t.Errorf("VarIndex(%q): %v", ok, err)
		}
	}
}

func TestVars(t *testing.T) {
	var v Vars // the zero Vars is ready
	idx, err := VarIndex("txn.vars_test")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Get(idx); ok {
		t.Fatal("unset variable found")
	}
	v.Set(idx, []byte("abc"))
	if got, ok := v.Get(idx); !ok || string(got) != "abc" {
		t.Fatalf("Get = %q %v", got, ok)
	}
	v.SetInt(idx, -12)
	if got, ok := v.Get(idx); !ok || string(got) != "-12" {
		t.Fatalf("Get int = %q %v", got, ok)
	}
	v.Unset(idx)
	if _, ok := v.Get(idx); ok {
		t.Fatal("Unset left the variable")
	}
	v.Set(idx, []byte("x"))
	v.Reset()
	if _, ok := v.Get(idx); ok {
		t.Fatal("Reset left the variable")
	}
	// Out-of-range indexes are ignored.
	v.Set(-1, []byte("x"))
	v.Unset(-1)
	v.Unset(1 << 20)
	if _, ok := v.Get(-1); ok {
		t.Fatal("negative index found")
	}
	// A variable registered after the Vars grew is still settable.
	later, err := VarIndex("txn.vars_test_later")
	if err != nil {
		t.Fatal(err)
	}
	v.Set(later, []byte("late"))
	if got, ok := v.Get(later); !ok || string(got) != "late" {
		t.Fatalf("later variable = %q %v", got, ok)
	}
	// Set copies its argument.
	buf := []byte("copy")
	v.Set(idx, buf)
	buf[0] = 'X'
	if got, _ := v.Get(idx); string(got) != "copy" {
		t.Fatalf("Set kept the caller's slice: %q", got)
	}
}
