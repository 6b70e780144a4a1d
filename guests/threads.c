/*
 * threads.c - POSIX threads and the futex system call: mutexes (normal,
 * recursive, error-checking), a condition variable producer/consumer,
 * barriers, rwlocks, semaphores, join values, thread-local storage, keys
 * and pthread_once, cancellation at a blocking read and in nanosleep,
 * futex edge cases through syscall(SYS_futex), thread ids, tgkill to a
 * thread that is computing, a process-directed signal taken by the only
 * thread that does not block it, resources shared by threads (memory,
 * descriptors, the working directory, handlers), and fork from a thread.
 *
 * Only the main thread prints, after joining, so the output is the same on
 * every run, with musl or glibc, natively or under lstar.
 *
 * Other modes (argv[1]), each checking how a threaded process ends:
 *   exit_group   a thread calls exit(7) while main waits in pthread_join
 *   main_exit    main calls pthread_exit, the last worker ends the process
 *   exec         a thread calls execve while main waits in pthread_join
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* <linux/futex.h> is not in musl's include path. */
#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAIT_BITSET	9
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256
#define FUTEX_BITSET_MATCH_ANY	0xffffffff

/* Give up on a spinning wait after this many iterations (a hang is a
 * failure too, reported rather than waited for). */
#define SPIN_LIMIT 4000000000UL

/* Handshakes between threads: what was written before SET is seen after
 * the WAIT_SET that sees the flag. */
#define SET(flag)	__atomic_store_n(&(flag), 1, __ATOMIC_RELEASE)
#define IS_SET(flag)	__atomic_load_n(&(flag), __ATOMIC_ACQUIRE)
#define WAIT_SET(flag)	do { while (!IS_SET(flag)) sched_yield(); } while (0)

static const char *ename(int e)
{
	switch (e) {
	case 0: return "0";
	case EAGAIN: return "EAGAIN";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOSYS: return "ENOSYS";
	case ESRCH: return "ESRCH";
	case EBUSY: return "EBUSY";
	case EDEADLK: return "EDEADLK";
	case EPERM: return "EPERM";
	case EINTR: return "EINTR";
	default: return "E?";
	}
}

static long futex(void *uaddr, int op, unsigned val, const struct timespec *ts,
		  void *uaddr2, unsigned val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

/* "result errno" of a call returning -1 and errno on error. */
static const char *res(long r)
{
	static char buf[8][32];
	static int i;
	char *b = buf[i++ % 8];
	if (r == -1)
		snprintf(b, 32, "-1 %s", ename(errno));
	else
		snprintf(b, 32, "%ld", r);
	return b;
}

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void ts_add_ms(struct timespec *t, long ms)
{
	t->tv_nsec += ms * 1000000;
	while (t->tv_nsec >= 1000000000) {
		t->tv_nsec -= 1000000000;
		t->tv_sec++;
	}
}

static void die(const char *what, int e)
{
	printf("FAIL: %s: %s\n", what, strerror(e));
	exit(1);
}

static pthread_t spawn(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	int e = pthread_create(&t, NULL, fn, arg);
	if (e)
		die("pthread_create", e);
	return t;
}

static void *join(pthread_t t)
{
	void *v;
	int e = pthread_join(t, &v);
	if (e)
		die("pthread_join", e);
	return v;
}

/* ---- mutexes ---- */

#define NT 4
#define MUTEX_ITERS 50000

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *mutex_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < MUTEX_ITERS; i++) {
		pthread_mutex_lock(&mtx);
		long c = counter;
		if (i % 1000 == 0)
			sched_yield();	/* hold the lock across a switch now and then */
		counter = c + 1;
		pthread_mutex_unlock(&mtx);
	}
	return NULL;
}

static pthread_mutex_t ec;	/* error-checking, locked by main */

static void *trylock_other(void *arg)
{
	(void)arg;
	intptr_t busy = pthread_mutex_trylock(&mtx);
	intptr_t perm = pthread_mutex_unlock(&ec);
	return (void *)(busy << 8 | perm);
}

