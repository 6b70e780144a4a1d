/*
 * test_sysret.c - SYSRET, docs/spec/syscall-sysret.md §3 and §6 cases 23-31, for
 * both vendors (case 29 is where they differ).
 * Oracle: SDM vol. 2B "SYSRET" (operation; "#GP(0) If CPL != 0 ... If RCX
 * contains a non-canonical address" - raised at CPL 0 on Intel), AMD APM
 * vol. 3 "SYSRET" (no canonical check; the #GP comes from the fetch at
 * CPL 3).  Encodings: SYSRETQ = 48 0F 07, 32-bit SYSRET = 0F 07.
 */
#include "sys_harness.h"

static void kernel_at(struct vm *v, uint64_t at)
{
	setreg(v, LSTAR_RIP, at);
	setreg(v, LSTAR_RSP, v->lay.kernel_stack_top - 0x100);
}

/* Case 23: SYSRET at CPL 3 -> #GP(0) (SCE = 1). */
static void test_sysret_cpl3_gp(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	PUT(&v, USER_CODE, 0x48, 0x0F, 0x07);
	to_user(&v);
	setreg(&v, LSTAR_RCX, USER_CODE + 0x100);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0);
	struct frame f = read_frame(&v, 1);
	assert_int_equal(f.rip, USER_CODE);
	assert_int_equal(f.cs, 0x33);
	vm_free(&v);
}

/* Case 24: SYSRET at CPL 3 with SCE = 0 -> #UD (the SCE check comes
 * before the CPL check in the SDM pseudo-code). */
static void test_sysret_cpl3_sce0_ud(void **state)
{
	struct vm v;
	vm_init(&v, state);
	PUT(&v, USER_CODE, 0x48, 0x0F, 0x07);
	to_user(&v);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 6, 0);
	assert_int_equal(read_frame(&v, 0).rip, USER_CODE);
	vm_free(&v);
}

/* Case 25: normal return - RIP = RCX, CS = STAR[63:48] + 16 | 3 = 0x33,
 * SS = STAR[63:48] + 8 | 3 = 0x2B, CPL 3, RSP unchanged. */
static void test_sysret_normal_return(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	uint64_t at = v.lay.kernel_code + KCODE_OFF;
	PUT(&v, at, 0x48, 0x0F, 0x07);
	kernel_at(&v, at);
	setreg(&v, LSTAR_RSP, USER_STACK);
	setreg(&v, LSTAR_RCX, USER_CODE + 0x40);
	setreg(&v, LSTAR_R11, 0x246);
	struct lstar_exit ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_SYSRET);
	assert_int_equal(reg(&v, LSTAR_RIP), USER_CODE + 0x40);
	assert_int_equal(reg(&v, LSTAR_RFLAGS), 0x246);
	assert_int_equal(reg(&v, LSTAR_RSP), USER_STACK);
	assert_int_equal(reg(&v, LSTAR_RCX), USER_CODE + 0x40);
	assert_int_equal(reg(&v, LSTAR_R11), 0x246);
	assert_int_equal(lstar_get_cpl(v.m), 3);
	struct lstar_segment cs, ss;
	lstar_get_segment(v.m, LSTAR_CS, &cs);
	lstar_get_segment(v.m, LSTAR_SS, &ss);
	assert_int_equal(cs.selector, 0x33);
	assert_int_equal(ss.selector, 0x2B);
	assert_int_equal(cs.attr & 0xFF, 0xFB);        /* P, DPL 3, code */
	assert_int_equal((cs.attr >> 12) & 0x6, 0x2);  /* L = 1, D = 0 */
	assert_int_equal(ss.attr & 0xFF, 0xF3);        /* P, DPL 3, data */
	vm_free(&v);
}

/* Case 26: R11 with every bit set but TF -> RFLAGS = 0x3C7ED7: RF, VM and
 * reserved bits dropped; VIF, VIP, ID, AC, IOPL, NT kept
 * ("RFLAGS := (R11 & 3C7FD7H) | 2"). */
