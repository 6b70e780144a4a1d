/*
 * avx_common.c - the VEX operand helpers of cpu/avx.h, and the VEX moves
 * and logic operations every other AVX family builds on: VMOVAPS/APD/DQA
 * and the non-temporal moves, VMOVUPS/UPD/DQU/VLDDQU, VMOVD/VMOVQ,
 * VMOVSS/VMOVSD, VZEROUPPER/VZEROALL, and the bitwise VPAND/VPANDN/VPOR/
 * VPXOR and their PS/PD twins.  SDM vol. 2 under each mnemonic.
 */
#include "avx.h"
#include "operand.h"
#include <Zydis/Zydis.h>

void avx_mem_read(struct cpu *c, uint64_t la, void *dst, unsigned size)
{
	struct tlb_entry *e = &c->tlb_r[(la >> 12) & (TLB_SIZE - 1)];
	if (likely(e->tag == ((la & ~0xFFFULL) | c->tlb_mode) &&
		   (la & 0xFFF) <= 0x1000u - size)) {
		memcpy(dst, e->host + (la & 0xFFF), size);
		return;
	}
	/* Slow path: piecewise (a fault on the second page comes before
	 * anything changed, since reads change nothing). */
	uint8_t *p = dst;
	for (unsigned k = 0; k < size;) {
		unsigned n = size - k >= 8 ? 8 : size - k >= 4 ? 4 : size - k >= 2 ? 2 : 1;
		store_le(p + k, n, mem_read(c, la + k, n));
		k += n;
	}
}

void avx_mem_write(struct cpu *c, uint64_t la, const void *src, unsigned size)
{
	struct tlb_entry *e = &c->tlb_w[(la >> 12) & (TLB_SIZE - 1)];
	if (likely(e->tag == ((la & ~0xFFFULL) | c->tlb_mode) &&
		   (la & 0xFFF) <= 0x1000u - size)) {
		memcpy(e->host + (la & 0xFFF), src, size);
		return;
	}
	mem_probe_write(c, la, size);
	const uint8_t *p = src;
	for (unsigned k = 0; k < size;) {
		unsigned n = size - k >= 8 ? 8 : size - k >= 4 ? 4 : size - k >= 2 ? 2 : 1;
		mem_write(c, la + k, n, load_le(p + k, n));
		k += n;
	}
}

void avx_read(struct cpu *c, const struct insn *i, int n, union yvec *v, bool align)
{
	const struct operand *o = &i->o[n];
	switch (o->kind) {
	case OK_XMM:
		memcpy(&v->h[0], c->xmm[o->reg], 16);
		if (o->size == 32)
			memcpy(&v->h[1], c->ymmh[o->reg], 16);
		else
			memset(&v->h[1], 0, 16);
		return;
	case OK_GPR:
		memset(v, 0, sizeof *v);
		v->q[0] = c->r[o->reg] & size_mask(o->size);
		return;
	case OK_MEM: {
		uint64_t la = avx_ea(c, i, align ? o->size : 0);
		if (o->size < 32)
			memset(v, 0, sizeof *v);
		avx_mem_read(c, la, v, o->size);
		return;
	}
	default:
		memset(v, 0, sizeof *v);
		return;
	}
}

void avx_write(struct cpu *c, const struct insn *i, int n, const union yvec *v, bool align)
{
	const struct operand *o = &i->o[n];
	switch (o->kind) {
	case OK_XMM:
		ymm_set(c, o->reg, v, o->size);
		return;
	case OK_GPR:
		reg_write(c, o, v->q[0]);
		return;
	case OK_MEM:
		avx_mem_write(c, avx_ea(c, i, align ? o->size : 0), v, o->size);
		return;
	default:
		return;
	}
}

void avx_binop(struct cpu *c, const struct insn *i, avx_lane_fn fn)
{
	union yvec a, b;
	unsigned len = avx_enter(c, i);
	avx_read(c, i, 2, &b, false);
	avx_read(c, i, 1, &a, false);
	fn(&a.h[0], &b.h[0], 16);
	if (len == 32)
		fn(&a.h[1], &b.h[1], 16);
	avx_write(c, i, 0, &a, false);
}

/* ---- moves ---- */

/* VMOVAPS/VMOVAPD/VMOVDQA, VMOVNTPS/PD/DQ, VMOVNTDQA: the memory operand
 * must be aligned to its size (16 or 32), else #GP(0). */
void op_vmova(struct cpu *c, const struct insn *i)
{
	union yvec v;
	avx_enter(c, i);
	avx_read(c, i, 1, &v, true);
	avx_write(c, i, 0, &v, true);
}

/* VMOVUPS/VMOVUPD/VMOVDQU/VLDDQU: no alignment rule. */
void op_vmovu(struct cpu *c, const struct insn *i)
{
	union yvec v;
	avx_enter(c, i);
	avx_read(c, i, 1, &v, false);
	avx_write(c, i, 0, &v, false);
}

