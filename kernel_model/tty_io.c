/*
 * tty_io.c - the controlling terminal (mirrors drivers/tty/tty_io.c's
 * tty_open of /dev/tty).
 *
 * The terminal is the host's: lstar's own controlling terminal, if it has
 * one.  /dev/tty opens it through the device (HC_OPENTTY) whatever --root
 * says, as it is the terminal the guest already talks to; without one the
 * host's answer, ENXIO, is Linux's answer for a process with no
 * controlling terminal.
 */
#include "fs.h"

long tty_open(const char *path, int flags)
{
	if (strcmp(path, "/dev/tty"))
		return -ENOENT;
	long h = hostcall(HC_OPENTTY, flags, 0, 0, 0, 0, 0);
	if (h < 0)
		return h;
	struct file *f = alloc_file(FT_HOST, flags & ~(O_CREAT | O_EXCL | O_TRUNC |
						       O_NOCTTY | O_CLOEXEC));
	if (!f) {
		hostcall(HC_CLOSE, h, 0, 0, 0, 0, 0);
		return -ENFILE;
	}
	f->handle = h;
	int fd = fd_install_lowest(f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}
