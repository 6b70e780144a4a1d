/*
 * common.c - the C half of the system call path (mirrors
 * arch/x86/entry/common.c; newer Linux moved do_syscall_64 to
 * arch/x86/entry/syscall_64.c).
 */
#include "sched.h"
#include "sched.h"
#include "processor.h"

/* Only for NR_syscalls (see syscall_64.c for the other uses). */
#define __SYSCALL(nr, sym)
#include "syscalls_64.h"
#undef __SYSCALL

/* Unimplemented calls are counted so that `--stats` (or LSTAR_KSTATS in the
 * guest environment) can show what a program wanted and did not get. */
static u64 ni_count[512];

long sys_ni_syscall(const struct pt_regs *regs)
{
	unsigned long nr = (unsigned int)regs->orig_ax;
	ni_count[nr < ARRAY_SIZE(ni_count) ? nr : ARRAY_SIZE(ni_count) - 1]++;
	return -ENOSYS;
}

/* Called at exit: tell the host-call device, and the console if asked. */
void report_ni_syscalls(bool to_console)
{
	for (unsigned nr = 0; nr < ARRAY_SIZE(ni_count); nr++) {
		if (!ni_count[nr])
			continue;
		hostcall(LSTAR_HC_STATS, nr, ni_count[nr], 0, 0, 0, 0);
		if (to_console)
			printk("lstar: unimplemented syscall %u (%s): %lu calls\n", nr,
			       nr < nr_syscall_names && syscall_names[nr] ?
			       syscall_names[nr] : "?", ni_count[nr]);
	}
}

/*
 * The number is an int (the entry code sign-extended EAX), and compared as
 * unsigned: one comparison rejects both negative numbers and numbers past
 * the table.  pt_regs->ax already holds -ENOSYS for the reject case.
 */
static bool do_syscall_x64(struct pt_regs *regs, int nr)
{
	unsigned int unr = nr;

	if (unr < NR_syscalls) {
		regs->ax = x64_sys_call(regs, unr);
		return true;
	}
	return false;
}

/*
 * do_syscall_64 - run system call `nr` for the user registers in `regs`.
 * Returns true if the exit path may use SYSRET, false to use IRETQ.
 *
 * SYSRET is fast but blind: it takes RIP from RCX and RFLAGS from R11 and
 * forces the CS/SS that STAR names.  So it is only correct when those are
 * exactly what pt_regs says the user should get back, and only safe when
 * the return address cannot fault at CPL 0 (see below).
 */
bool do_syscall_64(struct pt_regs *regs, int nr)
{
	account_user_time();		/* the program ran until now (cputime.c) */
	if (!do_syscall_x64(regs, nr) && nr != -1)
		regs->ax = sys_ni_syscall(regs);

	/* A signal handler to start?  It rewrites RIP and RSP in pt_regs,
	 * which the checks below then send through IRETQ. */
	/* Work before going back (core.c): a switch the tick asked for, a
	 * signal to act on, a call to restart.  One test when there is none. */
	struct task_struct *t = current;
	if (__builtin_expect(t->need_resched || t->pending || t->saved_mask_valid ||
			     regs->ax - (unsigned long)-ERESTARTNOHAND <= 2, 0)) {
		t->in_syscall = true;
		exit_to_user_mode_prepare(regs);
		t->in_syscall = false;
	}
	account_system_time();		/* the kernel ran until now */
	timekeeping_maybe_update();	/* the vDSO's time, now and then (vdso.c) */

	/* SYSRET restores RIP from RCX and RFLAGS from R11: both must match. */
	if (regs->cx != regs->ip || regs->r11 != regs->flags)
		return false;

	/* SYSRET loads fixed selectors; anything else needs IRETQ. */
	if (regs->cs != __USER_CS || regs->ss != __USER_DS)
		return false;

	/*
	 * On Intel, SYSRET with a non-canonical RCX raises #GP in ring 0 on
	 * the user stack (CVE-2012-0217).  Refusing anything at or above the
	 * last user page (which is never mapped) covers non-canonical
	 * addresses with a single comparison.
	 */
	if (regs->cx >= TASK_SIZE_MAX)
		return false;

	/* SYSRET cannot restore RF, and with TF set the single-step trap
	 * would be taken at the wrong place; IRETQ handles both. */
	if (regs->r11 & (X86_EFLAGS_RF | X86_EFLAGS_TF))
		return false;

	return true;
}
