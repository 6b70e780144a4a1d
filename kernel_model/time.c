/*
 * time.c - clocks and sleeping (mirrors kernel/time/posix-timers.c,
 * kernel/time/time.c and hrtimer.c's nanosleep).  There is no timer
 * interrupt; the host's clock is read through the device when asked.
 */
#include "mm.h"
#include "fs.h"
#include "signal.h"

static struct timespec kts;

#define CLOCK_PROCESS_CPUTIME_ID	2
#define CLOCK_THREAD_CPUTIME_ID		3

static long read_clock(int which)
{
	/* The CPU-time clocks are the process's own time (cputime.c): one
	 * thread, so the thread's is the process's. */
	if (which == CLOCK_PROCESS_CPUTIME_ID || which == CLOCK_THREAD_CPUTIME_ID) {
		u64 ns = task_cpu_ns();
		kts.tv_sec = ns / 1000000000;
		kts.tv_nsec = ns % 1000000000;
		return 0;
	}
	/* The others are the host's realtime or monotonic clock. */
	return hostcall(HC_CLOCK, which, hc_pa(&kts), 0, 0, 0, 0);
}

SYSCALL_DEFINE2(clock_gettime, int, which, struct timespec __user *, tp)
{
	long err = read_clock(which);
	if (err < 0)
		return err;
	return copy_to_user(tp, &kts, sizeof(kts)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(clock_getres, int, which, struct timespec __user *, tp)
{
	struct timespec res = { 0, 1 };
	if (which < 0 || which > 11)
		return -EINVAL;
	if (tp && copy_to_user(tp, &res, sizeof(res)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(gettimeofday, struct timeval __user *, tv, void __user *, tz)
{
	(void)tz;
	if (!tv)
		return 0;
	long err = read_clock(CLOCK_REALTIME);
	if (err < 0)
		return err;
	struct timeval t = { kts.tv_sec, kts.tv_nsec / 1000 };
	return copy_to_user(tv, &t, sizeof(t)) ? -EFAULT : 0;
}

SYSCALL_DEFINE1(time, long __user *, tloc)
{
	long err = read_clock(CLOCK_REALTIME);
	if (err < 0)
		return err;
	if (tloc && copy_to_user(tloc, &kts.tv_sec, sizeof(long)))
		return -EFAULT;
	return kts.tv_sec;
}

static long do_nanosleep(const struct timespec __user *rqtp)
{
	struct timespec t;
	if (copy_from_user(&t, rqtp, sizeof(t)))
		return -EFAULT;
	if (t.tv_sec < 0 || t.tv_nsec < 0 || t.tv_nsec >= 1000000000)
		return -EINVAL;
	/* An alarm due during the sleep ends it early (itimer.c). */
	return timer_sleep(t.tv_sec * 1000000000ULL + t.tv_nsec) ? -EINTR : 0;
}

SYSCALL_DEFINE2(nanosleep, const struct timespec __user *, rqtp,
		struct timespec __user *, rmtp)
{
	(void)rmtp;
	return do_nanosleep(rqtp);
}

#define TIMER_ABSTIME 1

SYSCALL_DEFINE4(clock_nanosleep, int, which, int, flags,
		const struct timespec __user *, rqtp, struct timespec __user *, rmtp)
{
	(void)rmtp;
	if (flags & TIMER_ABSTIME) {
		struct timespec t;
		if (copy_from_user(&t, rqtp, sizeof(t)))
			return -EFAULT;
		if (read_clock(which) < 0)
			return -EINVAL;
		int64_t ns = (t.tv_sec - kts.tv_sec) * 1000000000LL + (t.tv_nsec - kts.tv_nsec);
		return ns > 0 && timer_sleep(ns) ? -EINTR : 0;
	}
	return do_nanosleep(rqtp);
}