/* VMOVD (4 bytes) and VMOVQ (8 bytes) between an XMM register and a GPR,
 * memory or another XMM register: into a register, the value is
 * zero-extended to 256 bits; out of one, the low bytes are written. */
void op_vmovdq(struct cpu *c, const struct insn *i)
{
	union yvec v;
	unsigned bytes = i->mnem == ZYDIS_MNEMONIC_VMOVD ? 4 : 8;
	avx_enter(c, i);
	avx_read(c, i, 1, &v, false);
	if (i->o[0].kind == OK_XMM) {
		if (bytes == 4)
			v.d[1] = 0;
		memset(&v.q[1], 0, 24);
	}
	avx_write(c, i, 0, &v, false);
}

/* VMOVSS/VMOVSD: a load zeroes everything above the element; a store
 * writes the element; the register form merges the low element of the
 * second source with bits 127:32 (63:0 for SD) of the first. */
void op_vmovs(struct cpu *c, const struct insn *i)
{
	union yvec v, a;
	unsigned bytes = i->mnem == ZYDIS_MNEMONIC_VMOVSS ? 4 : 8;
	avx_enter(c, i);
	if (i->nops == 3) {
		avx_read(c, i, 1, &a, false);
		avx_read(c, i, 2, &v, false);
		memcpy(&a, &v, bytes);
		memset(&a.h[1], 0, 16);
		avx_write(c, i, 0, &a, false);
		return;
	}
	avx_read(c, i, 1, &v, false);
	if (i->o[0].kind == OK_XMM)
		memset(v.b + bytes, 0, 32 - bytes);
	avx_write(c, i, 0, &v, false);
}

/* VZEROUPPER: bits 255:128 of every YMM register <- 0.  VZEROALL: all of
 * every YMM register.  (16 registers in 64-bit mode.) */
void op_vzeroupper(struct cpu *c, const struct insn *i)
{
	avx_enter(c, i);
	memset(c->ymmh, 0, sizeof c->ymmh);
}

void op_vzeroall(struct cpu *c, const struct insn *i)
{
	avx_enter(c, i);
	memset(c->ymmh, 0, sizeof c->ymmh);
	memset(c->xmm, 0, sizeof c->xmm);
}

/* ---- bitwise logic: the same bits whatever the element type ---- */

#define LOGIC(name, EXPR)                                                    \
	static void l_##name(union vec *d, const union vec *s, unsigned n)   \
	{                                                                    \
		(void)n;                                                     \
		for (unsigned k = 0; k < 2; k++) {                           \
			uint64_t a = d->q[k], b = s->q[k];                   \
			d->q[k] = (EXPR);                                    \
		}                                                            \
	}                                                                    \
	void op_v##name(struct cpu *c, const struct insn *i) { avx_binop(c, i, l_##name); }

LOGIC(pand, a & b)
LOGIC(pandn, ~a & b)
LOGIC(por, a | b)
LOGIC(pxor, a ^ b)

/* ---- fast forms ------------------------------------------------------
 *
 * The VEX instructions that the C library's AVX2 string functions run in
 * their loops (glibc's memcpy, memset, strlen, memchr, strcmp...): moves,
 * byte/word/dword compares, unsigned byte min/max, add/subtract, logic,
 * VPMOVMSKB.  The general handlers above take any operand through
 * avx_read/avx_write and apply a lane function through a pointer; these
 * are picked at decode time (FORM rows in cpu/ops_avx.def, predicates
 * form_v* in cpu/forms.h) for register and memory operands of the
 * instruction's own width, and compute with the compiler's vector types,
 * 16 bytes at a time.  Same checks, same results: the diff-avx templates
 * run them as they run everything else.
 */
typedef uint8_t v16b __attribute__((vector_size(16)));
typedef uint16_t v8w __attribute__((vector_size(16)));
typedef uint32_t v4d __attribute__((vector_size(16)));
typedef uint64_t v2q __attribute__((vector_size(16)));

/* The two halves of YMM r, or of the memory operand (one fault check). */
static inline __attribute__((always_inline))
void fast_src(struct cpu *c, const struct insn *i, int n, unsigned len, v16b h[2])
{
	const struct operand *o = &i->o[n];
	if (o->kind == OK_XMM) {
		memcpy(&h[0], c->xmm[o->reg], 16);
		memcpy(&h[1], c->ymmh[o->reg], 16);
		return;
	}
	uint64_t la = insn_ea(c, i);
	const uint8_t *p = tlb_host_read(c, la, len);
	if (likely(p)) {
		/* constant sizes: inline copies, no call */
		if (len == 32)
			memcpy(h, p, 32);
		else
			memcpy(h, p, 16);
	} else {
		avx_mem_read(c, la, h, len);
	}
}

