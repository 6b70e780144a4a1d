/*
 * sched.h - tasks, the scheduler and waiting (a digest of
 * include/linux/sched.h, sched/signal.h, fdtable.h, fs_struct.h and wait.h).
 *
 * A task is a thread: it has its own kernel stack, registers, signal mask
 * and TLS.  What threads of one process share hangs off pointers, with a
 * reference count each, exactly as in Linux:
 *   mm       the address space (CLONE_VM)
 *   files    the descriptor table (CLONE_FILES)
 *   fs       the working directory and umask (CLONE_FS)
 *   sighand  the signal handlers (CLONE_SIGHAND)
 *   signal   the process: ids, CPU times, alarm, exit status (CLONE_THREAD)
 * "current" is the running task.  The global names the single-task kernel
 * used (init_mm, sig_blocked, current_pid, ...) are macros over current,
 * so the code that reads them is unchanged and now per task.
 *
 * The kernel is not preemptible: it runs with interrupts off, and a task
 * gives up the CPU only by blocking (schedule() from a wait) or on its way
 * back to user mode when the timer tick asked for it (need_resched).
 */
#ifndef KM_SCHED_H
#define KM_SCHED_H

#include "kernel.h"
#include "mm.h"
#include "processor.h"
#include "fs.h"
#include "signal.h"

#define MAX_TASKS	512		/* task slots: processes + threads */
#define PID_MAX		32768
#define HZ		250		/* timer ticks per second of guest time */
#define TICK_NSEC	(1000000000UL / HZ)

/* Task states (the ones of Linux this kernel needs). */
#define TASK_RUNNING		0
#define TASK_INTERRUPTIBLE	1
#define TASK_UNINTERRUPTIBLE	2
#define TASK_STOPPED		4
#define EXIT_ZOMBIE		16
#define EXIT_DEAD		32
#define TASK_UNUSED		64	/* a free slot */

struct files_struct {
	int count;
	struct file *fd[NR_OPEN_DEFAULT];
	bool cloexec[NR_OPEN_DEFAULT];
};

struct fs_struct {
	int users;
	int cwd_handle;			/* host handle of the cwd; -1 = the start one */
	unsigned int umask;
};

struct sighand_struct {
	int count;
	struct k_sigaction action[_NSIG];
};

/* Linux's wait_queue_head: a channel that tasks sleep on.  Here a waiter
 * records the channel's address (its wchan); wake_up() wakes every task
 * sleeping on it. */
typedef struct wait_queue_head {
	const char *name;
	int waiters;		/* tasks asleep on it: wake_up() of none is free */
} wait_queue_head_t;
#define DECLARE_WAIT_QUEUE_HEAD(n) wait_queue_head_t n = { #n, 0 }

#define MAX_POSIX_TIMERS 8
struct k_itimer {		/* a POSIX timer (posix-timers.c) */
	bool used;
	int clock, notify, signo, tid;
	u64 value;		/* sigev_value */
	u64 deadline, interval;	/* CLOCK_MONOTONIC ns; 0: disarmed */
	int overrun, last_overrun;
};

struct signal_struct {
	int count;			/* live threads */
	int nr_threads;			/* threads not yet reaped */
	struct task_ids ids;		/* process group, session, terminal */
	struct task_cputime cputime;
	u64 real_deadline, real_interval;	/* ITIMER_REAL, CLOCK_MONOTONIC ns */
	bool group_exit;		/* exit_group or a fatal signal started */
	int group_exit_code;		/* wait status */
	unsigned long shared_pending;	/* process-directed signals */
	wait_queue_head_t wait_chldexit;	/* wait4 sleeps here */
	int stop_state;			/* for WUNTRACED/WCONTINUED reporting */
	int stop_sig;
	u64 rlim_nofile;
	struct rlimit rlim[RLIM_NLIMITS];	/* getrlimit/setrlimit/prlimit64 */
	unsigned int personality;	/* personality(2): PER_LINUX and its flags */
	struct task_usage usage;	/* what wait4 reports once it ended */
	struct k_itimer posix_timers[MAX_POSIX_TIMERS];
};

