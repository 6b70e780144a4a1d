/*
 * fastpath.c - decode-time specialization of the hottest instruction forms.
 *
 * The family handlers (alu.c, move.c...) accept every operand form and
 * switch on operand kinds at run time.  For the forms compilers emit most
 * -- 32/64-bit MOV, ADD, SUB, CMP, AND, OR, XOR, TEST, LEA, INC, DEC
 * between registers, immediates and memory -- the decoder picks one of the
 * lean handlers below instead, once per decoded instruction, so the choice
 * costs nothing at run time.
 *
 * Each specialized handler computes exactly what the generic one does
 * (same result, same lazy-flag record), which the differential tests in
 * tests/diff/ check, since they run whatever handler the decoder picks.
 * Instructions with LOCK, 8/16-bit operands or AH..BH never come here.
 */
#include <Zydis/Zydis.h>
#include "cpu.h"
#include "flags.h"
#include "operand.h"

#define R(n) (c->r[i->o[n].reg])

/* ---- MOV --------------------------------------------------------------- */

static void mov_rr64(struct cpu *c, const struct insn *i) { R(0) = R(1); }
static void mov_rr32(struct cpu *c, const struct insn *i) { R(0) = (uint32_t)R(1); }
static void mov_ri64(struct cpu *c, const struct insn *i) { R(0) = i->imm; }
static void mov_ri32(struct cpu *c, const struct insn *i) { R(0) = (uint32_t)i->imm; }
static void mov_rm64(struct cpu *c, const struct insn *i) { R(0) = mem_read(c, insn_ea(c, i), 8); }
static void mov_rm32(struct cpu *c, const struct insn *i) { R(0) = mem_read(c, insn_ea(c, i), 4); }
static void mov_mr64(struct cpu *c, const struct insn *i) { mem_write(c, insn_ea(c, i), 8, R(1)); }
static void mov_mr32(struct cpu *c, const struct insn *i) { mem_write(c, insn_ea(c, i), 4, R(1)); }
static void mov_mi64(struct cpu *c, const struct insn *i) { mem_write(c, insn_ea(c, i), 8, i->imm); }
static void mov_mi32(struct cpu *c, const struct insn *i) { mem_write(c, insn_ea(c, i), 4, i->imm); }

/* Byte and word forms of the loads/stores compilers emit for char and
 * short data (sieve flags, string bytes, hash input). */
static void mov_m8_imm(struct cpu *c, const struct insn *i) { mem_write(c, insn_ea(c, i), 1, i->imm); }
static void mov_m8_r8(struct cpu *c, const struct insn *i) { mem_write(c, insn_ea(c, i), 1, R(1)); }
static void mov_r8_m8(struct cpu *c, const struct insn *i)
{
	uint64_t v = mem_read(c, insn_ea(c, i), 1);
	R(0) = (R(0) & ~0xFFULL) | v;
}
static void movzx_r32_m8(struct cpu *c, const struct insn *i) { R(0) = mem_read(c, insn_ea(c, i), 1); }
static void movzx_r32_r8(struct cpu *c, const struct insn *i) { R(0) = (uint8_t)R(1); }
static void movzx_r32_m16(struct cpu *c, const struct insn *i) { R(0) = mem_read(c, insn_ea(c, i), 2); }
static void movzx_r32_r16(struct cpu *c, const struct insn *i) { R(0) = (uint16_t)R(1); }

static void lea64(struct cpu *c, const struct insn *i) { R(0) = insn_lea(c, i); }
static void lea32(struct cpu *c, const struct insn *i) { R(0) = (uint32_t)insn_lea(c, i); }

/* ---- ALU ----------------------------------------------------------------
 * DEF_ALU(name, lazy-op, expr, writes) makes name_{rr,ri,rm,mr}{64,32}. */

#define ALU_BODY(SZ, T, GETB, OPFL, EXPR, WRITE)			\
	uint64_t a = (T)R(0), b = (T)(GETB), r = (T)(EXPR);		\
	if (WRITE)							\
		R(0) = r;						\
	flags_lazy(c, OPFL, SZ, r, a, b);

#define ALU_MEM_DST(SZ, T, GETB, OPFL, EXPR, WRITE)			\
	uint64_t la = insn_ea(c, i);					\
	uint64_t a = mem_read(c, la, SZ), b = (T)(GETB), r = (T)(EXPR);	\
	if (WRITE)							\
		mem_write(c, la, SZ, r);				\
	flags_lazy(c, OPFL, SZ, r, a, b);

