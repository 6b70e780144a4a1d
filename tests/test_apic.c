/*
 * test_apic.c - the local APIC in x2APIC mode and its timer (cpu/apic.c):
 * IA32_APIC_BASE modes, the x2APIC registers' access rules, CPUID, and
 * the one-shot, periodic and TSC-deadline timer at exact instruction
 * counts.  Delivery, shadows and HLT are in test_interrupt.c.
 *
 * Oracle: Intel SDM vol. 3A chapter "Advanced Programmable Interrupt
 * Controller" (numbered 10 in the editions cited here: §10.4.3, §10.4.7,
 * §10.5.1-§10.5.4.1, §10.8.3.1, §10.9, §10.12 and Table 10-6).  Guest
 * code runs through the public API (apic_harness.h, sys_harness.h).
 */
#include "apic_harness.h"

/* ---- x2APIC mode and the registers -------------------------------- */

/* The x2APIC registers raise #GP(0) unless IA32_APIC_BASE has EN = EXTD
 * = 1 (§10.12.2); then ID 0, version 0x30014, LDR 1 (§10.12.10.2). */
static void test_x2apic_registers_need_x2apic_mode(void **state)
{
	struct vm v;
	vm_init(&v, state);
	assert_int_equal(rdmsr(&v, APICBASE), 0xFEE00900ULL);   /* EN | BSP */
	struct lstar_exit ex = guest_msr(&v, false, LSTAR_MSR_X2APIC_VERSION, 0);
	expect_exception(&ex, 13, 0);
	uint64_t x;
	assert_int_equal(lstar_rdmsr(v.m, LSTAR_MSR_X2APIC_TPR, &x), LSTAR_ERR_MSR);
	assert_int_equal(lstar_wrmsr(v.m, LSTAR_MSR_X2APIC_TPR, 0), LSTAR_ERR_MSR);
	vm_free(&v);

	vm_init(&v, state);
	ex = guest_msr(&v, true, APICBASE, 0xFEE00900ULL | EXTD);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(rdmsr(&v, APICBASE), 0xFEE00D00ULL);
	ex = guest_msr(&v, false, LSTAR_MSR_X2APIC_VERSION, 0);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RAX), 0x30014);
	assert_int_equal(reg(&v, LSTAR_RDX), 0);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_APICID), 0);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_LDR), 1);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_SIVR), 0xFF);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER), 0x10000);
	/* IA32_TSC_DEADLINE is no x2APIC register: there in any mode. */
	vm_free(&v);
}

/* IA32_APIC_BASE mode transitions (§10.12.5, Figure 10-27). */
static void test_apic_base_transitions(void **state)
{
	struct vm v;
	vm_init(&v, state);
	const uint64_t base = 0xFEE00000ULL, en = 1ULL << 11;
	/* EXTD = 1 with EN = 0 is invalid; through WRMSR: #GP(0), unchanged */
	struct lstar_exit ex = guest_msr(&v, true, APICBASE, base | EXTD);
	expect_exception(&ex, 13, 0);
	assert_int_equal(rdmsr(&v, APICBASE), 0xFEE00900ULL);
	/* xAPIC -> x2APIC */
	wrmsr(&v, APICBASE, base | en | EXTD);
	wrmsr(&v, LSTAR_MSR_X2APIC_SIVR, 0x1F0);
	wrmsr(&v, LSTAR_MSR_X2APIC_TPR, 0x20);
	/* x2APIC -> xAPIC: #GP */
	assert_int_equal(lstar_wrmsr(v.m, APICBASE, base | en), LSTAR_ERR_MSR);
	/* x2APIC -> disabled: allowed, and the registers go back to reset */
	wrmsr(&v, APICBASE, base);
	assert_int_equal(rdmsr(&v, APICBASE), base | (1ULL << 8));
	uint64_t x;
	assert_int_equal(lstar_rdmsr(v.m, LSTAR_MSR_X2APIC_SIVR, &x), LSTAR_ERR_MSR);
	/* disabled -> x2APIC: #GP; disabled -> xAPIC -> x2APIC: fine */
	assert_int_equal(lstar_wrmsr(v.m, APICBASE, base | en | EXTD), LSTAR_ERR_MSR);
	wrmsr(&v, APICBASE, base | en);
	wrmsr(&v, APICBASE, base | en | EXTD);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_SIVR), 0xFF);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_TPR), 0);
	/* reserved bits: 7:0, 9, above MAXPHYADDR; BSP (8) is read-only */
	assert_int_equal(lstar_wrmsr(v.m, APICBASE, base | en | EXTD | 1), LSTAR_ERR_MSR);
	assert_int_equal(lstar_wrmsr(v.m, APICBASE, base | en | EXTD | (1ULL << 9)), LSTAR_ERR_MSR);
	assert_int_equal(lstar_wrmsr(v.m, APICBASE, base | en | EXTD | (1ULL << 40)), LSTAR_ERR_MSR);
	vm_free(&v);
}

