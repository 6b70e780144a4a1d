/*
 * test_apic.c - the local APIC in x2APIC mode, its timer, and maskable
 * interrupt delivery (cpu/apic.c, cpu/interrupt.c).
 *
 * Oracle: Intel SDM vol. 3A chapter "Advanced Programmable Interrupt
 * Controller" (numbered 10 in the editions cited here: §10.4.3, §10.4.7,
 * §10.5.1-§10.5.4.1, §10.8.3.1-§10.8.6.1, §10.9, §10.12 and Table 10-6),
 * §6.8.1/§6.8.3 (IF, MOV SS), §6.13 (EXT), vol. 2A HLT, vol. 2B STI and
 * MOV.  Guest code runs through the public API (sys_harness.h); a few
 * checks read cpu.idle_ticks or call apic_raise() from the inside, as a
 * device of the board would.
 *
 * Timing convention: with the divide configuration at 1 (DCR = 0xB) the
 * count drops by one per retired instruction, so a count of N written
 * when I instructions have retired expires at the boundary where icount
 * is I + N, before the instruction with that index runs.
 */
#include "sys_harness.h"
/* cpu.h has its own spelling of these */
#undef EFER_SCE
#undef EFER_LME
#undef EFER_LMA
#undef EFER_NXE
#include "emu/machine.h"
#include "cpu/apic.h"
#include "msr/msr.h"

#define APICBASE 0x1BU
#define EXTD (1ULL << 10)
#define VEC 0x40
#define DIV1 0xB

static struct cpu *CPU(struct vm *v) { return &((struct machine *)v->m)->cpu; }

/* x2APIC mode, software-enabled, divide by 1. */
static void apic_on(struct vm *v)
{
	wrmsr(v, APICBASE, 0xFEE00900ULL | EXTD);
	wrmsr(v, MSR_X2APIC_SIVR, 0x1FF);
	wrmsr(v, MSR_X2APIC_DIV_CONF, DIV1);
}

/* Point IDT gate `vec` at `target` (type 0xE interrupt, 0xF trap). */
static void set_handler(struct vm *v, unsigned vec, uint64_t target, unsigned type)
{
	uint64_t a = v->lay.idt + 16 * vec;
	uint64_t lo = (target & 0xFFFF) | (0x10ULL << 16) | ((uint64_t)(0x80 | type) << 40) |
		      (((target >> 16) & 0xFFFF) << 48);
	wr64(v, a, lo);
	wr64(v, a + 8, target >> 32);
}

/* A one-block loop at kernel code: l: inc rax; jmp l. */
static uint64_t spin(struct vm *v)
{
	uint64_t at = v->lay.kernel_code;
	PUT(v, at, 0x48, 0xFF, 0xC0, 0xEB, 0xFB);
	setreg(v, LSTAR_RIP, at);
	setreg(v, LSTAR_RAX, 0);
	return at;
}

/* The handler used where interrupts must come back: records the TSC in
 * [rdi + r15*8], counts in r15, EOI, IRETQ (10 instructions). */
#define HANDLER_OFF 0x800
static uint64_t put_handler(struct vm *v, unsigned vec, unsigned type)
{
	uint64_t h = v->lay.kernel_code + HANDLER_OFF;
	PUT(v, h, 0x0F, 0x31,                    /* rdtsc */
	    0x48, 0xC1, 0xE2, 0x20,              /* shl rdx, 32 */
	    0x48, 0x09, 0xD0,                    /* or rax, rdx */
	    0x4A, 0x89, 0x04, 0xFF,              /* mov [rdi + r15*8], rax */
	    0x49, 0xFF, 0xC7,                    /* inc r15 */
	    0xB9, 0x0B, 0x08, 0x00, 0x00,        /* mov ecx, 0x80B (EOI) */
	    0x31, 0xC0,                          /* xor eax, eax */
	    0x31, 0xD2,                          /* xor edx, edx */
	    0x0F, 0x30,                          /* wrmsr */
	    0x48, 0xCF);                         /* iretq */
	set_handler(v, vec, h, type);
	setreg(v, LSTAR_R15, 0);
	setreg(v, LSTAR_RDI, 0x60000);           /* the TSC log */
	return h;
}

/* Run a guest RDMSR/WRMSR at CPL 0 and return the exit. */
static struct lstar_exit guest_msr(struct vm *v, bool write, uint32_t idx, uint64_t val)
{
	uint64_t at = v->lay.kernel_code + 0x600;
	if (write)
		PUT(v, at, 0x0F, 0x30);
	else
		PUT(v, at, 0x0F, 0x32);
	setreg(v, LSTAR_RIP, at);
	setreg(v, LSTAR_RCX, idx);
	setreg(v, LSTAR_RAX, (uint32_t)val);
	setreg(v, LSTAR_RDX, val >> 32);
	return step(v);
}

