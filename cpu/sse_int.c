/*
 * sse_int.c - MMX/SSE2 integer SIMD (and the bitwise PS/PD logic ops):
 * arithmetic, saturation, compares, min/max, multiplies, averages, SAD,
 * logic, shifts, shuffles, unpacks, packs, PEXTRW/PINSRW.  SDM vol. 2
 * under each mnemonic.  Every operation works on n = 8 (MMX) or 16 (XMM)
 * bytes; legacy 128-bit memory operands must be 16-aligned (#GP(0)).
 */
#include "sse.h"

typedef void (*vop)(union vec *d, const union vec *s, unsigned n);

/*
 * dst = dst OP src for the two-operand forms, written once for every
 * shape (VSH_* in cpu/sse.h): the general handler (VSH_ANY: MMX or XMM,
 * operand kinds read at run time) and the FORM handlers for xmm, xmm and
 * xmm, m128, for which n is 16 and the lane operation is inlined.
 */
static inline __attribute__((always_inline))
void binop(struct cpu *c, const struct insn *i, int sh, vop fn)
{
	union vec d, s;
	if (sh == VSH_ANY) {
		unsigned n = vec_enter(c, i);
		vec_load(c, i, 1, &s, true);
		vec_load(c, i, 0, &d, false);
		fn(&d, &s, n);
		vec_store(c, i, 0, &d, false);
		return;
	}
	sse_check_fast(c);
	vsh_src(c, i, sh, &s, true);
	memcpy(&d, c->xmm[i->o[0].reg], 16);
	fn(&d, &s, 16);
	memcpy(c->xmm[i->o[0].reg], &d, 16);
}

#define DEFOP(name) \
	void op_##name(struct cpu *c, const struct insn *i) { binop(c, i, VSH_ANY, v_##name); }
/* ... and the xmm, xmm / xmm, m128 FORM handlers of the hot ones. */
#define DEFOP_XMM(name, fn)                                                   \
	void op_##name##_xx(struct cpu *c, const struct insn *i) { binop(c, i, VSH_XX, fn); } \
	void op_##name##_xm(struct cpu *c, const struct insn *i) { binop(c, i, VSH_XM, fn); }

/* One lane loop: for each element k of type T (field f) set d = EXPR. */
#define LANES(name, f, EXPR)                                                 \
	static inline void v_##name(union vec *d, const union vec *s, unsigned n) \
	{                                                                    \
		for (unsigned k = 0; k < n / sizeof(d->f[0]); k++) {         \
			__typeof__(d->f[0]) a = d->f[k], b = s->f[k];        \
			(void)a; (void)b;                                    \
			d->f[k] = (__typeof__(d->f[0]))(EXPR);               \
		}                                                            \
	}                                                                    \
	DEFOP(name)

