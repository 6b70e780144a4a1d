/*
 * test_canonical.c - code and stack at the top of the lower canonical half.
 *
 * The last canonical page, 0x00007FFFFFFFF000, is mapped (supervisor,
 * writable, executable).  Every branch-like form runs from there and either
 * jumps into the non-canonical hole or runs into it:
 *  - a branch to a non-canonical target raises #GP(0) *at the branch*
 *    (SDM vol. 2A "JMP", "Jcc", "CALL", "LOOP/LOOPcc", vol. 2B "RET",
 *    64-bit mode exceptions): saved RIP = the branch, error code 0, RSP and
 *    RCX unchanged, nothing pushed;
 *  - an instruction that ends exactly at 0x0000800000000000 retires; the
 *    fetch at that address then raises #GP(0) with the non-canonical
 *    address as saved RIP (the same fault the AMD SYSRET case produces,
 *    docs/syscall.md); an instruction whose bytes cross the boundary is
 *    #GP(0) at itself;
 *  - a stack access any byte of which is non-canonical raises #SS(0) with
 *    RSP unchanged, whichever handler runs.
 * Each form is tried in the encodings the decoder specialises (CALL rel32,
 * RET, JMP rel, Jcc rel8/rel32, PUSH/POP r64, PUSH imm/m64) and in the
 * general ones (JMP/CALL r/m, RET imm16, LOOPcc, JrCXZ, POP m64, PUSHFQ...),
 * and each Jcc both from RFLAGS and from a CMP's lazy flags.
 */
#include "move_harness.h"
#include "lstar/msr.h"

#define TOP_PAGE  0x00007FFFFFFFF000ULL
#define HOLE      0x0000800000000000ULL
/* Physical pages for the extra page-table chain and the top page. */
#define PT_BASE   0x3000000ULL
#define TOP_PHYS  (PT_BASE + 0x3000)

static void map_top_page(struct fx *fx)
{
	uint64_t pml4 = fx->lay.pml4, pdpt = PT_BASE, pd = PT_BASE + 0x1000, pt = PT_BASE + 0x2000;
	uint64_t e;
	uint8_t zero[4096] = { 0 };
	wrn(fx, pdpt, zero, sizeof zero);
	wrn(fx, pd, zero, sizeof zero);
	wrn(fx, pt, zero, sizeof zero);
	wrn(fx, TOP_PHYS, zero, sizeof zero);
	e = pdpt | 3; wrn(fx, pml4 + 8 * 255, &e, 8);
	e = pd | 3;   wrn(fx, pdpt + 8 * 511, &e, 8);
	e = pt | 3;   wrn(fx, pd + 8 * 511, &e, 8);
	e = TOP_PHYS | 3; wrn(fx, pt + 8 * 511, &e, 8);
	/* reload CR3: the TLB and the decoded blocks must see the mapping */
	set(fx, LSTAR_CR3, pml4);
}

static int reset_top(void **state)
{
	if (fx_reset(state))
		return -1;
	map_top_page(*state);
	return 0;
}

/* Code ending `end_off` bytes before the hole, RIP at its first byte. */
static uint64_t code_top(struct fx *fx, const uint8_t *code, size_t n, size_t end_off)
{
	uint64_t va = HOLE - end_off - n;
	assert_int_equal(lstar_write_virt(fx->m, va, code, n), LSTAR_OK);
	set(fx, LSTAR_RIP, va);
	return va;
}

/* Expect #GP(0) (or #SS(0)) with saved RIP `at` and RSP as it was. */
static void expect_fault_at(struct fx *fx, uint64_t n, int vector, uint64_t at, uint64_t rsp)
{
	struct lstar_exit ex = run_fault(fx, n, vector);
	assert_true(ex.has_error_code);
	assert_int_equal(ex.error_code, 0);
	uint64_t frame[5];   /* error, RIP, CS, RFLAGS, RSP (CPL 0 -> 0, no switch) */
	assert_int_equal(lstar_read_virt(fx->m, reg(fx, LSTAR_RSP), frame, sizeof frame), LSTAR_OK);
	assert_int_equal(frame[1], at);
	assert_int_equal(frame[2], 0x10);
	assert_int_equal(frame[4], rsp);
}

/* ---- JMP ---------------------------------------------------------------- */