/* ---- x2APIC mode and the registers -------------------------------- */

/* The x2APIC registers raise #GP(0) unless IA32_APIC_BASE has EN = EXTD
 * = 1 (§10.12.2); then ID 0, version 0x30014, LDR 1 (§10.12.10.2). */
static void test_x2apic_registers_need_x2apic_mode(void **state)
{
	struct vm v;
	vm_init(&v, state);
	assert_int_equal(rdmsr(&v, APICBASE), 0xFEE00900ULL);   /* EN | BSP */
	struct lstar_exit ex = guest_msr(&v, false, MSR_X2APIC_VERSION, 0);
	expect_exception(&ex, 13, 0);
	uint64_t x;
	assert_int_equal(lstar_rdmsr(v.m, MSR_X2APIC_TPR, &x), LSTAR_ERR_MSR);
	assert_int_equal(lstar_wrmsr(v.m, MSR_X2APIC_TPR, 0), LSTAR_ERR_MSR);
	vm_free(&v);

	vm_init(&v, state);
	ex = guest_msr(&v, true, APICBASE, 0xFEE00900ULL | EXTD);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(rdmsr(&v, APICBASE), 0xFEE00D00ULL);
	ex = guest_msr(&v, false, MSR_X2APIC_VERSION, 0);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RAX), 0x30014);
	assert_int_equal(reg(&v, LSTAR_RDX), 0);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_APICID), 0);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_LDR), 1);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_SIVR), 0xFF);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_LVT_TIMER), 0x10000);
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
	wrmsr(&v, MSR_X2APIC_SIVR, 0x1F0);
	wrmsr(&v, MSR_X2APIC_TPR, 0x20);
	/* x2APIC -> xAPIC: #GP */
	assert_int_equal(lstar_wrmsr(v.m, APICBASE, base | en), LSTAR_ERR_MSR);
	/* x2APIC -> disabled: allowed, and the registers go back to reset */
	wrmsr(&v, APICBASE, base);
	assert_int_equal(rdmsr(&v, APICBASE), base | (1ULL << 8));
	uint64_t x;
	assert_int_equal(lstar_rdmsr(v.m, MSR_X2APIC_SIVR, &x), LSTAR_ERR_MSR);
	/* disabled -> x2APIC: #GP; disabled -> xAPIC -> x2APIC: fine */
	assert_int_equal(lstar_wrmsr(v.m, APICBASE, base | en | EXTD), LSTAR_ERR_MSR);
	wrmsr(&v, APICBASE, base | en);
	wrmsr(&v, APICBASE, base | en | EXTD);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_SIVR), 0xFF);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_TPR), 0);
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
		{ MSR_X2APIC_TPR, 0x100 }, { MSR_X2APIC_TPR, 1ULL << 32 },
		{ MSR_X2APIC_SIVR, 1u << 10 }, { MSR_X2APIC_SIVR, 1u << 12 },
		{ MSR_X2APIC_DIV_CONF, 4 }, { MSR_X2APIC_DIV_CONF, 0x10 },
		{ MSR_X2APIC_LVT_TIMER, 1u << 8 }, { MSR_X2APIC_LVT_TIMER, 3u << 17 },
		{ MSR_X2APIC_LVT_TIMER, 1u << 19 }, { MSR_X2APIC_LVT_ERROR, 1u << 8 },
		{ MSR_X2APIC_LVT_LINT0, 1u << 11 }, { MSR_X2APIC_LVT_LINT1, 1u << 17 },
		{ MSR_X2APIC_INIT_COUNT, 1ULL << 32 }, { MSR_X2APIC_SELF_IPI, 0x100 },
		{ MSR_X2APIC_EOI, 1 }, { MSR_X2APIC_ESR, 1 },
		/* read-only */
		{ MSR_X2APIC_APICID, 0 }, { MSR_X2APIC_VERSION, 0x30014 }, { MSR_X2APIC_PPR, 0 },
		{ MSR_X2APIC_LDR, 1 }, { MSR_X2APIC_ISR0, 0 }, { MSR_X2APIC_TMR0 + 3, 0 },
		{ MSR_X2APIC_IRR0 + 7, 0 }, { MSR_X2APIC_CUR_COUNT, 0 },
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
	static const uint32_t bad_reads[] = { MSR_X2APIC_EOI, MSR_X2APIC_SELF_IPI, 0x830, 0x833, 0x8FF };
	for (unsigned k = 0; k < sizeof bad_reads / sizeof bad_reads[0]; k++) {
		setreg(&v, LSTAR_RAX, 0x55);
		struct lstar_exit ex = guest_msr(&v, false, bad_reads[k], 0x55);
		expect_exception(&ex, 13, 0);
		assert_int_equal(reg(&v, LSTAR_RAX), 0x55);
	}
	/* masks that are accepted: EOI 0, ESR 0, SVR focus bit, LVT read-only bits ignored */
	assert_int_equal(guest_msr(&v, true, MSR_X2APIC_EOI, 0).event, LSTAR_EV_NONE);
	assert_int_equal(guest_msr(&v, true, MSR_X2APIC_ESR, 0).event, LSTAR_EV_NONE);
	wrmsr(&v, MSR_X2APIC_SIVR, 0x3FF);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_SIVR), 0x3FF);
	wrmsr(&v, MSR_X2APIC_LVT_TIMER, 0x11000 | VEC);        /* delivery status ignored */
	assert_int_equal(rdmsr(&v, MSR_X2APIC_LVT_TIMER), 0x10000 | VEC);
	wrmsr(&v, MSR_X2APIC_LVT_LINT0, 0x1F7FF);              /* remote IRR ignored */
	assert_int_equal(rdmsr(&v, MSR_X2APIC_LVT_LINT0), 0x1A7FF);
	wrmsr(&v, MSR_X2APIC_TPR, 0xFF);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_TPR), 0xFF);
	vm_free(&v);
}

