/*
 * avx_fp.c - the VEX-encoded (AVX) floating-point instructions:
 * arithmetic, min/max, square root and the approximations, horizontal
 * and alternating add/subtract, compares with all 32 predicates,
 * COMIS/UCOMIS, conversions, rounding, dot products, and the FP data
 * movement (blends, shuffles, unpacks, permutes, broadcasts, inserts and
 * extracts, masked moves, MOVMSK, VTEST, the half-register moves and the
 * duplicates), VLDMXCSR/VSTMXCSR and the AVX2 VPERMPS/VPERMPD.  SDM
 * vol. 2 under each mnemonic; exceptions per vol. 2 2.4 (avx_enter()).
 *
 * Arithmetic runs the legacy SSE instruction of the host on each 128-bit
 * lane under the guest's MXCSR (HOST_SSE, cpu/sse.h), so it needs only
 * SSE4.1 on the host and is exact by construction: a 256-bit VADDPS is
 * ADDPS on bits 127:0 and on bits 255:128, with the flags of both lanes
 * merged before an unmasked one faults (no destination written).  The
 * three-operand forms put the first source where the SSE instruction
 * has its destination: the scalar forms' bits 127:32 (127:64) come from
 * it, as the VEX forms define.
 */
#include "avx.h"
#include "flags.h"
#include <Zydis/Zydis.h>

/* A host operation on one 128-bit lane: d = d OP s, with `extra` MXCSR
 * bits forced on (MXCSR_FTZ for the tiny-result rerun) and `imm` for
 * the forms with an immediate; *fl receives the flags raised. */
typedef void (*lane_fn)(struct cpu *c, union vec *d, const union vec *s,
			unsigned *fl, uint32_t extra, unsigned imm);

/* HOST_SSE_X with an immediate. */
#define HOST_IMM_X(c, INSN, IMM, D, S, FL, EXTRA) do {                       \
	uint32_t hcsr_, gcsr_ = sse_host_csr(c) | (EXTRA);                   \
	__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" INSN " %[k], %[s], %[d]\n\t" \
			 "stmxcsr %[g]\n\tldmxcsr %[h]"                      \
			 : [d] "+x"(D), [g] "+m"(gcsr_), [h] "=m"(hcsr_)     \
			 : [s] "x"(S), [k] "i"(IMM));                        \
	(FL) = gcsr_ & MXCSR_FLAGS;                                          \
} while (0)

#define LANE(mn)                                                             \
	static void l_##mn(struct cpu *c, union vec *d, const union vec *s,  \
			   unsigned *fl, uint32_t extra, unsigned imm)       \
	{                                                                    \
		(void)imm;                                                   \
		HOST_SSE_X(c, #mn, d->x, s->x, *fl, extra);                  \
	}
LANE(addps) LANE(addpd) LANE(addss) LANE(addsd) LANE(subps) LANE(subpd) LANE(subss) LANE(subsd)
LANE(mulps) LANE(mulpd) LANE(mulss) LANE(mulsd) LANE(divps) LANE(divpd) LANE(divss) LANE(divsd)
LANE(minps) LANE(minpd) LANE(minss) LANE(minsd) LANE(maxps) LANE(maxpd) LANE(maxss) LANE(maxsd)
LANE(sqrtps) LANE(sqrtpd) LANE(sqrtss) LANE(sqrtsd) LANE(rcpps) LANE(rcpss) LANE(rsqrtps) LANE(rsqrtss)
LANE(addsubps) LANE(addsubpd) LANE(haddps) LANE(haddpd) LANE(hsubps) LANE(hsubpd)
LANE(cvtps2pd) LANE(cvtpd2ps) LANE(cvtdq2ps) LANE(cvtps2dq) LANE(cvttps2dq) LANE(cvtdq2pd)
LANE(cvtpd2dq) LANE(cvttpd2dq) LANE(cvtss2sd) LANE(cvtsd2ss)

/* Forms with an immediate: one pre-assembled host instruction per value. */
#define LANE_IMM(mn, REP, MASK)                                              \
	static void l_##mn(struct cpu *c, union vec *d, const union vec *s,  \
			   unsigned *fl, uint32_t extra, unsigned imm)       \
	{                                                                    \
		*fl = 0;                                                     \
		switch (imm & (MASK)) {                                      \
		REP                                                          \
		}                                                            \
	}
#define RC_roundps(k) case k: HOST_IMM_X(c, "roundps", k, d->x, s->x, *fl, extra); break;
#define RC_roundpd(k) case k: HOST_IMM_X(c, "roundpd", k, d->x, s->x, *fl, extra); break;
#define RC_roundss(k) case k: HOST_IMM_X(c, "roundss", k, d->x, s->x, *fl, extra); break;
#define RC_roundsd(k) case k: HOST_IMM_X(c, "roundsd", k, d->x, s->x, *fl, extra); break;
#define RC_dpps(k) case k: HOST_IMM_X(c, "dpps", k, d->x, s->x, *fl, extra); break;
#define RC_dppd(k) case k: HOST_IMM_X(c, "dppd", k, d->x, s->x, *fl, extra); break;
LANE_IMM(roundps, REP16(RC_roundps, 0), 15)
LANE_IMM(roundpd, REP16(RC_roundpd, 0), 15)
LANE_IMM(roundss, REP16(RC_roundss, 0), 15)
LANE_IMM(roundsd, REP16(RC_roundsd, 0), 15)
LANE_IMM(dpps, REP256(RC_dpps), 255)
LANE_IMM(dppd, REP256(RC_dppd), 255)

