/*
 * queue.pml: the enqueue / dequeue / redistribute protocol of hitless's
 * backend queue (DESIGN.md section 4) and, with SQ=1, of its per-server
 * queues (hash affinity), for the spin model checker.
 * README.md (next to this file) says what is covered and how to run it.
 *
 * Processes: one Client per request stream (client c lives on reactor
 * c % NR and queues on that reactor's shard; process id c+1), one Admin
 * (the CLI goroutine: disable / shutdown sessions / enable, NROUNDS times,
 * possibly leaving the server disabled as before "del server"), and init,
 * which checks the final state once every other process has ended.
 *
 * Granularity: one step per Go atomic operation (load, store, CAS, Swap)
 * and per section under a shard lock; the local bookkeeping around an
 * access is folded into its step. Nothing else is atomic.
 *
 * Properties:
 *   - assertions: slot and queue accounting, the entry state machine, and
 *     the final state (nothing queued, no slot held, no dequeuer running);
 *   - end states: every client ends with a slot or a refusal. A waiting
 *     client may give up at "timeout queue" only while a dequeuer runs or
 *     a slot is held (the timer racing with real activity). A quiescent
 *     system must never need the timer, so an entry that nothing will
 *     dequeue (a lost entry) shows as an invalid end state;
 *   - non-progress cycles (-DNP): progress labels mark a grant, a refusal
 *     (503, timeout queue) and a completed request.
 *
 * Parameters (spin -DNAME=value): NR reactors (2 or 3), NS servers (1 or
 * 2), NC clients, NREQ requests per client, NROUNDS admin rounds, BATCH
 * grants per pass, TIMEOUTS (1: clients may give up at timeout queue),
 * QLEN_LATE (0, the default, as queue.Push does: qlen++ under the shard
 * lock; 1: after the lock is released, so that qlen may read -1 for a
 * moment, as an earlier Push did).
 *
 * SQ=1 adds the server queues (engine/queue.go enqueueOn, drainServer,
 * serverPass; proxy.go pick): clients 0 .. NH-1 (NH, default 1) are
 * hash-balanced. Their key maps to s0, or to s1 when s0 is not usable
 * (the hash is over the usable servers, with PreserveAffinity). Such a
 * client does not look at the backend's queue: it queues on its server's
 * queue when that queue is not empty or the server is full, then Drains
 * that queue; if the algorithm finds no usable server and anyUsable then
 * finds one, it queues on the backend's queue, with its key. A pass of a
 * server's queue grants that server's slots or, the server not usable,
 * sends every entry back to load balancing (REQUEUE: the owner runs
 * admission again). A release Drains the server's queue if it is not
 * empty, then the backend's; so does the Admin after each change. MAXQ
 * (> 0) is the servers' maxqueue.
 * Three fixes for what the SQ checks found (README.md); 0 is as
 * implemented:
 *   GIVEBACK 1: a pass that took a slot and found no entry releases it as
 *     a stream does (Drain the server's queue, then the backend's, nested
 *     in the pass); 0: it only decrements served;
 *   FLUSH_BOUND 1: a flush takes at most the entries a shard held when it
 *     reached it; 0: it empties the shard, however many keep coming;
 *   SQFULL 1: pick() for a stream without a key sees a server whose queue
 *     is not empty as full; 0: it looks at served only.
 *
 * MUTANT selects a deliberately broken protocol, to show the checks fail:
 *   1 the enqueuer does not Drain after pushing (the TOCTOU of HAProxy
 *     5541d4995: the last slot is released between "full" and the push);
 *   2 a pass that finds no usable server stops instead of flushing (HAProxy
 *     before 53f52e67a: entries wait for timeout queue);
 *   3 HAProxy 3.1-dev: 2, plus admission answers FULL whenever the queue
 *     is not empty, plus the enqueuer, instead of Draining, takes its entry
 *     back and runs admission again when no slot is held
 *     (pendconn_must_try_again): the endless loop of 53f52e67a;
 *   4 Drain stops after one pass (a hard bound) and returns without
 *     re-posting itself: a pass requested through again is lost;
 *   6 (SQ) a release does not Drain the server's queue, only the backend's;
 *   7 (SQ) a server queue's pass that finds its server not usable stops
 *     instead of sending its entries back to load balancing.
 * Two options probe fairness rather than safety: FIFO (1, the default, as
 * the engine admits streams: a newcomer queues whenever qlen > 0 instead
 * of taking a free slot; 0: it picks first, and a queued entry can be
 * overtaken without bound) and BYPASS (N: assert that no waiting entry
 * sees N newcomers take a slot before it).
 */

