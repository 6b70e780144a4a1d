/*
 * alu.c - two-operand integer arithmetic and logic: ADD ADC SUB SBB CMP AND
 * OR XOR TEST, one-operand NEG NOT INC DEC, and the accumulator sign
 * extensions CBW/CWDE/CDQE/CWD/CDQ/CQO (SDM vol. 2A/2B, each instruction's
 * page; flags per vol. 1 appendix A).
 *
 * Flags are lazy (cpu/flags.c): each handler records its operands and
 * result.  The only undefined flag here is AF after AND/OR/XOR/TEST, which
 * lstar clears (AMD Zen hardware does too; docs/flags.md).
 *
 * LOCK: allowed with a memory destination on ADD ADC SUB SBB AND OR XOR NEG
 * NOT INC DEC (and BTS BTR BTC, XADD, CMPXCHG, XCHG elsewhere), done
 * atomically by alu_lock_rmw(); elsewhere it is #UD.
 */
#include "alu.h"
#include "ops.h"

enum { A_ADD, A_OR, A_ADC, A_SBB, A_AND, A_SUB, A_XOR, A_CMP, A_TEST };

static uint64_t rmw_add(uint64_t a, uint64_t b, uint64_t cf) { return a + b + cf; }
static uint64_t rmw_sub(uint64_t a, uint64_t b, uint64_t cf) { return a - b - cf; }
static uint64_t rmw_and(uint64_t a, uint64_t b, uint64_t u) { (void)u; return a & b; }
static uint64_t rmw_or(uint64_t a, uint64_t b, uint64_t u) { (void)u; return a | b; }
static uint64_t rmw_xor(uint64_t a, uint64_t b, uint64_t u) { (void)u; return a ^ b; }
static uint64_t rmw_neg(uint64_t a, uint64_t u, uint64_t v) { (void)u; (void)v; return -a; }

uint64_t alu_lock_rmw(struct cpu *c, uint64_t la, unsigned size, alu_rmw_fn f,
		      uint64_t arg, uint64_t arg2, uint64_t *old)
{
	uint64_t m = size_mask(size), o, n;
	uint8_t *p = NULL;

	if ((la & (size - 1)) == 0) {
		/* The write TLB first, exactly as mem_write() would use it
		 * (no entry maps a code page or a page not yet dirty). */
		struct tlb_entry *e = &c->tlb_w[(la >> 12) & (TLB_SIZE - 1)];
		if (e->tag == ((la & ~0xFFFULL) | c->tlb_mode))
			p = e->host + (la & 0xFFF);
		else
			p = mmu_bulk_ptr(c, la, size, ACC_WRITE);
	}
	if (!p) {
		/* Unaligned, MMIO or a page the bulk path refuses: the plain
		 * path faults exactly like the CPU would. */
		o = mem_read(c, la, size);
		n = f(o, arg, arg2) & m;
		mem_write(c, la, size, n);
		*old = o;
		return n;
	}
#define CAS_LOOP(T) do {						\
		T *q = (T *)(void *)p;					\
		T e = __atomic_load_n(q, __ATOMIC_RELAXED);		\
		do {							\
			n = f(e, arg, arg2) & m;			\
		} while (!__atomic_compare_exchange_n(q, &e, (T)n, false, \
				__ATOMIC_SEQ_CST, __ATOMIC_RELAXED));	\
		o = e;							\
	} while (0)
	switch (size) {
	case 1: CAS_LOOP(uint8_t); break;
	case 2: CAS_LOOP(uint16_t); break;
	case 4: CAS_LOOP(uint32_t); break;
	default: CAS_LOOP(uint64_t); break;
	}
#undef CAS_LOOP
	*old = o;
	return n;
}

/*
 * The eight classic binary operations and TEST, specialised per `op` and
 * per operand shape (cpu/operand.h) by inlining: SH_ANY with size 0 is the
 * general handler (every operand kind, LOCK); the FORM handlers below are
 * the same body for a fixed shape and size.
 */
