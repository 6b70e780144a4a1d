/*
 * crypto.c - the cryptographic extensions, legacy SSE forms: AES-NI
 * (AESENC, AESENCLAST, AESDEC, AESDECLAST, AESIMC, AESKEYGENASSIST),
 * PCLMULQDQ, the SHA extensions (SHA1RNDS4, SHA1NEXTE, SHA1MSG1,
 * SHA1MSG2, SHA256RNDS2, SHA256MSG1, SHA256MSG2), and RDRAND/RDSEED.
 * SDM vol. 2 under each mnemonic; the AES steps are FIPS-197's.
 *
 * Everything is plain C: no host AES-NI, CLMUL or SHA instruction is
 * used, so lstar offers these to its guests on any x86-64 host.  The VEX
 * forms (VAESENC..., VPCLMULQDQ) are other mnemonics and are not here.
 *
 * Memory operands: the SDM classes all of these as exception type 4, so
 * a legacy m128 source must be 16-byte aligned (#GP(0)).  AMD processors
 * agree for AES-NI and PCLMULQDQ but read the SHA instructions' m128 at
 * any address (measured by tests/diff-fpu on an AMD EPYC, which runs
 * lstar with the host's vendor): lstar follows the vendor it plays.
 */
#include "avx.h"
#include "flags.h"

/* ---- AES (FIPS-197 §5) ------------------------------------------------
 *
 * The state is the XMM register's 16 bytes in memory order: byte 4*c + r
 * is row r of column c (FIPS-197 §3.4), which is how AES-NI maps it.
 *
 * The S-box is the multiplicative inverse in GF(2^8) (polynomial 0x11B,
 * 0 maps to 0) followed by the affine map b ^ rol(b,1) ^ rol(b,2) ^
 * rol(b,3) ^ rol(b,4) ^ 0x63; the inverse S-box undoes it.  Both were
 * computed once from that definition and are written out here.
 */
static const uint8_t aes_sbox[256] = {
	0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
	0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
	0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
	0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
	0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
	0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
	0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
	0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
	0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
	0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
	0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
	0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
	0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
	0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
	0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
	0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
};

static const uint8_t aes_inv_sbox[256] = {
	0x52, 0x09, 0x6a, 0xd5, 0x30, 0x36, 0xa5, 0x38, 0xbf, 0x40, 0xa3, 0x9e, 0x81, 0xf3, 0xd7, 0xfb,
	0x7c, 0xe3, 0x39, 0x82, 0x9b, 0x2f, 0xff, 0x87, 0x34, 0x8e, 0x43, 0x44, 0xc4, 0xde, 0xe9, 0xcb,
	0x54, 0x7b, 0x94, 0x32, 0xa6, 0xc2, 0x23, 0x3d, 0xee, 0x4c, 0x95, 0x0b, 0x42, 0xfa, 0xc3, 0x4e,
	0x08, 0x2e, 0xa1, 0x66, 0x28, 0xd9, 0x24, 0xb2, 0x76, 0x5b, 0xa2, 0x49, 0x6d, 0x8b, 0xd1, 0x25,
	0x72, 0xf8, 0xf6, 0x64, 0x86, 0x68, 0x98, 0x16, 0xd4, 0xa4, 0x5c, 0xcc, 0x5d, 0x65, 0xb6, 0x92,
	0x6c, 0x70, 0x48, 0x50, 0xfd, 0xed, 0xb9, 0xda, 0x5e, 0x15, 0x46, 0x57, 0xa7, 0x8d, 0x9d, 0x84,
	0x90, 0xd8, 0xab, 0x00, 0x8c, 0xbc, 0xd3, 0x0a, 0xf7, 0xe4, 0x58, 0x05, 0xb8, 0xb3, 0x45, 0x06,
	0xd0, 0x2c, 0x1e, 0x8f, 0xca, 0x3f, 0x0f, 0x02, 0xc1, 0xaf, 0xbd, 0x03, 0x01, 0x13, 0x8a, 0x6b,
	0x3a, 0x91, 0x11, 0x41, 0x4f, 0x67, 0xdc, 0xea, 0x97, 0xf2, 0xcf, 0xce, 0xf0, 0xb4, 0xe6, 0x73,
	0x96, 0xac, 0x74, 0x22, 0xe7, 0xad, 0x35, 0x85, 0xe2, 0xf9, 0x37, 0xe8, 0x1c, 0x75, 0xdf, 0x6e,
	0x47, 0xf1, 0x1a, 0x71, 0x1d, 0x29, 0xc5, 0x89, 0x6f, 0xb7, 0x62, 0x0e, 0xaa, 0x18, 0xbe, 0x1b,
	0xfc, 0x56, 0x3e, 0x4b, 0xc6, 0xd2, 0x79, 0x20, 0x9a, 0xdb, 0xc0, 0xfe, 0x78, 0xcd, 0x5a, 0xf4,
	0x1f, 0xdd, 0xa8, 0x33, 0x88, 0x07, 0xc7, 0x31, 0xb1, 0x12, 0x10, 0x59, 0x27, 0x80, 0xec, 0x5f,
	0x60, 0x51, 0x7f, 0xa9, 0x19, 0xb5, 0x4a, 0x0d, 0x2d, 0xe5, 0x7a, 0x9f, 0x93, 0xc9, 0x9c, 0xef,
	0xa0, 0xe0, 0x3b, 0x4d, 0xae, 0x2a, 0xf5, 0xb0, 0xc8, 0xeb, 0xbb, 0x3c, 0x83, 0x53, 0x99, 0x61,
	0x17, 0x2b, 0x04, 0x7e, 0xba, 0x77, 0xd6, 0x26, 0xe1, 0x69, 0x14, 0x63, 0x55, 0x21, 0x0c, 0x7d,
};

/* Multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
static inline uint8_t xtime(uint8_t a)
{
	return (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1B : 0));
}

/* a * b in GF(2^8) (b is one of the small MixColumns constants). */
static uint8_t gmul(uint8_t a, uint8_t b)
{
	uint8_t r = 0;
	while (b) {
		if (b & 1)
			r ^= a;
		a = xtime(a);
		b >>= 1;
	}
	return r;
}

/* ShiftRows: row r moves r columns to the left.  SubBytes commutes with
 * it (one works on positions, the other on values), so both are one
 * pass here. */
static void aes_shift_sub(union vec *s)
{
	union vec t;
	for (unsigned c = 0; c < 4; c++)
		for (unsigned r = 0; r < 4; r++)
			t.b[4 * c + r] = aes_sbox[s->b[4 * ((c + r) & 3) + r]];
	*s = t;
}

/* InvShiftRows (row r moves r columns to the right) with InvSubBytes. */
static void aes_inv_shift_sub(union vec *s)
{
	union vec t;
	for (unsigned c = 0; c < 4; c++)
		for (unsigned r = 0; r < 4; r++)
			t.b[4 * c + r] = aes_inv_sbox[s->b[4 * ((c - r) & 3) + r]];
	*s = t;
}

/* MixColumns: each column times the circulant (2 3 1 1). */
static void aes_mix_columns(union vec *s)
{
	for (unsigned c = 0; c < 4; c++) {
		uint8_t *p = &s->b[4 * c];
		uint8_t a0 = p[0], a1 = p[1], a2 = p[2], a3 = p[3];
		uint8_t all = a0 ^ a1 ^ a2 ^ a3;
		/* 2a ^ 3b ^ c ^ d = a ^ all ^ 2(a ^ b) */
		p[0] = (uint8_t)(a0 ^ all ^ xtime(a0 ^ a1));
		p[1] = (uint8_t)(a1 ^ all ^ xtime(a1 ^ a2));
		p[2] = (uint8_t)(a2 ^ all ^ xtime(a2 ^ a3));
		p[3] = (uint8_t)(a3 ^ all ^ xtime(a3 ^ a0));
	}
}

/* InvMixColumns: each column times the circulant (14 11 13 9). */
static void aes_inv_mix_columns(union vec *s)
{
	for (unsigned c = 0; c < 4; c++) {
		uint8_t *p = &s->b[4 * c];
		uint8_t a[4] = { p[0], p[1], p[2], p[3] };
		for (unsigned r = 0; r < 4; r++)
			p[r] = gmul(a[r], 14) ^ gmul(a[(r + 1) & 3], 11) ^
			       gmul(a[(r + 2) & 3], 13) ^ gmul(a[(r + 3) & 3], 9);
	}
}

enum aes_kind { AES_ENC, AES_ENCLAST, AES_DEC, AES_DECLAST };

