/*
 * test_msr.c - RDMSR/WRMSR, docs/spec/syscall-sysret.md §1 and §6 cases 1-12.
 * Oracle: SDM vol. 2B RDMSR/WRMSR ("#GP(0) if the current privilege level
 * is not 0 / if the value in ECX specifies a reserved or unimplemented
 * MSR address / if the value in EDX:EAX sets bits that are reserved"),
 * SDM vol. 4 table 2-2 (architectural MSRs), vol. 3A §13.12.2 (PAT).
 * Also keeps docs/msr.md equal to the table in msr/msr.c
 * (LSTAR_REBASE=1 rewrites it).
 */
#include <stdlib.h>
#include "sys_harness.h"
#include "msr/msr.h"

/* RDMSR = 0F 32, WRMSR = 0F 30, LOCK = F0 */

/* Case 1: RDMSR at CPL 3 -> #GP(0); RAX/RDX unchanged; frame RIP at the
 * RDMSR, on TSS.RSP0 (SDM vol. 2B RDMSR; vol. 3A §6.14.4). */
static void test_rdmsr_cpl3_gp(void **state)
{
	struct vm v;
	vm_init(&v, state);
	wrmsr(&v, LSTAR_MSR_LSTAR, 0xFFFFFFFF81000000ULL);
	PUT(&v, USER_CODE, 0x0F, 0x32);
	to_user(&v);
	setreg(&v, LSTAR_RCX, LSTAR_MSR_LSTAR);
	setreg(&v, LSTAR_RAX, 0x1111);
	setreg(&v, LSTAR_RDX, 0x2222);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0);
	assert_int_equal(reg(&v, LSTAR_RAX), 0x1111);
	assert_int_equal(reg(&v, LSTAR_RDX), 0x2222);
	assert_int_equal(reg(&v, LSTAR_RIP), stub(&v, 13));
	assert_int_equal(reg(&v, LSTAR_RSP), v.lay.kernel_stack_top - 48);
	struct frame f = read_frame(&v, 1);
	assert_int_equal(f.err, 0);
	assert_int_equal(f.rip, USER_CODE);
	assert_int_equal(f.cs, 0x33);
	assert_int_equal(f.ss, 0x2B);
	assert_int_equal(f.rsp, USER_STACK);
	vm_free(&v);
}

/* Case 2: WRMSR at CPL 3 -> #GP(0), the MSR unchanged. */
static void test_wrmsr_cpl3_gp_msr_unchanged(void **state)
{
	struct vm v;
	vm_init(&v, state);
	wrmsr(&v, LSTAR_MSR_LSTAR, 0xFFFFFFFF81000000ULL);
	PUT(&v, USER_CODE, 0x0F, 0x30);
	to_user(&v);
	setreg(&v, LSTAR_RCX, LSTAR_MSR_LSTAR);
	setreg(&v, LSTAR_RAX, 0x1234);
	setreg(&v, LSTAR_RDX, 0);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_LSTAR), 0xFFFFFFFF81000000ULL);
	assert_int_equal(read_frame(&v, 1).rip, USER_CODE);
	vm_free(&v);
}

/* Case 3: unknown index at CPL 0 -> #GP(0) for both. */
static void test_msr_unknown_index_gp(void **state)
{
	static const uint32_t bad[] = { 0x12345678, 0xC0000085, 0x174, 0x40000000 };
	for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		for (int w = 0; w < 2; w++) {
			struct vm v;
			vm_init(&v, state);
			uint64_t at = v.lay.kernel_code;
			if (w)
				PUT(&v, at, 0x0F, 0x30);
			else
				PUT(&v, at, 0x0F, 0x32);
			setreg(&v, LSTAR_RCX, bad[k]);
			setreg(&v, LSTAR_RAX, 0x77);
			setreg(&v, LSTAR_RDX, 0x88);
			struct lstar_exit ex = step(&v);
			expect_exception(&ex, 13, 0);
			assert_int_equal(reg(&v, LSTAR_RAX), 0x77);
			assert_int_equal(reg(&v, LSTAR_RDX), 0x88);
			uint64_t x;
			assert_int_equal(lstar_rdmsr(v.m, bad[k], &x), LSTAR_ERR_MSR);
			assert_null(lstar_msr_name(bad[k]));
			vm_free(&v);
		}
	}
}

