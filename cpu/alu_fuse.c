/*
 * alu_fuse.c - the fused compare-and-branch handlers (FUSE rows in
 * cpu/ops_alu.def, cpu/ops.def): CMP or TEST of a FORM shape, or INC/DEC
 * r32/r64, and the Jcc rel after it, run by the fast path of the run loop
 * as one call when the pair ends a block (struct block's tail_fn,
 * cpu/exec.c).
 *
 * Each handler is the first instruction's own body (cpu/alu.h, the one its
 * FORM handler is made of: same result, same lazy flags, which code after
 * the branch may read), then the Jcc for one condition cc (SDM vol. 2A
 * "Jcc"), decided from the operands (cond_after, cpu/flags.h) without
 * building RFLAGS, then RIP = taken ? target : next.  The Jcc's target was
 * checked canonical at decode (FORM rel64), so the branch cannot fault.
 * A FUSE row names an array of 16 handlers indexed by the Jcc's cc; O, NO,
 * P and NP, rare after these instructions and needing RFLAGS built, stay
 * unfused (NULL).
 *
 * The careful path (single-step, hooks, the instruction limit) never calls
 * these: it runs the two instructions' own handlers.  The fast path calls
 * them with c->cur at the first instruction, so a fault in it (a #PF on
 * the memory operand) restarts it and counts only the instructions before
 * it, exactly as unfused.
 *
 * They live apart from cpu/alu.c because their 348 instantiations there
 * made gcc stop inlining insn_ea() into its FORM handlers; `flatten`
 * keeps every helper inline in these.
 */
#include "alu.h"
#include "ops.h"

/*
 * The branch after the first instruction ran on its fast path: a register
 * shape, or a memory shape through the TLB's host pointer, neither of
 * which can reach a device or write to a page of decoded code, so nothing
 * here can have asked to leave the block.
 */
static inline __attribute__((always_inline))
void fused_jcc(struct cpu *c, const struct insn *i, int lfop, unsigned sz, unsigned cc)
{
	const struct insn *j = i + 1;

	c->rip = cond_after(c, lfop, sz, c->lf.a, c->lf.b, c->lf.res, cc) ? j->imm : j->next_rip;
}

/*
 * The pair when the first instruction left its fast path (a TLB miss, a
 * rare CF source for INC/DEC): its general handler, with RIP at the next
 * instruction as usual (a device it reaches may look at RIP), then the
 * branch from the lazy record that handler left.  A memory access may
 * have reached the board (MMIO) or, through the page walk's accessed
 * bits, written to a page of decoded code; such an access sets
 * exit_block, and then the branch is left undone for the loop to run from
 * a fresh lookup, as it would have been unfused: RIP stays at the Jcc,
 * and of the two instructions the loop counts for the pair one is taken
 * back here.  Out of line, so that the fast paths keep no stack frame.
 */
static __attribute__((noinline)) void fused_slow(struct cpu *c, const struct insn *i, insn_fn first,
						 unsigned cc)
{
	const struct insn *j = i + 1;

	c->rip = i->next_rip;
	first(c, i);
	if (unlikely(c->exit_block)) {
		c->icount--;
		return;
	}
	c->rip = cond_eval(c, cc) ? j->imm : j->next_rip;
}

/* CMP/TEST of shape sh and size sz, then Jcc cc. */
static inline __attribute__((always_inline))
void binop_jcc(struct cpu *c, const struct insn *i, int op, int sh, unsigned sz, unsigned cc)
{
	if (unlikely(!alu_binop_try(c, i, op, sh, sz))) {
		fused_slow(c, i, op == A_CMP ? op_cmp : op_test, cc);
		return;
	}
	fused_jcc(c, i, op == A_CMP ? FL_SUB : FL_LOGIC, sz, cc);
}

/* INC/DEC r of size sz (CF kept), then Jcc cc: `dec ecx; jnz loop`. */
static inline __attribute__((always_inline))
void incdec_jcc(struct cpu *c, const struct insn *i, int dec, unsigned sz, unsigned cc)
{
	if (unlikely(!incdec_try(c, i, dec, sz))) {
		fused_slow(c, i, dec ? op_dec : op_inc, cc);
		return;
	}
	fused_jcc(c, i, dec ? FL_DEC : FL_INC, sz, cc);
}