#ifndef NR
#define NR 2
#endif
#ifndef NS
#define NS 1
#endif
#ifndef NC
#define NC 3
#endif
#ifndef NREQ
#define NREQ 1
#endif
#ifndef NROUNDS
#define NROUNDS 1
#endif
#ifndef BATCH
#define BATCH 1
#endif
#ifndef TIMEOUTS
#define TIMEOUTS 1
#endif
#ifndef QLEN_LATE
#define QLEN_LATE 0
#endif
#ifndef MUTANT
#define MUTANT 0
#endif
#ifndef FIFO
#define FIFO 1
#endif
#ifndef BYPASS
#define BYPASS 0
#endif
#ifndef SQ
#define SQ 0
#endif
#if SQ
#ifndef NH
#define NH 1
#endif
#else
#undef NH
#define NH 0
#endif
#ifndef MAXQ
#define MAXQ 0
#endif
#if SQ == 0
#undef GIVEBACK
#define GIVEBACK 0 /* one queue: its own again covers a slot given back */
#endif
#ifndef GIVEBACK
#define GIVEBACK 1
#endif
#ifndef FLUSH_BOUND
#define FLUSH_BOUND 1
#endif
#ifndef SQFULL
#define SQFULL 1
#endif
#if FLUSH_BOUND
#define FLUSH_MORE (k == 0 || k > 1)
#else
#define FLUSH_MORE 1
#endif

#define MAXCONN 1
#define ASRV    0   /* the server the admin cycles */
#define NOENT   255 /* pop found nothing */

/* return points of a Client's Drain */
#define AFTER_PUSH        1
#define AFTER_RELEASE     2
#define AFTER_RELEASE_SRV 3 /* the server's queue; the backend's is next */

/* pick() results; NOSRV is 0, the value locals are reset to */
#define NOSRV   0
#define FULL    1
#define OK      2
#define SRVFULL 3 /* a hash-balanced stream's server is full or has a queue */
#define SRVPICK 4 /* (hash) the key chose server s: look at it */
#define NOPICK  5 /* (hash) the algorithm chose nothing: look again */

/* entry states, st[c] */
#define IDLE    0 /* no entry */
#define QUEUED  1 /* in a shard of queue wq[c] */
#define POPPED  2 /* taken off its shard by a dequeuer, answer in transit */
#define GRANTED 3 /* answer: a slot of server gsrv[c] */
#define REFUSED 4 /* answer: refused (flush) */
#define REQUEUE 5 /* answer: (SQ) its server left: load balancing again */

/* names of the answers of a flush, for the trail */
mtype = { refuse, requeue };

/* queues: index 0 is the backend's, 1 + s server s's (SQ) */
#define BQ     0
#define SQI(s) (1 + (s))
#if SQ == 0
#define NQ 1
#elif NS == 1
#define NQ 2
#else
#define NQ 3
#endif

/* the queues: shard q * NR + r is reactor r's shard of queue q */
chan shard[NQ * NR] = [NC] of { byte }; /* FIFO; lock = atomic */
short qlen[NQ];                         /* atomic: entries in all shards */
bit  busy[NQ];                          /* atomic: a dequeuer runs */
bit  again[NQ];                         /* atomic: a pass was requested */

/* the servers */
byte served[NS]; /* atomic; CAS below MAXCONN */
bit  usable[NS]; /* admin state: not MAINT and weight > 0 */

/* the clients' entries (one each) */
byte st[NC];
byte gsrv[NC];
byte wq[NC]; /* the queue the entry waits in (its owner's) */
#if BYPASS
byte bypass[NC]; /* slots newcomers took while this entry waited */
/* Client c taking a slot of server s passes over entry k: any entry of
 * the backend's queue, but with SQ a hash-balanced newcomer does not look
 * at that queue by design (as in HAProxy), only at its server's */
