/* crypto.c - the cryptographic instructions from a C program, through the
 * compiler's intrinsics (built with -maes -mpclmul -msha -mrdrnd
 * -mrdseed): known answers that must be the same natively and under lstar
 * (tests/e2e), and, with the argument `rand`, RDRAND/RDSEED values that
 * `lstar run --seed N` must repeat.
 *
 *   crypto          AES-128 and AES-256 (FIPS-197 appendix C.1, C.3),
 *                   encryption and decryption; SHA-1 and SHA-256 of "abc"
 *                   and of a two-block message with the SHA extensions
 *                   (FIPS 180-4 examples); a GHASH-style carry-less
 *                   product; each printed with its expected value and
 *                   "ok"/"BAD"; exit status 1 if any is wrong.
 *   crypto host     exit 77 unless this processor reports AES, PCLMULQDQ
 *                   and SHA in CPUID (the e2e test skips then).
 *   crypto rand     two RDRAND and two RDSEED values (never run natively:
 *                   not every host has RDSEED).
 */
#include <cpuid.h>
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int bad;

static void hex(const char *what, const uint8_t *p, size_t n, const char *want)
{
	char got[129];
	for (size_t k = 0; k < n; k++)
		snprintf(got + 2 * k, 3, "%02x", p[k]);
	int ok = !strcmp(got, want);
	bad |= !ok;
	printf("%-26s %s %s\n", what, got, ok ? "ok" : "BAD");
	if (!ok)
		printf("%-26s %s (expected)\n", "", want);
}

static void from_hex(uint8_t *out, const char *h, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		unsigned v;
		sscanf(h + 2 * k, "%2x", &v);
		out[k] = (uint8_t)v;
	}
}

/* ---- AES ---- */

/* One step of the AES-128 key schedule: AESKEYGENASSIST gives
 * RotWord(SubWord(w3)) ^ rcon in dword 3; broadcast it and fold the
 * previous round key in. */
static __m128i expand128(__m128i k, __m128i assist)
{
	assist = _mm_shuffle_epi32(assist, 0xFF);
	k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
	k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
	k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
	return _mm_xor_si128(k, assist);
}

#define EXP128(i, rc) rk[i] = expand128(rk[i - 1], _mm_aeskeygenassist_si128(rk[i - 1], rc))

static void aes128_keys(const uint8_t *key, __m128i rk[11])
{
	rk[0] = _mm_loadu_si128((const __m128i *)key);
	EXP128(1, 0x01); EXP128(2, 0x02); EXP128(3, 0x04); EXP128(4, 0x08); EXP128(5, 0x10);
	EXP128(6, 0x20); EXP128(7, 0x40); EXP128(8, 0x80); EXP128(9, 0x1B); EXP128(10, 0x36);
}

/* AES-256's schedule alternates the RotWord step (dword 3 of the assist)
 * and a plain SubWord step (dword 2, from an assist with rcon 0). */
static __m128i expand256b(__m128i k, __m128i assist)
{
	assist = _mm_shuffle_epi32(assist, 0xAA);
	k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
	k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
	k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
	return _mm_xor_si128(k, assist);
}

#define EXP256(i, rc) do { \
	rk[i] = expand128(rk[i - 2], _mm_aeskeygenassist_si128(rk[i - 1], rc)); \
	if (i + 1 < 15) \
		rk[i + 1] = expand256b(rk[i - 1], _mm_aeskeygenassist_si128(rk[i], 0)); \
} while (0)

static void aes256_keys(const uint8_t *key, __m128i rk[15])
{
	rk[0] = _mm_loadu_si128((const __m128i *)key);
	rk[1] = _mm_loadu_si128((const __m128i *)(key + 16));
	EXP256(2, 0x01); EXP256(4, 0x02); EXP256(6, 0x04); EXP256(8, 0x08);
	EXP256(10, 0x10); EXP256(12, 0x20); EXP256(14, 0x40);
}

static __m128i aes_encrypt(__m128i s, const __m128i *rk, int rounds)
{
	s = _mm_xor_si128(s, rk[0]);
	for (int r = 1; r < rounds; r++)
		s = _mm_aesenc_si128(s, rk[r]);
	return _mm_aesenclast_si128(s, rk[rounds]);
}

/* The equivalent inverse cipher: round keys 1..rounds-1 through AESIMC. */
static __m128i aes_decrypt(__m128i s, const __m128i *rk, int rounds)
{
	s = _mm_xor_si128(s, rk[rounds]);
	for (int r = rounds - 1; r > 0; r--)
		s = _mm_aesdec_si128(s, _mm_aesimc_si128(rk[r]));
	return _mm_aesdeclast_si128(s, rk[0]);
}