/*
 * Run fn over `nl` lanes of d and s and return the flags of all of them.
 * With underflow unmasked, an exact tiny result underflows too (SDM
 * vol. 1 11.5.2.5), which a masked host run does not report: the lanes
 * are run again with FTZ forced on, which flags every tiny result (the
 * technique of cpu/sse_fp.c).
 */
static unsigned run_lanes(struct cpu *c, lane_fn fn, union yvec *d, const union yvec *s,
			  unsigned nl, unsigned imm)
{
	unsigned fl = 0, f;
	union vec d0[2] = { d->h[0], d->h[1] };
	for (unsigned k = 0; k < nl; k++) {
		fn(c, &d->h[k], &s->h[k], &f, 0, imm);
		fl |= f;
	}
	if (unlikely(!(c->mxcsr & (MXCSR_UE << 7)) && !(fl & MXCSR_UE))) {
		unsigned f2 = 0;
		for (unsigned k = 0; k < nl; k++) {
			union vec t = d0[k];
			fn(c, &t, &s->h[k], &f, MXCSR_FTZ, imm);
			f2 |= f;
		}
		if (f2 & MXCSR_UE)
			fl |= MXCSR_UE;
	}
	return fl;
}

/* Shapes of the operation handlers. */
enum { PACKED, SCALAR };

/*
 * The arithmetic shape: `op dst, src1, src2[, imm]` computes per lane
 * src1 OP src2; `op dst, src[, imm]` (VSQRTPS, the same-size
 * conversions, VROUNDPS) computes OP src.  A scalar form touches lane 0
 * only, and bits 255:128 of the destination are zeroed.
 */
static void fp_op(struct cpu *c, const struct insn *i, lane_fn fn, int shape)
{
	union yvec d, s;
	unsigned len = avx_enter(c, i);
	if (i->nops >= 3 && i->o[2].kind != OK_IMM) {
		avx_read(c, i, 2, &s, false);
		avx_read(c, i, 1, &d, false);
	} else {
		avx_read(c, i, 1, &s, false);
		memset(&d, 0, sizeof d);
	}
	unsigned nl = shape == SCALAR ? 1 : len / 16;
	unsigned fl = run_lanes(c, fn, &d, &s, nl, (unsigned)i->imm & 0xFF);
	sse_raise_flags(c, fl);
	if (nl == 1)
		memset(&d.h[1], 0, 16);
	avx_write(c, i, 0, &d, false);
}

#define FP(name, fn, shape) \
	void op_##name(struct cpu *c, const struct insn *i) { fp_op(c, i, l_##fn, shape); }
FP(vaddps, addps, PACKED) FP(vaddpd, addpd, PACKED) FP(vaddss, addss, SCALAR) FP(vaddsd, addsd, SCALAR)
FP(vsubps, subps, PACKED) FP(vsubpd, subpd, PACKED) FP(vsubss, subss, SCALAR) FP(vsubsd, subsd, SCALAR)
FP(vmulps, mulps, PACKED) FP(vmulpd, mulpd, PACKED) FP(vmulss, mulss, SCALAR) FP(vmulsd, mulsd, SCALAR)
FP(vdivps, divps, PACKED) FP(vdivpd, divpd, PACKED) FP(vdivss, divss, SCALAR) FP(vdivsd, divsd, SCALAR)
FP(vminps, minps, PACKED) FP(vminpd, minpd, PACKED) FP(vminss, minss, SCALAR) FP(vminsd, minsd, SCALAR)
FP(vmaxps, maxps, PACKED) FP(vmaxpd, maxpd, PACKED) FP(vmaxss, maxss, SCALAR) FP(vmaxsd, maxsd, SCALAR)
FP(vsqrtps, sqrtps, PACKED) FP(vsqrtpd, sqrtpd, PACKED) FP(vsqrtss, sqrtss, SCALAR) FP(vsqrtsd, sqrtsd, SCALAR)
FP(vrcpps, rcpps, PACKED) FP(vrcpss, rcpss, SCALAR) FP(vrsqrtps, rsqrtps, PACKED) FP(vrsqrtss, rsqrtss, SCALAR)
FP(vaddsubps, addsubps, PACKED) FP(vaddsubpd, addsubpd, PACKED)
FP(vhaddps, haddps, PACKED) FP(vhaddpd, haddpd, PACKED) FP(vhsubps, hsubps, PACKED) FP(vhsubpd, hsubpd, PACKED)
FP(vcvtdq2ps, cvtdq2ps, PACKED) FP(vcvtps2dq, cvtps2dq, PACKED) FP(vcvttps2dq, cvttps2dq, PACKED)
FP(vcvtss2sd, cvtss2sd, SCALAR) FP(vcvtsd2ss, cvtsd2ss, SCALAR)
FP(vroundps, roundps, PACKED) FP(vroundpd, roundpd, PACKED)
FP(vroundss, roundss, SCALAR) FP(vroundsd, roundsd, SCALAR)

