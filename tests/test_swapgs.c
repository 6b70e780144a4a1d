/*
 * test_swapgs.c - SWAPGS, FS/GS bases and the FSGSBASE instructions,
 * docs/spec/syscall-sysret.md §1/§4 and §6 cases 32-35, both vendors.
 * Oracle: SDM vol. 2B "SWAPGS" ("#GP(0) If CPL != 0"), "RDFSBASE/RDGSBASE",
 * "WRFSBASE/WRGSBASE" ("#UD If CR4.FSGSBASE[bit 16] = 0"; "#GP(0) If the
 * source register contains a non-canonical address"), vol. 3A §3.4.4
 * (FS/GS bases in 64-bit mode are IA32_FS_BASE / IA32_GS_BASE).
 */
#include "sys_harness.h"

#define CR4_FSGSBASE (1ULL << 16)

/* Case 32: SWAPGS at CPL 3 -> #GP(0), bases unchanged. */
static void test_swapgs_cpl3_gp(void **state)
{
	struct vm v;
	vm_init(&v, state);
	wrmsr(&v, LSTAR_MSR_GS_BASE, 0x1000);
	wrmsr(&v, LSTAR_MSR_KERNEL_GS_BASE, 0x2000);
	PUT(&v, USER_CODE, 0x0F, 0x01, 0xF8);
	to_user(&v);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0);
	assert_int_equal(read_frame(&v, 1).rip, USER_CODE);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_GS_BASE), 0x1000);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_KERNEL_GS_BASE), 0x2000);
	vm_free(&v);
}

/* Case 33: SWAPGS exchanges GS.base and IA32_KERNEL_GS_BASE; twice is the
 * identity.  GS.selector and FS are untouched. */
static void test_swapgs_swap_and_swap_back(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t at = v.lay.kernel_code;
	wrmsr(&v, LSTAR_MSR_GS_BASE, 0x7FFF00001000ULL);
	wrmsr(&v, LSTAR_MSR_KERNEL_GS_BASE, 0xFFFF888000002000ULL);
	wrmsr(&v, LSTAR_MSR_FS_BASE, 0x3000);
	PUT(&v, at, 0x0F, 0x01, 0xF8, 0x0F, 0x01, 0xF8);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_GS_BASE), 0xFFFF888000002000ULL);
	assert_int_equal(seg_base(&v, LSTAR_GS), 0xFFFF888000002000ULL);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_KERNEL_GS_BASE), 0x7FFF00001000ULL);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_FS_BASE), 0x3000);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_GS_BASE), 0x7FFF00001000ULL);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_KERNEL_GS_BASE), 0xFFFF888000002000ULL);
	assert_int_equal(reg(&v, LSTAR_RIP), at + 6);
	vm_free(&v);
}

/* Case 34: [fs:disp] / [gs:disp] use IA32_FS_BASE / IA32_GS_BASE, also
 * after a WRMSR and a SWAPGS. */
static void test_fs_gs_base_follow_msrs(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t fsb = USER_BASE + 0x10000, gsb = USER_BASE + 0x20000, kgs = USER_BASE + 0x30000;
	wr64(&v, fsb + 0x10, 0x1111111111111111ULL);
	wr64(&v, gsb + 0x10, 0x2222222222222222ULL);
	wr64(&v, kgs + 0x10, 0x3333333333333333ULL);
	uint64_t at = v.lay.kernel_code;
	PUT(&v, at,
	    0x0F, 0x30,                                           /* wrmsr (FS_BASE) */
	    0x64, 0x48, 0x8B, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00, /* mov rax, fs:[0x10] */
	    0x65, 0x48, 0x8B, 0x1C, 0x25, 0x10, 0x00, 0x00, 0x00, /* mov rbx, gs:[0x10] */
	    0x0F, 0x01, 0xF8,                                     /* swapgs */
	    0x65, 0x48, 0x8B, 0x0C, 0x25, 0x10, 0x00, 0x00, 0x00);/* mov rcx, gs:[0x10] */
	wrmsr(&v, LSTAR_MSR_GS_BASE, gsb);
	wrmsr(&v, LSTAR_MSR_KERNEL_GS_BASE, kgs);
	setreg(&v, LSTAR_RCX, LSTAR_MSR_FS_BASE);
	setreg(&v, LSTAR_RAX, (uint32_t)fsb);
	setreg(&v, LSTAR_RDX, fsb >> 32);
	for (int k = 0; k < 5; k++)
		assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(seg_base(&v, LSTAR_FS), fsb);
	assert_int_equal(reg(&v, LSTAR_RAX), 0x1111111111111111ULL);
	assert_int_equal(reg(&v, LSTAR_RBX), 0x2222222222222222ULL);
	assert_int_equal(reg(&v, LSTAR_RCX), 0x3333333333333333ULL);
	vm_free(&v);
}

