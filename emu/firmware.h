/*
 * firmware.h - the boot firmware of the lstar board (platform.md §2-§4):
 * loads a kernel ELF, builds the boot page tables, GDT, stack and boot info
 * block, loads the user program's bytes and enters the kernel in 64-bit
 * long mode.  docs/boot.md describes the physical layout it produces.
 */
#ifndef LSTAR_FIRMWARE_H
#define LSTAR_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>
#include "lstar/lstar.h"

struct machine;

#define FW_BOOT_STACK_SIZE 0x10000ULL   /* 64 KiB, platform.md §3 */

/*
 * Boot the kernel in `kernel_image` (`size` bytes; `kernel_name` is used
 * in messages).  `argv` (NULL-terminated, may be NULL or empty) names the
 * user program, read from the host file system at argv[0], and its
 * arguments; `envp` (NULL-terminated, may be NULL) the environment.
 * On failure the machine is not modified, a one-line message naming the
 * file and the reason is written to err, and LSTAR_ERR_ELF (bad file),
 * LSTAR_ERR_IO (unreadable file), LSTAR_ERR_ARG (does not fit in RAM)
 * or LSTAR_ERR_NOMEM is returned.
 */
enum lstar_status firmware_boot(struct machine *m, const void *kernel_image, size_t size,
				const char *kernel_name, const char *const *argv,
				const char *const *envp, char *err, size_t errlen);

/* Same, reading the kernel from a host file. */
enum lstar_status firmware_boot_file(struct machine *m, const char *kernel_path,
				     const char *const *argv, const char *const *envp,
				     char *err, size_t errlen);

/* Flags put into the boot info's `flags` by the next firmware_boot() (once)
 * (LSTAR_BOOT_F_ROOT when the host-call device confines paths). */
void firmware_set_boot_flags(struct machine *m, uint64_t flags);
/* Load the program from this host path instead of argv[0] (which the
 * program still gets): `lstar run NAME` after a PATH search.  The string
 * must live until the boot. */
void firmware_set_program_path(struct machine *m, const char *path);
/* --seed: the boot info's random bytes, and the RDRAND/RDSEED stream
 * (cpu->rng_state), come from this seed. */
void firmware_set_seed(struct machine *m, uint64_t seed);
/* A new machine's RDRAND/RDSEED stream starts from the host's
 * getrandom() (emu/api.c calls it after cpu_reset). */
void firmware_rng_from_host(struct machine *m);

/* Physical address of the boot info block of the last boot (0 if none). */
uint64_t firmware_bootinfo_addr(const struct machine *m);

#endif
