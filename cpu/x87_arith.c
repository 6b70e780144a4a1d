/*
 * x87_arith.c - x87 arithmetic, comparisons and transcendentals:
 * FADD FSUB FSUBR FMUL FDIV FDIVR (+P, FI forms), FCOM FCOMP FCOMPP
 * FUCOM* FICOM* FCOMI* FUCOMI* FTST FXAM, FCHS FABS FSQRT FRNDINT
 * F2XM1 FSIN FCOS FSCALE FPREM FPREM1 FYL2X FYL2XP1 FPATAN FPTAN
 * FSINCOS FXTRACT.  SDM vol. 1 ch. 8, vol. 2 per mnemonic.
 *
 * Each operation runs on the host x87 with the guest's PC/RC (x87.h), so
 * results, C1 (rounded up), C2 (incomplete reduction) and the exception
 * flags are those of the host CPU.  For the transcendentals that means
 * the host's microcode approximation (docs/fpu.md).
 */
#include "x87.h"
#include "flags.h"

/* Host sequence framing: save the host FCW, load the guest's, run, read
 * the status word, then FNINIT (empties the host stack whatever the
 * instruction pushed) and restore the host FCW. */
#define X87_PRE "fnstcw %[hcw]\n\tfldenv %[gcw]\n\t"
#define X87_FIN "\n\tfninit\n\tfldcw %[hcw]"
/* Fast framing for instructions that write C1 only (C0 C2 C3 left as they
 * were, so they are not needed in the host): load just the control word,
 * leave the host stack empty with explicit pops.  About 3x cheaper than
 * FLDENV + FNINIT. */
#define X87_PRE_FAST "fnstcw %[hcw]\n\tfldcw %[gcw]\n\tfnclex\n\t"
#define X87_FIN_FAST "\n\tfnclex\n\tfldcw %[hcw]"

enum { A_ADD, A_MUL, A_SUB, A_SUBR, A_DIV, A_DIVR, A_COM };

/* a = a OP b on the host. */
static uint16_t host_op2(const struct cpu *c, int op, f80 *a, const f80 *b)
{
	struct x87_henv gcw = x87_henv(c);
	uint16_t hcw, sw = 0;
#define OP2(K, INSN)                                                            \
	case K:                                                                 \
		__asm__ volatile(X87_PRE_FAST "fldt %[b]\n\tfldt %[a]\n\t" INSN " %%st(1), %%st\n\t" \
				 "fnstsw %[sw]\n\tfstpt %[a]\n\tfstp %%st(0)" X87_FIN_FAST \
				 : [a] "+m"(*a), [sw] "=m"(sw), [hcw] "=m"(hcw) \
				 : [b] "m"(*b), [gcw] "m"(gcw));                \
		break;
	switch (op) {
	OP2(A_ADD, "fadd")
	OP2(A_MUL, "fmul")
	OP2(A_SUB, "fsub")
	OP2(A_SUBR, "fsubr")
	OP2(A_DIV, "fdiv")
	OP2(A_DIVR, "fdivr")
	}
	return sw;
}

static bool mem_operand(const struct insn *i)
{
	for (unsigned k = 0; k < i->nops; k++)
		if (i->o[k].kind == OK_MEM)
			return true;
	return false;
}

static unsigned sti(const struct insn *i)
{
	unsigned r = 0;
	for (unsigned k = 0; k < i->nops; k++)
		if (i->o[k].kind == OK_ST && i->o[k].reg)
			r = i->o[k].reg;
	return r;
}

/* Read the memory operand of an arithmetic/compare form (raw bytes);
 * returns its kind (MK_F32/F64/I16/I32). */
static int read_mem_operand(struct cpu *c, const struct insn *i, bool integer, uint8_t *buf)
{
	uint64_t la = insn_ea(c, i);
	int kind = x87_kind(i, integer);
	x87_begin(c, i, false, la);
	x87_read_mem(c, la, kind, buf);
	return kind;
}

