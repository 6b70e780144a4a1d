/*
 * strace.c - the strace view's state machine (docs/trace.md): it pairs
 * each SYSCALL with the SYSRET or IRETQ that returns to CPL 3, recognises
 * the returns that are something else (a signal handler being entered,
 * the first entry into the program), parks a fork's parent while the
 * child runs, and prints the lines and strace -c's table.  What a line
 * says about each argument comes from emu/trace/strace_fmt.c, which
 * arguments a call has from emu/trace/strace_table.c.
 *
 * Input arguments are turned into text at the SYSCALL, before the kernel
 * runs; output arguments (read's buffer, fstat's structure) when the call
 * returns, and the line is printed then.  exit and exit_group never
 * return: their line ends in "= ?" at the SYSCALL.
 *
 * The call in flight is kept per task.  The built-in kernel runs one task
 * at a time (a forked child to its end first), so there is one slot, task
 * 0; a kernel that switches tasks inside system calls needs a slot per
 * task id, and strace's "<unfinished ...>" / "<... NAME resumed>" lines
 * are the text before and after the first output argument.
 *
 * --strace=summary counts guest instructions instead of strace -c's
 * seconds: "kernel" is every instruction from the SYSCALL (exclusive) to
 * the SYSRET/IRETQ (inclusive); "user" is the user-mode run that led to
 * the call, from the previous return (exclusive) to the SYSCALL
 * (inclusive).  Both are exact and the same on every run.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "emu/trace/strace.h"
#include "emu/trace/strace_fmt.h"

#define NR_NAMES SYSCALL_NR_MAX
#define ARG_TEXT 4608            /* a path of 4096 bytes; longer text is cut */
#define STRACE_LINE_MAX (6 * ARG_TEXT + 512)
#define MAX_FORKS 8

enum { NR_RT_SIGRETURN = 15, NR_CLONE = 56, NR_FORK = 57, NR_VFORK = 58, NR_EXECVE = 59,
       NR_EXIT = 60, NR_KILL = 62, NR_TKILL = 200, NR_EXIT_GROUP = 231, NR_TGKILL = 234,
       NR_EXECVEAT = 322, NR_CLONE3 = 435, NR_GETPID = 39, NR_GETTID = 186,
       NR_SET_TID_ADDRESS = 218 };

struct sc_count {
	uint64_t calls, errors, kernel, user;
};

/* A system call between its SYSCALL and its return. */
struct pending {
	bool active;
	uint64_t nr, args[6], seq, enter_icount;
	uint64_t ret_rip;         /* RCX after the SYSCALL: the return address */
	const struct syscall_desc *d;
	int nargs;
	char in[6][ARG_TEXT];     /* input arguments, decoded at the SYSCALL */
	bool child_exited;        /* parked fork: the child's exit was seen */
};

struct strace {
	FILE *out;
	bool summary, icount;
	bool started;             /* the program's first entry (the execve line) seen */
	struct pending task[1];   /* the call in flight, by task id (0: one task) */
	uint64_t user_insns;      /* CPL 3 instructions since the last SYSCALL */
	bool exited;              /* exit_group/exit seen */
	/* fork/vfork/clone: the kernel runs the child to its exit first
	 * (kernel_model/fork.c), so the parent's call is parked here until
	 * the child is gone and the parent's return comes. */
	struct pending forks[MAX_FORKS];
	int nforks;
	/* the last kill/tkill/tgkill (a signal the program sent itself) */
	int sent_sig;
	uint64_t sent_pid;
	bool sent_tkill;
	int exit_code;
	uint64_t pid;             /* from getpid/gettid/set_tid_address */
	/* the last user exception (the kernel may kill for it) */
	bool fault;
	int fault_vec;
	uint32_t fault_err;
	uint64_t fault_rip, fault_cr2;
	struct sc_count count[NR_NAMES + 1];   /* [NR_NAMES]: numbers beyond */
	uint64_t intr_rip, intr_rsp;   /* where the last interrupt left user mode */
};

struct strace *strace_new(FILE *out, bool summary, bool icount)
{
	struct strace *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->out = out;
	s->summary = summary;
	s->icount = icount;
	return s;
}

void strace_free(struct strace *s)
{
	free(s);
}

static struct pending *task_of(struct strace *s, unsigned tid)
{
	(void)tid;   /* one task today */
	return &s->task[0];
}

static struct sc_count *count_of(struct strace *s, uint64_t nr)
{
	return &s->count[nr < NR_NAMES ? nr : NR_NAMES];
}

static void line_start(struct strace *s, struct sbuf *b, const struct pending *p)
{
	if (s->icount)
		sb_printf(b, "[%10" PRIu64 "] ", p->seq);
	const char *nm = syscall_name(p->nr);
	if (nm)
		sb_printf(b, "%s(", nm);
	else
		sb_printf(b, "syscall_%#" PRIx64 "(", p->nr);
}

/* Output arguments are decoded when the call returned (returned: false for
 * a call that never will: their addresses, as strace shows them). */
