/*
 * strace.h - system calls seen from the CPU (--strace, docs/trace.md).
 *
 * emu/trace/trace.c calls these from its hooks: strace_enter() after a SYSCALL
 * retired (RAX and RDI, RSI, RDX, R10, R8, R9 still hold the user's number
 * and arguments; RCX and R11 are already the saved RIP and RFLAGS),
 * strace_exit() after the SYSRET or IRETQ that returned to CPL 3 (the
 * result is in RAX).  Lines follow strace(1)'s format.  The table of
 * system calls (syscall_name(), syscall_desc()) is emu/trace/strace_table.h,
 * included here for the callers that name calls.
 */
#ifndef LSTAR_STRACE_H
#define LSTAR_STRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "emu/trace/strace_table.h"

struct cpu;
struct strace;

/* summary: only strace -c's table at the end.  icount: prefix each line
 * with the sequence number of the SYSCALL instruction. */
struct strace *strace_new(FILE *out, bool summary, bool icount);
void strace_free(struct strace *s);
void strace_enter(struct strace *s, struct cpu *c);
void strace_exit(struct strace *s, struct cpu *c);
/* An external interrupt left user mode at rip with the user stack at rsp:
 * the IRETQ that comes back there is not a signal handler's entry. */
void strace_interrupted(struct strace *s, uint64_t rip, uint64_t rsp);
/* n more instructions ran at CPL 3 (counted up to the SYSCALL). */
void strace_user_insns(struct strace *s, uint64_t n);
/* An exception raised at CPL 3 (the kernel may kill the program for it). */
void strace_user_fault(struct strace *s, struct cpu *c, int vector, uint32_t error,
		       uint64_t rip);
/* The machine stopped; status is lstar's exit status (128 + signal when
 * the built-in kernel killed the program). */
void strace_finish(struct strace *s, int status);

#endif
