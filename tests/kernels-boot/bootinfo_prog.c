/* Run with PROGRAM ARGS: checks the program part of the boot info and the
 * argument strings, prints what it found, powers off with 0 or 1. */
#include "klib.h"
#include "lstar/bootinfo.h"

static int failures;
static void check(int ok, const char *what, uint64_t val)
{
	if (!ok) {
		puts_e9("FAIL: ");
		puts_e9(what);
		puts_e9(" ");
		puthex(val);
		puts_e9("\n");
		failures++;
	}
}
static int inside(const struct lstar_boot_range *r, uint64_t a, uint64_t n)
{
	return a >= r->start && a + n <= r->start + r->size;
}

uint64_t kmain(struct lstar_bootinfo *bi)
{
	const struct lstar_boot_program *p = &bi->program;
	check(p->present == 1, "program present", p->present);
	check(bi->argc == 3, "argc == 3", bi->argc);
	const uint64_t *argv = (const uint64_t *)bi->argv;
	check(kstrcmp((const char *)argv[1], "alpha") == 0, "argv[1] alpha", argv[1]);
	check(kstrcmp((const char *)argv[2], "beta") == 0, "argv[2] beta", argv[2]);
	check(kstrcmp((const char *)argv[0], (const char *)p->path) == 0, "path = argv[0]", p->path);
	check(inside(&bi->reserved, argv[1], 6), "strings in reserved", argv[1]);
	const char *exe = (const char *)bi->exe_path;
	check(exe && exe[0] == '/', "exe_path absolute", bi->exe_path);
	check(p->phent == 56, "phent 56", p->phent);
	check(p->phnum >= 1, "phnum", p->phnum);
	check(inside(&bi->reserved, p->phdr_paddr, p->phnum * p->phent), "phdrs in reserved",
	      p->phdr_paddr);
	check(p->nsegs >= 1 && p->nsegs <= LSTAR_BOOT_MAX_SEGS, "nsegs", p->nsegs);
	int entry_in = 0;
	for (uint64_t i = 0; i < p->nsegs; i++) {
		const struct lstar_boot_segment *s = &p->seg[i];
		check((s->paddr & 0xFFF) == 0, "segment paddr page aligned", s->paddr);
		check(s->filesz <= s->memsz, "filesz <= memsz", s->filesz);
		check(inside(&bi->reserved, s->paddr, (s->vaddr & 0xFFF) + s->filesz),
		      "segment bytes in reserved", s->paddr);
		check(s->flags & LSTAR_SEG_R, "segment readable", s->flags);
		if (s->offset == 0 && s->filesz >= 4) {
			const uint8_t *b = (const uint8_t *)(s->paddr + (s->vaddr & 0xFFF));
			check(b[0] == 0x7F && b[1] == 'E' && b[2] == 'L' && b[3] == 'F',
			      "segment 0 starts with the ELF header", b[0]);
		}
		if (p->entry >= s->vaddr && p->entry < s->vaddr + s->memsz)
			entry_in = 1;
	}
	check(entry_in, "entry inside a segment", p->entry);
	const uint32_t *ph = (const uint32_t *)p->phdr_paddr;
	int has_load = 0;
	for (uint64_t i = 0; i < p->phnum; i++)
		if (ph[i * 14] == 1)
			has_load = 1;
	check(has_load, "phdr copy has a PT_LOAD", 0);
	uint8_t orv = 0;
	for (int i = 0; i < 16; i++)
		orv |= bi->random[i];
	check(orv != 0, "random bytes", 0);
	for (uint64_t i = 0; i < bi->envc; i++)
		check(inside(&bi->reserved, ((const uint64_t *)bi->envp)[i], 1), "env string", i);
	puts_e9("bias=");
	puthex(p->load_bias);
	puts_e9(" entry=");
	puthex(p->entry);
	puts_e9(" phdr=");
	puthex(p->phdr_vaddr);
	puts_e9(" uid=");
	puthex(bi->uid);
	puts_e9("\n");
	puts_e9(failures ? "bootinfo-prog: FAILED\n" : "bootinfo-prog: ok\n");
	return failures ? 1 : 0;
}
