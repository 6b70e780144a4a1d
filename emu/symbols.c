/*
 * symbols.c - a sorted address -> name table built from ELF .symtab
 * sections with libelf.  Lookups are a binary search; the table is rebuilt
 * (sorted) lazily after additions.  Regions (shared libraries and the
 * like, reported by the guest kernel: LSTAR_HC_MAP_EXEC) are read lazily too,
 * on the first lookup inside them.
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu/symbols.h"

struct sym {
	uint64_t addr, size;
	char *name;
};

struct region {
	uint64_t lo, hi, off;
	char *path;		/* NULL once read */
};

struct symtab {
	struct sym *v;
	size_t n, cap;
	bool sorted;
	struct region *r;	/* regions not read yet */
	size_t nr, rcap;
};

#define NEAREST_LIMIT 0x10000   /* sizeless symbols cover at most 64 KiB */

struct symtab *sym_new(void)
{
	struct symtab *st = calloc(1, sizeof(*st));
	if (st)
		st->sorted = true;
	return st;
}

void sym_free(struct symtab *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++)
		free(st->v[i].name);
	free(st->v);
	for (size_t i = 0; i < st->nr; i++)
		free(st->r[i].path);
	free(st->r);
	free(st);
}

size_t sym_count(const struct symtab *st)
{
	return st ? st->n : 0;
}

static bool push(struct symtab *st, uint64_t addr, uint64_t size, const char *name)
{
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 256;
		struct sym *v = realloc(st->v, cap * sizeof(*v));
		if (!v)
			return false;
		st->v = v;
		st->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return false;
	st->v[st->n++] = (struct sym){ addr, size, copy };
	st->sorted = false;
	return true;
}

/* Add img's symbols (+ bias) that fall in [lo, hi); .symtab, or .dynsym
 * when the file has none (stripped libraries). */
static bool add_elf_range(struct symtab *st, const void *img, size_t size, uint64_t bias,
			  uint64_t lo, uint64_t hi)
{
	if (!st || !img || size < sizeof(Elf64_Ehdr))
		return true;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return true;
	Elf *e = elf_memory((char *)img, size);
	if (!e)
		return true;
	if (elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64) {
		elf_end(e);
		return true;
	}
	bool ok = true, have_symtab = false;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			have_symtab = true;
	}
	Elf64_Word want = have_symtab ? SHT_SYMTAB : SHT_DYNSYM;
	scn = NULL;
	while (ok && (scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != want || sh.sh_entsize == 0)
			continue;
		/* libelf checks that the section lies inside the image. */
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		size_t count = d->d_size / sh.sh_entsize;
		for (size_t i = 0; i < count; i++) {
			GElf_Sym s;
			if (!gelf_getsym(d, (int)i, &s))
				break;
			int type = GELF_ST_TYPE(s.st_info);
			if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE)
				continue;
			if (s.st_shndx == SHN_UNDEF || s.st_shndx == SHN_ABS)
				continue;
			const char *name = elf_strptr(e, sh.sh_link, s.st_name);
			if (!name || !*name || name[0] == '$' || !strncmp(name, ".L", 2))
				continue;
			uint64_t a = s.st_value + bias;
			if (a < lo || a >= hi)
				continue;
			if (!push(st, a, s.st_size, name)) {
				ok = false;
				break;
			}
		}
	}
	elf_end(e);
	return ok;
}

bool sym_add_elf(struct symtab *st, const void *img, size_t size, uint64_t bias)
{
	return add_elf_range(st, img, size, bias, 0, UINT64_MAX);
}

/* The load bias that puts file offset off at address lo: from the
 * PT_LOAD holding that offset. */
static bool region_bias(const void *img, size_t size, uint64_t off, uint64_t lo, uint64_t *bias)
{
	const Elf64_Ehdr *eh = img;
	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > size || (size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return false;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)((const char *)img + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		uint64_t start = ph[i].p_offset & ~0xfffULL;
		if (ph[i].p_type == PT_LOAD && off >= start && off < ph[i].p_offset + ph[i].p_filesz) {
			*bias = lo - ((ph[i].p_vaddr & ~0xfffULL) + (off - start));
			return true;
		}
	}
	return false;
}

