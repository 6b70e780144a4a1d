/*
 * sse_move.c - MMX/SSE/SSE2/SSE3 data movement: MOVD/MOVQ, full-register
 * moves (aligned and unaligned), scalar moves, half moves, non-temporal
 * stores, masked stores, sign-mask extraction.  SDM vol. 2 under each
 * mnemonic; non-temporal hints have no effect in lstar (no caches).
 */
#include <emmintrin.h>
#include "sse.h"

/* MOVD/MOVQ in all encodings (0F 6E/7E, 66 0F 6E/7E/D6, F3 0F 7E, MMX
 * 0F 6F/7F), MOVQ2DQ, MOVDQ2Q: copy the source's low 4 or 8 bytes; an
 * XMM destination is zero-extended to 128 bits, a 32-bit GPR
 * destination to 64. */
void op_movd(struct cpu *c, const struct insn *i)
{
	const struct operand *d = &i->o[0], *s = &i->o[1];
	union vec v;
	vec_enter(c, i);
	if (i->o[0].kind == OK_XMM || i->o[1].kind == OK_XMM)
		sse_check(c);
	vec_load(c, i, 1, &v, false);
	unsigned w = s->kind == OK_GPR || s->kind == OK_MEM ? s->size :
		     d->kind == OK_GPR || d->kind == OK_MEM ? d->size : 8;
	if (w < 8)
		v.q[0] &= size_mask(w);
	v.q[1] = 0;
	vec_store(c, i, 0, &v, false);
}

void op_movq(struct cpu *c, const struct insn *i) { op_movd(c, i); }
void op_movq2dq(struct cpu *c, const struct insn *i) { op_movd(c, i); }
void op_movdq2q(struct cpu *c, const struct insn *i) { op_movd(c, i); }

/* A 128-bit move, written once for every shape: load (xmm, m128),
 * store (m128, xmm), register copy, or the general handler. */
static inline __attribute__((always_inline))
void mov128(struct cpu *c, const struct insn *i, int sh, bool align)
{
	union vec v;
	if (sh == VSH_ANY) {
		sse_check(c);
		vec_load(c, i, 1, &v, align);
		vec_store(c, i, 0, &v, align);
		return;
	}
	sse_check_fast(c);
	if (sh == VSH_MX) {
		vec_write16_fast(c, vec_ea16(c, i, align), c->xmm[i->o[1].reg]);
		return;
	}
	vsh_src(c, i, sh, &v, align);
	memcpy(c->xmm[i->o[0].reg], &v, 16);
}

/* 128-bit moves that require alignment of a memory operand:
 * MOVAPS MOVAPD MOVDQA MOVNTPS MOVNTPD MOVNTDQ MOVNTDQA (#GP(0) if
 * misaligned). */
void op_mova(struct cpu *c, const struct insn *i) { mov128(c, i, VSH_ANY, true); }
void op_mova_xx(struct cpu *c, const struct insn *i) { mov128(c, i, VSH_XX, true); }
void op_mova_xm(struct cpu *c, const struct insn *i) { mov128(c, i, VSH_XM, true); }
void op_mova_mx(struct cpu *c, const struct insn *i) { mov128(c, i, VSH_MX, true); }

/* MOVUPS MOVUPD MOVDQU LDDQU: no alignment requirement. */
void op_movu(struct cpu *c, const struct insn *i) { mov128(c, i, VSH_ANY, false); }
void op_movu_xx(struct cpu *c, const struct insn *i) { mov128(c, i, VSH_XX, false); }
void op_movu_xm(struct cpu *c, const struct insn *i) { mov128(c, i, VSH_XM, false); }
void op_movu_mx(struct cpu *c, const struct insn *i) { mov128(c, i, VSH_MX, false); }

/* MOVNTQ m64, mm. */
void op_movntq(struct cpu *c, const struct insn *i)
{
	mmx_enter(c);
	mem_write(c, insn_la(c, i), 8, mm_get(c, i->o[1].reg));
}

/* MOVNTI m32/m64, r: an ordinary store here. */
void op_movnti(struct cpu *c, const struct insn *i)
{
	mem_write(c, insn_la(c, i), i->o[0].size, reg_read(c, &i->o[1]));
}

/* MOVSS / MOVSD (SSE): register to register merges the low element;
 * a load zeroes the rest of the register; a store writes the element. */
static void movs_scalar(struct cpu *c, const struct insn *i, unsigned w)
{
	sse_check(c);
	if (i->o[0].kind == OK_MEM) {
		uint64_t v;
		memcpy(&v, c->xmm[i->o[1].reg], 8);
		mem_write(c, insn_la(c, i), w, v & size_mask(w));
		return;
	}
	if (i->o[1].kind == OK_MEM) {
		uint64_t v = mem_read(c, insn_la(c, i), w);
		memset(c->xmm[i->o[0].reg], 0, 16);
		memcpy(c->xmm[i->o[0].reg], &v, w);
		return;
	}
	memmove(c->xmm[i->o[0].reg], c->xmm[i->o[1].reg], w);
}

void op_movss(struct cpu *c, const struct insn *i) { movs_scalar(c, i, 4); }
void op_movsd_sse(struct cpu *c, const struct insn *i) { movs_scalar(c, i, 8); }

/* MOVLPS/MOVLPD (m64 <-> low qword), MOVHPS/MOVHPD (m64 <-> high
 * qword); the other half of the register is kept. */
