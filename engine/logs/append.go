package logs

import (
	"net/netip"
	"strconv"
	"time"
)

// Append renders the line for fl into dst and returns the extended
// slice, without a trailing LF. It never allocates when dst has room
// (about 300 bytes for HTTPLog with short names); it keeps no reference
// to fl or its slices.
func (f *Format) Append(dst []byte, fl *Fields) []byte {
	sep := true // nothing printed yet, or the last node printed a separator
	for i := range f.nodes {
		n := &f.nodes[i]
		switch n.k {
		case kSep:
			if !sep {
				dst = append(dst, ' ')
				sep = true
			}
			continue
		case kText:
			dst = append(dst, n.text...)
		case vhr, vhs, vhrl, vhsl:
			caps := fl.ReqCaptures
			if n.k == vhs || n.k == vhsl {
				caps = fl.ResCaptures
			}
			if len(caps) == 0 {
				continue // no capture configured: nothing, not even a separator
			}
			dst = appendCaptures(dst, caps, n.opts, n.k == vhrl || n.k == vhsl)
		default:
			dst = f.appendVar(dst, n, fl)
		}
		sep = false
	}
	return dst
}

func (f *Format) appendVar(dst []byte, n *node, fl *Fields) []byte {
	o := n.opts
	switch n.k {
	case vci:
		return appendIP(dst, fl.ClientAddr, o)
	case vcp:
		return appendPort(dst, fl.ClientAddr, o)
	case vfi:
		return appendIP(dst, fl.FrontAddr, o)
	case vfp:
		return appendPort(dst, fl.FrontAddr, o)
	case vbi:
		return appendIP(dst, fl.BackAddr, o)
	case vbp:
		return appendPort(dst, fl.BackAddr, o)
	case vsi:
		return appendIP(dst, fl.ServerAddr, o)
	case vsp:
		return appendPort(dst, fl.ServerAddr, o)

	case vt:
		return appendDateMs(dst, fl.Accept)
	case vtr:
		return appendDateMs(dst, requestDate(fl))
	case vT:
		return appendDateZone(dst, fl.Accept.UTC())
	case vtrg:
		return appendDateZone(dst, requestDate(fl).UTC())
	case vTl:
		return appendDateZone(dst, fl.Accept)
	case vtrl:
		return appendDateZone(dst, requestDate(fl))
	case vTs:
		if o&optHex != 0 {
			return appendHex(dst, uint64(fl.Accept.Unix()), 4)
		}
		return strconv.AppendInt(dst, fl.Accept.Unix(), 10)
	case vms:
		ms := fl.Accept.Nanosecond() / 1e6
		if o&optHex != 0 {
			return appendHex(dst, uint64(ms), 2)
		}
		return append(dst, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))

	case vf:
		return appendText(dst, fl.Frontend, o)
	case vft:
		return appendText(dst, fl.Frontend, o&^optEsc)
	case vb:
		return appendText(dst, fl.Backend, o)
	case vs:
		return appendText(dst, fl.Server, o)
	case vH:
		return appendText(dst, fl.Hostname, o)
	case vID:
		return appendText(dst, fl.UniqueID, o)
	case vCC:
		return appendText(dst, fl.CookieReq, o)
	case vCS:
		return appendText(dst, fl.CookieRes, o)
	case vsslc, vsslv:
		return appendText(dst, "", o)

	case vTh:
		return strconv.AppendInt(dst, fl.Th, 10)
	case vTi:
		return strconv.AppendInt(dst, fl.Ti, 10)
	case vTR:
		return strconv.AppendInt(dst, fl.TR, 10)
	case vTq:
		return strconv.AppendInt(dst, fl.Tq, 10)
	case vTw:
		return strconv.AppendInt(dst, fl.Tw, 10)
	case vTc:
		return strconv.AppendInt(dst, fl.Tc, 10)
	case vTr:
		return strconv.AppendInt(dst, fl.Tr, 10)
	case vTd:
		return strconv.AppendInt(dst, fl.Td, 10)
	case vTa:
		return strconv.AppendInt(plus(dst, fl), fl.Ta, 10)
	case vTt:
		return strconv.AppendInt(plus(dst, fl), fl.Tt, 10)
	case vTu:
		return strconv.AppendInt(plus(dst, fl), fl.Tt-max(fl.Ti, 0), 10)
	case vST:
		return strconv.AppendInt(dst, int64(fl.Status), 10)
	case vB:
		return strconv.AppendUint(plus(dst, fl), fl.BytesOut, 10)
	case vU:
		return strconv.AppendUint(dst, fl.BytesIn, 10)

	case vts:
		return append(dst, termByte(fl.TermState[0]), termByte(fl.TermState[1]))
	case vtsc:
		return append(dst, termByte(fl.TermState[0]), termByte(fl.TermState[1]),
			termByte(fl.TermState[2]), termByte(fl.TermState[3]))

	case vac:
		return strconv.AppendInt(dst, int64(fl.ActConn), 10)
	case vfc:
		return strconv.AppendInt(dst, int64(fl.FeConn), 10)
	case vbc:
		return strconv.AppendInt(dst, int64(fl.BeConn), 10)
	case vsc:
		return strconv.AppendInt(dst, int64(fl.SrvConn), 10)
	case vrc:
		if fl.Redispatched {
			dst = append(dst, '+')
		}
		return strconv.AppendInt(dst, int64(fl.Retries), 10)
	case vsq:
		return strconv.AppendInt(dst, int64(fl.SrvQueue), 10)
	case vbq:
		return strconv.AppendInt(dst, int64(fl.BackQueue), 10)

	case vpid:
		return appendCounter(dst, uint64(fl.Pid), o)
	case vrt:
		return appendCounter(dst, fl.ConnID, o)
	case vlc:
		return appendCounter(dst, fl.LogCount, o)

	case vr, vHM, vHU, vHP, vHPO, vHQ, vHV:
		q := o&optQuote != 0
		if q {
			dst = append(dst, '"')
		}
		dst = f.appendHTTP(dst, n.k, fl, o&optEsc != 0)
		if q {
			dst = append(dst, '"')
		}
		return dst
	}
	return dst
}

