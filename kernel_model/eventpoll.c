/*
 * eventpoll.c - epoll (mirrors fs/eventpoll.c, much reduced).
 *
 * An epoll instance is a file holding an interest list: descriptors with
 * the events wanted and the 64-bit cookie to hand back.  epoll_wait looks
 * at every entry the way poll does (select.c vfs_poll), returns the ready
 * ones, and otherwise sleeps until a pipe or eventfd changes, a host file
 * may have become ready (looked at again every few milliseconds), the
 * timeout passes, or a signal comes.  Readiness is level-triggered;
 * EPOLLET and EPOLLONESHOT are accepted, and ONESHOT disarms an entry
 * after it was reported, as on Linux.  (The Go runtime sleeps here.)
 */
#include "sched.h"

#define EPOLL_CLOEXEC	O_CLOEXEC
#define EPOLL_CTL_ADD	1
#define EPOLL_CTL_DEL	2
#define EPOLL_CTL_MOD	3
#define EPOLLIN		0x001
#define EPOLLPRI	0x002
#define EPOLLOUT	0x004
#define EPOLLERR	0x008
#define EPOLLHUP	0x010
#define EPOLLRDHUP	0x2000
#define EPOLLEXCLUSIVE	(1U << 28)
#define EPOLLWAKEUP	(1U << 29)
#define EPOLLONESHOT	(1U << 30)
#define EPOLLET		(1U << 31)
#define EP_MAX_ENTRIES	120	/* an instance fits in one page */
#define MAX_EPOLL	64

struct epoll_event {
	u32 events;
	u64 data;
} __attribute__((packed));

struct epitem {
	struct file *file;	/* the watched file (the key, with fd) */
	int fd;
	u32 events;
	u64 data;
	bool disarmed;		/* EPOLLONESHOT after a report */
};

struct eventpoll {
	int n;
	struct epitem items[EP_MAX_ENTRIES];
};

static struct eventpoll *epolls[MAX_EPOLL];	/* a page each, while in use */
_Static_assert(sizeof(struct eventpoll) <= PAGE_SIZE, "an epoll instance fits a page");
static int nr_epolls;		/* instances in use */

void ep_release(struct file *f)
{
	struct eventpoll *ep = f->private_data;
	for (int i = 0; ep && i < MAX_EPOLL; i++)
		if (epolls[i] == ep) {
			epolls[i] = NULL;
			free_page(__pa(ep));
			nr_epolls--;
		}
}

/* A file closed: it leaves every interest list (Linux does this when the
 * last reference to the file goes). */
void eventpoll_release(struct file *f)
{
	if (!nr_epolls)
		return;
	for (int i = 0; i < MAX_EPOLL; i++) {
		struct eventpoll *ep = epolls[i];
		if (!ep)
			continue;
		for (int k = 0; k < ep->n; k++)
			if (ep->items[k].file == f)
				ep->items[k--] = ep->items[--ep->n];
	}
}

static long do_epoll_create(int flags)
{
	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	int slot = -1;
	for (int i = 0; i < MAX_EPOLL && slot < 0; i++)
		if (!epolls[i])
			slot = i;
	if (slot < 0)
		return -ENFILE;
	u64 pa = alloc_page();
	if (!pa)
		return -ENOMEM;
	struct file *f = alloc_file(FT_EPOLL, O_RDWR);
	if (!f) {
		free_page(pa);
		return -ENFILE;
	}
	struct eventpoll *ep = epolls[slot] = __va(pa);
	nr_epolls++;
	f->private_data = ep;
	int fd = fd_install_lowest(f, 0, flags & EPOLL_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

SYSCALL_DEFINE1(epoll_create, int, size)
{
	if (size <= 0)
		return -EINVAL;
	return do_epoll_create(0);
}

SYSCALL_DEFINE1(epoll_create1, int, flags)
{
	return do_epoll_create(flags);
}

SYSCALL_DEFINE4(epoll_ctl, int, epfd, int, op, int, fd, struct epoll_event __user *, uevent)
{
	struct file *ef = fget(epfd), *tf = fget(fd);
	struct epoll_event ev = { 0, 0 };
	if (!ef || !tf)
		return -EBADF;
	if (ef->type != FT_EPOLL || ef == tf)
		return -EINVAL;
	if (tf->type == FT_PROC)
		return -EPERM;		/* always ready: Linux refuses such files */
	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uevent, sizeof(ev)))
		return -EFAULT;
	struct eventpoll *ep = ef->private_data;
	struct epitem *it = NULL;
	for (int k = 0; k < ep->n; k++)
		if (ep->items[k].file == tf && ep->items[k].fd == fd)
			it = &ep->items[k];
	switch (op) {
	case EPOLL_CTL_ADD:
		if (it)
			return -EEXIST;
		if (ep->n == EP_MAX_ENTRIES)
			return -ENOSPC;
		ep->items[ep->n++] = (struct epitem){ tf, fd, ev.events | EPOLLERR | EPOLLHUP,
						      ev.data, false };
		return 0;
	case EPOLL_CTL_MOD:
		if (!it)
			return -ENOENT;
		it->events = ev.events | EPOLLERR | EPOLLHUP;
		it->data = ev.data;
		it->disarmed = false;
		return 0;
	case EPOLL_CTL_DEL:
		if (!it)
			return -ENOENT;
		*it = ep->items[--ep->n];
		return 0;
	default:
		return -EINVAL;
	}
}

