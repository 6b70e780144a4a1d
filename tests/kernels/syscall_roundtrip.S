/*
 * syscall_roundtrip.S - a test kernel for the SYSCALL -> handler -> SYSRET
 * round trip at CPL 3 (docs/spec/syscall-sysret.md §2, §3, §5; cases 46-49).
 *
 * It sets up what Linux's boot code would: Linux's GDT (0x10 kernel CS,
 * 0x18 kernel DS, 0x23 user32 CS, 0x2B user DS, 0x33 user CS, 0x40 TSS),
 * an IDT, page tables with user access, EFER.SCE, STAR = (0x23 << 48) |
 * (0x10 << 32), LSTAR = entry_SYSCALL_64, FMASK = 0x257FD5 and
 * KERNEL_GS_BASE = a per-CPU area.  Then it IRETQs to user code which
 * makes system calls and checks the registers on both sides:
 *
 *   - what the kernel saw at entry (RCX, R11, RFLAGS, CS, SS, user RSP)
 *     is recorded in seen_* and checked by the user code (all pages are
 *     user-accessible, so it can read them);
 *   - after return: RAX = result, RCX = return RIP, R11 = user flags,
 *     RFLAGS, CS = 0x33, SS = 0x2B, RSP and every other register kept.
 *
 * Kernel path cases: 46) garbage in RAX[63:32] is ignored (the number is
 * EAX, as Linux reads it); 47) RAX = -1 and RAX >= table size give
 * -ENOSYS; 48) the checks above; 49) a syscall made with TF set returns
 * by IRETQ (Linux's rule: no SYSRET with TF or RF in R11), so the #DB
 * comes after the first user instruction.
 *
 * Report: port 0xE9 ("syscall-roundtrip: PASS" or "FAIL check N"); exit:
 * port 0xF4 with 0 or the failed check's number.
 */
#define USER_FLAGS 0x2C7      /* IF SF ZF PF CF and bit 1 */
#define ENOSYS 38

	.code64
	.section .text.start, "ax"
	.globl _start
_start:
	lea kstack_top(%rip), %rsp

	/* Page tables: 1 GiB identity map of 2 MiB pages, P|RW|US|PS. */
	lea pd(%rip), %rdi
	xor %ecx, %ecx
1:	mov %rcx, %rax
	shl $21, %rax
	or $0x87, %rax
	mov %rax, (%rdi,%rcx,8)
	inc %ecx
	cmp $512, %ecx
	jne 1b
	lea pd(%rip), %rax
	or $7, %rax
	mov %rax, pdpt(%rip)
	lea pdpt(%rip), %rax
	or $7, %rax
	mov %rax, pml4(%rip)
	lea pml4(%rip), %rax
	mov %rax, %cr3

	/* TSS descriptor (16 bytes, type 9) at 0x40, TSS.RSP0 = kstack_top. */
	lea kstack_top(%rip), %rax
	mov %rax, tss+4(%rip)
	lea tss(%rip), %rax
	mov %rax, %rbx
	and $0xFFFFFF, %rbx
	shl $16, %rbx
	or $0x67, %rbx
	mov $0x89, %rcx
	shl $40, %rcx
	or %rcx, %rbx
	mov %rax, %rcx
	shr $24, %rcx
	and $0xFF, %rcx
	shl $56, %rcx
	or %rcx, %rbx
	mov %rbx, gdt_tss(%rip)
	shr $32, %rax
	mov %rax, gdt_tss+8(%rip)
	lgdt gdtr(%rip)

	/* Reload CS with an IRETQ to the same level (all five are popped). */
	mov %rsp, %rax
	push $0x18
	push %rax
	pushfq
	push $0x10
	lea 2f(%rip), %rax
	push %rax
	iretq
2:	mov $0x18, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov $0x40, %eax
	ltr %ax

	/* IDT: vectors 0-31 to their stubs, the rest to stub 32. */
	lea idt(%rip), %rdi
	xor %ecx, %ecx
3:	mov %ecx, %edx
	cmp $32, %edx
	jb 4f
	mov $32, %edx
