/*
 * strace.h - system calls seen from the CPU (--strace, docs/trace.md).
 *
 * emu/trace/trace.c calls these from its hooks: strace_enter() after a SYSCALL
 * retired (RAX and RDI, RSI, RDX, R10, R8, R9 still hold the user's number
 * and arguments; RCX and R11 are already the saved RIP and RFLAGS),
 * strace_exit() after the SYSRET or IRETQ that returned to CPL 3 (the
 * result is in RAX), strace_switch() when the kernel says another task
 * runs (LSTAR_HC_TASK, include/lstar/hostcall.h) and strace_task_exit() when a
 * task ends.  Lines follow strace -f's format: every task is followed,
 * and once more than one is alive each line starts with "[pid N] ".  The
 * table of system calls (syscall_name(), syscall_desc()) is
 * emu/trace/strace_table.h, included here for the callers that name calls.
 */
#ifndef LSTAR_STRACE_H
#define LSTAR_STRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "emu/trace/strace_table.h"

struct cpu;
struct strace;

/* The task that runs before the kernel names one (LSTAR_HC_TASK): the built-in
 * kernel's first process (kernel_model's INIT_PID). */
#define STRACE_FIRST_TID 42

/* summary: only strace -c's table at the end.  icount: prefix each call's
 * line with the sequence number of its SYSCALL instruction. */
struct strace *strace_new(FILE *out, bool summary, bool icount);
void strace_free(struct strace *s);
/* From now on (icount instructions retired so far) task tid of process
 * tgid runs; the next events are its own. */
void strace_switch(struct strace *s, uint64_t icount, int tid, int tgid);
void strace_enter(struct strace *s, struct cpu *c);
void strace_exit(struct strace *s, struct cpu *c);
/* The running task ends: wstatus as wait4 reports it (exit code << 8, or
 * the signal that killed it).  The memory is still the task's. */
void strace_task_exit(struct strace *s, struct cpu *c, int wstatus);
/* n more instructions ran at CPL 3 (counted up to the SYSCALL). */
void strace_user_insns(struct strace *s, uint64_t n);
/* An external interrupt taken at CPL 3, at rip. */
void strace_user_interrupt(struct strace *s, uint64_t rip);
/* An exception raised at CPL 3 (the kernel may kill the program for it). */
void strace_user_fault(struct strace *s, struct cpu *c, int vector, uint32_t error,
		       uint64_t rip);
/* The machine stopped; status is lstar's exit status (128 + signal when
 * the built-in kernel killed the program).  with_exits: strace_task_exit()
 * was being called (else the first task's end is made up from status). */
void strace_finish(struct strace *s, int status, bool with_exits);

#endif