/* Collect up to max ready events into out; returns how many. */
static int ep_scan(struct eventpoll *ep, struct epoll_event *out, int max, long host_ms,
		   bool *has_host)
{
	struct pollfd k[EP_MAX_ENTRIES];
	int idx[EP_MAX_ENTRIES], n = 0, got = 0;
	for (int i = 0; i < ep->n; i++) {
		struct epitem *it = &ep->items[i];
		if (it->disarmed)
			continue;
		idx[n] = i;
		k[n++] = (struct pollfd){ it->fd, (short)(it->events & 0xffff), 0 };
	}
	*has_host = false;
	if (!n)
		return 0;
	long r = vfs_poll_fds(k, n, host_ms, has_host);
	if (r <= 0)
		return 0;
	for (int j = 0; j < n && got < max; j++) {
		struct epitem *it = &ep->items[idx[j]];
		u32 rev = (u16)k[j].revents & (it->events | EPOLLERR | EPOLLHUP);
		if (!rev || (k[j].revents & POLLNVAL))
			continue;
		out[got].events = rev;
		out[got].data = it->data;
		got++;
		if (it->events & EPOLLONESHOT)
			it->disarmed = true;
	}
	return got;
}

static long do_epoll_wait(int epfd, struct epoll_event __user *uevents, int maxevents,
			  long timeout_ms)
{
	struct epoll_event out[EP_MAX_ENTRIES];
	struct file *ef = fget(epfd);
	if (!ef)
		return -EBADF;
	if (ef->type != FT_EPOLL)
		return -EINVAL;
	if (maxevents <= 0)
		return -EINVAL;
	if (fault_in_user((u64)uevents, (u64)maxevents * sizeof(struct epoll_event), true))
		return -EFAULT;
	maxevents = MIN(maxevents, EP_MAX_ENTRIES);
	u64 deadline = timeout_ms > 0 ? now_ns() + (u64)timeout_ms * 1000000 : 0;
	for (;;) {
		bool host;
		struct eventpoll *ep = ef->private_data;
		long host_ms = timeout_ms == 0 ? 0 : poll_host_wait_ms(deadline);
		int got = ep_scan(ep, out, maxevents, host_ms, &host);
		if (got) {
			if (copy_to_user(uevents, out, got * sizeof(out[0])))
				return -EFAULT;
			return got;
		}
		if (timeout_ms == 0)
			return 0;
		u64 now = now_ns();
		if (deadline && now >= deadline)
			return 0;
		u64 wake = deadline;
		if (host && (!wake || wake > now + 10000000ULL))
			wake = now + 10000000ULL;
		int r = sleep_on_wq(&pipe_poll_wait, "ep_poll", wake, true);
		if (r == -ERESTARTSYS)
			return -EINTR;
		if (!fget(epfd) || fget(epfd) != ef)
			return -EBADF;
	}
}

SYSCALL_DEFINE4(epoll_wait, int, epfd, struct epoll_event __user *, events, int, maxevents,
		int, timeout)
{
	return do_epoll_wait(epfd, events, maxevents, timeout);
}

SYSCALL_DEFINE6(epoll_pwait, int, epfd, struct epoll_event __user *, events, int, maxevents,
		int, timeout, const unsigned long __user *, sigmask, unsigned long, sigsetsize)
{
	unsigned long mask, old = sig_blocked;
	if (sigmask) {
		if (sigsetsize != sizeof(mask))
			return -EINVAL;
		if (copy_from_user(&mask, sigmask, sizeof(mask)))
			return -EFAULT;
		sig_blocked = mask & ~((1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1)));
	}
	long r = do_epoll_wait(epfd, events, maxevents, timeout);
	if (sigmask) {
		if (r == -EINTR) {
			saved_sigmask = old;	/* restored after the handler */
			saved_sigmask_valid = true;
		} else {
			sig_blocked = old;
		}
	}
	return r;
}
