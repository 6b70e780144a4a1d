/*
 * select.c - poll, ppoll, select and pselect6 (mirrors fs/select.c).  Pipe
 * ends and /proc files are answered here; host files are asked of the
 * device in one HC_POLL, which may wait (up to the timeout) for the host's
 * standard input.  select is poll with bitmaps, as in Linux.
 */
#include "fs.h"
#include "mm.h"

#define POLL_MAX 64

static struct pollfd k[POLL_MAX];

/* Poll the nfds entries of k[] (kernel memory); fills revents. */
static long do_kpoll(unsigned int nfds, long timeout_ms)
{
	static struct hc_pollfd h[POLL_MAX];
	int idx[POLL_MAX], nh = 0, ready = 0;
	for (unsigned i = 0; i < nfds; i++) {
		struct file *f = fget(k[i].fd);
		k[i].revents = 0;
		if (k[i].fd < 0)
			continue;
		if (!f)
			k[i].revents = POLLNVAL;
		else if (f->type == FT_PIPE)
			k[i].revents = pipe_poll(f) & (k[i].events | POLLERR | POLLHUP);
		else if (f->type == FT_PROC || f->type == FT_CHR)
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
	return ready;
}

static long do_poll(struct pollfd __user *ufds, unsigned int nfds, long timeout_ms)
{
	if (nfds > POLL_MAX)
		return -EINVAL;
	if (copy_from_user(k, ufds, nfds * sizeof(k[0])))
		return -EFAULT;
	long ready = do_kpoll(nfds, timeout_ms);
	if (ready < 0)
		return ready;
	if (copy_to_user(ufds, k, nfds * sizeof(k[0])))
		return -EFAULT;
	return ready;
}

/* fd_set: one bit per descriptor, in unsigned longs. */
#define FDSET_LONGS ((NR_OPEN_DEFAULT + 63) / 64)

static long do_select(int n, unsigned long __user *inp, unsigned long __user *outp,
		      unsigned long __user *exp, long timeout_ms)
{
	static unsigned long in[FDSET_LONGS], out[FDSET_LONGS], ex[FDSET_LONGS];
	u64 bytes = ((u64)n + 63) / 64 * 8;
	unsigned int nfds = 0;

	if (n < 0 || n > NR_OPEN_DEFAULT)
		return -EINVAL;
	memset(in, 0, sizeof(in)); memset(out, 0, sizeof(out)); memset(ex, 0, sizeof(ex));
	if ((inp && copy_from_user(in, inp, bytes)) || (outp && copy_from_user(out, outp, bytes)) ||
	    (exp && copy_from_user(ex, exp, bytes)))
		return -EFAULT;
	for (int fd = 0; fd < n; fd++) {
		unsigned long bit = 1UL << (fd % 64);
		short ev = ((in[fd / 64] & bit) ? POLLIN : 0) | ((out[fd / 64] & bit) ? POLLOUT : 0);
		if (!ev && !(ex[fd / 64] & bit))
			continue;
		if (nfds == POLL_MAX)
			return -EINVAL;
		if (!fget(fd))
			return -EBADF;
		k[nfds++] = (struct pollfd){ fd, ev, 0 };
	}
	long r = do_kpoll(nfds, timeout_ms);
	if (r < 0)
		return r;
	/* Rebuild the sets: a bit stays set only if that condition holds;
	 * the result counts bits, not descriptors. */
	memset(in, 0, sizeof(in)); memset(out, 0, sizeof(out)); memset(ex, 0, sizeof(ex));
	long count = 0;
	for (unsigned i = 0; i < nfds; i++) {
		int fd = k[i].fd;
		unsigned long bit = 1UL << (fd % 64);
		if ((k[i].events & POLLIN) && (k[i].revents & (POLLIN | POLLHUP | POLLERR)))
			in[fd / 64] |= bit, count++;
		if ((k[i].events & POLLOUT) && (k[i].revents & (POLLOUT | POLLERR)))
			out[fd / 64] |= bit, count++;
	}
	if ((inp && copy_to_user(inp, in, bytes)) || (outp && copy_to_user(outp, out, bytes)) ||
	    (exp && copy_to_user(exp, ex, bytes)))
		return -EFAULT;
	return count;
}

SYSCALL_DEFINE5(select, int, n, unsigned long __user *, inp, unsigned long __user *, outp,
		unsigned long __user *, exp, struct timeval __user *, tvp)
{
	struct timeval tv;
	long ms = -1;
	if (tvp) {
		if (copy_from_user(&tv, tvp, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		ms = tv.tv_sec * 1000 + tv.tv_usec / 1000;
	}
	return do_select(n, inp, outp, exp, ms);
}

SYSCALL_DEFINE6(pselect6, int, n, unsigned long __user *, inp, unsigned long __user *, outp,
		unsigned long __user *, exp, struct timespec __user *, tsp, void __user *, sig)
{
	struct timespec ts;
	long ms = -1;
	(void)sig;	/* the temporary signal mask: nothing can arrive meanwhile */
	if (tsp) {
		if (copy_from_user(&ts, tsp, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		ms = ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	}
	return do_select(n, inp, outp, exp, ms);
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
