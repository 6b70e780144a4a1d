/*
 * exit.c - the end of a task and of a process, zombies and wait4/waitid,
 * and the end of the machine (mirrors kernel/exit.c).
 *
 * A thread that ends gives back what it held (its share of the address
 * space, descriptors, handlers) and leaves the CPU for good.  When the
 * last thread of a process has ended, the process is a zombie: its pid,
 * exit status and CPU times wait in the task table until the parent
 * collects them with wait4, and the parent gets SIGCHLD.  A process whose
 * parent has gone (an orphan) is collected by the kernel itself when it
 * ends.  When the first process ends, the machine ends: its exit status
 * goes to the power-off port and lstar exits with it; whatever else still
 * runs then is stopped with it.
 */
#include "sched.h"
#include "processor.h"

#define POWEROFF_PORT 0xF4

static bool stats_wanted;

void exit_stats_enable(void)
{
	stats_wanted = true;
}

static __noreturn void machine_power_off(int wstatus)
{
	report_ni_syscalls(stats_wanted);
	filemap_sync_all();	/* other processes' shared mappings of files */
	int status = (wstatus & 0x7f) ? 128 + (wstatus & 0x7f) : (wstatus >> 8) & 0xff;
	outl(status, POWEROFF_PORT);
	panic("power-off port did not stop the machine");
}

/* A zombie's slot and process are freed: wait4 collected it, or nobody will. */
void release_task(struct task_struct *t)
{
	struct signal_struct *sig = t->signal;
	if (--sig->nr_threads == 0 && (u64)sig >= page_offset_base)
		free_page(__pa(sig));
	if (t == current) {
		t->state = EXIT_DEAD;	/* freed after the switch away */
		return;
	}
	free_task(t);
}

static bool is_first_process(const struct task_struct *t)
{
	return t->tgid == INIT_PID;
}

/* Children of an ending process lose their parent; zombies among them
 * will never be waited for. */
static void forget_original_parent(struct task_struct *father)
{
	for_each_task(t) {
		if (t->real_parent != father)
			continue;
		t->real_parent = NULL;
		if (t->state == EXIT_ZOMBIE && thread_group_leader(t) && t->signal->count == 0)
			release_task(t);
	}
}

/* Does the parent collect its children at all?  SIGCHLD ignored or
 * SA_NOCLDWAIT: Linux reaps them at once. */
#define SA_NOCLDWAIT 2
static bool parent_ignores_children(const struct task_struct *parent)
{
	const struct k_sigaction *ka = &parent->sighand->action[SIGCHLD - 1];
	return ka->handler == SIG_IGN || (ka->flags & SA_NOCLDWAIT);
}

/*
 * The whole process has ended (its last thread is gone, the leader is a
 * zombie): tell the parent, or vanish if there is nobody to tell.
 */
static void exit_notify(struct task_struct *leader)
{
	struct task_struct *parent = leader->real_parent;
	if (is_first_process(leader))
		machine_power_off(leader->signal->group_exit ? leader->signal->group_exit_code
							     : leader->exit_code);
	if (!parent || parent_ignores_children(parent)) {
		if (parent)
			wake_up(&parent->signal->wait_chldexit);
		release_task(leader);
		return;
	}
	do_notify_parent(leader);
	wake_up(&parent->signal->wait_chldexit);
}

/*
 * do_task_exit - the running thread ends with wait status wstatus (Linux's
 * do_exit).  Never returns.
 */