#if SQ
#define PASSED_OVER(k) (wq[k] == SQI(s) || (wq[k] == BQ && c >= NH))
#else
#define PASSED_OVER(k) 1
#endif
#endif

#if NS == 1
#define SERVED_ANY (served[0] > 0)
#define USABLE_ANY (usable[0])
#else
#define SERVED_ANY (served[0] + served[1] > 0)
#define USABLE_ANY (usable[0] || usable[1])
#endif

#if NQ == 1
#define BUSY_ANY (busy[0])
#elif NQ == 2
#define BUSY_ANY (busy[0] || busy[1])
#else
#define BUSY_ANY (busy[0] || busy[1] || busy[2])
#endif

#if NR == 2
#define QSUM(q) (len(shard[(q) * NR]) + len(shard[(q) * NR + 1]))
#else
#define QSUM(q) (len(shard[(q) * NR]) + len(shard[(q) * NR + 1]) + len(shard[(q) * NR + 2]))
#endif

/* The timer of a waiting client may fire only while something else is
 * going on: a slot is held (its release will Drain) or a dequeuer runs. */
#define TIMER_MAY_FIRE (TIMEOUTS && (BUSY_ANY || SERVED_ANY))

/* With SQFULL the algorithm sees a server whose queue is not empty as
 * full, as HAProxy's do (the engine's view.Full looks at served only): a
 * stream without a key then leaves the slot freed for that queue to it. */
#if SQ && SQFULL
#define PICKABLE(i) (usable[i] && qlen[SQI(i)] <= 0)
#else
#define PICKABLE(i) (usable[i])
#endif

/*
 * pick(res, s): for each usable server, CAS served -> served+1 below
 * MAXCONN. res = OK (slot taken on server s), FULL (usable servers, all
 * full) or NOSRV (none usable). Expects res == NOSRV and i == 0.
 */
inline pick(res, s) {
	do
	:: atomic { PICKABLE(i) -> res = FULL }
		atomic {
			if
			:: served[i] < MAXCONN ->
				served[i]++; s = i; res = OK; i = 0; break
			:: else ->
				printf("  pick: s%d full\n", i);
				i++;
				if
				:: i == NS -> i = 0; break
				:: else
				fi
			fi
		}
	:: atomic {
		!PICKABLE(i) ->
#if SQ && SQFULL
		if
		:: usable[i] -> res = FULL /* it has a queue */
		:: else
		fi;
#endif
		i++;
		if
		:: i == NS -> i = 0; break
		:: else
		fi
	   }
	od
}

#if SQ
/*
 * hashpick(res, s): the algorithm's Pick for a key (under the backend's
 * lock, one step): the key maps to s0, or to s1 when s0 is not usable;
 * res = SRVPICK, or NOPICK when no server is usable. Used inside atomic.
 */
inline hashpick(res, s) {
	if
	:: usable[0] -> s = 0; res = SRVPICK
#if NS == 2
	:: !usable[0] && usable[1] -> s = 1; res = SRVPICK
#endif
	:: else -> res = NOPICK
	fi
}

/*
 * hashrest(res, s): the rest of backend.pick for a key, after hashpick.
 * NOPICK: FULL if a server is usable now (anyUsable), else NOSRV.
 * SRVPICK: SRVFULL if s has a queue; else CAS served -> OK or SRVFULL.
 */
inline hashrest(res, s) {
	if
	:: atomic {
		res == NOPICK ->
		res = (USABLE_ANY -> FULL : NOSRV)
	   }
	:: atomic {
		res == SRVPICK && qlen[SQI(s)] > 0 ->
		printf("  pick: s%d has a queue\n", s);
		res = SRVFULL
	   }
	:: atomic { res == SRVPICK && qlen[SQI(s)] <= 0 -> skip }
		atomic {
			if
			:: served[s] < MAXCONN -> served[s]++; res = OK
			:: else ->
				printf("  pick: s%d full\n", s);
				res = SRVFULL
			fi
		}
	fi
}
#endif

/* one shard-lock section of pop(): the head of shard j of queue dq, if
 * any, into e */
