/* Never stops by itself: --max-insns N must stop it with status 124.  It
 * says "spinning" on the console (port 0xE9) first, so that a test can
 * send Ctrl-C once it is in the loop (tests/sigint_when_ready.sh). */
	.section .text.start, "ax"
	.globl _start
_start:
	lea msg(%rip), %rsi
	mov $0xE9, %dx
1:	lodsb
	test %al, %al
	jz 2f
	outb %al, %dx
	jmp 1b
2:	xor %eax, %eax
spin:
	inc %rax
	jmp spin
msg:
	.asciz "spinning\n"
