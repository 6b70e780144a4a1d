/*
 * forms.h - the predicates of the FORM rows in cpu/ops*.def: form_X(insn)
 * is true when the decoded instruction has form X, and the FORM's handler
 * may run it.  Evaluated once per decoded instruction (cpu/decode.c), never
 * at run time.
 *
 * A data form promises its handler the operand shape it was compiled for
 * (SH_* in cpu/operand.h): general registers of the given size -- never
 * AH..BH, whose kind is OK_GPR8H -- immediates, memory operands, and no
 * LOCK (a locked instruction always takes its general handler).
 */
#ifndef LSTAR_FORMS_H
#define LSTAR_FORMS_H

#include "cpu.h"
#include "operand.h"

static inline bool form_gpr(const struct operand *o, unsigned size)
{
	return o->kind == OK_GPR && o->size == size;
}

/* No LOCK or REP prefix: the data forms' handlers have no locked path. */
static inline bool form_plain(const struct insn *i)
{
	return !i->lock && !i->rep;
}

/* A memory operand a FORM handler may address with insn_la_form(): a
 * 64-bit address and no FS/GS base to add (TLS accesses, addr32 code and
 * the like take the general handler). */
static inline bool form_flat(const struct insn *i)
{
	return i->asz == 8 && i->seg != SEG_FS && i->seg != SEG_GS;
}

/* Shape of a two-operand instruction whose destination has `sz` bytes
 * (SH_RR ... SH_MI), or SH_ANY when it is none of them.  A source
 * immediate may be narrower than the destination (sign-extended imm8/32:
 * already extended in insn->imm). */
static inline int form_two_op(const struct insn *i, unsigned sz)
{
	const struct operand *d = &i->o[0], *s = &i->o[1];

	if (!form_plain(i) || i->nops != 2 || i->osz != sz)
		return SH_ANY;
	if (s->kind == OK_IMM)
		return form_gpr(d, sz) ? SH_RI :
		       (d->kind == OK_MEM && d->size == sz && form_flat(i)) ? SH_MI : SH_ANY;
	if (form_gpr(d, sz) && form_gpr(s, sz))
		return SH_RR;
	if (form_gpr(d, sz) && s->kind == OK_MEM && s->size == sz && form_flat(i))
		return SH_RM;
	if (d->kind == OK_MEM && d->size == sz && form_gpr(s, sz) && form_flat(i))
		return SH_MR;
	return SH_ANY;
}

#define FORM_TWO_OP(name, shape, sz)						\
static inline bool form_##name(const struct insn *i) { return form_two_op(i, sz) == shape; }
FORM_TWO_OP(rr32, SH_RR, 4) FORM_TWO_OP(rr64, SH_RR, 8)
FORM_TWO_OP(ri32, SH_RI, 4) FORM_TWO_OP(ri64, SH_RI, 8)
FORM_TWO_OP(rm32, SH_RM, 4) FORM_TWO_OP(rm64, SH_RM, 8)
FORM_TWO_OP(mr32, SH_MR, 4) FORM_TWO_OP(mr64, SH_MR, 8)
FORM_TWO_OP(mi32, SH_MI, 4) FORM_TWO_OP(mi64, SH_MI, 8)
/* byte MOV: the loads and stores compilers emit for char data */
FORM_TWO_OP(mi8, SH_MI, 1) FORM_TWO_OP(mr8, SH_MR, 1) FORM_TWO_OP(rm8, SH_RM, 1)
/* byte compares and word loads/stores: what compression and string code runs */
FORM_TWO_OP(rr8, SH_RR, 1) FORM_TWO_OP(ri8, SH_RI, 1)
FORM_TWO_OP(rm16, SH_RM, 2) FORM_TWO_OP(mr16, SH_MR, 2)
/* 16-bit register arithmetic: hash and checksum code (gzip's) */
FORM_TWO_OP(rr16, SH_RR, 2) FORM_TWO_OP(ri16, SH_RI, 2)
#undef FORM_TWO_OP

/* One general register of 32/64 bits (INC, DEC, PUSH, POP). */
static inline bool form_r32(const struct insn *i)
{
	return form_plain(i) && i->nops == 1 && i->osz == 4 && form_gpr(&i->o[0], 4);
}
static inline bool form_r64(const struct insn *i)
{
	return form_plain(i) && i->nops == 1 && i->osz == 8 && form_gpr(&i->o[0], 8);
}

