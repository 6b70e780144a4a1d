/*
 * read_write.c - read, write, their vector and positional forms, lseek
 * (mirrors fs/read_write.c).
 *
 * Host files move through hc_bounce in chunks: copy from the user, hand the
 * chunk to the device, and stop at the first short transfer, which is what
 * a terminal or pipe on the host side produces when it has no more for now.
 */
#include "sched.h"
#include "fs.h"
#include "mm.h"

#define NO_POS (~0UL)

/*
 * A read of lstar's standard input or terminal may wait for the host (a
 * person typing, a slow pipe).  The device waits synchronously, with the
 * whole machine, so while other tasks can run the kernel only asks whether
 * there is data (LSTAR_HC_POLL, no waiting) and otherwise sleeps 10 ms and asks
 * again; when nothing else can run, the host waits, up to the guest's
 * next timer.  0 when data (or end of file) is there, or -ERESTARTSYS.
 */
static long wait_host_readable(struct file *f)
{
	static struct lstar_hc_pollfd h;
	static DECLARE_WAIT_QUEUE_HEAD(host_read_wait);
	for (;;) {
		h = (struct lstar_hc_pollfd){ f->handle, POLLIN, 0 };
		long ms = poll_host_wait_ms(0);
		long r = hostcall(LSTAR_HC_POLL, hc_pa(&h), 1, ms, 0, 0, 0);
		if (r != 0)
			return 0;	/* ready, hung up, or an error the read will report */
		if (ms < 0)
			continue;
		r = sleep_on_wq(&host_read_wait, "tty_read", now_ns() + 10000000ULL, true);
		if (r == -ERESTARTSYS)
			return r;
	}
}

static long host_read(struct file *f, char __user *buf, u64 n, u64 pos)
{
	u64 done = 0;
	if (f->host_stream && pos == NO_POS && !(f->f_flags & O_NONBLOCK) && n) {
		long err = wait_host_readable(f);
		if (err)
			return err;
	}
	while (done < n) {
		u64 chunk = MIN(n - done, (u64)HC_BOUNCE_SIZE);
		long r = pos == NO_POS
			? hostcall(LSTAR_HC_READ, f->handle, hc_pa(hc_bounce), chunk, 0, 0, 0)
			: hostcall(LSTAR_HC_PREAD, f->handle, hc_pa(hc_bounce), chunk,
				   pos + done, 0, 0);
		if (r < 0)
			return done ? (long)done : r;
		if (r > 0)
			filemap_read_overlay(f, pos == NO_POS ? FILEMAP_CUR : pos + done,
					     hc_bounce, r);
		/* As on Linux, the destination is only touched when there is
		 * data: a read at end of file succeeds even into a bad buffer,
		 * and data read into a bad buffer is lost (-EFAULT). */
		if (r > 0 && copy_to_user(buf + done, hc_bounce, r))
			return done ? (long)done : -EFAULT;
		done += r;
		if ((u64)r < chunk)
			break;
	}
	return done;
}

static long host_write(struct file *f, const char __user *buf, u64 n, u64 pos)
{
	u64 done = 0;
	while (done < n) {
		u64 chunk = MIN(n - done, (u64)HC_BOUNCE_SIZE);
		if (copy_from_user(hc_bounce, buf + done, chunk))
			return done ? (long)done : -EFAULT;
		long r = pos == NO_POS
			? hostcall(LSTAR_HC_WRITE, f->handle, hc_pa(hc_bounce), chunk, 0, 0, 0)
			: hostcall(LSTAR_HC_PWRITE, f->handle, hc_pa(hc_bounce), chunk,
				   pos + done, 0, 0);
		if (r < 0)
			return done ? (long)done : r;
		if (r > 0)
			filemap_file_written(f, pos == NO_POS ? FILEMAP_CUR : pos + done,
					     hc_bounce, r);
		done += r;
		if ((u64)r < chunk)
			break;
	}
	return done;
}

