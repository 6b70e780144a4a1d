/*
 * symbols.h - symbol tables of the kernel and the user program, for
 * diagnostics (register dumps, fault messages, tracing).
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
/* The value of a symbol by name. */
bool sym_find(struct symtab *st, const char *name, uint64_t *addr);
/* Number of symbols held. */
size_t sym_count(const struct symtab *st);

#endif
