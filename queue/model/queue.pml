/*
 * queue.pml: the enqueue / dequeue / redistribute protocol of hitless's
 * backend queue (DESIGN.md section 4), for the spin model checker.
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
 *     re-posting itself: a pass requested through again is lost.
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

#define MAXCONN 1
#define ASRV    0   /* the server the admin cycles */
#define NOENT   255 /* pop found nothing */

/* return points of a Client's Drain */
#define AFTER_PUSH    1
#define AFTER_RELEASE 2

/* pick() results; NOSRV is 0, the value locals are reset to */
#define NOSRV 0
#define FULL  1
#define OK    2

/* entry states, st[c] */
#define IDLE    0 /* no entry */
#define QUEUED  1 /* in shard[c % NR] */
#define POPPED  2 /* taken off its shard by a dequeuer, answer in transit */
#define GRANTED 3 /* answer: a slot of server gsrv[c] */
#define REFUSED 4 /* answer: refused (flush) */

/* the backend */
chan shard[NR] = [NC] of { byte }; /* FIFO per reactor; lock = atomic */
short qlen;                        /* atomic: entries in all shards */
bit  busy;                         /* atomic: a dequeuer runs */
bit  again;                        /* atomic: a pass was requested */

/* its servers */
byte served[NS]; /* atomic; CAS below MAXCONN */
bit  usable[NS]; /* admin state: not MAINT and weight > 0 */

/* the clients' entries (one each) */
byte st[NC];
byte gsrv[NC];
#if BYPASS
byte bypass[NC]; /* slots newcomers took while this entry waited */
#endif

#if NS == 1
#define SERVED_ANY (served[0] > 0)
#define USABLE_ANY (usable[0])
#else
#define SERVED_ANY (served[0] + served[1] > 0)
#define USABLE_ANY (usable[0] || usable[1])
#endif

#if NR == 2
#define QSUM (len(shard[0]) + len(shard[1]))
#else
#define QSUM (len(shard[0]) + len(shard[1]) + len(shard[2]))
#endif

/* The timer of a waiting client may fire only while something else is
 * going on: a slot is held (its release will Drain) or a dequeuer runs. */
#define TIMER_MAY_FIRE (TIMEOUTS && (busy || SERVED_ANY))

/*
 * pick(res, s): for each usable server, CAS served -> served+1 below
 * MAXCONN. res = OK (slot taken on server s), FULL (usable servers, all
 * full) or NOSRV (none usable). Expects res == NOSRV and i == 0.
 */
inline pick(res, s) {
	do
	:: atomic { usable[i] -> res = FULL }
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
		!usable[i] -> i++;
		if
		:: i == NS -> i = 0; break
		:: else
		fi
	   }
	od
}

/* one shard-lock section of pop(): the head of shard[j], if any, into e */
inline trypop() {
	if
	:: len(shard[j]) > 0 ->
		shard[j] ? e;
		assert(st[e] == QUEUED);
		st[e] = POPPED;
#if QLEN_LATE == 0
		assert(qlen == QSUM + 1);
#endif
		qlen--
	:: else
	fi;
	k++;
	j = (j + 1) % NR
}

/*
 * pop(e): the head of a shard, scanning the shards one lock at a time
 * from a nondeterministic first one (covers both "oldest across shards"
 * and "own shard first"). e = NOENT when every shard looked empty.
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

/* flush(): pop every entry of every shard and refuse it (its owner is
 * woken and answers 503). Expects j == 0, e == NOENT. */
inline flush() {
	do
	:: atomic {
		len(shard[j]) > 0 ->
		shard[j] ? e;
		assert(st[e] == QUEUED);
		st[e] = POPPED;
		qlen--
	   }
	   atomic {
		printf("  pass: no usable server: refuse c%d\n", e);
		st[e] = REFUSED;
		e = NOENT
	   }
	:: atomic {
		len(shard[j]) == 0 -> j++;
		if
		:: j == NR -> j = 0; break
		:: else
		fi
	   }
	od
}

/*
 * pass(): at most BATCH grants. A grant marks the entry GRANTED with the
 * server whose slot the dequeuer took; the slot stays counted in served
 * for the owner.
 */
inline pass() {
	do
	:: atomic { n < BATCH && qlen == 0 -> n = 0; break }
	:: atomic { n < BATCH && qlen != 0 -> skip }
		pick(res, s);
		if
		:: atomic { res == NOSRV -> skip }
#if MUTANT == 2 || MUTANT == 3
			/* the bug: nothing is flushed, the entries wait */
			n = 0; break
#else
			flush(); n = 0; break
#endif
		:: atomic { res == FULL -> res = NOSRV; n = 0; break }
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
	:: atomic { n >= BATCH && qlen > 0 -> n = 0 }
		again = 1;
		break
	:: atomic { n >= BATCH && qlen <= 0 -> n = 0; break }
	od
}

/*
 * drain(): Drain(B).
 *   again := 1
 *   loop { if !CAS(busy, 0->1) return
 *          while Swap(again, 0) == 1 { pass() }
 *          busy := 0
 *          if again == 0 return }
 */