inline trypop() {
	if
	:: len(shard[dq * NR + j]) > 0 ->
		shard[dq * NR + j] ? e;
		assert(st[e] == QUEUED);
		st[e] = POPPED;
#if QLEN_LATE == 0
		assert(qlen[dq] == QSUM(dq) + 1);
#endif
		qlen[dq]--
	:: else
	fi;
	k++;
	j = (j + 1) % NR
}

/*
 * pop(e): the head of a shard of queue dq, scanning the shards one lock
 * at a time from a nondeterministic first one (covers both "oldest across
 * shards" and "own shard first"). e = NOENT when every shard looked empty.
 * Expects e == NOENT, j == k == 0.
 */
inline pop(e) {
	if
	:: atomic { j = 0; trypop() }
	:: atomic { j = 1; trypop() }
#if NR == 3
	:: atomic { j = 2; trypop() }
#endif
	fi;
	do
	:: atomic { e == NOENT && k < NR -> trypop() }
	:: atomic { e != NOENT || k == NR -> j = 0; k = 0; break }
	od
}

/* flush(ans, m): pop every entry of every shard of queue dq, one lock
 * section each, and answer it with ans (m names it): the backend's are
 * refused (the owner answers 503), a server's go back to load balancing.
 * As queue.Flush does, a shard is emptied before the next; with
 * FLUSH_BOUND, at most the entries it held when the flush reached it are
 * taken (k - 1 left; 0: not reached yet). With SQ, nf counts the entries
 * taken: more than NC (one entry per client) means a requeued entry was
 * taken again, and the flush may never end. Expects j == k == nf == 0,
 * e == NOENT. */
inline flush(ans, m) {
	do
	:: atomic {
		len(shard[dq * NR + j]) > 0 && FLUSH_MORE ->
#if FLUSH_BOUND
		if
		:: k == 0 -> k = len(shard[dq * NR + j]) + 1
		:: else
		fi;
		k--;
#endif
		shard[dq * NR + j] ? e;
		assert(st[e] == QUEUED);
		st[e] = POPPED;
#if SQ
		/* bounded: a flush takes at most one entry per client */
		nf++;
		assert(nf <= NC);
#endif
		qlen[dq]--
	   }
	   atomic {
		printf("  pass of queue %d: no usable server: %e c%d\n", dq, m, e);
		st[e] = ans;
		e = NOENT
	   }
	:: atomic {
		(len(shard[dq * NR + j]) == 0 || !FLUSH_MORE) ->
		k = 0;
		j++;
		if
		:: j == NR ->
			j = 0;
#if SQ
			nf = 0;
#endif
			break
		:: else
		fi
	   }
	od
}

/*
 * pass(): queuePass, a pass of the backend's queue (dq == BQ): at most
 * BATCH grants. A grant marks the entry GRANTED with the server whose
 * slot the dequeuer took; the slot stays counted in served for the owner.
 * With SQ, the pick is made with the key of a head (OldestKey): a
 * hash-balanced stream can reach the backend's queue when its pick found
 * no usable server and anyUsable then found one.
 */
inline pass() {
	do
	:: atomic { n < BATCH && qlen[dq] == 0 -> n = 0; break }
	:: atomic { n < BATCH && qlen[dq] != 0 -> skip }
#if SQ
		/* OldestKey: the key of a head (the oldest is one of them) */
		if
		:: atomic { len(shard[0]) > 0 -> shard[0] ?<e>; kh = (e < NH); e = NOENT }
		:: atomic { len(shard[1]) > 0 -> shard[1] ?<e>; kh = (e < NH); e = NOENT }
#if NR == 3
		:: atomic { len(shard[2]) > 0 -> shard[2] ?<e>; kh = (e < NH); e = NOENT }
#endif
		:: atomic { QSUM(BQ) == 0 -> n = 0; break }
		fi;
		if
		:: atomic { kh -> kh = 0; hashpick(res, s) }
			hashrest(res, s)
		:: atomic { !kh -> skip }
			pick(res, s)
		fi;
#else
		pick(res, s);
#endif
		if
		:: atomic { res == NOSRV -> skip }
#if MUTANT == 2 || MUTANT == 3
			/* the bug: nothing is flushed, the entries wait */
			n = 0; break
#else
			flush(REFUSED, refuse); n = 0; break
#endif
		:: atomic { (res == FULL || res == SRVFULL) -> res = NOSRV; s = 0; n = 0; break }
		:: atomic { res == OK -> res = NOSRV }
			pop(e);
			if
			:: atomic {
				e == NOENT ->
				/* removed by timeouts, or pushed behind the
				 * scan (its pusher set again): give it back */
				printf("  pass: no entry left: give s%d back\n", s);
				assert(served[s] > 0);
				served[s]--;
#if GIVEBACK
				gb = gb | (1 << SQI(s)) | (1 << BQ);
#endif
				s = 0; n = 0; break
			   }
			:: atomic {
				e != NOENT ->
				printf("  pass: grant s%d to c%d\n", s, e);
				gsrv[e] = s;
				st[e] = GRANTED;
				e = NOENT; s = 0; n++
			   }
			fi
		fi
	:: atomic { n >= BATCH && qlen[dq] > 0 -> n = 0 }
		again[dq] = 1;
		break
	:: atomic { n >= BATCH && qlen[dq] <= 0 -> n = 0; break }
	od
}

