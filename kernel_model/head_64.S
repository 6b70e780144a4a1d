/*
 * head_64.S - the first instructions of the kernel (mirrors
 * arch/x86/kernel/head_64.S).
 *
 * The firmware left us in 64-bit mode on its own page tables, its GDT and a
 * boot stack in low memory, with RDI = physical address of the boot info
 * (platform.md §3).  The boot stack lives in memory our page tables will not
 * map, so the first job is to move onto the kernel's own stack in .bss; the
 * rest is C (start_kernel in main.c).
 */
#include "segment.h"

	.section .head.text, "ax"
	.globl startup_64
startup_64:
	cld				/* the C ABI assumes DF = 0 */
	leaq	init_stack + THREAD_SIZE(%rip), %rsp
	xorl	%ebp, %ebp		/* terminates backtraces */
	/* %rdi still holds the boot info address: start_kernel's argument. */
	call	start_kernel
1:	cli
	hlt
	jmp	1b

	.bss
	.balign 4096
	.globl init_stack
init_stack:
	.skip THREAD_SIZE		/* the one task's kernel stack (TSS.RSP0) */
