/* A static-pie program (ET_DYN, no PT_INTERP) for the boot info test. */
	.text
	.globl _start
_start:
	lea _start(%rip), %rax
	hlt
