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
#include "mm.h"
#include "signal.h"

struct k_sigaction sig_actions[_NSIG];
unsigned long sig_blocked;
unsigned long sig_pending;
struct ksiginfo sig_info[_NSIG];	/* what each pending signal carries */
unsigned long saved_sigmask;
bool saved_sigmask_valid;

#define SIGBIT(sig)	(1UL << ((sig) - 1))
#define UNBLOCKABLE	(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* Default action: ignore, or terminate (core dumps and stops are both
 * treated as termination here). */
static bool sig_default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

/* Act on pending signals that are not blocked and have no handler; the
 * ones with handlers stay pending for arch_do_signal. */
static void recalc_sigpending(void)
{
	for (int sig = 1; sig <= _NSIG; sig++) {
		unsigned long bit = SIGBIT(sig);
		if (!(sig_pending & bit) || (sig_blocked & bit))
			continue;
		unsigned long h = sig_actions[sig - 1].handler;
		if (h == SIG_IGN || (h == SIG_DFL && sig_default_ignored(sig))) {
			sig_pending &= ~bit;
		} else if (h == SIG_DFL) {
			sig_pending &= ~bit;
			force_sig_exit(sig, "sent by the program itself", 0, NULL);
		}
	}
}

long send_sig_self(int sig, int code)
{
	if (sig == 0)
		return 0;		/* existence check */
	if (sig < 1 || sig > _NSIG)
		return -EINVAL;
	if (sig == SIGKILL || sig == SIGSTOP)
		force_sig_exit(sig, "sent by the program itself", 0, NULL);
	sig_info[sig - 1] = (struct ksiginfo){ .signo = sig, .code = code,
					       .pid = THE_PID, .uid = boot_info.uid };
	sig_pending |= SIGBIT(sig);
	recalc_sigpending();
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

void signals_save(struct signal_state *s)
{
	memcpy(s->actions, sig_actions, sizeof(sig_actions));
	s->blocked = sig_blocked;
	s->pending = sig_pending;
	s->altstack = sig_altstack;
}

void signals_restore(const struct signal_state *s)
{
	memcpy(sig_actions, s->actions, sizeof(sig_actions));
	sig_blocked = s->blocked;
	sig_pending = s->pending;
	sig_altstack = s->altstack;
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

struct stack_t_k sig_altstack = { 0, SS_DISABLE, 0, 0 };

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
	/* Ourselves, our group (0 or -pgrp), everybody (-1): the others
	 * that exist are parents waiting in fork(), which cannot take a
	 * signal now. */
	if (pid != THE_PID && pid != 0 && pid != -1 && pid != -current_ids.pgrp)
		return -ESRCH;
	return send_sig_self(sig, SI_USER);
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	return tid == THE_PID ? send_sig_self(sig, SI_TKILL) : -ESRCH;
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	return (tgid == THE_PID && tid == THE_PID) ? send_sig_self(sig, SI_TKILL) : -ESRCH;
}
