/*
 * eventfd.c - a 64-bit counter as a file (mirrors fs/eventfd.c).  write
 * adds to it, read takes it (all of it, or one with EFD_SEMAPHORE) and
 * blocks while it is 0; poll says readable while it is not 0.
 */
#include "sched.h"

#define EFD_SEMAPHORE	1
#define EFD_CLOEXEC	O_CLOEXEC
#define EFD_NONBLOCK	O_NONBLOCK
#define MAX_EVENTFD	64

struct eventfd_ctx {
	bool used;
	u64 count;
	unsigned flags;
	wait_queue_head_t wqh;
};
static struct eventfd_ctx ctxs[MAX_EVENTFD];

SYSCALL_DEFINE2(eventfd2, unsigned int, count, int, flags)
{
	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	struct eventfd_ctx *c = NULL;
	for (int i = 0; i < MAX_EVENTFD && !c; i++)
		if (!ctxs[i].used)
			c = &ctxs[i];
	if (!c)
		return -ENFILE;
	struct file *f = alloc_file(FT_EVENTFD, O_RDWR | (flags & EFD_NONBLOCK));
	if (!f)
		return -ENFILE;
	*c = (struct eventfd_ctx){ true, count, flags & EFD_SEMAPHORE, { "eventfd", 0 } };
	f->private_data = c;
	int fd = fd_install_lowest(f, 0, flags & EFD_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

SYSCALL_DEFINE1(eventfd, unsigned int, count)
{
	return __x64_sys_eventfd2(&(struct pt_regs){ .di = count });
}

void eventfd_release(struct file *f)
{
	struct eventfd_ctx *c = f->private_data;
	if (c)
		c->used = false;
}

int eventfd_poll(struct file *f)
{
	struct eventfd_ctx *c = f->private_data;
	return (c->count ? POLLIN : 0) | (c->count < ~0ULL - 1 ? POLLOUT : 0);
}

long eventfd_read(struct file *f, char __user *buf, u64 n)
{
	struct eventfd_ctx *c = f->private_data;
	if (n < 8)
		return -EINVAL;
	while (!c->count) {
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		int r = sleep_on_wq(&c->wqh, "eventfd_read", 0, true);
		if (r)
			return r;
	}
	u64 v = (c->flags & EFD_SEMAPHORE) ? 1 : c->count;
	if (copy_to_user(buf, &v, 8))
		return -EFAULT;
	c->count -= v;
	wake_up(&c->wqh);
	wake_up(&pipe_poll_wait);
	return 8;
}

long eventfd_write(struct file *f, const char __user *buf, u64 n)
{
	struct eventfd_ctx *c = f->private_data;
	u64 v;
	if (n < 8)
		return -EINVAL;
	if (copy_from_user(&v, buf, 8))
		return -EFAULT;
	if (v == ~0ULL)
		return -EINVAL;
	while (~0ULL - 1 - c->count < v) {
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		int r = sleep_on(&c->wqh, "eventfd_write", 0, true);
		if (r)
			return r;
	}
	c->count += v;
	wake_up(&c->wqh);
	wake_up(&pipe_poll_wait);
	return 8;
}
