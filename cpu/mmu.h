/*
 * mmu.h - guest memory as instructions see it: linear addresses through
 * 4-level paging and a software TLB (cpu/paging.c), with inline fast paths.
 *
 * All functions take a *linear* address (segment base already added, see
 * insn_ea() in operand.h) and fault with #PF/#GP through cpu_fault() on
 * failure, so callers need no error handling.  The access is checked for the
 * current CPL unless the *_sys variants are used (descriptor-table and
 * TSS/IDT accesses are supervisor accesses even at CPL 3, SDM 4.6).
 */
#ifndef LSTAR_MMU_H
#define LSTAR_MMU_H

#include <string.h>
#include "cpu.h"
#include "bus.h"

/* Access kinds for the slow path. */
enum { ACC_READ = 0, ACC_WRITE = 1, ACC_EXEC = 2 };
#define ACC_SYS 0x10   /* supervisor access regardless of CPL (implicit) */

/* Slow paths (cpu/paging.c). */
uint64_t mmu_read_slow(struct cpu *c, uint64_t la, unsigned size, int acc);
void mmu_write_slow(struct cpu *c, uint64_t la, unsigned size, uint64_t v, int acc);
/* Translate one linear address for `acc`, faulting (#PF) if not allowed.
 * Fills the TLB.  Returns the physical address. */
uint64_t mmu_translate(struct cpu *c, uint64_t la, int acc);
/* Same, but never faults: returns false instead (debugger, tracing). */
bool mmu_probe(struct cpu *c, uint64_t la, int acc, uint64_t *pa);
/* Host pointer for `len` bytes at linear `la` if they lie in one RAM page and
 * the access is allowed, else NULL (no fault raised, no TLB side effect on
 * failure).  For bulk string operations.  With a memory hook installed it
 * is NULL until the hook has seen its mem_each accesses of the current
 * instruction; a caller that then uses the pointer reports the accesses
 * with mem_hook_more(). */
uint8_t *mmu_bulk_ptr(struct cpu *c, uint64_t la, unsigned len, int acc);

/* Accesses made in bulk past a memory hook's mem_each (see cpu_hooks). */
static inline void mem_hook_more(struct cpu *c, uint64_t accesses)
{
	if (unlikely(c->hooks && c->hooks->mem))
		c->hooks->mem_more(c->hooks->ctx, c, accesses);
}
void tlb_flush_all(struct cpu *c);
void tlb_flush_page(struct cpu *c, uint64_t la);

/* Physical memory is the board's: bus_phys_read() and friends (cpu/bus.h). */

static inline uint64_t load_le(const uint8_t *p, unsigned size)
{
	switch (size) {
	case 1: return *p;
	case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
	case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
	default: { uint64_t v; memcpy(&v, p, 8); return v; }
	}
}

static inline void store_le(uint8_t *p, unsigned size, uint64_t v)
{
	switch (size) {
	case 1: *p = (uint8_t)v; break;
	case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
	default: memcpy(p, &v, 8); break;
	}
}

/* The host address of `size` bytes at la when the TLB maps them, within
 * one page, for this access at the current CPL; NULL otherwise (a miss, a
 * page crossing, a memory hook, a code page for a write: the access must
 * then take mem_read()/mem_write(), which fault, hook or split).  A write
 * entry exists only for a page the walk granted writing, so it serves a
 * read-modify-write too. */
static inline uint8_t *tlb_host(struct tlb_entry *tab, const struct cpu *c, uint64_t la,
				unsigned size)
{
	struct tlb_entry *e = &tab[(la >> 12) & (TLB_SIZE - 1)];
	if (likely(e->tag == ((la & ~0xFFFULL) | c->tlb_mode) &&
		   (la & 0xFFF) <= 0x1000 - size))
		return e->host + (la & 0xFFF);
	return NULL;
}
#define tlb_host_read(c, la, size)  tlb_host((c)->tlb_r, (c), (la), (size))
#define tlb_host_write(c, la, size) tlb_host((c)->tlb_w, (c), (la), (size))

/* Read `size` (1, 2, 4, 8) bytes at linear address la as the current CPL. */
static inline uint64_t mem_read(struct cpu *c, uint64_t la, unsigned size)
{
	uint8_t *p = tlb_host_read(c, la, size);
	if (likely(p))
		return load_le(p, size);
	return mmu_read_slow(c, la, size, ACC_READ);
}

static inline void mem_write(struct cpu *c, uint64_t la, unsigned size, uint64_t v)
{
	uint8_t *p = tlb_host_write(c, la, size);
	if (likely(p)) {
		store_le(p, size, v);
		return;
	}
	mmu_write_slow(c, la, size, v, ACC_WRITE);
}

/* Check that a write of `size` bytes at la would succeed (faults if not),
 * without writing: for instructions that must not change anything when a
 * later part faults (e.g. PUSH of two slots, CMPXCHG16B). */
static inline void mem_probe_write(struct cpu *c, uint64_t la, unsigned size)
{
	mmu_translate(c, la, ACC_WRITE);
	if (((la & 0xFFF) + size) > 0x1000)
		mmu_translate(c, (la | 0xFFF) + 1, ACC_WRITE);
}

/* Supervisor (implicit) accesses: GDT, IDT, TSS, exception frames at CPL 0. */
static inline uint64_t mem_read_sys(struct cpu *c, uint64_t la, unsigned size)
{
	return mmu_read_slow(c, la, size, ACC_READ | ACC_SYS);
}
static inline void mem_write_sys(struct cpu *c, uint64_t la, unsigned size, uint64_t v)
{
	mmu_write_slow(c, la, size, v, ACC_WRITE | ACC_SYS);
}

/* Copy helpers for blocks of guest memory (fault as the CPL would). */
void mem_read_block(struct cpu *c, uint64_t la, void *dst, size_t n);
void mem_write_block(struct cpu *c, uint64_t la, const void *src, size_t n);

#endif
