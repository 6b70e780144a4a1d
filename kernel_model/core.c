/*
 * core.c - the scheduler: tasks, schedule(), the context switch, sleeping
 * and waking, and the timer tick (mirrors kernel/sched/core.c, wait.c,
 * arch/x86/kernel/process_64.c's __switch_to, and kernel/time/tick-*.c).
 *
 * One CPU, one run queue, round robin: a task runs until it blocks or its
 * time slice (SLICE_NSEC of guest time) ends; the timer tick sets
 * need_resched, and the task gives up the CPU on its way back to user
 * mode.  The slice is scaled by the nice value (nice 0: one slice, nice 19:
 * a fifth, nice -20: twice as long), which is the part of CFS's weighting a
 * round robin can honour.  With nothing to run, the idle task halts with
 * interrupts on until the next timer (a sleep's end, an alarm); if no
 * timer is armed and every task waits for another task, nothing can ever
 * happen again: the kernel says which tasks wait for what and powers off
 * with status 125.
 *
 * Time: the local APIC timer in TSC-deadline mode.  lstar's TSC counts 4
 * ticks per guest instruction (1 ns), plus the time the CPU halts.
 */
#include "sched.h"
#include "processor.h"

#define SLICE_NSEC	(4 * 1000 * 1000)	/* 4 ms of guest time */
#define TSC_PER_NS	4
#define POWEROFF_PORT	0xF4
#define DEADLOCK_STATUS	125

/* The task slots: MAX_TASKS of them, in pages taken at boot (sched_init),
 * so that they do not make the kernel image big. */
struct task_struct *task_table;
_Static_assert(offsetof(struct task_struct, thread.sp) == TASK_thread_sp,
	       "entry_64.S reads thread.sp at TASK_thread_sp");
struct task_struct *idle_task;
u64 nr_context_switches;
int nr_running_tasks;

/* The boot task's shared parts (Linux's init_mm, init_files, ...). */
static struct mm_struct boot_mm;
static struct files_struct boot_files = { .count = 1 };
static struct fs_struct boot_fs = { .users = 1, .cwd_handle = -1, .umask = 022 };
static struct sighand_struct boot_sighand = { .count = 1 };
static struct signal_struct boot_signal = {
	.count = 1, .nr_threads = 1,
	.ids = { INIT_PID, INIT_PID, true },
	.wait_chldexit = { "wait4" },
};
static struct signal_struct idle_signal = { .count = 1, .nr_threads = 1 };
extern u8 init_stack[];
int task_slots_used = 1;	/* slots [0, task_slots_used) may be in use */
static u64 armed_deadline;
static int nr_timeouts;		/* tasks asleep with a deadline */	/* the TSC deadline programmed, 0 = none */

/* Until sched_init, the boot code runs as boot_task: the first process
 * (pid 42) in the making.  Its kernel stack is the boot stack. */
static struct task_struct boot_task = {
	.mm = &boot_mm, .files = &boot_files, .fs = &boot_fs,
	.sighand = &boot_sighand, .signal = &boot_signal,
};
struct task_struct *current = &boot_task;

static int next_pid = INIT_PID + 1;
static int rr_cursor;		/* round robin position in task_table */

void sched_init(void)
{
	u64 bytes = PAGE_ALIGN(MAX_TASKS * sizeof(struct task_struct));
	u64 pa = alloc_pages_contig(bytes / PAGE_SIZE);
	if (!pa)
		panic("no memory for the task table");
	task_table = __va(pa);
	for (int i = 0; i < MAX_TASKS; i++)
		task_table[i].state = TASK_UNUSED;
	struct task_struct *t = &task_table[0];
	*t = (struct task_struct){
		.state = TASK_RUNNING, .pid = INIT_PID, .tgid = INIT_PID,
		.mm = &boot_mm, .files = &boot_files, .fs = &boot_fs,
		.sighand = &boot_sighand, .signal = &boot_signal,
		.stack = init_stack,
		.sas = { 0, 2 /* SS_DISABLE */, 0, 0 },
	};
	t->group_leader = t;
	memcpy(t->comm, "init", 5);
	boot_mm.users = 1;
	nr_running_tasks = 1;
	memcpy(boot_signal.rlim, init_rlimits, sizeof(init_rlimits));
	/* The stack limit is lstar's own (ulimit -s), as a shell's child
	 * inherits it; the other limits are Linux's defaults. */
	static struct rlimit host_stack;
	if (hostcall(LSTAR_HC_GETRLIMIT, RLIMIT_STACK, __pa_symbol(&host_stack), 0, 0, 0, 0) == 0)
		boot_signal.rlim[RLIMIT_STACK] = host_stack;
	current = t;
}

