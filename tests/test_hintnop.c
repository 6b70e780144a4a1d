/*
 * test_hintnop.c - the hint-NOP space 0F 18-1F (and 0F 0D) and the CET
 * instructions on a CPU without CET and without MPX, encoding by encoding
 * (SDM vol. 2D appendix A table A-3; vol. 2 "NOP", "PREFETCHh",
 * "CLDEMOTE", "ENDBR32/64", "RDSSPD/RDSSPQ", the BNDxx pages, "INCSSPD/Q",
 * "SAVEPREVSSP", "RSTORSSP", "WRSSD/Q", "WRUSSD/Q", "SETSSBSY",
 * "CLRSSBSY").
 *
 * A NOP-space encoding must retire with its full length, change no
 * register (RDSSP included: its destination keeps its value) and no flag,
 * and never touch its memory operand: RAX, the base of every memory form
 * here, points at an unmapped page or at a non-canonical address, so any
 * access would fault.  The shadow-stack instructions outside that space
 * are #UD while CR4.CET = 0, with nothing changed and RIP at the
 * instruction.  tests/diff (family "hintnop") compares the same space with
 * the host CPU.
 */
#include "move_harness.h"

struct enc {
	const char *what;
	uint8_t b[15];
	uint8_t len;
};

/* Every register gets a distinct value; RAX is the memory base. */
static void load_regs(struct fx *fx, uint64_t rax)
{
	for (int r = LSTAR_RAX; r <= LSTAR_R15; r++)
		set(fx, (enum lstar_reg)r, 0x1111111111111111ULL * (uint64_t)(r + 1));
	set(fx, LSTAR_RAX, rax);
	set(fx, LSTAR_RSP, STACK_TOP);
	set(fx, LSTAR_RFLAGS, 0x2 | F_CF | F_ZF | F_OF);
}

static void check_regs(struct fx *fx, uint64_t rax, const char *what)
{
	for (int r = LSTAR_RAX; r <= LSTAR_R15; r++) {
		uint64_t want = r == LSTAR_RAX ? rax :
				r == LSTAR_RSP ? STACK_TOP : 0x1111111111111111ULL * (uint64_t)(r + 1);
		if (reg(fx, (enum lstar_reg)r) != want)
			print_error("%s: register %d changed\n", what, r);
		assert_int_equal(reg(fx, (enum lstar_reg)r), want);
	}
	assert_int_equal(reg(fx, LSTAR_RFLAGS) & 0xFFF, 0x2 | F_CF | F_ZF | F_OF);
}

/* Run one NOP-space encoding with RAX = base: it must retire as a NOP. */
static void expect_nop(struct fx *fx, const struct enc *e, uint64_t base)
{
	uint64_t k = fx->lay.kernel_code;
	code_at(fx, k, e->b, e->len);
	load_regs(fx, base);
	struct lstar_exit ex = run(fx, 1);
	if (ex.event != LSTAR_EV_LIMIT)
		print_error("%s: event %#x vector %d (%s)\n", e->what, ex.event, ex.vector, ex.message);
	assert_int_equal(ex.event, LSTAR_EV_LIMIT);
	if (reg(fx, LSTAR_RIP) != k + e->len)
		print_error("%s: length %llu, want %u\n", e->what,
			    (unsigned long long)(reg(fx, LSTAR_RIP) - k), e->len);
	assert_int_equal(reg(fx, LSTAR_RIP), k + e->len);
	check_regs(fx, base, e->what);
}