/* a = a OP m, with the memory operand used directly by the host
 * instruction (FADD m32 etc.): a denormal operand next to a NaN is then
 * reported exactly as the hardware does. */
static uint16_t host_op_mem(const struct cpu *c, int op, int kind, f80 *a, const uint8_t *m)
{
	struct x87_henv gcw = x87_henv(c);
	uint16_t hcw, sw = 0;
#define OPM(K, INSN)                                                            \
	case K:                                                                 \
		__asm__ volatile(X87_PRE_FAST "fldt %[a]\n\t" INSN " %[m]\n\t" \
				 "fnstsw %[sw]\n\tfstpt %[a]" X87_FIN_FAST     \
				 : [a] "+m"(*a), [sw] "=m"(sw), [hcw] "=m"(hcw) \
				 : [m] "m"(*(const f80 *)m), [gcw] "m"(gcw));   \
		break;
#define OPM4(OP, S)                                                             \
	OPM(OP * 8 + MK_F32, "f" S "s") OPM(OP * 8 + MK_F64, "f" S "l")         \
	OPM(OP * 8 + MK_I16, "fi" S "s") OPM(OP * 8 + MK_I32, "fi" S "l")
	switch (op * 8 + kind) {
	OPM4(A_ADD, "add")
	OPM4(A_MUL, "mul")
	OPM4(A_SUB, "sub")
	OPM4(A_SUBR, "subr")
	OPM4(A_DIV, "div")
	OPM4(A_DIVR, "divr")
	OPM4(A_COM, "com")
	}
	return sw;
}

/* Two-operand arithmetic.  Memory forms: ST(0) = ST(0) OP m.  Register
 * forms: o[0] = o[0] OP o[1] (Zydis lists the destination first, and
 * FSUBR/FDIVR are dest = src - dest whatever the encoding). */
static void arith(struct cpu *c, const struct insn *i, int op, bool integer, bool pop)
{
	f80 a, b;
	unsigned dst = 0, src;
	uint16_t hsw;
	if (mem_operand(i)) {
		uint8_t buf[16];
		int kind = read_mem_operand(c, i, integer, buf);
		if (st_empty(c, 0))
			goto underflow;
		st_get(c, 0, &a);
		hsw = host_op_mem(c, op, kind, &a, buf);
	} else {
		x87_begin(c, i, false, 0);
		dst = i->o[0].reg;
		src = i->nops > 1 ? i->o[1].reg : 0;
		if (i->nops == 0) {   /* FADDP with no operands = FADDP ST(1), ST(0) */
			dst = 1;
			src = 0;
		}
		if (st_empty(c, dst) || st_empty(c, src))
			goto underflow;
		st_get(c, src, &b);
		st_get(c, dst, &a);
		hsw = host_op2(c, op, &a, &b);
	}
	if (!x87_merge(c, hsw, FSW_C1))
		return;
	st_set(c, dst, &a);
	if (pop)
		st_pop(c);
	return;
underflow:
	if (!x87_stack_fault(c, false))
		return;
	f80_indefinite(&a);
	st_set(c, dst, &a);
	if (pop)
		st_pop(c);
}

#define ARITH(name, op, integer, pop) \
	void op_##name(struct cpu *c, const struct insn *i) { arith(c, i, op, integer, pop); }
ARITH(fadd, A_ADD, false, false) ARITH(faddp, A_ADD, false, true) ARITH(fiadd, A_ADD, true, false)
ARITH(fmul, A_MUL, false, false) ARITH(fmulp, A_MUL, false, true) ARITH(fimul, A_MUL, true, false)
ARITH(fsub, A_SUB, false, false) ARITH(fsubp, A_SUB, false, true) ARITH(fisub, A_SUB, true, false)
ARITH(fsubr, A_SUBR, false, false) ARITH(fsubrp, A_SUBR, false, true) ARITH(fisubr, A_SUBR, true, false)
ARITH(fdiv, A_DIV, false, false) ARITH(fdivp, A_DIV, false, true) ARITH(fidiv, A_DIV, true, false)
ARITH(fdivr, A_DIVR, false, false) ARITH(fdivrp, A_DIVR, false, true) ARITH(fidivr, A_DIVR, true, false)

