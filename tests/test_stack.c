/*
 * test_stack.c - PUSH, POP, ENTER, LEAVE, PUSHF/POPF in 64-bit mode (SDM
 * vol. 2B): operand sizes, RSP-relative operands, PUSH/POP RSP, segment
 * registers, POPF's CPL/IOPL rules, faults that leave RSP unchanged.
 */
#include "move_harness.h"

#define F_RF  (1ULL << 16)
#define F_VIP (1ULL << 20)

static void enter_user(struct fx *fx, uint64_t rsp)
{
	lstar_enter_cpl(fx->m, 3, 0x33, 0x2B);
	set(fx, LSTAR_RSP, rsp);
}

/* User code goes at the start of the user window. */
#define UCODE(fx, ...) do {						\
		static const uint8_t code_[] = { __VA_ARGS__ };		\
		code_at((fx), USER_BASE, code_, sizeof code_);		\
	} while (0)

static void test_push_pop_sizes(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0x50,                         /* push rax */
	     0x6A, 0xFE,                   /* push -2 */
	     0x66, 0x68, 0x34, 0x12,       /* pushw 0x1234 */
	     0x66, 0x58,                   /* pop ax */
	     0x5B,                         /* pop rbx */
	     0x5A);                        /* pop rdx */
	set(fx, LSTAR_RAX, 0x1122334455667788ULL);
	run_ok(fx, 3);
	assert_int_equal(reg(fx, LSTAR_RSP), STACK_TOP - 18);
	assert_int_equal(rd64(fx, STACK_TOP - 8), 0x1122334455667788ULL);
	assert_int_equal(rd64(fx, STACK_TOP - 16), ~1ULL);
	assert_int_equal(rd64(fx, STACK_TOP - 18) & 0xFFFF, 0x1234);
	run_ok(fx, 3);
	assert_int_equal(reg(fx, LSTAR_RAX), 0x1122334455661234ULL);
	assert_int_equal(reg(fx, LSTAR_RBX), ~1ULL);
	assert_int_equal(reg(fx, LSTAR_RDX), 0x1122334455667788ULL);
	assert_int_equal(reg(fx, LSTAR_RSP), STACK_TOP);
}

/* PUSH [RSP+8] addresses with the old RSP, POP [RSP] with the new one
 * (SDM POP: "computes the effective address after it increments RSP"). */
static void test_rsp_relative_operands(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0xFF, 0x74, 0x24, 0x08,       /* push qword [rsp+8] */
	     0x8F, 0x04, 0x24);            /* pop qword [rsp] */
	wr64(fx, STACK_TOP - 16, 0xAAAA);
	wr64(fx, STACK_TOP - 8, 0xBBBB);
	set(fx, LSTAR_RSP, STACK_TOP - 16);
	run_ok(fx, 1);
	assert_int_equal(rd64(fx, STACK_TOP - 24), 0xBBBB);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RSP), STACK_TOP - 16);
	assert_int_equal(rd64(fx, STACK_TOP - 16), 0xBBBB);
}

/* PUSH RSP pushes the value before the push; POP RSP loads the popped
 * value (the increment is overwritten). */
static void test_push_pop_rsp(void **state)
{
	struct fx *fx = *state;
	CODE(fx, 0x54, 0x5C);
	run_ok(fx, 1);
	assert_int_equal(rd64(fx, STACK_TOP - 8), STACK_TOP);
	wr64(fx, STACK_TOP - 8, 0x12340);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RSP), 0x12340);
}

/* PUSH FS writes the selector zero-extended (8 bytes; 2 with 66h);
 * POP FS goes through the descriptor checks; a bad selector is
 * #GP(selector) with RSP unchanged. */
static void test_push_pop_fs(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0x0F, 0xA0,           /* push fs */
	     0x66, 0x0F, 0xA0,     /* pushw fs */
	     0x0F, 0xA1,           /* pop fs: pops 0x18 written below */
	     0x0F, 0xA1);          /* pop fs: 0x48 is the TSS's upper half */
	struct lstar_segment fs;
	lstar_get_segment(fx->m, LSTAR_FS, &fs);
	fs.selector = 0x2B;
	lstar_set_segment(fx->m, LSTAR_FS, &fs);
	wr64(fx, STACK_TOP - 8, ~0ULL);
	wr64(fx, STACK_TOP - 16, ~0ULL);
	run_ok(fx, 2);
	assert_int_equal(rd64(fx, STACK_TOP - 8), 0x2B);
	assert_int_equal(rd64(fx, STACK_TOP - 16), 0x002BFFFFFFFFFFFFULL);
	assert_int_equal(reg(fx, LSTAR_RSP), STACK_TOP - 10);
	set(fx, LSTAR_RSP, STACK_TOP - 16);
	wr64(fx, STACK_TOP - 16, 0x18);
	wr64(fx, STACK_TOP - 8, 0x48);
	run_ok(fx, 1);
	lstar_get_segment(fx->m, LSTAR_FS, &fs);
	assert_int_equal(fs.selector, 0x18);
	assert_int_equal(reg(fx, LSTAR_RSP), STACK_TOP - 8);
	struct lstar_exit ex = run_fault(fx, 1, 13);
	assert_int_equal(ex.error_code, 0x48);
	lstar_get_segment(fx->m, LSTAR_FS, &fs);
	assert_int_equal(fs.selector, 0x18);
}

