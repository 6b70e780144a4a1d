/*
 * test_exceptions.c - 64-bit exception/interrupt delivery and IRETQ,
 * docs/spec/syscall-sysret.md §4 and §6 cases 36-45, plus #DF / triple fault.
 * Oracle: SDM vol. 3A §6.14 (64-bit IDT, stack frame, IST), §6.12.1.2
 * (RF in the pushed RFLAGS), §6.15 (per-vector reference, Table 6-5
 * double faults), §4.7 (#PF error code), vol. 2A INT n / IRET pseudo-code.
 */
#include "sys_harness.h"

/* Case 36: user write to a supervisor page -> #PF, error code 7
 * (P | W | U), CR2 = the address, frame on TSS.RSP0, RF = 1 in the
 * pushed RFLAGS (fault class). */
static void test_user_pf_on_supervisor_page(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t target = v.lay.kernel_code + 0x900;
	PUT(&v, USER_CODE, 0x88, 0x03);                   /* mov [rbx], al */
	to_user(&v);
	setreg(&v, LSTAR_RBX, target);
	setreg(&v, LSTAR_RFLAGS, 0x246);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 14, 7);
	assert_int_equal(reg(&v, LSTAR_CR2), target);
	assert_int_equal(reg(&v, LSTAR_RSP), v.lay.kernel_stack_top - 48);
	struct frame f = read_frame(&v, 1);
	assert_int_equal(f.err, 7);
	assert_int_equal(f.rip, USER_CODE);
	assert_int_equal(f.cs, 0x33);
	assert_int_equal(f.rflags, 0x10246);
	assert_int_equal(f.rsp, USER_STACK);
	assert_int_equal(f.ss, 0x2B);
	/* After delivery: CPL 0, SS = NULL selector, IF cleared (interrupt gate). */
	assert_int_equal(lstar_get_cpl(v.m), 0);
	assert_int_equal(seg_sel(&v, LSTAR_SS), 0);
	assert_int_equal(seg_sel(&v, LSTAR_CS), 0x10);
	assert_int_equal(reg(&v, LSTAR_RFLAGS), 0x46);
	vm_free(&v);
}

/* Case 37: user INT3 through a DPL-0 gate -> #GP(3*8+2 = 0x1A), a fault
 * at the INT3 (SDM INT n: "IF software interrupt AND gate DPL < CPL THEN
 * #GP(vector*8 + 2)"; EXT = 0 for INT n). */
static void test_user_int3_dpl0_gate_gp(void **state)
{
	struct vm v;
	vm_init(&v, state);
	PUT(&v, USER_CODE, 0xCC);
	to_user(&v);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0x1A);
	struct frame f = read_frame(&v, 1);
	assert_int_equal(f.err, 0x1A);
	assert_int_equal(f.rip, USER_CODE);
	assert_int_equal(f.cs, 0x33);
	vm_free(&v);
}

/* Case 38: INT 0x80 through a DPL-3 gate: no error code, RIP after the
 * instruction, RF as it was (0 here: no RF forced for INT n). */
static void test_int80_dpl3_gate_no_error_code(void **state)
{
	struct vm v;
	vm_init(&v, state);
	set_gate(&v, 0x80, 3, 0, 0xE);
	PUT(&v, USER_CODE, 0xCD, 0x80);
	to_user(&v);
	setreg(&v, LSTAR_RFLAGS, 0x246);
	struct lstar_exit ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, 0x80);
	assert_int_equal(reg(&v, LSTAR_RIP), stub(&v, 0x80));
	assert_int_equal(reg(&v, LSTAR_RSP), v.lay.kernel_stack_top - 40);
	struct frame f = read_frame(&v, 0);
	assert_int_equal(f.rip, USER_CODE + 2);
	assert_int_equal(f.cs, 0x33);
	assert_int_equal(f.rflags, 0x246);
	assert_int_equal(f.rsp, USER_STACK);
	assert_int_equal(f.ss, 0x2B);
	vm_free(&v);
}

/* Case 39: INT 13 from user to a DPL-3 gate: it is a software interrupt,
 * so no error code is pushed even though #GP normally has one. */
