/*
 * pipe.c - pipes inside the kernel (mirrors fs/pipe.c).
 *
 * A pipe is a ring buffer of PIPE_BUF_PAGES pages, allocated when the pipe
 * is made.  A reader of an empty pipe sleeps until a writer writes or the
 * last writer closes (end of file); a writer of a full pipe sleeps until a
 * reader makes room.  A write of at most PIPE_BUF bytes is atomic: it
 * waits until all of it fits, so it is never interleaved with another
 * writer's.  Writing with no reader left is EPIPE and SIGPIPE.
 * O_NONBLOCK ends the waiting with EAGAIN.
 *
 * A FIFO (a named pipe, mkfifo) is the same ring, found by the device and
 * inode number of its name on the host while anyone has it open; opening
 * one end waits for the other (fifo_open).
 */
#include "sched.h"
#include "fs.h"
#include "mm.h"
#include "signal.h"

#define PIPE_BUF_PAGES	16	/* 64 KiB, Linux's default pipe size */
#define PIPE_SIZE	(PIPE_BUF_PAGES * PAGE_SIZE)
#define PIPE_BUF	4096	/* writes up to this size are atomic */
#define MAX_PIPES	256

struct pipe_inode_info {
	u64 page[PIPE_BUF_PAGES];	/* physical pages of the ring */
	u64 head, tail;			/* bytes written / read so far */
	int readers, writers;
	wait_queue_head_t rd_wait, wr_wait;
	/* FIFOs: which one, and how many readers and writers ever opened
	 * it (an opener waits for the partner's count to move) */
	bool named;
	u64 dev, ino;
	unsigned int r_counter, w_counter;
};

static struct pipe_inode_info pipes[MAX_PIPES];

/* Anyone sleeping in poll/select on pipes (select.c) wakes on any change. */
wait_queue_head_t pipe_poll_wait = { "do_poll", 0 };

static void pipe_changed(struct pipe_inode_info *p, bool readable, bool writable)
{
	if (readable)
		wake_up(&p->rd_wait);
	if (writable)
		wake_up(&p->wr_wait);
	wake_up(&pipe_poll_wait);
}

static u8 *pipe_byte(struct pipe_inode_info *p, u64 pos)
{
	pos %= PIPE_SIZE;
	return (u8 *)__va(p->page[pos / PAGE_SIZE]) + pos % PAGE_SIZE;
}

/* Copy n bytes between user memory and the ring, a contiguous piece at a
 * time (the caller checked the user range). */
static void pipe_copy(struct pipe_inode_info *p, char *ubuf, u64 n, bool in)
{
	while (n) {
		u64 pos = in ? p->head : p->tail;
		u64 k = MIN(n, PAGE_SIZE - pos % PAGE_SIZE);
		if (in) {
			memcpy(pipe_byte(p, pos), ubuf, k);
			p->head += k;
		} else {
			memcpy(ubuf, pipe_byte(p, pos), k);
			p->tail += k;
		}
		ubuf += k;
		n -= k;
	}
}

/* A free pipe with its ring allocated, or NULL (-ENFILE / -ENOMEM in *err). */
static struct pipe_inode_info *alloc_pipe_info(long *err)
{
	struct pipe_inode_info *p = NULL;
	for (unsigned i = 0; i < ARRAY_SIZE(pipes) && !p; i++)
		if (!pipes[i].readers && !pipes[i].writers)
			p = &pipes[i];
	if (!p) {
		*err = -ENFILE;
		return NULL;
	}
	for (int i = 0; i < PIPE_BUF_PAGES; i++)
		if (!(p->page[i] = alloc_page())) {
			while (i-- > 0) {
				free_page(p->page[i]);
				p->page[i] = 0;
			}
			*err = -ENOMEM;
			return NULL;
		}
	p->head = p->tail = 0;
	p->named = false;
	p->rd_wait.name = "pipe_read";
	p->wr_wait.name = "pipe_write";
	return p;
}

static void pipe_release_pages(struct pipe_inode_info *p)
{
	for (int i = 0; i < PIPE_BUF_PAGES; i++) {
		if (p->page[i])
			free_page(p->page[i]);
		p->page[i] = 0;
	}
}

long pipe_read(struct file *f, char __user *buf, u64 n)
{
	struct pipe_inode_info *p = f->pipe;
	if (n == 0)
		return 0;
	while (p->head == p->tail) {
		if (!p->writers)
			return 0;		/* end of file */
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		int err = sleep_on_wq(&p->rd_wait, "pipe_read", 0, true);
		if (err)
			return err;
	}
	n = MIN(n, p->head - p->tail);
	if (fault_in_user((u64)buf, n, true))
		return -EFAULT;
	pipe_copy(p, buf, n, false);
	pipe_changed(p, false, true);
	return n;
}

