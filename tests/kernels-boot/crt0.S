/* Entry of every C test kernel: records the registers exactly as the
 * firmware left them (before any instruction changes one), then calls
 * kmain(bootinfo) on the boot stack and powers off with its result. */
	.section .text.start, "ax"
	.globl _start
_start:
	mov %rax, entry_regs+0(%rip)
	mov %rcx, entry_regs+8(%rip)
	mov %rdx, entry_regs+16(%rip)
	mov %rbx, entry_regs+24(%rip)
	mov %rsp, entry_regs+32(%rip)
	mov %rbp, entry_regs+40(%rip)
	mov %rsi, entry_regs+48(%rip)
	mov %rdi, entry_regs+56(%rip)
	mov %r8, entry_regs+64(%rip)
	mov %r9, entry_regs+72(%rip)
	mov %r10, entry_regs+80(%rip)
	mov %r11, entry_regs+88(%rip)
	mov %r12, entry_regs+96(%rip)
	mov %r13, entry_regs+104(%rip)
	mov %r14, entry_regs+112(%rip)
	mov %r15, entry_regs+120(%rip)
	pushfq
	pop %rax
	mov %rax, entry_regs+128(%rip)
	lea _start(%rip), %rax
	mov %rax, entry_regs+136(%rip)
	mov entry_regs+0(%rip), %rax
	call kmain
	mov $0xF4, %dx
	out %eax, %dx
1:	cli
	hlt
	jmp 1b

	.bss
	.balign 8
	.globl entry_regs
entry_regs:
	.skip 8 * 18
