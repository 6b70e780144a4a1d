/*
 * test_crypto.c - the cryptographic extensions (cpu/crypto.c) where the
 * differential harness cannot look: RDRAND and RDSEED (SDM vol. 2B
 * "RDRAND", "RDSEED": CF = 1 on success, OF SF ZF AF PF = 0, the 16-,
 * 32- and 64-bit destinations) and their generator (reproducible from
 * --seed, cpu->rng_state), one known-answer AES round and key-expansion
 * step (FIPS-197 appendix B), a PCLMULQDQ product, the exception type 4
 * alignment rule (SDM vol. 2 table "Type 4 Class Exception Conditions")
 * and the CPUID bits.  Bit-exact results on random inputs are the job of
 * tests/diff-fpu (diff_fpu_crypto).
 */
#include "fpu_harness.h"
#include "emu/machine.h"
#include "emu/firmware.h"
#include "emu/splitmix.h"

#define ARITH 0x8D5ULL     /* CF PF AF ZF SF OF */

static struct machine *mach(struct fx *fx)
{
	return (struct machine *)fx->m;   /* emu/api.c: the handle is the machine */
}

/* Run one instruction with RFLAGS = `fl` and RAX = `rax`; returns RAX. */
static uint64_t run1(struct fx *fx, const uint8_t *code, size_t len, uint64_t rax, uint64_t fl)
{
	fpu_enable(fx);
	lstar_set_reg(fx->m, LSTAR_RAX, rax);
	lstar_set_reg(fx->m, LSTAR_RFLAGS, fl);
	struct lstar_exit ex = run(fx, code, len, 1);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	return lstar_get_reg(fx->m, LSTAR_RAX);
}

/* RDRAND/RDSEED at each size: CF set, the other five arithmetic flags
 * cleared whatever they were (IF and bit 1 untouched); a 32-bit
 * destination zero-extends, a 16-bit one (66 prefix) keeps bits 63:16. */
static void test_rng_sizes_and_flags(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[2][3][4] = {
		{ { 0x48, 0x0F, 0xC7, 0xF0 }, { 0x0F, 0xC7, 0xF0 }, { 0x66, 0x0F, 0xC7, 0xF0 } },  /* rdrand */
		{ { 0x48, 0x0F, 0xC7, 0xF8 }, { 0x0F, 0xC7, 0xF8 }, { 0x66, 0x0F, 0xC7, 0xF8 } },  /* rdseed */
	};
	static const size_t len[3] = { 4, 3, 4 };
	const uint64_t fill = 0xA5A5A5A5A5A5A5A5ULL;
	for (int op = 0; op < 2; op++) {
		/* 64 bits: over 8 draws some upper half is nonzero */
		uint64_t any_hi = 0;
		for (int k = 0; k < 8; k++) {
			uint64_t v = run1(fx, code[op][0], len[0], fill, 0x202 | (ARITH & ~1ULL));
			assert_int_equal(lstar_get_reg(fx->m, LSTAR_RFLAGS) & (ARITH | 0x202), 0x203);
			any_hi |= v >> 32;
		}
		assert_true(any_hi != 0);
		uint64_t v = run1(fx, code[op][1], len[1], fill, 0x202 | ARITH);
		assert_int_equal(v >> 32, 0);
		assert_int_equal(lstar_get_reg(fx->m, LSTAR_RFLAGS) & (ARITH | 0x202), 0x203);
		v = run1(fx, code[op][2], len[2], fill, 0x202);
		assert_int_equal(v >> 16, fill >> 16);
		assert_int_equal(lstar_get_reg(fx->m, LSTAR_RFLAGS) & (ARITH | 0x202), 0x203);
	}
}

/* Draw n 64-bit values with RDRAND RAX, RDSEED RCX alternating. */
static void draw(struct fx *fx, uint64_t *out, int n)
{
	static const uint8_t code[] = { 0x48, 0x0F, 0xC7, 0xF0, 0x48, 0x0F, 0xC7, 0xF9 };
	fpu_enable(fx);
	for (int k = 0; k < n; k += 2) {
		struct lstar_exit ex = run(fx, code, sizeof code, 2);
		assert_int_equal(ex.event, LSTAR_EV_NONE);
		out[k] = lstar_get_reg(fx->m, LSTAR_RAX);
		out[k + 1] = lstar_get_reg(fx->m, LSTAR_RCX);
	}
}

