/*
 * x87.h - the x87 register stack and host-assisted evaluation, shared by
 * cpu/x87.c (loads, stores, control) and cpu/x87_arith.c.
 *
 * Representation: cpu->st[p] holds physical register p as raw 80-bit
 * extended bytes in the low 10 bytes of the long double slot (the host's
 * long double is the same format).  lstar never does C arithmetic on
 * them: every value goes through memcpy or the host x87 in inline asm, so
 * unnormals, pseudo-denormals and signalling NaNs survive unchanged.
 *
 * Technique (docs/fpu.md): an operation loads its operands into the host
 * x87 with the guest's precision and rounding control (FCW with every
 * exception masked), executes the same instruction, stores the result
 * with FSTP m80 (exact, raises nothing) and reads the host status word
 * for the exception flags and C0-C3.  The guest's stack, tags, stack
 * faults and unmasked-exception behaviour are modelled in C.
 */
#ifndef LSTAR_X87_H
#define LSTAR_X87_H

#include "sse.h"

typedef struct { uint8_t b[16]; } __attribute__((aligned(16))) f80;

static inline unsigned x87_top(const struct cpu *c) { return (c->fsw >> 11) & 7; }
static inline unsigned x87_phys(const struct cpu *c, unsigned i) { return (x87_top(c) + i) & 7; }
static inline bool st_empty(const struct cpu *c, unsigned i)
{
	return !((c->ftw >> x87_phys(c, i)) & 1);
}
static inline void st_get(const struct cpu *c, unsigned i, f80 *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->b, &c->st[x87_phys(c, i)], 10);
}
static inline void st_set(struct cpu *c, unsigned i, const f80 *v)
{
	unsigned p = x87_phys(c, i);
	memcpy(&c->st[p], v->b, 10);
	c->ftw |= (uint16_t)(1u << p);
}
static inline void x87_set_top(struct cpu *c, unsigned t)
{
	c->fsw = (uint16_t)((c->fsw & ~FSW_TOP) | ((t & 7) << 11));
}
/* Push: TOP - 1, then ST(0) = v (valid). */
static inline void st_push(struct cpu *c, const f80 *v)
{
	x87_set_top(c, x87_top(c) - 1);
	st_set(c, 0, v);
}
/* Pop: tag ST(0) empty, TOP + 1. */
static inline void st_pop(struct cpu *c)
{
	c->ftw &= (uint16_t)~(1u << x87_top(c));
	x87_set_top(c, x87_top(c) + 1);
}

/* The QNaN "real indefinite" (SDM vol. 1 table 4-3). */
void f80_indefinite(f80 *v);

/* Instruction prologue: #NM/#MF checks; for non-control instructions
 * (`control` false) records FIP/FOP and FDP (`la` = memory operand or 0). */
void x87_begin(struct cpu *c, const struct insn *i, bool control, uint64_t la);

/* Stack fault (SDM vol. 1 8.5.1.1): IE+SF, C1 = overflow.  Returns true if
 * IE is masked (the caller then stores the indefinite). */
bool x87_stack_fault(struct cpu *c, bool overflow);

/* Merge a host status word after an operation.  Returns false when an
 * unmasked pre-computation exception (IE, DE, ZE) means the result must
 * not be stored.  `cc` = which of C0-C3 to copy from the host. */
bool x87_merge(struct cpu *c, uint16_t hsw, uint16_t cc);

/* Host FCW for a guest operation: guest PC/RC, every exception masked. */
static inline uint16_t x87_host_cw(const struct cpu *c)
{
	return (uint16_t)((c->fcw & 0x0F00) | 0x007F);
}

/* The environment lstar loads into the host x87 (FLDENV) before a host
 * operation: the guest's PC/RC with every exception masked, the guest's
 * C0-C3 (so codes an instruction leaves alone stay as the guest had
 * them), TOP 0, all registers empty, no exception flag set. */
struct x87_henv {
	uint32_t v[7];
};
static inline struct x87_henv x87_henv(const struct cpu *c)
{
	struct x87_henv e = { { x87_host_cw(c), c->fsw & FSW_CC, 0xFFFF, 0, 0, 0, 0 } };
	return e;
}

/* Load a memory operand of `kind` into an 80-bit value with the host
 * (FLD m32/m64/m80, FILD m16/m32/m64, FBLD); returns the host status. */
enum { MK_F32, MK_F64, MK_F80, MK_I16, MK_I32, MK_I64, MK_BCD };
uint16_t x87_host_load(const struct cpu *c, int kind, const void *mem, f80 *out);
/* Read the memory operand of `kind` (size from the kind) into buf. */
void x87_read_mem(struct cpu *c, uint64_t la, int kind, void *buf);
int x87_kind(const struct insn *i, bool integer);

/* Pieces of the FXSAVE image (cpu/fxsave.c), shared with XSAVE
 * (cpu/xsave.c): the x87 fields (bytes 0-23 except 24-31, and 32-159),
 * MXCSR with MXCSR_MASK (24-31). */
void fx_x87_save(const struct cpu *c, uint8_t *img, bool w64);
void fx_x87_load(struct cpu *c, const uint8_t *img, bool w64);
void fx_mxcsr_save(const struct cpu *c, uint8_t *img);

#endif
