/* Power-off value 0x12345: lstar exits with 0x45 = 69 (value & 0xFF). */
	.section .text.start, "ax"
	.globl _start
_start:
	mov $0x12345, %eax
	mov $0xF4, %dx
	out %eax, %dx
	hlt
