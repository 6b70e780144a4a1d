/* mmapshared.c - shared writable file mappings: two mappings and
 * read()/write() see the same bytes, fork shares them, msync, munmap and
 * exit write them back, truncation underneath gives SIGBUS, mprotect to
 * writable, /dev/zero shared, and the errors.  Run it twice with the same
 * scratch directory and print the file with a host tool in between (the
 * e2e test does), so that what reached the file is checked from outside
 * the program too. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static sigjmp_buf env;
static void on_bus(int sig) { siglongjmp(env, sig); }

/* Touch p (read or write); the signal it raised, 0 if none. */
static int touch(volatile char *p, int write)
{
	int sig = sigsetjmp(env, 1);
	if (!sig) {
		if (write)
			*p = 'w';
		else
			(void)*p;
	}
	return sig;
}

static const char *err(void *p)
{
	return p == MAP_FAILED ? strerror(errno) : "mapped";
}

/* What a fresh descriptor reads at off: the bytes as the file has them. */
static char file_at(const char *path, off_t off)
{
	char c = '?';
	int fd = open(path, O_RDONLY);
	if (pread(fd, &c, 1, off) != 1)
		c = '-';
	close(fd);
	return c ? c : '0';
}

int main(void)
{
	const long pg = sysconf(_SC_PAGESIZE);
	const char *path = "shared.dat";
	signal(SIGBUS, on_bus);

	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char *buf = malloc(3 * pg + 100);
	for (long i = 0; i < 3 * pg + 100; i++)
		buf[i] = 'a' + (i / pg);
	write(fd, buf, 3 * pg + 100);

	/* Two mappings of the same pages: one writable, one read-only. */
	char *a = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *b = mmap(NULL, 2 * pg, PROT_READ, MAP_SHARED, fd, 0);
	printf("mapped: %c %c %c, tail %d\n", a[0], a[pg], b[pg + 1], a[3 * pg + 100]);
	a[10] = 'X';
	char c = 0;
	pread(fd, &c, 1, 10);
	printf("mapping write: other mapping %c, read() %c, new descriptor %c\n",
	       b[10], c, file_at(path, 10));

	/* write() and pwrite() land in the mappings. */
	pwrite(fd, "Q", 1, 20);
	lseek(fd, 30, SEEK_SET);
	write(fd, "RS", 2);
	printf("file write: %c %c%c / %c %c%c\n", a[20], a[30], a[31], b[20], b[30], b[31]);

	/* msync: the bytes are in the file, for anyone. */
	a[pg + 5] = 'M';
	printf("msync: %d, file %c\n", msync(a, 2 * pg, MS_SYNC), file_at(path, pg + 5));

	/* A child writes through the inherited mapping and exits. */
	pid_t pid = fork();
	if (pid == 0) {
		a[100] = 'C';
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("fork: parent sees %c, file %c\n", a[100], file_at(path, 100));

	/* munmap writes back. */
	char *m = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 2 * pg);
	m[7] = 'U';
	munmap(m, pg);
	printf("munmap: file %c, other mapping %c\n", file_at(path, 2 * pg + 7), a[2 * pg + 7]);

	/* write() past the end of the file, in the last page: the mapping
	 * sees it; then grow with ftruncate and use the new page. */
	pwrite(fd, "EF", 2, 3 * pg + 100);
	printf("extend: %c%c, page 4 %s", a[3 * pg + 100], a[3 * pg + 101],
	       touch(a + 4 * pg - 1, 0) ? "SIGBUS" : "readable");
	ftruncate(fd, 4 * pg);
	a[4 * pg - 1] = 'G';
	printf(", after ftruncate %c %c\n", a[4 * pg - 1], file_at(path, 4 * pg - 1));

	/* Truncate underneath: the pages past the end are gone (SIGBUS),
	 * the rest of the last page reads as zeros. */
	ftruncate(fd, pg + 10);
	printf("truncate: %c %d, beyond %s, write beyond %s\n", a[pg + 5], a[pg + 20],
	       touch(a + 2 * pg, 0) ? "SIGBUS" : "readable",
	       touch(a + 3 * pg, 1) ? "SIGBUS" : "no signal");

	/* mprotect: writable if the file was opened for writing. */
	char *r = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
	printf("mprotect: %d", mprotect(r, pg, PROT_READ | PROT_WRITE));
	r[1] = 'P';
	printf(" then %c %c\n", a[1], file_at(path, 1));

	/* /dev/zero shared: anonymous memory the child shares. */
	int zfd = open("/dev/zero", O_RDWR);
	char *z = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, zfd, 0);
	if ((pid = fork()) == 0) {
		z[3] = 'Z';
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("/dev/zero: %c\n", z[3] ? z[3] : '0');

	/* Errors. */
	int rfd = open(path, O_RDONLY);
	char *ro = mmap(NULL, pg, PROT_READ, MAP_SHARED, rfd, 0);
	printf("errors: %s", err(mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0)));
	printf(", mprotect %s", mprotect(ro, pg, PROT_READ | PROT_WRITE) ? strerror(errno) : "ok");
	printf(", msync %s", msync(a, pg, MS_SYNC | MS_ASYNC) ? strerror(errno) : "ok");
	printf(", %s", msync(a + 1, pg, MS_SYNC) ? strerror(errno) : "ok");
	munmap(b, 2 * pg);
	printf(", %s\n", msync(b, pg, MS_SYNC) ? strerror(errno) : "ok");

	/* The last write is left to exit: the e2e test reads the file. */
	a[2] = 'Y';
	return 0;
}