static void test_mutex(void)
{
	pthread_t t[NT];
	for (int i = 0; i < NT; i++)
		t[i] = spawn(mutex_worker, NULL);
	for (int i = 0; i < NT; i++)
		join(t[i]);
	printf("mutex: %d threads x %d increments = %ld\n", NT, MUTEX_ITERS, counter);

	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&ec, &a);
	pthread_mutex_lock(&ec);
	printf("mutex: errorcheck relock %s\n", ename(pthread_mutex_lock(&ec)));
	pthread_mutex_lock(&mtx);
	intptr_t r = (intptr_t)join(spawn(trylock_other, NULL));
	pthread_mutex_unlock(&mtx);
	printf("mutex: trylock of a held mutex %s, unlock by a non-owner %s\n",
	       ename((int)(r >> 8)), ename((int)(r & 0xff)));
	pthread_mutex_unlock(&ec);

	pthread_mutex_t rec;
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&rec, &a);
	int r1 = pthread_mutex_lock(&rec), r2 = pthread_mutex_lock(&rec);
	int r3 = pthread_mutex_unlock(&rec), r4 = pthread_mutex_unlock(&rec);
	printf("mutex: recursive lock twice %d %d, unlock twice %d %d\n", r1, r2, r3, r4);
}

/* ---- condition variable: bounded buffer, 2 producers, 2 consumers ---- */

#define QSIZE 8
#define PER_PRODUCER 5000

static pthread_mutex_t qm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static long queue[QSIZE];
static int qhead, qlen, producers_done;

static void *producer(void *arg)
{
	long base = (long)(intptr_t)arg * 1000000;
	for (long i = 1; i <= PER_PRODUCER; i++) {
		pthread_mutex_lock(&qm);
		while (qlen == QSIZE)
			pthread_cond_wait(&not_full, &qm);
		queue[(qhead + qlen++) % QSIZE] = base + i;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&qm);
	}
	return NULL;
}

struct consumed { long count, sum; };

static void *consumer(void *arg)
{
	struct consumed *c = arg;
	for (;;) {
		pthread_mutex_lock(&qm);
		while (qlen == 0 && !producers_done)
			pthread_cond_wait(&not_empty, &qm);
		if (qlen == 0) {
			pthread_mutex_unlock(&qm);
			return NULL;
		}
		long v = queue[qhead];
		qhead = (qhead + 1) % QSIZE;
		qlen--;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&qm);
		c->count++;
		c->sum += v;
	}
}

static void test_condvar(void)
{
	struct consumed c[2] = { { 0, 0 }, { 0, 0 } };
	pthread_t p[2], k[2];
	for (int i = 0; i < 2; i++)
		k[i] = spawn(consumer, &c[i]);
	for (int i = 0; i < 2; i++)
		p[i] = spawn(producer, (void *)(intptr_t)(i + 1));
	for (int i = 0; i < 2; i++)
		join(p[i]);
	pthread_mutex_lock(&qm);
	producers_done = 1;
	pthread_cond_broadcast(&not_empty);
	pthread_mutex_unlock(&qm);
	for (int i = 0; i < 2; i++)
		join(k[i]);
	printf("condvar: consumed %ld items, sum %ld\n", c[0].count + c[1].count, c[0].sum + c[1].sum);

	/* Timed waits that nobody signals: 10 ms on each clock. */
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_t mono;
	pthread_cond_init(&mono, &ca);
	struct timespec t0, dl;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	dl = t0;
	ts_add_ms(&dl, 10);
	pthread_mutex_lock(&qm);
	int e1 = pthread_cond_timedwait(&mono, &qm, &dl);
	long el1 = ms_since(&t0);
	clock_gettime(CLOCK_REALTIME, &dl);
	ts_add_ms(&dl, 10);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int e2 = pthread_cond_timedwait(&not_empty, &qm, &dl);
	long el2 = ms_since(&t0);
	pthread_mutex_unlock(&qm);
	printf("condvar: timedwait 10 ms monotonic %s (>= 10 ms: %d), realtime %s (>= 9 ms: %d)\n",
	       ename(e1), el1 >= 10, ename(e2), el2 >= 9);
}

/* ---- broadcast: every waiter wakes ---- */

static pthread_cond_t go_cv = PTHREAD_COND_INITIALIZER;
static int go, waiting, woken_by_broadcast;

