/* filecalls.c - file system calls real programs use beyond open/read/
 * write: creat, truncate, fallocate, the vector calls at an offset
 * (preadv, pwritev, preadv2, pwritev2 with RWF_APPEND), copy_file_range,
 * utime/utimes/futimesat, close_range, mlock and friends, personality,
 * capget, sync_file_range, and their errors.  Compared with a native run. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>
#include <utime.h>

/* Called through syscall(): not every C library wraps them. */
#define RWF_APPEND_	0x10
#define CLOSE_RANGE_CLOEXEC_	4
#define FALLOC_FL_KEEP_SIZE_	1
struct cap_header { unsigned int version; int pid; };
struct cap_data { unsigned int effective, permitted, inheritable; };

static const char *e(long r)
{
	return r < 0 ? strerror(errno) : "ok";
}

static long size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) ? -1 : (long)st.st_size;
}

static void show(const char *what, const char *path)
{
	char buf[64] = { 0 };
	int fd = open(path, O_RDONLY);
	long n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	for (long i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = '.';
	printf("%s: %ld bytes \"%s\"\n", what, n, buf);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);

	/* creat truncates an existing file and opens it write-only. */
	int fd = creat("f.txt", 0644);
	write(fd, "hello world", 11);
	close(fd);
	fd = creat("f.txt", 0644);
	char c;
	printf("creat: size %ld, read %s\n", size_of("f.txt"), e(read(fd, &c, 1)));
	write(fd, "abcdefghij", 10);
	close(fd);

	/* truncate by name, both ways; fallocate grows, KEEP_SIZE does not. */
	printf("truncate: %s", e(truncate("f.txt", 4)));
	printf(" %ld", size_of("f.txt"));
	printf(", %s", e(truncate("f.txt", 8)));
	printf(" %ld", size_of("f.txt"));
	printf(", %s", e(truncate("nonexistent", 1)));
	printf(" %s", e(truncate(".", 1)));
	printf(" %s\n", e(truncate("f.txt", -1)));
	fd = open("f.txt", O_RDWR);
	printf("fallocate: %s", e(fallocate(fd, 0, 0, 20)));
	printf(" %ld", size_of("f.txt"));
	printf(", keep size %s", e(fallocate(fd, FALLOC_FL_KEEP_SIZE_, 0, 100)));
	printf(" %ld", size_of("f.txt"));
	printf(", %s", e(fallocate(fd, 0, -1, 5)));
	printf(" %s\n", e(fallocate(fd, 0, 0, 0)));
	show("after fallocate", "f.txt");

	/* Vector I/O at an offset leaves the file offset alone. */
	struct iovec w[2] = { { "12", 2 }, { "345", 3 } };
	lseek(fd, 1, SEEK_SET);
	long n = pwritev(fd, w, 2, 6);
	printf("pwritev: %ld, offset %ld\n", n, (long)lseek(fd, 0, SEEK_CUR));
	char a[3] = { 0 }, b[4] = { 0 };
	struct iovec r[2] = { { a, 2 }, { b, 3 } };
	n = preadv(fd, r, 2, 5);
	printf("preadv: %ld \"%s\" \"%s\"\n", n, a, b);
	n = syscall(SYS_preadv2, fd, r, 1, -1L, 0L, 0);
	printf("preadv2 at -1: %ld \"%s\", offset %ld\n", n, a, (long)lseek(fd, 0, SEEK_CUR));
	struct iovec app = { "END", 3 };
	n = syscall(SYS_pwritev2, fd, &app, 1, 0L, 0L, RWF_APPEND_);
	printf("pwritev2 RWF_APPEND: %ld, size %ld, offset %ld\n", n, size_of("f.txt"),
	       (long)lseek(fd, 0, SEEK_CUR));
	printf("pwritev2 bad flag: %s", e(syscall(SYS_pwritev2, fd, &app, 1, 0L, 0L, 0x4000)));
	printf(", preadv bad offset: %s\n", e(preadv(fd, r, 1, -5)));
	show("after vectors", "f.txt");

	/* copy_file_range with and without offsets, and on overlap. */
	int out = open("g.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
	long in_off = 2, out_off = 0;
	n = syscall(SYS_copy_file_range, fd, &in_off, out, &out_off, 5L, 0);
	printf("copy_file_range: %ld offsets %ld %ld", n, in_off, out_off);
	lseek(fd, 0, SEEK_SET);
	printf(", %ld", (long)syscall(SYS_copy_file_range, fd, NULL, out, NULL, 3L, 0));
	in_off = 0, out_off = 2;
	printf(", overlap %s", e(syscall(SYS_copy_file_range, fd, &in_off, fd, &out_off, 5L, 0)));
	printf(", flags %s\n", e(syscall(SYS_copy_file_range, fd, NULL, out, NULL, 1L, 1)));
	show("copied", "g.txt");
	close(out);

	/* utime, utimes, futimesat set the times the stat shows. */
	struct utimbuf ub = { 1000000000, 1100000000 };
	struct stat st;
	utime("f.txt", &ub);
	stat("f.txt", &st);
	printf("utime: %ld %ld\n", (long)st.st_atime, (long)st.st_mtime);
	struct timeval tv[2] = { { 1200000000, 500000 }, { 1300000000, 250000 } };
	utimes("f.txt", tv);
	stat("f.txt", &st);
	printf("utimes: %ld.%09ld %ld.%09ld\n", (long)st.st_atime, st.st_atim.tv_nsec,
	       (long)st.st_mtime, st.st_mtim.tv_nsec);
	tv[1].tv_usec = 2000000;
	printf("utimes bad usec: %s", e(utimes("f.txt", tv)));
	printf(", futimesat: %s\n", e(syscall(SYS_futimesat, AT_FDCWD, "nonexistent", NULL)));

	/* close_range: mark close-on-exec, then close. */
	int d1 = dup(fd), d2 = dup(fd);
	printf("close_range cloexec: %s", e(syscall(SYS_close_range, d1, d2, CLOSE_RANGE_CLOEXEC_)));
	printf(", flags %d %d", fcntl(d1, F_GETFD), fcntl(d2, F_GETFD));
	printf(", close: %s", e(syscall(SYS_close_range, d1, ~0u, 0)));
	printf(", %s", e(fcntl(d1, F_GETFD)));
	printf(", bad: %s", e(syscall(SYS_close_range, 5, 4, 0)));
	printf(" %s\n", e(syscall(SYS_close_range, 3, 4, 0x80)));

	/* mlock: a mapped range is fine, a hole is ENOMEM. */
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mlock: %s", e(mlock(p, 100)));
	printf(" %s", e(munlock(p, 8192)));
	printf(" %s", e(syscall(SYS_mlock2, p, 4096L, 0)));
	munmap(p + 4096, 4096);
	printf(", hole %s", e(mlock(p, 8192)));
	printf(" %s", e(munlock(p, 8192)));
	printf(", bad flags %s", e(syscall(SYS_mlock2, p, 4096L, 8)));
	printf(" %s\n", e(mlockall(0)));

	/* personality: asked, set, asked again. */
	int old = personality(0xffffffff);
	personality(PER_LINUX | ADDR_NO_RANDOMIZE);
	printf("personality: %#x then %#x\n", old, personality(0xffffffff));
	personality(old);

	/* capget: the version handshake. */
	struct cap_header h = { 0x1234, 0 };
	struct cap_data cd[2];
	long rr = syscall(SYS_capget, &h, NULL);
	printf("capget probe: %ld version %#x", rr, h.version);
	h.pid = 0;
	printf(", v3 %s", e(syscall(SYS_capget, &h, cd)));
	h.pid = -3;
	printf(", pid -3 %s\n", e(syscall(SYS_capget, &h, cd)));

	printf("sync_file_range: %s", e(sync_file_range(fd, 0, 0, 0)));
	printf(" %s\n", e(sync_file_range(fd, 0, 0, 8)));
	close(fd);
	unlink("f.txt");
	unlink("g.txt");
	return 0;
}