/* AESENC/AESENCLAST/AESDEC/AESDECLAST xmm1, xmm2/m128: one round of the
 * cipher (or its inverse, in the "equivalent inverse cipher" order of
 * FIPS-197 §5.3.5) on the state in xmm1, then XOR with the round key
 * from the source.  The LAST forms skip (Inv)MixColumns.  No flags. */
static void aes_round_of(union vec *st, const union vec *key, enum aes_kind k)
{
	if (k == AES_ENC || k == AES_ENCLAST) {
		aes_shift_sub(st);
		if (k == AES_ENC)
			aes_mix_columns(st);
	} else {
		aes_inv_shift_sub(st);
		if (k == AES_DEC)
			aes_inv_mix_columns(st);
	}
	st->q[0] ^= key->q[0];
	st->q[1] ^= key->q[1];
}

static void aes_round(struct cpu *c, const struct insn *i, enum aes_kind k)
{
	union vec st, key;
	sse_check(c);
	vec_load(c, i, 1, &key, true);
	vec_load(c, i, 0, &st, false);
	aes_round_of(&st, &key, k);
	vec_store(c, i, 0, &st, false);
}
void op_aesenc(struct cpu *c, const struct insn *i) { aes_round(c, i, AES_ENC); }
void op_aesenclast(struct cpu *c, const struct insn *i) { aes_round(c, i, AES_ENCLAST); }
void op_aesdec(struct cpu *c, const struct insn *i) { aes_round(c, i, AES_DEC); }
void op_aesdeclast(struct cpu *c, const struct insn *i) { aes_round(c, i, AES_DECLAST); }

/* AESIMC xmm1, xmm2/m128: InvMixColumns of the source, which turns an
 * encryption round key into one for AESDEC. */
void op_aesimc(struct cpu *c, const struct insn *i)
{
	union vec s;
	sse_check(c);
	vec_load(c, i, 1, &s, true);
	aes_inv_mix_columns(&s);
	vec_store(c, i, 0, &s, false);
}

static uint32_t sub_word(uint32_t w)
{
	return (uint32_t)aes_sbox[w & 0xFF] | (uint32_t)aes_sbox[(w >> 8) & 0xFF] << 8 |
	       (uint32_t)aes_sbox[(w >> 16) & 0xFF] << 16 | (uint32_t)aes_sbox[w >> 24] << 24;
}

static inline uint32_t ror32(uint32_t x, unsigned n)
{
	return (x >> n) | (x << ((32 - n) & 31));
}

static inline uint32_t rol32(uint32_t x, unsigned n)
{
	return (x << n) | (x >> ((32 - n) & 31));
}

/* AESKEYGENASSIST xmm1, xmm2/m128, imm8: the key-expansion helper.  With
 * the source dwords X0..X3 (X0 lowest) and RCON = imm8:
 *   dword 0 = SubWord(X1), dword 1 = RotWord(SubWord(X1)) ^ RCON,
 *   dword 2 = SubWord(X3), dword 3 = RotWord(SubWord(X3)) ^ RCON,
 * where RotWord turns the dword right by 8 bits (FIPS-197's byte
 * rotation in little-endian order). */
static void keygen_of(union vec *r, const union vec *s, uint32_t rcon)
{
	uint32_t x1 = sub_word(s->d[1]), x3 = sub_word(s->d[3]);
	r->d[0] = x1;
	r->d[1] = ror32(x1, 8) ^ rcon;
	r->d[2] = x3;
	r->d[3] = ror32(x3, 8) ^ rcon;
}

void op_aeskeygenassist(struct cpu *c, const struct insn *i)
{
	union vec s, r;
	sse_check(c);
	vec_load(c, i, 1, &s, true);
	keygen_of(&r, &s, (uint32_t)(i->imm & 0xFF));
	vec_store(c, i, 0, &r, false);
}

/* ---- PCLMULQDQ ---------------------------------------------------------
 *
 * PCLMULQDQ xmm1, xmm2/m128, imm8: the carry-less (GF(2)[x]) product of
 * one quadword of xmm1 (imm8 bit 0 picks the high one) and one of the
 * source (imm8 bit 4), a 127-bit result in all of xmm1.  The other imm8
 * bits are ignored.
 */
