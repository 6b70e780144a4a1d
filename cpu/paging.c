/*
 * paging.c - 4-level paging (SDM vol. 3A §4.5) and the software TLB.
 *
 * Translation walks PML4 -> PDPT -> PD -> PT with 4 KiB, 2 MiB and 1 GiB
 * pages.  Rights are the AND of every level: a user access needs U/S=1 at
 * every level, a write needs R/W=1 at every level (a supervisor write only
 * when CR0.WP=1), and with EFER.NXE=1 an instruction fetch faults if any
 * level has XD=1.  lstar implements neither SMEP nor SMAP nor PKE and does
 * not advertise them.  Accessed bits are set on every level of a
 * successful walk, the dirty bit on the final entry of a write.
 *
 * Reserved bits (#PF with RSVD=1): physical-address bits at or above
 * CPU_MAXPHYADDR, XD when EFER.NXE=0, PS in a PML4E, and the low bits of a
 * large page's frame address (bits 20:13 of a 2 MiB PDE, 29:13 of a 1 GiB
 * PDPTE).
 *
 * The TLB is three direct-mapped arrays (read, write, execute).  A tag is
 * the linear page ORed with TLB_USER when filled for CPL 3, so entries
 * filled at CPL 0 never grant user rights.  An entry is only filled after a
 * walk has granted that exact kind of access, so the inline fast paths in
 * mmu.h need no permission checks.  Write entries are never filled for
 * pages holding decoded code (see emu/memory.c).
 */
#include <string.h>
#include "cpu.h"
#include "mmu.h"

#define PTE_P   (1ULL << 0)
#define PTE_W   (1ULL << 1)
#define PTE_U   (1ULL << 2)
#define PTE_A   (1ULL << 5)
#define PTE_D   (1ULL << 6)
#define PTE_PS  (1ULL << 7)
#define PTE_XD  (1ULL << 63)
#define PTE_ADDR (((1ULL << CPU_MAXPHYADDR) - 1) & ~0xFFFULL)
/* Bits 51:MAXPHYADDR must be zero in every entry. */
#define PTE_RSVD_HI ((((1ULL << 52) - 1) & ~((1ULL << CPU_MAXPHYADDR) - 1)))

/* #PF error code bits (SDM vol. 3A §4.7). */
#define PFE_P    1u
#define PFE_W    2u
#define PFE_U    4u
#define PFE_RSVD 8u
#define PFE_ID   16u

void tlb_flush_all(struct cpu *c)
{
	for (unsigned k = 0; k < TLB_SIZE; k++) {
		c->tlb_r[k].tag = c->tlb_w[k].tag = c->tlb_x[k].tag = ~0ULL;
		c->tlb_r[k].pa = c->tlb_w[k].pa = c->tlb_x[k].pa = ~0ULL;
	}
	chain_bump(c);
	cpu_leave_block(c);
}

void tlb_flush_page(struct cpu *c, uint64_t la)
{
	unsigned k = (la >> 12) & (TLB_SIZE - 1);
	c->tlb_r[k].tag = c->tlb_w[k].tag = c->tlb_x[k].tag = ~0ULL;
	chain_bump(c);
	cpu_leave_block(c);
}

/*
 * Walk the page tables for `la`.  On success returns 0 and the physical
 * address in *pa; on failure returns the #PF error code with bit 31 set
 * (so 0 is never a failure).  `update` sets accessed/dirty bits.
 */
static uint32_t walk(struct cpu *c, uint64_t la, int acc, uint64_t *pa, bool update)
{
	struct bus *bus = c->bus;
	int kind = acc & 3;
	bool user = c->cpl == 3 && !(acc & ACC_SYS);
	bool nxe = (c->efer & LSTAR_MSR_EFER_NXE) != 0;
	uint32_t err = (kind == ACC_WRITE ? PFE_W : 0) | (user ? PFE_U : 0) |
		       (kind == ACC_EXEC && nxe ? PFE_ID : 0);
	uint64_t rsvd = PTE_RSVD_HI | (nxe ? 0 : PTE_XD);

	if (!(c->cr0 & CR0_PG)) {
		*pa = la;
		return 0;
	}

	uint64_t table = c->cr3 & PTE_ADDR;
	uint64_t entries[4], addrs[4];
	bool all_u = true, all_w = true, any_xd = false;
	int level, depth = 0;
	uint64_t frame = 0, page_mask = 0;

	for (level = 3; level >= 0; level--) {
		unsigned idx = (la >> (12 + 9 * level)) & 0x1FF;
		uint64_t ea = table + idx * 8;
		uint64_t e = bus_phys_read(bus, ea, 8);
		entries[depth] = e;
		addrs[depth] = ea;
		depth++;
		if (!(e & PTE_P))
			return err | 0x80000000u;
		uint64_t r = rsvd;
		if (level == 3)
			r |= PTE_PS;
		if ((e & PTE_PS) && level == 2)
			r |= 0x3FFFE000ULL;    /* 1 GiB page: frame bits 29:13 */
		else if ((e & PTE_PS) && level == 1)
			r |= 0x1FE000ULL;      /* 2 MiB page: frame bits 20:13 */
		if (e & r)
			return err | PFE_P | PFE_RSVD | 0x80000000u;
		all_u &= (e & PTE_U) != 0;
		all_w &= (e & PTE_W) != 0;
		any_xd |= nxe && (e & PTE_XD);
		if (level == 0 || ((e & PTE_PS) && (level == 1 || level == 2))) {
			page_mask = (1ULL << (12 + 9 * level)) - 1;
			frame = e & PTE_ADDR & ~page_mask;
			break;
		}
		table = e & PTE_ADDR;
	}

	/* Rights (SDM vol. 3A §4.6). */
	if (user && !all_u)
		return err | PFE_P | 0x80000000u;
	if (kind == ACC_WRITE && !all_w && (user || (c->cr0 & CR0_WP)))
		return err | PFE_P | 0x80000000u;
	if (kind == ACC_EXEC && any_xd)
		return err | PFE_P | 0x80000000u;

	if (update) {
		for (int k = 0; k < depth; k++) {
			uint64_t e = entries[k];
			uint64_t want = e | PTE_A;
			if (k == depth - 1 && kind == ACC_WRITE)
				want |= PTE_D;
			if (want != e)
				bus_phys_write(bus, addrs[k], 8, want);
		}
	}
	*pa = frame | (la & page_mask);
	return 0;
}