/*
 * VDPPS (per 128-bit lane) and VDPPD (128-bit only).  The result is the
 * host's DPPS/DPPD.  With an exception unmasked, the hardware stops
 * after whichever of its two stages raised it: the multiply stage (the
 * products selected by imm8[7:4], others +0) or the add stage (the sums
 * of products), and an unmasked pre-computation exception of the add
 * stage keeps the flags the multiply stage set.  The stages are run
 * apart for their flags then (MULPS, then HADDPS twice; MULPD, HADDPD).
 */
static void dp_op(struct cpu *c, const struct insn *i, lane_fn fn, unsigned e)
{
	union yvec d, s;
	unsigned len = avx_enter(c, i), imm = (unsigned)i->imm & 0xFF;
	avx_read(c, i, 2, &s, false);
	avx_read(c, i, 1, &d, false);
	unsigned nl = e == 4 ? len / 16 : 1;
	if (unlikely((c->mxcsr & MXCSR_MASKS) != MXCSR_MASKS)) {
		unsigned f1 = 0, f2 = 0, f;
		union vec p[2];
		for (unsigned l = 0; l < nl; l++) {
			union vec a = d.h[l], b = s.h[l];
			for (unsigned k = 0; k < 16 / e; k++)
				if (!((imm >> (4 + k)) & 1)) {
					memset(a.b + k * e, 0, e);
					memset(b.b + k * e, 0, e);
				}
			if (e == 4)
				HOST_SSE(c, "mulps", a.x, b.x, f);
			else
				HOST_SSE(c, "mulpd", a.x, b.x, f);
			p[l] = a;
			f1 |= f;
		}
		if (f1 & ~(c->mxcsr >> 7) & MXCSR_FLAGS)
			sse_raise_flags(c, f1);   /* faults */
		for (unsigned l = 0; l < nl; l++) {
			union vec t = p[l];
			if (e == 4) {
				HOST_SSE(c, "haddps", t.x, p[l].x, f);
				f2 |= f;
				union vec u = t;
				HOST_SSE(c, "haddps", u.x, t.x, f);
			} else {
				HOST_SSE(c, "haddpd", t.x, p[l].x, f);
			}
			f2 |= f;
		}
		c->mxcsr |= f1;
		sse_raise_flags(c, f2);
	}
	unsigned fl = run_lanes(c, fn, &d, &s, nl, imm);
	sse_raise_flags(c, fl);
	if (nl == 1)
		memset(&d.h[1], 0, 16);
	avx_write(c, i, 0, &d, false);
}
void op_vdpps(struct cpu *c, const struct insn *i) { dp_op(c, i, l_dpps, 4); }
void op_vdppd(struct cpu *c, const struct insn *i) { dp_op(c, i, l_dppd, 8); }

/*
 * Widening conversions (VCVTPS2PD, VCVTDQ2PD): the 256-bit form reads
 * 128 bits, the 128-bit form 64.  The SSE instruction converts the low
 * two elements of its source, so lane k is given source bits
 * 64k+63:64k.
 */
static void cvt_widen(struct cpu *c, const struct insn *i, lane_fn fn)
{
	union yvec d, s, t;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	memset(&d, 0, sizeof d);
	memset(&t, 0, sizeof t);
	t.h[0].q[0] = s.q[0];
	t.h[1].q[0] = s.q[1];
	sse_raise_flags(c, run_lanes(c, fn, &d, &t, len / 16, 0));
	avx_write(c, i, 0, &d, false);
}

/* Narrowing conversions (VCVTPD2PS, VCVT(T)PD2DQ): the destination is
 * an XMM register whatever the source's size; each source lane gives 64
 * bits of it. */
static void cvt_narrow(struct cpu *c, const struct insn *i, lane_fn fn)
{
	union yvec d, s;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	memset(&d, 0, sizeof d);
	sse_raise_flags(c, run_lanes(c, fn, &d, &s, len / 16, 0));
	union yvec r;
	memset(&r, 0, sizeof r);
	r.q[0] = d.h[0].q[0];
	r.q[1] = len == 32 ? d.h[1].q[0] : 0;
	avx_write(c, i, 0, &r, false);
}

void op_vcvtps2pd(struct cpu *c, const struct insn *i) { cvt_widen(c, i, l_cvtps2pd); }
void op_vcvtdq2pd(struct cpu *c, const struct insn *i) { cvt_widen(c, i, l_cvtdq2pd); }
void op_vcvtpd2ps(struct cpu *c, const struct insn *i) { cvt_narrow(c, i, l_cvtpd2ps); }
void op_vcvtpd2dq(struct cpu *c, const struct insn *i) { cvt_narrow(c, i, l_cvtpd2dq); }
void op_vcvttpd2dq(struct cpu *c, const struct insn *i) { cvt_narrow(c, i, l_cvttpd2dq); }

/* ---- compares ---- */

