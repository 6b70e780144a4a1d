/*
 * syscall_64.c - system call number -> handler (mirrors
 * arch/x86/entry/syscall_64.c).
 *
 * There is no hand-written list here: syscalls_64.h is generated at build
 * time from syscall_64.tbl by syscalltbl.awk, one __SYSCALL(nr, sym) line
 * per table row, and is included three times with three meanings of
 * __SYSCALL - a declaration, a switch case - and once more for the names.
 */
#include "sched.h"
#include "kernel.h"

/* Rows without a handler name sys_ni_syscall, which has no wrapper. */
#define __x64_sys_ni_syscall sys_ni_syscall

#define __SYSCALL(nr, sym) long __x64_##sym(const struct pt_regs *);
#include "syscalls_64.h"
#undef __SYSCALL

long x64_sys_call(const struct pt_regs *regs, unsigned int nr)
{
	switch (nr) {
#define __SYSCALL(nr, sym) case nr: return __x64_##sym(regs);
#include "syscalls_64.h"
#undef __SYSCALL
	default: return sys_ni_syscall(regs);
	}
}

/* Names for diagnostics (the unimplemented-call report). */
const char *const syscall_names[] = {
#define __SYSCALL(nr, sym)
#define __SYSCALL_NAME(nr, name) [nr] = #name,
#include "syscalls_64.h"
#undef __SYSCALL_NAME
#undef __SYSCALL
};
const unsigned int nr_syscall_names = ARRAY_SIZE(syscall_names);
