/*
 * sys.c - identity and limits: uname, the get*id family, process groups,
 * rlimits, sysinfo, getrandom, sched_* (mirrors kernel/sys.c,
 * kernel/sched/core.c and drivers/char/random.c's syscall; getrusage and
 * times are in cputime.c).
 *
 * The first process does not get pid 1, because programs treat pid 1
 * specially (it is init); it gets an ordinary-looking pid, INIT_PID, which
 * is also the process group and session of every later (forked) process.
 */
#include "sched.h"
#include "mm.h"
#include "fs.h"
#include "signal.h"

SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)
{
	static struct new_utsname u;
	strncpy_pad(u.sysname, "Linux", sizeof(u.sysname));
	strncpy_pad(u.nodename, "lstar", sizeof(u.nodename));
	/* A release new enough that C libraries take their modern paths. */
	strncpy_pad(u.release, "6.1.0-lstar", sizeof(u.release));
	strncpy_pad(u.version, "#1 lstar kernel_model", sizeof(u.version));
	strncpy_pad(u.machine, "x86_64", sizeof(u.machine));
	strncpy_pad(u.domainname, "(none)", sizeof(u.domainname));
	return copy_to_user(name, &u, sizeof(u)) ? -EFAULT : 0;
}

SYSCALL_DEFINE0(getpid) { return THE_PID; }
SYSCALL_DEFINE0(gettid) { return current->pid; }
SYSCALL_DEFINE0(getppid) { return parent_pid(); }
SYSCALL_DEFINE0(getuid) { return boot_info.uid; }
SYSCALL_DEFINE0(geteuid) { return boot_info.uid; }
SYSCALL_DEFINE0(getgid) { return boot_info.gid; }
SYSCALL_DEFINE0(getegid) { return boot_info.gid; }

/*
 * Process groups and sessions (kernel/sys.c).  The first process leads its
 * own group and session, which has the terminal (tty_io.c).  A child
 * inherits both; setpgid and setsid change them with Linux's rules, among
 * the processes that exist: the running one and the parents waiting in
 * fork() (a child has always ended by the time its parent runs again).
 */

SYSCALL_DEFINE0(getpgrp) { return current_ids.pgrp; }

static struct task_ids *ids_of(int pid)
{
	if (pid == 0)
		return &current_ids;
	if (pid < 0)
		return NULL;
	return task_ids(pid);
}

SYSCALL_DEFINE1(getpgid, int, pid)
{
	struct task_ids *t = ids_of(pid);
	return t ? t->pgrp : -ESRCH;
}

SYSCALL_DEFINE1(getsid, int, pid)
{
	struct task_ids *t = ids_of(pid);
	return t ? t->sid : -ESRCH;
}

int pgrp_session(int pgrp)
{
	return task_pgrp_session(pgrp);
}

/* setpgid(pid, pgid): pid is the caller or one of its children that has
 * not called execve yet (Linux's rule; this kernel does not track the
 * exec, so any child), in the caller's session. */
SYSCALL_DEFINE2(setpgid, int, pid, int, pgid)
{
	if (pgid < 0)
		return -EINVAL;
	if (pid == 0)
		pid = THE_PID;
	if (pgid == 0)
		pgid = pid;
	struct task_struct *t = find_task_by_pid(pid);
	if (!t || t->tgid != pid)
		return -ESRCH;
	if (t->tgid != THE_PID && (!t->real_parent || t->real_parent->tgid != THE_PID))
		return -ESRCH;
	struct task_ids *ids = &t->signal->ids;
	if (ids->sid != current_ids.sid)
		return -EPERM;		/* a child in another session */
	if (ids->sid == pid)
		return -EPERM;		/* a session leader stays in its group */
	if (pgid != pid && pgrp_session(pgid) != current_ids.sid)
		return -EPERM;		/* no such group in our session */
	ids->pgrp = pgid;
	return 0;
}

SYSCALL_DEFINE0(setsid)
{
	if (pgrp_session(THE_PID))
		return -EPERM;		/* a process group with our pid exists */
	current_ids = (struct task_ids){ THE_PID, THE_PID, false };	/* no terminal */
	return THE_PID;
}

/* Linux's defaults for the limits a program is likely to ask about;
 * everything else unlimited.  The first process starts with these; every
 * process has its own copy, inherited across fork (struct signal_struct). */
