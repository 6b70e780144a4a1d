/*
 * symbols.h - symbol tables of the kernel, the user program and the files
 * the guest maps executable, for diagnostics (register dumps, fault
 * messages, tracing).
 */
#ifndef LSTAR_SYMBOLS_H
#define LSTAR_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct symtab;

struct symtab *sym_new(void);
void sym_free(struct symtab *st);
/* Add the function and object symbols of an ELF image's .symtab (or
 * .dynsym), with `bias` added to every value.  Images without symbols add
 * nothing.  Returns false only when out of memory. */
bool sym_add_elf(struct symtab *st, const void *img, size_t size, uint64_t bias);
/* The symbol containing addr (or the nearest one below it, within 64 KiB,
 * when sizes are unknown); *offset = addr - symbol value.  NULL if none. */
const char *sym_lookup(struct symtab *st, uint64_t addr, uint64_t *offset);
/*
 * A region of guest addresses [lo, hi) whose code comes from an ELF file
 * the guest kernel mapped executable (a shared library, ld.so, a program
 * it exec'd), file offset `off` at lo.  The file's symbols (.symtab, else
 * .dynsym) are read the first time a lookup falls in the region, and only
 * those inside it are kept.  A region replaces the symbols and regions
 * that were in its range before (the latest mapping wins: one table
 * serves every process, and processes map the same libraries at the same
 * addresses when their layout is the same).
 */
bool sym_add_file_region(struct symtab *st, uint64_t lo, uint64_t hi, const char *path, uint64_t off);
/* The same for an ELF image in memory (the vDSO, linked at 0, at lo):
 * copied, its symbols read at once. */
bool sym_add_image_region(struct symtab *st, uint64_t lo, uint64_t hi, const void *img, size_t size);
/* The value of a symbol by name. */
bool sym_find(struct symtab *st, const char *name, uint64_t *addr);
/* Number of symbols held. */
size_t sym_count(const struct symtab *st);

#endif
