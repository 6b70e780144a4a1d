/*
 * muldiv.c - MUL, IMUL (one, two and three operands), DIV, IDIV
 * (SDM vol. 2A "MUL", "IMUL", "DIV", "IDIV").
 *
 * The accumulator operands (AL/AX/EAX/RAX and rDX) are HIDDEN operands in
 * Zydis and so not in insn->o[]; o[0] is the r/m operand of the one-operand
 * forms.
 *
 * Flags: MUL/IMUL define CF = OF = "the upper half is significant"; SF ZF
 * AF PF are undefined and DIV/IDIV leave all six undefined.  lstar's choices
 * (docs/flags.md) follow AMD Zen, the differential-test host.
 *
 * #DE (vector 0, a fault) on a zero divisor and on a quotient that does not
 * fit the destination; nothing is changed then.
 */
#include "alu.h"
#include "ops.h"

/* Flags after MUL/IMUL: CF = OF = ovf; the undefined SF ZF AF PF are left
 * as they were (what AMD Zen does; docs/flags.md), lazily (FL_CFOF). */
static inline void mul_flags(struct cpu *c, bool ovf)
{
	flags_set_cfof(c, ovf, ovf);
}

/* MUL r/m: unsigned rDX:rAX = rAX * r/m. */
void op_mul(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->o[0].size;
	uint64_t s = alu_read(c, i, 0), a = c->r[R_RAX] & size_mask(sz);
	uint64_t lo, hi;

	switch (sz) {
	case 1:
		lo = a * s;
		gpr_write(c, R_RAX, 2, lo);
		hi = lo >> 8;
		break;
	case 2:
		lo = a * s;
		gpr_write(c, R_RAX, 2, lo);
		gpr_write(c, R_RDX, 2, hi = lo >> 16);
		break;
	case 4:
		lo = a * s;
		c->r[R_RAX] = (uint32_t)lo;
		c->r[R_RDX] = hi = lo >> 32;
		break;
	default: {
		unsigned __int128 p = (unsigned __int128)a * s;
		c->r[R_RAX] = lo = (uint64_t)p;
		c->r[R_RDX] = hi = (uint64_t)(p >> 64);
		break;
	}
	}
	mul_flags(c, hi != 0);
}

/* IMUL, two (r = r * r/m) and three operands (r = r/m * imm): the low
 * half only.  fsz = 0 is the general handler; the FORM handlers are the
 * register forms (o[0], o[1] general registers of fsz bytes) with `nops`
 * known. */
static inline __attribute__((always_inline))
void imul_short(struct cpu *c, const struct insn *i, unsigned fsz, unsigned nops)
{
	unsigned sz = fsz ? fsz : i->o[0].size;
	unsigned src = nops == 2 ? 0 : 1;
	int64_t a, b;
	uint64_t lo;
	bool ovf;

	if (likely(sz == 8 && (fsz || i->o[0].kind == OK_GPR))) {
		/* The common 64-bit form, without the 128-bit product. */
		int64_t p;
		a = (int64_t)(fsz ? c->r[i->o[src].reg] : alu_read(c, i, src));
		b = nops == 2 ? (int64_t)(fsz ? c->r[i->o[1].reg] : alu_read(c, i, 1)) :
				   (int64_t)i->imm;
		ovf = __builtin_mul_overflow(a, b, &p);
		c->r[i->o[0].reg] = (uint64_t)p;
		mul_flags(c, ovf);
		return;
	}
	a = sext(fsz ? c->r[i->o[src].reg] : alu_read(c, i, src), sz);
	b = nops == 2 ? sext(fsz ? c->r[i->o[1].reg] : alu_read(c, i, 1), sz) : (int64_t)i->imm;
	if (sz == 8) {
		__int128 p = (__int128)a * b;
		lo = (uint64_t)p;
		ovf = p != (__int128)(int64_t)lo;
	} else {
		int64_t p = a * b;
		lo = (uint64_t)p & size_mask(sz);
		ovf = p != sext(lo, sz);
	}
	if (fsz)
		gpr_write(c, i->o[0].reg, sz, lo);
	else
		reg_write(c, &i->o[0], lo);
	mul_flags(c, ovf);
}

/* IMUL: one operand (signed rDX:rAX = rAX * r/m), two (r = r * r/m) or
 * three (r = r/m * imm); the short forms keep the low half only. */
void op_imul(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->o[0].size;
	int64_t a, b;
	uint64_t lo;
	bool ovf;

	if (i->nops != 1) {
		imul_short(c, i, 0, i->nops);
		return;
	}
	b = sext(alu_read(c, i, 0), sz);
	a = sext(c->r[R_RAX], sz);
	if (sz == 8) {
		__int128 p = (__int128)a * b;
		c->r[R_RAX] = lo = (uint64_t)p;
		c->r[R_RDX] = (uint64_t)(p >> 64);
		ovf = p != (__int128)(int64_t)lo;
	} else {
		int64_t p = a * b;
		lo = (uint64_t)p & size_mask(sz);
		ovf = p != sext(lo, sz);
		if (sz == 1) {
			gpr_write(c, R_RAX, 2, (uint64_t)p);
		} else {
			gpr_write(c, R_RAX, sz, (uint64_t)p);
			gpr_write(c, R_RDX, sz, (uint64_t)p >> (sz * 8));
		}
	}
	mul_flags(c, ovf);
}

