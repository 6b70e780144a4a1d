/*
 * test_branch.c - near JMP, Jcc, CALL, RET, LOOP/LOOPcc, JRCXZ/JECXZ in
 * 64-bit mode (SDM vol. 2A/2B), including the non-canonical target #GP(0)
 * raised at the branch with nothing changed.
 */
#include "move_harness.h"

#define NONCANON 0x0000800000000000ULL

static void test_jmp_forms(void **state)
{
	struct fx *fx = *state;
	uint64_t k = fx->lay.kernel_code;
	CODE(fx, 0xEB, 0x1E);          /* jmp .+0x20 */
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 0x20);
	CODE(fx, 0xFF, 0xE0);          /* jmp rax */
	set(fx, LSTAR_RAX, k + 0x100);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 0x100);
	CODE(fx, 0xFF, 0x23);          /* jmp [rbx] */
	set(fx, LSTAR_RBX, DATA);
	wr64(fx, DATA, k + 0x208);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 0x208);
}

/* CALL pushes the address of the next instruction; RET pops it; RET imm16
 * releases more; CALL [RSP] reads its target through the old RSP. */
static void test_call_ret(void **state)
{
	struct fx *fx = *state;
	uint64_t k = fx->lay.kernel_code;
	static const uint8_t ret[] = { 0xC3 }, ret16[] = { 0xC2, 0x10, 0x00 };
	CODE(fx, 0xE8, 0x1B, 0x00, 0x00, 0x00);    /* call .+0x20 */
	wrn(fx, k + 0x20, ret, 1);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 0x20);
	assert_int_equal(reg(fx, LSTAR_RSP), STACK_TOP - 8);
	assert_int_equal(rd64(fx, STACK_TOP - 8), k + 5);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 5);
	assert_int_equal(reg(fx, LSTAR_RSP), STACK_TOP);

	CODE(fx, 0xFF, 0x14, 0x24);                /* call [rsp] */
	wr64(fx, STACK_TOP, k + 0x40);
	wrn(fx, k + 0x40, ret16, 3);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 0x40);
	assert_int_equal(rd64(fx, STACK_TOP - 8), k + 3);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 3);
	assert_int_equal(reg(fx, LSTAR_RSP), STACK_TOP + 16);

	CODE(fx, 0xFF, 0xD0);                      /* call rax */
	set(fx, LSTAR_RSP, STACK_TOP);
	set(fx, LSTAR_RAX, k + 0x80);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 0x80);
	assert_int_equal(rd64(fx, STACK_TOP - 8), k + 2);
}

/* Jcc after CMP: taken and not taken, short and near forms. */
static void test_jcc(void **state)
{
	struct fx *fx = *state;
	uint64_t k = fx->lay.kernel_code;
	static const struct { uint64_t a, b; uint8_t op; bool taken; } cases[] = {
		{ 5, 5, 0x74, true },   /* jz */
		{ 5, 6, 0x74, false },
		{ 5, 6, 0x75, true },   /* jnz */
		{ 5, 6, 0x72, true },   /* jb: 5 < 6 unsigned */
		{ (uint64_t)-1, 6, 0x72, false },
		{ (uint64_t)-1, 6, 0x7C, true },   /* jl: -1 < 6 signed */
		{ 7, 6, 0x7F, true },   /* jg */
		{ 6, 6, 0x7F, false },
		{ 6, 6, 0x7E, true },   /* jle */
		{ 0x80000000, 1, 0x70, true },    /* jo: INT_MIN - 1 overflows */
		{ 3, 1, 0x7A, false },  /* jp: 2 = 0b10, odd parity: PF = 0 */
		{ 4, 1, 0x7A, true },   /* jp: 3 = 0b11, even parity: PF = 1 */
	};
	for (unsigned n = 0; n < sizeof cases / sizeof cases[0]; n++) {
		uint8_t code[] = { 0x39, 0xC8, cases[n].op, 0x1E };   /* cmp eax, ecx; jcc .+0x20 */
		code_at(fx, k, code, sizeof code);
		set(fx, LSTAR_RAX, cases[n].a);
		set(fx, LSTAR_RCX, cases[n].b);
		run_ok(fx, 2);
		assert_int_equal(reg(fx, LSTAR_RIP), cases[n].taken ? k + 2 + 0x20 : k + 4);
	}
	/* jle rel32 */
	CODE(fx, 0x39, 0xC8, 0x0F, 0x8E, 0xFA, 0x00, 0x00, 0x00);
	set(fx, LSTAR_RAX, 1);
	set(fx, LSTAR_RCX, 2);
	run_ok(fx, 2);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 2 + 0x100);
}

/* LOOP counts RCX down and falls through at 0; with 67h it uses ECX and
 * writes it zero-extended; LOOPE/LOOPNE also test ZF. */
