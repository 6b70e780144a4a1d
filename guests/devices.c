/* devices.c - the character devices every program may use: /dev/null,
 * /dev/zero, /dev/full, /dev/random, /dev/urandom, /dev/tty, and the
 * descriptor links /dev/stdin, /dev/stdout, /dev/stderr, /dev/fd/N and
 * /proc/self/fd/N (which open the descriptor's file again).  Run with
 * standard input from a regular file of at least 10 bytes (compared with
 * native runs: the results, not the random bytes, are printed). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%-36s -1 errno %d (%s)\n", what, errno, strerror(errno));
	else
		printf("%-36s %ld\n", what, r);
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void device(const char *path)
{
	struct stat st;
	char what[80];
	int fd = open(path, O_RDWR);
	snprintf(what, sizeof(what), "%s open", path);
	show(what, fd < 0 ? -1 : 0);
	if (fd < 0)
		return;
	fstat(fd, &st);
	printf("%-36s chr %d rdev %u,%u\n", "  fstat", S_ISCHR(st.st_mode),
	       major(st.st_rdev), minor(st.st_rdev));
	close(fd);
}

int main(void)
{
	/* Output goes straight out: /dev/stdout below writes to the same
	 * file through another open file. */
	setvbuf(stdout, NULL, _IONBF, 0);
	const size_t big = 3 << 20;	/* more than any kernel bounce buffer */
	unsigned char *buf = malloc(big);
	long r;

	device("/dev/null");
	device("/dev/zero");
	device("/dev/full");
	device("/dev/random");
	device("/dev/urandom");

	int fd = open("/dev/zero", O_RDWR);
	memset(buf, 0x55, big);
	r = read(fd, buf, big);
	show("read /dev/zero 3 MiB", r);
	show("  all zero", all_zero(buf, big));
	show("write /dev/zero", write(fd, "x", 1));
	show("lseek /dev/zero", lseek(fd, 100, SEEK_SET));
	close(fd);

	fd = open("/dev/null", O_RDWR);
	show("read /dev/null", read(fd, buf, 100));
	show("write /dev/null 3 MiB", write(fd, buf, big));
	close(fd);

	fd = open("/dev/full", O_RDWR);
	memset(buf, 0x55, 100000);
	show("read /dev/full 100000", read(fd, buf, 100000));
	show("  all zero", all_zero(buf, 100000));
	show("write /dev/full", write(fd, "x", 1));
	show("lseek /dev/full", lseek(fd, 7, SEEK_CUR));
	close(fd);

	fd = open("/dev/urandom", O_RDWR);
	memset(buf, 0, big);
	show("read /dev/urandom 3 MiB", read(fd, buf, big));
	show("  not all zero", !all_zero(buf + big - 4096, 4096));
	show("write /dev/urandom", write(fd, "seed", 4));
	close(fd);
	fd = open("/dev/random", O_RDONLY);
	show("read /dev/random 100000", read(fd, buf, 100000));
	close(fd);
	show("getrandom 1 MiB", getrandom(buf, 1 << 20, 0));
	show("getrandom GRND_NONBLOCK", getrandom(buf, 100, GRND_NONBLOCK));
	show("getrandom bad flags", getrandom(buf, 100, 0x100));

	/* The controlling terminal: none in a test run (ENXIO). */
	fd = open("/dev/tty", O_RDWR);
	show("open /dev/tty", fd < 0 ? -1 : isatty(fd));
	if (fd >= 0)
		close(fd);

	/* /dev/stdin opens standard input's file again: a regular file gets
	 * a new offset, so it reads from the start. */
	char a[8] = "", b[8] = "";
	read(0, a, 4);
	int in = open("/dev/stdin", O_RDONLY);
	show("open /dev/stdin", in < 0 ? -1 : 0);
	read(in, b, 4);
	show("  own offset (same first bytes)", !memcmp(a, b, 4));
	show("  fd 0 offset", lseek(0, 0, SEEK_CUR));
	show("  new offset", lseek(in, 0, SEEK_CUR));
	struct stat s0, s1;
	fstat(0, &s0);
	fstat(in, &s1);
	show("  same file", s0.st_ino == s1.st_ino && s0.st_dev == s1.st_dev);
	close(in);

	int err = open("/dev/stderr", O_WRONLY);
	fstat(2, &s0);
	fstat(err, &s1);
	show("/dev/stderr same file", s0.st_ino == s1.st_ino && s0.st_rdev == s1.st_rdev);
	close(err);

	/* /dev/fd/N of a pipe end: one more reader or writer. */
	int p[2];
	char name[64], got[16] = "";
	pipe(p);
	snprintf(name, sizeof(name), "/dev/fd/%d", p[1]);
	int w2 = open(name, O_WRONLY);
	show("open /dev/fd/<pipe writer>", w2 < 0 ? -1 : 0);
	write(w2, "pipe!", 5);
	snprintf(name, sizeof(name), "/proc/self/fd/%d", p[0]);
	int r2 = open(name, O_RDONLY);
	show("open /proc/self/fd/<pipe reader>", r2 < 0 ? -1 : 0);
	show("  read via the new reader", read(r2, got, sizeof(got) - 1));
	printf("%-36s \"%s\"\n", "  got", got);
	close(p[1]);
	close(w2);
	show("  end of file after both writers", read(p[0], got, 1));
	close(p[0]);
	close(r2);

	/* /dev/fd/N of a regular file: a new offset too. */
	int f = open("devices.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(f, "0123456789", 10);
	snprintf(name, sizeof(name), "/dev/fd/%d", f);
	int f2 = open(name, O_RDONLY);
	show("open /dev/fd/<file>", f2 < 0 ? -1 : 0);
	show("  offset of the original", lseek(f, 0, SEEK_CUR));
	show("  offset of the new one", lseek(f2, 0, SEEK_CUR));
	show("  write through O_RDONLY reopen", write(f2, "x", 1));
	close(f2);
	/* O_TRUNC through the link truncates the file itself. */
	f2 = open(name, O_WRONLY | O_TRUNC);
	fstat(f, &s0);
	show("  size after O_TRUNC reopen", s0.st_size);
	close(f2);
	close(f);
	unlink("devices.tmp");

	/* /dev/fd/N of /dev/null and of a closed descriptor. */
	int nul = open("/dev/null", O_RDONLY);
	snprintf(name, sizeof(name), "/dev/fd/%d", nul);
	int n2 = open(name, O_WRONLY);
	show("open /dev/fd/<dev null> for write", n2 < 0 ? -1 : 0);
	show("  write", write(n2, "abc", 3));
	close(n2);
	close(nul);
	show("open /dev/fd/<closed>", open(name, O_RDONLY));
	show("open /dev/fd/77", open("/dev/fd/77", O_RDONLY));
	show("open /dev/stdin O_NOFOLLOW (a link)", open("/dev/stdin", O_RDONLY | O_NOFOLLOW));

	/* Last: /dev/stdout with O_APPEND lands after what fd 1 wrote (fd 1
	 * would write over it otherwise, its offset does not move). */
	int out = open("/dev/stdout", O_WRONLY | O_APPEND);
	show("open /dev/stdout", out < 0 ? -1 : 0);
	if (out >= 0)
		write(out, "(via /dev/stdout)\n", 18);
	return 0;
}