func requestDate(fl *Fields) time.Time {
	if fl.Request.IsZero() {
		return fl.Accept
	}
	return fl.Request
}

// plus prints the '+' of "option logasap" before %B %Tt %Ta %Tu.
func plus(dst []byte, fl *Fields) []byte {
	if fl.LogASAP {
		return append(dst, '+')
	}
	return dst
}

func termByte(c byte) byte {
	if c == 0 {
		return '-'
	}
	return c
}

// appendText prints a string variable as HAProxy does: quoted under +Q,
// escaped under +E, and "-" when empty unless quoted or -M.
func appendText[T string | []byte](dst []byte, s T, o uint8) []byte {
	q := o&optQuote != 0
	if q {
		dst = append(dst, '"')
	}
	switch {
	case len(s) == 0:
		if !q && o&optMandatory != 0 {
			dst = append(dst, '-')
		}
	case o&optEsc != 0:
		for i := 0; i < len(s); i++ {
			if byteClass[s[i]]&escSD != 0 {
				dst = append(dst, '\\')
			}
			dst = append(dst, s[i])
		}
	default:
		dst = append(dst, s...)
	}
	if q {
		dst = append(dst, '"')
	}
	return dst
}

// appendIP prints an address (zone dropped), or its bytes in hexadecimal
// under +X; an invalid address is a missing string.
func appendIP(dst []byte, ap netip.AddrPort, o uint8) []byte {
	a := ap.Addr()
	if !a.IsValid() {
		return appendText(dst, "", o)
	}
	if o&optHex != 0 {
		if a.Is4() {
			b := a.As4()
			return appendHexBytes(dst, b[:])
		}
		b := a.As16()
		return appendHexBytes(dst, b[:])
	}
	q := o&optQuote != 0
	if q {
		dst = append(dst, '"')
	}
	dst = a.WithZone("").AppendTo(dst)
	if q {
		dst = append(dst, '"')
	}
	return dst
}

// appendPort prints a port, 4 hexadecimal digits under +X; the port of
// an invalid address is a missing string.
func appendPort(dst []byte, ap netip.AddrPort, o uint8) []byte {
	if !ap.Addr().IsValid() {
		return appendText(dst, "", o)
	}
	if o&optHex != 0 {
		return appendHex(dst, uint64(ap.Port()), 4)
	}
	return strconv.AppendUint(dst, uint64(ap.Port()), 10)
}

// appendCounter prints %pid %rt %lc: decimal, or at least 4 uppercase
// hexadecimal digits under +X.
func appendCounter(dst []byte, v uint64, o uint8) []byte {
	if o&optHex != 0 {
		return appendHex(dst, v, 4)
	}
	return strconv.AppendUint(dst, v, 10)
}
