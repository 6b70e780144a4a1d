/*
 * select.c - poll, ppoll, select and pselect6 (mirrors fs/select.c).  Pipe
 * ends and /proc files are answered here; host files are asked of the
 * device in one LSTAR_HC_POLL, which may wait (up to the timeout) for the host's
 * standard input.  select is poll with bitmaps, as in Linux.
 */
#include "sched.h"
#include "fs.h"
#include "mm.h"

#define POLL_MAX 64



/* Is any task but the running one ready to run? */
static bool others_runnable(void)
{
	for_each_task(t)
		if (t != current && t != idle_task && t->state == TASK_RUNNING)
			return true;
	return false;
}

/* One look at the nfds entries of k[] (kernel memory); fills revents.
 * Host files are asked in one LSTAR_HC_POLL that waits up to host_ms. */
static long poll_once(struct pollfd *k, unsigned int nfds, long host_ms, int *nhost)
{
	static struct lstar_hc_pollfd h[POLL_MAX];
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
		else if (f->type == FT_EVENTFD)
			k[i].revents = eventfd_poll(f) & k[i].events;
		else if (f->type == FT_EPOLL)
			k[i].revents = 0;
		else if (f->type == FT_HOST || f->type == FT_SOCK) {
			h[nh] = (struct lstar_hc_pollfd){ f->handle, k[i].events, 0 };
			idx[nh++] = i;
		} else
			k[i].revents = k[i].events & (POLLIN | POLLOUT);
		if (k[i].revents)
			ready++;
	}
	*nhost = nh;
	if (nh) {
		/* Something is ready already: the host must not wait. */
		long r = hostcall(LSTAR_HC_POLL, hc_pa(h), nh, ready ? 0 : host_ms, 0, 0, 0);
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

long vfs_poll_fds(struct pollfd *k, unsigned int n, long host_ms, bool *has_host)
{
	int nh;
	long r = poll_once(k, n, host_ms, &nh);
	*has_host = nh > 0;
	return r;
}

/* How long the host may wait for host files when a caller would sleep
 * until `deadline` (0: none): not at all while another task can run or a
 * signal is pending,
 * else until the deadline or the guest's next timer (-1: forever). */
long poll_host_wait_ms(u64 deadline)
{
	/* A signal that came while the caller was about to wait (its
	 * sleep timed out just as the signal was sent) must end the wait:
	 * the caller's next sleep sees it, the host must not wait first. */
	if (others_runnable() || signal_pending(current))
		return 0;
	u64 now = now_ns(), until = deadline;
	u64 t = next_timer_deadline();
	if (t && (!until || t < until))
		until = t;
	return until ? (until > now ? (long)((until - now + 999999) / 1000000) : 0) : -1;
}

/*
 * do_kpoll - wait until an entry is ready, the timeout (ms, -1: none)
 * passes, or a signal comes (Linux's do_poll).  Pipes wake us when they
 * change.  Host files cannot: while other tasks can run, they are looked
 * at again every HOST_POLL_MS; when nothing else can run, the host itself
 * waits for them, up to the next timer of the guest.
 */
#define HOST_POLL_MS 10
static long do_kpoll(struct pollfd *k, unsigned int nfds, long timeout_ms)
{
	u64 deadline = timeout_ms > 0 ? now_ns() + (u64)timeout_ms * 1000000 : 0;
	for (;;) {
		int nh;
		long host_ms = timeout_ms == 0 ? 0 : poll_host_wait_ms(deadline);
		long ready = poll_once(k, nfds, host_ms, &nh);
		if (ready != 0 || timeout_ms == 0)
			return ready;
		u64 now = now_ns();
		if (deadline && now >= deadline)
			return 0;
		u64 wake = deadline;
		if (nh && (!wake || wake > now + HOST_POLL_MS * 1000000ULL))
			wake = now + HOST_POLL_MS * 1000000ULL;
		int r = sleep_on_wq(&pipe_poll_wait, "do_poll", wake, true);
		if (r == -ERESTARTSYS)
			return -ERESTARTNOHAND;
	}
}

static long do_poll(struct pollfd __user *ufds, unsigned int nfds, long timeout_ms)
{
	struct pollfd k[POLL_MAX];
	if (nfds > POLL_MAX)
		return -EINVAL;
	if (copy_from_user(k, ufds, nfds * sizeof(k[0])))
		return -EFAULT;
	long ready = do_kpoll(k, nfds, timeout_ms);
	if (ready < 0)
		return ready;
	if (copy_to_user(ufds, k, nfds * sizeof(k[0])))
		return -EFAULT;
	return ready;
}

/* ppoll/pselect6: the mask given replaces the blocked set while waiting;
 * if a signal ends the wait, its handler still runs with that mask and
 * the old one comes back after it (as sigsuspend). */
static long set_temp_sigmask(const void __user *umask, unsigned long size, bool *set)
{
	unsigned long mask;
	*set = false;
	if (!umask)
		return 0;
	if (size != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	saved_sigmask = sig_blocked;
	sig_blocked = mask & ~((1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1)));
	*set = true;
	return 0;
}

static long restore_temp_sigmask(bool set, long ret)
{
	if (!set)
		return ret;
	if (ret == -ERESTARTNOHAND || ret == -EINTR)
		saved_sigmask_valid = true;	/* after the handler */
	else
		sig_blocked = saved_sigmask;
	return ret == -ERESTARTNOHAND ? -EINTR : ret;
}

/* fd_set: one bit per descriptor, in unsigned longs. */
#define FDSET_LONGS ((NR_OPEN_DEFAULT + 63) / 64)

static long do_select(int n, unsigned long __user *inp, unsigned long __user *outp,
		      unsigned long __user *exp, long timeout_ms)
{
	unsigned long in[FDSET_LONGS], out[FDSET_LONGS], ex[FDSET_LONGS];
	struct pollfd k[POLL_MAX];
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
	long r = do_kpoll(k, nfds, timeout_ms);
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
	long r = do_select(n, inp, outp, exp, ms);
	return r == -ERESTARTNOHAND ? -EINTR : r;
}

SYSCALL_DEFINE6(pselect6, int, n, unsigned long __user *, inp, unsigned long __user *, outp,
		unsigned long __user *, exp, struct timespec __user *, tsp, void __user *, sig)
{
	struct timespec ts;
	long ms = -1;
	struct { u64 ss; unsigned long ss_len; } sigarg = { 0, 0 };
	if (tsp) {
		if (copy_from_user(&ts, tsp, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		ms = ts.tv_sec * 1000 + (ts.tv_nsec + 999999) / 1000000;
	}
	if (sig && copy_from_user(&sigarg, sig, sizeof(sigarg)))
		return -EFAULT;
	bool set;
	long err = set_temp_sigmask((const void *)sigarg.ss, sigarg.ss_len, &set);
	if (err)
		return err;
	return restore_temp_sigmask(set, do_select(n, inp, outp, exp, ms));
}

SYSCALL_DEFINE3(poll, struct pollfd __user *, ufds, unsigned int, nfds, int, timeout)
{
	long r = do_poll(ufds, nfds, timeout);
	return r == -ERESTARTNOHAND ? -EINTR : r;
}

SYSCALL_DEFINE5(ppoll, struct pollfd __user *, ufds, unsigned int, nfds,
		struct timespec __user *, tsp, const void __user *, sigmask,
		unsigned long, sigsetsize)
{
	struct timespec ts;
	long ms = -1;
	if (tsp) {
		if (copy_from_user(&ts, tsp, sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		ms = ts.tv_sec * 1000 + (ts.tv_nsec + 999999) / 1000000;
	}
	bool set;
	long err = set_temp_sigmask(sigmask, sigsetsize, &set);
	if (err)
		return err;
	return restore_temp_sigmask(set, do_poll(ufds, nfds, ms));
}
