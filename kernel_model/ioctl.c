/*
 * ioctl.c - ioctl (mirrors fs/ioctl.c): the generic descriptor commands
 * here, the terminal's in tty_io.c.  A program sees a terminal exactly
 * when lstar's own stream (or the file it opened) is one on the host.
 */
#include "sched.h"
#include "fs.h"
#include "mm.h"

SYSCALL_DEFINE3(ioctl, int, fd, unsigned int, cmd, unsigned long, arg)
{
	struct file *f = fget(fd);

	if (!f)
		return -EBADF;
	switch (cmd) {
	case FIONBIO: {
		int on;
		if (copy_from_user(&on, (void *)arg, sizeof(on)))
			return -EFAULT;
		return setfl(f, on ? f->f_flags | O_NONBLOCK : f->f_flags & ~O_NONBLOCK);
	}
	case FIOCLEX:
	case FIONCLEX:
		set_close_on_exec(fd, cmd == FIOCLEX);
		return 0;
	case FIONREAD:
		if (f->type == FT_PIPE) {
			int n = pipe_unread(f);
			return copy_to_user((void *)arg, &n, sizeof(n)) ? -EFAULT : 0;
		}
		if (f->type == FT_SOCK) {
			long n = sock_fionread(f);
			int v = (int)n;
			if (n < 0)
				return n;
			return copy_to_user((void *)arg, &v, sizeof(v)) ? -EFAULT : 0;
		}
		break;
	}
	long err = tty_ioctl(f, cmd, arg);
	return err == -ENOIOCTLCMD ? -ENOTTY : err;
}