/* Case 4: ECX only - the upper half of RCX is ignored (SDM RDMSR: "ECX"). */
static void test_msr_rcx_upper_half_ignored(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t at = v.lay.kernel_code;
	/* wrmsr; rdmsr */
	PUT(&v, at, 0x0F, 0x30, 0x0F, 0x32);
	setreg(&v, LSTAR_RCX, 0xDEADBEEF00000000ULL | LSTAR_MSR_LSTAR);
	setreg(&v, LSTAR_RAX, 0x81234560);
	setreg(&v, LSTAR_RDX, 0xFFFFFFFF);
	struct lstar_exit ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_LSTAR), 0xFFFFFFFF81234560ULL);
	setreg(&v, LSTAR_RAX, 0xAAAAAAAAAAAAAAAAULL);
	setreg(&v, LSTAR_RDX, 0xBBBBBBBBBBBBBBBBULL);
	ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	/* RDMSR zero-extends into RAX and RDX */
	assert_int_equal(reg(&v, LSTAR_RAX), 0x81234560);
	assert_int_equal(reg(&v, LSTAR_RDX), 0xFFFFFFFF);
	vm_free(&v);
}

/* Case 5: a non-canonical address into LSTAR, CSTAR, FS_BASE, GS_BASE,
 * KERNEL_GS_BASE -> #GP(0), old value kept (SDM vol. 2B WRMSR). */
static void test_wrmsr_noncanonical_address_gp(void **state)
{
	static const uint32_t idx[] = { LSTAR_MSR_LSTAR, LSTAR_MSR_CSTAR, LSTAR_MSR_FS_BASE,
					LSTAR_MSR_GS_BASE, LSTAR_MSR_KERNEL_GS_BASE };
	for (unsigned k = 0; k < 5; k++) {
		struct vm v;
		vm_init(&v, state);
		uint64_t at = v.lay.kernel_code;
		wrmsr(&v, idx[k], 0x1000);
		PUT(&v, at, 0x0F, 0x30);
		setreg(&v, LSTAR_RCX, idx[k]);
		setreg(&v, LSTAR_RDX, 0x00008000);  /* 0x00008000_00000000 */
		setreg(&v, LSTAR_RAX, 0);
		struct lstar_exit ex = step(&v);
		expect_exception(&ex, 13, 0);
		assert_int_equal(read_frame(&v, 1).rip, at);
		assert_int_equal(rdmsr(&v, idx[k]), 0x1000);
		assert_int_equal(lstar_wrmsr(v.m, idx[k], 0xFFFF7FFFFFFFFFFFULL), LSTAR_ERR_MSR);
		assert_int_equal(rdmsr(&v, idx[k]), 0x1000);
		vm_free(&v);
	}
}

/* Case 6: a canonical kernel address is accepted and read back. */
static void test_wrmsr_canonical_kernel_address_ok(void **state)
{
	static const uint32_t idx[] = { LSTAR_MSR_LSTAR, LSTAR_MSR_CSTAR, LSTAR_MSR_FS_BASE,
					LSTAR_MSR_GS_BASE, LSTAR_MSR_KERNEL_GS_BASE };
	for (unsigned k = 0; k < 5; k++) {
		struct vm v;
		vm_init(&v, state);
		uint64_t at = v.lay.kernel_code;
		PUT(&v, at, 0x0F, 0x30, 0x0F, 0x32);
		setreg(&v, LSTAR_RCX, idx[k]);
		setreg(&v, LSTAR_RDX, 0xFFFFFFFF);
		setreg(&v, LSTAR_RAX, 0x81000000);
		assert_int_equal(step(&v).event, LSTAR_EV_NONE);
		setreg(&v, LSTAR_RDX, 0);
		setreg(&v, LSTAR_RAX, 0);
		assert_int_equal(step(&v).event, LSTAR_EV_NONE);
		assert_int_equal(reg(&v, LSTAR_RDX), 0xFFFFFFFF);
		assert_int_equal(reg(&v, LSTAR_RAX), 0x81000000);
		assert_int_equal(rdmsr(&v, idx[k]), 0xFFFFFFFF81000000ULL);
		vm_free(&v);
	}
}