/* Run one encoding that must raise #UD at itself with nothing changed. */
static void expect_ud(struct fx *fx, const struct enc *e, uint64_t base)
{
	uint64_t k = fx->lay.kernel_code;
	code_at(fx, k, e->b, e->len);
	load_regs(fx, base);
	struct lstar_exit ex = run(fx, 1);
	if (ex.event != LSTAR_EV_EXCEPTION || ex.vector != 6)
		print_error("%s: event %#x vector %d, want #UD\n", e->what, ex.event, ex.vector);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, 6);
	assert_false(ex.has_error_code);
	assert_int_equal(fault_rip(fx, &ex), k);
	/* The frame: RIP, CS, RFLAGS, RSP, SS (no error code). */
	uint64_t frame[5];
	assert_int_equal(lstar_read_virt(fx->m, reg(fx, LSTAR_RSP), frame, sizeof frame), LSTAR_OK);
	assert_int_equal(frame[2] & 0xFFF, 0x2 | F_CF | F_ZF | F_OF);
	assert_int_equal(frame[3], STACK_TOP);
	for (int r = LSTAR_RAX; r <= LSTAR_R15; r++)
		if (r != LSTAR_RSP)
			assert_int_equal(reg(fx, (enum lstar_reg)r),
					 r == LSTAR_RAX ? base : 0x1111111111111111ULL * (uint64_t)(r + 1));
}

#define E(what, ...) { what, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }) }

/* The NOP space, prefix and ModRM combinations that name different
 * instructions on other CPUs.  Memory forms use [rax]. */
static const struct enc nops[] = {
	E("prefetchnta [rax]", 0x0F, 0x18, 0x00),
	E("prefetcht0 [rax]", 0x0F, 0x18, 0x08),
	E("prefetcht1 [rax]", 0x0F, 0x18, 0x10),
	E("prefetcht2 [rax]", 0x0F, 0x18, 0x18),
	E("0F 18 /4 (reserved NOP)", 0x0F, 0x18, 0x20),
	E("0F 18 /7 (reserved NOP)", 0x0F, 0x18, 0x38),
	E("0F 18 mod=11 (reserved NOP)", 0x0F, 0x18, 0xC1),
	E("66 0F 18 /1", 0x66, 0x0F, 0x18, 0x08),
	E("0F 19 [sib+disp32]", 0x0F, 0x19, 0x84, 0x88, 0x00, 0x10, 0x00, 0x00),
	E("0F 19 mod=11", 0x0F, 0x19, 0xC0),
	E("bndldx bnd0, [rax] (NP 0F 1A)", 0x0F, 0x1A, 0x00),
	E("bndldx bnd4 (0F 1A /4)", 0x0F, 0x1A, 0x20),
	E("bndmov bnd0, bnd1 (66 0F 1A)", 0x66, 0x0F, 0x1A, 0xC1),
	E("bndmov bnd5, [rax] (66 0F 1A /5)", 0x66, 0x0F, 0x1A, 0x28),
	E("bndcl bnd0, [rax] (F3 0F 1A)", 0xF3, 0x0F, 0x1A, 0x00),
	E("bndcl bnd0, rax (F3 0F 1A mod=11)", 0xF3, 0x0F, 0x1A, 0xC0),
	E("bndcu bnd1, [rax] (F2 0F 1A)", 0xF2, 0x0F, 0x1A, 0x08),
	E("bndstx [rax], bnd0 (NP 0F 1B)", 0x0F, 0x1B, 0x00),
	E("bndmov [rax], bnd3 (66 0F 1B)", 0x66, 0x0F, 0x1B, 0x18),
	E("bndmk bnd0, [rax] (F3 0F 1B)", 0xF3, 0x0F, 0x1B, 0x00),
	E("bndmk bnd0, [rip+0] (RIP-relative)", 0xF3, 0x0F, 0x1B, 0x05, 0x00, 0x00, 0x00, 0x00),
	E("bndmk bnd7, [rax] (F3 0F 1B /7)", 0xF3, 0x0F, 0x1B, 0x38),
	E("bndcn bnd2, [rax] (F2 0F 1B)", 0xF2, 0x0F, 0x1B, 0x10),
	E("67 bndcl bnd0, [eax]", 0x67, 0xF3, 0x0F, 0x1A, 0x00),
	E("cldemote [rax] (0F 1C /0)", 0x0F, 0x1C, 0x00),
	E("0F 1C /1", 0x0F, 0x1C, 0x08),
	E("0F 1C mod=11", 0x0F, 0x1C, 0xC0),
	E("0F 1D [rax]", 0x0F, 0x1D, 0x00),
	E("0F 1E [rax]", 0x0F, 0x1E, 0x00),
	E("0F 1E /1 mod=11 (no F3)", 0x0F, 0x1E, 0xC8),
	E("endbr64", 0xF3, 0x0F, 0x1E, 0xFA),
	E("endbr32", 0xF3, 0x0F, 0x1E, 0xFB),
	E("rdsspd eax", 0xF3, 0x0F, 0x1E, 0xC8),
	E("rdsspq rax", 0xF3, 0x48, 0x0F, 0x1E, 0xC8),
	E("rdsspq r15", 0xF3, 0x49, 0x0F, 0x1E, 0xCF),
	E("66 rdssp (66 F3 0F 1E /1)", 0x66, 0xF3, 0x0F, 0x1E, 0xC9),
	E("F3 0F 1E /1 with memory (not RDSSP)", 0xF3, 0x0F, 0x1E, 0x08),
	E("F3 0F 1E /7 rm=0 (not ENDBR)", 0xF3, 0x0F, 0x1E, 0xF8),
	E("F2 0F 1E /1 mod=11", 0xF2, 0x0F, 0x1E, 0xC8),
	E("nop dword [rax]", 0x0F, 0x1F, 0x00),
	E("nop word [rax+rax+0]", 0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00),
	E("nop dword [rax+0x100]", 0x0F, 0x1F, 0x80, 0x00, 0x01, 0x00, 0x00),
	E("cs nop word [rax+rax+0] (10 bytes)", 0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00),
	E("0F 1F /3 (reserved NOP)", 0x0F, 0x1F, 0x18),
	E("0F 1F mod=11 /7", 0x0F, 0x1F, 0xF9),
	E("rex.w 0F 1F", 0x48, 0x0F, 0x1F, 0x00),
	E("prefetch [rax] (0F 0D /0)", 0x0F, 0x0D, 0x00),
	E("prefetchw [rax] (0F 0D /1)", 0x0F, 0x0D, 0x08),
	E("prefetchwt1 [rax] (0F 0D /2)", 0x0F, 0x0D, 0x10),
};