long pipe_write(struct file *f, const char __user *buf, u64 n)
{
	struct pipe_inode_info *p = f->pipe;
	u64 done = 0;
	if (fault_in_user((u64)buf, n, false))
		return -EFAULT;
	while (done < n) {
		if (!p->readers) {
			send_sig_self(SIGPIPE, 0);	/* fatal unless handled/ignored */
			return done ? (long)done : -EPIPE;
		}
		u64 room = PIPE_SIZE - (p->head - p->tail);
		u64 left = n - done;
		/* Atomic writes wait for room for all of it. */
		if (room == 0 || (left <= PIPE_BUF && room < left && done == 0)) {
			if (f->f_flags & O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			int err = sleep_on_wq(&p->wr_wait, "pipe_write", 0, true);
			if (err)
				return done ? (long)done : err;
			/* Another thread may have changed the mapping meanwhile. */
			if (fault_in_user((u64)buf + done, n - done, false))
				return done ? (long)done : -EFAULT;
			continue;
		}
		u64 k = MIN(room, left);
		pipe_copy(p, (char *)buf + done, k, true);
		done += k;
		pipe_changed(p, true, false);
	}
	return done;
}

/* fstat of a pipe: a FIFO is its name's device and inode; an anonymous
 * pipe gets an inode number of its own on device 0:13 (Linux's pipefs
 * is an anonymous device too). */
void pipe_stat(struct file *f, struct stat *st)
{
	struct pipe_inode_info *p = f->pipe;
	if (p->named) {
		st->st_dev = p->dev;
		st->st_ino = p->ino;
	} else {
		st->st_dev = 13;
		st->st_ino = 1000 + (u64)(p - pipes);
	}
}

int pipe_unread(struct file *f)
{
	return f->pipe->head - f->pipe->tail;
}

int pipe_poll(struct file *f)
{
	struct pipe_inode_info *p = f->pipe;
	if (f->pipe_rdwr)
		return (p->head != p->tail ? POLLIN : 0) |
		       (p->head - p->tail < PIPE_SIZE ? POLLOUT : 0);
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
	if (!f->pipe_writer || f->pipe_rdwr)
		p->readers--;
	pipe_changed(p, true, true);	/* EOF for readers, EPIPE for writers */
	if (p->readers || p->writers)
		return;
	for (int i = 0; i < PIPE_BUF_PAGES; i++)
		if (p->page[i])
			free_page(p->page[i]);
	memset(p, 0, sizeof(*p));
	p->rd_wait.name = "pipe_read";
	p->wr_wait.name = "pipe_write";
}

/*
 * fifo_open (fs/pipe.c): open the FIFO whose name the host-call device
 * holds as handle h (LSTAR_HC_OPEN_FIFO).  Readers and writers of one name share
 * a pipe.  O_RDONLY waits for a writer, O_WRONLY for a reader (or is ENXIO
 * with O_NONBLOCK when there is none); O_RDWR is both ends and never
 * waits.  A signal ends the wait (-ERESTARTSYS, as Linux).
 */
long fifo_open(long h, int flags)
{
	static struct stat kst;
	long err = hostcall(LSTAR_HC_FSTAT, h, hc_pa(&kst), 0, 0, 0, 0);
	hostcall(LSTAR_HC_CLOSE, h, 0, 0, 0, 0, 0);
	if (err < 0)
		return err;
	int acc = flags & O_ACCMODE;
	struct pipe_inode_info *p = NULL;
	for (unsigned i = 0; i < ARRAY_SIZE(pipes) && !p; i++)
		if (pipes[i].named && (pipes[i].readers || pipes[i].writers) &&
		    pipes[i].dev == kst.st_dev && pipes[i].ino == kst.st_ino)
			p = &pipes[i];
	if (!p && acc == O_WRONLY && (flags & O_NONBLOCK))
		return -ENXIO;		/* no reader */
	if (!p) {
		if (!(p = alloc_pipe_info(&err)))
			return err;
		p->named = true;
		p->dev = kst.st_dev;
		p->ino = kst.st_ino;
		p->r_counter = p->w_counter = 0;
	} else if (acc == O_WRONLY && (flags & O_NONBLOCK) && !p->readers) {
		return -ENXIO;
	}
	struct file *f = alloc_file(FT_PIPE, acc | (flags & O_NONBLOCK));
	if (!f) {
		if (!p->readers && !p->writers)
			pipe_release_pages(p);
		return -ENFILE;
	}
	f->pipe = p;
	f->pipe_writer = acc != O_RDONLY;
	f->pipe_rdwr = acc == O_RDWR;
	if (acc != O_WRONLY) {
		p->readers++;
		p->r_counter++;
	}
	if (acc != O_RDONLY) {
		p->writers++;
		p->w_counter++;
	}
	pipe_changed(p, true, true);	/* a partner may be waiting for us */
	if (acc == O_RDONLY && !(flags & O_NONBLOCK)) {
		unsigned int seen = p->w_counter;
		while (!p->writers && p->w_counter == seen)
			if (sleep_on_wq(&p->rd_wait, "fifo_open", 0, true)) {
				fput(f);
				return -ERESTARTSYS;
			}
	} else if (acc == O_WRONLY && !(flags & O_NONBLOCK)) {
		unsigned int seen = p->r_counter;
		while (!p->readers && p->r_counter == seen)
			if (sleep_on_wq(&p->wr_wait, "fifo_open", 0, true)) {
				fput(f);
				return -ERESTARTSYS;
			}
	}
	int fd = fd_install_lowest(f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
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
	struct pipe_inode_info *p;
	long err;
	int fd[2];

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (!(p = alloc_pipe_info(&err)))
		return err;
	struct file *r = alloc_file(FT_PIPE, O_RDONLY | (flags & O_NONBLOCK));
	struct file *w = alloc_file(FT_PIPE, O_WRONLY | (flags & O_NONBLOCK));
	if (!r || !w) {
		if (r)
			r->f_count = 0;		/* never installed: just free */
		if (w)
			w->f_count = 0;
		pipe_release_pages(p);
		return -ENFILE;
	}
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
