/*
 * move.c - data movement: MOV, MOVZX/MOVSX/MOVSXD, LEA, XCHG, XADD,
 * CMPXCHG/8B/16B, CMOVcc, SETcc, MOVBE, XLAT (SDM vol. 2).
 *
 * Order inside every handler: compute addresses and do every access that can
 * fault (memory writes first), then write registers, then flags.
 */
#include "cpu.h"
#include "flags.h"
#include "operand.h"
#include "ops.h"

/* Source operand n at the destination size `size`: immediates come
 * sign-extended from decode (MOV r/m64, imm32) and are cut to size here. */
static inline uint64_t src_read(struct cpu *c, const struct insn *i, int n, unsigned size)
{
	if (i->o[n].kind == OK_IMM)
		return i->imm & size_mask(size);
	return op_read(c, i, n);
}

/*
 * MOV (SDM vol. 2B "MOV"): DEST <- SRC, no flags.  A 32-bit register
 * destination zero-extends.  The FORM handlers are the same move for one
 * operand shape and size (cpu/operand.h); the sreg/CR/DR forms share the
 * mnemonic and are the system family's (FORM rows in ops_system.def).
 */
static inline __attribute__((always_inline))
bool mov_body(struct cpu *c, const struct insn *i, int sh, unsigned fsz)
{
	if (sh == SH_ANY) {
		op_write(c, i, 0, src_read(c, i, 1, i->o[0].size));
		return true;
	}
	if (sh == SH_RM || shape_dst_mem(sh)) {
		/* The memory shapes touch memory through the TLB's host
		 * pointer and need no stack frame; anything else (a miss, a
		 * fault) is the general handler's, which redoes the move:
		 * false, with nothing done. */
		uint64_t la = insn_la_form(c, i);
		uint8_t *p = sh == SH_RM ? tlb_host_read(c, la, fsz) : tlb_host_write(c, la, fsz);
		if (unlikely(!p))
			return false;
		if (sh == SH_RM)
			gpr_write(c, i->o[0].reg, fsz, load_le(p, fsz));
		else
			store_le(p, fsz, shape_src_read(c, i, sh, fsz));
		return true;
	}
	uint64_t v = shape_src_read(c, i, sh, fsz);
	shape_dst_write(c, i, sh, fsz, 0, v);
	return true;
}

/* The general handlers are noinline: a memory shape that misses the TLB
 * jumps to one, and one inlined there would cost the shape a stack frame. */
__attribute__((noinline)) void op_mov(struct cpu *c, const struct insn *i) { mov_body(c, i, SH_ANY, 0); insn_next(c, i); }
void op_mov_rr32(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_RR, 4))) insn_next(c, i); else op_mov(c, i); }
void op_mov_rr64(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_RR, 8))) insn_next(c, i); else op_mov(c, i); }
void op_mov_ri32(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_RI, 4))) insn_next(c, i); else op_mov(c, i); }
void op_mov_ri64(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_RI, 8))) insn_next(c, i); else op_mov(c, i); }
void op_mov_rm32(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_RM, 4))) insn_next(c, i); else op_mov(c, i); }
void op_mov_rm64(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_RM, 8))) insn_next(c, i); else op_mov(c, i); }
void op_mov_mr32(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_MR, 4))) insn_next(c, i); else op_mov(c, i); }
void op_mov_mr64(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_MR, 8))) insn_next(c, i); else op_mov(c, i); }
void op_mov_mi32(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_MI, 4))) insn_next(c, i); else op_mov(c, i); }
void op_mov_mi64(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_MI, 8))) insn_next(c, i); else op_mov(c, i); }
void op_mov_mi8(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_MI, 1))) insn_next(c, i); else op_mov(c, i); }
void op_mov_mr8(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_MR, 1))) insn_next(c, i); else op_mov(c, i); }
void op_mov_rm8(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_RM, 1))) insn_next(c, i); else op_mov(c, i); }
void op_mov_rm16(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_RM, 2))) insn_next(c, i); else op_mov(c, i); }
void op_mov_mr16(struct cpu *c, const struct insn *i) { if (likely(mov_body(c, i, SH_MR, 2))) insn_next(c, i); else op_mov(c, i); }

/*
 * MOVZX (SDM vol. 2B "MOVZX") and MOVSX/MOVSXD ("MOVSX/MOVSXD"): extend
 * the source (o[1].size bytes) to the destination.  MOVSXD without REX.W
 * is a plain 32-bit move (source and destination both 4 bytes) - the same
 * formula.  src is the source kind a FORM fixes (OK_GPR, OK_MEM; 0 = any)
 * and ssz its size (0 = from the insn); a FORM's destination is a 32- or
 * 64-bit register.
 */