static void clmul_of(union vec *r, const union vec *d, const union vec *s, unsigned imm)
{
	uint64_t a = d->q[imm & 1], b = s->q[(imm >> 4) & 1];
	uint64_t lo = 0, hi = 0;
	for (unsigned k = 0; k < 64; k++) {
		if ((b >> k) & 1) {
			lo ^= a << k;
			if (k)
				hi ^= a >> (64 - k);
		}
	}
	r->q[0] = lo;
	r->q[1] = hi;
}

void op_pclmulqdq(struct cpu *c, const struct insn *i)
{
	union vec d, s, r;
	sse_check(c);
	vec_load(c, i, 1, &s, true);
	vec_load(c, i, 0, &d, false);
	clmul_of(&r, &d, &s, (unsigned)i->imm);
	vec_store(c, i, 0, &r, false);
}

/* ---- the VEX.128 forms (AVX with AES or PCLMULQDQ) ---------------------
 *
 * VAESENC/VAESENCLAST/VAESDEC/VAESDECLAST xmm1, xmm2, xmm3/m128 and
 * VPCLMULQDQ xmm1, xmm2, xmm3/m128, imm8 take the state (first factor)
 * from VEX.vvvv and write a third register; VAESIMC and VAESKEYGENASSIST
 * have two operands.  As every VEX instruction (cpu/avx.h): the AVX
 * enable checks, no alignment rule for the memory operand, bits 255:128
 * of the destination zeroed.  The 256-bit forms belong to VAES and
 * VPCLMULQDQ, which lstar does not implement: the decoder makes them #UD.
 */
static void vaes_round(struct cpu *c, const struct insn *i, enum aes_kind k)
{
	union yvec st, key;
	avx_enter(c, i);
	avx_read(c, i, 2, &key, false);
	avx_read(c, i, 1, &st, false);
	aes_round_of(&st.h[0], &key.h[0], k);
	avx_write(c, i, 0, &st, false);
}
void op_vaesenc(struct cpu *c, const struct insn *i) { vaes_round(c, i, AES_ENC); }
void op_vaesenclast(struct cpu *c, const struct insn *i) { vaes_round(c, i, AES_ENCLAST); }
void op_vaesdec(struct cpu *c, const struct insn *i) { vaes_round(c, i, AES_DEC); }
void op_vaesdeclast(struct cpu *c, const struct insn *i) { vaes_round(c, i, AES_DECLAST); }

void op_vaesimc(struct cpu *c, const struct insn *i)
{
	union yvec s;
	avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	aes_inv_mix_columns(&s.h[0]);
	memset(&s.h[1], 0, 16);
	avx_write(c, i, 0, &s, false);
}

void op_vaeskeygenassist(struct cpu *c, const struct insn *i)
{
	union yvec s, r;
	avx_enter(c, i);
	avx_read(c, i, 1, &s, false);
	memset(&r, 0, sizeof r);
	keygen_of(&r.h[0], &s.h[0], (uint32_t)(i->imm & 0xFF));
	avx_write(c, i, 0, &r, false);
}

void op_vpclmulqdq(struct cpu *c, const struct insn *i)
{
	union yvec a, b, r;
	avx_enter(c, i);
	avx_read(c, i, 2, &b, false);
	avx_read(c, i, 1, &a, false);
	memset(&r, 0, sizeof r);
	clmul_of(&r.h[0], &a.h[0], &b.h[0], (unsigned)i->imm);
	avx_write(c, i, 0, &r, false);
}

/* ---- SHA-1 (FIPS 180-4 §6.1; SDM "SHA1RNDS4" ... "SHA1MSG2") -----------
 *
 * The SHA instructions keep the working variables with the first one in
 * the highest dword: for SHA-1, A in dword 3 of xmm1, then B, C, D.
 */

/* Load the two operands every SHA instruction has: xmm1 (also the
 * destination) and xmm2/m128, 16-aligned for Intel (SDM: exception type
 * 4), at any address for AMD (see the top of the file). */
static void sha_load(struct cpu *c, const struct insn *i, union vec *d, union vec *s)
{
	sse_check(c);
	vec_load(c, i, 1, s, c->vendor != VENDOR_AMD);
	vec_load(c, i, 0, d, false);
}

static uint32_t sha1_f(unsigned fn, uint32_t b, uint32_t cc, uint32_t d)
{
	switch (fn & 3) {
	case 0: return (b & cc) ^ (~b & d);             /* Ch, rounds 0-19 */
	case 2: return (b & cc) ^ (b & d) ^ (cc & d);   /* Maj, rounds 40-59 */
	default: return b ^ cc ^ d;                     /* Parity */
	}
}