void op_imul_rr32(struct cpu *c, const struct insn *i) { imul_short(c, i, 4, 2); insn_next(c, i); }
void op_imul_rr64(struct cpu *c, const struct insn *i) { imul_short(c, i, 8, 2); insn_next(c, i); }
void op_imul_rri32(struct cpu *c, const struct insn *i) { imul_short(c, i, 4, 3); insn_next(c, i); }
void op_imul_rri64(struct cpu *c, const struct insn *i) { imul_short(c, i, 8, 3); insn_next(c, i); }

/* Flags after DIV/IDIV: all six undefined.  lstar does what AMD Zen does:
 * CF and OF kept, SF = ZF = PF = 0, AF = 1 (docs/flags.md). */
static inline void div_flags(struct cpu *c)
{
	alu_set_arith(c, (alu_flags_get(c) & (F_CF | F_OF)) | F_AF);
}

/* DIV r/m: unsigned rAX = rDX:rAX / r/m, rDX = remainder. */
void op_div(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->o[0].size;
	uint64_t d = alu_read(c, i, 0), n, q, r;

	if (unlikely(d == 0))
		cpu_fault(c, EXC_DE, 0);
	switch (sz) {
	case 1:
		n = c->r[R_RAX] & 0xFFFF;
		q = n / d;
		r = n % d;
		if (q > 0xFF)
			cpu_fault(c, EXC_DE, 0);
		gpr_write(c, R_RAX, 2, (r << 8) | q);
		break;
	case 2:
		n = ((c->r[R_RDX] & 0xFFFF) << 16) | (c->r[R_RAX] & 0xFFFF);
		q = n / d;
		r = n % d;
		if (q > 0xFFFF)
			cpu_fault(c, EXC_DE, 0);
		gpr_write(c, R_RAX, 2, q);
		gpr_write(c, R_RDX, 2, r);
		break;
	case 4:
		n = ((c->r[R_RDX] & 0xFFFFFFFF) << 32) | (c->r[R_RAX] & 0xFFFFFFFF);
		q = n / d;
		r = n % d;
		if (q > 0xFFFFFFFF)
			cpu_fault(c, EXC_DE, 0);
		c->r[R_RAX] = q;
		c->r[R_RDX] = r;
		break;
	default: {
		unsigned __int128 nn;
		if (c->r[R_RDX] >= d)  /* quotient would need more than 64 bits */
			cpu_fault(c, EXC_DE, 0);
		nn = ((unsigned __int128)c->r[R_RDX] << 64) | c->r[R_RAX];
		c->r[R_RAX] = (uint64_t)(nn / d);
		c->r[R_RDX] = (uint64_t)(nn % d);
		break;
	}
	}
	div_flags(c);
}

/* IDIV r/m: signed, quotient truncated toward zero, remainder has the
 * dividend's sign. */
void op_idiv(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->o[0].size;
	int64_t d = sext(alu_read(c, i, 0), sz), n, q, r;

	if (unlikely(d == 0))
		cpu_fault(c, EXC_DE, 0);
	switch (sz) {
	case 1:
		n = (int16_t)c->r[R_RAX];
		break;
	case 2:
		n = (int32_t)(((c->r[R_RDX] & 0xFFFF) << 16) | (c->r[R_RAX] & 0xFFFF));
		break;
	case 4:
		n = (int64_t)((c->r[R_RDX] << 32) | (c->r[R_RAX] & 0xFFFFFFFF));
		break;
	default: {
		__int128 nn = (__int128)(((unsigned __int128)c->r[R_RDX] << 64) | c->r[R_RAX]);
		__int128 qq;
		/* INT128_MIN / -1 overflows in C too: it is #DE anyway. */
		if (d == -1 && nn == (__int128)((unsigned __int128)1 << 127))
			cpu_fault(c, EXC_DE, 0);
		qq = nn / d;
		if (qq != (__int128)(int64_t)qq)
			cpu_fault(c, EXC_DE, 0);
		c->r[R_RAX] = (uint64_t)(int64_t)qq;
		c->r[R_RDX] = (uint64_t)(int64_t)(nn % d);
		div_flags(c);
		return;
	}
	}
	/* INT64_MIN / -1 (possible at 32 bits) is undefined in C. */
	if (unlikely(d == -1 && n == INT64_MIN))
		cpu_fault(c, EXC_DE, 0);
	q = n / d;
	r = n % d;
	if (q != sext((uint64_t)q, sz))
		cpu_fault(c, EXC_DE, 0);
	switch (sz) {
	case 1:
		gpr_write(c, R_RAX, 2, (((uint64_t)r & 0xFF) << 8) | ((uint64_t)q & 0xFF));
		break;
	case 2:
		gpr_write(c, R_RAX, 2, (uint64_t)q);
		gpr_write(c, R_RDX, 2, (uint64_t)r);
		break;
	default:
		c->r[R_RAX] = (uint32_t)q;
		c->r[R_RDX] = (uint32_t)r;
		break;
	}
	div_flags(c);
}

/* MULX hi, lo, src (BMI2): unsigned rDX * src, no flags (SDM vol. 2B
 * "MULX").  When hi and lo name the same register it gets the high half. */
void op_mulx(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->o[0].size;
	uint64_t s = alu_read(c, i, 2), hi, lo;

	if (sz == 8) {
		unsigned __int128 p = (unsigned __int128)c->r[R_RDX] * s;
		lo = (uint64_t)p;
		hi = (uint64_t)(p >> 64);
	} else {
		uint64_t p = (c->r[R_RDX] & 0xFFFFFFFF) * s;
		lo = (uint32_t)p;
		hi = p >> 32;
	}
	reg_write(c, &i->o[1], lo);
	reg_write(c, &i->o[0], hi);
}