static void test_jmp_rel_into_hole(void **state)
{
	struct fx *fx = *state;
	static const uint8_t rel8[] = { 0xEB, 0x10 }, rel32[] = { 0xE9, 0x00, 0x01, 0x00, 0x00 };
	uint64_t at = code_top(fx, rel8, sizeof rel8, 0);
	expect_fault_at(fx, 1, 13, at, STACK_TOP);

	reset_top(state);
	at = code_top(fx, rel32, sizeof rel32, 0x20);
	expect_fault_at(fx, 1, 13, at, STACK_TOP);

	/* jmp -2 from the last two bytes stays canonical: no fault */
	reset_top(state);
	static const uint8_t back[] = { 0x90, 0xEB, 0xFD };   /* nop; jmp .-1 (to the nop) */
	at = code_top(fx, back, sizeof back, 0);
	run_ok(fx, 3);
	assert_int_equal(reg(fx, LSTAR_RIP), at + 1);
}

static void test_jmp_indirect_into_hole(void **state)
{
	struct fx *fx = *state;
	static const uint8_t jr[] = { 0xFF, 0xE0 }, jm[] = { 0xFF, 0x23 };  /* jmp rax; jmp [rbx] */
	set(fx, LSTAR_RAX, HOLE);
	uint64_t at = code_top(fx, jr, sizeof jr, 0);
	expect_fault_at(fx, 1, 13, at, STACK_TOP);

	reset_top(state);
	set(fx, LSTAR_RBX, DATA);
	wr64(fx, DATA, HOLE + 0x1234);
	at = code_top(fx, jm, sizeof jm, 4);
	expect_fault_at(fx, 1, 13, at, STACK_TOP);
}

/* ---- Jcc ---------------------------------------------------------------- */

/* RFLAGS that make condition cc true. */
static uint64_t taken_flags(unsigned cc)
{
	static const uint64_t f[16] = {
		F_OF, 0, F_CF, 0, F_ZF, 0, F_CF, 0, F_SF, 0, F_PF, 0, F_SF, 0, F_ZF, 0,
	};
	return 0x2 | f[cc];
}

static bool cond(unsigned cc, uint64_t f)
{
	bool cf = f & F_CF, zf = f & F_ZF, sf = f & F_SF, of = f & F_OF, pf = f & F_PF, r;
	switch (cc >> 1) {
	case 0: r = of; break;
	case 1: r = cf; break;
	case 2: r = zf; break;
	case 3: r = cf || zf; break;
	case 4: r = sf; break;
	case 5: r = pf; break;
	case 6: r = sf != of; break;
	default: r = zf || sf != of; break;
	}
	return (cc & 1) ? !r : r;
}

/* Flags of the 32-bit a - b (CF ZF SF OF PF). */
static uint64_t sub_flags(uint32_t a, uint32_t b)
{
	uint32_t r = a - b;
	uint64_t f = 0;
	if (a < b) f |= F_CF;
	if (r == 0) f |= F_ZF;
	if (r >> 31) f |= F_SF;
	if (((a ^ b) & (a ^ r)) >> 31) f |= F_OF;
	if (!__builtin_parity(r & 0xFF)) f |= F_PF;
	return f;
}

/* For each of the 16 conditions, taken from RFLAGS and taken after a CMP
 * (the lazy-flag shortcuts), short and near: #GP(0) at the Jcc.  Not
 * taken at the last bytes: the Jcc retires and the fetch at the hole
 * faults with RIP = the hole. */
static void test_jcc_into_hole(void **state)
{
	struct fx *fx = *state;
	static const uint32_t pairs[][2] = {
		{ 1, 2 }, { 2, 1 }, { 5, 5 }, { 0x80000000u, 1 }, { 0x7FFFFFFFu, 0xFFFFFFFFu },
		{ 3, 1 }, { 0, 0x80000000u },
	};
	for (unsigned cc = 0; cc < 16; cc++) {
		/* from RFLAGS */
		uint8_t s[] = { (uint8_t)(0x70 | cc), 0x10 };
		reset_top(state);
		set(fx, LSTAR_RFLAGS, taken_flags(cc));
		uint64_t at = code_top(fx, s, sizeof s, 0);
		expect_fault_at(fx, 1, 13, at, STACK_TOP);

		uint8_t nr[] = { 0x0F, (uint8_t)(0x80 | cc), 0x00, 0x10, 0x00, 0x00 };
		reset_top(state);
		set(fx, LSTAR_RFLAGS, taken_flags(cc));
		at = code_top(fx, nr, sizeof nr, 8);
		expect_fault_at(fx, 1, 13, at, STACK_TOP);

		/* not taken at the very end: retires, then the fetch faults */
		reset_top(state);
		set(fx, LSTAR_RFLAGS, taken_flags(cc ^ 1));
		assert_false(cond(cc, reg(fx, LSTAR_RFLAGS)));
		code_top(fx, s, sizeof s, 0);
		expect_fault_at(fx, 2, 13, HOLE, STACK_TOP);

		/* after cmp eax, ecx (lazy flags) */
		unsigned p = 0;
		while (!cond(cc, sub_flags(pairs[p][0], pairs[p][1])))
			p++;
		uint8_t cs[] = { 0x39, 0xC8, (uint8_t)(0x70 | cc), 0x10 };
		reset_top(state);
		set(fx, LSTAR_RAX, pairs[p][0]);
		set(fx, LSTAR_RCX, pairs[p][1]);
		at = code_top(fx, cs, sizeof cs, 0);
		expect_fault_at(fx, 2, 13, at + 2, STACK_TOP);
	}
}