/* ---- comparisons ---- */

static uint16_t host_cmp(const struct cpu *c, bool unordered, const f80 *a, const f80 *b)
{
	struct x87_henv gcw = x87_henv(c);
	uint16_t hcw, sw;
	if (unordered)
		__asm__ volatile(X87_PRE_FAST "fldt %[b]\n\tfldt %[a]\n\tfucom %%st(1)\n\tfnstsw %[sw]\n\t"
				 "fstp %%st(0)\n\tfstp %%st(0)" X87_FIN_FAST
				 : [sw] "=m"(sw), [hcw] "=m"(hcw)
				 : [a] "m"(*a), [b] "m"(*b), [gcw] "m"(gcw));
	else
		__asm__ volatile(X87_PRE_FAST "fldt %[b]\n\tfldt %[a]\n\tfcom %%st(1)\n\tfnstsw %[sw]\n\t"
				 "fstp %%st(0)\n\tfstp %%st(0)" X87_FIN_FAST
				 : [sw] "=m"(sw), [hcw] "=m"(hcw)
				 : [a] "m"(*a), [b] "m"(*b), [gcw] "m"(gcw));
	return sw;
}

#define CMP_COM 0
#define CMP_UCOM 1
/* FCOM family: ST(0) against m32/m64/m16int/m32int or ST(i) (FCOMPP and
 * FUCOMPP: ST(1)); C3 C2 C0 = 000 >, 001 <, 100 =, 111 unordered, C1 = 0.
 * `eflags`: the FCOMI forms put them in ZF PF CF instead (OF SF AF = 0).
 * `pops`: 0, 1 or 2. */
static void fcompare(struct cpu *c, const struct insn *i, bool unordered, bool integer,
		     int pops, bool eflags, bool test_zero)
{
	f80 a, b;
	uint16_t hsw = 0, cc;
	bool masked_fault = false;
	if (mem_operand(i)) {
		uint8_t buf[16];
		int kind = read_mem_operand(c, i, integer, buf);
		if (st_empty(c, 0))
			goto underflow;
		st_get(c, 0, &a);
		hsw = host_op_mem(c, A_COM, kind, &a, buf);
	} else {
		x87_begin(c, i, false, 0);
		unsigned r = test_zero ? 0 : (pops == 2 || i->nops == 0) ? 1 : sti(i);
		if (st_empty(c, 0) || (!test_zero && st_empty(c, r)))
			goto underflow;
		if (test_zero)
			memset(&b, 0, sizeof(b));
		else
			st_get(c, r, &b);
		st_get(c, 0, &a);
		hsw = host_cmp(c, unordered, &a, &b);
	}
	{
		uint16_t c1 = c->fsw & FSW_C1;
		if (!x87_merge(c, (uint16_t)(hsw & 0x3F), 0)) {
			pops = 0;
			if (eflags)   /* FCOMI keeps C1 (hardware) */
				c->fsw |= c1;
		}
	}
	/* Even with an unmasked IE the codes are written (unordered) and
	 * the stack is popped: what hardware does. */
	cc = hsw & (FSW_C0 | FSW_C2 | FSW_C3);
	goto done;
underflow:
	if (!x87_stack_fault(c, false))
		pops = 0;   /* unmasked: codes written, nothing popped */
	masked_fault = true;
	cc = FSW_C0 | FSW_C2 | FSW_C3;
done:
	if (eflags) {
		flags_set_arith(c, ((cc & FSW_C3) ? F_ZF : 0) | ((cc & FSW_C2) ? F_PF : 0) |
				   ((cc & FSW_C0) ? F_CF : 0));
	} else {
		c->fsw = (uint16_t)((c->fsw & ~(FSW_C0 | FSW_C2 | FSW_C3 | (masked_fault ? 0 : FSW_C1))) | cc);
	}
	while (pops-- > 0)
		st_pop(c);
}

