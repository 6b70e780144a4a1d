/*
 * Tasks for the strace view (tests/trace strace_tasks and the --tasks
 * comparison with strace -f): a thread that writes and ends, a child
 * process killed by its parent while it waits in pause(), and a thread
 * still blocked in read() when the process ends with exit(3).
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int p[2];

static void *writer(void *a)
{
	write(1, "thread\n", 7);
	return a;
}

static void *reader(void *a)
{
	char c;
	read(p[0], &c, 1);   /* nobody writes: blocked until the end */
	return a;
}

int main(void)
{
	pthread_t t;
	int ready[2], st;
	char c;
	pipe(p);
	pipe(ready);
	pthread_create(&t, NULL, writer, NULL);
	pthread_join(t, NULL);
	pid_t child = fork();
	if (child == 0) {
		write(ready[1], "r", 1);
		pause();
		_exit(1);
	}
	read(ready[0], &c, 1);   /* the child is about to pause */
	struct timespec ms = { 0, 100 * 1000 * 1000 };   /* plenty, even on a busy host */
	nanosleep(&ms, NULL);
	kill(child, SIGTERM);
	waitpid(child, &st, 0);
	pthread_create(&t, NULL, reader, NULL);
	nanosleep(&ms, NULL);    /* the thread gets to its read */
	exit(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM ? 3 : 1);
}
