/*
 * cputime.c - the CPU time and resource usage of processes: user and
 * system time, page faults, the largest resident set (mirrors
 * kernel/sched/cputime.c, and getrusage and times from kernel/sys.c).
 *
 * The clock is the CPU's own: lstar's TSC counts four ticks per retired
 * instruction (docs/cpu.md), so time here is instructions, one nanosecond
 * each, exactly as the clocks of `lstar run --seed` count, and every run
 * of a program reports the same times.  The kernel reads the TSC when it
 * is entered from user mode (a system call, an exception) and when it
 * goes back: what passed in between is system time, the rest user time.
 * That is two RDTSCs a system call.  The few entry and exit instructions
 * outside the C code count as user time.  Time a request spends on the
 * host's side of the host-call device retires no guest instruction and
 * counts as nothing.
 *
 * A child's times start at zero; when its parent waits for it, they are
 * added to the parent's children's times (cutime, cstime), as on Linux.
 */
#include "sched.h"
#include "mm.h"
#include "signal.h"
#include "processor.h"

#define TSC_PER_NS	4	/* lstar: 4 TSC ticks per instruction, 1 ns each */
#define USER_HZ		100	/* the clock ticks of times() and /proc/self/stat */
#define NS_PER_TICK	(1000000000UL / USER_HZ)

static u64 last_tsc;		/* the TSC at the last user/kernel crossing */
static u64 boot_time_ns;	/* the monotonic clock at boot */

u64 boot_ns(void)
{
	return boot_time_ns;
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

void cputime_init(void)
{
	boot_time_ns = now_ns();
	last_tsc = rdtsc();
}

/* Entering the kernel from user mode: the time since the last crossing
 * was the program's own. */
void account_user_time(void)
{
	u64 now = rdtsc();
	current_cputime.utime += now - last_tsc;
	last_tsc = now;
}

/* Going back to user mode (or reading the times): kernel time. */
void account_system_time(void)
{
	u64 now = rdtsc();
	current_cputime.stime += now - last_tsc;
	last_tsc = now;
}

/* A child ended: its totals, with those of its own waited-for children
 * (Linux's wait4 reports both), for its parent to collect. */
void cputime_exit(struct task_usage *u)
{
	account_system_time();
	u->utime = current_cputime.utime + current_cputime.cutime;
	u->stime = current_cputime.stime + current_cputime.cstime;
	u->min_flt = current_cputime.min_flt + current_cputime.cmin_flt;
	u->maxrss = MAX(MAX(init_mm.hiwater_rss, init_mm.rss), current_cputime.cmaxrss);
}

/* wait4 reaped a child: its usage joins the children's. */
void cputime_reap(const struct task_usage *u)
{
	current_cputime.cutime += u->utime;
	current_cputime.cstime += u->stime;
	current_cputime.cmin_flt += u->min_flt;
	current_cputime.cmaxrss = MAX(current_cputime.cmaxrss, u->maxrss);
}

static u64 tsc_to_ns(u64 tsc)
{
	return tsc / TSC_PER_NS;
}

u64 task_cpu_ns(void)
{
	account_system_time();
	return tsc_to_ns(current_cputime.utime + current_cputime.stime);
}

void task_times(struct task_times *t)
{
	account_system_time();
	t->utime_ticks = tsc_to_ns(current_cputime.utime) / NS_PER_TICK;
	t->stime_ticks = tsc_to_ns(current_cputime.stime) / NS_PER_TICK;
	t->cutime_ticks = tsc_to_ns(current_cputime.cutime) / NS_PER_TICK;
	t->cstime_ticks = tsc_to_ns(current_cputime.cstime) / NS_PER_TICK;
	t->min_flt = current_cputime.min_flt;
	t->cmin_flt = current_cputime.cmin_flt;
	t->start_ticks = current_cputime.start_ns / NS_PER_TICK;
}

/* struct rusage (include/uapi/linux/resource.h): 144 bytes. */
struct rusage_k {
	struct timeval ru_utime, ru_stime;
	long ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ru_nswap,
	     ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals, ru_nvcsw, ru_nivcsw;
};

static struct timeval tv(u64 tsc)
{
	u64 ns = tsc_to_ns(tsc);
	return (struct timeval){ ns / 1000000000, (ns % 1000000000) / 1000 };
}

static long put_rusage(void __user *ru, u64 utime, u64 stime, u64 min_flt, u64 maxrss)
{
	struct rusage_k r;
	memset(&r, 0, sizeof(r));
	r.ru_utime = tv(utime);
	r.ru_stime = tv(stime);
	r.ru_maxrss = maxrss << (PAGE_SHIFT - 10);	/* kilobytes */
	r.ru_minflt = min_flt;
	return copy_to_user(ru, &r, sizeof(r)) ? -EFAULT : 0;
}

/* wait4's rusage: the reaped child's. */
long put_child_rusage(void __user *ru, const struct task_usage *u)
{
	return put_rusage(ru, u->utime, u->stime, u->min_flt, u->maxrss);
}

#define RUSAGE_SELF	0
#define RUSAGE_CHILDREN	(-1)
#define RUSAGE_THREAD	1

SYSCALL_DEFINE2(getrusage, int, who, void __user *, ru)
{
	const struct task_cputime *c = &current_cputime;
	account_system_time();
	switch (who) {
	case RUSAGE_SELF:
	case RUSAGE_THREAD:	/* one thread: the same */
		return put_rusage(ru, c->utime, c->stime, c->min_flt,
				  MAX(init_mm.hiwater_rss, init_mm.rss));
	case RUSAGE_CHILDREN:
		return put_rusage(ru, c->cutime, c->cstime, c->cmin_flt, c->cmaxrss);
	default:
		return -EINVAL;
	}
}

struct tms {
	long tms_utime, tms_stime, tms_cutime, tms_cstime;
};

/* times: the same times in USER_HZ ticks; returns the ticks since boot. */
SYSCALL_DEFINE1(times, struct tms __user *, tbuf)
{
	struct task_times t;
	task_times(&t);
	if (tbuf) {
		struct tms k = { t.utime_ticks, t.stime_ticks, t.cutime_ticks, t.cstime_ticks };
		if (copy_to_user(tbuf, &k, sizeof(k)))
			return -EFAULT;
	}
	return (now_ns() - boot_time_ns) / NS_PER_TICK;
}
