/*
 * signals.c - signal handlers: raise() into a handler, a handler's own
 * signal blocked while it runs, sa_mask, SA_RESETHAND, SIGSEGV caught and
 * left with siglongjmp, SIGFPE with siginfo, a handler on an alternate
 * stack, SIGPIPE, and registers/FPU state intact after a handler.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t hits, nested_blocked;
static sigjmp_buf env;
static char altstack[64 * 1024];

static void on_usr1(int sig)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	nested_blocked = sigismember(&cur, SIGUSR1) && sigismember(&cur, SIGUSR2);
	hits++;
	(void)sig;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	printf("caught %d, si_code %d, si_addr %p\n", sig, si->si_code, si->si_addr);
	siglongjmp(env, 1);
}

static void on_fpe(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	printf("caught %d (SIGFPE), si_code %d\n", sig, si->si_code);
	siglongjmp(env, 2);
}

static void on_alt(int sig)
{
	char here;
	printf("on the alternate stack: %d\n",
	       &here >= altstack && &here < altstack + sizeof(altstack));
	(void)sig;
}

static void on_pipe(int sig)
{
	printf("caught SIGPIPE %d\n", sig);
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));

	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	volatile double x = 1.5;
	raise(SIGUSR1);
	raise(SIGUSR1);
	printf("handler ran %d times, own signal and sa_mask blocked inside: %d\n",
	       hits, nested_blocked);
	printf("floating point intact: %.2f\n", x * 2);

	/* Blocked: stays pending, runs at unblock. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	sigset_t pend;
	sigpending(&pend);
	printf("pending while blocked: %d, hits %d\n", sigismember(&pend, SIGUSR1), hits);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	printf("after unblock: hits %d\n", hits);

	/* SA_RESETHAND: one shot, then the default (ignore for SIGWINCH). */
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGWINCH, &sa, NULL);
	raise(SIGWINCH);
	raise(SIGWINCH);
	printf("one-shot: hits %d\n", hits);

	/* Faults with SA_SIGINFO handlers, left with siglongjmp. */
	sa.sa_flags = SA_SIGINFO;
	sa.sa_sigaction = on_segv;
	sigaction(SIGSEGV, &sa, NULL);
	if (sigsetjmp(env, 1) == 0)
		*(volatile int *)16 = 1;
	printf("back from SIGSEGV\n");
	sa.sa_sigaction = on_fpe;
	sigaction(SIGFPE, &sa, NULL);
	if (sigsetjmp(env, 1) == 0)
		__asm__ volatile("xorl %%ecx, %%ecx; divl %%ecx" : : : "eax", "ecx", "edx");
	printf("back from SIGFPE\n");

	/* An alternate signal stack. */
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	sigaltstack(&ss, NULL);
	sa.sa_flags = SA_ONSTACK;
	sa.sa_handler = on_alt;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);

	/* SIGPIPE handled: write fails with EPIPE instead of killing. */
	int fds[2];
	pipe(fds);
	close(fds[0]);
	sa.sa_flags = 0;
	sa.sa_handler = on_pipe;
	sigaction(SIGPIPE, &sa, NULL);
	printf("write to closed pipe: %zd\n", write(fds[1], "x", 1));

	/* Unhandled at the end: the default action kills with 128 + 15. */
	fflush(stdout);
	signal(SIGTERM, SIG_DFL);
	raise(SIGTERM);
	return 0;
}
