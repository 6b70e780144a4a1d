/*
 * avx.h - shared helpers of the VEX-encoded vector families (cpu/avx*.c).
 * Internal to those files.
 *
 * State: YMMn is cpu.xmm[n] (bits 127:0) with cpu.ymmh[n] (bits 255:128),
 * the split the XSAVE area uses too.  Legacy SSE instructions write only
 * xmm[] and so keep the upper halves; every VEX instruction that writes an
 * XMM/YMM register writes all 256 bits: a VEX.128 result zeroes bits
 * 255:128 (SDM vol. 1 14.1.3 / vol. 2 2.3.10).  avx_write() does that.
 *
 * Operands come from Zydis in Intel order: o[0] the destination, then the
 * VEX.vvvv source when the instruction has one, then ModRM.r/m, then an
 * immediate or the /is4 register.  A YMM register operand has size 32, an
 * XMM one 16.
 *
 * Exceptions (SDM vol. 2 2.4, tables 2-15..2-22): every VEX instruction
 * on vector registers checks, in this order, CR4.OSXSAVE = 1 and XCR0 with
 * SSE and AVX enabled (else #UD), then CR0.TS (else #NM): avx_enter().
 * Encoding errors (a legacy 66/F2/F3/REX/LOCK prefix before VEX, VEX.vvvv
 * not 1111b where it is unused, VEX.L = 1 where the instruction has no
 * 256-bit form, VEX.W where it is fixed) are #UD from the decoder: Zydis
 * refuses those encodings.  Memory operands need no alignment, except the
 * explicitly aligned moves (VMOVAPS/APD, VMOVDQA, VMOVNT*), which raise
 * #GP(0) unless aligned to their operand size.
 */
#ifndef LSTAR_AVX_H
#define LSTAR_AVX_H

#include "sse.h"
#include "mmu.h"

/* One YMM value in every lane view; h[0] is bits 127:0. */
union yvec {
	union vec h[2];
	uint8_t b[32];
	int8_t sb[32];
	uint16_t w[16];
	int16_t sw[16];
	uint32_t d[8];
	int32_t sd[8];
	uint64_t q[4];
	int64_t sq[4];
	float f[8];
	double fd[4];
};

/* The VEX prologue: #UD unless CR4.OSXSAVE and XCR0.SSE|AVX, #NM with
 * CR0.TS.  Returns the vector length in bytes, 16 (VEX.128) or 32. */
static inline unsigned avx_enter(struct cpu *c, const struct insn *i)
{
	if (unlikely(!(c->cr4 & CR4_OSXSAVE) ||
		     (c->xcr0 & (XCR0_SSE | XCR0_AVX)) != (XCR0_SSE | XCR0_AVX)))
		cpu_fault(c, EXC_UD, 0);
	if (unlikely(c->cr0 & CR0_TS))
		cpu_fault(c, EXC_NM, 0);
	return i->vex == VEX_256 ? 32 : 16;
}

/* Memory of `size` bytes (at most 32) at la: one access as far as faults
 * go (a fault on either page leaves nothing changed), and with a memory
 * hook installed the pieces are reported as 8-byte accesses (or smaller). */
void avx_mem_read(struct cpu *c, uint64_t la, void *dst, unsigned size);
void avx_mem_write(struct cpu *c, uint64_t la, const void *src, unsigned size);

/* Linear address of the memory operand; with `align`, #GP(0) unless it
 * is aligned to `align` bytes. */
static inline uint64_t avx_ea(struct cpu *c, const struct insn *i, unsigned align)
{
	uint64_t la = insn_ea(c, i);
	if (unlikely(align && (la & (align - 1))))
		cpu_fault(c, EXC_GP, 0);
	return la;
}

/* Read operand n into *v: XMM/YMM register (16 or 32 bytes per its size),
 * GPR (its size, zero-extended) or memory (o->size bytes); the rest of *v
 * is zero.  `align`: the aligned-move rule above. */
void avx_read(struct cpu *c, const struct insn *i, int n, union yvec *v, bool align);
/* Write *v to operand n: a register takes 32 bytes (YMM) or 16 with bits
 * 255:128 zeroed (XMM); a GPR its size (32-bit writes zero-extend);
 * memory o->size bytes. */
void avx_write(struct cpu *c, const struct insn *i, int n, const union yvec *v, bool align);

/* Register file access by number. */
static inline void ymm_get(const struct cpu *c, unsigned r, union yvec *v)
{
	memcpy(&v->h[0], c->xmm[r], 16);
	memcpy(&v->h[1], c->ymmh[r], 16);
}
static inline void ymm_set(struct cpu *c, unsigned r, const union yvec *v, unsigned len)
{
	memcpy(c->xmm[r], &v->h[0], 16);
	if (len == 32)
		memcpy(c->ymmh[r], &v->h[1], 16);
	else
		memset(c->ymmh[r], 0, 16);
}

/* Apply a 128-bit operation to each 128-bit lane that the vector length
 * covers: most AVX2 instructions are the SSE operation per lane.  `fn`
 * works as the SSE lane functions do: d = d OP s on n = 16 bytes. */
typedef void (*avx_lane_fn)(union vec *d, const union vec *s, unsigned n);
/* dst = src1 OP src2 for the three-operand forms (o[0] = o[1] OP o[2]). */
void avx_binop(struct cpu *c, const struct insn *i, avx_lane_fn fn);

#endif