static inline __attribute__((always_inline))
void fast_dst(struct cpu *c, unsigned r, unsigned len, const v16b h[2])
{
	memcpy(c->xmm[r], &h[0], 16);
	if (len == 32)
		memcpy(c->ymmh[r], &h[1], 16);
	else
		memset(c->ymmh[r], 0, 16);
}

#define FAST3(name, EXPR)                                                       \
	static inline __attribute__((always_inline))                            \
	v16b f_##name(v16b a, v16b b) { return (EXPR); }                        \
	static inline __attribute__((always_inline))                            \
	void fast3_##name(struct cpu *c, const struct insn *i)                  \
	{                                                                       \
		unsigned len = avx_enter(c, i);                                 \
		v16b a[2], b[2];                                                \
		fast_src(c, i, 2, len, b);                                      \
		memcpy(&a[0], c->xmm[i->o[1].reg], 16);                         \
		memcpy(&a[1], c->ymmh[i->o[1].reg], 16);                        \
		a[0] = f_##name(a[0], b[0]);                                    \
		if (len == 32)                                                  \
			a[1] = f_##name(a[1], b[1]);                            \
		fast_dst(c, i->o[0].reg, len, a);                               \
	}                                                                       \
	void op_v##name##_vxxx(struct cpu *c, const struct insn *i) { fast3_##name(c, i); } \
	void op_v##name##_vxxm(struct cpu *c, const struct insn *i) { fast3_##name(c, i); }

FAST3(pcmpeqb, (v16b)(a == b))
FAST3(pcmpeqw, (v16b)((v8w)a == (v8w)b))
FAST3(pcmpeqd, (v16b)((v4d)a == (v4d)b))
FAST3(pminub, ({ v16b m_ = (v16b)(a < b); (a & m_) | (b & ~m_); }))
FAST3(pmaxub, ({ v16b m_ = (v16b)(a > b); (a & m_) | (b & ~m_); }))
FAST3(paddb, a + b)
FAST3(paddd, (v16b)((v4d)a + (v4d)b))
FAST3(paddq, (v16b)((v2q)a + (v2q)b))
FAST3(psubb, a - b)
FAST3(pand, a & b)
FAST3(pandn, ~a & b)
FAST3(por, a | b)
FAST3(pxor, a ^ b)

/* Moves: a register from memory or a register, memory from a register.
 * `align`: the aligned moves' #GP(0) rule. */
static inline __attribute__((always_inline))
void fast_load(struct cpu *c, const struct insn *i, bool align)
{
	unsigned len = avx_enter(c, i);
	v16b h[2] = { 0 };
	if (i->o[1].kind == OK_MEM && align && (insn_ea(c, i) & (len - 1)))
		cpu_fault(c, EXC_GP, 0);
	fast_src(c, i, 1, len, h);
	fast_dst(c, i->o[0].reg, len, h);
}

static inline __attribute__((always_inline))
void fast_store(struct cpu *c, const struct insn *i, bool align)
{
	unsigned len = avx_enter(c, i);
	v16b h[2];
	uint64_t la = insn_ea(c, i);
	if (align && (la & (len - 1)))
		cpu_fault(c, EXC_GP, 0);
	memcpy(&h[0], c->xmm[i->o[1].reg], 16);
	memcpy(&h[1], c->ymmh[i->o[1].reg], 16);
	uint8_t *p = tlb_host_write(c, la, len);
	if (likely(p)) {
		if (len == 32)
			memcpy(p, h, 32);
		else
			memcpy(p, h, 16);
	} else {
		avx_mem_write(c, la, h, len);
	}
}

void op_vmova_vxm(struct cpu *c, const struct insn *i) { fast_load(c, i, true); }
void op_vmova_vxx(struct cpu *c, const struct insn *i) { fast_load(c, i, false); }
void op_vmova_vmx(struct cpu *c, const struct insn *i) { fast_store(c, i, true); }
void op_vmovu_vxm(struct cpu *c, const struct insn *i) { fast_load(c, i, false); }
void op_vmovu_vxx(struct cpu *c, const struct insn *i) { fast_load(c, i, false); }
void op_vmovu_vmx(struct cpu *c, const struct insn *i) { fast_store(c, i, false); }

/* VPMOVMSKB r32/r64, xmm/ymm: the top bit of each byte. */
void op_vpmovmskb_vgx(struct cpu *c, const struct insn *i)
{
	unsigned len = avx_enter(c, i);
	v16b h[2];
	memcpy(&h[0], c->xmm[i->o[1].reg], 16);
	memcpy(&h[1], c->ymmh[i->o[1].reg], 16);
	uint32_t m = (uint32_t)__builtin_ia32_pmovmskb128((__attribute__((vector_size(16))) char)h[0]);
	if (len == 32)
		m |= (uint32_t)__builtin_ia32_pmovmskb128((__attribute__((vector_size(16))) char)h[1]) << 16;
	c->r[i->o[0].reg] = m;   /* a 32- or 64-bit write: zero-extended either way */
}
