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
	if (f->type == FT_PROC && f->proc_dir) {
		/* /proc/self/fd: the table as it is now, whole records from
		 * the offset on (the offset is a byte position in the list) */
		u64 len = fd_dir_entries((char *)hc_bounce, HC_BOUNCE_SIZE);
		u64 pos = f->proc_pos, out = 0;
		while (pos < len) {
			u16 reclen = *(u16 *)((char *)hc_bounce + pos + 16);
			if (out + reclen > count)
				break;
			out += reclen;
			pos += reclen;
		}
		if (!out && pos < len)
			return -EINVAL;		/* the buffer holds not even one */
		if (out && copy_to_user(dirent, (char *)hc_bounce + f->proc_pos, out))
			return -EFAULT;
		f->proc_pos = pos;
		return out;
	}
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
