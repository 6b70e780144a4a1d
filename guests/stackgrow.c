/* stackgrow.c - the main stack grows on demand within RLIMIT_STACK: the
 * limit the program starts with is its parent's (ulimit -s), deep
 * recursion works up to it, raising it with setrlimit lets the stack
 * grow further at once, and going past it is SIGSEGV (caught on an
 * alternate stack).  Compared with a native run. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Use about kib KiB of stack: one KiB per frame, touched. */
static __attribute__((noinline)) int deep(int kib)
{
	volatile char frame[1000];
	memset((char *)frame, kib & 0xff, sizeof(frame));
	if (kib <= 1)
		return frame[10];
	return deep(kib - 1) + frame[kib % 1000] - (kib & 0xff);
}

static void on_segv(int sig)
{
	static const char msg[] = "SIGSEGV on the alternate stack\n";
	write(1, msg, sizeof(msg) - 1);
	_exit(sig);
}

/* In a child: recurse kib KiB deep; "ok" or how it died. */
static void try_depth(const char *what, int kib, long limit)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (limit) {
			struct rlimit rl;
			getrlimit(RLIMIT_STACK, &rl);
			rl.rlim_cur = limit;
			if (setrlimit(RLIMIT_STACK, &rl))
				perror("setrlimit");
		}
		static char alt[65536];
		stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt) };
		sigaltstack(&ss, NULL);
		struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_ONSTACK };
		sigaction(SIGSEGV, &sa, NULL);
		deep(kib);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("%s: %s\n", what, WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok"
	       : WIFEXITED(st) ? "exit with a signal number" : "killed");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	getrlimit(RLIMIT_STACK, &rl);
	if (rl.rlim_cur == RLIM_INFINITY)
		printf("stack limit: unlimited\n");
	else
		printf("stack limit: %lu KiB\n", (unsigned long)rl.rlim_cur / 1024);
	fflush(stdout);
	if (argc > 1)
		return 0;	/* only the limit (for ulimit -s checks) */
	try_depth("6 MiB under 8 MiB", 6 * 1024, 8L << 20);
	try_depth("12 MiB under 8 MiB", 12 * 1024, 8L << 20);
	try_depth("12 MiB after raising to 32 MiB", 12 * 1024, 32L << 20);
	try_depth("2 MiB under 1 MiB", 2 * 1024, 1L << 20);
	return 0;
}