/* SVR bit 8 clear (software-disabled, §10.4.7.2): every LVT entry is
 * masked and stays so; no new interrupt is accepted. */
static void test_software_disabled_apic(void **state)
{
	struct vm v;
	vm_init(&v, state);
	apic_on(&v);
	wrmsr(&v, MSR_X2APIC_LVT_TIMER, VEC);
	wrmsr(&v, MSR_X2APIC_LVT_ERROR, 0x50);
	wrmsr(&v, MSR_X2APIC_SIVR, 0xFF);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_LVT_TIMER), 0x10000 | VEC);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_LVT_ERROR), 0x10050);
	wrmsr(&v, MSR_X2APIC_LVT_TIMER, VEC);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_LVT_TIMER), 0x10000 | VEC);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, VEC);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_IRR0 + 2), 0);
	assert_false(apic_raise(CPU(&v), VEC));
	/* enabled again: the masks stay until software clears them */
	wrmsr(&v, MSR_X2APIC_SIVR, 0x1FF);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_LVT_TIMER), 0x10000 | VEC);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, VEC);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_IRR0 + 2), 1);
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
			wrmsr(&v, MSR_X2APIC_LVT_TIMER, VEC);
			uint64_t i0 = lstar_icount(v.m);
			uint32_t n = counts[k];
			wrmsr(&v, MSR_X2APIC_INIT_COUNT, n);
			assert_int_equal(rdmsr(&v, MSR_X2APIC_CUR_COUNT), n);
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
			assert_int_equal(rdmsr(&v, MSR_X2APIC_CUR_COUNT), 0);
			assert_int_equal(rdmsr(&v, MSR_X2APIC_ISR0 + 2), 1);   /* vector 0x40 */
			assert_int_equal(rdmsr(&v, MSR_X2APIC_IRR0 + 2), 0);
			assert_int_equal(rdmsr(&v, MSR_X2APIC_PPR), 0x40);
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
		wrmsr(&v, MSR_X2APIC_DIV_CONF, d[k].dcr);
		wrmsr(&v, MSR_X2APIC_LVT_TIMER, 0x10000 | VEC);   /* masked: just count */
		wrmsr(&v, MSR_X2APIC_INIT_COUNT, 1000);
		run(&v, 0, 10 * d[k].div);
		assert_int_equal(rdmsr(&v, MSR_X2APIC_CUR_COUNT), 990);
		if (d[k].div > 1)
			run(&v, 0, d[k].div - 1);   /* (0 would mean no limit) */
		assert_int_equal(rdmsr(&v, MSR_X2APIC_CUR_COUNT), 990);
		run(&v, 0, 1);
		assert_int_equal(rdmsr(&v, MSR_X2APIC_CUR_COUNT), 989);
		vm_free(&v);
	}
	struct vm v;
	vm_init(&v, state);
	spin(&v);
	apic_on(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	wrmsr(&v, MSR_X2APIC_LVT_TIMER, VEC);
	uint64_t i0 = lstar_icount(v.m);
	wrmsr(&v, MSR_X2APIC_INIT_COUNT, 100);
	run(&v, 0, 40);
	wrmsr(&v, MSR_X2APIC_DIV_CONF, 0x0);   /* 60 left, now 2 instructions each */
	assert_int_equal(rdmsr(&v, MSR_X2APIC_CUR_COUNT), 60);
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
		wrmsr(&v, MSR_X2APIC_LVT_TIMER, TIMER_PERIODIC | VEC);
		uint64_t t0 = lstar_icount(v.m) * 4;   /* TSC now: no halts, no offset */
		wrmsr(&v, MSR_X2APIC_INIT_COUNT, 50);
		/* careful: an event mask forces the per-instruction path */
		struct lstar_exit ex = run(&v, careful ? LSTAR_EV_SYSCALL : 0, 50 * 6 + 10);
		assert_int_equal(ex.event, LSTAR_EV_LIMIT);
		assert_int_equal(reg(&v, LSTAR_R15), 6);
		for (int k = 0; k < 6; k++)
			assert_int_equal(rd64(&v, 0x60000 + 8 * k), t0 + 200 * (k + 1));
		assert_int_equal(rdmsr(&v, MSR_X2APIC_ISR0 + 2), 0);   /* EOI'd */
		wrmsr(&v, MSR_X2APIC_INIT_COUNT, 0);
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
	wrmsr(&v, MSR_IA32_TSC_DEADLINE, 12345);          /* one-shot mode: ignored */
	assert_int_equal(rdmsr(&v, MSR_IA32_TSC_DEADLINE), 0);
	wrmsr(&v, MSR_X2APIC_LVT_TIMER, TIMER_DEADLINE | VEC);
	wrmsr(&v, MSR_X2APIC_INIT_COUNT, 5);              /* ignored in this mode */
	assert_int_equal(rdmsr(&v, MSR_X2APIC_INIT_COUNT), 0);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_CUR_COUNT), 0);
	uint64_t tsc = rdmsr(&v, 0x10);
	wrmsr(&v, MSR_IA32_TSC_DEADLINE, tsc + 401);      /* not on a boundary: rounds up */
	assert_int_equal(rdmsr(&v, MSR_IA32_TSC_DEADLINE), tsc + 401);
	run(&v, 0, 100);
	assert_int_equal(reg(&v, LSTAR_R15), 0);
	run(&v, 0, 1);                                    /* TSC = tsc + 404 now */
	assert_int_equal(reg(&v, LSTAR_R15), 0);
	run(&v, 0, 1);                                    /* delivered; RDTSC ran */
	assert_int_equal(reg(&v, LSTAR_R15), 0);
	run(&v, 0, 9);
	assert_int_equal(reg(&v, LSTAR_R15), 1);
	assert_int_equal(rd64(&v, 0x60000), tsc + 404);
	assert_int_equal(rdmsr(&v, MSR_IA32_TSC_DEADLINE), 0);  /* cleared on firing */
	/* a deadline in the past fires at the next boundary */
	wrmsr(&v, MSR_IA32_TSC_DEADLINE, 1);
	run(&v, 0, 20);
	assert_int_equal(reg(&v, LSTAR_R15), 2);
	/* 0 disarms */
	tsc = rdmsr(&v, 0x10);
	wrmsr(&v, MSR_IA32_TSC_DEADLINE, tsc + 40);
	wrmsr(&v, MSR_IA32_TSC_DEADLINE, 0);
	run(&v, 0, 100);
	assert_int_equal(reg(&v, LSTAR_R15), 2);
	/* a mode change disarms */
	tsc = rdmsr(&v, 0x10);
	wrmsr(&v, MSR_IA32_TSC_DEADLINE, tsc + 40);
	wrmsr(&v, MSR_X2APIC_LVT_TIMER, VEC);
	wrmsr(&v, MSR_X2APIC_LVT_TIMER, TIMER_DEADLINE | VEC);
	assert_int_equal(rdmsr(&v, MSR_IA32_TSC_DEADLINE), 0);
	run(&v, 0, 100);
	assert_int_equal(reg(&v, LSTAR_R15), 2);
	/* moving the TSC forward brings the deadline closer */
	tsc = rdmsr(&v, 0x10);
	wrmsr(&v, MSR_IA32_TSC_DEADLINE, tsc + 1000000);
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
	wrmsr(&v, MSR_X2APIC_LVT_TIMER, 0x10000 | VEC);
	wrmsr(&v, MSR_X2APIC_INIT_COUNT, 10);
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 100);
	assert_int_equal(ex.event, LSTAR_EV_LIMIT);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_CUR_COUNT), 0);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_IRR0 + 2), 0);
	vm_free(&v);
}