static void mov_half(struct cpu *c, const struct insn *i, unsigned half)
{
	sse_check(c);
	if (i->o[0].kind == OK_MEM) {
		uint64_t v;
		memcpy(&v, c->xmm[i->o[1].reg] + 8 * half, 8);
		mem_write(c, insn_la(c, i), 8, v);
		return;
	}
	union vec s;
	vec_load(c, i, 1, &s, false);
	memcpy(c->xmm[i->o[0].reg] + 8 * half, &s.q[0], 8);
}

void op_movlps(struct cpu *c, const struct insn *i) { mov_half(c, i, 0); }
void op_movhps(struct cpu *c, const struct insn *i) { mov_half(c, i, 1); }

/* MOVHLPS xmm1, xmm2: low qword of xmm1 = high qword of xmm2. */
void op_movhlps(struct cpu *c, const struct insn *i)
{
	sse_check(c);
	memmove(c->xmm[i->o[0].reg], c->xmm[i->o[1].reg] + 8, 8);
}

/* MOVLHPS xmm1, xmm2: high qword of xmm1 = low qword of xmm2. */
void op_movlhps(struct cpu *c, const struct insn *i)
{
	sse_check(c);
	memmove(c->xmm[i->o[0].reg] + 8, c->xmm[i->o[1].reg], 8);
}

/* MASKMOVDQU xmm1, xmm2 / MASKMOVQ mm1, mm2: store the bytes of the
 * first operand whose mask byte has its top bit set to DS:[RDI]
 * (address size applies).  Bytes are written one by one; a fault part
 * way leaves earlier bytes written, which SDM vol. 2B allows ("if a
 * fault occurs, some bytes may have been stored"?) - see docs/fpu.md. */
static void maskmov(struct cpu *c, const struct insn *i, const union vec *d,
		    const union vec *m, unsigned n)
{
	uint64_t la = c->r[R_RDI];
	if (i->asz == 4)
		la &= 0xFFFFFFFFULL;
	if (i->seg == SEG_FS || i->seg == SEG_GS)
		la += c->seg[i->seg].base;
	if (!is_canonical(la) || !is_canonical(la + n - 1))
		cpu_fault(c, EXC_GP, 0);
	for (unsigned k = 0; k < n; k++)
		if (m->b[k] & 0x80)
			mem_probe_write(c, la + k, 1);
	for (unsigned k = 0; k < n; k++)
		if (m->b[k] & 0x80)
			mem_write(c, la + k, 1, d->b[k]);
}

void op_maskmovdqu(struct cpu *c, const struct insn *i)
{
	union vec d, m;
	unsigned n = vec_enter(c, i);
	vec_load(c, i, 0, &d, false);
	vec_load(c, i, 1, &m, false);
	maskmov(c, i, &d, &m, n);
}

void op_maskmovq(struct cpu *c, const struct insn *i) { op_maskmovdqu(c, i); }

/* MOVMSKPS r, xmm: the four sign bits.  MOVMSKPD: two.  PMOVMSKB: byte
 * top bits.  The GPR is written at its size (32-bit zero-extends). */
void op_movmskps(struct cpu *c, const struct insn *i)
{
	union vec s;
	sse_check(c);
	vec_load(c, i, 1, &s, false);
	uint64_t m = 0;
	for (int k = 0; k < 4; k++)
		m |= (uint64_t)(s.d[k] >> 31) << k;
	reg_write(c, &i->o[0], m);
}

void op_movmskpd(struct cpu *c, const struct insn *i)
{
	union vec s;
	sse_check(c);
	vec_load(c, i, 1, &s, false);
	reg_write(c, &i->o[0], (s.q[0] >> 63) | ((s.q[1] >> 63) << 1));
}

static inline __attribute__((always_inline))
void pmovmskb(struct cpu *c, const struct insn *i, int sh)
{
	union vec s;
	if (sh == VSH_ANY) {
		vec_enter(c, i);
		vec_load(c, i, 1, &s, false);
	} else {
		sse_check_fast(c);
		vsh_src(c, i, sh, &s, false);
	}
	/* the host's PMOVMSKB; an MMX source came with its upper half zero */
	uint64_t m = (uint32_t)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)&s));
	if (sh == VSH_ANY)
		reg_write(c, &i->o[0], m);
	else
		c->r[i->o[0].reg] = m;   /* r32 or r64: zero-extended either way */
}
void op_pmovmskb(struct cpu *c, const struct insn *i) { pmovmskb(c, i, VSH_ANY); }
void op_pmovmskb_gx(struct cpu *c, const struct insn *i) { pmovmskb(c, i, VSH_GX); }

/* SSE3 MOVDDUP (low qword twice; m64 source), MOVSLDUP (even dwords
 * twice), MOVSHDUP (odd dwords twice).  MOVDDUP's m64 needs no
 * alignment; the other two take an aligned m128. */
void op_movddup(struct cpu *c, const struct insn *i)
{
	union vec s;
	sse_check(c);
	vec_load(c, i, 1, &s, false);
	s.q[1] = s.q[0];
	vec_store(c, i, 0, &s, false);
}

void op_movsldup(struct cpu *c, const struct insn *i)
{
	union vec s;
	sse_check(c);
	vec_load(c, i, 1, &s, true);
	s.d[1] = s.d[0];
	s.d[3] = s.d[2];
	vec_store(c, i, 0, &s, false);
}

void op_movshdup(struct cpu *c, const struct insn *i)
{
	union vec s;
	sse_check(c);
	vec_load(c, i, 1, &s, true);
	s.d[0] = s.d[1];
	s.d[2] = s.d[3];
	vec_store(c, i, 0, &s, false);
}