static void test_sysret_r11_all_but_tf(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	uint64_t at = v.lay.kernel_code + KCODE_OFF;
	PUT(&v, at, 0x48, 0x0F, 0x07);
	kernel_at(&v, at);
	setreg(&v, LSTAR_RCX, USER_CODE);
	setreg(&v, LSTAR_R11, ~RF_TF);
	struct lstar_exit ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_SYSRET);
	assert_int_equal(reg(&v, LSTAR_RFLAGS), 0x3C7ED7);
	vm_free(&v);
}

/* Case 27: R11 = 0 -> RFLAGS = 0x2. */
static void test_sysret_r11_zero(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	uint64_t at = v.lay.kernel_code + KCODE_OFF;
	PUT(&v, at, 0x48, 0x0F, 0x07);
	kernel_at(&v, at);
	setreg(&v, LSTAR_RFLAGS, 0x246);
	setreg(&v, LSTAR_RCX, USER_CODE);
	setreg(&v, LSTAR_R11, 0);
	step(&v);
	assert_int_equal(reg(&v, LSTAR_RFLAGS), 0x2);
	vm_free(&v);
}

/* Case 28: TF in R11 -> #DB right after SYSRET, before the first user
 * instruction (SDM vol. 3A §17.3.1.4; docs/spec/syscall-sysret.md §3). */
static void test_sysret_tf_db_before_first_user_insn(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	uint64_t at = v.lay.kernel_code + KCODE_OFF;
	PUT(&v, at, 0x48, 0x0F, 0x07);
	PUT(&v, USER_CODE, 0x48, 0xFF, 0xC0);  /* inc rax */
	kernel_at(&v, at);
	setreg(&v, LSTAR_RCX, USER_CODE);
	setreg(&v, LSTAR_R11, 0x302);
	setreg(&v, LSTAR_RAX, 7);
	run(&v, LSTAR_EV_EXCEPTION, 5);
	assert_int_equal(reg(&v, LSTAR_RIP), stub(&v, 1));
	assert_int_equal(reg(&v, LSTAR_RAX), 7);       /* inc rax never ran */
	struct frame f = read_frame(&v, 0);
	assert_int_equal(f.rip, USER_CODE);
	assert_int_equal(f.cs, 0x33);
	assert_int_equal(f.rflags & (RF_TF | RF_RF), RF_TF);
	assert_int_equal(reg(&v, LSTAR_RSP), v.lay.kernel_stack_top - 40);
	vm_free(&v);
}

/* Case 29: non-canonical RCX.  Intel: #GP(0) at CPL 0, nothing switched,
 * the frame on the current RSP - with Linux's exit path the *user* stack
 * (CVE-2012-0217).  AMD: the switch completes, #GP(0) at CPL 3 with the
 * saved RIP = RCX and the stack switch to TSS.RSP0. */
static void test_sysret_noncanonical_rcx(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	uint64_t at = v.lay.kernel_code + KCODE_OFF;
	uint64_t bad = 0x0000800000000000ULL;
	PUT(&v, at, 0x48, 0x0F, 0x07);
	kernel_at(&v, at);
	setreg(&v, LSTAR_RSP, USER_STACK);   /* Linux loaded the user RSP */
	setreg(&v, LSTAR_RCX, bad);
	setreg(&v, LSTAR_R11, 0x246);
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 5);
	expect_exception(&ex, 13, 0);
	struct frame f = read_frame(&v, 1);
	if (v.vendor == LSTAR_VENDOR_INTEL) {
		assert_int_equal(reg(&v, LSTAR_RSP), (USER_STACK & ~0xFULL) - 48);
		assert_int_equal(f.rip, at);
		assert_int_equal(f.cs, 0x10);
		assert_int_equal(f.rsp, USER_STACK);
		assert_int_equal(f.ss, 0x18);
		assert_int_equal(f.rflags & RF_RF, RF_RF);
	} else {
		assert_int_equal(reg(&v, LSTAR_RSP), v.lay.kernel_stack_top - 48);
		assert_int_equal(f.rip, bad);
		assert_int_equal(f.cs, 0x33);
		assert_int_equal(f.ss, 0x2B);
		assert_int_equal(f.rsp, USER_STACK);
		assert_int_equal(f.rflags & ~RF_RF, 0x246);
	}
	assert_int_equal(lstar_get_cpl(v.m), 0);
	assert_int_equal(f.err, 0);
	vm_free(&v);
}

