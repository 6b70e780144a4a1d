/*
 * signal.c - signal state and the calls that change it (mirrors
 * kernel/signal.c).  Frames and handler entry are in signal_64.c.
 *
 * Only the running process can send, and only to itself: every signal is a
 * fault of the program's own (force_sig_fault) or one it sends itself
 * (kill, tkill, tgkill, a write to a pipe without reader), or SIGCHLD when
 * one of its children has ended (fork.c).  A signal with
 * a handler is made pending and delivered on the way out of the system
 * call (arch_do_signal); a signal at its default action ends the program
 * (status 128 + sig) or is dropped, as Linux's default actions say.
 */
#include "sched.h"
#include "mm.h"
#include "signal.h"


#define SIGBIT(sig)	(1UL << ((sig) - 1))
#define UNBLOCKABLE	(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* Default action: ignore, stop, or terminate (core dumps are treated as
 * termination here). */
static bool sig_default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

static bool sig_default_stops(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

#define SA_NOCLDSTOP	1
#define CLD_STOPPED	5
#define CLD_CONTINUED	6

/* Tell the parent that the process stopped or continued (SIGCHLD unless
 * it asked not to hear of stops, and a wake-up for waitpid). */
static void notify_parent_stop(struct task_struct *leader, int code)
{
	struct task_struct *parent = leader->real_parent;
	if (!parent)
		return;
	const struct k_sigaction *ka = &parent->sighand->action[SIGCHLD - 1];
	if (!(ka->flags & SA_NOCLDSTOP) && ka->handler != SIG_IGN) {
		struct ksiginfo info = { .signo = SIGCHLD, .code = code,
					 .pid = leader->tgid, .uid = boot_info.uid };
		send_signal_to_task(parent, SIGCHLD, &info, true);
	}
	wake_up(&parent->signal->wait_chldexit);
}

/* A stop signal at its default action: every thread of the process stops
 * until a SIGCONT (the first process, like Linux's init, is not stopped). */
static void do_signal_stop(int sig)
{
	if (current->tgid == INIT_PID)
		return;
	struct signal_struct *s = current->signal;
	s->stop_state = 1;
	s->stop_sig = sig;
	for_each_task(t)
		if (t->signal == s && t != current &&
		    (t->state == TASK_RUNNING || t->state == TASK_INTERRUPTIBLE))
			t->state = TASK_STOPPED;
	notify_parent_stop(current->group_leader, CLD_STOPPED);
	current->state = TASK_STOPPED;
	current->wchan_name = "do_signal_stop";
	schedule();
}

/* Act on pending signals that are not blocked and have no handler; the
 * ones with handlers stay pending for arch_do_signal. */
static void recalc_sigpending(void)
{
	for (int sig = 1; sig <= _NSIG; sig++) {
		unsigned long bit = SIGBIT(sig);
		if (!(sig_pending & bit) || ((sig_blocked & bit) && !(bit & UNBLOCKABLE)))
			continue;
		unsigned long h = sig_actions[sig - 1].handler;
		if (sig == SIGKILL)
			h = SIG_DFL;
		if (h == SIG_IGN || (h == SIG_DFL && sig_default_ignored(sig))) {
			sig_pending &= ~bit;
		} else if (h == SIG_DFL && sig_default_stops(sig)) {
			sig_pending &= ~bit;
			do_signal_stop(sig);
		} else if (h == SIG_DFL) {
			sig_pending &= ~bit;
			if (current->signal->group_exit || current->zap)
				do_task_exit(current->signal->group_exit ?
					     current->signal->group_exit_code : 0);
			int from = sig_info[sig - 1].pid;
			if (from != THE_PID)	/* killed by someone else: quietly */
				do_group_exit(sig);
			force_sig_exit(sig, "sent by the program itself", 0, NULL);
		}
	}
}

/* The signals acted on at the way back to user mode (signal_64.c). */
void do_pending_default_actions(void)
{
	if (sig_pending)
		recalc_sigpending();
}

/*
 * send_signal_to_task - make sig pending for t (group: for t's whole
 * process, delivered to a thread that does not block it), and wake the
 * thread that will take it.  It acts on it on its way back to user mode.
 */
int send_signal_to_task(struct task_struct *t, int sig, const struct ksiginfo *info,
			bool group)
{
	if (sig == 0)
		return 0;
	if (t->state == EXIT_ZOMBIE || t->state == EXIT_DEAD || t->signal->group_exit)
		return 0;		/* it is ending anyway */
	unsigned long bit = SIGBIT(sig);
	struct signal_struct *s = t->signal;
	if (sig == SIGCONT || sig == SIGKILL) {
		/* SIGCONT continues a stopped process whatever its handler;
		 * pending stop signals are dropped (and the reverse). */
		bool was_stopped = false;
		for_each_task(o)
			if (o->signal == s) {
				o->pending &= ~(SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) |
						SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU));
				if (o->state == TASK_STOPPED) {
					o->state = TASK_RUNNING;
					was_stopped = true;
				}
			}
		if (was_stopped && sig == SIGCONT) {
			s->stop_state = 2;
			notify_parent_stop(t->group_leader, CLD_CONTINUED);
		}
	} else if (sig_default_stops(sig)) {
		for_each_task(o)
			if (o->signal == s)
				o->pending &= ~SIGBIT(SIGCONT);
	}
	unsigned long h = t->sighand->action[sig - 1].handler;
	if (sig != SIGKILL && (h == SIG_IGN || (h == SIG_DFL && sig_default_ignored(sig))) &&
	    !(t->blocked & bit))
		return 0;		/* dropped at once, as Linux does */
	/* Which thread takes it: t, or for the process one that does not
	 * block it. */
	struct task_struct *target = t;
	if (group && (t->blocked & bit) && !(bit & UNBLOCKABLE)) {
		for_each_task(o)
			if (o->signal == s && (o->sigwait_set & bit)) {
				target = o;	/* waiting for it in sigtimedwait */
				goto chosen;
			}
		for_each_task(o)
			if (o->signal == s && !(o->blocked & bit) &&
			    o->state != EXIT_ZOMBIE && o->state != EXIT_DEAD) {
				target = o;
				break;
			}
	}
