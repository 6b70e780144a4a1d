/*
 * strace.c - the strace view's state machine (docs/trace.md): it follows
 * every task the kernel runs, as strace -f does.  Each SYSCALL is paired
 * with the SYSRET or IRETQ that returns the same task to CPL 3; returns
 * that are something else are recognised (a signal handler being
 * entered, the first entry into the program, a new task's first return);
 * a task's end prints its "+++ exited with N +++" or "+++ killed by SIG
 * +++"; strace -c's table is counted.  What a line says about each
 * argument comes from emu/trace/strace_fmt.c, which arguments a call has
 * from emu/trace/strace_table.c.
 *
 * Tasks.  emu/trace/trace.c says which task runs (strace_switch(), from
 * the kernel's LSTAR_HC_TASK) and when one ends (strace_task_exit(), at the
 * kernel's do_task_exit).  Each task has its call in flight, its signal
 * frame, its last user fault and its signal mask; each process its
 * SIGCHLD disposition and its parent.  A task is known from its first
 * event or from its parent's fork returning, whichever comes first.
 *
 * Lines are strace -f's.  strace prints a call's text up to its first
 * output argument at the SYSCALL and the rest when it returns: if
 * anything else is printed in between, the first part ends in
 * " <unfinished ...>" and the rest comes later as "<... NAME resumed>REST".
 * Here the first part is kept (the line is "open") and written only when
 * something else must be printed first, so the output is strace's, byte
 * for byte.  Once more than one task is alive a line starts with
 * "[pid N] ", decided when the line starts, as strace does.
 *
 * Input arguments are turned into text at the SYSCALL, before the kernel
 * runs; output arguments (read's buffer, fstat's structure) when the call
 * returns.  exit and exit_group never return: their line ends in "= ?"
 * when the task ends.
 *
 * Signals strace would report but that never reach the CPU: Linux
 * reports a SIGCHLD to the tracer even when the parent leaves it at its
 * default (ignored) action, and lstar's kernel drops it at once.  So a
 * child process's end leaves a SIGCHLD "pending" for its parent when the
 * parent's disposition is the default, printed at the parent's next
 * return to user mode that does not block it (rt_sigaction,
 * rt_sigprocmask and rt_sigreturn are followed for this).
 *
 * --strace=summary counts guest instructions instead of strace -c's
 * seconds: "kernel" is every instruction from the SYSCALL (exclusive) to
 * the SYSRET/IRETQ (inclusive) that ran for the calling task (not those of
 * other tasks that ran while it waited); "user" is the task's user-mode
 * run that led to the call, from its previous return (exclusive) to the
 * SYSCALL (inclusive).  Both are exact and the same on every run.
 *
 * Why this is one file of about 1,000 lines: it is one state machine.
 * The pairing of calls with returns, the open-line bookkeeping behind
 * "<unfinished ...>", the pending-SIGCHLD rule and the summary all read
 * and change the same per-task records and the one line being built;
 * split, each part would need the others' internals.  What can stand
 * alone already does: argument text (strace_fmt.c, strace_net.c), the
 * call table (strace_table.c), names (strace_names.c).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/cpu.h"
#include "emu/trace/strace.h"
#include "emu/trace/strace_fmt.h"

#define NR_NAMES SYSCALL_NR_MAX
#define ARG_TEXT 4608            /* a path of 4096 bytes; longer text is cut */
#define STRACE_LINE_MAX (6 * ARG_TEXT + 512)
#define NSENT 16                 /* signals sent, remembered for a victim's line */
#define NDEAD 64                 /* ended tasks remembered (a fork returning late) */

enum { NR_RT_SIGACTION = 13, NR_RT_SIGPROCMASK = 14, NR_RT_SIGRETURN = 15, NR_CLONE = 56,
       NR_FORK = 57, NR_VFORK = 58, NR_EXECVE = 59, NR_EXIT = 60, NR_KILL = 62, NR_TKILL = 200,
       NR_EXIT_GROUP = 231, NR_TGKILL = 234, NR_EXECVEAT = 322, NR_CLONE3 = 435 };
enum { SIGKILL_ = 9, SIGPIPE_ = 13, SIGCHLD_ = 17 };
enum { CLONE_THREAD_ = 0x10000, CLONE_PARENT_ = 0x8000, CLONE_PIDFD_ = 0x1000,
       CLONE_PARENT_SETTID_ = 0x100000 };
enum chld_disp { CHLD_DFL, CHLD_IGN, CHLD_HANDLER };

struct sc_count {
	uint64_t calls, errors, kernel, user;
};

/* A system call between its SYSCALL and its return. */
struct call {
	bool active;
	bool shown;               /* its first part was printed: "<... resumed>" */
	uint64_t nr, args[6], seq, enter_icount;
	uint64_t away;            /* instructions other tasks ran meanwhile */
	uint64_t ret_rip;         /* RCX after the SYSCALL: the return address */
	const struct syscall_desc *d;
	int nargs;
	int first_out;            /* the first argument printed on return (nargs: none) */
	bool decoded;             /* strace prints it all at the call (RVAL_DECODED) */
	uint64_t aux[2];          /* read at the call: rt_sigaction's handler; rt_sigprocmask's
	                             set; clone3's flags and exit signal; rt_sigreturn's mask */
	bool aux_ok;
	int child;                /* fork-like: the child seen during the call */
	char lead[64];            /* the line's start, made at the call */
	char in[6][ARG_TEXT];     /* input arguments, decoded at the SYSCALL */
};