/* SHA1RNDS4 xmm1, xmm2/m128, imm8: four SHA-1 rounds.  xmm1 holds A B C
 * D; the source holds W0+E, W1, W2, W3 (W0+E in dword 3: SHA1NEXTE
 * already added E to the first word, so the first round adds no E);
 * imm8[1:0] chooses the function and constant of the round group. */
void op_sha1rnds4(struct cpu *c, const struct insn *i)
{
	static const uint32_t k[4] = { 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xCA62C1D6 };
	union vec d, s;
	unsigned fn = (unsigned)i->imm & 3;
	sha_load(c, i, &d, &s);
	uint32_t a = d.d[3], b = d.d[2], cc = d.d[1], dd = d.d[0], e = 0;
	for (unsigned r = 0; r < 4; r++) {
		uint32_t t = sha1_f(fn, b, cc, dd) + rol32(a, 5) + s.d[3 - r] + e + k[fn];
		e = dd;
		dd = cc;
		cc = rol32(b, 30);
		b = a;
		a = t;
	}
	d.d[3] = a;
	d.d[2] = b;
	d.d[1] = cc;
	d.d[0] = dd;
	vec_store(c, i, 0, &d, false);
}

/* SHA1NEXTE xmm1, xmm2/m128: E for the next four rounds is A of the
 * rounds before them turned left by 30; it is added to the top dword of
 * the source (the next W0), the other dwords of the source pass through. */
void op_sha1nexte(struct cpu *c, const struct insn *i)
{
	union vec d, s;
	sha_load(c, i, &d, &s);
	s.d[3] += rol32(d.d[3], 30);
	vec_store(c, i, 0, &s, false);
}

/* SHA1MSG1 xmm1, xmm2/m128: the first, XOR-only half of the message
 * schedule W[t] = rol1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]): with xmm1 =
 * W0 W1 W2 W3 and the source's top dwords W4 W5 (first word highest),
 * the result is W2^W0, W3^W1, W4^W2, W5^W3. */
void op_sha1msg1(struct cpu *c, const struct insn *i)
{
	union vec d, s, r;
	sha_load(c, i, &d, &s);
	uint32_t w0 = d.d[3], w1 = d.d[2], w2 = d.d[1], w3 = d.d[0], w4 = s.d[3], w5 = s.d[2];
	r.d[3] = w2 ^ w0;
	r.d[2] = w3 ^ w1;
	r.d[1] = w4 ^ w2;
	r.d[0] = w5 ^ w3;
	vec_store(c, i, 0, &r, false);
}

/* SHA1MSG2 xmm1, xmm2/m128: the second half: XOR with W13 W14 W15 (the
 * source's low three dwords, W13 highest) and turn left by one, the last
 * word using the first one just made (W16). */
void op_sha1msg2(struct cpu *c, const struct insn *i)
{
	union vec d, s, r;
	sha_load(c, i, &d, &s);
	uint32_t w13 = s.d[2], w14 = s.d[1], w15 = s.d[0];
	uint32_t w16 = rol32(d.d[3] ^ w13, 1);
	uint32_t w17 = rol32(d.d[2] ^ w14, 1);
	uint32_t w18 = rol32(d.d[1] ^ w15, 1);
	uint32_t w19 = rol32(d.d[0] ^ w16, 1);
	r.d[3] = w16;
	r.d[2] = w17;
	r.d[1] = w18;
	r.d[0] = w19;
	vec_store(c, i, 0, &r, false);
}

/* ---- SHA-256 (FIPS 180-4 §6.2; SDM "SHA256RNDS2" ... "SHA256MSG2") ---- */

static inline uint32_t big_sigma0(uint32_t x) { return ror32(x, 2) ^ ror32(x, 13) ^ ror32(x, 22); }
static inline uint32_t big_sigma1(uint32_t x) { return ror32(x, 6) ^ ror32(x, 11) ^ ror32(x, 25); }
static inline uint32_t small_sigma0(uint32_t x) { return ror32(x, 7) ^ ror32(x, 18) ^ (x >> 3); }
static inline uint32_t small_sigma1(uint32_t x) { return ror32(x, 17) ^ ror32(x, 19) ^ (x >> 10); }