/* ---- delivery: IF, shadows, priorities ---------------------------- */

/* IF = 0 holds a requested interrupt (§6.8.1); STI with IF = 0 delays it
 * past the next instruction (SDM vol. 2B STI), so it is taken with the
 * RIP after that one.  STI followed by CLI lets nothing in. */
static void test_sti_shadow(void **state)
{
	struct vm v;
	vm_init(&v, state);
	apic_on(&v);
	uint64_t at = v.lay.kernel_code;
	PUT(&v, at, 0x90, 0x90,               /* nop; nop (IF = 0) */
	    0xFB,                             /* sti */
	    0x90,                             /* nop: in the shadow */
	    0x90, 0x90);                      /* interrupted before this one */
	setreg(&v, LSTAR_RIP, at);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, VEC);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_IRR0 + 2), 1);
	uint64_t i0 = lstar_icount(v.m);
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 100);
	expect_exception(&ex, VEC, 0);
	assert_int_equal(ex.icount - i0, 4);
	assert_int_equal(read_frame(&v, 0).rip, at + 4);
	vm_free(&v);

	/* step by step: the STI step, the shadowed NOP, then the delivery */
	vm_init(&v, state);
	apic_on(&v);
	at = v.lay.kernel_code;
	PUT(&v, at, 0xFB, 0x90, 0x90);
	setreg(&v, LSTAR_RIP, at);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, VEC);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	assert_int_equal(step(&v).event, LSTAR_EV_NONE);
	ex = step(&v);
	expect_exception(&ex, VEC, 0);
	assert_int_equal(read_frame(&v, 0).rip, at + 2);
	vm_free(&v);

	/* sti; cli: never */
	vm_init(&v, state);
	apic_on(&v);
	at = v.lay.kernel_code;
	PUT(&v, at, 0xFB, 0xFA, 0x90, 0xF4);  /* sti; cli; nop; hlt */
	setreg(&v, LSTAR_RIP, at);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, VEC);
	ex = run(&v, LSTAR_EV_EXCEPTION, 100);
	assert_int_equal(ex.event, LSTAR_EV_HALT);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_IRR0 + 2), 1);
	vm_free(&v);

	/* POPF and IRETQ set IF with no shadow: taken right after them */
	vm_init(&v, state);
	apic_on(&v);
	at = v.lay.kernel_code;
	PUT(&v, at, 0x68, 0x02, 0x02, 0x00, 0x00,   /* push 0x202 */
	    0x9D,                                   /* popfq */
	    0x90);
	setreg(&v, LSTAR_RIP, at);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, VEC);
	ex = run(&v, LSTAR_EV_EXCEPTION, 100);
	expect_exception(&ex, VEC, 0);
	assert_int_equal(read_frame(&v, 0).rip, at + 6);
	vm_free(&v);
}

