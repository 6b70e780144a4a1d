/*
 * hostcall_check.c - the host-call device's safety rules, driven directly
 * through its ports (docs/platform.md "Safety"): nothing outside guest RAM
 * is ever read or written, handles are checked, only `ret` is written back,
 * and --root holds for OPENAT.  cmocka; one machine per test.
 */
#define _XOPEN_SOURCE 600
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "emu/machine.h"
#include "emu/hostcall/hostcall.h"
#include "cpu/mmu.h"

#define RAM (4u << 20)
#define REQ 0x1000		/* request block */
#define BUF 0x2000		/* data buffer */
#define PATH 0x3000		/* path string */

static struct machine *new_machine(void)
{
	struct lstar_config cfg = { .mem_size = RAM };
	char err[256];
	lstar_machine *lm = lstar_machine_new(&cfg, err, sizeof(err));
	assert_non_null(lm);
	struct machine *m = (struct machine *)lm;
	assert_non_null(m->hc);
	return m;
}

/* Issue a request at physical address `pa` the way the kernel does. */
static void call_at(struct machine *m, uint64_t pa)
{
	hostcall_out(m, LSTAR_HC_PORT_ADDR_HI, 4, (uint32_t)(pa >> 32));
	hostcall_out(m, LSTAR_HC_PORT_ADDR_LO, 4, (uint32_t)pa);
}

static int64_t call(struct machine *m, uint32_t op, uint64_t a0, uint64_t a1,
		    uint64_t a2, uint64_t a3)
{
	struct lstar_hc_req r = { .op = op, .ret = 12345, .a = { a0, a1, a2, a3 } };
	memcpy(phys_ptr_write(m, REQ, sizeof(r)), &r, sizeof(r));
	call_at(m, REQ);
	assert_int_equal(hostcall_in(m, LSTAR_HC_PORT_STATUS, 4), 0);
	memcpy(&r, phys_ptr(m, REQ, sizeof(r)), sizeof(r));
	return r.ret;
}

static void put_path(struct machine *m, const char *p)
{
	memcpy(phys_ptr_write(m, PATH, strlen(p) + 1), p, strlen(p) + 1);
}

static void test_id_port(void **state)
{
	(void)state;
	struct machine *m = new_machine();
	assert_int_equal(hostcall_in(m, LSTAR_HC_PORT_ID, 4), LSTAR_HC_ID);
	lstar_machine_free((lstar_machine *)m);
}

/* A request block outside RAM, or straddling its end: status 1, no call. */
static void test_request_block_outside_ram(void **state)
{
	(void)state;
	struct machine *m = new_machine();
	call_at(m, 0x100000000ULL);
	assert_int_equal(hostcall_in(m, LSTAR_HC_PORT_STATUS, 4), 1);
	call_at(m, RAM - 8);
	assert_int_equal(hostcall_in(m, LSTAR_HC_PORT_STATUS, 4), 1);
	call_at(m, ~0ULL);
	assert_int_equal(hostcall_in(m, LSTAR_HC_PORT_STATUS, 4), 1);
	lstar_machine_free((lstar_machine *)m);
}

/* Buffers outside RAM, or wrapping around, are -EFAULT and touch nothing. */
static void test_buffers_outside_ram(void **state)
{
	(void)state;
	struct machine *m = new_machine();
	assert_int_equal(call(m, LSTAR_HC_WRITE, 1, RAM - 2, 16, 0), -14);
	assert_int_equal(call(m, LSTAR_HC_READ, 0, RAM, 1, 0), -14);
	assert_int_equal(call(m, LSTAR_HC_WRITE, 1, 0x1000, ~0ULL, 0), -14);
	assert_int_equal(call(m, LSTAR_HC_FSTAT, 1, RAM - 100, 0, 0), -14);
	assert_int_equal(call(m, LSTAR_HC_RANDOM, (uint64_t)-4096, 8192, 0, 0), -14);
	assert_int_equal(call(m, LSTAR_HC_GETCWD, RAM - 1, 4096, 0, 0) < 0, 1);
	lstar_machine_free((lstar_machine *)m);
}

/* A path must end with a NUL inside RAM. */
static void test_path_must_end_in_ram(void **state)
{
	(void)state;
	struct machine *m = new_machine();
	memset(phys_ptr_write(m, RAM - 16, 16), 'a', 16);
	assert_int_equal(call(m, LSTAR_HC_OPENAT, LSTAR_HC_DIR_CWD, RAM - 16, 0, 0), -36);
	assert_int_equal(call(m, LSTAR_HC_OPENAT, LSTAR_HC_DIR_CWD, RAM + 16, 0, 0), -14);
	lstar_machine_free((lstar_machine *)m);
}

