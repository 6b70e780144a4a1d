/*
 * shift.c - shifts and rotates: SHL/SAL SHR SAR ROL ROR RCL RCR SHLD SHRD
 * (SDM vol. 2B "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR", "SHLD", "SHRD").
 *
 * Count: the immediate (C0/C1, SHLD/SHRD imm8), 1 (D0/D1, whose implicit
 * operand Zydis reports as an IMPLICIT immediate) or CL (D2/D3, 0F A5/AD),
 * masked to 5 bits (6 with REX.W).  A masked count of 0 changes neither the
 * destination nor any flag (a memory destination is still read and written
 * back, like the hardware, so a read-only page faults).
 *
 * Undefined flags (docs/flags.md has the table); lstar follows what AMD Zen
 * (the differential-test host) does where it was measured:
 *  - OF for counts > 1: the count-1 formula applied to the final result
 *    (SHL/RCL/ROL: MSB(res) ^ CF; SHR: MSB(original of last step)...), see
 *    each handler;
 *  - AF after a shift by a nonzero count: 0... (see docs/flags.md).
 */
#include "alu.h"

/* Shift count (already masked to 5/6 bits).  o[n] is the count operand. */
static inline unsigned shift_count(struct cpu *c, const struct insn *i, int n, unsigned sz)
{
	unsigned cnt;

	if (i->o[n].kind == OK_IMM)
		cnt = (i->opc & 0xFE) == 0xD0 ? 1 : (unsigned)i->imm;
	else if (i->nops <= n)
		cnt = 1;
	else
		cnt = (unsigned)c->r[R_RCX];
	return cnt & (sz == 8 ? 63 : 31);
}

/* Flags left by a shift: keep the non-arithmetic bits and set the six. */
static inline void shift_flags(struct cpu *c, uint64_t bits)
{
	alu_set_arith(c, bits);
}

enum { S_ROL, S_ROR, S_RCL, S_RCR, S_SHL, S_SHR, S_SAR };

/* SHL/SHR/SAR of a 32/64-bit register by cnt (already masked): the common
 * case, with the size a constant so the masks fold away, and the flags
 * lazy (FL_SHL/FL_SHR/FL_SAR in flags.h: flags.c derives the same bits
 * the general path below computes). */
static inline __attribute__((always_inline))
void shift_gpr(struct cpu *c, const struct insn *i, int op, unsigned sz, unsigned cnt)
{
	uint64_t *rp = &c->r[i->o[0].reg];
	uint64_t m = size_mask(sz), a = *rp & m, r;
	int lazy;

	if (cnt == 0) {
		*rp = a;   /* a 32-bit destination is still zero-extended */
		return;
	}
	switch (op) {
	case S_SHL:
		r = (a << cnt) & m;
		lazy = FL_SHL;
		break;
	case S_SHR:
		r = a >> cnt;
		lazy = FL_SHR;
		break;
	default: /* S_SAR */
		r = (uint64_t)(sext(a, sz) >> cnt) & m;
		lazy = FL_SAR;
		break;
	}
	*rp = r;
	flags_lazy(c, lazy, sz, r, a, cnt);
}

/* ROL/ROR of a 32/64-bit register by cnt (already masked): CF and OF
 * set, SF ZF AF PF kept.  With a lazy record live (the usual case) the
 * rotated value goes into lf.rot and nothing is computed (FL_ROT in
 * flags.h, which derives the same CF and OF as the eager path here and in
 * shift_op below).  The rotate is written so that the compiler emits one
 * ROL/ROR. */
static inline __attribute__((always_inline))
void rotate_gpr(struct cpu *c, const struct insn *i, int op, unsigned sz, unsigned cnt)
{
	unsigned bits = sz * 8;
	uint64_t *rp = &c->r[i->o[0].reg];
	uint64_t r;
	bool cf, of;

	if (sz == 4) {
		uint32_t a = (uint32_t)*rp;
		r = op == S_ROL ? (uint32_t)((a << cnt) | (a >> (-cnt & 31)))
				: (uint32_t)((a >> cnt) | (a << (-cnt & 31)));
	} else {
		uint64_t a = *rp;
		r = op == S_ROL ? (a << cnt) | (a >> (-cnt & 63)) : (a >> cnt) | (a << (-cnt & 63));
	}
	*rp = r;   /* a count of 0 still zero-extends a 32-bit destination */
	if (cnt == 0)
		return;
	if (likely(c->lf.op != FL_NONE)) {
		c->lf.rot = r;
		c->lf.op = (uint8_t)((c->lf.op & FL_BASE) | FL_ROT | (op == S_ROR ? FL_ROT_R : 0) |
				     (sz == 8 ? FL_ROT64 : 0));
		return;
	}
	if (op == S_ROL) {
		cf = r & 1;
		of = alu_msb(r, sz) ^ cf;
	} else {
		cf = alu_msb(r, sz);
		of = cf ^ ((r >> (bits - 2)) & 1);
	}
	flags_set_cfof(c, cf, of);
}

