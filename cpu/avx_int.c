/*
 * avx_int.c - the VEX-encoded integer instructions: the VEX.128 forms of
 * the SSE2..SSE4.2 integer instructions and their AVX2 VEX.256 forms
 * (SDM vol. 2, under each legacy mnemonic: "VEX.128 encoded version" and
 * "VEX.256 encoded version"), and the AVX2-only permutes, broadcasts,
 * blends, variable shifts and masked moves (SDM vol. 2 chapters 5/6,
 * VPBLENDD ... VPSRLVD).
 *
 * Almost every 256-bit form is the 128-bit operation applied to each
 * 128-bit lane on its own ("in-lane"); the lane functions below take one
 * lane of each source and an imm8 and produce one lane.  The few that
 * cross lanes (VPMOVSX/ZX, VPERMD/Q, VPERM2I128, broadcasts, VPBLENDD,
 * VPMOVMSKB, VPTEST) work on the whole union yvec.
 *
 * Operand order (Zydis, Intel): o[0] destination, o[1] VEX.vvvv source,
 * o[2] ModRM.r/m, o[3] imm8 or the /is4 register; the two-operand forms
 * (VPSHUFD, VPABS*, VPMOVSX/ZX, VPTEST, broadcasts, VPERMQ...) have their
 * only source in o[1].  No VEX integer instruction here needs aligned
 * memory (SDM vol. 2 2.4, exception class 4: no alignment check).
 */
#include "avx.h"
#include "flags.h"
#include <Zydis/Zydis.h>

/* One lane: r = f(a, b, imm8).  For the two-operand forms a == b. */
typedef void (*lane3_fn)(union vec *r, const union vec *a, const union vec *b, unsigned imm);

/* o[0] = f(o[1], o[2], imm) lane by lane. */
static void vop3(struct cpu *c, const struct insn *i, lane3_fn f)
{
	union yvec a, b, r;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 2, &b, false);
	avx_read(c, i, 1, &a, false);
	for (unsigned l = 0; l < len / 16; l++)
		f(&r.h[l], &a.h[l], &b.h[l], (unsigned)i->imm & 0xFF);
	if (len == 16)
		memset(&r.h[1], 0, 16);
	avx_write(c, i, 0, &r, false);
}

/* o[0] = f(o[1], imm) lane by lane. */
static void vop2(struct cpu *c, const struct insn *i, lane3_fn f)
{
	union yvec a, r;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 1, &a, false);
	for (unsigned l = 0; l < len / 16; l++)
		f(&r.h[l], &a.h[l], &a.h[l], (unsigned)i->imm & 0xFF);
	if (len == 16)
		memset(&r.h[1], 0, 16);
	avx_write(c, i, 0, &r, false);
}

/* ---- saturation ---- */

static inline int8_t ss8(int v) { return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v); }
static inline uint8_t su8(int v) { return (uint8_t)(v > 255 ? 255 : v < 0 ? 0 : v); }
static inline int16_t ss16(int v) { return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v); }
static inline uint16_t su16(int64_t v) { return (uint16_t)(v > 65535 ? 65535 : v < 0 ? 0 : v); }

/* ---- element-wise: r.F[k] = EXPR(a, b) for the N elements of a lane ---- */

#define EW(name, F, N, EXPR)                                                  \
	static void l_##name(union vec *r, const union vec *pa,               \
			     const union vec *pb, unsigned imm)               \
	{                                                                     \
		(void)imm;                                                    \
		for (unsigned k = 0; k < (N); k++) {                          \
			__typeof__(pa->F[0]) a = pa->F[k], b = pb->F[k];      \
			(void)b;                                              \
			r->F[k] = (EXPR);                                     \
		}                                                             \
	}                                                                     \
	void op_v##name(struct cpu *c, const struct insn *i) { vop3(c, i, l_##name); }

/* The same for the two-operand forms (VPABS*). */
#define EW1(name, F, N, EXPR)                                                 \
	static void l_##name(union vec *r, const union vec *pa,               \
			     const union vec *pb, unsigned imm)               \
	{                                                                     \
		(void)imm; (void)pb;                                          \
		for (unsigned k = 0; k < (N); k++) {                          \
			__typeof__(pa->F[0]) a = pa->F[k];                    \
			r->F[k] = (EXPR);                                     \
		}                                                             \
	}                                                                     \
	void op_v##name(struct cpu *c, const struct insn *i) { vop2(c, i, l_##name); }

