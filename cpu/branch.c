/*
 * branch.c - near control transfers in 64-bit mode: JMP, Jcc, CALL, RET,
 * LOOP/LOOPE/LOOPNE, JRCXZ/JECXZ (SDM vol. 2).  The far forms share the
 * JMP/CALL/RET mnemonics and are handed to cpu/descriptor.c.
 *
 * When a handler runs c->rip is already the next instruction, and relative
 * targets were made absolute at decode time (i->imm).  A target that is not
 * canonical raises #GP(0) *at the branch* (SDM vol. 1 6.3.7 / JMP, CALL,
 * RET "64-bit mode exceptions"): the check comes before RSP, RCX or RIP
 * change.
 *
 * Operand size: near branches are 64-bit; Intel ignores 66h on them while
 * AMD truncates the target to 16 bits.  lstar follows the decoder: a
 * 16-bit operand size (i->osz == 2) truncates the target and, for
 * CALL/RET, moves 2-byte stack slots.
 */
#include "cpu.h"
#include "flags.h"
#include "operand.h"
#include "system.h"

/* Far forms share the JMP/CALL/RET mnemonics and belong to the system
 * family (cpu/descriptor.c).  Weak so a missing one is #UD, not a link
 * error. */
#pragma weak op_far_jmp
#pragma weak op_far_call
#pragma weak op_retf

static void far_or_ud(insn_fn f, struct cpu *c, const struct insn *i)
{
	if (f)
		f(c, i);
	else
		op_ud(c, i);
}

static inline uint64_t branch_target(struct cpu *c, const struct insn *i)
{
	uint64_t t;

	if (i->o[0].kind == OK_IMM)
		t = i->imm;
	else
		t = op_read(c, i, 0);
	return i->osz == 2 ? (t & 0xFFFF) : t;
}

/* JMP (SDM vol. 2A "JMP"), near: relative or r/m64.  FF /5 is far. */
void op_jmp(struct cpu *c, const struct insn *i)
{
	if (unlikely(i->opc == 0xFF && i->modrm_reg == 5)) {
		far_or_ud(op_far_jmp, c, i);
		return;
	}
	branch_to(c, branch_target(c, i));
}

/* Jcc (SDM vol. 2A "Jcc"): jump when condition i->cc holds. */
void op_jcc(struct cpu *c, const struct insn *i)
{
	if (cond_eval(c, i->cc))
		branch_to(c, i->imm);
}

/*
 * CALL (SDM vol. 2A "CALL"), near: push the return address (c->rip, the
 * next instruction) and jump.  The target (maybe read from memory through
 * the old RSP, e.g. call [rsp+8]) is read and checked before the push, and
 * the push faults before RSP moves.  FF /3 (far) goes to op_far_call.
 */
void op_call(struct cpu *c, const struct insn *i)
{
	if (unlikely(i->opc == 0xFF && i->modrm_reg == 3)) {   /* FF /3: far */
		far_or_ud(op_far_call, c, i);
		return;
	}
	uint64_t t = branch_target(c, i);
	unsigned sz = i->osz == 2 ? 2 : 8;

	branch_check(c, t);
	stack_push(c, sz, c->rip & size_mask(sz));
	c->rip = t;
}

/*
 * RET (SDM vol. 2B "RET"), near: pop the return address, then release
 * imm16 more bytes (C2 iw).  A non-canonical return address is #GP(0) with
 * RSP unchanged.  CA/CB (far RET) share the mnemonic: op_retf.
 */
void op_ret(struct cpu *c, const struct insn *i)
{
	if (unlikely(i->opc == 0xCA || i->opc == 0xCB)) {   /* far RET */
		far_or_ud(op_retf, c, i);
		return;
	}
	unsigned sz = i->osz == 2 ? 2 : 8;

	branch_to(c, stack_peek(c, sz));
	c->r[R_RSP] += sz + (i->nops > 0 && i->o[0].kind == OK_IMM ? (i->imm & 0xFFFF) : 0);
}

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
