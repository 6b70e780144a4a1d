/*
 * test_avx_int.c - the memory-fault behaviour of the AVX2 instructions
 * that access memory element by element (cpu/avx_int.c), which the
 * differential harness cannot reach (its operands stay in its window):
 *
 *  - VPGATHERDD/VPGATHERQQ (SDM vol. 2, VPGATHERDD/VPGATHERDQ "Operation"
 *    and the paragraph on faults): a fault on an element leaves every
 *    lower element loaded with its mask element cleared, the faulting and
 *    higher elements not done with their masks set, so the instruction
 *    can be restarted; at the end the whole mask register is zero.
 *    Masked-off elements are not accessed at all.
 *  - VPMASKMOVD/Q (SDM vol. 2 VPMASKMOV: "faults occur only due to
 *    mask-bit required memory accesses that caused the faults"): a masked-
 *    off element in an unmapped page raises no #PF on a load or a store;
 *    a store that faults writes nothing (lstar checks every selected
 *    element before writing one).
 *
 * Memory past the end of RAM is not mapped by lstar_setup_flat, so the
 * page at lstar_mem_size() is the unmapped one.
 */
#include "fpu_harness.h"

#define CR4_OSXSAVE (1ULL << 18)

static struct fx *avx_on(void **state)
{
	struct fx *fx = *state;
	fpu_enable(fx);
	lstar_set_reg(fx->m, LSTAR_CR4, lstar_get_reg(fx->m, LSTAR_CR4) | CR4_OSXSAVE);
	lstar_set_xcr0(fx->m, 7);
	return fx;
}

static void set_ymm32(struct fx *fx, unsigned r, const uint32_t v[8])
{
	lstar_set_ymm(fx->m, r, (const uint8_t *)v);
}

static void get_ymm32(struct fx *fx, unsigned r, uint32_t v[8])
{
	lstar_get_ymm(fx->m, r, (uint8_t *)v);
}

/* vpgatherdd ymm1, [rdi + ymm2*4], ymm3 with element 5 on the unmapped
 * page: elements 0-4 done (1 masked off, so kept) with their masks
 * cleared, 5-7 untouched with their masks as they were (not turned into
 * all ones: what an Intel host shows in the signal frame of the same
 * fault), #PF with CR2 the element's address; then with element 5's
 * mask off the rest completes without touching it and the mask ends all
 * zero. */
static void test_gather_fault_leaves_restartable_state(void **state)
{
	struct fx *fx = avx_on(state);
	uint64_t end = lstar_mem_size(fx->m), base = end - 0x100;
	uint32_t mem[64];
	for (unsigned k = 0; k < 64; k++)
		mem[k] = 0x1000 + k;
	lstar_write_phys(fx->m, base, mem, sizeof mem);
	const uint32_t idx[8] = { 0, 3, 7, 11, 20, 0x40 + 2, 30, 33 };
	const uint32_t old[8] = { 0xAAAA0000, 0xAAAA0001, 0xAAAA0002, 0xAAAA0003,
				  0xAAAA0004, 0xAAAA0005, 0xAAAA0006, 0xAAAA0007 };
	const uint32_t mask[8] = { 0x80000000, 0x7FFFFFFF, 0x80000000, 0x80000000,
				   0x80000000, 0x80000001, 0x12345678, 0x80000000 };
	set_ymm32(fx, 1, old);
	set_ymm32(fx, 2, idx);
	set_ymm32(fx, 3, mask);
	lstar_set_reg(fx->m, LSTAR_RDI, base);
	static const uint8_t code[] = { 0xC4, 0xE2, 0x65, 0x90, 0x0C, 0x97 };
	struct lstar_exit ex = run(fx, code, sizeof code, 1);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, 14);
	assert_int_equal(lstar_get_reg(fx->m, LSTAR_CR2), base + 4 * 0x42);
	uint32_t d[8], m[8];
	get_ymm32(fx, 1, d);
	get_ymm32(fx, 3, m);
	for (unsigned k = 0; k < 5; k++) {
		assert_int_equal(d[k], k == 1 ? old[1] : 0x1000 + idx[k]);
		assert_int_equal(m[k], 0);
	}
	for (unsigned k = 5; k < 8; k++) {
		assert_int_equal(d[k], old[k]);
		assert_int_equal(m[k], mask[k]);
	}

	/* Restart with element 5 masked off (as a handler that gives up on
	 * it would): no fault, 7 loaded, 5 and 6 kept, mask all zero. */
	m[5] = 0;
	set_ymm32(fx, 3, m);
	lstar_set_reg(fx->m, LSTAR_RSP, fx->lay.kernel_stack_top);
	ex = run(fx, code, sizeof code, 1);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	get_ymm32(fx, 1, d);
	get_ymm32(fx, 3, m);
	assert_int_equal(d[5], old[5]);
	assert_int_equal(d[6], old[6]);            /* 0x12345678: off */
	assert_int_equal(d[7], 0x1000 + idx[7]);
	for (unsigned k = 0; k < 8; k++)
		assert_int_equal(m[k], 0);
}

