/*
 * firmware.c - the lstar boot firmware (platform.md §2-§4).
 *
 * Everything is checked first (kernel, program, room in RAM), then written:
 * kernel segments at p_paddr, then the firmware's own allocations, each
 * placed first-fit at the lowest free page-aligned physical address at or
 * above 0x1000 that does not collide with the kernel or an earlier
 * allocation:
 *
 *   1. the reserved block: boot info, boot GDT, argv/envp arrays and
 *      strings, program path, a copy of the program headers, then the
 *      program's segment bytes (each page aligned)
 *   2. the boot page tables (identity map of RAM with 2 MiB pages, 4 KiB
 *      pages for a tail that is not a 2 MiB multiple, plus the kernel's
 *      p_vaddr != p_paddr mappings with 4 KiB pages)
 *   3. the 64 KiB boot stack
 *
 * For the usual kernel linked at 1 MiB and a small program this is all
 * below 1 MiB.  Page 0 is never handed out or reported free.  docs/boot.md
 * is the reference for kernel writers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <fcntl.h>

#include "emu/firmware.h"
#include "emu/splitmix.h"
#include "emu/loader.h"
#include "emu/machine.h"
#include "emu/symbols.h"
#include "cpu/mmu.h"
#include "lstar/bootinfo.h"

#define PAGE 0x1000ULL
#define LARGE 0x200000ULL
#define MAX_USED (LOADER_MAX_SEGS + 8)

/* Page-table entry bits (SDM vol. 3A §4.5). */
#define PTE_P    0x001ULL
#define PTE_RW   0x002ULL
#define PTE_PS   0x080ULL
#define PTE_SEG  0x200ULL   /* software bit 9: a kernel segment mapping */
#define PTE_ADDR 0x000FFFFFFFFFF000ULL

/* Boot GDT descriptors (SDM vol. 3A §3.4.5): 64-bit ring-0 code (L=1,
 * type 0xB execute/read accessed) and ring-0 data (type 3, read/write
 * accessed, D/B=1, G=1), base 0, limit 0xFFFFF pages. */
#define GDT_CODE64 0x00AF9B000000FFFFULL
#define GDT_DATA   0x00CF93000000FFFFULL

static inline uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* ---- physical allocation --------------------------------------------- */

struct layout {
	uint64_t ram;
	struct lstar_boot_range used[MAX_USED];
	unsigned n;
};

static void mark_used(struct layout *l, uint64_t start, uint64_t size)
{
	if (size && l->n < MAX_USED)
		l->used[l->n++] = (struct lstar_boot_range){ start, size };
}