static inline __attribute__((always_inline))
bool movx_body(struct cpu *c, const struct insn *i, bool sign, int src, unsigned ssz)
{
	uint64_t v;

	if (!ssz)
		ssz = i->o[1].size;
	if (src == OK_GPR)
		v = c->r[i->o[1].reg] & size_mask(ssz);
	else if (src == OK_MEM) {
		/* as in mov_body: the TLB's pointer, or the general handler */
		const uint8_t *p = tlb_host_read(c, insn_la_form(c, i), ssz);
		if (unlikely(!p))
			return false;
		v = load_le(p, ssz);
	} else
		v = op_read(c, i, 1);
	if (sign)
		v = (uint64_t)sext(v, ssz);
	if (src && !sign)
		c->r[i->o[0].reg] = v;   /* 32 or 64 bits: zero-extended either way */
	else if (src)
		c->r[i->o[0].reg] = i->o[0].size == 8 ? v : (uint32_t)v;
	else
		reg_write(c, &i->o[0], v & size_mask(i->o[0].size));
	return true;
}

__attribute__((noinline)) void op_movzx(struct cpu *c, const struct insn *i) { movx_body(c, i, false, 0, 0); insn_next(c, i); }
void op_movzx_rx_m8(struct cpu *c, const struct insn *i) { if (likely(movx_body(c, i, false, OK_MEM, 1))) insn_next(c, i); else op_movzx(c, i); }
void op_movzx_rx_r8(struct cpu *c, const struct insn *i) { if (likely(movx_body(c, i, false, OK_GPR, 1))) insn_next(c, i); else op_movzx(c, i); }
void op_movzx_rx_m16(struct cpu *c, const struct insn *i) { if (likely(movx_body(c, i, false, OK_MEM, 2))) insn_next(c, i); else op_movzx(c, i); }
void op_movzx_rx_r16(struct cpu *c, const struct insn *i) { if (likely(movx_body(c, i, false, OK_GPR, 2))) insn_next(c, i); else op_movzx(c, i); }
__attribute__((noinline)) void op_movsx(struct cpu *c, const struct insn *i) { movx_body(c, i, true, 0, 0); insn_next(c, i); }
void op_movsx_rx_r(struct cpu *c, const struct insn *i) { if (likely(movx_body(c, i, true, OK_GPR, 0))) insn_next(c, i); else op_movsx(c, i); }
void op_movsx_rx_m(struct cpu *c, const struct insn *i) { if (likely(movx_body(c, i, true, OK_MEM, 0))) insn_next(c, i); else op_movsx(c, i); }
void op_movsxd_r64_r32(struct cpu *c, const struct insn *i) { if (likely(movx_body(c, i, true, OK_GPR, 4))) insn_next(c, i); else op_movsx(c, i); }

/*
 * LEA (SDM vol. 2A "LEA"): the offset only, no segment base and no
 * canonical check; computed at the address size and then truncated or
 * zero-extended to the operand size.
 */
static inline __attribute__((always_inline))
void lea_body(struct cpu *c, const struct insn *i, unsigned fsz)
{
	unsigned sz = fsz ? fsz : i->o[0].size;
	uint64_t v = insn_lea(c, i) & size_mask(sz);

	if (fsz)
		gpr_write(c, i->o[0].reg, sz, v);
	else
		reg_write(c, &i->o[0], v);
}

void op_lea(struct cpu *c, const struct insn *i) { lea_body(c, i, 0); }
void op_lea_r32(struct cpu *c, const struct insn *i) { lea_body(c, i, 4); insn_next(c, i); }
void op_lea_r64(struct cpu *c, const struct insn *i) { lea_body(c, i, 8); insn_next(c, i); }

/*
 * XCHG (SDM vol. 2B "XCHG"): swap.  With a memory operand the exchange is
 * locked whatever the prefix (one CPU here: atomic anyway).  The memory
 * operand can be either o[0] or o[1].  Both registers are written at the
 * operand size, so 32-bit forms zero-extend both (87 C0 changes RAX; the
 * one-byte 90 is decoded as NOP and changes nothing).
 */
void op_xchg(struct cpu *c, const struct insn *i)
{
	if (i->o[0].kind == OK_MEM || i->o[1].kind == OK_MEM) {
		int m = i->o[0].kind == OK_MEM ? 0 : 1;
		const struct operand *r = &i->o[1 - m];
		uint64_t la = insn_ea(c, i);
		uint64_t mv = mem_read(c, la, i->o[m].size);
		mem_write(c, la, i->o[m].size, reg_read(c, r));
		reg_write(c, r, mv);
		return;
	}
	uint64_t a = reg_read(c, &i->o[0]), b = reg_read(c, &i->o[1]);
	reg_write(c, &i->o[0], b);
	reg_write(c, &i->o[1], a);
}

