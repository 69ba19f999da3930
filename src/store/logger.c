/* SPDX-License-Identifier: MIT */
/* logger.c - logging a run from a thread of its own.
 *
 * The trainer hands over each step's figures and, at each snapshot, a copy
 * of the parameters and Adam's moments, then goes on training; the thread
 * starts the run (its row and snapshot 0: the run is in the database
 * before its first step is), then writes them in one transaction every
 * commit interval (the steps and the snapshots handed over meanwhile: one
 * commit, one set of fdatasyncs, for all of them), the run's end (samples,
 * status) with the last: a run shorter than the interval is two commits.
 * A kill loses at most the last interval's steps and snapshots, as with
 * the synchronous calls; the database always holds a contiguous log. Only the waiting for SQLite, the file system and the disk moves off
 * the training thread. The engine stays single-threaded.
 *
 * A busy database (another connection's write lock held past the busy
 * timeout) is waited for, with training going on into the queue; only
 * another error, or two minutes of it, stops the logging.
 *
 * Ownership: from store_logger_start until the thread is joined, the
 * store and the run_info belong to the thread; the trainer only touches
 * the queue, under the mutex. Joining (store_logger_end/stop) hands both
 * back with everything the thread did visible. */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "store_int.h"
#include "xmalloc.h"

/* Snapshot copies in flight: enough that a default run never waits for a
 * slow disk, few enough for a large model (at least one, whatever its
 * size). */
#define SNAP_MAX       8
#define SNAP_MAX_BYTES (64u << 20)

/* A snapshot handed over: the step and copies of p, m and v. */
struct snap {
	long    step;
	double *p, *m, *v;            /* [n_params] each, the engine's layout, in one block */
	size_t  mapped;               /* the block's length when mmap'd, else 0 (malloc'd) */
	int     in_use;
};

/* The trainer hands its steps over LOCAL_STEPS at a time (or when
 * LOCAL_SECONDS have passed since the first one it holds), one lock for
 * them all: one lock a step cost about 2 ms of CPU in an 8000-step run
 * (perf), the two threads' cores taking the lock's line from each other.
 * The thread moves the steps handed over into the store's buffer every
 * DRAIN_STEPS (without a commit), so that the queue does not grow to a
 * whole commit interval's steps (8000 of them at 8000 steps, in two
 * buffers: about 190 pages first touched). */
#define LOCAL_STEPS    64
#define LOCAL_SECONDS  0.02
#define DRAIN_STEPS    1024

/* A store that is busy (another connection holds the write lock past the
 * busy timeout, or SQLite refuses to wait because waiting could deadlock)
 * is waited for: pauses doubling from BUSY_PAUSE_MIN to BUSY_PAUSE_MAX
 * seconds, for up to BUSY_GIVE_UP seconds in all, while training goes on
 * into the queue. Only then, or on any other error, does logging stop. */
#define BUSY_PAUSE_MIN 0.01
#define BUSY_PAUSE_MAX 1.0
#define BUSY_GIVE_UP   120.0

struct item {
	int snap;                     /* index into snaps[], or -1: a step */
	struct step_stats s;
};

struct store_logger {
	struct store    *st;
	struct run_info *run;
	pthread_t        thread;
	pthread_mutex_t  mu;
	pthread_cond_t   wake;        /* to the thread: a snapshot, the end, or a step when eager */
	pthread_cond_t   room;        /* to the trainer: a snapshot copy is free, or the thread stopped */
	struct item     *q, *spare;   /* [n_q] handed over, in order; spare: the thread's */
	size_t           n_q, cap_q, cap_spare;
	int              n_snap_q;    /* snapshots among them */
	struct snap      snaps[SNAP_MAX];
	int              n_snaps;     /* copies allowed */
	struct trainer   start_t;     /* a new run's sizes and settings, state in snaps[0] */
	size_t           n_params;
	int              start;       /* snaps[0] is the step-0 state of a run to start
	                               * (set before the thread starts; only the
	                               * thread reads or clears it then) */
	int              eager;       /* commit interval 0: every step wakes the thread */
	struct step_stats local[LOCAL_STEPS];   /* the trainer's, not handed over yet */
	int              n_local;
	double           local_since; /* when the first of them came */
	int              held[SNAP_MAX];   /* the thread's: snapshots taken from the */
	int              n_held;      /* queue, their steps buffered, not yet committed */
	int              failed;      /* the thread stopped on an error (in st->err) */
	int              ending;      /* no more hand-overs: write the rest, then end the run */
	int              quit;        /* no more hand-overs: stop, writing nothing more */
	char *const     *names;       /* samples for the end; [n_names] */
	int              n_names;
	enum run_status  end_status;
};

