package config

import "strings"

// proxyBalance parses every algorithm of HAProxy 2.6's "balance" into the
// proxy's Balance. The algorithms that hash HTTP request parts or samples
// are refused once the proxy is complete (an inherited "balance" is
// harmless in a proxy without the backend capability).
func (p *parser) proxyBalance(ps *proxyState, w []string) {
	b := Balance{
		HashType: ps.px.Balance.HashType, HashFunction: ps.px.Balance.HashFunction,
		Avalanche: ps.px.Balance.Avalanche, File: p.file, Line: p.line,
	}
	algo := arg(w, 1)
	rest := w[min(2, len(w)):]
	unsupported := "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options."
	switch {
	case algo == "":
		// HAProxy accepts a bare "balance" and changes nothing.
		return
	case algo == "roundrobin", algo == "static-rr", algo == "leastconn", algo == "first", algo == "source":
		b.Algo = algo
	case algo == "random" || strings.HasPrefix(algo, "random("):
		b.Algo, b.Draws = "random", 2
		if inner, ok := strings.CutPrefix(algo, "random("); ok {
			if !strings.HasSuffix(inner, ")") {
				p.alert("balance random : missing closing parenthesis.")
				return
			}
			inner = inner[:len(inner)-1]
			if inner != "" {
				n, end := strtolBase10(inner, 0)
				if end != len(inner) {
					p.alert("balance random : unexpected character '" + string(inner[end]) + "' after argument.")
					return
				}
				if n < 1 {
					p.alert("balance random : number of draws must be at least 1.")
					return
				}
				b.Draws = clampInt(n)
				b.Args = []string{inner}
			}
		}
	case algo == "uri":
		b.Algo = "uri"
		for i := 0; i < len(rest); i++ {
			switch rest[i] {
			case "len", "depth":
				v := arg(rest, i+1)
				if atol(v) <= 0 {
					p.alert("balance uri : '" + rest[i] + "' expects a positive integer (got '" + v + "').")
					return
				}
				i++
			case "whole", "path-only", "":
			default:
				p.alert("balance uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '" + rest[i] + "').")
				return
			}
		}
		b.Args = append([]string(nil), rest...)
	case algo == "url_param":
		if arg(rest, 0) == "" {
			p.alert("balance url_param requires an URL parameter name.")
			return
		}
		b.Algo = "url_param"
		b.Args = append([]string(nil), rest...)
	case strings.HasPrefix(algo, "hdr("):
		name := strings.TrimSuffix(strings.TrimPrefix(algo, "hdr("), ")")
		if !strings.HasSuffix(algo, ")") || name == "" {
			p.alert("balance hdr requires an http header field name.")
			return
		}
		if m := arg(rest, 0); m != "" && m != "use_domain_only" {
			p.alert("balance " + algo + " only accepts 'use_domain_only' modifier (got '" + m + "').")
			return
		}
		b.Algo, b.Hdr = "hdr", name
		b.Args = append([]string(nil), rest...)
	case algo == "rdp-cookie" || strings.HasPrefix(algo, "rdp-cookie("):
		b.Algo = "rdp-cookie"
		name := "mstshash"
		if inner, ok := strings.CutPrefix(algo, "rdp-cookie("); ok {
			end := strings.IndexByte(inner, ')')
			if end <= 0 {
				p.alert("balance rdp-cookie : missing cookie name.")
				return
			}
			name = inner[:end]
		}
		b.Args = []string{name}
	case algo == "hash":
		if arg(rest, 0) == "" {
			p.alert("balance hash requires a sample expression.")
			return
		}
		b.Algo = "hash"
		b.Args = append([]string(nil), rest...)
	default:
		p.alert(unsupported)
		return
	}
	ps.px.Balance = b
}