static inline __attribute__((always_inline))
void alu_binop(struct cpu *c, const struct insn *i, int op, int sh, unsigned fsz)
{
	unsigned sz = fsz ? fsz : i->o[0].size;
	uint64_t m = size_mask(sz), la = 0, a, b, r, cf = 0;
	static const uint8_t lazy[] = {
		[A_ADD] = FL_ADD, [A_OR] = FL_LOGIC, [A_ADC] = FL_ADC,
		[A_SBB] = FL_SBB, [A_AND] = FL_LOGIC, [A_SUB] = FL_SUB,
		[A_XOR] = FL_LOGIC, [A_CMP] = FL_SUB, [A_TEST] = FL_LOGIC,
	};

	if (op == A_ADC || op == A_SBB)
		cf = alu_cf(c);
	if (sh == SH_ANY && unlikely(i->lock)) {
		static const alu_rmw_fn fn[] = {
			[A_ADD] = rmw_add, [A_OR] = rmw_or, [A_ADC] = rmw_add,
			[A_SBB] = rmw_sub, [A_AND] = rmw_and, [A_SUB] = rmw_sub,
			[A_XOR] = rmw_xor,
		};
		if (op == A_CMP || op == A_TEST || i->o[0].kind != OK_MEM)
			cpu_fault(c, EXC_UD, 0);
		b = alu_src(c, i, 1, sz);
		r = alu_lock_rmw(c, insn_ea(c, i), sz, fn[op], b, cf, &a);
	} else {
		if (sh == SH_ANY) {
			a = alu_read_la(c, i, &la);
			b = alu_src(c, i, 1, sz);
		} else {
			a = shape_dst_read(c, i, sh, sz, &la);
			b = shape_src_read(c, i, sh, sz);
		}
		switch (op) {
		case A_ADD: r = a + b; break;
		case A_OR: r = a | b; break;
		case A_ADC: r = a + b + cf; break;
		case A_SBB: r = a - b - cf; break;
		case A_AND: case A_TEST: r = a & b; break;
		case A_XOR: r = a ^ b; break;
		default: r = a - b; break;       /* SUB, CMP */
		}
		r &= m;
		if (op != A_CMP && op != A_TEST) {
			if (sh == SH_ANY)
				alu_write_la(c, i, la, r);
			else
				shape_dst_write(c, i, sh, sz, la, r);
		}
	}
	if (op == A_ADC || op == A_SBB)
		flags_lazy_keep_cf(c, lazy[op], sz, r, a, b, cf);
	else
		flags_lazy(c, lazy[op], sz, r, a, b);
}

/* The FORM handlers of a binary operation (FORMS_ALU in cpu/ops.def). */
#define ALU_FORMS(name, op)							\
void name##_rr32(struct cpu *c, const struct insn *i) { alu_binop(c, i, op, SH_RR, 4); } \
void name##_rr64(struct cpu *c, const struct insn *i) { alu_binop(c, i, op, SH_RR, 8); } \
void name##_ri32(struct cpu *c, const struct insn *i) { alu_binop(c, i, op, SH_RI, 4); } \
void name##_ri64(struct cpu *c, const struct insn *i) { alu_binop(c, i, op, SH_RI, 8); } \
void name##_rm32(struct cpu *c, const struct insn *i) { alu_binop(c, i, op, SH_RM, 4); } \
void name##_rm64(struct cpu *c, const struct insn *i) { alu_binop(c, i, op, SH_RM, 8); } \
void name##_mr32(struct cpu *c, const struct insn *i) { alu_binop(c, i, op, SH_MR, 4); } \
void name##_mr64(struct cpu *c, const struct insn *i) { alu_binop(c, i, op, SH_MR, 8); } \
void name##_mi32(struct cpu *c, const struct insn *i) { alu_binop(c, i, op, SH_MI, 4); } \
void name##_mi64(struct cpu *c, const struct insn *i) { alu_binop(c, i, op, SH_MI, 8); }