/* MOV SS inhibits interrupts and the single-step trap until the next
 * instruction has run (SDM vol. 2B MOV; vol. 3A §6.8.3). */
static void test_mov_ss_shadow(void **state)
{
	struct vm v;
	vm_init(&v, state);
	apic_on(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	uint64_t at = v.lay.kernel_code;
	PUT(&v, at, 0x90, 0x90,               /* nop; nop */
	    0x8E, 0xD0,                       /* mov ss, ax: the count ends here */
	    0x48, 0x89, 0xDC,                 /* mov rsp, rbx */
	    0x90);
	setreg(&v, LSTAR_RIP, at);
	setreg(&v, LSTAR_RAX, 0x18);
	setreg(&v, LSTAR_RBX, v.lay.kernel_stack_top - 0x100);
	wrmsr(&v, MSR_X2APIC_LVT_TIMER, VEC);
	uint64_t i0 = lstar_icount(v.m);
	wrmsr(&v, MSR_X2APIC_INIT_COUNT, 3);      /* due after the MOV SS */
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 100);
	expect_exception(&ex, VEC, 0);
	assert_int_equal(ex.icount - i0, 4);
	struct frame f = read_frame(&v, 0);
	assert_int_equal(f.rip, at + 7);
	assert_int_equal(f.rsp, v.lay.kernel_stack_top - 0x100);   /* the new stack */
	vm_free(&v);

	/* single step: no #DB after MOV SS, one after the next instruction */
	vm_init(&v, state);
	at = v.lay.kernel_code;
	PUT(&v, at, 0x8E, 0xD0, 0x48, 0x89, 0xDC, 0x90);
	setreg(&v, LSTAR_RIP, at);
	setreg(&v, LSTAR_RAX, 0x18);
	setreg(&v, LSTAR_RBX, v.lay.kernel_stack_top - 0x100);
	setreg(&v, LSTAR_RFLAGS, 0x102);
	ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(reg(&v, LSTAR_RIP), at + 2);
	ex = step(&v);
	expect_exception(&ex, 1, 0);
	assert_int_equal(read_frame(&v, 0).rip, at + 5);
	vm_free(&v);
}

/* TPR and PPR (§10.8.3.1, §10.8.4): a vector is taken only when its
 * class (vector >> 4) is above PPR's; CR8 is TPR[7:4] (§10.8.6.1). */
