/*
 * init_64.c - the kernel's own page tables (mirrors arch/x86/mm/init_64.c
 * and the parts of arch/x86/mm/pgtable.c it needs).
 *
 * The firmware's identity map served to get here; from now on the lower
 * half of the address space belongs to the user program, so the kernel
 * moves to the upper half: its image at __START_KERNEL_map (where it is
 * linked) and all of RAM at PAGE_OFFSET (the "direct map" through which the
 * kernel reaches page tables and any physical page).
 */
#include "sched.h"
#include "mm.h"
#include "processor.h"

unsigned long page_offset_base;		/* 0 = identity, until we switch */
u64 swapper_pgd;	/* a PML4 with the kernel half only (Linux's swapper_pg_dir) */

extern char _text[], _etext[], __start_rodata[], __end_rodata[], _sdata[], _end[];

/*
 * Walk the four levels for va, creating missing tables if alloc.  Tables
 * of the user half get U/S=1 so that the leaf PTE alone decides user
 * access; kernel tables stay supervisor-only.  NX is only ever set on
 * leaves for the same reason.
 */
static u64 *walk_pgd(u64 pgd, u64 va, int leaf_shift, bool alloc)
{
	u64 *table = __va(pgd);
	u64 tflags = _PAGE_PRESENT | _PAGE_RW |
		     (va < TASK_SIZE_MAX ? _PAGE_USER : 0);

	for (int shift = 39; shift > leaf_shift; shift -= 9) {
		u64 *e = &table[(va >> shift) & 511];
		if (!(*e & _PAGE_PRESENT)) {
			if (!alloc)
				return NULL;
			u64 pa = alloc_page();
			if (!pa)
				return NULL;
			*e = pa | tflags;
		}
		table = __va(*e & PTE_PFN_MASK);
	}
	return &table[(va >> leaf_shift) & 511];
}

static u64 *walk(u64 va, int leaf_shift, bool alloc)
{
	return walk_pgd(init_mm.pgd, va, leaf_shift, alloc);
}

u64 *pte_walk(u64 va, bool alloc)
{
	return walk(va, 12, alloc);
}

u64 *pte_walk_in(u64 pgd, u64 va, bool alloc)
{
	return walk_pgd(pgd, va, 12, alloc);
}

/* The PTE for va in another address space (fork copies from it). */
u64 *pte_walk_pgd(u64 pgd, u64 va)
{
	return walk_pgd(pgd, va, 12, false);
}

/* Free the user half's page tables (the pages they mapped are already
 * gone) and the PML4 itself: the end of a forked child. */
void free_user_pgtables(u64 pgd)
{
	u64 *l4 = __va(pgd);
	for (int i = 0; i < 256; i++) {
		if (!(l4[i] & _PAGE_PRESENT))
			continue;
		u64 *l3 = __va(l4[i] & PTE_PFN_MASK);
		for (int j = 0; j < 512; j++) {
			if (!(l3[j] & _PAGE_PRESENT))
				continue;
			u64 *l2 = __va(l3[j] & PTE_PFN_MASK);
			for (int k = 0; k < 512; k++)
				if (l2[k] & _PAGE_PRESENT)
					free_page(l2[k] & PTE_PFN_MASK);
			free_page(l3[j] & PTE_PFN_MASK);
		}
		free_page(l4[i] & PTE_PFN_MASK);
	}
	free_page(pgd);
}

u64 user_pgtable_pages(u64 pgd)
{
	u64 n = 0, *l4 = __va(pgd);
	for (int i = 0; i < 256; i++) {
		if (!(l4[i] & _PAGE_PRESENT))
			continue;
		u64 *l3 = __va(l4[i] & PTE_PFN_MASK);
		n++;
		for (int j = 0; j < 512; j++) {
			if (!(l3[j] & _PAGE_PRESENT))
				continue;
			u64 *l2 = __va(l3[j] & PTE_PFN_MASK);
			n++;
			for (int k = 0; k < 512; k++)
				n += !!(l2[k] & _PAGE_PRESENT);
		}
	}
	return n;
}

