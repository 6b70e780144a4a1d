/*
 * msr.c - the MSR table and RDMSR/WRMSR's lookups (syscall-sysret.md §1;
 * SDM vol. 4 "Model-Specific Registers", vol. 2B RDMSR/WRMSR; AMD APM
 * vol. 2 appendix A).
 *
 * Like Bochs's msr.cc but table-driven: one row per MSR with its reserved
 * bits (#GP(0) when set), read-only bits (ignored) and an extra check.
 * Storage is the architectural field in struct cpu (FS/GS base are the
 * segment registers' bases, so WRMSR and [fs:x] can never disagree).
 */
#include <stddef.h>

#include "msr.h"
#include "../cpu/cpu.h"
#include "../cpu/mmu.h"
#include "../cpu/system.h"

static bool canonical(const struct cpu *c, uint64_t v)
{
	(void)c;
	return is_canonical(v);
}

/* IA32_PAT: eight one-byte entries, each a memory type 0, 1, 4, 5, 6 or 7
 * (2 and 3 are reserved, 8-255 too) - SDM vol. 3A §13.12.2. */
static bool pat_ok(const struct cpu *c, uint64_t v)
{
	(void)c;
	for (int k = 0; k < 8; k++) {
		unsigned t = (v >> (8 * k)) & 0xFF;
		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/* IA32_EFER: LME may not change while paging is on (SDM vol. 3A §10.8.5:
 * "#GP if software attempts to... clear LME with CR0.PG=1" - and setting it
 * with paging on is equally refused). */
static bool efer_ok(const struct cpu *c, uint64_t v)
{
	return !((c->cr0 & CR0_PG) && ((v ^ c->efer) & EFER_LME));
}

/* IA32_TSC_AUX: Intel reserves bits 63:32 (#GP); AMD drops them (see
 * msr_write). */
static bool tsc_aux_ok(const struct cpu *c, uint64_t v)
{
	return c->vendor == VENDOR_AMD || (v >> 32) == 0;
}

#define ABOVE_MAXPHY (~0ULL << CPU_MAXPHYADDR)

static const struct msr_desc table[] = {
	{ MSR_IA32_TSC, "IA32_TSC", 0, 0, 0, NULL, "never",
	  "time-stamp counter: RDTSC = instructions x 4 + offset" },
	{ MSR_IA32_APIC_BASE, "IA32_APIC_BASE", 0xFEE00900ULL,
	  0xFFULL | (1ULL << 9) | (1ULL << 10) | ABOVE_MAXPHY, 1ULL << 8, NULL,
	  "reserved bits (7:0, 9, 10 = x2APIC not advertised, 63:MAXPHYADDR)",
	  "APIC base and enable; BSP bit 8 read-only (no APIC device in v1)" },
	{ MSR_IA32_MISC_ENABLE, "IA32_MISC_ENABLE", 1, ~1ULL, 0, NULL,
	  "any bit but 0 (fast strings)",
	  "feature switches; only fast-strings (bit 0, set at reset) is modelled" },
	{ MSR_IA32_PAT, "IA32_PAT", 0x0007040600070406ULL, 0, 0, pat_ok,
	  "an entry with bits 7:3 set or of type 2/3",
	  "page attribute table (stored; lstar has no caches)" },
	{ MSR_IA32_EFER, "IA32_EFER", 0,
	  ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE), EFER_LMA, efer_ok,
	  "reserved bits (7:1, 9, 63:12); changing LME while CR0.PG=1",
	  "SCE bit 0, LME 8, LMA 10 (read-only, set by the CPU), NXE 11" },
	{ MSR_IA32_STAR, "IA32_STAR", 0, 0, 0, NULL,
	  "never (selectors are not validated)",
	  "47:32 SYSCALL CS (SS = +8); 63:48 SYSRET selector base" },
	{ MSR_IA32_LSTAR, "IA32_LSTAR", 0, 0, 0, canonical,
	  "non-canonical value", "RIP of 64-bit SYSCALL" },
	{ MSR_IA32_CSTAR, "IA32_CSTAR", 0, 0, 0, canonical,
	  "non-canonical value",
	  "compatibility-mode SYSCALL target (AMD; stored, never used in v1)" },
	{ MSR_IA32_FMASK, "IA32_FMASK", 0, 0xFFFFFFFF00000000ULL, 0, NULL,
	  "bits 63:32 set", "RFLAGS bits SYSCALL clears" },
	{ MSR_IA32_FS_BASE, "IA32_FS_BASE", 0, 0, 0, canonical,
	  "non-canonical value", "FS base (same storage as the segment's base)" },
	{ MSR_IA32_GS_BASE, "IA32_GS_BASE", 0, 0, 0, canonical,
	  "non-canonical value", "GS base (same storage as the segment's base)" },
	{ MSR_IA32_KERNEL_GS_BASE, "IA32_KERNEL_GS_BASE", 0, 0, 0, canonical,
	  "non-canonical value", "swapped with GS base by SWAPGS" },
	{ MSR_IA32_TSC_AUX, "IA32_TSC_AUX", 0, 0, 0, tsc_aux_ok,
	  "Intel: bits 63:32 set (AMD ignores them)", "value RDTSCP returns in ECX" },
};

static const struct msr_desc *find(uint32_t index)
{
	for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
		if (table[k].index == index)
			return &table[k];
	return NULL;
}

/* The storage behind an MSR (NULL for the computed IA32_TSC). */
static uint64_t *slot(struct cpu *c, uint32_t index)
{
	switch (index) {
	case MSR_IA32_APIC_BASE: return &c->apic_base;
	case MSR_IA32_MISC_ENABLE: return &c->misc_enable;
	case MSR_IA32_PAT: return &c->pat;
	case MSR_IA32_EFER: return &c->efer;
	case MSR_IA32_STAR: return &c->star;
	case MSR_IA32_LSTAR: return &c->lstar;
	case MSR_IA32_CSTAR: return &c->cstar;
	case MSR_IA32_FMASK: return &c->fmask;
	case MSR_IA32_FS_BASE: return &c->seg[SEG_FS].base;
	case MSR_IA32_GS_BASE: return &c->seg[SEG_GS].base;
	case MSR_IA32_KERNEL_GS_BASE: return &c->kernel_gs_base;
	case MSR_IA32_TSC_AUX: return &c->tsc_aux;
	default: return NULL;
	}
}

const char *msr_name(uint32_t index)
{
	const struct msr_desc *d = find(index);
	return d ? d->name : NULL;
}

const struct msr_desc *msr_table(size_t *n)
{
	*n = sizeof table / sizeof table[0];
	return table;
}

bool msr_read(struct cpu *c, uint32_t index, uint64_t *value)
{
	if (!find(index))
		return false;
	if (index == MSR_IA32_TSC)
		*value = cpu_icount(c) * TSC_SCALE + c->tsc_offset;
	else
		*value = *slot(c, index);
	return true;
}

bool msr_write(struct cpu *c, uint32_t index, uint64_t value)
{
	const struct msr_desc *d = find(index);
	if (!d || (value & d->reserved) || (d->check && !d->check(c, value)))
		return false;
	if (index == MSR_IA32_TSC) {
		c->tsc_offset = value - cpu_icount(c) * TSC_SCALE;
		return true;
	}
	if (index == MSR_IA32_TSC_AUX)
		value &= 0xFFFFFFFFULL;   /* AMD drops 63:32; Intel refused them */
	uint64_t *p = slot(c, index);
	uint64_t old = *p;
	*p = (old & d->readonly) | (value & ~d->readonly);
	if (index == MSR_IA32_EFER && ((old ^ *p) & (EFER_NXE | EFER_SCE | EFER_LME))) {
		/* NXE changes what the cached translations allow. */
		if ((old ^ *p) & EFER_NXE)
			tlb_flush_all(c);
		c->exit_block = 1;
	}
	return true;
}

void msr_reset(struct cpu *c)
{
	for (size_t k = 0; k < sizeof table / sizeof table[0]; k++) {
		uint64_t *p = slot(c, table[k].index);
		if (p)
			*p = table[k].reset;
	}
	c->tsc_offset = 0;
}