static inline __attribute__((always_inline))
void shift_op(struct cpu *c, const struct insn *i, int op)
{
	unsigned sz = i->o[0].size, bits = sz * 8;
	uint64_t m = size_mask(sz), la = 0, a, r, f, cf, of;
	unsigned cnt;

	if (unlikely(i->lock))
		cpu_fault(c, EXC_UD, 0);
	if (op >= S_SHL && likely(i->o[0].kind == OK_GPR)) {
		if (sz == 8) {
			shift_gpr(c, i, op, 8, shift_count(c, i, 1, 8));
			return;
		}
		if (sz == 4) {
			shift_gpr(c, i, op, 4, shift_count(c, i, 1, 4));
			return;
		}
	}
	if ((op == S_ROL || op == S_ROR) && likely(i->o[0].kind == OK_GPR)) {
		if (sz == 8) {
			rotate_gpr(c, i, op, 8, shift_count(c, i, 1, 8));
			return;
		}
		if (sz == 4) {
			rotate_gpr(c, i, op, 4, shift_count(c, i, 1, 4));
			return;
		}
	}
	cnt = shift_count(c, i, 1, sz);
	a = alu_read_la(c, i, &la);
	if (cnt == 0) {
		/* Flags untouched, but the destination is still written: a
		 * 32-bit register is zero-extended (AMD and Intel hardware)
		 * and a read-only page faults (the access is a RMW). */
		alu_write_la(c, i, la, a);
		return;
	}
	/* SHL/SHR/SAR replace all six flags: only the rotates need the old
	 * ones (they keep SF ZF AF PF; RCL/RCR rotate through CF). */
	switch (op) {
	case S_SHL: /* SAL (D0-D3 /6) decodes as SHL in Zydis */
		r = (a << cnt) & m;
		cf = ((a << (cnt - 1)) >> (bits - 1)) & 1;
		of = alu_msb(r, sz) ^ cf;
		f = alu_szp(r, sz) | (cf ? F_CF : 0) | (of ? F_OF : 0) | F_AF;
		break;
	case S_SHR:
		r = a >> cnt;
		cf = (a >> (cnt - 1)) & 1;
		/* OF: MSB of the original operand (defined for count 1). */
		of = cnt == 1 ? alu_msb(a, sz) : 0;
		f = alu_szp(r, sz) | (cf ? F_CF : 0) | (of ? F_OF : 0) | F_AF;
		break;
	case S_SAR: {
		int64_t sa = sext(a, sz);
		r = (uint64_t)(sa >> cnt) & m;
		cf = (uint64_t)(sa >> (cnt - 1)) & 1;
		f = alu_szp(r, sz) | (cf ? F_CF : 0) | F_AF;     /* OF = 0 */
		break;
	}
	case S_ROL: {
		unsigned k = cnt & (bits - 1);
		r = k ? ((a << k) | (a >> (bits - k))) & m : a;
		cf = r & 1;
		of = alu_msb(r, sz) ^ cf;
		alu_write_la(c, i, la, r);
		flags_set_cfof(c, cf, of);
		return;
	}
	case S_ROR: {
		unsigned k = cnt & (bits - 1);
		r = k ? ((a >> k) | (a << (bits - k))) & m : a;
		cf = alu_msb(r, sz);
		of = cf ^ ((r >> (bits - 2)) & 1);
		alu_write_la(c, i, la, r);
		flags_set_cfof(c, cf, of);
		return;
	}
	case S_RCL: {
		/* Rotate the (bits+1)-bit value CF:dest left. */
		unsigned k = sz < 4 ? cnt % (bits + 1) : cnt;
		uint64_t cin;
		f = alu_flags_get(c);
		cin = f & F_CF ? 1 : 0;
		if (k == 0) {
			r = a;
			cf = cin;
		} else {
			r = (a << k) | (cin << (k - 1));
			if (k > 1)
				r |= a >> (bits + 1 - k);
			r &= m;
			cf = (a >> (bits - k)) & 1;
		}
		of = alu_msb(r, sz) ^ cf;
		f = (f & ~(F_CF | F_OF)) | (cf ? F_CF : 0) | (of ? F_OF : 0);
		break;
	}
	default: { /* S_RCR */
		unsigned k = sz < 4 ? cnt % (bits + 1) : cnt;
		uint64_t cin;
		f = alu_flags_get(c);
		cin = f & F_CF ? 1 : 0;
		/* OF (count 1): MSB(dest) ^ CF before the rotate. */
		of = alu_msb(a, sz) ^ cin;
		if (k == 0) {
			r = a;
			cf = cin;
		} else {
			r = (a >> k) | (cin << (bits - k));
			if (k > 1)
				r |= a << (bits + 1 - k);
			r &= m;
			cf = (a >> (k - 1)) & 1;
		}
		if (cnt != 1)
			of = alu_msb(r, sz) ^ ((r >> (bits - 2)) & 1);
		f = (f & ~(F_CF | F_OF)) | (cf ? F_CF : 0) | (of ? F_OF : 0);
		break;
	}
	}
	alu_write_la(c, i, la, r);
	shift_flags(c, f);
}

