/*
 * test_syscall.c - SYSCALL in 64-bit mode, docs/spec/syscall-sysret.md §2 and §6
 * cases 13-22, for both vendors.
 * Oracle: SDM vol. 2B "SYSCALL" (operation and 64-bit mode exceptions),
 * vol. 3A §5.8.8 "Fast System Calls in 64-Bit Mode"; AMD APM vol. 3
 * "SYSCALL".  Encoding: SYSCALL = 0F 05.
 */
#include "sys_harness.h"

/* Case 13: EFER.SCE = 0 -> #UD at the SYSCALL; RCX, R11, CS unchanged
 * ("IF (CS.L != 1) or (IA32_EFER.LMA != 1) or (IA32_EFER.SCE != 1) THEN #UD"). */
static void test_syscall_sce0_ud(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	wrmsr(&v, LSTAR_MSR_EFER, rdmsr(&v, LSTAR_MSR_EFER) & ~LSTAR_MSR_EFER_SCE);
	PUT(&v, USER_CODE, 0x0F, 0x05);
	to_user(&v);
	setreg(&v, LSTAR_RCX, 0xC0C0);
	setreg(&v, LSTAR_R11, 0x1111);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 6, 0);
	assert_int_equal(reg(&v, LSTAR_RCX), 0xC0C0);
	assert_int_equal(reg(&v, LSTAR_R11), 0x1111);
	struct frame f = read_frame(&v, 0);
	assert_int_equal(f.rip, USER_CODE);
	assert_int_equal(f.cs, 0x33);
	assert_int_equal(f.rsp, USER_STACK);
	vm_free(&v);
}

/* Case 14: normal entry - RCX = next RIP, R11 = RFLAGS, RIP = LSTAR,
 * CS = STAR[47:32] (flat, L=1, DPL 0), SS = +8, CPL 0; RSP and GS base
 * unchanged (SDM SYSCALL operation; GS is swapped by the kernel's SWAPGS). */
static void test_syscall_normal_entry(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	wrmsr(&v, LSTAR_MSR_GS_BASE, 0x7000000);
	wrmsr(&v, LSTAR_MSR_KERNEL_GS_BASE, 0xFFFF888000001000ULL);
	PUT(&v, USER_CODE, 0x0F, 0x05);
	to_user(&v);
	setreg(&v, LSTAR_RFLAGS, 0x246);
	setreg(&v, LSTAR_RAX, 39);
	struct lstar_exit ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_SYSCALL);
	assert_int_equal(reg(&v, LSTAR_RCX), USER_CODE + 2);
	assert_int_equal(reg(&v, LSTAR_R11), 0x246);
	assert_int_equal(reg(&v, LSTAR_RIP), v.lay.kernel_code);
	assert_int_equal(reg(&v, LSTAR_RSP), USER_STACK);
	assert_int_equal(reg(&v, LSTAR_RAX), 39);
	assert_int_equal(reg(&v, LSTAR_RFLAGS), 0x246 & ~LINUX_FMASK);
	assert_int_equal(lstar_get_cpl(v.m), 0);
	struct lstar_segment cs, ss;
	lstar_get_segment(v.m, LSTAR_CS, &cs);
	lstar_get_segment(v.m, LSTAR_SS, &ss);
	assert_int_equal(cs.selector, 0x10);
	assert_int_equal(ss.selector, 0x18);
	assert_int_equal(cs.base, 0);
	assert_int_equal(cs.attr & 0xFF, 0x9B);        /* P, DPL 0, code exec/read */
	assert_int_equal((cs.attr >> 12) & 0x6, 0x2);  /* L = 1, D = 0 */
	assert_int_equal(ss.attr & 0xFF, 0x93);        /* P, DPL 0, data r/w */
	assert_int_equal(seg_base(&v, LSTAR_GS), 0x7000000);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_KERNEL_GS_BASE), 0xFFFF888000001000ULL);
	vm_free(&v);
}

