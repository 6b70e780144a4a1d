/*
 * entry_64.S - the ways into and out of the kernel (mirrors
 * arch/x86/entry/entry_64.S): SYSCALL, exceptions, SYSRET and IRETQ.
 */
#include "segment.h"

/*
 * Build the register half of struct pt_regs (ptrace.h), from di down to
 * r15, on top of a hardware-shaped frame and orig_ax.  \rax is what goes
 * into pt_regs->ax: the syscall path stores -ENOSYS there, so a number
 * that reaches no handler returns -ENOSYS without any code setting it.
 */
.macro PUSH_REGS rax=%rax
	pushq	%rdi		/* pt_regs->di */
	pushq	%rsi		/* pt_regs->si */
	pushq	%rdx		/* pt_regs->dx */
	pushq	%rcx		/* pt_regs->cx */
	pushq	\rax		/* pt_regs->ax */
	pushq	%r8		/* pt_regs->r8 */
	pushq	%r9		/* pt_regs->r9 */
	pushq	%r10		/* pt_regs->r10 */
	pushq	%r11		/* pt_regs->r11 */
	pushq	%rbx		/* pt_regs->bx */
	pushq	%rbp		/* pt_regs->bp */
	pushq	%r12		/* pt_regs->r12 */
	pushq	%r13		/* pt_regs->r13 */
	pushq	%r14		/* pt_regs->r14 */
	pushq	%r15		/* pt_regs->r15 */
.endm

.macro POP_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
.endm

	.text

/*
 * entry_SYSCALL_64 - where IA32_LSTAR points.
 *
 * What the SYSCALL instruction has already done, and nothing more:
 *   RCX    <- the user RIP to return to (the instruction after SYSCALL)
 *   R11    <- the user RFLAGS (RF cleared)
 *   RFLAGS <- RFLAGS & ~IA32_FMASK: IF, TF, DF, AC... are now clear
 *   CS, SS <- __KERNEL_CS, __KERNEL_DS (from STAR[47:32]); CPL 0
 * What it has NOT done: RSP is still the user's stack pointer, and GS
 * still has the user's base.  Nothing has been saved anywhere.
 *
 * Registers on entry:
 *   rax  system call number (only the low 32 bits count: Linux treats it
 *        as an int)
 *   rdi  argument 1
 *   rsi  argument 2
 *   rdx  argument 3
 *   r10  argument 4 (the C ABI would use rcx, but SYSCALL took rcx)
 *   r8   argument 5
 *   r9   argument 6
 *   rcx  return address (see above)
 *   r11  saved user rflags (see above)
 *   rsp  user stack: untrusted, maybe not even mapped - never touch it
 *
 * Returned: rax = result or -errno; rcx and r11 are clobbered (SYSRET
 * consumes them); every other register is as the user left it.
 */
	.globl entry_SYSCALL_64
entry_SYSCALL_64:
	swapgs				/* GS base <- per-CPU area */
	/* No free register yet, so park the user RSP in per-CPU memory. */
	movq	%rsp, %gs:PCPU_user_rsp
	movq	%gs:PCPU_top_of_stack, %rsp

	/* The frame an exception from user mode would have pushed, so
	 * that both ways into the kernel share struct pt_regs. */
	pushq	$__USER_DS		/* pt_regs->ss */
	pushq	%gs:PCPU_user_rsp	/* pt_regs->sp */
	pushq	%r11			/* pt_regs->flags */
	pushq	$__USER_CS		/* pt_regs->cs */
	pushq	%rcx			/* pt_regs->ip */

	.globl entry_SYSCALL_64_after_hwframe
entry_SYSCALL_64_after_hwframe:
	pushq	%rax			/* pt_regs->orig_ax: the number */
	PUSH_REGS rax=$ENOSYS_NEG

	movq	%rsp, %rdi		/* arg 1: struct pt_regs * */
	movslq	%eax, %rsi		/* arg 2: nr, the low 32 bits as an int */
	call	do_syscall_64		/* true: SYSRET is safe; false: IRETQ */

	testb	%al, %al
	jz	swapgs_restore_regs_and_return_to_usermode

	/*
	 * syscall_return_via_sysret: do_syscall_64 checked that pt_regs->cx
	 * equals pt_regs->ip and pt_regs->r11 equals pt_regs->flags, so
	 * popping cx and r11 back is exactly what SYSRET needs.
	 */
	.globl syscall_return_via_sysret
syscall_return_via_sysret:
	POP_REGS
	/* rsp now points at orig_ax; the user RSP is four words above. */
	movq	PTREGS_SP-PTREGS_ORIG_AX(%rsp), %rsp
	/* From here to SYSRET we run on the user stack with the user GS:
	 * nothing may fault or be interrupted (IF is clear). */
	swapgs
	sysretq

/*
 * The general way back: IRETQ restores all of RIP, CS, RFLAGS, RSP and SS
 * from pt_regs, so it works for any frame, including ones SYSRET refuses.
 */
	.globl swapgs_restore_regs_and_return_to_usermode
swapgs_restore_regs_and_return_to_usermode:
	POP_REGS
	addq	$8, %rsp		/* drop orig_ax */
	testb	$3, 8(%rsp)		/* returning to CPL 3 (CS RPL)? */
	jz	1f
	swapgs
1:	iretq

/*
 * ret_to_user(regs) - enter user space for the first time (the end of
 * execve, "start_thread"): regs is a complete pt_regs built by binfmt_elf.c.
 */
	.globl ret_to_user
