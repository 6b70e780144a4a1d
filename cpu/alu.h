/*
 * alu.h - helpers shared by the integer families (alu.c, shift.c, muldiv.c,
 * bitops.c).  Not a contract for other families.
 */
#ifndef LSTAR_ALU_H
#define LSTAR_ALU_H

#include "cpu.h"
#include "flags.h"
#include "operand.h"

/* Source operand n at `size` bytes.  Immediates come from insn->imm, which
 * is already sign-extended (op_read would cut an imm8 of ADD r64 to 8 bits). */
static inline uint64_t alu_src(struct cpu *c, const struct insn *i, int n, unsigned size)
{
	if (i->o[n].kind == OK_IMM)
		return i->imm & size_mask(size);
	return op_read(c, i, n);
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
