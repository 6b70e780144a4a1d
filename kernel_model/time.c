/*
 * time.c - clocks and sleeping (mirrors kernel/time/posix-timers.c,
 * kernel/time/time.c and hrtimer.c's nanosleep).  The clocks are the
 * host-call device's, read when asked; the ones the vDSO also answers go
 * through vdso.c's timekeeping, which publishes what it read to the vDSO.
 * Programs whose C library finds the vDSO (AT_SYSINFO_EHDR) never make
 * these calls for clock_gettime, gettimeofday or time.
 */
#include "sched.h"
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
	/* The clocks the vDSO computes come from the time it was just given
	 * (vdso.c), so that both agree and neither goes back. */
	u64 ns;
	if (timekeeping_read(which, &ns)) {
		kts.tv_sec = ns / 1000000000;
		kts.tv_nsec = ns % 1000000000;
		return 0;
	}
	/* The others are the host-call device's. */
	return hostcall(LSTAR_HC_CLOCK, which, hc_pa(&kts), 0, 0, 0, 0);
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

/*
 * Sleep until the CLOCK_MONOTONIC time `until` (hrtimer_nanosleep).  A
 * signal with a handler ends the sleep early: -EINTR, and what was left
 * goes to rmtp when there is one.
 */
static long do_nanosleep_until(u64 until, struct timespec __user *rmtp)
{
	static DECLARE_WAIT_QUEUE_HEAD(nanosleep_wait);
	for (;;) {
		int r = sleep_on_wq(&nanosleep_wait, "hrtimer_nanosleep", until, true);
		if (r == -ETIMEDOUT)
			return 0;
		u64 now = now_ns();
		if (now >= until)
			return 0;
		if (r == -ERESTARTSYS) {
			if (rmtp) {
				u64 left = until - now;
				struct timespec rem = { left / 1000000000ULL, left % 1000000000ULL };
				if (copy_to_user(rmtp, &rem, sizeof(rem)))
					return -EFAULT;
			}
			return -EINTR;
		}
	}
}

static long get_timespec_ns(const struct timespec __user *rqtp, u64 *ns)
{
	struct timespec t;
	if (copy_from_user(&t, rqtp, sizeof(t)))
		return -EFAULT;
	if (t.tv_sec < 0 || t.tv_nsec < 0 || t.tv_nsec >= 1000000000)
		return -EINVAL;
	*ns = t.tv_sec * 1000000000ULL + t.tv_nsec;
	return 0;
}

SYSCALL_DEFINE2(nanosleep, const struct timespec __user *, rqtp,
		struct timespec __user *, rmtp)
{
	u64 ns;
	long err = get_timespec_ns(rqtp, &ns);
	if (err)
		return err;
	if (!ns)
		return 0;
	return do_nanosleep_until(now_ns() + ns, rmtp);
}

#define TIMER_ABSTIME 1

SYSCALL_DEFINE4(clock_nanosleep, int, which, int, flags,
		const struct timespec __user *, rqtp, struct timespec __user *, rmtp)
{
	u64 ns;
	if (which == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	long err = get_timespec_ns(rqtp, &ns);
	if (err)
		return err;
	if (read_clock(which) < 0)
		return -EINVAL;
	u64 now = kts.tv_sec * 1000000000ULL + kts.tv_nsec;
	if (flags & TIMER_ABSTIME) {
		/* A deadline on `which`: the same distance from now on the
		 * monotonic clock the timer uses. */
		if (ns <= now)
			return 0;
		return do_nanosleep_until(now_ns() + (ns - now), NULL);
	}
	if (!ns)
		return 0;
	return do_nanosleep_until(now_ns() + ns, rmtp);
}