/* Case 7: EFER reserved bits -> #GP(0) (SDM vol. 4 IA32_EFER: 7:1, 9, 63:12). */
static void test_efer_reserved_bit_gp(void **state)
{
	static const uint64_t bits[] = { 1ULL << 1, 1ULL << 7, 1ULL << 9, 1ULL << 12,
					 1ULL << 32, 1ULL << 63 };
	struct vm v;
	vm_init(&v, state);
	uint64_t efer = rdmsr(&v, LSTAR_MSR_EFER);
	for (unsigned k = 0; k < sizeof bits / sizeof bits[0]; k++) {
		assert_int_equal(lstar_wrmsr(v.m, LSTAR_MSR_EFER, efer | bits[k]), LSTAR_ERR_MSR);
		assert_int_equal(rdmsr(&v, LSTAR_MSR_EFER), efer);
	}
	/* and through the instruction */
	uint64_t at = v.lay.kernel_code;
	PUT(&v, at, 0x0F, 0x30);
	setreg(&v, LSTAR_RCX, LSTAR_MSR_EFER);
	setreg(&v, LSTAR_RAX, (uint32_t)(efer | 2));
	setreg(&v, LSTAR_RDX, 0);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_EFER), efer);
	vm_free(&v);
}

/* Case 8: clearing EFER.LME while CR0.PG = 1 -> #GP(0) (SDM vol. 3A §10.8.5). */
static void test_efer_clear_lme_with_paging_gp(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t efer = rdmsr(&v, LSTAR_MSR_EFER);
	assert_true(efer & LSTAR_MSR_EFER_LME);
	assert_int_equal(lstar_wrmsr(v.m, LSTAR_MSR_EFER, efer & ~(LSTAR_MSR_EFER_LME | LSTAR_MSR_EFER_LMA)), LSTAR_ERR_MSR);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_EFER), efer);
	vm_free(&v);
}

/* Case 9: writing LMA = 0 in long mode leaves LMA set (LMA is read-only). */
static void test_efer_write_lma0_keeps_lma(void **state)
{
	struct vm v;
	vm_init(&v, state);
	wrmsr(&v, LSTAR_MSR_EFER, LSTAR_MSR_EFER_LME | LSTAR_MSR_EFER_SCE | LSTAR_MSR_EFER_NXE);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_EFER), LSTAR_MSR_EFER_LME | LSTAR_MSR_EFER_LMA | LSTAR_MSR_EFER_SCE | LSTAR_MSR_EFER_NXE);
	vm_free(&v);
}

/* Case 10: PAT with a reserved memory type -> #GP(0) (SDM vol. 3A §13.12.2). */
static void test_pat_reserved_type_gp(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t pat = rdmsr(&v, 0x277);
	assert_int_equal(lstar_wrmsr(v.m, 0x277, (pat & ~0xFFULL) | 2), LSTAR_ERR_MSR);
	assert_int_equal(lstar_wrmsr(v.m, 0x277, (pat & ~0xFF00ULL) | (3ULL << 8)), LSTAR_ERR_MSR);
	assert_int_equal(lstar_wrmsr(v.m, 0x277, pat | (0x08ULL << 56)), LSTAR_ERR_MSR);
	assert_int_equal(rdmsr(&v, 0x277), pat);
	wrmsr(&v, 0x277, 0x0706050401000706ULL);
	assert_int_equal(rdmsr(&v, 0x277), 0x0706050401000706ULL);
	vm_free(&v);
}

