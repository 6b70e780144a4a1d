/* mmapfile.c - file mappings as ld.so and programs use them: offsets, the
 * zero tail of the last page, private copies on write (the file and other
 * mappings unchanged), MAP_FIXED over a reservation, mprotect, shared
 * read-only mappings, a file that changes between two mmaps, SIGBUS past
 * the end of the file, and the errors. */
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

static void fill(const char *path, size_t n, char base)
{
	FILE *f = fopen(path, "w");
	for (size_t i = 0; i < n; i++)
		fputc(base + (i / 4096) % 26, f);
	fclose(f);
}

int main(void)
{
	const long pg = sysconf(_SC_PAGESIZE);
	fill("mm.dat", 3 * pg + 100, 'a');	/* pages a, b, c and 100 bytes of d */
	int fd = open("mm.dat", O_RDONLY);

	/* An offset, and the zeroed tail of the last page. */
	char *p = mmap(NULL, 2 * pg, PROT_READ, MAP_PRIVATE, fd, 2 * pg);
	printf("offset: %c %c, tail %d %d\n", p[0], p[pg], p[pg + 99], p[pg + 100]);

	/* Private writes: a copy; the file and a second mapping keep theirs. */
	char *w = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char *r = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0);
	w[0] = 'X';
	char c;
	pread(fd, &c, 1, 0);
	printf("private: written %c, other mapping %c, file %c\n", w[0], r[0], c);

	/* After fork, the child's write is its own. */
	pid_t pid = fork();
	if (pid == 0) {
		w[1] = 'Y';
		_exit(w[1] == 'Y' ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("fork: child %d, parent sees %c\n", WEXITSTATUS(st), w[1]);

	/* ld.so's way: reserve the span, then map pieces over it. */
	char *res = mmap(NULL, 4 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
	char *fix = mmap(res + pg, pg, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, fd, 2 * pg);
	char *anon = mmap(res + 2 * pg, 2 * pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
	printf("fixed: %d %c %c %d\n", fix == res + pg, res[0], res[pg], anon[5]);
	printf("mprotect: %d", mprotect(res, pg, PROT_READ | PROT_WRITE));
	res[0] = 'Z';
	printf(" then %c, file still %c\n", res[0], r[0]);

	/* Shared and read-only: the file's bytes; never writable. */
	char *s = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, pg);
	printf("shared: %c, PROT_WRITE %s\n", s[0],
	       mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED ?
	       strerror(errno) : "mapped");

	/* A page wholly past the end of the file: SIGBUS. */
	signal(SIGBUS, on_bus);
	char *big = mmap(NULL, 8 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
	volatile char v = 0;
	int sig = sigsetjmp(env, 1);
	if (!sig)
		v = big[5 * pg];
	printf("past the end: %s%c\n", sig == SIGBUS ? "SIGBUS" : "no signal", v ? '!' : '.');

	/* The file changes: a new mapping sees the new bytes, the old one
	 * may not (it is private), but must still read. */
	fill("mm.dat", 3 * pg + 100, 'k');
	char *n = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0);
	printf("changed: new mapping %c\n", n[0]);

	/* Errors. */
	printf("errors: %s", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, 99, 0) == MAP_FAILED ?
	       strerror(errno) : "mapped");
	printf(", %s", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 1) == MAP_FAILED ?
	       strerror(errno) : "mapped");
	int wfd = open("mm.dat", O_WRONLY);
	printf(", %s", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, wfd, 0) == MAP_FAILED ?
	       strerror(errno) : "mapped");
	int dfd = open(".", O_RDONLY);
	printf(", %s\n", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, dfd, 0) == MAP_FAILED ?
	       strerror(errno) : "mapped");
	unlink("mm.dat");
	return 0;
}
