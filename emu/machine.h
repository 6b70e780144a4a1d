/*
 * machine.h - the board: one CPU, guest RAM, the I/O devices and the
 * firmware that boots a kernel (platform.md).  Internal to lstar; the
 * public face is include/lstar/lstar.h.
 */
#ifndef LSTAR_MACHINE_H
#define LSTAR_MACHINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "cpu/bus.h"
#include "cpu/cpu.h"
#include "lstar/lstar.h"

struct hostcall;   /* emu/hostcall/hostcall.c */
struct symtab;     /* emu/symbols.c */

struct machine {
	struct cpu cpu;              /* the processor; cpu.bus points at bus */
	struct bus bus;              /* what the CPU sees of the board (cpu/bus.h) */
	uint8_t *ram;                /* guest RAM, mmap'd lazily (MAP_NORESERVE) */
	uint64_t ram_size;           /* bytes */
	uint64_t ram_max;            /* bytes reserved: RAM may grow to this (LSTAR_HC_MEMORY_ADD) */
	int console_fd;              /* port 0xE9 sink */
	int console_owned;           /* console_fd was opened by us */
	int console_error;           /* a console write failed (reported once) */
	char console_buf[256];       /* line buffer for port 0xE9 */
	size_t console_len;          /* bytes waiting in console_buf */
	enum lstar_vendor vendor;    /* --vendor */
	struct hostcall *hc;         /* host-call device state (ports 0x510-0x51F) */
	struct symtab *syms;         /* kernel + program symbols, for diagnostics */
	/* Called before the guest's own input or output goes through the
	 * host's standard streams (host-call reads and writes on fds 0-2,
	 * the 0xE9 console on fds 1-2): a trace written to standard error
	 * puts out its lines first, so the two appear in order. */
	void (*before_stdio)(void *ctx);
	void *before_stdio_ctx;
};

/* The machine around its CPU or its bus (both are members). */
static inline struct machine *machine_of_cpu(struct cpu *c)
{
	return (struct machine *)((char *)c - offsetof(struct machine, cpu));
}
static inline struct machine *machine_of_bus(struct bus *b)
{
	return (struct machine *)((char *)b - offsetof(struct machine, bus));
}

/* RAM (emu/memory.c).  size must be a multiple of 4 KiB. */
int memory_init(struct machine *m, uint64_t size, uint64_t max);
void memory_free(struct machine *m);

/* Port I/O is the CPU's bus_io_in() / bus_io_out() (cpu/bus.h), in
 * emu/devices.c. */
/* Write out what the console buffer holds (at stops and before exit). */
void console_flush(struct machine *m);

/* Host-call device (emu/hostcall/hostcall.c), ports 0x510-0x51F. */
struct hostcall *hostcall_new(struct machine *m);
void hostcall_free(struct hostcall *hc);
uint32_t hostcall_in(struct machine *m, uint16_t port, unsigned size);
void hostcall_out(struct machine *m, uint16_t port, unsigned size, uint32_t value);

/* Physical memory (emu/memory.c; the CPU's bus_phys_* call these):
 * outside RAM reads all-ones and ignores writes. */
uint64_t phys_read(struct machine *m, uint64_t pa, unsigned size);
void phys_write(struct machine *m, uint64_t pa, unsigned size, uint64_t v);
/* Host pointer to RAM at pa valid for len bytes (for reading), or NULL. */
uint8_t *phys_ptr(struct machine *m, uint64_t pa, uint64_t len);
/* Host pointer to RAM at pa for a host-side WRITE of len bytes (a device
 * doing DMA): invalidates decoded code on those pages.  NULL outside RAM. */
uint8_t *phys_ptr_write(struct machine *m, uint64_t pa, uint64_t len);

/* Write a register dump and the faulting instruction (triple fault). */
void machine_dump_state(struct machine *m, FILE *f);

#endif