static void *bcast_waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&qm);
	waiting++;
	while (!go)
		pthread_cond_wait(&go_cv, &qm);
	woken_by_broadcast++;
	pthread_mutex_unlock(&qm);
	return NULL;
}

static void test_broadcast(void)
{
	pthread_t t[6];
	for (int i = 0; i < 6; i++)
		t[i] = spawn(bcast_waiter, NULL);
	for (;;) {
		pthread_mutex_lock(&qm);
		int w = waiting;
		if (w == 6) {
			go = 1;
			pthread_cond_broadcast(&go_cv);
		}
		pthread_mutex_unlock(&qm);
		if (w == 6)
			break;
		sched_yield();
	}
	for (int i = 0; i < 6; i++)
		join(t[i]);
	printf("broadcast: %d of 6 waiters woke\n", woken_by_broadcast);
}

/* ---- barrier ---- */

#define ROUNDS 20

static pthread_barrier_t bar;
static int slot[NT];
static int serial_count, barrier_mismatch;
static pthread_mutex_t bm = PTHREAD_MUTEX_INITIALIZER;

static void bwait(void)
{
	int r = pthread_barrier_wait(&bar);
	if (r == PTHREAD_BARRIER_SERIAL_THREAD) {
		pthread_mutex_lock(&bm);
		serial_count++;
		pthread_mutex_unlock(&bm);
	} else if (r != 0) {
		die("pthread_barrier_wait", r);
	}
}

static void *barrier_worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	for (int r = 1; r <= ROUNDS; r++) {
		slot[me] = r;
		bwait();
		int bad = 0;
		for (int i = 0; i < NT; i++)
			bad += slot[i] != r;
		bwait();
		if (bad) {
			pthread_mutex_lock(&bm);
			barrier_mismatch += bad;
			pthread_mutex_unlock(&bm);
		}
	}
	return NULL;
}

static void test_barrier(void)
{
	pthread_barrier_init(&bar, NULL, NT);
	pthread_t t[NT];
	for (int i = 0; i < NT; i++)
		t[i] = spawn(barrier_worker, (void *)(intptr_t)i);
	for (int i = 0; i < NT; i++)
		join(t[i]);
	pthread_barrier_destroy(&bar);
	printf("barrier: %d rounds, serial threads %d (one per wait: %d), stale slots seen %d\n",
	       ROUNDS, serial_count, serial_count == 2 * ROUNDS, barrier_mismatch);
}

/* ---- rwlock ---- */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static volatile long rw_a, rw_b;
static int rw_torn;

static void *rw_writer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++) {
		pthread_rwlock_wrlock(&rw);
		rw_a++;
		if (i % 100 == 0)
			sched_yield();
		rw_b++;
		pthread_rwlock_unlock(&rw);
	}
	return NULL;
}

static void *rw_reader(void *arg)
{
	(void)arg;
	int torn = 0;
	for (int i = 0; i < 2000; i++) {
		pthread_rwlock_rdlock(&rw);
		torn += rw_a != rw_b;
		pthread_rwlock_unlock(&rw);
	}
	return (void *)(intptr_t)torn;
}

static void *rw_try(void *arg)
{
	(void)arg;
	int r = pthread_rwlock_tryrdlock(&rw);
	if (r == 0)
		pthread_rwlock_unlock(&rw);
	int w = pthread_rwlock_trywrlock(&rw);
	return (void *)(intptr_t)(r << 8 | w);
}

static void test_rwlock(void)
{
	pthread_t w[2], r[3];
	for (int i = 0; i < 3; i++)
		r[i] = spawn(rw_reader, NULL);
	for (int i = 0; i < 2; i++)
		w[i] = spawn(rw_writer, NULL);
	for (int i = 0; i < 2; i++)
		join(w[i]);
	for (int i = 0; i < 3; i++)
		rw_torn += (int)(intptr_t)join(r[i]);
	printf("rwlock: 2 writers -> %ld %ld, torn reads %d\n", rw_a, rw_b, rw_torn);

	pthread_rwlock_rdlock(&rw);
	intptr_t v = (intptr_t)join(spawn(rw_try, NULL));
	pthread_rwlock_unlock(&rw);
	printf("rwlock: while read-locked: tryrdlock %s, trywrlock %s\n",
	       ename((int)(v >> 8)), ename((int)(v & 0xff)));
}

