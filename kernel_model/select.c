/*
 * select.c - poll and ppoll (mirrors fs/select.c).  Pipe ends are answered
 * here; host files are asked of the device in one HC_POLL, which may wait
 * (up to the timeout) for the host's standard input.
 */
#include "fs.h"
#include "mm.h"

#define POLL_MAX 64

static long do_poll(struct pollfd __user *ufds, unsigned int nfds, long timeout_ms)
{
	static struct pollfd k[POLL_MAX];
	static struct hc_pollfd h[POLL_MAX];
	int idx[POLL_MAX], nh = 0, ready = 0;

	if (nfds > POLL_MAX)
		return -EINVAL;
	if (copy_from_user(k, ufds, nfds * sizeof(k[0])))
		return -EFAULT;
	for (unsigned i = 0; i < nfds; i++) {
		struct file *f = fget(k[i].fd);
		k[i].revents = 0;
		if (k[i].fd < 0)
			continue;
		if (!f)
			k[i].revents = POLLNVAL;
		else if (f->type == FT_PIPE)
			k[i].revents = pipe_poll(f) & (k[i].events | POLLERR | POLLHUP);
		else if (f->type == FT_PROC)
			k[i].revents = k[i].events & (POLLIN | POLLOUT);
		else {
			h[nh] = (struct hc_pollfd){ f->handle, k[i].events, 0 };
			idx[nh++] = i;
		}
		if (k[i].revents)
			ready++;
	}
	if (nh) {
		/* Something is ready already: the host must not wait. */
		long r = hostcall(HC_POLL, hc_pa(h), nh, ready ? 0 : timeout_ms, 0, 0, 0);
		if (r < 0)
			return r;
		for (int j = 0; j < nh; j++) {
			k[idx[j]].revents = h[j].revents;
			if (h[j].revents)
				ready++;
		}
	}
	if (copy_to_user(ufds, k, nfds * sizeof(k[0])))
		return -EFAULT;
	return ready;
}

SYSCALL_DEFINE3(poll, struct pollfd __user *, ufds, unsigned int, nfds, int, timeout)
{
	return do_poll(ufds, nfds, timeout);
}

SYSCALL_DEFINE5(ppoll, struct pollfd __user *, ufds, unsigned int, nfds,
		struct timespec __user *, tsp, const void __user *, sigmask,
		unsigned long, sigsetsize)
{
	struct timespec ts;
	long ms = -1;
	(void)sigmask; (void)sigsetsize;
	if (tsp) {
		if (copy_from_user(&ts, tsp, sizeof(ts)))
			return -EFAULT;
		ms = ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}
	return do_poll(ufds, nfds, ms);
}