/* VPADD/VPSUB (SDM vol. 2 PADDB/W/D/Q, PSUBB/W/D/Q): wrap-around. */
EW(paddb, b, 16, (uint8_t)(a + b)) EW(paddw, w, 8, (uint16_t)(a + b))
EW(paddd, d, 4, a + b) EW(paddq, q, 2, a + b)
EW(psubb, b, 16, (uint8_t)(a - b)) EW(psubw, w, 8, (uint16_t)(a - b))
EW(psubd, d, 4, a - b) EW(psubq, q, 2, a - b)
/* PADDS/PADDUS/PSUBS/PSUBUS: saturating. */
EW(paddsb, sb, 16, ss8(a + b)) EW(paddsw, sw, 8, ss16(a + b))
EW(paddusb, b, 16, su8(a + b)) EW(paddusw, w, 8, su16((int64_t)a + b))
EW(psubsb, sb, 16, ss8(a - b)) EW(psubsw, sw, 8, ss16(a - b))
EW(psubusb, b, 16, su8(a - b)) EW(psubusw, w, 8, su16((int64_t)a - b))
/* PCMPEQ/PCMPGT: all ones where the relation holds (GT signed). */
EW(pcmpeqb, sb, 16, a == b ? -1 : 0) EW(pcmpeqw, sw, 8, a == b ? -1 : 0)
EW(pcmpeqd, sd, 4, a == b ? -1 : 0) EW(pcmpeqq, sq, 2, a == b ? -1 : 0)
EW(pcmpgtb, sb, 16, a > b ? -1 : 0) EW(pcmpgtw, sw, 8, a > b ? -1 : 0)
EW(pcmpgtd, sd, 4, a > b ? -1 : 0) EW(pcmpgtq, sq, 2, a > b ? -1 : 0)
/* PMIN/PMAX signed and unsigned. */
EW(pminsb, sb, 16, a < b ? a : b) EW(pminsw, sw, 8, a < b ? a : b)
EW(pminsd, sd, 4, a < b ? a : b) EW(pminub, b, 16, a < b ? a : b)
EW(pminuw, w, 8, a < b ? a : b) EW(pminud, d, 4, a < b ? a : b)
EW(pmaxsb, sb, 16, a > b ? a : b) EW(pmaxsw, sw, 8, a > b ? a : b)
EW(pmaxsd, sd, 4, a > b ? a : b) EW(pmaxub, b, 16, a > b ? a : b)
EW(pmaxuw, w, 8, a > b ? a : b) EW(pmaxud, d, 4, a > b ? a : b)
/* Multiplies: PMULLW/PMULHW/PMULHUW/PMULLD/PMULHRSW (products formed in
 * a type wide enough not to overflow). */
EW(pmullw, w, 8, (uint16_t)((uint32_t)a * b))
EW(pmulhw, sw, 8, (int16_t)(((int32_t)a * b) >> 16))
EW(pmulhuw, w, 8, (uint16_t)(((uint32_t)a * b) >> 16))
EW(pmulld, d, 4, a * b)
EW(pmulhrsw, sw, 8, (int16_t)(((((int32_t)a * b) >> 14) + 1) >> 1))
/* PMULUDQ/PMULDQ: the even doublewords to quadword products. */
EW(pmuludq, q, 2, (uint64_t)(uint32_t)a * (uint32_t)b)
EW(pmuldq, sq, 2, (int64_t)(int32_t)a * (int32_t)b)
/* PAVGB/PAVGW: rounded unsigned average. */
EW(pavgb, b, 16, (uint8_t)((a + b + 1) >> 1)) EW(pavgw, w, 8, (uint16_t)((a + b + 1) >> 1))
/* PSIGNB/W/D: negate, zero or keep a by the sign of b. */
EW(psignb, sb, 16, (int8_t)(b < 0 ? -a : b == 0 ? 0 : a))
EW(psignw, sw, 8, (int16_t)(b < 0 ? -a : b == 0 ? 0 : a))
EW(psignd, d, 4, (int32_t)b < 0 ? 0u - a : b == 0 ? 0 : a)
/* PABSB/W/D: absolute value (of the most negative value: itself). */
EW1(pabsb, sb, 16, (int8_t)(a < 0 ? -a : a))
EW1(pabsw, sw, 8, (int16_t)(a < 0 ? -a : a))
EW1(pabsd, d, 4, (int32_t)a < 0 ? 0u - a : a)
/* AVX2 VPSLLVD/Q, VPSRLVD/Q, VPSRAVD: per-element counts; a count past
 * the element width gives 0 (or the sign, VPSRAVD). */
EW(psllvd, d, 4, b > 31 ? 0 : a << b) EW(psllvq, q, 2, b > 63 ? 0 : a << b)
EW(psrlvd, d, 4, b > 31 ? 0 : a >> b) EW(psrlvq, q, 2, b > 63 ? 0 : a >> b)
EW(psravd, sd, 4, a >> ((uint32_t)b > 31 ? 31 : b))

/* PMADDWD: pairs of signed word products summed into doublewords (the
 * one overflowing case, 4 x 0x8000, wraps to 0x80000000). */
static void l_pmaddwd(union vec *r, const union vec *a, const union vec *b, unsigned imm)
{
	(void)imm;
	for (unsigned k = 0; k < 4; k++)
		r->d[k] = (uint32_t)((int64_t)a->sw[2 * k] * b->sw[2 * k] +
				     (int64_t)a->sw[2 * k + 1] * b->sw[2 * k + 1]);
}
void op_vpmaddwd(struct cpu *c, const struct insn *i) { vop3(c, i, l_pmaddwd); }