/* ---- semaphores ---- */

static sem_t ping, pong, items;

static void *sem_poster(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++)
		sem_post(&items);
	return NULL;
}

static void *sem_ponger(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++) {
		sem_wait(&ping);
		sem_post(&pong);
	}
	return NULL;
}

static void test_sem(void)
{
	sem_init(&items, 0, 0);
	sem_init(&ping, 0, 0);
	sem_init(&pong, 0, 0);
	int tw = sem_trywait(&items);
	printf("sem: trywait on 0 %s\n", res(tw));

	pthread_t t = spawn(sem_poster, NULL);
	int got = 0;
	for (int i = 0; i < 1000; i++)
		got += sem_wait(&items) == 0;
	join(t);
	int val = -1;
	sem_getvalue(&items, &val);
	printf("sem: waited %d posts, value now %d\n", got, val);

	t = spawn(sem_ponger, NULL);
	int trips = 0;
	for (int i = 0; i < 1000; i++) {
		sem_post(&ping);
		trips += sem_wait(&pong) == 0;
	}
	join(t);
	printf("sem: %d ping-pong round trips\n", trips);

	struct timespec t0, dl;
	clock_gettime(CLOCK_REALTIME, &dl);
	ts_add_ms(&dl, 10);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int r = sem_timedwait(&items, &dl);
	int e = errno;
	long el = ms_since(&t0);
	errno = e;
	printf("sem: timedwait 10 ms %s (>= 9 ms: %d)\n", res(r), el >= 9);
	sem_destroy(&items);
	sem_destroy(&ping);
	sem_destroy(&pong);
}

/* ---- join values, many threads, detached threads ---- */

static void *square(void *arg)
{
	intptr_t i = (intptr_t)arg;
	if (i == 7)
		pthread_exit((void *)77);
	return (void *)(i * i);
}

static sem_t detached_done;

static void *detached(void *arg)
{
	(void)arg;
	sem_post(&detached_done);
	return NULL;
}

static void test_join(void)
{
	pthread_t t[8];
	for (intptr_t i = 0; i < 8; i++)
		t[i] = spawn(square, (void *)i);
	printf("join:");
	for (int i = 0; i < 8; i++)
		printf(" %ld", (long)(intptr_t)join(t[i]));
	printf("\n");

	/* 200 threads, 25 alive at a time: stacks and thread ids are reused. */
	long sum = 0;
	for (int b = 0; b < 8; b++) {
		pthread_t u[25];
		for (int i = 0; i < 25; i++)
			u[i] = spawn(square, (void *)(intptr_t)(i == 7 ? 6 : i));
		for (int i = 0; i < 25; i++)
			sum += (intptr_t)join(u[i]);
	}
	printf("join: 200 threads returned a sum of %ld\n", sum);

	sem_init(&detached_done, 0, 0);
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < 10; i++) {
		pthread_t d;
		int e = pthread_create(&d, &a, detached, NULL);
		if (e)
			die("pthread_create detached", e);
	}
	int n = 0;
	for (int i = 0; i < 10; i++)
		n += sem_wait(&detached_done) == 0;
	printf("join: %d detached threads ran\n", n);

	/* A small explicit stack. */
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	pthread_t s;
	int e = pthread_create(&s, &a, square, (void *)(intptr_t)12);
	if (e)
		die("pthread_create 64K stack", e);
	printf("join: 64 KiB stack thread returned %ld\n", (long)(intptr_t)join(s));
}

/* ---- thread-local storage, keys, once ---- */

static __thread int tls_init = 42;
static __thread long tls_zero;
static __thread char tls_str[32] = "tls-template";
static pthread_barrier_t tls_bar;

struct tls_report { int idx, ok; void *addr; };

static void *tls_worker(void *arg)
{
	struct tls_report *r = arg;
	int ok = tls_init == 42 && tls_zero == 0 && strcmp(tls_str, "tls-template") == 0;
	tls_init = 100 + r->idx;
	tls_zero = 1000 + r->idx;
	snprintf(tls_str, sizeof tls_str, "thread %d", r->idx);
	pthread_barrier_wait(&tls_bar);	/* all threads alive, all written */
	char mine[32];
	snprintf(mine, sizeof mine, "thread %d", r->idx);
	ok = ok && tls_init == 100 + r->idx && tls_zero == 1000 + r->idx
		&& strcmp(tls_str, mine) == 0;
	r->ok = ok;
	r->addr = &tls_init;
	return NULL;
}