inline drain() {
	again = 1;
	do
	:: atomic { busy == 0 -> busy = 1 }
		do
		:: atomic { again == 1 -> again = 0 }
			pass()
#if MUTANT == 4
			/* the bug: a hard bound of one pass per call */
			n = 1; break
#endif
		:: atomic { again == 0 -> break }
		od;
		busy = 0;
		if
#if MUTANT == 4
		:: atomic { n == 1 -> n = 0; break } /* bound hit: return */
		:: atomic { n == 0 && again == 0 -> break }
		:: atomic { n == 0 && again == 1 -> skip }
#else
		:: atomic { again == 0 -> break }
		:: atomic { again == 1 -> skip }
#endif
		fi
	:: atomic { busy == 1 -> break }
	od
}

proctype Client(byte c; byte r) {
	byte res, s, i, n, j, k, req, held;
	byte e = NOENT;
	byte ret; /* where drain returns: AFTER_PUSH or AFTER_RELEASE */

	do
	:: atomic { req < NREQ -> req++ }
admit:
#if MUTANT == 3
		/* assign_server: NOSRV when no server is usable, else the
		 * short-circuit: the queue is not empty, so every server is
		 * assumed full (without the "served > 0" term of ca275d99c) */
		if
		:: atomic { USABLE_ANY && qlen > 0 -> res = FULL }
		:: else -> pick(res, s)
		fi;
#elif FIFO
		/* a newcomer queues behind waiting entries: the Drain after
		 * its push hands a free slot to the oldest one */
		if
		:: atomic { qlen > 0 -> res = FULL }
		:: atomic { qlen <= 0 -> skip }
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
			:: k < NC && st[k] == QUEUED ->
				bypass[k]++;
				assert(bypass[k] < BYPASS);
				k++
			:: k < NC && st[k] != QUEUED -> k++
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
			shard[r] ! c;
			st[c] = QUEUED;
#if BYPASS
			bypass[c] = 0;
#endif
#if QLEN_LATE == 0
			qlen++;
#endif
			printf("c%d: full: push on shard %d\n", c, r)
		   }
#if QLEN_LATE
			qlen++;
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
						shard[r] ?? eval(c);
						st[c] = IDLE;
						qlen--;
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
		fi;
wait:
		/* wait for the answer, or for timeout queue */
		if
		:: atomic {
			st[c] == GRANTED ->
			printf("c%d: granted s%d\n", c, gsrv[c]);
			held = gsrv[c];
			st[c] = IDLE
		   }
progress_grant:
			goto use
		:: atomic {
			st[c] == REFUSED ->
			printf("c%d: refused: 503\n", c);
			st[c] = IDLE
		   }
progress_refused:
			goto next
		:: atomic {
			(st[c] == QUEUED || st[c] == POPPED) && TIMER_MAY_FIRE ->
			/* under the lock of shard r */
			if
			:: st[c] == QUEUED ->
				shard[r] ?? eval(c);
				st[c] = IDLE;
#if QLEN_LATE == 0
				assert(qlen == QSUM + 1);
#endif
				qlen--;
				printf("c%d: timeout queue: entry removed, 503\n", c);
				res = FULL
			:: else ->
				printf("c%d: timeout queue: answer in transit\n", c)
			fi
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
				fi
			fi
		fi;
use:
		/* connected to server held until the request ends, or shutdown
		 * sessions kills it, or the client already left: either way the
		 * slot is released: served-- ; if qlen > 0 -> Drain */
		atomic {
			printf("c%d: release s%d\n", c, held);
			assert(served[held] > 0);
			served[held]--;
			held = 0
		}
		if
		:: atomic { qlen > 0 -> ret = AFTER_RELEASE }
			goto dequeue
		:: atomic { qlen <= 0 -> printf("c%d: queue empty: no Drain\n", c) }
progress_done:
			goto next
		fi;
dequeue:
		/* the one copy of Drain in a Client; returns through ret */
		drain();
		if
		:: atomic { ret == AFTER_PUSH -> ret = 0 }
			goto wait
		:: atomic { ret == AFTER_RELEASE -> ret = 0 }
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

	do
	:: if
		:: atomic {
			round < NROUNDS && usable[ASRV] ->
			/* disable server: usable := 0, then Drain (may flush) */
			round++;
			usable[ASRV] = 0;
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
			printf("admin: enable s%d\n", ASRV)
		   }
		:: atomic {
			!usable[ASRV] || round == NROUNDS ->
			/* done, enabled or left disabled (before "del server") */
			printf("admin: done, s%d usable=%d\n", ASRV, usable[ASRV]);
			break
		   }
		fi;
		drain()
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
	assert(qlen == 0 && QSUM == 0);
	assert(busy == 0 && again == 0);
	do
	:: c < NS -> assert(served[c] == 0); c++
	:: else -> c = 0; break
	od;
	do
	:: c < NC -> assert(st[c] == IDLE); c++
	:: else -> break
	od
}
