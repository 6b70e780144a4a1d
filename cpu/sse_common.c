/*
 * sse_common.c - checks, operand access and MXCSR for MMX/SSE handlers,
 * plus LDMXCSR, STMXCSR and EMMS.
 */
#include "sse.h"

/* SDM vol. 3A 2.5 (CR0.EM, CR0.TS, CR4.OSFXSR) and vol. 2 table 2-? "Type 1
 * ..4 exception conditions": #UD checks come before #NM. */
void sse_check(struct cpu *c)
{
	if (unlikely((c->cr0 & CR0_EM) || !(c->cr4 & CR4_OSFXSR)))
		cpu_fault(c, EXC_UD, 0);
	if (unlikely(c->cr0 & CR0_TS))
		cpu_fault(c, EXC_NM, 0);
}

/* SDM vol. 3A 9.? / vol. 1 9.5 "MMX instructions and the x87 state": an
 * MMX instruction (other than EMMS) sets TOP to 0 and tags every register
 * valid; a pending x87 exception is reported first (#MF).  The switch is
 * part of the instruction's result: one that faults later (#XM, a
 * misaligned #GP) leaves TOP and the tags alone, so handlers with such a
 * fault call mmx_check() first and mmx_switch() once nothing can fault. */
void mmx_check(struct cpu *c)
{
	if (unlikely(c->cr0 & CR0_EM))
		cpu_fault(c, EXC_UD, 0);
	if (unlikely(c->cr0 & CR0_TS))
		cpu_fault(c, EXC_NM, 0);
	if (unlikely(c->fsw & FSW_ES))
		cpu_fault(c, EXC_MF, 0);
}

void mmx_switch(struct cpu *c)
{
	c->fsw &= ~FSW_TOP;
	c->ftw = 0xFF;
}

void mmx_enter(struct cpu *c)
{
	mmx_check(c);
	mmx_switch(c);
}

unsigned vec_enter(struct cpu *c, const struct insn *i)
{
	if (i->o[0].kind == OK_MMX || i->o[1].kind == OK_MMX) {
		mmx_enter(c);
		return 8;
	}
	sse_check(c);
	return 16;
}

uint64_t mm_get(const struct cpu *c, unsigned r)
{
	uint64_t v;
	memcpy(&v, &c->st[r & 7], 8);
	return v;
}

/* Writing an MMX register sets the exponent field of the aliased x87
 * register to all ones (SDM vol. 1 9.5.1). */
void mm_set(struct cpu *c, unsigned r, uint64_t v)
{
	uint8_t *p = (uint8_t *)&c->st[r & 7];
	memcpy(p, &v, 8);
	p[8] = 0xFF;
	p[9] = 0xFF;
}

void mem_read16(struct cpu *c, uint64_t la, void *dst)
{
	uint64_t lo = mem_read(c, la, 8);
	uint64_t hi = mem_read(c, la + 8, 8);
	memcpy(dst, &lo, 8);
	memcpy((uint8_t *)dst + 8, &hi, 8);
}

void mem_write16(struct cpu *c, uint64_t la, const void *src)
{
	uint64_t lo, hi;
	memcpy(&lo, src, 8);
	memcpy(&hi, (const uint8_t *)src + 8, 8);
	if ((la & 0xFFF) > 0xFF0)
		mem_probe_write(c, la, 16);
	mem_write(c, la, 8, lo);
	mem_write(c, la + 8, 8, hi);
}

uint64_t vec_ea_aligned(struct cpu *c, const struct insn *i, unsigned size)
{
	uint64_t la = insn_ea(c, i);
	if (unlikely(la & (size - 1)))
		cpu_fault(c, EXC_GP, 0);
	return la;
}

void vec_load(struct cpu *c, const struct insn *i, int n, union vec *v, bool align)
{
	const struct operand *o = &i->o[n];
	switch (o->kind) {
	case OK_XMM:
		memcpy(v, c->xmm[o->reg], 16);
		return;
	case OK_MMX:
		v->q[0] = mm_get(c, o->reg);
		v->q[1] = 0;
		return;
	case OK_GPR:
		v->q[0] = c->r[o->reg] & size_mask(o->size);
		v->q[1] = 0;
		return;
	case OK_MEM: {
		uint64_t la = (align && o->size == 16) ? vec_ea_aligned(c, i, 16) : insn_ea(c, i);
		if (o->size >= 16) {
			mem_read16(c, la, v);
		} else {
			v->q[0] = mem_read(c, la, o->size);
			v->q[1] = 0;
		}
		return;
	}
	default:
		memset(v, 0, sizeof(*v));
		return;
	}
}

