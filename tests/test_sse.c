/*
 * test_sse.c - SSE/SSE2 through the public API: the enable and
 * device-not-available checks (SDM vol. 3A 2.5, 13.1), alignment #GP,
 * MXCSR (LDMXCSR reserved bits, sticky flags, #XM vs #UD), COMISD flags,
 * conversion overflow, the glibc strlen idiom, the SSE forms of MOVSD and
 * CMPSD, FXSAVE/FXRSTOR layout and faults.  Bit-exact arithmetic is the
 * job of tests/diff-fpu.
 */
#include "fpu_harness.h"

/* A kernel that enabled SSE (fpu_enable), default MXCSR. */
static void prepare(struct fx *fx)
{
	fpu_enable(fx);
	lstar_set_mxcsr(fx->m, 0x1F80);
}

static void set_xmm64(struct fx *fx, unsigned n, uint64_t lo, uint64_t hi)
{
	uint8_t v[16];
	memcpy(v, &lo, 8);
	memcpy(v + 8, &hi, 8);
	lstar_set_xmm(fx->m, n, v);
}

static uint64_t xmm_lo(struct fx *fx, unsigned n)
{
	uint8_t v[16];
	uint64_t lo;
	lstar_get_xmm(fx->m, n, v);
	memcpy(&lo, v, 8);
	return lo;
}

static uint64_t dbl(double d)
{
	uint64_t u;
	memcpy(&u, &d, 8);
	return u;
}

/* MOVAPS xmm0, [rdi+1]: misaligned 16-byte operand -> #GP(0). */
static void test_movaps_misaligned_gp(void **state)
{
	struct fx *fx = *state;
	prepare(fx);
	static const uint8_t code[] = { 0x0F, 0x28, 0x47, 0x01 };
	struct lstar_exit ex = run(fx, code, sizeof code, 1);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, 13);
	assert_int_equal(ex.error_code, 0);
}

/* MOVUPS xmm0, [rdi+1] has no alignment requirement. */
static void test_movups_misaligned_ok(void **state)
{
	struct fx *fx = *state;
	prepare(fx);
	uint8_t bytes[17];
	for (int k = 0; k < 17; k++)
		bytes[k] = (uint8_t)k;
	lstar_write_phys(fx->m, DATA, bytes, sizeof bytes);
	static const uint8_t code[] = { 0x0F, 0x10, 0x47, 0x01 };
	struct lstar_exit ex = run(fx, code, sizeof code, 1);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	uint8_t v[16];
	lstar_get_xmm(fx->m, 0, v);
	assert_memory_equal(v, bytes + 1, 16);
}

/* CR4.OSFXSR = 0 -> #UD; CR0.EM -> #UD; CR0.TS -> #NM (SDM vol. 3A 13.1,
 * table 2-?: the #UD checks come first). */
static void test_sse_enable_checks(void **state)
{
	struct fx *fx = *state;
	static const uint8_t addps[] = { 0x0F, 0x58, 0xC1 };
	prepare(fx);
	lstar_set_reg(fx->m, LSTAR_CR4, lstar_get_reg(fx->m, LSTAR_CR4) & ~CR4_OSFXSR);
	struct lstar_exit ex = run(fx, addps, sizeof addps, 1);
	assert_int_equal(ex.vector, 6);

	prepare(fx);
	lstar_set_reg(fx->m, LSTAR_CR0, lstar_get_reg(fx->m, LSTAR_CR0) | 0x4 | 0x8);
	ex = run(fx, addps, sizeof addps, 1);
	assert_int_equal(ex.vector, 6);   /* EM wins over TS */

	prepare(fx);
	lstar_set_reg(fx->m, LSTAR_CR0, lstar_get_reg(fx->m, LSTAR_CR0) | 0x8);
	ex = run(fx, addps, sizeof addps, 1);
	assert_int_equal(ex.vector, 7);
}

/* LDMXCSR with a reserved bit set -> #GP(0), MXCSR unchanged; a valid
 * value loads; STMXCSR stores it. */
static void test_ldmxcsr_reserved_gp(void **state)
{
	struct fx *fx = *state;
	prepare(fx);
	uint32_t bad = 0x11F80, good = 0x7F80 | 0x40;
	lstar_write_phys(fx->m, DATA, &bad, 4);
	static const uint8_t ld[] = { 0x0F, 0xAE, 0x17 };           /* ldmxcsr [rdi] */
	struct lstar_exit ex = run(fx, ld, sizeof ld, 1);
	assert_int_equal(ex.vector, 13);
	assert_int_equal(lstar_get_mxcsr(fx->m), 0x1F80);

	prepare(fx);
	lstar_write_phys(fx->m, DATA, &good, 4);
	static const uint8_t ldst[] = { 0x0F, 0xAE, 0x17, 0x0F, 0xAE, 0x5F, 0x08 }; /* ldmxcsr; stmxcsr [rdi+8] */
	ex = run(fx, ldst, sizeof ldst, 2);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(lstar_get_mxcsr(fx->m), good);
	uint32_t got;
	lstar_read_phys(fx->m, DATA + 8, &got, 4);
	assert_int_equal(got, good);
}