static void test_bad_handles(void **state)
{
	(void)state;
	struct machine *m = new_machine();
	assert_int_equal(call(m, LSTAR_HC_READ, 77, BUF, 1, 0), -9);
	assert_int_equal(call(m, LSTAR_HC_READ, LSTAR_HC_MAX_HANDLES, BUF, 1, 0), -9);
	assert_int_equal(call(m, LSTAR_HC_CLOSE, (uint64_t)-1, 0, 0, 0), -9);
	assert_int_equal(call(m, LSTAR_HC_NR_OPS + 5, 0, 0, 0, 0), -38);
	lstar_machine_free((lstar_machine *)m);
}

/* Only `ret` is written back: the arguments stay as the guest wrote them. */
static void test_only_ret_written(void **state)
{
	(void)state;
	struct machine *m = new_machine();
	struct lstar_hc_req r = { .op = LSTAR_HC_NOP, .a = { 1, 2, 3, 4, 5, 6 } };
	memcpy(phys_ptr_write(m, REQ, sizeof(r)), &r, sizeof(r));
	call_at(m, REQ);
	struct lstar_hc_req back;
	memcpy(&back, phys_ptr(m, REQ, sizeof(back)), sizeof(back));
	assert_int_equal(back.ret, 0);
	assert_memory_equal(back.a, r.a, sizeof(r.a));
	assert_int_equal(back.op, LSTAR_HC_NOP);
	lstar_machine_free((lstar_machine *)m);
}

