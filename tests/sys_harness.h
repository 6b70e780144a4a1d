/*
 * sys_harness.h - shared helpers for the system-instruction tests
 * (test_msr.c, test_syscall.c, test_sysret.c, test_swapgs.c,
 * test_exceptions.c, test_system.c).  Public API only: lstar.h.
 *
 * Every test builds a machine with lstar_setup_flat(): Linux's GDT (0x10
 * kernel CS, 0x18 kernel DS, 0x23/0x2B/0x33 user, 0x40 TSS), an IDT whose
 * 256 DPL-0 interrupt gates point at HLT stubs, TSS.RSP0 and IST stacks,
 * [0, USER_BASE) supervisor-only and the user window user-accessible.
 * Code bytes are written by hand (the encodings are in the comments).
 *
 * Tests that differ per vendor take the vendor as cmocka state: BOTH(fn)
 * registers fn twice, as fn_intel and fn_amd.
 */
#ifndef SYS_HARNESS_H
#define SYS_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lstar/lstar.h"
#include "lstar/msr.h"

#define USER_BASE  0x400000ULL
#define USER_SIZE  0x400000ULL
#define USER_CODE  USER_BASE
#define USER_STACK (USER_BASE + 0x200000ULL - 0x100)  /* not 16-aligned on purpose */
#define KCODE_OFF  0x800    /* second kernel code area: lay.kernel_code + KCODE_OFF */

/* RFLAGS bits */
#define RF_CF (1ULL << 0)
#define RF_PF (1ULL << 2)
#define RF_AF (1ULL << 4)
#define RF_ZF (1ULL << 6)
#define RF_SF (1ULL << 7)
#define RF_TF (1ULL << 8)
#define RF_IF (1ULL << 9)
#define RF_DF (1ULL << 10)
#define RF_OF (1ULL << 11)
#define RF_IOPL (3ULL << 12)
#define RF_NT (1ULL << 14)
#define RF_RF (1ULL << 16)
#define RF_VM (1ULL << 17)
#define RF_AC (1ULL << 18)
#define RF_ID (1ULL << 21)

/* Linux's syscall_init(): STAR = (__USER32_CS << 48) | (__KERNEL_CS << 32). */
#define LINUX_STAR ((0x23ULL << 48) | (0x10ULL << 32))
#define LINUX_FMASK 0x257FD5ULL

static const int vendor_intel = LSTAR_VENDOR_INTEL;
static const int vendor_amd = LSTAR_VENDOR_AMD;

