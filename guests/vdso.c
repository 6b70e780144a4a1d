/*
 * vdso.c - the vDSO's clocks (kernel_model/vdso.c, docs/kernel.md §9).
 *
 *   vdso calls     clock_gettime, gettimeofday, time and sched_getcpu
 *                  through the C library only, many times: with a vDSO
 *                  none of them is a system call (tests/e2e/vdso_used.sh
 *                  counts them in --strace)
 *   vdso compare   the same clocks through the C library and through
 *                  syscall(2), interleaved: each clock never goes back
 *                  whichever way it is read, and the two agree
 *   vdso print     the values themselves, both ways (the same on every
 *                  run with --seed)
 *
 * The output is the same on Linux and under lstar (e2e compares them).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long ns_of(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static int calls(void)
{
	long long sum = 0;
	for (int i = 0; i < 100; i++) {
		struct timespec t;
		struct timeval tv;
		clock_gettime(CLOCK_MONOTONIC, &t);
		sum += t.tv_nsec & 1;
		clock_gettime(CLOCK_REALTIME, &t);
		gettimeofday(&tv, NULL);
		sum += time(NULL) & 1;
		sum += sched_getcpu();
	}
	printf("vdso: %s, 500 calls made\n", getauxval(AT_SYSINFO_EHDR) ? "present" : "absent");
	return sum < 0;
}

static int compare(void)
{
	static const struct { clockid_t id; const char *name; } clocks[] = {
		{ CLOCK_REALTIME, "REALTIME" }, { CLOCK_MONOTONIC, "MONOTONIC" },
		{ CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW" }, { CLOCK_BOOTTIME, "BOOTTIME" },
		{ CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME" },
	};
	int bad = 0;
	for (unsigned c = 0; c < sizeof(clocks) / sizeof(clocks[0]); c++) {
		long long last = 0, maxgap = 0;
		int back = 0;
		for (int i = 0; i < 200; i++) {
			struct timespec a, b;
			clock_gettime(clocks[c].id, &a);
			syscall(SYS_clock_gettime, clocks[c].id, &b);
			long long x = ns_of(&a), y = ns_of(&b);
			if (x < last || y < x)
				back++;
			if (y - x > maxgap)
				maxgap = y - x;
			last = y;
		}
		/* One loop of the emulator is well under a second of host time. */
		int ok = !back && maxgap < 1000000000LL;
		printf("%-16s %s\n", clocks[c].name, ok ? "monotonic, agrees with the syscall" : "BAD");
		if (!ok)
			fprintf(stderr, "%s: %d steps back, largest gap %lld ns\n", clocks[c].name, back, maxgap);
		bad |= !ok;
	}
	struct timeval tv;
	struct timespec ts;
	long t0 = syscall(SYS_time, NULL);
	gettimeofday(&tv, NULL);
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	long t1 = time(NULL);
	int ok = tv.tv_sec >= t0 && ts.tv_sec * 1000000LL + ts.tv_nsec / 1000 >= tv.tv_sec * 1000000LL + tv.tv_usec &&
		 t1 >= ts.tv_sec && t1 - t0 < 2;
	printf("time/gettimeofday %s\n", ok ? "in order with the syscalls" : "BAD");
	bad |= !ok;
	printf("getcpu           %s\n", sched_getcpu() >= 0 ? "ok" : "BAD");
	return bad;
}

static int print(void)
{
	for (int i = 0; i < 3; i++) {
		struct timespec a, b, c, d;
		clock_gettime(CLOCK_MONOTONIC, &a);
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
		clock_gettime(CLOCK_REALTIME, &c);
		syscall(SYS_clock_gettime, CLOCK_REALTIME, &d);
		printf("monotonic %lld (vdso) %lld (syscall)  realtime %lld (vdso) %lld (syscall)\n",
		       ns_of(&a), ns_of(&b), ns_of(&c), ns_of(&d));
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "print"))
		return print();
	if (argc > 1 && !strcmp(argv[1], "calls"))
		return calls();
	if (argc > 1 && !strcmp(argv[1], "compare"))
		return compare();
	fprintf(stderr, "usage: vdso calls|compare|print\n");
	return 2;
}