/* --root: "..", absolute paths and symlinks resolve inside the root. */
static void test_root_confines_openat(void **state)
{
	(void)state;
	char dir[] = "/tmp/lstar-hc-XXXXXX", p[4200], err[256];
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/in.txt", dir);
	FILE *f = fopen(p, "w");
	fputs("in", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/link", dir);
	assert_int_equal(symlink("/etc/passwd", p), 0);

	struct machine *m = new_machine();
	struct hostcall_config cfg = { .root = dir };
	assert_int_equal(hostcall_configure(m->hc, &cfg, err, sizeof(err)), 0);
	put_path(m, "../../../../etc/passwd");
	assert_int_equal(call(m, LSTAR_HC_OPENAT, LSTAR_HC_DIR_CWD, PATH, 0, 0), -2);
	put_path(m, "/etc/passwd");
	assert_int_equal(call(m, LSTAR_HC_OPENAT, LSTAR_HC_DIR_CWD, PATH, 0, 0), -2);
	put_path(m, "link");
	assert_int_equal(call(m, LSTAR_HC_OPENAT, LSTAR_HC_DIR_CWD, PATH, 0, 0), -2);
	put_path(m, "/../in.txt");
	int64_t h = call(m, LSTAR_HC_OPENAT, LSTAR_HC_DIR_CWD, PATH, 0, 0);
	assert_true(h >= 3);
	assert_int_equal(call(m, LSTAR_HC_READ, h, BUF, 16, 0), 2);
	assert_memory_equal(phys_ptr(m, BUF, 2), "in", 2);
	assert_int_equal(call(m, LSTAR_HC_GETCWD, BUF, 1, 0, 0), -34);
	assert_int_equal(call(m, LSTAR_HC_GETCWD, BUF, 64, 0, 0), 2);	/* "/" */
	lstar_machine_free((lstar_machine *)m);

	snprintf(p, sizeof(p), "%s/link", dir); unlink(p);
	snprintf(p, sizeof(p), "%s/in.txt", dir); unlink(p);
	rmdir(dir);
}

/* Each request performs its host call once: LSEEK with SEEK_CUR moves by
 * the offset given (a result macro that repeated its argument moved it
 * twice), FTRUNCATE and SETFL act on the handle's open file. */
static void test_calls_run_once(void **state)
{
	(void)state;
	char p[] = "/tmp/lstar-hc-seek-XXXXXX";
	int fd = mkstemp(p);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789abcdef", 16), 16);
	close(fd);

	struct machine *m = new_machine();
	put_path(m, p);
	int64_t h = call(m, LSTAR_HC_OPENAT, LSTAR_HC_DIR_CWD, PATH, 2 /* O_RDWR */, 0);
	assert_true(h >= 3);
	assert_int_equal(call(m, LSTAR_HC_LSEEK, h, 5, 1 /* SEEK_CUR */, 0), 5);
	assert_int_equal(call(m, LSTAR_HC_LSEEK, h, 3, 1, 0), 8);
	assert_int_equal(call(m, LSTAR_HC_LSEEK, h, -2, 1, 0), 6);
	assert_int_equal(call(m, LSTAR_HC_READ, h, BUF, 2, 0), 2);
	assert_memory_equal(phys_ptr(m, BUF, 2), "67", 2);
	assert_int_equal(call(m, LSTAR_HC_LSEEK, h, -20, 1, 0), -22);
	assert_int_equal(call(m, LSTAR_HC_LSEEK, h, 0, 1, 0), 8);
	assert_int_equal(call(m, LSTAR_HC_FTRUNCATE, h, 4, 0, 0), 0);
	assert_int_equal(call(m, LSTAR_HC_LSEEK, h, 0, 2 /* SEEK_END */, 0), 4);
	/* SETFL O_APPEND: a write after seeking to 0 still lands at the end. */
	assert_int_equal(call(m, LSTAR_HC_SETFL, h, 02000, 0, 0), 0);
	assert_int_equal(call(m, LSTAR_HC_LSEEK, h, 0, 0, 0), 0);
	memcpy(phys_ptr_write(m, BUF, 1), "!", 1);
	assert_int_equal(call(m, LSTAR_HC_WRITE, h, BUF, 1, 0), 1);
	assert_int_equal(call(m, LSTAR_HC_LSEEK, h, 0, 1, 0), 5);
	assert_int_equal(call(m, LSTAR_HC_SETFL, 99, 0, 0, 0), -9);
	assert_int_equal(call(m, LSTAR_HC_RANDOM, BUF, 16, 0, 0), 16);
	lstar_machine_free((lstar_machine *)m);
	unlink(p);
}

/* The terminal ops speak the Linux kernel's layouts: LSTAR_HC_TCGETS writes
 * exactly the 36-byte struct termios (kind 0) or the 44-byte termios2
 * (kind 1), never a C library's bigger struct; LSTAR_HC_TCSETS reaches the
 * host terminal; LSTAR_HC_WINSIZE gets and sets.  On a pseudo-terminal. */
static void test_terminal_ops(void **state)
{
	(void)state;
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master) || !ptsname(master)) {
		skip();
		return;
	}
	struct machine *m = new_machine();
	put_path(m, ptsname(master));
	int64_t h = call(m, LSTAR_HC_OPENAT, LSTAR_HC_DIR_CWD, PATH, 2 | 0400 /* O_RDWR|O_NOCTTY */, 0);
	assert_true(h >= 3);

	uint8_t *g = phys_ptr_write(m, BUF, 64);
	memset(g, 0xA5, 64);
	assert_int_equal(call(m, LSTAR_HC_TCGETS, h, BUF, 0, 0), 0);
	for (int i = LSTAR_HC_TERMIOS_SIZE; i < 64; i++)
		assert_int_equal(g[i], 0xA5);
	struct lstar_hc_termios2 t;
	memcpy(&t, g, LSTAR_HC_TERMIOS_SIZE);
	assert_true(t.c_lflag & ICANON);
	assert_int_equal(t.c_cc[VINTR], 3);
	memset(g, 0xA5, 64);
	assert_int_equal(call(m, LSTAR_HC_TCGETS, h, BUF, 1, 0), 0);
	for (int i = LSTAR_HC_TERMIOS2_SIZE; i < 64; i++)
		assert_int_equal(g[i], 0xA5);
	assert_int_equal(call(m, LSTAR_HC_TCGETS, h, BUF, 2, 0), -22);

	/* Raw mode reaches the host terminal. */
	t.c_lflag &= ~(ICANON | ECHO);
	memcpy(g, &t, LSTAR_HC_TERMIOS_SIZE);
	assert_int_equal(call(m, LSTAR_HC_TCSETS, h, BUF, 0, 0), 0);
	struct termios host;
	assert_int_equal(tcgetattr(master, &host), 0);
	assert_false(host.c_lflag & ICANON);
	assert_false(host.c_lflag & ECHO);
	assert_int_equal(call(m, LSTAR_HC_TCSETS, h, BUF, 3, 0), -22);

	uint16_t ws[4] = { 33, 101, 0, 0 };
	memcpy(phys_ptr_write(m, BUF, 8), ws, 8);
	assert_int_equal(call(m, LSTAR_HC_WINSIZE, h, BUF, 1, 0), 0);
	memset(phys_ptr_write(m, BUF, 8), 0, 8);
	assert_int_equal(call(m, LSTAR_HC_WINSIZE, h, BUF, 0, 0), 0);
	assert_memory_equal(phys_ptr(m, BUF, 8), ws, 8);

	/* Not a terminal: ENOTTY. */
	assert_int_equal(call(m, LSTAR_HC_TCGETS, 99, BUF, 0, 0), -9);
	lstar_machine_free((lstar_machine *)m);
	close(master);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_port),
		cmocka_unit_test(test_request_block_outside_ram),
		cmocka_unit_test(test_buffers_outside_ram),
		cmocka_unit_test(test_path_must_end_in_ram),
		cmocka_unit_test(test_bad_handles),
		cmocka_unit_test(test_only_ret_written),
		cmocka_unit_test(test_root_confines_openat),
		cmocka_unit_test(test_calls_run_once),
		cmocka_unit_test(test_terminal_ops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