static void test_tpr_ppr_priority(void **state)
{
	struct vm v;
	vm_init(&v, state);
	spin(&v);
	apic_on(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	wrmsr(&v, MSR_X2APIC_TPR, 0x5A);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_PPR), 0x5A);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, 0x5F);                 /* class 5: held */
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 50);
	assert_int_equal(ex.event, LSTAR_EV_LIMIT);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_IRR0 + 2), 1u << 31);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, 0x61);                 /* class 6: taken */
	ex = run(&v, LSTAR_EV_EXCEPTION, 50);
	expect_exception(&ex, 0x61, 0);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_ISR0 + 3), 2);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_PPR), 0x60);    /* ISR class wins, low bits 0 */
	/* MOV CR8 from the guest: TPR[7:4] = 7, TPR[3:0] = 0 */
	uint64_t at = v.lay.kernel_code + 0x100;
	PUT(&v, at, 0x44, 0x0F, 0x22, 0xC0,                   /* mov cr8, rax */
	    0x44, 0x0F, 0x20, 0xC1);                          /* mov rcx, cr8 */
	setreg(&v, LSTAR_RIP, at);
	setreg(&v, LSTAR_RAX, 7);
	step(&v);
	step(&v);
	assert_int_equal(reg(&v, LSTAR_RCX), 7);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_TPR), 0x70);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_PPR), 0x70);
	/* lowering CR8 lets the class-5 vector in once the ISR is clear */
	PUT(&v, at, 0x44, 0x0F, 0x22, 0xC0, 0x90, 0x90);
	setreg(&v, LSTAR_RIP, at);
	setreg(&v, LSTAR_RAX, 0);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	ex = run(&v, LSTAR_EV_EXCEPTION, 3);
	assert_int_equal(ex.event, LSTAR_EV_LIMIT);             /* 0x61 in service */
	wrmsr(&v, MSR_X2APIC_EOI, 0);
	setreg(&v, LSTAR_RIP, at + 4);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	ex = run(&v, LSTAR_EV_EXCEPTION, 3);
	expect_exception(&ex, 0x5F, 0);
	assert_int_equal(read_frame(&v, 0).rip, at + 4);
	vm_free(&v);
}

/* Nesting through a trap gate (IF stays 1): a higher class preempts the
 * handler before its first instruction; EOI retires the highest ISR bit
 * first (§10.8.5) and a held lower vector then gets in. */
static void test_isr_eoi_nesting(void **state)
{
	struct vm v;
	vm_init(&v, state);
	spin(&v);
	apic_on(&v);
	set_gate(&v, 0x40, 0, 0, 0xF);   /* trap gates: IF stays set */
	set_gate(&v, 0x80, 0, 0, 0xF);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, 0x40);
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 0x40, 0);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, 0x80);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, 0x41);
	uint64_t i0 = lstar_icount(v.m);
	ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 0x80, 0);
	assert_int_equal(ex.icount, i0);                   /* before the handler's HLT */
	assert_int_equal(read_frame(&v, 0).rip, stub(&v, 0x40));
	assert_int_equal(rdmsr(&v, MSR_X2APIC_ISR0 + 2), 1);      /* 0x40 */
	assert_int_equal(rdmsr(&v, MSR_X2APIC_ISR0 + 4), 1);      /* 0x80 */
	assert_int_equal(rdmsr(&v, MSR_X2APIC_IRR0 + 2), 2);      /* 0x41 held */
	assert_int_equal(rdmsr(&v, MSR_X2APIC_PPR), 0x80);
	wrmsr(&v, MSR_X2APIC_EOI, 0);                             /* retires 0x80 */
	assert_int_equal(rdmsr(&v, MSR_X2APIC_ISR0 + 4), 0);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_PPR), 0x40);
	setreg(&v, LSTAR_RIP, v.lay.kernel_code);                 /* the spin loop, IF = 1 */
	ex = run(&v, LSTAR_EV_EXCEPTION, 1);
	assert_int_equal(ex.event, LSTAR_EV_LIMIT);               /* class 4 not > 4 */
	wrmsr(&v, MSR_X2APIC_EOI, 0);                             /* retires 0x40 */
	ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 0x41, 0);
	wrmsr(&v, MSR_X2APIC_EOI, 0);
	wrmsr(&v, MSR_X2APIC_EOI, 0);                             /* nothing in service: no effect */
	assert_int_equal(rdmsr(&v, MSR_X2APIC_PPR), 0);
	vm_free(&v);
}

/* Vectors 0-15 (§10.5.2, §10.5.3): a SELF IPI sets ESR bit 5 (send
 * illegal vector), an LVT entry bit 6 (receive illegal vector); nothing
 * is delivered; ESR shows them after the next write, which clears them;
 * the LVT error entry signals them.  Vectors 16-31 are legal: delivered
 * as interrupts, with no error code even on #AC's number. */
