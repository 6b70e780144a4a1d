/*
 * lstar/msr.h - the model-specific registers lstar implements, by number,
 * and the bits of them a kernel writer sets: what RDMSR/WRMSR accept inside
 * the emulator and what lstar_rdmsr()/lstar_wrmsr() (lstar/lstar.h) take.
 * docs/msr.md lists the same registers with their reset values and the
 * values WRMSR refuses; the numbers and bits are Intel's (SDM vol. 4,
 * "Model-Specific Registers"; vol. 3A, "Advanced Programmable Interrupt
 * Controller" for the x2APIC ones).
 *
 * Naming: every name is LSTAR_MSR_ followed by the SDM's name without its
 * "IA32_" prefix (IA32_EFER is LSTAR_MSR_EFER, IA32_X2APIC_EOI is
 * LSTAR_MSR_X2APIC_EOI), and a bit of a register is LSTAR_MSR_<register>_
 * <bit> (LSTAR_MSR_EFER_SCE).  The prefix keeps the header usable next to
 * a kernel's own names (Linux's MSR_EFER, a libc's IA32_*).
 *
 * Needs only <stdint.h>; compiles as C (C99 and later) and C++.  Numbers
 * are unsigned 32-bit constants (the ECX operand), bits unsigned 64-bit.
 */
#ifndef LSTAR_MSR_H
#define LSTAR_MSR_H

#include <stdint.h>

/* ---- the registers ---- */
#define LSTAR_MSR_TSC            0x00000010u /* time-stamp counter */
#define LSTAR_MSR_APIC_BASE      0x0000001Bu /* local APIC base and mode */
#define LSTAR_MSR_MISC_ENABLE    0x000001A0u /* only fast-strings (bit 0) */
#define LSTAR_MSR_PAT            0x00000277u /* page attribute table */
#define LSTAR_MSR_TSC_DEADLINE   0x000006E0u /* APIC timer in TSC-deadline mode */
#define LSTAR_MSR_EFER           0xC0000080u /* extended feature enables */
#define LSTAR_MSR_STAR           0xC0000081u /* SYSCALL/SYSRET selectors */
#define LSTAR_MSR_LSTAR          0xC0000082u /* 64-bit SYSCALL entry point */
#define LSTAR_MSR_CSTAR          0xC0000083u /* compatibility-mode entry (stored, unused) */
#define LSTAR_MSR_FMASK          0xC0000084u /* RFLAGS bits SYSCALL clears */
#define LSTAR_MSR_FS_BASE        0xC0000100u
#define LSTAR_MSR_GS_BASE        0xC0000101u
#define LSTAR_MSR_KERNEL_GS_BASE 0xC0000102u /* swapped with GS_BASE by SWAPGS */
#define LSTAR_MSR_TSC_AUX        0xC0000103u /* what RDTSCP returns in ECX */

/* x2APIC registers (MSR 0x800 + MMIO offset / 16); all raise #GP(0)
 * unless LSTAR_MSR_APIC_BASE has both EN and EXTD set. */
#define LSTAR_MSR_X2APIC_APICID     0x00000802u /* read-only */
#define LSTAR_MSR_X2APIC_VERSION    0x00000803u /* read-only */
#define LSTAR_MSR_X2APIC_TPR        0x00000808u /* task priority */
#define LSTAR_MSR_X2APIC_PPR        0x0000080Au /* processor priority, read-only */
#define LSTAR_MSR_X2APIC_EOI        0x0000080Bu /* write 0: end of interrupt */
#define LSTAR_MSR_X2APIC_LDR        0x0000080Du /* logical destination, read-only */
#define LSTAR_MSR_X2APIC_SIVR       0x0000080Fu /* spurious vector, software enable */
#define LSTAR_MSR_X2APIC_ISR0       0x00000810u /* in service: ISR0..7 at 0x810..0x817 */
#define LSTAR_MSR_X2APIC_TMR0       0x00000818u /* trigger mode: TMR0..7 at 0x818..0x81F */
#define LSTAR_MSR_X2APIC_IRR0       0x00000820u /* requests: IRR0..7 at 0x820..0x827 */
#define LSTAR_MSR_X2APIC_ESR        0x00000828u /* error status */
#define LSTAR_MSR_X2APIC_LVT_TIMER  0x00000832u
#define LSTAR_MSR_X2APIC_LVT_LINT0  0x00000835u
#define LSTAR_MSR_X2APIC_LVT_LINT1  0x00000836u
#define LSTAR_MSR_X2APIC_LVT_ERROR  0x00000837u
#define LSTAR_MSR_X2APIC_INIT_COUNT 0x00000838u /* timer initial count */
#define LSTAR_MSR_X2APIC_CUR_COUNT  0x00000839u /* timer current count, read-only */
#define LSTAR_MSR_X2APIC_DIV_CONF   0x0000083Eu /* timer divide configuration */
#define LSTAR_MSR_X2APIC_SELF_IPI   0x0000083Fu /* write-only: raise a vector */

/* ---- bits ---- */

/* IA32_EFER */
#define LSTAR_MSR_EFER_SCE (1ULL << 0)  /* SYSCALL/SYSRET enabled */
#define LSTAR_MSR_EFER_LME (1ULL << 8)  /* long mode enabled */
#define LSTAR_MSR_EFER_LMA (1ULL << 10) /* long mode active (read-only) */
#define LSTAR_MSR_EFER_NXE (1ULL << 11) /* page-table XD bit honoured */

/* IA32_STAR: SYSCALL loads CS from bits 47:32 (SS = that + 8); SYSRET to
 * 64-bit code loads CS from bits 63:48 + 16 and SS from bits 63:48 + 8. */
#define LSTAR_MSR_STAR_SYSCALL_SHIFT 32
#define LSTAR_MSR_STAR_SYSRET_SHIFT  48

/* IA32_APIC_BASE */
#define LSTAR_MSR_APIC_BASE_BSP  (1ULL << 8)  /* bootstrap processor */
#define LSTAR_MSR_APIC_BASE_EXTD (1ULL << 10) /* x2APIC mode */
#define LSTAR_MSR_APIC_BASE_EN   (1ULL << 11) /* APIC enabled */
#define LSTAR_MSR_APIC_BASE_ADDR 0x000FFFFFFFFFF000ULL /* xAPIC MMIO page */

/* IA32_X2APIC_SIVR */
#define LSTAR_MSR_X2APIC_SIVR_ENABLE (1ULL << 8) /* APIC software-enabled */

/* IA32_X2APIC_LVT_*: vector in bits 7:0 */
#define LSTAR_MSR_X2APIC_LVT_VECTOR       0xFFULL
#define LSTAR_MSR_X2APIC_LVT_MASKED       (1ULL << 16)
#define LSTAR_MSR_X2APIC_LVT_ONESHOT      (0ULL << 17) /* timer modes, bits 18:17 */
#define LSTAR_MSR_X2APIC_LVT_PERIODIC     (1ULL << 17)
#define LSTAR_MSR_X2APIC_LVT_TSC_DEADLINE (2ULL << 17)

#endif