/* ---- CALL / RET -------------------------------------------------------- */

static void test_call_into_hole(void **state)
{
	struct fx *fx = *state;
	static const uint8_t rel[] = { 0xE8, 0x00, 0x01, 0x00, 0x00 };
	static const uint8_t cr[] = { 0xFF, 0xD0 }, cm[] = { 0xFF, 0x13 };   /* call rax; call [rbx] */
	wr64(fx, STACK_TOP - 8, 0x5A5A5A5A5A5A5A5AULL);
	uint64_t at = code_top(fx, rel, sizeof rel, 0x40);
	expect_fault_at(fx, 1, 13, at, STACK_TOP);
	/* nothing was pushed: the frame went below the old slot, which
	 * the exception frame now covers, so check through RSP instead */

	reset_top(state);
	set(fx, LSTAR_RAX, HOLE + 8);
	at = code_top(fx, cr, sizeof cr, 0);
	expect_fault_at(fx, 1, 13, at, STACK_TOP);

	reset_top(state);
	set(fx, LSTAR_RBX, DATA);
	wr64(fx, DATA, 0xFFFF7FFFFFFFFFFFULL);
	at = code_top(fx, cm, sizeof cm, 2);
	expect_fault_at(fx, 1, 13, at, STACK_TOP);
}

/* A CALL whose last byte is the last canonical byte pushes the hole's
 * address (only data); the RET back to it is #GP(0) at the RET with RSP
 * still pointing at the slot.  RET (C3) and RET imm16 (C2). */
static void test_ret_into_hole(void **state)
{
	struct fx *fx = *state;
	static const uint8_t call[] = { 0xE8, 0x00, 0xF1, 0xFF, 0xFF };   /* call .-0xF00 */
	static const uint8_t ret[] = { 0xC3 }, ret16[] = { 0xC2, 0x08, 0x00 };
	uint64_t target = HOLE - 0xF00;
	code_top(fx, call, sizeof call, 0);
	assert_int_equal(lstar_write_virt(fx->m, target, ret, sizeof ret), LSTAR_OK);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RIP), target);
	assert_int_equal(reg(fx, LSTAR_RSP), STACK_TOP - 8);
	assert_int_equal(rd64(fx, STACK_TOP - 8), HOLE);
	expect_fault_at(fx, 1, 13, target, STACK_TOP - 8);

	reset_top(state);
	set(fx, LSTAR_RSP, STACK_TOP - 8);
	wr64(fx, STACK_TOP - 8, HOLE + 0x100);
	uint64_t at = code_top(fx, ret16, sizeof ret16, 0x10);
	expect_fault_at(fx, 1, 13, at, STACK_TOP - 8);
}

/* ---- LOOP family and JrCXZ -------------------------------------------- */

