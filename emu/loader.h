/*
 * loader.h - checking and loading ELF files: the kernel (platform.md §2)
 * and the user program named in the boot info (§4).
 *
 * Every check runs before anything is written into guest memory, so a
 * refused file leaves the machine untouched.  Error messages are one line
 * that starts with the file's name: "NAME: reason".
 */
#ifndef LSTAR_LOADER_H
#define LSTAR_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;

#define LOADER_MAX_SEGS 64          /* PT_LOAD segments in one file */
#define LOADER_MAX_FILE (1ULL << 32) /* larger files are refused as absurd */

/* Default load bias of a static-pie (ET_DYN) program: where Linux puts a
 * PIE run without randomization (docs/boot.md). */
#define LOADER_PIE_BIAS 0x555555554000ULL

struct elf_seg {
	uint64_t vaddr;   /* p_vaddr (plus the load bias for a program) */
	uint64_t paddr;   /* kernel: p_paddr; program: where the firmware put the bytes */
	uint64_t memsz;   /* p_memsz */
	uint64_t filesz;  /* p_filesz */
	uint64_t offset;  /* p_offset */
	uint32_t flags;   /* p_flags (PF_R|PF_W|PF_X) */
};

/* A kernel that passed every check of platform.md §2. */
struct kernel_info {
	uint64_t entry;            /* e_entry */
	uint64_t lo, hi;           /* lowest p_paddr, highest p_paddr + p_memsz */
	unsigned nsegs;            /* PT_LOAD segments with p_memsz > 0 */
	struct elf_seg seg[LOADER_MAX_SEGS];
};

/* A user program that passed the checks (static ET_EXEC or static-pie). */
struct program_info {
	uint64_t entry;            /* e_entry + bias */
	uint64_t bias;             /* 0 or LOADER_PIE_BIAS */
	uint64_t phoff;            /* e_phoff */
	uint64_t phentsize, phnum; /* e_phentsize, e_phnum */
	uint64_t phdr_vaddr;       /* AT_PHDR (0 if the headers are not loaded) */
	uint64_t interp_off;       /* PT_INTERP: the interpreter's path in the file, */
	uint64_t interp_len;       /*   NUL included (0: a static program) */
	unsigned nsegs;
	struct elf_seg seg[LOADER_MAX_SEGS];
};

/* Read a whole file.  Refuses missing, unreadable, empty, non-regular
 * files and files larger than `max` bytes.  *data is malloc'd. */
bool loader_read_file(const char *path, size_t max, void **data, size_t *size,
		      char *err, size_t errlen);

/* Check a kernel image against platform.md §2 for a machine with
 * `ram_size` bytes of RAM.  Fills *ki.  `name` is used in messages. */
bool loader_check_kernel(const void *img, size_t size, const char *name,
			 uint64_t ram_size, struct kernel_info *ki,
			 char *err, size_t errlen);
/* Copy the checked kernel's segments to their p_paddr and zero the rest
 * up to p_memsz. */
void loader_copy_kernel(struct machine *m, const void *img, const struct kernel_info *ki);

/* Check a user program.  Fills *pi (segment paddr left 0: the firmware
 * decides where the bytes go). */
bool loader_check_program(const void *img, size_t size, const char *name,
			  struct program_info *pi, char *err, size_t errlen);

#endif
