/*
 * flags.c - lazy arithmetic flags (see flags.h and docs/flags.md).
 *
 * Flag-setting instructions record (op, size, res, a, b) in cpu->lf; the six
 * arithmetic bits are only computed when read.  Contract for writers of
 * cpu->lf: res, a and b are zero-extended to `size` (the fast paths of
 * cond_eval compare a and b directly).
 *
 * Carry/overflow from the operands and result alone (SDM vol. 1 3.4.3.1):
 *   add carry  = msb((a & b) | ((a | b) & ~res))
 *   add ovf    = msb((a ^ res) & (b ^ res))
 *   sub borrow = msb((~a & b) | ((~a | b) & res))
 *   sub ovf    = msb((a ^ b) & (a ^ res))
 *   aux        = bit 4 of (a ^ b ^ res)
 * These also hold for ADC/SBB with the carry-in folded into res.
 */
#include "flags.h"

static inline unsigned msb_shift(unsigned size)
{
	return size * 8 - 1;
}

/* The six bits for the recorded operation (lf.op != FL_NONE). */
static uint64_t lazy_bits(const struct cpu *c)
{
	const struct lazyflags *lf = &c->lf;
	unsigned sh = msb_shift(lf->size);
	uint64_t res = lf->res, a = lf->a, b = lf->b;
	uint64_t f = parity_flag(res);
	uint64_t cf, of;

	f |= (res & size_mask(lf->size)) == 0 ? F_ZF : 0;
	f |= ((res >> sh) & 1) ? F_SF : 0;
	switch (lf->op & FL_BASE) {
	case FL_ADD:
	case FL_ADC:
		cf = (((a & b) | ((a | b) & ~res)) >> sh) & 1;
		of = (((a ^ res) & (b ^ res)) >> sh) & 1;
		f |= (a ^ b ^ res) & F_AF;
		break;
	case FL_SUB:
	case FL_SBB:
		cf = (((~a & b) | ((~a | b) & res)) >> sh) & 1;
		of = (((a ^ b) & (a ^ res)) >> sh) & 1;
		f |= (a ^ b ^ res) & F_AF;
		break;
	case FL_INC:
		cf = c->rflags & F_CF;
		of = (((a ^ res) & (1 ^ res)) >> sh) & 1;
		f |= (a ^ 1 ^ res) & F_AF;
		break;
	case FL_DEC:
		cf = c->rflags & F_CF;
		of = (((a ^ 1) & (a ^ res)) >> sh) & 1;
		f |= (a ^ 1 ^ res) & F_AF;
		break;
	case FL_SHL:
		cf = ((a << (b - 1)) >> sh) & 1;
		of = ((res >> sh) & 1) ^ cf;
		f |= F_AF;
		break;
	case FL_SHR:
		cf = (a >> (b - 1)) & 1;
		of = b == 1 ? (a >> sh) & 1 : 0;
		f |= F_AF;
		break;
	case FL_SAR:
		/* a sign-extended from the operand size, shifted */
		cf = ((uint64_t)((int64_t)(a << (63 - sh)) >> (63 - sh + b - 1))) & 1;
		of = 0;
		f |= F_AF;
		break;
	default: /* FL_LOGIC: CF = OF = 0, AF = 0 (undefined, lstar's choice) */
		cf = 0;
		of = 0;
		break;
	}
	if (lf->op & FL_ROT) {
		/* ROL: CF = bit 0, OF = MSB ^ CF; ROR: CF = MSB, OF = the
		 * two top bits XORed (shift.c's rotate_gpr) */
		unsigned top = lf->op & FL_ROT64 ? 63 : 31;
		uint64_t msb = (lf->rot >> top) & 1;
		if (lf->op & FL_ROT_R) {
			cf = msb;
			of = msb ^ ((lf->rot >> (top - 1)) & 1);
		} else {
			cf = lf->rot & 1;
			of = msb ^ cf;
		}
	} else if (lf->op & FL_CFOF) {
		cf = c->rflags & F_CF;
		of = c->rflags & F_OF;
	}
	return f | (cf ? F_CF : 0) | (of ? F_OF : 0);
}