static void test_illegal_vectors_and_esr(void **state)
{
	struct vm v;
	vm_init(&v, state);
	spin(&v);
	apic_on(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, 5);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_IRR0), 0);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_ESR), 0);
	wrmsr(&v, MSR_X2APIC_ESR, 0);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_ESR), 0x20);
	wrmsr(&v, MSR_X2APIC_ESR, 0);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_ESR), 0);
	wrmsr(&v, MSR_X2APIC_LVT_TIMER, 3);
	wrmsr(&v, MSR_X2APIC_INIT_COUNT, 2);
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	assert_int_equal(ex.event, LSTAR_EV_LIMIT);
	wrmsr(&v, MSR_X2APIC_ESR, 0);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_ESR), 0x40);
	/* with the error LVT unmasked, the error is an interrupt */
	wrmsr(&v, MSR_X2APIC_LVT_ERROR, 0x50);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, 15);
	ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 0x50, 0);
	vm_free(&v);

	vm_init(&v, state);
	spin(&v);
	apic_on(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	uint64_t sp = reg(&v, LSTAR_RSP);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, 17);
	ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 17, 0);
	assert_false(ex.has_error_code);
	assert_int_equal(reg(&v, LSTAR_RSP), sp - 40);
	assert_int_equal(read_frame(&v, 0).rflags & (1u << 16), 0);   /* RF as it was */
	vm_free(&v);
}

/* A fault while delivering an external interrupt has EXT = 1 in its
 * error code (§6.13) and is no double fault: a not-present gate gives
 * #NP(vector * 8 + 2 + 1), an IDT too short #GP(vector * 8 + 2 + 1).
 * The DPL of the gate is not checked (that is for INT n). */
static void test_delivery_faults_set_ext(void **state)
{
	struct vm v;
	vm_init(&v, state);
	spin(&v);
	apic_on(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	uint64_t g = rd64(&v, v.lay.idt + 16 * VEC);
	wr64(&v, v.lay.idt + 16 * VEC, g & ~(1ULL << 47));
	wrmsr(&v, MSR_X2APIC_SELF_IPI, VEC);
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 11, VEC * 8 + 3);
	vm_free(&v);

	vm_init(&v, state);
	spin(&v);
	apic_on(&v);
	to_user(&v);
	PUT(&v, USER_CODE, 0xEB, 0xFE);       /* jmp . at CPL 3 */
	setreg(&v, LSTAR_RFLAGS, 0x202);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, 0xA0);  /* gate DPL 0 < CPL 3: still taken */
	ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 0xA0, 0);
	assert_int_equal(lstar_get_cpl(v.m), 0);
	assert_int_equal(read_frame(&v, 0).cs, 0x33);
	vm_free(&v);

	vm_init(&v, state);
	spin(&v);
	apic_on(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	/* IDT limit below gate 0x40 */
	uint64_t at = v.lay.kernel_code + 0x100;
	static uint8_t idtr[10];
	uint16_t lim = 0x40 * 16 - 1;
	memcpy(idtr, &lim, 2);
	memcpy(idtr + 2, &v.lay.idt, 8);
	put(&v, 0x61000, idtr, 10);
	PUT(&v, at, 0x0F, 0x01, 0x1C, 0x25, 0x00, 0x10, 0x06, 0x00,  /* lidt [0x61000] */
	    0xB9, 0x3F, 0x08, 0x00, 0x00,                           /* mov ecx, 0x83F */
	    0xB8, 0x40, 0x00, 0x00, 0x00,                           /* mov eax, 0x40 */
	    0x31, 0xD2,                                             /* xor edx, edx */
	    0x0F, 0x30,                                             /* wrmsr */
	    0x90);
	setreg(&v, LSTAR_RIP, at);
	ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 13, VEC * 8 + 3);
	assert_int_equal(read_frame(&v, 1).rip, at + 22);   /* the interrupted NOP */
	vm_free(&v);
}

/* A device's interrupt (apic_raise, the board's entry point) waits in
 * the IRR like any other and is taken at the next boundary with IF = 1. */
static void test_device_interrupt(void **state)
{
	struct vm v;
	vm_init(&v, state);
	spin(&v);
	apic_on(&v);
	assert_false(apic_raise(CPU(&v), 7));              /* illegal: ESR bit 6 */
	wrmsr(&v, MSR_X2APIC_ESR, 0);
	assert_int_equal(rdmsr(&v, MSR_X2APIC_ESR), 0x40);
	assert_true(apic_raise(CPU(&v), 0x33));
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	assert_int_equal(ex.event, LSTAR_EV_LIMIT);        /* IF = 0 */
	setreg(&v, LSTAR_RFLAGS, 0x202);
	uint64_t i0 = lstar_icount(v.m);
	ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 0x33, 0);
	assert_int_equal(ex.icount, i0);
	vm_free(&v);
}

/* ---- HLT ---------------------------------------------------------- */

/* HLT with IF = 1 and an armed timer: the CPU jumps to the expiry
 * (idle_ticks), the interrupt is taken with RIP after the HLT, and the
 * handler's first RDTSC reads the expiry exactly.  The wait is real time
 * outside --seed: 40000 ticks are 10 microseconds. */
