/*
 * test_system.c - the other system instructions: HLT, CLI/STI, IN/OUT
 * IOPL checks, CPUID, MOV CRn, RDTSC(P), INVLPG, descriptor-table
 * instructions and MOV Sreg (SDM vol. 2A/2B instruction pages cited per
 * test; docs/spec/platform.md §5, §6).
 */
#include "sys_harness.h"

/* HLT at CPL 3 -> #GP(0) (SDM vol. 2A HLT). */
static void test_hlt_cpl3_gp(void **state)
{
	struct vm v;
	vm_init(&v, state);
	PUT(&v, USER_CODE, 0xF4);
	to_user(&v);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0);
	vm_free(&v);
}

/* HLT with IF = 0 stops the machine with a diagnostic naming RIP
 * (docs/spec/platform.md §5). */
static void test_hlt_if0_stops_with_rip(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t at = v.lay.kernel_code + 0x10;
	PUT(&v, at, 0xF4);
	setreg(&v, LSTAR_RIP, at);
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	assert_int_equal(ex.event, LSTAR_EV_HALT);
	char want[64];
	snprintf(want, sizeof want, "0x%llx", (unsigned long long)at);
	assert_non_null(strstr(ex.message, want));
	vm_free(&v);
}

/* CLI and IN at CPL 3 with IOPL 0 -> #GP(0); with IOPL 3 they run and IN
 * from an unassigned port returns all-ones (SDM vol. 1 §19.5.1). */
static void test_iopl_rules(void **state)
{
	struct vm v;
	vm_init(&v, state);
	PUT(&v, USER_CODE, 0xFA, 0xE4, 0x80);          /* cli; in al, 0x80 */
	to_user(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0);
	vm_free(&v);

	vm_init(&v, state);
	PUT(&v, USER_CODE, 0xE4, 0x80);
	to_user(&v);
	ex = step(&v);
	expect_exception(&ex, 13, 0);
	vm_free(&v);

	vm_init(&v, state);
	PUT(&v, USER_CODE, 0xFA, 0xE4, 0x80);
	to_user(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202 | RF_IOPL);
	setreg(&v, LSTAR_RAX, 0x1234);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RFLAGS) & RF_IF, 0);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RAX), 0x12FF);
	vm_free(&v);
}

static void cpuid(struct vm *v, uint32_t leaf, uint32_t r[4])
{
	uint64_t at = v->lay.kernel_code + 0x20;
	PUT(v, at, 0x0F, 0xA2);
	setreg(v, LSTAR_RIP, at);
	setreg(v, LSTAR_RAX, leaf);
	setreg(v, LSTAR_RCX, 0);
	assert_int_equal(step(v).event, LSTAR_EV_NONE);
	r[0] = (uint32_t)reg(v, LSTAR_RAX);
	r[1] = (uint32_t)reg(v, LSTAR_RBX);
	r[2] = (uint32_t)reg(v, LSTAR_RCX);
	r[3] = (uint32_t)reg(v, LSTAR_RDX);
}

/* CPUID: vendor string per --vendor; SYSCALL (0x80000001 EDX 11), NX
 * (20), LM (29) for both; no PGE, no APIC (docs/spec/platform.md §6; SDM CPUID). */
static void test_cpuid_vendor_and_features(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint32_t r[4];
	char s[13];
	cpuid(&v, 0, r);
	memcpy(s, &r[1], 4);
	memcpy(s + 4, &r[3], 4);
	memcpy(s + 8, &r[2], 4);
	s[12] = 0;
	assert_string_equal(s, v.vendor == LSTAR_VENDOR_INTEL ? "GenuineIntel" : "AuthenticAMD");
	assert_true(r[0] >= 7);
	cpuid(&v, 0x80000000, r);
	assert_true(r[0] >= 0x80000001);
	cpuid(&v, 0x80000001, r);
	assert_true(r[3] & (1u << 11));
	assert_true(r[3] & (1u << 20));
	assert_true(r[3] & (1u << 29));
	cpuid(&v, 1, r);
	assert_true(r[3] & (1u << 4));   /* TSC */
	assert_true(r[3] & (1u << 5));   /* MSR */
	assert_false(r[3] & (1u << 7));  /* PGE */
	assert_false(r[3] & (1u << 9));  /* APIC */
	cpuid(&v, 7, r);
	assert_true(r[1] & 1u);          /* FSGSBASE */
	vm_free(&v);
}

