/*
 * branch.c - near control transfers in 64-bit mode: JMP, Jcc, CALL, RET,
 * LOOP/LOOPE/LOOPNE, JRCXZ/JECXZ (SDM vol. 2).  The far forms share the
 * JMP/CALL/RET mnemonics and are FORM rows of the system family
 * (cpu/ops_system.def, cpu/descriptor.c).
 *
 * When a handler runs c->rip is already the next instruction, and relative
 * targets were made absolute at decode time (i->imm).  A target that is not
 * canonical raises #GP(0) *at the branch* (SDM vol. 1 6.3.7 / JMP, CALL,
 * RET "64-bit mode exceptions"): branch_check()/branch_to() (cpu/operand.h)
 * come before RSP, RCX or RIP change, in every form.
 *
 * Operand size: near branches are 64-bit; Intel ignores 66h on them while
 * AMD truncates the target to 16 bits.  lstar follows the decoder: a
 * 16-bit operand size (i->osz == 2) truncates the target and, for
 * CALL/RET, moves 2-byte stack slots.  The FORM handlers (rel8/rel32 JMP
 * and CALL, RET C3) are the same bodies for the 64-bit operand size.
 */
#include "cpu.h"
#include "flags.h"
#include "operand.h"
#include "ops.h"

static inline uint64_t branch_target(struct cpu *c, const struct insn *i)
{
	uint64_t t;

	if (i->o[0].kind == OK_IMM)
		t = i->imm;
	else
		t = op_read(c, i, 0);
	return i->osz == 2 ? (t & 0xFFFF) : t;
}

/* To a relative target the decoder proved canonical (FORM rel64,
 * cpu/forms.h), or to any other target after the check. */
static inline __attribute__((always_inline))
void branch_rel(struct cpu *c, uint64_t target, bool proven)
{
	if (proven)
		c->rip = target;
	else
		branch_to(c, target);
}

/* JMP (SDM vol. 2A "JMP"), near: relative or r/m64.  rel: the FORM for a
 * relative, canonical target and the 64-bit operand size. */
static inline __attribute__((always_inline))
void jmp_body(struct cpu *c, const struct insn *i, bool rel)
{
	branch_rel(c, rel ? i->imm : branch_target(c, i), rel);
}

void op_jmp(struct cpu *c, const struct insn *i) { jmp_body(c, i, false); }
void op_jmp_rel(struct cpu *c, const struct insn *i) { jmp_body(c, i, true); }

/*
 * Jcc (SDM vol. 2A "Jcc"): jump when condition cc holds.  One handler per
 * condition (the mnemonic names it), so cond_now() folds to the test of
 * that condition; the FORM handler (op_jX_rel) for a canonical target.
 */
static inline __attribute__((always_inline))
void jcc_body(struct cpu *c, const struct insn *i, unsigned cc, bool rel)
{
	if (cond_now(c, cc))
		branch_rel(c, i->imm, rel);
}

#define JCC(name, cc) \
void op_##name(struct cpu *c, const struct insn *i) { jcc_body(c, i, cc, false); } \
void op_##name##_rel(struct cpu *c, const struct insn *i) { jcc_body(c, i, cc, true); }
JCC(jo, 0) JCC(jno, 1) JCC(jb, 2) JCC(jnb, 3) JCC(jz, 4) JCC(jnz, 5) JCC(jbe, 6) JCC(jnbe, 7)
JCC(js, 8) JCC(jns, 9) JCC(jp, 10) JCC(jnp, 11) JCC(jl, 12) JCC(jnl, 13) JCC(jle, 14) JCC(jnle, 15)
#undef JCC

/*
 * CALL (SDM vol. 2A "CALL"), near: push the return address (c->rip, the
 * next instruction) and jump.  The target (maybe read from memory through
 * the old RSP, e.g. call [rsp+8]) is read and checked before the push, and
 * the push faults before RSP moves.  rel: the FORM for a relative,
 * canonical target (checked at decode) and the 64-bit operand size.
 */
