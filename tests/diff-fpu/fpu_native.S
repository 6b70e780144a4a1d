/*
 * fpu_native.S - run one instruction on the host with a chosen register
 * file and x87/SSE state.
 *
 *   void fpu_native_run(struct fpu_regs *s, void *code);
 *   struct fpu_regs { uint64_t r[16]; uint64_t rflags; uint64_t pad;
 *                     uint8_t fx[512] (16-aligned, offset 144); };
 *
 * Saves the host's callee-saved registers and FXSAVE image, loads the
 * guest image with FXRSTOR64, RFLAGS and the 16 GPRs, jumps to `code`
 * (the instruction, then `jmp *fpu_native_back`).  fpu_native_back stores
 * the GPRs, RFLAGS and FXSAVE64 image back and restores the host.
 */
	.intel_syntax noprefix
	.text
	.globl fpu_native_run
	.type fpu_native_run, @function
fpu_native_run:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	mov [rip + host_rsp], rsp
	mov [rip + state], rdi
	mov [rip + target], rsi
	fxsave64 [rip + host_fx]
	fxrstor64 [rdi + 144]
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

	.globl fpu_native_back
	.type fpu_native_back, @function
fpu_native_back:
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
	fxsave64 [rsp + 144]
	/* leave no pending x87 exception behind, then restore the host */
	fnclex
	fxrstor64 [rip + host_fx]
	cld
	mov rsp, [rip + host_rsp]
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

	/* restore the host FP state after a signal (called from C) */
	.globl fpu_native_restore
	.type fpu_native_restore, @function
fpu_native_restore:
	fnclex
	fxrstor64 [rip + host_fx]
	ret

	.bss
	.balign 16
host_fx:   .skip 512
host_rsp:  .skip 8
guest_rsp: .skip 8
state:     .skip 8
target:    .skip 8
	.section .note.GNU-stack,"",@progbits
