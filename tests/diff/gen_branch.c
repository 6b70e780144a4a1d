/*
 * gen_branch.c - differential cases for the near branches that stay in the
 * code: Jcc (rel8 and rel32, all 16 conditions), JMP rel8/rel32, LOOP,
 * LOOPE, LOOPNE, JRCXZ and JECXZ (with and without 67h), each jumping
 * forward over a filler instruction that changes a register (LEA r, [r+1],
 * no flags): taken or not, both sides end at the same place, and the
 * registers say which way the branch went.  Half the cases start with a
 * flag producer (ADD/ADC/SUB/SBB/AND/OR/XOR/CMP/TEST/INC/DEC/NEG at 8-64
 * bits), so each condition is read from every kind of lazy-flag record and
 * not only from RFLAGS: this is how the per-condition Jcc handlers
 * (cond_now() in cpu/flags.h) meet the host.  CALL and RET are left to the
 * unit tests: their stack slot holds a host address on one side and a guest
 * address on the other.
 */
#include "diff.h"

/* A general register usable as an LEA base with ModRM mod=01 and no SIB
 * (not RSP, not R12). */
static unsigned lea_reg(struct diff_rng *g)
{
	unsigned r;
	do
		r = diff_below(g, 16);
	while ((r & 7) == 4);
	return r;
}

static void put(struct diff_case *k, uint8_t b)
{
	k->code[k->len++] = b;
}

/* lea r, [r + 1] (64-bit): 4 bytes, no flags. */
static void filler(struct diff_rng *g, struct diff_case *k)
{
	unsigned r = lea_reg(g);
	put(k, (uint8_t)(0x48 | (r & 8 ? 5 : 0)));
	put(k, 0x8D);
	put(k, (uint8_t)(0x40 | (r & 7) << 3 | (r & 7)));
	put(k, 0x01);
	k->ninsn++;
}

static void flag_producer(struct diff_rng *g, struct diff_case *k)
{
	/* 01 add, 09 or, 11 adc, 19 sbb, 21 and, 29 sub, 31 xor, 39 cmp,
	 * 85 test (r/m, r); FF /0 inc, FF /1 dec, F7 /3 neg */
	static const uint8_t bin[] = { 0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x39, 0x85 };
	static const uint8_t un[][2] = { { 0xFF, 0 }, { 0xFF, 1 }, { 0xF7, 3 } };
	unsigned size = 1u << diff_below(g, 4), rm, reg;
	uint8_t op;

	do
		rm = diff_below(g, 16);
	while (rm == 4);
	if (diff_below(g, 4)) {
		op = (uint8_t)(bin[diff_below(g, sizeof bin)] - (size == 1));
		do
			reg = diff_below(g, 16);
		while (reg == 4);
		if (diff_below(g, 8) == 0)
			reg = rm;   /* cmp r, r and friends: equal operands */
	} else {
		unsigned u = diff_below(g, 3);
		op = (uint8_t)(un[u][0] - (size == 1));
		reg = un[u][1];
	}
	if (size == 2)
		put(k, 0x66);
	/* Always a REX for byte operands, so 4-7 are SPL..DIL, not AH..BH. */
	uint8_t rex = (uint8_t)(0x40 | (size == 8 ? 8 : 0) | (reg & 8 ? 4 : 0) | (rm & 8 ? 1 : 0));
	if (rex != 0x40 || size == 1)
		put(k, rex);
	put(k, op);
	put(k, (uint8_t)(0xC0 | (reg & 7) << 3 | (rm & 7)));
	k->ninsn++;
}

static bool gen_branch(struct diff_rng *g, struct diff_case *k)
{
	unsigned nfill = 1 + diff_below(g, 2), skip = 4 * nfill;

	if (diff_below(g, 2))
		flag_producer(g, k);
	k->subject = (uint8_t)(k->ninsn + 1);
	switch (diff_below(g, 8)) {
	case 0: case 1: case 2:            /* Jcc rel8 */
		put(k, (uint8_t)(0x70 | diff_below(g, 16)));
		put(k, (uint8_t)skip);
		break;
	case 3: case 4: {                  /* Jcc rel32 */
		put(k, 0x0F);
		put(k, (uint8_t)(0x80 | diff_below(g, 16)));
		put(k, (uint8_t)skip);
		put(k, 0);
		put(k, 0);
		put(k, 0);
		break;
	}
	case 5:                            /* JMP rel8 / rel32 */
		if (diff_below(g, 2)) {
			put(k, 0xEB);
			put(k, (uint8_t)skip);
		} else {
			put(k, 0xE9);
			put(k, (uint8_t)skip);
			put(k, 0);
			put(k, 0);
			put(k, 0);
		}
		break;
	default: {                         /* LOOP, LOOPE, LOOPNE, JrCXZ */
		static const uint64_t counts[] = {
			0, 1, 2, 3, 0x100000000ULL, 0x100000001ULL, 0xFFFFFFFFULL, ~0ULL,
		};
		k->r[1] = diff_below(g, 2) ? counts[diff_below(g, 8)] : diff_value(g);
		if (diff_below(g, 3) == 0)
			put(k, 0x67);
		put(k, (uint8_t)(0xE0 + diff_below(g, 4)));
		put(k, (uint8_t)skip);
		break;
	}
	}
	k->ninsn++;
	for (unsigned f = 0; f < nfill; f++)
		filler(g, k);
	return true;
}

DIFF_FAMILY(branch, gen_branch, 4)