/* The VEX.128 form faulting on element 2: bits 255:128 of destination
 * and mask are left as they were until the instruction completes. */
static void test_gather128_fault_keeps_upper_bits(void **state)
{
	struct fx *fx = avx_on(state);
	uint64_t end = lstar_mem_size(fx->m), base = end - 0x100;
	uint32_t mem[64];
	for (unsigned k = 0; k < 64; k++)
		mem[k] = 0x1000 + k;
	lstar_write_phys(fx->m, base, mem, sizeof mem);
	const uint32_t idx[8] = { 0, 3, 0x42, 11, 20, 0x42, 30, 33 };
	const uint32_t old[8] = { 0xAAAA0000, 0xAAAA0001, 0xAAAA0002, 0xAAAA0003,
				  0xAAAA0004, 0xAAAA0005, 0xAAAA0006, 0xAAAA0007 };
	const uint32_t mask[8] = { 0x80000000, 0x7FFFFFFF, 0x80000000, 0x80000000,
				   0x80000000, 0x80000001, 0x12345678, 0x80000000 };
	set_ymm32(fx, 1, old);
	set_ymm32(fx, 2, idx);
	set_ymm32(fx, 3, mask);
	lstar_set_reg(fx->m, LSTAR_RDI, base);
	static const uint8_t code[] = { 0xC4, 0xE2, 0x61, 0x90, 0x0C, 0x97 };  /* xmm form */
	struct lstar_exit ex = run(fx, code, sizeof code, 1);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, 14);
	uint32_t d[8], m[8];
	get_ymm32(fx, 1, d);
	get_ymm32(fx, 3, m);
	const uint32_t want_d[8] = { 0x1000, 0xAAAA0001, 0xAAAA0002, 0xAAAA0003,
				     0xAAAA0004, 0xAAAA0005, 0xAAAA0006, 0xAAAA0007 };
	const uint32_t want_m[8] = { 0, 0, 0x80000000, 0x80000000,
				     0x80000000, 0x80000001, 0x12345678, 0x80000000 };
	assert_memory_equal(d, want_d, sizeof d);
	assert_memory_equal(m, want_m, sizeof m);
}

/* vpgatherqq xmm1, [rdi + xmm2*8], xmm3 (VEX.128): element 1 masked off
 * and pointing at the unmapped page: no fault, element 1 kept, bits
 * 255:128 of destination and mask zeroed. */