chosen:
	if (!(target->pending & bit) || sig >= 32 /* SIGRTMIN */)
		target->siginfo[sig - 1] = *info;
	target->pending |= bit;
	if (sig == SIGKILL)
		for_each_task(o)
			if (o->signal == s) {
				o->pending |= bit;
				wake_up_process(o);
			}
	if (!(target->blocked & bit) || (bit & UNBLOCKABLE) ||
	    (target->sigwait_set & bit))
		if (target->state == TASK_INTERRUPTIBLE)
			wake_up_process(target);
	return 0;
}

long send_sig_self(int sig, int code)
{
	if (sig == 0)
		return 0;		/* existence check */
	if (sig < 1 || sig > _NSIG)
		return -EINVAL;
	if (sig == SIGKILL)
		force_sig_exit(sig, "sent by the program itself", 0, NULL);
	struct ksiginfo info = { .signo = sig, .code = code, .pid = THE_PID,
				 .uid = boot_info.uid };
	send_signal_to_task(current, sig, &info, false);
	recalc_sigpending();
	return 0;
}

/* The end of a child process: SIGCHLD to its parent, with the status. */
void do_notify_parent(struct task_struct *leader)
{
	struct task_struct *parent = leader->real_parent;
	int st = leader->signal->group_exit ? leader->signal->group_exit_code : leader->exit_code;
	int sig = leader->exit_signal;
	if (sig <= 0 || sig > _NSIG)
		return;
	struct ksiginfo info = { .signo = sig, .pid = leader->tgid, .uid = boot_info.uid,
				 .code = (st & 0x7f) ? 2 /* CLD_KILLED */ : 1 /* CLD_EXITED */ };
	info.status = (st & 0x7f) ? (st & 0x7f) : (st >> 8) & 0xff;
	send_signal_to_task(parent, sig, &info, true);
}

/* Send sig to every process pid names (kill's rules); -ESRCH if none. */
int kill_pid_info(int pid, int sig, int code)
{
	if (sig < 0 || sig > _NSIG)
		return -EINVAL;
	/* The kernel's own signals (SI_KERNEL: Ctrl-C) come from nobody. */
	struct ksiginfo info = { .signo = sig, .code = code,
				 .pid = code == 0x80 ? 0 : THE_PID, .uid = boot_info.uid };
	int found = 0;
	bool self = false;
	for_each_task(t) {
		if (!thread_group_leader(t) || t == idle_task || t->state == EXIT_DEAD)
			continue;
		bool match;
		if (pid > 0)
			match = t->tgid == pid;
		else if (pid == 0)
			match = t->signal->ids.pgrp == current_ids.pgrp;
		else if (pid == -1)
			match = t->tgid != THE_PID && t->tgid != INIT_PID;
		else
			match = t->signal->ids.pgrp == -pid;
		if (!match)
			continue;
		found++;
		if (t->tgid == THE_PID) {
			self = true;	/* last: we may not come back */
			continue;
		}
		send_signal_to_task(t, sig, &info, true);
	}
	if (!found)
		return -ESRCH;
	if (self && sig) {
		if (sig == SIGKILL)
			force_sig_exit(sig, "sent by the program itself", 0, NULL);
		send_signal_to_task(current, sig, &info, true);
		recalc_sigpending();
	}
	return 0;
}