static void test_loop_jrcxz_into_hole(void **state)
{
	struct fx *fx = *state;
	static const struct { uint8_t b[3]; uint8_t n; uint64_t rcx, fl; } f[] = {
		{ { 0xE2, 0x10 }, 2, 5, 0x2 },               /* loop */
		{ { 0xE1, 0x10 }, 2, 5, 0x2 | F_ZF },        /* loope, ZF = 1 */
		{ { 0xE0, 0x10 }, 2, 5, 0x2 },               /* loopne, ZF = 0 */
		{ { 0xE3, 0x10 }, 2, 0, 0x2 },               /* jrcxz */
		{ { 0x67, 0xE3, 0x10 }, 3, 0xFFFFFFFF00000000ULL, 0x2 },  /* jecxz */
		{ { 0x67, 0xE2, 0x10 }, 3, 0x100000002ULL, 0x2 },          /* addr32 loop */
	};
	for (unsigned n = 0; n < sizeof f / sizeof f[0]; n++) {
		reset_top(state);
		set(fx, LSTAR_RCX, f[n].rcx);
		set(fx, LSTAR_RFLAGS, f[n].fl);
		uint64_t at = code_top(fx, f[n].b, f[n].n, 0);
		expect_fault_at(fx, 1, 13, at, STACK_TOP);
		assert_int_equal(reg(fx, LSTAR_RCX), f[n].rcx);   /* not decremented */
	}
	/* loop not taken (RCX 1 -> 0) at the last bytes: retires, writes
	 * RCX, then the fetch at the hole faults */
	reset_top(state);
	static const uint8_t lp[] = { 0xE2, 0x10 };
	set(fx, LSTAR_RCX, 1);
	code_top(fx, lp, sizeof lp, 0);
	expect_fault_at(fx, 2, 13, HOLE, STACK_TOP);
	assert_int_equal(reg(fx, LSTAR_RCX), 0);
}

/* ---- running into the hole --------------------------------------------- */

static void test_fall_through_into_hole(void **state)
{
	struct fx *fx = *state;
	static const uint8_t nops[] = { 0x90, 0x90, 0x48, 0xFF, 0xC0 };  /* nop; nop; inc rax */
	set(fx, LSTAR_RAX, 41);
	code_top(fx, nops, sizeof nops, 0);
	expect_fault_at(fx, 4, 13, HOLE, STACK_TOP);
	assert_int_equal(reg(fx, LSTAR_RAX), 42);

	/* mov eax, imm32 with its last two bytes past the boundary */
	reset_top(state);
	static const uint8_t mov[] = { 0xB8, 0x11, 0x22, 0x33 };
	set(fx, LSTAR_RAX, 7);
	uint64_t at = HOLE - sizeof mov;
	assert_int_equal(lstar_write_virt(fx->m, at, mov, sizeof mov), LSTAR_OK);
	set(fx, LSTAR_RIP, at);
	expect_fault_at(fx, 1, 13, at, STACK_TOP);
	assert_int_equal(reg(fx, LSTAR_RAX), 7);
}

/* ---- the stack at the boundary ----------------------------------------- */

/* A stack access whose bytes are partly non-canonical is #SS(0) (SDM vol.
 * 1 3.3.7.1: a non-canonical stack reference), not the #GP(0) of a data
 * access, and changes nothing.  The frame cannot go on that stack, so the
 * #SS gate gets IST1 here. */
static void expect_ss(struct fx *fx, const char *what, const uint8_t *code, size_t n,
		      uint64_t rsp, uint64_t rbp)
{
	uint64_t k = fx->lay.kernel_code;
	uint8_t ist = 1;
	wrn(fx, fx->lay.idt + 16 * 12 + 4, &ist, 1);
	code_at(fx, k, code, n);
	set(fx, LSTAR_RSP, rsp);
	set(fx, LSTAR_RBP, rbp);
	set(fx, LSTAR_RAX, k + 0x100);
	set(fx, LSTAR_RBX, 0xB0B0B0B0B0B0B0B0ULL);
	set(fx, LSTAR_RDX, DATA);
	wr64(fx, DATA, 0xD0D0D0D0D0D0D0D0ULL);
	struct lstar_exit ex = run(fx, 1);
	if (ex.event != LSTAR_EV_EXCEPTION || ex.vector != 12)
		print_error("%s: event %#x vector %d, want #SS\n", what, ex.event, ex.vector);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, 12);
	assert_int_equal(ex.error_code, 0);
	uint64_t frame[6];   /* error, RIP, CS, RFLAGS, RSP, SS on the IST1 stack */
	assert_int_equal(reg(fx, LSTAR_RSP), fx->lay.ist_top[1] - sizeof frame);
	assert_int_equal(lstar_read_virt(fx->m, reg(fx, LSTAR_RSP), frame, sizeof frame), LSTAR_OK);
	assert_int_equal(frame[1], k);
	assert_int_equal(frame[4], rsp);
	assert_int_equal(reg(fx, LSTAR_RBX), 0xB0B0B0B0B0B0B0B0ULL);
	assert_int_equal(reg(fx, LSTAR_RBP), rbp);
	assert_int_equal(rd64(fx, DATA), 0xD0D0D0D0D0D0D0D0ULL);
}

