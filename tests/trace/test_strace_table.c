/*
 * test_strace_table.c - the system call table of the strace view
 * (emu/trace/strace_table.c): looked up by number, strace's argument
 * counts, and the same names as kernel_model/syscall_64.tbl (as compiled
 * into syscalls_64.h) for every number both name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "emu/trace/strace_table.h"
#include "emu/trace/strace_names.h"

static void test_lookup(void **state)
{
	(void)state;
	static const struct { uint64_t nr; const char *name; int nargs; } want[] = {
		{ 0, "read", 3 }, { 1, "write", 3 }, { 9, "mmap", 6 }, { 15, "rt_sigreturn", 1 },
		{ 56, "clone", 1 }, { 59, "execve", 3 }, { 60, "exit", 1 }, { 157, "prctl", 5 },
		{ 202, "futex", 6 }, { 231, "exit_group", 1 }, { 257, "openat", 4 },
		{ 262, "newfstatat", 4 }, { 302, "prlimit64", 4 }, { 318, "getrandom", 3 },
		{ 334, "rseq", 4 }, { 435, "clone3", 2 }, { 439, "faccessat2", 4 },
		{ 39, "getpid", 0 }, { 162, "sync", 0 },
	};
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		const struct syscall_desc *d = syscall_desc(want[k].nr);
		assert_non_null(d);
		assert_string_equal(d->name, want[k].name);
		assert_string_equal(syscall_name(want[k].nr), want[k].name);
		assert_int_equal(d->nargs, want[k].nargs);
	}
	/* numbers nobody names */
	assert_null(syscall_desc(1000));
	assert_null(syscall_name(400));
	assert_null(syscall_desc(SYSCALL_NR_MAX));
	assert_null(syscall_desc(~0ULL));
	/* exit and exit_group never return */
	assert_int_equal(syscall_desc(231)->ret, R_NONE);
	assert_int_equal(syscall_desc(9)->ret, R_HEX);
}

#define __SYSCALL(nr, sym)
#define __SYSCALL_NAME(nr, name) { nr, #name },
static const struct { unsigned nr; const char *name; } kernel_table[] = {
#include "syscalls_64.h"
};

static void test_kernel_names(void **state)
{
	(void)state;
	size_t n = sizeof(kernel_table) / sizeof(kernel_table[0]);
	assert_true(n > 100);
	for (size_t k = 0; k < n; k++) {
		const char *nm = syscall_name(kernel_table[k].nr);
		assert_non_null(nm);
		if (strcmp(nm, kernel_table[k].name))
			fail_msg("system call %u: the strace table says %s, syscall_64.tbl %s",
				 kernel_table[k].nr, nm, kernel_table[k].name);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(strace_sig_name(11), "SIGSEGV");
	assert_string_equal(strace_sig_name(32), "SIGRTMIN");
	assert_string_equal(strace_sig_name(40), "SIGRT_8");
	assert_string_equal(strace_sig_name(64), "SIGRT_32");
	assert_null(strace_sig_name(0));
	assert_null(strace_sig_name(65));
	assert_string_equal(strace_errno_name(2), "ENOENT");
	assert_string_equal(strace_errno_text(38), "Function not implemented");
	assert_null(strace_errno_name(4000));
	assert_string_equal(xlat_name(&xt_rlimit, 3), "RLIMIT_STACK");
	assert_string_equal(xlat_name(&xt_ioctl, 0x5413), "TIOCGWINSZ");
	assert_null(xlat_name(&xt_whence, 7));
	/* flag tables list a combined name before the bits it holds */
	int sync = -1, dsync = -1;
	for (size_t k = 0; k < xf_open.n; k++) {
		if (!strcmp(xf_open.x[k].name, "O_SYNC"))
			sync = (int)k;
		if (!strcmp(xf_open.x[k].name, "O_DSYNC"))
			dsync = (int)k;
	}
	assert_true(sync >= 0 && dsync > sync);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_kernel_names),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
