/*
 * flags.h - lazy arithmetic flags.
 *
 * Most instructions that set CF PF AF ZF SF OF only record their operands
 * and result in cpu->lf; the six bits are computed when something reads
 * them (a Jcc, PUSHF, an exception frame...).  RFLAGS' other bits (TF, IF,
 * DF, IOPL...) always live in cpu->rflags.
 *
 * Rules for handlers:
 *  - read the whole RFLAGS with flags_get(), a single condition with
 *    cond_eval(), CF alone with flag_cf();
 *  - after an add/sub/logic/inc/dec/neg result call the matching
 *    flags_lazy_*(); for anything else compute the bits and call
 *    flags_set_arith(c, bits) (which also drops the lazy state).
 */
#ifndef LSTAR_FLAGS_H
#define LSTAR_FLAGS_H

#include "cpu.h"

enum {
	FL_NONE = 0,  /* cpu->rflags holds the arithmetic flags */
	FL_ADD,       /* res = a + b */
	FL_ADC,       /* res = a + b + carry-in; carry-in kept in rflags.CF */
	FL_SUB,       /* res = a - b (SUB, CMP, NEG with a = 0) */
	FL_SBB,       /* res = a - b - borrow-in; borrow-in kept in rflags.CF */
	FL_LOGIC,     /* AND/OR/XOR/TEST: CF=OF=0, AF=0 (lstar's choice for the undefined AF) */
	FL_INC,       /* res = a + 1, CF kept in rflags.CF */
	FL_DEC,       /* res = a - 1, CF kept in rflags.CF */
	/* SHL/SHR/SAR of a 32/64-bit register by b = 1..width-1 (a count of
	 * 0 changes no flag and records nothing): CF is the last bit shifted
	 * out, OF as docs/flags.md gives it, AF set. */
	FL_SHL,       /* res = a << b */
	FL_SHR,       /* res = a >> b (logical) */
	FL_SAR,       /* res = a >> b (arithmetic) */
};

/* ORed into lf.op by an instruction that replaces CF and OF but leaves
 * SF ZF AF PF as they were (ROL, ROR, MUL, IMUL: docs/flags.md): the
 * recorded operation still gives those four, CF and OF are in rflags.
 * The fast paths that test lf.op for one operation miss on such a record
 * and take the general path (lazy_bits), and those that take CF from
 * rflags by default (flag_cf) are right as they are. */
#define FL_CFOF 0x80

/* ORed into lf.op (after clearing FL_CFOF and any earlier FL_ROT bits) by
 * ROL/ROR of a 32/64-bit register while a record is live: SF ZF AF PF
 * still come from the record, CF and OF from the rotated value kept in
 * lf.rot, so that a run of rotates (SHA-2's) computes no flag at all.
 * FL_ROT_R marks ROR, FL_ROT64 a 64-bit rotate.  The operation itself is
 * lf.op & FL_BASE. */
#define FL_ROT   0x40
#define FL_ROT_R 0x20
#define FL_ROT64 0x10
#define FL_BASE  0x0F

/* Parity flag for the low byte of v: set when it has an even number of 1s. */
static inline uint64_t parity_flag(uint64_t v)
{
	return (__builtin_parity((unsigned)(v & 0xFF)) ^ 1) ? F_PF : 0;
}

/* Materialize lazy flags into cpu->rflags and return RFLAGS. */
uint64_t flags_get(struct cpu *c);
/* Replace RFLAGS wholesale (bit 1 forced to 1, unused bits cleared). */
void flags_set(struct cpu *c, uint64_t v);
/* Set the six arithmetic flags to `bits` (others untouched). */
void flags_set_arith(struct cpu *c, uint64_t bits);
/* Evaluate condition code cc (0-15, the Jcc encoding order:
 * O NO B AE E NE BE A S NS P NP L GE LE G). */
bool cond_eval(struct cpu *c, unsigned cc);
/* Current carry flag (0 or 1). */
uint64_t flag_cf(struct cpu *c);

static inline void flags_lazy(struct cpu *c, int op, unsigned size,
			      uint64_t res, uint64_t a, uint64_t b)
{
	c->lf.op = (uint8_t)op;
	c->lf.size = (uint8_t)size;
	c->lf.res = res;
	c->lf.a = a;
	c->lf.b = b;
}

/* A logic operation's record: its flags need the result alone (CF = OF =
 * 0, AF = 0), so the operands are not stored. */
static inline void flags_lazy_res(struct cpu *c, int op, unsigned size, uint64_t res)
{
	c->lf.op = (uint8_t)op;
	c->lf.size = (uint8_t)size;
	c->lf.res = res;
}

/* ZF and SF now.  A lazy record keeps its result masked to the operand
 * size, whatever the operation, so both come straight from it. */
static inline bool flag_zf_now(const struct cpu *c)
{
	return c->lf.op ? c->lf.res == 0 : (c->rflags & F_ZF) != 0;
}