static void test_int13_user_dpl3_gate_no_error_code(void **state)
{
	struct vm v;
	vm_init(&v, state);
	set_gate(&v, 13, 3, 0, 0xF);
	PUT(&v, USER_CODE, 0xCD, 0x0D);
	to_user(&v);
	setreg(&v, LSTAR_RFLAGS, 0x202);
	struct lstar_exit ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, 13);
	assert_int_equal(reg(&v, LSTAR_RSP), v.lay.kernel_stack_top - 40);
	struct frame f = read_frame(&v, 0);
	assert_int_equal(f.rip, USER_CODE + 2);
	assert_int_equal(f.cs, 0x33);
	/* trap gate: IF stays set */
	assert_true(reg(&v, LSTAR_RFLAGS) & RF_IF);
	vm_free(&v);
}

/* Case 40: IST stack selection - an IST gate always switches stacks, even
 * without a privilege change (SDM §6.14.5). */
static void test_ist_stack_selection(void **state)
{
	struct vm v;
	vm_init(&v, state);
	set_gate(&v, 6, 0, 3, 0xE);
	uint64_t at = v.lay.kernel_code;
	PUT(&v, at, 0x0F, 0x0B);                           /* ud2 */
	uint64_t ksp = v.lay.kernel_stack_top - 0x200;
	setreg(&v, LSTAR_RSP, ksp);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 6, 0);
	assert_int_equal(reg(&v, LSTAR_RSP), v.lay.ist_top[3] - 40);
	struct frame f = read_frame(&v, 0);
	assert_int_equal(f.rip, at);
	assert_int_equal(f.rsp, ksp);
	assert_int_equal(f.cs, 0x10);
	assert_int_equal(f.ss, 0x18);
	vm_free(&v);
}

/* Case 41: CPL 0 -> CPL 0 fault: SS:RSP pushed anyway, RSP aligned down to
 * 16 before the pushes (SDM §6.14.2). */
static void test_cpl0_fault_pushes_ss_rsp_aligned(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t at = v.lay.kernel_code;
	PUT(&v, at, 0x0F, 0x0B);                           /* ud2 */
	uint64_t ksp = v.lay.kernel_stack_top - 0x108;     /* 8 mod 16 */
	setreg(&v, LSTAR_RSP, ksp);
	setreg(&v, LSTAR_RFLAGS, 0x2);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 6, 0);
	assert_int_equal(reg(&v, LSTAR_RSP), (ksp & ~0xFULL) - 40);
	struct frame f = read_frame(&v, 0);
	assert_int_equal(f.rip, at);
	assert_int_equal(f.cs, 0x10);
	assert_int_equal(f.rflags, 0x10002);
	assert_int_equal(f.rsp, ksp);
	assert_int_equal(f.ss, 0x18);
	assert_int_equal(seg_sel(&v, LSTAR_SS), 0x18);      /* no privilege change */
	vm_free(&v);
}

/* Build an IRETQ frame on the kernel stack and point RIP at an IRETQ. */
static uint64_t iret_setup(struct vm *v, uint64_t rip, uint64_t cs, uint64_t fl,
			   uint64_t rsp, uint64_t ss)
{
	uint64_t at = v->lay.kernel_code;
	uint64_t sp = v->lay.kernel_stack_top - 0x100;
	PUT(v, at, 0x48, 0xCF);                           /* iretq */
	wr64(v, sp, rip);
	wr64(v, sp + 8, cs);
	wr64(v, sp + 16, fl);
	wr64(v, sp + 24, rsp);
	wr64(v, sp + 32, ss);
	setreg(v, LSTAR_RSP, sp);
	setreg(v, LSTAR_RIP, at);
	return at;
}

static void test_iretq_to_user(void **state)
{
	struct vm v;
	vm_init(&v, state);
	iret_setup(&v, USER_CODE, 0x33, 0x246, USER_STACK, 0x2B);
	struct lstar_exit ex = step(&v);
	assert_int_equal(ex.event, LSTAR_EV_IRET);
	assert_int_equal(reg(&v, LSTAR_RIP), USER_CODE);
	assert_int_equal(reg(&v, LSTAR_RSP), USER_STACK);
	assert_int_equal(reg(&v, LSTAR_RFLAGS), 0x246);
	assert_int_equal(lstar_get_cpl(v.m), 3);
	assert_int_equal(seg_sel(&v, LSTAR_CS), 0x33);
	assert_int_equal(seg_sel(&v, LSTAR_SS), 0x2B);
	/* DS/ES held the DPL-0 kernel data segment: nulled on the way out */
	assert_int_equal(seg_sel(&v, LSTAR_DS), 0);
	vm_free(&v);
}