struct task {
	int tid, tgid;
	struct call call;
	uint64_t user_insns;      /* CPL 3 instructions since its last SYSCALL */
	uint64_t away_since;      /* icount when it last stopped running */
	uint64_t left_rip;        /* where an interrupt or exception took it from CPL 3 */
	bool left_valid;
	uint64_t blocked;         /* its signal mask */
	/* its last user exception (the kernel may kill for it) */
	bool fault;
	int fault_vec;
	uint32_t fault_err;
	uint64_t fault_rip, fault_cr2;
};

struct proc {
	int tgid;
	int parent;               /* the parent's tgid, 0: none (or not followed) */
	int exit_signal;          /* sent to the parent at its end (fork: SIGCHLD) */
	enum chld_disp chld;      /* its SIGCHLD disposition */
	int ntasks;               /* its tasks alive */
	int wstatus;              /* how it ends: the group's status, else the leader's */
	bool group_exit;
	bool sig_shown;           /* the fatal signal's "--- SIG" line was printed */
	/* a SIGCHLD strace would report and the kernel dropped */
	bool chld_pending;
	int chld_code, chld_pid, chld_status;
};

/* A signal a task sent (kill: to a process or group, tkill/tgkill: to a thread). */
struct sent {
	int sig, target, sender;
	bool thread;
};

struct strace {
	FILE *out;
	bool summary, icount;
	bool started;             /* the program's first entry (the execve line) seen */
	struct task **tasks;      /* the tasks alive */
	int ntasks, cap_tasks;
	struct proc **procs;
	int nprocs, cap_procs;
	int cur_tid, cur_tgid;    /* the task running now */
	struct task *cur;         /*   its state once it had an event */
	struct task *open;        /* whose line is open (its first part not printed) */
	struct sent sent[NSENT];
	unsigned nsent;
	int dead[NDEAD];          /* tids of the last tasks that ended */
	unsigned ndead;
	struct sc_count count[NR_NAMES + 1];   /* [NR_NAMES]: numbers beyond */
};

/* ---- tasks and processes ------------------------------------------------- */

static struct task *find_task(struct strace *s, int tid)
{
	for (int k = 0; k < s->ntasks; k++)
		if (s->tasks[k]->tid == tid)
			return s->tasks[k];
	return NULL;
}

static struct proc *find_proc(struct strace *s, int tgid)
{
	for (int k = 0; k < s->nprocs; k++)
		if (s->procs[k]->tgid == tgid)
			return s->procs[k];
	return NULL;
}

static struct proc *new_proc(struct strace *s, int tgid)
{
	if (s->nprocs == s->cap_procs) {
		int cap = s->cap_procs ? 2 * s->cap_procs : 8;
		struct proc **p = realloc(s->procs, (size_t)cap * sizeof(*p));
		if (!p)
			return NULL;
		s->procs = p;
		s->cap_procs = cap;
	}
	struct proc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->tgid = tgid;
	p->exit_signal = SIGCHLD_;
	s->procs[s->nprocs++] = p;
	return p;
}

static void drop_proc(struct strace *s, struct proc *p)
{
	for (int k = 0; k < s->nprocs; k++)
		if (s->procs[k] == p) {
			s->procs[k] = s->procs[--s->nprocs];
			break;
		}
	free(p);
}

/* The creator of a task that just appeared: the task in a fork-like call
 * (the latest one made, if several wait). */
static struct task *creator(struct strace *s)
{
	struct task *best = NULL;
	for (int k = 0; k < s->ntasks; k++) {
		struct call *p = &s->tasks[k]->call;
		if (p->active && (p->nr == NR_FORK || p->nr == NR_VFORK || p->nr == NR_CLONE ||
				  p->nr == NR_CLONE3) &&
		    (!best || p->seq > best->call.seq))
			best = s->tasks[k];
	}
	return best;
}

/* A task strace now follows (a new one is alive from here on); parent:
 * the task whose fork-like call made it, NULL if unknown. */
static struct task *add_task(struct strace *s, int tid, int tgid, struct task *parent)
{
	if (s->ntasks == s->cap_tasks) {
		int cap = s->cap_tasks ? 2 * s->cap_tasks : 8;
		struct task **t = realloc(s->tasks, (size_t)cap * sizeof(*t));
		if (!t)
			return NULL;
		s->tasks = t;
		s->cap_tasks = cap;
	}
	struct task *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->tid = tid;
	t->tgid = tgid;
	s->tasks[s->ntasks++] = t;
	struct proc *pp = parent ? find_proc(s, parent->tgid) : NULL;
	if (parent) {
		t->blocked = parent->blocked;   /* fork and clone keep the mask */
		parent->call.child = tid;
	}
	struct proc *p = find_proc(s, tgid);
	if (!p && (p = new_proc(s, tgid)) && pp) {
		/* a new process: the parent's dispositions, its exit signal */
		const struct call *c = &parent->call;
		p->chld = pp->chld;
		p->parent = (c->nr == NR_CLONE && (c->args[0] & CLONE_PARENT_)) ? pp->parent : pp->tgid;
		if (c->nr == NR_CLONE)
			p->exit_signal = (int)(c->args[0] & 0xFF);
		else if (c->nr == NR_CLONE3 && c->aux_ok)
			p->exit_signal = (int)c->aux[1];
	}
	if (p)
		p->ntasks++;
	return t;
}