/* The logging connection's page cache: 256 KiB, not SQLite's 2 MB. The
 * thread writes each page once and never reads it back, and every page of
 * cache first touched is a page fault (10-19 us each in a VM; at 1000
 * steps this took 100 of them off, about 4 ms of CPU). A commit larger
 * than that writes some of its pages before the commit (a journal sync
 * more), which only runs of more than about 8 snapshots a commit do. */
int
store_log_cache(struct store *st)
{
	return store_exec(st, "PRAGMA cache_size = -256");
}

/* Start a thread for store work with every signal blocked, so that
 * signals reach the calling thread, and kept off the CPU the caller is
 * on. The CPU is a hint the scheduler needs on a small machine: a thread
 * created or woken by the trainer is otherwise often queued on the
 * trainer's CPU and preempts it while the other CPU idles (on a 2-CPU
 * VM, bench_store's logging overhead was +30 to +50 % without this, +22
 * to +36 % with it: docs/PERFORMANCE.md). The trainer itself stays free
 * to move. 0 or an errno. */
static int
spawn(pthread_t *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr, *ap = NULL;
	sigset_t all, old;
	int e;

#if defined(HAVE_PTHREAD_ATTR_SETAFFINITY_NP) && defined(HAVE_SCHED_GETCPU)
	cpu_set_t cpus;
	int cpu = sched_getcpu();

	if (cpu >= 0 && cpu < CPU_SETSIZE && sched_getaffinity(0, sizeof cpus, &cpus) == 0 &&
	    CPU_ISSET(cpu, &cpus) && CPU_COUNT(&cpus) > 1 && pthread_attr_init(&attr) == 0) {
		CPU_CLR(cpu, &cpus);
		ap = &attr;
		if (pthread_attr_setaffinity_np(&attr, sizeof cpus, &cpus) != 0) {
			pthread_attr_destroy(&attr);
			ap = NULL;
		}
	}
#endif
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(t, ap, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ap)
		pthread_attr_destroy(ap);
	return e;
}

/* The calling thread's name, as top -H, ps -L and perf show it. */
static void
name_thread(const char *name)
{
#ifdef HAVE_PTHREAD_SETNAME_NP
	pthread_setname_np(pthread_self(), name);
#else
	(void)name;
#endif
}

static void
lock(struct store_logger *lg)
{
	pthread_mutex_lock(&lg->mu);
}

static void
unlock(struct store_logger *lg)
{
	pthread_mutex_unlock(&lg->mu);
}

static void to_timespec(struct timespec *ts, double t);

/* A copy's memory is mapped with its pages already there: a page first
 * touched costs about 10 us of CPU in a virtual machine (a fault for each),
 * one populated by the mapping about half that (a 100 KB copy of the
 * default model: 25 pages). malloc'd where mmap cannot. */
static double *
snap_alloc(size_t len, size_t *mapped)
{
	void *mem = MAP_FAILED;

#ifdef MAP_POPULATE
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
	    -1, 0);
#endif
	*mapped = mem == MAP_FAILED ? 0 : len;
	return mem == MAP_FAILED ? xmalloc(len) : mem;
}

static void
snap_free(struct snap *sn)
{
	if (sn->mapped)
		munmap(sn->p, sn->mapped);
	else
		free(sn->p);
}

static void
snap_copy(struct store_logger *lg, struct snap *sn, const struct train_state *ts)
{
	size_t b = lg->n_params * sizeof(double);

	if (!sn->p) {
		sn->p = snap_alloc(3 * b, &sn->mapped);
		sn->m = sn->p + lg->n_params;
		sn->v = sn->m + lg->n_params;
	}
	memcpy(sn->p, ts->p, b);
	memcpy(sn->m, ts->m, b);
	memcpy(sn->v, ts->v, b);
	sn->step = ts->step;
}

static struct train_state
snap_state(const struct snap *sn)
{
	struct train_state ts = { sn->step, sn->p, sn->m, sn->v };

	return ts;
}

/* After a failed write: 1 when it failed only because the database was
 * busy and it is worth trying again, after a pause (taken here); 0 on a
 * real error, when asked to quit, or after BUSY_GIVE_UP seconds of it. */
