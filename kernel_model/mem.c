/*
 * mem.c - the memory character devices /dev/null, /dev/zero, /dev/random
 * and /dev/urandom, provided by the kernel itself (mirrors
 * drivers/char/mem.c and the read side of drivers/char/random.c).
 *
 * Shell scripts redirect to /dev/null all the time.  A guest confined with
 * --root usually has no /dev of its own, so open() of these names is
 * answered here, before the host-call device is asked.
 */
#include "fs.h"
#include "mm.h"

#define MEM_MAJOR 1
static const struct { const char *path; int minor; } mem_devs[] = {
	{ "/dev/null", 3 }, { "/dev/zero", 5 }, { "/dev/random", 8 }, { "/dev/urandom", 9 },
};

long mem_open(const char *path, int flags)
{
	for (unsigned i = 0; i < ARRAY_SIZE(mem_devs); i++) {
		if (strcmp(path, mem_devs[i].path))
			continue;
		struct file *f = alloc_file(FT_CHR, flags & (O_ACCMODE | O_APPEND | O_NONBLOCK));
		if (!f)
			return -ENFILE;
		f->handle = mem_devs[i].minor;
		int fd = fd_install_lowest(f, 0, flags & O_CLOEXEC);
		if (fd < 0)
			fput(f);
		return fd;
	}
	return -ENOENT;
}

long mem_read(struct file *f, char __user *buf, u64 n)
{
	switch (f->handle) {
	case 3:				/* null: always at end of file */
		return 0;
	case 5:				/* zero: as many zero bytes as asked */
		n = MIN(n, (u64)HC_BOUNCE_SIZE);
		if (fault_in_user((u64)buf, n, true))
			return -EFAULT;
		memset(buf, 0, n);
		return n;
	default: {			/* random, urandom: the host's */
		n = MIN(n, (u64)HC_BOUNCE_SIZE);
		long r = hostcall(HC_RANDOM, hc_pa(hc_bounce), n, 0, 0, 0, 0);
		if (r > 0 && copy_to_user(buf, hc_bounce, r))
			return -EFAULT;
		return r;
	}
	}
}

/* Every write succeeds in full and the bytes go nowhere. */
long mem_write(struct file *f, const char __user *buf, u64 n)
{
	(void)f; (void)buf;
	return n;
}

void mem_stat(struct file *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0666;
	st->st_nlink = 1;
	st->st_rdev = (MEM_MAJOR << 8) | f->handle;
	st->st_blksize = 4096;
}
