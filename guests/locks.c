/* locks.c - advisory locks between processes: fcntl record locks (what a
 * child sees of its parent's, F_SETLK refused, F_SETLKW waiting, ranges
 * split and merged, the close-any-descriptor rule), OFD locks and flock
 * between two opens, and the errors.  Printed so that a native run and
 * an lstar run can be compared (pids as "parent"/"other"). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t parent;

static int setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl) ? -errno : 0;
}

/* What F_GETLK (or F_OFD_GETLK) says about a lock of type on the range. */
static void getlk(const char *what, int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	if (fcntl(fd, cmd, &fl)) {
		printf("%s: %s\n", what, strerror(errno));
		return;
	}
	if (fl.l_type == F_UNLCK) {
		printf("%s: unlocked\n", what);
		return;
	}
	printf("%s: %s [%ld, +%ld) by %s\n", what, fl.l_type == F_WRLCK ? "write" : "read",
	       (long)fl.l_start, (long)fl.l_len,
	       fl.l_pid == parent ? "parent" : fl.l_pid == -1 ? "-1" : "other");
}

int main(void)
{
	parent = getpid();
	int fd = open("locks.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "0123456789abcdefghij", 20);
	setvbuf(stdout, NULL, _IONBF, 0);

	/* Two write locks side by side merge; a read lock beyond. */
	printf("parent locks: %d %d %d\n", setlk(fd, F_SETLK, F_WRLCK, 0, 5),
	       setlk(fd, F_SETLK, F_WRLCK, 5, 5), setlk(fd, F_SETLK, F_RDLCK, 20, 0));
	int pipefd[2];
	pipe(pipefd);
	pid_t pid = fork();
	if (pid == 0) {
		int cfd = open("locks.dat", O_RDWR);
		getlk("child sees 0..", cfd, F_GETLK, F_RDLCK, 0, 1);
		getlk("child sees 3..12", cfd, F_GETLK, F_RDLCK, 3, 10);
		getlk("child read at 25", cfd, F_GETLK, F_RDLCK, 25, 1);
		getlk("child write at 25", cfd, F_GETLK, F_WRLCK, 25, 1);
		getlk("child sees 10..19", cfd, F_GETLK, F_WRLCK, 10, 10);
		printf("child F_SETLK: %s\n", strerror(-setlk(cfd, F_SETLK, F_WRLCK, 2, 1)));
		printf("child shares the read lock: %d\n", setlk(cfd, F_SETLK, F_RDLCK, 30, 5));
		write(pipefd[1], "x", 1);	/* tell the parent to let go */
		int r = setlk(cfd, F_SETLKW, F_WRLCK, 0, 10);
		printf("child F_SETLKW after the parent's close: %d\n", r);
		_exit(0);
	}
	char c;
	read(pipefd[0], &c, 1);
	/* Unlock the middle: two pieces stay... */
	setlk(fd, F_SETLK, F_UNLCK, 3, 2);
	/* ...then closing any descriptor of the file drops all of them. */
	usleep(20000);
	int dup = open("locks.dat", O_RDONLY);
	close(dup);
	int st;
	waitpid(pid, &st, 0);
	printf("child exited %d\n", WEXITSTATUS(st));

	/* OFD locks belong to the open file: two opens conflict, in one process. */
	int a = open("locks.dat", O_RDWR), b = open("locks.dat", O_RDWR);
	printf("ofd: %d", setlk(a, F_OFD_SETLK, F_WRLCK, 0, 4));
	printf(" %s\n", strerror(-setlk(b, F_OFD_SETLK, F_WRLCK, 2, 4)));
	getlk("ofd b sees", b, F_OFD_GETLK, F_WRLCK, 0, 0);

	/* flock: whole-file, per open file. */
	printf("flock: %d", flock(a, LOCK_EX) ? -errno : 0);
	printf(" %s", flock(b, LOCK_SH | LOCK_NB) ? strerror(errno) : "granted");
	printf(" %d", flock(a, LOCK_UN) ? -errno : 0);
	printf(" %s\n", flock(b, LOCK_SH | LOCK_NB) ? strerror(errno) : "granted");

	/* Errors. */
	int ro = open("locks.dat", O_RDONLY);
	printf("errors: %s", strerror(-setlk(ro, F_SETLK, F_WRLCK, 0, 1)));
	printf(", %s", strerror(-setlk(fd, F_SETLK, 7, 0, 1)));
	printf(", %s", strerror(-setlk(fd, F_SETLK, F_RDLCK, -5, 1)));
	printf(", %s", strerror(-setlk(99, F_SETLK, F_RDLCK, 0, 1)));
	printf(", %s\n", flock(fd, 0) ? strerror(errno) : "ok");
	unlink("locks.dat");
	return 0;
}
