/*
 * symbols.c - a sorted address -> name table built from ELF .symtab
 * sections with libelf.  Lookups are a binary search; the table is rebuilt
 * (sorted) lazily after additions.
 */
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "emu/symbols.h"

struct sym {
	uint64_t addr, size;
	char *name;
};

struct symtab {
	struct sym *v;
	size_t n, cap;
	bool sorted;
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

bool sym_add_elf(struct symtab *st, const void *img, size_t size, uint64_t bias)
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
	bool ok = true;
	Elf_Scn *scn = NULL;
	while (ok && (scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0)
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
			if (!push(st, s.st_value + bias, s.st_size, name)) {
				ok = false;
				break;
			}
		}
	}
	elf_end(e);
	return ok;
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
	if (!st || st->n == 0)
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
