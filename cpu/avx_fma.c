/*
 * avx_fma.c - FMA3 (VFMADD/VFMSUB/VFMADDSUB/VFMSUBADD/VFNMADD/VFNMSUB in
 * the 132, 213 and 231 operand orders, PS/PD/SS/SD) and F16C
 * (VCVTPH2PS, VCVTPS2PH).  SDM vol. 2 under each mnemonic, vol. 1 14.5
 * (FMA) and 14.4 (half precision).
 *
 * When the host has the instruction, it runs on each 128-bit lane under
 * the guest's MXCSR as HOST_SSE does (cpu/sse.h): result, NaN choice,
 * DAZ/FTZ and flags are the host's by construction.  Otherwise a
 * software version computes the same things from fma()/fmaf() with the
 * rounding mode and flags of <fenv.h>, and the rules below, which are
 * what the hosts of tests/diff-avx do (LSTAR_SOFT_FP=1 forces this path
 * so that the harness can check it on a host with the instructions).
 *
 * The three orders name which operand multiplies which (dst is also the
 * first source, src2 is VEX.vvvv, src3 ModRM.r/m):
 *   132: dst * src3 + src2    213: src2 * dst + src3    231: src2 * src3 + dst
 * Below, x * y + z in that order.
 */
#include <cpuid.h>
#include "avx.h"
#include <fenv.h>
#include <math.h>
#include <stdlib.h>

/* ---- host path ---- */

typedef void (*fma_host_fn)(uint32_t csr, union vec *d, const union vec *b,
			    const union vec *s, unsigned *fl);

#define HFMA(mn)                                                             \
	__attribute__((target("fma")))                                       \
	static void h_##mn(uint32_t csr, union vec *d, const union vec *b,   \
			   const union vec *s, unsigned *fl)                 \
	{                                                                    \
		uint32_t h, g = csr;                                         \
		__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t"          \
				 #mn " %[s], %[b], %[d]\n\t"                 \
				 "stmxcsr %[g]\n\tldmxcsr %[h]"              \
				 : [d] "+x"(d->x), [g] "+m"(g), [h] "=m"(h)  \
				 : [b] "x"(b->x), [s] "x"(s->x));            \
		*fl = g & MXCSR_FLAGS;                                       \
	}
#define HFMA4(k, o) HFMA(k##o##ps) HFMA(k##o##pd) HFMA(k##o##ss) HFMA(k##o##sd)
#define HFMA2(k, o) HFMA(k##o##ps) HFMA(k##o##pd)
HFMA4(vfmadd, 132) HFMA4(vfmadd, 213) HFMA4(vfmadd, 231)
HFMA4(vfmsub, 132) HFMA4(vfmsub, 213) HFMA4(vfmsub, 231)
HFMA4(vfnmadd, 132) HFMA4(vfnmadd, 213) HFMA4(vfnmadd, 231)
HFMA4(vfnmsub, 132) HFMA4(vfnmsub, 213) HFMA4(vfnmsub, 231)
HFMA2(vfmaddsub, 132) HFMA2(vfmaddsub, 213) HFMA2(vfmaddsub, 231)
HFMA2(vfmsubadd, 132) HFMA2(vfmsubadd, 213) HFMA2(vfmsubadd, 231)

/* 1: use the host's FMA/F16C instructions; 0: the software versions. */
static int host_fma = -1, host_f16c = -1;

static void pick_paths(void)
{
	const char *soft = getenv("LSTAR_SOFT_FP");
	bool force = soft && *soft && *soft != '0';
	/* CPUID leaf 1 ECX: FMA (12), F16C (29), OSXSAVE (27), AVX (28); and
	 * XCR0 must enable SSE and AVX state.  (CPUID rather than
	 * __builtin_cpu_supports, which not every compiler knows "f16c" for.) */
	unsigned a, b, c, d;
	bool avx = false;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 27)) && (c & (1u << 28))) {
		unsigned lo, hi;
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		avx = (lo & 6) == 6;
	}
	host_fma = !force && avx && (c & (1u << 12));
	host_f16c = !force && avx && (c & (1u << 29));
}

/* ---- software path ---- */