struct task_struct *find_task_by_pid(int pid)
{
	if (pid <= 0)
		return NULL;
	for_each_task(t)
		if (t->pid == pid && t->state != EXIT_DEAD)
			return t;
	return NULL;
}

static bool pid_in_use(int pid)
{
	for_each_task(t)
		if (t->pid == pid || t->signal->ids.pgrp == pid || t->signal->ids.sid == pid)
			return true;
	return false;
}

/*
 * A free task slot with a kernel stack, and a fresh pid (Linux's
 * alloc_pid: counting up, wrapping at pid_max, skipping pids that are
 * still a task's, a process group's or a session's).
 */
struct task_struct *alloc_task(void)
{
	struct task_struct *t = NULL;
	for (int i = 1; i < MAX_TASKS && !t; i++)
		if (task_table[i].state == TASK_UNUSED)
			t = &task_table[i];
	if (!t)
		return NULL;
	if (t - task_table >= task_slots_used)
		task_slots_used = t - task_table + 1;
	u8 *stack = t->stack;
	if (!stack) {		/* the slot's first task: its stack, for good */
		u64 pa = alloc_pages_contig(THREAD_SIZE / PAGE_SIZE);
		if (!pa)
			return NULL;
		stack = __va(pa);
	}
	int pid;
	do {
		pid = next_pid++;
		if (next_pid >= PID_MAX)
			next_pid = 300;		/* Linux's RESERVED_PIDS */
	} while (pid_in_use(pid));
	memset(t, 0, sizeof(*t));
	t->stack = stack;
	t->pid = pid;
	t->state = TASK_UNINTERRUPTIBLE;	/* not runnable until set up */
	return t;
}

void free_task(struct task_struct *t)
{
	u8 *stack = t->stack;
	memset(t, 0, sizeof(*t));
	t->stack = stack;		/* kept for the next task in this slot */
	t->state = TASK_UNUSED;
}

/*
 * The frame __switch_to_asm pops for a task that has never run: the
 * callee-saved registers and the address it "returns" to.
 */
struct inactive_task_frame {
	u64 r15, r14, r13, r12, bx, bp;
	u64 ret_addr;
};
void ret_from_fork_asm(void);
struct task_struct *__switch_to_asm(struct task_struct *prev, struct task_struct *next);

/* A new task's kernel stack: its pt_regs at the top (the caller filled
 * them), below them the frame that makes its first switch-in continue at
 * ret_from_fork. */
void sched_fork(struct task_struct *p)
{
	struct inactive_task_frame *f = (struct inactive_task_frame *)task_pt_regs(p) - 1;
	memset(f, 0, sizeof(*f));
	f->ret_addr = (u64)ret_from_fork_asm;
	p->thread.sp = (u64)f;
}

static struct percpu_top { u64 user_rsp, top_of_stack; } *percpu_area(void)
{
	return (struct percpu_top *)rdmsrl(MSR_GS_BASE);
}

void set_tss_sp0(u64 sp0);	/* cpu_common.c */

/*
 * __switch_to - the C half of the switch, on next's stack already (mirrors
 * arch/x86/kernel/process_64.c).  The user-visible state that is not in
 * pt_regs: FS and GS bases, the FPU/SSE registers, and the stack the CPU
 * and entry_SYSCALL_64 switch to when next enters the kernel.
 */
struct task_struct *__switch_to(struct task_struct *prev, struct task_struct *next);
struct task_struct *__switch_to(struct task_struct *prev, struct task_struct *next)
{
	u64 top = (u64)next->stack + THREAD_SIZE;
	set_tss_sp0(top);
	percpu_area()->top_of_stack = top;
	if (next->thread.fsbase != prev->thread.fsbase)
		wrmsrl(MSR_FS_BASE, next->thread.fsbase);
	if (next->thread.gsbase != prev->thread.gsbase)
		wrmsrl(MSR_KERNEL_GS_BASE, next->thread.gsbase);
	os_xrstor(next->thread.fpstate);
	current = next;
	return prev;
}