static void drop_task(struct strace *s, struct task *t)
{
	for (int k = 0; k < s->ntasks; k++)
		if (s->tasks[k] == t) {
			s->tasks[k] = s->tasks[--s->ntasks];
			break;
		}
	if (s->open == t)
		s->open = NULL;
	if (s->cur == t)
		s->cur = NULL;
	free(t);
}

/* The running task's state (made at its first event). */
static struct task *current(struct strace *s)
{
	if (!s->cur && !(s->cur = find_task(s, s->cur_tid)))
		s->cur = add_task(s, s->cur_tid, s->cur_tgid, creator(s));
	return s->cur;
}

struct strace *strace_new(FILE *out, bool summary, bool icount)
{
	struct strace *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->out = out;
	s->summary = summary;
	s->icount = icount;
	s->cur_tid = s->cur_tgid = STRACE_FIRST_TID;
	if (!current(s)) {
		strace_free(s);
		return NULL;
	}
	return s;
}

void strace_free(struct strace *s)
{
	if (!s)
		return;
	for (int k = 0; k < s->ntasks; k++)
		free(s->tasks[k]);
	for (int k = 0; k < s->nprocs; k++)
		free(s->procs[k]);
	free(s->tasks);
	free(s->procs);
	free(s);
}

void strace_switch(struct strace *s, uint64_t icount, int tid, int tgid)
{
	if (tid == s->cur_tid)
		return;
	struct task *old = s->cur ? s->cur : find_task(s, s->cur_tid);
	if (old)
		old->away_since = icount;
	s->cur_tid = tid;
	s->cur_tgid = tgid;
	s->cur = find_task(s, tid);
	if (s->cur && s->cur->call.active)
		s->cur->call.away += icount - s->cur->away_since;
}

static struct sc_count *count_of(struct strace *s, uint64_t nr)
{
	return &s->count[nr < NR_NAMES ? nr : NR_NAMES];
}

/* ---- lines ------------------------------------------------------------- */

/* strace's leader: "[pid N] " while more than one task is alive. */
static void put_leader(struct strace *s, struct sbuf *b, const struct task *t)
{
	if (s->ntasks > 1)
		sb_printf(b, "[pid %5d] ", t->tid);
}

/* The --strace-icount prefix: the SYSCALL's sequence number (it comes
 * first, before strace's own leader: `lstar view` reads it there). */
static void put_icount(struct strace *s, struct sbuf *b, uint64_t seq)
{
	if (s->icount)
		sb_printf(b, "[%10" PRIu64 "] ", seq);
}

static void put_name(struct sbuf *b, const struct call *p)
{
	const char *nm = syscall_name(p->nr);
	if (nm)
		sb_printf(b, "%s", nm);
	else
		sb_printf(b, "syscall_%#" PRIx64, p->nr);
}

/* What strace prints at the call, after "name(": the arguments before the
 * first one decoded on return, and the ", " that follows them. */
static void put_head(struct sbuf *b, const struct call *p)
{
	if (!p->d) {
		/* a number strace has no name for: six raw arguments */
		for (int k = 0; k < 6; k++)
			sb_printf(b, "%s%#" PRIx64, k ? ", " : "", p->args[k]);
		return;
	}
	if (p->d->kind[0] == A_CLONE3) {
		sb_printf(b, "%s", p->in[0]);   /* with ", SIZE" when decoded */
		return;
	}
	for (int k = 0; k < p->first_out; k++)
		sb_printf(b, "%s%s", k ? ", " : "", p->in[k]);
	if (p->first_out > 0 && p->first_out < p->nargs)
		sb_printf(b, ", ");
}

/* The rest, on return.  returned false: a call that did not (or not
 * really) return: output arguments print as their addresses. */
static void put_tail(struct sbuf *b, struct cpu *c, const struct call *p, int64_t ret,
		     bool returned)
{
	if (!p->d)
		return;
	if (p->d->kind[0] == A_CLONE) {
		put_clone(b, c, p->args, CLONE_ON_RETURN, returned ? ret : -14);
		return;
	}
	if (p->d->kind[0] == A_CLONE3) {
		if (!p->decoded) {
			if (returned)
				put_clone_args_changed(b, c, p->args[0], p->args[1], ret);
			sb_printf(b, ", %s", p->in[1]);
		}
		return;
	}
	for (int k = p->first_out; k < p->nargs; k++) {
		sb_printf(b, "%s", k > p->first_out ? ", " : "");
		if (!strace_is_output(p->d, k, p->args))
			sb_printf(b, "%s", p->in[k]);
		else if (returned)
			strace_put_arg(b, c, p->d, k, p->args, ret);
		else
			put_addr(b, p->args[k]);
	}
}

