/*
 * flat_fixture.h - the smallest cmocka fixture on the lstar API: one
 * machine with 64 MiB and lstar_setup_flat()'s flat CPL-0 layout (user
 * window at USER_BASE), shared by tests that look at the engine itself
 * (test_engine.c, test_fuse.c).  Define USER_BASE/USER_SIZE first to move
 * the window.
 */
#ifndef LSTAR_TESTS_FLAT_FIXTURE_H
#define LSTAR_TESTS_FLAT_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "lstar/lstar.h"

#ifndef USER_BASE
#define USER_BASE 0x400000ULL
#endif
#ifndef USER_SIZE
#define USER_SIZE 0x400000ULL
#endif

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
	if (!fx.m)
		return -1;
	if (lstar_setup_flat(fx.m, USER_BASE, USER_SIZE, &fx.lay) != LSTAR_OK)
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	lstar_machine_free(fx->m);
	return 0;
}

/* Code at physical `at` (identity-mapped), RIP at its first byte. */
static void put_code(struct fx *fx, uint64_t at, const void *code, size_t n)
{
	assert_int_equal(lstar_write_phys(fx->m, at, code, n), LSTAR_OK);
	lstar_set_reg(fx->m, LSTAR_RIP, at);
}

#endif