void op_rol(struct cpu *c, const struct insn *i) { shift_op(c, i, S_ROL); }
void op_ror(struct cpu *c, const struct insn *i) { shift_op(c, i, S_ROR); }
void op_rcl(struct cpu *c, const struct insn *i) { shift_op(c, i, S_RCL); }
void op_rcr(struct cpu *c, const struct insn *i) { shift_op(c, i, S_RCR); }
void op_shl(struct cpu *c, const struct insn *i) { shift_op(c, i, S_SHL); }
void op_shr(struct cpu *c, const struct insn *i) { shift_op(c, i, S_SHR); }
void op_sar(struct cpu *c, const struct insn *i) { shift_op(c, i, S_SAR); }

/*
 * SHLD/SHRD: SDM vol. 2B.  dest is shifted, the vacated bits filled from
 * src.  CF = last bit shifted out of dest, OF (count 1) = sign change,
 * SF ZF PF from the result, AF undefined (1, as AMD).  16-bit operands with
 * a count of 17..31 have an undefined result and flags; lstar produces what
 * AMD Zen does (below).
 */
static inline void shxd(struct cpu *c, const struct insn *i, int right)
{
	unsigned sz = i->o[0].size;
	uint64_t m = size_mask(sz), la = 0, a, b, r, cf, of;
	unsigned cnt;

	if (unlikely(i->lock))
		cpu_fault(c, EXC_UD, 0);
	cnt = shift_count(c, i, 2, sz);
	a = alu_read_la(c, i, &la);
	b = alu_read(c, i, 1);
	if (cnt == 0) {
		alu_write_la(c, i, la, a);   /* as above */
		return;
	}
	if (sz == 8) {
		unsigned __int128 v;
		if (!right) {
			v = ((unsigned __int128)a << 64) | b;
			r = (uint64_t)((v << cnt) >> 64);
			cf = (a >> (64 - cnt)) & 1;
		} else {
			v = ((unsigned __int128)b << 64) | a;
			r = (uint64_t)(v >> cnt);
			cf = (a >> (cnt - 1)) & 1;
		}
	} else if (sz == 4) {
		if (!right) {
			r = (((a << 32) | b) << cnt >> 32) & m;
			cf = (a >> (32 - cnt)) & 1;
		} else {
			r = (((b << 32) | a) >> cnt) & m;
			cf = (a >> (cnt - 1)) & 1;
		}
	} else if (!right) {
		/* 16 bits, counts up to 31 (17..31: undefined result and
		 * flags): AMD Zen shifts dest:src:src and takes the top 16
		 * bits; CF is the last bit shifted out of dest alone, so 0
		 * once all of dest is gone. */
		uint64_t v = (a << 32) | (b << 16) | b;
		r = (v >> (32 - cnt)) & m;
		cf = cnt <= 16 ? (a >> (16 - cnt)) & 1 : 0;
	} else {
		/* ... and for SHRD src:src:dest, taking the bottom 16 bits. */
		uint64_t v = (b << 32) | (b << 16) | a;
		r = (v >> cnt) & m;
		cf = cnt <= 16 ? (a >> (cnt - 1)) & 1 : 0;
	}
	/* OF: for count 1 the sign change; for larger counts (undefined)
	 * AMD Zen computes SHLD's as CF ^ MSB(dest << count) (= MSB(res) ^
	 * CF below the operand width) and SHRD's as the XOR of the result's
	 * two top bits; both equal the sign change at 1. */
	if (!right)
		of = cf ^ (cnt < sz * 8 ? alu_msb(a << cnt, sz) : 0);
	else
		of = alu_msb(r ^ (r << 1), sz);
	alu_write_la(c, i, la, r);
	alu_set_arith(c, alu_szp(r, sz) | (cf ? F_CF : 0) | (of ? F_OF : 0) | F_AF);
}

