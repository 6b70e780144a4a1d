/*
 * statfs.c - statfs, fstatfs, sync and syncfs (mirrors fs/statfs.c and
 * fs/sync.c).  A file of the host answers with its host file system, through
 * the host-call device; a pipe and the kernel's own files answer as Linux's
 * pipefs and procfs would.  Writes reach the host at once, so there is
 * nothing for sync to do.
 */
#include "sched.h"
#include "fs.h"
#include "mm.h"

/* The x86-64 Linux struct statfs (what the host-call device fills in). */
struct statfs {
	long f_type, f_bsize;
	unsigned long f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int f_fsid[2];
	long f_namelen, f_frsize, f_flags, f_spare[4];
};
_Static_assert(sizeof(struct statfs) == 120, "x86-64 struct statfs");

#define PIPEFS_MAGIC	0x50495045
#define PROC_SUPER_MAGIC 0x9fa0
#define TMPFS_MAGIC	0x01021994	/* what /dev's character devices live on */

static struct statfs kstatfs;		/* the device writes here (.bss: hc_pa) */

static long statfs_out(long err, struct statfs __user *buf)
{
	if (err < 0)
		return err;
	return copy_to_user(buf, &kstatfs, sizeof(kstatfs)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(statfs, const char __user *, pathname, struct statfs __user *, buf)
{
	long err = getname(0, pathname);
	if (err < 0)
		return err;
	return statfs_out(hostcall(LSTAR_HC_STATFS, LSTAR_HC_DIR_CWD, hc_pa(hc_path[0]), hc_pa(&kstatfs),
				   0, 0, 0), buf);
}

SYSCALL_DEFINE2(fstatfs, unsigned int, fd, struct statfs __user *, buf)
{
	struct file *f = fget((int)fd);
	if (!f)
		return -EBADF;
	if (f->type == FT_HOST)
		return statfs_out(hostcall(LSTAR_HC_STATFS, f->handle, 0, hc_pa(&kstatfs), 0, 0, 0), buf);
	memset(&kstatfs, 0, sizeof(kstatfs));
	kstatfs.f_type = f->type == FT_PIPE ? PIPEFS_MAGIC
		       : f->type == FT_PROC ? PROC_SUPER_MAGIC : TMPFS_MAGIC;
	kstatfs.f_bsize = kstatfs.f_frsize = PAGE_SIZE;
	kstatfs.f_namelen = 255;
	return statfs_out(0, buf);
}

SYSCALL_DEFINE0(sync)
{
	return 0;
}

SYSCALL_DEFINE1(syncfs, int, fd)
{
	return fget(fd) ? 0 : -EBADF;
}