/* Forget what was in [lo, hi): its symbols and regions. */
static void forget_range(struct symtab *st, uint64_t lo, uint64_t hi)
{
	size_t k = 0;
	for (size_t i = 0; i < st->n; i++) {
		if (st->v[i].addr >= lo && st->v[i].addr < hi)
			free(st->v[i].name);
		else
			st->v[k++] = st->v[i];
	}
	st->n = k;
	k = 0;
	for (size_t i = 0; i < st->nr; i++) {
		if (st->r[i].lo < hi && lo < st->r[i].hi)
			free(st->r[i].path);
		else
			st->r[k++] = st->r[i];
	}
	st->nr = k;
}

bool sym_add_file_region(struct symtab *st, uint64_t lo, uint64_t hi, const char *path, uint64_t off)
{
	if (!st)
		return true;
	forget_range(st, lo, hi);
	if (st->nr == st->rcap) {
		size_t cap = st->rcap ? st->rcap * 2 : 16;
		struct region *r = realloc(st->r, cap * sizeof(*r));
		if (!r)
			return false;
		st->r = r;
		st->rcap = cap;
	}
	char *copy = strdup(path);
	if (!copy)
		return false;
	st->r[st->nr++] = (struct region){ lo, hi, off, copy };
	return true;
}

bool sym_add_image_region(struct symtab *st, uint64_t lo, uint64_t hi, const void *img, size_t size)
{
	if (!st)
		return true;
	forget_range(st, lo, hi);
	return add_elf_range(st, img, size, lo, lo, hi);
}

/* Read the region's file now: its symbols join the table. */
static void load_region(struct symtab *st, size_t i)
{
	struct region r = st->r[i];
	st->r[i] = st->r[--st->nr];
	int fd = open(r.path, O_RDONLY | O_CLOEXEC);
	free(r.path);
	if (fd < 0)
		return;
	struct stat sb;
	void *img = MAP_FAILED;
	if (fstat(fd, &sb) == 0 && sb.st_size > 0)
		img = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (img == MAP_FAILED)
		return;
	uint64_t bias;
	if (region_bias(img, (size_t)sb.st_size, r.off, r.lo, &bias))
		add_elf_range(st, img, (size_t)sb.st_size, bias, r.lo, r.hi);
	munmap(img, (size_t)sb.st_size);
}

static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Prefer sized symbols (functions) over labels at the same address. */
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void sort(struct symtab *st)
{
	if (!st->sorted) {
		qsort(st->v, st->n, sizeof(*st->v), cmp_sym);
		st->sorted = true;
	}
}

const char *sym_lookup(struct symtab *st, uint64_t addr, uint64_t *offset)
{
	if (!st)
		return NULL;
	for (size_t i = 0; i < st->nr; i++)
		if (addr >= st->r[i].lo && addr < st->r[i].hi) {
			load_region(st, i);
			break;
		}
	if (st->n == 0)
		return NULL;
	sort(st);
	/* Last symbol with addr <= target. */
	size_t lo = 0, hi = st->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (st->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	/* Walk back over symbols at lower addresses to find one that covers
	 * addr (a sized function beats a nearer sizeless label). */
	size_t i = lo - 1;
	const struct sym *best = NULL;
	for (size_t k = 0; k < 16 && i + 1 > 0; k++, i--) {
		const struct sym *s = &st->v[i];
		uint64_t off = addr - s->addr;
		if (s->size ? off < s->size : off < NEAREST_LIMIT) {
			if (!best || (best->size == 0 && s->size != 0))
				best = s;
			if (s->size)
				break;
		}
		if (i == 0)
			break;
	}
	if (!best)
		return NULL;
	if (offset)
		*offset = addr - best->addr;
	return best->name;
}

bool sym_find(struct symtab *st, const char *name, uint64_t *addr)
{
	if (!st)
		return false;
	for (size_t i = 0; i < st->n; i++) {
		if (!strcmp(st->v[i].name, name)) {
			if (addr)
				*addr = st->v[i].addr;
			return true;
		}
	}
	return false;
}
