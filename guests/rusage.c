/* rusage.c - CPU time and memory use as getrusage, times, wait4 and
 * clock_gettime(CLOCK_PROCESS_CPUTIME_ID) report them: non-zero after
 * work, plausible, never going back, consistent with each other, a
 * child's counted for its parent once it is waited for.  Prints relations,
 * so a native run and an lstar run compare; with the argument "values" it
 * prints the numbers instead (lstar run --seed N must print the same
 * numbers every time). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SHOW(what, v) printf("%-48s %ld\n", what, (long)(v))

static long us(struct timeval t)
{
	return t.tv_sec * 1000000L + t.tv_usec;
}

static long cpu_us(int who)
{
	struct rusage r;
	getrusage(who, &r);
	return us(r.ru_utime) + us(r.ru_stime);
}

static volatile unsigned long sink;

/* Spin in user mode until getrusage shows ms milliseconds of user time
 * more than at the start (or 30 s went by: a kernel that counts nothing
 * fails the checks instead of spinning forever). */
static long burn(long ms)
{
	struct rusage r;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	getrusage(RUSAGE_SELF, &r);
	long until = us(r.ru_utime) + ms * 1000, rounds = 0;
	do {
		for (int i = 0; i < 100000; i++)
			sink += i * (sink | 1);
		rounds++;
		getrusage(RUSAGE_SELF, &r);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (us(r.ru_utime) < until && now.tv_sec - start.tv_sec < 30);
	return rounds;
}

static int values;

int main(int argc, char **argv)
{
	values = argc > 1 && !strcmp(argv[1], "values");
	struct rusage r0, r1, r2;
	struct tms t0, t1;
	struct timespec c0, c1;

	getrusage(RUSAGE_SELF, &r0);
	times(&t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	burn(60);
	getrusage(RUSAGE_SELF, &r1);
	times(&t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);

	if (values) {
		printf("utime %ld us, stime %ld us, maxrss %ld kB, minflt %ld\n",
		       us(r1.ru_utime), us(r1.ru_stime), r1.ru_maxrss, r1.ru_minflt);
		printf("times %ld %ld, cputime %ld.%09ld\n", (long)t1.tms_utime,
		       (long)t1.tms_stime, (long)c1.tv_sec, c1.tv_nsec);
	}
	SHOW("ru_utime > 0 after work", us(r1.ru_utime) > 0);
	SHOW("ru_utime grew by >= 60 ms", us(r1.ru_utime) - us(r0.ru_utime) >= 60000);
	SHOW("ru_utime below a minute", us(r1.ru_utime) < 60000000);
	SHOW("ru_stime >= 0 and below utime", us(r1.ru_stime) >= 0 &&
	     us(r1.ru_stime) < us(r1.ru_utime));
	SHOW("ru_maxrss > 0", r1.ru_maxrss > 0);
	SHOW("ru_minflt > 0", r1.ru_minflt > 0);
	SHOW("tms_utime >= 5 ticks", t1.tms_utime - t0.tms_utime >= 5);
	long tick_us = 1000000 / sysconf(_SC_CLK_TCK);
	SHOW("tms_utime matches ru_utime (2 ticks)",
	     labs(t1.tms_utime * tick_us - us(r1.ru_utime)) <= 2 * tick_us);
	long cns = (c1.tv_sec - c0.tv_sec) * 1000000000L + (c1.tv_nsec - c0.tv_nsec);
	SHOW("CPUTIME clock moved with ru (1 ms)",
	     labs(cns / 1000 - ((us(r1.ru_utime) + us(r1.ru_stime)) -
				(us(r0.ru_utime) + us(r0.ru_stime)))) <= 1000);

	/* Monotonic: many reads, never less than the one before. */
	long prev = cpu_us(RUSAGE_SELF), back = 0;
	struct timespec pc = c1, c;
	for (int i = 0; i < 2000; i++) {
		long now = cpu_us(RUSAGE_SELF);
		back += now < prev;
		prev = now;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
		back += c.tv_sec < pc.tv_sec || (c.tv_sec == pc.tv_sec && c.tv_nsec < pc.tv_nsec);
		pc = c;
	}
	SHOW("reads that went back", back);
	SHOW("system calls add system time", (getrusage(RUSAGE_SELF, &r2), us(r2.ru_stime) >= us(r1.ru_stime)));

	/* ru_maxrss follows the memory touched. */
	size_t big = 32 << 20;
	char *p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 7, big);
	getrusage(RUSAGE_SELF, &r2);
	SHOW("ru_maxrss grew by >= 28 of the 32 MiB", r2.ru_maxrss - r1.ru_maxrss >= 28 * 1024);
	SHOW("ru_minflt grew by >= 8192", r2.ru_minflt - r1.ru_minflt >= 8192);
	munmap(p, big);

	/* A child: its own time, given to its parent when waited for. */
	getrusage(RUSAGE_CHILDREN, &r0);
	SHOW("children's time before any child", us(r0.ru_utime) + us(r0.ru_stime));
	fflush(stdout);
	long before = cpu_us(RUSAGE_SELF);
	pid_t c1pid = fork();
	if (c1pid == 0) {
		struct rusage cr;
		getrusage(RUSAGE_SELF, &cr);
		printf("%-48s %ld\n", "child: starts below 10 ms of user time",
		       (long)(us(cr.ru_utime) < 10000));
		burn(40);
		char *q = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		memset(q, 1, 16 << 20);
		fflush(stdout);
		_exit(0);
	}
	struct rusage wr;
	int st;
	wait4(c1pid, &st, 0, &wr);
	SHOW("wait4 rusage: child's utime >= 40 ms", us(wr.ru_utime) >= 40000);
	/* 14 of the 16 MiB: Linux counts RSS in per-CPU batches, so a
	 * native run can see a little less than was touched. */
	SHOW("wait4 rusage: child's maxrss >= 14 MiB", wr.ru_maxrss >= 14 * 1024);
	getrusage(RUSAGE_CHILDREN, &r1);
	SHOW("RUSAGE_CHILDREN has it", us(r1.ru_utime) >= us(wr.ru_utime));
	SHOW("RUSAGE_CHILDREN maxrss", r1.ru_maxrss >= wr.ru_maxrss);
	SHOW("the parent's own time did not take it", cpu_us(RUSAGE_SELF) < before + 20000);
	times(&t1);
	SHOW("tms_cutime >= 4 ticks", t1.tms_cutime >= 4);
	SHOW("getrusage(99)", getrusage(99, &r2));
	return 0;
}
