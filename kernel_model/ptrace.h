/*
 * ptrace.h - struct pt_regs (mirrors arch/x86/include/asm/ptrace.h).
 *
 * The layout is the stack image built by entry_64.S: the last five words
 * are pushed by the CPU on an exception (or faked by entry_SYSCALL_64 so the
 * two paths look alike), orig_ax next, then the general registers.  The
 * field order is Linux's so that anyone who knows Linux can read a dump.
 */
#ifndef KM_PTRACE_H
#define KM_PTRACE_H

struct pt_regs {
	/* Callee-saved registers: pushed last, so at the lowest address. */
	unsigned long r15;
	unsigned long r14;
	unsigned long r13;
	unsigned long r12;
	unsigned long bp;
	unsigned long bx;
	/* Caller-saved registers and the syscall arguments. */
	unsigned long r11;
	unsigned long r10;
	unsigned long r9;
	unsigned long r8;
	unsigned long ax;	/* return value; -ENOSYS while the call runs */
	unsigned long cx;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
	/* Syscall number on SYSCALL, error code (or -1) on an exception. */
	unsigned long orig_ax;
	/* Below here: the hardware-shaped frame (IRETQ pops these). */
	unsigned long ip;
	unsigned long cs;
	unsigned long flags;
	unsigned long sp;
	unsigned long ss;
};

static inline int user_mode(const struct pt_regs *regs)
{
	return (regs->cs & 3) == 3;
}

#endif
