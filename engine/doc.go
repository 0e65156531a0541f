// Package engine runs a configuration: reactors, listeners, streams,
// forwarding, timers and mailboxes. It is Linux-only.
//
// # Threads and ownership
//
// An [Engine] runs N reactors (nbthread; by default one per usable CPU).
// A reactor is one goroutine, locked to its OS thread for its whole life
// and pinned with sched_setaffinity (cpu-map, or one CPU each). It owns an
// epoll instance, one SO_REUSEPORT listening socket per bind address (an
// inherited fd@ or unix socket is shared, registered with EPOLLEXCLUSIVE;
// sockets taken over from a previous process with _getsocks are reused
// for their bind, and any beyond one per reactor are extra listeners,
// since closing them would reset their queues),
// every stream it accepted with both of its connections, a timer wheel, a
// buffer pool, a pipe pool and a shard of every object's counters. No other
// goroutine touches those. Other goroutines reach a reactor only through
// its mailbox (bounded, drained in batches each loop turn, woken by the
// poller's eventfd). There is no goroutine per connection.
//
// Shared state is small and explicit: gauges and configuration of
// frontends, backends and servers (atomics), the load-balancing state of
// a backend (a mutex held only around a pick, never across I/O), the
// server lists (copied on change, published by an atomic pointer), the
// queues (package queue: a short lock per shard) and the engine-wide
// connection and pipe counts. Statistics are per-reactor shards summed
// on read.
//
// # Life of a stream (mode tcp)
//
//	accept (bounded batch, raw accept4, global+frontend slot reserved first;
//	        at the limit the listener pauses until a slot frees; EMFILE pauses it)
//	  -> pick a server (lb), take a slot by CAS on its served count;
//	       every usable server full: wait in the backend's queue (or, for
//	       a hash-balanced stream, in its server's queue) until a releaser
//	       hands over a slot through the reactor's grant inbox; no usable
//	       server: close at once
//	  -> non-blocking connect (EINPROGRESS -> EPOLLOUT -> SO_ERROR)
//	       failure: retry the same server after min(timeout connect, 1s),
//	       or redispatch on the attempt "option redispatch" designates
//	  -> forward both directions: copy through a pooled buffer, or splice
//	     through a pooled pipe; read only when the channel is empty, so a
//	     slow peer stops the reads of the other side (backpressure)
//	  -> an end of stream read on one side is sent on the other with
//	     shutdown(SHUT_WR) once the channel drained (half-close)
//	  -> both directions finished, an error, or a timeout: close both,
//	     release the slots, wake reactors waiting for a connection slot.
//
// Connections are registered once, edge-triggered, and their readiness is
// cached in the stream (can-read/can-write flags cleared on EAGAIN), so
// the steady state costs one read and one write per chunk and no epoll_ctl.
// Tokens in epoll_event.data carry a slot index and a generation, never a
// pointer; an event whose generation is stale is dropped.
//
// # Life of a stream (mode http)
//
// A stream of a mode http frontend carries one transaction at a time
// (http.go): the request head is read into the request buffer, parsed in
// place (engine/h1), run through the frontend's http-request and redirect
// rules, use_backend and the backend's rules (httprules.go), rewritten in
// its buffer only when something changed, then a server is picked as in
// mode tcp, or an idle connection to it reused. The body follows by its
// framing; bytes past the end of a message wait for the next one. The
// response head gets the http-response rules and the connection header
// the client needs. After the response the stream keeps its server
// connection for the client's next request; when that request goes to
// another server, or the client leaves, the connection moves to the
// reactor's idle pool (idle.go), registered under an idle token so that a
// server closing it is noticed. Local answers (error pages, return,
// redirect, monitor-uri, statistics) are written from the response
// channel. Each transaction is logged once (logging.go).
//
// # Stickiness
//
// Before load balancing, the stick rules of the backend (stick.go) look
// the stream's keys up in the stick tables (package stick, shared, a lock
// per shard held for one operation): a server found there that is neither
// stopped nor in maintenance is used, through its own queue when full.
// The keys of the store rules are written with the server's id and name
// once the server connection is established.
//
// # Queues
//
// The rules of DESIGN.md section 4 (queue.go, srvstate.go): whoever
// releases a slot drains the queues; an enqueuer drains right after its
// push, so a slot freed in between is not missed; a newcomer queues
// behind waiting streams; every server state change drains, and the last
// usable server leaving refuses the backend's queue at once while a
// server leaving sends its own queue back to load balancing. queue.Drain
// lets one goroutine run the passes and never drops a request for one.
// queue/model holds the spin model of this protocol.
//
// # Health checks
//
// A server's checks run on one reactor (checks.go): a non-blocking
// connection in that reactor's epoll driven by check.Run, deadlines on
// its wheel, results applied to the health counter and, when it crosses,
// to the server's state through the same transition function as the CLI.
//
// # Splice
//
// Without any "option splice-*" line a tcp-mode stream uses splice-auto
// in both directions: a direction starts copying through a pooled buffer
// and switches to a pooled pipe after two consecutive reads that filled a
// whole buffer. Measured with make perf (bulk workloads): splicing cut the
// proxy's CPU per GB to about 0.4x of copying and raised throughput by
// about 1.4x, while small request/response exchanges never reach the
// switch and keep the cheaper copy. "nosplice" (global) or "-dS" turn it
// off; splice-request / splice-response force it for one direction.
//
// In mode http the same policy decides for message bodies: the rest of a
// Content-Length body of 32 KiB or more (nothing of it left in the
// buffer) is spliced, reading exactly the bytes the body has left so that
// the next pipelined message never enters the pipe; heads, chunked bodies
// and small bodies are copied. A tunnel (101, CONNECT) forwards like a
// tcp-mode stream. Unlike HAProxy, which splices HTTP only with an
// explicit "option splice-*", hitless splices by default: in make perf's
// keepalive-64k-http it cut CPU per request to about half of copying.
//
// # Timeouts
//
// Each stream has one timer in its reactor's wheel. I/O only updates the
// per-side activity time; when the timer fires the real deadline is
// recomputed and the timer re-armed if it moved. timeout connect applies
// while connecting; once established, each side times out after timeout
// client / timeout server of inactivity (reads or writes on that side),
// both replaced by timeout tunnel when set, and by client-fin / server-fin
// once a direction is shut.
//
// # Stopping
//
// Soft stop: every reactor accepts what is already queued on its own
// sockets (within maxconn), closes them, and exits once its last stream
// ended. Hard stop closes everything at once.
package engine