/*
 * A fault of the program's own (traps.c, memory.c).  With a handler that
 * is not blocked, the handler runs (the trap returns into it); otherwise
 * the default action - for these signals always termination - even if the
 * program tried to ignore or block it, as Linux's force_sig_fault does.
 */
void force_sig_fault(int sig, int code, unsigned long addr, struct pt_regs *regs,
		     const char *what)
{
	unsigned long h = sig_actions[sig - 1].handler;
	if (h != SIG_DFL && h != SIG_IGN && !(sig_blocked & SIGBIT(sig))) {
		struct ksiginfo info = { .signo = sig, .code = code, .fault = true,
					.addr = addr };
		if (setup_rt_frame(sig, &info, regs))
			return;
		/* No room for the frame on the user stack: Linux kills with
		 * SIGSEGV in that case too. */
		sig = SIGSEGV;
	}
	force_sig_exit(sig, what, addr, regs);
}

SYSCALL_DEFINE4(rt_sigaction, int, sig, const struct k_sigaction __user *, act,
		struct k_sigaction __user *, oact, unsigned long, sigsetsize)
{
	struct k_sigaction n;
	if (sigsetsize != sizeof(unsigned long) || sig < 1 || sig > _NSIG)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (act && copy_from_user(&n, act, sizeof(n)))
		return -EFAULT;
	if (oact && copy_to_user(oact, &sig_actions[sig - 1], sizeof(n)))
		return -EFAULT;
	if (act) {
		n.mask &= ~UNBLOCKABLE;
		sig_actions[sig - 1] = n;
		recalc_sigpending();	/* SIG_IGN discards a pending one */
	}
	return 0;
}

/* execve: the handlers' code is gone, so handled signals go back to their
 * default; ignored ones stay ignored, and the mask and pending set stay. */
void flush_signal_handlers(void)
{
	for (int i = 0; i < _NSIG; i++) {
		if (sig_actions[i].handler != SIG_IGN)
			sig_actions[i].handler = SIG_DFL;
		sig_actions[i].flags = 0;
		sig_actions[i].restorer = 0;
		sig_actions[i].mask = 0;
	}
	sig_altstack = (struct stack_t_k){ 0, 2 /* SS_DISABLE */, 0, 0 };
}

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

void set_current_blocked(unsigned long mask)
{
	sig_blocked = mask & ~UNBLOCKABLE;
	/* Unblocking a pending signal acts on it now: this is how abort()
	 * works (raise() with signals blocked, then unblock). */
	recalc_sigpending();
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, const unsigned long __user *, nset,
		unsigned long __user *, oset, unsigned long, sigsetsize)
{
	unsigned long n;
	if (sigsetsize != sizeof(unsigned long))
		return -EINVAL;
	if (nset && copy_from_user(&n, nset, sizeof(n)))
		return -EFAULT;
	if (oset && copy_to_user(oset, &sig_blocked, sizeof(n)))
		return -EFAULT;
	if (nset) {
		switch (how) {
		case SIG_BLOCK: set_current_blocked(sig_blocked | n); break;
		case SIG_UNBLOCK: set_current_blocked(sig_blocked & ~n); break;
		case SIG_SETMASK: set_current_blocked(n); break;
		default: return -EINVAL;
		}
	}
	return 0;
}

SYSCALL_DEFINE2(rt_sigpending, unsigned long __user *, uset, unsigned long, sigsetsize)
{
	unsigned long p = sig_pending & sig_blocked;
	if (sigsetsize != sizeof(unsigned long))
		return -EINVAL;
	return copy_to_user(uset, &p, sizeof(p)) ? -EFAULT : 0;
}

#define SS_ONSTACK	1
#define SS_DISABLE	2
#define MINSIGSTKSZ	2048


