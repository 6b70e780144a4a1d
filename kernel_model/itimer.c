/*
 * itimer.c - alarm, setitimer/getitimer (ITIMER_REAL), pause and
 * rt_sigsuspend (mirrors kernel/time/itimer.c, kernel/signal.c's
 * sys_pause/sigsuspend).
 *
 * The machine has no timer interrupt, so a timer cannot interrupt code
 * that is computing.  The deadline is checked on the way out of every
 * system call (timer_check, called from do_syscall_64), and the calls that
 * wait (nanosleep, pause, sigsuspend) sleep only until the deadline.  So
 * SIGALRM arrives at the first system call after it is due, and a sleep
 * that the alarm cuts short returns -EINTR, as on Linux.
 */
#include "mm.h"
#include "fs.h"
#include "signal.h"

static u64 deadline_ns;		/* CLOCK_MONOTONIC time of the next SIGALRM; 0 = none */
static u64 interval_ns;		/* it_interval: reload value, 0 = one-shot */

u64 now_ns(void)
{
	static struct timespec t;
	hostcall(HC_CLOCK, CLOCK_MONOTONIC, hc_pa(&t), 0, 0, 0, 0);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

/* Fire SIGALRM if it is due.  Returns true if it fired. */
bool timer_check(void)
{
	if (!deadline_ns || now_ns() < deadline_ns)
		return false;
	deadline_ns = interval_ns ? now_ns() + interval_ns : 0;
	send_sig_self(SIGALRM, 0x80 /* SI_KERNEL */);
	return true;
}

/* Sleep up to ns nanoseconds, or less if the alarm is due first.
 * Returns true if the alarm cut the sleep short (and fired). */
bool timer_sleep(u64 ns)
{
	if (deadline_ns) {
		u64 now = now_ns();
		if (deadline_ns <= now)
			return timer_check();
		if (deadline_ns - now <= ns) {
			hostcall(HC_NANOSLEEP, deadline_ns - now, 0, 0, 0, 0, 0);
			return timer_check();
		}
	}
	if (ns)
		hostcall(HC_NANOSLEEP, ns, 0, 0, 0, 0, 0);
	return false;
}

/* fork.c: a child starts without the parent's timer, which waits. */
void timer_save(u64 *saved)
{
	saved[0] = deadline_ns;
	saved[1] = interval_ns;
	deadline_ns = interval_ns = 0;
}

void timer_restore(const u64 *saved)
{
	deadline_ns = saved[0];
	interval_ns = saved[1];
}

struct itimerval { struct timeval it_interval, it_value; };

static u64 tv_ns(const struct timeval *tv)
{
	return tv->tv_sec * 1000000000ULL + tv->tv_usec * 1000ULL;
}

static struct timeval ns_tv(u64 ns)
{
	return (struct timeval){ ns / 1000000000ULL, (ns % 1000000000ULL) / 1000 };
}

static void current_itimer(struct itimerval *v)
{
	u64 now = now_ns();
	v->it_interval = ns_tv(interval_ns);
	v->it_value = ns_tv(deadline_ns > now ? deadline_ns - now : (deadline_ns ? 1000 : 0));
}

#define ITIMER_REAL 0

SYSCALL_DEFINE2(getitimer, int, which, struct itimerval __user *, value)
{
	struct itimerval v;
	if (which != ITIMER_REAL)
		return -EINVAL;	/* VIRTUAL and PROF need CPU-time accounting */
	current_itimer(&v);
	return copy_to_user(value, &v, sizeof(v)) ? -EFAULT : 0;
}

SYSCALL_DEFINE3(setitimer, int, which, const struct itimerval __user *, value,
		struct itimerval __user *, ovalue)
{
	struct itimerval n, o;
	if (which != ITIMER_REAL)
		return -EINVAL;
	if (value && copy_from_user(&n, value, sizeof(n)))
		return -EFAULT;
	current_itimer(&o);
	if (ovalue && copy_to_user(ovalue, &o, sizeof(o)))
		return -EFAULT;
	if (value) {
		u64 v = tv_ns(&n.it_value);
		deadline_ns = v ? now_ns() + v : 0;
		interval_ns = tv_ns(&n.it_interval);
	}
	return 0;
}

SYSCALL_DEFINE1(alarm, unsigned int, seconds)
{
	u64 now = now_ns();
	/* The old alarm's remaining seconds, rounded up as Linux does. */
	long left = deadline_ns > now ? (long)((deadline_ns - now + 999999999ULL) / 1000000000ULL) : 0;
	deadline_ns = seconds ? now + seconds * 1000000000ULL : 0;
	interval_ns = 0;
	return left;
}

/* Wait for a signal: only the alarm can bring one.  With no alarm set,
 * nothing ever could, and waiting would hang the machine: -EINTR at once. */
static long wait_for_signal(void)
{
	if (deadline_ns) {
		u64 now = now_ns();
		if (deadline_ns > now)
			hostcall(HC_NANOSLEEP, deadline_ns - now, 0, 0, 0, 0, 0);
		timer_check();
	}
	return -EINTR;
}

SYSCALL_DEFINE0(pause)
{
	return wait_for_signal();
}

/* The handler must run with the temporary mask, and the old mask must come
 * back when it returns: the frame records it (signal_64.c). */
SYSCALL_DEFINE2(rt_sigsuspend, const unsigned long __user *, unewset, unsigned long, sigsetsize)
{
	unsigned long mask;
	if (sigsetsize != sizeof(unsigned long))
		return -EINVAL;
	if (copy_from_user(&mask, unewset, sizeof(mask)))
		return -EFAULT;
	saved_sigmask = sig_blocked;
	saved_sigmask_valid = true;
	set_current_blocked(mask);
	return wait_for_signal();
}