/* PMADDUBSW: unsigned bytes of the first source times signed bytes of
 * the second, adjacent pairs summed with signed saturation. */
static void l_pmaddubsw(union vec *r, const union vec *a, const union vec *b, unsigned imm)
{
	(void)imm;
	for (unsigned k = 0; k < 8; k++)
		r->sw[k] = ss16(a->b[2 * k] * b->sb[2 * k] + a->b[2 * k + 1] * b->sb[2 * k + 1]);
}
void op_vpmaddubsw(struct cpu *c, const struct insn *i) { vop3(c, i, l_pmaddubsw); }

/* PSADBW: per quadword, the sum of the 8 absolute byte differences in
 * the low word, the rest zero. */
static void l_psadbw(union vec *r, const union vec *a, const union vec *b, unsigned imm)
{
	(void)imm;
	for (unsigned q = 0; q < 2; q++) {
		unsigned s = 0;
		for (unsigned k = 0; k < 8; k++) {
			int x = a->b[8 * q + k] - b->b[8 * q + k];
			s += (unsigned)(x < 0 ? -x : x);
		}
		r->q[q] = s;
	}
}
void op_vpsadbw(struct cpu *c, const struct insn *i) { vop3(c, i, l_psadbw); }

/* PHADD/PHSUB W/D/SW: adjacent pairs of the first source give the low
 * half of the lane, those of the second source the high half. */
#define HOR(name, F, N, EXPR)                                                 \
	static void l_##name(union vec *r, const union vec *pa,               \
			     const union vec *pb, unsigned imm)               \
	{                                                                     \
		(void)imm;                                                    \
		union vec t;                                                  \
		for (unsigned k = 0; k < (N); k++) {                          \
			const union vec *s = k < (N) / 2 ? pa : pb;           \
			unsigned j = 2 * (k % ((N) / 2));                     \
			__typeof__(pa->F[0]) x = s->F[j], y = s->F[j + 1];    \
			t.F[k] = (EXPR);                                      \
		}                                                             \
		*r = t;                                                       \
	}                                                                     \
	void op_v##name(struct cpu *c, const struct insn *i) { vop3(c, i, l_##name); }
HOR(phaddw, w, 8, (uint16_t)(x + y)) HOR(phaddd, d, 4, x + y)
HOR(phaddsw, sw, 8, ss16(x + y))
HOR(phsubw, w, 8, (uint16_t)(x - y)) HOR(phsubd, d, 4, x - y)
HOR(phsubsw, sw, 8, ss16(x - y))

/* PSHUFB: each byte of the second source picks a byte of the first
 * (within the lane), or zero when its bit 7 is set. */
static void l_pshufb(union vec *r, const union vec *a, const union vec *b, unsigned imm)
{
	(void)imm;
	for (unsigned k = 0; k < 16; k++)
		r->b[k] = (b->b[k] & 0x80) ? 0 : a->b[b->b[k] & 15];
}
void op_vpshufb(struct cpu *c, const struct insn *i) { vop3(c, i, l_pshufb); }

/* PUNPCKL/PUNPCKH: interleave the low (high) halves of the two sources,
 * elements of E bytes, the first source's element first. */
static inline void unpck(union vec *r, const union vec *a, const union vec *b, unsigned e, unsigned half)
{
	union vec t;
	for (unsigned k = 0; k < 8 / e; k++) {
		memcpy(&t.b[2 * k * e], &a->b[half + k * e], e);
		memcpy(&t.b[(2 * k + 1) * e], &b->b[half + k * e], e);
	}
	*r = t;
}
#define UNPCK(name, e, half)                                                  \
	static void l_##name(union vec *r, const union vec *a,                \
			     const union vec *b, unsigned imm)                \
	{ (void)imm; unpck(r, a, b, e, half); }                               \
	void op_v##name(struct cpu *c, const struct insn *i) { vop3(c, i, l_##name); }
UNPCK(punpcklbw, 1, 0) UNPCK(punpcklwd, 2, 0) UNPCK(punpckldq, 4, 0) UNPCK(punpcklqdq, 8, 0)
UNPCK(punpckhbw, 1, 8) UNPCK(punpckhwd, 2, 8) UNPCK(punpckhdq, 4, 8) UNPCK(punpckhqdq, 8, 8)

/* PACKSSWB/PACKSSDW/PACKUSWB/PACKUSDW: narrow with saturation, the
 * first source to the low half of the lane. */
#define PACK(name, DF, SF, N, SAT)                                            \
	static void l_##name(union vec *r, const union vec *a,                \
			     const union vec *b, unsigned imm)                \
	{                                                                     \
		(void)imm;                                                    \
		union vec t;                                                  \
		for (unsigned k = 0; k < (N); k++) {                          \
			t.DF[k] = SAT(a->SF[k]);                              \
			t.DF[k + (N)] = SAT(b->SF[k]);                        \
		}                                                             \
		*r = t;                                                       \
	}                                                                     \
	void op_v##name(struct cpu *c, const struct insn *i) { vop3(c, i, l_##name); }
