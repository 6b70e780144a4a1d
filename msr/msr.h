/*
 * msr.h - the model-specific registers lstar models (syscall-sysret.md §1).
 *
 * One table in msr/msr.c describes every MSR: its index, SDM name, reset
 * value, which bits are reserved (#GP(0) when written as 1), which are
 * read-only (writes ignored) and an extra check.  RDMSR/WRMSR, the public
 * API (lstar_rdmsr/lstar_wrmsr/lstar_msr_name), the gdb stub and
 * docs/msr.md all come from that table.
 */
#ifndef LSTAR_MSR_H
#define LSTAR_MSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cpu;

#define MSR_IA32_TSC            0x00000010
#define MSR_IA32_APIC_BASE      0x0000001B
#define MSR_IA32_MISC_ENABLE    0x000001A0
#define MSR_IA32_PAT            0x00000277
#define MSR_IA32_EFER           0xC0000080
#define MSR_IA32_STAR           0xC0000081
#define MSR_IA32_LSTAR          0xC0000082
#define MSR_IA32_CSTAR          0xC0000083
#define MSR_IA32_FMASK          0xC0000084
#define MSR_IA32_FS_BASE        0xC0000100
#define MSR_IA32_GS_BASE        0xC0000101
#define MSR_IA32_KERNEL_GS_BASE 0xC0000102
#define MSR_IA32_TSC_AUX        0xC0000103
#define MSR_IA32_TSC_DEADLINE   0x000006E0
/* x2APIC registers (SDM vol. 3A Table 10-6), cpu/apic.c */
#define MSR_X2APIC_APICID       0x00000802
#define MSR_X2APIC_VERSION      0x00000803
#define MSR_X2APIC_TPR          0x00000808
#define MSR_X2APIC_PPR          0x0000080A
#define MSR_X2APIC_EOI          0x0000080B
#define MSR_X2APIC_LDR          0x0000080D
#define MSR_X2APIC_SIVR         0x0000080F
#define MSR_X2APIC_ISR0         0x00000810  /* ISR0..7 at 0x810..0x817 */
#define MSR_X2APIC_TMR0         0x00000818  /* TMR0..7 at 0x818..0x81F */
#define MSR_X2APIC_IRR0         0x00000820  /* IRR0..7 at 0x820..0x827 */
#define MSR_X2APIC_ESR          0x00000828
#define MSR_X2APIC_LVT_TIMER    0x00000832
#define MSR_X2APIC_LVT_LINT0    0x00000835
#define MSR_X2APIC_LVT_LINT1    0x00000836
#define MSR_X2APIC_LVT_ERROR    0x00000837
#define MSR_X2APIC_INIT_COUNT   0x00000838
#define MSR_X2APIC_CUR_COUNT    0x00000839
#define MSR_X2APIC_DIV_CONF     0x0000083E
#define MSR_X2APIC_SELF_IPI     0x0000083F

struct msr_desc {
	uint32_t index;        /* ECX value */
	const char *name;      /* SDM name */
	uint64_t reset;        /* value after cpu reset (msr_reset) */
	uint64_t reserved;     /* bits whose write as 1 raises #GP(0) */
	uint64_t readonly;     /* bits a write leaves alone */
	/* extra WRMSR check: returns false to raise #GP(0) (NULL = none) */
	bool (*check)(const struct cpu *c, uint64_t value);
	const char *gp_when;   /* the WRMSR #GP(0) rule in words (docs) */
	const char *role;      /* what it is for (docs) */
	unsigned flags;        /* MSRF_* below */
};
/* The register lives in the local APIC (cpu/apic.c reads and writes it). */
#define MSRF_APIC   1u
/* An x2APIC register: RDMSR/WRMSR raise #GP(0) unless IA32_APIC_BASE has
 * EN = EXTD = 1 (SDM vol. 3A §10.12.2). */
#define MSRF_X2APIC 2u
/* Read-only: any WRMSR raises #GP(0) (Table 10-6 note). */
#define MSRF_RO     4u
/* Write-only: RDMSR raises #GP(0). */
#define MSRF_WO     8u

/* RDMSR: false if the index is not modelled (#GP(0), *value untouched). */
bool msr_read(struct cpu *c, uint32_t index, uint64_t *value);
/* WRMSR: false if the index is not modelled or the value is refused
 * (#GP(0)); then nothing changed.  Side effects (TLB flush on NXE...) are
 * applied here. */
bool msr_write(struct cpu *c, uint32_t index, uint64_t value);
/* SDM name of a modelled MSR, NULL otherwise. */
const char *msr_name(uint32_t index);
/* The table, for docs and the debugger. */
const struct msr_desc *msr_table(size_t *n);
/* Put every MSR at its reset value (cpu_reset calls it). */
void msr_reset(struct cpu *c);

#endif
