/*
 * attr.c - file attributes: chmod, chown and their f/at forms, utimensat
 * (mirrors the chmod/chown parts of fs/open.c and fs/utimes.c).  Each call
 * names a file by path (relative to a directory) or by descriptor; the
 * host-call device applies the change to the confined host file.
 */
#include "sched.h"
#include "fs.h"
#include "mm.h"

/* The (dir handle, path) pair for a call on `dfd` + `filename`, where a
 * NULL or empty filename with AT_EMPTY_PATH means the descriptor itself. */
static long target(int dfd, const char __user *filename, bool empty_ok, u64 *path_pa)
{
	if (filename) {
		long err = getname(0, filename);
		if (err >= 0) {
			*path_pa = hc_pa(hc_path[0]);
			long dh = dir_handle(dfd, 0);
			return dh;
		}
		if (err != -ENOENT || !empty_ok)
			return err;
	} else if (!empty_ok) {
		return -EFAULT;
	}
	struct file *f = fget(dfd);
	if (!f)
		return -EBADF;
	if (f->type != FT_HOST)
		return -EINVAL;		/* a pipe has no host file */
	*path_pa = 0;
	return f->handle;
}

static bool bad(long dh)
{
	return dh < 0 && dh != LSTAR_HC_DIR_CWD;
}

SYSCALL_DEFINE3(fchmodat, int, dfd, const char __user *, filename, unsigned int, mode)
{
	u64 pa;
	long dh = target(dfd, filename, false, &pa);
	if (bad(dh))
		return dh;
	return hostcall(LSTAR_HC_FCHMODAT, dh, pa, mode & 07777, 0, 0, 0);
}

SYSCALL_DEFINE2(chmod, const char __user *, filename, unsigned int, mode)
{
	u64 pa;
	long dh = target(AT_FDCWD, filename, false, &pa);
	if (bad(dh))
		return dh;
	return hostcall(LSTAR_HC_FCHMODAT, dh, pa, mode & 07777, 0, 0, 0);
}

SYSCALL_DEFINE2(fchmod, int, fd, unsigned int, mode)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	if (f->type != FT_HOST)
		return 0;		/* a pipe's mode is not kept */
	return hostcall(LSTAR_HC_FCHMOD, f->handle, mode & 07777, 0, 0, 0, 0);
}

static long do_fchownat(int dfd, const char __user *filename, unsigned int user,
			unsigned int group, int flags)
{
	u64 pa;
	long dh = target(dfd, filename, flags & AT_EMPTY_PATH, &pa);
	if (bad(dh))
		return dh;
	return hostcall(LSTAR_HC_FCHOWNAT, dh, pa, user, group, flags & AT_SYMLINK_NOFOLLOW, 0);
}

SYSCALL_DEFINE5(fchownat, int, dfd, const char __user *, filename, unsigned int, user,
		unsigned int, group, int, flag)
{
	return do_fchownat(dfd, filename, user, group, flag);
}

SYSCALL_DEFINE3(chown, const char __user *, filename, unsigned int, user,
		unsigned int, group)
{
	return do_fchownat(AT_FDCWD, filename, user, group, 0);
}

SYSCALL_DEFINE3(lchown, const char __user *, filename, unsigned int, user,
		unsigned int, group)
{
	return do_fchownat(AT_FDCWD, filename, user, group, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE3(fchown, int, fd, unsigned int, user, unsigned int, group)
{
	return do_fchownat(fd, NULL, user, group, AT_EMPTY_PATH);
}

/* utimensat(dfd, NULL, times, 0) is futimens(dfd, times): glibc and musl
 * both use that form, so a NULL path is the descriptor itself. */
static struct timespec utimes_t[2];	/* the times, where the device reads them */

/* kt: the two times in kernel memory (utimes_t), or NULL for now. */
static long do_utimes(int dfd, const char __user *filename, const struct timespec *kt,
		      int flags)
{
	u64 pa;
	long dh = target(dfd, filename, !filename || (flags & AT_EMPTY_PATH), &pa);
	if (bad(dh))
		return dh;
	return hostcall(LSTAR_HC_UTIMENSAT, dh, pa, kt ? hc_pa(kt) : 0,
			flags & AT_SYMLINK_NOFOLLOW, 0, 0);
}

SYSCALL_DEFINE4(utimensat, int, dfd, const char __user *, filename,
		struct timespec __user *, utimes, int, flags)
{
	if (utimes && copy_from_user(utimes_t, utimes, sizeof(utimes_t)))
		return -EFAULT;
	return do_utimes(dfd, filename, utimes ? utimes_t : NULL, flags);
}

/* The older forms (fs/utimes.c): microseconds, and seconds only. */
struct timeval_k { long tv_sec, tv_usec; };

SYSCALL_DEFINE3(futimesat, int, dfd, const char __user *, filename,
		struct timeval_k __user *, utimes)
{
	struct timeval_k tv[2];
	if (!utimes)
		return do_utimes(dfd, filename, NULL, 0);
	if (copy_from_user(tv, utimes, sizeof(tv)))
		return -EFAULT;
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
			return -EINVAL;
		utimes_t[i].tv_sec = tv[i].tv_sec;
		utimes_t[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	return do_utimes(dfd, filename, utimes_t, 0);
}

SYSCALL_DEFINE2(utimes, const char __user *, filename, struct timeval_k __user *, utimes)
{
	return __do_sys_futimesat(AT_FDCWD, filename, utimes);
}

struct utimbuf_k { long actime, modtime; };

SYSCALL_DEFINE2(utime, const char __user *, filename, struct utimbuf_k __user *, times)
{
	struct utimbuf_k u;
	if (!times)
		return do_utimes(AT_FDCWD, filename, NULL, 0);
	if (copy_from_user(&u, times, sizeof(u)))
		return -EFAULT;
	utimes_t[0] = (struct timespec){ u.actime, 0 };
	utimes_t[1] = (struct timespec){ u.modtime, 0 };
	return do_utimes(AT_FDCWD, filename, utimes_t, 0);
}