#define DEF_ALU(NAME, OPFL, EXPR, WRITE)					\
static void NAME##_rr64(struct cpu *c, const struct insn *i) { ALU_BODY(8, uint64_t, R(1), OPFL, EXPR, WRITE) } \
static void NAME##_rr32(struct cpu *c, const struct insn *i) { ALU_BODY(4, uint32_t, R(1), OPFL, EXPR, WRITE) } \
static void NAME##_ri64(struct cpu *c, const struct insn *i) { ALU_BODY(8, uint64_t, i->imm, OPFL, EXPR, WRITE) } \
static void NAME##_ri32(struct cpu *c, const struct insn *i) { ALU_BODY(4, uint32_t, i->imm, OPFL, EXPR, WRITE) } \
static void NAME##_rm64(struct cpu *c, const struct insn *i) { ALU_BODY(8, uint64_t, mem_read(c, insn_ea(c, i), 8), OPFL, EXPR, WRITE) } \
static void NAME##_rm32(struct cpu *c, const struct insn *i) { ALU_BODY(4, uint32_t, mem_read(c, insn_ea(c, i), 4), OPFL, EXPR, WRITE) } \
static void NAME##_mr64(struct cpu *c, const struct insn *i) { ALU_MEM_DST(8, uint64_t, R(1), OPFL, EXPR, WRITE) } \
static void NAME##_mr32(struct cpu *c, const struct insn *i) { ALU_MEM_DST(4, uint32_t, R(1), OPFL, EXPR, WRITE) } \
static void NAME##_mi64(struct cpu *c, const struct insn *i) { ALU_MEM_DST(8, uint64_t, i->imm, OPFL, EXPR, WRITE) } \
static void NAME##_mi32(struct cpu *c, const struct insn *i) { ALU_MEM_DST(4, uint32_t, i->imm, OPFL, EXPR, WRITE) } \
static const insn_fn NAME##_tab[5][2] = {				\
	{ NAME##_rr32, NAME##_rr64 }, { NAME##_ri32, NAME##_ri64 },	\
	{ NAME##_rm32, NAME##_rm64 }, { NAME##_mr32, NAME##_mr64 },	\
	{ NAME##_mi32, NAME##_mi64 },					\
};

DEF_ALU(add, FL_ADD, a + b, 1)
DEF_ALU(sub, FL_SUB, a - b, 1)
DEF_ALU(cmp, FL_SUB, a - b, 0)
DEF_ALU(and, FL_LOGIC, a & b, 1)
DEF_ALU(or, FL_LOGIC, a | b, 1)
DEF_ALU(xor, FL_LOGIC, a ^ b, 1)
DEF_ALU(test, FL_LOGIC, a & b, 0)

/* INC/DEC keep CF: it is saved into rflags before the lazy record. */
static void inc64(struct cpu *c, const struct insn *i)
{
	uint64_t a = R(0), cf = flag_cf(c);
	R(0) = a + 1;
	flags_lazy_keep_cf(c, FL_INC, 8, a + 1, a, 1, cf);
}
static void inc32(struct cpu *c, const struct insn *i)
{
	uint64_t a = (uint32_t)R(0), cf = flag_cf(c), r = (uint32_t)(a + 1);
	R(0) = r;
	flags_lazy_keep_cf(c, FL_INC, 4, r, a, 1, cf);
}
static void dec64(struct cpu *c, const struct insn *i)
{
	uint64_t a = R(0), cf = flag_cf(c);
	R(0) = a - 1;
	flags_lazy_keep_cf(c, FL_DEC, 8, a - 1, a, 1, cf);
}
static void dec32(struct cpu *c, const struct insn *i)
{
	uint64_t a = (uint32_t)R(0), cf = flag_cf(c), r = (uint32_t)(a - 1);
	R(0) = r;
	flags_lazy_keep_cf(c, FL_DEC, 4, r, a, 1, cf);
}

/* ---- stack and near calls ------------------------------------------------
 * 64-bit PUSH/POP of a register, CALL rel32 and plain RET: the frame
 * building of every function prologue and of entry_SYSCALL_64.  Same
 * checks and order as cpu/stack.c and cpu/branch.c: push64()/pop64()
 * (cpu/operand.h) raise #SS(0) for a non-canonical stack address and move
 * RSP only after the access; a non-canonical target is #GP(0) with RSP
 * untouched, so RET checks the target before releasing the slot. */
static void push_r64(struct cpu *c, const struct insn *i) { push64(c, R(0)); }
static void push_imm64(struct cpu *c, const struct insn *i) { push64(c, i->imm); }
static void push_m64(struct cpu *c, const struct insn *i) { push64(c, mem_read(c, insn_ea(c, i), 8)); }
static void pop_r64(struct cpu *c, const struct insn *i)
{
	uint64_t v = pop64(c);
	R(0) = v;              /* after RSP: POP RSP loads the popped value */
}
static void jmp_rel(struct cpu *c, const struct insn *i) { branch_to(c, i->imm); }
/* MOVSXD r64, r/m32 and MOVSX r32/64 from 8/16 bits. */
static void movsx_r(struct cpu *c, const struct insn *i)
{
	uint64_t v = (uint64_t)sext(c->r[i->o[1].reg], i->o[1].size);
	R(0) = i->o[0].size == 8 ? v : (uint32_t)v;
}
static void movsx_m(struct cpu *c, const struct insn *i)
{
	uint64_t v = (uint64_t)sext(mem_read(c, insn_ea(c, i), i->o[1].size), i->o[1].size);
	R(0) = i->o[0].size == 8 ? v : (uint32_t)v;
}
static void call_rel(struct cpu *c, const struct insn *i)
{
	uint64_t t = i->imm;
	branch_check(c, t);
	push64(c, c->rip);
	c->rip = t;
}
static void ret_near(struct cpu *c, const struct insn *i)
{
	(void)i;
	branch_to(c, stack_peek(c, 8));
	c->r[R_RSP] += 8;
}

/* ---- IMUL ----------------------------------------------------------------
 * Two- and three-operand IMUL on 32/64-bit registers.  CF = OF = signed
 * overflow; SF ZF AF PF keep their old values, as on the AMD hosts the
 * differential tests run on (cpu/muldiv.c documents the choice). */
static inline void imul_flags(struct cpu *c, bool ovf)
{
	uint64_t keep = (c->lf.op == FL_NONE ? c->rflags : flags_get(c)) &
			(F_SF | F_ZF | F_AF | F_PF);
	flags_set_arith(c, keep | (ovf ? (F_CF | F_OF) : 0));
}
static void imul64_rr(struct cpu *c, const struct insn *i)
{
	__int128 p = (__int128)(int64_t)R(0) * (int64_t)R(1);
	R(0) = (uint64_t)p;
	imul_flags(c, p != (__int128)(int64_t)(uint64_t)p);
}
static void imul64_rri(struct cpu *c, const struct insn *i)
{
	__int128 p = (__int128)(int64_t)R(1) * (int64_t)i->imm;
	R(0) = (uint64_t)p;
	imul_flags(c, p != (__int128)(int64_t)(uint64_t)p);
}
static void imul32_rr(struct cpu *c, const struct insn *i)
{
	int64_t p = (int64_t)(int32_t)R(0) * (int32_t)R(1);
	R(0) = (uint32_t)p;
	imul_flags(c, p != (int32_t)p);
}
static void imul32_rri(struct cpu *c, const struct insn *i)
{
	int64_t p = (int64_t)(int32_t)R(1) * (int32_t)i->imm;
	R(0) = (uint32_t)p;
	imul_flags(c, p != (int32_t)p);
}

/* ---- Jcc ---------------------------------------------------------------- */

/* Any branch: the general evaluator. */
static void jcc(struct cpu *c, const struct insn *i)
{
	if (cond_eval(c, i->cc))
		branch_to(c, i->imm);
}

/* ZF and SF come straight from the recorded result for every lazy
 * operation (the result is kept masked to the operand size). */
static inline bool zf_now(const struct cpu *c)
{
	return c->lf.op ? c->lf.res == 0 : (c->rflags & F_ZF) != 0;
}
static inline bool sf_now(const struct cpu *c)
{
	return c->lf.op ? (c->lf.res >> (c->lf.size * 8 - 1)) & 1 : (c->rflags & F_SF) != 0;
}
static void jz(struct cpu *c, const struct insn *i) { if (zf_now(c)) branch_to(c, i->imm); }
static void jnz(struct cpu *c, const struct insn *i) { if (!zf_now(c)) branch_to(c, i->imm); }
static void js(struct cpu *c, const struct insn *i) { if (sf_now(c)) branch_to(c, i->imm); }
static void jns(struct cpu *c, const struct insn *i) { if (!sf_now(c)) branch_to(c, i->imm); }

/* After CMP/SUB the unsigned and signed orders are a compare away. */
#define JCC_SUB(NAME, CC, EXPR)						static void NAME(struct cpu *c, const struct insn *i)			{										const struct lazyflags *lf = &c->lf;					bool t;									if (likely(lf->op == FL_SUB)) {							unsigned sh = 64 - lf->size * 8;					int64_t sa = (int64_t)(lf->a << sh), sb = (int64_t)(lf->b << sh); 		(void)sa; (void)sb;							t = (EXPR);							} else {									t = cond_eval(c, CC);						}									if (t)										branch_to(c, i->imm);				}
JCC_SUB(jb, 2, lf->a < lf->b)
JCC_SUB(jae, 3, lf->a >= lf->b)
JCC_SUB(jbe, 6, lf->a <= lf->b)
JCC_SUB(ja, 7, lf->a > lf->b)
JCC_SUB(jl, 12, sa < sb)
JCC_SUB(jge, 13, sa >= sb)
JCC_SUB(jle, 14, sa <= sb)
JCC_SUB(jg, 15, sa > sb)

/* ---- selection ------------------------------------------------------------ */

static bool is_gpr(const struct operand *o, unsigned size)
{
	return o->kind == OK_GPR && o->size == size;
}

/* Form index into the DEF_ALU tables: rr, ri, rm, mr, mi; -1 = none. */
static int alu_form(const struct insn *i, unsigned sz)
{
	const struct operand *d = &i->o[0], *s = &i->o[1];
	if (i->nops != 2 || s->size != sz)
		return (i->nops == 2 && s->kind == OK_IMM && d->size == sz) ?
		       (d->kind == OK_GPR ? 1 : d->kind == OK_MEM ? 4 : -1) : -1;
	if (is_gpr(d, sz) && is_gpr(s, sz))
		return 0;
	if (is_gpr(d, sz) && s->kind == OK_IMM)
		return 1;
	if (is_gpr(d, sz) && s->kind == OK_MEM)
		return 2;
	if (d->kind == OK_MEM && d->size == sz && is_gpr(s, sz))
		return 3;
	if (d->kind == OK_MEM && d->size == sz && s->kind == OK_IMM)
		return 4;
	return -1;
}

insn_fn fastpath_select(const struct insn *i)
{
	if (i->lock || i->rep)
		return NULL;
	if (i->o[0].kind == OK_IMM && i->nops == 1 && i->cc < 16) {
		static const insn_fn by_cc[16] = {
			jcc, jcc, jb, jae, jz, jnz, jbe, ja,
			js, jns, jcc, jcc, jl, jge, jle, jg,
		};
		switch (i->mnem) {
		case ZYDIS_MNEMONIC_JB: case ZYDIS_MNEMONIC_JBE: case ZYDIS_MNEMONIC_JL:
		case ZYDIS_MNEMONIC_JLE: case ZYDIS_MNEMONIC_JNB: case ZYDIS_MNEMONIC_JNBE:
		case ZYDIS_MNEMONIC_JNL: case ZYDIS_MNEMONIC_JNLE: case ZYDIS_MNEMONIC_JNO:
		case ZYDIS_MNEMONIC_JNP: case ZYDIS_MNEMONIC_JNS: case ZYDIS_MNEMONIC_JNZ:
		case ZYDIS_MNEMONIC_JO: case ZYDIS_MNEMONIC_JP: case ZYDIS_MNEMONIC_JS:
		case ZYDIS_MNEMONIC_JZ:
			return by_cc[i->cc];
		}
	}
	switch (i->mnem) {
	case ZYDIS_MNEMONIC_PUSH:
		if (i->nops == 1 && is_gpr(&i->o[0], 8))
			return push_r64;
		if (i->nops == 1 && i->osz == 8 && i->o[0].kind == OK_IMM)
			return push_imm64;
		if (i->nops == 1 && i->osz == 8 && i->o[0].kind == OK_MEM && i->o[0].size == 8)
			return push_m64;
		return NULL;
	case ZYDIS_MNEMONIC_JMP:
		if ((i->opc == 0xE9 || i->opc == 0xEB) && i->o[0].kind == OK_IMM)
			return jmp_rel;
		return NULL;
	case ZYDIS_MNEMONIC_MOVSX:
	case ZYDIS_MNEMONIC_MOVSXD:
		if (i->nops == 2 && (is_gpr(&i->o[0], 4) || is_gpr(&i->o[0], 8)) &&
		    i->o[1].size < i->o[0].size) {
			if (i->o[1].kind == OK_GPR)
				return movsx_r;
			if (i->o[1].kind == OK_MEM)
				return movsx_m;
		}
		return NULL;
	case ZYDIS_MNEMONIC_POP:
		if (i->nops == 1 && is_gpr(&i->o[0], 8))
			return pop_r64;
		return NULL;
	case ZYDIS_MNEMONIC_CALL:
		if (i->opc == 0xE8 && i->osz == 8 && i->o[0].kind == OK_IMM)
			return call_rel;
		return NULL;
	case ZYDIS_MNEMONIC_RET:
		if (i->opc == 0xC3 && i->osz == 8)
			return ret_near;
		return NULL;
	}
	/* Byte moves and zero-extending loads. */
	if (i->mnem == ZYDIS_MNEMONIC_MOV && i->nops == 2 && i->o[0].size == 1) {
		const struct operand *d = &i->o[0], *s = &i->o[1];
		if (d->kind == OK_MEM && s->kind == OK_IMM)
			return mov_m8_imm;
		if (d->kind == OK_MEM && s->kind == OK_GPR)
			return mov_m8_r8;
		if (d->kind == OK_GPR && s->kind == OK_MEM)
			return mov_r8_m8;
		return NULL;
	}
	if (i->mnem == ZYDIS_MNEMONIC_MOVZX && i->nops == 2 &&
	    (is_gpr(&i->o[0], 4) || is_gpr(&i->o[0], 8))) {
		const struct operand *s = &i->o[1];
		if (s->size == 1)
			return s->kind == OK_MEM ? movzx_r32_m8 : s->kind == OK_GPR ? movzx_r32_r8 : NULL;
		if (s->size == 2)
			return s->kind == OK_MEM ? movzx_r32_m16 : s->kind == OK_GPR ? movzx_r32_r16 : NULL;
		return NULL;
	}
	unsigned sz = i->osz;
	if (sz != 4 && sz != 8)
		return NULL;
	int w = sz == 8;
	const insn_fn (*tab)[2] = NULL;

	switch (i->mnem) {
	case ZYDIS_MNEMONIC_MOV: {
		int f = alu_form(i, sz);
		static const insn_fn mov_tab[5][2] = {
			{ mov_rr32, mov_rr64 }, { mov_ri32, mov_ri64 },
			{ mov_rm32, mov_rm64 }, { mov_mr32, mov_mr64 },
			{ mov_mi32, mov_mi64 },
		};
		/* MOV r64, imm: Zydis gives imm64 or a sign-extended imm32,
		 * already extended in i->imm either way. */
		return f < 0 ? NULL : mov_tab[f][w];
	}
	case ZYDIS_MNEMONIC_LEA:
		if (i->nops == 2 && is_gpr(&i->o[0], sz) && i->o[1].kind == OK_MEM)
			return w ? lea64 : lea32;
		return NULL;
	case ZYDIS_MNEMONIC_IMUL:
		if (i->nops == 2 && is_gpr(&i->o[0], sz) && is_gpr(&i->o[1], sz))
			return w ? imul64_rr : imul32_rr;
		if (i->nops == 3 && is_gpr(&i->o[0], sz) && is_gpr(&i->o[1], sz) &&
		    i->o[2].kind == OK_IMM)
			return w ? imul64_rri : imul32_rri;
		return NULL;
	case ZYDIS_MNEMONIC_INC:
		if (i->nops == 1 && is_gpr(&i->o[0], sz))
			return w ? inc64 : inc32;
		return NULL;
	case ZYDIS_MNEMONIC_DEC:
		if (i->nops == 1 && is_gpr(&i->o[0], sz))
			return w ? dec64 : dec32;
		return NULL;
	case ZYDIS_MNEMONIC_ADD: tab = add_tab; break;
	case ZYDIS_MNEMONIC_SUB: tab = sub_tab; break;
	case ZYDIS_MNEMONIC_CMP: tab = cmp_tab; break;
	case ZYDIS_MNEMONIC_AND: tab = and_tab; break;
	case ZYDIS_MNEMONIC_OR: tab = or_tab; break;
	case ZYDIS_MNEMONIC_XOR: tab = xor_tab; break;
	case ZYDIS_MNEMONIC_TEST: tab = test_tab; break;
	default:
		return NULL;
	}
	int f = alu_form(i, sz);
	/* TEST has no forms with a memory destination written, but reading
	 * [mem] & reg is symmetric: the mr/mi forms compute the same. */
	return f < 0 ? NULL : tab[f][w];
}
