package config

// envOverlay is the environment seen by one parse: the caller's lookup
// function plus the effects of the global keywords setenv, presetenv,
// resetenv and unsetenv, which apply to the lines that follow them. The
// process environment is never modified. It is owned by one parser.
type envOverlay struct {
	base  func(string) (string, bool)
	vars  map[string]envValue // explicit settings, win over base
	reset bool                // resetenv ran: names absent from vars are unset
}

type envValue struct {
	val string
	set bool // false: explicitly unset
}

func newEnvOverlay(base func(string) (string, bool)) *envOverlay {
	return &envOverlay{base: base, vars: make(map[string]envValue)}
}

// lookup reports the value of name as the configuration sees it now.
func (e *envOverlay) lookup(name string) (string, bool) {
	if v, ok := e.vars[name]; ok {
		return v.val, v.set
	}
	if e.reset || e.base == nil {
		return "", false
	}
	return e.base(name)
}

// setenv implements "setenv": name takes value, whatever it was.
func (e *envOverlay) setenv(name, value string) {
	e.vars[name] = envValue{val: value, set: true}
}

// presetenv implements "presetenv": name takes value only if unset.
func (e *envOverlay) presetenv(name, value string) {
	if _, ok := e.lookup(name); !ok {
		e.setenv(name, value)
	}
}

// unsetenv implements "unsetenv".
func (e *envOverlay) unsetenv(name string) {
	e.vars[name] = envValue{}
}

// resetenv implements "resetenv [name...]": every variable is removed
// except the ones named, which keep their current value.
func (e *envOverlay) resetenv(keep []string) {
	kept := make(map[string]envValue, len(keep))
	for _, name := range keep {
		if v, ok := e.lookup(name); ok {
			kept[name] = envValue{val: v, set: true}
		}
	}
	e.vars = kept
	e.reset = true
}
