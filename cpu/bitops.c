/*
 * bitops.c - single-bit and bit-scan instructions: BT BTS BTR BTC, BSF BSR,
 * TZCNT LZCNT POPCNT, BSWAP (SDM vol. 2A/2B, each instruction's page).
 *
 * Undefined flags (docs/flags.md): BT* leave OF SF AF PF as they were (and
 * ZF, which Intel defines as unaffected); BSF/BSR, TZCNT/LZCNT leave their
 * undefined flags as they were, matching AMD Zen.
 */
#include "alu.h"

static uint64_t rmw_bts(uint64_t a, uint64_t bit, uint64_t u) { (void)u; return a | (1ULL << bit); }
static uint64_t rmw_btr(uint64_t a, uint64_t bit, uint64_t u) { (void)u; return a & ~(1ULL << bit); }
static uint64_t rmw_btc(uint64_t a, uint64_t bit, uint64_t u) { (void)u; return a ^ (1ULL << bit); }

enum { B_BT, B_BTS, B_BTR, B_BTC };

/*
 * BT/BTS/BTR/BTC: CF = the selected bit, then set/clear/complement it.
 * With a register destination, or an immediate bit offset, the offset is
 * taken modulo the operand size.  With a memory destination and a register
 * offset the operand is a bit string: the offset is a signed full-width
 * integer and the accessed operand-sized word is at
 * EA + (offset SAR log2(bits)) * size  (SDM "BT", "Bit(BitBase, BitOffset)").
 */
static inline __attribute__((always_inline))
void bt_op(struct cpu *c, const struct insn *i, int op)
{
	unsigned sz = i->o[0].size, bits = sz * 8;
	uint64_t la = 0, a, r, off, f;

	if (unlikely(i->lock) && (op == B_BT || i->o[0].kind != OK_MEM))
		cpu_fault(c, EXC_UD, 0);
	if (i->o[1].kind == OK_IMM) {
		off = i->imm & (bits - 1);
	} else {
		off = alu_read(c, i, 1);
		if (i->o[0].kind == OK_MEM) {
			/* The word offset joins the effective address before
			 * the address-size wrap; the FS/GS base comes after. */
			int64_t soff = sext(off, sz);
			la = insn_lea(c, i) + (uint64_t)((soff >> (sz == 2 ? 4 : sz == 4 ? 5 : 6)) * (int64_t)sz);
			if (i->asz == 4)
				la &= 0xFFFFFFFFULL;
			if (i->seg == SEG_FS || i->seg == SEG_GS)
				la += c->seg[i->seg].base;
			if (unlikely(!is_canonical(la)))
				cpu_fault(c, i->seg == SEG_SS ? EXC_SS : EXC_GP, 0);
		}
		off &= bits - 1;
	}
	if (i->o[0].kind == OK_MEM && i->o[1].kind == OK_IMM)
		la = insn_ea(c, i);
	if (unlikely(i->lock)) {
		static const alu_rmw_fn fn[] = { NULL, rmw_bts, rmw_btr, rmw_btc };
		alu_lock_rmw(c, la, sz, fn[op], off, 0, &a);
	} else {
		if (i->o[0].kind == OK_MEM)
			a = mem_read(c, la, sz);
		else
			a = alu_read(c, i, 0);
		if (op != B_BT) {
			switch (op) {
			case B_BTS: r = a | (1ULL << off); break;
			case B_BTR: r = a & ~(1ULL << off); break;
			default: r = a ^ (1ULL << off); break;
			}
			if (i->o[0].kind == OK_MEM)
				mem_write(c, la, sz, r);
			else
				reg_write(c, &i->o[0], r);
		}
	}
	f = alu_flags_get(c);
	alu_set_arith(c, (f & ~F_CF) | ((a >> off) & 1));
}