void do_task_exit(int wstatus)
{
	struct task_struct *tsk = current;
	struct signal_struct *sig = tsk->signal;

	/* CLONE_CHILD_CLEARTID: the thread library's join waits on this word. */
	if (tsk->clear_child_tid && tsk->mm->users > 1) {
		u32 zero = 0;
		if (!copy_to_user((void *)tsk->clear_child_tid, &zero, sizeof(zero)))
			do_futex_wake(tsk->clear_child_tid, 1, ~0U, true);	/* shared, as Linux */
	}
	futex_exit(tsk);
	mm_release_vfork(tsk);

	tsk->exit_code = wstatus;
	if (sig->count == 1 && is_first_process(tsk))
		/* The machine ends with it: nothing to give back. */
		machine_power_off(sig->group_exit ? sig->group_exit_code :
				  thread_group_leader(tsk) ? wstatus : tsk->group_leader->exit_code);
	if (--sig->count == 0) {
		/* The process's last thread: its times and memory for wait4. */
		cputime_exit(&sig->usage);
		sig->real_deadline = 0;
	}
	struct mm_struct *mm = tsk->mm;
	put_files_struct(tsk->files);
	put_fs_struct(tsk->fs);
	if (--tsk->sighand->count == 0 && (u64)tsk->sighand >= page_offset_base)
		free_page(__pa(tsk->sighand));
	tsk->files = NULL;
	mmput(mm);
	tsk->mm = NULL;

	if (thread_group_leader(tsk))
		forget_original_parent(tsk);
	if (!thread_group_leader(tsk)) {
		/* A thread leaves no zombie.  If it was the last one and the
		 * leader ended before it, the process ends now. */
		struct task_struct *leader = tsk->group_leader;
		tsk->state = EXIT_DEAD;
		sig->nr_threads--;
		if (sig->count == 0 && leader->state == EXIT_ZOMBIE)
			exit_notify(leader);
	} else {
		tsk->state = EXIT_ZOMBIE;
		if (sig->count == 0)
			exit_notify(tsk);
	}
	nr_running_tasks--;
	schedule();
	panic("a dead task ran again");
}

/*
 * do_group_exit - the whole process ends (exit_group, a fatal signal):
 * the other threads are told to end, and this one ends.
 */
void do_group_exit(int wstatus)
{
	struct signal_struct *sig = current->signal;
	if (sig->group_exit) {
		wstatus = sig->group_exit_code;
	} else {
		sig->group_exit = true;
		sig->group_exit_code = wstatus;
		zap_other_threads(current);
	}
	do_task_exit(wstatus);
}

/* Wake every other thread of t's process so that it ends (it notices
 * group_exit or zap on its way back to user mode). */
void zap_other_threads(struct task_struct *t)
{
	for_each_task(o) {
		if (o == t || o->signal != t->signal || o->state == EXIT_ZOMBIE ||
		    o->state == EXIT_DEAD)
			continue;
		o->pending |= 1UL << (SIGKILL - 1);
		if (o->state == TASK_STOPPED)
			o->state = TASK_INTERRUPTIBLE;
		wake_up_process(o);
	}
}

void do_exit(int code)
{
	do_group_exit((code & 0xff) << 8);
}

void do_exit_signal(int sig)
{
	do_group_exit(sig & 0x7f);
}

SYSCALL_DEFINE1(exit, int, error_code)
{
	do_task_exit((error_code & 0xff) << 8);
}

SYSCALL_DEFINE1(exit_group, int, error_code)
{
	do_exit(error_code);
}

#define WNOHANG		0x00000001
#define WUNTRACED	0x00000002
#define WSTOPPED	WUNTRACED
#define WEXITED		0x00000004
#define WCONTINUED	0x00000008
#define WNOWAIT		0x01000000
#define __WNOTHREAD	0x20000000
#define __WALL		0x40000000
#define __WCLONE	0x80000000

/* Is t a child that (pid as wait4 reads it) selects? */
static bool eligible_child(const struct task_struct *t, int pid)
{
	if (!thread_group_leader(t) || t->real_parent != current->group_leader)
		return false;
	if (pid > 0)
		return t->tgid == pid;
	if (pid == 0)
		return t->signal->ids.pgrp == current_ids.pgrp;
	if (pid < -1)
		return t->signal->ids.pgrp == -pid;
	return true;
}

struct wait_result {
	int pid, status;
	int code;		/* CLD_EXITED, CLD_KILLED, CLD_STOPPED, CLD_CONTINUED */
	struct task_usage usage;
};