/* One dword in memory (INC, DEC of a counter kept in memory). */
static inline bool form_m32(const struct insn *i)
{
	return form_plain(i) && i->nops == 1 && i->osz == 4 && i->o[0].kind == OK_MEM &&
	       i->o[0].size == 4 && form_flat(i);
}

/* A 32/64-bit register shifted by CL (D3 /4 /5 /7). */
static inline bool form_rc(const struct insn *i, unsigned sz)
{
	return form_plain(i) && i->nops == 2 && i->osz == sz && form_gpr(&i->o[0], sz) &&
	       form_gpr(&i->o[1], 1) && i->o[1].reg == R_RCX;
}
static inline bool form_rc32(const struct insn *i) { return form_rc(i, 4); }
static inline bool form_rc64(const struct insn *i) { return form_rc(i, 8); }

/* Three-operand IMUL on registers: r = r * imm. */
static inline bool form_rri32(const struct insn *i)
{
	return form_plain(i) && i->nops == 3 && i->osz == 4 && form_gpr(&i->o[0], 4) &&
	       form_gpr(&i->o[1], 4) && i->o[2].kind == OK_IMM;
}
static inline bool form_rri64(const struct insn *i)
{
	return form_plain(i) && i->nops == 3 && i->osz == 8 && form_gpr(&i->o[0], 8) &&
	       form_gpr(&i->o[1], 8) && i->o[2].kind == OK_IMM;
}

/* MOVZX/MOVSX/MOVSXD into a 32/64-bit register from a narrower register
 * (not AH..BH) or memory operand. */
static inline bool form_rx(const struct insn *i)
{
	return form_plain(i) && i->nops == 2 &&
	       (form_gpr(&i->o[0], 4) || form_gpr(&i->o[0], 8)) && i->o[1].size < i->o[0].size;
}
static inline bool form_rx_m8(const struct insn *i) { return form_rx(i) && i->o[1].kind == OK_MEM && i->o[1].size == 1 && form_flat(i); }
static inline bool form_rx_r8(const struct insn *i) { return form_rx(i) && i->o[1].kind == OK_GPR && i->o[1].size == 1; }
static inline bool form_rx_m16(const struct insn *i) { return form_rx(i) && i->o[1].kind == OK_MEM && i->o[1].size == 2 && form_flat(i); }
static inline bool form_rx_r16(const struct insn *i) { return form_rx(i) && i->o[1].kind == OK_GPR && i->o[1].size == 2; }
static inline bool form_rx_rs(const struct insn *i) { return form_rx(i) && i->o[1].kind == OK_GPR; }
static inline bool form_rx_ms(const struct insn *i) { return form_rx(i) && i->o[1].kind == OK_MEM && form_flat(i); }
/* MOVSXD r64, r32: what compilers emit to index with an int */
static inline bool form_rx_r32(const struct insn *i) { return form_rx(i) && i->o[1].kind == OK_GPR && i->o[1].size == 4; }

/* LEA into a 32/64-bit register. */
static inline bool form_r32_agen(const struct insn *i)
{
	return form_plain(i) && i->nops == 2 && i->osz == 4 && form_gpr(&i->o[0], 4) &&
	       i->o[1].kind == OK_MEM;
}
static inline bool form_r64_agen(const struct insn *i)
{
	return form_plain(i) && i->nops == 2 && i->osz == 8 && form_gpr(&i->o[0], 8) &&
	       i->o[1].kind == OK_MEM;
}

/* PUSH of an immediate or a qword in memory to a 64-bit slot. */
static inline bool form_i64(const struct insn *i)
{
	return form_plain(i) && i->nops == 1 && i->osz == 8 && i->o[0].kind == OK_IMM;
}
static inline bool form_m64(const struct insn *i)
{
	return form_plain(i) && i->nops == 1 && i->osz == 8 && i->o[0].kind == OK_MEM &&
	       i->o[0].size == 8;
}

/* JMP/CALL/Jcc rel8/rel32 with the 64-bit operand size and a canonical
 * target.  The target is absolute and fixed from decode on, so its
 * canonical check (a #GP(0) at the branch otherwise) is made here, once:
 * the handler of this form cannot fault on it.  A relative branch into the
 * non-canonical hole takes the general handler, which checks at run time. */