#if SQ
/*
 * spass(): serverPass, a pass of server dq - 1's queue. Not usable: every
 * entry goes back to load balancing. Else at most BATCH grants of that
 * server's slots, oldest entry first.
 */
inline spass() {
	if
	:: atomic { !usable[dq - 1] -> skip }
#if MUTANT == 7
		/* the bug: the entries stay in the queue of a server that
		 * nothing will pick */
		skip
#else
		flush(REQUEUE, requeue)
#endif
	:: atomic { usable[dq - 1] -> skip }
		do
		:: atomic { n < BATCH && qlen[dq] == 0 -> n = 0; break }
		:: atomic { n < BATCH && qlen[dq] != 0 -> skip }
			if
			:: atomic { served[dq - 1] < MAXCONN -> served[dq - 1]++ }
				pop(e);
				if
				:: atomic {
					e == NOENT ->
					printf("  server pass: no entry left: give s%d back\n", dq - 1);
					assert(served[dq - 1] > 0);
					served[dq - 1]--;
#if GIVEBACK
					gb = gb | (1 << dq) | (1 << BQ);
#endif
					n = 0; break
				   }
				:: atomic {
					e != NOENT ->
					printf("  server pass: grant s%d to c%d\n", dq - 1, e);
					gsrv[e] = dq - 1;
					st[e] = GRANTED;
					e = NOENT; n++
				   }
				fi
			:: atomic { served[dq - 1] >= MAXCONN -> n = 0; break }
			fi
		:: atomic { n >= BATCH && qlen[dq] > 0 -> n = 0 }
			again[dq] = 1;
			break
		:: atomic { n >= BATCH && qlen[dq] <= 0 -> n = 0; break }
		od
	fi
}
#endif

#if GIVEBACK
/* the next queue of gb to look at: servers' first, then the backend's */
#define GBQ ((gb & 2) -> 1 : ((gb & 4) -> 2 : 0))
/* queue q is being drained by this process: in this Drain or in one it is
 * nested in, so its busy is ours */
#define OURS(q) ((q) == dq || (dd > 0 && odq[0] == (q)) || (dd > 1 && odq[1] == (q)))
#endif

/*
 * drain(): Drain(q) of queue dq, with the pass of that queue.
 *   again := 1
 *   loop { if !CAS(busy, 0->1) return
 *          while Swap(again, 0) == 1 { pass() }
 *          busy := 0
 *          if again == 0 return }
 * With GIVEBACK, a pass that gave a slot back (gb) then releases it as a
 * stream does, from inside the pass: Drain the server's queue if it is not
 * empty, then the backend's. A nested Drain of a queue whose busy this
 * process holds only sets again; any other is run nested (depth dd, the
 * queues it is nested in in odq), and returns to the follow-up at dgave.
 */