/*
 * VCMPPS/PD/SS/SD with the 32 predicates of imm8[4:0] (SDM vol. 2A
 * CMPPS, table 3-1).  The legacy instruction knows only 0-7, so the
 * host computes the three basic relations (EQ_OQ, LT_OS, UNORD_Q) and
 * the predicate is a truth table over less / equal / greater /
 * unordered.  The flags are those of a quiet predicate (EQ_OQ: #IA on
 * SNaN only) or of a signalling one (LT_OS: #IA on any NaN); both also
 * report denormal operands.
 */
static const uint8_t cmp_truth[16] = {
	/* bit 0 less, 1 equal, 2 greater, 3 unordered */
	0x2, 0x1, 0x3, 0x8, 0xD, 0xE, 0xC, 0x7,   /* EQ LT LE UNORD NEQ NLT NLE ORD */
	0xA, 0x9, 0xB, 0x0, 0x5, 0x6, 0x4, 0xF,   /* EQ_U NGE NGT FALSE NEQ_O GE GT TRUE */
};
/* Predicates 0-15 that signal on QNaN; 16-31 are the opposite. */
#define CMP_SIGNALLING 0x6666u

#define CMP3(mn)                                                              \
	static void c_##mn(struct cpu *c, const union vec *a, const union vec *b, \
			   union vec r[3], unsigned fl[3])                    \
	{                                                                     \
		r[0] = *a; r[1] = *a; r[2] = *a;                              \
		HOST_SSE_IMM(c, #mn, 0, r[0].x, b->x, fl[0]);                 \
		HOST_SSE_IMM(c, #mn, 1, r[1].x, b->x, fl[1]);                 \
		HOST_SSE_IMM(c, #mn, 3, r[2].x, b->x, fl[2]);                 \
	}
CMP3(cmpps) CMP3(cmppd) CMP3(cmpss) CMP3(cmpsd)
typedef void (*cmp3_fn)(struct cpu *c, const union vec *a, const union vec *b,
			union vec r[3], unsigned fl[3]);

static void cmp_op(struct cpu *c, const struct insn *i, cmp3_fn fn, unsigned scalar_bytes)
{
	union yvec a, b, d;
	unsigned len = avx_enter(c, i);
	unsigned p = (unsigned)i->imm & 31, t = cmp_truth[p & 15];
	bool sig = ((CMP_SIGNALLING >> (p & 15)) & 1) ^ (p >= 16);
	unsigned nl = scalar_bytes ? 1 : len / 16, fl = 0;
	avx_read(c, i, 2, &b, false);
	avx_read(c, i, 1, &a, false);
	d = a;
	for (unsigned k = 0; k < nl; k++) {
		union vec r[3];
		unsigned f[3];
		fn(c, &a.h[k], &b.h[k], r, f);
		fl |= sig ? f[1] : f[0];
		for (unsigned w = 0; w < 2; w++) {
			uint64_t eq = r[0].q[w], lt = r[1].q[w], un = r[2].q[w];
			uint64_t gt = ~(eq | lt | un);
			d.h[k].q[w] = ((t & 1) ? lt : 0) | ((t & 2) ? eq : 0) |
				      ((t & 4) ? gt : 0) | ((t & 8) ? un : 0);
		}
	}
	sse_raise_flags(c, fl);
	if (scalar_bytes) {
		/* only the low element is compared; the rest is src1's */
		memcpy(d.b + scalar_bytes, a.b + scalar_bytes, 16 - scalar_bytes);
		memset(&d.h[1], 0, 16);
	}
	avx_write(c, i, 0, &d, false);
}

void op_vcmpps(struct cpu *c, const struct insn *i) { cmp_op(c, i, c_cmpps, 0); }
void op_vcmppd(struct cpu *c, const struct insn *i) { cmp_op(c, i, c_cmppd, 0); }
void op_vcmpss(struct cpu *c, const struct insn *i) { cmp_op(c, i, c_cmpss, 4); }
void op_vcmpsd(struct cpu *c, const struct insn *i) { cmp_op(c, i, c_cmpsd, 8); }

/* VCOMISS/VCOMISD/VUCOMISS/VUCOMISD: ZF PF CF from the comparison
 * (unordered 111, greater 000, less 001, equal 100), OF SF AF cleared;
 * COMIS signal invalid on QNaN as well, UCOMIS on SNaN only. */
#define COMI(mn)                                                             \
	void op_v##mn(struct cpu *c, const struct insn *i)                   \
	{                                                                    \
		union yvec d, s;                                             \
		uint32_t h, g;                                               \
		uint8_t zf, pf, cf;                                          \
		avx_enter(c, i);                                             \
		avx_read(c, i, 1, &s, false);                                \
		avx_read(c, i, 0, &d, false);                                \
		g = sse_host_csr(c);                                         \
		__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" #mn " %[s], %[d]\n\t" \
				 "stmxcsr %[g]\n\tldmxcsr %[h]"              \
				 : "=@ccz"(zf), "=@ccp"(pf), "=@ccc"(cf),    \
				   [g] "+m"(g), [h] "=m"(h)                  \
				 : [d] "x"(d.h[0].x), [s] "x"(s.h[0].x));    \
		sse_raise_flags(c, g & MXCSR_FLAGS);                         \
		flags_set_arith(c, (zf ? F_ZF : 0) | (pf ? F_PF : 0) | (cf ? F_CF : 0)); \
	}
COMI(comiss) COMI(comisd) COMI(ucomiss) COMI(ucomisd)

/* ---- conversions with a GPR ---- */

/* VCVTSI2SS/VCVTSI2SD xmm1, xmm2, r/m32/64: the integer converted into
 * the low element, the rest from xmm2. */
#define CVTSI2(mn)                                                           \
	void op_v##mn(struct cpu *c, const struct insn *i)                   \
	{                                                                    \
		union yvec d, s;                                             \
		uint32_t h, g;                                               \
		avx_enter(c, i);                                             \
		avx_read(c, i, 2, &s, false);                                \
		avx_read(c, i, 1, &d, false);                                \
		g = sse_host_csr(c);                                         \
		if (i->o[2].size == 8)                                       \
			__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" #mn "q %[s], %[d]\n\t" \
					 "stmxcsr %[g]\n\tldmxcsr %[h]"      \
					 : [d] "+x"(d.h[0].x), [g] "+m"(g), [h] "=m"(h) \
					 : [s] "r"(s.q[0]));                 \
		else                                                         \
			__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" #mn "l %k[s], %[d]\n\t" \
					 "stmxcsr %[g]\n\tldmxcsr %[h]"      \
					 : [d] "+x"(d.h[0].x), [g] "+m"(g), [h] "=m"(h) \
					 : [s] "r"(s.q[0]));                 \
		sse_raise_flags(c, g & MXCSR_FLAGS);                         \
		memset(&d.h[1], 0, 16);                                      \
		avx_write(c, i, 0, &d, false);                               \
	}
CVTSI2(cvtsi2ss) CVTSI2(cvtsi2sd)

/* VCVT(T)SS2SI / VCVT(T)SD2SI r32/r64, xmm/m: NaN or out of range gives
 * the integer indefinite with #I, as the host instruction does. */
#define CVT2SI(mn)                                                           \
	void op_v##mn(struct cpu *c, const struct insn *i)                   \
	{                                                                    \
		union yvec s;                                                \
		uint64_t r;                                                  \
		uint32_t h, g;                                               \
		avx_enter(c, i);                                             \
		avx_read(c, i, 1, &s, false);                                \
		g = sse_host_csr(c);                                         \
		if (i->o[0].size == 8)                                       \
			__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" #mn " %[s], %q[d]\n\t" \
					 "stmxcsr %[g]\n\tldmxcsr %[h]"      \
					 : [d] "=r"(r), [g] "+m"(g), [h] "=m"(h) \
					 : [s] "x"(s.h[0].x));               \
		else                                                         \
			__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" #mn " %[s], %k[d]\n\t" \
					 "stmxcsr %[g]\n\tldmxcsr %[h]"      \
					 : [d] "=r"(r), [g] "+m"(g), [h] "=m"(h) \
					 : [s] "x"(s.h[0].x));               \
		sse_raise_flags(c, g & MXCSR_FLAGS);                         \
		reg_write(c, &i->o[0], r);                                   \
	}
CVT2SI(cvtss2si) CVT2SI(cvttss2si) CVT2SI(cvtsd2si) CVT2SI(cvttsd2si)

/* VLDMXCSR m32: bits outside MXCSR_MASK -> #GP(0).  VSTMXCSR m32.  The
 * VEX prologue replaces the SSE one (SDM vol. 2B LDMXCSR). */
void op_vldmxcsr(struct cpu *c, const struct insn *i)
{
	avx_enter(c, i);
	uint32_t v = (uint32_t)mem_read(c, insn_la(c, i), 4);
	if (v & ~MXCSR_MASK_SUPPORTED)
		cpu_fault(c, EXC_GP, 0);
	c->mxcsr = v;
}

void op_vstmxcsr(struct cpu *c, const struct insn *i)
{
	avx_enter(c, i);
	mem_write(c, insn_la(c, i), 4, c->mxcsr);
}

/* ---- data movement: no MXCSR involvement ---- */

/* Read the two sources of `op dst, src1, src2` after the prologue. */
static unsigned src2(struct cpu *c, const struct insn *i, union yvec *a, union yvec *b)
{
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 2, b, false);
	avx_read(c, i, 1, a, false);
	return len;
}

/* VBLENDPS/VBLENDPD: element k from src2 when imm8 bit k is set, else
 * from src1 (8 or 4 elements of a 256-bit form, 4 or 2 of a 128-bit). */
static void blend_imm(struct cpu *c, const struct insn *i, unsigned e)
{
	union yvec a, b;
	unsigned len = src2(c, i, &a, &b);
	for (unsigned k = 0; k < len / e; k++)
		if ((i->imm >> k) & 1)
			memcpy(a.b + k * e, b.b + k * e, e);
	avx_write(c, i, 0, &a, false);
}
void op_vblendps(struct cpu *c, const struct insn *i) { blend_imm(c, i, 4); }
void op_vblendpd(struct cpu *c, const struct insn *i) { blend_imm(c, i, 8); }

/* VBLENDVPS/VBLENDVPD dst, src1, src2, mask (/is4: imm8[7:4]): element k
 * from src2 when the sign bit of the mask's element k is set. */
static void blend_var(struct cpu *c, const struct insn *i, unsigned e)
{
	union yvec a, b, m;
	unsigned len = src2(c, i, &a, &b);
	avx_read(c, i, 3, &m, false);
	for (unsigned k = 0; k < len / e; k++)
		if (m.b[k * e + e - 1] & 0x80)
			memcpy(a.b + k * e, b.b + k * e, e);
	avx_write(c, i, 0, &a, false);
}
void op_vblendvps(struct cpu *c, const struct insn *i) { blend_var(c, i, 4); }
void op_vblendvpd(struct cpu *c, const struct insn *i) { blend_var(c, i, 8); }

/* VSHUFPS: per 128-bit lane, dwords 0-1 from src1 and 2-3 from src2,
 * chosen by the same imm8 fields in both lanes. */
void op_vshufps(struct cpu *c, const struct insn *i)
{
	union yvec a, b, d;
	unsigned len = src2(c, i, &a, &b), imm = (unsigned)i->imm;
	memset(&d, 0, sizeof d);
	for (unsigned l = 0; l < len / 16; l++) {
		d.h[l].d[0] = a.h[l].d[imm & 3];
		d.h[l].d[1] = a.h[l].d[(imm >> 2) & 3];
		d.h[l].d[2] = b.h[l].d[(imm >> 4) & 3];
		d.h[l].d[3] = b.h[l].d[(imm >> 6) & 3];
	}
	avx_write(c, i, 0, &d, false);
}

/* VSHUFPD: lane l takes src1's qword imm8[2l] and src2's qword
 * imm8[2l+1]. */
void op_vshufpd(struct cpu *c, const struct insn *i)
{
	union yvec a, b, d;
	unsigned len = src2(c, i, &a, &b), imm = (unsigned)i->imm;
	memset(&d, 0, sizeof d);
	for (unsigned l = 0; l < len / 16; l++) {
		d.h[l].q[0] = a.h[l].q[(imm >> (2 * l)) & 1];
		d.h[l].q[1] = b.h[l].q[(imm >> (2 * l + 1)) & 1];
	}
	avx_write(c, i, 0, &d, false);
}

/* VUNPCKLPS/HPS/LPD/HPD: per lane, interleave the low (high) halves of
 * src1 and src2. */
static void unpck(struct cpu *c, const struct insn *i, unsigned e, unsigned hi)
{
	union yvec a, b, d;
	unsigned len = src2(c, i, &a, &b), n = 8 / e;
	memset(&d, 0, sizeof d);
	for (unsigned l = 0; l < len / 16; l++)
		for (unsigned k = 0; k < n; k++) {
			memcpy(d.h[l].b + 2 * k * e, a.h[l].b + (hi * n + k) * e, e);
			memcpy(d.h[l].b + (2 * k + 1) * e, b.h[l].b + (hi * n + k) * e, e);
		}
	avx_write(c, i, 0, &d, false);
}
void op_vunpcklps(struct cpu *c, const struct insn *i) { unpck(c, i, 4, 0); }
void op_vunpckhps(struct cpu *c, const struct insn *i) { unpck(c, i, 4, 1); }
void op_vunpcklpd(struct cpu *c, const struct insn *i) { unpck(c, i, 8, 0); }
void op_vunpckhpd(struct cpu *c, const struct insn *i) { unpck(c, i, 8, 1); }

/* VPERMILPS: within each lane, dword j <- src dword sel, sel from
 * imm8[2j+1:2j] (the same for both lanes) or from bits 1:0 of dword j
 * of the control vector (the variable form: dst, src1, control). */
void op_vpermilps(struct cpu *c, const struct insn *i)
{
	union yvec s, ctl, d;
	unsigned len = avx_enter(c, i);
	if (i->o[2].kind == OK_IMM) {
		avx_read(c, i, 1, &s, false);
		for (unsigned j = 0; j < 8; j++)
			ctl.d[j] = (unsigned)(i->imm >> (2 * (j & 3))) & 3;
	} else {
		avx_read(c, i, 2, &ctl, false);
		avx_read(c, i, 1, &s, false);
	}
	memset(&d, 0, sizeof d);
	for (unsigned j = 0; j < len / 4; j++)
		d.d[j] = s.d[(j & ~3u) + (ctl.d[j] & 3)];
	avx_write(c, i, 0, &d, false);
}

/* VPERMILPD: qword j <- the lane's qword imm8[j] (imm form), or bit 1 of
 * control qword j (variable form). */
void op_vpermilpd(struct cpu *c, const struct insn *i)
{
	union yvec s, ctl, d;
	unsigned len = avx_enter(c, i);
	if (i->o[2].kind == OK_IMM) {
		avx_read(c, i, 1, &s, false);
		for (unsigned j = 0; j < 4; j++)
			ctl.q[j] = ((i->imm >> j) & 1) << 1;
	} else {
		avx_read(c, i, 2, &ctl, false);
		avx_read(c, i, 1, &s, false);
	}
	memset(&d, 0, sizeof d);
	for (unsigned j = 0; j < len / 8; j++)
		d.q[j] = s.q[(j & ~1u) + ((ctl.q[j] >> 1) & 1)];
	avx_write(c, i, 0, &d, false);
}

/* VPERM2F128 ymm, ymm, ymm/m256, imm8: each half of the destination is
 * one of src1.lo, src1.hi, src2.lo, src2.hi (imm8[1:0], [5:4]), or zero
 * (imm8[3], [7]). */
void op_vperm2f128(struct cpu *c, const struct insn *i)
{
	union yvec a, b, d;
	src2(c, i, &a, &b);
	for (unsigned h = 0; h < 2; h++) {
		unsigned sel = (unsigned)(i->imm >> (4 * h)) & 0xF;
		if (sel & 8)
			memset(&d.h[h], 0, 16);
		else
			d.h[h] = (sel & 2) ? b.h[sel & 1] : a.h[sel & 1];
	}
	avx_write(c, i, 0, &d, false);
}

/* VINSERTF128 ymm, ymm, xmm/m128, imm8: src1 with half imm8[0]
 * replaced. */
void op_vinsertf128(struct cpu *c, const struct insn *i)
{
	union yvec a, b;
	src2(c, i, &a, &b);
	a.h[i->imm & 1] = b.h[0];
	avx_write(c, i, 0, &a, false);
}

/* VEXTRACTF128 xmm/m128, ymm, imm8: half imm8[0] (a register destination
 * has bits 255:128 zeroed). */
void op_vextractf128(struct cpu *c, const struct insn *i)
{
	union yvec s, d;
	avx_enter(c, i);
	ymm_get(c, i->o[1].reg, &s);   /* the source is always a YMM register */
	memset(&d, 0, sizeof d);
	d.h[0] = s.h[i->imm & 1];
	avx_write(c, i, 0, &d, false);
}

/* VBROADCASTSS/SD/F128: the low element (4, 8 or 16 bytes) of a memory
 * operand or (AVX2) of an XMM register, copied across the destination. */
static void bcast(struct cpu *c, const struct insn *i, unsigned e)
{
	union yvec s, d;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	memset(&d, 0, sizeof d);
	for (unsigned k = 0; k < len; k += e)
		memcpy(d.b + k, s.b, e);
	avx_write(c, i, 0, &d, false);
}
void op_vbroadcastss(struct cpu *c, const struct insn *i) { bcast(c, i, 4); }
void op_vbroadcastsd(struct cpu *c, const struct insn *i) { bcast(c, i, 8); }
void op_vbroadcastf128(struct cpu *c, const struct insn *i) { bcast(c, i, 16); }

/*
 * VMASKMOVPS/PD.  Load (dst, mask, mem): elements whose mask sign bit
 * is set are read, the others are zero and their memory is never
 * touched, so they cannot fault.  Store (mem, mask, src): only the
 * selected elements are written; every selected element is checked
 * for a fault before any is written (SDM vol. 2B VMASKMOV: faults of
 * masked-off elements are suppressed).
 */
static void maskmov(struct cpu *c, const struct insn *i, unsigned e)
{
	union yvec m, v;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 1, &m, false);
	if (i->o[0].kind == OK_MEM) {
		uint64_t la = insn_ea(c, i);
		avx_read(c, i, 2, &v, false);
		for (unsigned k = 0; k < len / e; k++)
			if (m.b[k * e + e - 1] & 0x80)
				mem_probe_write(c, la + k * e, e);
		for (unsigned k = 0; k < len / e; k++)
			if (m.b[k * e + e - 1] & 0x80)
				avx_mem_write(c, la + k * e, v.b + k * e, e);
		return;
	}
	uint64_t la = insn_ea(c, i);
	memset(&v, 0, sizeof v);
	for (unsigned k = 0; k < len / e; k++)
		if (m.b[k * e + e - 1] & 0x80)
			avx_mem_read(c, la + k * e, v.b + k * e, e);
	avx_write(c, i, 0, &v, false);
}
void op_vmaskmovps(struct cpu *c, const struct insn *i) { maskmov(c, i, 4); }
void op_vmaskmovpd(struct cpu *c, const struct insn *i) { maskmov(c, i, 8); }