static void test_stack_straddling_hole_ss(void **state)
{
	struct fx *fx = *state;
	static const struct { const char *what; uint8_t b[6]; uint8_t n; uint64_t rsp; } c[] = {
		/* 8-byte reads from [HOLE - 4, HOLE + 4) */
		{ "pop rbx", { 0x5B }, 1, HOLE - 4 },
		{ "pop qword [rdx]", { 0x8F, 0x02 }, 2, HOLE - 4 },
		{ "ret", { 0xC3 }, 1, HOLE - 4 },
		{ "ret 8", { 0xC2, 0x08, 0x00 }, 3, HOLE - 4 },
		{ "popfq", { 0x9D }, 1, HOLE - 4 },
		{ "pop rbx (RSP in the hole)", { 0x5B }, 1, HOLE },
		/* 8-byte writes to [HOLE - 4, HOLE + 4) */
		{ "push rbx", { 0x53 }, 1, HOLE + 4 },
		{ "push imm32", { 0x68, 0x01, 0x02, 0x03, 0x04 }, 5, HOLE + 4 },
		{ "push qword [rdx]", { 0xFF, 0x32 }, 2, HOLE + 4 },
		{ "pushfq", { 0x9C }, 1, HOLE + 4 },
		{ "call rel32", { 0xE8, 0x00, 0x00, 0x00, 0x00 }, 5, HOLE + 4 },
		{ "call rax", { 0xFF, 0xD0 }, 2, HOLE + 4 },
		/* 2-byte slots across the boundary */
		{ "66 push bx", { 0x66, 0x53 }, 2, HOLE + 1 },
		{ "66 pop bx", { 0x66, 0x5B }, 2, HOLE - 1 },
	};
	for (unsigned n = 0; n < sizeof c / sizeof c[0]; n++) {
		reset_top(state);
		expect_ss(fx, c[n].what, c[n].b, c[n].n, c[n].rsp, 0x5000);
	}
	/* LEAVE reads [RBP]: RSP <- RBP only after the read */
	reset_top(state);
	static const uint8_t leave[] = { 0xC9 };
	expect_ss(fx, "leave", leave, 1, STACK_TOP, HOLE - 4);
}

/* ---- data operands at the boundary ------------------------------------- */

/* A memory operand any byte of which is non-canonical raises #GP(0), or
 * #SS(0) when its segment is SS (base RSP or RBP), at the instruction, with
 * nothing written (SDM vol. 3A 6.15, "Interrupt 13" and "Interrupt 12";
 * vol. 1 3.3.7.1).  lstar checks an operand's address in the TLB miss path
 * rather than per instruction (insn_la() in cpu/operand.h), so each
 * specialised handler shape is tried: loads, stores, read-modify-writes,
 * compares, zero-extending loads, an FS override, and operands that are
 * wholly in the hole or straddle its start. */
static void expect_data_fault(struct fx *fx, const char *what, const uint8_t *code, size_t n,
			      int vector, uint64_t rax, uint64_t rbp, uint64_t fs)
{
	uint64_t k = fx->lay.kernel_code;
	uint8_t ist = 1;
	wrn(fx, fx->lay.idt + 16 * 12 + 4, &ist, 1);
	code_at(fx, k, code, n);
	set(fx, LSTAR_RSP, STACK_TOP);
	set(fx, LSTAR_RAX, rax);
	set(fx, LSTAR_RBP, rbp);
	assert_int_equal(lstar_wrmsr(fx->m, LSTAR_MSR_FS_BASE, fs), LSTAR_OK);
	set(fx, LSTAR_RBX, 0xB0B0B0B0B0B0B0B0ULL);
	uint64_t top_before = rd64(fx, TOP_PHYS + 0xFF8);
	uint64_t rflags = reg(fx, LSTAR_RFLAGS);
	struct lstar_exit ex = run(fx, 1);
	if (ex.event != LSTAR_EV_EXCEPTION || ex.vector != vector)
		print_error("%s: event %#x vector %d, want %d\n", what, ex.event, ex.vector, vector);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, vector);
	assert_int_equal(ex.error_code, 0);
	uint64_t frame[5];   /* error, RIP, CS, RFLAGS, RSP */
	assert_int_equal(lstar_read_virt(fx->m, reg(fx, LSTAR_RSP), frame, sizeof frame), LSTAR_OK);
	assert_int_equal(frame[1], k);
	assert_int_equal(frame[3], rflags | 0x10000);   /* a fault saves RF set */
	assert_int_equal(frame[4], STACK_TOP);
	assert_int_equal(reg(fx, LSTAR_RBX), 0xB0B0B0B0B0B0B0B0ULL);
	assert_int_equal(rd64(fx, TOP_PHYS + 0xFF8), top_before);
}