/* What an element's sign pattern is: -(x*y) for the NMADD/NMSUB kinds,
 * -z always (MSUB, NMSUB), on even elements (MADDSUB: even elements
 * subtract) or on odd ones (MSUBADD). */
enum { NEG_Z_NEVER, NEG_Z_ALWAYS, NEG_Z_EVEN, NEG_Z_ODD };
struct fma_kind {
	uint8_t neg_p, neg_z, order, esize, scalar;
};

/* The rounding modes of MXCSR.RC in <fenv.h> terms. */
static const int fe_round[4] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };

static unsigned fe_flags(int ex)
{
	return ((ex & FE_INVALID) ? MXCSR_IE : 0) | ((ex & FE_DIVBYZERO) ? MXCSR_ZE : 0) |
	       ((ex & FE_OVERFLOW) ? MXCSR_OE : 0) | ((ex & FE_UNDERFLOW) ? MXCSR_UE : 0) |
	       ((ex & FE_INEXACT) ? MXCSR_PE : 0);
}

/*
 * One element, as the hardware does it (SDM vol. 2 VFMADD132PS
 * "SIMD Floating-Point Exceptions", vol. 1 11.5.2 and 4.8.3.5):
 *  - DAZ: denormal sources are zeros of their sign (and raise no DE);
 *  - a NaN source: the result is the first NaN of x, y, z, quieted (its
 *    sign is not flipped by the negations), IE if any source is an SNaN,
 *    no other flag; 0 * inf with a QNaN addend gives that QNaN without
 *    IE;
 *  - otherwise the fused operation with one rounding: IE for 0 * inf
 *    and inf - inf (the default NaN, and then no DE), else DE if a
 *    source is denormal, OE, UE, PE;
 *  - FTZ: a result that underflows (tininess after rounding, as
 *    fma()'s UE on x86-64 reports it, so also one that rounded up to the
 *    smallest normal) or is denormal becomes a zero of its sign, with UE
 *    and PE.
 * tests/diff-avx checks these against the host with LSTAR_SOFT_FP=1.
 */
#define SOFT_ELEM(name, T, U, EXP, MANT, QUIET, FMA)                         \
	static U name(uint32_t csr, U ux, U uy, U uz, bool np, bool nz, unsigned *fl) \
	{                                                                    \
		U v[3] = { ux, uy, uz };                                     \
		bool den = false, snan = false;                              \
		int nan = -1;                                                \
		for (int k = 0; k < 3; k++) {                                \
			U e = v[k] & (EXP), m = v[k] & (MANT);               \
			if (e == 0 && m) {                                   \
				if (csr & MXCSR_DAZ)                         \
					v[k] &= ~(U)((EXP) | (MANT));     \
				else                                         \
					den = true;                          \
			} else if (e == (EXP) && m) {                        \
				if (nan < 0)                                 \
					nan = k;                             \
				if (!(m & (QUIET)))                          \
					snan = true;                         \
			}                                                    \
		}                                                            \
		if (nan >= 0) {                                              \
			*fl = snan ? MXCSR_IE : 0;                           \
			return v[nan] | (QUIET);                             \
		}                                                            \
		T x, y, z, r;                                                \
		memcpy(&x, &v[0], sizeof x);                                 \
		memcpy(&y, &v[1], sizeof y);                                 \
		memcpy(&z, &v[2], sizeof z);                                 \
		if (np)                                                      \
			x = -x;                                              \
		if (nz)                                                      \
			z = -z;                                              \
		fenv_t env;                                                  \
		fegetenv(&env);                                              \
		fesetround(fe_round[(csr >> 13) & 3]);                       \
		feclearexcept(FE_ALL_EXCEPT);                                \
		volatile T vx = x, vy = y, vz = z;                           \
		r = FMA(vx, vy, vz);                                         \
		volatile T vr = r;                                           \
		unsigned f = fe_flags(fetestexcept(FE_ALL_EXCEPT));          \
		U ur, sign = (U)1 << (sizeof(U) * 8 - 1);                    \
		r = vr;                                                      \
		memcpy(&ur, &r, sizeof ur);                                  \
		fesetenv(&env);                                              \
		if (f & MXCSR_IE)                                            \
			ur = (EXP) | (QUIET) | sign;                         \
		if ((csr & MXCSR_FTZ) && (((ur & (EXP)) == 0 && (ur & (MANT))) || (f & MXCSR_UE))) { \
			ur &= sign;                                          \
			f |= MXCSR_UE | MXCSR_PE;                            \
		}                                                            \
		*fl = f | (den && !(f & MXCSR_IE) ? MXCSR_DE : 0);           \
		return ur;                                                   \
	}
