/*
 * cpu_common.c - per-CPU setup: GDT, TSS, the per-CPU area behind %gs, and
 * syscall_init() (mirrors arch/x86/kernel/cpu/common.c).
 */
#include "sched.h"
#include "kernel.h"
#include "processor.h"

/* The 64-bit TSS (SDM vol. 3A §8.7): in long mode it holds no task state,
 * only the stack pointers the CPU loads on a privilege change (sp0) or for
 * an IST gate.  io_bitmap_base beyond the limit = no I/O bitmap. */
struct x86_hw_tss {
	u32 reserved1;
	u64 sp0, sp1, sp2;
	u64 reserved2;
	u64 ist[7];
	u32 reserved3, reserved4;
	u16 reserved5;
	u16 io_bitmap_base;
} __attribute__((packed));

static struct x86_hw_tss cpu_tss __attribute__((aligned(64)));

/* What entry_SYSCALL_64 reaches through %gs (offsets in segment.h): SYSCALL
 * does not switch stacks, so the entry code needs a place to park the user
 * RSP and a place to find the kernel stack before it has any register free. */
struct percpu {
	u64 user_rsp;		/* PCPU_user_rsp */
	u64 top_of_stack;	/* PCPU_top_of_stack */
};
static struct percpu percpu;

/* The stack the CPU switches to on an interrupt or exception from user
 * mode, and the one entry_SYSCALL_64 loads: the running task's
 * (__switch_to in core.c calls this). */
void set_tss_sp0(u64 sp0);
void set_tss_sp0(u64 sp0)
{
	cpu_tss.sp0 = sp0;
}

extern u8 init_stack[];

/* Descriptor flags: access byte in bits 47:40, flags nibble in 55:52. */
#define DESC(access, flags) (((u64)(access) << 40) | ((u64)(flags) << 52) | \
			     0x000F00000000FFFFULL)	/* limit 0xFFFFF */
#define CODE64(dpl)	DESC(0x9B | ((dpl) << 5), 0xA)	/* P, S, code, R, A; G, L */
#define CODE32(dpl)	DESC(0x9B | ((dpl) << 5), 0xC)	/* G, D */
#define DATA(dpl)	DESC(0x93 | ((dpl) << 5), 0xC)	/* P, S, data, W, A; G, B */

static u64 gdt[GDT_ENTRIES] __attribute__((aligned(16))) = {
	[GDT_ENTRY_KERNEL32_CS]		= CODE32(0),
	[GDT_ENTRY_KERNEL_CS]		= CODE64(0),
	[GDT_ENTRY_KERNEL_DS]		= DATA(0),
	[GDT_ENTRY_DEFAULT_USER32_CS]	= CODE32(3),
	[GDT_ENTRY_DEFAULT_USER_DS]	= DATA(3),
	[GDT_ENTRY_DEFAULT_USER_CS]	= CODE64(3),
	/* GDT_ENTRY_TSS is filled at run time: it holds the TSS address. */
};

static void set_tss_desc(void)
{
	u64 base = (u64)&cpu_tss, limit = sizeof(cpu_tss) - 1;
	gdt[GDT_ENTRY_TSS] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) |
			     (0x89ULL << 40) |	/* P, type 9: available 64-bit TSS */
			     (((base >> 24) & 0xFF) << 56);
	gdt[GDT_ENTRY_TSS + 1] = base >> 32;
}

/*
 * Load our GDT and switch CS/SS to its selectors.  In 64-bit mode MOV cannot
 * load CS, so we build an IRETQ frame to ourselves: IRETQ is the one far
 * transfer every x86-64 kernel already depends on.
 */
static void load_gdt_and_segments(void)
{
	struct { u16 limit; u64 base; } __attribute__((packed)) gdtr = {
		sizeof(gdt) - 1, (u64)gdt
	};
	asm volatile("lgdt %0" : : "m"(gdtr));
	asm volatile(
		"movq	%%rsp, %%rax\n\t"
		"pushq	%[ds]\n\t"		/* SS */
		"pushq	%%rax\n\t"		/* RSP */
		"pushfq\n\t"			/* RFLAGS */
		"pushq	%[cs]\n\t"		/* CS */
		"leaq	1f(%%rip), %%rax\n\t"
		"pushq	%%rax\n\t"		/* RIP */
		"iretq\n"
		"1:\n\t"
		"movl	%[null], %%eax\n\t"
		/* DS/ES are unused in 64-bit mode; Linux keeps them null. */
		"movl	%%eax, %%ds\n\t"
		"movl	%%eax, %%es\n\t"
		"movl	%%eax, %%fs\n\t"
		"movl	%%eax, %%gs\n\t"
		: : [cs] "i"(__KERNEL_CS), [ds] "i"(__KERNEL_DS), [null] "i"(0)
		: "rax", "memory");
	asm volatile("ltr %w0" : : "r"(__TSS_SEL));
}

/*
 * syscall_init - make SYSCALL land in entry_SYSCALL_64.
 *
 * STAR[47:32] = __KERNEL_CS: SYSCALL loads CS 0x10 and SS 0x18.
 * STAR[63:48] = __USER32_CS: SYSRET to 64-bit code loads CS 0x23+16 = 0x33
 * and SS 0x23+8 = 0x2B, exactly the user selectors in our GDT.
 * The mask lists every RFLAGS bit the kernel must not inherit from user
 * space: TF (no single-stepping into the entry code), IF (no interrupt
 * before the stack switch), DF (the C ABI), AC (no SMAP bypass), NT and
 * IOPL (IRET/IN/OUT semantics), and the arithmetic flags and ID so that no
 * user-controlled flag state reaches kernel code.
 */
void syscall_init(void)
{
	wrmsrl(MSR_STAR, ((u64)__USER32_CS << 48) | ((u64)__KERNEL_CS << 32));
	wrmsrl(MSR_LSTAR, (u64)entry_SYSCALL_64);
	wrmsrl(MSR_SYSCALL_MASK,
	       X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF |
	       X86_EFLAGS_SF | X86_EFLAGS_TF | X86_EFLAGS_IF | X86_EFLAGS_DF |
	       X86_EFLAGS_OF | X86_EFLAGS_IOPL | X86_EFLAGS_NT | X86_EFLAGS_RF |
	       X86_EFLAGS_AC | X86_EFLAGS_ID);		/* = 0x257FD5 */
	/* Last: until SCE is set, a SYSCALL is #UD rather than a jump into a
	 * half-configured entry point. */
	wrmsrl(MSR_EFER, rdmsrl(MSR_EFER) | EFER_SCE);
}

/*
 * cpu_init - everything a CPU needs before it can run user code.
 */
void cpu_init(void)
{
	u64 top = (u64)init_stack + THREAD_SIZE;

	set_tss_desc();
	cpu_tss.sp0 = top;		/* stack for exceptions from CPL 3 */
	cpu_tss.io_bitmap_base = sizeof(cpu_tss);
	load_gdt_and_segments();

	percpu.top_of_stack = top;	/* stack for SYSCALL */
	/* In the kernel GS points at the per-CPU area; the first return to
	 * user space does SWAPGS, parking it in KERNEL_GS_BASE. */
	wrmsrl(MSR_GS_BASE, (u64)&percpu);
	wrmsrl(MSR_KERNEL_GS_BASE, 0);

	/* x87, SSE and, where the CPU has XSAVE, AVX state (fpu.c). */
	fpu__init_cpu();

	syscall_init();
}