/* Reserved bits, read-only and write-only registers (Table 10-6 and its
 * notes, §10.12.1.3): each refused access is #GP(0) and changes nothing. */
static void test_x2apic_access_rules(void **state)
{
	static const struct { uint32_t idx; uint64_t val; } bad_writes[] = {
		{ LSTAR_MSR_X2APIC_TPR, 0x100 }, { LSTAR_MSR_X2APIC_TPR, 1ULL << 32 },
		{ LSTAR_MSR_X2APIC_SIVR, 1u << 10 }, { LSTAR_MSR_X2APIC_SIVR, 1u << 12 },
		{ LSTAR_MSR_X2APIC_DIV_CONF, 4 }, { LSTAR_MSR_X2APIC_DIV_CONF, 0x10 },
		{ LSTAR_MSR_X2APIC_LVT_TIMER, 1u << 8 }, { LSTAR_MSR_X2APIC_LVT_TIMER, 3u << 17 },
		{ LSTAR_MSR_X2APIC_LVT_TIMER, 1u << 19 }, { LSTAR_MSR_X2APIC_LVT_ERROR, 1u << 8 },
		{ LSTAR_MSR_X2APIC_LVT_LINT0, 1u << 11 }, { LSTAR_MSR_X2APIC_LVT_LINT1, 1u << 17 },
		{ LSTAR_MSR_X2APIC_INIT_COUNT, 1ULL << 32 }, { LSTAR_MSR_X2APIC_SELF_IPI, 0x100 },
		{ LSTAR_MSR_X2APIC_EOI, 1 }, { LSTAR_MSR_X2APIC_ESR, 1 },
		/* read-only */
		{ LSTAR_MSR_X2APIC_APICID, 0 }, { LSTAR_MSR_X2APIC_VERSION, 0x30014 }, { LSTAR_MSR_X2APIC_PPR, 0 },
		{ LSTAR_MSR_X2APIC_LDR, 1 }, { LSTAR_MSR_X2APIC_ISR0, 0 }, { LSTAR_MSR_X2APIC_TMR0 + 3, 0 },
		{ LSTAR_MSR_X2APIC_IRR0 + 7, 0 }, { LSTAR_MSR_X2APIC_CUR_COUNT, 0 },
		/* not modelled: ICR, thermal, performance, CMCI; reserved 0x809 */
		{ 0x830, 0 }, { 0x833, 0x10000 }, { 0x834, 0x10000 }, { 0x82F, 0x10000 },
		{ 0x809, 0 },
	};
	struct vm v;
	vm_init(&v, state);
	apic_on(&v);
	for (unsigned k = 0; k < sizeof bad_writes / sizeof bad_writes[0]; k++) {
		uint64_t before = 0;
		bool readable = lstar_rdmsr(v.m, bad_writes[k].idx, &before) == LSTAR_OK;
		struct lstar_exit ex = guest_msr(&v, true, bad_writes[k].idx, bad_writes[k].val);
		if (ex.event != LSTAR_EV_EXCEPTION)
			fail_msg("WRMSR 0x%x <- 0x%llx did not fault", bad_writes[k].idx,
				 (unsigned long long)bad_writes[k].val);
		expect_exception(&ex, 13, 0);
		uint64_t after = 0;
		if (readable) {
			assert_int_equal(lstar_rdmsr(v.m, bad_writes[k].idx, &after), LSTAR_OK);
			assert_int_equal(after, before);
		}
	}
	/* write-only: RDMSR faults; not modelled: RDMSR faults too */
	static const uint32_t bad_reads[] = { LSTAR_MSR_X2APIC_EOI, LSTAR_MSR_X2APIC_SELF_IPI, 0x830, 0x833, 0x8FF };
	for (unsigned k = 0; k < sizeof bad_reads / sizeof bad_reads[0]; k++) {
		setreg(&v, LSTAR_RAX, 0x55);
		struct lstar_exit ex = guest_msr(&v, false, bad_reads[k], 0x55);
		expect_exception(&ex, 13, 0);
		assert_int_equal(reg(&v, LSTAR_RAX), 0x55);
	}
	/* masks that are accepted: EOI 0, ESR 0, SVR focus bit, LVT read-only bits ignored */
	assert_int_equal(guest_msr(&v, true, LSTAR_MSR_X2APIC_EOI, 0).event, LSTAR_EV_NONE);
	assert_int_equal(guest_msr(&v, true, LSTAR_MSR_X2APIC_ESR, 0).event, LSTAR_EV_NONE);
	wrmsr(&v, LSTAR_MSR_X2APIC_SIVR, 0x3FF);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_SIVR), 0x3FF);
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, 0x11000 | VEC);        /* delivery status ignored */
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER), 0x10000 | VEC);
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_LINT0, 0x1F7FF);              /* remote IRR ignored */
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_LVT_LINT0), 0x1A7FF);
	wrmsr(&v, LSTAR_MSR_X2APIC_TPR, 0xFF);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_TPR), 0xFF);
	vm_free(&v);
}