/* VMOVMSKPS/PD r, ymm/xmm: the sign bits of the elements, zero-extended
 * into the GPR. */
static void movmsk(struct cpu *c, const struct insn *i, unsigned e)
{
	union yvec s;
	unsigned len = avx_enter(c, i);
	uint64_t r = 0;
	avx_read(c, i, 1, &s, false);
	for (unsigned k = 0; k < len / e; k++)
		r |= (uint64_t)(s.b[k * e + e - 1] >> 7) << k;
	reg_write(c, &i->o[0], r);
}
void op_vmovmskps(struct cpu *c, const struct insn *i) { movmsk(c, i, 4); }
void op_vmovmskpd(struct cpu *c, const struct insn *i) { movmsk(c, i, 8); }

/* VTESTPS/PD src1, src2: ZF = no element has the sign bit set in both,
 * CF = no element has it set in src2 and clear in src1; AF OF PF SF
 * cleared. */
static void vtest(struct cpu *c, const struct insn *i, unsigned e)
{
	union yvec a, b;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 1, &b, false);
	avx_read(c, i, 0, &a, false);
	unsigned and = 0, andn = 0;
	for (unsigned k = 0; k < len / e; k++) {
		unsigned x = a.b[k * e + e - 1] >> 7, y = b.b[k * e + e - 1] >> 7;
		and |= x & y;
		andn |= ~x & y & 1;
	}
	flags_set_arith(c, (and ? 0 : F_ZF) | (andn ? 0 : F_CF));
}
void op_vtestps(struct cpu *c, const struct insn *i) { vtest(c, i, 4); }
void op_vtestpd(struct cpu *c, const struct insn *i) { vtest(c, i, 8); }

