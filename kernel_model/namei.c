/*
 * namei.c - mkdir, rmdir, unlink, rename and their *at forms (mirrors
 * fs/namei.c).  Each call copies the path(s) into hc_path and names the
 * directory to resolve them from; the device does the lookup.
 */
#include "sched.h"
#include "fs.h"

static long path_at(int dfd, const char __user *name, int slot)
{
	long err = getname(slot, name);
	if (err < 0)
		return err;
	long dh = dir_handle(dfd, slot);
	if (dh < 0 && dh != LSTAR_HC_DIR_CWD)
		return dh;
	return dh;
}

static bool path_err(long dh)
{
	return dh < 0 && dh != LSTAR_HC_DIR_CWD;
}

static long do_mkdirat(int dfd, const char __user *pathname, unsigned int mode)
{
	long dh = path_at(dfd, pathname, 0);
	if (path_err(dh))
		return dh;
	return hostcall(LSTAR_HC_MKDIRAT, dh, hc_pa(hc_path[0]), mode & ~current_umask & 07777,
			0, 0, 0);
}

/* mknod: FIFOs (mkfifo), sockets and regular files are made on the host;
 * device nodes are EPERM (the device refuses them: they would be the
 * host's devices), as for a process without CAP_MKNOD. */
static long do_mknodat(int dfd, const char __user *pathname, unsigned int mode,
		       unsigned int dev)
{
	(void)dev;	/* no device nodes: see above */
	switch (mode & S_IFMT) {
	case 0:
		mode |= S_IFREG;
		break;
	case S_IFREG: case S_IFIFO: case S_IFSOCK: case S_IFCHR: case S_IFBLK:
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	long dh = path_at(dfd, pathname, 0);
	if (path_err(dh))
		return dh;
	return hostcall(LSTAR_HC_MKNODAT, dh, hc_pa(hc_path[0]),
			(mode & S_IFMT) | (mode & ~current_umask & 07777), 0, 0, 0);
}

SYSCALL_DEFINE4(mknodat, int, dfd, const char __user *, pathname, unsigned int, mode,
		unsigned int, dev)
{
	return do_mknodat(dfd, pathname, mode, dev);
}

SYSCALL_DEFINE3(mknod, const char __user *, pathname, unsigned int, mode, unsigned int, dev)
{
	return do_mknodat(AT_FDCWD, pathname, mode, dev);
}

SYSCALL_DEFINE2(mkdir, const char __user *, pathname, unsigned int, mode)
{
	return do_mkdirat(AT_FDCWD, pathname, mode);
}

SYSCALL_DEFINE3(mkdirat, int, dfd, const char __user *, pathname, unsigned int, mode)
{
	return do_mkdirat(dfd, pathname, mode);
}

static long do_unlinkat(int dfd, const char __user *pathname, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	long dh = path_at(dfd, pathname, 0);
	if (path_err(dh))
		return dh;
	return hostcall(LSTAR_HC_UNLINKAT, dh, hc_pa(hc_path[0]), flags, 0, 0, 0);
}

SYSCALL_DEFINE1(rmdir, const char __user *, pathname)
{
	return do_unlinkat(AT_FDCWD, pathname, AT_REMOVEDIR);
}

SYSCALL_DEFINE1(unlink, const char __user *, pathname)
{
	return do_unlinkat(AT_FDCWD, pathname, 0);
}

SYSCALL_DEFINE3(unlinkat, int, dfd, const char __user *, pathname, int, flag)
{
	return do_unlinkat(dfd, pathname, flag);
}

static long do_renameat2(int olddfd, const char __user *oldname, int newdfd,
			 const char __user *newname, unsigned int flags)
{
	if (flags)
		return -EINVAL;		/* RENAME_NOREPLACE etc. not offered */
	long odh = path_at(olddfd, oldname, 0);
	if (path_err(odh))
		return odh;
	long ndh = path_at(newdfd, newname, 1);
	if (path_err(ndh))
		return ndh;
	return hostcall(LSTAR_HC_RENAMEAT, odh, hc_pa(hc_path[0]), ndh, hc_pa(hc_path[1]), 0, 0);
}

SYSCALL_DEFINE2(rename, const char __user *, oldname, const char __user *, newname)
{
	return do_renameat2(AT_FDCWD, oldname, AT_FDCWD, newname, 0);
}

SYSCALL_DEFINE4(renameat, int, olddfd, const char __user *, oldname, int, newdfd,
		const char __user *, newname)
{
	return do_renameat2(olddfd, oldname, newdfd, newname, 0);
}

SYSCALL_DEFINE5(renameat2, int, olddfd, const char __user *, oldname, int, newdfd,
		const char __user *, newname, unsigned int, flags)
{
	return do_renameat2(olddfd, oldname, newdfd, newname, flags);
}

static long do_symlinkat(const char __user *oldname, int newdfd, const char __user *newname)
{
	long err = getname(1, oldname);		/* the target: any string */
	if (err < 0)
		return err;
	long dh = path_at(newdfd, newname, 0);
	if (path_err(dh))
		return dh;
	return hostcall(LSTAR_HC_SYMLINKAT, hc_pa(hc_path[1]), dh, hc_pa(hc_path[0]), 0, 0, 0);
}

SYSCALL_DEFINE2(symlink, const char __user *, oldname, const char __user *, newname)
{
	return do_symlinkat(oldname, AT_FDCWD, newname);
}

SYSCALL_DEFINE3(symlinkat, const char __user *, oldname, int, newdfd,
		const char __user *, newname)
{
	return do_symlinkat(oldname, newdfd, newname);
}

#define AT_SYMLINK_FOLLOW 0x400

static long do_linkat(int olddfd, const char __user *oldname, int newdfd,
		      const char __user *newname, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	long odh = path_at(olddfd, oldname, 0);
	if (path_err(odh))
		return odh;
	long ndh = path_at(newdfd, newname, 1);
	if (path_err(ndh))
		return ndh;
	return hostcall(LSTAR_HC_LINKAT, odh, hc_pa(hc_path[0]), ndh, hc_pa(hc_path[1]),
			flags, 0);
}

SYSCALL_DEFINE2(link, const char __user *, oldname, const char __user *, newname)
{
	return do_linkat(AT_FDCWD, oldname, AT_FDCWD, newname, 0);
}

SYSCALL_DEFINE5(linkat, int, olddfd, const char __user *, oldname, int, newdfd,
		const char __user *, newname, int, flags)
{
	return do_linkat(olddfd, oldname, newdfd, newname, flags);
}