inline drain() {
	again[dq] = 1;
dloop:
	do
	:: atomic { busy[dq] == 0 -> busy[dq] = 1 }
		do
#if SQ
		:: atomic { again[dq] == 1 && dq != BQ -> again[dq] = 0 }
			spass()
#if GIVEBACK
			; goto dgave
#endif
#endif
		:: atomic { again[dq] == 1 && dq == BQ -> again[dq] = 0 }
			pass()
#if GIVEBACK
			;
dgave:
			if
			:: atomic {
				gb != 0 && qlen[GBQ] > 0 && OURS(GBQ) ->
				again[GBQ] = 1;
				gb = gb & ~(1 << GBQ)
			   }
				goto dgave
			:: atomic {
				gb != 0 && qlen[GBQ] > 0 && !OURS(GBQ) ->
				printf("  slot given back: nested Drain of queue %d\n", GBQ);
				odq[dd] = dq;
				dd++;
				dq = GBQ;
				gb = gb & ~(1 << dq);
				again[dq] = 1
			   }
				goto dloop
			:: atomic { gb != 0 && qlen[GBQ] <= 0 -> gb = gb & ~(1 << GBQ) }
				goto dgave
			:: atomic { gb == 0 -> skip }
			fi
#endif
#if MUTANT == 4
			/* the bug: a hard bound of one pass per call */
			n = 1; break
#endif
		:: atomic { again[dq] == 0 -> break }
		od;
		busy[dq] = 0;
		if
#if MUTANT == 4
		:: atomic { n == 1 -> n = 0; break } /* bound hit: return */
		:: atomic { n == 0 && again[dq] == 0 -> break }
		:: atomic { n == 0 && again[dq] == 1 -> skip }
#else
		:: atomic { again[dq] == 0 -> break }
		:: atomic { again[dq] == 1 -> skip }
#endif
		fi
	:: atomic { busy[dq] == 1 -> break }
	od
#if GIVEBACK
	;
	/* a nested Drain returns into the follow-up of its caller's pass */
	if
	:: atomic { dd > 0 -> dd--; dq = odq[dd]; odq[dd] = 0 }
		goto dgave
	:: atomic { dd == 0 -> skip }
	fi
#endif
}