/* VMOVLPS/LPD and VMOVHPS/HPD.  Load (xmm1, xmm2, m64): the m64 replaces
 * the low (high) qword of xmm2.  Store (m64, xmm1): its low (high)
 * qword. */
static void movhl_mem(struct cpu *c, const struct insn *i, unsigned hi)
{
	union yvec a, b;
	avx_enter(c, i);
	if (i->o[0].kind == OK_MEM) {
		avx_read(c, i, 1, &a, false);
		a.q[0] = a.q[hi];
		avx_write(c, i, 0, &a, false);
		return;
	}
	src2(c, i, &a, &b);
	a.q[hi] = b.q[0];
	avx_write(c, i, 0, &a, false);
}
void op_vmovlps(struct cpu *c, const struct insn *i) { movhl_mem(c, i, 0); }
void op_vmovhps(struct cpu *c, const struct insn *i) { movhl_mem(c, i, 1); }

/* VMOVHLPS xmm1, xmm2, xmm3: xmm3's high qword, then xmm2's high qword.
 * VMOVLHPS xmm1, xmm2, xmm3: xmm2's low qword, then xmm3's low one. */
void op_vmovhlps(struct cpu *c, const struct insn *i)
{
	union yvec a, b;
	src2(c, i, &a, &b);
	a.q[0] = b.q[1];
	avx_write(c, i, 0, &a, false);
}

