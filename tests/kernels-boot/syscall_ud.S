/* SYSCALL before the kernel sets EFER.SCE raises #UD (docs/spec/platform.md §3);
 * with no IDT that is a triple fault (126). */
	.section .text.start, "ax"
	.globl _start
_start:
	syscall
	mov $0, %eax
	mov $0xF4, %dx
	out %eax, %dx
	hlt