/* The open line (another task's call, or this task's) is cut short:
 * strace's " <unfinished ...>". */
static void close_open(struct strace *s)
{
	struct task *t = s->open;
	if (!t)
		return;
	s->open = NULL;
	t->call.shown = true;
	char line[STRACE_LINE_MAX];
	struct sbuf b = { line, 0, sizeof(line) };
	sb_printf(&b, "%s", t->call.lead);
	put_name(&b, &t->call);
	sb_printf(&b, "(");
	put_head(&b, &t->call);
	sb_printf(&b, " <unfinished ...>\n");
	fputs(line, s->out);
}

/* A line that is not a call's (signals, ends): after the open line. */
static void start_line(struct strace *s, struct sbuf *b, const struct task *t)
{
	close_open(s);
	put_leader(s, b, t);
}

enum how { RETURNED, RESTARTED, GONE };

/* The end of t's call: returned with ret, restarted (a handler runs
 * first, "= ?"), or gone with the task (strace's "= ?" after the part it
 * could print).  tail: printed after the line. */
static void finish_call(struct strace *s, struct cpu *c, struct task *t, int64_t ret, enum how how)
{
	struct call *p = &t->call;
	if (s->summary)
		return;
	char line[STRACE_LINE_MAX];
	struct sbuf b = { line, 0, sizeof(line) };
	if (s->open == t) {
		/* nothing came between: one line */
		s->open = NULL;
		sb_printf(&b, "%s", p->lead);
		put_name(&b, p);
		sb_printf(&b, "(");
		put_head(&b, p);
	} else {
		close_open(s);
		put_icount(s, &b, p->seq);
		put_leader(s, &b, t);
		sb_printf(&b, "<... ");
		put_name(&b, p);
		sb_printf(&b, " resumed>");
	}
	if (how == GONE) {
		if (!p->decoded)
			sb_printf(&b, " <unfinished ...>");
		sb_printf(&b, ")");
		strace_pad_result(&b);
		sb_printf(&b, " = ?");
	} else {
		put_tail(&b, c, p, ret, how == RETURNED);
		sb_printf(&b, ")");
		if (how == RESTARTED) {
			strace_pad_result(&b);
			sb_printf(&b, " = ?");
		} else {
			strace_put_result(&b, c, p->d, p->args, ret);
		}
	}
	sb_printf(&b, "\n");
	fputs(line, s->out);
}

/* ---- the call ------------------------------------------------------------ */

static bool is_fork(uint64_t nr)
{
	return nr == NR_FORK || nr == NR_VFORK || nr == NR_CLONE || nr == NR_CLONE3;
}

static void note_sent(struct strace *s, const struct call *p, int sender)
{
	struct sent *e = &s->sent[s->nsent++ % NSENT];
	e->sig = (int)p->args[p->nr == NR_TGKILL ? 2 : 1];
	e->target = (int)p->args[p->nr == NR_TGKILL ? 1 : 0];
	e->thread = p->nr != NR_KILL;
	e->sender = sender;
}

/* What the state machine needs from a call beyond its text, read at the
 * SYSCALL (the memory may change before the return). */
static void read_aux(struct call *p, struct cpu *c)
{
	p->aux_ok = false;
	switch (p->nr) {
	case NR_RT_SIGACTION:        /* the new handler of SIGCHLD */
		p->aux_ok = p->args[0] == SIGCHLD_ && p->args[1] &&
			    guest_read(c, p->args[1], &p->aux[0], 8) == 8;
		break;
	case NR_RT_SIGPROCMASK:      /* the set */
		p->aux_ok = p->args[1] && guest_read(c, p->args[1], &p->aux[0], 8) == 8;
		break;
	case NR_RT_SIGRETURN:        /* the mask the frame restores: the restorer's
	                                RSP is the ucontext, uc_sigmask at 296 */
		p->aux_ok = guest_read(c, c->r[R_RSP] + 296, &p->aux[0], 8) == 8;
		break;
	case NR_CLONE3: {            /* flags, exit_signal */
		uint64_t ca[5];
		if (p->args[0] && p->args[1] >= 64 && guest_read(c, p->args[0], ca, sizeof(ca)) == sizeof(ca)) {
			p->aux[0] = ca[0];
			p->aux[1] = ca[4];
			p->aux_ok = true;
		}
		break;
	}
	default:
		break;
	}
}

