/*
 * sse.h - shared helpers of the x87/MMX/SSE families (cpu/sse*.c,
 * cpu/x87*.c, cpu/fxsave.c).  Internal to those files.
 *
 * Techniques (docs/fpu.md): integer SIMD is plain C over `union vec`;
 * floating point that depends on MXCSR (rounding, DAZ/FTZ, exception
 * flags, NaN propagation) runs the *same* instruction on the x86-64 host
 * with the guest's MXCSR control bits loaded around it (all exceptions
 * masked, flags cleared), then merges the flags the host raised into the
 * guest MXCSR.  That is exact by construction.
 */
#ifndef LSTAR_SSE_H
#define LSTAR_SSE_H

#include <stdbool.h>
#include <string.h>
#include "cpu.h"
#include "operand.h"

typedef float v4sf __attribute__((vector_size(16)));

/* One XMM (or MMX, low 8 bytes) value in every lane view. */
union vec {
	uint8_t b[16];
	int8_t sb[16];
	uint16_t w[8];
	int16_t sw[8];
	uint32_t d[4];
	int32_t sd[4];
	uint64_t q[2];
	int64_t sq[2];
	float f[4];
	double fd[2];
	v4sf x;          /* for "x" asm operands */
};

/* MXCSR bits (SDM vol. 1 10.2.3). */
#define MXCSR_IE 0x0001
#define MXCSR_DE 0x0002
#define MXCSR_ZE 0x0004
#define MXCSR_OE 0x0008
#define MXCSR_UE 0x0010
#define MXCSR_PE 0x0020
#define MXCSR_FLAGS 0x003F
#define MXCSR_DAZ 0x0040
#define MXCSR_MASKS 0x1F80
#define MXCSR_RC 0x6000
#define MXCSR_FTZ 0x8000
#define MXCSR_MASK_SUPPORTED 0xFFFFu   /* MXCSR_MASK stored by FXSAVE (DAZ supported) */
#define MXCSR_RESET 0x1F80

/* x87 status word bits (SDM vol. 1 8.1.3). */
#define FSW_IE 0x0001
#define FSW_DE 0x0002
#define FSW_ZE 0x0004
#define FSW_OE 0x0008
#define FSW_UE 0x0010
#define FSW_PE 0x0020
#define FSW_SF 0x0040
#define FSW_ES 0x0080
#define FSW_C0 0x0100
#define FSW_C1 0x0200
#define FSW_C2 0x0400
#define FSW_TOP 0x3800
#define FSW_C3 0x4000
#define FSW_B  0x8000
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)

/* ---- sse_common.c ---- */

/* SSE/SSE2+ device-not-available and enable checks in SDM order
 * (vol. 3A 2.5, table 13-? "Exceptions for SSE"): CR0.EM -> #UD,
 * CR4.OSFXSR = 0 -> #UD, CR0.TS -> #NM. */
void sse_check(struct cpu *c);
/* MMX checks (EM -> #UD, TS -> #NM, pending x87 exception -> #MF), then
 * the x87 -> MMX transition: TOP = 0, all tags valid. */
void mmx_enter(struct cpu *c);
/* mmx_enter() in two halves: the faults, then the switch to MMX mode. */
void mmx_check(struct cpu *c);
void mmx_switch(struct cpu *c);

/* Width in bytes of a vector instruction: 8 for MMX operands, else 16;
 * runs the matching checks. */
unsigned vec_enter(struct cpu *c, const struct insn *i);

/* Read operand n into *v: XMM (16 bytes), MMX (8, rest zero), GPR (its
 * size, zero-extended) or memory (o->size bytes, rest zero).  `align`:
 * a 16-byte memory operand must be 16-aligned, else #GP(0). */
void vec_load(struct cpu *c, const struct insn *i, int n, union vec *v, bool align);
/* Write *v to operand n: XMM (16 bytes), MMX (8), GPR (its size) or
 * memory (o->size bytes, all-or-nothing across pages). */
void vec_store(struct cpu *c, const struct insn *i, int n, const union vec *v, bool align);
/* Linear address of the memory operand, checked for 16-byte alignment. */
uint64_t vec_ea_aligned(struct cpu *c, const struct insn *i, unsigned size);
/* 16-byte memory access that faults as a whole before changing anything. */
void mem_read16(struct cpu *c, uint64_t la, void *dst);
void mem_write16(struct cpu *c, uint64_t la, const void *src);

