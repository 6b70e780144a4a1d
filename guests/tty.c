/* tty.c - terminals, process groups and sessions, as a program sees them.
 * Run twice: with no terminal at all (the ioctls answer ENOTTY, /dev/tty
 * ENXIO), and as a session leader on a pseudo-terminal (tests/e2e
 * pty_compare.py): the termios a TCGETS writes (the kernel's 36 bytes,
 * not the C library's struct), raw mode set and read back, the window
 * size, the foreground group and the session of the terminal, and a child
 * that leaves the session.  Prints relations, never pids, so native and
 * lstar runs compare line by line. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%-40s -1 errno %d (%s)\n", what, errno, strerror(errno));
	else
		printf("%-40s %ld\n", what, r);
}

/* How many bytes the raw TCGETS writes: the kernel's struct termios. */
static void tcgets_size(int fd)
{
	unsigned char buf[64];
	memset(buf, 0xA5, sizeof(buf));
	long r = ioctl(fd, TCGETS, buf);
	if (r < 0) {
		show("ioctl TCGETS", r);
		return;
	}
	int last = 0;
	for (int i = 0; i < (int)sizeof(buf); i++)
		if (buf[i] != 0xA5)
			last = i + 1;
	printf("%-40s %d\n", "TCGETS bytes written (<= 36)", last <= 36 ? 36 : last);
}

static void terminal(int fd)
{
	struct termios t, raw, back;
	struct winsize ws, ws2;

	tcgets_size(fd);
	show("tcgetattr", tcgetattr(fd, &t));
	show("  ICANON", !!(t.c_lflag & ICANON));
	show("  ECHO", !!(t.c_lflag & ECHO));
	show("  VINTR", t.c_cc[VINTR]);
	show("  VEOF", t.c_cc[VEOF]);
	show("  CS8", (t.c_cflag & CSIZE) == CS8);
	show("  ospeed B38400", cfgetospeed(&t) == B38400);

	raw = t;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	show("tcsetattr raw (TCSAFLUSH)", tcsetattr(fd, TCSAFLUSH, &raw));
	show("tcgetattr", tcgetattr(fd, &back));
	show("  ICANON now", !!(back.c_lflag & ICANON));
	show("  OPOST now", !!(back.c_oflag & OPOST));
	show("tcsetattr back (TCSADRAIN)", tcsetattr(fd, TCSADRAIN, &t));
	show("tcgetattr", tcgetattr(fd, &back));
	show("  ICANON again", !!(back.c_lflag & ICANON));

	show("TIOCGWINSZ", ioctl(fd, TIOCGWINSZ, &ws));
	printf("%-40s %d x %d\n", "  size", ws.ws_row, ws.ws_col);
	ws2 = ws;
	ws2.ws_row = 33;
	ws2.ws_col = 101;
	show("TIOCSWINSZ 33x101", ioctl(fd, TIOCSWINSZ, &ws2));
	show("TIOCGWINSZ", ioctl(fd, TIOCGWINSZ, &ws2));
	printf("%-40s %d x %d\n", "  size", ws2.ws_row, ws2.ws_col);
	ioctl(fd, TIOCSWINSZ, &ws);

	/* Job control: the session's terminal and its foreground group. */
	show("tcgetpgrp == getpgrp", tcgetpgrp(fd) == getpgrp());
	show("tcgetsid == getsid", tcgetsid(fd) == getsid(0));
	show("getsid == getpid (session leader)", getsid(0) == getpid());
	show("tcsetpgrp(own group)", tcsetpgrp(fd, getpgrp()));
	show("tcsetpgrp(no such group)", tcsetpgrp(fd, 999999));
	int neg = -5;
	show("TIOCSPGRP -5", ioctl(fd, TIOCSPGRP, &neg));
	show("TIOCSCTTY (already ours)", ioctl(fd, TIOCSCTTY, 0));
	show("setsid (a group leader)", setsid());

	int tty = open("/dev/tty", O_RDWR);
	show("open /dev/tty", tty < 0 ? -1 : isatty(tty));
	if (tty >= 0)
		close(tty);

	/* A child: own group (the terminal's foreground group can move to
	 * it), then a new session without a terminal. */
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		signal(SIGTTOU, SIG_IGN);
		show("child: setpgid(0, 0)", setpgid(0, 0));
		show("child: getpgrp == getpid", getpgrp() == getpid());
		show("child: tcsetpgrp(own group)", tcsetpgrp(fd, getpgrp()));
		show("child: tcgetpgrp == getpgrp", tcgetpgrp(fd) == getpgrp());
		show("child: tcsetpgrp(parent's group)", tcsetpgrp(fd, getpgid(getppid())));
		show("child: setsid (a group leader)", setsid());
		fflush(stdout);
		pid_t g = fork();
		if (g == 0) {
			show("grandchild: setsid == getpid", setsid() == getpid());
			show("grandchild: getsid == getpid", getsid(0) == getpid());
			show("grandchild: tcgetpgrp", tcgetpgrp(fd));
			show("grandchild: tcgetsid", tcgetsid(fd));
			show("grandchild: TIOCSCTTY (another's)", ioctl(fd, TIOCSCTTY, 0));
			show("grandchild: open /dev/tty", open("/dev/tty", O_RDWR));
			show("grandchild: isatty still", isatty(fd));
			fflush(stdout);
			_exit(0);
		}
		waitpid(g, NULL, 0);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	show("parent: tcgetpgrp == getpgrp", tcgetpgrp(fd) == getpgrp());
}