/* --seed N (firmware_set_seed) fixes the stream: the same seed gives the
 * same values, which are splitmix64 from N ^ "lstarrng" (docs/cpu.md);
 * another seed gives others; successive draws differ. */
static void test_rng_seeded_reproducible(void **state)
{
	struct fx *fx = *state;
	uint64_t a[8], b[8], c[8];
	firmware_set_seed(mach(fx), 5);
	draw(fx, a, 8);
	firmware_set_seed(mach(fx), 5);
	draw(fx, b, 8);
	firmware_set_seed(mach(fx), 6);
	draw(fx, c, 8);
	assert_memory_equal(a, b, sizeof a);
	assert_memory_not_equal(a, c, sizeof a);
	uint64_t x = 5 ^ 0x6C73746172726E67ULL;
	for (int k = 0; k < 8; k++) {
		assert_int_equal(a[k], splitmix64(&x));
		if (k)
			assert_true(a[k] != a[k - 1]);
	}
}

/* The state is part of struct cpu: putting an earlier value back (what a
 * gdb reverse-execution snapshot does) replays the same numbers. */
static void test_rng_state_restores(void **state)
{
	struct fx *fx = *state;
	uint64_t a[4], b[4];
	uint64_t saved = mach(fx)->cpu.rng_state;
	draw(fx, a, 4);
	mach(fx)->cpu.rng_state = saved;
	draw(fx, b, 4);
	assert_memory_equal(a, b, sizeof a);
}

/* Without --seed two machines start from the host's getrandom(): their
 * streams differ (a 2^-64 chance of a false failure). */
static void test_rng_unseeded_differs(void **state)
{
	(void)state;
	lstar_machine *m1 = lstar_machine_new(NULL, NULL, 0), *m2 = lstar_machine_new(NULL, NULL, 0);
	assert_non_null(m1);
	assert_non_null(m2);
	assert_true(((struct machine *)m1)->cpu.rng_state != ((struct machine *)m2)->cpu.rng_state);
	lstar_machine_free(m1);
	lstar_machine_free(m2);
}

/* LOCK RDRAND -> #UD (SDM: "If the LOCK prefix is used"). */
static void test_rng_lock_ud(void **state)
{
	struct fx *fx = *state;
	static const uint8_t code[] = { 0xF0, 0x48, 0x0F, 0xC7, 0xF0 };
	fpu_enable(fx);
	struct lstar_exit ex = run(fx, code, sizeof code, 1);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, 6);
}

static void set_xmm_bytes(struct fx *fx, unsigned n, const char *hex)
{
	uint8_t v[16];
	for (int k = 0; k < 16; k++) {
		unsigned b;
		sscanf(hex + 2 * k, "%2x", &b);
		v[k] = (uint8_t)b;
	}
	lstar_set_xmm(fx->m, n, v);
}

static void assert_xmm_bytes(struct fx *fx, unsigned n, const char *hex)
{
	uint8_t v[16];
	char got[33];
	lstar_get_xmm(fx->m, n, v);
	for (int k = 0; k < 16; k++)
		snprintf(got + 2 * k, 3, "%02x", v[k]);
	assert_string_equal(got, hex);
}

/* FIPS-197 appendix B (the AES-128 example, cipher key
 * 2b7e1516 28aed2a6 abf71588 09cf4f3c): round 1 takes the state
 * 193de3be.. to a49c7ff2.. with round key a0fafe17..; AESENCLAST of
 * round 10 gives the ciphertext 3925841d..; the first expansion step
 * (AESKEYGENASSIST with RCON 1) gives SubWord/RotWord of w3 = 09cf4f3c
 * as 8b84eb01 in dword 3.  Byte strings in memory order. */
