/*
 * loader.c - ELF checks and loading for the kernel (platform.md §2) and the
 * user program (§4), with libelf.
 *
 * The raw header is checked by hand first (magic, class, byte order,
 * sizes) so that every refusal names the precise reason; libelf then
 * reads the headers.  Nothing touches guest memory until all checks pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu/loader.h"
#include "emu/machine.h"
#include "cpu/mmu.h"

#define MAX_PHNUM 4096   /* more program headers than this is absurd */

static bool fail(char *err, size_t errlen, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool fail(char *err, size_t errlen, const char *name, const char *fmt, ...)
{
	if (err && errlen) {
		int n = snprintf(err, errlen, "%s: ", name ? name : "(image)");
		if (n < 0 || (size_t)n >= errlen)
			return false;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return false;
}

bool loader_read_file(const char *path, size_t max, void **data, size_t *size,
		      char *err, size_t errlen)
{
	*data = NULL;
	*size = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, path, "cannot open: %s", strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return fail(err, errlen, path, "cannot stat: %s", strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, path, "not a regular file");
	}
	if (st.st_size == 0) {
		close(fd);
		return fail(err, errlen, path, "empty file, not an ELF file");
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return fail(err, errlen, path, "file too large (%lld bytes, at most %zu)",
			    (long long)st.st_size, max);
	}
	size_t n = (size_t)st.st_size;
	uint8_t *buf = malloc(n);
	if (!buf) {
		close(fd);
		return fail(err, errlen, path, "out of memory reading %zu bytes", n);
	}
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return fail(err, errlen, path, "cannot read: %s", strerror(e));
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*data = buf;
	*size = got;
	return true;
}

static const char *machine_name(unsigned em)
{
	switch (em) {
	case EM_386: return "i386";
	case EM_ARM: return "ARM";
	case EM_AARCH64: return "AArch64";
	case EM_RISCV: return "RISC-V";
	case EM_PPC: return "PowerPC";
	case EM_PPC64: return "PowerPC64";
	case EM_MIPS: return "MIPS";
	case EM_SPARCV9: return "SPARC V9";
	case EM_S390: return "S/390";
	case EM_NONE: return "none";
	default: return "unknown";
	}
}

static const char *type_name(unsigned t)
{
	switch (t) {
	case ET_NONE: return "ET_NONE";
	case ET_REL: return "ET_REL (an object file, not linked)";
	case ET_EXEC: return "ET_EXEC";
	case ET_DYN: return "ET_DYN (position independent)";
	case ET_CORE: return "ET_CORE (a core dump)";
	default: return "unknown";
	}
}

/*
 * Checks shared by kernels and programs: an ELF64 little-endian x86-64
 * file whose headers and program header table lie inside the file.
 * On success *e is an open libelf handle (caller ends it).
 */
static bool open_elf(const void *img, size_t size, const char *name, const char *what,
		     Elf **e, GElf_Ehdr *eh, size_t *phnum, char *err, size_t errlen)
{
	const unsigned char *b = img;
	*e = NULL;
	if (size == 0)
		return fail(err, errlen, name, "empty file, not an ELF file");
	if (size < 4 || memcmp(b, ELFMAG, SELFMAG) != 0)
		return fail(err, errlen, name, "not an ELF file (bad magic)");
	if (size < EI_NIDENT)
		return fail(err, errlen, name, "truncated ELF file (%zu bytes, no complete header)", size);
	if (b[EI_CLASS] == ELFCLASS32)
		return fail(err, errlen, name, "32-bit ELF (ELFCLASS32); lstar needs an ELF64 x86-64 %s", what);
	if (b[EI_CLASS] != ELFCLASS64)
		return fail(err, errlen, name, "invalid ELF class %u; lstar needs an ELF64 x86-64 %s",
			    b[EI_CLASS], what);
	if (b[EI_DATA] == ELFDATA2MSB)
		return fail(err, errlen, name, "big-endian ELF (ELFDATA2MSB); x86-64 is little-endian");
	if (b[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, name, "invalid ELF byte order %u", b[EI_DATA]);
	if (size < sizeof(Elf64_Ehdr))
		return fail(err, errlen, name, "truncated ELF file (%zu bytes, header needs %zu)",
			    size, sizeof(Elf64_Ehdr));
	Elf64_Ehdr raw;
	memcpy(&raw, b, sizeof(raw));
	if (raw.e_machine != EM_X86_64)
		return fail(err, errlen, name, "machine is %s (e_machine %u), not x86-64 (EM_X86_64)",
			    machine_name(raw.e_machine), raw.e_machine);
	if (raw.e_phnum == 0)
		return fail(err, errlen, name, "no program headers (e_phnum 0): not an executable");
	if (raw.e_phentsize != sizeof(Elf64_Phdr))
		return fail(err, errlen, name, "malformed ELF: program header size %u, expected %zu",
			    raw.e_phentsize, sizeof(Elf64_Phdr));
	if (raw.e_phnum == PN_XNUM || raw.e_phnum > MAX_PHNUM)
		return fail(err, errlen, name, "malformed ELF: absurd number of program headers (%u)",
			    raw.e_phnum);
	if (raw.e_phoff > size || (uint64_t)raw.e_phnum * raw.e_phentsize > size - raw.e_phoff)
		return fail(err, errlen, name,
			    "truncated ELF file: program headers end at %llu, the file has %zu bytes",
			    (unsigned long long)(raw.e_phoff + (uint64_t)raw.e_phnum * raw.e_phentsize),
			    size);

	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(err, errlen, name, "libelf initialization failed: %s", elf_errmsg(-1));
	*e = elf_memory((char *)img, size);
	if (!*e)
		return fail(err, errlen, name, "malformed ELF: %s", elf_errmsg(-1));
	if (!gelf_getehdr(*e, eh) || elf_getphdrnum(*e, phnum) != 0) {
		fail(err, errlen, name, "malformed ELF: %s", elf_errmsg(-1));
		elf_end(*e);
		*e = NULL;
		return false;
	}
	return true;
}

/* Collect and check the PT_LOAD headers (sizes, file extent). */
static bool collect_loads(Elf *e, const void *img, size_t size, size_t phnum, const char *name,
			  struct elf_seg *seg, unsigned *nsegs, GElf_Phdr *interp,
			  uint64_t *pt_phdr, char *err, size_t errlen)
{
	(void)img;
	*nsegs = 0;
	if (interp)
		interp->p_type = PT_NULL;
	if (pt_phdr)
		*pt_phdr = ~0ULL;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph))
			return fail(err, errlen, name, "malformed ELF: program header %zu: %s",
				    i, elf_errmsg(-1));
		if (ph.p_type == PT_INTERP && interp && interp->p_type == PT_NULL)
			*interp = ph;
		if (ph.p_type == PT_PHDR && pt_phdr)
			*pt_phdr = ph.p_vaddr;
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			return fail(err, errlen, name,
				    "malformed ELF: segment %zu has p_filesz 0x%llx > p_memsz 0x%llx",
				    i, (unsigned long long)ph.p_filesz, (unsigned long long)ph.p_memsz);
		if (ph.p_offset > size || ph.p_filesz > size - ph.p_offset)
			return fail(err, errlen, name,
				    "truncated ELF file: segment %zu needs bytes up to %llu, the file has %zu",
				    i, (unsigned long long)(ph.p_offset + ph.p_filesz), size);
		if (ph.p_memsz > (1ULL << 40))
			return fail(err, errlen, name, "segment %zu has an absurd size (0x%llx bytes)",
				    i, (unsigned long long)ph.p_memsz);
		if (ph.p_memsz == 0)
			continue;
		if (*nsegs >= LOADER_MAX_SEGS)
			return fail(err, errlen, name, "too many loadable segments (more than %d)",
				    LOADER_MAX_SEGS);
		struct elf_seg *s = &seg[(*nsegs)++];
		s->vaddr = ph.p_vaddr;
		s->paddr = ph.p_paddr;
		s->memsz = ph.p_memsz;
		s->filesz = ph.p_filesz;
		s->offset = ph.p_offset;
		s->flags = ph.p_flags;
	}
	if (*nsegs == 0)
		return fail(err, errlen, name, "no loadable (PT_LOAD) segment");
	return true;
}

