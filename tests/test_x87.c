/*
 * test_x87.c - x87 and MMX state through the public API: 80-bit precision
 * and precision control, pending unmasked exceptions (#MF at the next
 * waiting instruction), stack overflow/underflow, FNSTSW/FNSTCW/FNSTENV,
 * #NM rules (CR0.EM/TS/MP), FISTP overflow, FCOMI flags, the x87 <-> MMX
 * transitions.  SDM vol. 1 ch. 8-9.  Bit-exact arithmetic: tests/diff-fpu.
 */
#include "fpu_harness.h"

/* FNINIT state in a kernel that enabled the FPU (fpu_enable). */
static void prepare(struct fx *fx)
{
	fpu_enable(fx);
	uint8_t img[512] = { 0 };
	img[0] = 0x7F;
	img[1] = 0x03;
	uint32_t mx = 0x1F80;
	memcpy(img + 24, &mx, 4);
	lstar_set_fxsave(fx->m, img);
}

static uint16_t fsw(struct fx *fx)
{
	uint8_t img[512];
	uint16_t v;
	lstar_get_fxsave(fx->m, img);
	memcpy(&v, img + 2, 2);
	return v;
}

static uint8_t ftw(struct fx *fx)
{
	uint8_t img[512];
	lstar_get_fxsave(fx->m, img);
	return img[4];
}

/* ST(i) raw 10 bytes from the FXSAVE image. */
static void st(struct fx *fx, unsigned i, uint8_t out[10])
{
	uint8_t img[512];
	lstar_get_fxsave(fx->m, img);
	memcpy(out, img + 32 + 16 * i, 10);
}

/* 1/3 in extended precision equals the host's long double 1.0L/3; with
 * PC = double it equals (long double)(1.0/3). */
static void test_extended_precision_and_pc(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = {
		0xD9, 0xE8,             /* fld1 */
		0xDD, 0x07,             /* fld qword [rdi] (3.0) */
		0xDE, 0xF9,             /* fdivp st1, st0 */
		0xDB, 0x7F, 0x10,       /* fstp tword [rdi+16] */
	};
	volatile long double third = 1.0L;
	third /= 3.0L;
	double three = 3.0;
	uint8_t got[10];

	prepare(fx);
	lstar_write_phys(fx->m, DATA, &three, 8);
	struct lstar_exit ex = run(fx, code, sizeof code, 4);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	lstar_read_phys(fx->m, DATA + 16, got, 10);
	long double want = third;
	assert_memory_equal(got, &want, 10);
	assert_int_equal(ftw(fx), 0);

	static const uint8_t pc53[] = {
		0xD9, 0x6F, 0x20,       /* fldcw [rdi+32] */
		0xD9, 0xE8, 0xDD, 0x07, 0xDE, 0xF9, 0xDB, 0x7F, 0x10,
	};
	prepare(fx);
	uint16_t cw = 0x027F;
	lstar_write_phys(fx->m, DATA, &three, 8);
	lstar_write_phys(fx->m, DATA + 32, &cw, 2);
	ex = run(fx, pc53, sizeof pc53, 5);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	lstar_read_phys(fx->m, DATA + 16, got, 10);
	want = (long double)(1.0 / 3.0);
	assert_memory_equal(got, &want, 10);
}

/* Unmasked divide by zero: ZE, ES, B set, destination and stack left
 * alone; the next waiting instruction (FWAIT) raises #MF. */
static void test_unmasked_zero_divide_pending_mf(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = {
		0xD9, 0x6F, 0x20,       /* fldcw [rdi+32] (ZM clear) */
		0xD9, 0xE8,             /* fld1 */
		0xD9, 0xEE,             /* fldz */
		0xDE, 0xF9,             /* fdivp st1, st0 */
		0x9B,                   /* fwait */
	};
	prepare(fx);
	uint16_t cw = 0x037B;
	lstar_write_phys(fx->m, DATA + 32, &cw, 2);
	struct lstar_exit ex = run(fx, code, sizeof code, 4);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	uint16_t sw = fsw(fx);
	assert_int_equal(sw & 0x80FF, 0x8084);       /* B ES ZE */
	assert_int_equal((sw >> 11) & 7, 6);         /* nothing popped */
	lstar_step(fx->m, &ex);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, 16);
}

