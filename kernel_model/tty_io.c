/*
 * tty_io.c - the controlling terminal: open of /dev/tty and the terminal
 * ioctls (mirrors drivers/tty/tty_io.c, tty_ioctl.c and tty_jobctrl.c).
 *
 * The terminal is the host's: lstar's own controlling terminal, if it has
 * one.  A host file is a terminal when the device's LSTAR_HC_TCGETS works on it.
 * There is one terminal, so its job-control state is two numbers: the
 * session it belongs to and its foreground process group.  At boot it
 * belongs to the first process's session, with that process's group in
 * the foreground, which is what a shell started from a terminal finds.
 * The settings (termios, window size) live in the host's terminal and go
 * there through the device, so a shell's raw mode is real.
 *
 * /dev/tty opens the host's terminal through the device (LSTAR_HC_OPENTTY)
 * whatever --root says, as it is the terminal the guest already talks
 * to.  Without one (lstar's own process has no controlling terminal, or
 * the guest left the session that has it) the answer is ENXIO, Linux's.
 *
 * Not done: stop signals for background groups (SIGTTIN on a read,
 * SIGTTOU on a write or a settings change) and SIGHUP when the session
 * leader lets the terminal go; they need processes that run side by side.
 */
#include "sched.h"
#include "fs.h"
#include "mm.h"
#include "signal.h"
#include "processor.h"

static int tty_session = INIT_PID;	/* 0: the terminal is nobody's */
static int tty_pgrp = INIT_PID;		/* its foreground process group */

/* Is the running process's controlling terminal the terminal? */
static bool have_ctty(void)
{
	return current_ids.ctty && tty_session && current_ids.sid == tty_session;
}

