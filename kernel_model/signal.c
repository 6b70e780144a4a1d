/*
 * signal.c - signal bookkeeping (mirrors kernel/signal.c).
 *
 * Handlers are recorded so that rt_sigaction answers truthfully, but never
 * run: delivering a signal would need a signal frame and rt_sigreturn,
 * which this kernel leaves out.  A signal sent to ourselves is therefore
 * either ignored or fatal, decided by Linux's default actions.
 */
#include "mm.h"

struct k_sigaction {
	unsigned long handler;
	unsigned long flags;
	unsigned long restorer;
	unsigned long mask;
};

static struct k_sigaction actions[_NSIG];
static unsigned long blocked;
static unsigned long pending;	/* sent while blocked: acted on at unblock */

static long send_sig_self(int sig);

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
	if (oact && copy_to_user(oact, &actions[sig - 1], sizeof(n)))
		return -EFAULT;
	if (act)
		actions[sig - 1] = n;
	return 0;
}

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

SYSCALL_DEFINE4(rt_sigprocmask, int, how, const unsigned long __user *, nset,
		unsigned long __user *, oset, unsigned long, sigsetsize)
{
	unsigned long n;
	if (sigsetsize != sizeof(unsigned long))
		return -EINVAL;
	if (nset && copy_from_user(&n, nset, sizeof(n)))
		return -EFAULT;
	if (oset && copy_to_user(oset, &blocked, sizeof(n)))
		return -EFAULT;
	if (nset) {
		switch (how) {
		case SIG_BLOCK: blocked |= n; break;
		case SIG_UNBLOCK: blocked &= ~n; break;
		case SIG_SETMASK: blocked = n; break;
		default: return -EINVAL;
		}
		/* SIGKILL and SIGSTOP cannot be blocked. */
		blocked &= ~((1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1)));
		/* Unblocking a pending signal delivers it now (this is how
		 * abort() works: raise() with signals blocked, then unblock). */
		for (int sig = 1; sig <= _NSIG; sig++) {
			unsigned long bit = 1UL << (sig - 1);
			if ((pending & bit) && !(blocked & bit)) {
				pending &= ~bit;
				send_sig_self(sig);
			}
		}
	}
	return 0;
}

SYSCALL_DEFINE2(sigaltstack, const void __user *, uss, void __user *, uoss)
{
	/* stack_t { void *ss_sp; int ss_flags; size_t ss_size; } */
	static struct { u64 sp; int flags; int pad; u64 size; } cur = { 0, 2 /* SS_DISABLE */, 0, 0 };
	if (uoss && copy_to_user(uoss, &cur, sizeof(cur)))
		return -EFAULT;
	if (uss && copy_from_user(&cur, uss, sizeof(cur)))
		return -EFAULT;
	return 0;
}

/* Default action of each signal: ignore, or terminate (core dumps and
 * stops are both treated as termination here). */
static bool sig_default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

static long send_sig_self(int sig)
{
	if (sig == 0)
		return 0;		/* existence check */
	if (sig < 1 || sig > _NSIG)
		return -EINVAL;
	unsigned long h = actions[sig - 1].handler;
	if (sig != SIGKILL && sig != SIGSTOP) {
		if (h == SIG_IGN || (h == SIG_DFL && sig_default_ignored(sig)))
			return 0;
		if (blocked & (1UL << (sig - 1))) {
			pending |= 1UL << (sig - 1);
			return 0;
		}
		if (h != SIG_DFL)
			printk("lstar: signal %d has a handler, but handlers are not "
			       "delivered; terminating\n", sig);
	}
	force_sig_exit(sig, "kill", 0, NULL);
}

SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
	if (pid != 42 && pid != 0 && pid != -1)
		return -ESRCH;
	return send_sig_self(sig);
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	return tid == 42 ? send_sig_self(sig) : -ESRCH;
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	return (tgid == 42 && tid == 42) ? send_sig_self(sig) : -ESRCH;
}
