/*
 * alarm_busy.c - alarm(1), then a loop that makes no system call and that
 * only the SIGALRM handler ends: the signal has to interrupt code that is
 * computing (a timer interrupt, not the way out of a system call).
 *
 * So that it never hangs, the loop also gives up after LIMIT iterations
 * and says so.  Each iteration is a chain of dependent 64-bit divisions,
 * slow on a real CPU (tens of cycles) but not much slower than other
 * instructions to an emulator: 1e9 iterations take several seconds
 * natively, far more than the second the alarm takes, and well under a
 * minute under lstar when the alarm never comes.  argv[1], if given,
 * replaces LIMIT.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t fired;
static volatile unsigned long divisor = 7, sink;	/* opaque to the compiler */

static void on_alarm(int sig)
{
	(void)sig;
	fired = 1;
}

int main(int argc, char **argv)
{
	unsigned long limit = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000000UL;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);

	alarm(1);
	unsigned long n = 0, x = 0x0123456789abcdefUL, d = divisor;
	while (!fired && n < limit) {
		x = x / d + 0x9e3779b97f4a7c15UL;
		n++;
	}
	sink = x;
	if (!fired) {
		printf("FAIL: no SIGALRM after %lu iterations of a loop without system calls\n", n);
		return 1;
	}
	printf("alarm fired\n");
	return 0;
}
