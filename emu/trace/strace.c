/*
 * strace.c - the strace view's state machine (docs/trace.md): it pairs
 * each SYSCALL with the SYSRET or IRETQ that returns to CPL 3, keeps the
 * call in flight, parks a fork's parent while the child runs, and prints
 * the lines and strace -c's table.  What a line says about each argument
 * comes from emu/trace/strace_fmt.c, which arguments a call has from
 * emu/trace/strace_table.c.
 *
 * The line of a call is printed when it returns to CPL 3, because output
 * arguments (read's buffer, fstat's structure) exist only then; input
 * strings are decoded at the SYSCALL, before the kernel runs.  exit_group
 * never returns: its line ends in "= ?" at the SYSCALL.
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

/* ---- state ---------------------------------------------------------- */

struct sc_count {
	uint64_t calls, errors, kernel, user;
};

struct strace {
	FILE *out;
	bool summary, icount;
	/* the call in flight */
	bool pending;
	uint64_t nr, args[6], seq, enter_icount;
	uint64_t ret_rip;         /* RCX after the SYSCALL: the return address */
	const struct syscall_desc *d;
	char in[6][160];          /* input arguments decoded at the SYSCALL */
	uint64_t user_insns;      /* CPL 3 instructions since the last SYSCALL */
	bool exited;              /* exit_group/exit seen */
	/* fork/vfork/clone: the kernel runs the child to its exit first
	 * (kernel_model/fork.c), so the parent's call is parked here until
	 * the child is gone and the parent's return comes. */
	struct parked {
		uint64_t nr, args[6], seq, enter_icount;
		uint64_t ret_rip;       /* where the parent's return lands */
		const struct syscall_desc *d;
		char in[6][160];
		bool child_exited;
	} forks[8];
	int nforks;
	/* the last kill/tkill/tgkill (a signal the program sent itself) */
	int sent_sig;
	uint64_t sent_pid;
	bool sent_tkill;
	int exit_code;
	/* the last user exception (the kernel may kill for it) */
	bool fault;
	int fault_vec;
	uint32_t fault_err;
	uint64_t fault_rip, fault_cr2;
	struct sc_count count[NR_NAMES + 1];   /* [NR_NAMES]: numbers beyond */
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

static void line_start(struct strace *s, struct sbuf *b)
{
	if (s->icount)
		sb_printf(b, "[%10" PRIu64 "] ", s->seq);
	const char *nm = syscall_name(s->nr);
	if (nm)
		sb_printf(b, "%s(", nm);
	else
		sb_printf(b, "syscall_%#" PRIx64 "(", s->nr);
}

static void put_args(struct strace *s, struct sbuf *b, struct cpu *c, int64_t ret, bool out)
{
	if (!s->d) {
		/* Unknown decoding: six raw arguments, as strace does for
		 * numbers it does not know. */
		for (int k = 0; k < 6; k++)
			sb_printf(b, "%s%#" PRIx64, k ? ", " : "", s->args[k]);
		return;
	}
	int nargs = s->d->nargs;
	/* open/openat: the mode only matters (and strace shows it only)
	 * with O_CREAT or O_TMPFILE. */
	if (nargs >= 2 && s->d->kind[nargs - 1] == A_MODE && s->d->kind[nargs - 2] == A_OFLAGS &&
	    !(s->args[nargs - 2] & 0100) && (s->args[nargs - 2] & 020200000) != 020200000)
		nargs--;
	for (int k = 0; k < nargs; k++) {
		if (k)
			sb_printf(b, ", ");
		if (out && strace_is_output(s->d->kind[k]))
			strace_put_arg(b, c, s->d, k, s->args, ret, true);
		else
			sb_printf(b, "%s", s->in[k]);
	}
}

static bool is_fork(const char *nm)
{
	return nm && (!strcmp(nm, "fork") || !strcmp(nm, "vfork") || !strcmp(nm, "clone") ||
		      !strcmp(nm, "clone3"));
}

void strace_enter(struct strace *s, struct cpu *c)
{
	s->pending = true;
	s->fault = false;   /* a fault before this call did not kill */
	/* The kernel takes the number as an int (do_syscall_64(regs, int nr),
	 * like Linux): the upper half of RAX is ignored, so it is here. */
	s->nr = (uint32_t)c->r[R_RAX];
	s->args[0] = c->r[R_RDI];
	s->args[1] = c->r[R_RSI];
	s->args[2] = c->r[R_RDX];
	s->args[3] = c->r[R_R10];
	s->args[4] = c->r[R_R8];
	s->args[5] = c->r[R_R9];
	s->seq = c->icount - 1;
	s->enter_icount = c->icount;
	s->ret_rip = c->r[R_RCX];
	s->d = syscall_desc(s->nr);
	struct sc_count *sc = &s->count[s->nr < NR_NAMES ? s->nr : NR_NAMES];
	sc->user += s->user_insns;
	s->user_insns = 0;
	if (s->d) {
		for (int k = 0; k < s->d->nargs; k++) {
			struct sbuf b = { s->in[k], 0, sizeof(s->in[k]) };
			s->in[k][0] = 0;
			strace_put_arg(&b, c, s->d, k, s->args, 0, false);
		}
	}
	const char *nm = syscall_name(s->nr);
	if (nm && (!strcmp(nm, "kill") || !strcmp(nm, "tkill") || !strcmp(nm, "tgkill"))) {
		bool tg = !strcmp(nm, "tgkill");
		s->sent_sig = (int)s->args[tg ? 2 : 1];
		s->sent_pid = s->args[0];
		s->sent_tkill = strcmp(nm, "kill") != 0;
	}
	if (nm && (!strcmp(nm, "exit_group") || !strcmp(nm, "exit"))) {
		bool child = s->nforks > 0 && !s->forks[s->nforks - 1].child_exited;
		if (child)
			s->forks[s->nforks - 1].child_exited = true;
		else
			s->exited = true;
		if (!child)
			s->exit_code = (int)s->args[0];
		sc->calls++;
		if (!s->summary) {
			char line[1024];
			struct sbuf b = { line, 0, sizeof(line) };
			line_start(s, &b);
			put_args(s, &b, c, 0, false);
			sb_printf(&b, ") = ?\n");
			if (child)
				sb_printf(&b, "+++ child exited with %d +++\n", (int)s->args[0] & 0xFF);
			fputs(line, s->out);
		}
		s->pending = false;
	}
}

static void park(struct strace *s)
{
	struct parked *p = &s->forks[s->nforks++];
	p->nr = s->nr;
	memcpy(p->args, s->args, sizeof(p->args));
	p->seq = s->seq;
	p->enter_icount = s->enter_icount;
	p->ret_rip = s->ret_rip;
	p->d = s->d;
	memcpy(p->in, s->in, sizeof(p->in));
	p->child_exited = false;
}

static void unpark(struct strace *s)
{
	struct parked *p = &s->forks[--s->nforks];
	s->nr = p->nr;
	memcpy(s->args, p->args, sizeof(s->args));
	s->seq = p->seq;
	s->enter_icount = p->enter_icount;
	s->d = p->d;
	memcpy(s->in, p->in, sizeof(s->in));
}

void strace_exit(struct strace *s, struct cpu *c)
{
	int64_t ret = (int64_t)c->r[R_RAX];
	if (!s->pending) {
		/* The parent's return from a fork: after the same SYSCALL as
		 * the child's, with the child's pid.  (Other returns without
		 * a call in flight: a fault the kernel fixed, a signal.) */
		if (s->nforks == 0)
			return;
		struct parked *p = &s->forks[s->nforks - 1];
		if (c->rip != p->ret_rip || ret == 0)
			return;
		if (!p->child_exited && !s->summary)
			fprintf(s->out, "+++ child killed (last user exception: vector %d) +++\n",
				s->fault_vec);
		s->fault = false;
		unpark(s);
	} else if (ret == 0 && is_fork(syscall_name(s->nr)) && s->nforks < 8) {
		/* The child's return: its calls follow; the parent's line
		 * comes when the parent returns. */
		park(s);
	}
	s->pending = false;
	struct sc_count *sc = &s->count[s->nr < NR_NAMES ? s->nr : NR_NAMES];
	sc->calls++;
	sc->kernel += c->icount - s->enter_icount;
	if (ret < 0 && ret >= -4095)
		sc->errors++;
	if (s->summary)
		return;
	char line[2048];
	struct sbuf b = { line, 0, sizeof(line) };
	line_start(s, &b);
	put_args(s, &b, c, ret, true);
	const char *nm = syscall_name(s->nr);
	if (ret < 0 && ret >= -4095) {
		const char *en = strace_errno_name((int)-ret);
		if (en)
			sb_printf(&b, ") = -1 %s (%s)\n", en, strace_errno_text((int)-ret));
		else
			sb_printf(&b, ") = -1 E%d (Unknown error %d)\n", (int)-ret, (int)-ret);
	} else if (nm && (!strcmp(nm, "mmap") || !strcmp(nm, "brk"))) {
		sb_printf(&b, ") = %#" PRIx64 "\n", (uint64_t)ret);
	} else {
		sb_printf(&b, ") = %" PRId64 "\n", ret);
	}
	fputs(line, s->out);
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
	if (s->exited) {
		fprintf(s->out, "+++ exited with %d +++\n", s->exit_code & 0xFF);
	} else if (status > 128 && status < 128 + 32) {
		int sig = status - 128;
		/* The signal a user exception raises (kernel_model/traps.c). */
		int fsig = 11;
		switch (s->fault_vec) {
		case EXC_DE: case EXC_MF: case EXC_XM: fsig = 8; break;
		case EXC_DB: case EXC_BP: fsig = 5; break;
		case EXC_UD: fsig = 4; break;
		case EXC_AC: fsig = 7; break;
		default: break;
		}
		if (!(s->fault && fsig == sig) && s->sent_sig == sig) {
			fprintf(s->out, "--- %s {si_signo=%s, si_code=%s, si_pid=%" PRIu64 ", si_uid=0} ---\n",
				strace_sig_name(sig), strace_sig_name(sig), s->sent_tkill ? "SI_TKILL" : "SI_USER",
				s->sent_pid);
		} else if (s->fault && fsig == sig) {
			const char *code = "SI_KERNEL";
			uint64_t addr = 0;
			switch (s->fault_vec) {
			case EXC_PF:
				code = (s->fault_err & 1) ? "SEGV_ACCERR" : "SEGV_MAPERR";
				addr = s->fault_cr2;
				break;
			case EXC_UD: code = "ILL_ILLOPN"; addr = s->fault_rip; break;
			case EXC_DE: code = "FPE_INTDIV"; addr = s->fault_rip; break;
			case EXC_BP: code = "SI_KERNEL"; break;
			case EXC_DB: code = "TRAP_TRACE"; break;
			default: break;
			}
			fprintf(s->out, "--- %s {si_signo=%s, si_code=%s, si_addr=0x%" PRIx64 "} ---\n",
				strace_sig_name(sig), strace_sig_name(sig), code, addr);
		}
		fprintf(s->out, "+++ killed by %s +++\n", strace_sig_name(sig));
	}
	fflush(s->out);
}