void vec_store(struct cpu *c, const struct insn *i, int n, const union vec *v, bool align)
{
	const struct operand *o = &i->o[n];
	switch (o->kind) {
	case OK_XMM:
		memcpy(c->xmm[o->reg], v, 16);
		return;
	case OK_MMX:
		mm_set(c, o->reg, v->q[0]);
		return;
	case OK_GPR:
		reg_write(c, o, v->q[0]);
		return;
	case OK_MEM: {
		uint64_t la = (align && o->size == 16) ? vec_ea_aligned(c, i, 16) : insn_ea(c, i);
		if (o->size >= 16)
			mem_write16(c, la, v);
		else
			mem_write(c, la, o->size, v->q[0]);
		return;
	}
	default:
		return;
	}
}

/* SDM vol. 1 11.5.1/11.5.2: an unmasked SIMD exception raises #XM when
 * CR4.OSXMMEXCPT is set, #UD otherwise; the destination is not updated.
 * lstar sets the flags detected by the masked host run (for packed
 * operations that is every lane's flags; hardware agrees for
 * pre-computation exceptions, see docs/fpu.md). */
void sse_raise_flags(struct cpu *c, unsigned flags)
{
	unsigned masks = (c->mxcsr >> 7) & MXCSR_FLAGS;
	unsigned pre = MXCSR_IE | MXCSR_DE | MXCSR_ZE;
	/* An unmasked pre-computation exception (IE DE ZE) stops the
	 * instruction before the post-computation ones (OE UE PE) are
	 * detected: only the pre-computation flags are set (SDM vol. 1
	 * 11.5.2). */
	if (unlikely(flags & ~masks & pre))
		flags &= pre;
	/* Known difference (docs/fpu.md): with OE or UE unmasked, hardware
	 * reports PE for the rounding of the exponent-unbounded result;
	 * lstar reports the PE of the masked (denormalized/overflowed)
	 * result, a superset. */
	c->mxcsr |= flags & MXCSR_FLAGS;
	if (unlikely(flags & ~masks & MXCSR_FLAGS))
		cpu_fault(c, (c->cr4 & CR4_OSXMMEXCPT) ? EXC_XM : EXC_UD, 0);
}

/* LDMXCSR m32 - SDM vol. 2A: reserved bits (31:16, outside MXCSR_MASK)
 * set -> #GP(0).  Setting a flag whose exception is unmasked does not
 * fault here (the next SSE instruction does not fault either: MXCSR
 * flags are not "pending" like x87's ES). */
void op_ldmxcsr(struct cpu *c, const struct insn *i)
{
	sse_check(c);
	uint32_t v = (uint32_t)mem_read(c, insn_la(c, i), 4);
	if (v & ~MXCSR_MASK_SUPPORTED)
		cpu_fault(c, EXC_GP, 0);
	c->mxcsr = v;
}

/* STMXCSR m32 - SDM vol. 2B. */
void op_stmxcsr(struct cpu *c, const struct insn *i)
{
	sse_check(c);
	mem_write(c, insn_la(c, i), 4, c->mxcsr);
}

/* EMMS - SDM vol. 2A: all x87 tags empty; TOP = 0 as well (vol. 1 table
 * 9-? and what hardware does).  CR0.EM -> #UD, TS -> #NM,
 * pending x87 exception -> #MF. */
void op_emms(struct cpu *c, const struct insn *i)
{
	(void)i;
	if (c->cr0 & CR0_EM)
		cpu_fault(c, EXC_UD, 0);
	if (c->cr0 & CR0_TS)
		cpu_fault(c, EXC_NM, 0);
	if (c->fsw & FSW_ES)
		cpu_fault(c, EXC_MF, 0);
	c->ftw = 0;
	c->fsw &= ~FSW_TOP;
}