void strace_enter(struct strace *s, struct cpu *c)
{
	struct task *t = current(s);
	if (!t)
		return;
	struct call *p = &t->call;
	p->active = true;
	p->shown = false;
	t->fault = false;   /* a fault before this call did not kill */
	t->left_valid = false;
	/* The kernel takes the number as an int (do_syscall_64(regs, int nr),
	 * like Linux): the upper half of RAX is ignored, so it is here. */
	p->nr = (uint32_t)c->r[R_RAX];
	p->args[0] = c->r[R_RDI];
	p->args[1] = c->r[R_RSI];
	p->args[2] = c->r[R_RDX];
	p->args[3] = c->r[R_R10];
	p->args[4] = c->r[R_R8];
	p->args[5] = c->r[R_R9];
	p->seq = c->icount - 1;
	p->enter_icount = c->icount;
	p->away = 0;
	p->child = 0;
	p->ret_rip = c->r[R_RCX];
	p->d = syscall_desc(p->nr);
	p->nargs = p->d ? strace_nargs(p->d, p->args) : 6;
	read_aux(p, c);
	/* (clone and clone3 say for themselves: put_head(), put_tail()) */
	p->first_out = p->nargs;
	if (p->d && p->d->kind[0] != A_CLONE && p->d->kind[0] != A_CLONE3)
		for (int k = 0; k < p->nargs; k++)
			if (strace_is_output(p->d, k, p->args)) {
				p->first_out = k;
				break;
			}
	if (!p->d)
		p->decoded = true;
	else if (p->d->kind[0] == A_CLONE)
		p->decoded = clone_decoded_at_call(p->args[0]);
	else if (p->d->kind[0] == A_CLONE3)
		p->decoded = !(p->aux_ok && (p->aux[0] & (CLONE_PIDFD_ | CLONE_PARENT_SETTID_)));
	else
		p->decoded = p->first_out == p->nargs;
	struct sc_count *sc = count_of(s, p->nr);
	sc->user += t->user_insns;
	t->user_insns = 0;
	if (p->nr == NR_KILL || p->nr == NR_TKILL || p->nr == NR_TGKILL)
		note_sent(s, p, t->tgid);
	if (p->nr == NR_EXIT_GROUP || p->nr == NR_EXIT)
		sc->calls++;   /* never returns */
	if (s->summary)
		return;
	if (p->d) {
		for (int k = 0; k < p->nargs; k++) {
			struct sbuf b = { p->in[k], 0, sizeof(p->in[k]) };
			p->in[k][0] = 0;
			if (p->d->kind[k] == A_CLONE)
				put_clone(&b, c, p->args, CLONE_AT_CALL, 0);
			else if (!strace_is_output(p->d, k, p->args))
				strace_put_arg(&b, c, p->d, k, p->args, 0);
		}
		if (p->d->kind[0] == A_CLONE3 && p->decoded && p->nargs > 1) {
			/* all of it at the call: the size too */
			size_t n = strlen(p->in[0]);
			snprintf(p->in[0] + n, sizeof(p->in[0]) - n, ", %s", p->in[1]);
		}
	}
	/* strace prints this much now: whatever else is printed before the
	 * call returns cuts it short */
	close_open(s);
	struct sbuf lb = { p->lead, 0, sizeof(p->lead) };
	p->lead[0] = 0;
	put_icount(s, &lb, p->seq);
	put_leader(s, &lb, t);
	s->open = t;
}

/* ---- returns to user mode that are not a call returning ---------------- */

/*
 * A signal handler being entered: the kernel built an rt_sigframe at RSP
 * (the restorer's address, the ucontext, the siginfo) and points RDI at
 * the signal number, RSI at the siginfo and RDX at the ucontext - the
 * x86-64 layout of Linux and of kernel_model/signal_64.c.  The ucontext
 * is 304 bytes.
 */
#define UC_SIZE 304
#define UC_AX 144                /* uc_mcontext (at 40) .ax */
#define UC_IP 168                /* uc_mcontext .ip */

static bool entering_handler(struct cpu *c)
{
	uint64_t sig = c->r[R_RDI];
	return sig >= 1 && sig <= 64 && c->r[R_RDX] == c->r[R_RSP] + 8 &&
	       c->r[R_RSI] == c->r[R_RDX] + UC_SIZE;
}

static void print_signal(struct strace *s, struct cpu *c, struct task *t)
{
	/* Back where an interrupt took the task from: an IRETQ returned
	 * into the handler at a point where the registers still look like
	 * an entry (its first instruction, or a RET with RSP back at the
	 * frame).  A delivery goes to the handler, not back. */
	if (t->left_valid && c->rip == t->left_rip)
		return;
	t->fault = false;   /* it was caught */
	int sig = (int)c->r[R_RDI];
	struct proc *p = find_proc(s, t->tgid);
	if (sig == SIGCHLD_ && p)
		p->chld_pending = false;   /* the handler's own SIGCHLD */
	if (s->summary)
		return;
	char line[512];
	struct sbuf b = { line, 0, sizeof(line) };
	start_line(s, &b, t);
	const char *nm = strace_sig_name(sig);
	sb_printf(&b, "--- %s ", nm ? nm : "signal");
	put_siginfo(&b, c, c->r[R_RSI]);
	sb_printf(&b, " ---\n");
	fputs(line, s->out);
}

/* A SIGCHLD the kernel dropped (the parent left it at its default
 * action) but Linux would have reported to strace: at the parent's
 * return to user mode, when it does not block it. */
static void print_dropped_chld(struct strace *s, struct task *t)
{
	struct proc *p = find_proc(s, t->tgid);
	if (!p || !p->chld_pending || (t->blocked & (1ULL << (SIGCHLD_ - 1))))
		return;
	p->chld_pending = false;
	if (p->chld != CHLD_DFL || s->summary)
		return;
	char line[512];
	struct sbuf b = { line, 0, sizeof(line) };
	start_line(s, &b, t);
	sb_printf(&b, "--- SIGCHLD ");
	put_siginfo_chld_times(&b, p->chld_code, p->chld_pid, (int)getuid(), p->chld_status, 0, 0);
	sb_printf(&b, " ---\n");
	fputs(line, s->out);
}