/* DIVSD by zero: masked -> +inf and ZE sticky; unmasked -> #XM with
 * CR4.OSXMMEXCPT, #UD without, destination unchanged (SDM vol. 1 11.5). */
static void test_divsd_zero_masked_unmasked(void **state)
{
	struct fx *fx = *state;
	static const uint8_t divsd[] = { 0xF2, 0x0F, 0x5E, 0xC1 };   /* divsd xmm0, xmm1 */
	prepare(fx);
	set_xmm64(fx, 0, dbl(1.0), 0);
	set_xmm64(fx, 1, dbl(0.0), 0);
	struct lstar_exit ex = run(fx, divsd, sizeof divsd, 1);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(xmm_lo(fx, 0), 0x7FF0000000000000ULL);
	assert_int_equal(lstar_get_mxcsr(fx->m), 0x1F80 | 0x4);

	prepare(fx);
	lstar_set_mxcsr(fx->m, 0x1F80 & ~0x200);   /* ZM clear */
	set_xmm64(fx, 0, dbl(1.0), 0);
	ex = run(fx, divsd, sizeof divsd, 1);
	assert_int_equal(ex.vector, 19);
	assert_int_equal(xmm_lo(fx, 0), dbl(1.0));
	assert_int_equal(lstar_get_mxcsr(fx->m) & 0x3F, 0x4);

	prepare(fx);
	lstar_set_reg(fx->m, LSTAR_CR4, lstar_get_reg(fx->m, LSTAR_CR4) & ~CR4_OSXMMEXCPT);
	lstar_set_mxcsr(fx->m, 0x1F80 & ~0x200);
	set_xmm64(fx, 0, dbl(1.0), 0);
	ex = run(fx, divsd, sizeof divsd, 1);
	assert_int_equal(ex.vector, 6);
}

/* COMISD: ZF PF CF = 000 greater, 001 less, 100 equal, 111 unordered;
 * OF SF AF are cleared (SDM vol. 2A COMISD). */
static void test_comisd_flags(void **state)
{
	struct fx *fx = *state;
	static const uint8_t comisd[] = { 0x66, 0x0F, 0x2F, 0xC1 };
	static const struct { double a, b; uint64_t fl; } cases[] = {
		{ 2.0, 1.0, 0 }, { 1.0, 2.0, 0x1 }, { 1.0, 1.0, 0x40 },
		{ __builtin_nan(""), 1.0, 0x45 },
	};
	for (unsigned k = 0; k < 4; k++) {
		prepare(fx);
		lstar_set_reg(fx->m, LSTAR_RFLAGS, 0x2 | 0x8D5);
		set_xmm64(fx, 0, dbl(cases[k].a), 0);
		set_xmm64(fx, 1, dbl(cases[k].b), 0);
		struct lstar_exit ex = run(fx, comisd, sizeof comisd, 1);
		assert_int_equal(ex.event, LSTAR_EV_NONE);
		assert_int_equal(lstar_get_reg(fx->m, LSTAR_RFLAGS) & 0x8D5, cases[k].fl);
	}
	assert_int_equal(lstar_get_mxcsr(fx->m) & 1, 1);   /* COMISD on NaN: #I */
}

/* CVTTSD2SI eax, xmm0 out of range -> 0x80000000 and IE. */
static void test_cvttsd2si_indefinite(void **state)
{
	struct fx *fx = *state;
	static const uint8_t cvt[] = { 0xF2, 0x0F, 0x2C, 0xC0, 0xF2, 0x48, 0x0F, 0x2C, 0xC8 };
	prepare(fx);
	set_xmm64(fx, 0, dbl(3e10), 0);
	lstar_set_reg(fx->m, LSTAR_RAX, ~0ULL);
	struct lstar_exit ex = run(fx, cvt, sizeof cvt, 2);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(lstar_get_reg(fx->m, LSTAR_RAX), 0x80000000ULL);
	assert_int_equal(lstar_get_reg(fx->m, LSTAR_RCX), 30000000000ULL);
	assert_int_equal(lstar_get_mxcsr(fx->m) & 0x3F, 1);
}

/* glibc's strlen core: pxor xmm0,xmm0; pcmpeqb xmm0,[rdi]; pmovmskb
 * eax,xmm0; bsf - here up to pmovmskb. */