uint64_t flags_get(struct cpu *c)
{
	if (c->lf.op != FL_NONE) {
		c->rflags = (c->rflags & ~F_ARITH) | lazy_bits(c);
		c->lf.op = FL_NONE;
	}
	return c->rflags;
}

void flags_set(struct cpu *c, uint64_t v)
{
	c->rflags = (v & F_VALID) | F_1;
	c->lf.op = FL_NONE;
}

void flags_set_arith(struct cpu *c, uint64_t bits)
{
	c->rflags = (c->rflags & ~F_ARITH) | (bits & F_ARITH);
	c->lf.op = FL_NONE;
}

uint64_t flag_cf(struct cpu *c)
{
	switch (c->lf.op) {
	case FL_ADD:
		return c->lf.res < c->lf.a;
	case FL_SUB:
		return c->lf.a < c->lf.b;
	case FL_LOGIC:
		return 0;
	case FL_ADC:
	case FL_SBB:
	case FL_SHL:
	case FL_SHR:
	case FL_SAR:
		return (lazy_bits(c) & F_CF) != 0;
	default: /* FL_NONE, FL_INC, FL_DEC, and with FL_CFOF: CF lives in rflags */
		if (c->lf.op & FL_ROT)
			return (lazy_bits(c) & F_CF) != 0;
		return c->rflags & F_CF;
	}
}

/* Condition cc from materialized flags f. */
static inline bool cond_from_flags(uint64_t f, unsigned cc)
{
	bool r;

	switch (cc >> 1) {
	case 0: r = f & F_OF; break;                           /* O */
	case 1: r = f & F_CF; break;                           /* B: CF */
	case 2: r = f & F_ZF; break;                           /* E: ZF */
	case 3: r = f & (F_CF | F_ZF); break;                  /* BE: CF | ZF */
	case 4: r = f & F_SF; break;                           /* S */
	case 5: r = f & F_PF; break;                           /* P */
	case 6: r = !(f & F_SF) != !(f & F_OF); break;         /* L: SF != OF */
	default: r = (f & F_ZF) || (!(f & F_SF) != !(f & F_OF)); break; /* LE */
	}
	return r ^ (cc & 1);
}

/* Everything but the FL_SUB and FL_NONE fast paths of cond_eval(). */
static __attribute__((noinline)) bool cond_slow(struct cpu *c, unsigned cc)
{
	const struct lazyflags *lf = &c->lf;

	if (lf->op == FL_LOGIC) {
		unsigned sh = 64 - lf->size * 8;
		bool zf = lf->res == 0, sf = (lf->res << sh) >> 63;
		bool r;

		switch (cc >> 1) {
		case 0: r = false; break;                      /* O: OF = 0 */
		case 1: r = false; break;                      /* B: CF = 0 */
		case 2: r = zf; break;                         /* E */
		case 3: r = zf; break;                         /* BE */
		case 4: r = sf; break;                         /* S */
		case 5: r = parity_flag(lf->res); break;       /* P */
		case 6: r = sf; break;                         /* L: SF != 0 */
		default: r = zf || sf; break;                  /* LE */
		}
		return r ^ (cc & 1);
	}
	return cond_from_flags(lazy_bits(c), cc);
}

/*
 * The hot path of every Jcc/SETcc/CMOVcc.  After CMP/SUB (the usual
 * producer of a condition) the answer comes straight from the recorded
 * operands without building RFLAGS; after the logic ops from the result
 * (cond_slow).  The fast paths need no stack frame.
 */
bool cond_eval(struct cpu *c, unsigned cc)
{
	const struct lazyflags *lf = &c->lf;

	if (likely(lf->op == FL_SUB))
		return cond_sub_ok(cc) ? cond_sub(lf, cc) : cond_slow(c, cc);   /* O NO P NP: slow */
	if (likely(lf->op == FL_NONE))
		return cond_from_flags(c->rflags, cc);
	return cond_slow(c, cc);
}
