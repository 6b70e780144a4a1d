/*
 * hello.S - hello world without a C library: two raw system calls.
 * Registers per the x86-64 Linux ABI: RAX = number, RDI, RSI, RDX = args.
 */
	.globl	_start
	.text
_start:
	movl	$1, %eax		/* __NR_write */
	movl	$1, %edi		/* fd 1: standard output */
	leaq	msg(%rip), %rsi		/* buffer */
	movl	$len, %edx		/* count */
	syscall				/* RAX = bytes written; RCX, R11 clobbered */

	movl	$60, %eax		/* __NR_exit */
	xorl	%edi, %edi		/* status 0 */
	syscall				/* does not return */

	.section .rodata
msg:	.ascii	"hello from assembly\n"
	len = . - msg

	.section .note.GNU-stack, "", @progbits