4:	shl $4, %rdx
	lea exc_stubs(%rip), %rax
	add %rdx, %rax
	mov %rax, %rbx
	and $0xFFFF, %rbx
	or $0x100000, %rbx            /* selector 0x10 << 16 */
	mov $0x8E, %rdx
	shl $40, %rdx
	or %rdx, %rbx
	mov %rax, %rdx
	shr $16, %rdx
	and $0xFFFF, %rdx
	shl $48, %rdx
	or %rdx, %rbx
	mov %ecx, %edx
	shl $4, %rdx
	mov %rbx, (%rdi,%rdx)
	shr $32, %rax
	mov %rax, 8(%rdi,%rdx)
	inc %ecx
	cmp $256, %ecx
	jne 3b
	lidt idtr(%rip)

	/* syscall_init(), as Linux's arch/x86/kernel/cpu/common.c */
	mov $0xC0000080, %ecx         /* EFER.SCE */
	rdmsr
	or $1, %eax
	wrmsr
	mov $0xC0000081, %ecx         /* STAR */
	xor %eax, %eax
	mov $0x00230010, %edx
	wrmsr
	mov $0xC0000082, %ecx         /* LSTAR */
	lea entry_SYSCALL_64(%rip), %rax
	mov %rax, %rdx
	shr $32, %rdx
	wrmsr
	mov $0xC0000084, %ecx         /* FMASK */
	mov $0x257FD5, %eax
	xor %edx, %edx
	wrmsr
	lea ksys_stack_top(%rip), %rax
	mov %rax, percpu(%rip)
	mov $0xC0000102, %ecx         /* KERNEL_GS_BASE */
	lea percpu(%rip), %rax
	mov %rax, %rdx
	shr $32, %rdx
	wrmsr

	/* To user mode. */
	lea ustack_top(%rip), %rax
	push $0x2B
	push %rax
	push $0x202
	push $0x33
	lea user_main(%rip), %rax
	push %rax
	iretq

/*
 * entry_SYSCALL_64 - registers on entry (set by SYSCALL):
 *   rax  system call number       rcx  return address
 *   r11  saved RFLAGS             rdi rsi rdx r10 r8 r9  arguments
 *   rsp  still the USER stack     CS/SS 0x10/0x18, CPL 0, GS not swapped
 */
entry_SYSCALL_64:
	swapgs
	mov %rsp, %gs:8               /* user RSP into the per-CPU slot */
	mov %gs:0, %rsp               /* kernel stack */
	mov %rcx, seen_rcx(%rip)
	mov %r11, seen_r11(%rip)
	push %rax
	pushfq
	pop %rax
	mov %rax, seen_rflags(%rip)
	mov %cs, %eax
	mov %rax, seen_cs(%rip)
	mov %ss, %eax
	mov %rax, seen_ss(%rip)
	mov %gs:8, %rax
	mov %rax, seen_rsp(%rip)
	pop %rax
	/* do_syscall_64: the number is the low 32 bits, compared unsigned */
	cmp $60, %eax
	je sys_exit
	cmp $39, %eax
	je sys_getpid
	mov $-ENOSYS, %rax
	jmp syscall_return
sys_getpid:
	mov $0x1234, %eax
	jmp syscall_return
sys_exit:
	mov %edi, %ebx
	test %ebx, %ebx
	jnz 5f
	lea msg_pass(%rip), %rsi
	call puts
	xor %eax, %eax
	jmp poweroff
5:	lea msg_fail(%rip), %rsi
	call puts
	mov %rbx, %rax
	call puthex
	mov %ebx, %eax
	jmp poweroff

/* Linux's rule: SYSRET only when R11 has neither TF nor RF, else IRETQ. */
syscall_return:
	test $0x10100, %r11
	jnz 6f
	mov %gs:8, %rsp
	swapgs
	sysretq
6:	incq iret_count(%rip)
	push $0x2B                    /* SS */
	pushq %gs:8                   /* RSP */
	push %r11                     /* RFLAGS */
	push $0x33                    /* CS */
	push %rcx                     /* RIP */
	swapgs
	iretq

/* Exceptions: #DB records where it hit and clears TF; anything else fails. */
	.balign 16
