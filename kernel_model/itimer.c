/*
 * itimer.c - alarm, setitimer/getitimer (ITIMER_REAL), pause and
 * rt_sigsuspend (mirrors kernel/time/itimer.c, kernel/signal.c's
 * sys_pause/sigsuspend).
 *
 * Each process has one real-time alarm: a CLOCK_MONOTONIC deadline and a
 * reload interval.  The scheduler's timer interrupt (core.c) is armed for
 * the earliest deadline of all processes, and itimer_tick() sends SIGALRM
 * to each process whose time has come, even in the middle of a loop that
 * makes no system call.
 */
#include "sched.h"

#define deadline_ns	(current->signal->real_deadline)
#define interval_ns	(current->signal->real_interval)

/* CLOCK_MONOTONIC as the vDSO and clock_gettime give it (vdso.c). */
u64 now_ns(void)
{
	return timekeeping_mono_ns();
}

/* Whether any process may have an alarm set: the scheduler asks for the
 * next one at every switch, and most of the time there is none. */
static bool alarms_maybe;

void alarms_changed(void)
{
	alarms_maybe = true;
	timer_rearm();
}

/* The earliest alarm or POSIX timer of any process, 0 if none is set. */
u64 itimer_next_deadline(void)
{
	if (!alarms_maybe)
		return 0;
	u64 next = 0;
	for_each_task(t) {
		if (!thread_group_leader(t) || t->state == EXIT_ZOMBIE)
			continue;
		u64 d = t->signal->real_deadline, p = posix_timers_next(t->signal);
		if (p && (!d || p < d))
			d = p;
		if (d && (!next || d < next))
			next = d;
	}
	if (!next)
		alarms_maybe = false;
	return next;
}

/* The timer interrupt: SIGALRM for every process whose alarm is due. */
void itimer_tick(u64 now)
{
	for_each_task(t) {
		struct signal_struct *s = t->signal;
		if (!thread_group_leader(t) || t->state == EXIT_ZOMBIE)
			continue;
		posix_timers_tick(t, now);
		if (!s->real_deadline || s->real_deadline > now)
			continue;
		s->real_deadline = s->real_interval ? now + s->real_interval : 0;
		struct ksiginfo info = { .signo = SIGALRM, .code = 0x80 /* SI_KERNEL */ };
		send_signal_to_task(t, SIGALRM, &info, true);
	}
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
		alarms_maybe |= deadline_ns != 0;
		timer_rearm();
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
	alarms_maybe |= deadline_ns != 0;
	timer_rearm();
	return left;
}

/* Sleep until a signal is delivered (one with a handler, or one that
 * ends the process). */
static long wait_for_signal(void)
{
	static DECLARE_WAIT_QUEUE_HEAD(pause_wait);
	while (!signal_pending(current))
		sleep_on_wq(&pause_wait, "pause", 0, true);
	return -ERESTARTNOHAND;
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
	wait_for_signal();
	return -EINTR;		/* always: the handler ran (Linux's ERESTARTNOHAND) */
}