/*
 * Fused compare-and-branch (FUSE rows, cpu/ops.def): the instruction at i
 * compiled for its shape, then the Jcc rel at i + 1 (FORM rel64: the
 * target is canonical, the branch cannot fault), decided from the lazy
 * record just made (cond_after) without building RFLAGS.  Only the fast
 * path of the run loop calls these (cpu/exec.c), with c->cur == i: a
 * fault in the first instruction restarts it, and counts only the
 * instructions before it, exactly as its own handler would.  The lazy
 * flags are the first instruction's, since code after the branch may read
 * them.
 *
 * A memory operand may reach the board (MMIO) or write to a page of
 * decoded code -- maybe the Jcc's own bytes -- and such an access sets
 * exit_block: then the branch is left for the loop to run from a fresh
 * lookup, as it would have been unfused: RIP stays at the Jcc, and the
 * loop counts one instruction.  A register shape cannot set it.
 */
static inline __attribute__((always_inline))
void fused_jcc(struct cpu *c, const struct insn *i, int lfop, unsigned sz, bool mem)
{
	const struct insn *j = i + 1;

	if (mem && unlikely(c->exit_block))
		return;
	c->rip = cond_after(c, lfop, sz, c->lf.a, c->lf.b, c->lf.res, j->cc) ? j->imm : j->next_rip;
}

static inline __attribute__((always_inline))
void alu_binop_jcc(struct cpu *c, const struct insn *i, int op, int sh, unsigned sz)
{
	static const uint8_t lazy[] = {
		[A_ADD] = FL_ADD, [A_SUB] = FL_SUB, [A_CMP] = FL_SUB,
		[A_AND] = FL_LOGIC, [A_TEST] = FL_LOGIC,
	};
	bool mem = sh != SH_RR && sh != SH_RI;

	/* RIP is the next instruction while a handler runs; a register
	 * shape reads nothing that could look at it. */
	if (mem)
		c->rip = i->next_rip;
	alu_binop(c, i, op, sh, sz);
	fused_jcc(c, i, lazy[op], sz, mem);
}

#define ALU_FUSES(name, op)							\
void name##_rr32_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, op, SH_RR, 4); } \
void name##_rr64_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, op, SH_RR, 8); } \
void name##_ri32_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, op, SH_RI, 4); } \
void name##_ri64_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, op, SH_RI, 8); } \
void name##_rm32_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, op, SH_RM, 4); } \
void name##_rm64_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, op, SH_RM, 8); } \
void name##_mr32_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, op, SH_MR, 4); } \
void name##_mr64_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, op, SH_MR, 8); } \
void name##_mi32_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, op, SH_MI, 4); } \
void name##_mi64_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, op, SH_MI, 8); }