/* Case 35a: RD/WR FS/GS BASE with CR4.FSGSBASE = 0 -> #UD. */
static void test_fsgsbase_cr4_clear_ud(void **state)
{
	static const uint8_t enc[4][5] = {
		{ 0xF3, 0x48, 0x0F, 0xAE, 0xC0 },  /* rdfsbase rax */
		{ 0xF3, 0x48, 0x0F, 0xAE, 0xC8 },  /* rdgsbase rax */
		{ 0xF3, 0x48, 0x0F, 0xAE, 0xD0 },  /* wrfsbase rax */
		{ 0xF3, 0x48, 0x0F, 0xAE, 0xD8 },  /* wrgsbase rax */
	};
	for (int k = 0; k < 4; k++) {
		struct vm v;
		vm_init(&v, state);
		setreg(&v, LSTAR_CR4, reg(&v, LSTAR_CR4) & ~CR4_FSGSBASE);
		put(&v, USER_CODE, enc[k], 5);
		to_user(&v);
		setreg(&v, LSTAR_RAX, 0x1234);
		struct lstar_exit ex = step(&v);
		expect_exception(&ex, 6, 0);
		assert_int_equal(read_frame(&v, 0).rip, USER_CODE);
		assert_int_equal(seg_base(&v, LSTAR_FS), 0);
		vm_free(&v);
	}
}

/* Case 35b: with CR4.FSGSBASE = 1 at CPL 3: a non-canonical WRFSBASE ->
 * #GP(0) and the base is kept; canonical values are written and read
 * back; the 32-bit forms zero-extend. */
static void test_fsgsbase_noncanonical_write_gp(void **state)
{
	struct vm v;
	vm_init(&v, state);
	setreg(&v, LSTAR_CR4, reg(&v, LSTAR_CR4) | CR4_FSGSBASE);
	wrmsr(&v, LSTAR_MSR_FS_BASE, 0x5000);
	PUT(&v, USER_CODE, 0xF3, 0x48, 0x0F, 0xAE, 0xD0);      /* wrfsbase rax */
	to_user(&v);
	setreg(&v, LSTAR_RAX, 0x0000800000000000ULL);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0);
	assert_int_equal(read_frame(&v, 1).rip, USER_CODE);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_FS_BASE), 0x5000);
	vm_free(&v);
}

static void test_fsgsbase_user_roundtrip_and_32bit_forms(void **state)
{
	struct vm v;
	vm_init(&v, state);
	setreg(&v, LSTAR_CR4, reg(&v, LSTAR_CR4) | CR4_FSGSBASE);
	PUT(&v, USER_CODE,
	    0xF3, 0x48, 0x0F, 0xAE, 0xD8,   /* wrgsbase rax */
	    0xF3, 0x48, 0x0F, 0xAE, 0xCB,   /* rdgsbase rbx */
	    0xF3, 0x0F, 0xAE, 0xD1,         /* wrfsbase ecx */
	    0xF3, 0x0F, 0xAE, 0xC2);        /* rdfsbase edx */
	to_user(&v);
	setreg(&v, LSTAR_RAX, 0xFFFF800012345678ULL);
	setreg(&v, LSTAR_RCX, 0xFFFFFFFF87654321ULL);
	setreg(&v, LSTAR_RDX, 0xFFFFFFFFFFFFFFFFULL);
	for (int k = 0; k < 4; k++)
		assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_GS_BASE), 0xFFFF800012345678ULL);
	assert_int_equal(reg(&v, LSTAR_RBX), 0xFFFF800012345678ULL);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_FS_BASE), 0x87654321ULL);
	assert_int_equal(reg(&v, LSTAR_RDX), 0x87654321ULL);
	vm_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_swapgs_cpl3_gp),
		BOTH(test_swapgs_swap_and_swap_back),
		BOTH(test_fs_gs_base_follow_msrs),
		BOTH(test_fsgsbase_cr4_clear_ud),
		BOTH(test_fsgsbase_noncanonical_write_gp),
		BOTH(test_fsgsbase_user_roundtrip_and_32bit_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
