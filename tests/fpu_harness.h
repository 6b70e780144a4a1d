/*
 * fpu_harness.h - the machine test_sse.c and test_x87.c share: a flat
 * 64-bit kernel (lstar_setup_flat) that enabled the FPU and SSE, a zeroed
 * supervisor data page at DATA (in RDI), and run() to execute code bytes
 * from the kernel code page.  Public API only: lstar.h.
 */
#ifndef FPU_HARNESS_H
#define FPU_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lstar/lstar.h"

#define USER_BASE 0x400000ULL
#define USER_SIZE 0x100000ULL
#define DATA 0x200000ULL          /* supervisor data page */
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)

struct fx {
	lstar_machine *m;
	struct lstar_flat_layout lay;
};

static int setup(void **state)
{
	static struct fx fx;
	struct lstar_config cfg = { .mem_size = 64ULL << 20 };
	char err[200];
	fx.m = lstar_machine_new(&cfg, err, sizeof err);
	if (!fx.m || lstar_setup_flat(fx.m, USER_BASE, USER_SIZE, &fx.lay) != LSTAR_OK)
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	lstar_machine_free(((struct fx *)*state)->m);
	return 0;
}

/* CR0.EM = TS = 0, MP = NE = 1, CR4.OSFXSR and OSXMMEXCPT; RDI = DATA
 * (zeroed), RSP = the kernel stack.  The FPU/SSE state itself is the
 * caller's. */
static void fpu_enable(struct fx *fx)
{
	uint64_t cr0 = lstar_get_reg(fx->m, LSTAR_CR0);
	lstar_set_reg(fx->m, LSTAR_CR0, (cr0 & ~0xCULL) | 0x22);
	lstar_set_reg(fx->m, LSTAR_CR4, lstar_get_reg(fx->m, LSTAR_CR4) | CR4_OSFXSR | CR4_OSXMMEXCPT);
	lstar_set_reg(fx->m, LSTAR_RDI, DATA);
	lstar_set_reg(fx->m, LSTAR_RSP, fx->lay.kernel_stack_top);
	static const uint8_t zero[4096];
	lstar_write_phys(fx->m, DATA, zero, sizeof zero);
}

/* Run up to n instructions of `code` from kernel_code; returns the last
 * exit (stops at the first event). */
static struct lstar_exit run(struct fx *fx, const void *code, size_t len, int n)
{
	struct lstar_exit ex;
	memset(&ex, 0, sizeof ex);
	assert_int_equal(lstar_write_phys(fx->m, fx->lay.kernel_code, code, len), LSTAR_OK);
	lstar_set_reg(fx->m, LSTAR_RIP, fx->lay.kernel_code);
	for (int k = 0; k < n; k++) {
		lstar_step(fx->m, &ex);
		if (ex.event != LSTAR_EV_NONE)
			break;
	}
	return ex;
}

#endif
