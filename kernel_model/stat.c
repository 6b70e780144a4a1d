/*
 * stat.c - stat, fstat, lstat, newfstatat, statx, readlink (mirrors
 * fs/stat.c).  The device fills the x86-64 struct stat; statx is derived
 * from it, as Linux derives the old calls from statx.
 */
#include "sched.h"
#include "fs.h"
#include "mm.h"

static struct stat kstat;

/* The magic link a program uses to find itself.  The answer is the path
 * the program was started with. */
static bool is_proc_self_exe(const char *p)
{
	return !strcmp(p, "/proc/self/exe");
}

static long vfs_fstat(int fd)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	if (f->type == FT_CHR) {
		mem_stat(f, &kstat);
		return 0;
	}
	if (f->type != FT_HOST && f->type != FT_SOCK) {
		/* Pipes are FIFOs; /proc files are empty-looking regular
		 * files, as on Linux (their size is only known by reading). */
		memset(&kstat, 0, sizeof(kstat));
		kstat.st_mode = f->type == FT_PIPE ? S_IFIFO | 0600
			      : f->proc_dir ? S_IFDIR | 0500 : S_IFREG | 0444;
		kstat.st_nlink = 1;
		kstat.st_blksize = 4096;
		kstat.st_uid = boot_info.uid;
		kstat.st_gid = boot_info.gid;
		/* Each pipe its own inode (diff compares two /dev/fd/N by
		 * device and inode), on a device of its own as pipefs is;
		 * a FIFO is the host's inode. */
		if (f->type == FT_PIPE)
			pipe_stat(f, &kstat);
		return 0;
	}
	return hostcall(LSTAR_HC_FSTAT, f->handle, hc_pa(&kstat), 0, 0, 0, 0);
}

static long vfs_fstatat(int dfd, const char __user *filename, int flags)
{
	if ((flags & AT_EMPTY_PATH) && filename) {
		char c;
		if (copy_from_user(&c, filename, 1) == 0 && c == 0) {
			struct file *f = fget(dfd);
			if (!f && dfd != AT_FDCWD)
				return -EBADF;
			if (f)
				return vfs_fstat(dfd);
		}
	}
	long err = getname(0, filename);
	if (err < 0)
		return err;
	/* /dev/fd/N and friends name the guest's descriptors (fd.c): stat
	 * follows the link to the open file; lstat sees the link itself. */
	int lfd = fd_link_number(hc_path[0]);
	if (lfd >= 0) {
		struct file *f = fget(lfd);
		if (!f)
			return -ENOENT;
		if (!(flags & AT_SYMLINK_NOFOLLOW))
			return vfs_fstat(lfd);
		memset(&kstat, 0, sizeof(kstat));
		unsigned int acc = f->f_flags & O_ACCMODE;
		kstat.st_mode = S_IFLNK | (strncmp(hc_path[0], "/dev/", 5) ? 
			(acc == O_RDONLY ? 0500 : acc == O_WRONLY ? 0300 : 0700) : 0777);
		kstat.st_nlink = 1;
		kstat.st_uid = boot_info.uid;
		kstat.st_gid = boot_info.gid;
		kstat.st_blksize = 1024;
		kstat.st_size = 64;	/* what Linux shows for these links */
		/* made when looked at, as /proc's inodes are */
		u64 now = timekeeping_real_ns();
		kstat.st_atime = kstat.st_mtime = kstat.st_ctime = now / 1000000000;
		kstat.st_atime_nsec = kstat.st_mtime_nsec = kstat.st_ctime_nsec = now % 1000000000;
		return 0;
	}
	long dh = dir_handle(dfd, 0);
	if (dh < 0 && dh != LSTAR_HC_DIR_CWD)
		return dh;
	return hostcall(LSTAR_HC_FSTATAT, dh, hc_pa(hc_path[0]), hc_pa(&kstat),
			flags & AT_SYMLINK_NOFOLLOW, 0, 0);
}

/* access() of /dev/fd/N: ENOENT if not open, else the permission bits of
 * what it holds, as Linux checks the link's target (root may read and
 * write anything, and execute what has an x bit). */
long fd_link_access(int fd, int mode)
{
	if (!fget(fd))
		return -ENOENT;
	long err = vfs_fstat(fd);
	if (err < 0)
		return err;
	unsigned int m = kstat.st_mode;
	if (boot_info.uid == 0)
		return (mode & 1) && !(m & 0111) ? -EACCES : 0;
	unsigned int bits = kstat.st_uid == boot_info.uid ? (m >> 6) & 7 : m & 7;
	return (mode & 7 & ~bits) ? -EACCES : 0;
}

