/*
 * file.c - the descriptor table, close, dup*, fcntl (mirrors fs/file.c,
 * fs/open.c's close and fs/fcntl.c).
 */
#include "sched.h"
#include "fs.h"

/* Open files of the whole machine (Linux's file objects), and the running
 * process's descriptor table (sched.h: struct files_struct). */
#define NR_FILE		1024
static struct file file_table[NR_FILE];
#define fd_array	(current->files->fd)
#define close_on_exec	(current->files->cloexec)	/* FD_CLOEXEC, for execve */

struct file *fget(int fd)
{
	if (fd < 0 || fd >= NR_OPEN_DEFAULT)
		return NULL;
	return fd_array[fd];
}

/* A host file's device and inode, asked once and kept in the open file
 * (the page cache and the lock table find files by them). */
long file_identity(struct file *f)
{
	if (f->f_ident)
		return 0;
	if (f->type != FT_HOST)
		return -EINVAL;
	static struct stat kst;
	long err = hostcall(LSTAR_HC_FSTAT, f->handle, hc_pa(&kst), 0, 0, 0, 0);
	if (err < 0)
		return err;
	f->f_ident = true;
	f->f_regular = (kst.st_mode & S_IFMT) == S_IFREG;
	f->f_dev = kst.st_dev;
	f->f_ino = kst.st_ino;
	return 0;
}

struct file *alloc_file(enum file_type type, unsigned int flags)
{
	for (int i = 0; i < NR_FILE; i++) {
		struct file *f = &file_table[i];
		if (f->f_count == 0) {
			*f = (struct file){ .f_count = 1, .type = type,
					    .f_flags = flags };
			return f;
		}
	}
	return NULL;
}

void fput(struct file *f)
{
	locks_remove_file(f, f->f_count == 1);
	if (--f->f_count > 0)
		return;
	if (f->type == FT_HOST)
		hostcall(LSTAR_HC_CLOSE, f->handle, 0, 0, 0, 0, 0);
	else if (f->type == FT_PIPE)
		pipe_release(f);
	else if (f->type == FT_PROC)
		proc_release(f);
	else if (f->type == FT_EPOLL)
		ep_release(f);
	else if (f->type == FT_EVENTFD)
		eventfd_release(f);
	else if (f->type == FT_SOCK)
		sock_release(f);
	eventpoll_release(f);
	/* FT_CHR: nothing to release */
}

/* Install f at the lowest free descriptor >= from (POSIX's rule). */
int fd_install_lowest(struct file *f, int from, bool cloexec)
{
	for (int fd = from; fd < NR_OPEN_DEFAULT; fd++) {
		if (!fd_array[fd]) {
			fd_array[fd] = f;
			close_on_exec[fd] = cloexec;
			return fd;
		}
	}
	return -EMFILE;
}

/* execve: descriptors marked close-on-exec do not survive it. */
void close_on_exec_files(void)
{
	for (int fd = 0; fd < NR_OPEN_DEFAULT; fd++) {
		if (fd_array[fd] && close_on_exec[fd]) {
			fput(fd_array[fd]);
			fd_array[fd] = NULL;
			close_on_exec[fd] = false;
		}
	}
}

/* The standard streams are the host's, handles 0-2 of the device. */
void files_init(void)
{
	static const unsigned int mode[3] = { O_RDONLY, O_WRONLY, O_WRONLY };
	for (int fd = 0; fd < 3; fd++) {
		struct file *f = alloc_file(FT_HOST, mode[fd]);
		f->handle = fd;
		f->host_stream = fd == 0;
		fd_install_lowest(f, fd, false);
	}
}

long close_fd(int fd)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	fd_array[fd] = NULL;
	fput(f);
	return 0;
}

SYSCALL_DEFINE1(close, int, fd)
{
	return close_fd(fd);
}

SYSCALL_DEFINE1(dup, int, fd)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	int nfd = fd_install_lowest(f, 0, false);
	if (nfd >= 0)
		f->f_count++;
	return nfd;
}