proctype Client(byte c; byte r) {
	byte res, s, i, n, j, k, req, held;
	byte e = NOENT;
	byte ret; /* where drain returns: AFTER_PUSH or AFTER_RELEASE(_SRV) */
	byte dq;  /* the queue a drain works on */
#if SQ
	bit kh;   /* the oldest entry of the backend's queue has a key */
	byte nf;  /* entries taken by the flush running */
#endif
#if GIVEBACK
	byte gb;     /* bit q: queue q to Drain for a slot given back */
	byte dd;     /* depth of nested Drains */
	byte odq[2]; /* the queues of the Drains they are nested in */
#endif

	do
	:: atomic { req < NREQ -> req++ }
admit:
#if MUTANT == 3
		/* assign_server: NOSRV when no server is usable, else the
		 * short-circuit: the queue is not empty, so every server is
		 * assumed full (without the "served > 0" term of ca275d99c) */
		if
		:: atomic { USABLE_ANY && qlen[BQ] > 0 -> res = FULL }
		:: else -> pick(res, s)
		fi;
#elif FIFO
		/* a newcomer queues behind waiting entries: the Drain after
		 * its push hands a free slot to the oldest one. A
		 * hash-balanced one does not look at the backend's queue. */
		if
#if SQ
		:: atomic { c < NH -> hashpick(res, s) }
			hashrest(res, s)
#endif
		:: atomic { c >= NH && qlen[BQ] > 0 -> res = FULL }
		:: atomic { c >= NH && qlen[BQ] <= 0 -> skip }
			pick(res, s)
		fi;
#else
		pick(res, s);
#endif
		if
		:: atomic { res == NOSRV -> printf("c%d: no usable server: 503\n", c) }
progress_nosrv:
			goto next
		:: atomic {
			res == OK ->
			printf("c%d: slot on s%d\n", c, s);
#if BYPASS
			/* a newcomer took a slot while older entries wait */
			k = 0;
			do
			:: k < NC && st[k] == QUEUED && PASSED_OVER(k) ->
				bypass[k]++;
				assert(bypass[k] < BYPASS);
				k++
			:: k < NC && !(st[k] == QUEUED && PASSED_OVER(k)) -> k++
			:: else -> k = 0; break
			od;
#endif
			held = s; res = NOSRV; s = 0
		   }
			goto use
		:: atomic {
			res == FULL ->
			res = NOSRV;
			s = 0;
			/* push, under the lock of shard r */
			shard[BQ * NR + r] ! c;
			st[c] = QUEUED;
			wq[c] = BQ;
#if BYPASS
			bypass[c] = 0;
#endif
#if QLEN_LATE == 0
			qlen[BQ]++;
#endif
			printf("c%d: full: push on shard %d\n", c, r)
		   }
#if QLEN_LATE
			qlen[BQ]++;
#endif
#if MUTANT == 1
			goto wait; /* the bug: nothing re-checks after publishing */
#elif MUTANT == 3
			/* pendconn_must_try_again: nothing served -> take the
			 * entry back and run admission again */
			if
			:: atomic { !SERVED_ANY -> skip }
				atomic {
					if
					:: st[c] == QUEUED ->
						shard[BQ * NR + r] ?? eval(c);
						st[c] = IDLE;
						qlen[BQ]--;
						printf("c%d: nothing served: take entry back, retry\n", c);
						res = FULL
					:: else
					fi
				}
				if
				:: atomic { res == FULL -> res = NOSRV }
					goto admit
				:: else
				fi
			:: else
			fi;
			goto wait;
#else
			ret = AFTER_PUSH;
			goto dequeue;
#endif
#if SQ
#if MAXQ
		:: atomic {
			res == SRVFULL && qlen[SQI(s)] >= MAXQ ->
			/* maxqueue: HAProxy's SQ */
			printf("c%d: s%d's queue full: 503\n", c, s);
			res = NOSRV; s = 0
		   }
progress_maxq:
			goto next
		:: atomic { res == SRVFULL && qlen[SQI(s)] < MAXQ -> skip }
#else
		:: atomic { res == SRVFULL -> skip }
#endif
			atomic {
				/* push on server s's queue, under the lock of
				 * shard r */
				res = NOSRV;
				shard[SQI(s) * NR + r] ! c;
				st[c] = QUEUED;
				wq[c] = SQI(s);
#if BYPASS
				bypass[c] = 0;
#endif
				qlen[wq[c]]++;
				printf("c%d: s%d full or queued: push on its shard %d\n", c, s, r);
				s = 0;
				dq = wq[c];
				ret = AFTER_PUSH
			}
			goto dequeue
#endif
		fi;
wait:
		/* wait for the answer, or for timeout queue */
		if
		:: atomic {
			st[c] == GRANTED ->
			printf("c%d: granted s%d\n", c, gsrv[c]);
			held = gsrv[c];
			st[c] = IDLE;
			wq[c] = 0
		   }
progress_grant:
			goto use
		:: atomic {
			st[c] == REFUSED ->
			printf("c%d: refused: 503\n", c);
			st[c] = IDLE;
			wq[c] = 0
		   }
progress_refused:
			goto next
#if SQ
		:: atomic {
			st[c] == REQUEUE ->
			printf("c%d: requeued: load balancing again\n", c);
			st[c] = IDLE;
			wq[c] = 0
		   }
			goto admit
#endif
		:: atomic {
			(st[c] == QUEUED || st[c] == POPPED) && TIMER_MAY_FIRE ->
			/* under the lock of shard r of queue wq[c] */
			if
			:: st[c] == QUEUED ->
				shard[wq[c] * NR + r] ?? eval(c);
				st[c] = IDLE;
#if QLEN_LATE == 0
				assert(qlen[wq[c]] == QSUM(wq[c]) + 1);
#endif
				qlen[wq[c]]--;
				printf("c%d: timeout queue: entry removed, 503\n", c);
				res = FULL
			:: else ->
				printf("c%d: timeout queue: answer in transit\n", c)
			fi;
			wq[c] = 0
		   }
			if
			:: atomic { res == FULL -> res = NOSRV }
progress_timeout:
				goto next
			:: else ->
				/* the client is gone; a grant reaching its reactor
				 * is released at once */
				if
				:: atomic {
					st[c] == GRANTED ->
					printf("c%d: granted s%d to a closed client\n", c, gsrv[c]);
					held = gsrv[c];
					st[c] = IDLE
				   }
					goto use
				:: atomic { st[c] == REFUSED -> st[c] = IDLE }
progress_orphan:
					goto next
#if SQ
				:: atomic { st[c] == REQUEUE -> st[c] = IDLE }
					goto progress_orphan
#endif
				fi
			fi
		fi;
use:
		/* connected to server held until the request ends, or shutdown
		 * sessions kills it, or the client already left: either way the
		 * slot is released: served-- ; (SQ) if the server's qlen > 0 ->
		 * DrainServer ; if qlen > 0 -> Drain */
		atomic {
			printf("c%d: release s%d\n", c, held);
			assert(served[held] > 0);
			served[held]--;
#if SQ == 0 || MUTANT == 6
			held = 0
#endif
		}
#if SQ && MUTANT != 6
		if
		:: atomic { qlen[SQI(held)] > 0 -> dq = SQI(held); held = 0; ret = AFTER_RELEASE_SRV }
			goto dequeue
		:: atomic { qlen[SQI(held)] <= 0 -> held = 0 }
		fi;
relbe:
#endif
		if
		:: atomic { qlen[BQ] > 0 -> ret = AFTER_RELEASE }
			goto dequeue
		:: atomic { qlen[BQ] <= 0 -> printf("c%d: queue empty: no Drain\n", c) }
progress_done:
			goto next
		fi;
dequeue:
		/* the one copy of Drain in a Client; returns through ret */
		drain();
		if
		:: atomic { ret == AFTER_PUSH -> ret = 0; dq = 0 }
			goto wait
#if SQ && MUTANT != 6
		:: atomic { ret == AFTER_RELEASE_SRV -> ret = 0; dq = 0 }
			goto relbe
#endif
		:: atomic { ret == AFTER_RELEASE -> ret = 0; dq = 0 }
			goto next
		fi;
next:
		skip
	:: atomic { req == NREQ -> break }
	od
}