static inline bool flag_sf_now(const struct cpu *c)
{
	return c->lf.op ? (c->lf.res >> (c->lf.size * 8 - 1)) & 1 : (c->rflags & F_SF) != 0;
}

/* Condition cc after a SUB/CMP (lf->op == FL_SUB), from its operands
 * without building RFLAGS: every cc but O, NO, P, NP (cond_sub_ok). */
static inline bool cond_sub_ok(unsigned cc)
{
	return cc != 0 && cc != 1 && cc != 10 && cc != 11;
}

static inline __attribute__((always_inline))
bool cond_sub_ab(uint64_t a, uint64_t b, uint64_t res, unsigned size, unsigned cc)
{
	unsigned sh = 64 - size * 8;
	int64_t sa = (int64_t)(a << sh), sb = (int64_t)(b << sh);

	switch (cc) {
	case 2: return a < b;                  /* B */
	case 3: return a >= b;                 /* AE */
	case 4: return res == 0;               /* E */
	case 5: return res != 0;               /* NE */
	case 6: return a <= b;                 /* BE */
	case 7: return a > b;                  /* A */
	case 8: return (res << sh) >> 63;      /* S */
	case 9: return !((res << sh) >> 63);   /* NS */
	case 12: return sa < sb;               /* L */
	case 13: return sa >= sb;              /* GE */
	case 14: return sa <= sb;              /* LE */
	default: return sa > sb;               /* G */
	}
}

static inline __attribute__((always_inline))
bool cond_sub(const struct lazyflags *lf, unsigned cc)
{
	return cond_sub_ab(lf->a, lf->b, lf->res, lf->size, cc);
}

/*
 * Condition cc just after a handler recorded lazy flags for operation `op`
 * and operand size `size` with operands a, b and result res: the fused
 * compare-and-branch handlers (FUSE rows, cpu/alu_fuse.c), where op, size
 * and cc are constants and this folds to a compare.  ZF and SF come from
 * the result, the SUB conditions from the operands (cond_sub_ab), the
 * logic ones from CF = OF = 0; anything else (PF, INC/DEC's kept CF...)
 * goes through cond_eval(), which reads the record just made -- so the
 * answer is the Jcc handler's in every case.
 */
static inline __attribute__((always_inline))
bool cond_after(struct cpu *c, int op, unsigned size, uint64_t a, uint64_t b, uint64_t res,
		unsigned cc)
{
	bool zf = res == 0, sf = (res >> (size * 8 - 1)) & 1;

	if (op == FL_SUB && cond_sub_ok(cc))
		return cond_sub_ab(a, b, res, size, cc);
	switch (cc) {
	case 4: return zf;
	case 5: return !zf;
	case 8: return sf;
	case 9: return !sf;
	}
	if (op == FL_LOGIC) {
		switch (cc) {
		case 0: case 2: return false;         /* O, B: OF = CF = 0 */
		case 1: case 3: return true;          /* NO, AE */
		case 6: return zf;                    /* BE: CF | ZF */
		case 7: return !zf;                   /* A */
		case 12: return sf;                   /* L: SF != OF */
		case 13: return !sf;                  /* GE */
		case 14: return zf || sf;             /* LE */
		case 15: return !zf && !sf;           /* G */
		}
	}
	return cond_eval(c, cc);
}

/* cond_eval() for a condition known at compile time (one handler per
 * Jcc): the common cases inline, the rest through cond_eval(). */
static inline __attribute__((always_inline))
bool cond_now(struct cpu *c, unsigned cc)
{
	switch (cc) {
	case 4: return flag_zf_now(c);
	case 5: return !flag_zf_now(c);
	case 8: return flag_sf_now(c);
	case 9: return !flag_sf_now(c);
	default:
		if (cond_sub_ok(cc) && likely(c->lf.op == FL_SUB))
			return cond_sub(&c->lf, cc);
		return cond_eval(c, cc);
	}
}

/* Set CF and OF, keep SF ZF AF PF (FL_CFOF): the four stay lazy. */
static inline void flags_set_cfof(struct cpu *c, bool cf, bool of)
{
	c->rflags = (c->rflags & ~(F_CF | F_OF)) | (cf ? F_CF : 0) | (of ? F_OF : 0);
	if (c->lf.op != FL_NONE)
		c->lf.op = (uint8_t)((c->lf.op & FL_BASE) | FL_CFOF);
}

/* ADC/SBB/INC/DEC need the old CF saved in rflags before going lazy. */
static inline void flags_lazy_keep_cf(struct cpu *c, int op, unsigned size,
				      uint64_t res, uint64_t a, uint64_t b, uint64_t cf)
{
	c->rflags = (c->rflags & ~F_CF) | (cf ? F_CF : 0);
	flags_lazy(c, op, size, res, a, b);
}

#endif
