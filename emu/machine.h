/*
 * machine.h - the board: one CPU, guest RAM, the I/O devices and the
 * firmware that boots a kernel (platform.md).  Internal to lstar; the
 * public face is include/lstar/lstar.h.
 */
#ifndef LSTAR_MACHINE_H
#define LSTAR_MACHINE_H

#include <stdint.h>
#include <stdio.h>
#include "cpu/cpu.h"
#include "lstar/lstar.h"

struct hostcall;   /* emu/hostcall/hostcall.c */
struct symtab;     /* emu/symbols.c */

struct machine {
	struct cpu cpu;              /* the processor */
	uint8_t *ram;                /* guest RAM, mmap'd lazily (MAP_NORESERVE) */
	uint64_t ram_size;           /* bytes */
	uint64_t ram_max;            /* bytes reserved: RAM may grow to this (LSTAR_HC_MEMORY_ADD) */
	uint32_t *page_gen;          /* per physical page: bumped when code on it is written */
	uint8_t *code_page;          /* per physical page: 1 if decoded blocks depend on it */
	int console_fd;              /* port 0xE9 sink */
	int console_owned;           /* console_fd was opened by us */
	int console_error;           /* a console write failed (reported once) */
	char console_buf[256];       /* line buffer for port 0xE9 */
	size_t console_len;          /* bytes waiting in console_buf */
	enum lstar_vendor vendor;    /* --vendor */
	struct hostcall *hc;         /* host-call device state (ports 0x510-0x51F) */
	struct symtab *syms;         /* kernel + program symbols, for diagnostics */
	FILE *diag;                  /* where the library may write diagnostics (NULL = nowhere) */
	char stop_message[512];      /* one-line description of why the machine stopped */
	char ud_mnemonic[32];        /* name of the last unimplemented instruction */
	uint64_t ud_rip;             /* where it was */
	/* Called before the guest's own input or output goes through the
	 * host's standard streams (host-call reads and writes on fds 0-2,
	 * the 0xE9 console on fds 1-2): a trace written to standard error
	 * puts out its lines first, so the two appear in order. */
	void (*before_stdio)(void *ctx);
	void *before_stdio_ctx;
	/* HLT with interrupts enabled and nothing the CPU can take yet
	 * (cpu/interrupt.c): let up to `ticks` TSC ticks of guest time pass
	 * (IDLE_FOREVER, cpu/apic.h: no timer will wake the CPU) and return
	 * how many did.  Return early when cpu.stop is set, or after a device
	 * made an interrupt pending with apic_raise().  NULL: the time passes
	 * at once.  The host-call device provides it
	 * (emu/hostcall/hostcall_idle.c). */
	uint64_t (*idle_wait)(struct machine *m, uint64_t ticks);
};

/* RAM (emu/memory.c).  size must be a multiple of 4 KiB. */
int memory_init(struct machine *m, uint64_t size, uint64_t max);
void memory_free(struct machine *m);

/* Port I/O (emu/devices.c).  `size` is 1, 2 or 4 bytes. */
uint32_t io_in(struct machine *m, uint16_t port, unsigned size);
void io_out(struct machine *m, uint16_t port, unsigned size, uint32_t value);
/* Write out what the console buffer holds (at stops and before exit). */
void console_flush(struct machine *m);

/* Host-call device (emu/hostcall/hostcall.c), ports 0x510-0x51F. */
struct hostcall *hostcall_new(struct machine *m);
void hostcall_free(struct hostcall *hc);
uint32_t hostcall_in(struct machine *m, uint16_t port, unsigned size);
void hostcall_out(struct machine *m, uint16_t port, unsigned size, uint32_t value);

/* Run loop (cpu/exec.c): runs until cpu.stop != STOP_NONE. */
void cpu_run(struct cpu *c);
/* Invalidate decoded code on a physical page (emu/memory.c calls it). */
void decode_invalidate_page(struct machine *m, uint64_t pa);

/* Host pointer to RAM at pa for a host-side WRITE of len bytes (a device
 * doing DMA): invalidates decoded code on those pages.  NULL outside RAM. */
uint8_t *phys_ptr_write(struct machine *m, uint64_t pa, uint64_t len);

/* Write a register dump and the faulting instruction (triple fault). */
void machine_dump_state(struct machine *m, FILE *f);

#endif