PACK(packsswb, sb, sw, 8, ss8) PACK(packuswb, b, sw, 8, su8)
PACK(packssdw, sw, sd, 4, ss16) PACK(packusdw, w, sd, 4, su16)

/* PALIGNR: the first source above the second, 32 bytes shifted right
 * by imm8 bytes, the low 16 kept (zeros shifted in). */
static void l_palignr(union vec *r, const union vec *a, const union vec *b, unsigned imm)
{
	uint8_t cat[32];
	union vec t;
	memcpy(cat, b, 16);
	memcpy(cat + 16, a, 16);
	for (unsigned k = 0; k < 16; k++)
		t.b[k] = imm + k < 32 ? cat[imm + k] : 0;
	*r = t;
}
void op_vpalignr(struct cpu *c, const struct insn *i) { vop3(c, i, l_palignr); }

/* PBLENDW: imm8 bit k picks word k (of each lane) from the second source. */
static void l_pblendw(union vec *r, const union vec *a, const union vec *b, unsigned imm)
{
	for (unsigned k = 0; k < 8; k++)
		r->w[k] = (imm >> k) & 1 ? b->w[k] : a->w[k];
}
void op_vpblendw(struct cpu *c, const struct insn *i) { vop3(c, i, l_pblendw); }

/* PSHUFD/PSHUFHW/PSHUFLW: elements picked by 2-bit fields of imm8. */
static void l_pshufd(union vec *r, const union vec *a, const union vec *b, unsigned imm)
{
	(void)b;
	union vec t;
	for (unsigned k = 0; k < 4; k++)
		t.d[k] = a->d[(imm >> (2 * k)) & 3];
	*r = t;
}
static void l_pshufhw(union vec *r, const union vec *a, const union vec *b, unsigned imm)
{
	(void)b;
	union vec t = *a;
	for (unsigned k = 0; k < 4; k++)
		t.w[4 + k] = a->w[4 + ((imm >> (2 * k)) & 3)];
	*r = t;
}
static void l_pshuflw(union vec *r, const union vec *a, const union vec *b, unsigned imm)
{
	(void)b;
	union vec t = *a;
	for (unsigned k = 0; k < 4; k++)
		t.w[k] = a->w[(imm >> (2 * k)) & 3];
	*r = t;
}
void op_vpshufd(struct cpu *c, const struct insn *i) { vop2(c, i, l_pshufd); }
void op_vpshufhw(struct cpu *c, const struct insn *i) { vop2(c, i, l_pshufhw); }
void op_vpshuflw(struct cpu *c, const struct insn *i) { vop2(c, i, l_pshuflw); }

/* PSLLDQ/PSRLDQ: each lane shifted by imm8 bytes (16 or more: zero). */
static void l_pslldq(union vec *r, const union vec *a, const union vec *b, unsigned imm)
{
	(void)b;
	union vec t;
	for (unsigned k = 0; k < 16; k++)
		t.b[k] = k >= imm ? a->b[k - imm] : 0;
	*r = t;
}
static void l_psrldq(union vec *r, const union vec *a, const union vec *b, unsigned imm)
{
	(void)b;
	union vec t;
	for (unsigned k = 0; k < 16; k++)
		t.b[k] = k + imm < 16 ? a->b[k + imm] : 0;
	*r = t;
}
void op_vpslldq(struct cpu *c, const struct insn *i) { vop2(c, i, l_pslldq); }
void op_vpsrldq(struct cpu *c, const struct insn *i) { vop2(c, i, l_psrldq); }

/* PSLL/PSRL/PSRA W/D/Q: one count for every element, from imm8 or from
 * the low quadword of an XMM register or 128-bit memory operand (the
 * same count for both lanes of a YMM).  A count of the element width or
 * more gives zero, or for the arithmetic shifts the sign. */