/* Case 15: prefixed SYSCALL - RCX is the address after all the bytes
 * (66 2E 3E 0F 05: operand-size and ignored segment prefixes). */
static void test_syscall_prefixed_rcx_after_prefixes(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	PUT(&v, USER_CODE, 0x66, 0x2E, 0x3E, 0x0F, 0x05);
	to_user(&v);
	struct lstar_exit ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_SYSCALL);
	assert_int_equal(reg(&v, LSTAR_RCX), USER_CODE + 5);
	vm_free(&v);
}

/* Case 16: RF set before SYSCALL - R11 gets RFLAGS with RF cleared, and
 * RF is 0 afterwards even with FMASK = 0 ("R11 := RFLAGS; RFLAGS :=
 * RFLAGS AND NOT(IA32_FMASK)" with RF cleared - SDM SYSCALL). */
static void test_syscall_rf_cleared_in_r11(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, 0);
	PUT(&v, USER_CODE, 0x0F, 0x05);
	to_user(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202 | RF_RF);
	struct lstar_exit ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_SYSCALL);
	assert_int_equal(reg(&v, LSTAR_R11), 0x202);
	assert_int_equal(reg(&v, LSTAR_RFLAGS), 0x202);
	vm_free(&v);
}

/* Case 17: FMASK = 0 keeps IF (and everything else but RF). */
static void test_syscall_fmask0_keeps_if(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, 0);
	PUT(&v, USER_CODE, 0x0F, 0x05);
	to_user(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202 | RF_DF | RF_AC);
	step(&v);
	assert_int_equal(reg(&v, LSTAR_RFLAGS), 0x202 | RF_DF | RF_AC);
	assert_int_equal(reg(&v, LSTAR_R11), 0x202 | RF_DF | RF_AC);
	vm_free(&v);
}

/* Case 18: FMASK naming every flag bit leaves exactly 0x2 (bit 1 is
 * reserved as 1). */
static void test_syscall_fmask_all_leaves_0x2(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, 0xFFFFFFFF);
	PUT(&v, USER_CODE, 0x0F, 0x05);
	to_user(&v);
	uint64_t fl = 0x2 | 0xCD5 | RF_IF | RF_DF | RF_NT | RF_AC | RF_ID | (3ULL << 12);
	setreg(&v, LSTAR_RFLAGS, fl);
	struct lstar_exit ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_SYSCALL);
	assert_int_equal(reg(&v, LSTAR_RFLAGS), 0x2);
	assert_int_equal(reg(&v, LSTAR_R11), fl);
	vm_free(&v);
}

/* Case 19: FMASK clears only what it names - arithmetic flags computed
 * lazily by the previous instruction survive (xor eax,eax: ZF PF). */
static void test_syscall_fmask_clears_only_named(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, RF_TF | RF_IF | RF_DF);   /* 0x700 */
	/* xor eax, eax ; syscall */
	PUT(&v, USER_CODE, 0x31, 0xC0, 0x0F, 0x05);
	to_user(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202 | RF_DF | RF_CF | RF_OF | RF_SF);
	setreg(&v, LSTAR_RAX, 5);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	struct lstar_exit ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_SYSCALL);
	/* XOR: CF=OF=SF=0, ZF=PF=1; AF is lstar's choice (0) */
	assert_int_equal(reg(&v, LSTAR_R11), 0x202 | RF_DF | RF_ZF | RF_PF);
	assert_int_equal(reg(&v, LSTAR_RFLAGS), 0x2 | RF_ZF | RF_PF);
	vm_free(&v);
}

/* Case 20: SYSCALL at CPL 0 is legal (there is no CPL check). */
static void test_syscall_at_cpl0_legal(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	uint64_t at = v.lay.kernel_code + KCODE_OFF;
	PUT(&v, at, 0x0F, 0x05);
	setreg(&v, LSTAR_RIP, at);
	struct lstar_exit ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_SYSCALL);
	assert_int_equal(reg(&v, LSTAR_RCX), at + 2);
	assert_int_equal(reg(&v, LSTAR_RIP), v.lay.kernel_code);
	assert_int_equal(seg_sel(&v, LSTAR_CS), 0x10);
	assert_int_equal(lstar_get_cpl(v.m), 0);
	vm_free(&v);
}