/* TLB_HOOKED for data entries while a memory hook wants every access. */
static inline uint64_t hooked_bit(const struct cpu *c, int kind)
{
	return unlikely(c->hooks && c->hooks->mem) && kind != ACC_EXEC ? TLB_HOOKED : 0;
}

static void tlb_fill(struct cpu *c, uint64_t la, uint64_t pa, int acc)
{
	struct bus *bus = c->bus;
	if (acc & ACC_SYS)
		return;
	uint64_t ppage = pa & ~0xFFFULL;
	if (ppage >= c->ram_size)
		return;  /* not RAM: always take the slow path */
	int kind = acc & 3;
	struct tlb_entry *tab = kind == ACC_READ ? c->tlb_r : kind == ACC_WRITE ? c->tlb_w : c->tlb_x;
	if (kind == ACC_WRITE && bus->code_page[ppage >> 12])
		return;
	struct tlb_entry *e = &tab[(la >> 12) & (TLB_SIZE - 1)];
	e->tag = (la & ~0xFFFULL) | c->tlb_mode | hooked_bit(c, kind);
	e->host = c->ram + ppage;
	e->pa = ppage;
}

/* A non-canonical data address.  The inline fast paths of cpu/mmu.h take
 * an instruction's memory operand unchecked (insn_la() in operand.h): it
 * never hits the TLB, whose tags are canonical, and arrives here, where
 * the fault is the one SDM vol. 3A §6.15 gives for the operand: #SS(0)
 * on the stack segment, #GP(0) otherwise.  Everything else that gets
 * here unchecked (the system's own accesses, a fetch) is #GP(0). */
static _Noreturn void noncanonical(struct cpu *c, int acc)
{
	bool stack = c->cur && c->cur->seg == SEG_SS &&
		     (acc & 3) != ACC_EXEC && !(acc & ACC_SYS);
	cpu_fault(c, stack ? EXC_SS : EXC_GP, 0);
}

uint64_t mmu_translate(struct cpu *c, uint64_t la, int acc)
{
	if (unlikely(!is_canonical(la)))
		noncanonical(c, acc);
	int kind = acc & 3;
	if (!(acc & ACC_SYS)) {
		struct tlb_entry *tab = kind == ACC_READ ? c->tlb_r : kind == ACC_WRITE ? c->tlb_w : c->tlb_x;
		struct tlb_entry *e = &tab[(la >> 12) & (TLB_SIZE - 1)];
		if (e->tag == ((la & ~0xFFFULL) | c->tlb_mode | hooked_bit(c, kind)))
			return e->pa | (la & 0xFFF);
	}
	uint64_t pa;
	uint32_t err = walk(c, la, acc, &pa, true);
	if (err) {
		c->cr2 = la;
		cpu_fault(c, EXC_PF, err & 0x1F);
	}
	tlb_fill(c, la, pa, acc);
	return pa;
}

bool mmu_probe(struct cpu *c, uint64_t la, int acc, uint64_t *pa)
{
	if (!is_canonical(la))
		return false;
	return walk(c, la, acc, pa, false) == 0;
}

uint8_t *mmu_bulk_ptr(struct cpu *c, uint64_t la, unsigned len, int acc)
{
	struct bus *bus = c->bus;
	if (!is_canonical(la) || len == 0 || (la & 0xFFF) + len > 0x1000)
		return NULL;
	if (unlikely(c->hooks && c->hooks->mem)) {
		/* element by element, so each access is seen, until the hook
		 * has seen what it wants of this instruction */
		const struct cpu_hooks *h = c->hooks;
		if (!h->mem_each || !h->mem_more || c->mem_seen < h->mem_each)
			return NULL;
	}
	uint64_t pa;
	if (walk(c, la, acc, &pa, false) != 0)
		return NULL;
	uint8_t *p = bus_phys_ptr(bus, pa, len);
	if (!p)
		return NULL;
	/* The access happens: set A/D as the CPU would. */
	walk(c, la, acc, &pa, true);
	tlb_fill(c, la, pa, acc);
	if ((acc & 3) == ACC_WRITE && bus->code_page[pa >> 12])
		decode_invalidate_page(c, pa);
	return p;
}

