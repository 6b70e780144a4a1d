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
};

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