enum { SH_LL, SH_RL, SH_RA };
static void vshift(struct cpu *c, const struct insn *i, unsigned e, int kind)
{
	union yvec a, r;
	unsigned len = avx_enter(c, i);
	uint64_t n;
	if (i->o[2].kind == OK_IMM) {
		n = i->imm & 0xFF;
	} else {
		union yvec cnt;
		avx_read(c, i, 2, &cnt, false);
		n = cnt.q[0];
	}
	avx_read(c, i, 1, &a, false);
	unsigned bits = e * 8;
	for (unsigned k = 0; k < len / e; k++) {
		uint64_t v = 0;
		memcpy(&v, &a.b[k * e], e);
		if (kind == SH_RA) {
			int64_t s = sext(v, e);
			v = (uint64_t)(s >> (n >= bits ? bits - 1 : n));
		} else if (n >= bits) {
			v = 0;
		} else {
			v = kind == SH_LL ? v << n : v >> n;
		}
		memcpy(&r.b[k * e], &v, e);
	}
	if (len == 16)
		memset(&r.h[1], 0, 16);
	avx_write(c, i, 0, &r, false);
}
void op_vpsllw(struct cpu *c, const struct insn *i) { vshift(c, i, 2, SH_LL); }
void op_vpslld(struct cpu *c, const struct insn *i) { vshift(c, i, 4, SH_LL); }
void op_vpsllq(struct cpu *c, const struct insn *i) { vshift(c, i, 8, SH_LL); }
void op_vpsrlw(struct cpu *c, const struct insn *i) { vshift(c, i, 2, SH_RL); }
void op_vpsrld(struct cpu *c, const struct insn *i) { vshift(c, i, 4, SH_RL); }
void op_vpsrlq(struct cpu *c, const struct insn *i) { vshift(c, i, 8, SH_RL); }
void op_vpsraw(struct cpu *c, const struct insn *i) { vshift(c, i, 2, SH_RA); }
void op_vpsrad(struct cpu *c, const struct insn *i) { vshift(c, i, 4, SH_RA); }

/* MPSADBW: eight sums of absolute differences of 4-byte groups per lane;
 * the upper lane of VEX.256 takes its offsets from imm8 bits 5:3. */
static void l_mpsadbw(union vec *r, const union vec *a, const union vec *b, unsigned imm)
{
	unsigned soff = (imm & 3) * 4, doff = ((imm >> 2) & 1) * 4;
	union vec t;
	for (unsigned k = 0; k < 8; k++) {
		unsigned sum = 0;
		for (unsigned j = 0; j < 4; j++) {
			int x = a->b[doff + k + j] - b->b[soff + j];
			sum += (unsigned)(x < 0 ? -x : x);
		}
		t.w[k] = (uint16_t)sum;
	}
	*r = t;
}
void op_vmpsadbw(struct cpu *c, const struct insn *i)
{
	union yvec a, b, r;
	unsigned len = avx_enter(c, i), imm = (unsigned)i->imm & 0xFF;
	avx_read(c, i, 2, &b, false);
	avx_read(c, i, 1, &a, false);
	l_mpsadbw(&r.h[0], &a.h[0], &b.h[0], imm);
	if (len == 32)
		l_mpsadbw(&r.h[1], &a.h[1], &b.h[1], imm >> 3);
	else
		memset(&r.h[1], 0, 16);
	avx_write(c, i, 0, &r, false);
}

/* ---- whole-register operations ---- */

/* PMOVMSKB: the top bit of each byte of the source into a GPR, zero-
 * extended (bits 31:16 or 63:32 and up are zero). */
void op_vpmovmskb(struct cpu *c, const struct insn *i)
{
	union yvec a;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 1, &a, false);
	uint64_t m = 0;
	for (unsigned k = 0; k < len; k++)
		m |= (uint64_t)(a.b[k] >> 7) << k;
	reg_write(c, &i->o[0], m);
}

/* PTEST: ZF = (a AND b) == 0, CF = (NOT a AND b) == 0; AF OF PF SF
 * cleared.  All 256 bits for VEX.256. */
void op_vptest(struct cpu *c, const struct insn *i)
{
	union yvec a, b;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 1, &b, false);
	avx_read(c, i, 0, &a, false);
	uint64_t z = 0, cf = 0;
	for (unsigned k = 0; k < len / 8; k++) {
		z |= a.q[k] & b.q[k];
		cf |= ~a.q[k] & b.q[k];
	}
	flags_set_arith(c, (z ? 0 : F_ZF) | (cf ? 0 : F_CF));
}

/* PMOVSX/PMOVZX: the low elements of the source (a register, or memory
 * of exactly the bytes used) widened across the whole destination; this
 * one is not in-lane. */
static void vpmovx(struct cpu *c, const struct insn *i, unsigned from, unsigned to, bool sign)
{
	union yvec s, r;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	memset(&r, 0, sizeof r);
	widen_elements(r.b, s.b, len / to, from, to, sign);
	avx_write(c, i, 0, &r, false);
}
#define VPMOVX(n, f, t)                                                                          \
	void op_vpmovsx##n(struct cpu *c, const struct insn *i) { vpmovx(c, i, f, t, true); }  \
	void op_vpmovzx##n(struct cpu *c, const struct insn *i) { vpmovx(c, i, f, t, false); }
VPMOVX(bw, 1, 2) VPMOVX(bd, 1, 4) VPMOVX(bq, 1, 8) VPMOVX(wd, 2, 4) VPMOVX(wq, 2, 8) VPMOVX(dq, 4, 8)

/* PBLENDVB (VEX /is4): the top bit of each byte of the fourth operand
 * (a register) picks the second source's byte. */