static inline int64_t sat(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

LANES(paddb, b, a + b)
LANES(paddw, w, a + b)
LANES(paddd, d, a + b)
LANES(paddq, q, a + b)
LANES(psubb, b, a - b)
LANES(psubw, w, a - b)
LANES(psubd, d, a - b)
LANES(psubq, q, a - b)
LANES(paddsb, sb, sat((int64_t)a + b, -128, 127))
LANES(paddsw, sw, sat((int64_t)a + b, -32768, 32767))
LANES(psubsb, sb, sat((int64_t)a - b, -128, 127))
LANES(psubsw, sw, sat((int64_t)a - b, -32768, 32767))
LANES(paddusb, b, sat((int64_t)a + b, 0, 255))
LANES(paddusw, w, sat((int64_t)a + b, 0, 65535))
LANES(psubusb, b, sat((int64_t)a - b, 0, 255))
LANES(psubusw, w, sat((int64_t)a - b, 0, 65535))
LANES(pcmpeqb, b, a == b ? 0xFF : 0)
LANES(pcmpeqw, w, a == b ? 0xFFFF : 0)
LANES(pcmpeqd, d, a == b ? 0xFFFFFFFFu : 0)
LANES(pcmpeqq, q, a == b ? ~0ULL : 0)
LANES(pcmpgtb, sb, a > b ? -1 : 0)
LANES(pcmpgtw, sw, a > b ? -1 : 0)
LANES(pcmpgtd, sd, a > b ? -1 : 0)
LANES(pcmpgtq, sq, a > b ? -1 : 0)
LANES(pminub, b, a < b ? a : b)
LANES(pmaxub, b, a > b ? a : b)
LANES(pminsw, sw, a < b ? a : b)
LANES(pmaxsw, sw, a > b ? a : b)
LANES(pminsb, sb, a < b ? a : b)
LANES(pmaxsb, sb, a > b ? a : b)
LANES(pminuw, w, a < b ? a : b)
LANES(pmaxuw, w, a > b ? a : b)
LANES(pminsd, sd, a < b ? a : b)
LANES(pmaxsd, sd, a > b ? a : b)
LANES(pminud, d, a < b ? a : b)
LANES(pmaxud, d, a > b ? a : b)
LANES(pmullw, w, (uint32_t)a * b)
LANES(pmulhw, sw, ((int32_t)a * b) >> 16)
LANES(pmulhuw, w, ((uint32_t)a * b) >> 16)
LANES(pmulld, d, (uint64_t)a * b)
LANES(pmulhrsw, sw, ((((int32_t)a * b) >> 14) + 1) >> 1)
LANES(pavgb, b, ((unsigned)a + b + 1) >> 1)
LANES(pavgw, w, ((unsigned)a + b + 1) >> 1)
LANES(pand, q, a & b)
LANES(pandn, q, ~a & b)
LANES(por, q, a | b)
LANES(pxor, q, a ^ b)
LANES(psignb, sb, b < 0 ? -a : b == 0 ? 0 : a)
LANES(psignw, sw, b < 0 ? -a : b == 0 ? 0 : a)
LANES(psignd, sd, b < 0 ? (int32_t)(0u - (uint32_t)a) : b == 0 ? 0 : a)
LANES(pabsb, sb, b < 0 ? -b : b)
LANES(pabsw, sw, b < 0 ? -b : b)
LANES(pabsd, sd, b < 0 ? (int32_t)(0u - (uint32_t)b) : b)

/* The PS/PD logic ops are the same bit operations (SSE/SSE2). */
void op_andps(struct cpu *c, const struct insn *i) { binop(c, i, VSH_ANY, v_pand); }
void op_andnps(struct cpu *c, const struct insn *i) { binop(c, i, VSH_ANY, v_pandn); }
void op_orps(struct cpu *c, const struct insn *i) { binop(c, i, VSH_ANY, v_por); }
void op_xorps(struct cpu *c, const struct insn *i) { binop(c, i, VSH_ANY, v_pxor); }

/* The specialised forms: what the C library's string functions and
 * compiled vector code run most. */
DEFOP_XMM(paddb, v_paddb) DEFOP_XMM(paddw, v_paddw) DEFOP_XMM(paddd, v_paddd) DEFOP_XMM(paddq, v_paddq)
DEFOP_XMM(psubb, v_psubb) DEFOP_XMM(psubw, v_psubw) DEFOP_XMM(psubd, v_psubd) DEFOP_XMM(psubq, v_psubq)
DEFOP_XMM(pcmpeqb, v_pcmpeqb) DEFOP_XMM(pcmpeqw, v_pcmpeqw) DEFOP_XMM(pcmpeqd, v_pcmpeqd)
DEFOP_XMM(pcmpgtb, v_pcmpgtb) DEFOP_XMM(pminub, v_pminub) DEFOP_XMM(pmaxub, v_pmaxub)
DEFOP_XMM(pand, v_pand) DEFOP_XMM(pandn, v_pandn) DEFOP_XMM(por, v_por) DEFOP_XMM(pxor, v_pxor)
DEFOP_XMM(andps, v_pand) DEFOP_XMM(andnps, v_pandn) DEFOP_XMM(orps, v_por) DEFOP_XMM(xorps, v_pxor)

/* PMULUDQ: unsigned 32x32->64 of the even dwords.  PMULDQ (SSE4.1):
 * signed. */
static inline void v_pmuludq(union vec *d, const union vec *s, unsigned n)
{
	for (unsigned k = 0; k < n / 8; k++)
		d->q[k] = (uint64_t)d->d[2 * k] * s->d[2 * k];
}
DEFOP(pmuludq)

static inline void v_pmuldq(union vec *d, const union vec *s, unsigned n)
{
	for (unsigned k = 0; k < n / 8; k++)
		d->sq[k] = (int64_t)d->sd[2 * k] * s->sd[2 * k];
}
DEFOP(pmuldq)

/* PMADDWD: pairs of signed word products summed into dwords (the one
 * overflow case 0x8000*0x8000*2 wraps to 0x80000000 as on hardware). */
static inline void v_pmaddwd(union vec *d, const union vec *s, unsigned n)
{
	union vec r;
	for (unsigned k = 0; k < n / 4; k++)
		r.d[k] = (uint32_t)((int32_t)d->sw[2 * k] * s->sw[2 * k]) +
			 (uint32_t)((int32_t)d->sw[2 * k + 1] * s->sw[2 * k + 1]);
	memcpy(d, &r, n);
}
DEFOP(pmaddwd)

/* PMADDUBSW (SSSE3): unsigned bytes of dst times signed bytes of src,
 * adjacent pairs added with signed saturation. */
static inline void v_pmaddubsw(union vec *d, const union vec *s, unsigned n)
{
	union vec r;
	for (unsigned k = 0; k < n / 2; k++)
		r.sw[k] = (int16_t)sat((int32_t)d->b[2 * k] * s->sb[2 * k] +
				       (int32_t)d->b[2 * k + 1] * s->sb[2 * k + 1],
				       -32768, 32767);
	memcpy(d, &r, n);
}
DEFOP(pmaddubsw)

/* PSADBW: per 8-byte group, sum of absolute differences in the low word,
 * the rest of the group zeroed. */
static inline void v_psadbw(union vec *d, const union vec *s, unsigned n)
{
	for (unsigned g = 0; g < n / 8; g++) {
		unsigned sum = 0;
		for (unsigned k = 0; k < 8; k++) {
			int x = d->b[8 * g + k] - s->b[8 * g + k];
			sum += x < 0 ? -x : x;
		}
		d->q[g] = sum;
	}
}
DEFOP(psadbw)

/* PUNPCKL*: interleave the low halves; PUNPCKH*: the high halves.
 * e = element size in bytes. */
static void unpack(union vec *d, const union vec *s, unsigned n, unsigned e, unsigned hi)
{
	union vec r;
	unsigned half = n / 2, cnt = half / e;
	for (unsigned k = 0; k < cnt; k++) {
		memcpy(&r.b[2 * k * e], &d->b[hi * half + k * e], e);
		memcpy(&r.b[(2 * k + 1) * e], &s->b[hi * half + k * e], e);
	}
	memcpy(d, &r, n);
}
#define UNPACK(name, e, hi) \
	static inline void v_##name(union vec *d, const union vec *s, unsigned n) { unpack(d, s, n, e, hi); } \
	DEFOP(name)
UNPACK(punpcklbw, 1, 0)
UNPACK(punpcklwd, 2, 0)
UNPACK(punpckldq, 4, 0)
UNPACK(punpcklqdq, 8, 0)
UNPACK(punpckhbw, 1, 1)
UNPACK(punpckhwd, 2, 1)
UNPACK(punpckhdq, 4, 1)
UNPACK(punpckhqdq, 8, 1)
void op_unpcklps(struct cpu *c, const struct insn *i) { binop(c, i, VSH_ANY, v_punpckldq); }
void op_unpckhps(struct cpu *c, const struct insn *i) { binop(c, i, VSH_ANY, v_punpckhdq); }
void op_unpcklpd(struct cpu *c, const struct insn *i) { binop(c, i, VSH_ANY, v_punpcklqdq); }
void op_unpckhpd(struct cpu *c, const struct insn *i) { binop(c, i, VSH_ANY, v_punpckhqdq); }

/* PACKSSWB/PACKUSWB (words -> bytes), PACKSSDW/PACKUSDW (dwords ->
 * words): dst's elements first, then src's, saturated. */
static inline void v_packsswb(union vec *d, const union vec *s, unsigned n)
{
	union vec r;
	unsigned m = (n < 16 ? n : 16) / 2;   /* n is 8 or 16; the clamp tells the compiler */
	for (unsigned k = 0; k < m; k++) {
		r.sb[k] = (int8_t)sat(d->sw[k], -128, 127);
		r.sb[m + k] = (int8_t)sat(s->sw[k], -128, 127);
	}
	memcpy(d, &r, n);
}
DEFOP(packsswb)

static inline void v_packuswb(union vec *d, const union vec *s, unsigned n)
{
	union vec r;
	unsigned m = (n < 16 ? n : 16) / 2;   /* n is 8 or 16; the clamp tells the compiler */
	for (unsigned k = 0; k < m; k++) {
		r.b[k] = (uint8_t)sat(d->sw[k], 0, 255);
		r.b[m + k] = (uint8_t)sat(s->sw[k], 0, 255);
	}
	memcpy(d, &r, n);
}
DEFOP(packuswb)

static inline void v_packssdw(union vec *d, const union vec *s, unsigned n)
{
	union vec r;
	unsigned m = n / 4;
	for (unsigned k = 0; k < m; k++) {
		r.sw[k] = (int16_t)sat(d->sd[k], -32768, 32767);
		r.sw[m + k] = (int16_t)sat(s->sd[k], -32768, 32767);
	}
	memcpy(d, &r, n);
}
DEFOP(packssdw)

static inline void v_packusdw(union vec *d, const union vec *s, unsigned n)
{
	union vec r;
	unsigned m = n / 4;
	for (unsigned k = 0; k < m; k++) {
		r.w[k] = (uint16_t)sat(d->sd[k], 0, 65535);
		r.w[m + k] = (uint16_t)sat(s->sd[k], 0, 65535);
	}
	memcpy(d, &r, n);
}
DEFOP(packusdw)

/* PSHUFB (SSSE3): byte shuffle; a set top bit in the index zeroes. */
static inline void v_pshufb(union vec *d, const union vec *s, unsigned n)
{
	union vec r;
	for (unsigned k = 0; k < n; k++)
		r.b[k] = (s->b[k] & 0x80) ? 0 : d->b[s->b[k] & (n - 1)];
	memcpy(d, &r, n);
}
DEFOP(pshufb)

/* PHADDW/PHADDD/PHADDSW/PHSUBW/PHSUBD/PHSUBSW (SSSE3): horizontal pairs
 * of dst then of src. */
#define HORIZ(name, f, EXPR)                                                  \
	static inline void v_##name(union vec *d, const union vec *s, unsigned n)    \
	{                                                                     \
		union vec r;                                                  \
		unsigned e = sizeof(d->f[0]), m = n / e / 2;                  \
		for (unsigned k = 0; k < m; k++) {                            \
			__typeof__(d->f[0]) a = d->f[2 * k], b = d->f[2 * k + 1]; \
			r.f[k] = (__typeof__(d->f[0]))(EXPR);                 \
			a = s->f[2 * k]; b = s->f[2 * k + 1];                 \
			r.f[m + k] = (__typeof__(d->f[0]))(EXPR);             \
		}                                                             \
		memcpy(d, &r, n);                                             \
	}                                                                     \
	DEFOP(name)
HORIZ(phaddw, w, a + b)
HORIZ(phaddd, d, a + b)
HORIZ(phaddsw, sw, sat((int32_t)a + b, -32768, 32767))
HORIZ(phsubw, w, a - b)
HORIZ(phsubd, d, a - b)
HORIZ(phsubsw, sw, sat((int32_t)a - b, -32768, 32767))

/* ---- shifts ---- */

/* PSLL/PSRL/PSRA W/D/Q by imm8 or by the low 64 bits of a register or
 * m128/m64; counts past the element width give 0 (or all sign bits). */
static void shift(struct cpu *c, const struct insn *i, unsigned e, int kind)
{
	union vec d, s;
	unsigned n = vec_enter(c, i);
	uint64_t cnt;
	if (i->o[1].kind == OK_IMM) {
		cnt = i->imm & 0xFF;
	} else {
		vec_load(c, i, 1, &s, true);
		cnt = s.q[0];
	}
	vec_load(c, i, 0, &d, false);
	unsigned bits = e * 8;
	for (unsigned k = 0; k < n / e; k++) {
		uint64_t v = 0;
		memcpy(&v, &d.b[k * e], e);
		if (kind == 0)
			v = cnt >= bits ? 0 : v << cnt;
		else if (kind == 1)
			v = cnt >= bits ? 0 : v >> cnt;
		else
			v = (uint64_t)(sext(v, e) >> (cnt >= bits ? bits - 1 : cnt));
		memcpy(&d.b[k * e], &v, e);
	}
	vec_store(c, i, 0, &d, false);
}
void op_psllw(struct cpu *c, const struct insn *i) { shift(c, i, 2, 0); }
void op_pslld(struct cpu *c, const struct insn *i) { shift(c, i, 4, 0); }
void op_psllq(struct cpu *c, const struct insn *i) { shift(c, i, 8, 0); }
void op_psrlw(struct cpu *c, const struct insn *i) { shift(c, i, 2, 1); }
void op_psrld(struct cpu *c, const struct insn *i) { shift(c, i, 4, 1); }
void op_psrlq(struct cpu *c, const struct insn *i) { shift(c, i, 8, 1); }
void op_psraw(struct cpu *c, const struct insn *i) { shift(c, i, 2, 2); }
void op_psrad(struct cpu *c, const struct insn *i) { shift(c, i, 4, 2); }

/* PSLLDQ/PSRLDQ xmm, imm8: whole-register byte shifts (>15 -> 0). */
static void shift_dq(struct cpu *c, const struct insn *i, int left)
{
	union vec r = { 0 };
	unsigned cnt = i->imm & 0xFF;
	sse_check(c);
	uint8_t *x = c->xmm[i->o[0].reg];
	for (unsigned k = 0; k < 16; k++) {
		int from = left ? (int)k - (int)cnt : (int)(k + cnt);
		if (from >= 0 && from < 16)
			r.b[k] = x[from];
	}
	memcpy(x, &r, 16);
}
void op_pslldq(struct cpu *c, const struct insn *i) { shift_dq(c, i, 1); }
void op_psrldq(struct cpu *c, const struct insn *i) { shift_dq(c, i, 0); }

/* PALIGNR (SSSE3): (dst:src) >> imm8 bytes, low n bytes kept: the n
 * bytes at offset imm8 of src, then dst, then zeros. */
static inline __attribute__((always_inline))
void palignr(struct cpu *c, const struct insn *i, int sh)
{
	union vec d, s, r;
	uint8_t t[48];
	unsigned n = 16, cnt = i->imm & 0xFF;
	if (sh == VSH_ANY) {
		n = vec_enter(c, i);
		vec_load(c, i, 1, &s, true);
		vec_load(c, i, 0, &d, false);
	} else {
		sse_check_fast(c);
		vsh_src(c, i, sh, &s, true);
		memcpy(&d, c->xmm[i->o[0].reg], 16);
	}
	memcpy(t, &s, n);
	memcpy(t + n, &d, n);
	memset(t + 2 * n, 0, 48 - 2 * n);
	if (cnt < 2 * n)
		memcpy(&r, t + cnt, n);
	else
		memset(&r, 0, n);
	if (sh == VSH_ANY)
		vec_store(c, i, 0, &r, false);
	else
		memcpy(c->xmm[i->o[0].reg], &r, 16);
}
void op_palignr(struct cpu *c, const struct insn *i) { palignr(c, i, VSH_ANY); }
void op_palignr_xx(struct cpu *c, const struct insn *i) { palignr(c, i, VSH_XX); }
void op_palignr_xm(struct cpu *c, const struct insn *i) { palignr(c, i, VSH_XM); }

/* ---- shuffles with an immediate ---- */

/* PSHUFD xmm, xmm/m128, imm8 / PSHUFW mm, mm/m64, imm8 /
 * PSHUFLW / PSHUFHW. */
void op_pshufd(struct cpu *c, const struct insn *i)
{
	union vec s, r;
	unsigned imm = i->imm & 0xFF;
	sse_check(c);
	vec_load(c, i, 1, &s, true);
	for (unsigned k = 0; k < 4; k++)
		r.d[k] = s.d[(imm >> (2 * k)) & 3];
	vec_store(c, i, 0, &r, false);
}

void op_pshufw(struct cpu *c, const struct insn *i)
{
	union vec s, r;
	unsigned imm = i->imm & 0xFF;
	mmx_enter(c);
	vec_load(c, i, 1, &s, false);
	for (unsigned k = 0; k < 4; k++)
		r.w[k] = s.w[(imm >> (2 * k)) & 3];
	r.q[1] = 0;
	vec_store(c, i, 0, &r, false);
}

static void pshuf_half(struct cpu *c, const struct insn *i, unsigned hi)
{
	union vec s, r;
	unsigned imm = i->imm & 0xFF;
	sse_check(c);
	vec_load(c, i, 1, &s, true);
	r = s;
	for (unsigned k = 0; k < 4; k++)
		r.w[4 * hi + k] = s.w[4 * hi + ((imm >> (2 * k)) & 3)];
	vec_store(c, i, 0, &r, false);
}
void op_pshuflw(struct cpu *c, const struct insn *i) { pshuf_half(c, i, 0); }
void op_pshufhw(struct cpu *c, const struct insn *i) { pshuf_half(c, i, 1); }

/* SHUFPS: two dwords picked from dst, two from src.  SHUFPD: one qword
 * from each. */
void op_shufps(struct cpu *c, const struct insn *i)
{
	union vec d, s, r;
	unsigned imm = i->imm & 0xFF;
	sse_check(c);
	vec_load(c, i, 1, &s, true);
	vec_load(c, i, 0, &d, false);
	r.d[0] = d.d[imm & 3];
	r.d[1] = d.d[(imm >> 2) & 3];
	r.d[2] = s.d[(imm >> 4) & 3];
	r.d[3] = s.d[(imm >> 6) & 3];
	vec_store(c, i, 0, &r, false);
}

void op_shufpd(struct cpu *c, const struct insn *i)
{
	union vec d, s, r;
	unsigned imm = i->imm & 0xFF;
	sse_check(c);
	vec_load(c, i, 1, &s, true);
	vec_load(c, i, 0, &d, false);
	r.q[0] = d.q[imm & 1];
	r.q[1] = s.q[(imm >> 1) & 1];
	vec_store(c, i, 0, &r, false);
}

/* PEXTRW r32/r64, xmm|mm, imm8 (and SSE4.1's r/m16 form): the selected
 * word zero-extended. */
void op_pextrw(struct cpu *c, const struct insn *i)
{
	union vec s;
	unsigned n = vec_enter(c, i);
	vec_load(c, i, 1, &s, false);
	uint16_t w = s.w[(i->imm & 0xFF) & (n / 2 - 1)];
	if (i->o[0].kind == OK_MEM)
		mem_write(c, insn_la(c, i), 2, w);
	else
		reg_write(c, &i->o[0], w);
}

/* PINSRW xmm|mm, r32/m16, imm8. */
void op_pinsrw(struct cpu *c, const struct insn *i)
{
	union vec d, s;
	unsigned n = vec_enter(c, i);
	vec_load(c, i, 1, &s, false);
	vec_load(c, i, 0, &d, false);
	d.w[(i->imm & 0xFF) & (n / 2 - 1)] = s.w[0];
	vec_store(c, i, 0, &d, false);
}
