/*
 * sse_fp.c - SSE/SSE2/SSE3 floating point: arithmetic, min/max, square
 * root, approximations, compares, COMIS/UCOMIS, conversions.
 *
 * Each operation runs the same instruction on the x86-64 host with the
 * guest's MXCSR rounding/DAZ/FTZ loaded and every exception masked
 * (HOST_SSE in sse.h), so results, NaN propagation, denormal handling and
 * the exception flags are bit-exact; the flags are then merged into the
 * guest MXCSR and an unmasked one raises #XM/#UD before the destination
 * is written (sse_raise_flags).  SDM vol. 1 ch. 10-11, vol. 2 per
 * mnemonic.  RCPPS/RSQRTPS are implementation-specific approximations:
 * lstar returns the host's (docs/fpu.md).
 */
#include "sse.h"
#include "flags.h"

/* dst = dst OP src through the host instruction. */
#define FPOP(mn)                                                             \
	void op_##mn(struct cpu *c, const struct insn *i)                    \
	{                                                                    \
		union vec d = { 0 }, s;                                      \
		unsigned fl;                                                 \
		sse_check(c);                                                \
		vec_load(c, i, 1, &s, true);                                 \
		vec_load(c, i, 0, &d, false);                                \
		union vec d0_ = d;                                           \
		HOST_SSE(c, #mn, d.x, s.x, fl);                              \
		if (unlikely(!(c->mxcsr & (MXCSR_UE << 7)) && !(fl & MXCSR_UE))) \
			fl |= exact_tiny(c, d0_, s, fl, mn##_tiny);          \
		sse_raise_flags(c, fl);                                      \
		vec_store(c, i, 0, &d, false);                               \
	}

/*
 * With underflow unmasked, IEEE 754 and the SDM (vol. 1 11.5.2.5) signal
 * it for every tiny result, exact or not; with it masked only for tiny
 * *and* inexact ones, which is all a masked host run reports.  When the
 * guest unmasks UE, the operation is run again with FTZ forced on: FTZ
 * flags UE for every tiny result, so that run tells whether the
 * unmasked-underflow #XM is due.
 */
typedef void (*tiny_fn)(struct cpu *c, union vec *d, const union vec *s, unsigned *fl);
static unsigned exact_tiny(struct cpu *c, union vec d, union vec s, unsigned fl, tiny_fn fn)
{
	unsigned f2 = 0;
	fn(c, &d, &s, &f2);
	return (f2 & MXCSR_UE) ? (fl & MXCSR_PE) | MXCSR_UE : 0;
}
#define TINY(mn) \
	static void mn##_tiny(struct cpu *c, union vec *d, const union vec *s, unsigned *fl) \
	{ HOST_SSE_X(c, #mn, d->x, s->x, *fl, MXCSR_FTZ); }
TINY(addps) TINY(addpd) TINY(addss) TINY(addsd) TINY(subps) TINY(subpd) TINY(subss) TINY(subsd)
TINY(mulps) TINY(mulpd) TINY(mulss) TINY(mulsd) TINY(divps) TINY(divpd) TINY(divss) TINY(divsd)
TINY(minps) TINY(minpd) TINY(minss) TINY(minsd) TINY(maxps) TINY(maxpd) TINY(maxss) TINY(maxsd)
TINY(sqrtps) TINY(sqrtpd) TINY(sqrtss) TINY(sqrtsd) TINY(rcpps) TINY(rcpss) TINY(rsqrtps) TINY(rsqrtss)
TINY(addsubps) TINY(addsubpd) TINY(haddps) TINY(haddpd) TINY(hsubps) TINY(hsubpd)
TINY(cvtps2pd) TINY(cvtpd2ps) TINY(cvtdq2ps) TINY(cvtps2dq) TINY(cvttps2dq) TINY(cvtdq2pd)
TINY(cvtpd2dq) TINY(cvttpd2dq) TINY(cvtss2sd) TINY(cvtsd2ss)

FPOP(addps) FPOP(addpd) FPOP(addss) FPOP(addsd)
FPOP(subps) FPOP(subpd) FPOP(subss) FPOP(subsd)
FPOP(mulps) FPOP(mulpd) FPOP(mulss) FPOP(mulsd)
FPOP(divps) FPOP(divpd) FPOP(divss) FPOP(divsd)
FPOP(minps) FPOP(minpd) FPOP(minss) FPOP(minsd)
FPOP(maxps) FPOP(maxpd) FPOP(maxss) FPOP(maxsd)
FPOP(sqrtps) FPOP(sqrtpd) FPOP(sqrtss) FPOP(sqrtsd)
FPOP(rcpps) FPOP(rcpss) FPOP(rsqrtps) FPOP(rsqrtss)
FPOP(addsubps) FPOP(addsubpd)
FPOP(haddps) FPOP(haddpd) FPOP(hsubps) FPOP(hsubpd)
FPOP(cvtps2pd) FPOP(cvtpd2ps) FPOP(cvtdq2ps) FPOP(cvtps2dq)
FPOP(cvttps2dq) FPOP(cvtdq2pd) FPOP(cvtpd2dq) FPOP(cvttpd2dq)
FPOP(cvtss2sd) FPOP(cvtsd2ss)

/* CMPPS/CMPPD/CMPSS/CMPSD xmm, xmm/m, imm8: predicates 0-7 (EQ LT LE
 * UNORD NEQ NLT NLE ORD); legacy encodings use imm8[2:0]. */
#define CMPOP(name, mn)                                                      \
	void name(struct cpu *c, const struct insn *i)                       \
	{                                                                    \
		union vec d = { 0 }, s;                                      \
		unsigned fl = 0;                                             \
		sse_check(c);                                                \
		vec_load(c, i, 1, &s, true);                                 \
		vec_load(c, i, 0, &d, false);                                \
		switch (i->imm & 7) {                                        \
		REP4_(CMPCASE_##mn, 0) REP4_(CMPCASE_##mn, 4)                \
		}                                                            \
		sse_raise_flags(c, fl);                                      \
		vec_store(c, i, 0, &d, false);                               \
	}
#define CMPCASE_cmpps(k) case k: HOST_SSE_IMM(c, "cmpps", k, d.x, s.x, fl); break;
#define CMPCASE_cmppd(k) case k: HOST_SSE_IMM(c, "cmppd", k, d.x, s.x, fl); break;
#define CMPCASE_cmpss(k) case k: HOST_SSE_IMM(c, "cmpss", k, d.x, s.x, fl); break;
#define CMPCASE_cmpsd(k) case k: HOST_SSE_IMM(c, "cmpsd", k, d.x, s.x, fl); break;
CMPOP(op_cmpps, cmpps)
CMPOP(op_cmppd, cmppd)
CMPOP(op_cmpss, cmpss)
CMPOP(op_cmpsd_sse, cmpsd)

/* COMISS/COMISD/UCOMISS/UCOMISD: ZF PF CF from the comparison
 * (unordered 111, > 000, < 001, = 100); OF SF AF cleared.  COMIS signal
 * invalid on QNaN too, UCOMIS only on SNaN - the host does the same. */
#define COMI(mn)                                                             \
	void op_##mn(struct cpu *c, const struct insn *i)                    \
	{                                                                    \
		union vec d = { 0 }, s;                                      \
		uint32_t h, g;                                               \
		uint8_t zf, pf, cf;                                          \
		sse_check(c);                                                \
		vec_load(c, i, 1, &s, false);                                \
		vec_load(c, i, 0, &d, false);                                \
		g = sse_host_csr(c);                                         \
		__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" #mn " %[s], %[d]\n\t" \
				 "stmxcsr %[g]\n\tldmxcsr %[h]"              \
				 : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf),    \
				   [g] "+m"(g), [h] "=m"(h)                  \
				 : [d] "x"(d.x), [s] "x"(s.x));              \
		sse_raise_flags(c, g & MXCSR_FLAGS);                         \
		flags_set_arith(c, (zf ? F_ZF : 0) | (pf ? F_PF : 0) | (cf ? F_CF : 0)); \
	}
COMI(comiss) COMI(comisd) COMI(ucomiss) COMI(ucomisd)

/* Integer source for CVTSI2SS/CVTSI2SD: GPR or memory, 32 or 64 bits. */
static int64_t int_src(struct cpu *c, const struct insn *i, unsigned *size)
{
	const struct operand *o = &i->o[1];
	*size = o->size;
	uint64_t v = o->kind == OK_MEM ? mem_read(c, insn_la(c, i), o->size)
				       : c->r[o->reg] & size_mask(o->size);
	return sext(v, o->size);
}

#define CVTSI2(mn)                                                           \
	void op_##mn(struct cpu *c, const struct insn *i)                    \
	{                                                                    \
		union vec d;                                                 \
		unsigned size;                                               \
		uint32_t h, g;                                               \
		sse_check(c);                                                \
		int64_t v = int_src(c, i, &size);                            \
		vec_load(c, i, 0, &d, false);                                \
		g = sse_host_csr(c);                                         \
		if (size == 8)                                               \
			__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" #mn "q %[s], %[d]\n\t" \
					 "stmxcsr %[g]\n\tldmxcsr %[h]"      \
					 : [d] "+x"(d.x), [g] "+m"(g), [h] "=m"(h) \
					 : [s] "r"(v));                      \
		else                                                         \
			__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" #mn "l %k[s], %[d]\n\t" \
					 "stmxcsr %[g]\n\tldmxcsr %[h]"      \
					 : [d] "+x"(d.x), [g] "+m"(g), [h] "=m"(h) \
					 : [s] "r"(v));                      \
		sse_raise_flags(c, g & MXCSR_FLAGS);                         \
		vec_store(c, i, 0, &d, false);                               \
	}
CVTSI2(cvtsi2ss) CVTSI2(cvtsi2sd)

/* CVT(T)SS2SI / CVT(T)SD2SI r32/r64, xmm/m: out of range or NaN gives
 * the integer indefinite (0x80000000 / 0x8000000000000000) with #I -
 * exactly what the host instruction produces. */
#define CVT2SI(mn)                                                           \
	void op_##mn(struct cpu *c, const struct insn *i)                    \
	{                                                                    \
		union vec s;                                                 \
		uint64_t r;                                                  \
		uint32_t h, g;                                               \
		sse_check(c);                                                \
		vec_load(c, i, 1, &s, false);                                \
		g = sse_host_csr(c);                                         \
		if (i->o[0].size == 8)                                       \
			__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" #mn " %[s], %q[d]\n\t" \
					 "stmxcsr %[g]\n\tldmxcsr %[h]"      \
					 : [d] "=r"(r), [g] "+m"(g), [h] "=m"(h) \
					 : [s] "x"(s.x));                    \
		else                                                         \
			__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" #mn " %[s], %k[d]\n\t" \
					 "stmxcsr %[g]\n\tldmxcsr %[h]"      \
					 : [d] "=r"(r), [g] "+m"(g), [h] "=m"(h) \
					 : [s] "x"(s.x));                    \
		sse_raise_flags(c, g & MXCSR_FLAGS);                         \
		reg_write(c, &i->o[0], r);                                   \
	}
CVT2SI(cvtss2si) CVT2SI(cvttss2si) CVT2SI(cvtsd2si) CVT2SI(cvttsd2si)

/* ---- conversions with an MMX side (SSE/SSE2, rare) ---- */

/* CVTPI2PS xmm, mm/m64: two int32 -> two floats in the low half, the
 * high half kept.  CVTPI2PD xmm, mm/m64: two int32 -> two doubles.  An
 * MMX register source switches to MMX mode; a memory source does not
 * (SDM vol. 2A). */
static void mmx_src(struct cpu *c, const struct insn *i, union vec *s)
{
	sse_check(c);
	if (i->o[1].kind == OK_MMX)
		mmx_enter(c);
	vec_load(c, i, 1, s, false);
}

void op_cvtpi2ps(struct cpu *c, const struct insn *i)
{
	union vec d, s;
	unsigned fl;
	mmx_src(c, i, &s);
	vec_load(c, i, 0, &d, false);
	union vec t = d;
	HOST_SSE(c, "cvtdq2ps", t.x, s.x, fl);
	sse_raise_flags(c, fl);
	d.q[0] = t.q[0];
	vec_store(c, i, 0, &d, false);
}

void op_cvtpi2pd(struct cpu *c, const struct insn *i)
{
	union vec d = { 0 }, s;
	unsigned fl;
	mmx_src(c, i, &s);
	HOST_SSE(c, "cvtdq2pd", d.x, s.x, fl);
	sse_raise_flags(c, fl);
	vec_store(c, i, 0, &d, false);
}

/* CVT(T)PS2PI mm, xmm/m64 and CVT(T)PD2PI mm, xmm/m128.  The switch to
 * MMX mode comes after the operand is read -- a misaligned m128 (#GP)
 * leaves TOP and the tags as they were -- and before the SIMD exception
 * check: an unmasked #XM finds the x87 state already switched (what the
 * AMD hosts of tests/diff-fpu do; the SDM does not say). */
#define CVT2PI(name, hostmn)                                                 \
	void op_##name(struct cpu *c, const struct insn *i)                  \
	{                                                                    \
		union vec d = { 0 }, s;                                      \
		unsigned fl;                                                 \
		sse_check(c);                                                \
		mmx_check(c);                                                \
		vec_load(c, i, 1, &s, true);                                 \
		if (i->o[1].size == 8)   /* two singles: ignore lanes 2-3 */ \
			s.q[1] = 0;                                          \
		mmx_switch(c);                                               \
		HOST_SSE(c, hostmn, d.x, s.x, fl);                           \
		sse_raise_flags(c, fl);                                      \
		mm_set(c, i->o[0].reg, d.q[0]);                              \
	}
CVT2PI(cvtps2pi, "cvtps2dq")
CVT2PI(cvttps2pi, "cvttps2dq")
CVT2PI(cvtpd2pi, "cvtpd2dq")
CVT2PI(cvttpd2pi, "cvttpd2dq")
