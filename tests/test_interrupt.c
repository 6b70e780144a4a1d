/*
 * test_interrupt.c - maskable interrupt delivery from the local APIC
 * (cpu/interrupt.c, cpu/exception.c): IF, the STI and MOV SS shadows,
 * TPR/PPR priority classes, ISR/EOI nesting, illegal vectors and ESR, EXT
 * in the error code of a faulting delivery, a device's apic_raise(), HLT
 * with its time jump and HLT with nothing to wake the CPU.
 *
 * Oracle: Intel SDM vol. 3A §6.8.1/§6.8.3 (IF, MOV SS), §6.13 (EXT),
 * §6.14 (64-bit delivery), §10.5.2-§10.5.3 and §10.8.3.1-§10.8.5 (APIC
 * chapter numbered 10), vol. 2A HLT, vol. 2B STI and MOV.
 */
#include "apic_harness.h"

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
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, VEC);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_IRR0 + 2), 1);
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
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, VEC);
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
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, VEC);
	ex = run(&v, LSTAR_EV_EXCEPTION, 100);
	assert_int_equal(ex.event, LSTAR_EV_HALT);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_IRR0 + 2), 1);
	vm_free(&v);

	/* POPF and IRETQ set IF with no shadow: taken right after them */
	vm_init(&v, state);
	apic_on(&v);
	at = v.lay.kernel_code;
	PUT(&v, at, 0x68, 0x02, 0x02, 0x00, 0x00,   /* push 0x202 */
	    0x9D,                                   /* popfq */
	    0x90);
	setreg(&v, LSTAR_RIP, at);
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, VEC);
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
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, VEC);
	uint64_t i0 = lstar_icount(v.m);
	wrmsr(&v, LSTAR_MSR_X2APIC_INIT_COUNT, 3);      /* due after the MOV SS */
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
	wrmsr(&v, LSTAR_MSR_X2APIC_TPR, 0x5A);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_PPR), 0x5A);
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, 0x5F);                 /* class 5: held */
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 50);
	assert_int_equal(ex.event, LSTAR_EV_LIMIT);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_IRR0 + 2), 1u << 31);
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, 0x61);                 /* class 6: taken */
	ex = run(&v, LSTAR_EV_EXCEPTION, 50);
	expect_exception(&ex, 0x61, 0);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_ISR0 + 3), 2);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_PPR), 0x60);    /* ISR class wins, low bits 0 */
	/* MOV CR8 from the guest: TPR[7:4] = 7, TPR[3:0] = 0 */
	uint64_t at = v.lay.kernel_code + 0x100;
	PUT(&v, at, 0x44, 0x0F, 0x22, 0xC0,                   /* mov cr8, rax */
	    0x44, 0x0F, 0x20, 0xC1);                          /* mov rcx, cr8 */
	setreg(&v, LSTAR_RIP, at);
	setreg(&v, LSTAR_RAX, 7);
	step(&v);
	step(&v);
	assert_int_equal(reg(&v, LSTAR_RCX), 7);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_TPR), 0x70);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_PPR), 0x70);
	/* lowering CR8 lets the class-5 vector in once the ISR is clear */
	PUT(&v, at, 0x44, 0x0F, 0x22, 0xC0, 0x90, 0x90);
	setreg(&v, LSTAR_RIP, at);
	setreg(&v, LSTAR_RAX, 0);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	ex = run(&v, LSTAR_EV_EXCEPTION, 3);
	assert_int_equal(ex.event, LSTAR_EV_LIMIT);             /* 0x61 in service */
	wrmsr(&v, LSTAR_MSR_X2APIC_EOI, 0);
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
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, 0x40);
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 0x40, 0);
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, 0x80);
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, 0x41);
	uint64_t i0 = lstar_icount(v.m);
	ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 0x80, 0);
	assert_int_equal(ex.icount, i0);                   /* before the handler's HLT */
	assert_int_equal(read_frame(&v, 0).rip, stub(&v, 0x40));
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_ISR0 + 2), 1);      /* 0x40 */
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_ISR0 + 4), 1);      /* 0x80 */
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_IRR0 + 2), 2);      /* 0x41 held */
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_PPR), 0x80);
	wrmsr(&v, LSTAR_MSR_X2APIC_EOI, 0);                             /* retires 0x80 */
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_ISR0 + 4), 0);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_PPR), 0x40);
	setreg(&v, LSTAR_RIP, v.lay.kernel_code);                 /* the spin loop, IF = 1 */
	ex = run(&v, LSTAR_EV_EXCEPTION, 1);
	assert_int_equal(ex.event, LSTAR_EV_LIMIT);               /* class 4 not > 4 */
	wrmsr(&v, LSTAR_MSR_X2APIC_EOI, 0);                             /* retires 0x40 */
	ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 0x41, 0);
	wrmsr(&v, LSTAR_MSR_X2APIC_EOI, 0);
	wrmsr(&v, LSTAR_MSR_X2APIC_EOI, 0);                             /* nothing in service: no effect */
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_PPR), 0);
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
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, 5);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_IRR0), 0);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_ESR), 0);
	wrmsr(&v, LSTAR_MSR_X2APIC_ESR, 0);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_ESR), 0x20);
	wrmsr(&v, LSTAR_MSR_X2APIC_ESR, 0);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_ESR), 0);
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, 3);
	wrmsr(&v, LSTAR_MSR_X2APIC_INIT_COUNT, 2);
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	assert_int_equal(ex.event, LSTAR_EV_LIMIT);
	wrmsr(&v, LSTAR_MSR_X2APIC_ESR, 0);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_ESR), 0x40);
	/* with the error LVT unmasked, the error is an interrupt */
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_ERROR, 0x50);
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, 15);
	ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 0x50, 0);
	vm_free(&v);

	vm_init(&v, state);
	spin(&v);
	apic_on(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	uint64_t sp = reg(&v, LSTAR_RSP);
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, 17);
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
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, VEC);
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 11, VEC * 8 + 3);
	vm_free(&v);

	vm_init(&v, state);
	spin(&v);
	apic_on(&v);
	to_user(&v);
	PUT(&v, USER_CODE, 0xEB, 0xFE);       /* jmp . at CPL 3 */
	setreg(&v, LSTAR_RFLAGS, 0x202);
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, 0xA0);  /* gate DPL 0 < CPL 3: still taken */
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
	wrmsr(&v, LSTAR_MSR_X2APIC_ESR, 0);
	assert_int_equal(rdmsr(&v, LSTAR_MSR_X2APIC_ESR), 0x40);
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
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, VEC);
	uint64_t i0 = lstar_icount(v.m);
	wrmsr(&v, LSTAR_MSR_X2APIC_INIT_COUNT, 10000);   /* 40000 ticks */
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
	wrmsr(&v, LSTAR_MSR_X2APIC_SELF_IPI, VEC);
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
	wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, TIMER_DEADLINE | VEC);
	uint64_t dl = rdmsr(&v, 0x10) + 12345;
	wrmsr(&v, LSTAR_MSR_TSC_DEADLINE, dl);
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
			wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, 0x10000 | VEC);
			wrmsr(&v, LSTAR_MSR_X2APIC_INIT_COUNT, 100);
		} else if (kind == 2) {
			wrmsr(&v, LSTAR_MSR_X2APIC_TPR, 0x40);
			wrmsr(&v, LSTAR_MSR_X2APIC_LVT_TIMER, VEC);
			wrmsr(&v, LSTAR_MSR_X2APIC_INIT_COUNT, 100);
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
