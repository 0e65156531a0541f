package engine

import (
	"bytes"
	"strconv"
	"time"

	"hitless/engine/cli"
	"hitless/engine/h1"
)

// Statistics served over HTTP: "stats uri" (HTML, and CSV at
// "<uri>;csv") and "http-request use-service prometheus-exporter". They
// are rendered on the reactor from the same rows as "show stat"; reading
// them sums the reactors' counter shards, so it costs a few microseconds
// per object, which is why they are not meant to be polled at high rates.

// defaultStatsURI is HAProxy's "stats uri" default.
const defaultStatsURI = "/haproxy?stats"

func hasPrefix(b []byte, p string) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == p
}

// httpStats answers a request for the statistics page of backend be.
func (r *reactor) httpStats(s *stream, be *backend, target []byte, headLen int) {
	s.setTerm('L', 'R')
	r.ctr[s.fe.ctr].intercepted.Add(1)
	e := r.e
	r.statRows = e.AppendStats(r.statRows[:0])
	var body []byte
	ctype := "text/html"
	extra := []byte("cache-control: no-cache\r\n")
	if bytes.Contains(target[len(be.statsURI):], []byte(";csv")) {
		ctype = "text/plain"
		body = cli.AppendStatsCSV(r.statBody[:0], r.statRows)
	} else {
		st := be.stats
		page := cli.StatsPage{URI: be.statsURI, Refresh: st.Refresh, ShowNode: st.ShowNode,
			ShowLegends: st.ShowLegends, HideVersion: st.HideVersion}
		body = cli.AppendStatsHTML(r.statBody[:0], e.Info(), r.statRows, page, time.Now())
		if st.Refresh > 0 {
			extra = append(extra, "refresh: "...)
			extra = strconv.AppendInt(extra, int64((st.Refresh+time.Second-1)/time.Second), 10)
			extra = append(extra, '\r', '\n')
		}
	}
	clear(r.statRows)
	r.statBody = body[:0]
	r.statResp = h1.AppendResponse(r.statResp[:0], 200, ctype, extra, body)
	r.httpLocal(s, r.statResp, headLen)
}

// httpPrometheus answers with the metrics in Prometheus's text format.
func (r *reactor) httpPrometheus(s *stream, headLen int) {
	e := r.e
	r.statRows = e.AppendStats(r.statRows[:0])
	body := cli.AppendPrometheus(r.statBody[:0], e.Info(), r.statRows)
	clear(r.statRows)
	r.statBody = body[:0]
	r.statResp = h1.AppendResponse(r.statResp[:0], 200, "text/plain; version=0.0.4", nil, body)
	r.httpLocal(s, r.statResp, headLen)
}
