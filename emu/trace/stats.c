/*
 * stats.c - the --stats report (docs/trace.md).
 *
 * CPL accounting works on transitions, not on every instruction: when the
 * CPL changes, the instructions since the last change are added to the
 * old level.  The instruction that switches (SYSCALL, SYSRET, IRETQ) ran
 * at the old level; a delivered exception retires nothing, so its count
 * goes to the level that was interrupted.
 *
 * Tasks: a system call's kernel instructions are those its task ran from
 * the SYSCALL to its return (other tasks run while it blocks), so the
 * call in flight is kept per task, and the instructions run while it was
 * switched out are left out.  The idle task (tid 0) is the kernel
 * waiting: its instructions and the time the CPU spent halted (the TSC
 * ticks HLT jumped over, cpu.idle_ticks) are the idle time.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/cpu.h"
#include "cpu/system.h"
#include "emu/trace/stats.h"
#include "emu/trace/strace_table.h"

#define NR_MAX SYSCALL_NR_MAX   /* one slot per number of the table, one for the rest */

#define TIMER_VECTOR 0xEC   /* the APIC timer's vector (kernel_model/apic.c) */

/* A task's system call in flight. */
struct task_call {
	int tid;
	bool in_call;
	uint64_t nr, enter, away, away_since;
};

struct stats {
	struct timespec t0;
	uint64_t at_cpl[4];        /* instructions retired per CPL */
	uint64_t last_switch;      /* icount at the last CPL change */
	uint64_t calls[NR_MAX + 1], kernel[NR_MAX + 1];
	uint64_t ncalls, nkernel;
	uint64_t exc[256];         /* exceptions, software and external interrupts */
	uint64_t interrupts[256];  /*   of which external interrupts */
	struct task_call *tc;      /* per task (a few: a linear search) */
	int ntc, captc;
	int tid;                   /* the task running */
	uint64_t switches;         /* context switches (LSTAR_HC_TASK) */
	uint64_t idle_insns, idle_since;   /* instructions of the idle task */
	int ntids;                 /* distinct tasks that ran */
};

struct stats *stats_new(int tid)
{
	struct stats *s = calloc(1, sizeof(*s));
	if (s) {
		clock_gettime(CLOCK_MONOTONIC, &s->t0);
		s->tid = tid;
		s->ntids = 1;
	}
	return s;
}

void stats_free(struct stats *s)
{
	if (s)
		free(s->tc);
	free(s);
}

void stats_cpl(struct stats *s, int old, uint64_t icount)
{
	s->at_cpl[old & 3] += icount - s->last_switch;
	s->last_switch = icount;
}

