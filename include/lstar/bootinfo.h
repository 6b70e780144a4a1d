/*
 * bootinfo.h - the boot info block the lstar firmware hands to a kernel
 * (platform.md §4).  Shared by the emulator (emu/loader.c fills it) and by
 * every kernel (kernel_model/ reads it), so it uses only fixed-size types
 * and no pointers: every address is a guest *physical* address, identity
 * mapped by the boot page tables.
 *
 * At kernel entry RDI holds the physical address of a `struct lstar_bootinfo`.
 * Everything the block refers to (strings, program headers, segment bytes)
 * lies in RAM reserved by the firmware, i.e. outside the free ranges.
 */
#ifndef LSTAR_BOOTINFO_H
#define LSTAR_BOOTINFO_H

#include <stdint.h>

#define LSTAR_BOOTINFO_MAGIC   0x4F4F42525453534CULL /* "LSSTRBOO" little-endian */
#define LSTAR_BOOTINFO_VERSION 1

#define LSTAR_BOOT_MAX_FREE    16   /* free physical ranges */
#define LSTAR_BOOT_MAX_SEGS    16   /* loadable segments of the user program */

/* A range of physical memory: [start, start + size). */
struct lstar_boot_range {
	uint64_t start;
	uint64_t size;
};

/* PF_X, PF_W, PF_R as in ELF p_flags. */
#define LSTAR_SEG_X 1
#define LSTAR_SEG_W 2
#define LSTAR_SEG_R 4

/* One PT_LOAD segment of the user program.  Its file bytes (p_filesz of
 * them) were copied to `paddr`; the kernel maps [vaddr, vaddr + memsz),
 * copying or mapping those bytes and zeroing the rest. */
struct lstar_boot_segment {
	uint64_t vaddr;      /* p_vaddr (plus load_bias for static-pie) */
	uint64_t memsz;      /* p_memsz */
	uint64_t filesz;     /* p_filesz */
	uint64_t paddr;      /* where the firmware put the file bytes (page aligned,
	                        holding the bytes from vaddr's page offset on:
	                        byte 0 of the segment is at paddr + (vaddr & 0xFFF)) */
	uint64_t offset;     /* p_offset in the file (for /proc/self/exe style readers) */
	uint32_t flags;      /* LSTAR_SEG_R | _W | _X */
	uint32_t pad;
};

struct lstar_boot_program {
	uint64_t present;    /* 1 when a user program was given, else 0 */
	uint64_t entry;      /* e_entry (plus load_bias) */
	uint64_t load_bias;  /* 0 for ET_EXEC; the chosen base for static-pie ET_DYN */
	uint64_t phdr_vaddr; /* virtual address of the program headers (AT_PHDR) */
	uint64_t phdr_paddr; /* physical copy of the program headers */
	uint64_t phent;      /* e_phentsize (AT_PHENT) */
	uint64_t phnum;      /* e_phnum (AT_PHNUM) */
	uint64_t nsegs;      /* entries used in seg[] */
	struct lstar_boot_segment seg[LSTAR_BOOT_MAX_SEGS];
	uint64_t path;       /* physical address of the NUL-terminated program path (AT_EXECFN) */
};

struct lstar_bootinfo {
	uint64_t magic;      /* LSTAR_BOOTINFO_MAGIC */
	uint32_t version;    /* LSTAR_BOOTINFO_VERSION */
	uint32_t size;       /* sizeof(struct lstar_bootinfo) */
	uint64_t ram_size;   /* bytes of guest RAM at physical 0 */
	uint64_t nfree;      /* entries used in free[] */
	struct lstar_boot_range free[LSTAR_BOOT_MAX_FREE]; /* RAM nobody uses */
	struct lstar_boot_range kernel;      /* the kernel image (lowest p_paddr .. highest end) */
	struct lstar_boot_range page_tables; /* boot page tables (CR3 points inside) */
	struct lstar_boot_range boot_stack;  /* the 64 KiB boot stack */
	struct lstar_boot_range reserved;    /* this block, strings, program bytes */
	struct lstar_boot_program program;   /* the user program, if any */
	uint64_t argc;       /* number of argument strings */
	uint64_t argv;       /* physical address of argc uint64_t physical string addresses */
	uint64_t envc;       /* number of environment strings */
	uint64_t envp;       /* physical address of envc uint64_t physical string addresses */
	uint8_t random[16];  /* 16 random bytes for AT_RANDOM */
	uint64_t vendor;     /* 0 Intel, 1 AMD (as --vendor) */
	uint64_t flags;      /* LSTAR_BOOT_F_* below */
	uint64_t uid, gid;   /* the invoking user's ids, for AT_UID/AT_GID and getuid() */
	uint64_t exe_path;   /* physical address of the program's absolute host path with
	                        symlinks resolved (realpath), for /proc/self/exe; 0 if none */
	uint64_t interp;     /* physical address of the program's PT_INTERP path (its dynamic
	                        linker, which the kernel loads from the guest's file system);
	                        0 for a static program */
	uint64_t reserved0[6];
};

#define LSTAR_BOOT_F_ROOT   1  /* a --root confines guest paths (host-call device) */
#define LSTAR_BOOT_F_STATS  2  /* --stats: the kernel reports unimplemented syscalls on the console at exit */
#define LSTAR_BOOT_F_EXEC   4  /* the program is no ELF file (a #! script): nothing was loaded, the
                                  kernel executes program.path itself, as execve would */
#define LSTAR_BOOT_F_SEEDED 8  /* --seed: the host-call device's clocks count guest time (TSC / 4) */

#endif