struct thread_struct {
	u64 sp;				/* kernel RSP while switched out */
	u64 fsbase, gsbase;		/* user FS base, user GS base */
	u8 fpstate[FPSTATE_MAX] __attribute__((aligned(64))); /* fpu.c: XSAVE or FXSAVE image */
};

struct task_struct {
	struct thread_struct thread;	/* first: entry_64.S finds thread.sp at 0 */
	int state;
	int pid;			/* the thread id */
	int tgid;			/* the process id: the leader's pid */
	int exit_code;			/* wait status when it ended */
	int exit_signal;		/* sent to the parent at the end; -1: none (thread) */
	bool zap;			/* another thread's execve: end without a trace */
	bool need_resched;
	bool in_syscall;		/* pt_regs->ax may hold a restart code */
	int nice, ioprio;
	char comm[TASK_COMM_LEN];
	const void *wchan;		/* what it sleeps on */
	const char *wchan_name;
	u64 timeout;			/* wake at this CLOCK_MONOTONIC ns; 0 = never */
	bool timed_out;
	u64 slice_end;			/* TSC at which its time slice ends */

	struct task_struct *real_parent;	/* the process that made it (leader) */
	struct task_struct *group_leader;
	struct task_struct *vfork_parent;	/* waiting for our exec or exit */
	bool vfork_done;

	struct mm_struct *mm;
	struct files_struct *files;
	struct fs_struct *fs;
	struct sighand_struct *sighand;
	struct signal_struct *signal;

	/* Per-thread signal state. */
	unsigned long blocked, pending;
	struct ksiginfo siginfo[_NSIG];
	struct stack_t_k sas;
	unsigned long saved_mask;
	bool saved_mask_valid;
	unsigned long sigwait_set;	/* rt_sigtimedwait: signals it waits for */

	u64 set_child_tid, clear_child_tid;	/* CLONE_CHILD_SETTID/CLEARTID */
	u64 robust_list;
	u64 nvcsw, nivcsw;		/* voluntary / involuntary switches */

	u8 *stack;			/* THREAD_SIZE bytes, direct-mapped */
};

extern struct task_struct *current;
extern struct task_struct *task_table;	/* MAX_TASKS slots */
extern struct task_struct *idle_task;

#define task_pt_regs(t)	((struct pt_regs *)((t)->stack + THREAD_SIZE) - 1)
#define thread_group_leader(t)	((t)->group_leader == (t))
extern int task_slots_used;
#define for_each_task(t) \
	for (struct task_struct *t = task_table; t < task_table + task_slots_used; t++) \
		if (t->state != TASK_UNUSED)

/* pipe.c: woken on every change of a pipe or eventfd (poll and epoll
 * sleep here) */
extern wait_queue_head_t pipe_poll_wait;

/* sys.c: the limits the first process starts with */
extern const struct rlimit init_rlimits[RLIM_NLIMITS];

/* core.c */
void sched_init(void);
void schedule(void);
void wake_up_process(struct task_struct *t);
void wake_up(wait_queue_head_t *wq);
void wake_up_chan(const void *chan);
/* Sleep on chan until woken, a signal (interruptible), or the absolute
 * CLOCK_MONOTONIC deadline (0: none).  Returns 0 when woken, -ERESTARTSYS
 * for a signal (the call is restarted or fails with EINTR, signal_64.c),
 * -ETIMEDOUT at the deadline. */