/* With RAX at an unmapped page (a #PF on any access) and at a
 * non-canonical address (a #GP on any access). */
static void test_hint_nop_space(void **state)
{
	struct fx *fx = *state;
	for (size_t n = 0; n < sizeof nops / sizeof nops[0]; n++) {
		expect_nop(fx, &nops[n], RAM_END + 0x10000);
		expect_nop(fx, &nops[n], 0x8000000000000000ULL);
	}
}

/* glibc's _get_ssp(): xor eax, eax; rdsspq rax -> 0 means "no shadow
 * stack", and the unwinder skips the shadow-stack walk.  A program's
 * every C++ throw / Rust panic goes through it. */
static void test_rdsspq_reads_zero_after_xor(void **state)
{
	struct fx *fx = *state;
	CODE(fx, 0x31, 0xC0, 0xF3, 0x48, 0x0F, 0x1E, 0xC8);  /* xor eax, eax; rdsspq rax */
	set(fx, LSTAR_RAX, 0x1234567812345678ULL);
	run_ok(fx, 2);
	assert_int_equal(reg(fx, LSTAR_RAX), 0);
	assert_int_equal(reg(fx, LSTAR_RIP), fx->lay.kernel_code + 7);
}

/* The shadow-stack instructions outside the NOP space: #UD (CR4.CET = 0)
 * before any privilege check or memory access, at CPL 0 as at CPL 3. */