SOFT_ELEM(soft32, float, uint32_t, 0x7F800000u, 0x007FFFFFu, 0x00400000u, fmaf)
SOFT_ELEM(soft64, double, uint64_t, 0x7FF0000000000000ull, 0x000FFFFFFFFFFFFFull,
	  0x0008000000000000ull, fma)

static unsigned soft_fma(uint32_t csr, const struct fma_kind *k, union yvec *d,
			 const union yvec *b, const union yvec *s, unsigned len)
{
	unsigned n = k->scalar ? 1 : len / k->esize, fl = 0, f;
	for (unsigned j = 0; j < n; j++) {
		bool nz = k->neg_z == NEG_Z_ALWAYS || (k->neg_z == NEG_Z_EVEN && !(j & 1)) ||
			  (k->neg_z == NEG_Z_ODD && (j & 1));
		if (k->esize == 4) {
			uint32_t dv = d->d[j], bv = b->d[j], sv = s->d[j];
			uint32_t x = k->order == 132 ? dv : bv;
			uint32_t y = k->order == 213 ? dv : sv;
			uint32_t z = k->order == 132 ? bv : k->order == 213 ? sv : dv;
			d->d[j] = soft32(csr, x, y, z, k->neg_p, nz, &f);
		} else {
			uint64_t dv = d->q[j], bv = b->q[j], sv = s->q[j];
			uint64_t x = k->order == 132 ? dv : bv;
			uint64_t y = k->order == 213 ? dv : sv;
			uint64_t z = k->order == 132 ? bv : k->order == 213 ? sv : dv;
			d->q[j] = soft64(csr, x, y, z, k->neg_p, nz, &f);
		}
		fl |= f;
	}
	return fl;
}

static unsigned fma_run(struct cpu *c, fma_host_fn h, const struct fma_kind *k,
			union yvec *d, const union yvec *b, const union yvec *s,
			unsigned len, uint32_t extra)
{
	uint32_t csr = sse_host_csr(c) | extra;
	unsigned fl = 0, f;
	if (!host_fma)
		return soft_fma(csr, k, d, b, s, len);
	for (unsigned l = 0; l < (k->scalar ? 1 : len / 16); l++) {
		h(csr, &d->h[l], &b->h[l], &s->h[l], &f);
		fl |= f;
	}
	return fl;
}

/* The handler of every FMA mnemonic: dst = src1 (o[0]), src2 = o[1],
 * src3 = o[2]; a scalar form keeps bits 127:32 (127:64) of dst and zeroes
 * 255:128. */
static void fma_op(struct cpu *c, const struct insn *i, fma_host_fn h, struct fma_kind k)
{
	union yvec d, b, s;
	unsigned len = avx_enter(c, i);
	if (unlikely(host_fma < 0))
		pick_paths();
	avx_read(c, i, 2, &s, false);
	avx_read(c, i, 1, &b, false);
	avx_read(c, i, 0, &d, false);
	union yvec d0 = d;
	unsigned fl = fma_run(c, h, &k, &d, &b, &s, len, 0);
	/* Unmasked underflow is due for exact tiny results too: see
	 * run_lanes() in cpu/avx_fp.c. */
	if (unlikely(!(c->mxcsr & (MXCSR_UE << 7)) && !(fl & MXCSR_UE))) {
		if (fma_run(c, h, &k, &d0, &b, &s, len, MXCSR_FTZ) & MXCSR_UE)
			fl |= MXCSR_UE;
	}
	sse_raise_flags(c, fl);
	if (k.scalar)
		memset(&d.h[1], 0, 16);
	avx_write(c, i, 0, &d, false);
}

#define FMA1(kind, ord, t, NP, NZ, ES, SC)                                   \
	void op_##kind##ord##t(struct cpu *c, const struct insn *i)          \
	{                                                                    \
		fma_op(c, i, h_##kind##ord##t,                               \
		       (struct fma_kind){ NP, NZ, ord, ES, SC });            \
	}
