/*
 * diff.h - the differential test harness: every case runs natively on the
 * host CPU and in lstar, and RIP, all 16 GPRs, RFLAGS (but the undefined
 * arithmetic flags), the x87/SSE registers and a window of data memory
 * must agree.  See tests/diff/README.md.
 *
 * A family adds a file tests/diff/gen_<family>.c with one generator:
 *
 *     static bool gen(struct diff_rng *g, struct diff_case *k) { ... }
 *     DIFF_FAMILY(alu, gen, 10);    // name, generator, weight
 *
 * The generator fills `k` (code bytes via diff_encode(), registers, flags,
 * memory window, compare masks) and returns false to skip a draw it cannot
 * encode.  CMake picks up every gen_*.c; nothing else needs editing.
 */
#ifndef LSTAR_DIFF_H
#define LSTAR_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <Zydis/Zydis.h>

/* The data window: identity-mapped in lstar, mmap'd at the same address on
 * the host.  Memory operands must stay inside [DIFF_MEM, DIFF_MEM +
 * DIFF_MEM_SIZE); the whole window is compared after each case. */
#define DIFF_MEM       0x08000000ULL
#define DIFF_MEM_SIZE  0x1000u
/* Default RSP: inside the window, 16-aligned, room both ways (push/pop). */
#define DIFF_STACK     (DIFF_MEM + 0xF00)

/* RFLAGS bits a generator may set in the input (others are forced). */
#define DIFF_FLAGS_SETTABLE 0x8D5ULL   /* CF PF AF ZF SF OF */

struct diff_rng {
	uint64_t s[2];
};

struct diff_case {
	const char *family;          /* set by the runner */
	uint8_t code[32];            /* the instruction(s) */
	uint8_t len;                 /* bytes used in code[] */
	uint8_t ninsn;               /* instructions in code[] (0 counts as 1):
	                                lstar steps this many; the flags compared
	                                and the statistics are the last one's */
	uint64_t r[16];              /* input GPRs (RSP defaults to DIFF_STACK) */
	uint64_t rflags;             /* input arithmetic flags (DIFF_FLAGS_SETTABLE) */
	uint8_t mem[DIFF_MEM_SIZE];  /* input memory window */
	uint8_t fx[512] __attribute__((aligned(16)));
	                             /* input x87/SSE state, an FXSAVE image
	                                (random, every exception masked) */
	/* Flags to compare.  The runner starts from the instruction's
	 * modified|set|cleared minus Zydis's "undefined" mask; a generator may
	 * narrow it further (e.g. OF after a shift by more than 1). */
	uint64_t flags_cmp;
	bool flags_cmp_set;          /* generator set flags_cmp itself */
	uint16_t reg_ignore;         /* GPRs whose result is undefined (bit n = r[n]) */
	bool invalid_ok;             /* one instruction that Zydis may reject (an
	                                invalid encoding: the host must #UD) */
	uint8_t subject;             /* 1-based index of the instruction the
	                                statistics name (0: the last one) */
};

/* xorshift128+: deterministic per seed. */
static inline uint64_t diff_rand(struct diff_rng *g)
{
	uint64_t a = g->s[0], b = g->s[1];
	g->s[0] = b;
	a ^= a << 23;
	a ^= a >> 17;
	a ^= b ^ (b >> 26);
	g->s[1] = a;
	return a + b;
}

static inline unsigned diff_below(struct diff_rng *g, unsigned n)
{
	return (unsigned)(diff_rand(g) % n);
}

/* A value biased to edges: 0, 1, -1, sign boundaries, powers of two, small
 * numbers, byte patterns, or uniform random. */
uint64_t diff_value(struct diff_rng *g);

/* Encode one instruction with the Zydis encoder, appended to k->code
 * (k->len += its length, k->ninsn += 1).  Returns false if Zydis refuses the
 * request.  Several calls make a sequence, e.g. a flag producer followed by
 * the instruction under test. */
bool diff_encode(struct diff_case *k, const ZydisEncoderRequest *req);

/* Register helpers. */
ZydisRegister diff_gpr(unsigned num, unsigned size); /* num 0-15, size 1/2/4/8 */
/* GPR number of a Zydis register (-1 if none) */
int diff_gpr_num(ZydisRegister r);

typedef bool (*diff_gen_fn)(struct diff_rng *g, struct diff_case *k);

struct diff_family {
	const char *name;
	diff_gen_fn gen;
	unsigned weight;
	struct diff_family *next;
};
void diff_register(struct diff_family *f);

#define DIFF_FAMILY(nm, fn, w)						\
	static struct diff_family diff_family_##nm = { #nm, fn, w, 0 }; \
	__attribute__((constructor)) static void diff_reg_##nm(void)	\
	{								\
		diff_register(&diff_family_##nm);			\
	}

#endif