/* Case 11: reset values of a fresh machine equal the table's. */
static void test_msr_reset_values(void **state)
{
	struct lstar_config cfg;
	char err[128];
	memset(&cfg, 0, sizeof cfg);
	cfg.mem_size = 16ULL << 20;
	cfg.vendor = *(const int *)*state;
	lstar_machine *m = lstar_machine_new(&cfg, err, sizeof err);
	assert_non_null(m);
	size_t n;
	const struct msr_desc *t = msr_table(&n);
	assert_true(n >= 13);
	/* x2APIC registers exist in x2APIC mode only: read the others at
	 * reset, then enter x2APIC mode (SDM vol. 3A §10.12.1) and read
	 * those; their table resets are the values seen right after that. */
	for (int x2 = 0; x2 < 2; x2++) {
		if (x2)
			assert_int_equal(lstar_wrmsr(m, 0x1B, 0xFEE00900ULL | (1ULL << 10)), LSTAR_OK);
		for (size_t k = 0; k < n; k++) {
			uint64_t x;
			if (!(t[k].flags & MSRF_X2APIC) != !x2)
				continue;
			assert_string_equal(lstar_msr_name(t[k].index), t[k].name);
			if (t[k].flags & MSRF_WO) {
				assert_int_equal(lstar_rdmsr(m, t[k].index, &x), LSTAR_ERR_MSR);
				continue;
			}
			assert_int_equal(lstar_rdmsr(m, t[k].index, &x), LSTAR_OK);
			if (t[k].index == 0x10)
				continue;  /* the TSC counts */
			if (x != t[k].reset)
				fail_msg("%s reset 0x%llx, table says 0x%llx", t[k].name,
					 (unsigned long long)x, (unsigned long long)t[k].reset);
		}
	}
	lstar_machine_free(m);
	m = lstar_machine_new(&cfg, err, sizeof err);
	assert_non_null(m);
	uint64_t x;
	assert_int_equal(lstar_rdmsr(m, 0x1B, &x), LSTAR_OK);
	assert_int_equal(x, 0xFEE00900ULL);
	assert_int_equal(lstar_rdmsr(m, 0x277, &x), LSTAR_OK);
	assert_int_equal(x, 0x0007040600070406ULL);
	lstar_machine_free(m);
}

/* Case 12: LOCK RDMSR -> #UD even at CPL 3 (#UD is checked before the CPL). */
static void test_lock_rdmsr_ud_at_cpl3(void **state)
{
	struct vm v;
	vm_init(&v, state);
	PUT(&v, USER_CODE, 0xF0, 0x0F, 0x32);
	to_user(&v);
	setreg(&v, LSTAR_RCX, LSTAR_MSR_LSTAR);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 6, 0);
	assert_int_equal(read_frame(&v, 0).rip, USER_CODE);
	vm_free(&v);
}

/* Other table rules: FMASK 63:32, TSC_AUX (Intel #GP / AMD drops 63:32),
 * APIC_BASE reserved/read-only bits, TSC write moves RDTSC. */
static void test_msr_vendor_rules(void **state)
{
	struct vm v;
	vm_init(&v, state);
	assert_int_equal(lstar_wrmsr(v.m, LSTAR_MSR_FMASK, 1ULL << 32), LSTAR_ERR_MSR);
	enum lstar_status s = lstar_wrmsr(v.m, LSTAR_MSR_TSC_AUX, 0x100000005ULL);
	if (v.vendor == LSTAR_VENDOR_INTEL) {
		assert_int_equal(s, LSTAR_ERR_MSR);
		assert_int_equal(rdmsr(&v, LSTAR_MSR_TSC_AUX), 0);
	} else {
		assert_int_equal(s, LSTAR_OK);
		assert_int_equal(rdmsr(&v, LSTAR_MSR_TSC_AUX), 5);
	}
	assert_int_equal(lstar_wrmsr(v.m, 0x1B, 0xFEE00900ULL | 1), LSTAR_ERR_MSR);
	wrmsr(&v, 0x1B, 0xFEE00000ULL | (1ULL << 11)); /* BSP bit ignored */
	assert_int_equal(rdmsr(&v, 0x1B), 0xFEE00900ULL);
	wrmsr(&v, 0x10, 1000000);
	uint64_t t = rdmsr(&v, 0x10);
	assert_true(t >= 1000000 && t < 1000100);
	vm_free(&v);
}

