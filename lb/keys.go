package lb

// Key extraction: what each hash-based "balance" algorithm hashes, from
// HAProxy 2.6's documentation and behaviour. A Keyer is built once per
// backend from the same Options as the algorithm; its methods take the raw
// request bytes, never allocate and never keep a reference to their input.

// KeyInput says which part of a request an algorithm hashes, hence which
// [Keyer] method the caller feeds.
type KeyInput uint8

const (
	KeyNone      KeyInput = iota // no key: the algorithm does not hash
	KeySource                    // the client's address: Keyer.Source
	KeyURI                       // the request target: Keyer.URI
	KeyURLParam                  // a query parameter: Keyer.URLParam, then Keyer.URLParamBody for POST
	KeyHeader                    // a header's value: Keyer.Header; the header is Keyer.Name
	KeyRDPCookie                 // the RDP cookie named Keyer.Name: Keyer.Bytes of its value
	KeyExpr                      // "balance hash <expr>": Keyer.Bytes of the sample
)

// Keyer turns request data into a [Key] for a backend's hash-based
// algorithm. It is immutable after NewKeyer and safe for concurrent use.
type Keyer struct {
	// Input is what the algorithm hashes; KeyNone for the algorithms that
	// do not use keys.
	Input KeyInput
	// Name is the url_param parameter, the hdr header or the rdp-cookie
	// cookie name; "" otherwise.
	Name string
	// CheckPost reports "check_post" on url_param. HAProxy 2.6 looks for
	// the parameter in the body of any POST request whose query string
	// lacks it, with or without this flag; it is kept for reporting.
	CheckPost bool

	sp spec
}

// NewKeyer returns the Keyer for o, with the same validation as [New].
func NewKeyer(o Options) (*Keyer, error) {
	sp, err := parse(o)
	if err != nil {
		return nil, err
	}
	return &Keyer{Input: sp.input, Name: sp.name, CheckPost: sp.checkPost, sp: sp}, nil
}

// finish applies the avalanche modifier and makes the key valid.
func (k *Keyer) finish(h uint32) Key {
	if k.sp.avalanche {
		h = Avalanche(h)
	}
	return Key{Hash: h, Valid: true}
}

// Bytes hashes data with the backend's hash function and modifier: the
// value of the RDP cookie, or the sample of "balance hash <expr>" in its
// binary form. An empty RDP cookie has no key; call Bytes only when the
// value exists and is complete.
func (k *Keyer) Bytes(data []byte) Key {
	return k.finish(k.sp.fn.sum(data))
}

// Source returns the key of "balance source" for a client address given in
// its family's length: 4 bytes for IPv4, 16 for IPv6 (a v4-mapped address
// from a dual-stack socket is IPv6, as for HAProxy). As HAProxy, it XORs
// the address's 32-bit big-endian words and ignores the hash function; the
// avalanche modifier applies. Any other length (a unix socket client) has
// no key: the algorithm falls back to round robin where HAProxy fails the
// request with an internal error.
func (k *Keyer) Source(ip []byte) Key {
	return SourceKey(ip, k.sp.avalanche)
}

// SourceKey is [Keyer.Source] without a Keyer.
func SourceKey(ip []byte, avalanche bool) Key {
	if len(ip) != 4 && len(ip) != 16 {
		return Key{}
	}
	var h uint32
	for i := 0; i+4 <= len(ip); i += 4 {
		h ^= uint32(ip[i])<<24 | uint32(ip[i+1])<<16 | uint32(ip[i+2])<<8 | uint32(ip[i+3])
	}
	if avalanche {
		h = Avalanche(h)
	}
	return Key{Hash: h, Valid: true}
}

// URI returns the key of "balance uri" for a request target as received
// (origin form "/p?q", absolute form "http://h/p?q", ...). The hashed part
// is: with path-only, the path (from the first '/' after the authority of
// an absolute URI, with its query; empty for the authority and asterisk
// forms); otherwise the whole target. It is then cut to its first "len"
// bytes, and stops before the (depth+1)th '/' and, unless "whole", before
// the first '?'. A request always has a key.
func (k *Keyer) URI(target []byte) Key {
	return k.finish(k.sp.fn.sum(uriPart(target, &k.sp)))
}

// uriPart returns the part of target that "balance uri" hashes.
func uriPart(target []byte, sp *spec) []byte {
	if sp.uriPathOK {
		target = uriPath(target)
	}
	if sp.uriLen > 0 && len(target) > sp.uriLen {
		target = target[:sp.uriLen]
	}
	slashes := 0
	for i, c := range target {
		switch {
		case c == '/':
			slashes++
			if sp.uriDepth > 0 && slashes == sp.uriDepth+1 {
				return target[:i]
			}
		case c == '?' && !sp.uriWhole:
			return target[:i]
		}
	}
	return target
}