/* ADD: SDM vol. 2A "ADD".  OF SF ZF AF CF PF per result. */
void op_add(struct cpu *c, const struct insn *i) { alu_binop(c, i, A_ADD, SH_ANY, 0); }
ALU_FORMS(op_add, A_ADD)
ALU_FUSES(op_add, A_ADD)
/* OR: SDM vol. 2B "OR".  OF = CF = 0; AF undefined -> 0. */
void op_or(struct cpu *c, const struct insn *i) { alu_binop(c, i, A_OR, SH_ANY, 0); }
ALU_FORMS(op_or, A_OR)
/* ADC: SDM vol. 2A "ADC".  DEST + SRC + CF. */
void op_adc(struct cpu *c, const struct insn *i) { alu_binop(c, i, A_ADC, SH_ANY, 0); }
/* SBB: SDM vol. 2B "SBB".  DEST - (SRC + CF). */
void op_sbb(struct cpu *c, const struct insn *i) { alu_binop(c, i, A_SBB, SH_ANY, 0); }
/* AND: SDM vol. 2A "AND".  OF = CF = 0; AF undefined -> 0. */
void op_and(struct cpu *c, const struct insn *i) { alu_binop(c, i, A_AND, SH_ANY, 0); }
ALU_FORMS(op_and, A_AND)
ALU_FUSES(op_and, A_AND)
/* SUB: SDM vol. 2B "SUB". */
void op_sub(struct cpu *c, const struct insn *i) { alu_binop(c, i, A_SUB, SH_ANY, 0); }
ALU_FORMS(op_sub, A_SUB)
ALU_FUSES(op_sub, A_SUB)
/* XOR: SDM vol. 2B "XOR".  OF = CF = 0; AF undefined -> 0. */
void op_xor(struct cpu *c, const struct insn *i) { alu_binop(c, i, A_XOR, SH_ANY, 0); }
ALU_FORMS(op_xor, A_XOR)
/* CMP: SDM vol. 2A "CMP".  SUB without the write; not lockable. */
void op_cmp(struct cpu *c, const struct insn *i) { alu_binop(c, i, A_CMP, SH_ANY, 0); }
ALU_FORMS(op_cmp, A_CMP)
void op_cmp_rr8(struct cpu *c, const struct insn *i) { alu_binop(c, i, A_CMP, SH_RR, 1); }
void op_cmp_ri8(struct cpu *c, const struct insn *i) { alu_binop(c, i, A_CMP, SH_RI, 1); }
void op_cmp_rm8(struct cpu *c, const struct insn *i) { alu_binop(c, i, A_CMP, SH_RM, 1); }
void op_cmp_mr8(struct cpu *c, const struct insn *i) { alu_binop(c, i, A_CMP, SH_MR, 1); }
void op_cmp_mi8(struct cpu *c, const struct insn *i) { alu_binop(c, i, A_CMP, SH_MI, 1); }
ALU_FUSES(op_cmp, A_CMP)
void op_cmp_rr8_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, A_CMP, SH_RR, 1); }
void op_cmp_ri8_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, A_CMP, SH_RI, 1); }
void op_cmp_rm8_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, A_CMP, SH_RM, 1); }
void op_cmp_mr8_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, A_CMP, SH_MR, 1); }
void op_cmp_mi8_jcc(struct cpu *c, const struct insn *i) { alu_binop_jcc(c, i, A_CMP, SH_MI, 1); }
/* TEST: SDM vol. 2B "TEST".  AND without the write; OF = CF = 0, AF
 * undefined -> 0; not lockable.  Its r/m operand is operand 0, so the
 * "memory destination" shapes read [mem] and write nothing. */
void op_test(struct cpu *c, const struct insn *i) { alu_binop(c, i, A_TEST, SH_ANY, 0); }
ALU_FORMS(op_test, A_TEST)
ALU_FUSES(op_test, A_TEST)

/* NEG: SDM vol. 2B "NEG".  0 - DEST: CF = (DEST != 0), the rest as SUB. */
void op_neg(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->o[0].size;
	uint64_t la = 0, a, r;

	alu_check_lock(c, i);
	if (unlikely(i->lock)) {
		r = alu_lock_rmw(c, insn_ea(c, i), sz, rmw_neg, 0, 0, &a);
	} else {
		a = alu_read_la(c, i, &la);
		r = -a & size_mask(sz);
		alu_write_la(c, i, la, r);
	}
	flags_lazy(c, FL_SUB, sz, r, 0, a);
}

/* NOT: SDM vol. 2B "NOT".  No flags. */
void op_not(struct cpu *c, const struct insn *i)
{
	unsigned sz = i->o[0].size;
	uint64_t la = 0, a;

	alu_check_lock(c, i);
	if (unlikely(i->lock)) {
		alu_lock_rmw(c, insn_ea(c, i), sz, rmw_xor, ~0ULL, 0, &a);
		return;
	}
	a = alu_read_la(c, i, &la);
	alu_write_la(c, i, la, ~a & size_mask(sz));
}

/* INC/DEC: SDM vol. 2A "INC", "DEC".  CF unaffected (kept in rflags).
 * The FORM handlers are the register forms at 32 and 64 bits. */
static inline __attribute__((always_inline))
void incdec(struct cpu *c, const struct insn *i, int dec, unsigned fsz)
{
	unsigned sz = fsz ? fsz : i->o[0].size;
	uint64_t la = 0, a, r, cf = alu_cf(c);

	if (!fsz)
		alu_check_lock(c, i);
	if (!fsz && unlikely(i->lock)) {
		r = alu_lock_rmw(c, insn_ea(c, i), sz, dec ? rmw_sub : rmw_add, 1, 0, &a);
	} else {
		a = fsz ? shape_dst_read(c, i, SH_RR, sz, &la) : alu_read_la(c, i, &la);
		r = (dec ? a - 1 : a + 1) & size_mask(sz);
		if (fsz)
			shape_dst_write(c, i, SH_RR, sz, la, r);
		else
			alu_write_la(c, i, la, r);
	}
	flags_lazy_keep_cf(c, dec ? FL_DEC : FL_INC, sz, r, a, 1, cf);
}

