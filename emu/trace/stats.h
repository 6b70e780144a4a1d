/*
 * stats.h - --stats: what the guest did, counted exactly (docs/trace.md).
 * Instructions retired at CPL 3 and CPL 0, system calls by name with the
 * kernel instructions each cost, exceptions by vector, wall time and
 * guest MIPS.  emu/trace/trace.c feeds it from its hooks.
 */
#ifndef LSTAR_STATS_H
#define LSTAR_STATS_H

#include <stdint.h>
#include <stdio.h>

struct stats;

struct stats *stats_new(void);
void stats_free(struct stats *s);
/* The CPL changed from `old` after `icount` instructions in total. */
void stats_cpl(struct stats *s, int old, uint64_t icount);
/* A SYSCALL with number nr retired (icount includes it). */
void stats_syscall_enter(struct stats *s, uint64_t nr, uint64_t icount);
/* The return to user mode retired. */
void stats_syscall_exit(struct stats *s, uint64_t icount);
/* An exception or interrupt was delivered. */
void stats_exception(struct stats *s, int vector);
/* Print the report; cpl is the CPL at the end, icount the final count. */
void stats_print(struct stats *s, FILE *f, int cpl, uint64_t icount);

#endif