void op_fcom(struct cpu *c, const struct insn *i) { fcompare(c, i, false, false, 0, false, false); }
void op_fcomp(struct cpu *c, const struct insn *i) { fcompare(c, i, false, false, 1, false, false); }
void op_fcompp(struct cpu *c, const struct insn *i) { fcompare(c, i, false, false, 2, false, false); }
void op_fucom(struct cpu *c, const struct insn *i) { fcompare(c, i, true, false, 0, false, false); }
void op_fucomp(struct cpu *c, const struct insn *i) { fcompare(c, i, true, false, 1, false, false); }
void op_fucompp(struct cpu *c, const struct insn *i) { fcompare(c, i, true, false, 2, false, false); }
void op_ficom(struct cpu *c, const struct insn *i) { fcompare(c, i, false, true, 0, false, false); }
void op_ficomp(struct cpu *c, const struct insn *i) { fcompare(c, i, false, true, 1, false, false); }
void op_fcomi(struct cpu *c, const struct insn *i) { fcompare(c, i, false, false, 0, true, false); }
void op_fcomip(struct cpu *c, const struct insn *i) { fcompare(c, i, false, false, 1, true, false); }
void op_fucomi(struct cpu *c, const struct insn *i) { fcompare(c, i, true, false, 0, true, false); }
void op_fucomip(struct cpu *c, const struct insn *i) { fcompare(c, i, true, false, 1, true, false); }
void op_ftst(struct cpu *c, const struct insn *i) { fcompare(c, i, false, false, 0, false, true); }

/* FXAM: class in C3 C2 C0, sign in C1; an empty register is "empty"
 * (C3 C0 = 1) whatever it holds. */
void op_fxam(struct cpu *c, const struct insn *i)
{
	f80 a;
	struct x87_henv gcw = x87_henv(c);
	uint16_t hcw, sw;
	x87_begin(c, i, false, 0);
	st_get(c, 0, &a);
	if (st_empty(c, 0)) {
		sw = FSW_C3 | FSW_C0 | ((a.b[9] & 0x80) ? FSW_C1 : 0);
	} else {
		__asm__ volatile(X87_PRE "fldt %[a]\n\tfxam\n\tfnstsw %[sw]" X87_FIN
				 : [sw] "=m"(sw), [hcw] "=m"(hcw)
				 : [a] "m"(a), [gcw] "m"(gcw));
	}
	c->fsw = (uint16_t)((c->fsw & ~FSW_CC) | (sw & FSW_CC));
}

/* ---- one-operand and ST(0)/ST(1) operations ---- */

enum { U_CHS, U_ABS, U_SQRT, U_RNDINT, U_2XM1, U_SIN, U_COS };

static uint16_t host_un(const struct cpu *c, int op, f80 *a)
{
	struct x87_henv gcw = x87_henv(c);
	uint16_t hcw, sw = 0;
#define UN(K, INSN)                                                             \
	case K:                                                                 \
		__asm__ volatile(X87_PRE "fldt %[a]\n\t" INSN "\n\tfnstsw %[sw]\n\tfstpt %[a]" X87_FIN \
				 : [a] "+m"(*a), [sw] "=m"(sw), [hcw] "=m"(hcw) \
				 : [gcw] "m"(gcw));                             \
		break;
#define UN_FAST(K, INSN)                                                        \
	case K:                                                                 \
		__asm__ volatile(X87_PRE_FAST "fldt %[a]\n\t" INSN "\n\tfnstsw %[sw]\n\tfstpt %[a]" X87_FIN_FAST \
				 : [a] "+m"(*a), [sw] "=m"(sw), [hcw] "=m"(hcw) \
				 : [gcw] "m"(gcw));                             \
		break;
	switch (op) {
	UN_FAST(U_CHS, "fchs")
	UN_FAST(U_ABS, "fabs")
	UN_FAST(U_SQRT, "fsqrt")
	UN_FAST(U_RNDINT, "frndint")
	UN_FAST(U_2XM1, "f2xm1")
	UN(U_SIN, "fsin")
	UN(U_COS, "fcos")
	}
	return sw;
}

