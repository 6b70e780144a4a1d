/*
 * pingpong.c - the cost of handing the CPU from one task to another and
 * back (bench/switch_bench.sh, docs/performance.md).
 *
 *   pingpong pipe N    two processes send a byte back and forth over two
 *                      pipes N times: each round is two blocking reads,
 *                      two writes and two context switches
 *   pingpong futex N   two threads of one process take turns through a
 *                      futex word N times: FUTEX_WAIT / FUTEX_WAKE, two
 *                      switches a round, no address-space change
 *
 * Prints the number of rounds; asserts nothing about time.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* <linux/futex.h> is not among musl's headers: the two commands used. */
#define FUTEX_WAIT_PRIVATE	128
#define FUTEX_WAKE_PRIVATE	129

static long rounds;
static _Atomic int turn;	/* 0: main's turn, 1: the other thread's */

static void futex_wait(_Atomic int *w, int val)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic int *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *other(void *arg)
{
	(void)arg;
	for (long i = 0; i < rounds; i++) {
		while (atomic_load(&turn) != 1)
			futex_wait(&turn, 0);
		atomic_store(&turn, 0);
		futex_wake(&turn);
	}
	return NULL;
}

static int run_futex(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, other, NULL))
		return 1;
	for (long i = 0; i < rounds; i++) {
		atomic_store(&turn, 1);
		futex_wake(&turn);
		while (atomic_load(&turn) != 0)
			futex_wait(&turn, 1);
	}
	pthread_join(t, NULL);
	return 0;
}

static int run_pipe(void)
{
	int a[2], b[2];
	char c = 'x';
	if (pipe(a) || pipe(b))
		return 1;
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		for (long i = 0; i < rounds; i++)
			if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	for (long i = 0; i < rounds; i++)
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			return 1;
	int st;
	waitpid(pid, &st, 0);
	return !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "pipe") && strcmp(argv[1], "futex"))) {
		fprintf(stderr, "usage: pingpong pipe|futex ROUNDS\n");
		return 2;
	}
	rounds = atol(argv[2]);
	int r = strcmp(argv[1], "pipe") ? run_futex() : run_pipe();
	printf("%s: %ld rounds\n", argv[1], rounds);
	return r;
}
