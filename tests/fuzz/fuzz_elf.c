/*
 * fuzz_elf.c - any byte string given as a kernel or as a user program must
 * give either a booted machine or a one-line error, never a crash.
 *
 * The input is tried twice: as a kernel image (lstar_boot_kernel_image),
 * and as a user program handed to a known-good kernel image (the same
 * bytes written to a temporary file, since the firmware reads programs
 * from the host file system).  A kernel that boots runs for a bounded
 * number of instructions.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lstar/lstar.h"
#include "emu/machine.h"

#define LIMIT 20000


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lstar_machine *new_machine(void)
{
	struct lstar_config cfg = { .mem_size = 16ULL << 20, .console_path = "/dev/null" };
	char err[256];
	lstar_machine *m = lstar_machine_new(&cfg, err, sizeof err);
	if (!m)
		abort();
	struct machine *mm = (struct machine *)m;
	if (mm->hc) {
		hostcall_free(mm->hc);
		mm->hc = NULL;
	}
	return m;
}

static void check_error(enum lstar_status st, const char *err)
{
	if (st == LSTAR_OK)
		return;
	/* One line that says something. */
	if (!err[0] || strchr(err, '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct lstar_exit ex;

	/* As a kernel. */
	lstar_machine *m = new_machine();
	err[0] = 0;
	enum lstar_status st = lstar_boot_kernel_image(m, data, size, "fuzz-kernel", NULL, NULL,
						       err, sizeof err);
	check_error(st, err);
	if (st == LSTAR_OK)
		lstar_run(m, 0, LIMIT, &ex);
	lstar_machine_free(m);

	/* As a program for the built-in kernel. */
	char path[] = "/tmp/lstar-fuzz-elf-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	size_t off = 0;
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	m = new_machine();
	const char *argv[] = { path, NULL };
	err[0] = 0;
	size_t ksize;
	const void *kimage = lstar_default_kernel_image(&ksize);
	st = lstar_boot_kernel_image(m, kimage, ksize, "built-in kernel",
				     argv, NULL, err, sizeof err);
	check_error(st, err);
	if (st == LSTAR_OK)
		lstar_run(m, 0, LIMIT, &ex);
	lstar_machine_free(m);
	unlink(path);
	return 0;
}
