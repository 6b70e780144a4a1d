/*
 * fork.c - processes: fork, vfork and clone with run-to-completion
 * scheduling (below), and the thread-setup calls every C library makes at
 * startup (mirrors kernel/fork.c and kernel/futex/syscalls.c).
 */
#include "mm.h"
#include "fs.h"
#include "binprm.h"
#include "processor.h"
#include "signal.h"

static unsigned long clear_child_tid;	/* would be cleared at thread exit (no threads) */
static unsigned long robust_list_head;

SYSCALL_DEFINE1(set_tid_address, int __user *, tidptr)
{
	clear_child_tid = (unsigned long)tidptr;
	return THE_PID;		/* the caller's tid */
}

SYSCALL_DEFINE2(set_robust_list, void __user *, head, unsigned long, len)
{
	if (len != 24)		/* sizeof(struct robust_list_head) */
		return -EINVAL;
	robust_list_head = (unsigned long)head;
	return 0;
}

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_CMD_MASK		0x7f	/* without PRIVATE and CLOCK_REALTIME */

/*
 * One thread: a wake finds nobody; a wait whose value still matches would
 * sleep forever, so it reports a timeout instead of hanging the machine.
 */
SYSCALL_DEFINE6(futex, u32 __user *, uaddr, int, op, u32, val,
		void __user *, utime, u32 __user *, uaddr2, u32, val3)
{
	u32 cur;
	(void)utime; (void)uaddr2; (void)val3;
	switch (op & FUTEX_CMD_MASK) {
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return 0;
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (copy_from_user(&cur, uaddr, sizeof(cur)))
			return -EFAULT;
		return cur != val ? -EAGAIN : -ETIMEDOUT;
	default:
		return -ENOSYS;
	}
}

/*
 * fork, vfork and clone (without CLONE_THREAD), with run-to-completion
 * scheduling (the shape of kernel/fork.c: copy_process, dup_mm, dup_mmap).
 *
 * There is one CPU and no timer, so the child simply runs first and runs
 * to its end; the parent sleeps inside fork() meanwhile.  The parent's
 * user registers, address space (VMA list and page tables), descriptor
 * table, signal state, FS/GS bases and FPU state are saved; the child gets
 * a copy of every user page (no copy-on-write: simple, and small programs
 * are small).  When the child exits, return_to_parent() frees it and puts
 * the parent back, whose fork() then returns the child's pid.  A child that
 * waits for its parent to do something first would wait forever; pipes
 * answer -EAGAIN instead (pipe.c).
 */
#define MAX_FORK_DEPTH 8
#define CLONE_VM	0x00000100
#define CLONE_VFORK	0x00004000
#define CLONE_THREAD	0x00010000
#define CSIGNAL		0x000000ff

int current_pid = INIT_PID;
static int next_pid = INIT_PID + 1;

static struct saved_task {
	struct pt_regs regs;
	struct mm_struct mm;
	struct file *fds[NR_OPEN_DEFAULT];
	bool cloexec[NR_OPEN_DEFAULT];
	struct signal_state sig;
	u64 fs_base, gs_base;
	u8 fxsave[512] __attribute__((aligned(16)));
	char exe[PATH_MAX];
	char comm[TASK_COMM_LEN];
	u64 timer[2];
	int nice, ioprio;
	struct task_ids ids;
	struct task_cputime cputime;
	int pid, child;
} saved[MAX_FORK_DEPTH];
static int depth;

int fork_depth(void)
{
	return depth;
}

/* The nice value and I/O priority of a process: the running one, or one
 * of the parents waiting in fork() (they exist, they are just not
 * running).  NULL for any other pid. */
int *task_prio(int pid, bool io)
{
	if (pid == current_pid)
		return io ? &current_ioprio : &current_nice;
	for (int k = 0; k < depth; k++)
		if (saved[k].pid == pid)
			return io ? &saved[k].ioprio : &saved[k].nice;
	return NULL;
}

struct task_ids *task_ids(int pid)
{
	if (pid == current_pid)
		return &current_ids;
	for (int k = 0; k < depth; k++)
		if (saved[k].pid == pid)
			return &saved[k].ids;
	return NULL;
}

int task_pgrp_session(int pgrp)
{
	if (current_ids.pgrp == pgrp)
		return current_ids.sid;
	for (int k = 0; k < depth; k++)
		if (saved[k].ids.pgrp == pgrp)
			return saved[k].ids.sid;
	return 0;
}

int parent_pid(void)
{
	return depth ? saved[depth - 1].pid : 1;
}

/* A copy of every present user page, in a new PML4 that shares the
 * kernel half.  Returns the new PML4, or 0 when memory runs out. */
