/*
 * operand.h - reading and writing the operands of a predecoded instruction.
 *
 * Register write rules of 64-bit mode: a 32-bit write zero-extends into the
 * full register, 8- and 16-bit writes leave the other bits alone.
 */
#ifndef LSTAR_OPERAND_H
#define LSTAR_OPERAND_H

#include "cpu.h"
#include "mmu.h"

/* base + index*scale + disp, truncated to the address size: the offset
 * of the memory operand.  An absent base or index is R_ZERO, so no test. */
static inline uint64_t insn_offset(const struct cpu *c, const struct insn *i)
{
	uint64_t a = (uint64_t)i->disp + c->r[i->ea_base] + c->r[i->ea_index] * i->scale;
	if (unlikely(i->asz == 4))
		a &= 0xFFFFFFFFULL;
	return a;
}

/* Linear address of the memory operand: the offset plus the FS/GS base
 * (the other segments' bases are 0 in 64-bit mode), with no canonical
 * check.  Only for an address that goes straight to mem_read() or
 * mem_write(): a non-canonical address never hits the TLB (its tags are
 * canonical), and mmu_translate() raises the fault insn_ea() would,
 * #SS(0) or #GP(0) by the instruction's segment.  It is the hot path of
 * every instruction with a memory operand. */
static inline uint64_t insn_la(struct cpu *c, const struct insn *i)
{
	uint64_t a = insn_offset(c, i);
	if (i->seg == SEG_FS || i->seg == SEG_GS)
		a += c->seg[i->seg].base;
	return a;
}

/* The linear address in a FORM handler's fast path: its form
 * (form_flat() in cpu/forms.h) guarantees the 64-bit address size and no
 * FS/GS override, so the offset is the linear address. */
static inline uint64_t insn_la_form(const struct cpu *c, const struct insn *i)
{
	return (uint64_t)i->disp + c->r[i->ea_base] + c->r[i->ea_index] * i->scale;
}

/* The linear address, checked: a non-canonical one raises #SS(0) when the
 * stack is the segment (base RSP/RBP), else #GP(0), before anything else
 * the instruction checks (alignment, the second half of a wide operand). */
static inline uint64_t insn_ea(struct cpu *c, const struct insn *i)
{
	uint64_t a = insn_la(c, i);
	if (unlikely(!is_canonical(a)))
		cpu_fault(c, i->seg == SEG_SS ? EXC_SS : EXC_GP, 0);
	return a;
}

/* Offset only (LEA): no segment base, no canonical check. */
static inline uint64_t insn_lea(struct cpu *c, const struct insn *i)
{
	return insn_offset(c, i);
}

static inline uint64_t reg_read(const struct cpu *c, const struct operand *o)
{
	if (unlikely(o->kind == OK_GPR8H))
		return (c->r[o->reg] >> 8) & 0xFF;
	return c->r[o->reg] & size_mask(o->size);
}

static inline void reg_write(struct cpu *c, const struct operand *o, uint64_t v)
{
	uint64_t *r = &c->r[o->reg];
	switch (o->size) {
	case 8: *r = v; break;
	case 4: *r = (uint32_t)v; break;
	case 2: *r = (*r & ~0xFFFFULL) | (v & 0xFFFF); break;
	default:
		if (o->kind == OK_GPR8H)
			*r = (*r & ~0xFF00ULL) | ((v & 0xFF) << 8);
		else
			*r = (*r & ~0xFFULL) | (v & 0xFF);
	}
}

/* Write a general register by number at a size (8-bit: low byte). */
static inline void gpr_write(struct cpu *c, unsigned reg, unsigned size, uint64_t v)
{
	struct operand o = { OK_GPR, (uint8_t)reg, (uint16_t)size };
	reg_write(c, &o, v);
}

/* Read operand n zero-extended to 64 bits.  For OK_MEM the address is
 * computed here; use op_read_la()/op_write_la() for read-modify-write. */
static inline uint64_t op_read(struct cpu *c, const struct insn *i, int n)
{
	const struct operand *o = &i->o[n];
	switch (o->kind) {
	case OK_GPR: return c->r[o->reg] & size_mask(o->size);
	case OK_GPR8H: return (c->r[o->reg] >> 8) & 0xFF;
	case OK_MEM: return mem_read(c, insn_la(c, i), o->size);
	case OK_IMM: return i->imm & size_mask(o->size);
	case OK_IMM2: return i->imm2 & size_mask(o->size);
	default: return 0;
	}
}

static inline void op_write(struct cpu *c, const struct insn *i, int n, uint64_t v)
{
	const struct operand *o = &i->o[n];
	if (o->kind == OK_MEM)
		mem_write(c, insn_la(c, i), o->size, v);
	else
		reg_write(c, o, v);
}

/* Read operand n; for memory also return its linear address in *la so the
 * result can be written back with op_write_la() without recomputing it. */
static inline uint64_t op_read_la(struct cpu *c, const struct insn *i, int n, uint64_t *la)
{
	const struct operand *o = &i->o[n];
	if (o->kind == OK_MEM) {
		*la = insn_la(c, i);
		return mem_read(c, *la, o->size);
	}
	return op_read(c, i, n);
}

