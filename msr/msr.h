/*
 * msr.h - the model-specific registers lstar models (syscall-sysret.md §1).
 *
 * One table in msr/msr.c describes every MSR: its index, SDM name, reset
 * value, which bits are reserved (#GP(0) when written as 1), which are
 * read-only (writes ignored) and an extra check.  RDMSR/WRMSR, the public
 * API (lstar_rdmsr/lstar_wrmsr/lstar_msr_name), the gdb stub and
 * docs/msr.md all come from that table.
 */
#ifndef LSTAR_MSR_MSR_H
#define LSTAR_MSR_MSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lstar/msr.h"	/* the MSR numbers and bits */

struct cpu;

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