exc_stubs:
	.set vec, 0
	.rept 33
	.balign 16
	pushq $vec
	jmp exc_common
	.set vec, vec + 1
	.endr
exc_common:
	cmpq $1, (%rsp)
	jne 7f
	push %rax
	mov 16(%rsp), %rax            /* frame RIP */
	mov %rax, db_rip(%rip)
	incq db_count(%rip)
	andq $~0x100, 32(%rsp)        /* frame RFLAGS.TF = 0 */
	pop %rax
	add $8, %rsp
	iretq
7:	lea msg_exc(%rip), %rsi
	call puts
	mov (%rsp), %rax
	call puthex
	mov 8(%rsp), %rax
	call puthex
	mov 16(%rsp), %rax
	call puthex
	mov $99, %eax
poweroff:
	mov $0xF4, %dx
	out %eax, %dx
	hlt

puts:	push %rax
	push %rdx
	mov $0xE9, %dx
1:	lodsb
	test %al, %al
	jz 2f
	out %al, %dx
	jmp 1b
2:	pop %rdx
	pop %rax
	ret

puthex:	push %rax
	push %rbx
	push %rcx
	push %rdx
	mov %rax, %rbx
	mov $16, %ecx
	mov $0xE9, %dx
1:	rol $4, %rbx
	mov %bl, %al
	and $0xF, %al
	add $'0', %al
	cmp $'9', %al
	jbe 2f
	add $7, %al
2:	out %al, %dx
	dec %ecx
	jnz 1b
	mov $'\n', %al
	out %al, %dx
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	ret

/* ---- user mode (CPL 3) ---------------------------------------------- */

/* FAIL_IF_NE n: after a cmp, exit with status n when not equal. */
.macro FAIL_IF_NE n
	je .Lok\@
	mov $\n, %edi
	jmp user_fail
.Lok\@:
.endm
/* EXPECT reg, value, n: 64-bit compare through RAX. */
.macro EXPECT reg, value, n
	movabs $\value, %rax
	cmp %rax, \reg
	FAIL_IF_NE \n
.endm

user_main:
	/* Case 48: known values everywhere, then getpid. */
	movabs $0x1111111111111111, %rbx
	movabs $0x2222222222222222, %rbp
	movabs $0x3333333333333333, %rsi
	movabs $0x4444444444444444, %rdi
	movabs $0x5555555555555555, %rdx
	movabs $0x6666666666666666, %r8
	movabs $0x7777777777777777, %r9
	movabs $0x8888888888888888, %r10
	movabs $0x9999999999999999, %r12
	movabs $0xAAAAAAAAAAAAAAAA, %r13
	movabs $0xBBBBBBBBBBBBBBBB, %r14
	movabs $0xCCCCCCCCCCCCCCCC, %r15
	mov %rsp, user_rsp(%rip)
	push $USER_FLAGS
	popfq
	mov $39, %eax
	syscall
