/* An exception with IDTR.limit = 0 escalates to a triple fault: 126. */
	.section .text.start, "ax"
	.globl _start
_start:
	mov $0x1122334455667788, %rbx
	mov $0xdead, %r15
faulting_insn:
	ud2
	hlt