/* SVR bit 8 clear (software-disabled, §10.4.7.2): every LVT entry is
 * masked and stays so; no new interrupt is accepted. */
static void test_software_disabled_apic(void **state)
{
	struct vm v;
	vm_init(&v, state);
	apic_on(&v);
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, VEC);
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_ERROR, 0x50);
	wrmsr(&v, LSTAR_MSR_X2APIC_SIVR, 0xFF);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER), 0x10000 | VEC);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_LVT_ERROR), 0x10050);
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, VEC);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER), 0x10000 | VEC);
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, VEC);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_IRR0 + 2), 0);
	assert_false(apic_raise(CPU(&v), VEC));
	/* enabled again: the masks stay until software clears them */
	wrmsr(&v, LSTAR_MSR_X2APIC_SIVR, 0x1FF);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER), 0x10000 | VEC);
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, VEC);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_IRR0 + 2), 1);
	vm_free(&v);
}

/* CPUID.1: x2APIC (ECX 21), TSC-deadline (ECX 24), initial APIC ID 0 in
 * EBX[31:24] like the ID register; no xAPIC (EDX 9): no MMIO page. */
static void test_cpuid_reports_x2apic(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t at = v.lay.kernel_code;
	PUT(&v, at, 0x0F, 0xA2);
	setreg(&v, LSTAR_RAX, 1);
	setreg(&v, LSTAR_RCX, 0);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_true(reg(&v, LSTAR_RCX) & (1u << 21));
	assert_true(reg(&v, LSTAR_RCX) & (1u << 24));
	assert_int_equal(reg(&v, LSTAR_RBX) >> 24, 0);
	assert_false(reg(&v, LSTAR_RDX) & (1u << 9));
	vm_free(&v);
}

/* ---- the timer ---------------------------------------------------- */

/* One-shot (§10.5.4): a count of N expires after exactly N instructions,
 * on the fast path (no stop requested: the interrupt runs into the HLT
 * stub) as on the careful one (stop at the delivery). */
static void test_oneshot_fires_at_exact_icount(void **state)
{
	static const uint32_t counts[] = { 1, 2, 7, 64, 65, 1000, 4097 };
	for (unsigned k = 0; k < sizeof counts / sizeof counts[0]; k++) {
		for (int careful = 0; careful < 2; careful++) {
			struct vm v;
			vm_init(&v, state);
			uint64_t l = spin(&v);
			apic_on(&v);
			setreg(&v, LSTAR_RFLAGS, 0x202);
			wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, VEC);
			uint64_t i0 = lstar_icount(v.m);
			uint32_t n = counts[k];
			wrmsr(&v, LSTAR_MSR_X2APIC_INIT_COUNT, n);
			assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_CUR_COUNT), n);
			struct lstar_exit ex = run(&v, careful ? LSTAR_EV_EXCEPTION : 0, 100000);
			if (careful) {
				expect_exception(&ex, VEC, 0);
				assert_false(ex.has_error_code);
				assert_int_equal(ex.icount - i0, n);
			} else {
				assert_int_equal(ex.event, LSTAR_EV_HALT);
				assert_int_equal(ex.icount - i0, n + 1);   /* + the stub's HLT */
			}
			struct frame f = read_frame(&v, 0);
			assert_int_equal(f.rip, (n & 1) ? l + 3 : l);
			assert_int_equal(f.rflags & 0x10202, 0x202);    /* IF set, RF clear */
			assert_int_equal(reg(&v, LSTAR_RAX), (n + 1) / 2);
			assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_CUR_COUNT), 0);
			assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_ISR0 + 2), 1);   /* vector 0x40 */
			assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_IRR0 + 2), 0);
			assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_PPR), 0x40);
			vm_free(&v);
		}
	}
}