static pthread_key_t key;
static int destructor_calls, once_calls;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void key_destructor(void *v)
{
	pthread_mutex_lock(&bm);
	destructor_calls += v != NULL;
	pthread_mutex_unlock(&bm);
}

static void once_init(void)
{
	once_calls++;
}

static void *key_worker(void *arg)
{
	pthread_once(&once, once_init);
	pthread_setspecific(key, arg);
	return pthread_getspecific(key) == arg ? (void *)1 : NULL;
}

static void test_tls(void)
{
	struct tls_report r[NT];
	pthread_t t[NT];
	pthread_barrier_init(&tls_bar, NULL, NT);
	tls_init = -1;
	for (int i = 0; i < NT; i++) {
		r[i].idx = i;
		t[i] = spawn(tls_worker, &r[i]);
	}
	for (int i = 0; i < NT; i++)
		join(t[i]);
	int ok = 0, distinct = 1;
	for (int i = 0; i < NT; i++) {
		ok += r[i].ok;
		for (int j = 0; j < i; j++)
			distinct &= r[i].addr != r[j].addr;
		distinct &= r[i].addr != (void *)&tls_init;
	}
	printf("tls: %d of %d threads saw the initial values and kept their own, "
	       "distinct addresses %d, main's value %d\n", ok, NT, distinct, tls_init);
	pthread_barrier_destroy(&tls_bar);

	pthread_key_create(&key, key_destructor);
	int same = 0;
	for (int i = 0; i < NT; i++)
		t[i] = spawn(key_worker, &r[i]);
	for (int i = 0; i < NT; i++)
		same += join(t[i]) != NULL;
	pthread_key_delete(key);
	printf("tls: keys kept by %d threads, destructor ran %d times, once ran %d time\n",
	       same, destructor_calls, once_calls);
}

/* ---- cancellation ---- */

static int cleanup_ran;
static int about_to_block;
static int cancel_pipe[2];

static void cleanup(void *arg)
{
	(void)arg;
	cleanup_ran++;
}

