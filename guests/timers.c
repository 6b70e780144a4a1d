/*
 * timers.c - alarm, setitimer, pause and sigsuspend: SIGALRM cuts a sleep
 * short, an interval timer repeats, sigsuspend puts the old mask back, and
 * an unhandled SIGALRM ends the program with status 142.  (lstar has no
 * timer interrupt: SIGALRM arrives at the next system call or wait, see
 * kernel_model/itimer.c.)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile int got;

static void on_alarm(int sig)
{
	(void)sig;
	got++;
}

int main(void)
{
	signal(SIGALRM, on_alarm);
	alarm(1);
	int left = sleep(3);
	printf("sleep cut short: %d, alarms %d\n", left > 0, got);

	struct itimerval it = { { 0, 100000 }, { 0, 100000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	while (got < 4)
		pause();
	printf("interval timer repeats: %d\n", got >= 4);
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);

	sigset_t block, old, none, cur;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &old);
	alarm(1);
	sigemptyset(&none);
	int s = sigsuspend(&none);
	int e = errno;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	printf("sigsuspend %d (%s), SIGALRM blocked again %d, alarms %d\n",
	       s, strerror(e), sigismember(&cur, SIGALRM), got);
	fflush(stdout);

	signal(SIGALRM, SIG_DFL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	alarm(1);
	pause();
	return 0;
}