void op_vmovlhps(struct cpu *c, const struct insn *i)
{
	union yvec a, b;
	src2(c, i, &a, &b);
	a.q[1] = b.q[0];
	avx_write(c, i, 0, &a, false);
}

/* VMOVDDUP: each lane's low qword twice (the 128-bit memory form reads
 * 8 bytes).  VMOVSLDUP/VMOVSHDUP: even (odd) dwords duplicated. */
void op_vmovddup(struct cpu *c, const struct insn *i)
{
	union yvec s, d;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	memset(&d, 0, sizeof d);
	for (unsigned l = 0; l < len / 16; l++)
		d.q[2 * l] = d.q[2 * l + 1] = s.q[2 * l];
	avx_write(c, i, 0, &d, false);
}

static void movdup(struct cpu *c, const struct insn *i, unsigned odd)
{
	union yvec s, d;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	memset(&d, 0, sizeof d);
	for (unsigned k = 0; k < len / 4; k += 2)
		d.d[k] = d.d[k + 1] = s.d[k + odd];
	avx_write(c, i, 0, &d, false);
}
void op_vmovsldup(struct cpu *c, const struct insn *i) { movdup(c, i, 0); }
void op_vmovshdup(struct cpu *c, const struct insn *i) { movdup(c, i, 1); }