static void test_hlt_wakes_at_timer_expiry(void **state)
{
	struct vm v;
	vm_init(&v, state);
	put_handler(&v, VEC, 0xE);
	apic_on(&v);
	uint64_t at = v.lay.kernel_code;
	PUT(&v, at, 0xFB, 0xF4,               /* sti; hlt */
	    0xFA, 0xF4);                      /* cli; hlt */
	setreg(&v, LSTAR_RIP, at);
	wrmsr(&v, MSR_X2APIC_LVT_TIMER, VEC);
	uint64_t i0 = lstar_icount(v.m);
	wrmsr(&v, MSR_X2APIC_INIT_COUNT, 10000);   /* 40000 ticks */
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 100);
	expect_exception(&ex, VEC, 0);
	assert_int_equal(ex.icount - i0, 2);       /* STI and HLT retired */
	assert_int_equal(read_frame(&v, 0).rip, at + 2);
	assert_int_equal(CPU(&v)->idle_ticks, 40000 - 2 * 4);
	ex = run(&v, 0, 100);
	assert_int_equal(ex.event, LSTAR_EV_HALT);  /* the CLI; HLT after the return */
	assert_int_equal(rd64(&v, 0x60000), i0 * 4 + 40000);
	assert_int_equal(reg(&v, LSTAR_R15), 1);
	vm_free(&v);

	/* already pending: no time passes */
	vm_init(&v, state);
	put_handler(&v, VEC, 0xE);
	apic_on(&v);
	at = v.lay.kernel_code;
	PUT(&v, at, 0xFB, 0xF4, 0xFA, 0xF4);
	setreg(&v, LSTAR_RIP, at);
	wrmsr(&v, MSR_X2APIC_SELF_IPI, VEC);
	ex = run(&v, LSTAR_EV_EXCEPTION, 100);
	expect_exception(&ex, VEC, 0);
	assert_int_equal(read_frame(&v, 0).rip, at + 2);
	assert_int_equal(CPU(&v)->idle_ticks, 0);
	vm_free(&v);

	/* TSC-deadline: the handler reads the deadline itself */
	vm_init(&v, state);
	put_handler(&v, VEC, 0xE);
	apic_on(&v);
	at = v.lay.kernel_code;
	PUT(&v, at, 0xFB, 0xF4, 0xFA, 0xF4);
	setreg(&v, LSTAR_RIP, at);
	wrmsr(&v, MSR_X2APIC_LVT_TIMER, TIMER_DEADLINE | VEC);
	uint64_t dl = rdmsr(&v, 0x10) + 12345;
	wrmsr(&v, MSR_IA32_TSC_DEADLINE, dl);
	ex = run(&v, 0, 100);
	assert_int_equal(ex.event, LSTAR_EV_HALT);
	assert_int_equal(rd64(&v, 0x60000), dl);
	vm_free(&v);
}

/* HLT with IF = 1 and nothing that could ever wake the CPU stops the
 * machine like HLT with IF = 0 (status 125 in the CLI), with a message
 * saying so; a masked timer or a vector below the priority cannot wake
 * it either. */
static void test_hlt_if1_nothing_armed_stops(void **state)
{
	for (int kind = 0; kind < 3; kind++) {
		struct vm v;
		vm_init(&v, state);
		apic_on(&v);
		uint64_t at = v.lay.kernel_code;
		PUT(&v, at, 0xFB, 0xF4, 0x90);
		setreg(&v, LSTAR_RIP, at);
		if (kind == 1) {
			wrmsr(&v, MSR_X2APIC_LVT_TIMER, 0x10000 | VEC);
			wrmsr(&v, MSR_X2APIC_INIT_COUNT, 100);
		} else if (kind == 2) {
			wrmsr(&v, MSR_X2APIC_TPR, 0x40);
			wrmsr(&v, MSR_X2APIC_LVT_TIMER, VEC);
			wrmsr(&v, MSR_X2APIC_INIT_COUNT, 100);
		}
		struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 100);
		assert_int_equal(ex.event, LSTAR_EV_HALT);
		assert_non_null(strstr(ex.message, "HLT with interrupts enabled and no armed timer: "
					"nothing can wake the CPU"));
		assert_int_equal(reg(&v, LSTAR_RIP), at + 2);
		assert_int_equal(CPU(&v)->idle_ticks, 0);
		if (kind == 1)
			assert_non_null(strstr(ex.message, "masked"));
		vm_free(&v);
	}
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
		ONE(test_sti_shadow),
		ONE(test_mov_ss_shadow),
		ONE(test_tpr_ppr_priority),
		ONE(test_isr_eoi_nesting),
		ONE(test_illegal_vectors_and_esr),
		ONE(test_delivery_faults_set_ext),
		ONE(test_device_interrupt),
		ONE(test_hlt_wakes_at_timer_expiry),
		ONE(test_hlt_if1_nothing_armed_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
