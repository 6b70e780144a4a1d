/*
 * vclock_gettime.c - the vDSO's clocks (mirrors arch/x86/entry/vdso/
 * vclock_gettime.c and lib/vdso/gettimeofday.c): clock_gettime,
 * gettimeofday, time and clock_getres computed in user mode from RDTSC and
 * the vvar page the kernel keeps (datapage.h), so that these calls never
 * execute SYSCALL.  A clock the page does not describe goes to the real
 * system call, as Linux's vDSO does.
 *
 * Built -fPIC and linked by vdso.lds into a small shared object with no
 * relocations: the vvar page is reached PC-relative (it sits one page
 * below the image, wherever the kernel maps the two).
 */
#include "datapage.h"

typedef uint64_t u64;

struct timespec { long tv_sec, tv_nsec; };
struct timeval { long tv_sec, tv_usec; };
struct timezone { int tz_minuteswest, tz_dsttime; };

#define NSEC_PER_SEC	1000000000ULL
#define __NR_gettimeofday	96
#define __NR_time		201
#define __NR_clock_gettime	228
#define __NR_clock_getres	229

extern const struct vdso_data vvar_page __attribute__((visibility("hidden")));

static inline long syscall2(long nr, long a, long b)
{
	long ret;
	asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

static inline u64 rdtsc_ordered(void)
{
	uint32_t lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return lo | (u64)hi << 32;
}

/* Nanoseconds of clock `clk` now; false when the page has no time. */
static int do_hres(int clk, u64 *sec, u64 *nsec)
{
	const struct vdso_data *vd = &vvar_page;
	uint32_t seq;
	u64 s, ns;
	do {
		seq = vd->seq;
		asm volatile("" ::: "memory");
		if (seq & 1)
			continue;	/* the kernel is writing it */
		if (vd->clock_mode != VDSO_CLOCK_MODE_TSC)
			return 0;
		u64 now = rdtsc_ordered(), last = vd->cycle_last;
		u64 delta = now > last ? now - last : 0;
		unsigned __int128 t = (unsigned __int128)delta * vd->mult + vd->basetime[clk].nsec;
		ns = (u64)(t >> vd->shift);
		s = vd->basetime[clk].sec;
		asm volatile("" ::: "memory");
	} while ((seq & 1) || seq != vd->seq);
	*sec = s + ns / NSEC_PER_SEC;
	*nsec = ns % NSEC_PER_SEC;
	return 1;
}

int __vdso_clock_gettime(int clk, struct timespec *ts)
{
	u64 s, ns;
	if (clk >= 0 && clk < VDSO_CLOCKS && (VDSO_HRES_MASK >> clk & 1) && do_hres(clk, &s, &ns)) {
		ts->tv_sec = (long)s;
		ts->tv_nsec = (long)ns;
		return 0;
	}
	return (int)syscall2(__NR_clock_gettime, clk, (long)ts);
}

int __vdso_gettimeofday(struct timeval *tv, struct timezone *tz)
{
	u64 s, ns;
	if (tv) {
		if (!do_hres(0, &s, &ns))
			return (int)syscall2(__NR_gettimeofday, (long)tv, (long)tz);
		tv->tv_sec = (long)s;
		tv->tv_usec = (long)(ns / 1000);
	}
	if (tz) {
		tz->tz_minuteswest = vvar_page.tz_minuteswest;
		tz->tz_dsttime = vvar_page.tz_dsttime;
	}
	return 0;
}

/* Linux's reads the last tick's second; with no regular tick here the
 * second is computed like clock_gettime's. */
long __vdso_time(long *t)
{
	u64 s, ns;
	if (!do_hres(0, &s, &ns))
		return syscall2(__NR_time, (long)t, 0);
	if (t)
		*t = (long)s;
	return (long)s;
}

/* Every clock the page describes counts in nanoseconds, as the system
 * call says. */
int __vdso_clock_getres(int clk, struct timespec *res)
{
	if (clk >= 0 && clk < VDSO_CLOCKS && (VDSO_HRES_MASK >> clk & 1) &&
	    vvar_page.clock_mode == VDSO_CLOCK_MODE_TSC) {
		if (res) {
			res->tv_sec = 0;
			res->tv_nsec = 1;
		}
		return 0;
	}
	return (int)syscall2(__NR_clock_getres, clk, (long)res);
}

int clock_gettime(int, struct timespec *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval *, struct timezone *) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long *) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, struct timespec *) __attribute__((weak, alias("__vdso_clock_getres")));