/* The program's first instruction: strace's first line is the execve that
 * started it, here made from what the kernel put on the initial stack
 * (argc, argv, envp, and the path in AT_EXECFN). */
static void print_start(struct strace *s, struct cpu *c)
{
	uint64_t sp = c->r[R_RSP], argc, v;
	if (s->summary || guest_read(c, sp, &argc, 8) != 8 || argc > 100000)
		return;
	uint64_t argv = sp + 8, envp = argv + 8 * (argc + 1), path = 0;
	if (argc && guest_read(c, argv, &path, 8) != 8)
		return;
	uint64_t p = envp;
	while (guest_read(c, p, &v, 8) == 8 && v && p - envp < 8 * 100000)
		p += 8;
	for (p += 8; p - envp < 8 * 100400; p += 16) {   /* the auxiliary vector */
		uint64_t av[2];
		if (guest_read(c, p, av, 16) != 16 || av[0] == 0)
			break;
		if (av[0] == 31)   /* AT_EXECFN */
			path = av[1];
	}
	const struct syscall_desc *d = syscall_desc(NR_EXECVE);
	uint64_t a[6] = { path, argv, envp, 0, 0, 0 };
	char line[STRACE_LINE_MAX];
	struct sbuf b = { line, 0, sizeof(line) };
	close_open(s);
	put_icount(s, &b, c->icount);
	sb_printf(&b, "execve(");
	for (int k = 0; k < 3; k++) {
		sb_printf(&b, "%s", k ? ", " : "");
		strace_put_arg(&b, c, d, k, a, 0);
	}
	sb_printf(&b, ")");
	strace_put_result(&b, c, d, a, 0);
	sb_printf(&b, "\n");
	fputs(line, s->out);
}

/* The signal a user exception raises (kernel_model/traps.c). */
static int fault_signal(int vec)
{
	switch (vec) {
	case EXC_DE: case EXC_MF: case EXC_XM: return 8;
	case EXC_DB: case EXC_BP: return 5;
	case EXC_UD: return 4;
	case EXC_AC: return 7;
	default: return 11;
	}
}

/* "--- SIGSEGV {...} ---" for t's last user exception, which the kernel
 * answered with a signal without a handler. */
static void put_fault_signal(const struct task *t, struct sbuf *b)
{
	int sig = fault_signal(t->fault_vec);
	int code = 0x80;   /* SI_KERNEL */
	uint64_t addr = 0;
	switch (t->fault_vec) {
	case EXC_PF: code = (t->fault_err & 1) ? 2 : 1; addr = t->fault_cr2; break;
	case EXC_UD: code = 2; addr = t->fault_rip; break;      /* ILL_ILLOPN */
	case EXC_DE: code = 1; addr = t->fault_rip; break;      /* FPE_INTDIV */
	case EXC_DB: code = 2; break;                           /* TRAP_TRACE */
	default: break;
	}
	sb_printf(b, "--- %s ", strace_sig_name(sig));
	put_siginfo_values(b, sig, code, addr, 0, 0);
	sb_printf(b, " ---\n");
}

/* The last signal sent to task t with number sig, if one was. */
static const struct sent *sent_to(struct strace *s, const struct task *t, int sig)
{
	for (unsigned k = 0; k < NSENT && k < s->nsent; k++) {
		const struct sent *e = &s->sent[(s->nsent - 1 - k) % NSENT];
		if (e->sig != sig)
			continue;
		if (e->thread ? e->target == t->tid : (e->target <= 0 || e->target == t->tgid))
			return e;
	}
	return NULL;
}

/* "--- SIGTERM {...} ---": the signal that kills t, as strace saw it
 * delivered.  Where it came from: t's own fault, a kill/tkill/tgkill some
 * task made, else the kernel (a timer's SIGALRM; SIGPIPE, which Linux
 * sends as if the process had). */
static void put_fatal_signal(struct strace *s, struct sbuf *b, const struct task *t, int sig)
{
	const char *nm = strace_sig_name(sig);
	const struct sent *e;
	if (sig == SIGKILL_ || !nm)
		return;   /* SIGKILL is never reported, only the death */
	if (t->fault && fault_signal(t->fault_vec) == sig) {
		put_fault_signal(t, b);
		return;
	}
	sb_printf(b, "--- %s ", nm);
	if ((e = sent_to(s, t, sig)))
		put_siginfo_values(b, sig, e->thread ? -6 : 0, 0, e->sender, (int)getuid());
	else
		put_siginfo_values(b, sig, sig == SIGPIPE_ ? 0 : 0x80, 0, t->tgid, (int)getuid());
	sb_printf(b, " ---\n");
}