static int cmp_range(const void *a, const void *b)
{
	const struct lstar_boot_range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* First fit at or above PAGE; returns 0 when nothing fits. */
static uint64_t alloc_phys(struct layout *l, uint64_t size)
{
	size = round_up(size, PAGE);
	qsort(l->used, l->n, sizeof(l->used[0]), cmp_range);
	uint64_t at = PAGE;
	for (unsigned i = 0; i <= l->n; i++) {
		uint64_t next = i < l->n ? (l->used[i].start & ~(PAGE - 1)) : l->ram;
		if (next > at && next - at >= size) {
			mark_used(l, at, size);
			return at;
		}
		if (i < l->n) {
			uint64_t end = round_up(l->used[i].start + l->used[i].size, PAGE);
			if (end > at)
				at = end;
		}
	}
	return 0;
}

/* Free ranges = RAM minus page 0 minus everything used; the 16 largest
 * are reported (in address order) if there are more. */
static unsigned free_ranges(struct layout *l, struct lstar_boot_range *out)
{
	struct lstar_boot_range all[MAX_USED + 1];
	unsigned n = 0;
	qsort(l->used, l->n, sizeof(l->used[0]), cmp_range);
	uint64_t at = PAGE;
	for (unsigned i = 0; i <= l->n; i++) {
		uint64_t next = i < l->n ? (l->used[i].start & ~(PAGE - 1)) : l->ram;
		if (next > at)
			all[n++] = (struct lstar_boot_range){ at, next - at };
		if (i < l->n) {
			uint64_t end = round_up(l->used[i].start + l->used[i].size, PAGE);
			if (end > at)
				at = end;
		}
	}
	while (n > LSTAR_BOOT_MAX_FREE) {
		unsigned smallest = 0;
		for (unsigned i = 1; i < n; i++)
			if (all[i].size < all[smallest].size)
				smallest = i;
		memmove(&all[smallest], &all[smallest + 1], (n - smallest - 1) * sizeof(all[0]));
		n--;
	}
	memcpy(out, all, n * sizeof(all[0]));
	return n;
}

/* ---- boot page tables -------------------------------------------------- */

struct ptb {
	struct machine *m;
	uint64_t next, end;  /* bump allocator inside the page-table area */
	uint64_t pml4;
};

static uint64_t *pte_at(struct ptb *b, uint64_t table, unsigned idx)
{
	return (uint64_t *)phys_ptr_write(b->m, table + 8ULL * idx, 8);
}

static uint64_t pt_new(struct ptb *b)
{
	if (b->next >= b->end)
		return 0;
	uint64_t pa = b->next;
	b->next += PAGE;
	memset(phys_ptr_write(b->m, pa, PAGE), 0, PAGE);
	return pa;
}

/* The table an entry points to, made if absent.  0 if out of tables. */
static uint64_t next_table(struct ptb *b, uint64_t *e)
{
	if (!(*e & PTE_P)) {
		uint64_t t = pt_new(b);
		if (!t)
			return 0;
		*e = t | PTE_P | PTE_RW;
	}
	return *e & PTE_ADDR;
}

static uint64_t *walk_pd(struct ptb *b, uint64_t va)
{
	uint64_t *e4 = pte_at(b, b->pml4, (va >> 39) & 511);
	uint64_t pdpt = next_table(b, e4);
	if (!pdpt)
		return NULL;
	uint64_t pd = next_table(b, pte_at(b, pdpt, (va >> 30) & 511));
	if (!pd)
		return NULL;
	return pte_at(b, pd, (va >> 21) & 511);
}

static bool map_2m(struct ptb *b, uint64_t va, uint64_t pa)
{
	uint64_t *pde = walk_pd(b, va);
	if (!pde)
		return false;
	*pde = pa | PTE_P | PTE_RW | PTE_PS;
	return true;
}

/* Map one 4 KiB page, splitting a 2 MiB page if one covers it.  Returns
 * -1 when out of tables, 1 when a different segment mapping is already
 * there, 0 on success. */
static int map_4k(struct ptb *b, uint64_t va, uint64_t pa, uint64_t extra)
{
	uint64_t *pde = walk_pd(b, va);
	if (!pde)
		return -1;
	if ((*pde & (PTE_P | PTE_PS)) == (PTE_P | PTE_PS)) {
		uint64_t big = *pde & PTE_ADDR & ~(LARGE - 1);
		uint64_t t = pt_new(b);
		if (!t)
			return -1;
		for (unsigned i = 0; i < 512; i++)
			*pte_at(b, t, i) = (big + i * PAGE) | PTE_P | PTE_RW;
		*pde = t | PTE_P | PTE_RW;
	}
	uint64_t pt = next_table(b, pde);
	if (!pt)
		return -1;
	uint64_t *pte = pte_at(b, pt, (va >> 12) & 511);
	if ((*pte & PTE_SEG) && (*pte & PTE_ADDR) != pa)
		return 1;
	*pte = pa | PTE_P | PTE_RW | extra;
	return 0;
}

/* Upper bound of the tables needed (identity map + segment mappings). */
static uint64_t pt_pages_bound(uint64_t ram, const struct kernel_info *ki)
{
	uint64_t n = 1 + (ram >> 39) + 1 + (ram >> 30) + 1 + 1;
	for (unsigned i = 0; i < ki->nsegs; i++) {
		const struct elf_seg *s = &ki->seg[i];
		if (s->vaddr == s->paddr)
			continue;
		uint64_t span = round_up(s->vaddr + s->memsz, PAGE) - (s->vaddr & ~(PAGE - 1));
		n += (span >> 21) + 2 + (span >> 30) + 2 + (span >> 39) + 2;
	}
	return n;
}

static const char *build_page_tables(struct ptb *b, uint64_t ram, const struct kernel_info *ki)
{
	b->pml4 = pt_new(b);
	uint64_t a = 0;
	for (; a + LARGE <= ram; a += LARGE)
		if (!map_2m(b, a, a))
			return "out of page-table space";
	for (; a < ram; a += PAGE)
		if (map_4k(b, a, a, 0) < 0)
			return "out of page-table space";
	for (unsigned i = 0; i < ki->nsegs; i++) {
		const struct elf_seg *s = &ki->seg[i];
		if (s->vaddr == s->paddr)
			continue;
		uint64_t va = s->vaddr & ~(PAGE - 1), pa = s->paddr & ~(PAGE - 1);
		for (; va < s->vaddr + s->memsz; va += PAGE, pa += PAGE) {
			int r = map_4k(b, va, pa, PTE_SEG);
			if (r < 0)
				return "out of page-table space";
			if (r > 0)
				return "two segments map one virtual page to different physical pages";
		}
	}
	return NULL;
}

/* ---- boot ------------------------------------------------------------- */

/* Per-machine firmware state that must survive between calls.  lstar has
 * one machine per process in the CLI, but the API may make several: keep
 * a tiny table keyed by machine. */
struct fw_state {
	const struct machine *m;
	uint64_t flags;
	uint64_t bootinfo;
	bool seeded;             /* --seed: boot info random bytes from seed */
	uint64_t seed;
	const char *prog_path;   /* firmware_set_program_path(), NULL: argv[0] */
};
static struct fw_state fw_states[8];

static struct fw_state *state_of(const struct machine *m, bool create)
{
	struct fw_state *freeslot = NULL;
	for (unsigned i = 0; i < 8; i++) {
		if (fw_states[i].m == m)
			return &fw_states[i];
		if (!fw_states[i].m && !freeslot)
			freeslot = &fw_states[i];
	}
	if (!create)
		return NULL;
	if (!freeslot)
		freeslot = &fw_states[0];
	memset(freeslot, 0, sizeof(*freeslot));
	freeslot->m = m;
	return freeslot;
}

void firmware_set_boot_flags(struct machine *m, uint64_t flags)
{
	state_of(m, true)->flags = flags;
}

void firmware_set_program_path(struct machine *m, const char *path)
{
	state_of(m, true)->prog_path = path;
}

void firmware_set_seed(struct machine *m, uint64_t seed)
{
	struct fw_state *s = state_of(m, true);
	s->seeded = true;
	s->seed = seed;
	/* RDRAND/RDSEED (cpu/crypto.c): a stream of its own, offset from
	 * the boot info's and the host-call device's */
	m->cpu.rng_state = seed ^ 0x6C73746172726E67ULL;   /* "lstarrng" */
}

uint64_t firmware_bootinfo_addr(const struct machine *m)
{
	struct fw_state *s = state_of(m, false);
	return s ? s->bootinfo : 0;
}

static void random_bytes(uint8_t *out, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = getrandom(out + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got < n) {
		/* No entropy source: still vary per run. */
		uint64_t x = (uint64_t)getpid() * 0x9E3779B97F4A7C15ULL;
		for (; got < n; got++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			out[got] = (uint8_t)x;
		}
	}
}

void firmware_rng_from_host(struct machine *m)
{
	uint64_t x;
	random_bytes((uint8_t *)&x, sizeof x);
	m->cpu.rng_state = x;
}

static size_t count_strings(const char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static void set_entry_state(struct machine *m, uint64_t entry, uint64_t cr3,
			    uint64_t gdt, uint64_t rsp, uint64_t bootinfo)
{
	struct cpu *c = &m->cpu;
	memset(c->r, 0, sizeof(c->r));
	c->r[R_RSP] = rsp;
	c->r[R_RDI] = bootinfo;
	c->rip = entry;
	c->rflags = F_1;
	memset(&c->lf, 0, sizeof(c->lf));
	/* CR0: PE and PG as the contract says, plus ET (hard-wired to 1 on
	 * every processor since the 486) and NE (native x87 error reporting,
	 * which UEFI firmware and every 64-bit boot loader leave set).
	 * Everything else - WP, MP, AM, CD, NW - clear. */
	c->cr0 = CR0_PE | CR0_PG | CR0_ET | CR0_NE;
	c->cr2 = 0;
	c->cr3 = cr3;
	c->cr4 = CR4_PAE;
	c->cr8 = 0;
	c->efer = LSTAR_MSR_EFER_LME | LSTAR_MSR_EFER_LMA;
	c->gdtr.base = gdt;
	c->gdtr.limit = 3 * 8 - 1;
	c->idtr.base = 0;
	c->idtr.limit = 0;
	for (int s = 0; s < 6; s++)
		c->seg[s] = (struct seg){ .base = 0, .limit = 0xFFFFFFFF, .sel = 0x10,
					  .attr = SA_FROM_DESC_HI((uint32_t)(GDT_DATA >> 32)) };
	c->seg[SEG_CS] = (struct seg){ .base = 0, .limit = 0xFFFFFFFF, .sel = 0x08,
				       .attr = SA_FROM_DESC_HI((uint32_t)(GDT_CODE64 >> 32)) };
	/* FS and GS hold the null selector: unusable, base 0. */
	c->seg[SEG_FS] = (struct seg){ 0 };
	c->seg[SEG_GS] = (struct seg){ 0 };
	c->ldtr = (struct seg){ 0 };
	c->stop = STOP_NONE;
	cpu_leave_block(c);
	cpu_set_cpl(c, 0);
	tlb_flush_all(c);
}

static enum lstar_status fail_status(char *err, size_t errlen, enum lstar_status st,
				     const char *name, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", name, msg);
	return st;
}

enum lstar_status firmware_boot(struct machine *m, const void *kernel_image, size_t size,
				const char *kernel_name, const char *const *argv,
				const char *const *envp, char *err, size_t errlen)
{
	const char *kname = kernel_name ? kernel_name : "(kernel image)";
	enum lstar_status st = LSTAR_ERR_ELF;
	struct kernel_info *ki = calloc(1, sizeof(*ki));
	struct program_info *pi = calloc(1, sizeof(*pi));
	struct lstar_bootinfo *bi = calloc(1, sizeof(*bi));
	void *prog = NULL;
	size_t prog_size = 0;
	struct layout lay = { .ram = m->ram_size };
	const char *pname = NULL;
	char *abspath = NULL;
	if (!ki || !pi || !bi) {
		st = fail_status(err, errlen, LSTAR_ERR_NOMEM, kname, "out of memory");
		goto out;
	}
	if (!kernel_image || size == 0) {
		st = fail_status(err, errlen, LSTAR_ERR_ELF, kname, "empty file, not an ELF file");
		goto out;
	}

	/* 1. Check everything. */
	if (!loader_check_kernel(kernel_image, size, kname, m->ram_size, ki, err, errlen))
		goto out;
	bool have_prog = argv && argv[0], script = false;
	if (have_prog) {
		pname = argv[0];
		const struct fw_state *ps = state_of(m, false);
		if (ps && ps->prog_path)
			pname = ps->prog_path;
		if (!loader_read_file(pname, m->ram_size, &prog, &prog_size, err, errlen)) {
			st = errno == ENOMEM ? LSTAR_ERR_NOMEM : LSTAR_ERR_IO;
			/* A file that is there but empty or too big is a bad ELF. */
			if (access(pname, R_OK) == 0)
				st = LSTAR_ERR_ELF;
			goto out;
		}
		/* A #! script: the kernel's execve runs its interpreter. */
		script = prog_size >= 2 && !memcmp(prog, "#!", 2);
		if (!script && !loader_check_program(prog, prog_size, pname, pi, err, errlen))
			goto out;
		/* A dynamic program's interpreter is the guest kernel's to
		 * load; without --root the guest sees the host's files, and a
		 * missing one is said here, once, naming it. */
		const struct fw_state *fs0 = state_of(m, false);
		const char *ip = (const char *)prog + pi->interp_off;
		if (pi->interp_len && !(fs0 && (fs0->flags & LSTAR_BOOT_F_ROOT)) &&
		    access(ip, X_OK) != 0) {
			char msg[4200];
			snprintf(msg, sizeof(msg), "cannot load its interpreter %s: %s", ip,
				 strerror(errno));
			st = fail_status(err, errlen, LSTAR_ERR_ELF, pname, msg);
			goto out;
		}
	}

	/* 2. Plan the layout. */
	for (unsigned i = 0; i < ki->nsegs; i++)
		mark_used(&lay, ki->seg[i].paddr, ki->seg[i].memsz);
	size_t argc = count_strings(argv), envc = count_strings(envp);
	uint64_t strbytes = 0;
	for (size_t i = 0; i < argc; i++)
		strbytes += strlen(argv[i]) + 1;
	for (size_t i = 0; i < envc; i++)
		strbytes += strlen(envp[i]) + 1;
	if (have_prog) {
		strbytes += strlen(pname) + 1 + pi->interp_len;
		abspath = realpath(pname, NULL);
		if (abspath)
			strbytes += strlen(abspath) + 1;
	}
	uint64_t off_gdt = round_up(sizeof(*bi), 16);
	uint64_t off_argv = off_gdt + 3 * 8;
	uint64_t off_envp = off_argv + 8 * argc;
	uint64_t off_str = off_envp + 8 * envc;
	uint64_t off_phdr = round_up(off_str + strbytes, 8);
	uint64_t phbytes = have_prog ? pi->phnum * pi->phentsize : 0;
	uint64_t off_segs = round_up(off_phdr + phbytes, PAGE);
	uint64_t resv = off_segs;
	for (unsigned i = 0; have_prog && i < pi->nsegs; i++)
		resv += round_up((pi->seg[i].vaddr & (PAGE - 1)) + pi->seg[i].filesz, PAGE);
	uint64_t pt_bound = pt_pages_bound(m->ram_size, ki) * PAGE;

	uint64_t bi_pa = alloc_phys(&lay, resv);
	uint64_t pt_pa = bi_pa ? alloc_phys(&lay, pt_bound) : 0;
	uint64_t stack_pa = pt_pa ? alloc_phys(&lay, FW_BOOT_STACK_SIZE) : 0;
	if (!stack_pa) {
		char msg[200];
		snprintf(msg, sizeof(msg),
			 "no room in %llu KiB of RAM for the boot data (%llu KiB with the kernel and program); try a larger --mem",
			 (unsigned long long)(m->ram_size >> 10),
			 (unsigned long long)((resv + pt_bound + FW_BOOT_STACK_SIZE) >> 10));
		st = fail_status(err, errlen, LSTAR_ERR_ARG, have_prog ? pname : kname, msg);
		goto out;
	}

	/* 3. Write: kernel, page tables. */
	loader_copy_kernel(m, kernel_image, ki);
	struct ptb b = { .m = m, .next = pt_pa, .end = pt_pa + pt_bound };
	const char *why = build_page_tables(&b, m->ram_size, ki);
	if (why) {
		st = fail_status(err, errlen, LSTAR_ERR_ELF, kname, why);
		goto out;
	}
	/* Give back the unused tail of the page-table area. */
	for (unsigned i = 0; i < lay.n; i++)
		if (lay.used[i].start == pt_pa)
			lay.used[i].size = b.next - pt_pa;
	memset(phys_ptr_write(m, stack_pa, FW_BOOT_STACK_SIZE), 0, FW_BOOT_STACK_SIZE);

	/* 4. The reserved block. */
	uint8_t *blk = phys_ptr_write(m, bi_pa, resv);
	memset(blk, 0, resv);
	uint64_t gdt[3] = { 0, GDT_CODE64, GDT_DATA };
	memcpy(blk + off_gdt, gdt, sizeof(gdt));
	uint64_t s = off_str;
	for (size_t i = 0; i < argc; i++) {
		uint64_t a = bi_pa + s;
		memcpy(blk + off_argv + 8 * i, &a, 8);
		size_t l = strlen(argv[i]) + 1;
		memcpy(blk + s, argv[i], l);
		s += l;
	}
	for (size_t i = 0; i < envc; i++) {
		uint64_t a = bi_pa + s;
		memcpy(blk + off_envp + 8 * i, &a, 8);
		size_t l = strlen(envp[i]) + 1;
		memcpy(blk + s, envp[i], l);
		s += l;
	}
	bi->magic = LSTAR_BOOTINFO_MAGIC;
	bi->version = LSTAR_BOOTINFO_VERSION;
	bi->size = sizeof(*bi);
	bi->ram_size = m->ram_size;
	bi->kernel = (struct lstar_boot_range){ ki->lo, ki->hi - ki->lo };
	bi->page_tables = (struct lstar_boot_range){ pt_pa, b.next - pt_pa };
	bi->boot_stack = (struct lstar_boot_range){ stack_pa, FW_BOOT_STACK_SIZE };
	bi->reserved = (struct lstar_boot_range){ bi_pa, resv };
	bi->argc = argc;
	bi->argv = bi_pa + off_argv;
	bi->envc = envc;
	bi->envp = bi_pa + off_envp;
	struct fw_state *fs = state_of(m, true);
	if (fs->seeded) {
		/* splitmix64 from the seed (the host-call device's stream
		 * starts at the seed too; this one is offset so they differ) */
		uint64_t x = fs->seed ^ 0x6C73746172626F6FULL;   /* "lstarboo" */
		splitmix64_fill(&x, bi->random, sizeof(bi->random));
	} else {
		random_bytes(bi->random, sizeof(bi->random));
	}
	bi->vendor = m->vendor == LSTAR_VENDOR_AMD ? 1 : 0;
	bi->flags = fs->flags | (script ? LSTAR_BOOT_F_EXEC : 0) |
		    (fs->seeded ? LSTAR_BOOT_F_SEEDED : 0);
	fs->flags = 0;   /* consumed: a later machine at this address starts clean */
	bi->uid = getuid();
	bi->gid = getgid();
	if (have_prog) {
		struct lstar_boot_program *p = &bi->program;
		size_t l = strlen(pname) + 1;
		memcpy(blk + s, pname, l);
		p->path = bi_pa + s;
		s += l;
		if (abspath) {
			l = strlen(abspath) + 1;
			memcpy(blk + s, abspath, l);
			bi->exe_path = bi_pa + s;
			s += l;
		}
		if (pi->interp_len) {
			memcpy(blk + s, (const uint8_t *)prog + pi->interp_off, pi->interp_len);
			bi->interp = bi_pa + s;
			s += pi->interp_len;
		}
		p->present = 1;
		p->entry = pi->entry;
		p->load_bias = pi->bias;
		p->phdr_vaddr = pi->phdr_vaddr;
		p->phdr_paddr = bi_pa + off_phdr;
		memcpy(blk + off_phdr, (const uint8_t *)prog + pi->phoff, phbytes);
		p->phent = pi->phentsize;
		p->phnum = pi->phnum;
		uint64_t at = off_segs;
		unsigned n = 0;
		for (unsigned i = 0; i < pi->nsegs; i++) {
			const struct elf_seg *sg = &pi->seg[i];
			uint64_t pgoff = sg->vaddr & (PAGE - 1);
			memcpy(blk + at + pgoff, (const uint8_t *)prog + sg->offset, sg->filesz);
			if (n < LSTAR_BOOT_MAX_SEGS) {
				p->seg[n++] = (struct lstar_boot_segment){
					.vaddr = sg->vaddr, .memsz = sg->memsz, .filesz = sg->filesz,
					.paddr = bi_pa + at, .offset = sg->offset,
					.flags = sg->flags & (LSTAR_SEG_R | LSTAR_SEG_W | LSTAR_SEG_X),
				};
			}
			at += round_up(pgoff + sg->filesz, PAGE);
		}
		p->nsegs = n;
	}
	bi->nfree = free_ranges(&lay, bi->free);
	memcpy(blk, bi, sizeof(*bi));
	fs->bootinfo = bi_pa;

	/* 5. Symbols for diagnostics. */
	sym_free(m->syms);
	m->syms = sym_new();
	sym_add_elf(m->syms, kernel_image, size, 0);
	if (have_prog && !script)
		sym_add_elf(m->syms, prog, prog_size, pi->bias);

	/* 6. Enter the kernel (platform.md §3). */
	set_entry_state(m, ki->entry, b.pml4, bi_pa + off_gdt,
			stack_pa + FW_BOOT_STACK_SIZE, bi_pa);
	st = LSTAR_OK;
out:
	free(ki);
	free(pi);
	free(bi);
	free(prog);
	free(abspath);
	return st;
}

enum lstar_status firmware_boot_file(struct machine *m, const char *kernel_path,
				     const char *const *argv, const char *const *envp,
				     char *err, size_t errlen)
{
	void *img;
	size_t size;
	if (!kernel_path)
		return fail_status(err, errlen, LSTAR_ERR_ARG, "(kernel)", "no kernel file given");
	if (!loader_read_file(kernel_path, LOADER_MAX_FILE, &img, &size, err, errlen))
		return access(kernel_path, R_OK) == 0 ? LSTAR_ERR_ELF : LSTAR_ERR_IO;
	enum lstar_status st = firmware_boot(m, img, size, kernel_path, argv, envp, err, errlen);
	free(img);
	return st;
}