static void aes_tests(void)
{
	uint8_t key[32], pt[16], out[16];
	__m128i rk[15];
	from_hex(pt, "00112233445566778899aabbccddeeff", 16);

	from_hex(key, "000102030405060708090a0b0c0d0e0f", 16);
	aes128_keys(key, rk);
	__m128i c = aes_encrypt(_mm_loadu_si128((const __m128i *)pt), rk, 10);
	_mm_storeu_si128((__m128i *)out, c);
	hex("AES-128 encrypt", out, 16, "69c4e0d86a7b0430d8cdb78070b4c55a");
	_mm_storeu_si128((__m128i *)out, aes_decrypt(c, rk, 10));
	hex("AES-128 decrypt", out, 16, "00112233445566778899aabbccddeeff");

	from_hex(key, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 32);
	aes256_keys(key, rk);
	c = aes_encrypt(_mm_loadu_si128((const __m128i *)pt), rk, 14);
	_mm_storeu_si128((__m128i *)out, c);
	hex("AES-256 encrypt", out, 16, "8ea2b7ca516745bfeafc49904b496089");
	_mm_storeu_si128((__m128i *)out, aes_decrypt(c, rk, 14));
	hex("AES-256 decrypt", out, 16, "00112233445566778899aabbccddeeff");
}

/* ---- SHA-256 (the usual SHA-NI round structure) ---- */

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* One 64-byte block into the state kept as ABEF / CDGH. */
static void sha256_block(__m128i *abef, __m128i *cdgh, const uint8_t *blk)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i m[4], s0 = *abef, s1 = *cdgh;
	for (int k = 0; k < 4; k++)
		m[k] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blk + 16 * k)), bswap);
	for (int r = 0; r < 16; r++) {
		__m128i w = m[r & 3];
		__m128i wk = _mm_add_epi32(w, _mm_loadu_si128((const __m128i *)&K256[4 * r]));
		s1 = _mm_sha256rnds2_epu32(s1, s0, wk);
		s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(wk, 0x0E));
		if (r < 12) {
			/* W[t+16..19] from W[t..t+15]: msg1 on the oldest two
			 * groups, + W[t+9..12], msg2 with the newest group. */
			__m128i t = _mm_sha256msg1_epu32(m[r & 3], m[(r + 1) & 3]);
			t = _mm_add_epi32(t, _mm_alignr_epi8(m[(r + 3) & 3], m[(r + 2) & 3], 4));
			m[r & 3] = _mm_sha256msg2_epu32(t, m[(r + 3) & 3]);
		}
	}
	*abef = _mm_add_epi32(*abef, s0);
	*cdgh = _mm_add_epi32(*cdgh, s1);
}

/* Pad msg (n < 120 bytes) into one or two blocks and hash. */
static void sha256(const char *msg, uint8_t out[32])
{
	uint8_t buf[128] = { 0 };
	size_t n = strlen(msg), blocks = n + 9 <= 64 ? 1 : 2;
	memcpy(buf, msg, n);
	buf[n] = 0x80;
	uint64_t bits = (uint64_t)n * 8;
	for (int k = 0; k < 8; k++)
		buf[64 * blocks - 1 - k] = (uint8_t)(bits >> (8 * k));
	/* H0..H7 as ABEF (A highest) and CDGH */
	__m128i abef = _mm_set_epi32(0x6a09e667, 0xbb67ae85, 0x510e527f, 0x9b05688c);
	__m128i cdgh = _mm_set_epi32(0x3c6ef372, 0xa54ff53a, 0x1f83d9ab, 0x5be0cd19);
	for (size_t b = 0; b < blocks; b++)
		sha256_block(&abef, &cdgh, buf + 64 * b);
	uint32_t h[8], v[4];
	_mm_storeu_si128((__m128i *)v, abef);
	h[0] = v[3]; h[1] = v[2]; h[4] = v[1]; h[5] = v[0];
	_mm_storeu_si128((__m128i *)v, cdgh);
	h[2] = v[3]; h[3] = v[2]; h[6] = v[1]; h[7] = v[0];
	for (int k = 0; k < 8; k++)
		for (int j = 0; j < 4; j++)
			out[4 * k + j] = (uint8_t)(h[k] >> (24 - 8 * j));
}

/* ---- SHA-1 ---- */

