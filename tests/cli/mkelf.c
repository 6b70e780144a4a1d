/*
 * mkelf.c - writes the small good and bad ELF files the CLI tests feed to
 * lstar (nothing binary is committed).  usage: mkelf KIND OUTPUT
 */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* mov eax, 0; mov dx, 0xF4; out dx, eax; hlt */
static const unsigned char code[] = { 0xB8, 0, 0, 0, 0, 0x66, 0xBA, 0xF4, 0x00, 0xEF, 0xF4 };

#define BASE 0x100000ULL

struct img {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[3];
	unsigned char code[sizeof(code)];
	char interp[32];	/* PT_INTERP's path, for the interp kinds */
};

static size_t build(struct img *im, const char *kind, int *is32)
{
	memset(im, 0, sizeof(*im));
	Elf64_Ehdr *e = &im->eh;
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_phoff = sizeof(Elf64_Ehdr);
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = 1;
	uint64_t off = offsetof(struct img, code);
	e->e_entry = BASE + off;
	Elf64_Phdr *p = &im->ph[0];
	p->p_type = PT_LOAD;
	p->p_flags = PF_R | PF_X;
	p->p_offset = 0;
	p->p_vaddr = p->p_paddr = BASE;
	p->p_filesz = p->p_memsz = sizeof(*im);
	p->p_align = 0x1000;
	memcpy(im->code, code, sizeof(code));
	size_t size = sizeof(*im);
	*is32 = 0;

	if (!strcmp(kind, "good")) {
	} else if (!strcmp(kind, "elf32")) {
		*is32 = 1;
	} else if (!strcmp(kind, "bigendian")) {
		e->e_ident[EI_DATA] = ELFDATA2MSB;
	} else if (!strcmp(kind, "aarch64")) {
		e->e_machine = EM_AARCH64;
	} else if (!strcmp(kind, "dyn")) {
		e->e_type = ET_DYN;
	} else if (!strcmp(kind, "rel")) {
		e->e_type = ET_REL;
	} else if (!strcmp(kind, "trunc-header")) {
		size = 40;
	} else if (!strcmp(kind, "trunc-phdr")) {
		e->e_phnum = 3;
		size = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 20;
	} else if (!strcmp(kind, "trunc-seg")) {
		p->p_filesz = p->p_memsz = 0x10000;
	} else if (!strcmp(kind, "overlap")) {
		e->e_phnum = 2;
		im->ph[1] = *p;
		im->ph[1].p_vaddr = im->ph[1].p_paddr = BASE + 0x40;
		im->ph[1].p_filesz = 0;
		im->ph[1].p_memsz = 0x1000;
		im->ph[1].p_flags = PF_R | PF_W;
	} else if (!strcmp(kind, "outside")) {
		p->p_vaddr = p->p_paddr = 0x40000000;   /* 1 GiB: past the default 256 MiB */
		e->e_entry = 0x40000000 + off;
	} else if (!strcmp(kind, "huge")) {
		p->p_memsz = 0xFFFFFFFFFFFFULL;
	} else if (!strcmp(kind, "noload")) {
		p->p_type = PT_NOTE;
	} else if (!strcmp(kind, "entry-outside")) {
		e->e_entry = 0x900000;
	} else if (!strcmp(kind, "filesz-gt-memsz")) {
		p->p_memsz = 16;
	} else if (!strcmp(kind, "interp") || !strcmp(kind, "interp-bad")) {
		/* a program asking for a dynamic linker that is not there, or
		 * naming it with no NUL at the end */
		uint64_t ioff = offsetof(struct img, interp);
		strcpy(im->interp, "/lstar-test/no-such-ld.so");
		e->e_phnum = 2;
		im->ph[1] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_flags = PF_R,
			.p_offset = ioff, .p_vaddr = BASE + ioff, .p_paddr = BASE + ioff,
			.p_filesz = strlen(im->interp) + 1, .p_memsz = strlen(im->interp) + 1,
			.p_align = 1 };
		if (!strcmp(kind, "interp-bad"))
			im->ph[1].p_filesz = im->ph[1].p_memsz = 8;
	} else if (!strcmp(kind, "phnum-zero")) {
		e->e_phnum = 0;
	} else {
		fprintf(stderr, "mkelf: unknown kind %s\n", kind);
		exit(2);
	}
	return size;
}

/* The same kernel as ELF32 (i386): enough for the class check. */
static size_t build32(unsigned char *buf)
{
	Elf32_Ehdr e = { 0 };
	memcpy(e.e_ident, ELFMAG, SELFMAG);
	e.e_ident[EI_CLASS] = ELFCLASS32;
	e.e_ident[EI_DATA] = ELFDATA2LSB;
	e.e_ident[EI_VERSION] = EV_CURRENT;
	e.e_type = ET_EXEC;
	e.e_machine = EM_386;
	e.e_version = EV_CURRENT;
	e.e_entry = BASE + sizeof(Elf32_Ehdr) + sizeof(Elf32_Phdr);
	e.e_phoff = sizeof(Elf32_Ehdr);
	e.e_ehsize = sizeof(Elf32_Ehdr);
	e.e_phentsize = sizeof(Elf32_Phdr);
	e.e_phnum = 1;
	Elf32_Phdr p = { PT_LOAD, 0, BASE, BASE, 0x100, 0x100, PF_R | PF_X, 0x1000 };
	memset(buf, 0, 0x100);
	memcpy(buf, &e, sizeof(e));
	memcpy(buf + sizeof(e), &p, sizeof(p));
	memcpy(buf + sizeof(e) + sizeof(p), code, sizeof(code));
	return 0x100;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mkelf KIND OUTPUT\n");
		return 2;
	}
	struct img im;
	unsigned char buf32[0x100];
	int is32;
	size_t size = build(&im, argv[1], &is32);
	const void *data = &im;
	if (is32) {
		size = build32(buf32);
		data = buf32;
	}
	FILE *f = fopen(argv[2], "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		perror(argv[2]);
		return 1;
	}
	return 0;
}