ret_to_user:
	movq	%rdi, %rsp
	jmp	swapgs_restore_regs_and_return_to_usermode

/*
 * __switch_to_asm(prev, next) - the context switch itself (mirrors Linux's).
 * Everything the C calling convention lets a callee keep (rbx, rbp,
 * r12-r15) goes onto prev's kernel stack, prev's RSP into prev->thread.sp,
 * and next's RSP comes back from next->thread.sp: from here on we are on
 * next's stack, in whatever call to schedule() next left it.  The C half,
 * __switch_to, does the rest and returns prev (in RAX) to whoever next's
 * stack returns to: schedule() for a task that ran before, ret_from_fork
 * for a new one.
 */
	.globl __switch_to_asm
__switch_to_asm:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, TASK_thread_sp(%rdi)	/* prev->thread.sp */
	movq	TASK_thread_sp(%rsi), %rsp	/* next->thread.sp */
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	jmp	__switch_to

/*
 * ret_from_fork_asm - where a new task starts: finish the switch that got
 * us here (prev is in RAX), then leave for user mode with the pt_regs
 * fork built at the top of our stack (RAX = 0 in the child).
 */
	.globl ret_from_fork_asm
ret_from_fork_asm:
	movq	%rax, %rdi
	call	schedule_tail
	movq	%rsp, %rdi
	call	exit_to_user_mode_prepare
	jmp	swapgs_restore_regs_and_return_to_usermode

/*
 * asm_sysvec_apic_timer_interrupt - the local APIC timer's vector.  An
 * interrupt gate: IF is clear on entry.  The frame is an exception's with
 * no error code; from user mode the CPU has switched to TSS.RSP0.
 */
	.balign 16
	.globl asm_sysvec_apic_timer_interrupt
asm_sysvec_apic_timer_interrupt:
	pushq	$-1			/* pt_regs->orig_ax */
	testb	$3, 16(%rsp)		/* from user mode? */
	jz	1f
	swapgs
1:	PUSH_REGS
	movq	%rsp, %rdi
	call	sysvec_apic_timer_interrupt
	jmp	swapgs_restore_regs_and_return_to_usermode

/*
 * asm_console_interrupt - Ctrl-C at lstar's terminal: the host-call device
 * raises CONSOLE_INTR_VECTOR (the kernel asked for it at boot), and
 * console_interrupt() sends SIGINT to the foreground process group.
 */
	.balign 16
	.globl asm_console_interrupt
asm_console_interrupt:
	pushq	$-1
	testb	$3, 16(%rsp)
	jz	1f
	swapgs
1:	PUSH_REGS
	movq	%rsp, %rdi
	call	console_interrupt
	jmp	swapgs_restore_regs_and_return_to_usermode

/* Any other vector: nobody raises one; count it and go back. */
	.balign 16
	.globl asm_spurious_interrupt
asm_spurious_interrupt:
	iretq

/*
 * Exception entry stubs (Linux's idtentry macros).  The CPU has already
 * switched to TSS.RSP0 if it came from user mode and pushed SS, RSP,
 * RFLAGS, CS, RIP and, for some vectors, an error code.  We make every
 * frame look the same: a fake error code of -1 where the CPU pushed none,
 * so it always sits in pt_regs->orig_ax.
 */
.macro idtentry vector has_error_code
	.balign 16
asm_exc_\vector:
	.if \has_error_code == 0
	pushq	$-1			/* pt_regs->orig_ax */
	.endif
	testb	$3, 16(%rsp)		/* from user mode (CS RPL 3)? */
	jz	1f
	swapgs				/* then GS still has the user base */
1:	PUSH_REGS
	movq	%rsp, %rdi		/* arg 1: struct pt_regs * */
	movl	$\vector, %esi		/* arg 2: vector */
	call	do_trap
	jmp	swapgs_restore_regs_and_return_to_usermode
.endm

	idtentry 0 0	/* #DE divide error */
	idtentry 1 0	/* #DB debug */
	idtentry 2 0	/* NMI */
	idtentry 3 0	/* #BP breakpoint (INT3) */
	idtentry 4 0	/* #OF overflow (INTO) */
	idtentry 5 0	/* #BR bound range */
	idtentry 6 0	/* #UD invalid opcode */
	idtentry 7 0	/* #NM device not available */
	idtentry 8 1	/* #DF double fault (error code 0) */
	idtentry 9 0	/* coprocessor segment overrun (reserved) */
	idtentry 10 1	/* #TS invalid TSS */
	idtentry 11 1	/* #NP segment not present */
	idtentry 12 1	/* #SS stack fault */
	idtentry 13 1	/* #GP general protection */
	idtentry 14 1	/* #PF page fault */
	idtentry 15 0	/* reserved */
	idtentry 16 0	/* #MF x87 floating point */
	idtentry 17 1	/* #AC alignment check */
	idtentry 18 0	/* #MC machine check */
	idtentry 19 0	/* #XM SIMD floating point */
	idtentry 20 0	/* #VE */
	idtentry 21 1	/* #CP control protection */
	idtentry 22 0
	idtentry 23 0
	idtentry 24 0
	idtentry 25 0
	idtentry 26 0
	idtentry 27 0
	idtentry 28 0
	idtentry 29 1	/* #VC */
	idtentry 30 1	/* #SX */
	idtentry 31 0

	.section .rodata
	.balign 8
	.globl exception_entries
exception_entries:
	.irp v,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad asm_exc_\v
	.endr