static int
busy_again(struct store_logger *lg, double *since, double *pause)
{
	struct timespec ts;
	double now = store_now();
	int quit;

	if (!lg->st->busy)
		return 0;
	if (*since == 0)
		*since = now;
	if (now - *since > BUSY_GIVE_UP)
		return 0;
	to_timespec(&ts, now + *pause);
	*pause = *pause * 2 < BUSY_PAUSE_MAX ? *pause * 2 : BUSY_PAUSE_MAX;
	pthread_mutex_lock(&lg->mu);
	if (!lg->quit)
		pthread_cond_timedwait(&lg->wake, &lg->mu, &ts);
	quit = lg->quit;
	pthread_mutex_unlock(&lg->mu);
	return !quit;
}

static void
snap_release(struct store_logger *lg, int i)
{
	lock(lg);
	lg->snaps[i].in_use = 0;
	pthread_cond_signal(&lg->room);
	unlock(lg);
}

/* Queue an item; the caller holds the lock. */
static void
push(struct store_logger *lg, int snap, const struct step_stats *s)
{
	struct item *it;

	if (lg->n_q == lg->cap_q) {
		lg->cap_q = lg->cap_q ? 2 * lg->cap_q : 1024;
		lg->q = xrealloc(lg->q, lg->cap_q * sizeof *lg->q);
	}
	it = &lg->q[lg->n_q++];
	it->snap = snap;
	if (s)
		it->s = *s;
	else
		lg->n_snap_q++;
}

static void
to_timespec(struct timespec *ts, double t)
{
	ts->tv_sec = (time_t)t;
	ts->tv_nsec = (long)((t - (double)ts->tv_sec) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
	if (ts->tv_nsec < 0)
		ts->tv_nsec = 0;
}

/* Every snapshot copy is handed over and waiting: the trainer's next
 * snapshot would wait for one. The caller holds the lock. */
static int
pool_full(const struct store_logger *lg)
{
	return lg->n_snap_q + lg->n_held >= lg->n_snaps;
}

/* Wait, holding the lock, until there is work: the end, steps and
 * snapshots due by the commit interval, or every snapshot copy handed
 * over. Snapshots wait for the interval like steps do: one commit (one
 * fdatasync) carries all that came meanwhile. */
static void
wait_work(struct store_logger *lg)
{
	struct store *st = lg->st;
	struct timespec ts;
	double due, now;

	for (;;) {
		if (lg->quit || lg->ending || pool_full(lg) || (lg->eager && lg->n_q) ||
		    lg->n_q >= DRAIN_STEPS)
			return;
		due = st->last_flush + st->commit_every;
		now = store_now();
		if ((lg->n_q || st->n_pend || lg->n_held) && now >= due)
			return;
		if (lg->eager) {
			pthread_cond_wait(&lg->wake, &lg->mu);
			continue;
		}
		/* Steps arrive without a wake-up: sleep until they would be
		 * due. */
		to_timespec(&ts, now >= due ? now + st->commit_every : due);
		pthread_cond_timedwait(&lg->wake, &lg->mu, &ts);
	}
}

/* The run's start if it is still to be written, the buffered steps, ts[k]
 * and end (or NULL) in one transaction, waiting out a busy database. */
static int
write_batch(struct store_logger *lg, const struct train_state *ts, int k,
    const struct store_end *end)
{
	double since = 0, pause = BUSY_PAUSE_MIN;

	while (store_log_commit(lg->st, lg->run, lg->start ? &lg->start_t : NULL, ts, k, end) < 0)
		if (!busy_again(lg, &since, &pause))
			return -1;
	if (lg->start) {
		lg->start = 0;
		snap_release(lg, 0);
	}
	return 0;
}

/* Move the items taken from the queue into the store's buffer without
 * writing them: steps into st's buffer, snapshots into held (their steps
 * are then all buffered before them). */
static void
drain_items(struct store_logger *lg, const struct item *it, size_t n, int *n_held)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (it[i].snap < 0)
			store_log_append(lg->st, lg->run, &it[i].s);
		else
			lg->held[(*n_held)++] = it[i].snap;
	}
}

/* Write the snapshots held and the items taken from the queue, in order,
 * in one transaction (in one a snapshot when every step is to be its own:
 * commit interval 0), with end (or NULL) in the last; snapshot copies go
 * back to the trainer once committed. */
