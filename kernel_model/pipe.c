/*
 * pipe.c - pipes inside the kernel (mirrors fs/pipe.c).
 *
 * A pipe is a ring buffer of PIPE_BUF_PAGES pages.  Only one process runs
 * at a time, and a forked child runs to its end before its parent goes on
 * (fork.c).  So nobody can fill or drain the pipe while we wait, and where
 * Linux would sleep this kernel answers at once.  A read of an empty pipe
 * whose writer is still open returns -EAGAIN, because blocking would be a
 * deadlock.  A write to a full pipe writes what fits.
 */
#include "fs.h"
#include "mm.h"
#include "signal.h"

#define PIPE_BUF_PAGES	64	/* 256 KiB: a whole pipeline stage's output must fit */
#define PIPE_SIZE	(PIPE_BUF_PAGES * PAGE_SIZE)

struct pipe_inode_info {
	u64 page[PIPE_BUF_PAGES];	/* physical pages of the ring */
	u64 head, tail;			/* bytes written / read so far */
	int readers, writers;
};

static struct pipe_inode_info pipes[16];

static u8 *pipe_byte(struct pipe_inode_info *p, u64 pos)
{
	pos %= PIPE_SIZE;
	return (u8 *)__va(p->page[pos / PAGE_SIZE]) + pos % PAGE_SIZE;
}

long pipe_read(struct file *f, char __user *buf, u64 n)
{
	struct pipe_inode_info *p = f->pipe;
	if (p->head == p->tail)
		return p->writers ? -EAGAIN : 0;	/* 0 = end of file */
	n = MIN(n, p->head - p->tail);
	if (fault_in_user((u64)buf, n, true))
		return -EFAULT;
	for (u64 i = 0; i < n; i++)
		buf[i] = *pipe_byte(p, p->tail++);
	return n;
}

long pipe_write(struct file *f, const char __user *buf, u64 n)
{
	struct pipe_inode_info *p = f->pipe;
	if (!p->readers) {
		send_sig_self(SIGPIPE, 0);	/* fatal unless handled/ignored */
		return -EPIPE;
	}
	n = MIN(n, PIPE_SIZE - (p->head - p->tail));
	if (n == 0)
		return -EAGAIN;
	if (fault_in_user((u64)buf, n, false))
		return -EFAULT;
	for (u64 i = 0; i < n; i++)
		*pipe_byte(p, p->head++) = buf[i];
	return n;
}

int pipe_unread(struct file *f)
{
	return f->pipe->head - f->pipe->tail;
}

int pipe_poll(struct file *f)
{
	struct pipe_inode_info *p = f->pipe;
	if (f->pipe_writer)
		return (p->head - p->tail < PIPE_SIZE ? POLLOUT : 0) |
		       (p->readers ? 0 : POLLERR);
	return (p->head != p->tail ? POLLIN : 0) | (p->writers ? 0 : POLLHUP);
}

void pipe_release(struct file *f)
{
	struct pipe_inode_info *p = f->pipe;
	if (f->pipe_writer)
		p->writers--;
	else
		p->readers--;
	if (p->readers || p->writers)
		return;
	for (int i = 0; i < PIPE_BUF_PAGES; i++)
		if (p->page[i])
			free_page(p->page[i]);
	memset(p, 0, sizeof(*p));
}

/* Open a pipe again through /dev/fd/N: a new reader or writer of the same
 * pipe, as the access mode asks (O_RDWR: both, as Linux's fifo_open; this
 * kernel's file is one end, so it keeps the end f is). */
long pipe_reopen(struct file *f, int flags)
{
	int acc = flags & O_ACCMODE;
	bool writer = acc == O_WRONLY || (acc == O_RDWR && f->pipe_writer);
	struct file *nf = alloc_file(FT_PIPE, (writer ? O_WRONLY : O_RDONLY) |
					      (flags & O_NONBLOCK));
	if (!nf)
		return -ENFILE;
	nf->pipe = f->pipe;
	nf->pipe_writer = writer;
	if (writer)
		f->pipe->writers++;
	else
		f->pipe->readers++;
	int fd = fd_install_lowest(nf, 0, flags & O_CLOEXEC);
	if (fd < 0)
		fput(nf);
	return fd;
}

static long do_pipe2(int __user *fildes, int flags)
{
	struct pipe_inode_info *p = NULL;
	int fd[2];

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	for (unsigned i = 0; i < ARRAY_SIZE(pipes) && !p; i++)
		if (!pipes[i].readers && !pipes[i].writers)
			p = &pipes[i];
	if (!p)
		return -ENFILE;
	for (int i = 0; i < PIPE_BUF_PAGES; i++)
		if (!(p->page[i] = alloc_page()))
			return -ENOMEM;
	struct file *r = alloc_file(FT_PIPE, O_RDONLY | (flags & O_NONBLOCK));
	struct file *w = alloc_file(FT_PIPE, O_WRONLY | (flags & O_NONBLOCK));
	if (!r || !w)
		return -ENFILE;
	r->pipe = w->pipe = p;
	w->pipe_writer = true;
	p->readers = p->writers = 1;
	fd[0] = fd_install_lowest(r, 0, flags & O_CLOEXEC);
	fd[1] = fd_install_lowest(w, 0, flags & O_CLOEXEC);
	if (fd[0] < 0 || fd[1] < 0)
		return -EMFILE;
	return copy_to_user(fildes, fd, sizeof(fd)) ? -EFAULT : 0;
}

SYSCALL_DEFINE1(pipe, int __user *, fildes)
{
	return do_pipe2(fildes, 0);
}

SYSCALL_DEFINE2(pipe2, int __user *, fildes, int, flags)
{
	return do_pipe2(fildes, flags);
}