/* The task that ran before us is gone for good: free its slot (Linux's
 * finish_task_switch, put_task_struct). */
static void finish_task_switch(struct task_struct *prev)
{
	if (prev->state == EXIT_DEAD)
		free_task(prev);
}

void schedule_tail(struct task_struct *prev);
void schedule_tail(struct task_struct *prev)
{
	finish_task_switch(prev);
	account_system_time();
}

static void context_switch(struct task_struct *prev, struct task_struct *next)
{
	/* switch_mm: another address space (threads share theirs). */
	if (next->mm && next->mm != prev->mm)
		write_cr3(next->mm->pgd);
	prev->thread.fsbase = rdmsrl(MSR_FS_BASE);
	prev->thread.gsbase = rdmsrl(MSR_KERNEL_GS_BASE);
	os_xsave(prev->thread.fpstate);
	if (next->fs != prev->fs && next->fs)
		fs_switch(next);
	nr_context_switches++;
	hostcall(LSTAR_HC_TASK, next->pid, next->tgid, hc_pa(next->comm), 0, 0, 0);
	prev = __switch_to_asm(prev, next);
	finish_task_switch(prev);
}

static u64 slice_ticks(const struct task_struct *t)
{
	/* nice -20..19 -> 2x .. 1/5x of the slice, linear in between. */
	int n = t->nice;
	u64 pct = n <= 0 ? 100 + (u64)(-n) * 5 : 100 - (u64)n * 4;
	return SLICE_NSEC * TSC_PER_NS / 100 * pct;
}

