/*
 * ioctl.c - the terminal ioctls C libraries use to decide on buffering
 * and line editing (mirrors fs/ioctl.c and drivers/tty/tty_io.c).  The
 * device asks the host, so a program sees a terminal exactly when lstar's
 * own stream is one.
 */
#include "fs.h"
#include "mm.h"

SYSCALL_DEFINE3(ioctl, int, fd, unsigned int, cmd, unsigned long, arg)
{
	static u8 kbuf[64];
	struct file *f = fget(fd);
	long err;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case TCGETS:		/* struct termios: 60 bytes on x86-64 */
	case TIOCGWINSZ:	/* struct winsize: 8 bytes */
		if (f->type != FT_HOST)
			return -ENOTTY;
		err = hostcall(cmd == TCGETS ? HC_TCGETS : HC_WINSIZE, f->handle,
			       hc_pa(kbuf), 0, 0, 0, 0);
		if (err < 0)
			return err;
		return copy_to_user((void *)arg, kbuf, cmd == TCGETS ? 60 : 8)
			? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
	case TIOCSWINSZ:
		/* Accepted only on a terminal; the settings are not applied
		 * to the host's terminal (lstar keeps it as it found it). */
		if (f->type != FT_HOST)
			return -ENOTTY;
		return hostcall(HC_TCGETS, f->handle, hc_pa(kbuf), 0, 0, 0, 0);
	case TIOCGPGRP: {
		if (f->type != FT_HOST)
			return -ENOTTY;
		err = hostcall(HC_TCGETS, f->handle, hc_pa(kbuf), 0, 0, 0, 0);
		if (err < 0)
			return err;
		int pgrp = 1;
		return copy_to_user((void *)arg, &pgrp, sizeof(pgrp)) ? -EFAULT : 0;
	}
	case FIONBIO: {
		int on;
		if (copy_from_user(&on, (void *)arg, sizeof(on)))
			return -EFAULT;
		return setfl(f, on ? f->f_flags | O_NONBLOCK : f->f_flags & ~O_NONBLOCK);
	}
	case FIOCLEX:
		return 0;
	default:
		return -ENOTTY;
	}
}