static struct task_call *task_call(struct stats *s, int tid, bool make)
{
	for (int k = 0; k < s->ntc; k++)
		if (s->tc[k].tid == tid)
			return &s->tc[k];
	if (!make)
		return NULL;
	if (s->ntc == s->captc) {
		int cap = s->captc ? 2 * s->captc : 16;
		struct task_call *p = realloc(s->tc, (size_t)cap * sizeof(*p));
		if (!p)
			return NULL;
		s->tc = p;
		s->captc = cap;
	}
	struct task_call *t = &s->tc[s->ntc++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	return t;
}

void stats_switch(struct stats *s, uint64_t icount, int tid)
{
	s->switches++;
	if (tid == s->tid)
		return;
	if (s->tid == 0)
		s->idle_insns += icount - s->idle_since;
	struct task_call *old = task_call(s, s->tid, false);
	if (old)
		old->away_since = icount;
	struct task_call *t = task_call(s, tid, false);
	if (!t && (t = task_call(s, tid, true)) && tid != 0)
		s->ntids++;
	if (t && t->in_call)
		t->away += icount - t->away_since;
	s->tid = tid;
	s->idle_since = icount;
}

void stats_syscall_enter(struct stats *s, uint64_t nr, uint64_t icount)
{
	struct task_call *t = task_call(s, s->tid, true);
	if (!t)
		return;
	t->in_call = true;
	t->nr = nr < NR_MAX ? nr : NR_MAX;
	t->enter = icount;
	t->away = 0;
	s->calls[t->nr]++;
	s->ncalls++;
}

void stats_syscall_exit(struct stats *s, uint64_t icount)
{
	struct task_call *t = task_call(s, s->tid, false);
	if (!t || !t->in_call)
		return;
	t->in_call = false;
	s->kernel[t->nr] += icount - t->enter - t->away;
	s->nkernel += icount - t->enter - t->away;
}

void stats_exception(struct stats *s, int vector)
{
	s->exc[vector & 0xFF]++;
}

void stats_interrupt(struct stats *s, int vector)
{
	s->exc[vector & 0xFF]++;
	s->interrupts[vector & 0xFF]++;
}

void stats_print(struct stats *s, FILE *f, int cpl, uint64_t icount, uint64_t idle_ticks)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	stats_cpl(s, cpl, icount);
	if (s->tid == 0)
		s->idle_insns += icount - s->idle_since;
	double wall = (double)(t1.tv_sec - s->t0.tv_sec) + (double)(t1.tv_nsec - s->t0.tv_nsec) / 1e9;
	fprintf(f, "lstar: statistics\n");
	fprintf(f, "  instructions retired   %14" PRIu64 "\n", icount);
	fprintf(f, "    at CPL 3 (user)      %14" PRIu64 "\n", s->at_cpl[3]);
	fprintf(f, "    at CPL 0 (kernel)    %14" PRIu64 "\n", s->at_cpl[0]);
	if (s->at_cpl[1] || s->at_cpl[2])
		fprintf(f, "    at CPL 1/2           %14" PRIu64 "\n", s->at_cpl[1] + s->at_cpl[2]);
	fprintf(f, "  system calls           %14" PRIu64, s->ncalls);
	if (s->ncalls)
		fprintf(f, "   (%" PRIu64 " kernel instructions per call on average)",
			s->nkernel / s->ncalls);
	fprintf(f, "\n");
	for (int k = 0; k <= NR_MAX; k++) {
		if (!s->calls[k])
			continue;
		const char *nm = k < NR_MAX ? syscall_name((uint64_t)k) : "(beyond 511)";
		char buf[32];
		if (!nm) {
			snprintf(buf, sizeof(buf), "syscall_%#x", k);
			nm = buf;
		}
		fprintf(f, "    %-20s %14" PRIu64 "   %10" PRIu64 " kernel insns/call\n", nm,
			s->calls[k], s->kernel[k] / s->calls[k]);
	}
	uint64_t nexc = 0;
	for (int v = 0; v < 256; v++)
		nexc += s->exc[v];
	fprintf(f, "  exceptions/interrupts  %14" PRIu64 "\n", nexc);
	for (int v = 0; v < 256; v++)
		if (s->exc[v])
			fprintf(f, "    %-4s vector %-3d      %14" PRIu64 "\n",
				v < 32 ? exc_name(v) : "INT", v, s->exc[v]);
	uint64_t nint = 0;
	for (int v = 0; v < 256; v++)
		nint += s->interrupts[v];
	fprintf(f, "    of which external    %14" PRIu64 "\n", nint);
	fprintf(f, "  timer interrupts       %14" PRIu64 "   (vector %#x)\n", s->interrupts[TIMER_VECTOR],
		TIMER_VECTOR);
	fprintf(f, "  context switches       %14" PRIu64 "   (%d task%s ran)\n", s->switches, s->ntids,
		s->ntids == 1 ? "" : "s");
	/* Guest time: the TSC, 4 ticks an instruction plus the ticks HLT
	 * jumped over (cpu/cpu.h): nanoseconds at its nominal 4 GHz. */
	uint64_t ticks = icount * TSC_SCALE + idle_ticks;
	fprintf(f, "  guest time             %14.3f ms\n", (double)ticks / TSC_SCALE / 1e6);
	fprintf(f, "    halted (HLT)         %14.3f ms   (%.1f%%)\n",
		(double)idle_ticks / TSC_SCALE / 1e6, ticks ? 100.0 * (double)idle_ticks / (double)ticks : 0.0);
	fprintf(f, "    idle task insns      %14" PRIu64 "\n", s->idle_insns);
	fprintf(f, "  wall time              %14.3f s\n", wall);
	fprintf(f, "  guest speed            %14.2f MIPS (with the observation hooks on)\n",
		wall > 0 ? (double)icount / wall / 1e6 : 0.0);
}