// uriPath returns the path of a request target, query included, as
// HAProxy's http_parse_path: the target itself in origin form; after
// "scheme://authority" in absolute form; empty for "*", an empty target,
// the authority form, or an absolute URI without a path.
func uriPath(t []byte) []byte {
	if len(t) == 0 || t[0] == '/' {
		return t
	}
	if len(t) == 1 && t[0] == '*' {
		return nil
	}
	// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "://".
	if !isAlpha(t[0]) {
		return nil
	}
	i := 1
	for i < len(t) && (isAlpha(t[i]) || t[i] >= '0' && t[i] <= '9' || t[i] == '+' || t[i] == '-' || t[i] == '.') {
		i++
	}
	if len(t)-i < 3 || t[i] != ':' || t[i+1] != '/' || t[i+2] != '/' {
		return nil // authority form
	}
	for i += 3; i < len(t); i++ {
		if t[i] == '/' {
			return t[i:]
		}
	}
	return nil
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// URLParam returns the key of "balance url_param" for a request target: the
// value of the first parameter of the query string (after the first '?')
// named exactly Name, up to the next '&' or the end. Parameters are
// separated by '&' only, names compare case-sensitively and nothing is
// decoded, as in HAProxy. An absent parameter has no key; "name=" (an empty
// value) has one.
func (k *Keyer) URLParam(target []byte) Key {
	q := -1
	for i, c := range target {
		if c == '?' {
			q = i
			break
		}
	}
	if q < 0 {
		return Key{}
	}
	v, ok := paramValue(target[q+1:], k.sp.name, false)
	if !ok {
		return Key{}
	}
	return k.finish(k.sp.fn.sum(v))
}

// URLParamBody returns the key of "balance url_param" from the body of a
// POST request (the data received so far), which HAProxy consults when the
// query string lacks the parameter. The body is read as
// application/x-www-form-urlencoded. As HAProxy 2.6 does, only the first
// byte of the value is checked: a linear white space there gives an empty
// value, any other byte that cannot appear in a URI-encoded form means the
// body holds no parameters (no key).
func (k *Keyer) URLParamBody(body []byte) Key {
	v, ok := paramValue(body, k.sp.name, true)
	if !ok {
		return Key{}
	}
	return k.finish(k.sp.fn.sum(v))
}

// paramValue finds name=value in an '&'-separated list.
func paramValue(params []byte, name string, body bool) ([]byte, bool) {
	for len(params) > len(name) {
		if params[len(name)] == '=' && string(params[:len(name)]) == name {
			v := params[len(name)+1:]
			end := len(v)
			for i, c := range v {
				if c == '&' {
					end = i
					break
				}
			}
			if body && end > 0 && !isToken(v[0]) {
				if !isLWS(v[0]) {
					return nil, false
				}
				end = 0
			}
			return v[:end], true
		}
		next := -1
		for i, c := range params {
			if c == '&' {
				next = i
				break
			}
		}
		if next < 0 {
			return nil, false
		}
		params = params[next+1:]
	}
	return nil, false
}

// isToken reports an RFC 7230 tchar.
func isToken(c byte) bool {
	switch {
	case isAlpha(c), c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

func isLWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// Header returns the key of "balance hdr(<name>)" for the raw value of the
// first occurrence of the header named Name (the caller matches the name
// case-insensitively). As HAProxy's lookup, only the first comma-separated
// element counts, trimmed of spaces and tabs; an empty element has no key.
// With use_domain_only, only the main domain part is hashed: the label
// before the last dot ("1wt" in "haproxy.1wt.eu", "example" in
// "example.com:8080"); a value without a dot is hashed whole.
func (k *Keyer) Header(value []byte) Key {
	v := firstElement(value)
	if len(v) == 0 {
		return Key{}
	}
	if k.sp.domainOnly {
		v = mainDomain(v)
	}
	return k.finish(k.sp.fn.sum(v))
}

// firstElement returns the first comma-separated element of a header value,
// without surrounding spaces and tabs.
func firstElement(v []byte) []byte {
	for i, c := range v {
		if c == ',' {
			v = v[:i]
			break
		}
	}
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}

// mainDomain returns HAProxy's use_domain_only part of v: walking back from
// the end, the bytes between the last dot and the dot before it. As in
// HAProxy, v[0] is never taken for a dot, so ".eu" is hashed whole.
func mainDomain(v []byte) []byte {
	end, i := len(v), len(v)
	inDomain := false
	for n := len(v); n > 0; n-- {
		if inDomain {
			if v[i-1] == '.' {
				break
			}
		} else if i < len(v) && v[i] == '.' {
			end, inDomain = i, true
		}
		i--
	}
	return v[i:end]
}
