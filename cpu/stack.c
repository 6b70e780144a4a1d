/*
 * stack.c - PUSH, POP, ENTER, LEAVE, PUSHF/PUSHFQ, POPF/POPFQ in 64-bit
 * mode (SDM vol. 2B).
 *
 * In 64-bit mode the stack address size is always 64 bits and SS has base
 * 0; the operand size is 64 bits or, with 66h, 16 bits (i->osz).  A stack
 * access whose address is not canonical raises #SS(0).  Every handler
 * finishes its memory accesses before it writes RSP or any other register,
 * so a fault leaves the registers as they were.
 */
#include "cpu.h"
#include "flags.h"
#include "operand.h"
#include "ops.h"
#include "system.h"   /* seg_load(): POP FS/GS */

/*
 * PUSH (SDM vol. 2B "PUSH"): a memory source with RSP as base uses RSP
 * before the decrement; PUSH RSP pushes the old value (the register is
 * read before anything changes).  Immediates are sign-extended to the
 * operand size.  PUSH FS/GS pushes the selector zero-extended to 64 bits
 * (the SDM allows a 16-bit write on some processors; lstar writes all 8).
 * `kind` is the operand kind a FORM fixes (0: read it from the insn) and
 * fsz its slot size.
 */
static inline __attribute__((always_inline))
bool push_body(struct cpu *c, const struct insn *i, unsigned kind, unsigned fsz)
{
	unsigned sz = fsz ? fsz : i->osz == 2 ? 2 : 8;
	const struct operand *o = &i->o[0];
	uint64_t v;

	switch (kind ? kind : o->kind) {
	case OK_GPR:
		v = c->r[o->reg];
		break;
	case OK_MEM:
		v = mem_read(c, insn_la(c, i), sz);
		break;
	case OK_IMM:
		v = i->imm;
		break;
	case OK_SREG:
		v = c->seg[o->reg].sel;
		break;
	default:
		op_ud(c, i);
		return true;
	}
	if (fsz == 8 && kind != OK_MEM) {
		/* The register and immediate FORMs: the slot through the
		 * TLB's pointer (a hit is a canonical, writable slot in one
		 * page), anything else the general handler's, which redoes
		 * the push -- so nothing may be read from memory before
		 * (PUSH m64 would read its operand twice: a memory hook, a
		 * device register would see both). */
		uint64_t sp = c->r[R_RSP] - 8;
		uint8_t *p = tlb_host_write(c, sp, 8);
		if (unlikely(!p))
			return false;
		store_le(p, 8, v);
		c->r[R_RSP] = sp;
		return true;
	}
	stack_push(c, sz, v & size_mask(sz));
	return true;
}

/* The general handlers are noinline: a FORM that misses the TLB jumps to
 * one, and one inlined there would cost the FORM a stack frame. */
__attribute__((noinline)) void op_push(struct cpu *c, const struct insn *i) { push_body(c, i, 0, 0); insn_next(c, i); }
void op_push_r64(struct cpu *c, const struct insn *i) { if (likely(push_body(c, i, OK_GPR, 8))) insn_next(c, i); else op_push(c, i); }
void op_push_i64(struct cpu *c, const struct insn *i) { if (likely(push_body(c, i, OK_IMM, 8))) insn_next(c, i); else op_push(c, i); }
void op_push_m64(struct cpu *c, const struct insn *i) { if (likely(push_body(c, i, OK_MEM, 8))) insn_next(c, i); else op_push(c, i); }

/* Effective address of a POP destination: "if RSP is used as a base
 * register for addressing a destination operand in memory, POP computes
 * the effective address after it increments RSP". */
static uint64_t pop_dest_ea(struct cpu *c, const struct insn *i, uint64_t newsp)
{
	uint64_t old = c->r[R_RSP];
	c->r[R_RSP] = newsp;
	uint64_t a = insn_lea(c, i);   /* no fault in here */
	c->r[R_RSP] = old;
	if (i->seg == SEG_FS || i->seg == SEG_GS)
		a += c->seg[i->seg].base;
	if (!is_canonical(a))
		cpu_fault(c, i->seg == SEG_SS ? EXC_SS : EXC_GP, 0);
	return a;
}

/*
 * POP (SDM vol. 2B "POP"): POP RSP loads RSP with the popped value (the
 * increment happens first and is overwritten); a 16-bit POP SP replaces
 * the low 16 bits of the incremented RSP.  POP FS/GS loads the segment
 * through seg_load() (which may fault) before RSP moves.  `kind` and fsz
 * as for PUSH.
 */