/* Case 42: IRETQ with NT = 1 -> #GP(0) (no task return in IA-32e mode). */
static void test_iretq_nt_set_gp(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t at = iret_setup(&v, USER_CODE, 0x33, 0x246, USER_STACK, 0x2B);
	setreg(&v, LSTAR_RFLAGS, 0x2 | RF_NT);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0);
	assert_int_equal(read_frame(&v, 1).rip, at);
	assert_int_equal(lstar_get_cpl(v.m), 0);
	vm_free(&v);
}

/* Case 43: IRETQ to a non-canonical RIP -> #GP(0) at the IRETQ, at CPL 0
 * (the frame is checked before anything is loaded). */
static void test_iretq_noncanonical_rip_gp(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t at = iret_setup(&v, 0x0000800000000000ULL, 0x33, 0x246, USER_STACK, 0x2B);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0);
	struct frame f = read_frame(&v, 1);
	assert_int_equal(f.rip, at);
	assert_int_equal(f.cs, 0x10);
	assert_int_equal(lstar_get_cpl(v.m), 0);
	vm_free(&v);
}

/* IRETQ selector checks: a CS with RPL 3 naming a DPL-0 segment ->
 * #GP(selector); an SS whose RPL differs from CS.RPL -> #GP(selector). */
static void test_iretq_bad_selectors_gp(void **state)
{
	struct vm v;
	vm_init(&v, state);
	iret_setup(&v, USER_CODE, 0x13, 0x246, USER_STACK, 0x2B);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 13, 0x10);
	vm_free(&v);

	vm_init(&v, state);
	iret_setup(&v, USER_CODE, 0x33, 0x246, USER_STACK, 0x18);
	ex = step(&v);
	expect_exception(&ex, 13, 0x18);
	vm_free(&v);
}

/* Case 44: IRETQ with TF in the frame: the #DB comes after the first user
 * instruction (TF is sampled at the start of each instruction), unlike
 * SYSRET where it comes before. */
static void test_iretq_tf_traps_after_first_user_insn(void **state)
{
	struct vm v;
	vm_init(&v, state);
	iret_setup(&v, USER_CODE, 0x33, 0x302, USER_STACK, 0x2B);
	PUT(&v, USER_CODE, 0x48, 0xFF, 0xC0, 0x48, 0xFF, 0xC0);   /* inc rax; inc rax */
	setreg(&v, LSTAR_RAX, 0);
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	assert_int_equal(ex.vector, 1);
	assert_int_equal(reg(&v, LSTAR_RAX), 1);
	struct frame f = read_frame(&v, 0);
	assert_int_equal(f.rip, USER_CODE + 3);
	assert_int_equal(f.cs, 0x33);
	vm_free(&v);
}

/* Case 45: instruction fetch from an NX page (EFER.NXE = 1) -> #PF with
 * the I/D bit: error = P | U | I/D = 0x15, CR2 = RIP = the target. */
static void test_nx_fetch_pf_id_bit(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t target = USER_BASE + 0x200000;
	wrmsr(&v, LSTAR_MSR_EFER, rdmsr(&v, LSTAR_MSR_EFER) | LSTAR_MSR_EFER_NXE);
	/* the PDE of `target` (2 MiB page) gets XD */
	uint64_t pdpt = rd64(&v, v.lay.pml4) & 0xFFFFFFFFF000ULL;
	uint64_t pd = rd64(&v, pdpt) & 0xFFFFFFFFF000ULL;
	uint64_t pde = rd64(&v, pd + 8 * (target >> 21));
	assert_true(pde & 0x80);
	wr64(&v, pd + 8 * (target >> 21), pde | (1ULL << 63));
	setreg(&v, LSTAR_CR3, reg(&v, LSTAR_CR3));   /* flush */
	PUT(&v, USER_CODE, 0xFF, 0xE0);                /* jmp rax */
	to_user(&v);
	setreg(&v, LSTAR_RAX, target);
	struct lstar_exit ex = run(&v, LSTAR_EV_EXCEPTION, 10);
	expect_exception(&ex, 14, 0x15);
	assert_int_equal(reg(&v, LSTAR_CR2), target);
	struct frame f = read_frame(&v, 1);
	assert_int_equal(f.rip, target);
	assert_int_equal(f.cs, 0x33);
	vm_free(&v);
}

/* #GP whose gate is not present: the #NP(13*8+2+EXT) raised while
 * delivering a contributory #GP is contributory too -> #DF (Table 6-5),
 * error code 0, abort class. */