SYSCALL_DEFINE2(sigaltstack, const struct stack_t_k __user *, uss,
		struct stack_t_k __user *, uoss)
{
	struct stack_t_k n, old = sig_altstack;
	if (uss && copy_from_user(&n, uss, sizeof(n)))
		return -EFAULT;
	if (uss) {
		if (n.flags & ~SS_DISABLE)
			return -EINVAL;
		if (!(n.flags & SS_DISABLE) && n.size < MINSIGSTKSZ)
			return -ENOMEM;
		sig_altstack = n;
	}
	if (uoss && copy_to_user(uoss, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

#define SI_USER		0
#define SI_TKILL	(-6)

SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
	if (pid == INT32_MIN)
		return -ESRCH;
	return kill_pid_info(pid, sig, SI_USER);
}

/* A signal for one thread. */
static long do_tkill(int tgid, int tid, int sig)
{
	if (tid <= 0 || sig < 0 || sig > _NSIG)
		return -EINVAL;
	struct task_struct *t = find_task_by_pid(tid);
	if (!t || t->state == EXIT_ZOMBIE || (tgid > 0 && t->tgid != tgid))
		return -ESRCH;
	if (sig == 0)
		return 0;
	if (t == current)
		return send_sig_self(sig, SI_TKILL);
	struct ksiginfo info = { .signo = sig, .code = SI_TKILL, .pid = THE_PID,
				 .uid = boot_info.uid };
	return send_signal_to_task(t, sig, &info, false);
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	return do_tkill(-1, tid, sig);
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	if (tgid <= 0)
		return -EINVAL;
	return do_tkill(tgid, tid, sig);
}

/* siginfo_t as user space reads it (128 bytes): signo, errno, code,
 * then the union at offset 16, laid out by the kind of signal. */
void fill_siginfo(u8 *buf, int sig, const struct ksiginfo *info)
{
	int *si = (int *)buf;
	memset(buf, 0, 128);
	si[0] = sig;
	si[2] = info->code;
	if (info->fault) {
		*(u64 *)(buf + 16) = info->addr;	/* si_addr */
	} else if (info->code == -2) {		/* SI_TIMER */
		si[4] = info->timerid, si[5] = info->overrun;
		*(u64 *)(buf + 24) = info->value;	/* si_value */
	} else {
		si[4] = info->pid, si[5] = info->uid;
		if (sig == SIGCHLD)	/* si_status; si_utime, si_stime stay 0 */
			si[6] = info->status;
		else if (info->code == -1)		/* SI_QUEUE: si_value */
			*(u64 *)(buf + 24) = info->value;
	}
}

/*
 * rt_sigtimedwait(set, info, timeout) - take a pending signal of `set`
 * instead of running its handler: wait until one comes (they are normally
 * blocked by the caller), the timeout passes (EAGAIN) or another signal
 * interrupts (EINTR).  sigwait() and sigwaitinfo() come here.
 */
SYSCALL_DEFINE4(rt_sigtimedwait, const unsigned long __user *, uthese, void __user *, uinfo,
		const struct timespec __user *, uts, unsigned long, sigsetsize)
{
	static DECLARE_WAIT_QUEUE_HEAD(sigwait);
	unsigned long these;
	struct timespec ts;
	u64 deadline = 0;
	if (sigsetsize != sizeof(these))
		return -EINVAL;
	if (copy_from_user(&these, uthese, sizeof(these)))
		return -EFAULT;
	these &= ~UNBLOCKABLE;
	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = now_ns() + ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	}
	for (;;) {
		unsigned long ready = sig_pending & these;
		if (ready) {
			int sig = __builtin_ctzl(ready) + 1;
			sig_pending &= ~SIGBIT(sig);
			const struct ksiginfo *in = &sig_info[sig - 1];
			if (uinfo) {
				u8 si[128];
				fill_siginfo(si, sig, in);
				if (copy_to_user(uinfo, si, sizeof(si)))
					return -EFAULT;
			}
			return sig;
		}
		if (uts && now_ns() >= deadline)
			return -EAGAIN;
		current->sigwait_set = these;
		int r = sleep_on_wq(&sigwait, uts ? "hrtimer_sigtimedwait" : "sigtimedwait",
				 uts ? deadline : 0, true);
		current->sigwait_set = 0;
		if (r == -ERESTARTSYS && !(sig_pending & these))
			return -EINTR;
		if (r == -ETIMEDOUT && !(sig_pending & these))
			return -EAGAIN;
	}
}