/* A child process ended: the SIGCHLD its parent gets. */
static void child_ended(struct strace *s, struct proc *p)
{
	struct proc *parent = p->parent ? find_proc(s, p->parent) : NULL;
	if (!parent || p->exit_signal != SIGCHLD_ || parent->chld != CHLD_DFL || parent->chld_pending)
		return;
	/* (with a handler the kernel delivers it: print_signal shows it) */
	int st = p->wstatus;
	parent->chld_pending = true;
	parent->chld_code = (st & 0x7f) ? 2 : 1;   /* CLD_KILLED, CLD_EXITED */
	parent->chld_status = (st & 0x7f) ? (st & 0x7f) : (st >> 8) & 0xff;
	parent->chld_pid = p->tgid;
}

/* Task t ends with wstatus: the rest of its line, the fatal signal, its
 * "+++" line; the process's end when it was its last task. */
static void task_gone(struct strace *s, struct cpu *c, struct task *t, int wstatus)
{
	struct call *p = &t->call;
	struct proc *pr = find_proc(s, t->tgid);
	bool group = p->active && p->nr == NR_EXIT_GROUP;
	int sig = wstatus & 0x7f;
	if (pr && (group || sig) && !pr->group_exit) {
		pr->group_exit = true;
		pr->wstatus = wstatus;
	} else if (pr && !pr->group_exit && t->tid == t->tgid) {
		pr->wstatus = wstatus;
	}
	if (p->active) {
		/* A signal that kills (other than SIGKILL, a group's end)
		 * is acted on by Linux when the call has returned: strace
		 * shows the whole call (here without the result, and output
		 * arguments as addresses).  Otherwise the task never leaves
		 * the call: strace's print_event_exit. */
		bool whole = sig && sig != SIGKILL_ && pr && !pr->sig_shown && !group;
		finish_call(s, c, t, 0, whole ? RESTARTED : GONE);
		p->active = false;
	}
	if (!s->summary) {
		char line[512];
		struct sbuf b = { line, 0, sizeof(line) };
		if (sig && pr && !pr->sig_shown) {
			pr->sig_shown = true;   /* the thread that took it */
			start_line(s, &b, t);
			size_t at = b.len;
			put_fatal_signal(s, &b, t, sig);
			if (b.len == at)
				b.len = 0, b.p[0] = 0;   /* no such line: no leader either */
		}
		start_line(s, &b, t);
		const char *nm = strace_sig_name(sig);
		if (!sig)
			sb_printf(&b, "+++ exited with %d +++\n", (wstatus >> 8) & 0xff);
		else if (nm)
			sb_printf(&b, "+++ killed by %s%s +++\n", nm, (wstatus & 0x80) ? " (core dumped)" : "");
		else
			sb_printf(&b, "+++ killed by signal %d +++\n", sig);
		fputs(line, s->out);
	}
	s->dead[s->ndead++ % NDEAD] = t->tid;
	drop_task(s, t);
	if (pr && --pr->ntasks <= 0) {
		child_ended(s, pr);
		drop_proc(s, pr);
	}
}

void strace_task_exit(struct strace *s, struct cpu *c, int wstatus)
{
	struct task *t = current(s);
	if (t)
		task_gone(s, c, t, wstatus);
}

static bool ended(const struct strace *s, int tid)
{
	for (unsigned k = 0; k < NDEAD && k < s->ndead; k++)
		if (s->dead[(s->ndead - 1 - k) % NDEAD] == tid)
			return true;
	return false;
}

/* After a call that succeeded: what it changed in the state followed. */
static void call_done(struct strace *s, struct task *t, int64_t ret)
{
	struct call *p = &t->call;
	struct proc *pr = find_proc(s, t->tgid);
	switch (p->nr) {
	case NR_RT_SIGACTION:
		if (p->aux_ok && pr)
			pr->chld = p->aux[0] == 0 ? CHLD_DFL : p->aux[0] == 1 ? CHLD_IGN : CHLD_HANDLER;
		break;
	case NR_RT_SIGPROCMASK:
		if (p->aux_ok) {
			if (p->args[0] == 0)
				t->blocked |= p->aux[0];
			else if (p->args[0] == 1)
				t->blocked &= ~p->aux[0];
			else if (p->args[0] == 2)
				t->blocked = p->aux[0];
		}
		break;
	case NR_EXECVE: case NR_EXECVEAT:
		if (pr && pr->chld == CHLD_HANDLER)
			pr->chld = CHLD_DFL;   /* handlers do not survive an exec */
		break;
	default:
		if (is_fork(p->nr) && ret > 0 && p->child != ret && !find_task(s, (int)ret) &&
		    !ended(s, (int)ret)) {
			/* the child, known before it ran */
			bool thread = (p->nr == NR_CLONE && (p->args[0] & CLONE_THREAD_)) ||
				      (p->nr == NR_CLONE3 && p->aux_ok && (p->aux[0] & CLONE_THREAD_));
			add_task(s, (int)ret, thread ? t->tgid : (int)ret, t);
		}
		break;
	}
}