proctype Admin() {
	byte res, s, i, n, j, k, round;
	byte e = NOENT;
	byte dq;
#if SQ
	bit kh;
	byte nf;
	bit ret; /* 1: the backend's Drain follows */
#endif
#if GIVEBACK
	byte gb, dd;
	byte odq[2];
#endif

	do
	:: if
		:: atomic {
			round < NROUNDS && usable[ASRV] ->
			/* disable server: usable := 0, then Drain (may flush) */
			round++;
			usable[ASRV] = 0;
#if SQ
			/* transition(): DrainServer, then Drain */
			dq = SQI(ASRV); ret = 1;
#endif
			printf("admin: disable s%d\n", ASRV)
		   }
			/* shutdown sessions follows: every holder of ASRV
			 * releases its slot (served--, Drain) on its own
			 * reactor. A Client's release already interleaves with
			 * every admin step, so it needs no statement here. */
		:: atomic {
			!usable[ASRV] ->
			/* enable server: usable := 1, then Drain */
			usable[ASRV] = 1;
#if SQ
			dq = SQI(ASRV); ret = 1;
#endif
			printf("admin: enable s%d\n", ASRV)
		   }
		:: atomic {
			!usable[ASRV] || round == NROUNDS ->
			/* done, enabled or left disabled (before "del server") */
			printf("admin: done, s%d usable=%d\n", ASRV, usable[ASRV]);
			break
		   }
		fi;
adrain:
		/* the one copy of Drain in Admin */
		drain()
#if SQ
		;
#endif
#if SQ
		if
		:: atomic { ret == 1 -> ret = 0; dq = BQ }
			goto adrain
		:: atomic { ret == 0 -> dq = 0 }
		fi
#endif
	od
}

init {
	byte c;

	atomic {
		do
		:: c < NS -> usable[c] = 1; c++
		:: else -> c = 0; break
		od;
		do
		:: c < NC -> run Client(c, c % NR); c++
		:: else -> c = 0; break
		od;
		run Admin()
	}
	/* everyone ended: nothing queued, no slot held, no dequeuer */
	(_nr_pr == 1) ->
	do
	:: c < NQ ->
		assert(qlen[c] == 0 && QSUM(c) == 0);
		assert(busy[c] == 0 && again[c] == 0);
		c++
	:: else -> c = 0; break
	od;
	do
	:: c < NS -> assert(served[c] == 0); c++
	:: else -> c = 0; break
	od;
	do
	:: c < NC -> assert(st[c] == IDLE); c++
	:: else -> break
	od
}