static void test_gather_masked_off_element_never_faults(void **state)
{
	struct fx *fx = avx_on(state);
	uint64_t end = lstar_mem_size(fx->m), base = end - 0x40;
	uint64_t mem[8] = { 0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666, 0x7777, 0x8888 };
	lstar_write_phys(fx->m, base, mem, sizeof mem);
	uint64_t idx[4] = { 3, 0x100, 0, 0 }, mask[4] = { 1ULL << 63, 0x7FFFFFFFFFFFFFFFULL, ~0ULL, ~0ULL };
	uint64_t old[4] = { 1, 2, 3, 4 };
	lstar_set_ymm(fx->m, 1, (uint8_t *)old);
	lstar_set_ymm(fx->m, 2, (uint8_t *)idx);
	lstar_set_ymm(fx->m, 3, (uint8_t *)mask);
	lstar_set_reg(fx->m, LSTAR_RDI, base);
	static const uint8_t code[] = { 0xC4, 0xE2, 0xE1, 0x91, 0x0C, 0xD7 };
	struct lstar_exit ex = run(fx, code, sizeof code, 1);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	uint64_t d[4], m[4];
	lstar_get_ymm(fx->m, 1, (uint8_t *)d);
	lstar_get_ymm(fx->m, 3, (uint8_t *)m);
	assert_int_equal(d[0], 0x4444);
	assert_int_equal(d[1], 2);
	assert_int_equal(d[2], 0);
	assert_int_equal(d[3], 0);
	for (unsigned k = 0; k < 4; k++)
		assert_int_equal(m[k], 0);
}

/* vpmaskmovd ymm1, ymm2, [rdi] / vpmaskmovd [rdi], ymm2, ymm1 with the
 * last four doublewords on the unmapped page. */
static void test_maskmov_masked_off_elements_never_fault(void **state)
{
	struct fx *fx = avx_on(state);
	uint64_t end = lstar_mem_size(fx->m), base = end - 16;
	const uint32_t mem[4] = { 10, 11, 12, 13 };
	lstar_write_phys(fx->m, base, mem, sizeof mem);
	const uint32_t mask[8] = { 0x80000000, 0, 0x80000001, 0xFFFFFFFF, 0, 0x7FFFFFFF, 0, 1 };
	const uint32_t junk[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
	set_ymm32(fx, 2, mask);
	set_ymm32(fx, 1, junk);
	lstar_set_reg(fx->m, LSTAR_RDI, base);
	static const uint8_t load[] = { 0xC4, 0xE2, 0x6D, 0x8C, 0x0F };   /* vpmaskmovd ymm1, ymm2, [rdi] */
	struct lstar_exit ex = run(fx, load, sizeof load, 1);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	uint32_t d[8];
	get_ymm32(fx, 1, d);
	const uint32_t want[8] = { 10, 0, 12, 13, 0, 0, 0, 0 };
	assert_memory_equal(d, want, sizeof want);

	const uint32_t src[8] = { 100, 101, 102, 103, 104, 105, 106, 107 };
	set_ymm32(fx, 1, src);
	static const uint8_t store[] = { 0xC4, 0xE2, 0x6D, 0x8E, 0x0F };  /* vpmaskmovd [rdi], ymm2, ymm1 */
	ex = run(fx, store, sizeof store, 1);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	uint32_t got[4];
	lstar_read_phys(fx->m, base, got, sizeof got);
	const uint32_t want2[4] = { 100, 11, 102, 103 };
	assert_memory_equal(got, want2, sizeof want2);

	/* Element 7 (on the unmapped page) now selected: the store faults
	 * and writes nothing, elements 0-3 included. */
	const uint32_t mask2[8] = { 0x80000000, 0x80000000, 0x80000000, 0x80000000, 0, 0, 0, 0x80000000 };
	set_ymm32(fx, 2, mask2);
	lstar_set_reg(fx->m, LSTAR_RSP, fx->lay.kernel_stack_top);
	ex = run(fx, store, sizeof store, 1);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, 14);
	assert_int_equal(lstar_get_reg(fx->m, LSTAR_CR2), end + 12);
	lstar_read_phys(fx->m, base, got, sizeof got);
	assert_memory_equal(got, want2, sizeof want2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gather_fault_leaves_restartable_state),
		cmocka_unit_test(test_gather128_fault_keeps_upper_bits),
		cmocka_unit_test(test_gather_masked_off_element_never_faults),
		cmocka_unit_test(test_maskmov_masked_off_elements_never_fault),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