void op_vpblendvb(struct cpu *c, const struct insn *i)
{
	union yvec a, b, m, r;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 2, &b, false);
	avx_read(c, i, 1, &a, false);
	avx_read(c, i, 3, &m, false);
	memset(&r, 0, sizeof r);
	for (unsigned k = 0; k < len; k++)
		r.b[k] = (m.b[k] & 0x80) ? b.b[k] : a.b[k];
	avx_write(c, i, 0, &r, false);
}

/* AVX2 VPBLENDD: imm8 bit k picks doubleword k (of the whole register)
 * from the second source. */
void op_vpblendd(struct cpu *c, const struct insn *i)
{
	union yvec a, b, r;
	unsigned len = avx_enter(c, i), imm = (unsigned)i->imm & 0xFF;
	avx_read(c, i, 2, &b, false);
	avx_read(c, i, 1, &a, false);
	memset(&r, 0, sizeof r);
	for (unsigned k = 0; k < len / 4; k++)
		r.d[k] = (imm >> k) & 1 ? b.d[k] : a.d[k];
	avx_write(c, i, 0, &r, false);
}

/* PEXTRB/W/D/Q (VEX.128): the element imm8 selects (modulo the element
 * count) to a GPR, zero-extended, or to memory of the element's size. */
static void vpextr(struct cpu *c, const struct insn *i, unsigned e)
{
	union yvec s;
	avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	uint64_t v = 0;
	memcpy(&v, &s.b[((unsigned)i->imm & (16 / e - 1)) * e], e);
	if (i->o[0].kind == OK_MEM)
		mem_write(c, insn_la(c, i), e, v);
	else
		reg_write(c, &i->o[0], v);
}
void op_vpextrb(struct cpu *c, const struct insn *i) { vpextr(c, i, 1); }
void op_vpextrw(struct cpu *c, const struct insn *i) { vpextr(c, i, 2); }
void op_vpextrd(struct cpu *c, const struct insn *i) { vpextr(c, i, 4); }
void op_vpextrq(struct cpu *c, const struct insn *i) { vpextr(c, i, 8); }

/* PINSRB/W/D/Q (VEX.128): the first source with one element replaced by
 * the low bytes of a GPR or memory; bits 255:128 zeroed. */
static void vpinsr(struct cpu *c, const struct insn *i, unsigned e)
{
	union yvec a;
	avx_enter(c, i);
	uint64_t v = op_read(c, i, 2);
	avx_read(c, i, 1, &a, false);
	memcpy(&a.b[((unsigned)i->imm & (16 / e - 1)) * e], &v, e);
	memset(&a.h[1], 0, 16);
	avx_write(c, i, 0, &a, false);
}
void op_vpinsrb(struct cpu *c, const struct insn *i) { vpinsr(c, i, 1); }
void op_vpinsrw(struct cpu *c, const struct insn *i) { vpinsr(c, i, 2); }
void op_vpinsrd(struct cpu *c, const struct insn *i) { vpinsr(c, i, 4); }
void op_vpinsrq(struct cpu *c, const struct insn *i) { vpinsr(c, i, 8); }

/* PHMINPOSUW (VEX.128 only): the smallest unsigned word and its lowest
 * index; the rest zero. */
void op_vphminposuw(struct cpu *c, const struct insn *i)
{
	union yvec s, r;
	avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	memset(&r, 0, sizeof r);
	unsigned idx = 0;
	for (unsigned k = 1; k < 8; k++)
		if (s.w[k] < s.w[idx])
			idx = k;
	r.w[0] = s.w[idx];
	r.w[1] = (uint16_t)idx;
	avx_write(c, i, 0, &r, false);
}

/* VPCMPESTRI/ESTRM/ISTRI/ISTRM (VEX.128 only): the SSE4.2 string compare
 * (cpu/sse4.c sse_pcmpstr(), which reads the same operands); the mask
 * forms write all of YMM0, so its bits 255:128 are zeroed here. */
static void vpcmpstr(struct cpu *c, const struct insn *i, bool explicit_len, bool mask)
{
	avx_enter(c, i);
	sse_pcmpstr(c, i, explicit_len, mask);
	if (mask)
		memset(c->ymmh[0], 0, 16);
}
void op_vpcmpistri(struct cpu *c, const struct insn *i) { vpcmpstr(c, i, false, false); }
void op_vpcmpestri(struct cpu *c, const struct insn *i) { vpcmpstr(c, i, true, false); }
void op_vpcmpistrm(struct cpu *c, const struct insn *i) { vpcmpstr(c, i, false, true); }
void op_vpcmpestrm(struct cpu *c, const struct insn *i) { vpcmpstr(c, i, true, true); }

/* ---- AVX2 broadcasts and permutes (cross-lane) ---- */

/* VPBROADCASTB/W/D/Q: the low element of an XMM register or an element
 * in memory into every element.  VBROADCASTI128: 16 bytes of memory
 * into both lanes. */
