/*
 * stats.c - the --stats report (docs/trace.md).
 *
 * CPL accounting works on transitions, not on every instruction: when the
 * CPL changes, the instructions since the last change are added to the
 * old level.  The instruction that switches (SYSCALL, SYSRET, IRETQ) ran
 * at the old level; a delivered exception retires nothing, so its count
 * goes to the level that was interrupted.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/system.h"
#include "emu/trace/stats.h"
#include "emu/trace/strace_table.h"

#define NR_MAX SYSCALL_NR_MAX   /* one slot per number of the table, one for the rest */

struct stats {
	struct timespec t0;
	uint64_t at_cpl[4];        /* instructions retired per CPL */
	uint64_t last_switch;      /* icount at the last CPL change */
	uint64_t calls[NR_MAX + 1], kernel[NR_MAX + 1];
	uint64_t ncalls, nkernel;
	uint64_t exc[256];
	bool in_call;
	uint64_t nr, enter;
};

struct stats *stats_new(void)
{
	struct stats *s = calloc(1, sizeof(*s));
	if (s)
		clock_gettime(CLOCK_MONOTONIC, &s->t0);
	return s;
}

void stats_free(struct stats *s)
{
	free(s);
}

void stats_cpl(struct stats *s, int old, uint64_t icount)
{
	s->at_cpl[old & 3] += icount - s->last_switch;
	s->last_switch = icount;
}

void stats_syscall_enter(struct stats *s, uint64_t nr, uint64_t icount)
{
	s->in_call = true;
	s->nr = nr < NR_MAX ? nr : NR_MAX;
	s->enter = icount;
	s->calls[s->nr]++;
	s->ncalls++;
}

void stats_syscall_exit(struct stats *s, uint64_t icount)
{
	if (!s->in_call)
		return;
	s->in_call = false;
	s->kernel[s->nr] += icount - s->enter;
	s->nkernel += icount - s->enter;
}

void stats_exception(struct stats *s, int vector)
{
	s->exc[vector & 0xFF]++;
}

void stats_print(struct stats *s, FILE *f, int cpl, uint64_t icount)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	stats_cpl(s, cpl, icount);
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
	fprintf(f, "  wall time              %14.3f s\n", wall);
	fprintf(f, "  guest speed            %14.2f MIPS (with the observation hooks on)\n",
		wall > 0 ? (double)icount / wall / 1e6 : 0.0);
}