static u64 dup_mmap(u64 old_pgd)
{
	u64 new_pgd = alloc_page();
	if (!new_pgd)
		return 0;
	u64 *n = __va(new_pgd), *o = __va(old_pgd);
	for (int i = 256; i < 512; i++)
		n[i] = o[i];
	init_mm.pgd = new_pgd;		/* pte_walk() now builds the child's */
	for (int i = 0; i < init_mm.map_count; i++) {
		struct vm_area_struct *v = &init_mm.vmas[i];
		for (u64 va = v->vm_start; va < v->vm_end; va += PAGE_SIZE) {
			u64 *src = pte_walk_pgd(old_pgd, va);
			if (!src || !(*src & _PAGE_PRESENT))
				continue;
			u64 pa = alloc_page();
			u64 *dst = pa ? pte_walk(va, true) : NULL;
			if (!dst)
				goto fail;
			memcpy(__va(pa), __va(*src & PTE_PFN_MASK), PAGE_SIZE);
			*dst = pa | (*src & ~PTE_PFN_MASK);
		}
	}
	return new_pgd;
fail:
	do_munmap(0, TASK_SIZE_MAX);	/* frees what the child got so far */
	free_user_pgtables(new_pgd);
	init_mm.pgd = old_pgd;
	return 0;
}

static long do_fork(struct pt_regs *regs, unsigned long flags, u64 newsp)
{
	if (flags & CLONE_THREAD)
		return -ENOSYS;		/* threads: not in this kernel */
	if (depth == MAX_FORK_DEPTH)
		return -EAGAIN;
	struct saved_task *s = &saved[depth];

	s->mm = init_mm;
	u64 pgd = dup_mmap(init_mm.pgd);
	if (!pgd) {
		init_mm = s->mm;
		return -ENOMEM;
	}
	s->regs = *regs;
	files_save(s->fds, s->cloexec);
	signals_save(&s->sig);
	s->fs_base = rdmsrl(MSR_FS_BASE);
	s->gs_base = rdmsrl(MSR_KERNEL_GS_BASE);
	asm volatile("fxsave64 %0" : "=m"(s->fxsave));
	strncpy_pad(s->exe, init_mm.exe_path ? init_mm.exe_path : "", PATH_MAX - 1);
	memcpy(s->comm, current_comm, TASK_COMM_LEN);
	timer_save(s->timer);
	s->nice = current_nice;
	s->ioprio = current_ioprio;
	s->ids = current_ids;
	cputime_fork(&s->cputime);	/* the child's CPU time starts at 0 */
	s->pid = current_pid;
	s->child = next_pid++;
	depth++;

	/* Now we are the child: its page tables, its pid, fork() = 0.  Its
	 * memory high-water mark starts at what it has. */
	init_mm.hiwater_rss = init_mm.rss;
	write_cr3(pgd);
	current_pid = s->child;
	sig_pending = 0;		/* pending signals are not inherited */
	if (newsp)
		regs->sp = newsp;	/* clone() with a stack of its own */
	return 0;
}

/* Called from do_group_exit when a child ends: never returns; enters the
 * parent at the end of its fork(). */
void return_to_parent(int wstatus)
{
	struct saved_task *s = &saved[--depth];
	int child = current_pid;
	struct task_ids child_ids = current_ids;
	struct task_usage usage;

	cputime_exit(&usage);		/* before its memory goes: ru_maxrss */
	u64 child_pgd = init_mm.pgd;

	do_munmap(0, TASK_SIZE_MAX);	/* the child's pages */
	init_mm = s->mm;
	write_cr3(init_mm.pgd);
	free_user_pgtables(child_pgd);
	files_restore(s->fds, s->cloexec);
	signals_restore(&s->sig);
	wrmsrl(MSR_FS_BASE, s->fs_base);
	wrmsrl(MSR_KERNEL_GS_BASE, s->gs_base);
	asm volatile("fxrstor64 %0" : : "m"(s->fxsave));
	if (s->exe[0])
		set_exe_path(s->exe);
	memcpy(current_comm, s->comm, TASK_COMM_LEN);
	timer_restore(s->timer);
	current_nice = s->nice;
	current_ioprio = s->ioprio;
	current_ids = s->ids;
	current_pid = s->pid;
	add_zombie(child, wstatus, &child_ids, &usage);
	cputime_resume(&s->cputime);

	struct pt_regs *regs = current_pt_regs();
	*regs = s->regs;
	regs->ax = child;		/* fork() returns the child's pid */
	send_sig_self(SIGCHLD, 1 /* CLD_EXITED */);
	ret_to_user(regs);
}

SYSCALL_DEFINE0(fork)
{
	return do_fork(current_pt_regs(), 0, 0);
}

SYSCALL_DEFINE0(vfork)
{
	return do_fork(current_pt_regs(), CLONE_VM | CLONE_VFORK, 0);
}

/* clone(flags, newsp, parent_tid, child_tid, tls): the C libraries'
 * fork() and posix_spawn() come here. */
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_SETTID	0x01000000

SYSCALL_DEFINE5(clone, unsigned long, flags, unsigned long, newsp, int __user *, ptid,
		int __user *, ctid, unsigned long, tls)
{
	int child = next_pid;
	if ((flags & CLONE_PARENT_SETTID) && copy_to_user(ptid, &child, sizeof(child)))
		return -EFAULT;		/* written before the copy: both see it */
	long r = do_fork(current_pt_regs(), flags & ~CSIGNAL, newsp);
	if (r == 0) {			/* in the child */
		if (flags & CLONE_CHILD_SETTID)
			copy_to_user(ctid, &child, sizeof(child));
		if (flags & CLONE_SETTLS)
			wrmsrl(MSR_FS_BASE, tls);
	}
	return r;
}
