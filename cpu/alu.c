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

/* The FORM handlers of a binary operation (FORMS_ALU in cpu/ops.def). */
#define ALU_FORMS(name, op)							\
void name##_rr32(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, op, SH_RR, 4))) insn_next(c, i); else alu_general(c, i, op); } \
void name##_rr64(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, op, SH_RR, 8))) insn_next(c, i); else alu_general(c, i, op); } \
void name##_ri32(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, op, SH_RI, 4))) insn_next(c, i); else alu_general(c, i, op); } \
void name##_ri64(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, op, SH_RI, 8))) insn_next(c, i); else alu_general(c, i, op); } \
void name##_rm32(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, op, SH_RM, 4))) insn_next(c, i); else alu_general(c, i, op); } \
void name##_rm64(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, op, SH_RM, 8))) insn_next(c, i); else alu_general(c, i, op); } \
void name##_mr32(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, op, SH_MR, 4))) insn_next(c, i); else alu_general(c, i, op); } \
void name##_mr64(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, op, SH_MR, 8))) insn_next(c, i); else alu_general(c, i, op); } \
void name##_mi32(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, op, SH_MI, 4))) insn_next(c, i); else alu_general(c, i, op); } \
void name##_mi64(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, op, SH_MI, 8))) insn_next(c, i); else alu_general(c, i, op); }

/* The general handlers are noinline (their shape SH_ANY always completes,
 * so alu_binop_try() is true there): a memory shape that misses the TLB
 * jumps to one, and one inlined there would cost the shape a stack frame. */
/* ADD: SDM vol. 2A "ADD".  OF SF ZF AF CF PF per result. */
__attribute__((noinline)) void op_add(struct cpu *c, const struct insn *i) { alu_binop_try(c, i, A_ADD, SH_ANY, 0); insn_next(c, i); }
ALU_FORMS(op_add, A_ADD)
void op_add_rr16(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, A_ADD, SH_RR, 2))) insn_next(c, i); else alu_general(c, i, A_ADD); }
void op_add_ri16(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, A_ADD, SH_RI, 2))) insn_next(c, i); else alu_general(c, i, A_ADD); }
/* OR: SDM vol. 2B "OR".  OF = CF = 0; AF undefined -> 0. */
__attribute__((noinline)) void op_or(struct cpu *c, const struct insn *i) { alu_binop_try(c, i, A_OR, SH_ANY, 0); insn_next(c, i); }
ALU_FORMS(op_or, A_OR)
/* ADC: SDM vol. 2A "ADC".  DEST + SRC + CF. */
__attribute__((noinline)) void op_adc(struct cpu *c, const struct insn *i) { alu_binop_try(c, i, A_ADC, SH_ANY, 0); insn_next(c, i); }
/* SBB: SDM vol. 2B "SBB".  DEST - (SRC + CF). */
__attribute__((noinline)) void op_sbb(struct cpu *c, const struct insn *i) { alu_binop_try(c, i, A_SBB, SH_ANY, 0); insn_next(c, i); }
/* AND: SDM vol. 2A "AND".  OF = CF = 0; AF undefined -> 0. */
__attribute__((noinline)) void op_and(struct cpu *c, const struct insn *i) { alu_binop_try(c, i, A_AND, SH_ANY, 0); insn_next(c, i); }
ALU_FORMS(op_and, A_AND)
/* SUB: SDM vol. 2B "SUB". */
__attribute__((noinline)) void op_sub(struct cpu *c, const struct insn *i) { alu_binop_try(c, i, A_SUB, SH_ANY, 0); insn_next(c, i); }
ALU_FORMS(op_sub, A_SUB)
/* XOR: SDM vol. 2B "XOR".  OF = CF = 0; AF undefined -> 0. */
__attribute__((noinline)) void op_xor(struct cpu *c, const struct insn *i) { alu_binop_try(c, i, A_XOR, SH_ANY, 0); insn_next(c, i); }
ALU_FORMS(op_xor, A_XOR)
/* CMP: SDM vol. 2A "CMP".  SUB without the write; not lockable. */
__attribute__((noinline)) void op_cmp(struct cpu *c, const struct insn *i) { alu_binop_try(c, i, A_CMP, SH_ANY, 0); insn_next(c, i); }
ALU_FORMS(op_cmp, A_CMP)
void op_cmp_rr8(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, A_CMP, SH_RR, 1))) insn_next(c, i); else alu_general(c, i, A_CMP); }
void op_cmp_ri8(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, A_CMP, SH_RI, 1))) insn_next(c, i); else alu_general(c, i, A_CMP); }
void op_cmp_rm8(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, A_CMP, SH_RM, 1))) insn_next(c, i); else alu_general(c, i, A_CMP); }
void op_cmp_mr8(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, A_CMP, SH_MR, 1))) insn_next(c, i); else alu_general(c, i, A_CMP); }
void op_cmp_mi8(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, A_CMP, SH_MI, 1))) insn_next(c, i); else alu_general(c, i, A_CMP); }
void op_cmp_rr16(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, A_CMP, SH_RR, 2))) insn_next(c, i); else alu_general(c, i, A_CMP); }
void op_cmp_ri16(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, A_CMP, SH_RI, 2))) insn_next(c, i); else alu_general(c, i, A_CMP); }
/* TEST: SDM vol. 2B "TEST".  AND without the write; OF = CF = 0, AF
 * undefined -> 0; not lockable.  Its r/m operand is operand 0, so the
 * "memory destination" shapes read [mem] and write nothing. */