static void vbroadcast(struct cpu *c, const struct insn *i, unsigned e)
{
	union yvec s, r;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	memset(&r, 0, sizeof r);
	for (unsigned k = 0; k < len / e; k++)
		memcpy(&r.b[k * e], &s.b[0], e);
	avx_write(c, i, 0, &r, false);
}
void op_vpbroadcastb(struct cpu *c, const struct insn *i) { vbroadcast(c, i, 1); }
void op_vpbroadcastw(struct cpu *c, const struct insn *i) { vbroadcast(c, i, 2); }
void op_vpbroadcastd(struct cpu *c, const struct insn *i) { vbroadcast(c, i, 4); }
void op_vpbroadcastq(struct cpu *c, const struct insn *i) { vbroadcast(c, i, 8); }
void op_vbroadcasti128(struct cpu *c, const struct insn *i) { vbroadcast(c, i, 16); }

/* VPERMD: each doubleword of the result is the doubleword of the table
 * (o[2]) that the low 3 bits of the index (o[1], VEX.vvvv) select. */
void op_vpermd(struct cpu *c, const struct insn *i)
{
	union yvec idx, t, r;
	avx_enter(c, i);
	avx_read(c, i, 2, &t, false);
	avx_read(c, i, 1, &idx, false);
	for (unsigned k = 0; k < 8; k++)
		r.d[k] = t.d[idx.d[k] & 7];
	avx_write(c, i, 0, &r, false);
}

/* VPERMQ: quadwords picked by the 2-bit fields of imm8. */
void op_vpermq(struct cpu *c, const struct insn *i)
{
	union yvec s, r;
	avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	for (unsigned k = 0; k < 4; k++)
		r.q[k] = s.q[(i->imm >> (2 * k)) & 3];
	avx_write(c, i, 0, &r, false);
}

/* VPERM2I128: each result lane is one of the four source lanes (imm8
 * bits 1:0 and 5:4), or zero (bits 3 and 7). */
void op_vperm2i128(struct cpu *c, const struct insn *i)
{
	union yvec a, b, r;
	unsigned imm = (unsigned)i->imm & 0xFF;
	avx_enter(c, i);
	avx_read(c, i, 2, &b, false);
	avx_read(c, i, 1, &a, false);
	for (unsigned l = 0; l < 2; l++) {
		unsigned sel = (imm >> (4 * l)) & 0xF;
		if (sel & 8)
			memset(&r.h[l], 0, 16);
		else
			r.h[l] = (sel & 2 ? &b : &a)->h[sel & 1];
	}
	avx_write(c, i, 0, &r, false);
}

/* VINSERTI128: the first source with the lane imm8 bit 0 names replaced
 * by the 128-bit second source. */
void op_vinserti128(struct cpu *c, const struct insn *i)
{
	union yvec a, b;
	avx_enter(c, i);
	avx_read(c, i, 2, &b, false);
	avx_read(c, i, 1, &a, false);
	a.h[i->imm & 1] = b.h[0];
	avx_write(c, i, 0, &a, false);
}

/* VEXTRACTI128: the lane imm8 bit 0 names, to an XMM register (bits
 * 255:128 zeroed) or 16 bytes of memory. */
void op_vextracti128(struct cpu *c, const struct insn *i)
{
	union yvec s, r;
	avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	memset(&r, 0, sizeof r);
	r.h[0] = s.h[i->imm & 1];
	avx_write(c, i, 0, &r, false);
}

/* VPMASKMOVD/Q (SDM vol. 2 VPMASKMOV): the elements whose mask element
 * (o[1]) has its top bit set are loaded (the others zero) or stored (the
 * others left as they are).  Masked-off elements are never accessed, so
 * they raise no fault even on an unmapped page; a store checks every
 * element it writes before writing any. */
static void vpmaskmov(struct cpu *c, const struct insn *i, unsigned e)
{
	union yvec m, v;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 1, &m, false);
	uint64_t la = insn_ea(c, i);
	if (i->o[0].kind == OK_MEM) {
		avx_read(c, i, 2, &v, false);
		for (unsigned k = 0; k < len / e; k++)
			if (m.b[k * e + e - 1] & 0x80)
				mem_probe_write(c, la + k * e, e);
		for (unsigned k = 0; k < len / e; k++)
			if (m.b[k * e + e - 1] & 0x80) {
				uint64_t x = 0;
				memcpy(&x, &v.b[k * e], e);
				mem_write(c, la + k * e, e, x);
			}
		return;
	}
	memset(&v, 0, sizeof v);
	for (unsigned k = 0; k < len / e; k++)
		if (m.b[k * e + e - 1] & 0x80) {
			uint64_t x = mem_read(c, la + k * e, e);
			memcpy(&v.b[k * e], &x, e);
		}
	avx_write(c, i, 0, &v, false);
}
void op_vpmaskmovd(struct cpu *c, const struct insn *i) { vpmaskmov(c, i, 4); }
void op_vpmaskmovq(struct cpu *c, const struct insn *i) { vpmaskmov(c, i, 8); }

