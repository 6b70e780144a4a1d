/*
 * alu.h - helpers shared by the integer families (alu.c, shift.c, muldiv.c,
 * bitops.c).  Not a contract for other families.
 */
#ifndef LSTAR_ALU_H
#define LSTAR_ALU_H

#include "cpu.h"
#include "flags.h"
#include "operand.h"
#include "ops.h"

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

/* CF in *cf from the records that give it in a compare (the common
 * producers); false for the others (ADC/SBB, shifts, FL_CFOF), which need
 * flag_cf(). */
static inline bool alu_cf_cheap(const struct cpu *c, uint64_t *cf)
{
	switch (c->lf.op) {
	case FL_NONE:
	case FL_INC:
	case FL_DEC:
		*cf = c->rflags & F_CF;
		return true;
	case FL_ADD:
		*cf = c->lf.res < c->lf.a;
		return true;
	case FL_SUB:
		*cf = c->lf.a < c->lf.b;
		return true;
	case FL_LOGIC:
		*cf = 0;
		return true;
	default:
		return false;
	}
}

static inline uint64_t alu_cf(struct cpu *c)
{
	uint64_t cf;
	return alu_cf_cheap(c, &cf) ? cf : flag_cf(c);
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

/*
 * The bodies of the two-operand ALU instructions and of INC/DEC, written
 * once: cpu/alu.c instantiates them as the OP and FORM handlers,
 * cpu/alu_fuse.c as the first half of its fused compare-and-branch
 * handlers (FUSE rows).
 */
enum { A_ADD, A_OR, A_ADC, A_SBB, A_AND, A_SUB, A_XOR, A_CMP, A_TEST };

static inline uint64_t rmw_add(uint64_t a, uint64_t b, uint64_t cf) { return a + b + cf; }
static inline uint64_t rmw_sub(uint64_t a, uint64_t b, uint64_t cf) { return a - b - cf; }
static inline uint64_t rmw_and(uint64_t a, uint64_t b, uint64_t u) { (void)u; return a & b; }
static inline uint64_t rmw_or(uint64_t a, uint64_t b, uint64_t u) { (void)u; return a | b; }
static inline uint64_t rmw_xor(uint64_t a, uint64_t b, uint64_t u) { (void)u; return a ^ b; }

static inline uint64_t alu_compute(int op, uint64_t a, uint64_t b, uint64_t cf)
{
	switch (op) {
	case A_ADD: return a + b;
	case A_OR: return a | b;
	case A_ADC: return a + b + cf;
	case A_SBB: return a - b - cf;
	case A_AND: case A_TEST: return a & b;
	case A_XOR: return a ^ b;
	default: return a - b;       /* SUB, CMP */
	}
}

/* The general handler of `op`: a memory shape hands it the instruction
 * when the TLB has no pointer for the operand (a constant op: a jump). */
static inline void alu_general(struct cpu *c, const struct insn *i, int op)
{
	switch (op) {
	case A_ADD: op_add(c, i); break;
	case A_OR: op_or(c, i); break;
	case A_ADC: op_adc(c, i); break;
	case A_SBB: op_sbb(c, i); break;
	case A_AND: op_and(c, i); break;
	case A_SUB: op_sub(c, i); break;
	case A_XOR: op_xor(c, i); break;
	case A_CMP: op_cmp(c, i); break;
	default: op_test(c, i); break;
	}
}

/*
 * The eight classic binary operations and TEST, specialised per `op` and
 * per operand shape (cpu/operand.h) by inlining: SH_ANY with size 0 is the
 * general handler (every operand kind, LOCK); the FORM handlers below are
 * the same body for a fixed shape and size.  The memory shapes work on the
 * TLB's host pointer (no stack frame on the hot path); alu_binop_try()
 * returns false on a miss having changed nothing, and the FORM handler then
 * leaves the instruction to the general handler.
 */
static inline __attribute__((always_inline))
bool alu_binop_try(struct cpu *c, const struct insn *i, int op, int sh, unsigned fsz)
{
	unsigned sz = fsz ? fsz : i->o[0].size;
	uint64_t m = size_mask(sz), la = 0, a, b, r, cf = 0;
	static const uint8_t lazy[] = {
		[A_ADD] = FL_ADD, [A_OR] = FL_LOGIC, [A_ADC] = FL_ADC,
		[A_SBB] = FL_SBB, [A_AND] = FL_LOGIC, [A_SUB] = FL_SUB,
		[A_XOR] = FL_LOGIC, [A_CMP] = FL_SUB, [A_TEST] = FL_LOGIC,
	};
	bool writes = op != A_CMP && op != A_TEST;

	if (op == A_ADC || op == A_SBB)
		cf = alu_cf(c);
	if (sh == SH_ANY && unlikely(i->lock)) {
		static const alu_rmw_fn fn[] = {
			[A_ADD] = rmw_add, [A_OR] = rmw_or, [A_ADC] = rmw_add,
			[A_SBB] = rmw_sub, [A_AND] = rmw_and, [A_SUB] = rmw_sub,
			[A_XOR] = rmw_xor,
		};
		if (!writes || i->o[0].kind != OK_MEM)
			cpu_fault(c, EXC_UD, 0);
		b = alu_src(c, i, 1, sz);
		r = alu_lock_rmw(c, insn_ea(c, i), sz, fn[op], b, cf, &a);
	} else if (sh == SH_RM || shape_dst_mem(sh)) {
		uint8_t *p;
		la = insn_la_form(c, i);
		p = shape_dst_mem(sh) && writes ? tlb_host_write(c, la, sz) : tlb_host_read(c, la, sz);
		if (unlikely(!p))
			return false;
		if (sh == SH_RM) {
			a = c->r[i->o[0].reg] & m;
			b = load_le(p, sz);
		} else {
			a = load_le(p, sz);
			b = shape_src_read(c, i, sh, sz);
		}
		r = alu_compute(op, a, b, cf) & m;
		if (writes) {
			if (sh == SH_RM)
				gpr_write(c, i->o[0].reg, sz, r);
			else
				store_le(p, sz, r);
		}
	} else {
		if (sh == SH_ANY) {
			a = alu_read_la(c, i, &la);
			b = alu_src(c, i, 1, sz);
		} else {
			a = shape_dst_read(c, i, sh, sz, &la);
			b = shape_src_read(c, i, sh, sz);
		}
		r = alu_compute(op, a, b, cf) & m;
		if (writes) {
			if (sh == SH_ANY)
				alu_write_la(c, i, la, r);
			else
				shape_dst_write(c, i, sh, sz, la, r);
		}
	}
	if (op == A_ADC || op == A_SBB)
		flags_lazy_keep_cf(c, lazy[op], sz, r, a, b, cf);
	else if (lazy[op] == FL_LOGIC)
		flags_lazy_res(c, FL_LOGIC, sz, r);
	else
		flags_lazy(c, lazy[op], sz, r, a, b);
	return true;
}

/* INC/DEC: SDM vol. 2A "INC", "DEC".  CF unaffected (kept in rflags).
 * The FORM handlers are the register forms at 32 and 64 bits; the
 * general form (fsz 0) always completes. */
static inline __attribute__((always_inline))
bool incdec_try(struct cpu *c, const struct insn *i, int dec, unsigned fsz)
{
	unsigned sz = fsz ? fsz : i->o[0].size;
	uint64_t la = 0, a, r, cf;

	if (fsz) {
		/* The register forms (a loop's counter): CF from the
		 * common records inline; anything rarer (ADC, a shift...)
		 * is left undone here, for the general handler. */
		if (unlikely(!alu_cf_cheap(c, &cf)))
			return false;
	} else {
		cf = alu_cf(c);
		alu_check_lock(c, i);
	}
	if (!fsz && unlikely(i->lock)) {
		r = alu_lock_rmw(c, insn_ea(c, i), sz, dec ? rmw_sub : rmw_add, 1, 0, &a);
	} else {
		a = fsz ? shape_dst_read(c, i, SH_RR, sz, &la) : alu_read_la(c, i, &la);
		r = (dec ? a - 1 : a + 1) & size_mask(sz);
		if (fsz)
			shape_dst_write(c, i, SH_RR, sz, la, r);
		else
			alu_write_la(c, i, la, r);
	}
	flags_lazy_keep_cf(c, dec ? FL_DEC : FL_INC, sz, r, a, 1, cf);
	return true;
}

#endif