ret1:
	pushfq
	cmp $0x1234, %rax
	FAIL_IF_NE 1
	pop %rax
	cmp $USER_FLAGS, %rax         /* RFLAGS restored from R11 */
	FAIL_IF_NE 2
	lea ret1(%rip), %rax
	cmp %rax, %rcx                /* RCX = return RIP */
	FAIL_IF_NE 3
	cmp $USER_FLAGS, %r11         /* R11 = RFLAGS at the SYSCALL */
	FAIL_IF_NE 4
	cmp user_rsp(%rip), %rsp
	FAIL_IF_NE 5
	EXPECT %rbx, 0x1111111111111111, 6
	EXPECT %rbp, 0x2222222222222222, 7
	EXPECT %rsi, 0x3333333333333333, 8
	EXPECT %rdi, 0x4444444444444444, 9
	EXPECT %rdx, 0x5555555555555555, 10
	EXPECT %r8, 0x6666666666666666, 11
	EXPECT %r9, 0x7777777777777777, 12
	EXPECT %r10, 0x8888888888888888, 13
	EXPECT %r12, 0x9999999999999999, 14
	EXPECT %r13, 0xAAAAAAAAAAAAAAAA, 15
	EXPECT %r14, 0xBBBBBBBBBBBBBBBB, 16
	EXPECT %r15, 0xCCCCCCCCCCCCCCCC, 17
	mov %cs, %eax
	cmp $0x33, %eax
	FAIL_IF_NE 18
	mov %ss, %eax
	cmp $0x2B, %eax
	FAIL_IF_NE 19
	/* What the kernel saw on entry. */
	lea ret1(%rip), %rax
	cmp seen_rcx(%rip), %rax
	FAIL_IF_NE 20
	cmpq $USER_FLAGS, seen_r11(%rip)
	FAIL_IF_NE 21
	cmpq $0x2, seen_rflags(%rip)  /* 0x2C7 & ~0x257FD5 */
	FAIL_IF_NE 22
	cmpq $0x10, seen_cs(%rip)
	FAIL_IF_NE 23
	cmpq $0x18, seen_ss(%rip)
	FAIL_IF_NE 24
	mov user_rsp(%rip), %rax
	cmp seen_rsp(%rip), %rax      /* SYSCALL left RSP alone */
	FAIL_IF_NE 25
	cmpq $0, iret_count(%rip)     /* returned by SYSRET */
	FAIL_IF_NE 26

	/* Case 46: garbage in RAX[63:32]. */
	movabs $0xDEADBEEF00000027, %rax
	syscall
	cmp $0x1234, %rax
	FAIL_IF_NE 30

	/* Case 47: RAX = -1 and RAX >= table size -> -ENOSYS. */
	mov $-1, %rax
	syscall
	cmp $-ENOSYS, %rax
	FAIL_IF_NE 31
	mov $1000, %eax
	syscall
	cmp $-ENOSYS, %rax
	FAIL_IF_NE 32

	/* Case 49: TF set at the SYSCALL -> the kernel returns by IRETQ and
	 * the #DB comes after the first instruction at the return address. */
	mov $39, %eax
	push $(USER_FLAGS | 0x100)
	popfq
	syscall
ret49:	nop
after49:
	cmpq $1, iret_count(%rip)
	FAIL_IF_NE 40
	cmpq $1, db_count(%rip)
	FAIL_IF_NE 41
	lea after49(%rip), %rax
	cmp db_rip(%rip), %rax
	FAIL_IF_NE 42

	mov $60, %eax
	xor %edi, %edi
	syscall
user_fail:
	mov $60, %eax
	syscall
	ud2

	.section .rodata
msg_pass: .asciz "syscall-roundtrip: PASS\n"
msg_fail: .asciz "syscall-roundtrip: FAIL check "
msg_exc:  .asciz "syscall-roundtrip: unexpected exception (vector, then frame words):\n"

	.section .data
	.balign 16
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff      /* 0x08 32-bit kernel code (unused) */
	.quad 0x00af9b000000ffff      /* 0x10 __KERNEL_CS */
	.quad 0x00cf93000000ffff      /* 0x18 __KERNEL_DS */
	.quad 0x00cffb000000ffff      /* 0x23 __USER32_CS */
	.quad 0x00cff3000000ffff      /* 0x2B __USER_DS */
	.quad 0x00affb000000ffff      /* 0x33 __USER_CS */
	.quad 0
gdt_tss:
	.quad 0, 0                    /* 0x40 TSS, filled at boot */
gdt_end:
	.balign 8
	.word 0, 0, 0
gdtr:	.word gdt_end - gdt - 1
	.quad gdt
	.word 0, 0, 0
idtr:	.word 256 * 16 - 1
	.quad idt
	.balign 16
tss:	.fill 104, 1, 0
	.balign 8
percpu:	.quad 0                       /* kernel stack top */
	.quad 0                       /* user RSP slot */
user_rsp:	.quad 0
seen_rcx:	.quad 0
seen_r11:	.quad 0
seen_rflags:	.quad 0
seen_cs:	.quad 0
seen_ss:	.quad 0
seen_rsp:	.quad 0
iret_count:	.quad 0
db_count:	.quad 0
db_rip:		.quad 0

	.section .bss
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4096
idt:	.skip 4096
	.skip 16384
kstack_top:
	.skip 16384
ksys_stack_top:
	.skip 16384
ustack_top:
