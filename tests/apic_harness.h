/*
 * apic_harness.h - what tests/test_apic.c (registers, timer) and
 * tests/test_interrupt.c (delivery, shadows, HLT) share: a flat machine
 * (sys_harness.h) with the x2APIC switched on, a spin loop, a handler that
 * logs the TSC, guest RDMSR/WRMSR.  A few checks read cpu.idle_ticks or
 * call apic_raise() from the inside, as a device of the board would.
 *
 * Timing convention: with the divide configuration at 1 (DCR = 0xB) the
 * count drops by one per retired instruction, so a count of N written
 * when I instructions have retired expires at the boundary where icount
 * is I + N, before the instruction with that index runs.
 */
#ifndef APIC_HARNESS_H
#define APIC_HARNESS_H

#include "sys_harness.h"
/* cpu.h has its own spelling of these */
#undef LSTAR_MSR_EFER_SCE
#undef LSTAR_MSR_EFER_LME
#undef LSTAR_MSR_EFER_LMA
#undef LSTAR_MSR_EFER_NXE
#include "emu/machine.h"
#include "cpu/apic.h"
#include "msr/msr.h"

#define APICBASE 0x1BU
#define EXTD (1ULL << 10)
#define VEC 0x40
#define DIV1 0xB

static inline struct cpu *CPU(struct vm *v) { return &((struct machine *)v->m)->cpu; }

/* x2APIC mode, software-enabled, divide by 1. */
static inline void apic_on(struct vm *v)
{
	wrmsr(v, APICBASE, 0xFEE00900ULL | EXTD);
	wrmsr(v, LSTAR_MSR_X2APIC_SIVR, 0x1FF);
	wrmsr(v, LSTAR_MSR_X2APIC_DIV_CONF, DIV1);
}

/* Point IDT gate `vec` at `target` (type 0xE interrupt, 0xF trap). */
static inline void set_handler(struct vm *v, unsigned vec, uint64_t target, unsigned type)
{
	uint64_t a = v->lay.idt + 16 * vec;
	uint64_t lo = (target & 0xFFFF) | (0x10ULL << 16) | ((uint64_t)(0x80 | type) << 40) |
		      (((target >> 16) & 0xFFFF) << 48);
	wr64(v, a, lo);
	wr64(v, a + 8, target >> 32);
}

/* A one-block loop at kernel code: l: inc rax; jmp l. */
static inline uint64_t spin(struct vm *v)
{
	uint64_t at = v->lay.kernel_code;
	PUT(v, at, 0x48, 0xFF, 0xC0, 0xEB, 0xFB);
	setreg(v, LSTAR_RIP, at);
	setreg(v, LSTAR_RAX, 0);
	return at;
}

/* The handler used where interrupts must come back: records the TSC in
 * [rdi + r15*8], counts in r15, EOI, IRETQ (10 instructions). */
#define HANDLER_OFF 0x800
static inline uint64_t put_handler(struct vm *v, unsigned vec, unsigned type)
{
	uint64_t h = v->lay.kernel_code + HANDLER_OFF;
	PUT(v, h, 0x0F, 0x31,                    /* rdtsc */
	    0x48, 0xC1, 0xE2, 0x20,              /* shl rdx, 32 */
	    0x48, 0x09, 0xD0,                    /* or rax, rdx */
	    0x4A, 0x89, 0x04, 0xFF,              /* mov [rdi + r15*8], rax */
	    0x49, 0xFF, 0xC7,                    /* inc r15 */
	    0xB9, 0x0B, 0x08, 0x00, 0x00,        /* mov ecx, 0x80B (EOI) */
	    0x31, 0xC0,                          /* xor eax, eax */
	    0x31, 0xD2,                          /* xor edx, edx */
	    0x0F, 0x30,                          /* wrmsr */
	    0x48, 0xCF);                         /* iretq */
	set_handler(v, vec, h, type);
	setreg(v, LSTAR_R15, 0);
	setreg(v, LSTAR_RDI, 0x60000);           /* the TSC log */
	return h;
}

/* Run a guest RDMSR/WRMSR at CPL 0 and return the exit. */
static inline struct lstar_exit guest_msr(struct vm *v, bool write, uint32_t idx, uint64_t val)
{
	uint64_t at = v->lay.kernel_code + 0x600;
	if (write)
		PUT(v, at, 0x0F, 0x30);
	else
		PUT(v, at, 0x0F, 0x32);
	setreg(v, LSTAR_RIP, at);
	setreg(v, LSTAR_RCX, idx);
	setreg(v, LSTAR_RAX, (uint32_t)val);
	setreg(v, LSTAR_RDX, val >> 32);
	return step(v);
}

#endif