#define FMA4(kind, ord, NP, NZ) FMA1(kind, ord, ps, NP, NZ, 4, 0) FMA1(kind, ord, pd, NP, NZ, 8, 0) \
	FMA1(kind, ord, ss, NP, NZ, 4, 1) FMA1(kind, ord, sd, NP, NZ, 8, 1)
#define FMA2(kind, ord, NP, NZ) FMA1(kind, ord, ps, NP, NZ, 4, 0) FMA1(kind, ord, pd, NP, NZ, 8, 0)
#define FMA_ORDERS(M, kind, NP, NZ) M(kind, 132, NP, NZ) M(kind, 213, NP, NZ) M(kind, 231, NP, NZ)
FMA_ORDERS(FMA4, vfmadd, 0, NEG_Z_NEVER)
FMA_ORDERS(FMA4, vfmsub, 0, NEG_Z_ALWAYS)
FMA_ORDERS(FMA4, vfnmadd, 1, NEG_Z_NEVER)
FMA_ORDERS(FMA4, vfnmsub, 1, NEG_Z_ALWAYS)
FMA_ORDERS(FMA2, vfmaddsub, 0, NEG_Z_EVEN)
FMA_ORDERS(FMA2, vfmsubadd, 0, NEG_Z_ODD)

/* ---- F16C ---- */

/*
 * Software conversions (the fallback), in the SDM's terms (vol. 1
 * 14.4.1, VCVTPS2PH "Operation"): a half NaN widens with its payload and
 * the quiet bit set (IE for an SNaN); a half denormal widens exactly;
 * single to half rounds by `rc` (imm8[1:0], or MXCSR.RC), DAZ applies
 * to the single source, the result may be a half denormal (FTZ does not
 * apply), OE/UE/PE as IEEE with tininess after rounding.
 */
static uint32_t h2f(uint16_t h, unsigned *fl)
{
	uint32_t s = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 31, m = h & 0x3FF;
	if (e == 31) {
		if (m && !(m & 0x200))
			*fl |= MXCSR_IE;
		return s | 0x7F800000u | (m ? 0x400000u | (m << 13) : 0);
	}
	if (e == 0) {
		if (!m)
			return s;
		e = 1;
		while (!(m & 0x400)) {
			m <<= 1;
			e--;
		}
		m &= 0x3FF;
		return s | ((e + 112) << 23) | (m << 13);
	}
	return s | ((e + 112) << 23) | (m << 13);
}

/* M >> sh rounded by rc for a value of sign `neg`; *inexact. */
static uint32_t rshift_round(uint32_t M, unsigned sh, unsigned rc, bool neg, bool *inexact)
{
	if (sh > 31) {
		*inexact = M != 0;
		return (M && ((rc == 2 && !neg) || (rc == 1 && neg))) ? 1 : 0;
	}
	uint32_t q = M >> sh, r = M & ((1u << sh) - 1), half = sh ? 1u << (sh - 1) : 0;
	*inexact = r != 0;
	if (!r)
		return q;
	switch (rc) {
	case 0: return q + (r > half || (r == half && (q & 1)));
	case 1: return q + neg;
	case 2: return q + !neg;
	default: return q;
	}
}

static uint16_t f2h(uint32_t x, unsigned rc, bool daz, unsigned *fl)
{
	uint16_t s = (uint16_t)((x >> 16) & 0x8000);
	uint32_t e = (x >> 23) & 0xFF, m = x & 0x7FFFFF;
	bool neg = s != 0, inexact;
	if (e == 0xFF) {
		if (!m)
			return s | 0x7C00;
		if (!(m & 0x400000))
			*fl |= MXCSR_IE;
		return (uint16_t)(s | 0x7E00 | (m >> 13));
	}
	if (e == 0) {
		if (!m)
			return s;
		if (daz)
			return s;
		*fl |= MXCSR_DE;
	}
	int E = e ? (int)e - 127 : -126;
	uint32_t M = e ? (m | 0x800000) : m;
	uint32_t h;
	if (E >= -14) {
		uint32_t q = rshift_round(M, 13, rc, neg, &inexact);
		h = ((uint32_t)(E + 15) << 10) + q - 0x400;
		if (h >= 0x7C00) {
			*fl |= MXCSR_OE | MXCSR_PE;
			bool to_inf = rc == 0 || (rc == 1 && neg) || (rc == 2 && !neg);
			return s | (to_inf ? 0x7C00 : 0x7BFF);
		}
	} else {
		h = rshift_round(M, (unsigned)(-(E + 1)), rc, neg, &inexact);
		/* tiny unless rounding to 11 bits with an unbounded exponent
		 * already reaches 2^-14 */
		bool dummy;
		bool tiny = !(E == -15 && rshift_round(M, 13, rc, neg, &dummy) == 0x800);
		if (inexact && tiny)
			*fl |= MXCSR_UE;
	}
	if (inexact)
		*fl |= MXCSR_PE;
	return (uint16_t)(s | h);
}