/*
 * Vector operand shapes.  The hottest SSE instructions have FORM rows
 * (cpu/ops_fpu.def, predicates in cpu/forms.h) whose handlers are the
 * general handler's always-inline body compiled for a fixed shape, as the
 * integer families do with SH_* (cpu/operand.h):
 *   VSH_XX  xmm, xmm        VSH_XM  xmm, m128
 *   VSH_MX  m128, xmm       VSH_GX  r32/r64, xmm
 * (an immediate third operand allowed).  For these the width is 16, no
 * MMX register is involved, and memory goes through the TLB inline
 * (vec_read16_fast, vec_write16_fast); VSH_ANY is the general handler,
 * which reads operand kinds at run time through vec_load()/vec_store().
 */
enum { VSH_ANY, VSH_XX, VSH_XM, VSH_MX, VSH_GX };

/* sse_check() with the passing case inline. */
static inline __attribute__((always_inline)) void sse_check_fast(struct cpu *c)
{
	if (unlikely((c->cr0 & (CR0_EM | CR0_TS)) || !(c->cr4 & CR4_OSFXSR)))
		sse_check(c);
}

/* mem_read16() with a TLB hit on one page inline: the same bytes the two
 * 8-byte reads of mem_read16() would take from that page.  A memory hook
 * makes the fast path miss (TLB_HOOKED), so the hook still sees them. */
static inline __attribute__((always_inline))
void vec_read16_fast(struct cpu *c, uint64_t la, void *dst)
{
	const struct tlb_entry *e = &c->tlb_r[(la >> 12) & (TLB_SIZE - 1)];
	if (likely(e->tag == ((la & ~0xFFFULL) | c->tlb_mode) && (la & 0xFFF) <= 0xFF0)) {
		memcpy(dst, e->host + (la & 0xFFF), 16);
		return;
	}
	mem_read16(c, la, dst);
}

/* mem_write16() likewise (pages holding code have no write entry). */
static inline __attribute__((always_inline))
void vec_write16_fast(struct cpu *c, uint64_t la, const void *src)
{
	const struct tlb_entry *e = &c->tlb_w[(la >> 12) & (TLB_SIZE - 1)];
	if (likely(e->tag == ((la & ~0xFFFULL) | c->tlb_mode) && (la & 0xFFF) <= 0xFF0)) {
		memcpy(e->host + (la & 0xFFF), src, 16);
		return;
	}
	mem_write16(c, la, src);
}

/* Address of a 16-byte memory operand, #GP(0) if `align` and it is not
 * 16-aligned (after the canonical check, as vec_ea_aligned()). */
static inline __attribute__((always_inline))
uint64_t vec_ea16(struct cpu *c, const struct insn *i, bool align)
{
	uint64_t la = insn_ea(c, i);
	if (align && unlikely(la & 15))
		cpu_fault(c, EXC_GP, 0);
	return la;
}

/* Operand 1 of shape sh into *v: vec_load() for the specialised shapes. */
static inline __attribute__((always_inline))
void vsh_src(struct cpu *c, const struct insn *i, int sh, union vec *v, bool align)
{
	if (sh == VSH_XX || sh == VSH_GX)
		memcpy(v, c->xmm[i->o[1].reg], 16);
	else if (sh == VSH_XM)
		vec_read16_fast(c, vec_ea16(c, i, align), v);
	else
		vec_load(c, i, 1, v, align);
}

/* MMX register mm(r) (aliases the mantissa of physical x87 register r). */
uint64_t mm_get(const struct cpu *c, unsigned r);
void mm_set(struct cpu *c, unsigned r, uint64_t v);

/* Merge SSE exception flags raised by one instruction.  If any of them is
 * unmasked the instruction faults: #XM with CR4.OSXMMEXCPT, else #UD, and
 * the caller's result is never written (we do not return).  SDM vol. 1
 * 11.5.  Call before writing the destination. */
void sse_raise_flags(struct cpu *c, unsigned flags);

/* MXCSR for the host while running a guest operation: the guest's DAZ,
 * RC and FTZ, every exception masked, no flag set. */