/* Nine pushes: the ninth overflows (IE SF C1), masked -> indefinite. */
static void test_stack_overflow(void **state)
{
	struct fx *fx = *state;
	uint8_t code[18];
	for (int k = 0; k < 9; k++) {
		code[2 * k] = 0xD9;
		code[2 * k + 1] = 0xE8;   /* fld1 */
	}
	prepare(fx);
	struct lstar_exit ex = run(fx, code, sizeof code, 9);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	uint16_t sw = fsw(fx);
	assert_int_equal(sw & 0x0241, 0x0241);   /* C1 SF IE */
	uint8_t v[10];
	st(fx, 0, v);
	static const uint8_t indef[10] = { 0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF };
	assert_memory_equal(v, indef, 10);
}

/* FADD ST(0), ST(1) on an empty stack: underflow, C1 = 0. */
static void test_stack_underflow(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = { 0xD8, 0xC1 };
	prepare(fx);
	struct lstar_exit ex = run(fx, code, sizeof code, 1);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(fsw(fx) & 0x0241, 0x0041);
}

/* FNSTSW AX / FNSTCW / FNSTENV: the environment holds the full tag word
 * (all empty = FFFF) and FNSTENV masks every exception afterwards. */
static void test_status_control_env(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = {
		0xD9, 0x6F, 0x20,       /* fldcw [rdi+32] */
		0xD9, 0xE8,             /* fld1 */
		0xDF, 0xE0,             /* fnstsw ax */
		0xD9, 0x7F, 0x40,       /* fnstcw [rdi+64] */
		0xD9, 0x77, 0x50,       /* fnstenv [rdi+80] */
		0xD9, 0x7F, 0x42,       /* fnstcw [rdi+66] */
	};
	prepare(fx);
	uint16_t cw = 0x0360;
	lstar_write_phys(fx->m, DATA + 32, &cw, 2);
	struct lstar_exit ex = run(fx, code, sizeof code, 6);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(lstar_get_reg(fx->m, LSTAR_RAX) & 0xFFFF, 0x3800);  /* TOP 7 */
	uint16_t w[2];
	lstar_read_phys(fx->m, DATA + 64, w, 4);
	assert_int_equal(w[0], 0x0360);
	assert_int_equal(w[1], 0x037F);
	uint32_t env[7];
	lstar_read_phys(fx->m, DATA + 80, env, sizeof env);
	assert_int_equal(env[0] & 0xFFFF, 0x0360);
	assert_int_equal(env[1] & 0xFFFF, 0x3800);
	assert_int_equal(env[2] & 0xFFFF, 0x3FFF);   /* ST(0)=R7 valid, rest empty */
}

/* #NM: any x87 instruction with CR0.EM or TS; FWAIT only with MP and TS. */
static void test_nm_rules(void **state)
{
	struct fx *fx = *state;
	static const uint8_t fld1[] = { 0xD9, 0xE8 };
	static const uint8_t fwait[] = { 0x9B };
	prepare(fx);
	lstar_set_reg(fx->m, LSTAR_CR0, lstar_get_reg(fx->m, LSTAR_CR0) | 0x4);
	assert_int_equal(run(fx, fld1, 2, 1).vector, 7);
	prepare(fx);
	lstar_set_reg(fx->m, LSTAR_CR0, lstar_get_reg(fx->m, LSTAR_CR0) | 0x8);
	assert_int_equal(run(fx, fld1, 2, 1).vector, 7);
	assert_int_equal(run(fx, fwait, 1, 1).vector, 7);                 /* MP and TS */
	lstar_set_reg(fx->m, LSTAR_CR0, lstar_get_reg(fx->m, LSTAR_CR0) & ~0x2ULL);
	assert_int_equal(run(fx, fwait, 1, 1).event, LSTAR_EV_NONE);      /* TS alone */
}

