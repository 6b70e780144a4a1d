/*
 * open.c - open, access, chdir, getcwd, truncate, sync (mirrors fs/open.c,
 * fs/d_path.c and fs/sync.c).  Path lookup itself happens in the host-call
 * device, which also enforces --root confinement: the kernel only ships
 * the string and the directory to resolve it from.
 */
#include "sched.h"
#include "fs.h"
#include "mm.h"


static long do_sys_open(int dirfd, const char __user *filename, int flags,
			unsigned int mode)
{
	long err = getname(0, filename);
	if (err < 0)
		return err;
	/* A few /proc files and /dev nodes are the kernel's own. */
	long fd;
	if (fd_link_open(hc_path[0], flags, &fd))
		return fd;
	fd = proc_open(hc_path[0], flags);
	if (fd == -ENOENT)
		fd = mem_open(hc_path[0], flags);
	if (fd == -ENOENT)
		fd = tty_open(hc_path[0], flags);
	if (fd != -ENOENT)
		return fd;
	long dh = dir_handle(dirfd, 0);
	if (dh < 0 && dh != LSTAR_HC_DIR_CWD)
		return dh;
	if (flags & O_CREAT)
		mode &= ~current_umask;
	long h = hostcall(LSTAR_HC_OPENAT, dh, hc_pa(hc_path[0]), flags, mode, 0, 0);
	if (h < 0)
		return h;
	if (h & LSTAR_HC_OPEN_FIFO)
		return fifo_open(h & ~LSTAR_HC_OPEN_FIFO, flags);
	struct file *f = alloc_file(FT_HOST, flags & ~(O_CREAT | O_EXCL | O_TRUNC |
						       O_NOCTTY | O_CLOEXEC));
	if (!f) {
		hostcall(LSTAR_HC_CLOSE, h, 0, 0, 0, 0, 0);
		return -ENFILE;
	}
	f->handle = h;
	/* An O_TRUNC open of a file some process maps cuts its pages too. */
	if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY)
		filemap_truncated(f);
	fd = fd_install_lowest(f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

SYSCALL_DEFINE3(open, const char __user *, filename, int, flags, unsigned int, mode)
{
	return do_sys_open(AT_FDCWD, filename, flags, mode);
}

/* creat: the oldest way to make a file, open with O_CREAT|O_WRONLY|O_TRUNC. */
SYSCALL_DEFINE2(creat, const char __user *, pathname, unsigned int, mode)
{
	return do_sys_open(AT_FDCWD, pathname, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

SYSCALL_DEFINE4(openat, int, dfd, const char __user *, filename, int, flags,
		unsigned int, mode)
{
	return do_sys_open(dfd, filename, flags, mode);
}

static long do_faccessat(int dfd, const char __user *filename, int mode, int flags)
{
	long err = getname(0, filename);
	if (err < 0)
		return err;
	/* /dev/fd/N: the open file's own permissions decide (fd.c, stat.c). */
	int lfd = fd_link_number(hc_path[0]);
	if (lfd >= 0)
		return fd_link_access(lfd, mode);
	long dh = dir_handle(dfd, 0);
	if (dh < 0 && dh != LSTAR_HC_DIR_CWD)
		return dh;
	return hostcall(LSTAR_HC_FACCESSAT, dh, hc_pa(hc_path[0]), mode, flags, 0, 0);
}

SYSCALL_DEFINE2(access, const char __user *, filename, int, mode)
{
	return do_faccessat(AT_FDCWD, filename, mode, 0);
}

SYSCALL_DEFINE3(faccessat, int, dfd, const char __user *, filename, int, mode)
{
	return do_faccessat(dfd, filename, mode, 0);
}

SYSCALL_DEFINE4(faccessat2, int, dfd, const char __user *, filename, int, mode,
		int, flags)
{
	return do_faccessat(dfd, filename, mode, flags);
}

SYSCALL_DEFINE1(chdir, const char __user *, filename)
{
	long err = getname(0, filename);
	if (err < 0)
		return err;
	err = hostcall(LSTAR_HC_CHDIR, hc_pa(hc_path[0]), 0, 0, 0, 0, 0);
	if (err == 0)
		fs_set_cwd();	/* this process's directory (fork.c) */
	return err;
}

SYSCALL_DEFINE1(fchdir, int, fd)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	if (f->type != FT_HOST)
		return -ENOTDIR;
	long err = hostcall(LSTAR_HC_FCHDIR, f->handle, 0, 0, 0, 0, 0);
	if (err == 0)
		fs_set_cwd();
	return err;
}

SYSCALL_DEFINE2(getcwd, char __user *, buf, unsigned long, size)
{
	long len = hostcall(LSTAR_HC_GETCWD, hc_pa(hc_path[0]), PATH_MAX, 0, 0, 0, 0);
	if (len < 0)
		return len;
	if ((unsigned long)len > size)
		return -ERANGE;
	if (copy_to_user(buf, hc_path[0], len))
		return -EFAULT;
	return len;		/* the length including the NUL, as Linux */
}

SYSCALL_DEFINE2(ftruncate, int, fd, long, length)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	if (f->type != FT_HOST)
		return -EINVAL;
	if (length < 0)
		return -EINVAL;
	long r = hostcall(LSTAR_HC_FTRUNCATE, f->handle, length, 0, 0, 0, 0);
	if (r == 0)
		filemap_truncated(f);
	return r;
}

/* Host writes are synchronous already; what the kernel holds is what was
 * written through shared mappings of the file (filemap.c). */
SYSCALL_DEFINE1(fsync, int, fd)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	return filemap_fsync(f) ? -EIO : 0;
}