void strace_exit(struct strace *s, struct cpu *c)
{
	int64_t ret = (int64_t)c->r[R_RAX];
	struct task *t = current(s);
	if (!t)
		return;
	struct call *p = &t->call;
	if (!s->started) {
		s->started = true;
		print_start(s, c);
		return;
	}
	bool handler = entering_handler(c);
	if (!p->active) {
		/* Not a call returning: a new task's first return (a child
		 * after fork), a return from an interrupt or an exception, a
		 * handler entered after a fault. */
		print_dropped_chld(s, t);
		if (handler)
			print_signal(s, c, t);
		return;
	}
	p->active = false;
	if (p->nr == NR_RT_SIGRETURN && p->aux_ok)
		t->blocked = p->aux[0];
	struct sc_count *sc = count_of(s, p->nr);
	sc->calls++;
	sc->kernel += c->icount - p->enter_icount - p->away;
	/* A handler entered on the way out: the call's result is the RAX
	 * saved in the signal frame.  (rt_sigreturn returns wherever the
	 * frame says, and execve to the new program: both are returns.) */
	bool restarted = false;
	if (handler && p->nr != NR_RT_SIGRETURN) {
		uint64_t uc = c->r[R_RDX], ax, ip;
		if (guest_read(c, uc + UC_AX, &ax, 8) == 8 && guest_read(c, uc + UC_IP, &ip, 8) == 8) {
			ret = (int64_t)ax;
			restarted = ip != p->ret_rip;   /* rewound to run the call again */
		}
	}
	bool failed = ret < 0 && ret >= -4095;
	if (failed)
		sc->errors++;
	finish_call(s, c, t, ret, restarted ? RESTARTED : RETURNED);
	if (!failed && !restarted)
		call_done(s, t, ret);
	print_dropped_chld(s, t);
	if (handler && !(p->nr == NR_EXECVE || p->nr == NR_EXECVEAT))
		print_signal(s, c, t);
}

void strace_user_insns(struct strace *s, uint64_t n)
{
	struct task *t = current(s);
	if (t)
		t->user_insns += n;
}

void strace_user_fault(struct strace *s, struct cpu *c, int vector, uint32_t error, uint64_t rip)
{
	struct task *t = current(s);
	if (!t)
		return;
	t->fault = true;
	t->fault_vec = vector;
	t->fault_err = error;
	t->fault_rip = rip;
	t->fault_cr2 = c->cr2;
	t->left_rip = rip;
	t->left_valid = true;
}

void strace_user_interrupt(struct strace *s, uint64_t rip)
{
	struct task *t = current(s);
	if (t) {
		t->left_rip = rip;
		t->left_valid = true;
	}
}

static void print_summary(struct strace *s)
{
	uint64_t total = 0, calls = 0, errors = 0;
	for (size_t k = 0; k <= NR_NAMES; k++) {
		total += s->count[k].kernel;
		calls += s->count[k].calls;
		errors += s->count[k].errors;
	}
	FILE *f = s->out;
	fprintf(f, "%% insns  kernel insns  insns/call   user/call     calls    errors syscall\n");
	fprintf(f, "------ ------------- ----------- ----------- --------- --------- ----------------\n");
	/* Sorted by kernel instructions, like strace -c by time. */
	bool done[NR_NAMES + 1] = { false };
	for (;;) {
		int best = -1;
		for (size_t k = 0; k <= NR_NAMES; k++)
			if (!done[k] && s->count[k].calls &&
			    (best < 0 || s->count[k].kernel > s->count[best].kernel))
				best = (int)k;
		if (best < 0)
			break;
		done[best] = true;
		const struct sc_count *sc = &s->count[best];
		const char *nm = best < NR_NAMES ? syscall_name((uint64_t)best) : NULL;
		char nbuf[32];
		if (!nm) {
			snprintf(nbuf, sizeof(nbuf), best < NR_NAMES ? "syscall_%#x" : "(beyond %d)", best);
			nm = nbuf;
		}
		fprintf(f, "%6.2f %13" PRIu64 " %11" PRIu64 " %11" PRIu64 " %9" PRIu64 " ",
			total ? 100.0 * (double)sc->kernel / (double)total : 0.0, sc->kernel,
			sc->kernel / sc->calls, sc->user / sc->calls, sc->calls);
		if (sc->errors)
			fprintf(f, "%9" PRIu64 " %s\n", sc->errors, nm);
		else
			fprintf(f, "%9s %s\n", "", nm);
	}
	fprintf(f, "------ ------------- ----------- ----------- --------- --------- ----------------\n");
	fprintf(f, "100.00 %13" PRIu64 " %11" PRIu64 " %11s %9" PRIu64 " %9" PRIu64 " total\n", total,
		calls ? total / calls : 0, "", calls, errors);
}

void strace_finish(struct strace *s, int status, bool with_exits)
{
	if (s->summary) {
		print_summary(s);
		fflush(s->out);
		return;
	}
	struct task *t = find_task(s, STRACE_FIRST_TID);
	if (!with_exits && t) {
		/* No task ends were reported (a kernel without do_task_exit):
		 * the program's end is made up from lstar's status. */
		struct call *p = &t->call;
		if (p->active && (p->nr == NR_EXIT_GROUP || p->nr == NR_EXIT))
			task_gone(s, NULL, t, (int)(p->args[0] & 0xFF) << 8);
		else if (status > 128 && status <= 128 + 64)
			task_gone(s, NULL, t, status - 128);
	}
	/* The machine stopped with these calls in flight (the first process
	 * ended, or lstar was stopped): strace's "<unfinished ...>". */
	close_open(s);
	fflush(s->out);
}