static int
write_items(struct store_logger *lg, const struct item *it, size_t n, int n_held,
    const struct store_end *end)
{
	struct train_state ts[SNAP_MAX];
	size_t i;
	int k = 0, rc = 0;

	for (k = 0; k < n_held; k++)
		ts[k] = snap_state(&lg->snaps[lg->held[k]]);
	for (i = 0; i < n && rc == 0; i++) {
		if (it[i].snap < 0) {
			store_log_append(lg->st, lg->run, &it[i].s);
			continue;
		}
		ts[k++] = snap_state(&lg->snaps[it[i].snap]);
		if (lg->eager || k == SNAP_MAX) {
			rc = write_batch(lg, ts, k, NULL);
			k = 0;
		}
	}
	if (rc == 0)
		rc = write_batch(lg, ts, k, end);
	for (k = 0; k < n_held; k++)
		snap_release(lg, lg->held[k]);
	for (i = 0; i < n; i++)
		if (it[i].snap >= 0)
			snap_release(lg, it[i].snap);
	return rc;
}

static void *
logger_main(void *arg)
{
	struct store_logger *lg = arg;
	struct store *st = lg->st;
	struct store_end end;
	struct item *it;
	size_t n, cap;
	int rc = 0, ending, commit, n_held = 0;

	name_thread("mgpt-log");
	/* (Each commit is synced on its own, in the rollback journal: no
	 * log to fold.) */
	if (lg->start)
		rc = write_batch(lg, NULL, 0, NULL);
	lock(lg);
	while (rc == 0 && !lg->quit) {
		wait_work(lg);
		if (lg->quit)
			break;
		it = lg->q;
		n = lg->n_q;
		cap = lg->cap_q;
		lg->q = lg->spare;
		lg->cap_q = lg->cap_spare;
		lg->n_q = 0;
		lg->spare = it;
		lg->cap_spare = cap;
		/* the end is announced after the last hand-over, under the
		 * lock: the items just taken are all there is */
		ending = lg->ending;
		commit = ending || lg->eager || pool_full(lg) ||
		    store_now() >= st->last_flush + st->commit_every;
		lg->n_snap_q = 0;
		unlock(lg);

		if (!commit) {
			/* only many steps handed over: buffered, and the
			 * commit waits for its time */
			drain_items(lg, it, n, &n_held);
			lock(lg);
			lg->n_held = n_held;
			continue;
		}
		if (ending) {   /* set before the end was announced */
			end.names = lg->names;
			end.n = lg->n_names;
			end.status = lg->end_status;
		}
		rc = write_items(lg, it, n, n_held, ending ? &end : NULL);
		n_held = 0;
		if (ending) {
			lock(lg);
			lg->n_held = 0;
			break;
		}
		lock(lg);
		lg->n_held = 0;
	}
	if (rc < 0)
		lg->failed = 1;
	pthread_cond_broadcast(&lg->room);
	unlock(lg);
	return NULL;
}

static void
logger_free(struct store_logger *lg)
{
	int i;

	for (i = 0; i < SNAP_MAX; i++) {
		if (lg->snaps[i].p)
			snap_free(&lg->snaps[i]);
	}
	free(lg->q);
	free(lg->spare);
	pthread_cond_destroy(&lg->wake);
	pthread_cond_destroy(&lg->room);
	pthread_mutex_destroy(&lg->mu);
	free(lg);
}

struct store_logger *
store_logger_start(struct store *st, struct run_info *run, const struct trainer *t)
{
	struct store_logger *lg = xcalloc(1, sizeof *lg);
	size_t snap_bytes = 3 * t->model.n_params * sizeof(double);
	pthread_condattr_t ca;
	int e;

	lg->st = st;
	lg->run = run;
	lg->n_params = t->model.n_params;
	lg->n_snaps = SNAP_MAX;
	if (snap_bytes && SNAP_MAX_BYTES / snap_bytes < SNAP_MAX)
		lg->n_snaps = SNAP_MAX_BYTES / snap_bytes < 1 ? 1 : (int)(SNAP_MAX_BYTES / snap_bytes);
	lg->eager = !(st->commit_every > 0);
	if (store_log_cache(st) < 0) {
		free(lg);
		return NULL;
	}
	pthread_mutex_init(&lg->mu, NULL);
	pthread_condattr_init(&ca);
	/* deadlines are store_now() times: CLOCK_MONOTONIC */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&lg->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&lg->room, NULL);
	if (run->id == 0) {
		/* a new run: starting it, with its step-0 snapshot, is the
		 * thread's first write */
		struct train_state ts = store_state_of(t);

		lg->start = 1;
		lg->snaps[0].in_use = 1;
		snap_copy(lg, &lg->snaps[0], &ts);
		lg->start_t = *t;
		lg->start_t.model.p = lg->snaps[0].p;
		lg->start_t.adam.m = lg->snaps[0].m;
		lg->start_t.adam.v = lg->snaps[0].v;
	}
	/* Signals go to the training thread, which stops between steps. */
	e = spawn(&lg->thread, logger_main, lg);
	if (e != 0) {
		store_fail(st, "cannot start a thread to log the run: %s", strerror(e));
		logger_free(lg);
		return NULL;
	}
	return lg;
}