static inline u64 rdtsc_now(void)
{
	u32 lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

/* The next runnable task after the cursor; the idle task if none. */
static struct task_struct *pick_next_task(void)
{
	for (int k = 1; k <= task_slots_used; k++) {
		int i = (rr_cursor + k) % task_slots_used;
		struct task_struct *t = &task_table[i];
		if (t->state == TASK_RUNNING && t != idle_task) {
			rr_cursor = i;
			return t;
		}
	}
	return idle_task;
}

static void arm_timer_for(struct task_struct *running);
#define arm_timer() arm_timer_for(current)

/*
 * schedule - give the CPU to the next runnable task.  The caller has set
 * its state (TASK_INTERRUPTIBLE to sleep) or left it TASK_RUNNING (its
 * slice ended, or it yields).  Returns when this task runs again.
 */
void schedule(void)
{
	struct task_struct *prev = current;
	account_system_time();		/* the kernel time so far is prev's */
	prev->need_resched = false;
	struct task_struct *next = pick_next_task();
	if (next == idle_task && prev->state == TASK_RUNNING && prev != idle_task)
		next = prev;		/* nobody else: keep going */
	if (prev->state == TASK_RUNNING)
		prev->nivcsw++;
	else
		prev->nvcsw++;
	next->slice_end = rdtsc_now() + slice_ticks(next);
	arm_timer_for(next);		/* the slice that starts now is next's */
	if (next != prev)
		context_switch(prev, next);
}

/* Not inlined into wake_up_chan: a trace should show the wake-up by name. */
__attribute__((noinline)) void wake_up_process(struct task_struct *t)
{
	if (t->state == TASK_INTERRUPTIBLE || t->state == TASK_UNINTERRUPTIBLE) {
		t->state = TASK_RUNNING;
		t->wchan = NULL;
		t->timeout = 0;
		/* Someone else can run now: the running task's slice must end
		 * with a tick, if no earlier one is armed. */
		if (current != idle_task && !current->slice_end)	/* never scheduled yet */
			current->slice_end = rdtsc_now() + slice_ticks(current);
		if (current != idle_task &&
		    (!armed_deadline || armed_deadline > current->slice_end)) {
			armed_deadline = current->slice_end;
			wrmsrl(MSR_IA32_TSC_DEADLINE, armed_deadline);
		}
	}
}

void wake_up_chan(const void *chan)
{
	for_each_task(t)
		if (t->wchan == chan &&
		    (t->state == TASK_INTERRUPTIBLE || t->state == TASK_UNINTERRUPTIBLE))
			wake_up_process(t);
}

void wake_up(wait_queue_head_t *wq)
{
	if (wq->waiters)
		wake_up_chan(wq);
}

int sleep_on_wq(wait_queue_head_t *wq, const char *name, u64 deadline, bool interruptible)
{
	wq->waiters++;
	int r = sleep_on(wq, name, deadline, interruptible);
	wq->waiters--;
	return r;
}

bool signal_pending(struct task_struct *t)
{
	unsigned long p = (t->pending | t->signal->shared_pending) & ~t->blocked;
	/* SIGKILL cannot be blocked; a dying group wakes everyone. */
	return p || t->signal->group_exit ||
	       ((t->pending | t->signal->shared_pending) & (1UL << (SIGKILL - 1)));
}

int sleep_on(const void *chan, const char *name, u64 deadline, bool interruptible)
{
	if (interruptible && signal_pending(current))
		return -ERESTARTSYS;
	current->state = interruptible ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE;
	current->wchan = chan;
	current->wchan_name = name;
	current->timeout = deadline;
	current->timed_out = false;
	if (deadline)
		nr_timeouts++;
	schedule();
	if (deadline)
		nr_timeouts--;
	current->wchan = NULL;
	if (current->timed_out)
		return -ETIMEDOUT;
	if (interruptible && signal_pending(current))
		return -ERESTARTSYS;
	return 0;
}

/* The monotonic clock timeouts are checked against: the host-call
 * device's own.  Deadlines are set from now_ns(), the clock the vDSO
 * publishes, which is never behind the device's (vdso.c), so a sleep
 * never ends early by the device's clock, however far the published
 * clock got ahead meanwhile, nor by the vDSO's, which the first update
 * after the wake-up brings level. */
u64 sched_clock_ns(void)
{
	return timekeeping_host_ns();
}

/* The earliest timeout of a sleeping task or alarm, 0 if none. */
u64 next_timer_deadline(void)
{
	u64 next = itimer_next_deadline();
	if (!nr_timeouts)
		return next;
	for_each_task(t)
		if (t->timeout && (t->state == TASK_INTERRUPTIBLE ||
				   t->state == TASK_UNINTERRUPTIBLE))
			if (!next || t->timeout < next)
				next = t->timeout;
	return next;
}

static void check_timeouts(void)
{
	u64 now = 0;
	for_each_task(t) {
		if (!nr_timeouts)
			break;
		if (!t->timeout || (t->state != TASK_INTERRUPTIBLE &&
				    t->state != TASK_UNINTERRUPTIBLE))
			continue;
		if (!now)
			now = sched_clock_ns();
		if (t->timeout <= now) {
			wake_up_process(t);
			t->timed_out = true;
		}
	}
	if (itimer_next_deadline())
		itimer_tick(now ? now : sched_clock_ns());
}

/*
 * Program the next timer interrupt: the end of the running task's slice
 * when something else could run, or the earliest timeout.  Nothing at all
 * when nobody else is runnable and no timeout is armed: a lone task is
 * never interrupted for nothing.
 */
static void arm_timer_for(struct task_struct *running)
{
	u64 when = 0, now = rdtsc_now();
	bool others = false;
	for_each_task(t)
		if (t->state == TASK_RUNNING && t != running && t != idle_task)
			others = true;
	if (others && running != idle_task)
		when = running->slice_end;
	u64 next = next_timer_deadline();
	if (next) {
		u64 nowns = sched_clock_ns();
		u64 delta = next > nowns ? (next - nowns) * TSC_PER_NS : 1;
		if (!when || now + delta < when)
			when = now + delta;
	}
	armed_deadline = when;
	wrmsrl(MSR_IA32_TSC_DEADLINE, when);
}

/* An alarm was set or changed: the next interrupt may have to come sooner. */
void timer_rearm(void)
{
	arm_timer();
}

/* Is some task waiting for nothing but a signal (pause, sigsuspend,
 * sigtimedwait without a timeout)?  Then the machine is not deadlocked:
 * Ctrl-C at lstar's terminal can still wake it (tty_io.c). */
static bool waits_for_outside(void)
{
	for_each_task(t)
		if (t->state == TASK_INTERRUPTIBLE && t->wchan_name &&
		    (!strcmp(t->wchan_name, "pause") || !strcmp(t->wchan_name, "sigtimedwait")))
			return true;
	return false;
}

/* The idle task: halt until an interrupt, then see who is runnable. */
static __noreturn void cpu_idle(void)
{
	for (;;) {
		if (pick_next_task() != idle_task) {
			schedule();
			continue;
		}
		if (!next_timer_deadline() && !waits_for_outside()) {
			sched_report();
			outl(DEADLOCK_STATUS, POWEROFF_PORT);
		}
		arm_timer();
		timekeeping_idle_enter();
		asm volatile("sti; hlt; cli" ::: "memory");
		timekeeping_idle_exit();
		check_timeouts();
	}
}

/*
 * sysvec_apic_timer_interrupt - the tick.  Wakes the sleepers whose time
 * has come, fires alarms, and asks the running task to give up the CPU
 * when its slice is over (need_resched, acted on in
 * exit_to_user_mode_prepare).
 */
void sysvec_apic_timer_interrupt(struct pt_regs *regs);
void sysvec_apic_timer_interrupt(struct pt_regs *regs)
{
	if (user_mode(regs))
		account_user_time();
	armed_deadline = 0;		/* a TSC deadline fires once */
	wrmsrl(MSR_X2APIC_EOI, 0);
	timekeeping_maybe_update();
	check_timeouts();
	if (current != idle_task && rdtsc_now() >= current->slice_end)
		current->need_resched = true;	/* schedule() arms the next slice */
	else if (current != idle_task)
		arm_timer();	/* an early tick (a sleeper's end): the slice goes on */
	if (user_mode(regs))
		exit_to_user_mode_prepare(regs);
}

/*
 * The way back to user mode, from a system call, an exception or an
 * interrupt (Linux's exit_to_user_mode_loop): switch if the tick asked
 * for it, run signal handlers, and do both again until neither is due.
 */
void exit_to_user_mode_prepare(struct pt_regs *regs)
{
	for (;;) {
		if (current->need_resched)
			schedule();
		if (signal_pending(current) || current->saved_mask_valid ||
		    (current->in_syscall && ((long)regs->ax == -ERESTARTSYS ||
					     (long)regs->ax == -ERESTARTNOHAND)))
			arch_do_signal(regs);
		if (!current->need_resched)
			break;
	}
}

static const char *state_name(int s)
{
	switch (s) {
	case TASK_RUNNING: return "R";
	case TASK_INTERRUPTIBLE: return "S";
	case TASK_UNINTERRUPTIBLE: return "D";
	case TASK_STOPPED: return "T";
	case EXIT_ZOMBIE: return "Z";
	default: return "?";
	}
}

/* Every task is waiting for another one and no timer can end a wait. */
void sched_report(void)
{
	char line[512];
	int n = snprintf(line, sizeof(line), "lstar kernel: deadlock: every task waits and no timer is armed:");
	for_each_task(t) {
		if (t == idle_task || t->state == EXIT_ZOMBIE || t->state == EXIT_DEAD)
			continue;
		n += snprintf(line + n, sizeof(line) - n, " %d (%s) %s in %s;", t->pid, t->comm,
			      state_name(t->state), t->wchan_name ? t->wchan_name : "?");
		if (n >= (int)sizeof(line) - 1)
			break;
	}
	printk("%s\n", line);
}

/* A task of its own for the idle loop, on its own stack. */
static __noreturn void idle_entry(void)
{
	cpu_idle();
}

void idle_task_init(void);
void idle_task_init(void)
{
	struct task_struct *t = alloc_task();
	if (!t)
		panic("no task slot for the idle task");
	t->pid = 0;
	t->tgid = 0;
	next_pid = INIT_PID + 1;
	memcpy(t->comm, "swapper", 8);
	t->signal = &idle_signal;	/* its time counts nowhere visible */
	t->sighand = &boot_sighand;
	t->files = &boot_files;
	t->fs = &boot_fs;
	t->mm = &boot_mm;
	t->group_leader = t;
	struct inactive_task_frame *f = (struct inactive_task_frame *)(t->stack + THREAD_SIZE) - 2;
	memset(f, 0, sizeof(*f));
	f->ret_addr = (u64)idle_entry;
	t->thread.sp = (u64)f;
	fpstate_init_save(t->thread.fpstate);
	t->state = TASK_RUNNING;
	idle_task = t;
}
