/*
 * alu.h - helpers shared by the integer families (alu.c, shift.c, muldiv.c,
 * bitops.c).  Not a contract for other families.
 */
#ifndef LSTAR_ALU_H
#define LSTAR_ALU_H

#include "cpu.h"
#include "flags.h"
#include "operand.h"

/* Operand n (register, AH..BH or memory), always inlined: op_read() is
 * large enough that the compiler calls it out of line, which showed up at
 * ~10% of an ALU loop's profile. */
static inline __attribute__((always_inline))
uint64_t alu_read(struct cpu *c, const struct insn *i, int n)
{
	const struct operand *o = &i->o[n];

	if (likely(o->kind == OK_GPR))
		return c->r[o->reg] & size_mask(o->size);
	if (o->kind == OK_MEM)
		return mem_read(c, insn_la(c, i), o->size);
	return op_read(c, i, n);
}

/* Destination operand 0 for read-modify-write: *la gets the linear address
 * of a memory operand for alu_write_la(). */
static inline __attribute__((always_inline))
uint64_t alu_read_la(struct cpu *c, const struct insn *i, uint64_t *la)
{
	const struct operand *o = &i->o[0];

	if (likely(o->kind == OK_GPR))
		return c->r[o->reg] & size_mask(o->size);
	if (o->kind == OK_MEM) {
		*la = insn_la(c, i);
		return mem_read(c, *la, o->size);
	}
	return op_read(c, i, 0);
}

static inline __attribute__((always_inline))
void alu_write_la(struct cpu *c, const struct insn *i, uint64_t la, uint64_t v)
{
	const struct operand *o = &i->o[0];

	if (likely(o->kind == OK_GPR)) {
		uint64_t *r = &c->r[o->reg];
		switch (o->size) {
		case 8: *r = v; return;
		case 4: *r = (uint32_t)v; return;
		case 2: *r = (*r & ~0xFFFFULL) | (v & 0xFFFF); return;
		default: *r = (*r & ~0xFFULL) | (v & 0xFF); return;
		}
	}
	op_write_la(c, i, 0, la, v);
}

/* Source operand n at `size` bytes.  Immediates come from insn->imm, which
 * is already sign-extended (op_read would cut an imm8 of ADD r64 to 8 bits). */
static inline __attribute__((always_inline))
uint64_t alu_src(struct cpu *c, const struct insn *i, int n, unsigned size)
{
	if (i->o[n].kind == OK_IMM)
		return i->imm & size_mask(size);
	return alu_read(c, i, n);
}

/* Inline versions of the flags.c accessors for the handlers' hot paths
 * (same semantics as flags_set_arith(), flag_cf(), flags_get()). */
static inline void alu_set_arith(struct cpu *c, uint64_t bits)
{
	c->rflags = (c->rflags & ~F_ARITH) | bits;
	c->lf.op = FL_NONE;
}

static inline uint64_t alu_cf(struct cpu *c)
{
	switch (c->lf.op) {
	case FL_NONE:
	case FL_INC:
	case FL_DEC:
		return c->rflags & F_CF;
	case FL_ADD:
		return c->lf.res < c->lf.a;
	case FL_SUB:
		return c->lf.a < c->lf.b;
	case FL_LOGIC:
		return 0;
	default:
		return flag_cf(c);
	}
}

static inline uint64_t alu_flags_get(struct cpu *c)
{
	return likely(c->lf.op == FL_NONE) ? c->rflags : flags_get(c);
}

/* Sign bit of v at size. */
static inline uint64_t alu_msb(uint64_t v, unsigned size)
{
	return (v >> (size * 8 - 1)) & 1;
}

/* ZF, SF and PF of a result (zero-extended to size). */
static inline uint64_t alu_szp(uint64_t res, unsigned size)
{
	return (res == 0 ? F_ZF : 0) | (alu_msb(res, size) ? F_SF : 0) | parity_flag(res);
}

/* LOCK on a register destination, or on an instruction that is not
 * lockable, is #UD (SDM vol. 2 "LOCK"). */
static inline void alu_check_lock(struct cpu *c, const struct insn *i)
{
	if (unlikely(i->lock) && i->o[0].kind != OK_MEM)
		cpu_fault(c, EXC_UD, 0);
}

/*
 * Locked read-modify-write of `size` bytes at linear la: new = f(old, arg,
 * arg2) & mask, done with a host atomic compare-and-swap when the operand is
 * naturally aligned inside one RAM page, else as a plain read then write
 * (equivalent on lstar's single CPU; docs/flags.md).  Returns the new value
 * and stores the old one in *old.  Faults (#PF/#GP) before writing anything.
 */
typedef uint64_t (*alu_rmw_fn)(uint64_t old, uint64_t arg, uint64_t arg2);
uint64_t alu_lock_rmw(struct cpu *c, uint64_t la, unsigned size, alu_rmw_fn f,
		      uint64_t arg, uint64_t arg2, uint64_t *old);

#endif