/* Hand the trainer's local steps over, under one lock; -1 when the thread
 * has stopped on an error. */
static int
hand_local(struct store_logger *lg)
{
	int failed, i;

	lock(lg);
	failed = lg->failed;
	if (!failed) {
		for (i = 0; i < lg->n_local; i++)
			push(lg, -1, &lg->local[i]);
		if (lg->eager || (lg->n_q >= DRAIN_STEPS && lg->n_q - (size_t)lg->n_local < DRAIN_STEPS))
			pthread_cond_signal(&lg->wake);
	}
	unlock(lg);
	lg->n_local = 0;
	return failed ? -1 : 0;
}

int
store_logger_step(struct store_logger *lg, const struct step_stats *s)
{
	double now = store_now();

	if (lg->n_local == 0)
		lg->local_since = now;
	lg->local[lg->n_local++] = *s;
	if (lg->eager || lg->n_local == LOCAL_STEPS || now - lg->local_since >= LOCAL_SECONDS)
		return hand_local(lg);
	return 0;
}

int
store_logger_snapshot(struct store_logger *lg, struct train_state ts)
{
	int i, k = -1;

	if (lg->n_local && hand_local(lg) < 0)   /* its steps before it */
		return -1;
	lock(lg);
	while (!lg->failed) {
		for (i = 0; i < lg->n_snaps && k < 0; i++)
			if (!lg->snaps[i].in_use)
				k = i;
		if (k >= 0)
			break;
		pthread_cond_wait(&lg->room, &lg->mu);
	}
	if (lg->failed) {
		unlock(lg);
		return -1;
	}
	lg->snaps[k].in_use = 1;
	unlock(lg);
	/* The thread leaves a copy in use alone: no lock needed to fill it. */
	snap_copy(lg, &lg->snaps[k], &ts);
	lock(lg);
	push(lg, k, NULL);
	if (pool_full(lg))
		pthread_cond_signal(&lg->wake);
	unlock(lg);
	return 0;
}

/* Join the thread and free lg; -1 when the thread failed. */
static int
join(struct store_logger *lg)
{
	int failed;

	pthread_join(lg->thread, NULL);
	failed = lg->failed;
	logger_free(lg);
	return failed ? -1 : 0;
}

int
store_logger_end(struct store_logger *lg, char *const *names, int n, enum run_status status)
{
	if (lg->n_local)
		hand_local(lg);   /* (a failure is the join's to report) */
	lock(lg);
	lg->names = names;
	lg->n_names = n;
	lg->end_status = status;
	lg->ending = 1;
	pthread_cond_signal(&lg->wake);
	unlock(lg);
	return join(lg);
}

void
store_logger_stop(struct store_logger *lg)
{
	lock(lg);
	lg->quit = 1;
	pthread_cond_signal(&lg->wake);
	unlock(lg);
	join(lg);
}

/* ---- opening in the background ---- */

struct store_opening {
	pthread_t     thread;
	int           started;       /* the thread runs (else: deferred) */
	char         *path;
	struct store *st;            /* opened, or NULL: */
	int           deferred;      /* ... it has to be opened by the caller */
	char          err[STORE_ERRLEN];
};

static void *
opening_main(void *arg)
{
	struct store_opening *op = arg;

	name_thread("mgpt-open");
	op->st = store_open_ex(op->path, 1, 0, &op->deferred, op->err, sizeof op->err);
	return NULL;
}

struct store_opening *
store_open_start(const char *path)
{
	struct store_opening *op = xcalloc(1, sizeof *op);
	int e;

	op->path = xstrdup(path);
	e = spawn(&op->thread, opening_main, op);
	/* (the thread owns op's other members until it is joined) */
	if (e == 0)
		op->started = 1;
	else
		op->deferred = 1;   /* no thread: the caller opens it */
	return op;
}

int
store_open_join(struct store_opening *op, struct store **st, char *err, size_t errlen)
{
	int done;

	if (op->started)
		pthread_join(op->thread, NULL);
	done = !op->deferred;
	*st = op->st;
	if (done && !op->st)
		snprintf(err, errlen, "%s", op->err);
	free(op->path);
	free(op);
	return done;
}