static long vfs_read(struct file *f, char __user *buf, u64 n, u64 pos)
{
	if ((f->f_flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (f->type == FT_PIPE)
		return pos == NO_POS ? pipe_read(f, buf, n) : -ESPIPE;
	if (f->type == FT_CHR)
		return mem_read(f, buf, n);
	if (f->type == FT_EVENTFD)
		return pos == NO_POS ? eventfd_read(f, buf, n) : -ESPIPE;
	if (f->type == FT_EPOLL)
		return -EINVAL;
	if (f->type == FT_SOCK)
		return pos == NO_POS ? sock_read(f, buf, n) : -ESPIPE;
	if (f->type == FT_PROC) {
		if (pos == NO_POS)
			return proc_read(f, buf, n);
		u64 save = f->proc_pos;
		f->proc_pos = pos;
		long r = proc_read(f, buf, n);
		f->proc_pos = save;
		return r;
	}
	return host_read(f, buf, n, pos);
}

static long vfs_write(struct file *f, const char __user *buf, u64 n, u64 pos)
{
	if ((f->f_flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (f->type == FT_PIPE)
		return pos == NO_POS ? pipe_write(f, buf, n) : -ESPIPE;
	if (f->type == FT_PROC)
		return -EBADF;
	if (f->type == FT_CHR)
		return mem_write(f, buf, n);
	if (f->type == FT_EVENTFD)
		return pos == NO_POS ? eventfd_write(f, buf, n) : -ESPIPE;
	if (f->type == FT_EPOLL)
		return -EINVAL;
	if (f->type == FT_SOCK)
		return pos == NO_POS ? sock_write(f, buf, n) : -ESPIPE;
	return host_write(f, buf, n, pos);
}

/* For file-backed mmap: read into kernel memory. */
long kernel_pread(struct file *f, void *kbuf, u64 n, u64 off)
{
	if (f->type != FT_HOST)
		return -ENODEV;
	n = MIN(n, (u64)HC_BOUNCE_SIZE);
	long r = hostcall(LSTAR_HC_PREAD, f->handle, hc_pa(hc_bounce), n, off, 0, 0);
	if (r > 0)
		memcpy(kbuf, hc_bounce, r);
	return r;
}

SYSCALL_DEFINE3(read, int, fd, char __user *, buf, unsigned long, count)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	return vfs_read(f, buf, count, NO_POS);
}

/* The seed program's call: write(1, "hello\n", 6) ends up here. */
SYSCALL_DEFINE3(write, int, fd, const char __user *, buf, unsigned long, count)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	return vfs_write(f, buf, count, NO_POS);
}

SYSCALL_DEFINE4(pread64, int, fd, char __user *, buf, unsigned long, count, long, pos)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	if (pos < 0)
		return -EINVAL;
	return vfs_read(f, buf, count, pos);
}

SYSCALL_DEFINE4(pwrite64, int, fd, const char __user *, buf, unsigned long, count,
		long, pos)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	if (pos < 0)
		return -EINVAL;
	return vfs_write(f, buf, count, pos);
}

#define UIO_MAXIOV 1024

/* The vector forms; pos NO_POS: at (and moving) the file's offset. */
static long do_iov(int fd, const struct iovec __user *uvec, unsigned long vlen,
		   bool write, u64 pos)
{
	struct file *f = fget(fd);
	struct iovec iov;
	long total = 0;

	if (!f)
		return -EBADF;
	if (vlen > UIO_MAXIOV)
		return -EINVAL;
	if (pos != NO_POS && (f->type == FT_PIPE || f->type == FT_EVENTFD))
		return -ESPIPE;
	if (f->type == FT_SOCK)		/* one message, not one per entry */
		return sock_rw_iter(f, uvec, vlen, write);
	for (unsigned long i = 0; i < vlen; i++) {
		if (copy_from_user(&iov, &uvec[i], sizeof(iov)))
			return total ? total : -EFAULT;
		if (!iov.iov_len)
			continue;
		u64 at = pos == NO_POS ? NO_POS : pos + total;
		long r = write ? vfs_write(f, (const char *)iov.iov_base, iov.iov_len, at)
			       : vfs_read(f, (char *)iov.iov_base, iov.iov_len, at);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((u64)r < iov.iov_len)
			break;
	}
	return total;
}

SYSCALL_DEFINE3(readv, int, fd, const struct iovec __user *, vec, unsigned long, vlen)
{
	return do_iov(fd, vec, vlen, false, NO_POS);
}

SYSCALL_DEFINE3(writev, int, fd, const struct iovec __user *, vec, unsigned long, vlen)
{
	return do_iov(fd, vec, vlen, true, NO_POS);
}

/* preadv/pwritev: the position is one 64-bit argument on x86-64 (the
 * high half, for 32-bit callers, is ignored). */