static void put_args(struct sbuf *b, struct cpu *c, const struct pending *p, int64_t ret,
		     bool returned)
{
	if (!p->d) {
		/* a number strace has no name for: six raw arguments */
		for (int k = 0; k < 6; k++)
			sb_printf(b, "%s%#" PRIx64, k ? ", " : "", p->args[k]);
		return;
	}
	for (int k = 0; k < p->nargs; k++) {
		sb_printf(b, "%s", k ? ", " : "");
		if (strace_is_output(p->d, k, p->args) && returned)
			strace_put_arg(b, c, p->d, k, p->args, ret);
		else if (strace_is_output(p->d, k, p->args))
			put_addr(b, p->args[k]);
		else
			sb_printf(b, "%s", p->in[k]);
	}
}

/* The whole line of a call that returned ret ("= ?" when it never will). */
static void print_call(struct strace *s, struct cpu *c, const struct pending *p, int64_t ret,
		       bool unknown_result, const char *tail)
{
	if (s->summary)
		return;
	char line[STRACE_LINE_MAX];
	struct sbuf b = { line, 0, sizeof(line) };
	line_start(s, &b, p);
	put_args(&b, c, p, ret, !unknown_result);
	sb_printf(&b, ")");
	if (unknown_result) {
		strace_pad_result(&b);
		sb_printf(&b, " = ?");
	} else {
		strace_put_result(&b, c, p->d, p->args, ret);
	}
	sb_printf(&b, "\n%s", tail ? tail : "");
	fputs(line, s->out);
}

static bool is_fork(uint64_t nr)
{
	return nr == NR_FORK || nr == NR_VFORK || nr == NR_CLONE || nr == NR_CLONE3;
}

