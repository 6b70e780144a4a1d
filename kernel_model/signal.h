/*
 * signal.h - signal state shared by signal.c (bookkeeping) and signal_64.c
 * (frames), a digest of include/linux/signal_types.h and
 * arch/x86/include/uapi/asm/sigcontext.h.
 */
#ifndef KM_SIGNAL_H
#define KM_SIGNAL_H

#include "kernel.h"

#define INIT_PID 42		/* the first process; also the process group and session */

/* Process group, session, and whether the process has the terminal as its
 * controlling terminal (sys.c, tty_io.c).  A child inherits them; fork.c
 * keeps a waiting parent's. */
struct task_ids {
	int pgrp, sid;
	bool ctty;
};
/* The ids of pid: the running process or a parent waiting in fork(), else
 * NULL (fork.c). */
struct task_ids *task_ids(int pid);
/* fork.c: the session of process group pgrp if the running process or a
 * waiting parent is in it, else 0. */
int task_pgrp_session(int pgrp);
/* exit.c: the ids of a child that ended and was not waited for yet (it is
 * still a member of its process group), and the session of the group
 * pgrp if a zombie is in it (else 0). */
struct task_ids *zombie_ids(int pid);
int zombie_pgrp_session(int pgrp);
/* sys.c: the session of process group pgrp, 0 if there is no such group
 * (all members of a group are in one session). */
int pgrp_session(int pgrp);

#define SA_SIGINFO	0x00000004
#define SA_ONSTACK	0x08000000
#define SA_RESTART	0x10000000
#define SA_NODEFER	0x40000000
#define SA_RESETHAND	0x80000000
#define SA_RESTORER	0x04000000

struct k_sigaction {		/* the layout rt_sigaction copies */
	unsigned long handler;
	unsigned long flags;
	unsigned long restorer;
	unsigned long mask;
};

struct ksiginfo {		/* what a signal carries into siginfo_t */
	int signo, code;
	bool fault;		/* from an exception: si_addr is meaningful */
	unsigned long addr;	/* faults: si_addr */
	int pid, uid;		/* kill: si_pid, si_uid */
	int status;		/* SIGCHLD: si_status */
	u64 value;		/* sigqueue, timers: si_value */
	int timerid, overrun;	/* SI_TIMER */
};

struct stack_t_k {		/* stack_t */
	u64 sp;
	int flags;
	int pad;
	u64 size;
};


long send_sig_self(int sig, int code);
void set_current_blocked(unsigned long mask);
void flush_signal_handlers(void);
/* sigsuspend's mask to restore after the handler (Linux's saved_sigmask). */

/* itimer.c */
u64 now_ns(void);

bool setup_rt_frame(int sig, const struct ksiginfo *info, struct pt_regs *regs);
/* AT_MINSIGSTKSZ: bytes the largest signal frame needs (signal_64.c). */
unsigned long signal_min_stack_size(void);
void fill_siginfo(u8 *buf, int sig, const struct ksiginfo *info);	/* 128 bytes */

#endif