static void test_aes_known_answer(void **state)
{
	struct fx *fx = *state;
	static const uint8_t enc[] = { 0x66, 0x0F, 0x38, 0xDC, 0xC1 };         /* aesenc xmm0, xmm1 */
	static const uint8_t last[] = { 0x66, 0x0F, 0x38, 0xDD, 0xC1 };        /* aesenclast xmm0, xmm1 */
	static const uint8_t kga[] = { 0x66, 0x0F, 0x3A, 0xDF, 0xD1, 0x01 };   /* aeskeygenassist xmm2, xmm1, 1 */
	fpu_enable(fx);
	set_xmm_bytes(fx, 0, "193de3bea0f4e22b9ac68d2ae9f84808");
	set_xmm_bytes(fx, 1, "a0fafe1788542cb123a339392a6c7605");
	assert_int_equal(run(fx, enc, sizeof enc, 1).event, LSTAR_EV_NONE);
	assert_xmm_bytes(fx, 0, "a49c7ff2689f352b6b5bea43026a5049");

	set_xmm_bytes(fx, 0, "eb40f21e592e38848ba113e71bc342d2");  /* start of round 10 */
	set_xmm_bytes(fx, 1, "d014f9a8c9ee2589e13f0cc8b6630ca6");  /* round key 10 */
	assert_int_equal(run(fx, last, sizeof last, 1).event, LSTAR_EV_NONE);
	assert_xmm_bytes(fx, 0, "3925841d02dc09fbdc118597196a0b32");

	set_xmm_bytes(fx, 1, "2b7e151628aed2a6abf7158809cf4f3c");
	assert_int_equal(run(fx, kga, sizeof kga, 1).event, LSTAR_EV_NONE);
	uint8_t v[16];
	lstar_get_xmm(fx->m, 2, v);
	assert_memory_equal(v + 12, "\x8b\x84\xeb\x01", 4);

	/* Inverse rounds against the forward ones, zero round keys:
	 * AESDECLAST(AESIMC(AESENC(s))) = s, and AESDEC(AESENCLAST(s)) =
	 * AESIMC(s) (InvMixColumns).  The diff harness pins each alone. */
	static const uint8_t trip[] = {
		0x66, 0x0F, 0x38, 0xDC, 0xC1,   /* aesenc xmm0, xmm1 */
		0x66, 0x0F, 0x38, 0xDB, 0xC0,   /* aesimc xmm0, xmm0 */
		0x66, 0x0F, 0x38, 0xDF, 0xC1,   /* aesdeclast xmm0, xmm1 */
		0x66, 0x0F, 0x38, 0xDD, 0xD9,   /* aesenclast xmm3, xmm1 */
		0x66, 0x0F, 0x38, 0xDE, 0xD9,   /* aesdec xmm3, xmm1 */
		0x66, 0x0F, 0x38, 0xDB, 0xE2,   /* aesimc xmm4, xmm2 */
	};
	set_xmm_bytes(fx, 0, "00112233445566778899aabbccddeeff");
	set_xmm_bytes(fx, 1, "00000000000000000000000000000000");
	set_xmm_bytes(fx, 2, "00112233445566778899aabbccddeeff");
	set_xmm_bytes(fx, 3, "00112233445566778899aabbccddeeff");
	assert_int_equal(run(fx, trip, sizeof trip, 6).event, LSTAR_EV_NONE);
	assert_xmm_bytes(fx, 0, "00112233445566778899aabbccddeeff");
	uint8_t x3[16], x4[16];
	lstar_get_xmm(fx->m, 3, x3);
	lstar_get_xmm(fx->m, 4, x4);
	assert_memory_equal(x3, x4, 16);
	assert_memory_not_equal(x4, v, 16);
}

/* PCLMULQDQ: (x + 1) * (x + 1) = x^2 + 1 carry-less (3 * 3 = 5), and the
 * top: x^63 * x^63 = x^126; imm8 0x11 picks both high quadwords. */
static void test_pclmulqdq(void **state)
{
	struct fx *fx = *state;
	static const uint8_t lo[] = { 0x66, 0x0F, 0x3A, 0x44, 0xC1, 0x00 };  /* pclmulqdq xmm0, xmm1, 0 */
	static const uint8_t hi[] = { 0x66, 0x0F, 0x3A, 0x44, 0xC1, 0x11 };
	fpu_enable(fx);
	set_xmm_bytes(fx, 0, "03000000000000000000000000000080");
	set_xmm_bytes(fx, 1, "03000000000000000000000000000080");
	assert_int_equal(run(fx, lo, sizeof lo, 1).event, LSTAR_EV_NONE);
	assert_xmm_bytes(fx, 0, "05000000000000000000000000000000");
	set_xmm_bytes(fx, 0, "03000000000000000000000000000080");
	assert_int_equal(run(fx, hi, sizeof hi, 1).event, LSTAR_EV_NONE);
	assert_xmm_bytes(fx, 0, "00000000000000000000000000000040");
}