/* MOV CRn: CPL 3 -> #GP(0); a CR4 bit lstar does not implement (PGE) ->
 * #GP(0); clearing CR0.PG in IA-32e mode -> #GP(0); CR8 above 15 ->
 * #GP(0); reads return the value (SDM vol. 2B MOV CRn). */
static void test_mov_cr_checks(void **state)
{
	struct vm v;
	vm_init(&v, state);
	PUT(&v, USER_CODE, 0x0F, 0x20, 0xD8);          /* mov rax, cr3 */
	to_user(&v);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0);
	vm_free(&v);

	vm_init(&v, state);
	uint64_t at = v.lay.kernel_code;
	PUT(&v, at, 0x0F, 0x22, 0xE0);                 /* mov cr4, rax */
	setreg(&v, LSTAR_RAX, reg(&v, LSTAR_CR4) | (1ULL << 7));
	ex = step(&v);
	expect_exception(&ex, 13, 0);
	vm_free(&v);

	vm_init(&v, state);
	at = v.lay.kernel_code;
	PUT(&v, at, 0x0F, 0x22, 0xC0);                 /* mov cr0, rax */
	setreg(&v, LSTAR_RAX, reg(&v, LSTAR_CR0) & ~(1ULL << 31));
	ex = step(&v);
	expect_exception(&ex, 13, 0);
	vm_free(&v);

	vm_init(&v, state);
	at = v.lay.kernel_code;
	PUT(&v, at, 0x44, 0x0F, 0x22, 0xC0,            /* mov cr8, rax */
	    0x0F, 0x20, 0xD9);                         /* mov rcx, cr3 */
	setreg(&v, LSTAR_RAX, 16);
	ex = step(&v);
	expect_exception(&ex, 13, 0);
	vm_free(&v);

	vm_init(&v, state);
	at = v.lay.kernel_code;
	PUT(&v, at, 0x0F, 0x20, 0xD9,                  /* mov rcx, cr3 */
	    0x0F, 0x22, 0xD9);                         /* mov cr3, rcx */
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RCX), v.lay.pml4);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	vm_free(&v);
}

/* RDTSC: #GP(0) at CPL 3 with CR4.TSD; RDTSCP returns TSC_AUX in ECX and
 * the counter only moves forward (SDM vol. 2B RDTSC/RDTSCP). */
static void test_rdtsc_tsd_and_rdtscp(void **state)
{
	struct vm v;
	vm_init(&v, state);
	setreg(&v, LSTAR_CR4, reg(&v, LSTAR_CR4) | (1ULL << 2));
	PUT(&v, USER_CODE, 0x0F, 0x31);
	to_user(&v);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0);
	vm_free(&v);

	vm_init(&v, state);
	wrmsr(&v, LSTAR_MSR_TSC_AUX, 42);
	uint64_t at = v.lay.kernel_code;
	PUT(&v, at, 0x0F, 0x31, 0x0F, 0x01, 0xF9);
	step(&v);
	uint64_t t1 = (reg(&v, LSTAR_RDX) << 32) | reg(&v, LSTAR_RAX);
	step(&v);
	uint64_t t2 = (reg(&v, LSTAR_RDX) << 32) | reg(&v, LSTAR_RAX);
	assert_true(t2 > t1);
	assert_int_equal(reg(&v, LSTAR_RCX), 42);
	vm_free(&v);
}

/* INVLPG and LGDT at CPL 3 -> #GP(0); SGDT and STR are allowed and give
 * the GDTR and TR (SDM vol. 2A INVLPG/LGDT, vol. 2B SGDT/STR). */
