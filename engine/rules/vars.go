package rules

import (
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Vars holds a transaction's variables (txn.*, req.*, res.*, sess.*
// scopes; HAProxy's names). Names are resolved to indexes at parse time
// through a package-level registry ([VarIndex]); indexes are the same for
// every proxy and every configuration of the process.
//
// A Vars belongs to the goroutine that owns its transaction. Setting a
// variable copies its value into a buffer that Vars keeps, so a warm Vars
// never allocates; Vars also lends scratch space to Cond.Eval and to the
// Rule helpers. The zero Vars is ready to use.
type Vars struct {
	vals []varValue
	// scratch is the conversion buffer of Cond.Eval; tmp that of the Rule
	// helpers (set-var values, replace templates).
	scratch []byte
	tmp     []byte
}

type varValue struct {
	set bool
	t   smpType
	i   int64
	ip  netip.Addr
	buf []byte // the text form of the value, whatever its type
}

// Reset clears all values (end of transaction), keeping the buffers.
func (v *Vars) Reset() {
	for i := range v.vals {
		v.vals[i].set = false
	}
}

// ResetTxn clears the variables of the txn, req and res scopes and keeps
// those of the sess scope, which HAProxy keeps for the whole client
// connection.
func (v *Vars) ResetTxn() {
	for i := range v.vals {
		if v.vals[i].set && varScopeOf(i) != scopeSess {
			v.vals[i].set = false
		}
	}
}

// Get returns the text form of variable idx (an integer in decimal, an
// address as text) and whether it is set. The slice belongs to v and is
// valid until the variable changes.
func (v *Vars) Get(idx int) ([]byte, bool) {
	if idx < 0 || idx >= len(v.vals) || !v.vals[idx].set {
		return nil, false
	}
	return v.vals[idx].buf, true
}

// Set sets variable idx to the string val, copying it.
func (v *Vars) Set(idx int, val []byte) {
	if x := v.slot(idx); x != nil {
		x.set, x.t = true, typeStr
		x.buf = append(x.buf[:0], val...)
	}
}

// SetInt sets variable idx to the integer n.
func (v *Vars) SetInt(idx int, n int64) {
	if x := v.slot(idx); x != nil {
		x.set, x.t, x.i = true, typeInt, n
		x.buf = strconv.AppendInt(x.buf[:0], n, 10)
	}
}

// Unset clears variable idx.
func (v *Vars) Unset(idx int) {
	if idx >= 0 && idx < len(v.vals) {
		v.vals[idx].set = false
	}
}

// slot returns the storage of variable idx, growing v when a variable
// was registered after v was last grown. A negative idx gives nil.
func (v *Vars) slot(idx int) *varValue {
	if idx < 0 {
		return nil
	}
	if idx >= len(v.vals) {
		if idx < cap(v.vals) {
			v.vals = v.vals[:idx+1]
		} else {
			n := make([]varValue, idx+1, max(idx+1, varCount()))
			copy(n, v.vals)
			v.vals = n
		}
	}
	return &v.vals[idx]
}

// setValue stores a sample value in variable idx.
func (v *Vars) setValue(idx int, val *value) {
	x := v.slot(idx)
	if x == nil {
		return
	}
	x.set, x.t = true, val.t
	switch val.t {
	case typeBool, typeInt:
		x.i = val.i
	case typeIP:
		x.ip = val.ip
	case typeMeth, typeBin:
		x.t = typeStr
	}
	x.buf = val.appendText(x.buf[:0])
}

// load reads variable idx into val; the bytes stay owned by v.
func (v *Vars) load(idx int, val *value) bool {
	if idx < 0 || idx >= len(v.vals) || !v.vals[idx].set {
		return false
	}
	x := &v.vals[idx]
	val.t, val.i, val.ip, val.s = x.t, x.i, x.ip, x.buf
	return true
}

// Variable scopes.
type varScope uint8

const (
	scopeTxn varScope = iota
	scopeReq
	scopeRes
	scopeSess
)

// registry maps variable names to indexes. Its mutex is taken at parse
// time only; transactions read the scopes through the immutable snapshot
// in scopes, replaced (copied) on each registration.
var registry struct {
	sync.Mutex
	index map[string]int
	names []string
}

var scopes atomic.Pointer[[]varScope]

func varCount() int {
	if s := scopes.Load(); s != nil {
		return len(*s)
	}
	return 0
}

func varScopeOf(idx int) varScope {
	if s := scopes.Load(); s != nil && idx < len(*s) {
		return (*s)[idx]
	}
	return scopeTxn
}

// VarName returns the name of variable idx, or "" if idx is unknown.
func VarName(idx int) string {
	registry.Lock()
	defer registry.Unlock()
	if idx >= 0 && idx < len(registry.names) {
		return registry.names[idx]
	}
	return ""
}

// VarIndex returns the index of the variable called name ("txn.user"),
// registering it on first use. The error text is HAProxy's reason. It
// takes a lock: call it at parse time only.
func VarIndex(name string) (int, error) {
	idx, err := varIndex(name, "")
	if err != nil {
		return -1, err.wrap("", "")
	}
	return idx, nil
}

// varIndex registers name; tail is the text that followed the name where
// it was written (")" in an action keyword), quoted by HAProxy in syntax
// errors.
func varIndex(name, tail string) (int, *perr) {
	if name == "" {
		return -1, reason("Empty variable name cannot be accepted")
	}
	scopeName, rest, ok := strings.Cut(name, ".")
	var scope varScope
	switch scopeName {
	case "txn":
		scope = scopeTxn
	case "req":
		scope = scopeReq
	case "res":
		scope = scopeRes
	case "sess":
		scope = scopeSess
	case "proc", "check":
		if ok && rest != "" {
			return -1, notImpl("variables of scope '" + scopeName + "' are not implemented yet")
		}
		fallthrough
	default:
		ok = false
	}
	if !ok || rest == "" {
		return -1, reason("invalid variable name '" + name + "'. A variable name must be start by its scope. " +
			"The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'")
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(isAlnum(c) || c == '_' || c == '.') {
			return -1, reason("invalid syntax at char '" + rest[i:] + tail + "'")
		}
	}
	registry.Lock()
	defer registry.Unlock()
	if idx, ok := registry.index[name]; ok {
		return idx, nil
	}
	if registry.index == nil {
		registry.index = make(map[string]int)
	}
	idx := len(registry.names)
	registry.index[name] = idx
	registry.names = append(registry.names, name)
	var next []varScope
	if old := scopes.Load(); old != nil {
		next = append(next, *old...)
	}
	next = append(next, scope)
	scopes.Store(&next)
	return idx, nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
