/*
 * mem.c - the memory character devices /dev/null, /dev/zero, /dev/full,
 * /dev/random and /dev/urandom, provided by the kernel itself (mirrors
 * drivers/char/mem.c and the read side of drivers/char/random.c).
 *
 * Shell scripts redirect to /dev/null all the time.  A guest confined with
 * --root usually has no /dev of its own, so open() of these names is
 * answered here, before the host-call device is asked.  As on Linux a read
 * gives all the bytes asked for, however many (dd bs=1M reads whole
 * megabytes of zeros), and writes to every one but /dev/full succeed.
 */
#include "sched.h"
#include "fs.h"
#include "mm.h"

#define MEM_MAJOR 1
static const struct { const char *path; int minor; } mem_devs[] = {
	{ "/dev/null", 3 }, { "/dev/zero", 5 }, { "/dev/full", 7 },
	{ "/dev/random", 8 }, { "/dev/urandom", 9 },
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

/* Zeros, chunk by chunk: a huge read faults its pages in as it goes, and
 * a bad page part way gives the bytes done so far (Linux's read_zero). */
static long read_zero(char __user *buf, u64 n)
{
	u64 done = 0;
	while (done < n) {
		u64 chunk = MIN(n - done, (u64)HC_BOUNCE_SIZE);
		if (fault_in_user((u64)buf + done, chunk, true))
			return done ? (long)done : -EFAULT;
		memset(buf + done, 0, chunk);
		done += chunk;
	}
	return done;
}

/* n random bytes from the host (LSTAR_HC_RANDOM: getrandom, or the --seed
 * generator) into user memory, through hc_bounce.  Also getrandom(2). */
long read_random(char __user *buf, u64 n)
{
	u64 done = 0;
	while (done < n) {
		u64 chunk = MIN(n - done, (u64)HC_BOUNCE_SIZE);
		long r = hostcall(LSTAR_HC_RANDOM, hc_pa(hc_bounce), chunk, 0, 0, 0, 0);
		if (r <= 0)
			return done ? (long)done : r;
		if (copy_to_user(buf + done, hc_bounce, r))
			return done ? (long)done : -EFAULT;
		done += r;
	}
	return done;
}

long mem_read(struct file *f, char __user *buf, u64 n)
{
	switch (f->handle) {
	case 3:				/* null: always at end of file */
		return 0;
	case 5:				/* zero, full: as many zeros as asked */
	case 7:
		return read_zero(buf, n);
	default:			/* random, urandom: the host's */
		return read_random(buf, n);
	}
}

/* Every write succeeds in full and the bytes go nowhere (random: Linux
 * mixes them into the pool), except that /dev/full is always full. */
long mem_write(struct file *f, const char __user *buf, u64 n)
{
	(void)buf;
	return f->handle == 7 ? -ENOSPC : (long)n;
}

/* Another open of the device f is (for /dev/fd/N). */
long mem_reopen(struct file *f, int flags)
{
	struct file *nf = alloc_file(FT_CHR, flags & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	if (!nf)
		return -ENFILE;
	nf->handle = f->handle;
	int fd = fd_install_lowest(nf, 0, flags & O_CLOEXEC);
	if (fd < 0)
		fput(nf);
	return fd;
}

void mem_stat(struct file *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0666;
	st->st_nlink = 1;
	st->st_rdev = (MEM_MAJOR << 8) | f->handle;
	st->st_blksize = 4096;
}

const char *mem_name(struct file *f)
{
	for (unsigned i = 0; i < ARRAY_SIZE(mem_devs); i++)
		if (mem_devs[i].minor == f->handle)
			return mem_devs[i].path;
	return "/dev/null";
}
