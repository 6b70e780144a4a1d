/*
 * memory.c - guest physical memory (platform.md §1).
 *
 * RAM is one anonymous mapping with MAP_NORESERVE, so host memory is
 * committed only for pages the guest touches.  Addresses outside RAM read
 * as all-ones bytes and ignore writes, as on a PC bus; nothing here ever
 * reaches host memory outside the mapping.
 *
 * The decoded-code cache (cpu/decode.c) keys blocks on physical pages.  A
 * page with decoded code is marked in code_page[]; the CPU's write TLB is
 * never filled for such a page, so every write to it comes through
 * phys_write() below, which invalidates the page's blocks (self-modifying
 * code, a loader reusing a page).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "emu/machine.h"
#include "cpu/mmu.h"

static inline bool in_ram(struct machine *m, uint64_t pa, uint64_t len)
{
	return pa < m->ram_size && len <= m->ram_size - pa;
}

uint8_t *phys_ptr(struct machine *m, uint64_t pa, uint64_t len)
{
	return in_ram(m, pa, len) ? m->ram + pa : NULL;
}

/* A host-side write into guest RAM: drop decoded code on every page hit. */
uint8_t *phys_ptr_write(struct machine *m, uint64_t pa, uint64_t len)
{
	if (!in_ram(m, pa, len))
		return NULL;
	if (len) {
		for (uint64_t p = pa >> 12; p <= (pa + len - 1) >> 12; p++)
			if (m->bus.code_page[p])
				decode_invalidate_page(&m->cpu, p << 12);
	}
	return m->ram + pa;
}

uint64_t phys_read(struct machine *m, uint64_t pa, unsigned size)
{
	/* load_le() knows sizes 1, 2, 4 and 8 only; the 3/5/6/7-byte halves of
	 * a page-straddling access (mmu_read_slow) take the byte loop. */
	if (likely(in_ram(m, pa, size) && (size & (size - 1)) == 0))
		return load_le(m->ram + pa, size);
	/* Byte by byte so an access straddling the end of RAM is exact. */
	uint64_t v = 0;
	for (unsigned k = 0; k < size; k++) {
		uint64_t b = in_ram(m, pa + k, 1) ? m->ram[pa + k] : 0xFF;
		v |= b << (8 * k);
	}
	return v;
}

void phys_write(struct machine *m, uint64_t pa, unsigned size, uint64_t v)
{
	for (unsigned k = 0; k < size; k++) {
		uint64_t a = pa + k;
		if (!in_ram(m, a, 1))
			continue;
		if (unlikely(m->bus.code_page[a >> 12]))
			decode_invalidate_page(&m->cpu, a & ~0xFFFULL);
		m->ram[a] = (uint8_t)(v >> (8 * k));
	}
}

/* RAM of size bytes, and room reserved (not committed) for it to grow to
 * max when the kernel asks (LSTAR_HC_MEMORY_ADD). */
int memory_init(struct machine *m, uint64_t size, uint64_t max)
{
	m->ram_size = size;
	m->ram_max = max > size ? max : size;
	m->ram = mmap(NULL, m->ram_max, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->ram == MAP_FAILED) {
		m->ram = NULL;
		return -1;
	}
	uint64_t pages = m->ram_max >> 12;
	m->bus.page_gen = calloc(pages, sizeof *m->bus.page_gen);
	m->bus.code_page = calloc(pages, 1);
	if (!m->bus.page_gen || !m->bus.code_page)
		return -1;
	return 0;
}

void memory_free(struct machine *m)
{
	if (m->ram)
		munmap(m->ram, m->ram_max);
	free(m->bus.page_gen);
	free(m->bus.code_page);
	m->ram = NULL;
	m->bus.page_gen = NULL;
	m->bus.code_page = NULL;
}

/* The CPU's view (cpu/bus.h). */
uint64_t bus_phys_read(struct bus *b, uint64_t pa, unsigned size)
{
	return phys_read(machine_of_bus(b), pa, size);
}

void bus_phys_write(struct bus *b, uint64_t pa, unsigned size, uint64_t v)
{
	phys_write(machine_of_bus(b), pa, size, v);
}

uint8_t *bus_phys_ptr(struct bus *b, uint64_t pa, uint64_t len)
{
	return phys_ptr(machine_of_bus(b), pa, len);
}
