package bench

// KeepAlive is the keep-alive HTTP workload: wrk's connections stay open
// and carry one request after another, so the figure is the proxy's cost
// of forwarding a small request and its answer on an established pair of
// connections.
func KeepAlive(w Wrk, backend *Backend) Workload {
	return Workload{
		Name: "keepalive",
		Summary: "Requests per second over persistent connections: each of wrk's connections " +
			"carries one small request after another, so this measures forwarding on established connections.",
		Mode:    ModeTCP,
		Backend: backend,
		Gen:     w,
		Unit:    "req/s",
		CPUPer:  Per100kReq,
		OpName:  "req",
	}
}

// ConnPerRequest is the connection-per-request HTTP workload: wrk sends
// "Connection: close", the backend closes after each answer and wrk
// reconnects, so each request costs the proxy an accept, a connect to
// the backend and two closes.
func ConnPerRequest(w Wrk, backend *Backend) Workload {
	w.Headers = append(append([]string(nil), w.Headers...), "Connection: close")
	return Workload{
		Name: "conn-per-request",
		Summary: "Requests per second with a new connection for every request (\"Connection: close\"): " +
			"each request costs the proxy an accept, a connect to the backend and the closing of both.",
		Mode:    ModeTCP,
		Backend: backend,
		Gen:     w,
		Unit:    "req/s",
		CPUPer:  Per100kReq,
		OpName:  "req",
	}
}