#define PH2PS_HOST(D, S, FL) do {                                            \
	uint32_t h_, g_ = sse_host_csr(c);                                   \
	__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\tvcvtph2ps %[s], %[d]\n\t" \
			 "stmxcsr %[g]\n\tldmxcsr %[h]"                      \
			 : [d] "=x"(D), [g] "+m"(g_), [h] "=m"(h_) : [s] "x"(S)); \
	(FL) = g_ & MXCSR_FLAGS;                                             \
} while (0)

/* VCVTPH2PS xmm, xmm/m64 and ymm, xmm/m128: four (eight) halves to
 * singles, exact; a 128-bit host lane converts 64 bits of source. */
void op_vcvtph2ps(struct cpu *c, const struct insn *i)
{
	union yvec s, d;
	unsigned len = avx_enter(c, i), fl = 0, f;
	if (unlikely(host_f16c < 0))
		pick_paths();
	avx_read(c, i, 1, &s, false);
	memset(&d, 0, sizeof d);
	if (host_f16c) {
		for (unsigned l = 0; l < len / 16; l++) {
			union vec t = { .q = { s.q[l], 0 } };
			PH2PS_HOST(d.h[l].x, t.x, f);
			fl |= f;
		}
	} else {
		for (unsigned k = 0; k < len / 4; k++)
			d.d[k] = h2f(s.w[k], &fl);
	}
	sse_raise_flags(c, fl);
	avx_write(c, i, 0, &d, false);
}

#define PS2PH_CASE(k) case k:                                                \
	__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\tvcvtps2ph $" #k ", %[s], %[d]\n\t" \
			 "stmxcsr %[g]\n\tldmxcsr %[h]"                      \
			 : [d] "=x"(r.x), [g] "+m"(g), [h] "=m"(h) : [s] "x"(s->x)); \
	break;

static unsigned ps2ph_host(struct cpu *c, const union vec *s, unsigned imm, uint64_t *out)
{
	union vec r;
	uint32_t h, g = sse_host_csr(c);
	switch (imm & 7) {
	REP4_(PS2PH_CASE, 0) REP4_(PS2PH_CASE, 4)
	}
	*out = r.q[0];
	return g & MXCSR_FLAGS;
}

/* VCVTPS2PH xmm/m64, xmm, imm8 and xmm/m128, ymm, imm8: singles to
 * halves rounded by imm8[1:0], or by MXCSR.RC when imm8[2] is set; a
 * register destination has everything above the result zeroed. */
void op_vcvtps2ph(struct cpu *c, const struct insn *i)
{
	union yvec s, d;
	unsigned len = avx_enter(c, i), fl = 0, imm = (unsigned)i->imm;
	if (unlikely(host_f16c < 0))
		pick_paths();
	ymm_get(c, i->o[1].reg, &s);
	memset(&d, 0, sizeof d);
	if (host_f16c) {
		for (unsigned l = 0; l < len / 16; l++)
			fl |= ps2ph_host(c, &s.h[l], imm, &d.q[l]);
	} else {
		unsigned rc = (imm & 4) ? (c->mxcsr >> 13) & 3 : imm & 3;
		for (unsigned k = 0; k < len / 4; k++)
			d.w[k] = f2h(s.d[k], rc, c->mxcsr & MXCSR_DAZ, &fl);
	}
	sse_raise_flags(c, fl);
	avx_write(c, i, 0, &d, false);
}