SYSCALL_DEFINE5(preadv, int, fd, const struct iovec __user *, vec, unsigned long, vlen,
		long, pos, unsigned long, pos_h)
{
	(void)pos_h;
	return pos < 0 ? -EINVAL : do_iov(fd, vec, vlen, false, pos);
}

SYSCALL_DEFINE5(pwritev, int, fd, const struct iovec __user *, vec, unsigned long, vlen,
		long, pos, unsigned long, pos_h)
{
	(void)pos_h;
	return pos < 0 ? -EINVAL : do_iov(fd, vec, vlen, true, pos);
}

/* preadv2/pwritev2: position -1 is the file's offset; of the RWF_ flags,
 * the hints (HIPRI, DSYNC, SYNC: host writes are synchronous already)
 * change nothing, RWF_APPEND writes at the end; the rest is EOPNOTSUPP. */
#define RWF_HINTS	(0x1 | 0x2 | 0x4)
#define RWF_APPEND	0x10

static long do_iov2(int fd, const struct iovec __user *vec, unsigned long vlen, long pos,
		    int flags, bool write)
{
	if (flags & ~(RWF_HINTS | (write ? RWF_APPEND : 0)))
		return -EOPNOTSUPP;
	if (pos < -1)
		return -EINVAL;
	if (write && (flags & RWF_APPEND)) {
		struct file *f = fget(fd);
		if (!f)
			return -EBADF;
		if (f->type == FT_HOST) {
			static struct stat kst;
			long err = hostcall(LSTAR_HC_FSTAT, f->handle, hc_pa(&kst), 0, 0, 0, 0);
			if (err < 0)
				return err;
			pos = kst.st_size;	/* the file's own offset stays where it is */
		}
	}
	return do_iov(fd, vec, vlen, write, pos == -1 ? NO_POS : (u64)pos);
}

SYSCALL_DEFINE6(preadv2, int, fd, const struct iovec __user *, vec, unsigned long, vlen,
		long, pos, unsigned long, pos_h, int, flags)
{
	(void)pos_h;
	return do_iov2(fd, vec, vlen, pos, flags, false);
}

SYSCALL_DEFINE6(pwritev2, int, fd, const struct iovec __user *, vec, unsigned long, vlen,
		long, pos, unsigned long, pos_h, int, flags)
{
	(void)pos_h;
	return do_iov2(fd, vec, vlen, pos, flags, true);
}

SYSCALL_DEFINE3(lseek, int, fd, long, offset, unsigned int, whence)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	if (f->type == FT_PIPE || f->type == FT_SOCK)
		return -ESPIPE;
	if (f->type == FT_CHR)
		return 0;		/* the memory devices ignore seeks */
	if (whence > SEEK_HOLE)
		return -EINVAL;
	if (f->type == FT_PROC) {
		if (whence > SEEK_END)
			return -EINVAL;
		long base = whence == SEEK_SET ? 0 : whence == SEEK_CUR
			    ? (long)f->proc_pos : (long)f->proc_len;
		if (base + offset < 0)
			return -EINVAL;
		return f->proc_pos = base + offset;
	}
	/* SEEK_DATA and SEEK_HOLE too: the host's file system knows its
	 * holes. */
	return hostcall(LSTAR_HC_LSEEK, f->handle, offset, whence, 0, 0, 0);
}

/*
 * sendfile between two host files, or from a host file to a socket
 * (socket.c), through hc_bounce without a trip to user space.  Pipes and
 * the kernel's own files get -EINVAL, which tells callers (cp, tar) to
 * fall back to read and write, as Linux does for file types it cannot
 * splice.
 */