#define CLD_EXITED	1
#define CLD_KILLED	2
#define CLD_DUMPED	3
#define CLD_STOPPED	5
#define CLD_CONTINUED	6

/*
 * do_wait - find a child that has something to report, or sleep until one
 * has.  0 and *r filled, -ECHILD (no such child), 1 (WNOHANG and nothing
 * yet), or -EINTR.
 */
static long do_wait(int pid, int options, struct wait_result *r)
{
	for (;;) {
		bool have = false;
		for_each_task(t) {
			if (!eligible_child(t, pid))
				continue;
			have = true;
			struct signal_struct *sig = t->signal;
			if (t->state == EXIT_ZOMBIE && sig->count == 0 && (options & WEXITED)) {
				int st = sig->group_exit ? sig->group_exit_code : t->exit_code;
				*r = (struct wait_result){ t->tgid, st,
					(st & 0x7f) ? ((st & 0x80) ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED,
					sig->usage };
				if (!(options & WNOWAIT)) {
					cputime_reap(&sig->usage);
					release_task(t);
				}
				return 0;
			}
			if ((options & WUNTRACED) && sig->stop_state == 1) {
				*r = (struct wait_result){ t->tgid, (sig->stop_sig << 8) | 0x7f,
							   CLD_STOPPED, { 0 } };
				if (!(options & WNOWAIT))
					sig->stop_state = 0;
				return 0;
			}
			if ((options & WCONTINUED) && sig->stop_state == 2) {
				*r = (struct wait_result){ t->tgid, 0xffff, CLD_CONTINUED, { 0 } };
				if (!(options & WNOWAIT))
					sig->stop_state = 0;
				return 0;
			}
		}
		if (!have)
			return -ECHILD;
		if (options & WNOHANG)
			return 1;
		/* Looked at again after every wake-up, before the signal that
		 * may have caused it: a child that ended is reported. */
		if (signal_pending(current))
			return -ERESTARTSYS;
		sleep_on_wq(&current->signal->wait_chldexit, "wait4", 0, true);
	}
}

SYSCALL_DEFINE4(wait4, int, pid, int __user *, status, int, options, void __user *, ru)
{
	struct wait_result r;
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	long err = do_wait(pid, options | WEXITED, &r);
	if (err < 0)
		return err;
	if (err == 1)
		return 0;
	if (status && copy_to_user(status, &r.status, sizeof(r.status)))
		return -EFAULT;
	if (ru && put_child_rusage(ru, &r.usage))
		return -EFAULT;
	return r.pid;
}

/* waitid(idtype, id, infop, options, ru): P_ALL 0, P_PID 1, P_PGID 2. */
struct siginfo_chld {
	int si_signo, si_errno, si_code, pad;
	int si_pid, si_uid, si_status;
	u8 rest[128 - 28];
};

SYSCALL_DEFINE5(waitid, int, which, int, upid, void __user *, infop, int, options,
		void __user *, ru)
{
	int pid;
	switch (which) {
	case 0: pid = -1; break;
	case 1: if (upid <= 0) return -EINVAL; pid = upid; break;
	case 2: if (upid < 0) return -EINVAL; pid = upid ? -upid : 0; break;
	default: return -EINVAL;
	}
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	struct wait_result r;
	long err = do_wait(pid, options, &r);
	if (err < 0)
		return err;
	struct siginfo_chld si;
	memset(&si, 0, sizeof(si));
	if (err == 0) {
		si.si_signo = SIGCHLD;
		si.si_code = r.code;
		si.si_pid = r.pid;
		si.si_uid = boot_info.uid;
		si.si_status = r.code == CLD_EXITED ? (r.status >> 8) & 0xff :
			       r.code == CLD_CONTINUED ? SIGCONT :
			       r.code == CLD_STOPPED ? (r.status >> 8) & 0xff : r.status & 0x7f;
	}
	if (infop && copy_to_user(infop, &si, sizeof(si)))
		return -EFAULT;
	if (ru && err == 0 && put_child_rusage(ru, &r.usage))
		return -EFAULT;
	return 0;
}
