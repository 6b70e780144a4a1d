/*
 * bus.h - what the CPU needs from the board it is plugged into, and all it
 * knows of it.  The board (emu/machine.h: struct machine) embeds a struct
 * bus, points cpu.bus at it and implements the bus_* functions below;
 * nothing in cpu/ includes a header of emu/, so the dependency runs one
 * way: emu/ -> cpu/.
 *
 * Speed: the fields are plain data the CPU reads directly (the decode
 * cache checks page_gen for every block it runs; the TLB fill checks
 * code_page).  The functions are ordinary calls resolved at link time,
 * made only on slow paths: port I/O, page walks, accesses that miss the
 * TLB or leave RAM.  The one function pointer, idle_wait, is called only
 * by HLT.  Guest RAM itself is cpu.ram / cpu.ram_size (cpu/cpu.h).
 */
#ifndef LSTAR_CPU_BUS_H
#define LSTAR_CPU_BUS_H

#include <stdint.h>
#include <stdio.h>

struct bus {
	/* Per 4 KiB page of RAM, allocated by the board with the RAM:
	 * page_gen[p] is bumped whenever code decoded from page p may have
	 * changed (decode_invalidate_page), and a decoded block remembers the
	 * generation it saw; code_page[p] is nonzero while decoded blocks
	 * depend on page p, so writes to it must invalidate them. */
	uint32_t *page_gen;
	uint8_t *code_page;
	/* Where the CPU may write diagnostics (an unimplemented instruction);
	 * NULL: nowhere. */
	FILE *diag;
	/* Why the machine stopped, one line, written by the CPU before it sets
	 * cpu.stop (triple fault, unsupported instruction, idle forever). */
	char stop_message[512];
	/* The last instruction the CPU met but does not implement, and where. */
	char ud_mnemonic[32];
	uint64_t ud_rip;
	/* HLT with interrupts enabled and nothing the CPU can take yet
	 * (cpu/interrupt.c): let up to `ticks` TSC ticks of guest time pass
	 * (IDLE_FOREVER, cpu/apic.h: no timer will wake the CPU) and return
	 * how many did.  Return early when cpu.stop is set, or after a device
	 * made an interrupt pending with apic_raise().  NULL: the time passes
	 * at once. */
	uint64_t (*idle_wait)(struct bus *b, uint64_t ticks);
};

/* Port I/O (IN, OUT, INS, OUTS): `size` is 1, 2 or 4 bytes.  A port with
 * no device reads all-ones and ignores writes. */
uint32_t bus_io_in(struct bus *b, uint16_t port, unsigned size);
void bus_io_out(struct bus *b, uint16_t port, unsigned size, uint32_t value);

/* Physical memory, for page walks and accesses the TLB does not map:
 * outside RAM reads all-ones and ignores writes; a write to a code page
 * invalidates its decoded blocks. */
uint64_t bus_phys_read(struct bus *b, uint64_t pa, unsigned size);
void bus_phys_write(struct bus *b, uint64_t pa, unsigned size, uint64_t v);
/* Host pointer to RAM at pa valid for len bytes (for reading), or NULL. */
uint8_t *bus_phys_ptr(struct bus *b, uint64_t pa, uint64_t len);

#endif