static void sha1_block(__m128i *abcd, uint32_t *e, const uint8_t *blk)
{
	const __m128i bswap = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
	__m128i m[4], a0 = *abcd, ee = _mm_set_epi32((int)*e, 0, 0, 0), e1;
	for (int k = 0; k < 4; k++)
		m[k] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blk + 16 * k)), bswap);
	__m128i a = a0, e0 = _mm_add_epi32(ee, m[0]);
	for (int r = 0; r < 20; r++) {
		/* four rounds with W+E in e0; the next E comes from this A */
		e1 = a;
		switch (r / 5) {
		case 0: a = _mm_sha1rnds4_epu32(a, e0, 0); break;
		case 1: a = _mm_sha1rnds4_epu32(a, e0, 1); break;
		case 2: a = _mm_sha1rnds4_epu32(a, e0, 2); break;
		default: a = _mm_sha1rnds4_epu32(a, e0, 3); break;
		}
		if (r < 16) {
			/* W[t+16..19] from the four groups before */
			__m128i t = _mm_sha1msg1_epu32(m[r & 3], m[(r + 1) & 3]);
			t = _mm_xor_si128(t, m[(r + 2) & 3]);
			m[r & 3] = _mm_sha1msg2_epu32(t, m[(r + 3) & 3]);
		}
		if (r < 19)
			e0 = _mm_sha1nexte_epu32(e1, m[(r + 1) & 3]);
		else
			ee = _mm_sha1nexte_epu32(e1, _mm_setzero_si128());
	}
	*abcd = _mm_add_epi32(a, a0);
	uint32_t v[4];
	_mm_storeu_si128((__m128i *)v, ee);
	*e += v[3];
}

static void sha1(const char *msg, uint8_t out[20])
{
	uint8_t buf[128] = { 0 };
	size_t n = strlen(msg), blocks = n + 9 <= 64 ? 1 : 2;
	memcpy(buf, msg, n);
	buf[n] = 0x80;
	uint64_t bits = (uint64_t)n * 8;
	for (int k = 0; k < 8; k++)
		buf[64 * blocks - 1 - k] = (uint8_t)(bits >> (8 * k));
	__m128i abcd = _mm_set_epi32(0x67452301, (int)0xefcdab89, (int)0x98badcfe, 0x10325476);
	uint32_t e = 0xc3d2e1f0;
	for (size_t b = 0; b < blocks; b++)
		sha1_block(&abcd, &e, buf + 64 * b);
	uint32_t v[4], h[5];
	_mm_storeu_si128((__m128i *)v, abcd);
	h[0] = v[3]; h[1] = v[2]; h[2] = v[1]; h[3] = v[0]; h[4] = e;
	for (int k = 0; k < 5; k++)
		for (int j = 0; j < 4; j++)
			out[4 * k + j] = (uint8_t)(h[k] >> (24 - 8 * j));
}

static void sha_tests(void)
{
	static const char two[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t d[32];
	sha256("abc", d);
	hex("SHA-256(\"abc\")", d, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256(two, d);
	hex("SHA-256(two blocks)", d, 32, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	sha1("abc", d);
	hex("SHA-1(\"abc\")", d, 20, "a9993e364706816aba3e25717850c26c9cd0d89d");
	sha1(two, d);
	hex("SHA-1(two blocks)", d, 20, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

/* ---- PCLMULQDQ ---- */

static void clmul_tests(void)
{
	/* (x^63 + x + 1)^2 = x^126 + x^2 + 1 (squaring is linear in GF(2)),
	 * and the four quadword pairs of two fixed values (expected values
	 * from a shift-and-XOR reference). */
	uint8_t out[16];
	__m128i a = _mm_set_epi64x(0x0123456789abcdefLL, (long long)0x8000000000000003ULL);
	__m128i b = _mm_set_epi64x((long long)0xfedcba9876543210ULL, 0x0f0f0f0f0f0f0f0fLL);
	_mm_storeu_si128((__m128i *)out, _mm_clmulepi64_si128(a, a, 0x00));
	hex("CLMUL square", out, 16, "05000000000000000000000000000040");
	_mm_storeu_si128((__m128i *)out, _mm_clmulepi64_si128(a, b, 0x00));
	hex("CLMUL lo*lo", out, 16, "11111111111111918787878787878707");
	_mm_storeu_si128((__m128i *)out, _mm_clmulepi64_si128(a, b, 0x11));
	hex("CLMUL hi*hi", out, 16, "f010c8289878a040b0508868d838e000");
	_mm_storeu_si128((__m128i *)out, _mm_clmulepi64_si128(a, b, 0x01));
	hex("CLMUL a.hi*b.lo", out, 16, "f5fbf6070dfc0e00f5fbf6070dfc0e00");
	_mm_storeu_si128((__m128i *)out, _mm_clmulepi64_si128(a, b, 0x10));
	hex("CLMUL a.lo*b.hi", out, 16, "3056fc9aa8cf650309192a3b4c5d6e7f");
}

static int host_ok(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 25)) || !(c & (1u << 1)))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 29)))
		return 0;
	return 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "host"))
		return host_ok() ? 0 : 77;
	if (argc > 1 && !strcmp(argv[1], "rand")) {
		unsigned long long r[4];
		int ok = _rdrand64_step(&r[0]) & _rdrand64_step(&r[1]) &
			 _rdseed64_step(&r[2]) & _rdseed64_step(&r[3]);
		printf("rdrand %016llx %016llx\nrdseed %016llx %016llx\n", r[0], r[1], r[2], r[3]);
		return ok ? 0 : 1;
	}
	aes_tests();
	sha_tests();
	clmul_tests();
	return bad;
}
