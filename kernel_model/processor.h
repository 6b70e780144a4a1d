/*
 * processor.h - the privileged instructions as C inlines (mirrors
 * arch/x86/include/asm/msr.h, special_insns.h, io.h, msr-index.h).
 */
#ifndef KM_PROCESSOR_H
#define KM_PROCESSOR_H

#include <stdint.h>
#include "lstar/msr.h"

/* msr-index.h's names for the MSRs and bits this kernel uses, defined by
 * lstar's public header (lstar/msr.h). */
#define MSR_EFER		LSTAR_MSR_EFER
#define MSR_STAR		LSTAR_MSR_STAR
#define MSR_LSTAR		LSTAR_MSR_LSTAR
#define MSR_CSTAR		LSTAR_MSR_CSTAR
#define MSR_SYSCALL_MASK	LSTAR_MSR_FMASK
#define MSR_FS_BASE		LSTAR_MSR_FS_BASE
#define MSR_GS_BASE		LSTAR_MSR_GS_BASE
#define MSR_KERNEL_GS_BASE	LSTAR_MSR_KERNEL_GS_BASE
#define MSR_IA32_APICBASE	LSTAR_MSR_APIC_BASE
#define MSR_IA32_TSC_DEADLINE	LSTAR_MSR_TSC_DEADLINE
#define MSR_X2APIC_SPIV		LSTAR_MSR_X2APIC_SIVR	/* spurious-interrupt vector */
#define MSR_X2APIC_EOI		LSTAR_MSR_X2APIC_EOI
#define MSR_X2APIC_LVTT		LSTAR_MSR_X2APIC_LVT_TIMER	/* LVT timer */
#define X2APIC_ENABLE		LSTAR_MSR_APIC_BASE_EXTD
#define APIC_SPIV_APIC_ENABLED	LSTAR_MSR_X2APIC_SIVR_ENABLE
#define APIC_LVT_TIMER_TSCDEADLINE LSTAR_MSR_X2APIC_LVT_TSC_DEADLINE

#define LOCAL_TIMER_VECTOR	0xec		/* Linux's */
#define CONSOLE_INTR_VECTOR	0x30		/* Ctrl-C from the host (LSTAR_HC_SIGINT_VECTOR) */
#define SPURIOUS_APIC_VECTOR	0xff

#define EFER_SCE	LSTAR_MSR_EFER_SCE	/* SYSCALL/SYSRET enable */
#define EFER_NX		LSTAR_MSR_EFER_NXE	/* no-execute page bit enable */

#define X86_CR0_MP	(1UL << 1)
#define X86_CR0_EM	(1UL << 2)
#define X86_CR0_WP	(1UL << 16)	/* write-protect applies to the kernel too */
#define X86_CR4_OSFXSR	(1UL << 9)	/* SSE instructions allowed */
#define X86_CR4_OSXMMEXCPT (1UL << 10)	/* SIMD FP exceptions go to #XM */
#define X86_CR4_OSXSAVE	(1UL << 18)	/* XSAVE, XGETBV and AVX allowed */

/* RFLAGS bits (arch/x86/include/uapi/asm/processor-flags.h). */
#define X86_EFLAGS_CF	0x00000001UL
#define X86_EFLAGS_FIXED 0x00000002UL
#define X86_EFLAGS_PF	0x00000004UL
#define X86_EFLAGS_AF	0x00000010UL
#define X86_EFLAGS_ZF	0x00000040UL
#define X86_EFLAGS_SF	0x00000080UL
#define X86_EFLAGS_TF	0x00000100UL
#define X86_EFLAGS_IF	0x00000200UL
#define X86_EFLAGS_DF	0x00000400UL
#define X86_EFLAGS_OF	0x00000800UL
#define X86_EFLAGS_IOPL	0x00003000UL
#define X86_EFLAGS_NT	0x00004000UL
#define X86_EFLAGS_RF	0x00010000UL
#define X86_EFLAGS_AC	0x00040000UL
#define X86_EFLAGS_ID	0x00200000UL

static inline uint64_t rdmsrl(uint32_t msr)
{
	uint32_t lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsrl(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)val),
		     "d"((uint32_t)(val >> 32)) : "memory");
}

static inline uint64_t read_cr0(void) { uint64_t v; asm volatile("mov %%cr0,%0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { asm volatile("mov %0,%%cr0" : : "r"(v) : "memory"); }
static inline uint64_t read_cr2(void) { uint64_t v; asm volatile("mov %%cr2,%0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; asm volatile("mov %%cr3,%0" : "=r"(v)); return v; }
static inline void write_cr3(uint64_t v) { asm volatile("mov %0,%%cr3" : : "r"(v) : "memory"); }
static inline uint64_t read_cr4(void) { uint64_t v; asm volatile("mov %%cr4,%0" : "=r"(v)); return v; }
static inline void write_cr4(uint64_t v) { asm volatile("mov %0,%%cr4" : : "r"(v) : "memory"); }
static inline void invlpg(uint64_t va) { asm volatile("invlpg (%0)" : : "r"(va) : "memory"); }

static inline void outb(uint8_t v, uint16_t port) { asm volatile("outb %0,%1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint32_t v, uint16_t port) { asm volatile("outl %0,%1" : : "a"(v), "Nd"(port) : "memory"); }
static inline uint32_t inl(uint16_t port) { uint32_t v; asm volatile("inl %1,%0" : "=a"(v) : "Nd"(port) : "memory"); return v; }

static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

/* ---- FPU/SSE/AVX state (kernel_model/fpu.c; Linux's asm/fpu/) ---- */
#define FXSAVE_SIZE		512
#define FPSTATE_MAX		1024	/* x87 + SSE + AVX need 832 bytes */
#define XFEATURE_MASK_FP	0x1UL	/* x87 */
#define XFEATURE_MASK_SSE	0x2UL	/* XMM registers, MXCSR */
#define XFEATURE_MASK_YMM	0x4UL	/* upper halves of the YMM registers */
#define XFEATURE_MASK_USER_SUPPORTED (XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM)
struct fpu_config {
	_Bool use_xsave;	/* XSAVE/XRSTOR, else FXSAVE/FXRSTOR */
	uint64_t xfeatures;	/* XCR0 */
	uint32_t size;		/* bytes of the saved image */
};
extern struct fpu_config fpu_cfg;
void fpu__init_cpu(void);
void os_xsave(uint8_t *buf);
void os_xrstor(const uint8_t *buf);
void fpstate_init_save(uint8_t *buf);

#endif