static inline __attribute__((always_inline))
bool pop_body(struct cpu *c, const struct insn *i, unsigned kind, unsigned fsz)
{
	unsigned sz = fsz ? fsz : i->osz == 2 ? 2 : 8;
	const struct operand *o = &i->o[0];

	if (kind == OK_GPR && fsz == 8) {
		/* as for PUSH: the TLB's pointer, or the general handler */
		uint64_t sp = c->r[R_RSP];
		const uint8_t *p = tlb_host_read(c, sp, 8);
		if (unlikely(!p))
			return false;
		c->r[R_RSP] = sp + 8;
		c->r[o->reg] = load_le(p, 8);   /* POP RSP: the value wins */
		return true;
	}
	uint64_t v = stack_peek(c, sz);
	uint64_t newsp = c->r[R_RSP] + sz;

	switch (kind ? kind : o->kind) {
	case OK_GPR:
		c->r[R_RSP] = newsp;
		gpr_write(c, o->reg, sz, v);
		break;
	case OK_MEM:
		mem_write(c, pop_dest_ea(c, i, newsp), sz, v);
		c->r[R_RSP] = newsp;
		break;
	case OK_SREG:
		seg_load(c, o->reg, (uint16_t)v);
		c->r[R_RSP] = newsp;
		cpu_leave_block(c);
		break;
	default:
		op_ud(c, i);
	}
	return true;
}

__attribute__((noinline)) void op_pop(struct cpu *c, const struct insn *i) { pop_body(c, i, 0, 0); insn_next(c, i); }
void op_pop_r64(struct cpu *c, const struct insn *i) { if (likely(pop_body(c, i, OK_GPR, 8))) insn_next(c, i); else op_pop(c, i); }

/*
 * ENTER (SDM vol. 2A "ENTER"), 64-bit stack:
 *   Push(RBP); FrameTemp <- RSP;
 *   for level > 1: level-1 times RBP -= size, Push([RBP]);
 *   if level > 0: Push(FrameTemp);
 *   RBP <- FrameTemp; RSP <- RSP - AllocSize.
 * The level is imm8 MOD 32.  Everything is done on locals and committed at
 * the end, so a fault part way leaves RSP and RBP unchanged.
 */
void op_enter(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->osz == 2 ? 2 : 8;
	uint64_t alloc = i->imm & 0xFFFF;
	unsigned level = (unsigned)(i->imm2 & 31);
	uint64_t sp = c->r[R_RSP] - sz, bp = c->r[R_RBP];

	stack_check(c, sp, sz);
	mem_write(c, sp, sz, bp & size_mask(sz));
	uint64_t frame = sp;
	if (level > 0) {
		for (unsigned k = 1; k < level; k++) {
			bp -= sz;
			stack_check(c, bp, sz);
			uint64_t v = mem_read(c, bp, sz);
			sp -= sz;
			stack_check(c, sp, sz);
			mem_write(c, sp, sz, v);
		}
		sp -= sz;
		stack_check(c, sp, sz);
		mem_write(c, sp, sz, frame & size_mask(sz));
	}
	gpr_write(c, R_RBP, sz, frame);
	c->r[R_RSP] = sp - alloc;
}

/*
 * LEAVE (SDM vol. 2A "LEAVE"): RSP <- RBP; RBP <- Pop().  With 66h only BP
 * is popped (2 bytes); RSP is still the whole RBP (64-bit stack).
 */
void op_leave(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->osz == 2 ? 2 : 8;
	uint64_t sp = c->r[R_RBP];

	stack_check(c, sp, sz);
	uint64_t v = mem_read(c, sp, sz);
	c->r[R_RSP] = sp + sz;
	gpr_write(c, R_RBP, sz, v);
}

/*
 * PUSHF/PUSHFQ (SDM vol. 2B "PUSHF/PUSHFD/PUSHFQ"): the image has VM and RF
 * cleared.  In 64-bit mode there is no IOPL check (that is virtual-8086
 * only).  66h pushes the low 16 bits.
 */
void op_pushf(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->osz == 2 ? 2 : 8;
	uint64_t f = flags_get(c) & ~(F_RF | F_VM);
	stack_push(c, sz, f & size_mask(sz));
}

/*
 * POPF/POPFQ (SDM vol. 2B "POPF/POPFD/POPFQ", table "Effect of POPF"):
 *   CPL 0:          all non-reserved flags but RF, VIP, VIF, VM change;
 *   0 < CPL <= IOPL: the same except IOPL;
 *   CPL > IOPL:     the same except IOPL and IF.
 * No fault for the unprivileged bits: they silently keep their value.  RF
 * ends 0; VIP, VIF, VM are unaffected.  POPF (66h) changes bits 15:0 only.
 * Changing TF, IF, AC or IOPL alters how the loop must run, so the block
 * ends.
 */
void op_popf(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->osz == 2 ? 2 : 8;
	uint64_t v = stack_peek(c, sz);
	uint64_t old = flags_get(c);
	uint64_t mask = F_ARITH | F_TF | F_DF | F_NT | F_AC | F_ID;
	unsigned iopl = (unsigned)((old & F_IOPL) >> 12);

	if (c->cpl == 0)
		mask |= F_IOPL | F_IF;
	else if ((unsigned)c->cpl <= iopl)
		mask |= F_IF;
	if (sz == 2)
		mask &= 0xFFFF;

	uint64_t nf = ((old & ~mask) | (v & mask)) & ~F_RF;
	c->r[R_RSP] += sz;
	flags_set(c, nf);
	if ((old ^ nf) & (F_TF | F_IF | F_AC | F_IOPL))
		cpu_leave_block(c);
	if (nf & ~old & F_IF)
		cpu_irq_window(c);   /* no shadow after POPF (SDM vol. 2B STI, POPF) */
}