static void test_strlen_idiom(void **state)
{
	struct fx *fx = *state;
	prepare(fx);
	const char s[16] = "hello, world";
	lstar_write_phys(fx->m, DATA, s, 16);
	static const uint8_t code[] = {
		0x66, 0x0F, 0xEF, 0xC0,         /* pxor xmm0, xmm0 */
		0x66, 0x0F, 0x74, 0x07,         /* pcmpeqb xmm0, [rdi] */
		0x66, 0x0F, 0xD7, 0xC0,         /* pmovmskb eax, xmm0 */
	};
	struct lstar_exit ex = run(fx, code, sizeof code, 3);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	assert_int_equal(lstar_get_reg(fx->m, LSTAR_RAX), 0xF000);
}

/* F2 0F 10/11 is MOVSD (SSE), F2 0F C2 is CMPSD (SSE): routed away from
 * the string instructions of the same Zydis mnemonic. */
static void test_movsd_cmpsd_sse_forms(void **state)
{
	struct fx *fx = *state;
	prepare(fx);
	double d = 2.5;
	lstar_write_phys(fx->m, DATA, &d, 8);
	set_xmm64(fx, 0, 0x1111, 0x2222);
	set_xmm64(fx, 1, dbl(2.5), 0x3333);
	static const uint8_t code[] = {
		0xF2, 0x0F, 0x10, 0x17,         /* movsd xmm2, [rdi]: upper zeroed */
		0xF2, 0x0F, 0x10, 0xC1,         /* movsd xmm0, xmm1: upper kept */
		0xF2, 0x0F, 0xC2, 0xC2, 0x00,   /* cmpsd xmm0, xmm2, eq */
		0xF2, 0x0F, 0x11, 0x47, 0x10,   /* movsd [rdi+16], xmm0 */
	};
	struct lstar_exit ex = run(fx, code, sizeof code, 4);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	uint8_t v[16];
	lstar_get_xmm(fx->m, 2, v);
	uint64_t hi;
	memcpy(&hi, v + 8, 8);
	assert_int_equal(hi, 0);
	lstar_get_xmm(fx->m, 0, v);
	memcpy(&hi, v + 8, 8);
	assert_int_equal(hi, 0x2222);
	assert_int_equal(xmm_lo(fx, 0), ~0ULL);
	uint64_t stored;
	lstar_read_phys(fx->m, DATA + 16, &stored, 8);
	assert_int_equal(stored, ~0ULL);
}

/* FXSAVE64: 16-byte alignment (#GP(0)), layout of MXCSR, MXCSR_MASK,
 * XMM; FXRSTOR64 with reserved MXCSR bits -> #GP(0). */
static void test_fxsave_layout_and_faults(void **state)
{
	struct fx *fx = *state;
	prepare(fx);
	set_xmm64(fx, 5, 0x0123456789ABCDEFULL, 0xFEDCBA9876543210ULL);
	lstar_set_mxcsr(fx->m, 0x1FA0);
	static const uint8_t save[] = { 0x48, 0x0F, 0xAE, 0x07 };    /* fxsave64 [rdi] */
	struct lstar_exit ex = run(fx, save, sizeof save, 1);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	uint8_t img[512];
	lstar_read_phys(fx->m, DATA, img, sizeof img);
	uint32_t mx, mask;
	uint16_t fcw;
	memcpy(&fcw, img, 2);
	memcpy(&mx, img + 24, 4);
	memcpy(&mask, img + 28, 4);
	assert_int_equal(fcw, 0x037F);
	assert_int_equal(mx, 0x1FA0);
	assert_int_equal(mask, 0xFFFF);
	uint64_t lo;
	memcpy(&lo, img + 160 + 5 * 16, 8);
	assert_int_equal(lo, 0x0123456789ABCDEFULL);

	lstar_set_reg(fx->m, LSTAR_RDI, DATA + 8);
	ex = run(fx, save, sizeof save, 1);
	assert_int_equal(ex.vector, 13);

	prepare(fx);
	uint32_t badmx = 0x10000;
	img[24] = 0; /* keep the image, poison MXCSR */
	memcpy(img + 24, &badmx, 4);
	lstar_write_phys(fx->m, DATA, img, sizeof img);
	static const uint8_t rstor[] = { 0x48, 0x0F, 0xAE, 0x0F };   /* fxrstor64 [rdi] */
	ex = run(fx, rstor, sizeof rstor, 1);
	assert_int_equal(ex.vector, 13);
	assert_int_equal(lstar_get_mxcsr(fx->m), 0x1F80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_movaps_misaligned_gp),
		cmocka_unit_test(test_movups_misaligned_ok),
		cmocka_unit_test(test_sse_enable_checks),
		cmocka_unit_test(test_ldmxcsr_reserved_gp),
		cmocka_unit_test(test_divsd_zero_masked_unmasked),
		cmocka_unit_test(test_comisd_flags),
		cmocka_unit_test(test_cvttsd2si_indefinite),
		cmocka_unit_test(test_strlen_idiom),
		cmocka_unit_test(test_movsd_cmpsd_sse_forms),
		cmocka_unit_test(test_fxsave_layout_and_faults),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