/* The current count falls by one every (2 << dcr) instructions with the
 * divide configuration (Figure 10-10); a DCR change keeps the count. */
static void test_divide_configuration(void **state)
{
	static const struct { uint32_t dcr, div; } d[] = {
		{ 0xB, 1 }, { 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xA, 128 },
	};
	for (unsigned k = 0; k < sizeof d / sizeof d[0]; k++) {
		struct vm v;
		vm_init(&v, state);
		spin(&v);
		apic_on(&v);
		wrmsr(&v, LSTAR_MSR_X2APIC_DIV_CONF, d[k].dcr);
		wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, 0x10000 | VEC);   /* masked: just count */
		wrmsr(&v, LSTAR_MSR_X2APIC_INIT_COUNT, 1000);
		run(&v, 0, 10 * d[k].div);
		assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_CUR_COUNT), 990);
		if (d[k].div > 1)
			run(&v, 0, d[k].div - 1);   /* (0 would mean no limit) */
		assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_CUR_COUNT), 990);
		run(&v, 0, 1);
		assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_CUR_COUNT), 989);
		vm_free(&v);
	}
	struct vm v;
	vm_init(&v, state);
	spin(&v);
	apic_on(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, VEC);
	uint64_t i0 = lstar_icount(v.m);
	wrmsr(&v, LSTAR_MSR_X2APIC_INIT_COUNT, 100);
	run(&v, 0, 40);
	wrmsr(&v, LSTAR_MSR_X2APIC_DIV_CONF, 0x0);   /* 60 left, now 2 instructions each */
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_CUR_COUNT), 60);
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 1000);
	expect_exception(&ex, VEC, 0);
	assert_int_equal(ex.icount - i0, 40 + 120);
	vm_free(&v);
}

/* Periodic (§10.5.4): reloads at each expiry; the handler's first RDTSC
 * reads exactly N * 4 ticks more each time, whatever the handler costs.
 * A count of 0 stops it. */
static void test_periodic_timer(void **state)
{
	for (int careful = 0; careful < 2; careful++) {
		struct vm v;
		vm_init(&v, state);
		spin(&v);
		put_handler(&v, VEC, 0xE);
		apic_on(&v);
		setreg(&v, LSTAR_RFLAGS, 0x202);
		wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, TIMER_PERIODIC | VEC);
		uint64_t t0 = lstar_icount(v.m) * 4;   /* TSC now: no halts, no offset */
		wrmsr(&v, LSTAR_MSR_X2APIC_INIT_COUNT, 50);
		/* careful: an event mask forces the per-instruction path */
		struct lstar_exit ex = run(&v, careful ? LSTAR_EV_SYSCALL : 0, 50 * 6 + 10);
		assert_int_equal(ex.event, LSTAR_EV_LIMIT);
		assert_int_equal(reg(&v, LSTAR_R15), 6);
		for (int k = 0; k < 6; k++)
			assert_int_equal(rd64(&v, 0x60000 + 8 * k), t0 + 200 * (k + 1));
		assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_ISR0 + 2), 0);   /* EOI'd */
		wrmsr(&v, LSTAR_MSR_X2APIC_INIT_COUNT, 0);
		run(&v, 0, 500);
		assert_int_equal(reg(&v, LSTAR_R15), 6);
		vm_free(&v);
	}
}