static const struct enc cet_ud[] = {
	E("incsspd eax", 0xF3, 0x0F, 0xAE, 0xE8),
	E("incsspq rax", 0xF3, 0x48, 0x0F, 0xAE, 0xE8),
	E("saveprevssp", 0xF3, 0x0F, 0x01, 0xEA),
	E("rstorssp [rax]", 0xF3, 0x0F, 0x01, 0x28),
	E("wrssd [rax], eax", 0x0F, 0x38, 0xF6, 0x00),
	E("wrssq [rax], rax", 0x48, 0x0F, 0x38, 0xF6, 0x00),
	E("wrussd [rax], eax", 0x66, 0x0F, 0x38, 0xF5, 0x00),
	E("wrussq [rax], rax", 0x66, 0x48, 0x0F, 0x38, 0xF5, 0x00),
	E("setssbsy", 0xF3, 0x0F, 0x01, 0xE8),
	E("clrssbsy [rax]", 0xF3, 0x0F, 0xAE, 0x30),
};

static void test_shadow_stack_instructions_ud(void **state)
{
	struct fx *fx = *state;
	for (size_t n = 0; n < sizeof cet_ud / sizeof cet_ud[0]; n++)
		expect_ud(fx, &cet_ud[n], DATA);
}

/* Also from user mode: WRUSS and SETSSBSY would be #GP(0) at CPL 3 with
 * CET on; with CR4.CET = 0 the #UD comes first. */
static void test_shadow_stack_instructions_ud_cpl3(void **state)
{
	struct fx *fx = *state;
	uint64_t at = USER_BASE + 0x1000;
	for (size_t n = 0; n < sizeof cet_ud / sizeof cet_ud[0]; n++) {
		fx_reset(state);
		code_at(fx, at, cet_ud[n].b, cet_ud[n].len);
		lstar_enter_cpl(fx->m, 3, 0x33, 0x2B);
		set(fx, LSTAR_RSP, USER_BASE + 0x3000);
		set(fx, LSTAR_RAX, USER_BASE + 0x2000);
		struct lstar_exit ex = run(fx, 1);
		if (ex.event != LSTAR_EV_EXCEPTION || ex.vector != 6)
			print_error("%s at CPL 3: event %#x vector %d\n", cet_ud[n].what, ex.event, ex.vector);
		assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
		assert_int_equal(ex.vector, 6);
		/* CPL 3 -> 0 frame on TSS.RSP0: RIP, CS, RFLAGS, RSP, SS. */
		uint64_t frame[5];
		assert_int_equal(lstar_read_virt(fx->m, reg(fx, LSTAR_RSP), frame, sizeof frame), LSTAR_OK);
		assert_int_equal(frame[0], at);
		assert_int_equal(frame[1], 0x33);
		assert_int_equal(frame[3], USER_BASE + 0x3000);
	}
}

/* LOCK is #UD on every NOP-space encoding (SDM: "#UD if the LOCK prefix
 * is used"). */
static void test_lock_on_hint_nops_ud(void **state)
{
	struct fx *fx = *state;
	static const struct enc locked[] = {
		E("lock nop [rax]", 0xF0, 0x0F, 0x1F, 0x00),
		E("lock prefetcht0 [rax]", 0xF0, 0x0F, 0x18, 0x08),
		E("lock rdsspq rax", 0xF0, 0xF3, 0x48, 0x0F, 0x1E, 0xC8),
		E("lock endbr64", 0xF0, 0xF3, 0x0F, 0x1E, 0xFA),
		E("lock bndcl", 0xF0, 0xF3, 0x0F, 0x1A, 0x00),
	};
	for (size_t n = 0; n < sizeof locked / sizeof locked[0]; n++)
		expect_ud(fx, &locked[n], DATA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_hint_nop_space),
		T(test_rdsspq_reads_zero_after_xor),
		T(test_shadow_stack_instructions_ud),
		T(test_shadow_stack_instructions_ud_cpl3),
		T(test_lock_on_hint_nops_ud),
	};
	return cmocka_run_group_tests(tests, fx_setup, fx_teardown);
}