void op_inc(struct cpu *c, const struct insn *i) { incdec(c, i, 0, 0); }
void op_dec(struct cpu *c, const struct insn *i) { incdec(c, i, 1, 0); }
void op_inc_r32(struct cpu *c, const struct insn *i) { incdec(c, i, 0, 4); }
void op_inc_r64(struct cpu *c, const struct insn *i) { incdec(c, i, 0, 8); }
void op_dec_r32(struct cpu *c, const struct insn *i) { incdec(c, i, 1, 4); }
void op_dec_r64(struct cpu *c, const struct insn *i) { incdec(c, i, 1, 8); }
/* INC/DEC r; Jcc rel fused (FUSE rows): `dec ecx; jnz loop`. */
void op_inc_r32_jcc(struct cpu *c, const struct insn *i) { incdec(c, i, 0, 4); fused_jcc(c, i, FL_INC, 4, false); }
void op_inc_r64_jcc(struct cpu *c, const struct insn *i) { incdec(c, i, 0, 8); fused_jcc(c, i, FL_INC, 8, false); }
void op_dec_r32_jcc(struct cpu *c, const struct insn *i) { incdec(c, i, 1, 4); fused_jcc(c, i, FL_DEC, 4, false); }
void op_dec_r64_jcc(struct cpu *c, const struct insn *i) { incdec(c, i, 1, 8); fused_jcc(c, i, FL_DEC, 8, false); }

/* CBW/CWDE/CDQE: SDM vol. 2A "CBW/CWDE/CDQE".  Sign-extend the low half of
 * the accumulator into the whole of it.  No flags. */
void op_cbw(struct cpu *c, const struct insn *i)
{
	(void)i;
	gpr_write(c, R_RAX, 2, (uint64_t)(int64_t)(int8_t)c->r[R_RAX]);
}

void op_cwde(struct cpu *c, const struct insn *i)
{
	(void)i;
	gpr_write(c, R_RAX, 4, (uint64_t)(int64_t)(int16_t)c->r[R_RAX]);
}

void op_cdqe(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->r[R_RAX] = (uint64_t)(int64_t)(int32_t)c->r[R_RAX];
}

/* CWD/CDQ/CQO: SDM vol. 2A "CWD/CDQ/CQO".  rDX = the sign of rAX. */
void op_cwd(struct cpu *c, const struct insn *i)
{
	(void)i;
	gpr_write(c, R_RDX, 2, (uint64_t)((int64_t)(int16_t)c->r[R_RAX] >> 15));
}

void op_cdq(struct cpu *c, const struct insn *i)
{
	(void)i;
	gpr_write(c, R_RDX, 4, (uint64_t)((int64_t)(int32_t)c->r[R_RAX] >> 31));
}

void op_cqo(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->r[R_RDX] = (uint64_t)((int64_t)c->r[R_RAX] >> 63);
}

/* ADCX/ADOX (ADX): dest += src + carry, where the carry is CF (ADCX) or OF
 * (ADOX) and only that flag is written (SDM vol. 2A "ADCX", "ADOX"). */
static inline void adx(struct cpu *c, const struct insn *i, uint64_t flag)
{
	unsigned sz = i->o[0].size;
	uint64_t f = alu_flags_get(c), a = alu_read(c, i, 0), b = alu_read(c, i, 1);
	uint64_t cin = (f & flag) != 0, r = (a + b + cin) & size_mask(sz);
	bool cout = sz == 8 ? (r < a || (cin && r == a)) : ((a + b + cin) >> 32) != 0;

	reg_write(c, &i->o[0], r);
	alu_set_arith(c, (f & F_ARITH & ~flag) | (cout ? flag : 0));
}

void op_adcx(struct cpu *c, const struct insn *i) { adx(c, i, F_CF); }
void op_adox(struct cpu *c, const struct insn *i) { adx(c, i, F_OF); }
