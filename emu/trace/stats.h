/*
 * stats.h - --stats: what the guest did, counted exactly (docs/trace.md).
 * Instructions retired at CPL 3 and CPL 0, system calls by name with the
 * kernel instructions each cost, exceptions and interrupts by vector,
 * timer interrupts, context switches, idle time, wall time and guest
 * MIPS.  emu/trace/trace.c feeds it from its hooks.
 */
#ifndef LSTAR_STATS_H
#define LSTAR_STATS_H

#include <stdint.h>
#include <stdio.h>

struct stats;

/* tid: the task running at the start (emu/trace/strace.h, STRACE_FIRST_TID). */
struct stats *stats_new(int tid);
void stats_free(struct stats *s);
/* The CPL changed from `old` after `icount` instructions in total. */
void stats_cpl(struct stats *s, int old, uint64_t icount);
/* A SYSCALL with number nr retired (icount includes it). */
void stats_syscall_enter(struct stats *s, uint64_t nr, uint64_t icount);
/* The return to user mode retired. */
void stats_syscall_exit(struct stats *s, uint64_t icount);
/* An exception or software interrupt was delivered. */
void stats_exception(struct stats *s, int vector);
/* An external interrupt was delivered. */
void stats_interrupt(struct stats *s, int vector);
/* The kernel switched to task tid (LSTAR_HC_TASK; 0 is the idle task) after
 * icount instructions. */
void stats_switch(struct stats *s, uint64_t icount, int tid);
/* Print the report; cpl is the CPL at the end, icount the final count,
 * idle_ticks the TSC ticks the CPU spent halted (cpu.idle_ticks). */
void stats_print(struct stats *s, FILE *f, int cpl, uint64_t icount, uint64_t idle_ticks);

#endif