void op_bt(struct cpu *c, const struct insn *i) { bt_op(c, i, B_BT); }
void op_bts(struct cpu *c, const struct insn *i) { bt_op(c, i, B_BTS); }
void op_btr(struct cpu *c, const struct insn *i) { bt_op(c, i, B_BTR); }
void op_btc(struct cpu *c, const struct insn *i) { bt_op(c, i, B_BTC); }

/*
 * BSF/BSR: index of the lowest/highest set bit.  A zero source sets ZF and
 * leaves the destination unchanged (AMD documents this; Intel calls it
 * undefined but its hardware does the same), including the upper half of a
 * 64-bit register for a 32-bit operand.  CF OF SF AF PF undefined: kept.
 */
static inline void bsx(struct cpu *c, const struct insn *i, int rev)
{
	unsigned sz = i->o[0].size;
	uint64_t s = alu_read(c, i, 1), f = alu_flags_get(c) & ~F_ZF;

	if (s == 0) {
		alu_set_arith(c, f | F_ZF);
		return;
	}
	reg_write(c, &i->o[0], rev ? 63 - (unsigned)__builtin_clzll(s)
				   : (unsigned)__builtin_ctzll(s));
	(void)sz;
	alu_set_arith(c, f);
}

void op_bsf(struct cpu *c, const struct insn *i) { bsx(c, i, 0); }
void op_bsr(struct cpu *c, const struct insn *i) { bsx(c, i, 1); }

/* TZCNT/LZCNT (BMI1/LZCNT): the count of trailing/leading zero bits, the
 * operand size for 0.  CF = (source == 0), ZF = (result == 0); OF SF AF PF
 * undefined: OF kept, SF AF PF cleared, as AMD Zen does. */
static inline void xzcnt(struct cpu *c, const struct insn *i, int lead)
{
	unsigned sz = i->o[0].size, bits = sz * 8, n;
	/* OF kept, SF AF PF cleared (undefined; AMD Zen behaviour) */
	uint64_t s = alu_read(c, i, 1), f = alu_flags_get(c) & F_OF;

	if (s == 0)
		n = bits;
	else if (lead)
		n = (unsigned)__builtin_clzll(s) - (64 - bits);
	else
		n = (unsigned)__builtin_ctzll(s);
	reg_write(c, &i->o[0], n);
	alu_set_arith(c, f | (s == 0 ? F_CF : 0) | (n == 0 ? F_ZF : 0));
}

void op_tzcnt(struct cpu *c, const struct insn *i) { xzcnt(c, i, 0); }
void op_lzcnt(struct cpu *c, const struct insn *i) { xzcnt(c, i, 1); }

/* POPCNT: number of set bits; ZF = (source == 0), CF OF SF AF PF = 0. */
void op_popcnt(struct cpu *c, const struct insn *i)
{
	uint64_t s = alu_read(c, i, 1);

	reg_write(c, &i->o[0], (uint64_t)__builtin_popcountll(s));
	alu_set_arith(c, s == 0 ? F_ZF : 0);
}

/* BSWAP: reverse the bytes of a 32/64-bit register.  With a 16-bit operand
 * the result is undefined; lstar writes 0 to the low word, as Intel and AMD
 * hardware do. */
void op_bswap(struct cpu *c, const struct insn *i)
{
	const struct operand *o = &i->o[0];
	uint64_t v = c->r[o->reg];

	switch (o->size) {
	case 8: c->r[o->reg] = __builtin_bswap64(v); break;
	case 4: c->r[o->reg] = __builtin_bswap32((uint32_t)v); break;
	default: reg_write(c, o, 0); break;
	}
}

/* ---- BMI1 / BMI2 bit manipulation (VEX, 32/64-bit) ----------------------
 * SDM vol. 2A "ANDN", "BEXTR", "BLSI", "BLSMSK", "BLSR", "BZHI", vol. 2B
 * "PDEP", "PEXT".  Undefined AF PF (and SF of BEXTR): lstar follows AMD
 * Zen: PF from the result, AF = 0 (BEXTR: AF = 1, SF = 0, as its shifts). */

