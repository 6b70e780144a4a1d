/*
 * decode.h - the block cache of predecoded instructions (cpu/decode.c).
 */
#ifndef LSTAR_DECODE_H
#define LSTAR_DECODE_H

#include "cpu.h"

struct block {
	uint64_t va;          /* virtual address of the first instruction */
	uint64_t pa;          /* its physical address */
	uint64_t pa2;         /* physical page of a page-crossing last insn, or ~0 */
	uint32_t gen, gen2;   /* page generations the block was decoded under */
	uint32_t n;           /* instructions in insn[] */
	/* The fast path runs insn[0..fast_n) one by one, then, when tail_fn
	 * is set, the last two (a flag-setting instruction and the Jcc that
	 * reads its flags) as one call tail_fn(c, &insn[fast_n]): a FUSE row
	 * of cpu/ops.def (fast_n == n - 2).  Otherwise fast_n == n and
	 * tail_fn is NULL.  The careful path always runs insn[0..n) with
	 * their own handlers. */
	uint32_t fast_n;
	insn_fn tail_fn;
	const struct insn *fast_end; /* &insn[fast_n], for the loop's test */
	struct block *next;   /* hash chain */
	/* Direct links to the blocks that followed this one, valid while
	 * link_epoch[k] == cpu.chain_epoch: saves the lookup on hot paths. */
	struct block *link[2];
	uint64_t link_epoch[2];
	struct insn insn[];
};

int decode_init(struct cpu *c);
void decode_free(struct cpu *c);
/* Drop every decoded block. */
void decode_flush_all(struct cpu *c);
/* The block at c->rip (decoding it on a miss); may fault on the fetch. */
struct block *decode_lookup(struct cpu *c);
/* Read up to max instruction bytes at va without faulting. */
unsigned decode_peek(struct cpu *c, uint64_t va, uint8_t *bytes, unsigned max);
/* Blocks decoded since the machine was made (a cache-miss counter). */
uint64_t decode_blocks_made(const struct cpu *c);
/* Times the whole cache was dropped: until the next drop a decoded
 * instruction's struct insn is never reused for another instruction
 * (blocks are bump-allocated), so (pointer, drops) names its contents. */
uint64_t decode_flushes(const struct cpu *c);
/* Number of mnemonics with a handler. */
size_t decode_handled_mnemonics(void);

#endif