static void unary(struct cpu *c, const struct insn *i, int op, uint16_t cc)
{
	f80 a;
	(void)cc;   /* documents the codes the SDM defines; all come from the host */
	x87_begin(c, i, false, 0);
	if (st_empty(c, 0)) {
		if (op == U_SIN || op == U_COS)
			c->fsw &= ~FSW_C2;
		if (x87_stack_fault(c, false)) {
			f80_indefinite(&a);
			st_set(c, 0, &a);
		}
		return;
	}
	st_get(c, 0, &a);
	uint16_t hsw = host_un(c, op, &a);
	if (!x87_merge(c, hsw, (op == U_SIN || op == U_COS) ? FSW_CC : FSW_C1)) {
		if (op == U_SIN || op == U_COS)
			c->fsw &= ~FSW_C2;
		return;
	}
	st_set(c, 0, &a);
}

void op_fchs(struct cpu *c, const struct insn *i) { unary(c, i, U_CHS, FSW_C1); }
void op_fabs(struct cpu *c, const struct insn *i) { unary(c, i, U_ABS, FSW_C1); }
void op_fsqrt(struct cpu *c, const struct insn *i) { unary(c, i, U_SQRT, FSW_C1); }
void op_frndint(struct cpu *c, const struct insn *i) { unary(c, i, U_RNDINT, FSW_C1); }
void op_f2xm1(struct cpu *c, const struct insn *i) { unary(c, i, U_2XM1, FSW_C1); }
void op_fsin(struct cpu *c, const struct insn *i) { unary(c, i, U_SIN, FSW_C1 | FSW_C2); }
void op_fcos(struct cpu *c, const struct insn *i) { unary(c, i, U_COS, FSW_C1 | FSW_C2); }

/* FSCALE, FPREM, FPREM1: ST(0) = f(ST(0), ST(1)), ST(1) kept.
 * FYL2X, FYL2XP1, FPATAN: ST(1) = f(ST(1), ST(0)), then pop. */
enum { B_SCALE, B_PREM, B_PREM1, B_YL2X, B_YL2XP1, B_PATAN };

static uint16_t host_bin(const struct cpu *c, int op, f80 *a, const f80 *b)
{
	struct x87_henv gcw = x87_henv(c);
	uint16_t hcw, sw = 0;
#define BIN(K, INSN)                                                            \
	case K:                                                                 \
		__asm__ volatile(X87_PRE "fldt %[b]\n\tfldt %[a]\n\t" INSN "\n\tfnstsw %[sw]\n\tfstpt %[a]" X87_FIN \
				 : [a] "+m"(*a), [sw] "=m"(sw), [hcw] "=m"(hcw) \
				 : [b] "m"(*b), [gcw] "m"(gcw));                \
		break;
#define BIN_FAST(K, INSN, CLEANUP)                                              \
	case K:                                                                 \
		__asm__ volatile(X87_PRE_FAST "fldt %[b]\n\tfldt %[a]\n\t" INSN "\n\tfnstsw %[sw]\n\tfstpt %[a]" \
				 CLEANUP X87_FIN_FAST                           \
				 : [a] "+m"(*a), [sw] "=m"(sw), [hcw] "=m"(hcw) \
				 : [b] "m"(*b), [gcw] "m"(gcw));                \
		break;
	switch (op) {
	BIN_FAST(B_SCALE, "fscale", "\n\tfstp %%st(0)")
	BIN(B_PREM, "fprem")
	BIN(B_PREM1, "fprem1")
	BIN_FAST(B_YL2X, "fyl2x", "")
	BIN_FAST(B_YL2XP1, "fyl2xp1", "")
	BIN_FAST(B_PATAN, "fpatan", "")
	}
	return sw;
}