/* VMASKMOVDQU (VEX.128, SDM vol. 2 MASKMOVDQU): the bytes of o[0] whose
 * byte in o[1] has its top bit set are stored at DS:RDI (the implicit
 * operand; EDI with a 67 prefix); the others are not accessed.  Every
 * selected byte is checked before any is written.  No register changes. */
void op_vmaskmovdqu(struct cpu *c, const struct insn *i)
{
	union yvec v, m;
	avx_enter(c, i);
	avx_read(c, i, 0, &v, false);
	avx_read(c, i, 1, &m, false);
	uint64_t la = c->r[R_RDI];
	if (i->asz == 4)
		la &= 0xFFFFFFFFULL;
	if (i->seg == SEG_FS || i->seg == SEG_GS)
		la += c->seg[i->seg].base;
	if (!is_canonical(la) || !is_canonical(la + 15))
		cpu_fault(c, EXC_GP, 0);
	for (unsigned k = 0; k < 16; k++)
		if (m.b[k] & 0x80)
			mem_probe_write(c, la + k, 1);
	for (unsigned k = 0; k < 16; k++)
		if (m.b[k] & 0x80)
			mem_write(c, la + k, 1, v.b[k]);
}

/* ---- AVX2 gathers (SDM vol. 2 VPGATHERDD/VPGATHERQD, VPGATHERDQ/
 * VPGATHERQQ, VGATHERDPS/VGATHERQPS, VGATHERDPD/VGATHERQPD) ----
 *
 * o[0] the destination, o[1] the VSIB memory operand (base, disp and
 * scale in the insn, the vector index register's number in imm2: see
 * cpu/decode.c), o[2] the mask.  Elements are done from the lowest up:
 * each element whose mask element has its top bit set is loaded into the
 * destination, and every mask element is cleared as its element is done;
 * both registers are written back before each load, so a fault on
 * element j leaves the elements below j loaded (or skipped) with their
 * masks clear, and element j and above, and bits 255:128 of a VEX.128
 * destination and mask, as they were: the instruction can be restarted
 * (SDM vol. 2 VPGATHERDD, the fault description under "Operation"; the
 * pseudo-code's first loop, which turns each mask element into all ones
 * or zeros, is not visible at a fault on the hardware, which keeps the
 * remaining mask elements' values, so lstar keeps them too).  At the
 * end the whole mask is zero and the destination bits above the
 * gathered elements are zeroed.  #UD when two of destination, index and mask are
 * the same register (the decoder refuses those encodings already). */
static void vgather(struct cpu *c, const struct insn *i, unsigned di)
{
	union yvec d, m, x;
	unsigned len = avx_enter(c, i);
	unsigned de = i->rex_w ? 8 : 4, n = len / (de > di ? de : di);
	unsigned rd = i->o[0].reg, rm = i->o[2].reg, rx = (unsigned)i->imm2;
	if (rd == rm || rd == rx || rm == rx)
		cpu_fault(c, EXC_UD, 0);
	ymm_get(c, rd, &d);
	ymm_get(c, rm, &m);
	ymm_get(c, rx, &x);
	for (unsigned k = 0; k < n; k++) {
		if (!(m.b[k * de + de - 1] & 0x80)) {
			memset(&m.b[k * de], 0, de);
			continue;
		}
		int64_t idx = di == 4 ? (int64_t)x.sd[k] : x.sq[k];
		uint64_t a = (uint64_t)i->disp + (uint64_t)idx * i->scale;
		if (i->base != NOREG)
			a += c->r[i->base];
		if (i->asz == 4)
			a &= 0xFFFFFFFFULL;
		if (i->seg == SEG_FS || i->seg == SEG_GS)
			a += c->seg[i->seg].base;
		if (!is_canonical(a)) {
			ymm_set(c, rd, &d, 32);
			ymm_set(c, rm, &m, 32);
			cpu_fault(c, i->seg == SEG_SS ? EXC_SS : EXC_GP, 0);
		}
		/* A fault on this load must leave the elements done so far. */
		ymm_set(c, rd, &d, 32);
		ymm_set(c, rm, &m, 32);
		uint64_t val = mem_read(c, a, de);
		memcpy(&d.b[k * de], &val, de);
		memset(&m.b[k * de], 0, de);   /* only now: a fault keeps it */
	}
	memset(&d.b[n * de], 0, 32 - n * de);
	memset(&m, 0, sizeof m);
	ymm_set(c, rd, &d, 32);
	ymm_set(c, rm, &m, 32);
}
void op_vpgatherdd(struct cpu *c, const struct insn *i) { vgather(c, i, 4); }
void op_vpgatherdq(struct cpu *c, const struct insn *i) { vgather(c, i, 4); }
void op_vpgatherqd(struct cpu *c, const struct insn *i) { vgather(c, i, 8); }
void op_vpgatherqq(struct cpu *c, const struct insn *i) { vgather(c, i, 8); }
