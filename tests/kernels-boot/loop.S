/* Never stops by itself: --max-insns N must stop it with status 124. */
	.section .text.start, "ax"
	.globl _start
_start:
	xor %eax, %eax
spin:
	inc %rax
	jmp spin