static void binary(struct cpu *c, const struct insn *i, int op, uint16_t cc, bool pop)
{
	f80 a, b;
	x87_begin(c, i, false, 0);
	if (st_empty(c, 0) || st_empty(c, 1)) {
		if (op == B_PREM || op == B_PREM1)
			c->fsw &= ~FSW_C2;   /* what hardware does */
		if (x87_stack_fault(c, false)) {
			f80_indefinite(&a);
			st_set(c, pop ? 1 : 0, &a);
			if (pop)
				st_pop(c);
		}
		return;
	}
	st_get(c, 0, &a);
	st_get(c, 1, &b);
	uint16_t hsw = host_bin(c, op, &a, &b);
	(void)cc;
	if (!x87_merge(c, hsw, (op == B_PREM || op == B_PREM1) ? FSW_CC : FSW_C1)) {
		if (op == B_PREM || op == B_PREM1)
			c->fsw &= ~FSW_C2;
		return;
	}
	if (pop) {
		st_set(c, 1, &a);
		st_pop(c);
	} else {
		st_set(c, 0, &a);
	}
}

void op_fscale(struct cpu *c, const struct insn *i) { binary(c, i, B_SCALE, FSW_C1, false); }
void op_fprem(struct cpu *c, const struct insn *i) { binary(c, i, B_PREM, FSW_CC, false); }
void op_fprem1(struct cpu *c, const struct insn *i) { binary(c, i, B_PREM1, FSW_CC, false); }
void op_fyl2x(struct cpu *c, const struct insn *i) { binary(c, i, B_YL2X, FSW_C1, true); }
void op_fyl2xp1(struct cpu *c, const struct insn *i) { binary(c, i, B_YL2XP1, FSW_C1, true); }
void op_fpatan(struct cpu *c, const struct insn *i) { binary(c, i, B_PATAN, FSW_C1, true); }

/* FPTAN (ST(0) = tan, push 1.0), FSINCOS (ST(0) = sin, push cos),
 * FXTRACT (ST(0) = exponent, push significand).  FPTAN/FSINCOS with an
 * out-of-range operand set C2 and change nothing. */
enum { P_PTAN, P_SINCOS, P_XTRACT };

static void push_two(struct cpu *c, const struct insn *i, int op)
{
	f80 a, top = { { 0 } }, below = { { 0 } };
	struct x87_henv gcw = x87_henv(c);
	uint16_t hcw, sw = 0;
	x87_begin(c, i, false, 0);
	if (st_empty(c, 0) || !st_empty(c, 7)) {
		bool over = !st_empty(c, 0);
		if (op != P_XTRACT)
			c->fsw &= ~FSW_C2;
		if (x87_stack_fault(c, over)) {
			f80_indefinite(&a);
			st_set(c, 0, &a);
			st_push(c, &a);
		}
		return;
	}
	st_get(c, 0, &a);
#define PUSH2(K, INSN)                                                          \
	case K:                                                                 \
		__asm__ volatile(X87_PRE "fldt %[a]\n\t" INSN "\n\tfnstsw %[sw]\n\t" \
				 "fstpt %[t]\n\tfstpt %[u]" X87_FIN             \
				 : [t] "=m"(top), [u] "=m"(below), [sw] "=m"(sw), [hcw] "=m"(hcw) \
				 : [a] "m"(a), [gcw] "m"(gcw));                 \
		break;
	switch (op) {
	PUSH2(P_PTAN, "fptan")
	PUSH2(P_SINCOS, "fsincos")
	PUSH2(P_XTRACT, "fxtract")
	}
	if (!x87_merge(c, sw, FSW_CC)) {
		if (op != P_XTRACT)
			c->fsw &= ~FSW_C2;
		return;
	}
	if (op != P_XTRACT && (sw & FSW_C2))
		return;
	st_set(c, 0, &below);
	st_push(c, &top);
}

void op_fptan(struct cpu *c, const struct insn *i) { push_two(c, i, P_PTAN); }
void op_fsincos(struct cpu *c, const struct insn *i) { push_two(c, i, P_SINCOS); }
void op_fxtract(struct cpu *c, const struct insn *i) { push_two(c, i, P_XTRACT); }