static uint64_t mmu_read_slow_nohook(struct cpu *c, uint64_t la, unsigned size, int acc);

static inline void mem_hook(struct cpu *c, uint64_t la, unsigned size, uint64_t v, int wr)
{
	if (unlikely(c->hooks && c->hooks->mem)) {
		c->mem_seen++;
		c->hooks->mem(c->hooks->ctx, c, la, size, v, wr);
	}
}

/* The host pointer of a TLB_HOOKED entry for an in-page data access (the
 * inline fast path of cpu/mmu.h with the hooked tag), or NULL. */
static inline uint8_t *hooked_tlb_ptr(struct cpu *c, struct tlb_entry *tab, uint64_t la,
				      unsigned size, int acc)
{
	if (acc & ACC_SYS)
		return NULL;
	struct tlb_entry *e = &tab[(la >> 12) & (TLB_SIZE - 1)];
	if (e->tag == ((la & ~0xFFFULL) | c->tlb_mode | TLB_HOOKED) &&
	    (la & 0xFFF) <= 0x1000 - size)
		return e->host + (la & 0xFFF);
	return NULL;
}

uint64_t mmu_read_slow(struct cpu *c, uint64_t la, unsigned size, int acc)
{
	uint64_t v;
	uint8_t *p;
	if (c->hooks && c->hooks->mem && (p = hooked_tlb_ptr(c, c->tlb_r, la, size, acc)))
		v = load_le(p, size);   /* a memory hook's TLB hit */
	else
		v = mmu_read_slow_nohook(c, la, size, acc);
	mem_hook(c, la, size, v, 0);
	return v;
}

static uint64_t mmu_read_slow_nohook(struct cpu *c, uint64_t la, unsigned size, int acc)
{
	struct bus *bus = c->bus;
	unsigned off = la & 0xFFF;
	if (off + size <= 0x1000) {
		uint64_t pa = mmu_translate(c, la, acc);
		return bus_phys_read(bus, pa, size);
	}
	/* Crosses a page: translate both pages before reading anything. */
	unsigned n1 = 0x1000 - off;
	uint64_t pa1 = mmu_translate(c, la, acc);
	uint64_t pa2 = mmu_translate(c, la + n1, acc);
	uint64_t lo = bus_phys_read(bus, pa1, n1);
	uint64_t hi = bus_phys_read(bus, pa2, size - n1);
	return lo | (hi << (8 * n1));
}

void mmu_write_slow(struct cpu *c, uint64_t la, unsigned size, uint64_t v, int acc)
{
	struct bus *bus = c->bus;
	unsigned off = la & 0xFFF;
	uint8_t *p;
	if (c->hooks && c->hooks->mem && (p = hooked_tlb_ptr(c, c->tlb_w, la, size, acc))) {
		/* a memory hook's TLB hit: write entries never map code pages */
		store_le(p, size, v);
	} else if (off + size <= 0x1000) {
		uint64_t pa = mmu_translate(c, la, acc);
		bus_phys_write(bus, pa, size, v);
	} else {
		unsigned n1 = 0x1000 - off;
		uint64_t pa1 = mmu_translate(c, la, acc);
		uint64_t pa2 = mmu_translate(c, la + n1, acc);
		bus_phys_write(bus, pa1, n1, v);
		bus_phys_write(bus, pa2, size - n1, v >> (8 * n1));
	}
	mem_hook(c, la, size, v, 1);
}

void mem_read_block(struct cpu *c, uint64_t la, void *dst, size_t n)
{
	uint8_t *d = dst;
	while (n) {
		size_t chunk = 0x1000 - (la & 0xFFF);
		if (chunk > n)
			chunk = n;
		uint64_t pa = mmu_translate(c, la, ACC_READ);
		for (size_t k = 0; k < chunk; k++)
			d[k] = (uint8_t)bus_phys_read(c->bus, pa + k, 1);
		d += chunk;
		la += chunk;
		n -= chunk;
	}
}

void mem_write_block(struct cpu *c, uint64_t la, const void *src, size_t n)
{
	const uint8_t *s = src;
	/* Check every page first so a fault leaves memory untouched. */
	for (uint64_t a = la & ~0xFFFULL; a < la + n; a += 0x1000)
		mmu_translate(c, a < la ? la : a, ACC_WRITE);
	while (n) {
		size_t chunk = 0x1000 - (la & 0xFFF);
		if (chunk > n)
			chunk = n;
		uint64_t pa = mmu_translate(c, la, ACC_WRITE);
		for (size_t k = 0; k < chunk; k++)
			bus_phys_write(c->bus, pa + k, 1, s[k]);
		s += chunk;
		la += chunk;
		n -= chunk;
	}
}
