/*
 * move_harness.h - shared fixture of the move-family tests (test_move.c,
 * test_stack.c, test_branch.c, test_string.c): a flat 64-bit machine from
 * lstar_setup_flat(), code placed at layout.kernel_code, and helpers to run
 * N instructions and read registers and memory back.
 *
 * Memory map used by the tests (identity mapped, 64 MiB of RAM):
 *   0x50000   code (layout.kernel_code), CPL 0
 *   0x3F000   kernel stack top used by the tests
 *   0x200000  supervisor data (DATA)
 *   0x400000  user window, 4 MiB (USER_BASE): user code and data
 *   RAM_END   first unmapped address: accesses there #PF
 */
#ifndef MOVE_HARNESS_H
#define MOVE_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lstar/lstar.h"

#define USER_BASE 0x400000ULL
#define USER_SIZE 0x400000ULL
#define RAM_SIZE  (64ULL << 20)
#define RAM_END   RAM_SIZE
#define DATA      0x200000ULL
#define STACK_TOP 0x3F000ULL

#define F_CF 0x1ULL
#define F_PF 0x4ULL
#define F_AF 0x10ULL
#define F_ZF 0x40ULL
#define F_SF 0x80ULL
#define F_TF 0x100ULL
#define F_IF 0x200ULL
#define F_DF 0x400ULL
#define F_OF 0x800ULL
#define F_IOPL 0x3000ULL
#define F_AC 0x40000ULL

struct fx {
	lstar_machine *m;
	struct lstar_flat_layout lay;
};

static int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof *fx);
	struct lstar_config cfg = { .mem_size = RAM_SIZE };
	char err[200];
	if (!fx)
		return -1;
	fx->m = lstar_machine_new(&cfg, err, sizeof err);
	if (!fx->m)
		return -1;
	if (lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay) != LSTAR_OK)
		return -1;
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	lstar_machine_free(fx->m);
	free(fx);
	return 0;
}

/* A fresh CPL 0 state before every test: flat setup again, zeroed GPRs. */
static int fx_reset(void **state)
{
	struct fx *fx = *state;
	if (lstar_setup_flat(fx->m, USER_BASE, USER_SIZE, &fx->lay) != LSTAR_OK)
		return -1;
	for (int r = LSTAR_RAX; r <= LSTAR_R15; r++)
		lstar_set_reg(fx->m, (enum lstar_reg)r, 0);
	lstar_set_reg(fx->m, LSTAR_RSP, STACK_TOP);
	return 0;
}

static inline uint64_t reg(struct fx *fx, enum lstar_reg r)
{
	return lstar_get_reg(fx->m, r);
}

static inline void set(struct fx *fx, enum lstar_reg r, uint64_t v)
{
	lstar_set_reg(fx->m, r, v);
}

/* Put code at `at` (physical = linear) and point RIP at it. */
static inline void code_at(struct fx *fx, uint64_t at, const void *code, size_t n)
{
	assert_int_equal(lstar_write_phys(fx->m, at, code, n), LSTAR_OK);
	set(fx, LSTAR_RIP, at);
}

#define CODE(fx, ...) do {						\
		static const uint8_t code_[] = { __VA_ARGS__ };		\
		code_at((fx), (fx)->lay.kernel_code, code_, sizeof code_); \
	} while (0)

/* Run up to n instructions, stopping at an exception delivery. */
static inline struct lstar_exit run(struct fx *fx, uint64_t n)
{
	struct lstar_exit ex;
	memset(&ex, 0, sizeof ex);
	assert_int_equal(lstar_run(fx->m, LSTAR_EV_EXCEPTION, n, &ex), LSTAR_OK);
	return ex;
}

/* Run n instructions that must all complete without an exception. */
static inline void run_ok(struct fx *fx, uint64_t n)
{
	struct lstar_exit ex = run(fx, n);
	if (ex.event != LSTAR_EV_LIMIT)
		print_error("event %#x vector %d: %s\n", ex.event, ex.vector, ex.message);
	assert_int_equal(ex.event, LSTAR_EV_LIMIT);
}

/* Run n instructions expecting exception `vector` (RIP then points at the
 * IDT stub, the faulting RIP is in the frame at RSP). */
static inline struct lstar_exit run_fault(struct fx *fx, uint64_t n, int vector)
{
	struct lstar_exit ex = run(fx, n);
	if (ex.event != LSTAR_EV_EXCEPTION)
		print_error("event %#x: %s\n", ex.event, ex.message);
	assert_int_equal(ex.event, LSTAR_EV_EXCEPTION);
	assert_int_equal(ex.vector, vector);
	return ex;
}

/* RIP saved in the exception frame (CPL 0 -> CPL 0: [RSP] after the error
 * code, if any). */
static inline uint64_t fault_rip(struct fx *fx, const struct lstar_exit *ex)
{
	uint64_t v;
	uint64_t sp = reg(fx, LSTAR_RSP) + (ex->has_error_code ? 8 : 0);
	assert_int_equal(lstar_read_virt(fx->m, sp, &v, 8), LSTAR_OK);
	return v;
}

static inline void wr64(struct fx *fx, uint64_t pa, uint64_t v)
{
	assert_int_equal(lstar_write_phys(fx->m, pa, &v, 8), LSTAR_OK);
}

static inline uint64_t rd64(struct fx *fx, uint64_t pa)
{
	uint64_t v = 0;
	assert_int_equal(lstar_read_phys(fx->m, pa, &v, 8), LSTAR_OK);
	return v;
}

static inline void wrn(struct fx *fx, uint64_t pa, const void *p, size_t n)
{
	assert_int_equal(lstar_write_phys(fx->m, pa, p, n), LSTAR_OK);
}

static inline void rdn(struct fx *fx, uint64_t pa, void *p, size_t n)
{
	assert_int_equal(lstar_read_phys(fx->m, pa, p, n), LSTAR_OK);
}

#define T(fn) cmocka_unit_test_setup(fn, fx_reset)

#endif