static inline uint32_t sse_host_csr(const struct cpu *c)
{
	return (c->mxcsr & (MXCSR_DAZ | MXCSR_RC | MXCSR_FTZ)) | MXCSR_MASKS;
}

/* Run host instruction INSN ("addps" ...) as `INSN s, d` (AT&T) with the
 * guest's MXCSR; FL receives the exception flags it raised.  D and S are
 * v4sf lvalues. */
#define HOST_SSE(c, INSN, D, S, FL) HOST_SSE_X(c, INSN, D, S, FL, 0)
/* ... with extra MXCSR bits forced on (MXCSR_FTZ: see sse_fp.c). */
#define HOST_SSE_X(c, INSN, D, S, FL, EXTRA) do {                            \
	uint32_t hcsr_, gcsr_ = sse_host_csr(c) | (EXTRA);                   \
	__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" INSN " %[s], %[d]\n\t" \
			 "stmxcsr %[g]\n\tldmxcsr %[h]"                      \
			 : [d] "+x"(D), [g] "+m"(gcsr_), [h] "=m"(hcsr_)     \
			 : [s] "x"(S));                                      \
	(FL) = gcsr_ & MXCSR_FLAGS;                                          \
} while (0)

/* Same with an immediate: `INSN $IMM, s, d`. */
#define HOST_SSE_IMM(c, INSN, IMM, D, S, FL) do {                            \
	uint32_t hcsr_, gcsr_ = sse_host_csr(c);                             \
	__asm__ volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" INSN " %[k], %[s], %[d]\n\t" \
			 "stmxcsr %[g]\n\tldmxcsr %[h]"                      \
			 : [d] "+x"(D), [g] "+m"(gcsr_), [h] "=m"(hcsr_)     \
			 : [s] "x"(S), [k] "i"(IMM));                        \
	(FL) = gcsr_ & MXCSR_FLAGS;                                          \
} while (0)

/* Repeat X(n) for n = 0..15 / 0..255 (host instructions with an imm8). */
#define REP4_(X, n) X(n) X((n) + 1) X((n) + 2) X((n) + 3)
#define REP16(X, n) REP4_(X, n) REP4_(X, (n) + 4) REP4_(X, (n) + 8) REP4_(X, (n) + 12)
#define REP64_(X, n) REP16(X, n) REP16(X, (n) + 16) REP16(X, (n) + 32) REP16(X, (n) + 48)
#define REP256(X) REP64_(X, 0) REP64_(X, 64) REP64_(X, 128) REP64_(X, 192)

/* ---- sse4.c ---- */

/* The SSE4.2 string compare of PCMPESTRI/ESTRM/ISTRI/ISTRM on o[0] and
 * o[1] with imm8 (shared with their VEX.128 forms, cpu/avx_int.c). */
void sse_pcmpstr(struct cpu *c, const struct insn *i, bool explicit_len, bool mask);

/* PMOVSX/PMOVZX and their VEX forms: `count` elements of `from` bytes at
 * src, sign- or zero-extended to `to` bytes each at dst. */
static inline void widen_elements(uint8_t *dst, const uint8_t *src, unsigned count,
				  unsigned from, unsigned to, bool sign)
{
	for (unsigned k = 0; k < count; k++) {
		uint64_t v = 0;
		memcpy(&v, src + k * from, from);
		if (sign)
			v = (uint64_t)sext(v, from);
		memcpy(dst + k * to, &v, to);
	}
}

/* ---- x87.c ---- */

/* x87 instruction prologue: CR0.EM|TS -> #NM, then a pending unmasked
 * exception (FSW.ES) -> #MF (SDM vol. 1 8.7).  `wait_only` for FWAIT. */
void x87_check(struct cpu *c);
/* Power-on/FNINIT state (SDM vol. 1 table 8-? / 10.?). */
void x87_init(struct cpu *c);
/* The full 16-bit tag word (FSTENV/FSAVE form) computed from the
 * abridged tags and the register contents. */
uint16_t x87_full_tag(const struct cpu *c);
/* Abridged tags (FXSAVE) from a full tag word. */
uint8_t x87_abridge_tag(uint16_t full);

#endif