int main(void)
{
	int fd = 0;
	show("isatty(0)", isatty(0));
	if (!isatty(0)) {
		/* No terminal: every terminal ioctl is ENOTTY. */
		struct termios t;
		struct winsize ws;
		int pg;
		show("tcgetattr", tcgetattr(fd, &t));
		show("TIOCGWINSZ", ioctl(fd, TIOCGWINSZ, &ws));
		show("TIOCGPGRP", ioctl(fd, TIOCGPGRP, &pg));
		show("TIOCSPGRP", ioctl(fd, TIOCSPGRP, &pg));
		show("TIOCGSID", ioctl(fd, TIOCGSID, &pg));
		show("TIOCSCTTY", ioctl(fd, TIOCSCTTY, 0));
		show("TIOCNOTTY", ioctl(fd, TIOCNOTTY));
		show("tcsetattr", tcsetattr(fd, TCSANOW, &t));
		int p[2];
		pipe(p);
		show("TCGETS on a pipe", ioctl(p[0], TCGETS, &t));
		write(p[1], "abc", 3);
		int n = -1;
		show("FIONREAD on a pipe", ioctl(p[0], FIONREAD, &n));
		show("  bytes", n);
		show("ioctl 0x1234 on a pipe", ioctl(p[0], 0x1234, 0));
		show("FIOCLEX", ioctl(p[0], FIOCLEX));
		show("  FD_CLOEXEC", fcntl(p[0], F_GETFD) & FD_CLOEXEC);
		show("FIONCLEX", ioctl(p[0], FIONCLEX));
		show("  FD_CLOEXEC", fcntl(p[0], F_GETFD) & FD_CLOEXEC);
		int tty = open("/dev/tty", O_RDWR);
		show("open /dev/tty", tty);

		/* Groups and sessions without a terminal. */
		show("getpgrp == getpgid(0)", getpgrp() == getpgid(0));
		show("getsid(0) == getsid(getpid())", getsid(0) == getsid(getpid()));
		show("setpgid(0, -1)", setpgid(0, -1));
		show("getpgid(no such pid)", getpgid(999999));
		show("getsid(no such pid)", getsid(999999));
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			show("child: same session", getsid(0) == getsid(getppid()));
			show("child: setpgid(0, no such group)", setpgid(0, 999999));
			show("child: setpgid(0, 0)", setpgid(0, 0));
			show("child: getpgrp == getpid", getpgrp() == getpid());
			show("child: setsid (now a group leader)", setsid());
			fflush(stdout);
			pid_t g = fork();
			if (g == 0) {
				show("grandchild: setpgid(0, parent's group)",
				     setpgid(0, getpgid(getppid())));
				show("grandchild: setsid == getpid", setsid() == getpid());
				show("grandchild: setpgid(0, 0) (leader)", setpgid(0, 0));
				show("grandchild: kill(0, 0)", kill(0, 0));
				show("grandchild: killpg(own, 0)", killpg(getpgrp(), 0));
				fflush(stdout);
				_exit(0);
			}
			waitpid(g, NULL, 0);
			_exit(0);
		}
		waitpid(c, NULL, 0);

		/* A shell's pipeline: the first process makes the group and
		 * may have ended before the second joins it; an ended child
		 * not yet waited for is still a member. */
		int sync[2];
		char b;
		pipe(sync);
		fflush(stdout);
		pid_t c1 = fork();
		if (c1 == 0) {
			setpgid(0, 0);
			write(sync[1], "x", 1);
			_exit(0);
		}
		read(sync[0], &b, 1);
		pid_t c2 = fork();
		if (c2 == 0) {
			show("second: setpgid(0, first's group)", setpgid(0, c1));
			show("second: getpgrp == first", getpgrp() == c1);
			fflush(stdout);
			_exit(0);
		}
		waitpid(c2, NULL, 0);
		show("getpgid(first) == first", getpgid(c1) == c1);
		waitpid(c1, NULL, 0);
		show("after waiting: getpgid(first)", getpgid(c1));
		return 0;
	}
	terminal(fd);
	return 0;
}