/*
 * XADD (SDM vol. 2C "XADD"): TEMP <- SRC + DEST; SRC <- DEST; DEST <- TEMP.
 * Flags as ADD.  With the same register on both sides DEST (written last)
 * gets the sum.
 */
void op_xadd(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->o[0].size;
	uint64_t la = 0;
	uint64_t d = op_read_la(c, i, 0, &la);
	uint64_t s = reg_read(c, &i->o[1]);
	uint64_t sum = (d + s) & size_mask(sz);

	if (i->o[0].kind == OK_MEM) {
		mem_write(c, la, sz, sum);
		reg_write(c, &i->o[1], d);
	} else {
		reg_write(c, &i->o[1], d);
		reg_write(c, &i->o[0], sum);
	}
	flags_lazy(c, FL_ADD, sz, sum, d, s);
}

/*
 * CMPXCHG (SDM vol. 2A "CMPXCHG"): flags as CMP accumulator, DEST.
 * Equal: ZF=1, DEST <- SRC (accumulator untouched, so RAX keeps its upper
 * half).  Not equal: ZF=0, accumulator <- DEST (zero-extended for 32 bits);
 * a memory destination is written back with its own value (the locked
 * cycle always writes), a register destination is left alone - hardware
 * does not zero-extend a 32-bit register destination on failure.
 */
void op_cmpxchg(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->o[0].size;
	uint64_t la = 0;
	uint64_t d = op_read_la(c, i, 0, &la);
	uint64_t acc = c->r[R_RAX] & size_mask(sz);
	uint64_t s = reg_read(c, &i->o[1]);

	if (acc == d) {
		op_write_la(c, i, 0, la, s);
	} else {
		if (i->o[0].kind == OK_MEM)
			mem_write(c, la, sz, d);
		gpr_write(c, R_RAX, sz, d);
	}
	flags_lazy(c, FL_SUB, sz, (acc - d) & size_mask(sz), acc, d);
}

/* Only ZF changes for CMPXCHG8B/16B; the other arithmetic flags stay. */
static void set_zf_only(struct cpu *c, bool zf)
{
	uint64_t f = flags_get(c) & F_ARITH & ~F_ZF;
	flags_set_arith(c, f | (zf ? F_ZF : 0));
}

/*
 * CMPXCHG8B (SDM vol. 2A "CMPXCHG8B/CMPXCHG16B"): compare EDX:EAX with m64;
 * equal: ZF=1, m64 <- ECX:EBX; else ZF=0, EDX:EAX <- m64 (both registers
 * written, zero-extended) and m64 is written back unchanged.
 */
void op_cmpxchg8b(struct cpu *c, const struct insn *i)
{
	if (i->o[0].kind != OK_MEM)
		cpu_fault(c, EXC_UD, 0);
	uint64_t la = insn_ea(c, i);
	uint64_t m = mem_read(c, la, 8);
	uint64_t cmp = ((c->r[R_RDX] & 0xFFFFFFFFULL) << 32) | (c->r[R_RAX] & 0xFFFFFFFFULL);

	if (m == cmp) {
		uint64_t nv = ((c->r[R_RCX] & 0xFFFFFFFFULL) << 32) | (c->r[R_RBX] & 0xFFFFFFFFULL);
		mem_write(c, la, 8, nv);
		set_zf_only(c, true);
	} else {
		mem_write(c, la, 8, m);
		c->r[R_RAX] = (uint32_t)m;
		c->r[R_RDX] = m >> 32;
		set_zf_only(c, false);
	}
}

/*
 * CMPXCHG16B: as CMPXCHG8B with RDX:RAX / RCX:RBX and m128, which must be
 * 16-byte aligned or #GP(0) (SDM: "the destination operand must be
 * 16-byte aligned").  Aligned, the two halves are in one page, so probing
 * the write once makes the pair of stores fault-free.
 */
void op_cmpxchg16b(struct cpu *c, const struct insn *i)
{
	if (i->o[0].kind != OK_MEM)
		cpu_fault(c, EXC_UD, 0);
	uint64_t la = insn_ea(c, i);
	if (la & 15)
		cpu_fault(c, EXC_GP, 0);
	uint64_t lo = mem_read(c, la, 8), hi = mem_read(c, la + 8, 8);
	mem_probe_write(c, la, 16);

	if (lo == c->r[R_RAX] && hi == c->r[R_RDX]) {
		mem_write(c, la, 8, c->r[R_RBX]);
		mem_write(c, la + 8, 8, c->r[R_RCX]);
		set_zf_only(c, true);
	} else {
		mem_write(c, la, 8, lo);
		mem_write(c, la + 8, 8, hi);
		c->r[R_RAX] = lo;
		c->r[R_RDX] = hi;
		set_zf_only(c, false);
	}
}