/* Case 30: the 32-bit form (no REX.W) would enter compatibility mode,
 * which lstar v1 does not model: a clear stop, nothing executed under a
 * 32-bit CS. */
static void test_sysret32_compat_unsupported_stop(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	uint64_t at = v.lay.kernel_code + KCODE_OFF;
	PUT(&v, at, 0x0F, 0x07);
	kernel_at(&v, at);
	setreg(&v, LSTAR_RCX, USER_CODE);
	setreg(&v, LSTAR_R11, 0x202);
	struct lstar_exit ex;
	memset(&ex, 0, sizeof ex);
	lstar_run(v.m, LSTAR_EV_EXCEPTION | LSTAR_EV_SYSRET, 5, &ex);
	assert_int_equal(ex.event, LSTAR_EV_UNSUPPORTED);
	assert_non_null(strstr(ex.message, "compatibility mode"));
	assert_int_equal(lstar_get_cpl(v.m), 0);
	assert_int_equal(seg_sel(&v, LSTAR_CS), 0x10);
	assert_int_equal(reg(&v, LSTAR_RIP), at);
	vm_free(&v);
}

/* Case 31: LOCK SYSRET -> #UD. */
static void test_lock_sysret_ud(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	uint64_t at = v.lay.kernel_code + KCODE_OFF;
	PUT(&v, at, 0xF0, 0x48, 0x0F, 0x07);
	kernel_at(&v, at);
	setreg(&v, LSTAR_RCX, USER_CODE);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 6, 0);
	assert_int_equal(read_frame(&v, 0).rip, at);
	assert_int_equal(read_frame(&v, 0).cs, 0x10);
	vm_free(&v);
}

/* Round trip: SYSCALL then SYSRETQ returns to the instruction after the
 * SYSCALL with the user's flags. */
static void test_syscall_sysret_round_trip(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	PUT(&v, v.lay.kernel_code, 0x48, 0x0F, 0x07);         /* sysretq */
	PUT(&v, USER_CODE, 0x0F, 0x05, 0xF4);                  /* syscall; hlt */
	to_user(&v);
	setreg(&v, LSTAR_RFLAGS, 0x2C7);  /* IF + CF PF ZF SF */
	struct lstar_exit ex = run(&v, LSTAR_EV_SYSRET, 10);
	assert_int_equal(ex.event, LSTAR_EV_SYSRET);
	assert_int_equal(reg(&v, LSTAR_RIP), USER_CODE + 2);
	assert_int_equal(reg(&v, LSTAR_RFLAGS), 0x2C7);
	assert_int_equal(reg(&v, LSTAR_RSP), USER_STACK);
	assert_int_equal(lstar_get_cpl(v.m), 3);
	vm_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_sysret_cpl3_gp),
		BOTH(test_sysret_cpl3_sce0_ud),
		BOTH(test_sysret_normal_return),
		BOTH(test_sysret_r11_all_but_tf),
		BOTH(test_sysret_r11_zero),
		BOTH(test_sysret_tf_db_before_first_user_insn),
		BOTH(test_sysret_noncanonical_rcx),
		BOTH(test_sysret32_compat_unsupported_stop),
		BOTH(test_lock_sysret_ud),
		BOTH(test_syscall_sysret_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