/* SHA256RNDS2 xmm1, xmm2/m128, <XMM0>: two SHA-256 rounds.  The eight
 * working variables are split: the source holds A B E F, xmm1 holds C D
 * G H (first of each pair highest), and the low two dwords of the
 * implicit XMM0 hold W+K of the two rounds (first round in dword 0).
 * The result, A B E F after the rounds, goes to xmm1; C D G H of the
 * next pair of rounds are the A B E F given here. */
void op_sha256rnds2(struct cpu *c, const struct insn *i)
{
	union vec d, s, wk;
	sha_load(c, i, &d, &s);
	memcpy(&wk, c->xmm[0], 16);
	uint32_t a = s.d[3], b = s.d[2], e = s.d[1], f = s.d[0];
	uint32_t cc = d.d[3], dd = d.d[2], g = d.d[1], h = d.d[0];
	for (unsigned r = 0; r < 2; r++) {
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t maj = (a & b) ^ (a & cc) ^ (b & cc);
		uint32_t t1 = h + big_sigma1(e) + ch + wk.d[r];
		uint32_t t2 = big_sigma0(a) + maj;
		h = g;
		g = f;
		f = e;
		e = dd + t1;
		dd = cc;
		cc = b;
		b = a;
		a = t1 + t2;
	}
	d.d[3] = a;
	d.d[2] = b;
	d.d[1] = e;
	d.d[0] = f;
	vec_store(c, i, 0, &d, false);
}

/* SHA256MSG1 xmm1, xmm2/m128: the sigma0 part of the message schedule
 * W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16]: with xmm1
 * = W3 W2 W1 W0 (W0 lowest) and W4 the source's low dword, dword j of
 * the result is W[j] + sigma0(W[j+1]). */
void op_sha256msg1(struct cpu *c, const struct insn *i)
{
	union vec d, s, r;
	sha_load(c, i, &d, &s);
	uint32_t w[5] = { d.d[0], d.d[1], d.d[2], d.d[3], s.d[0] };
	for (unsigned j = 0; j < 4; j++)
		r.d[j] = w[j] + small_sigma0(w[j + 1]);
	vec_store(c, i, 0, &r, false);
}

/* SHA256MSG2 xmm1, xmm2/m128: the sigma1 part: xmm1 holds the partial
 * sums for W16..W19 (W16 lowest), the source's top two dwords are W14
 * (dword 2) and W15 (dword 3).  W18 and W19 need W16 and W17 made first. */
void op_sha256msg2(struct cpu *c, const struct insn *i)
{
	union vec d, s, r;
	sha_load(c, i, &d, &s);
	uint32_t w14 = s.d[2], w15 = s.d[3];
	uint32_t w16 = d.d[0] + small_sigma1(w14);
	uint32_t w17 = d.d[1] + small_sigma1(w15);
	uint32_t w18 = d.d[2] + small_sigma1(w16);
	uint32_t w19 = d.d[3] + small_sigma1(w17);
	r.d[0] = w16;
	r.d[1] = w17;
	r.d[2] = w18;
	r.d[3] = w19;
	vec_store(c, i, 0, &r, false);
}

/* ---- RDRAND / RDSEED ----------------------------------------------------
 *
 * Both draw from one generator whose state is cpu->rng_state, the
 * splitmix64 sequence (the same mixing as emu/splitmix.h, written again
 * here because cpu/ does not include emu/).  The board seeds it: from
 * `--seed N` so runs repeat, else from the host's getrandom() when the
 * machine is made (emu/firmware.c).  Being part of struct cpu, it is
 * saved and restored with gdb's reverse-execution snapshots.  lstar's
 * source never runs dry, so both always succeed.
 */
static uint64_t rng_next(struct cpu *c)
{
	uint64_t z = (c->rng_state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* RDRAND r16/r32/r64 and RDSEED r16/r32/r64 (SDM vol. 2B): a random
 * value into the register at the operand size (16 bits leave the rest of
 * the register alone, 32 bits zero-extend, as for any GPR write); CF = 1
 * says it is valid; OF SF ZF AF PF are cleared. */
static void rng_insn(struct cpu *c, const struct insn *i)
{
	uint64_t v = rng_next(c);
	reg_write(c, &i->o[0], v);
	flags_set_arith(c, F_CF);
}
void op_rdrand(struct cpu *c, const struct insn *i) { rng_insn(c, i); }
void op_rdseed(struct cpu *c, const struct insn *i) { rng_insn(c, i); }
