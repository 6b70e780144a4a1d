/*
 * gen_hintnop.c - differential cases for the hint-NOP space: two-byte
 * opcodes 0F 18-1F (PREFETCHh, the reserved NOPs, MPX's 0F 1A/1B, CLDEMOTE,
 * ENDBR32/64 and RDSSPD/Q in 0F 1E, NOP r/m) and the prefetches in 0F 0D,
 * under random legacy prefixes (66 F2 F3 67, segment overrides, sometimes
 * LOCK), REX, ModRM, SIB and displacement.  The host has neither CET
 * enabled nor MPX, like lstar, so each encoding must do there what it does
 * in lstar: retire with the same length and nothing changed, or raise #UD
 * (LOCK).  Memory operands are never accessed, so the registers stay the
 * runner's random values, non-canonical ones included.
 *
 * 0F 0D with a register operand is left out: AMD raises #UD for it (the
 * host does) while Intel documents it as a reserved NOP, and lstar follows
 * the decoder (NOP).
 */
#include "diff.h"

static bool gen_hintnop(struct diff_rng *g, struct diff_case *k)
{
	static const uint8_t legacy[] = { 0x66, 0xF2, 0xF3, 0x67, 0x2E, 0x3E, 0x26, 0x64, 0x65 };
	uint8_t *p = k->code;
	unsigned n = 0;

	/* Mostly the prefixes that select other instructions here (66 F2
	 * F3), in every order; LOCK in one case in 32. */
	unsigned npfx = diff_below(g, 4);
	for (unsigned j = 0; j < npfx; j++)
		p[n++] = legacy[diff_below(g, 3) ? diff_below(g, 3) : diff_below(g, sizeof legacy)];
	if (diff_below(g, 32) == 0)
		p[n++] = 0xF0;
	if (diff_below(g, 2))
		p[n++] = (uint8_t)(0x40 | diff_below(g, 16));
	p[n++] = 0x0F;
	uint8_t op = diff_below(g, 10) ? (uint8_t)(0x18 + diff_below(g, 8)) : 0x0D;
	p[n++] = op;

	/* ModRM: a third register forms; rdssp and endbr need F3 + mod=11
	 * with reg 1 / reg 7, rm 2-3, so bias towards those. */
	unsigned mod = diff_below(g, 4), reg = diff_below(g, 8), rm = diff_below(g, 8);
	if (op == 0x1E && diff_below(g, 2)) {
		mod = 3;
		reg = diff_below(g, 2) ? 1 : 7;
		if (reg == 7 && diff_below(g, 2))
			rm = 2 + diff_below(g, 2);
	}
	if (op == 0x0D && mod == 3)
		mod = diff_below(g, 3);
	p[n++] = (uint8_t)(mod << 6 | reg << 3 | rm);
	if (mod != 3 && rm == 4) {
		uint8_t sib = (uint8_t)diff_rand(g);
		p[n++] = sib;
		if (mod == 0 && (sib & 7) == 5)
			mod = 2;   /* no base: disp32 follows */
	}
	if (mod == 0 && rm == 5)
		mod = 2;           /* RIP-relative: disp32 */
	unsigned disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	for (unsigned j = 0; j < disp; j++)
		p[n++] = (uint8_t)diff_rand(g);
	k->len = (uint8_t)n;
	k->ninsn = 1;
	k->invalid_ok = true;   /* LOCK: Zydis refuses, the host raises #UD */
	return true;
}

DIFF_FAMILY(hintnop, gen_hintnop, 2)