bool loader_check_kernel(const void *img, size_t size, const char *name,
			 uint64_t ram_size, struct kernel_info *ki,
			 char *err, size_t errlen)
{
	Elf *e;
	GElf_Ehdr eh;
	size_t phnum;
	memset(ki, 0, sizeof(*ki));
	if (!open_elf(img, size, name, "kernel", &e, &eh, &phnum, err, errlen))
		return false;
	bool ok = false;
	if (eh.e_type != ET_EXEC) {
		fail(err, errlen, name, "ELF type is %s; a kernel must be ET_EXEC", type_name(eh.e_type));
		goto out;
	}
	if (!collect_loads(e, img, size, phnum, name, ki->seg, &ki->nsegs, NULL, NULL, err, errlen))
		goto out;
	ki->entry = eh.e_entry;
	ki->lo = ~0ULL;
	ki->hi = 0;
	bool entry_ok = false;
	for (unsigned i = 0; i < ki->nsegs; i++) {
		const struct elf_seg *s = &ki->seg[i];
		if (s->paddr >= ram_size || s->memsz > ram_size - s->paddr) {
			fail(err, errlen, name,
			     "segment [0x%llx, 0x%llx) lies outside RAM [0, 0x%llx); try a larger --mem",
			     (unsigned long long)s->paddr, (unsigned long long)(s->paddr + s->memsz),
			     (unsigned long long)ram_size);
			goto out;
		}
		if (s->vaddr + s->memsz < s->vaddr || !is_canonical(s->vaddr) ||
		    !is_canonical(s->vaddr + s->memsz - 1)) {
			fail(err, errlen, name, "segment at virtual 0x%llx is not canonical",
			     (unsigned long long)s->vaddr);
			goto out;
		}
		if (s->vaddr != s->paddr && (s->vaddr & 0xFFF) != (s->paddr & 0xFFF)) {
			fail(err, errlen, name,
			     "segment virtual 0x%llx and physical 0x%llx differ in their page offset",
			     (unsigned long long)s->vaddr, (unsigned long long)s->paddr);
			goto out;
		}
		for (unsigned j = 0; j < i; j++) {
			const struct elf_seg *t = &ki->seg[j];
			if (s->paddr < t->paddr + t->memsz && t->paddr < s->paddr + s->memsz) {
				fail(err, errlen, name,
				     "overlapping segments: [0x%llx, 0x%llx) and [0x%llx, 0x%llx)",
				     (unsigned long long)t->paddr,
				     (unsigned long long)(t->paddr + t->memsz),
				     (unsigned long long)s->paddr,
				     (unsigned long long)(s->paddr + s->memsz));
				goto out;
			}
		}
		if (s->paddr < ki->lo)
			ki->lo = s->paddr;
		if (s->paddr + s->memsz > ki->hi)
			ki->hi = s->paddr + s->memsz;
		if (eh.e_entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	if (!entry_ok) {
		fail(err, errlen, name, "entry point 0x%llx is outside every loadable segment",
		     (unsigned long long)eh.e_entry);
		goto out;
	}
	ok = true;
out:
	elf_end(e);
	return ok;
}

void loader_copy_kernel(struct machine *m, const void *img, const struct kernel_info *ki)
{
	for (unsigned i = 0; i < ki->nsegs; i++) {
		const struct elf_seg *s = &ki->seg[i];
		uint8_t *p = phys_ptr(m, s->paddr, s->memsz);
		if (!p)
			continue;   /* checked before: cannot happen */
		memcpy(p, (const uint8_t *)img + s->offset, s->filesz);
		memset(p + s->filesz, 0, s->memsz - s->filesz);
		for (uint64_t pa = s->paddr & ~0xFFFULL; pa < s->paddr + s->memsz; pa += 0x1000)
			decode_invalidate_page(&m->cpu, pa);
	}
}

bool loader_check_program(const void *img, size_t size, const char *name,
			  struct program_info *pi, char *err, size_t errlen)
{
	Elf *e;
	GElf_Ehdr eh;
	size_t phnum;
	memset(pi, 0, sizeof(*pi));
	if (!open_elf(img, size, name, "program", &e, &eh, &phnum, err, errlen))
		return false;
	bool ok = false;
	GElf_Phdr interp;
	uint64_t pt_phdr;
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
		fail(err, errlen, name, "ELF type is %s; a program must be ET_EXEC or ET_DYN",
		     type_name(eh.e_type));
		goto out;
	}
	if (!collect_loads(e, img, size, phnum, name, pi->seg, &pi->nsegs, &interp, &pt_phdr,
			   err, errlen))
		goto out;
	if (interp.p_type == PT_INTERP) {
		/* A dynamic program: the kernel loads the interpreter it
		 * names (a NUL-terminated path) from the file system. */
		const char *ip = (const char *)img + interp.p_offset;
		if (interp.p_offset > size || interp.p_filesz > size - interp.p_offset ||
		    interp.p_filesz < 2 || interp.p_filesz > 4096 ||
		    memchr(ip, 0, interp.p_filesz) != ip + interp.p_filesz - 1) {
			fail(err, errlen, name,
			     "malformed ELF: the interpreter path (PT_INTERP) is not a NUL-terminated path inside the file");
			goto out;
		}
		pi->interp_off = interp.p_offset;
		pi->interp_len = interp.p_filesz;
	}
	pi->bias = eh.e_type == ET_DYN ? LOADER_PIE_BIAS : 0;
	pi->entry = eh.e_entry + pi->bias;
	pi->phoff = eh.e_phoff;
	pi->phentsize = eh.e_phentsize;
	pi->phnum = phnum;
	pi->phdr_vaddr = 0;
	bool entry_ok = false;
	for (unsigned i = 0; i < pi->nsegs; i++) {
		struct elf_seg *s = &pi->seg[i];
		s->vaddr += pi->bias;
		s->paddr = 0;
		if (s->vaddr + s->memsz < s->vaddr || !is_canonical(s->vaddr) ||
		    !is_canonical(s->vaddr + s->memsz - 1) ||
		    (s->vaddr + s->memsz) > (1ULL << 47)) {
			fail(err, errlen, name, "segment at 0x%llx is outside the user address space",
			     (unsigned long long)s->vaddr);
			goto out;
		}
		if (pi->entry - s->vaddr < s->memsz)
			entry_ok = true;
		if (eh.e_phoff >= s->offset && eh.e_phoff - s->offset < s->filesz &&
		    pi->phdr_vaddr == 0)
			pi->phdr_vaddr = s->vaddr + (eh.e_phoff - s->offset);
		for (unsigned j = 0; j < i; j++) {
			const struct elf_seg *t = &pi->seg[j];
			if (s->vaddr < t->vaddr + t->memsz && t->vaddr < s->vaddr + s->memsz) {
				fail(err, errlen, name, "overlapping segments at 0x%llx and 0x%llx",
				     (unsigned long long)t->vaddr, (unsigned long long)s->vaddr);
				goto out;
			}
		}
	}
	if (pt_phdr != ~0ULL)
		pi->phdr_vaddr = pt_phdr + pi->bias;
	if (!entry_ok) {
		fail(err, errlen, name, "entry point 0x%llx is outside every loadable segment",
		     (unsigned long long)pi->entry);
		goto out;
	}
	ok = true;
out:
	elf_end(e);
	return ok;
}