static void test_descriptor_table_instructions(void **state)
{
	struct vm v;
	vm_init(&v, state);
	PUT(&v, USER_CODE, 0x0F, 0x01, 0x38);          /* invlpg [rax] */
	to_user(&v);
	setreg(&v, LSTAR_RAX, USER_BASE);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0);
	vm_free(&v);

	vm_init(&v, state);
	PUT(&v, USER_CODE, 0x0F, 0x01, 0x10);          /* lgdt [rax] */
	to_user(&v);
	setreg(&v, LSTAR_RAX, USER_BASE + 0x1000);
	ex = step(&v);
	expect_exception(&ex, 13, 0);
	vm_free(&v);

	vm_init(&v, state);
	PUT(&v, USER_CODE, 0x0F, 0x01, 0x00,           /* sgdt [rax] */
	    0x0F, 0x00, 0xC9);                         /* str cx */
	to_user(&v);
	setreg(&v, LSTAR_RAX, USER_BASE + 0x1000);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	uint16_t lim = 0;
	lstar_read_phys(v.m, USER_BASE + 0x1000, &lim, 2);
	assert_int_equal(rd64(&v, USER_BASE + 0x1002), v.lay.gdt);
	assert_int_equal(lim, 0x4F);
	assert_int_equal(reg(&v, LSTAR_RCX) & 0xFFFF, 0x40);
	vm_free(&v);
}

/* MOV Sreg in 64-bit mode (SDM vol. 2B MOV): MOV DS, 0x2B at CPL 0 is
 * fine; MOV SS with a DPL-3 selector at CPL 0 -> #GP(selector); MOV SS, 0
 * at CPL 3 -> #GP(0); a selector beyond the GDT limit -> #GP(selector). */
static void test_mov_sreg_checks(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t at = v.lay.kernel_code;
	PUT(&v, at, 0x8E, 0xD8,                        /* mov ds, ax */
	    0x8E, 0xD0);                               /* mov ss, ax */
	setreg(&v, LSTAR_RAX, 0x2B);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(seg_sel(&v, LSTAR_DS), 0x2B);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0x28);
	vm_free(&v);

	vm_init(&v, state);
	PUT(&v, USER_CODE, 0x8E, 0xD0);                /* mov ss, ax */
	to_user(&v);
	setreg(&v, LSTAR_RAX, 0);
	ex = step(&v);
	expect_exception(&ex, 13, 0);
	vm_free(&v);

	vm_init(&v, state);
	PUT(&v, USER_CODE, 0x8E, 0xD8);                /* mov ds, ax */
	to_user(&v);
	setreg(&v, LSTAR_RAX, 0x83);
	ex = step(&v);
	expect_exception(&ex, 13, 0x80);
	vm_free(&v);
}

/* RETF (48 CB) to an outer level pops RIP, CS, RSP, SS (SDM vol. 2B RET,
 * "RETURN-TO-OUTER-PRIVILEGE-LEVEL"); to the same level only RIP and CS.
 * Far JMP/CALL through memory to a code segment (SDM vol. 2A JMP/CALL). */