void op_shld(struct cpu *c, const struct insn *i) { shxd(c, i, 0); }
void op_shrd(struct cpu *c, const struct insn *i) { shxd(c, i, 1); }

/*
 * BMI2 flagless shifts: SHLX/SHRX/SARX dest, src, count (count masked to 5
 * or 6 bits, from a register) and RORX dest, src, imm8 (SDM vol. 2B
 * "SARX/SHLX/SHRX", "RORX").  No flag changes.
 */
enum { X_SHL, X_SHR, X_SAR, X_ROR };

static inline void shiftx(struct cpu *c, const struct insn *i, int op)
{
	unsigned sz = i->o[0].size, bits = sz * 8;
	uint64_t a = alu_read(c, i, 1), m = size_mask(sz), r;
	unsigned cnt = (unsigned)(op == X_ROR ? i->imm : alu_read(c, i, 2)) & (bits - 1);

	switch (op) {
	case X_SHL: r = a << cnt; break;
	case X_SHR: r = a >> cnt; break;
	case X_SAR: r = (uint64_t)(sext(a, sz) >> cnt); break;
	default: r = cnt ? (a >> cnt) | (a << (bits - cnt)) : a; break;
	}
	reg_write(c, &i->o[0], r & m);
}

void op_shlx(struct cpu *c, const struct insn *i) { shiftx(c, i, X_SHL); }
void op_shrx(struct cpu *c, const struct insn *i) { shiftx(c, i, X_SHR); }
void op_sarx(struct cpu *c, const struct insn *i) { shiftx(c, i, X_SAR); }
void op_rorx(struct cpu *c, const struct insn *i) { shiftx(c, i, X_ROR); }

/* The register forms with an immediate count (FORM rows ri32/ri64 in
 * cpu/ops_alu.def): the bodies the general handlers use for a 32/64-bit
 * register, with the size fixed, no operand-kind tests and the count
 * straight from the immediate (the form guarantees one; D0/D1's count of
 * 1 is an implicit immediate of 1). */
#define IMM_COUNT(sz) ((unsigned)i->imm & ((sz) == 8 ? 63u : 31u))
/* ... and the same by CL (FORM rows rc32/rc64) */
#define CL_COUNT(sz) ((unsigned)c->r[R_RCX] & ((sz) == 8 ? 63u : 31u))
#define REG_FORM(name, body, op, sz, count)					\
void name(struct cpu *c, const struct insn *i) { body(c, i, op, sz, count(sz)); insn_next(c, i); }
#define REG_FORMS(name, body, op)						\
	REG_FORM(name##_ri32, body, op, 4, IMM_COUNT) REG_FORM(name##_ri64, body, op, 8, IMM_COUNT)
REG_FORMS(op_shl, shift_gpr, S_SHL) REG_FORMS(op_shr, shift_gpr, S_SHR)
REG_FORMS(op_sar, shift_gpr, S_SAR)
REG_FORMS(op_rol, rotate_gpr, S_ROL) REG_FORMS(op_ror, rotate_gpr, S_ROR)
REG_FORM(op_shl_rc32, shift_gpr, S_SHL, 4, CL_COUNT) REG_FORM(op_shl_rc64, shift_gpr, S_SHL, 8, CL_COUNT)
REG_FORM(op_shr_rc32, shift_gpr, S_SHR, 4, CL_COUNT) REG_FORM(op_shr_rc64, shift_gpr, S_SHR, 8, CL_COUNT)
REG_FORM(op_sar_rc32, shift_gpr, S_SAR, 4, CL_COUNT) REG_FORM(op_sar_rc64, shift_gpr, S_SAR, 8, CL_COUNT)
#undef REG_FORMS
#undef REG_FORM
#undef CL_COUNT
#undef IMM_COUNT