static void test_loop_family(void **state)
{
	struct fx *fx = *state;
	uint64_t k = fx->lay.kernel_code;
	CODE(fx, 0xE2, 0xFE);                      /* loop . */
	set(fx, LSTAR_RCX, 5);
	run_ok(fx, 4);
	assert_int_equal(reg(fx, LSTAR_RCX), 1);
	assert_int_equal(reg(fx, LSTAR_RIP), k);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RCX), 0);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 2);

	CODE(fx, 0x67, 0xE2, 0xFD);                /* addr32 loop . */
	set(fx, LSTAR_RCX, 0xFFFFFFFF00000003ULL);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RCX), 2);
	assert_int_equal(reg(fx, LSTAR_RIP), k);
	run_ok(fx, 2);
	assert_int_equal(reg(fx, LSTAR_RCX), 0);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 3);

	CODE(fx, 0xE1, 0xFE);                      /* loope . with ZF = 0 */
	set(fx, LSTAR_RFLAGS, 2);
	set(fx, LSTAR_RCX, 10);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RCX), 9);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 2);

	CODE(fx, 0xE0, 0xFE);                      /* loopne . with ZF = 0 */
	set(fx, LSTAR_RCX, 3);
	run_ok(fx, 3);
	assert_int_equal(reg(fx, LSTAR_RCX), 0);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 2);
	CODE(fx, 0xE0, 0xFE);                      /* loopne . with ZF = 1 */
	set(fx, LSTAR_RFLAGS, 2 | F_ZF);
	set(fx, LSTAR_RCX, 3);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RCX), 2);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 2);
}

static void test_jrcxz_jecxz(void **state)
{
	struct fx *fx = *state;
	uint64_t k = fx->lay.kernel_code;
	CODE(fx, 0xE3, 0x08);                      /* jrcxz .+10 */
	set(fx, LSTAR_RCX, 0x100000000ULL);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 2);
	CODE(fx, 0x67, 0xE3, 0x07);                /* jecxz .+10 */
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 10);
	assert_int_equal(reg(fx, LSTAR_RCX), 0x100000000ULL);
}

/* A near branch to a non-canonical address is #GP(0) at the branch:
 * RIP saved = the branch, RSP and RCX untouched. */
static void test_noncanonical_targets_gp(void **state)
{
	struct fx *fx = *state;
	uint64_t k = fx->lay.kernel_code;
	struct lstar_exit ex;

	CODE(fx, 0x90, 0xFF, 0xE0);                /* nop; jmp rax */
	set(fx, LSTAR_RAX, NONCANON);
	ex = run_fault(fx, 5, 13);
	assert_int_equal(ex.error_code, 0);
	assert_int_equal(fault_rip(fx, &ex), k + 1);

	fx_reset(state);
	CODE(fx, 0xFF, 0xD0);                      /* call rax */
	set(fx, LSTAR_RAX, NONCANON);
	ex = run_fault(fx, 5, 13);
	assert_int_equal(fault_rip(fx, &ex), k);
	/* frame: error, RIP, CS, RFLAGS, RSP, SS */
	assert_int_equal(rd64(fx, reg(fx, LSTAR_RSP) + 32), STACK_TOP);

	fx_reset(state);
	CODE(fx, 0xC3);                            /* ret */
	set(fx, LSTAR_RSP, STACK_TOP - 8);
	wr64(fx, STACK_TOP - 8, NONCANON);
	ex = run_fault(fx, 5, 13);
	assert_int_equal(fault_rip(fx, &ex), k);
	assert_int_equal(rd64(fx, reg(fx, LSTAR_RSP) + 32), STACK_TOP - 8);

}

/* The far forms share the mnemonics: RETF (REX.W CB) returns through the
 * system family to CS:RIP from the stack; FF /5 is not a near JMP. */
static void test_far_forms_dispatch(void **state)
{
	struct fx *fx = *state;
	uint64_t k = fx->lay.kernel_code;
	CODE(fx, 0x48, 0xCB);                      /* rex.w retf */
	set(fx, LSTAR_RSP, STACK_TOP - 16);
	wr64(fx, STACK_TOP - 16, k + 0x300);
	wr64(fx, STACK_TOP - 8, 0x10);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RIP), k + 0x300);
	assert_int_equal(reg(fx, LSTAR_RSP), STACK_TOP);
	struct lstar_segment cs;
	lstar_get_segment(fx->m, LSTAR_CS, &cs);
	assert_int_equal(cs.selector, 0x10);

	/* jmp far [rbx] with an m16:32 pointer 0x10:k+0x400.  Read as a near
	 * JMP the same qword would be 0x10_xxxxxxxx: an unmapped target. */
	CODE(fx, 0xFF, 0x2B);
	set(fx, LSTAR_RBX, DATA);
	wr64(fx, DATA, (0x10ULL << 32) | (k + 0x400));
	struct lstar_exit ex = run(fx, 1);
	if (ex.event == LSTAR_EV_EXCEPTION)
		assert_int_equal(ex.vector, 6);   /* lstar v1: far JMP via memory is #UD */
	else
		assert_int_equal(reg(fx, LSTAR_RIP), k + 0x400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_jmp_forms),
		T(test_call_ret),
		T(test_jcc),
		T(test_loop_family),
		T(test_jrcxz_jecxz),
		T(test_noncanonical_targets_gp),
		T(test_far_forms_dispatch),
	};
	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