__attribute__((noinline)) void op_test(struct cpu *c, const struct insn *i) { alu_binop_try(c, i, A_TEST, SH_ANY, 0); insn_next(c, i); }
ALU_FORMS(op_test, A_TEST)
void op_test_rr8(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, A_TEST, SH_RR, 1))) insn_next(c, i); else alu_general(c, i, A_TEST); }
void op_test_ri8(struct cpu *c, const struct insn *i) { if (likely(alu_binop_try(c, i, A_TEST, SH_RI, 1))) insn_next(c, i); else alu_general(c, i, A_TEST); }

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
void op_not_r32(struct cpu *c, const struct insn *i) { c->r[i->o[0].reg] = (uint32_t)~c->r[i->o[0].reg]; insn_next(c, i); }
void op_not_r64(struct cpu *c, const struct insn *i) { c->r[i->o[0].reg] = ~c->r[i->o[0].reg]; insn_next(c, i); }

__attribute__((noinline)) void op_inc(struct cpu *c, const struct insn *i) { incdec_try(c, i, 0, 0); insn_next(c, i); }
__attribute__((noinline)) void op_dec(struct cpu *c, const struct insn *i) { incdec_try(c, i, 1, 0); insn_next(c, i); }
void op_inc_r32(struct cpu *c, const struct insn *i) { if (likely(incdec_try(c, i, 0, 4))) insn_next(c, i); else op_inc(c, i); }
void op_inc_r64(struct cpu *c, const struct insn *i) { if (likely(incdec_try(c, i, 0, 8))) insn_next(c, i); else op_inc(c, i); }
void op_dec_r32(struct cpu *c, const struct insn *i) { if (likely(incdec_try(c, i, 1, 4))) insn_next(c, i); else op_dec(c, i); }
void op_dec_r64(struct cpu *c, const struct insn *i) { if (likely(incdec_try(c, i, 1, 8))) insn_next(c, i); else op_dec(c, i); }

/* INC/DEC of a dword in memory (FORM m32): through the TLB's host pointer
 * with CF from the common records; a miss, or a rare CF source, goes to
 * the general handler before anything is touched. */
static inline __attribute__((always_inline))
bool incdec_m32(struct cpu *c, const struct insn *i, int dec)
{
	uint64_t cf, a, r;
	uint8_t *p;

	if (unlikely(!alu_cf_cheap(c, &cf)) || unlikely(!(p = tlb_host_write(c, insn_la_form(c, i), 4))))
		return false;
	a = load_le(p, 4);
	r = (uint32_t)(dec ? a - 1 : a + 1);
	store_le(p, 4, r);
	flags_lazy_keep_cf(c, dec ? FL_DEC : FL_INC, 4, r, a, 1, cf);
	return true;
}
void op_inc_m32(struct cpu *c, const struct insn *i) { if (likely(incdec_m32(c, i, 0))) insn_next(c, i); else op_inc(c, i); }
void op_dec_m32(struct cpu *c, const struct insn *i) { if (likely(incdec_m32(c, i, 1))) insn_next(c, i); else op_dec(c, i); }

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