/* ENTER with nesting level 3 copies two frame pointers and pushes the new
 * one; LEAVE undoes it (SDM ENTER pseudo-code). */
static void test_enter_leave(void **state)
{
	struct fx *fx = *state;
	const uint64_t s = STACK_TOP, b0 = DATA + 0x100;
	CODE(fx,
	     0xC8, 0x20, 0x00, 0x03,       /* enter 32, 3 */
	     0xC9,                         /* leave */
	     0xC8, 0x10, 0x00, 0x00,       /* enter 16, 0 */
	     0xC9);                        /* leave */
	set(fx, LSTAR_RBP, b0);
	wr64(fx, b0 - 8, 0x1111);
	wr64(fx, b0 - 16, 0x2222);
	run_ok(fx, 1);
	assert_int_equal(rd64(fx, s - 8), b0);
	assert_int_equal(rd64(fx, s - 16), 0x1111);
	assert_int_equal(rd64(fx, s - 24), 0x2222);
	assert_int_equal(rd64(fx, s - 32), s - 8);
	assert_int_equal(reg(fx, LSTAR_RBP), s - 8);
	assert_int_equal(reg(fx, LSTAR_RSP), s - 64);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RBP), b0);
	assert_int_equal(reg(fx, LSTAR_RSP), s);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RBP), s - 8);
	assert_int_equal(reg(fx, LSTAR_RSP), s - 8 - 16);
	run_ok(fx, 1);
	assert_int_equal(reg(fx, LSTAR_RBP), b0);
	assert_int_equal(reg(fx, LSTAR_RSP), s);
}

/* PUSHFQ stores RF as 0; POPFQ at CPL 0 may change IOPL and IF but not
 * VIP, and clears RF; POPF (66h) changes only bits 15:0. */
static void test_pushf_popf_cpl0(void **state)
{
	struct fx *fx = *state;
	CODE(fx,
	     0x9C,                 /* pushfq */
	     0x58,                 /* pop rax */
	     0x53,                 /* push rbx */
	     0x9D,                 /* popfq */
	     0x66, 0x6A, 0x00,     /* pushw 0 */
	     0x66, 0x9D);          /* popf */
	set(fx, LSTAR_RFLAGS, 2 | F_RF | F_CF);
	run_ok(fx, 2);
	assert_int_equal(reg(fx, LSTAR_RAX), 2 | F_CF);
	set(fx, LSTAR_RBX, 2 | F_IOPL | F_IF | F_AC | F_VIP | F_SF | F_RF);
	run_ok(fx, 2);
	assert_int_equal(reg(fx, LSTAR_RFLAGS), 2 | F_IOPL | F_IF | F_AC | F_SF);
	run_ok(fx, 2);
	assert_int_equal(reg(fx, LSTAR_RFLAGS), 2 | F_AC);
}

/* POPFQ at CPL 3 with IOPL 0 changes neither IF nor IOPL (silently);
 * with IOPL 3 IF changes but IOPL still does not. */
static void test_popf_cpl3_rules(void **state)
{
	struct fx *fx = *state;
	UCODE(fx, 0x50, 0x9D, 0x50, 0x9D);   /* push rax; popfq; twice */
	enter_user(fx, USER_BASE + 0x10000);
	set(fx, LSTAR_RFLAGS, 2 | F_IF);
	set(fx, LSTAR_RAX, 2 | F_CF | F_ZF | F_AC | F_IOPL);
	run_ok(fx, 2);
	assert_int_equal(reg(fx, LSTAR_RFLAGS), 2 | F_CF | F_ZF | F_AC | F_IF);
	set(fx, LSTAR_RFLAGS, 2 | F_IF | F_IOPL);
	set(fx, LSTAR_RAX, 2 | F_DF);
	run_ok(fx, 2);
	assert_int_equal(reg(fx, LSTAR_RFLAGS), 2 | F_DF | F_IOPL);
	assert_int_equal(lstar_get_cpl(fx->m), 3);
}

/* A user PUSH into a supervisor page: #PF, the saved RSP is the one
 * before the push. */
static void test_push_fault_keeps_rsp(void **state)
{
	struct fx *fx = *state;
	UCODE(fx, 0x50);
	enter_user(fx, USER_BASE);
	struct lstar_exit ex = run_fault(fx, 1, 14);
	assert_int_equal(ex.error_code, 7);   /* P | W | U */
	uint64_t saved_rsp = rd64(fx, reg(fx, LSTAR_RSP) + 8 + 24);
	assert_int_equal(saved_rsp, USER_BASE);
	assert_int_equal(reg(fx, LSTAR_CR2), USER_BASE - 8);
}

/* A non-canonical stack address is #SS(0). */
static void test_noncanonical_stack_ss(void **state)
{
	struct fx *fx = *state;
	UCODE(fx, 0x50);
	enter_user(fx, 0x0000800000000008ULL);
	struct lstar_exit ex = run_fault(fx, 1, 12);
	assert_int_equal(ex.error_code, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_push_pop_sizes),
		T(test_rsp_relative_operands),
		T(test_push_pop_rsp),
		T(test_push_pop_fs),
		T(test_enter_leave),
		T(test_pushf_popf_cpl0),
		T(test_popf_cpl3_rules),
		T(test_push_fault_keeps_rsp),
		T(test_noncanonical_stack_ss),
	};
	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