/* FISTP m16 of 1e6: integer indefinite 0x8000 and IE. */
static void test_fistp_overflow(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = { 0xDD, 0x07, 0xDF, 0x5F, 0x10 };  /* fld qword [rdi]; fistp word [rdi+16] */
	prepare(fx);
	double big = 1e6;
	lstar_write_phys(fx->m, DATA, &big, 8);
	struct lstar_exit ex = run(fx, code, sizeof code, 2);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	uint16_t v;
	lstar_read_phys(fx->m, DATA + 16, &v, 2);
	assert_int_equal(v, 0x8000);
	assert_int_equal(fsw(fx) & 1, 1);
}

/* FCOMIP: ZF PF CF like COMISD, pops once. */
static void test_fcomip_flags(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = { 0xD9, 0xE8, 0xD9, 0xEE, 0xDF, 0xF1 };  /* fld1; fldz; fcomip st1 */
	prepare(fx);
	lstar_set_reg(fx->m, LSTAR_RFLAGS, 0x2 | 0x8D5);
	struct lstar_exit ex = run(fx, code, sizeof code, 3);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(lstar_get_reg(fx->m, LSTAR_RFLAGS) & 0x8D5, 0x1);   /* 0 < 1 */
	assert_int_equal((fsw(fx) >> 11) & 7, 7);
}

/* MMX: writing mm0 sets TOP = 0, all tags valid and the exponent of R0
 * to all ones; EMMS empties the tags. */
static void test_mmx_transitions(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = {
		0xD9, 0xE8,                     /* fld1 (TOP = 7) */
		0x48, 0x0F, 0x6E, 0xC7,         /* movq mm0, rdi */
		0x0F, 0x77,                     /* emms */
	};
	prepare(fx);
	struct lstar_exit ex = run(fx, code, sizeof code, 2);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal((fsw(fx) >> 11) & 7, 0);
	assert_int_equal(ftw(fx), 0xFF);
	uint8_t v[10];
	st(fx, 0, v);
	uint64_t mant;
	memcpy(&mant, v, 8);
	assert_int_equal(mant, DATA);
	assert_int_equal(v[8], 0xFF);
	assert_int_equal(v[9], 0xFF);
	lstar_step(fx->m, &ex);
	assert_int_equal(ftw(fx), 0);
}

/* FNSAVE stores the environment and ST(0)..ST(7) then re-initializes;
 * FRSTOR brings everything back (tags from the full tag word). */
static void test_fnsave_frstor_roundtrip(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = {
		0xD9, 0xEB,             /* fldpi */
		0xD9, 0xE8,             /* fld1 */
		0xDD, 0x37,             /* fnsave [rdi] */
		0xD9, 0xEE,             /* fldz (a different state) */
		0xDD, 0x27,             /* frstor [rdi] */
	};
	prepare(fx);
	struct lstar_exit ex = run(fx, code, sizeof code, 3);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(ftw(fx), 0);                 /* FNSAVE re-initialized */
	uint8_t img[108];
	lstar_read_phys(fx->m, DATA, img, sizeof img);
	uint16_t tag;
	memcpy(&tag, img + 8, 2);
	assert_int_equal(tag, 0x0FFF);                /* R7 R6 valid, rest empty */
	long double one = 1.0L;
	assert_memory_equal(img + 28, &one, 10);      /* ST(0) first */
	lstar_set_reg(fx->m, LSTAR_RIP, fx->lay.kernel_code + 6);
	lstar_step(fx->m, &ex);
	lstar_step(fx->m, &ex);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(ftw(fx), 0xC0);
	assert_int_equal((fsw(fx) >> 11) & 7, 6);
	uint8_t v[10];
	st(fx, 0, v);
	assert_memory_equal(v, &one, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extended_precision_and_pc),
		cmocka_unit_test(test_unmasked_zero_divide_pending_mf),
		cmocka_unit_test(test_stack_overflow),
		cmocka_unit_test(test_stack_underflow),
		cmocka_unit_test(test_status_control_env),
		cmocka_unit_test(test_nm_rules),
		cmocka_unit_test(test_fistp_overflow),
		cmocka_unit_test(test_fcomip_flags),
		cmocka_unit_test(test_mmx_transitions),
		cmocka_unit_test(test_fnsave_frstor_roundtrip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