/* ANDN dest, src1, src2: dest = ~src1 & src2.  SF ZF from the result,
 * CF = OF = 0, AF PF undefined: PF from the result, AF = 0. */
void op_andn(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->o[0].size;
	uint64_t r = ~alu_read(c, i, 1) & alu_read(c, i, 2) & size_mask(sz);

	reg_write(c, &i->o[0], r);
	alu_set_arith(c, alu_szp(r, sz));
}

/* BEXTR dest, src, ctl: ctl[7:0] = start, ctl[15:8] = length.  ZF from the
 * result, CF = OF = 0, AF SF PF undefined: AF = 1, SF = 0, PF from the
 * result. */
void op_bextr(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->o[0].size, bits = sz * 8;
	uint64_t s = alu_read(c, i, 1), ctl = alu_read(c, i, 2), r;
	unsigned start = ctl & 0xFF, len = (ctl >> 8) & 0xFF;

	r = start < bits ? s >> start : 0;
	if (len < 64)
		r &= (1ULL << len) - 1;
	reg_write(c, &i->o[0], r);
	alu_set_arith(c, F_AF | parity_flag(r) | (r == 0 ? F_ZF : 0));
}

enum { BL_SI, BL_SMSK, BL_SR };

/* BLSI (lowest set bit), BLSMSK (mask up to it), BLSR (clear it).
 * CF: BLSI src != 0, BLSMSK/BLSR src == 0; ZF SF from the result (BLSMSK
 * defines ZF = 0, which its result implies); OF = 0; AF = 0, PF from the
 * result. */
static inline void bls(struct cpu *c, const struct insn *i, int op)
{
	unsigned sz = i->o[0].size;
	uint64_t s = alu_read(c, i, 1), m = size_mask(sz), r, cf;

	switch (op) {
	case BL_SI: r = s & -s; cf = s != 0; break;
	case BL_SMSK: r = (s - 1) ^ s; cf = s == 0; break;
	default: r = (s - 1) & s; cf = s == 0; break;
	}
	r &= m;
	reg_write(c, &i->o[0], r);
	alu_set_arith(c, alu_szp(r, sz) | (cf ? F_CF : 0));
}

void op_blsi(struct cpu *c, const struct insn *i) { bls(c, i, BL_SI); }
void op_blsmsk(struct cpu *c, const struct insn *i) { bls(c, i, BL_SMSK); }
void op_blsr(struct cpu *c, const struct insn *i) { bls(c, i, BL_SR); }

/* BZHI dest, src, idx: clear the bits from idx[7:0] up.  CF = (index >=
 * operand size, nothing cleared); ZF SF from the result; OF = 0; AF = 0,
 * PF from the result. */
void op_bzhi(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->o[0].size, bits = sz * 8;
	uint64_t s = alu_read(c, i, 1), n = alu_read(c, i, 2) & 0xFF, r;

	r = n < bits ? s & ((1ULL << n) - 1) : s;
	reg_write(c, &i->o[0], r);
	alu_set_arith(c, alu_szp(r, sz) | (n >= bits ? F_CF : 0));
}

/* PDEP dest, src, mask: scatter the low bits of src to the set bits of
 * mask.  PEXT: gather the bits of src selected by mask into the low bits.
 * No flags. */
void op_pdep(struct cpu *c, const struct insn *i)
{
	uint64_t s = alu_read(c, i, 1), m = alu_read(c, i, 2), r = 0;

	for (uint64_t bit = 1; m; bit <<= 1) {
		uint64_t low = m & -m;
		if (s & bit)
			r |= low;
		m &= m - 1;
	}
	reg_write(c, &i->o[0], r);
}

void op_pext(struct cpu *c, const struct insn *i)
{
	uint64_t s = alu_read(c, i, 1), m = alu_read(c, i, 2), r = 0;

	for (uint64_t bit = 1; m; bit <<= 1) {
		uint64_t low = m & -m;
		if (s & low)
			r |= bit;
		m &= m - 1;
	}
	reg_write(c, &i->o[0], r);
}
