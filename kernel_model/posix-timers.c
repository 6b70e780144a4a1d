/*
 * posix-timers.c - timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete (mirrors kernel/time/posix-timers.c).
 *
 * A process has up to MAX_POSIX_TIMERS timers.  Each is a deadline on the
 * monotonic clock the scheduler's timer interrupt serves (core.c), with a
 * reload interval; when it expires, the tick (itimer_tick) sends the signal
 * the timer was made with, to the process or, for SIGEV_THREAD_ID, to one
 * thread.  An expiry while the last signal is still pending counts as an
 * overrun, as on Linux.  CLOCK_REALTIME deadlines given with TIMER_ABSTIME
 * are turned into monotonic ones when they are set.
 */
#include "sched.h"

#define SIGEV_SIGNAL	0
#define SIGEV_NONE	1
#define SIGEV_THREAD	2
#define SIGEV_THREAD_ID	4
#define TIMER_ABSTIME	1
#define SI_TIMER	(-2)

struct sigevent_k {		/* struct sigevent, 64 bytes */
	u64 value;
	int signo;
	int notify;
	int tid;		/* SIGEV_THREAD_ID */
	int pad[11];
};

struct itimerspec_k { struct timespec it_interval, it_value; };

static u64 ts_ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000ULL + t->tv_nsec;
}

static struct timespec ns_ts(u64 ns)
{
	return (struct timespec){ ns / 1000000000ULL, ns % 1000000000ULL };
}

static struct k_itimer *timer_of(int id)
{
	if (id < 0 || id >= MAX_POSIX_TIMERS)
		return NULL;
	struct k_itimer *k = &current->signal->posix_timers[id];
	return k->used ? k : NULL;
}

SYSCALL_DEFINE3(timer_create, int, clockid, struct sigevent_k __user *, uev,
		int __user *, created)
{
	struct sigevent_k ev = { .notify = SIGEV_SIGNAL, .signo = SIGALRM };
	if (clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC &&
	    clockid != 7 /* BOOTTIME */ && clockid != 8 && clockid != 9 /* *_ALARM */)
		return -EINVAL;
	if (uev && copy_from_user(&ev, uev, sizeof(ev)))
		return -EFAULT;
	int notify = ev.notify & ~SIGEV_THREAD_ID;
	if (notify != SIGEV_SIGNAL && notify != SIGEV_NONE && ev.notify != SIGEV_THREAD_ID)
		return -EINVAL;
	if (ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > _NSIG))
		return -EINVAL;
	if (ev.notify == SIGEV_THREAD_ID) {
		struct task_struct *t = find_task_by_pid(ev.tid);
		if (!t || t->tgid != THE_PID)
			return -EINVAL;
	}
	int id = -1;
	for (int i = 0; i < MAX_POSIX_TIMERS && id < 0; i++)
		if (!current->signal->posix_timers[i].used)
			id = i;
	if (id < 0)
		return -EAGAIN;
	if (copy_to_user(created, &id, sizeof(id)))
		return -EFAULT;
	current->signal->posix_timers[id] = (struct k_itimer){
		.used = true, .clock = clockid, .notify = ev.notify, .signo = ev.signo,
		.value = uev ? ev.value : (u64)id, .tid = ev.tid,
	};
	return 0;
}

static void get_itimerspec(const struct k_itimer *k, struct itimerspec_k *v)
{
	u64 now = now_ns();
	v->it_interval = ns_ts(k->interval);
	v->it_value = ns_ts(k->deadline > now ? k->deadline - now : (k->deadline ? 1 : 0));
}

SYSCALL_DEFINE4(timer_settime, int, id, int, flags, const struct itimerspec_k __user *, unew,
		struct itimerspec_k __user *, uold)
{
	struct k_itimer *k = timer_of(id);
	struct itimerspec_k n, o;
	if (!k)
		return -EINVAL;
	if (copy_from_user(&n, unew, sizeof(n)))
		return -EFAULT;
	if (n.it_value.tv_nsec < 0 || n.it_value.tv_nsec >= 1000000000 || n.it_value.tv_sec < 0 ||
	    n.it_interval.tv_nsec < 0 || n.it_interval.tv_nsec >= 1000000000 ||
	    n.it_interval.tv_sec < 0)
		return -EINVAL;
	get_itimerspec(k, &o);
	u64 v = ts_ns(&n.it_value), now = now_ns();
	if (!v) {
		k->deadline = 0;
	} else if (flags & TIMER_ABSTIME) {
		/* An absolute time on the timer's clock: as far from now on
		 * the monotonic clock. */
		u64 cnow = k->clock == CLOCK_REALTIME || k->clock == 8 ? timekeeping_real_ns()
								       : timekeeping_mono_ns();
		k->deadline = v > cnow ? now + (v - cnow) : now;
	} else {
		k->deadline = now + v;
	}
	k->interval = ts_ns(&n.it_interval);
	k->overrun = 0;
	if (k->deadline)
		alarms_changed();
	if (uold && copy_to_user(uold, &o, sizeof(o)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(timer_gettime, int, id, struct itimerspec_k __user *, uv)
{
	struct k_itimer *k = timer_of(id);
	struct itimerspec_k v;
	if (!k)
		return -EINVAL;
	get_itimerspec(k, &v);
	return copy_to_user(uv, &v, sizeof(v)) ? -EFAULT : 0;
}

SYSCALL_DEFINE1(timer_getoverrun, int, id)
{
	struct k_itimer *k = timer_of(id);
	return k ? k->last_overrun : -EINVAL;
}

SYSCALL_DEFINE1(timer_delete, int, id)
{
	struct k_itimer *k = timer_of(id);
	if (!k)
		return -EINVAL;
	k->used = false;
	k->deadline = 0;
	return 0;
}

/* The earliest deadline of s's timers, 0 if none is armed. */
u64 posix_timers_next(const struct signal_struct *s)
{
	u64 next = 0;
	for (int i = 0; i < MAX_POSIX_TIMERS; i++) {
		const struct k_itimer *k = &s->posix_timers[i];
		if (k->used && k->deadline && (!next || k->deadline < next))
			next = k->deadline;
	}
	return next;
}

/* The tick: fire the due timers of the process that leader leads. */
void posix_timers_tick(struct task_struct *leader, u64 now)
{
	struct signal_struct *s = leader->signal;
	for (int i = 0; i < MAX_POSIX_TIMERS; i++) {
		struct k_itimer *k = &s->posix_timers[i];
		if (!k->used || !k->deadline || k->deadline > now)
			continue;
		u64 missed = 0;
		if (k->interval) {
			missed = (now - k->deadline) / k->interval;
			k->deadline += (missed + 1) * k->interval;
		} else {
			k->deadline = 0;
		}
		if (k->notify == SIGEV_NONE)
			continue;
		struct task_struct *t = leader;
		if (k->notify == SIGEV_THREAD_ID) {
			t = find_task_by_pid(k->tid);
			if (!t || t->signal != s)
				continue;
		}
		unsigned long bit = 1UL << (k->signo - 1);
		if ((t->pending & bit) && k->signo < 32) {
			k->overrun += 1 + missed;	/* the last one was not taken yet */
			continue;
		}
		k->last_overrun = k->overrun + (int)missed;
		k->overrun = 0;
		struct ksiginfo info = { .signo = k->signo, .code = SI_TIMER, .timerid = i,
					 .overrun = k->last_overrun, .value = k->value };
		send_signal_to_task(t, k->signo, &info, k->notify != SIGEV_THREAD_ID);
	}
}