/*
 * CMOVcc (SDM vol. 2A "CMOVcc"): the source is read (and may fault)
 * whatever the condition.  A 32-bit destination is zero-extended even when
 * the condition is false ("in 64-bit mode, CMOVcc with a 32-bit operand
 * size will clear the upper 32 bits of the destination register even if
 * the condition is false").
 */
static inline __attribute__((always_inline))
bool cmov_body(struct cpu *c, const struct insn *i, unsigned cc, int sh, unsigned sz)
{
	uint64_t v;
	bool take;

	if (sh == SH_ANY) {
		v = op_read(c, i, 1);
		take = cond_eval(c, i->cc);
		sz = i->o[0].size;
	} else {
		if (sh == SH_RM) {
			/* as in mov_body: the TLB's pointer, or the general handler */
			const uint8_t *p = tlb_host_read(c, insn_la_form(c, i), sz);
			if (unlikely(!p))
				return false;
			v = load_le(p, sz);
		} else {
			v = c->r[i->o[1].reg];
		}
		take = cond_now(c, cc);
	}
	if (take)
		reg_write(c, &i->o[0], v & size_mask(sz));
	else if (sz == 4)
		c->r[i->o[0].reg] &= 0xFFFFFFFFULL;
	return true;
}

__attribute__((noinline)) void op_cmovcc(struct cpu *c, const struct insn *i) { cmov_body(c, i, 0, SH_ANY, 0); insn_next(c, i); }

/* The FORM handlers (ops_move.def): one per condition, so that the
 * condition after a CMP is a compare of its operands (cond_now()). */
#define CMOV(name, cc)									void op_##name##_rr32(struct cpu *c, const struct insn *i) { if (likely(cmov_body(c, i, cc, SH_RR, 4))) insn_next(c, i); else op_cmovcc(c, i); } \
void op_##name##_rr64(struct cpu *c, const struct insn *i) { if (likely(cmov_body(c, i, cc, SH_RR, 8))) insn_next(c, i); else op_cmovcc(c, i); } \
void op_##name##_rm32(struct cpu *c, const struct insn *i) { if (likely(cmov_body(c, i, cc, SH_RM, 4))) insn_next(c, i); else op_cmovcc(c, i); } \
void op_##name##_rm64(struct cpu *c, const struct insn *i) { if (likely(cmov_body(c, i, cc, SH_RM, 8))) insn_next(c, i); else op_cmovcc(c, i); }
CMOV(cmovo, 0) CMOV(cmovno, 1) CMOV(cmovb, 2) CMOV(cmovnb, 3)
CMOV(cmovz, 4) CMOV(cmovnz, 5) CMOV(cmovbe, 6) CMOV(cmovnbe, 7)
CMOV(cmovs, 8) CMOV(cmovns, 9) CMOV(cmovp, 10) CMOV(cmovnp, 11)
CMOV(cmovl, 12) CMOV(cmovnl, 13) CMOV(cmovle, 14) CMOV(cmovnle, 15)
#undef CMOV

/* SETcc (SDM vol. 2B "SETcc"): r/m8 <- condition ? 1 : 0. */
void op_setcc(struct cpu *c, const struct insn *i)
{
	op_write(c, i, 0, cond_eval(c, i->cc) ? 1 : 0);
}

static uint64_t bswap_size(uint64_t v, unsigned size)
{
	switch (size) {
	case 2: return __builtin_bswap16((uint16_t)v);
	case 4: return __builtin_bswap32((uint32_t)v);
	default: return __builtin_bswap64(v);
	}
}

/*
 * MOVBE (SDM vol. 2B "MOVBE"): move with the bytes reversed; exactly one
 * operand is memory.  A 16-bit register destination keeps its upper bits.
 */
void op_movbe(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->o[0].size;
	op_write(c, i, 0, bswap_size(op_read(c, i, 1), sz));
}

/*
 * XLAT (SDM vol. 2C "XLAT/XLATB"): AL <- [seg:RBX + zero-extended AL], at
 * the address size.  Computed here because AL is not an index register
 * the generic effective address can express.
 */
void op_xlat(struct cpu *c, const struct insn *i)
{
	uint64_t a = c->r[R_RBX] + (c->r[R_RAX] & 0xFF);

	if (i->asz == 4)
		a &= 0xFFFFFFFFULL;
	if (i->seg == SEG_FS || i->seg == SEG_GS)
		a += c->seg[i->seg].base;
	if (!is_canonical(a))
		cpu_fault(c, EXC_GP, 0);
	gpr_write(c, R_RAX, 1, mem_read(c, a, 1));
}