static void test_contributory_twice_double_fault(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t a = v.lay.idt + 16 * 13 + 5;
	uint8_t b;
	lstar_read_phys(v.m, a, &b, 1);
	b &= 0x7F;                                     /* gate 13 not present */
	put(&v, a, &b, 1);
	PUT(&v, USER_CODE, 0xFA);                      /* cli at CPL 3, IOPL 0: #GP */
	to_user(&v);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 8, 0);
	struct frame f = read_frame(&v, 1);
	assert_int_equal(f.err, 0);
	assert_int_equal(f.cs, 0x33);
	assert_int_equal(f.rip, USER_CODE);
	vm_free(&v);
}

/* A benign #UD whose gate is not present: the #NP is delivered serially
 * with error code 6*8 + 2 + EXT(1) = 0x33. */
static void test_benign_then_np_serial(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t a = v.lay.idt + 16 * 6 + 5;
	uint8_t b;
	lstar_read_phys(v.m, a, &b, 1);
	b &= 0x7F;
	put(&v, a, &b, 1);
	uint64_t at = v.lay.kernel_code;
	PUT(&v, at, 0x0F, 0x0B);
	struct lstar_exit ex = step(&v);
	expect_exception(&ex, 11, 0x33);
	assert_int_equal(read_frame(&v, 1).rip, at);
	vm_free(&v);
}

/* #PF while delivering #PF (TSS.RSP0 unmapped) -> #DF, delivered on IST 1
 * as Linux does; with IST 0 it would fault again -> triple fault. */
static void test_pf_during_pf_double_fault_then_triple(void **state)
{
	for (int ist = 1; ist >= 0; ist--) {
		struct vm v;
		vm_init(&v, state);
		wr64(&v, v.lay.tss + 4, 0x20000000);          /* RSP0 beyond RAM: unmapped */
		set_gate(&v, 8, 0, (unsigned)ist, 0xE);
		PUT(&v, USER_CODE, 0x88, 0x03);               /* mov [rbx], al */
		to_user(&v);
		setreg(&v, LSTAR_RBX, 0x1000);
		struct lstar_exit ex;
		memset(&ex, 0, sizeof ex);
		lstar_run(v.m, LSTAR_EV_EXCEPTION, 5, &ex);
		if (ist) {
			expect_exception(&ex, 8, 0);
			assert_int_equal(reg(&v, LSTAR_RSP), v.lay.ist_top[1] - 48);
		} else {
			assert_int_equal(ex.event, LSTAR_EV_TRIPLE_FAULT);
			assert_non_null(strstr(ex.message, "triple fault"));
		}
		vm_free(&v);
	}
}

/* IDTR.limit = 0: any exception escalates to a triple fault
 * (docs/spec/platform.md §3/§5). */
static void test_no_idt_triple_fault(void **state)
{
	struct vm v;
	vm_init(&v, state);
	uint64_t at = v.lay.kernel_code;
	uint64_t desc = at + 0x400;
	uint8_t zero[10] = { 0 };
	put(&v, desc, zero, sizeof zero);
	/* lidt [desc] (abs32 via SIB); ud2 */
	uint8_t code[] = { 0x0F, 0x01, 0x1C, 0x25, 0, 0, 0, 0, 0x0F, 0x0B };
	uint32_t d32 = (uint32_t)desc;
	memcpy(code + 4, &d32, 4);
	put(&v, at, code, sizeof code);
	struct lstar_exit ex;
	memset(&ex, 0, sizeof ex);
	lstar_run(v.m, LSTAR_EV_EXCEPTION, 10, &ex);
	assert_int_equal(ex.event, LSTAR_EV_TRIPLE_FAULT);
	assert_non_null(strstr(ex.message, "#DF"));
	vm_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_user_pf_on_supervisor_page),
		BOTH(test_user_int3_dpl0_gate_gp),
		BOTH(test_int80_dpl3_gate_no_error_code),
		BOTH(test_int13_user_dpl3_gate_no_error_code),
		BOTH(test_ist_stack_selection),
		BOTH(test_cpl0_fault_pushes_ss_rsp_aligned),
		BOTH(test_iretq_to_user),
		BOTH(test_iretq_nt_set_gp),
		BOTH(test_iretq_noncanonical_rip_gp),
		BOTH(test_iretq_bad_selectors_gp),
		BOTH(test_iretq_tf_traps_after_first_user_insn),
		BOTH(test_nx_fetch_pf_id_bit),
		BOTH(test_contributory_twice_double_fault),
		BOTH(test_benign_then_np_serial),
		BOTH(test_pf_during_pf_double_fault_then_triple),
		BOTH(test_no_idt_triple_fault),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