SYSCALL_DEFINE4(sendfile64, int, out_fd, int, in_fd, long __user *, offset,
		unsigned long, count)
{
	struct file *in = fget(in_fd), *out = fget(out_fd);
	long pos = -1, done = 0;

	if (!in || !out)
		return -EBADF;
	if (in->type != FT_HOST || (out->type != FT_HOST && out->type != FT_SOCK))
		return -EINVAL;
	if (offset && copy_from_user(&pos, offset, sizeof(pos)))
		return -EFAULT;
	if (out->type == FT_SOCK) {		/* socket.c: waits for the socket */
		done = sock_sendfile(out, in, offset ? &pos : NULL, count);
		if (offset && copy_to_user(offset, &pos, sizeof(pos)))
			return -EFAULT;
		return done;
	}
	if (in->host_stream && !offset && !(in->f_flags & O_NONBLOCK) && count) {
		long err = wait_host_readable(in);
		if (err)
			return err;
	}
	while ((u64)done < count) {
		u64 chunk = MIN(count - done, (u64)HC_BOUNCE_SIZE);
		long r = offset ? hostcall(LSTAR_HC_PREAD, in->handle, hc_pa(hc_bounce), chunk,
					   pos + done, 0, 0)
				: hostcall(LSTAR_HC_READ, in->handle, hc_pa(hc_bounce), chunk, 0, 0, 0);
		if (r <= 0) {
			if (r < 0 && !done)
				return r;
			break;
		}
		filemap_read_overlay(in, offset ? (u64)(pos + done) : FILEMAP_CUR, hc_bounce, r);
		long w = hostcall(LSTAR_HC_WRITE, out->handle, hc_pa(hc_bounce), r, 0, 0, 0);
		if (w < 0)
			return done ? done : w;
		if (w > 0)
			filemap_file_written(out, FILEMAP_CUR, hc_bounce, w);
		done += w;
		if (w < r)
			break;
	}
	if (offset) {
		pos += done;
		if (copy_to_user(offset, &pos, sizeof(pos)))
			return -EFAULT;
	}
	return done;
}

/*
 * copy_file_range: bytes from one host file to another inside the kernel
 * (through hc_bounce), each at its own offset or at the given ones, which
 * are then advanced instead.  Anything but two regular host files is
 * EINVAL, which makes cp and friends fall back to read and write.
 */
SYSCALL_DEFINE6(copy_file_range, int, fd_in, long __user *, off_in, int, fd_out,
		long __user *, off_out, unsigned long, len, unsigned int, flags)
{
	struct file *in = fget(fd_in), *out = fget(fd_out);
	long pin = 0, pout = 0, done = 0;

	if (!in || !out)
		return -EBADF;
	if (flags)
		return -EINVAL;
	if ((in->f_flags & O_ACCMODE) == O_WRONLY || (out->f_flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (out->f_flags & O_APPEND)
		return -EBADF;
	if (in->type != FT_HOST || out->type != FT_HOST || file_identity(in) ||
	    file_identity(out) || !in->f_regular || !out->f_regular)
		return -EINVAL;
	if ((off_in && copy_from_user(&pin, off_in, sizeof(pin))) ||
	    (off_out && copy_from_user(&pout, off_out, sizeof(pout))))
		return -EFAULT;
	if (pin < 0 || pout < 0)
		return -EINVAL;
	if (in->f_dev == out->f_dev && in->f_ino == out->f_ino) {
		/* the same file: the ranges must not overlap */
		long a = off_in ? pin : hostcall(LSTAR_HC_LSEEK, in->handle, 0, SEEK_CUR, 0, 0, 0);
		long b = off_out ? pout : hostcall(LSTAR_HC_LSEEK, out->handle, 0, SEEK_CUR, 0, 0, 0);
		if (a < b + (long)len && b < a + (long)len)
			return -EINVAL;
	}
	while ((u64)done < len) {
		u64 chunk = MIN(len - done, (u64)HC_BOUNCE_SIZE);
		long r = off_in ? hostcall(LSTAR_HC_PREAD, in->handle, hc_pa(hc_bounce), chunk,
					   pin + done, 0, 0)
				: hostcall(LSTAR_HC_READ, in->handle, hc_pa(hc_bounce), chunk, 0, 0, 0);
		if (r <= 0) {
			if (r < 0 && !done)
				return r;
			break;
		}
		filemap_read_overlay(in, off_in ? (u64)(pin + done) : FILEMAP_CUR, hc_bounce, r);
		long w = off_out ? hostcall(LSTAR_HC_PWRITE, out->handle, hc_pa(hc_bounce), r,
					    pout + done, 0, 0)
				 : hostcall(LSTAR_HC_WRITE, out->handle, hc_pa(hc_bounce), r, 0, 0, 0);
		if (w < 0)
			return done ? done : w;
		if (w > 0)
			filemap_file_written(out, off_out ? (u64)(pout + done) : FILEMAP_CUR,
					     hc_bounce, w);
		done += w;
		if (w < r)
			break;
	}
	pin += done;
	pout += done;
	if ((off_in && copy_to_user(off_in, &pin, sizeof(pin))) ||
	    (off_out && copy_to_user(off_out, &pout, sizeof(pout))))
		return -EFAULT;
	return done;
}
