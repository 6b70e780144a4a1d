/*
 * misc.c - instructions with (almost) no data: NOPs and hints, fences,
 * cache-line flushes, UD0/UD1/UD2 and the shadow-stack instructions (#UD
 * without CET), the CF/DF instructions, LAHF/SAHF (SDM vol. 2).
 */
#include "cpu.h"
#include "flags.h"
#include "operand.h"

/*
 * NOP and the hint-NOP space, for a CPU without CET and without MPX (lstar
 * advertises neither and refuses CR4.CET):
 *  - NOP (90), NOP r/m (0F 1F /0) and the reserved-NOP encodings 0F 19-1F
 *    (SDM vol. 2D appendix A, table A-3): a memory operand is neither
 *    accessed nor checked;
 *  - 0F 1A/1B, the MPX forms (BNDCL/CU/CN/MK/MOV/LDX/STX): MPX instructions
 *    are NOPs while MPX is absent or disabled (SDM vol. 1 ch. 17; the BNDxx
 *    pages raise #UD for BND4-7 only "when Intel MPX is enabled").  The
 *    decoder runs with Zydis's MPX mode off, so all of them, BND4-7
 *    included, reach this handler as NOP (cpu/decode.c);
 *  - ENDBR32/64 (F3 0F 1E FB/FA) and RDSSPD/RDSSPQ (F3 [REX.W] 0F 1E /1,
 *    mod = 11): "a NOP when CET shadow stacks are not enabled and on
 *    processors that do not support CET" (SDM vol. 2B "RDSSPD/RDSSPQ"), so
 *    the destination keeps its value -- glibc's unwinder zeroes it first
 *    and reads 0 as "no shadow stack";
 *  - CLDEMOTE (0F 1C /0): treated as a NOP by processors without it (SDM
 *    vol. 2A "CLDEMOTE");
 *  - PREFETCHh (0F 18 /0-3), PREFETCHW/PREFETCHWT1 (0F 0D): hints that
 *    never fault; PAUSE (a spin-wait hint); LFENCE/SFENCE/MFENCE (lstar
 *    runs one instruction at a time, in order: nothing to fence).
 * LOCK on any of these is #UD; Zydis refuses it at decode.
 */
void op_nop(struct cpu *c, const struct insn *i)
{
	(void)c;
	(void)i;
}

/*
 * CLFLUSH/CLFLUSHOPT (SDM vol. 2A "CLFLUSH"): there is no cache to flush,
 * but the instruction's exceptions are kept: its 64-bit-mode exception list
 * has #GP(0)/#SS(0) for a non-canonical address and #PF for a page fault,
 * and the SDM notes CLFLUSH "is treated as a load" for permission checks
 * (it needs no write permission, and the A bit is not a concern here).  So
 * the address is computed (canonical check in insn_ea) and translated as
 * a read of the current CPL.
 */
void op_clflush(struct cpu *c, const struct insn *i)
{
	mmu_translate(c, insn_ea(c, i), ACC_READ);
}

/* UD0/UD1/UD2 (SDM vol. 2B "UD"): raise #UD, by definition. */
void op_ud2(struct cpu *c, const struct insn *i)
{
	(void)i;
	cpu_fault(c, EXC_UD, 0);
}

/*
 * The CET shadow-stack management instructions outside the NOP space:
 * INCSSPD/Q, SAVEPREVSSP, RSTORSSP, WRSSD/Q, WRUSSD/Q, SETSSBSY, CLRSSBSY
 * (SDM vol. 2, each instruction's page).  Each one's Operation starts with
 * "IF CR4.CET = 0 (or shadow stacks disabled) THEN #UD", before any
 * privilege check or memory access.  lstar does not model CET and never
 * lets CR4.CET be set (cpu/system.c), so they are always #UD -- an
 * architectural outcome, not a missing handler (no op_ud diagnostic).
 */
void op_shstk(struct cpu *c, const struct insn *i)
{
	(void)i;
	cpu_fault(c, EXC_UD, 0);
}

static inline void set_cf(struct cpu *c, bool cf)
{
	uint64_t f = flags_get(c) & F_ARITH & ~F_CF;
	flags_set_arith(c, f | (cf ? F_CF : 0));
}

/* CLC (SDM vol. 2A "CLC"): CF <- 0, other flags unchanged. */
void op_clc(struct cpu *c, const struct insn *i)
{
	(void)i;
	set_cf(c, false);
}

/* STC (SDM vol. 2B "STC"): CF <- 1. */
void op_stc(struct cpu *c, const struct insn *i)
{
	(void)i;
	set_cf(c, true);
}

/* CMC (SDM vol. 2A "CMC"): CF <- NOT CF. */
void op_cmc(struct cpu *c, const struct insn *i)
{
	(void)i;
	set_cf(c, !flag_cf(c));
}

/* CLD (SDM vol. 2A "CLD"): DF <- 0.  DF is never lazy. */
void op_cld(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->rflags &= ~F_DF;
}

/* STD (SDM vol. 2B "STD"): DF <- 1. */
void op_std(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->rflags |= F_DF;
}

/*
 * LAHF (SDM vol. 2A "LAHF"): AH <- SF:ZF:0:AF:0:PF:1:CF.  Valid in 64-bit
 * mode only when CPUID.80000001H:ECX.LAHF-SAHF[bit 0] = 1; lstar reports
 * that bit set (as every x86-64 CPU since 2005 does), so no #UD here.
 */
void op_lahf(struct cpu *c, const struct insn *i)
{
	(void)i;
	uint64_t f = flags_get(c);
	uint64_t ah = (f & (F_SF | F_ZF | F_AF | F_PF | F_CF)) | F_1;
	c->r[R_RAX] = (c->r[R_RAX] & ~0xFF00ULL) | (ah << 8);
}

/* SAHF (SDM vol. 2B "SAHF"): SF ZF AF PF CF <- AH bits 7 6 4 2 0; OF is
 * unchanged.  Same CPUID condition as LAHF. */
void op_sahf(struct cpu *c, const struct insn *i)
{
	(void)i;
	uint64_t ah = (c->r[R_RAX] >> 8) & 0xFF;
	uint64_t keep = flags_get(c) & F_OF;
	flags_set_arith(c, keep | (ah & (F_SF | F_ZF | F_AF | F_PF | F_CF)));
}