static void test_retf_to_user_and_same_level(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t at = v.lay.kernel_code;
	uint64_t sp = v.lay.kernel_stack_top - 0x100;
	PUT(&v, at, 0x48, 0xCB);
	wr64(&v, sp, USER_CODE);
	wr64(&v, sp + 8, 0x33);
	wr64(&v, sp + 16, USER_STACK);
	wr64(&v, sp + 24, 0x2B);
	setreg(&v, LSTAR_RSP, sp);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RIP), USER_CODE);
	assert_int_equal(reg(&v, LSTAR_RSP), USER_STACK);
	assert_int_equal(lstar_get_cpl(v.m), 3);
	assert_int_equal(seg_sel(&v, LSTAR_SS), 0x2B);
	vm_free(&v);

	vm_init(&v, state);
	at = v.lay.kernel_code;
	PUT(&v, at, 0x48, 0xCB);
	wr64(&v, sp, at + 0x40);
	wr64(&v, sp + 8, 0x10);
	setreg(&v, LSTAR_RSP, sp);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RIP), at + 0x40);
	assert_int_equal(reg(&v, LSTAR_RSP), sp + 16);
	assert_int_equal(seg_sel(&v, LSTAR_SS), 0x18);
	vm_free(&v);

	/* far JMP / CALL through m16:64 to the same level, then RETFQ */
	vm_init(&v, state);
	at = v.lay.kernel_code;
	PUT(&v, at, 0x48, 0xFF, 0x28);                 /* jmp far [rax] */
	PUT(&v, at + 0x200, 0x48, 0xFF, 0x1B);         /* call far [rbx] */
	PUT(&v, at + 0x300, 0x48, 0xCB);               /* retfq */
	wr64(&v, at + 0x100, at + 0x200);
	wr64(&v, at + 0x108, 0x10);
	wr64(&v, at + 0x110, at + 0x300);
	wr64(&v, at + 0x118, 0x10);
	setreg(&v, LSTAR_RAX, at + 0x100);
	setreg(&v, LSTAR_RBX, at + 0x110);
	setreg(&v, LSTAR_RSP, sp);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RIP), at + 0x200);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RIP), at + 0x300);
	assert_int_equal(reg(&v, LSTAR_RSP), sp - 16);
	assert_int_equal(rd64(&v, sp - 16), at + 0x203);
	assert_int_equal(rd64(&v, sp - 8), 0x10);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RIP), at + 0x203);
	assert_int_equal(reg(&v, LSTAR_RSP), sp);
	vm_free(&v);

	/* far JMP from CPL 3 to the DPL-0 kernel code segment: #GP(0x10) */
	vm_init(&v, state);
	PUT(&v, USER_CODE, 0x48, 0xFF, 0x28);
	wr64(&v, USER_CODE + 0x100, USER_CODE);
	wr64(&v, USER_CODE + 0x108, 0x10);
	to_user(&v);
	setreg(&v, LSTAR_RAX, USER_CODE + 0x100);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0x10);
	vm_free(&v);
}

/* REP INSB / REP OUTSB at CPL 0 with an unassigned port: INS stores
 * all-ones, OUTS reads and discards; RDI/RSI advance, RCX counts down
 * (SDM vol. 2A INS, vol. 2B OUTS; docs/spec/platform.md §5). */
static void test_rep_ins_outs(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t at = v.lay.kernel_code;
	uint64_t buf = USER_BASE + 0x3000;
	PUT(&v, at, 0xF3, 0x6C,                        /* rep insb */
	    0xF3, 0x6E);                               /* rep outsb */
	setreg(&v, LSTAR_RDX, 0x80);
	setreg(&v, LSTAR_RDI, buf);
	setreg(&v, LSTAR_RCX, 5);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RDI), buf + 5);
	assert_int_equal(reg(&v, LSTAR_RCX), 0);
	assert_int_equal(rd64(&v, buf) & 0xFFFFFFFFFFULL, 0xFFFFFFFFFFULL);
	assert_int_equal((rd64(&v, buf) >> 40) & 0xFF, 0);
	setreg(&v, LSTAR_RSI, buf);
	setreg(&v, LSTAR_RCX, 3);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RSI), buf + 3);
	assert_int_equal(reg(&v, LSTAR_RCX), 0);
	vm_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		ONE(test_hlt_cpl3_gp),
		ONE(test_hlt_if0_stops_with_rip),
		ONE(test_iopl_rules),
		BOTH(test_cpuid_vendor_and_features),
		ONE(test_mov_cr_checks),
		ONE(test_rdtsc_tsd_and_rdtscp),
		ONE(test_descriptor_table_instructions),
		BOTH(test_mov_sreg_checks),
		ONE(test_retf_to_user_and_same_level),
		ONE(test_rep_ins_outs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
