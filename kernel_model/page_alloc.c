/*
 * page_alloc.c - the physical page allocator (the role of mm/page_alloc.c,
 * with none of its buddy machinery).
 *
 * Free memory comes as the ranges the firmware reported.  Pages are handed
 * out from the front of each range ("bump"), and freed pages go on a list
 * threaded through the pages themselves, which is reused first.  Every
 * page is zeroed before it is handed out: user memory must never show what
 * a previous owner left in it.
 */
#include "sched.h"
#include "mm.h"

#define MAX_RANGES (LSTAR_BOOT_MAX_FREE + 4)

static struct { u64 next, end; } ranges[MAX_RANGES];
static int nr_ranges;
static u64 free_list;		/* physical address of the first freed page */
static u64 free_pages;

void free_range(u64 start, u64 size)
{
	u64 s = PAGE_ALIGN(start), e = (start + size) & PAGE_MASK;
	if (s == 0)
		s = PAGE_SIZE;	/* page 0 stays unused: 0 means "no page" */
	if (s >= e || nr_ranges == MAX_RANGES)
		return;
	ranges[nr_ranges].next = s;
	ranges[nr_ranges].end = e;
	nr_ranges++;
	free_pages += (e - s) >> PAGE_SHIFT;
}

void page_alloc_init(const struct lstar_bootinfo *bi)
{
	for (u64 i = 0; i < bi->nfree && i < LSTAR_BOOT_MAX_FREE; i++)
		free_range(bi->free[i].start, bi->free[i].size);
}

u64 alloc_page(void)
{
	u64 pa = 0;

	if (free_list) {
		pa = free_list;
		free_list = *(u64 *)__va(pa);
	} else {
		for (int i = 0; i < nr_ranges && !pa; i++)
			if (ranges[i].next < ranges[i].end) {
				pa = ranges[i].next;
				ranges[i].next += PAGE_SIZE;
			}
	}
	if (!pa)
		return 0;
	free_pages--;
	memset(__va(pa), 0, PAGE_SIZE);
	return pa;
}

void free_page(u64 pa)
{
	*(u64 *)__va(pa) = free_list;
	free_list = pa;
	free_pages++;
}

u64 nr_free_pages(void)
{
	return free_pages;
}

/* Kernel stacks: physically contiguous, from the front of a range. */
u64 alloc_pages_contig(unsigned n)
{
	for (int i = 0; i < nr_ranges; i++)
		if (ranges[i].end - ranges[i].next >= n * PAGE_SIZE) {
			u64 pa = ranges[i].next;
			ranges[i].next += n * PAGE_SIZE;
			free_pages -= n;
			memset(__va(pa), 0, n * PAGE_SIZE);
			return pa;
		}
	return 0;
}

/*
 * Reference counts of user pages, beyond the first: a page mapped once has
 * count 0 here (most pages: nothing to keep), fork adds one per extra
 * mapping.  One u16 per page of RAM, in pages taken at boot.
 */
static u16 *page_refs;
static u64 max_pfn;

void page_refs_init(u64 ram_top)
{
	max_pfn = ram_top >> PAGE_SHIFT;
	u64 bytes = PAGE_ALIGN(max_pfn * sizeof(u16));
	u64 pa = alloc_pages_contig(bytes / PAGE_SIZE);
	if (!pa)
		panic("no memory for page reference counts");
	page_refs = __va(pa);
}

void get_page(u64 pa)
{
	u64 pfn = pa >> PAGE_SHIFT;
	if (pfn < max_pfn)
		page_refs[pfn]++;
}

void put_page(u64 pa)
{
	u64 pfn = pa >> PAGE_SHIFT;
	if (pfn < max_pfn && page_refs[pfn]) {
		page_refs[pfn]--;
		return;
	}
	free_page(pa);
}

unsigned page_count(u64 pa)
{
	u64 pfn = pa >> PAGE_SHIFT;
	return pfn < max_pfn ? page_refs[pfn] + 1U : 1U;
}
