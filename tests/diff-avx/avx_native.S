/*
 * avx_native.S - run one instruction on the host with a chosen register
 * file and x87/SSE/AVX state (the XSAVE area of components 0-2).
 *
 *   void avx_native_run(struct avx_regs *s, void *code);
 *   struct avx_regs { uint64_t r[16]; uint64_t rflags; uint64_t pad[7];
 *                     uint8_t xs[1024] (64-aligned, offset 192); };
 *
 * Saves the host's callee-saved registers and its x87/SSE/AVX state
 * (XSAVE64 with EDX:EAX = 7), loads the guest's with XRSTOR64, RFLAGS and
 * the 16 GPRs, jumps to `code` (the instruction, then an absolute jump to
 * avx_native_back), which stores the GPRs, RFLAGS and the state back and
 * restores the host.
 */
	.intel_syntax noprefix
	.text
	.globl avx_native_run
	.type avx_native_run, @function
avx_native_run:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	mov [rip + host_rsp], rsp
	mov [rip + state], rdi
	mov [rip + target], rsi
	mov eax, 7
	xor edx, edx
	xsave64 [rip + host_xs]
	xrstor64 [rdi + 192]
	push qword ptr [rdi + 128]
	popfq
	mov rax, [rdi + 0]
	mov rcx, [rdi + 8]
	mov rdx, [rdi + 16]
	mov rbx, [rdi + 24]
	mov rsp, [rdi + 32]
	mov rbp, [rdi + 40]
	mov rsi, [rdi + 48]
	mov r8, [rdi + 64]
	mov r9, [rdi + 72]
	mov r10, [rdi + 80]
	mov r11, [rdi + 88]
	mov r12, [rdi + 96]
	mov r13, [rdi + 104]
	mov r14, [rdi + 112]
	mov r15, [rdi + 120]
	mov rdi, [rdi + 56]
	jmp qword ptr [rip + target]

	.globl avx_native_back
	.type avx_native_back, @function
avx_native_back:
	mov [rip + guest_rsp], rsp
	mov rsp, [rip + state]
	mov [rsp + 0], rax
	mov [rsp + 8], rcx
	mov [rsp + 16], rdx
	mov [rsp + 24], rbx
	mov [rsp + 40], rbp
	mov [rsp + 48], rsi
	mov [rsp + 56], rdi
	mov [rsp + 64], r8
	mov [rsp + 72], r9
	mov [rsp + 80], r10
	mov [rsp + 88], r11
	mov [rsp + 96], r12
	mov [rsp + 104], r13
	mov [rsp + 112], r14
	mov [rsp + 120], r15
	mov rax, [rip + guest_rsp]
	mov [rsp + 32], rax
	lea rsp, [rsp + 136]
	pushfq
	mov rsp, [rip + state]
	mov eax, 7
	xor edx, edx
	xsave64 [rsp + 192]
	/* leave no pending x87 exception behind, then restore the host */
	fnclex
	xrstor64 [rip + host_xs]
	cld
	mov rsp, [rip + host_rsp]
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

	/* restore the host state after a signal (called from C) */
	.globl avx_native_restore
	.type avx_native_restore, @function
avx_native_restore:
	fnclex
	mov eax, 7
	xor edx, edx
	xrstor64 [rip + host_xs]
	ret

	.bss
	.balign 64
host_xs:   .skip 1024
host_rsp:  .skip 8
guest_rsp: .skip 8
state:     .skip 8
target:    .skip 8
	.section .note.GNU-stack,"",@progbits
