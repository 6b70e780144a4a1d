/*
 * posix_timers.c - timer_create with a signal (periodic, SIGRTMIN with a
 * value, si_code SI_TIMER), timer_gettime, timer_delete, and a one-shot
 * timer with SIGEV_THREAD (the C library's helper thread).  The output is
 * the same natively and under lstar (tests/e2e: *_posix_timers).
 */
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
static volatile int hits, lastid = -1; static volatile long lastval;
static void h(int s, siginfo_t *si, void *u) { (void)s; (void)u; hits++; lastval = (long)si->si_value.sival_ptr; lastid = si->si_code == SI_TIMER; }
static volatile int thr_hits;
static void th(union sigval v) { (void)v; thr_hits++; }
int main(void) {
	struct sigaction sa = { .sa_sigaction = h, .sa_flags = SA_SIGINFO }; sigaction(SIGRTMIN, &sa, 0);
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN, .sigev_value.sival_ptr = (void *)1234 };
	timer_t t; if (timer_create(CLOCK_MONOTONIC, &ev, &t)) { perror("timer_create"); return 1; }
	struct itimerspec its = { {0, 5000000}, {0, 5000000} }; timer_settime(t, 0, &its, 0);
	while (hits < 3) pause();
	struct itimerspec cur; timer_gettime(t, &cur);
	printf("hits>=3 %d value %ld SI_TIMER %d interval %ld ns\n", hits >= 3, lastval, lastid, cur.it_interval.tv_nsec);
	timer_delete(t);
	struct sigevent tev = { .sigev_notify = SIGEV_THREAD, .sigev_notify_function = th };
	timer_t t2; if (timer_create(CLOCK_REALTIME, &tev, &t2)) { perror("timer_create thread"); return 1; }
	struct itimerspec one = { {0, 0}, {0, 2000000} }; timer_settime(t2, 0, &one, 0);
	/* The helper thread runs th() some time after the expiry: wait for
	 * it (up to 2 s), so that the output does not depend on timing. */
	struct timespec s = {0, 1000000};
	for (int i = 0; i < 2000 && !thr_hits; i++)
		nanosleep(&s, 0);
	printf("thread notify ran: %s\n", thr_hits ? "yes" : "no");
	return 0; }