/* Exception type 4: a misaligned m128 -> #GP(0) for AESENC and, on the
 * Intel model, SHA256MSG1; the AMD model reads SHA operands unaligned
 * (what AMD hardware does; cpu/crypto.c). */
static void test_alignment(void **state)
{
	struct fx *fx = *state;
	static const uint8_t aes[] = { 0x66, 0x0F, 0x38, 0xDC, 0x47, 0x01 };  /* aesenc xmm0, [rdi+1] */
	static const uint8_t sha[] = { 0x0F, 0x38, 0xCC, 0x47, 0x01 };        /* sha256msg1 xmm0, [rdi+1] */
	fpu_enable(fx);
	struct lstar_exit ex = run(fx, aes, sizeof aes, 1);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, 13);
	assert_int_equal(ex.error_code, 0);
	fpu_enable(fx);
	ex = run(fx, sha, sizeof sha, 1);
	assert_int_equal(ex.vector, 13);

	struct lstar_config cfg = { .mem_size = 64ULL << 20, .vendor = LSTAR_VENDOR_AMD };
	struct fx amd;
	amd.m = lstar_machine_new(&cfg, NULL, 0);
	assert_non_null(amd.m);
	assert_int_equal(lstar_setup_flat(amd.m, USER_BASE, USER_SIZE, &amd.lay), LSTAR_OK);
	fpu_enable(&amd);
	ex = run(&amd, sha, sizeof sha, 1);
	assert_int_equal(ex.event, LSTAR_EV_NONE);
	ex = run(&amd, aes, sizeof aes, 1);
	assert_int_equal(ex.vector, 13);
	lstar_machine_free(amd.m);
}

/* CR0.TS -> #NM, CR4.OSFXSR = 0 -> #UD, as for every SSE instruction. */
static void test_sse_checks(void **state)
{
	struct fx *fx = *state;
	static const uint8_t enc[] = { 0x66, 0x0F, 0x38, 0xDC, 0xC1 };
	fpu_enable(fx);
	lstar_set_reg(fx->m, LSTAR_CR0, lstar_get_reg(fx->m, LSTAR_CR0) | 0x8);
	assert_int_equal(run(fx, enc, sizeof enc, 1).vector, 7);
	fpu_enable(fx);
	lstar_set_reg(fx->m, LSTAR_CR4, lstar_get_reg(fx->m, LSTAR_CR4) & ~CR4_OSFXSR);
	assert_int_equal(run(fx, enc, sizeof enc, 1).vector, 6);
}

/* CPUID advertises what cpu/crypto.c implements: leaf 1 ECX PCLMULQDQ
 * (1), AES (25), RDRAND (30); leaf 7 EBX RDSEED (18), SHA (29). */
static void test_cpuid_bits(void **state)
{
	struct fx *fx = *state;
	static const uint8_t cpuid[] = { 0x0F, 0xA2 };
	fpu_enable(fx);
	lstar_set_reg(fx->m, LSTAR_RAX, 1);
	lstar_set_reg(fx->m, LSTAR_RCX, 0);
	assert_int_equal(run(fx, cpuid, sizeof cpuid, 1).event, LSTAR_EV_NONE);
	uint64_t ecx = lstar_get_reg(fx->m, LSTAR_RCX);
	assert_true(ecx & (1u << 1));
	assert_true(ecx & (1u << 25));
	assert_true(ecx & (1u << 30));
	lstar_set_reg(fx->m, LSTAR_RAX, 7);
	lstar_set_reg(fx->m, LSTAR_RCX, 0);
	assert_int_equal(run(fx, cpuid, sizeof cpuid, 1).event, LSTAR_EV_NONE);
	uint64_t ebx = lstar_get_reg(fx->m, LSTAR_RBX);
	assert_true(ebx & (1u << 18));
	assert_true(ebx & (1u << 29));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_sizes_and_flags),
		cmocka_unit_test(test_rng_seeded_reproducible),
		cmocka_unit_test(test_rng_state_restores),
		cmocka_unit_test(test_rng_unseeded_differs),
		cmocka_unit_test(test_rng_lock_ud),
		cmocka_unit_test(test_aes_known_answer),
		cmocka_unit_test(test_pclmulqdq),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_sse_checks),
		cmocka_unit_test(test_cpuid_bits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