static void test_data_operand_in_hole(void **state)
{
	struct fx *fx = *state;
	static const struct { const char *what; uint8_t b[7]; uint8_t n; } rax_forms[] = {
		{ "mov rbx, [rax]", { 0x48, 0x8B, 0x18 }, 3 },
		{ "mov [rax], rbx", { 0x48, 0x89, 0x18 }, 3 },
		{ "mov ebx, [rax]", { 0x8B, 0x18 }, 2 },
		{ "mov [rax], ebx", { 0x89, 0x18 }, 2 },
		{ "add rbx, [rax]", { 0x48, 0x03, 0x18 }, 3 },
		{ "add [rax], rbx", { 0x48, 0x01, 0x18 }, 3 },
		{ "cmp [rax], rbx", { 0x48, 0x39, 0x18 }, 3 },
		{ "cmp qword [rax], 1", { 0x48, 0x83, 0x38, 0x01 }, 4 },
		{ "mov qword [rax], 1", { 0x48, 0xC7, 0x00, 0x01, 0x00, 0x00, 0x00 }, 7 },
		{ "movzx ebx, word [rax+6]", { 0x0F, 0xB7, 0x58, 0x06 }, 4 },
		{ "mov bl, [rax+7]", { 0x8A, 0x58, 0x07 }, 3 },
	};
	for (unsigned n = 0; n < sizeof rax_forms / sizeof rax_forms[0]; n++) {
		unsigned len = rax_forms[n].n;
		/* straddling: the first two bytes are on the mapped top page
		 * (the byte and word forms, with their displacement, are in
		 * the hole) */
		reset_top(state);
		expect_data_fault(fx, rax_forms[n].what, rax_forms[n].b, len, 13, HOLE - 2, 0x5000, 0);
		/* wholly in the hole (the byte and word forms reach HOLE + 6/7) */
		reset_top(state);
		expect_data_fault(fx, rax_forms[n].what, rax_forms[n].b, len, 13, HOLE, 0x5000, 0);
		/* canonical offset, non-canonical with the FS base added */
		reset_top(state);
		uint8_t fsb[8] = { 0 };
		fsb[0] = 0x64;
		memcpy(fsb + 1, rax_forms[n].b, len);
		expect_data_fault(fx, "fs: override", fsb, len + 1, 13, 0x10, 0x5000, HOLE - 0x10);
	}
	/* the same through RBP: the stack segment, #SS(0) */
	static const struct { const char *what; uint8_t b[4]; uint8_t n; } rbp_forms[] = {
		{ "mov rbx, [rbp]", { 0x48, 0x8B, 0x5D, 0x00 }, 4 },
		{ "mov [rbp], rbx", { 0x48, 0x89, 0x5D, 0x00 }, 4 },
		{ "add [rbp], rbx", { 0x48, 0x01, 0x5D, 0x00 }, 4 },
		{ "cmp [rbp], ebx", { 0x39, 0x5D, 0x00 }, 3 },
	};
	for (unsigned n = 0; n < sizeof rbp_forms / sizeof rbp_forms[0]; n++) {
		reset_top(state);
		expect_data_fault(fx, rbp_forms[n].what, rbp_forms[n].b, rbp_forms[n].n, 12, 0, HOLE - 2, 0);
		reset_top(state);
		expect_data_fault(fx, rbp_forms[n].what, rbp_forms[n].b, rbp_forms[n].n, 12, 0, 0xFFFF000000000000ULL - 0x1000, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_jmp_rel_into_hole, reset_top),
		cmocka_unit_test_setup(test_jmp_indirect_into_hole, reset_top),
		cmocka_unit_test_setup(test_jcc_into_hole, reset_top),
		cmocka_unit_test_setup(test_call_into_hole, reset_top),
		cmocka_unit_test_setup(test_ret_into_hole, reset_top),
		cmocka_unit_test_setup(test_loop_jrcxz_into_hole, reset_top),
		cmocka_unit_test_setup(test_fall_through_into_hole, reset_top),
		cmocka_unit_test_setup(test_stack_straddling_hole_ss, reset_top),
		cmocka_unit_test_setup(test_data_operand_in_hole, reset_top),
	};
	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