static long do_dup2(int oldfd, int newfd, bool cloexec)
{
	struct file *f = fget(oldfd);
	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= NR_OPEN_DEFAULT)
		return -EBADF;
	if (fd_array[newfd] == f) {
		close_on_exec[newfd] = cloexec;
		return newfd;
	}
	f->f_count++;
	if (fd_array[newfd])
		fput(fd_array[newfd]);
	fd_array[newfd] = f;
	close_on_exec[newfd] = cloexec;
	return newfd;
}

SYSCALL_DEFINE2(dup2, int, oldfd, int, newfd)
{
	if (oldfd == newfd)		/* dup2 to itself: just validate */
		return fget(oldfd) ? newfd : -EBADF;
	return do_dup2(oldfd, newfd, false);
}

SYSCALL_DEFINE3(dup3, int, oldfd, int, newfd, int, flags)
{
	if (oldfd == newfd || (flags & ~O_CLOEXEC))
		return -EINVAL;
	return do_dup2(oldfd, newfd, flags & O_CLOEXEC);
}

void set_close_on_exec(int fd, bool on)
{
	close_on_exec[fd] = on;
}

/* F_SETFL, FIONBIO: only O_APPEND and O_NONBLOCK change after open.  A
 * host file's flags are the host's too (its writes must append), as the
 * open file is shared with whoever else has it. */
long setfl(struct file *f, unsigned long flags)
{
	unsigned int nf = (f->f_flags & ~(O_APPEND | O_NONBLOCK)) |
			  (flags & (O_APPEND | O_NONBLOCK));
	if (f->type == FT_HOST && nf != f->f_flags) {
		long err = hostcall(LSTAR_HC_SETFL, f->handle, nf & (O_APPEND | O_NONBLOCK),
				    0, 0, 0, 0);
		if (err < 0)
			return err;
	}
	f->f_flags = nf;
	return 0;
}

SYSCALL_DEFINE3(fcntl, int, fd, unsigned int, cmd, unsigned long, arg)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		if (arg >= NR_OPEN_DEFAULT)
			return -EINVAL;
		int nfd = fd_install_lowest(f, arg, cmd == F_DUPFD_CLOEXEC);
		if (nfd >= 0)
			f->f_count++;
		return nfd;
	}
	case F_GETFD:
		return close_on_exec[fd] ? FD_CLOEXEC : 0;
	case F_SETFD:
		set_close_on_exec(fd, arg & FD_CLOEXEC);
		return 0;
	case F_GETFL:
		return f->f_flags;
	case F_SETFL:
		return setfl(f, arg);
	case F_GETLK:
	case F_OFD_GETLK:
		return fcntl_getlk(f, cmd, (void __user *)arg);
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return fcntl_setlk(f, cmd, (void __user *)arg);
	default:
		return -EINVAL;
	}
}


/* fadvise64 (mm/fadvise.c): advice is checked and then not needed, the
 * host reads ahead on its own. */
SYSCALL_DEFINE4(fadvise64, int, fd, long, offset, long, len, int, advice)
{
	(void)offset;
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	if (f->type == FT_PIPE)
		return -ESPIPE;
	if (advice < 0 || advice > 5 || len < 0)
		return -EINVAL;
	return 0;
}

/*
 * close_range (fs/file.c): close every descriptor in [fd, max_fd], or
 * only mark them close-on-exec; CLOSE_RANGE_UNSHARE first gives the
 * caller a table of its own when it shares one (CLONE_FILES).
 */
#define CLOSE_RANGE_UNSHARE	2
#define CLOSE_RANGE_CLOEXEC	4

SYSCALL_DEFINE3(close_range, unsigned int, fd, unsigned int, max_fd, unsigned int, flags)
{
	if ((flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) || fd > max_fd)
		return -EINVAL;
	if ((flags & CLOSE_RANGE_UNSHARE) && unshare_files())
		return -ENOMEM;
	for (unsigned int i = fd; i <= max_fd && i < NR_OPEN_DEFAULT; i++) {
		struct file *f = fd_array[i];
		if (!f)
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC) {
			set_close_on_exec(i, true);
		} else {
			fd_array[i] = NULL;
			fput(f);
		}
	}
	return 0;
}