const struct rlimit init_rlimits[RLIM_NLIMITS] = {
	{ RLIM_INFINITY, RLIM_INFINITY }, { RLIM_INFINITY, RLIM_INFINITY },
	{ RLIM_INFINITY, RLIM_INFINITY },
	{ 8 << 20, RLIM_INFINITY },			/* RLIMIT_STACK */
	{ 0, RLIM_INFINITY },				/* RLIMIT_CORE */
	{ RLIM_INFINITY, RLIM_INFINITY }, { 4096, 4096 },	/* RSS, NPROC */
	{ NR_OPEN_DEFAULT, NR_OPEN_DEFAULT },		/* RLIMIT_NOFILE */
	{ 8 << 20, 8 << 20 },				/* RLIMIT_MEMLOCK */
	{ RLIM_INFINITY, RLIM_INFINITY }, { RLIM_INFINITY, RLIM_INFINITY },
	{ 4096, 4096 },					/* RLIMIT_SIGPENDING */
	{ 819200, 819200 },				/* RLIMIT_MSGQUEUE */
	{ 0, 0 }, { 0, 0 },				/* NICE, RTPRIO */
	{ RLIM_INFINITY, RLIM_INFINITY },
};

/* Set limit `resource` of the process with signal_struct s: the soft
 * limit at most the hard one, and only root raises a hard limit. */
static long do_setrlimit(struct signal_struct *s, unsigned int resource, const struct rlimit *n)
{
	if (n->rlim_cur > n->rlim_max)
		return -EINVAL;
	if (n->rlim_max > s->rlim[resource].rlim_max && boot_info.uid != 0)
		return -EPERM;
	s->rlim[resource] = *n;	/* recorded and reported; not enforced */
	return 0;
}

