package logs

import (
	"net/netip"
	"time"
)

// Fields is everything a log line can print. The engine fills one per
// stream (reused, so byte slices point into engine-owned buffers valid
// during Append). Durations are in milliseconds, -1 when the step was not
// reached (printed as -1 like HAProxy).
//
// Strings and byte slices that are empty print "-" (or "" under +Q), like
// HAProxy's missing values, unless stated otherwise.
type Fields struct {
	Accept  time.Time // accept date (%t %T %Tl %Ts %ms); printed in its own location
	Request time.Time // first byte of the request (%tr %trg %trl; zero: Accept)

	TR, Tw, Tc, Tr, Ta, Tt, Th, Ti, Tq, Td int64 // %Tu is derived: Tt - Ti (Ti < 0 counts as 0)

	// %ci %cp, %fi %fp, %bi %bp, %si %sp; an invalid AddrPort prints "-".
	ClientAddr, FrontAddr, BackAddr, ServerAddr netip.AddrPort

	Frontend, Backend, Server string // "<NOSRV>" when no server; %f %ft %b %s

	// %ts = first 2 bytes, %tsc = all 4 (e.g. "----", "sQ--", "CD--",
	// "--NI"); a zero byte prints '-'.
	TermState [4]byte

	Status   int    // %ST, -1 none
	BytesOut uint64 // %B bytes sent to the client
	BytesIn  uint64 // %U bytes received from the client

	ActConn, FeConn, BeConn, SrvConn int // %ac %fc %bc %sc

	Retries      int  // %rc
	Redispatched bool // %rc printed with a leading '+'

	SrvQueue, BackQueue int // %sq %bq

	// ReqLine is the request line "METHOD URI VERSION" (%r). Append
	// truncates it to the log URI length minus one, 1023 bytes by default
	// (see Format.SetLogURILen), as HAProxy truncates its capture. Nil:
	// %r and every HTTP variable derived from it print "<BADREQ>".
	ReqLine []byte

	// Method, URI, Version, Path and Query, when not nil, are printed as
	// they are for %HM %HU %HV %HP %HQ; when nil they are derived from
	// ReqLine as HAProxy derives them (Path stops at '?', Query includes
	// the '?' and is empty without one). %HPO is Path (or the URI) without
	// scheme, authority and query.
	Method, URI, Version []byte
	Path                 []byte // %HP
	Query                []byte // %HQ

	// ReqCaptures and ResCaptures are the "capture request/response
	// header" slots in configuration order: %hr %hs print "{a|b}", %hrl
	// %hsl print them separated by spaces. An empty list (no capture
	// configured) prints nothing at all; a nil element (header not seen)
	// prints an empty slot ("-" in %hrl/%hsl).
	ReqCaptures, ResCaptures [][]byte

	// CookieReq and CookieRes are "capture cookie" (%CC %CS): the
	// request's "name=value" and the response's Set-Cookie; nil prints
	// "-".
	CookieReq, CookieRes []byte

	UniqueID []byte // %ID
	Pid      int    // %pid
	Hostname string // %H
	ConnID   uint64 // %rt (HAProxy's request counter)
	LogCount uint64 // %lc (frontend's count of logs emitted before this one)

	// LogASAP is set when the line is emitted before the stream ends
	// ("option logasap"): %B %Tt %Ta %Tu are printed with a leading '+'.
	LogASAP bool
}
