package engine

import (
	"hitless/engine/rules"
	"hitless/stick"
)

// Stick counters (http-request track-sc<N>).
//
// A transaction tracks at most one entry per counter slot: the first
// matching track-sc rule of a slot takes the entry (created if absent) and
// holds a reference on it until the transaction ends, at the end of each
// HTTP/1.1 request as in HAProxy, where every request is a stream of its
// own. Tracking counts, in the data types the table stores: conn_cur +1
// until the end, conn_cnt and conn_rate +1, http_req_cnt and
// http_req_rate +1 (the current request); a denied request or a 4xx from
// the server counts http_err_cnt and http_err_rate; the transaction's
// bytes count in bytes_in_* and bytes_out_* when it ends. The entries are
// refreshed (expiry set from now) at each change. Everything runs on the
// stream's reactor; the tables lock per shard.
//
// Deliberate difference from HAProxy 2.6: bytes_in/out count the bytes
// read from and written to the client, once, when the transaction ends;
// HAProxy adds the sizes of its internal messages as they pass, which
// differ from the wire sizes.

// tracker is one stick counter slot of a stream: nil e when untracked.
type tracker struct {
	t *stick.Table
	e *stick.Entry
}

// trackSC applies an http-request track-sc rule to s.
func (r *reactor) trackSC(s *stream, t *txnSample, rule *rules.Rule) {
	trk := &s.trk[rule.Slot]
	if trk.e != nil {
		return
	}
	tbl := t.StickTable(rule.Table)
	if tbl == nil {
		return
	}
	var v rules.Value
	v, r.stickScratch = rule.Expr.Eval(r.stickScratch, t)
	if v.Kind == rules.ValueNone {
		return
	}
	key, ok := stickKey(tbl, r.trackKey[:0], v)
	r.trackKey = key[:0]
	if !ok {
		return
	}
	ent, err := tbl.Get(key, r.now)
	if err != nil {
		return // table full: nothing tracked, as in HAProxy
	}
	trk.t, trk.e = tbl, ent
	now := r.now
	tbl.Add(ent, stick.ConnCur, 1, now)
	tbl.Add(ent, stick.ConnCnt, 1, now)
	tbl.Add(ent, stick.ConnRate, 1, now)
	tbl.Add(ent, stick.HTTPReqCnt, 1, now)
	tbl.Add(ent, stick.HTTPReqRate, 1, now)
	tbl.Touch(ent, now)
}

// trackErr counts an HTTP error (a denied request, a 4xx response) in the
// entries s tracks.
func (r *reactor) trackErr(s *stream) {
	for i := range s.trk {
		if trk := &s.trk[i]; trk.e != nil {
			trk.t.Add(trk.e, stick.HTTPErrCnt, 1, r.now)
			trk.t.Add(trk.e, stick.HTTPErrRate, 1, r.now)
			trk.t.Touch(trk.e, r.now)
		}
	}
}

// untrack ends the tracking of s's transaction: its bytes are counted,
// conn_cur drops and the references are released. Idempotent.
func (r *reactor) untrack(s *stream) {
	for i := range s.trk {
		trk := &s.trk[i]
		if trk.e == nil {
			continue
		}
		t, e, now := trk.t, trk.e, r.now
		if s.bytesIn > 0 {
			t.Add(e, stick.BytesInCnt, s.bytesIn, now)
			t.Add(e, stick.BytesInRate, s.bytesIn, now)
		}
		if s.bytesOut > 0 {
			t.Add(e, stick.BytesOutCnt, s.bytesOut, now)
			t.Add(e, stick.BytesOutRate, s.bytesOut, now)
		}
		t.Dec(e, stick.ConnCur)
		t.Touch(e, now)
		t.Release(e)
		*trk = tracker{}
	}
}

// Tracked returns the entry stick counter slot of the transaction tracks.
func (t *txnSample) Tracked(slot int) (*stick.Table, *stick.Entry) {
	if slot < 0 || slot >= len(t.s.trk) {
		return nil, nil
	}
	trk := &t.s.trk[slot]
	return trk.t, trk.e
}

// StickTable returns the table of the proxy called name, or of the proxy
// whose rules run when name is empty.
func (t *txnSample) StickTable(name string) *stick.Table {
	if name == "" {
		return t.table
	}
	return t.r.e.tables[name]
}

// StickNow is the reactor's clock.
func (t *txnSample) StickNow() int64 { return t.r.now }

// Mode tcp streams track nothing; their rules see the tables by name, and
// the backend's as their own.
func (t *tcpSample) Tracked(slot int) (*stick.Table, *stick.Entry) { return nil, nil }

func (t *tcpSample) StickTable(name string) *stick.Table {
	if name == "" {
		if t.s.be == nil {
			return nil
		}
		name = t.s.be.name
	}
	return t.r.e.tables[name]
}

func (t *tcpSample) StickNow() int64 { return t.r.now }