SYSCALL_DEFINE4(prlimit64, int, pid, unsigned int, resource,
		const struct rlimit __user *, new_rlim, struct rlimit __user *, old_rlim)
{
	struct rlimit n, old;
	struct task_struct *t = pid ? find_task_by_pid(pid) : current;
	if (!t || t->state == EXIT_ZOMBIE)
		return -ESRCH;
	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (new_rlim && copy_from_user(&n, new_rlim, sizeof(n)))
		return -EFAULT;
	old = t->signal->rlim[resource];
	if (new_rlim) {
		long err = do_setrlimit(t->signal, resource, &n);
		if (err)
			return err;
	}
	if (old_rlim && copy_to_user(old_rlim, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(getrlimit, unsigned int, resource, struct rlimit __user *, r)
{
	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	return copy_to_user(r, &current->signal->rlim[resource], sizeof(*r)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(setrlimit, unsigned int, resource, const struct rlimit __user *, r)
{
	struct rlimit n;
	if (resource >= RLIM_NLIMITS)
		return -EINVAL;
	if (copy_from_user(&n, r, sizeof(n)))
		return -EFAULT;
	return do_setrlimit(current->signal, resource, &n);
}

SYSCALL_DEFINE1(sysinfo, struct sysinfo __user *, info)
{
	static struct sysinfo si;
	struct timespec t;
	memset(&si, 0, sizeof(si));
	if (hostcall(LSTAR_HC_CLOCK, CLOCK_MONOTONIC, hc_pa(&t), 0, 0, 0, 0) == 0)
		si.uptime = t.tv_sec;
	si.totalram = boot_info.ram_size;
	si.freeram = nr_free_pages() * PAGE_SIZE;
	si.procs = 1;
	si.mem_unit = 1;
	return copy_to_user(info, &si, sizeof(si)) ? -EFAULT : 0;
}

#define GRND_NONBLOCK	1
#define GRND_RANDOM	2
#define GRND_INSECURE	4

/* getrandom (drivers/char/random.c): the pool is always ready, so every
 * flag gives the same bytes, and as many as asked (up to INT_MAX). */
SYSCALL_DEFINE3(getrandom, char __user *, buf, unsigned long, count, unsigned int, flags)
{
	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & (GRND_INSECURE | GRND_RANDOM)) == (GRND_INSECURE | GRND_RANDOM))
		return -EINVAL;
	count = MIN(count, 0x7fffffffUL);
	return read_random(buf, count);
}

/* Give the CPU to the next runnable task, if there is one. */
SYSCALL_DEFINE0(sched_yield)
{
	current->need_resched = true;
	return 0;
}

/* One CPU, one NUMA node (kernel/sys.c getcpu). */
SYSCALL_DEFINE3(getcpu, unsigned __user *, cpup, unsigned __user *, nodep, void __user *, unused)
{
	unsigned zero = 0;
	(void)unused;
	if ((cpup && copy_to_user(cpup, &zero, sizeof(zero))) ||
	    (nodep && copy_to_user(nodep, &zero, sizeof(zero))))
		return -EFAULT;
	return 0;
}

/* Scheduling policy (kernel/sched/syscalls.c): every process is
 * SCHED_OTHER with static priority 0; the ranges are Linux's. */
#define SCHED_OTHER	0
#define SCHED_FIFO	1
#define SCHED_RR	2
#define SCHED_BATCH	3
#define SCHED_IDLE	5

static long sched_target(int pid)
{
	if (pid < 0)
		return -EINVAL;
	return task_prio(pid ? pid : THE_PID, false) ? 0 : -ESRCH;
}

SYSCALL_DEFINE1(sched_getscheduler, int, pid)
{
	long err = sched_target(pid);
	return err < 0 ? err : SCHED_OTHER;
}

SYSCALL_DEFINE2(sched_getparam, int, pid, int __user *, param)
{
	int prio = 0;
	if (!param)
		return -EINVAL;
	long err = sched_target(pid);
	if (err < 0)
		return err;
	return copy_to_user(param, &prio, sizeof(prio)) ? -EFAULT : 0;
}

/* The static priorities of a policy: 1..99 real time, 0 for the rest. */
static long sched_prio(int policy, long rt)
{
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		return rt;
	if (policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE)
		return 0;
	return -EINVAL;
}

SYSCALL_DEFINE1(sched_get_priority_max, int, policy) { return sched_prio(policy, 99); }
SYSCALL_DEFINE1(sched_get_priority_min, int, policy) { return sched_prio(policy, 1); }

/*
 * Priorities (kernel/sys.c setpriority/getpriority, block/ioprio.c): kept
 * per process and inherited across fork (fork.c saves them with the
 * parent), with no effect on scheduling: one process runs at a time.
 */

#define PRIO_PROCESS	0
#define PRIO_PGRP	1
#define PRIO_USER	2

/* The priority (io: I/O priority) that (which, who) names.  A process
 * group or a user names the running process: it stands for all of them. */
static long prio_target(int which, int who, bool io, int **slot)
{
	switch (which) {
	case PRIO_PROCESS:
		*slot = task_prio(who ? who : THE_PID, io);
		return *slot ? 0 : -ESRCH;
	case PRIO_PGRP:
		*slot = task_prio(THE_PID, io);
		return who == 0 || who == current_ids.pgrp ? 0 : -ESRCH;
	case PRIO_USER:
		*slot = task_prio(THE_PID, io);
		return who == 0 || (unsigned)who == boot_info.uid ? 0 : -ESRCH;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE2(getpriority, int, which, int, who)
{
	int *nice;
	long err = prio_target(which, who, false, &nice);
	return err < 0 ? err : 20 - *nice;	/* the raw call: 40..1 */
}

SYSCALL_DEFINE3(setpriority, int, which, int, who, int, niceval)
{
	int *nice;
	long err = prio_target(which, who, false, &nice);
	if (err < 0)
		return err;
	if (niceval < -20)
		niceval = -20;
	if (niceval > 19)
		niceval = 19;
	if (niceval < *nice && boot_info.uid != 0)
		return -EACCES;		/* only root may raise a priority */
	*nice = niceval;
	return 0;
}

#define IOPRIO_WHO_PROCESS	1
#define IOPRIO_WHO_PGRP		2
#define IOPRIO_WHO_USER		3

static long ioprio_target(int which, int who, int **slot)
{
	if (which < IOPRIO_WHO_PROCESS || which > IOPRIO_WHO_USER)
		return -EINVAL;
	return prio_target(which - 1, who, true, slot);
}

SYSCALL_DEFINE2(ioprio_get, int, which, int, who)
{
	int *prio;
	long err = ioprio_target(which, who, &prio);
	return err < 0 ? err : *prio;
}

SYSCALL_DEFINE3(ioprio_set, int, which, int, who, int, ioprio)
{
	int *prio;
	long err = ioprio_target(which, who, &prio);
	if (err < 0)
		return err;
	int class = (ioprio >> 13) & 7, data = ioprio & 0x1FFF;
	if (class > 3 || (class && class != 3 && data > 7))
		return -EINVAL;		/* NONE, RT, BE (levels 0-7), IDLE */
	if (class == 1 && boot_info.uid != 0)
		return -EPERM;		/* real time needs CAP_SYS_ADMIN */
	*prio = ioprio;
	return 0;
}

SYSCALL_DEFINE3(sched_getaffinity, int, pid, unsigned int, len,
		unsigned long __user *, mask)
{
	unsigned long one = 1;		/* CPU 0 only */
	long err = sched_target(pid);	/* any thread, by its id (glibc's pthread_getattr_np) */
	if (err < 0)
		return err;
	if (len < sizeof(one) || (len & (sizeof(one) - 1)))
		return -EINVAL;
	if (copy_to_user(mask, &one, sizeof(one)))
		return -EFAULT;
	return sizeof(one);		/* bytes written, as the raw call returns */
}

SYSCALL_DEFINE3(sched_setaffinity, int, pid, unsigned int, len,
		unsigned long __user *, mask)
{
	long err = sched_target(pid);
	if (err < 0)
		return err;
	/* The mask must name CPU 0, the only one there is. */
	unsigned long first = 0;
	if (len >= sizeof(first) && copy_from_user(&first, mask, sizeof(first)))
		return -EFAULT;
	return (first & 1) ? 0 : -EINVAL;
}

/* No supplementary groups: just the primary one, as a login without any. */
SYSCALL_DEFINE2(getgroups, int, size, unsigned int __user *, list)
{
	unsigned int g = boot_info.gid;
	if (size == 0)
		return 1;
	if (size < 1)
		return -EINVAL;
	return copy_to_user(list, &g, sizeof(g)) ? -EFAULT : 1;
}

#define PR_SET_PDEATHSIG	1
#define PR_GET_PDEATHSIG	2
#define PR_GET_DUMPABLE		3
#define PR_SET_DUMPABLE		4
#define PR_SET_NAME		15
#define PR_GET_NAME		16


/* execve names the process after the file's base name, cut to 15 bytes
 * (fs/exec.c: __set_task_comm(kbasename(filename))). */
void set_task_comm(const char *path)
{
	const char *base = path;
	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1])
			base = p + 1;
	size_t n = 0;
	while (base[n] && base[n] != '/' && n < TASK_COMM_LEN - 1)
		n++;
	memset(current_comm, 0, TASK_COMM_LEN);
	memcpy(current_comm, base, n);
}

/* The handful of prctl options C libraries and tools use. */
SYSCALL_DEFINE2(prctl, int, option, unsigned long, arg2)
{
	static int dumpable = 1;
	switch (option) {
	case PR_SET_NAME: {
		char comm[TASK_COMM_LEN];
		long n = strncpy_from_user(comm, (const char *)arg2, TASK_COMM_LEN);
		if (n == -ENAMETOOLONG)
			comm[TASK_COMM_LEN - 1] = 0;	/* truncated, as Linux */
		else if (n < 0)
			return n;
		memset(current_comm, 0, TASK_COMM_LEN);
		memcpy(current_comm, comm, strlen(comm));
		return 0;
	}
	case PR_GET_NAME:
		return copy_to_user((void *)arg2, current_comm, TASK_COMM_LEN) ? -EFAULT : 0;
	case PR_SET_PDEATHSIG:
		return 0;		/* the parent always outlives its child here */
	case PR_GET_PDEATHSIG: {
		int zero = 0;
		return copy_to_user((void *)arg2, &zero, sizeof(zero)) ? -EFAULT : 0;
	}
	case PR_GET_DUMPABLE:
		return dumpable;
	case PR_SET_DUMPABLE:
		if (arg2 > 1)
			return -EINVAL;
		dumpable = arg2;
		return 0;
	default:
		return -EINVAL;
	}
}

/* personality (kernel/exec_domain.c): 0xffffffff asks, anything else is
 * recorded and inherited (setarch's flags, such as ADDR_NO_RANDOMIZE,
 * change nothing here: the layout is never randomized). */
SYSCALL_DEFINE1(personality, unsigned int, persona)
{
	unsigned int old = current->signal->personality;
	if (persona != 0xffffffff)
		current->signal->personality = persona;
	return old;
}