static void *cancel_in_read(void *arg)
{
	(void)arg;
	char c;
	pthread_cleanup_push(cleanup, NULL);
	SET(about_to_block);
	ssize_t n = read(cancel_pipe[0], &c, 1);	/* nobody writes */
	printf("FAIL: read returned %zd\n", n);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *cancel_in_sleep(void *arg)
{
	(void)arg;
	pthread_cleanup_push(cleanup, NULL);
	SET(about_to_block);
	struct timespec ts = { 3600, 0 };
	nanosleep(&ts, NULL);
	printf("FAIL: nanosleep returned\n");
	pthread_cleanup_pop(0);
	return NULL;
}

static void test_cancel(void)
{
	if (pipe(cancel_pipe))
		die("pipe", errno);
	void *(*fn[2])(void *) = { cancel_in_read, cancel_in_sleep };
	const char *name[2] = { "read", "nanosleep" };
	for (int i = 0; i < 2; i++) {
		about_to_block = 0;
		cleanup_ran = 0;
		pthread_t t = spawn(fn[i], NULL);
		WAIT_SET(about_to_block);
		struct timespec ts = { 0, 20 * 1000000 };	/* let it block */
		nanosleep(&ts, NULL);
		pthread_cancel(t);
		void *v = join(t);
		printf("cancel: thread blocked in %s: joined PTHREAD_CANCELED %d, cleanup ran %d\n",
		       name[i], v == PTHREAD_CANCELED, cleanup_ran);
	}
	close(cancel_pipe[0]);
	close(cancel_pipe[1]);
}

/* ---- futex ---- */

static unsigned fword;
static volatile int fready;

static void *futex_waiter(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&fready, 1, __ATOMIC_SEQ_CST);
	long r;
	do
		r = futex(&fword, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
	while (r == -1 && errno == EINTR);
	return (void *)(intptr_t)(r == -1 ? -errno : r);
}

static void test_futex(void)
{
	unsigned w = 1;
	struct timespec t0, ts;

	printf("futex: WAIT with the wrong value %s\n", res(futex(&w, FUTEX_WAIT, 2, NULL, NULL, 0)));
	printf("futex: WAIT_PRIVATE with the wrong value %s\n",
	       res(futex(&w, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0)));

	ts.tv_sec = 0;
	ts.tv_nsec = 10 * 1000000;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long r = futex(&w, FUTEX_WAIT, 1, &ts, NULL, 0);
	long el = ms_since(&t0);
	printf("futex: WAIT 10 ms relative %s (>= 10 ms: %d)\n", res(r), el >= 10);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ts = t0;
	ts_add_ms(&ts, 10);
	r = futex(&w, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 1, &ts, NULL, FUTEX_BITSET_MATCH_ANY);
	el = ms_since(&t0);
	printf("futex: WAIT_BITSET monotonic deadline +10 ms %s (>= 10 ms: %d)\n", res(r), el >= 10);

	clock_gettime(CLOCK_REALTIME, &ts);
	ts_add_ms(&ts, 10);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = futex(&w, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 1, &ts, NULL, FUTEX_BITSET_MATCH_ANY);
	el = ms_since(&t0);
	printf("futex: WAIT_BITSET realtime deadline +10 ms %s (>= 9 ms: %d)\n", res(r), el >= 9);

	printf("futex: WAIT_BITSET with bitset 0 %s\n",
	       res(futex(&w, FUTEX_WAIT_BITSET, 1, NULL, NULL, 0)));
	ts.tv_sec = 0;
	ts.tv_nsec = 1000000000;
	printf("futex: WAIT with tv_nsec 1e9 %s\n", res(futex(&w, FUTEX_WAIT, 1, &ts, NULL, 0)));
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	printf("futex: WAIT with a negative timeout %s\n", res(futex(&w, FUTEX_WAIT, 1, &ts, NULL, 0)));
	printf("futex: WAKE with no waiters %s, private %s\n",
	       res(futex(&w, FUTEX_WAKE, 1, NULL, NULL, 0)),
	       res(futex(&w, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, 0)));

	long pg = sysconf(_SC_PAGESIZE);
	char *gone = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, pg);
	printf("futex: WAIT on an unmapped address %s, private %s\n",
	       res(futex(gone, FUTEX_WAIT, 0, NULL, NULL, 0)),
	       res(futex(gone, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0)));
	char *none = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("futex: WAIT on a PROT_NONE page %s\n", res(futex(none, FUTEX_WAIT, 0, NULL, NULL, 0)));
	munmap(none, pg);
	unsigned pair[2] = { 0, 0 };
	printf("futex: WAIT on a misaligned address %s\n",
	       res(futex((char *)pair + 1, FUTEX_WAIT, 0, NULL, NULL, 0)));
	printf("futex: op 99 %s\n", res(futex(&w, 99, 0, NULL, NULL, 0)));
	printf("futex: CMP_REQUEUE with the wrong value %s\n",
	       res(futex(&w, FUTEX_CMP_REQUEUE, 1, (void *)(uintptr_t)1, &pair[0], 5)));
	printf("futex: CMP_REQUEUE with no waiters %s\n",
	       res(futex(&w, FUTEX_CMP_REQUEUE, 1, (void *)(uintptr_t)1, &pair[0], 1)));

	/* Real waiters: three threads wait on fword == 0. */
	pthread_t t[3];
	fword = 0;
	fready = 0;
	for (int i = 0; i < 3; i++)
		t[i] = spawn(futex_waiter, NULL);
	while (__atomic_load_n(&fready, __ATOMIC_SEQ_CST) < 3)
		sched_yield();
	struct timespec nap = { 0, 50 * 1000000 };	/* let them reach the wait */
	nanosleep(&nap, NULL);
	long first = futex(&fword, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
	long rest = 0, max1 = 0;
	for (unsigned long spin = 0; rest < 2 && spin < 100000; spin++) {
		long n = futex(&fword, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, 0);
		if (n > max1)
			max1 = n;
		rest += n;
		if (rest < 2)
			sched_yield();
	}
	int zero = 0;
	for (int i = 0; i < 3; i++)
		zero += join(t[i]) == NULL;
	printf("futex: WAKE 1 of 3 waiters woke %ld, the rest woke %ld (at most 2 at once: %d), "
	       "waiters returned 0: %d\n", first, rest, max1 <= 2, zero);
}

/* ---- thread ids and signals ---- */

static volatile sig_atomic_t usr1_got;
static volatile pid_t usr1_tid, usr2_tid;
static int spinning;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_tid = gettid_();
	usr1_got = 1;
}

