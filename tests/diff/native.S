/*
 * native.S - run one instruction on the host with a chosen register file.
 *
 *   void diff_native_run(struct diff_regs *s, void *code);
 *   struct diff_regs { uint64_t r[16]; uint64_t rflags; uint64_t pad;
 *                      uint8_t fx[512] (16-aligned, offset 144); };
 *
 * Saves the host's callee-saved registers and its FXSAVE image, loads the
 * x87/SSE state from s->fx (FXRSTOR64), RFLAGS and all 16 GPRs (RSP too)
 * from *s and jumps to `code`, which holds the instruction under test
 * followed by `jmp *diff_native_back(%rip)` (an absolute indirect jump the
 * runner appends).  diff_native_back stores the 16 GPRs, RFLAGS and the
 * FXSAVE64 image back into *s, restores the host's x87/SSE state and
 * returns to the C caller.  Nothing between the instruction and the PUSHFQ
 * changes a flag (MOV, LEA and JMP leave RFLAGS alone), nor an x87/SSE
 * register before the FXSAVE64.  diff_native_restore puts the host's
 * x87/SSE state back after a signal.  Not reentrant: the host state lives
 * in statics.
 */
	.intel_syntax noprefix
	.text
	.globl diff_native_run
	.type diff_native_run, @function
diff_native_run:
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

	.globl diff_native_back
	.type diff_native_back, @function
diff_native_back:
	mov [rip + guest_rsp], rsp
	mov rsp, [rip + state]        /* use RSP as the pointer to *s */
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
	lea rsp, [rsp + 136]          /* PUSHFQ stores at s->rflags */
	pushfq
	mov rsp, [rip + state]
	fxsave64 [rsp + 144]
	fnclex                        /* leave no pending x87 exception */
	fxrstor64 [rip + host_fx]
	cld                           /* the C ABI wants DF = 0 */
	mov rsp, [rip + host_rsp]
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

	.globl diff_native_restore
	.type diff_native_restore, @function
diff_native_restore:
	fnclex
	fxrstor64 [rip + host_fx]
	ret

	.bss
	.balign 16
host_fx:	.skip 512
host_rsp:	.skip 8
state:		.skip 8
target:		.skip 8
guest_rsp:	.skip 8
	.section .note.GNU-stack,"",@progbits