/* TSC-deadline mode (§10.5.4.1): fires at the first boundary where TSC >=
 * the deadline, then reads 0; 0 disarms; the initial count is ignored;
 * in other modes the MSR reads 0 and writes are ignored; a mode change
 * disarms; a write to IA32_TSC moves the expiry with the TSC. */
static void test_tsc_deadline(void **state)
{
	struct vm v;
	vm_init(&v, state);
	spin(&v);
	put_handler(&v, VEC, 0xE);
	apic_on(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	wrmsr(&v, LSTAR_MSR_TSC_DEADLINE, 12345);          /* one-shot mode: ignored */
	assert_int_equal(rdmsr(&v, LSTAR_MSR_TSC_DEADLINE), 0);
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, TIMER_DEADLINE | VEC);
	wrmsr(&v, LSTAR_MSR_X2APIC_INIT_COUNT, 5);              /* ignored in this mode */
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_INIT_COUNT), 0);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_CUR_COUNT), 0);
	uint64_t tsc = rdmsr(&v, 0x10);
	wrmsr(&v, LSTAR_MSR_TSC_DEADLINE, tsc + 401);      /* not on a boundary: rounds up */
	assert_int_equal(rdmsr(&v, LSTAR_MSR_TSC_DEADLINE), tsc + 401);
	run(&v, 0, 100);
	assert_int_equal(reg(&v, LSTAR_R15), 0);
	run(&v, 0, 1);                                    /* TSC = tsc + 404 now */
	assert_int_equal(reg(&v, LSTAR_R15), 0);
	run(&v, 0, 1);                                    /* delivered; RDTSC ran */
	assert_int_equal(reg(&v, LSTAR_R15), 0);
	run(&v, 0, 9);
	assert_int_equal(reg(&v, LSTAR_R15), 1);
	assert_int_equal(rd64(&v, 0x60000), tsc + 404);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_TSC_DEADLINE), 0);  /* cleared on firing */
	/* a deadline in the past fires at the next boundary */
	wrmsr(&v, LSTAR_MSR_TSC_DEADLINE, 1);
	run(&v, 0, 20);
	assert_int_equal(reg(&v, LSTAR_R15), 2);
	/* 0 disarms */
	tsc = rdmsr(&v, 0x10);
	wrmsr(&v, LSTAR_MSR_TSC_DEADLINE, tsc + 40);
	wrmsr(&v, LSTAR_MSR_TSC_DEADLINE, 0);
	run(&v, 0, 100);
	assert_int_equal(reg(&v, LSTAR_R15), 2);
	/* a mode change disarms */
	tsc = rdmsr(&v, 0x10);
	wrmsr(&v, LSTAR_MSR_TSC_DEADLINE, tsc + 40);
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, VEC);
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, TIMER_DEADLINE | VEC);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_TSC_DEADLINE), 0);
	run(&v, 0, 100);
	assert_int_equal(reg(&v, LSTAR_R15), 2);
	/* moving the TSC forward brings the deadline closer */
	tsc = rdmsr(&v, 0x10);
	wrmsr(&v, LSTAR_MSR_TSC_DEADLINE, tsc + 1000000);
	wrmsr(&v, 0x10, tsc + 1000000 - 40);
	run(&v, 0, 20);
	assert_int_equal(reg(&v, LSTAR_R15), 3);
	vm_free(&v);
}

/* A masked LVT entry: the timer still expires (a one-shot count reaches
 * 0) but nothing is requested (§10.5.1 mask bit). */
static void test_masked_timer_requests_nothing(void **state)
{
	struct vm v;
	vm_init(&v, state);
	spin(&v);
	apic_on(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, 0x10000 | VEC);
	wrmsr(&v, LSTAR_MSR_X2APIC_INIT_COUNT, 10);
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 100);
	assert_int_equal(ex.event, LSTAR_EV_LIMIT);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_CUR_COUNT), 0);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_IRR0 + 2), 0);
	vm_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_x2apic_registers_need_x2apic_mode),
		BOTH(test_apic_base_transitions),
		ONE(test_x2apic_access_rules),
		ONE(test_software_disabled_apic),
		BOTH(test_cpuid_reports_x2apic),
		ONE(test_oneshot_fires_at_exact_icount),
		ONE(test_divide_configuration),
		ONE(test_periodic_timer),
		ONE(test_tsc_deadline),
		ONE(test_masked_timer_requests_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
