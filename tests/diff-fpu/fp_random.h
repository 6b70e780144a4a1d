/*
 * fp_random.h - the random inputs of the floating-point differential
 * harnesses (tests/diff-fpu, tests/diff-avx): an xorshift128+ generator
 * and values biased to the hard cases of IEEE arithmetic (signed zeros,
 * infinities, QNaN/SNaN payloads, denormals, rounding and conversion
 * boundaries).  Each harness seeds rs[] itself.
 */
#ifndef LSTAR_FP_RANDOM_H
#define LSTAR_FP_RANDOM_H

#include <stdint.h>
#include <string.h>

static uint64_t rs[2];
static uint64_t rnd(void)
{
	uint64_t a = rs[0], b = rs[1];
	rs[0] = b;
	a ^= a << 23;
	a ^= a >> 17;
	a ^= b ^ (b >> 26);
	rs[1] = a;
	return a + b;
}
static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

static uint32_t rnd_f32(void)
{
	static const uint32_t sp[] = {
		0, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000,
		0x7F800001, 0x7FA00000, 0xFFBFFFFF, 0x00000001, 0x007FFFFF, 0x80400000,
		0x00800000, 0x80800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x3F800000, 0xBF800000,
		0x3F800001, 0x3F7FFFFF, 0x4F000000, 0xCF000000, 0x4EFFFFFF, 0xCF000001,
		0x5F000000, 0xDF000000, 0x5EFFFFFF, 0x3F000000, 0x3FC00000, 0x40200000,
		0xBFC00000, 0x4B000001, 0x4B400000, 0x0CC00000, 0x00C00000,
	};
	switch (below(6)) {
	case 0: case 1: return sp[below(sizeof sp / sizeof sp[0])];
	case 2: return (uint32_t)(rnd() & 0x807FFFFF) | ((118 + below(40)) << 23);
	case 3: return (uint32_t)(rnd() & 0x807FFFFF) | (below(4) << 23);  /* tiny */
	case 4: { float f = (float)((int)below(200) - 100) / (float)(1 + below(8)); uint32_t u; memcpy(&u, &f, 4); return u; }
	default: return (uint32_t)rnd();
	}
}

static uint64_t rnd_f64(void)
{
	static const uint64_t sp[] = {
		0, 0x8000000000000000ULL, 0x7FF0000000000000ULL, 0xFFF0000000000000ULL,
		0x7FF8000000000000ULL, 0xFFF8000000000000ULL, 0x7FF0000000000001ULL,
		0x7FF4000000000000ULL, 0x0000000000000001ULL, 0x000FFFFFFFFFFFFFULL,
		0x0010000000000000ULL, 0x7FEFFFFFFFFFFFFFULL, 0x3FF0000000000000ULL,
		0xBFF0000000000000ULL, 0x3FF0000000000001ULL, 0x3FEFFFFFFFFFFFFFULL,
		0x41E0000000000000ULL, 0xC1E0000000000000ULL, 0x41DFFFFFFFC00000ULL,
		0xC1E0000000200000ULL, 0x43E0000000000000ULL, 0xC3E0000000000000ULL,
		0x43DFFFFFFFFFFFFFULL, 0x3FE0000000000000ULL, 0x3FF8000000000000ULL,
		0x4004000000000000ULL, 0x36A0000000000000ULL, 0x3690000000000000ULL,
		0x47EFFFFFE0000000ULL, 0x47EFFFFFF0000000ULL, 0x380FFFFFFFFFFFFFULL,
	};
	switch (below(6)) {
	case 0: case 1: return sp[below(sizeof sp / sizeof sp[0])];
	case 2: return (rnd() & 0x800FFFFFFFFFFFFFULL) | ((uint64_t)(1013 + below(40)) << 52);
	case 3: return (rnd() & 0x800FFFFFFFFFFFFFULL) | ((uint64_t)below(3) << 52);
	case 4: { double d = (double)((int)below(200) - 100) / (double)(1 + below(8)); uint64_t u; memcpy(&u, &d, 8); return u; }
	default: return rnd();
	}
}

/* Fill 16 bytes with FP-flavoured data. */
static void rnd_vec(uint8_t *p)
{
	switch (below(4)) {
	case 0:
		for (int k = 0; k < 4; k++) { uint32_t v = rnd_f32(); memcpy(p + 4 * k, &v, 4); }
		break;
	case 1:
		for (int k = 0; k < 2; k++) { uint64_t v = rnd_f64(); memcpy(p + 8 * k, &v, 8); }
		break;
	case 2:
		for (int k = 0; k < 2; k++) {
			uint64_t v = below(2) ? rnd_f64() : ((uint64_t)rnd_f32() << 32 | rnd_f32());
			memcpy(p + 8 * k, &v, 8);
		}
		break;
	default:
		for (int k = 0; k < 2; k++) { uint64_t v = rnd(); memcpy(p + 8 * k, &v, 8); }
		break;
	}
}

#endif