long tty_open(const char *path, int flags)
{
	if (strcmp(path, "/dev/tty"))
		return -ENOENT;
	if (!have_ctty())
		return -ENXIO;
	long h = hostcall(LSTAR_HC_OPENTTY, flags, 0, 0, 0, 0, 0);
	if (h < 0)
		return h;
	struct file *f = alloc_file(FT_HOST, flags & ~(O_CREAT | O_EXCL | O_TRUNC |
						       O_NOCTTY | O_CLOEXEC));
	if (!f) {
		hostcall(LSTAR_HC_CLOSE, h, 0, 0, 0, 0, 0);
		return -ENFILE;
	}
	f->handle = h;
	f->host_stream = true;
	int fd = fd_install_lowest(f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

static struct termios2_k kt;	/* the settings on their way to or from the host */

/* 0 if f is a terminal, else -ENOTTY (or the device's error). */
static long tty_check(struct file *f)
{
	if (f->type != FT_HOST)
		return -ENOTTY;
	return hostcall(LSTAR_HC_TCGETS, f->handle, hc_pa(&kt), 0, 0, 0, 0);
}

static long put_int(unsigned long arg, int v)
{
	return copy_to_user((void __user *)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

/* TIOCGPGRP, TIOCGSID and TIOCSPGRP work on one's controlling terminal
 * only (tty_jobctrl.c: tiocgpgrp, tiocgsid, tiocspgrp). */
static long tiocspgrp(unsigned long arg)
{
	int pgrp;
	if (!have_ctty())
		return -ENOTTY;
	if (copy_from_user(&pgrp, (const void __user *)arg, sizeof(pgrp)))
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	/* The group must exist, in the terminal's session. */
	int sid = pgrp_session(pgrp);
	if (!sid)
		return -ESRCH;
	if (sid != current_ids.sid)
		return -EPERM;
	tty_pgrp = pgrp;
	return 0;
}

/* TIOCSCTTY (tiocsctty): a session leader without a terminal takes this
 * one, if no other session has it (arg 1 would steal it from another
 * session: root only). */
static long tiocsctty(unsigned long arg)
{
	if (current_ids.sid == THE_PID && have_ctty())
		return 0;		/* it is ours already */
	if (current_ids.sid != THE_PID || current_ids.ctty)
		return -EPERM;
	if (tty_session && tty_session != current_ids.sid &&
	    !(arg == 1 && boot_info.uid == 0))
		return -EPERM;
	tty_session = current_ids.sid;
	tty_pgrp = current_ids.pgrp;
	current_ids.ctty = true;
	return 0;
}

/* TIOCNOTTY: let the controlling terminal go.  When the session leader
 * does, the whole session loses it (Linux also sends SIGHUP and SIGCONT
 * to the foreground group then: nobody else can run here to get them). */
static long tiocnotty(void)
{
	if (!have_ctty())
		return -ENOTTY;
	if (current_ids.sid == THE_PID)
		tty_session = tty_pgrp = 0;
	current_ids.ctty = false;
	return 0;
}

/* The terminal ioctls; -ENOIOCTLCMD if cmd is none of them. */
long tty_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	long err;
	bool two = false;

	switch (cmd) {
	case TCGETS2:
		two = true;
		/* fall through */
	case TCGETS:
		if (f->type != FT_HOST)
			return -ENOTTY;
		err = hostcall(LSTAR_HC_TCGETS, f->handle, hc_pa(&kt), two, 0, 0, 0);
		if (err < 0)
			return err;
		return copy_to_user((void __user *)arg, &kt,
				    two ? sizeof(struct termios2_k) : sizeof(struct termios_k))
			? -EFAULT : 0;
	case TCSETS2: case TCSETSW2: case TCSETSF2:
		two = true;
		/* fall through */
	case TCSETS: case TCSETSW: case TCSETSF:
		if (f->type != FT_HOST)
			return -ENOTTY;
		if (copy_from_user(&kt, (const void __user *)arg,
				   two ? sizeof(struct termios2_k) : sizeof(struct termios_k)))
			return -EFAULT;
		/* TCSETS / TCSETSW / TCSETSF: now, after the output drains,
		 * and also discarding unread input. */
		return hostcall(LSTAR_HC_TCSETS, f->handle, hc_pa(&kt),
				two ? cmd - TCSETS2 : cmd - TCSETS, two, 0, 0);
	case TIOCGWINSZ:
	case TIOCSWINSZ: {
		struct winsize_k { u16 row, col, xpixel, ypixel; } ws = { 0, 0, 0, 0 };
		if (f->type != FT_HOST)
			return -ENOTTY;
		if (cmd == TIOCSWINSZ &&
		    copy_from_user(&ws, (const void __user *)arg, sizeof(ws)))
			return -EFAULT;
		memcpy(hc_bounce, &ws, sizeof(ws));
		err = hostcall(LSTAR_HC_WINSIZE, f->handle, hc_pa(hc_bounce), cmd == TIOCSWINSZ,
			       0, 0, 0);
		if (err < 0 || cmd == TIOCSWINSZ)
			return err;
		return copy_to_user((void __user *)arg, hc_bounce, sizeof(ws)) ? -EFAULT : 0;
	}
	case TIOCGPGRP:
	case TIOCGSID:
		if ((err = tty_check(f)) < 0)
			return err;
		if (!have_ctty())
			return -ENOTTY;
		return put_int(arg, cmd == TIOCGPGRP ? tty_pgrp : tty_session);
	case TIOCSPGRP:
		if ((err = tty_check(f)) < 0)
			return err;
		return tiocspgrp(arg);
	case TIOCSCTTY:
		if ((err = tty_check(f)) < 0)
			return err;
		return tiocsctty(arg);
	case TIOCNOTTY:
		if ((err = tty_check(f)) < 0)
			return err;
		return tiocnotty();
	case TCFLSH:
	case TCXONC:
	case TCSBRK:
		/* Flow control, flushing and breaks: the host terminal has
		 * nothing queued on our side; a terminal says yes. */
		return tty_check(f);
	default:
		return -ENOIOCTLCMD;
	}
}

/*
 * Ctrl-C at the host's terminal (entry_64.S asm_console_interrupt): the
 * terminal's interrupt character, as n_tty's isig() sends it: SIGINT to
 * the foreground process group.  A process that handles SIGINT runs its
 * handler; one that does not dies of it (and when that is the first
 * process, lstar exits with 130 as before).
 */
void console_interrupt(struct pt_regs *regs);
void console_interrupt(struct pt_regs *regs)
{
	if (user_mode(regs))
		account_user_time();
	wrmsrl(MSR_X2APIC_EOI, 0);
	int pgrp = tty_pgrp > 0 ? tty_pgrp : INIT_PID;
	if (kill_pid_info(-pgrp, SIGINT, 0x80 /* SI_KERNEL */) == -ESRCH)
		kill_pid_info(INIT_PID, SIGINT, 0x80);
	if (user_mode(regs))
		exit_to_user_mode_prepare(regs);
}

void tty_stat(unsigned int *tty_nr, int *tpgid)
{
	static struct stat st;
	*tty_nr = 0;
	*tpgid = -1;
	if (!have_ctty())
		return;
	/* Whether lstar has a terminal at all, and which, only the host
	 * knows: open it and look. */
	long h = hostcall(LSTAR_HC_OPENTTY, O_RDONLY | O_NONBLOCK, 0, 0, 0, 0, 0);
	if (h < 0)
		return;
	if (hostcall(LSTAR_HC_FSTAT, h, hc_pa(&st), 0, 0, 0, 0) == 0)
		*tty_nr = st.st_rdev;
	hostcall(LSTAR_HC_CLOSE, h, 0, 0, 0, 0, 0);
	*tpgid = tty_pgrp;
}