static void map_range(u64 va, u64 pa, u64 size, u64 flags)
{
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		u64 *pte = pte_walk(va + off, true);
		if (!pte)
			panic("out of memory building the kernel page tables");
		*pte = (pa + off) | flags;
	}
}

/* The direct map uses 2 MiB pages, as Linux's does where it can: 512 times
 * fewer entries to write at boot, and fewer TLB entries afterwards.  Only
 * a tail of RAM that is not a whole 2 MiB gets 4 KiB pages. */
#define PMD_SIZE (2UL << 20)

static void map_direct(u64 ram, u64 flags)
{
	u64 pa = 0;
	for (; pa + PMD_SIZE <= ram; pa += PMD_SIZE) {
		u64 *pmd = walk(PAGE_OFFSET + pa, 21, true);
		if (!pmd)
			panic("out of memory building the direct map");
		*pmd = pa | flags | _PAGE_PSE;
	}
	map_range(PAGE_OFFSET + pa, pa, ram - pa, flags);
}

/* A part of the kernel image: 2 MiB pages where a whole aligned 2 MiB
 * lies inside it (the task table and the other big arrays of .bss), 4 KiB
 * pages at its ends, so that every part keeps its own rights. */
static void map_kernel_part(const char *start, const char *end, u64 flags)
{
	u64 va = (u64)start, e = PAGE_ALIGN((u64)end);
	while (va < e) {
		u64 pa = __pa_symbol((const void *)va);
		if (!(va & (PMD_SIZE - 1)) && !(pa & (PMD_SIZE - 1)) && e - va >= PMD_SIZE) {
			u64 *pmd = walk(va, 21, true);
			if (!pmd)
				panic("out of memory building the kernel page tables");
			*pmd = pa | flags | _PAGE_PSE;
			va += PMD_SIZE;
			continue;
		}
		u64 next = MIN(e, (va + PMD_SIZE) & ~(PMD_SIZE - 1));
		map_range(va, pa, next - va, flags);
		va = next;
	}
}

void init_mem_mapping(void)
{
	const u64 kern = _PAGE_PRESENT | _PAGE_ACCESSED;

	/* NX in a PTE is a reserved bit (a #PF) until EFER.NXE is set. */
	wrmsrl(MSR_EFER, rdmsrl(MSR_EFER) | EFER_NX);

	init_mm.pgd = alloc_page();
	if (!init_mm.pgd)
		panic("no memory for a page directory");

	/* All of RAM, read/write, never executable. */
	map_direct(boot_info.ram_size & PAGE_MASK,
		   kern | _PAGE_RW | _PAGE_DIRTY | _PAGE_NX);

	/* The kernel image with per-section rights: W^X. */
	map_kernel_part(_text, _etext, kern);
	map_kernel_part(__start_rodata, __end_rodata, kern | _PAGE_NX);
	map_kernel_part(_sdata, _end, kern | _PAGE_RW | _PAGE_DIRTY | _PAGE_NX);

	write_cr3(init_mm.pgd);
	page_offset_base = PAGE_OFFSET;

	/* Every address space shares the kernel half: new ones copy the
	 * top 256 PML4 entries from here. */
	swapper_pgd = alloc_page();
	if (!swapper_pgd)
		panic("no memory for the kernel page directory");
	u64 *k = __va(swapper_pgd), *u = __va(init_mm.pgd);
	for (int i = 256; i < 512; i++)
		k[i] = u[i];
	/* WP: read-only pages are read-only for the kernel too, so a stray
	 * kernel write into user text faults instead of corrupting it. */
	write_cr0(read_cr0() | X86_CR0_WP);

	/* The firmware's tables and stack are garbage now: recycle them. */
	free_range(boot_info.page_tables.start, boot_info.page_tables.size);
	free_range(boot_info.boot_stack.start, boot_info.boot_stack.size);
}