static void on_usr2(int sig)
{
	(void)sig;
	usr2_tid = gettid_();
}

struct ids { pid_t pid, tid; };

static void *ids_worker(void *arg)
{
	struct ids *i = arg;
	i->pid = getpid();
	i->tid = gettid_();
	return NULL;
}

static void *spinner(void *arg)
{
	pid_t *tid = arg;
	*tid = gettid_();
	unsigned long n = 0;
	SET(spinning);
	while (!usr1_got && n < SPIN_LIMIT)	/* no system call: the signal must interrupt */
		n++;
	return (void *)(uintptr_t)(usr1_got ? 1 : 0);
}

static int usr2_waiter_ready;

static void *usr2_taker(void *arg)
{
	pid_t *tid = arg;
	*tid = gettid_();
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	SET(usr2_waiter_ready);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!usr2_tid && ms_since(&t0) < 5000)
		sched_yield();
	return NULL;
}

static void test_ids_signals(void)
{
	struct ids in;
	join(spawn(ids_worker, &in));
	printf("ids: main gettid == getpid %d; in a thread getpid same %d, gettid != getpid %d, "
	       "gettid != main's %d\n", gettid_() == getpid(), in.pid == getpid(),
	       in.tid != in.pid, in.tid != gettid_());

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);

	pid_t tid = 0;
	pthread_t t = spawn(spinner, &tid);
	WAIT_SET(spinning);
	long k0 = syscall(SYS_tgkill, getpid(), tid, 0);
	const char *k0s = res(k0);
	long kw = syscall(SYS_tgkill, tid, tid, SIGUSR1);	/* tgid that is not the group's */
	int kwe = errno;
	long k = syscall(SYS_tgkill, getpid(), tid, SIGUSR1);
	int woke = (int)(uintptr_t)join(t);
	errno = kwe;
	printf("tgkill: signal 0 %s, wrong tgid %s, SIGUSR1 %ld; the spinning thread stopped %d, "
	       "handler ran in it %d\n", k0s, res(kw), k, woke, usr1_tid == tid);

	/* A process-directed signal goes to the one thread not blocking it. */
	sigset_t s, old;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, &old);
	pid_t ttid = 0;
	t = spawn(usr2_taker, &ttid);
	WAIT_SET(usr2_waiter_ready);
	kill(getpid(), SIGUSR2);
	join(t);
	sigset_t cur;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	printf("signals: kill() handled by the thread that unblocked SIGUSR2 %d, "
	       "main still blocks it %d\n", usr2_tid == ttid, sigismember(&cur, SIGUSR2));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ---- what threads share ---- */

struct shared { int fd; char *mem; int chdir_ok; };

static void *share_worker(void *arg)
{
	struct shared *s = arg;
	s->mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(s->mem, "mapped by a thread");
	int p[2];
	if (pipe(p) == 0) {
		ssize_t n = write(p[1], "via a thread's pipe", 19);
		(void)n;
		close(p[1]);
		s->fd = p[0];
	}
	s->chdir_ok = chdir("/") == 0;
	return NULL;
}

static void test_shared(void)
{
	int here = open(".", O_RDONLY | O_DIRECTORY);
	struct shared s = { -1, NULL, 0 };
	join(spawn(share_worker, &s));
	char buf[64] = "";
	ssize_t n = s.fd >= 0 ? read(s.fd, buf, sizeof buf - 1) : -1;
	if (n > 0)
		buf[n] = 0;
	char cwd[64] = "";
	if (!getcwd(cwd, sizeof cwd))
		strcpy(cwd, "?");
	printf("shared: memory \"%s\", descriptor \"%s\", working directory %s\n",
	       s.mem ? s.mem : "?", buf, cwd);
	if (fchdir(here))
		die("fchdir", errno);
	close(here);
	close(s.fd);
	munmap(s.mem, 4096);
}

/* ---- fork from a thread ---- */