static long stat_out(long err, struct stat __user *statbuf)
{
	if (err < 0)
		return err;
	return copy_to_user(statbuf, &kstat, sizeof(kstat)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(newstat, const char __user *, filename, struct stat __user *, statbuf)
{
	return stat_out(vfs_fstatat(AT_FDCWD, filename, 0), statbuf);
}

SYSCALL_DEFINE2(newlstat, const char __user *, filename, struct stat __user *, statbuf)
{
	return stat_out(vfs_fstatat(AT_FDCWD, filename, AT_SYMLINK_NOFOLLOW), statbuf);
}

SYSCALL_DEFINE2(newfstat, int, fd, struct stat __user *, statbuf)
{
	return stat_out(vfs_fstat(fd), statbuf);
}

SYSCALL_DEFINE4(newfstatat, int, dfd, const char __user *, filename,
		struct stat __user *, statbuf, int, flag)
{
	return stat_out(vfs_fstatat(dfd, filename, flag), statbuf);
}

static struct statx_timestamp ts(u64 sec, u64 nsec)
{
	return (struct statx_timestamp){ (int64_t)sec, (u32)nsec, 0 };
}

SYSCALL_DEFINE5(statx, int, dfd, const char __user *, filename, unsigned, flags,
		unsigned int, mask, struct statx __user *, buffer)
{
	static struct statx kx;
	(void)mask;
	long err = vfs_fstatat(dfd, filename, flags);
	if (err < 0)
		return err;
	memset(&kx, 0, sizeof(kx));
	kx.stx_mask = STATX_BASIC_STATS;
	kx.stx_blksize = kstat.st_blksize;
	kx.stx_nlink = kstat.st_nlink;
	kx.stx_uid = kstat.st_uid;
	kx.stx_gid = kstat.st_gid;
	kx.stx_mode = kstat.st_mode;
	kx.stx_ino = kstat.st_ino;
	kx.stx_size = kstat.st_size;
	kx.stx_blocks = kstat.st_blocks;
	kx.stx_atime = ts(kstat.st_atime, kstat.st_atime_nsec);
	kx.stx_mtime = ts(kstat.st_mtime, kstat.st_mtime_nsec);
	kx.stx_ctime = ts(kstat.st_ctime, kstat.st_ctime_nsec);
	/* Linux's new_encode_dev split: major 12 bits, minor 20 bits. */
	kx.stx_rdev_major = (kstat.st_rdev >> 8) & 0xfff;
	kx.stx_rdev_minor = (kstat.st_rdev & 0xff) | ((kstat.st_rdev >> 12) & 0xfff00);
	kx.stx_dev_major = (kstat.st_dev >> 8) & 0xfff;
	kx.stx_dev_minor = (kstat.st_dev & 0xff) | ((kstat.st_dev >> 12) & 0xfff00);
	return copy_to_user(buffer, &kx, sizeof(kx)) ? -EFAULT : 0;
}

static long do_readlinkat(int dfd, const char __user *path, char __user *buf, int bufsiz)
{
	if (bufsiz <= 0)
		return -EINVAL;
	long err = getname(0, path);
	if (err < 0)
		return err;
	long r;
	if (fd_link_readlink(hc_path[0], hc_path[1], &r)) {
		if (r < 0)
			return r;
		r = MIN(r, (long)bufsiz);
		return copy_to_user(buf, hc_path[1], r) ? -EFAULT : r;
	}
	if (is_proc_self_exe(hc_path[0]) && init_mm.exe_path) {
		const char *exe = init_mm.exe_path;
		long n = MIN((long)strlen(exe), (long)bufsiz);
		return copy_to_user(buf, exe, n) ? -EFAULT : n;
	}
	long dh = dir_handle(dfd, 0);
	if (dh < 0 && dh != LSTAR_HC_DIR_CWD)
		return dh;
	long n = hostcall(LSTAR_HC_READLINKAT, dh, hc_pa(hc_path[0]), hc_pa(hc_bounce),
			  MIN(bufsiz, HC_BOUNCE_SIZE), 0, 0);
	if (n < 0)
		return n;
	return copy_to_user(buf, hc_bounce, n) ? -EFAULT : n;
}

SYSCALL_DEFINE3(readlink, const char __user *, path, char __user *, buf, int, bufsiz)
{
	return do_readlinkat(AT_FDCWD, path, buf, bufsiz);
}

SYSCALL_DEFINE4(readlinkat, int, dfd, const char __user *, path, char __user *, buf,
		int, bufsiz)
{
	return do_readlinkat(dfd, path, buf, bufsiz);
}
