/*
 * threads.c - the two-thread guest of tests/gdb/threads.gdb: main starts
 * a worker with pthread_create and joins it.  Each thread's work is a
 * function of its own (worker_step, main_step), so a breakpoint there
 * stops that thread.  Static musl, built by tests/gdb/CMakeLists.txt.
 */
#include <pthread.h>
#include <stdio.h>

static volatile unsigned long sink;

/* Called only by the worker thread. */
__attribute__((noinline)) void worker_step(unsigned long i)
{
	sink += i * 3;
}

/* Called only by the main thread. */
__attribute__((noinline)) void main_step(unsigned long i)
{
	sink += i;
}

static void *worker(void *arg)
{
	for (unsigned long i = 0; i < 3; i++)
		worker_step(i);
	return arg;
}

int main(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, worker, NULL))
		return 1;
	main_step(1);
	pthread_join(t, NULL);
	main_step(2);
	printf("threads: joined, %lu\n", sink);
	return 0;
}
