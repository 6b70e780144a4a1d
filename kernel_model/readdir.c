/*
 * readdir.c - getdents64 (mirrors fs/readdir.c).  The device produces
 * struct linux_dirent64 records directly, so the kernel only copies them.
 */
#include "sched.h"
#include "fs.h"
#include "mm.h"

SYSCALL_DEFINE3(getdents64, int, fd, void __user *, dirent, unsigned int, count)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	if (f->type != FT_HOST)
		return -ENOTDIR;
	if (fault_in_user((u64)dirent, count, true))
		return -EFAULT;
	long n = hostcall(LSTAR_HC_GETDENTS64, f->handle, hc_pa(hc_bounce),
			  MIN(count, (unsigned int)HC_BOUNCE_SIZE), 0, 0, 0);
	if (n > 0)
		memcpy(dirent, hc_bounce, n);
	return n;
}
