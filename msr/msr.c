/*
 * msr.c - the MSR table and RDMSR/WRMSR's lookups (syscall-sysret.md §1;
 * SDM vol. 4 "Model-Specific Registers", vol. 2B RDMSR/WRMSR; AMD APM
 * vol. 2 appendix A).
 *
 * Like Bochs's msr.cc but table-driven: one row per MSR with its reserved
 * bits (#GP(0) when set), read-only bits (ignored) and an extra check.
 * Storage is the architectural field in struct cpu (FS/GS base are the
 * segment registers' bases, so WRMSR and [fs:x] can never disagree).
 * Rows flagged MSRF_APIC (the x2APIC registers, IA32_TSC_DEADLINE) are
 * checked here the same way - plus x2APIC mode and read-only/write-only
 * access - and then read or written by cpu/apic.c.
 */
#include <stddef.h>

#include "msr.h"
#include "../cpu/apic.h"
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
	return !((c->cr0 & CR0_PG) && ((v ^ c->efer) & LSTAR_MSR_EFER_LME));
}

/* IA32_TSC_AUX: Intel reserves bits 63:32 (#GP); AMD drops them (see
 * msr_write). */
static bool tsc_aux_ok(const struct cpu *c, uint64_t v)
{
	return c->vendor == VENDOR_AMD || (v >> 32) == 0;
}

#define ABOVE_MAXPHY (~0ULL << CPU_MAXPHYADDR)

/* Bits 63:32 of a 32-bit x2APIC register are reserved (§10.12.1.3). */
#define HI32 0xFFFFFFFF00000000ULL
#define X2RW (MSRF_APIC | MSRF_X2APIC)
#define X2RO (MSRF_APIC | MSRF_X2APIC | MSRF_RO)
#define X2WO (MSRF_APIC | MSRF_X2APIC | MSRF_WO)
/* One row of the 256-bit ISR/TMR/IRR, 32 bits per MSR. */
#define X2BITS(base, k, reg, what, bits) \
	{ (base) + (k), "IA32_X2APIC_" reg #k, 0, 0, 0, NULL, "any write (read-only)", \
	  what ", vectors " bits, X2RO }
#define X2BITS8(base, reg, what) \
	X2BITS(base, 0, reg, what, "31:0"), X2BITS(base, 1, reg, what, "63:32"), \
	X2BITS(base, 2, reg, what, "95:64"), X2BITS(base, 3, reg, what, "127:96"), \
	X2BITS(base, 4, reg, what, "159:128"), X2BITS(base, 5, reg, what, "191:160"), \
	X2BITS(base, 6, reg, what, "223:192"), X2BITS(base, 7, reg, what, "255:224")
/* LVT entries: vector 7:0, delivery status 12 (read-only), mask 16;
 * LINT0/1 add delivery mode 10:8, polarity 13, remote IRR 14 (read-only),
 * trigger mode 15; the timer adds its mode, 18:17 (Figure 10-8). */
#define LVT_LINT_BITS 0x1F7FFULL
#define LVT_ERR_BITS  0x110FFULL
#define LVT_TMR_BITS  0x710FFULL

