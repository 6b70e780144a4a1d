/*
 * misc.c - instructions with (almost) no data: NOPs and hints, fences,
 * cache-line flushes, UD0/UD1/UD2, the CF/DF instructions, LAHF/SAHF
 * (SDM vol. 2).
 */
#include "cpu.h"
#include "flags.h"
#include "operand.h"

/*
 * NOP, multi-byte NOP (0F 1F /0: its memory operand is never accessed or
 * even checked), ENDBR32/64 (CET is not modelled, so they are NOPs as on a
 * CPU without CET), PAUSE (a spin-wait hint), LFENCE/SFENCE/MFENCE (lstar
 * executes one instruction at a time in order: nothing to fence) and
 * PREFETCHh/PREFETCHW (SDM: prefetches never fault).
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