/* docs/msr.md is generated from the table and must stay equal to it. */
static size_t gen_doc(char *buf, size_t cap)
{
	size_t n, len = 0;
	const struct msr_desc *t = msr_table(&n);
	len += (size_t)snprintf(buf + len, cap - len,
		"# MSRs modelled by lstar\n\n"
		"Generated from the table in `msr/msr.c` by `tests/test_msr.c`\n"
		"(`LSTAR_REBASE=1 build/tests/test_msr` rewrites this file; the test fails\n"
		"when the two differ).  Contract: `docs/spec/syscall-sysret.md` §1.  RDMSR/WRMSR at\n"
		"CPL > 0, an index not listed here, or a refused value raise #GP(0) and\n"
		"change nothing; the upper half of RCX is ignored.\n\n"
		"Access: `rw`; `ro` = read-only (every WRMSR raises #GP(0)); `wo` =\n"
		"write-only (RDMSR raises #GP(0)); `x2APIC` = exists only while\n"
		"IA32_APIC_BASE has EN = EXTD = 1, #GP(0) otherwise.  The reset value of an\n"
		"x2APIC register is what it reads right after entering x2APIC mode.\n\n"
		"| MSR | index | access | reset | reserved (#GP if set) | read-only | WRMSR #GP(0) when | role |\n"
		"|---|---|---|---|---|---|---|---|\n");
	for (size_t k = 0; k < n; k++) {
		unsigned f = t[k].flags;
		len += (size_t)snprintf(buf + len, cap - len,
			"| %s | 0x%X | %s%s | 0x%llX | 0x%llX | 0x%llX | %s | %s |\n",
			t[k].name, t[k].index,
			(f & MSRF_RO) ? "ro" : (f & MSRF_WO) ? "wo" : "rw",
			(f & MSRF_X2APIC) ? ", x2APIC" : "",
			(unsigned long long)t[k].reset,
			(unsigned long long)t[k].reserved, (unsigned long long)t[k].readonly,
			t[k].gp_when, t[k].role);
	}
	len += (size_t)snprintf(buf + len, cap - len,
		"\nNotes\n\n"
		"- IA32_TSC reads `instructions retired x 4 + halted ticks + offset`; writing it sets\n"
		"  the offset (and re-aims an armed TSC deadline).\n"
		"- The local APIC is modelled in x2APIC mode only (`cpu/apic.c`, `docs/cpu.md`):\n"
		"  xAPIC mode has no MMIO page, so its registers are out of reach there.  Not\n"
		"  modelled, hence #GP(0) like any unlisted index: the ICR (0x830), the\n"
		"  thermal, performance-counter and CMCI LVT entries (0x833, 0x834, 0x82F).\n"
		"- IA32_APIC_BASE: clearing EN resets every APIC register (SDM vol. 3A §10.4.3).\n"
		"- LVT writes: the delivery-status bit (12) and LINT remote IRR (14) are\n"
		"  read-only; while the APIC is software-disabled (SVR bit 8 = 0) the mask\n"
		"  bit stays set.  Changing the timer mode disarms the timer.\n"
		"- IA32_FS_BASE / IA32_GS_BASE are the FS/GS segment bases themselves.\n"
		"- IA32_EFER: changing NXE flushes the TLB; LMA is set by the CPU only.\n"
		"- IA32_TSC_AUX: Intel raises #GP(0) for bits 63:32, AMD drops them.\n"
		"- IA32_MISC_ENABLE exists for both vendors in lstar (real AMD parts lack it).\n");
	return len;
}

static void test_msr_doc_matches_table(void **state)
{
	(void)state;
	static char want[32768], have[32768];
	size_t wl = gen_doc(want, sizeof want);
	char path[1024];
	snprintf(path, sizeof path, "%s", __FILE__);
	char *slash = strrchr(path, '/');
	assert_non_null(slash);
	snprintf(slash, sizeof path - (size_t)(slash - path), "/../docs/msr.md");
	if (getenv("LSTAR_REBASE")) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fwrite(want, 1, wl, f);
		fclose(f);
	}
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s (run LSTAR_REBASE=1 test_msr to create it)", path);
	size_t hl = fread(have, 1, sizeof have - 1, f);
	fclose(f);
	have[hl] = 0;
	if (hl != wl || memcmp(have, want, wl) != 0)
		fail_msg("docs/msr.md differs from msr/msr.c's table: run LSTAR_REBASE=1 test_msr");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_rdmsr_cpl3_gp),
		BOTH(test_wrmsr_cpl3_gp_msr_unchanged),
		BOTH(test_msr_unknown_index_gp),
		BOTH(test_msr_rcx_upper_half_ignored),
		BOTH(test_wrmsr_noncanonical_address_gp),
		BOTH(test_wrmsr_canonical_kernel_address_ok),
		BOTH(test_efer_reserved_bit_gp),
		BOTH(test_efer_clear_lme_with_paging_gp),
		BOTH(test_efer_write_lma0_keeps_lma),
		BOTH(test_pat_reserved_type_gp),
		BOTH(test_msr_reset_values),
		BOTH(test_lock_rdmsr_ud_at_cpl3),
		BOTH(test_msr_vendor_rules),
		cmocka_unit_test(test_msr_doc_matches_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