/* The array `name` of one FUSE row: name[cc] runs body(c, i, args..., cc). */
#define FUSED_CC(name, cc, body, ...)						\
static __attribute__((flatten)) void name##_cc##cc(struct cpu *c, const struct insn *i) \
{ body(c, i, __VA_ARGS__, cc); }
#define FUSED(name, body, ...)							\
FUSED_CC(name, 2, body, __VA_ARGS__) FUSED_CC(name, 3, body, __VA_ARGS__)	\
FUSED_CC(name, 4, body, __VA_ARGS__) FUSED_CC(name, 5, body, __VA_ARGS__)	\
FUSED_CC(name, 6, body, __VA_ARGS__) FUSED_CC(name, 7, body, __VA_ARGS__)	\
FUSED_CC(name, 8, body, __VA_ARGS__) FUSED_CC(name, 9, body, __VA_ARGS__)	\
FUSED_CC(name, 12, body, __VA_ARGS__) FUSED_CC(name, 13, body, __VA_ARGS__)	\
FUSED_CC(name, 14, body, __VA_ARGS__) FUSED_CC(name, 15, body, __VA_ARGS__)	\
const insn_fn name[16] = {							\
	[2] = name##_cc2, [3] = name##_cc3, [4] = name##_cc4, [5] = name##_cc5,	\
	[6] = name##_cc6, [7] = name##_cc7, [8] = name##_cc8, [9] = name##_cc9,	\
	[12] = name##_cc12, [13] = name##_cc13, [14] = name##_cc14, [15] = name##_cc15, \
};

/* The ten shapes of FUSES_ALU (cpu/ops.def). */
#define ALU_FUSES(name, op)							\
FUSED(name##_rr32_jcc, binop_jcc, op, SH_RR, 4) FUSED(name##_rr64_jcc, binop_jcc, op, SH_RR, 8) \
FUSED(name##_ri32_jcc, binop_jcc, op, SH_RI, 4) FUSED(name##_ri64_jcc, binop_jcc, op, SH_RI, 8) \
FUSED(name##_rm32_jcc, binop_jcc, op, SH_RM, 4) FUSED(name##_rm64_jcc, binop_jcc, op, SH_RM, 8) \
FUSED(name##_mr32_jcc, binop_jcc, op, SH_MR, 4) FUSED(name##_mr64_jcc, binop_jcc, op, SH_MR, 8) \
FUSED(name##_mi32_jcc, binop_jcc, op, SH_MI, 4) FUSED(name##_mi64_jcc, binop_jcc, op, SH_MI, 8)

/* CMP: SDM vol. 2A "CMP"; flags as SUB. */
ALU_FUSES(op_cmp, A_CMP)
FUSED(op_cmp_rr8_jcc, binop_jcc, A_CMP, SH_RR, 1)
FUSED(op_cmp_ri8_jcc, binop_jcc, A_CMP, SH_RI, 1)
FUSED(op_cmp_rm8_jcc, binop_jcc, A_CMP, SH_RM, 1)
FUSED(op_cmp_mr8_jcc, binop_jcc, A_CMP, SH_MR, 1)
FUSED(op_cmp_mi8_jcc, binop_jcc, A_CMP, SH_MI, 1)
FUSED(op_cmp_rr16_jcc, binop_jcc, A_CMP, SH_RR, 2)
FUSED(op_cmp_ri16_jcc, binop_jcc, A_CMP, SH_RI, 2)
/* TEST: SDM vol. 2B "TEST"; OF = CF = 0, AF undefined -> 0. */
ALU_FUSES(op_test, A_TEST)
FUSED(op_test_rr8_jcc, binop_jcc, A_TEST, SH_RR, 1)
FUSED(op_test_ri8_jcc, binop_jcc, A_TEST, SH_RI, 1)
/* INC/DEC: SDM vol. 2A "INC", "DEC"; CF kept. */
FUSED(op_inc_r32_jcc, incdec_jcc, 0, 4)
FUSED(op_inc_r64_jcc, incdec_jcc, 0, 8)
FUSED(op_dec_r32_jcc, incdec_jcc, 1, 4)
FUSED(op_dec_r64_jcc, incdec_jcc, 1, 8)