static inline __attribute__((always_inline))
void call_body(struct cpu *c, const struct insn *i, bool rel)
{
	uint64_t t = rel ? i->imm : branch_target(c, i);
	unsigned sz = rel ? 8 : i->osz == 2 ? 2 : 8;

	if (!rel)
		branch_check(c, t);
	if (rel) {
		/* The FORM: the slot through the TLB's pointer (a hit is a
		 * canonical, writable slot in one page), anything else the
		 * general handler's, which redoes the call. */
		uint64_t sp = c->r[R_RSP] - 8;
		uint8_t *p = tlb_host_write(c, sp, 8);
		if (unlikely(!p)) {
			op_call(c, i);
			return;
		}
		store_le(p, 8, c->rip);
		c->r[R_RSP] = sp;
	} else {
		stack_push(c, sz, c->rip & size_mask(sz));
	}
	c->rip = t;
}

/* The general handlers are noinline: a FORM that misses the TLB jumps to
 * one, and one inlined there would cost the FORM a stack frame. */
__attribute__((noinline)) void op_call(struct cpu *c, const struct insn *i) { call_body(c, i, false); }
void op_call_rel(struct cpu *c, const struct insn *i) { call_body(c, i, true); }

/*
 * RET (SDM vol. 2B "RET"), near: pop the return address, then release
 * imm16 more bytes (C2 iw).  A non-canonical return address is #GP(0) with
 * RSP unchanged.  near64: the FORM for C3 with the 64-bit operand size.
 */
static inline __attribute__((always_inline))
void ret_body(struct cpu *c, const struct insn *i, bool near64)
{
	unsigned sz = near64 ? 8 : i->osz == 2 ? 2 : 8;
	uint64_t release = !near64 && i->nops > 0 && i->o[0].kind == OK_IMM ? (i->imm & 0xFFFF) : 0;

	if (near64) {
		/* as for CALL: the TLB's pointer, or the general handler */
		const uint8_t *p = tlb_host_read(c, c->r[R_RSP], 8);
		if (unlikely(!p)) {
			op_ret(c, i);
			return;
		}
		branch_to(c, load_le(p, 8));
	} else {
		branch_to(c, stack_peek(c, sz));
	}
	c->r[R_RSP] += sz + release;
}

__attribute__((noinline)) void op_ret(struct cpu *c, const struct insn *i) { ret_body(c, i, false); }
void op_ret_near(struct cpu *c, const struct insn *i) { ret_body(c, i, true); }

/* Count register of LOOP/JrCXZ at the address size (67h: ECX). */
static inline uint64_t count_read(const struct cpu *c, const struct insn *i)
{
	return i->asz == 4 ? (c->r[R_RCX] & 0xFFFFFFFFULL) : c->r[R_RCX];
}

/* JRCXZ/JECXZ (SDM vol. 2A "Jcc"): jump if the count register is 0. */
void op_jrcxz(struct cpu *c, const struct insn *i)
{
	if (count_read(c, i) == 0)
		branch_to(c, i->imm);
}

/*
 * LOOP/LOOPE/LOOPNE (SDM vol. 2A "LOOP/LOOPcc"): count <- count - 1 at the
 * address size (a 32-bit ECX write zero-extends into RCX, as every 32-bit
 * register write in 64-bit mode), then jump if count != 0 (and ZF = 1 /
 * ZF = 0).  The target is checked before RCX is written so a #GP leaves
 * RCX unchanged.  Flags are not modified.
 */
static void loop_common(struct cpu *c, const struct insn *i, int zf_need)
{
	uint64_t n = (count_read(c, i) - 1) & size_mask(i->asz);
	bool take = n != 0;

	if (take && zf_need >= 0)
		take = cond_eval(c, 4) == (bool)zf_need;   /* cc 4 = E/Z */
	if (take)
		branch_check(c, i->imm);
	c->r[R_RCX] = n;   /* 64-bit: whole RCX; 32-bit: zero-extended ECX */
	if (take)
		c->rip = i->imm;
}

void op_loop(struct cpu *c, const struct insn *i)
{
	loop_common(c, i, -1);
}

void op_loope(struct cpu *c, const struct insn *i)
{
	loop_common(c, i, 1);
}

void op_loopne(struct cpu *c, const struct insn *i)
{
	loop_common(c, i, 0);
}