int sleep_on(const void *chan, const char *name, u64 deadline, bool interruptible);
/* The same on a wait queue, with the name it shows as wait channel. */
int sleep_on_wq(wait_queue_head_t *wq, const char *name, u64 deadline, bool interruptible);
bool signal_pending(struct task_struct *t);
void sched_fork(struct task_struct *p);
struct task_struct *alloc_task(void);
void free_task(struct task_struct *t);
struct task_struct *find_task_by_pid(int pid);
void do_timer_interrupt(struct pt_regs *regs);
void exit_to_user_mode_prepare(struct pt_regs *regs);
void sched_report(void);
void timer_rearm(void);
u64 next_timer_deadline(void);	/* earliest sleep end or alarm, 0 if none */		/* deadlock diagnosis on the console */
/* vdso.c: the time the vDSO computes from, kept current */
void timekeeping_update(void);
void timekeeping_maybe_update(void);	/* if a while has passed */
void timekeeping_idle_enter(void);
void timekeeping_idle_exit(void);
bool timekeeping_read(int clk, u64 *ns);	/* false: not a vDSO clock */
u64 timekeeping_mono_ns(void);		/* CLOCK_MONOTONIC as published */
u64 timekeeping_host_ns(void);		/* the device's CLOCK_MONOTONIC */
u64 timekeeping_real_ns(void);		/* CLOCK_REALTIME as published */
u64 sched_clock_ns(void);		/* CLOCK_MONOTONIC, cheap */
extern u64 nr_context_switches;
extern int nr_running_tasks;

/* Wait until cond, sleeping on wq; 0, or -ERESTARTSYS if a signal came. */
#define wait_event_interruptible(wq, cond) ({				\
	int __ret = 0;							\
	while (!(cond)) {						\
		if ((__ret = sleep_on_wq(&(wq), (wq).name, 0, true)))	\
			break;						\
	}								\
	__ret; })

/* fork.c */
void mmput(struct mm_struct *mm);
struct mm_struct *mm_alloc(void);
void put_files_struct(struct files_struct *f);
long unshare_files(void);	/* a descriptor table of our own (0 or -ENOMEM) */
void put_fs_struct(struct fs_struct *fs);
void exit_fs_cwd(void);
void fs_switch(struct task_struct *next);

void mm_release_vfork(struct task_struct *t);
void fs_set_cwd(void);
u64 boot_ns(void);
int parent_pid(void);
int *task_prio(int pid, bool io);

/* exit.c */
__noreturn void do_group_exit(int wstatus);
__noreturn void do_task_exit(int wstatus);
void zap_other_threads(struct task_struct *t);
void release_task(struct task_struct *t);

/* signal.c */
int send_signal_to_task(struct task_struct *t, int sig, const struct ksiginfo *info,
			bool group);
int kill_pid_info(int pid, int sig, int code);
void do_notify_parent(struct task_struct *t);
void do_pending_default_actions(void);

/* futex.c */
void futex_exit(struct task_struct *t);
long do_futex_wake(u64 uaddr, int nr, u32 bitset, bool shared);

/* itimer.c, posix-timers.c */
void itimer_tick(u64 now);
u64 itimer_next_deadline(void);
void alarms_changed(void);	/* an alarm or timer was armed */
u64 posix_timers_next(const struct signal_struct *s);
void posix_timers_tick(struct task_struct *leader, u64 now);

/* apic.c */
void apic_init(void);

/*
 * The names of the single-task kernel, now fields of the running task (or
 * of what it shares): every use is per task without changing the code
 * that reads them.
 */
#define init_mm			(*current->mm)
#define current_pid		(current->tgid)
#define THE_PID			(current->tgid)
#define current_ids		(current->signal->ids)
#define current_cputime		(current->signal->cputime)
#define current_nice		(current->nice)
#define current_ioprio		(current->ioprio)
#define current_comm		(current->comm)
#define current_umask		(current->fs->umask)
#define sig_actions		(current->sighand->action)
#define sig_blocked		(current->blocked)
#define sig_pending		(current->pending)
#define sig_info		(current->siginfo)
#define sig_altstack		(current->sas)
#define saved_sigmask		(current->saved_mask)
#define saved_sigmask_valid	(current->saved_mask_valid)
#define current_pt_regs()	task_pt_regs(current)

static inline void mm_rss_inc(void)
{
	if (++init_mm.rss > init_mm.hiwater_rss)
		init_mm.hiwater_rss = init_mm.rss;
}

#endif