/* VINSERTPS xmm1, xmm2, xmm3/m32, imm8: xmm2 with dword imm8[5:4]
 * replaced by xmm3's dword imm8[7:6] (a memory source is the dword
 * itself), then the dwords of imm8[3:0] zeroed. */
void op_vinsertps(struct cpu *c, const struct insn *i)
{
	union yvec a, b;
	unsigned imm = (unsigned)i->imm & 0xFF;
	src2(c, i, &a, &b);
	a.d[(imm >> 4) & 3] = i->o[2].kind == OK_MEM ? b.d[0] : b.d[imm >> 6];
	for (unsigned k = 0; k < 4; k++)
		if ((imm >> k) & 1)
			a.d[k] = 0;
	avx_write(c, i, 0, &a, false);
}

/* VEXTRACTPS r/m32, xmm, imm8: dword imm8[1:0] (a 64-bit GPR
 * destination is zero-extended). */
void op_vextractps(struct cpu *c, const struct insn *i)
{
	union yvec s, d;
	avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	memset(&d, 0, sizeof d);
	d.d[0] = s.d[i->imm & 3];
	avx_write(c, i, 0, &d, false);
}

/* AVX2 VPERMPS ymm1, ymm2, ymm3/m256: dword j <- ymm3's dword
 * (ymm2's dword j & 7), across lanes.  VPERMPD ymm1, ymm2/m256, imm8:
 * qword j <- qword imm8[2j+1:2j]. */
void op_vpermps(struct cpu *c, const struct insn *i)
{
	union yvec idx, s, d;
	src2(c, i, &idx, &s);
	for (unsigned j = 0; j < 8; j++)
		d.d[j] = s.d[idx.d[j] & 7];
	avx_write(c, i, 0, &d, false);
}

void op_vpermpd(struct cpu *c, const struct insn *i)
{
	union yvec s, d;
	avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	for (unsigned j = 0; j < 4; j++)
		d.q[j] = s.q[(i->imm >> (2 * j)) & 3];
	avx_write(c, i, 0, &d, false);
}
