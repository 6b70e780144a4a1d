/*
 * sched_demo.c - two tasks to watch the scheduler with (docs/kernel.md
 * §7 and exercises 7 and 8; scripts/sched_walkthrough.sh traces it):
 *
 *   sched_demo pipe        a child writes a line into a pipe, its parent
 *                          reads it: the read blocks, the child runs
 *   sched_demo spin N      parent and child each count down from N in a
 *                          loop without system calls; only the timer
 *                          interrupt takes the CPU from one to the other
 *   sched_demo threads N   the same with two threads of one process
 *   sched_demo sleep       one task sleeps 1 ms: only the idle task is left
 *   sched_demo deadlock    a child reads a pipe that only its parent could
 *                          write, the parent waits for the child: nothing
 *                          can happen any more (the kernel says so, 125)
 *
 * The counting loops are two instructions a step (dec, jnz), in functions
 * of their own, so that a trace tells by the symbol which task runs:
 * spin_parent/spin_child, spin_main/spin_thread.
 *
 * Before fork and pthread_create the program yields once, so that its
 * time slice starts there and the slices in the traces of docs/kernel.md
 * fall at round instruction counts.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COUNT(n) asm volatile("1: dec %0\n\tjnz 1b" : "+r"(n) : : "cc")

__attribute__((noinline)) void spin_parent(unsigned long n) { COUNT(n); }
__attribute__((noinline)) void spin_child(unsigned long n) { COUNT(n); }
__attribute__((noinline)) void spin_main(unsigned long n) { COUNT(n); }
__attribute__((noinline)) void spin_thread(unsigned long n) { COUNT(n); }

static unsigned long steps;

static void *thread_body(void *arg)
{
	(void)arg;
	spin_thread(steps);
	return NULL;
}

static int pipe_demo(void)
{
	static const char msg[] = "a line through the pipe\n";
	char buf[64];
	int fd[2];
	if (pipe(fd))
		return 1;
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(fd[0]);
		write(fd[1], msg, sizeof(msg) - 1);
		_exit(0);
	}
	close(fd[1]);
	ssize_t n = read(fd[0], buf, sizeof(buf));	/* empty: sleeps */
	if (n > 0)
		write(1, buf, n);
	int st;
	waitpid(pid, &st, 0);
	return !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int spin_demo(void)
{
	sched_yield();
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		spin_child(steps);
		_exit(0);
	}
	spin_parent(steps);
	int st;
	waitpid(pid, &st, 0);
	printf("parent and child counted %lu steps each\n", steps);
	return !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int threads_demo(void)
{
	pthread_t t;
	sched_yield();
	if (pthread_create(&t, NULL, thread_body, NULL))
		return 1;
	spin_main(steps);
	pthread_join(t, NULL);
	printf("two threads counted %lu steps each\n", steps);
	return 0;
}

static int sleep_demo(void)
{
	struct timespec ts = { 0, 1000000 };
	nanosleep(&ts, NULL);
	printf("slept 1 ms\n");
	return 0;
}

static int deadlock_demo(void)
{
	int fd[2];
	char c;
	if (pipe(fd))
		return 1;
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		read(fd[0], &c, 1);	/* the parent still holds the write end */
		_exit(0);
	}
	waitpid(pid, NULL, 0);		/* never returns */
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "pipe";
	steps = argc > 2 ? strtoul(argv[2], NULL, 0) : 10000000;
	if (!steps)
		steps = 1;
	if (!strcmp(mode, "pipe"))
		return pipe_demo();
	if (!strcmp(mode, "spin"))
		return spin_demo();
	if (!strcmp(mode, "threads"))
		return threads_demo();
	if (!strcmp(mode, "sleep"))
		return sleep_demo();
	if (!strcmp(mode, "deadlock"))
		return deadlock_demo();
	fprintf(stderr, "usage: sched_demo pipe | spin N | threads N | sleep | deadlock\n");
	return 2;
}