void strace_enter(struct strace *s, struct cpu *c)
{
	struct pending *p = task_of(s, 0);
	p->active = true;
	s->fault = false;   /* a fault before this call did not kill */
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
	p->ret_rip = c->r[R_RCX];
	p->d = syscall_desc(p->nr);
	p->nargs = p->d ? strace_nargs(p->d, p->args) : 6;
	p->child_exited = false;
	struct sc_count *sc = count_of(s, p->nr);
	sc->user += s->user_insns;
	s->user_insns = 0;
	if (p->d && !s->summary) {
		for (int k = 0; k < p->nargs; k++) {
			struct sbuf b = { p->in[k], 0, sizeof(p->in[k]) };
			p->in[k][0] = 0;
			if (!strace_is_output(p->d, k, p->args))
				strace_put_arg(&b, c, p->d, k, p->args, 0);
		}
	}
	if (p->nr == NR_KILL || p->nr == NR_TKILL || p->nr == NR_TGKILL) {
		s->sent_sig = (int)p->args[p->nr == NR_TGKILL ? 2 : 1];
		s->sent_pid = p->args[0];
		s->sent_tkill = p->nr != NR_KILL;
	}
	if (p->nr == NR_EXIT_GROUP || p->nr == NR_EXIT) {
		bool child = s->nforks > 0 && !s->forks[s->nforks - 1].child_exited;
		if (child)
			s->forks[s->nforks - 1].child_exited = true;
		else
			s->exited = true;
		if (!child)
			s->exit_code = (int)p->args[0];
		sc->calls++;
		char tail[64] = "";
		if (child)
			snprintf(tail, sizeof(tail), "+++ child exited with %d +++\n",
				 (int)p->args[0] & 0xFF);
		print_call(s, c, p, 0, true, tail);
		p->active = false;
	}
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

static void print_signal(struct strace *s, struct cpu *c)
{
	/* A timer interrupt's IRETQ back to where it interrupted user code
	 * is no signal delivery, even where the registers look like one (a
	 * handler's first instruction, or its RET with RSP back at the
	 * frame). */
	if (c->rip == s->intr_rip && c->r[R_RSP] == s->intr_rsp) {
		s->intr_rip = s->intr_rsp = 0;
		return;
	}
	s->fault = false;   /* it was caught */
	if (s->summary)
		return;
	char line[512];
	struct sbuf b = { line, 0, sizeof(line) };
	const char *nm = strace_sig_name((int)c->r[R_RDI]);
	sb_printf(&b, "--- %s ", nm ? nm : "signal");
	put_siginfo(&b, c, c->r[R_RSI]);
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
	if (s->icount)
		sb_printf(&b, "[%10" PRIu64 "] ", c->icount);
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

/* "--- SIGSEGV {...} ---" for the last user exception, which the kernel
 * answered with a signal without a handler. */
static void put_fault_signal(struct strace *s, struct sbuf *b)
{
	int sig = fault_signal(s->fault_vec);
	int code = 0x80;   /* SI_KERNEL */
	uint64_t addr = 0;
	switch (s->fault_vec) {
	case EXC_PF: code = (s->fault_err & 1) ? 2 : 1; addr = s->fault_cr2; break;
	case EXC_UD: code = 2; addr = s->fault_rip; break;      /* ILL_ILLOPN */
	case EXC_DE: code = 1; addr = s->fault_rip; break;      /* FPE_INTDIV */
	case EXC_DB: code = 2; break;                           /* TRAP_TRACE */
	default: break;
	}
	sb_printf(b, "--- %s ", strace_sig_name(sig));
	put_siginfo_values(b, sig, code, addr, 0, 0);
	sb_printf(b, " ---\n");
}

/* A forked child the kernel killed for a fault (who = "child "). */
static void print_fault_kill(struct strace *s, const char *who)
{
	char line[256] = "";
	struct sbuf b = { line, 0, sizeof(line) };
	put_fault_signal(s, &b);
	sb_printf(&b, "+++ %skilled by %s +++\n", who, strace_sig_name(fault_signal(s->fault_vec)));
	fputs(line, s->out);
}

static void park(struct strace *s, const struct pending *p)
{
	s->forks[s->nforks++] = *p;
}

void strace_exit(struct strace *s, struct cpu *c)
{
	int64_t ret = (int64_t)c->r[R_RAX];
	struct pending *p = task_of(s, 0);
	if (!s->started) {
		s->started = true;
		print_start(s, c);
		return;
	}
	bool handler = entering_handler(c);
	if (handler && p->active)
		s->intr_rip = s->intr_rsp = 0;   /* a call's return: a real delivery */
	if (!p->active) {
		/* The parent's return from a fork: after the same SYSCALL as
		 * the child's, with the child's pid.  (Other returns without
		 * a call in flight: a handler entered after a fault, a fault
		 * the kernel fixed.) */
		struct pending *f = s->nforks ? &s->forks[s->nforks - 1] : NULL;
		if (!f || c->rip != f->ret_rip || ret == 0) {
			if (handler)
				print_signal(s, c);
			return;
		}
		if (!f->child_exited && !s->summary)
			print_fault_kill(s, "child ");
		s->fault = false;
		*p = *f;
		s->nforks--;
	} else if (ret == 0 && is_fork(p->nr) && c->rip == p->ret_rip && s->nforks < MAX_FORKS) {
		/* The child's return: its calls follow; the parent's line
		 * comes when the parent returns. */
		park(s, p);
	}
	p->active = false;
	struct sc_count *sc = count_of(s, p->nr);
	sc->calls++;
	sc->kernel += c->icount - p->enter_icount;
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
	if (ret < 0 && ret >= -4095)
		sc->errors++;
	else if (p->nr == NR_GETPID || p->nr == NR_GETTID || p->nr == NR_SET_TID_ADDRESS)
		s->pid = (uint64_t)ret;
	print_call(s, c, p, ret, restarted, NULL);
	if (handler && !(p->nr == NR_EXECVE || p->nr == NR_EXECVEAT))
		print_signal(s, c);
}

void strace_user_insns(struct strace *s, uint64_t n)
{
	s->user_insns += n;
}

void strace_user_fault(struct strace *s, struct cpu *c, int vector, uint32_t error, uint64_t rip)
{
	s->fault = true;
	s->fault_vec = vector;
	s->fault_err = error;
	s->fault_rip = rip;
	s->fault_cr2 = c->cr2;
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

void strace_finish(struct strace *s, int status)
{
	if (s->summary) {
		print_summary(s);
		fflush(s->out);
		return;
	}
	struct pending *p = task_of(s, 0);
	if (p->active) {
		/* killed inside a call: strace's "= ?" */
		print_call(s, NULL, p, 0, true, NULL);
		p->active = false;
	}
	if (s->exited) {
		fprintf(s->out, "+++ exited with %d +++\n", s->exit_code & 0xFF);
	} else if (status > 128 && status <= 128 + 64) {
		int sig = status - 128;
		int fsig = fault_signal(s->fault_vec);
		const char *nm = strace_sig_name(sig);
		char line[256] = "";
		struct sbuf b = { line, 0, sizeof(line) };
		if (!(s->fault && fsig == sig) && s->sent_sig == sig) {
			sb_printf(&b, "--- %s ", nm);
			put_siginfo_values(&b, sig, s->sent_tkill ? -6 : 0, 0, (int)s->sent_pid, 0);
			sb_printf(&b, " ---\n");
		} else if (s->fault && fsig == sig) {
			put_fault_signal(s, &b);
		} else if (nm) {
			/* neither sent by the program nor raised by a fault: the
			 * kernel's own (a timer's SIGALRM), except SIGPIPE,
			 * which Linux sends as if the process had */
			sb_printf(&b, "--- %s ", nm);
			put_siginfo_values(&b, sig, sig == 13 ? 0 : 0x80, 0, (int)s->pid, 0);
			sb_printf(&b, " ---\n");
		}
		fputs(line, s->out);
		if (nm)
			fprintf(s->out, "+++ killed by %s +++\n", nm);
		else
			fprintf(s->out, "+++ killed by signal %d +++\n", sig);
	}
	fflush(s->out);
}

void strace_interrupted(struct strace *s, uint64_t rip, uint64_t rsp)
{
	s->intr_rip = rip;
	s->intr_rsp = rsp;
}