static inline bool form_rel64(const struct insn *i)
{
	return i->nops == 1 && i->osz == 8 && i->o[0].kind == OK_IMM && is_canonical(i->imm);
}

/* RET C3 with the 64-bit operand size. */
static inline bool form_near64(const struct insn *i)
{
	return i->opc == 0xC3 && i->osz == 8;
}

/* The far forms sharing JMP/CALL/RET: FF /5, FF /3, CA/CB. */
static inline bool form_far(const struct insn *i)
{
	return (i->opc == 0xFF && (i->modrm_reg == 3 || i->modrm_reg == 5)) ||
	       i->opc == 0xCA || i->opc == 0xCB;
}

/* MOV with a segment, control or debug register operand. */
static inline bool form_has_kind(const struct insn *i, unsigned kind)
{
	return i->nops >= 2 && (i->o[0].kind == kind || i->o[1].kind == kind);
}
static inline bool form_sreg(const struct insn *i) { return form_has_kind(i, OK_SREG); }
static inline bool form_cr(const struct insn *i) { return form_has_kind(i, OK_CR); }
static inline bool form_dr(const struct insn *i) { return form_has_kind(i, OK_DR); }

/* The SSE2 MOVSD/CMPSD (an XMM operand) rather than the string ones. */
static inline bool form_xmm(const struct insn *i) { return form_has_kind(i, OK_XMM); }

/* SSE forms (VSH_* in cpu/sse.h): an XMM destination with an XMM or
 * 16-byte memory source, a 16-byte memory destination with an XMM source,
 * a 32/64-bit general register with an XMM source; an immediate may
 * follow.  MMX operands take the general handler. */
static inline bool form_sse_ops(const struct insn *i)
{
	return i->nops == 2 || (i->nops == 3 && i->o[2].kind == OK_IMM);
}
static inline bool form_xx(const struct insn *i)
{
	return form_sse_ops(i) && i->o[0].kind == OK_XMM && i->o[1].kind == OK_XMM;
}
static inline bool form_xm(const struct insn *i)
{
	return form_sse_ops(i) && i->o[0].kind == OK_XMM && i->o[1].kind == OK_MEM &&
	       i->o[1].size == 16;
}
static inline bool form_mx(const struct insn *i)
{
	return form_sse_ops(i) && i->o[0].kind == OK_MEM && i->o[0].size == 16 &&
	       i->o[1].kind == OK_XMM;
}
static inline bool form_gx(const struct insn *i)
{
	return form_sse_ops(i) && (form_gpr(&i->o[0], 4) || form_gpr(&i->o[0], 8)) &&
	       i->o[1].kind == OK_XMM;
}

/* VEX forms (cpu/avx_common.c "fast forms"): three vector registers;
 * two vector registers and a 16/32-byte memory source; a register loaded
 * from memory, memory stored from a register, register to register; a
 * GPR from a vector register.  Nothing after the operands. */
static inline bool form_vxxx(const struct insn *i)
{
	return i->vex && i->nops == 3 && i->o[0].kind == OK_XMM && i->o[1].kind == OK_XMM &&
	       i->o[2].kind == OK_XMM;
}
static inline bool form_vxxm(const struct insn *i)
{
	return i->vex && i->nops == 3 && i->o[0].kind == OK_XMM && i->o[1].kind == OK_XMM &&
	       i->o[2].kind == OK_MEM && i->o[2].size == i->o[0].size;
}
static inline bool form_vxm(const struct insn *i)
{
	return i->vex && i->nops == 2 && i->o[0].kind == OK_XMM && i->o[1].kind == OK_MEM &&
	       i->o[1].size == i->o[0].size;
}
static inline bool form_vmx(const struct insn *i)
{
	return i->vex && i->nops == 2 && i->o[0].kind == OK_MEM && i->o[1].kind == OK_XMM &&
	       i->o[0].size == i->o[1].size;
}
static inline bool form_vxx(const struct insn *i)
{
	return i->vex && i->nops == 2 && i->o[0].kind == OK_XMM && i->o[1].kind == OK_XMM &&
	       i->o[0].size == i->o[1].size;
}
static inline bool form_vgx(const struct insn *i)
{
	return i->vex && i->nops == 2 && (form_gpr(&i->o[0], 4) || form_gpr(&i->o[0], 8)) &&
	       i->o[1].kind == OK_XMM;
}

#endif