/* Case 21: STAR[47:32] with RPL bits set: CS = STAR[47:32] & 0xFFFC (SDM)
 * and SS = (STAR[47:32] + 8) & 0xFFFC (lstar's choice, as Bochs and QEMU;
 * the SDM loads SS unmasked). */
static void test_syscall_star_rpl_masked(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	wrmsr(&v, LSTAR_MSR_STAR, (0x23ULL << 48) | (0x13ULL << 32));
	PUT(&v, USER_CODE, 0x0F, 0x05);
	to_user(&v);
	assert_int_equal(step(&v).event, LSTAR_EV_SYSCALL);
	assert_int_equal(seg_sel(&v, LSTAR_CS), 0x10);
	assert_int_equal(seg_sel(&v, LSTAR_SS), 0x18);
	assert_int_equal(lstar_get_cpl(v.m), 0);
	vm_free(&v);
}

/* Case 22: LOCK SYSCALL -> #UD (SDM SYSCALL: "#UD If the LOCK prefix is used"). */
static void test_lock_syscall_ud(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	PUT(&v, USER_CODE, 0xF0, 0x0F, 0x05);
	to_user(&v);
	setreg(&v, LSTAR_RCX, 0x5555);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 6, 0);
	assert_int_equal(reg(&v, LSTAR_RCX), 0x5555);
	assert_int_equal(read_frame(&v, 0).rip, USER_CODE);
	vm_free(&v);
}

/* §2 single-step choice: the trap condition uses RFLAGS after SYSCALL.
 * FMASK with TF: no #DB in the kernel. */
static void test_syscall_tf_masked_no_db(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, LINUX_FMASK);
	PUT(&v, USER_CODE, 0x0F, 0x05);
	PUT(&v, v.lay.kernel_code, 0x90, 0x90);
	to_user(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202 | RF_TF);
	struct lstar_exit ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_SYSCALL);
	assert_int_equal(reg(&v, LSTAR_RIP), v.lay.kernel_code);
	assert_int_equal(reg(&v, LSTAR_R11), 0x202 | RF_TF);
	ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RIP), v.lay.kernel_code + 1);
	vm_free(&v);
}

/* FMASK = 0 with TF: the #DB comes right after SYSCALL, before the first
 * kernel instruction (frame RIP = LSTAR). */
static void test_syscall_tf_kept_db_at_lstar(void **state)
{
	struct vm v;
	vm_init(&v, state);
	syscall_init(&v, 0);
	PUT(&v, USER_CODE, 0x0F, 0x05);
	to_user(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202 | RF_TF);
	run(&v, LSTAR_EV_EXCEPTION, 10);
	assert_int_equal(reg(&v, LSTAR_RIP), stub(&v, 1));
	struct frame f = read_frame(&v, 0);
	assert_int_equal(f.rip, v.lay.kernel_code);
	assert_int_equal(f.cs, 0x10);
	assert_true(f.rflags & RF_TF);
	vm_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_syscall_sce0_ud),
		BOTH(test_syscall_normal_entry),
		BOTH(test_syscall_prefixed_rcx_after_prefixes),
		BOTH(test_syscall_rf_cleared_in_r11),
		BOTH(test_syscall_fmask0_keeps_if),
		BOTH(test_syscall_fmask_all_leaves_0x2),
		BOTH(test_syscall_fmask_clears_only_named),
		BOTH(test_syscall_at_cpl0_legal),
		BOTH(test_syscall_star_rpl_masked),
		BOTH(test_lock_syscall_ud),
		BOTH(test_syscall_tf_masked_no_db),
		BOTH(test_syscall_tf_kept_db_at_lstar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