static inline void op_write_la(struct cpu *c, const struct insn *i, int n, uint64_t la, uint64_t v)
{
	const struct operand *o = &i->o[n];
	if (o->kind == OK_MEM)
		mem_write(c, la, o->size, v);
	else
		reg_write(c, o, v);
}

/*
 * Operand shapes.  An instruction whose handler is specialised at decode
 * time (a FORM row, cpu/ops.def) is written once as an always-inline body
 * that takes a shape; SH_ANY makes it the general handler, which reads the
 * operand kinds from the insn at run time.  For the other shapes the
 * decoder has checked (cpu/forms.h) that the registers are general
 * registers of the operation's size -- never AH..BH -- and that there is no
 * LOCK, so the body's kind tests fold away and what is left is the same
 * computation as the general handler's:
 *   SH_RR reg, reg   SH_RI reg, imm   SH_RM reg, [mem]
 *   SH_MR [mem], reg   SH_MI [mem], imm
 * The accessors below serve the specialised shapes only; each family keeps
 * its own SH_ANY accessors.
 */
enum { SH_ANY, SH_RR, SH_RI, SH_RM, SH_MR, SH_MI };

static inline bool shape_dst_mem(int sh)
{
	return sh == SH_MR || sh == SH_MI;
}

/* Destination (operand 0) of a read-modify-write at `size`; *la gets the
 * address of a memory destination for shape_dst_write(). */
static inline __attribute__((always_inline))
uint64_t shape_dst_read(struct cpu *c, const struct insn *i, int sh, unsigned size, uint64_t *la)
{
	if (shape_dst_mem(sh)) {
		*la = insn_la(c, i);
		return mem_read(c, *la, size);
	}
	return c->r[i->o[0].reg] & size_mask(size);
}

/* Source (operand 1) at `size`; an immediate comes sign-extended from
 * decode and is cut to size. */
static inline __attribute__((always_inline))
uint64_t shape_src_read(struct cpu *c, const struct insn *i, int sh, unsigned size)
{
	switch (sh) {
	case SH_RI:
	case SH_MI:
		return i->imm & size_mask(size);
	case SH_RM:
		return mem_read(c, insn_la(c, i), size);
	default:   /* SH_RR, SH_MR */
		return c->r[i->o[1].reg] & size_mask(size);
	}
}

/* Write the destination: memory at la, or the register with the 64-bit
 * mode rules (32 bits zero-extend, 8/16 bits merge). */
static inline __attribute__((always_inline))
void shape_dst_write(struct cpu *c, const struct insn *i, int sh, unsigned size, uint64_t la,
		     uint64_t v)
{
	if (shape_dst_mem(sh))
		mem_write(c, la, size, v);
	else
		gpr_write(c, i->o[0].reg, size, v);
}

/* Sign-extend the low `size` bytes of v. */
static inline int64_t sext(uint64_t v, unsigned size)
{
	switch (size) {
	case 1: return (int8_t)v;
	case 2: return (int16_t)v;
	case 4: return (int32_t)v;
	default: return (int64_t)v;
	}
}

/*
 * Stack and near-branch helpers: every handler that touches the stack or
 * transfers control within the code segment goes through these, the
 * decode-time specialisations as much as the general handlers, so that the
 * fault rules cannot differ between two forms of one instruction.
 *
 * 64-bit stack: SS has base 0, the address size is 64 bits.  A stack
 * access any byte of which is non-canonical raises #SS(0) (SDM vol. 1
 * 3.3.7.1); RSP moves only after the access succeeded.
 */
static inline void stack_check(struct cpu *c, uint64_t sp, unsigned size)
{
	if (unlikely(!is_canonical(sp) || !is_canonical(sp + size - 1)))
		cpu_fault(c, EXC_SS, 0);
}

/* Push `size` (2 or 8) bytes: write first, RSP last. */
static inline void stack_push(struct cpu *c, unsigned size, uint64_t v)
{
	uint64_t sp = c->r[R_RSP] - size;
	stack_check(c, sp, size);
	mem_write(c, sp, size, v);
	c->r[R_RSP] = sp;
}

/* Read the top `size` bytes of the stack without popping them. */
static inline uint64_t stack_peek(struct cpu *c, unsigned size)
{
	uint64_t sp = c->r[R_RSP];
	stack_check(c, sp, size);
	return mem_read(c, sp, size);
}

static inline uint64_t stack_pop(struct cpu *c, unsigned size)
{
	uint64_t v = stack_peek(c, size);
	c->r[R_RSP] += size;
	return v;
}

static inline void push64(struct cpu *c, uint64_t v)
{
	stack_push(c, 8, v);
}

static inline uint64_t pop64(struct cpu *c)
{
	return stack_pop(c, 8);
}

/* A near branch to a non-canonical target is #GP(0) raised at the branch,
 * before anything changes (SDM vol. 2 JMP, Jcc, CALL, RET, LOOP: 64-bit
 * mode exceptions). */
static inline void branch_check(struct cpu *c, uint64_t target)
{
	if (unlikely(!is_canonical(target)))
		cpu_fault(c, EXC_GP, 0);
}

static inline void branch_to(struct cpu *c, uint64_t target)
{
	branch_check(c, target);
	c->rip = target;
}

#endif
