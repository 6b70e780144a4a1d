/* HLT with interrupts disabled: lstar must stop with status 125. */
	.section .text.start, "ax"
	.globl _start
_start:
	cli
halt_here:
	hlt
	jmp _start