#define BOTH(fn) \
	{ #fn "_intel", fn, NULL, NULL, (void *)&vendor_intel }, \
	{ #fn "_amd", fn, NULL, NULL, (void *)&vendor_amd }
#define ONE(fn) cmocka_unit_test_prestate(fn, (void *)&vendor_intel)

struct vm {
	lstar_machine *m;
	struct lstar_flat_layout lay;
	enum lstar_vendor vendor;
};

static inline void vm_init_vendor(struct vm *v, enum lstar_vendor vendor)
{
	struct lstar_config cfg;
	char err[256];
	memset(&cfg, 0, sizeof cfg);
	cfg.mem_size = 64ULL << 20;
	cfg.vendor = vendor;
	v->vendor = vendor;
	v->m = lstar_machine_new(&cfg, err, sizeof err);
	if (!v->m)
		fail_msg("lstar_machine_new: %s", err);
	assert_int_equal(lstar_setup_flat(v->m, USER_BASE, USER_SIZE, &v->lay), LSTAR_OK);
}

/* From cmocka state (BOTH/ONE). */
static inline void vm_init(struct vm *v, void **state)
{
	vm_init_vendor(v, (enum lstar_vendor)(state && *state ? *(const int *)*state : 0));
}

static inline void vm_free(struct vm *v)
{
	lstar_machine_free(v->m);
	v->m = NULL;
}

static inline void put(struct vm *v, uint64_t pa, const void *p, size_t n)
{
	assert_int_equal(lstar_write_phys(v->m, pa, p, n), LSTAR_OK);
}
#define PUT(v, pa, ...) do { \
	static const uint8_t bytes_[] = { __VA_ARGS__ }; \
	put((v), (pa), bytes_, sizeof bytes_); \
} while (0)

static inline uint64_t rd64(struct vm *v, uint64_t pa)
{
	uint64_t x = 0;
	assert_int_equal(lstar_read_phys(v->m, pa, &x, 8), LSTAR_OK);
	return x;
}

static inline void wr64(struct vm *v, uint64_t pa, uint64_t x)
{
	put(v, pa, &x, 8);
}

static inline uint64_t reg(struct vm *v, enum lstar_reg r) { return lstar_get_reg(v->m, r); }
static inline void setreg(struct vm *v, enum lstar_reg r, uint64_t x) { lstar_set_reg(v->m, r, x); }

static inline uint64_t rdmsr(struct vm *v, uint32_t idx)
{
	uint64_t x = 0;
	assert_int_equal(lstar_rdmsr(v->m, idx, &x), LSTAR_OK);
	return x;
}

static inline void wrmsr(struct vm *v, uint32_t idx, uint64_t x)
{
	assert_int_equal(lstar_wrmsr(v->m, idx, x), LSTAR_OK);
}

/* Linux's syscall_init() on the flat layout; LSTAR -> kernel code. */
static inline void syscall_init(struct vm *v, uint64_t fmask)
{
	wrmsr(v, LSTAR_MSR_EFER, rdmsr(v, LSTAR_MSR_EFER) | LSTAR_MSR_EFER_SCE);
	wrmsr(v, LSTAR_MSR_STAR, LINUX_STAR);
	wrmsr(v, LSTAR_MSR_LSTAR, v->lay.kernel_code);
	wrmsr(v, LSTAR_MSR_FMASK, fmask);
}

/* Drop to CPL 3 with Linux's user selectors at USER_CODE / USER_STACK. */
static inline void to_user(struct vm *v)
{
	lstar_enter_cpl(v->m, 3, 0x33, 0x2B);
	setreg(v, LSTAR_RIP, USER_CODE);
	setreg(v, LSTAR_RSP, USER_STACK);
}

static inline struct lstar_exit step(struct vm *v)
{
	struct lstar_exit ex;
	memset(&ex, 0, sizeof ex);
	assert_int_equal(lstar_step(v->m, &ex), LSTAR_OK);
	return ex;
}

static inline struct lstar_exit run(struct vm *v, unsigned stop_on, uint64_t max)
{
	struct lstar_exit ex;
	memset(&ex, 0, sizeof ex);
	assert_int_equal(lstar_run(v->m, stop_on, max, &ex), LSTAR_OK);
	return ex;
}

static inline void expect_exception(const struct lstar_exit *ex, int vector, uint32_t err)
{
	if (ex->event != LSTAR_EV_EXCEPTION)
		fail_msg("expected exception %d, got event 0x%x (%s)", vector, ex->event, ex->message);
	assert_int_equal(ex->vector, vector);
	assert_int_equal(ex->error_code, err);
}

/* The frame the CPU pushed, read at the current RSP. */
struct frame {
	uint64_t err, rip, cs, rflags, rsp, ss;
};

static inline struct frame read_frame(struct vm *v, int has_err)
{
	struct frame f = { 0 };
	uint64_t sp = reg(v, LSTAR_RSP);
	if (has_err) {
		f.err = rd64(v, sp);
		sp += 8;
	}
	f.rip = rd64(v, sp);
	f.cs = rd64(v, sp + 8);
	f.rflags = rd64(v, sp + 16);
	f.rsp = rd64(v, sp + 24);
	f.ss = rd64(v, sp + 32);
	return f;
}

/* Rewrite IDT gate `vec`: type 0xE (interrupt) or 0xF (trap), present. */
static inline void set_gate(struct vm *v, unsigned vec, unsigned dpl, unsigned ist, unsigned type)
{
	uint64_t a = v->lay.idt + 16 * vec;
	uint64_t lo = rd64(v, a);
	lo &= ~(0xFFULL << 32 | 0xFFULL << 40);
	lo |= ((uint64_t)ist << 32) | ((uint64_t)(0x80 | (dpl << 5) | type) << 40);
	wr64(v, a, lo);
}

static inline uint64_t stub(struct vm *v, unsigned vec)
{
	return v->lay.idt_stubs + 16 * vec;
}

static inline uint16_t seg_sel(struct vm *v, enum lstar_sreg s)
{
	struct lstar_segment g;
	lstar_get_segment(v->m, s, &g);
	return g.selector;
}

static inline uint64_t seg_base(struct vm *v, enum lstar_sreg s)
{
	struct lstar_segment g;
	lstar_get_segment(v->m, s, &g);
	return g.base;
}

#endif