static const struct msr_desc table[] = {
	{ LSTAR_MSR_TSC, "IA32_TSC", 0, 0, 0, NULL, "never",
	  "time-stamp counter: RDTSC = instructions x 4 + halted ticks + offset", 0 },
	{ LSTAR_MSR_APIC_BASE, "IA32_APIC_BASE", 0xFEE00900ULL,
	  0xFFULL | (1ULL << 9) | ABOVE_MAXPHY, 1ULL << 8, apic_base_ok,
	  "reserved bits (7:0, 9, 63:MAXPHYADDR); EXTD=1 with EN=0; x2APIC to xAPIC; "
	  "disabled to x2APIC",
	  "APIC base (stored: no MMIO page), BSP bit 8 (read-only), EXTD 10 = x2APIC mode, "
	  "EN 11 = enable", 0 },
	{ LSTAR_MSR_MISC_ENABLE, "IA32_MISC_ENABLE", 1, ~1ULL, 0, NULL,
	  "any bit but 0 (fast strings)",
	  "feature switches; only fast-strings (bit 0, set at reset) is modelled", 0 },
	{ LSTAR_MSR_PAT, "IA32_PAT", 0x0007040600070406ULL, 0, 0, pat_ok,
	  "an entry with bits 7:3 set or of type 2/3",
	  "page attribute table (stored; lstar has no caches)", 0 },
	{ LSTAR_MSR_TSC_DEADLINE, "IA32_TSC_DEADLINE", 0, 0, 0, NULL, "never",
	  "APIC timer in TSC-deadline mode: fires when TSC >= value, 0 disarms; "
	  "reads 0 after firing and in other timer modes (writes ignored there)", MSRF_APIC },
	{ LSTAR_MSR_X2APIC_APICID, "IA32_X2APIC_APICID", 0, 0, 0, NULL, "any write (read-only)",
	  "x2APIC ID: 0 (CPUID.1:EBX[31:24] agrees)", X2RO },
	{ LSTAR_MSR_X2APIC_VERSION, "IA32_X2APIC_VERSION", APIC_VERSION, 0, 0, NULL,
	  "any write (read-only)",
	  "version 0x14, max LVT entry 3 (timer, LINT0, LINT1, error), no EOI-broadcast "
	  "suppression", X2RO },
	{ LSTAR_MSR_X2APIC_TPR, "IA32_X2APIC_TPR", 0, HI32 | 0xFFFFFF00ULL, 0, NULL,
	  "bits 31:8 set", "task priority; bits 7:4 are CR8", X2RW },
	{ LSTAR_MSR_X2APIC_PPR, "IA32_X2APIC_PPR", 0, 0, 0, NULL, "any write (read-only)",
	  "processor priority: the higher of TPR and the highest in-service class", X2RO },
	{ LSTAR_MSR_X2APIC_EOI, "IA32_X2APIC_EOI", 0, ~0ULL, 0, NULL, "a non-zero value",
	  "end of interrupt: clears the highest in-service bit (write-only)", X2WO },
	{ LSTAR_MSR_X2APIC_LDR, "IA32_X2APIC_LDR", 1, 0, 0, NULL, "any write (read-only)",
	  "logical destination: 1 (cluster 0, bit 0), derived from the x2APIC ID", X2RO },
	{ LSTAR_MSR_X2APIC_SIVR, "IA32_X2APIC_SIVR", 0xFF, HI32 | ~0x3FFULL, 0, NULL,
	  "bits 31:10 set (no EOI-broadcast suppression)",
	  "spurious vector 7:0 (never delivered), APIC software enable 8, focus 9 "
	  "(stored)", X2RW },
	X2BITS8(LSTAR_MSR_X2APIC_ISR0, "ISR", "in-service register"),
	X2BITS8(LSTAR_MSR_X2APIC_TMR0, "TMR", "trigger mode register (all edge: reads 0)"),
	X2BITS8(LSTAR_MSR_X2APIC_IRR0, "IRR", "interrupt request register"),
	{ LSTAR_MSR_X2APIC_ESR, "IA32_X2APIC_ESR", 0, ~0ULL, 0, NULL, "a non-zero value",
	  "error status: a write latches the errors seen since the previous one "
	  "(5 send illegal vector, 6 receive illegal vector)", X2RW },
	{ LSTAR_MSR_X2APIC_LVT_TIMER, "IA32_X2APIC_LVT_TIMER", 0x10000, ~LVT_TMR_BITS, LVT_STATUS,
	  apic_lvt_timer_ok, "reserved bits (11:8, 15:13, 31:19); timer mode 11b",
	  "timer: vector 7:0, mask 16, mode 18:17 (00 one-shot, 01 periodic, "
	  "10 TSC-deadline)", X2RW },
	{ LSTAR_MSR_X2APIC_LVT_LINT0, "IA32_X2APIC_LVT_LINT0", 0x10000, ~LVT_LINT_BITS,
	  LVT_STATUS | (1u << 14), NULL, "reserved bits (11, 31:17)",
	  "LINT0 pin (stored: nothing drives it)", X2RW },
	{ LSTAR_MSR_X2APIC_LVT_LINT1, "IA32_X2APIC_LVT_LINT1", 0x10000, ~LVT_LINT_BITS,
	  LVT_STATUS | (1u << 14), NULL, "reserved bits (11, 31:17)",
	  "LINT1 pin (stored: nothing drives it)", X2RW },
	{ LSTAR_MSR_X2APIC_LVT_ERROR, "IA32_X2APIC_LVT_ERROR", 0x10000, ~LVT_ERR_BITS, LVT_STATUS,
	  NULL, "reserved bits (11:8, 15:13, 31:17)",
	  "APIC error interrupt: vector 7:0, mask 16", X2RW },
	{ LSTAR_MSR_X2APIC_INIT_COUNT, "IA32_X2APIC_INIT_COUNT", 0, HI32, 0, NULL, "bits 63:32 set",
	  "timer initial count: a write starts the count-down (0 stops it; ignored "
	  "in TSC-deadline mode)", X2RW },
	{ LSTAR_MSR_X2APIC_CUR_COUNT, "IA32_X2APIC_CUR_COUNT", 0, 0, 0, NULL, "any write (read-only)",
	  "timer current count", X2RO },
	{ LSTAR_MSR_X2APIC_DIV_CONF, "IA32_X2APIC_DIV_CONF", 0, HI32 | ~0xBULL, 0, NULL,
	  "bits other than 3, 1:0 set",
	  "timer divide configuration: count rate 1 GHz / 2, 4, ..., 128 or 1 (111b)", X2RW },
	{ LSTAR_MSR_X2APIC_SELF_IPI, "IA32_X2APIC_SELF_IPI", 0, HI32 | ~0xFFULL, 0, NULL,
	  "bits 31:8 set", "sends vector 7:0 to this CPU (write-only; 0-15 set ESR bit 5)",
	  X2WO },
	{ LSTAR_MSR_EFER, "IA32_EFER", 0,
	  ~(LSTAR_MSR_EFER_SCE | LSTAR_MSR_EFER_LME | LSTAR_MSR_EFER_LMA | LSTAR_MSR_EFER_NXE), LSTAR_MSR_EFER_LMA, efer_ok,
	  "reserved bits (7:1, 9, 63:12); changing LME while CR0.PG=1",
	  "SCE bit 0, LME 8, LMA 10 (read-only, set by the CPU), NXE 11", 0 },
	{ LSTAR_MSR_STAR, "IA32_STAR", 0, 0, 0, NULL,
	  "never (selectors are not validated)",
	  "47:32 SYSCALL CS (SS = +8); 63:48 SYSRET selector base", 0 },
	{ LSTAR_MSR_LSTAR, "IA32_LSTAR", 0, 0, 0, canonical,
	  "non-canonical value", "RIP of 64-bit SYSCALL", 0 },
	{ LSTAR_MSR_CSTAR, "IA32_CSTAR", 0, 0, 0, canonical,
	  "non-canonical value",
	  "compatibility-mode SYSCALL target (AMD; stored, never used in v1)", 0 },
	{ LSTAR_MSR_FMASK, "IA32_FMASK", 0, 0xFFFFFFFF00000000ULL, 0, NULL,
	  "bits 63:32 set", "RFLAGS bits SYSCALL clears", 0 },
	{ LSTAR_MSR_FS_BASE, "IA32_FS_BASE", 0, 0, 0, canonical,
	  "non-canonical value", "FS base (same storage as the segment's base)", 0 },
	{ LSTAR_MSR_GS_BASE, "IA32_GS_BASE", 0, 0, 0, canonical,
	  "non-canonical value", "GS base (same storage as the segment's base)", 0 },
	{ LSTAR_MSR_KERNEL_GS_BASE, "IA32_KERNEL_GS_BASE", 0, 0, 0, canonical,
	  "non-canonical value", "swapped with GS base by SWAPGS", 0 },
	{ LSTAR_MSR_TSC_AUX, "IA32_TSC_AUX", 0, 0, 0, tsc_aux_ok,
	  "Intel: bits 63:32 set (AMD ignores them)", "value RDTSCP returns in ECX", 0 },
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
	case LSTAR_MSR_APIC_BASE: return &c->apic_base;
	case LSTAR_MSR_MISC_ENABLE: return &c->misc_enable;
	case LSTAR_MSR_PAT: return &c->pat;
	case LSTAR_MSR_EFER: return &c->efer;
	case LSTAR_MSR_STAR: return &c->star;
	case LSTAR_MSR_LSTAR: return &c->lstar;
	case LSTAR_MSR_CSTAR: return &c->cstar;
	case LSTAR_MSR_FMASK: return &c->fmask;
	case LSTAR_MSR_FS_BASE: return &c->seg[SEG_FS].base;
	case LSTAR_MSR_GS_BASE: return &c->seg[SEG_GS].base;
	case LSTAR_MSR_KERNEL_GS_BASE: return &c->kernel_gs_base;
	case LSTAR_MSR_TSC_AUX: return &c->tsc_aux;
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

/* The access rules of the flags column: x2APIC registers exist only in
 * x2APIC mode; read-only ones refuse every write, write-only ones every
 * read (SDM vol. 3A §10.12.2, Table 10-6). */
static bool allowed(const struct cpu *c, const struct msr_desc *d, unsigned forbidden)
{
	if ((d->flags & MSRF_X2APIC) && !apic_x2apic(c))
		return false;
	return !(d->flags & forbidden);
}

bool msr_read(struct cpu *c, uint32_t index, uint64_t *value)
{
	const struct msr_desc *d = find(index);
	if (!d || !allowed(c, d, MSRF_WO))
		return false;
	if (d->flags & MSRF_APIC)
		return apic_msr_read(c, index, value);
	if (index == LSTAR_MSR_TSC)
		*value = cpu_tsc(c);
	else
		*value = *slot(c, index);
	return true;
}

bool msr_write(struct cpu *c, uint32_t index, uint64_t value)
{
	const struct msr_desc *d = find(index);
	if (!d || !allowed(c, d, MSRF_RO) || (value & d->reserved) ||
	    (d->check && !d->check(c, value)))
		return false;
	if (d->flags & MSRF_APIC)
		return apic_msr_write(c, index, (value & ~d->readonly));
	if (index == LSTAR_MSR_TSC) {
		c->tsc_offset = value - cpu_ticks(c);
		apic_tsc_written(c);
		return true;
	}
	if (index == LSTAR_MSR_TSC_AUX)
		value &= 0xFFFFFFFFULL;   /* AMD drops 63:32; Intel refused them */
	uint64_t *p = slot(c, index);
	uint64_t old = *p;
	*p = (old & d->readonly) | (value & ~d->readonly);
	if (index == LSTAR_MSR_EFER && ((old ^ *p) & (LSTAR_MSR_EFER_NXE | LSTAR_MSR_EFER_SCE | LSTAR_MSR_EFER_LME))) {
		/* NXE changes what the cached translations allow. */
		if ((old ^ *p) & LSTAR_MSR_EFER_NXE)
			tlb_flush_all(c);
		cpu_leave_block(c);
	}
	if (index == LSTAR_MSR_APIC_BASE)
		apic_base_written(c, old);
	return true;
}

/* The APIC's registers are reset by apic_reset() (cpu_reset calls both). */
void msr_reset(struct cpu *c)
{
	for (size_t k = 0; k < sizeof table / sizeof table[0]; k++) {
		uint64_t *p = slot(c, table[k].index);
		if (p)
			*p = table[k].reset;
	}
	c->tsc_offset = 0;
}