SYSCALL_DEFINE1(umask, int, mask)
{
	unsigned int old = current_umask;
	current_umask = mask & 0777;
	return old;
}

/* truncate: ftruncate on a file named by path, opened for the occasion
 * (the host checks write permission and refuses a directory: EISDIR). */
SYSCALL_DEFINE2(truncate, const char __user *, path, long, length)
{
	if (length < 0)
		return -EINVAL;
	long err = getname(0, path);
	if (err < 0)
		return err;
	long h = hostcall(LSTAR_HC_OPENAT, LSTAR_HC_DIR_CWD, hc_pa(hc_path[0]), O_WRONLY, 0, 0, 0);
	if (h < 0)
		return h;
	long r = hostcall(LSTAR_HC_FTRUNCATE, h, length, 0, 0, 0, 0);
	if (r == 0) {
		struct file tmp = { .f_count = 1, .type = FT_HOST, .handle = (int)h };
		filemap_truncated(&tmp);	/* the page cache follows, as for ftruncate */
	}
	hostcall(LSTAR_HC_CLOSE, h, 0, 0, 0, 0, 0);
	return r;
}

/*
 * fallocate (fs/open.c vfs_fallocate): mode 0 makes sure [offset, offset
 * + len) belongs to the file, growing it when it ends before; the host
 * file system allocates on write (its blocks are not reserved ahead).
 * FALLOC_FL_KEEP_SIZE alone changes nothing visible.  Punching holes and
 * the other modes are not supported (EOPNOTSUPP, as on a file system
 * without them).
 */
#define FALLOC_FL_KEEP_SIZE	1

SYSCALL_DEFINE4(fallocate, int, fd, int, mode, long, offset, long, len)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	if (offset < 0 || len <= 0)
		return -EINVAL;
	if ((f->f_flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (f->type == FT_PIPE)
		return -ESPIPE;
	if (f->type != FT_HOST)
		return -ENODEV;
	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	if (offset + len < offset)
		return -EFBIG;
	if (mode & FALLOC_FL_KEEP_SIZE)
		return 0;
	static struct stat kst;
	long r = hostcall(LSTAR_HC_FSTAT, f->handle, hc_pa(&kst), 0, 0, 0, 0);
	if (r < 0)
		return r;
	if ((kst.st_mode & S_IFMT) == S_IFDIR)
		return -EISDIR;
	if ((kst.st_mode & S_IFMT) != S_IFREG)
		return -ENODEV;
	if (kst.st_size >= offset + len)
		return 0;
	r = hostcall(LSTAR_HC_FTRUNCATE, f->handle, offset + len, 0, 0, 0, 0);
	if (r == 0)
		filemap_truncated(f);
	return r;
}

/* sync_file_range: the host's writes are synchronous already; what the
 * kernel holds of the file is what shared mappings wrote (filemap.c). */
SYSCALL_DEFINE4(sync_file_range, int, fd, long, offset, long, nbytes, unsigned int, flags)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	if (flags & ~7u || offset < 0 || nbytes < 0 || offset + nbytes < offset)
		return -EINVAL;
	if (f->type == FT_PIPE)
		return -ESPIPE;
	return filemap_fsync(f) ? -EIO : 0;
}