static int global_value = 1;

static void *fork_worker(void *arg)
{
	int *p = arg;
	pid_t pid = fork();
	if (pid == 0) {
		/* The child has only this thread; memory is a copy. */
		char msg[64];
		int n = snprintf(msg, sizeof msg, "child sees %d", global_value);
		global_value = 99;
		ssize_t w = write(p[1], msg, n);
		(void)w;
		_exit(5);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return (void *)(intptr_t)(WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void test_fork(void)
{
	int p[2];
	if (pipe(p))
		die("pipe", errno);
	global_value = 42;
	intptr_t st = (intptr_t)join(spawn(fork_worker, p));
	close(p[1]);
	char buf[64] = "";
	ssize_t n = read(p[0], buf, sizeof buf - 1);
	if (n > 0)
		buf[n] = 0;
	close(p[0]);
	printf("fork in a thread: child exit %ld, \"%s\", parent's value still %d\n",
	       (long)st, buf, global_value);
}

/* ---- how a threaded process ends ---- */

static int block_pipe[2];

static void *block_forever(void *arg)
{
	(void)arg;
	char c;
	for (;;)
		if (read(block_pipe[0], &c, 1) == 0)
			pause();
	return NULL;
}

static void *exit_seven(void *arg)
{
	(void)arg;
	struct timespec ts = { 0, 20 * 1000000 };
	nanosleep(&ts, NULL);
	printf("exit_group: a thread calls exit(7)\n");
	exit(7);
}

static sem_t main_printed;

static void *last_worker(void *arg)
{
	pthread_t main_thread = *(pthread_t *)arg;
	(void)main_thread;
	/* Wait until main has printed its line (not for a fixed time: on a
	 * loaded machine main may be late by more than any sleep). */
	sem_wait(&main_printed);
	struct timespec ts = { 0, 20 * 1000000 };
	nanosleep(&ts, NULL);
	printf("main_exit: the last thread returns\n");
	fflush(stdout);
	return NULL;
}

static char **saved_argv;

static void *execer(void *arg)
{
	(void)arg;
	char pid[24];
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	struct timespec ts = { 0, 20 * 1000000 };
	nanosleep(&ts, NULL);
	printf("exec: a thread (not the leader: %d) calls execve\n", gettid_() != getpid());
	fflush(stdout);
	char *argv[] = { saved_argv[0], "after_exec", pid, NULL };
	execv(saved_argv[0], argv);
	printf("FAIL: execv: %s\n", strerror(errno));
	exit(1);
}

static int end_mode(const char *mode, char **argv)
{
	if (pipe(block_pipe))
		die("pipe", errno);
	if (strcmp(mode, "exit_group") == 0) {
		spawn(block_forever, NULL);
		pthread_t t = spawn(exit_seven, NULL);
		join(t);
		printf("FAIL: join returned\n");
		return 1;
	}
	if (strcmp(mode, "main_exit") == 0) {
		static pthread_t self;
		self = pthread_self();
		sem_init(&main_printed, 0, 0);
		spawn(last_worker, &self);
		printf("main_exit: main calls pthread_exit\n");
		fflush(stdout);
		sem_post(&main_printed);
		pthread_exit(NULL);
	}
	if (strcmp(mode, "exec") == 0) {
		saved_argv = argv;
		spawn(block_forever, NULL);
		join(spawn(execer, NULL));
		printf("FAIL: join returned\n");
		return 1;
	}
	if (strcmp(mode, "after_exec") == 0) {
		int same = argv[2] && atoi(argv[2]) == getpid();
		printf("exec: the new program has the process id %d, is its own leader %d\n",
		       same, gettid_() == getpid());
		/* and it can make threads of its own */
		struct ids in;
		join(spawn(ids_worker, &in));
		printf("exec: its thread has another id %d\n", in.tid != in.pid);
		return 0;
	}
	printf("unknown mode %s\n", mode);
	return 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1)
		return end_mode(argv[1], argv);
	test_mutex();
	test_condvar();
	test_broadcast();
	test_barrier();
	test_rwlock();
	test_sem();
	test_join();
	test_tls();
	test_cancel();
	test_futex();
	test_ids_signals();
	test_shared();
	test_fork();
	printf("done\n");
	return 0;
}
