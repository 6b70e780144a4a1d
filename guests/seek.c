/* seek.c - file offsets: lseek with SEEK_SET/CUR/END (and DATA/HOLE), its
 * errors, and who shares an offset: descriptors made by dup/dup2/F_DUPFD
 * and a forked child share one, two open()s of the same file do not;
 * O_APPEND (from open or F_SETFL) writes at the end whatever the offset.
 * Every result is printed, so a native run and an lstar run compare line
 * by line.  Works in the current directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%-34s -1 errno %d (%s)\n", what, errno, strerror(errno));
	else
		printf("%-34s %ld\n", what, r);
}

static long pos(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

static void readat(const char *what, int fd, size_t n)
{
	char buf[64];
	ssize_t r = read(fd, buf, n < sizeof(buf) ? n : sizeof(buf) - 1);
	if (r < 0) {
		show(what, r);
		return;
	}
	buf[r] = 0;
	printf("%-34s \"%s\" (pos %ld)\n", what, buf, pos(fd));
}

static void contents(const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r < 0)
		r = 0;
	buf[r] = 0;
	for (ssize_t i = 0; i < r; i++)
		if (buf[i] == 0)
			buf[i] = '.';
	printf("%-34s \"%s\" (%zd bytes)\n", path, buf, r);
}

int main(void)
{
	const char *path = "seek.tmp";
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	show("write 26", write(fd, "abcdefghijklmnopqrstuvwxyz", 26));

	/* The three classic origins, moving forwards and backwards. */
	show("SEEK_SET 3", lseek(fd, 3, SEEK_SET));
	readat("read 2", fd, 2);
	show("SEEK_CUR +4", lseek(fd, 4, SEEK_CUR));
	readat("read 1", fd, 1);
	show("SEEK_CUR -3", lseek(fd, -3, SEEK_CUR));
	readat("read 3", fd, 3);
	show("SEEK_CUR 0", lseek(fd, 0, SEEK_CUR));
	show("SEEK_CUR +1 (x5)", (lseek(fd, 1, SEEK_CUR), lseek(fd, 1, SEEK_CUR),
				  lseek(fd, 1, SEEK_CUR), lseek(fd, 1, SEEK_CUR),
				  lseek(fd, 1, SEEK_CUR)));
	readat("read 1", fd, 1);
	show("SEEK_END 0", lseek(fd, 0, SEEK_END));
	show("SEEK_END -5", lseek(fd, -5, SEEK_END));
	readat("read 10", fd, 10);
	readat("read at end", fd, 10);

	/* Errors: a negative result, an unknown origin, a pipe. */
	show("SEEK_SET -1", lseek(fd, -1, SEEK_SET));
	show("SEEK_CUR -1000", lseek(fd, -1000, SEEK_CUR));
	show("SEEK_END -27", lseek(fd, -27, SEEK_END));
	show("whence 7", lseek(fd, 0, 7));
	show("pos unchanged", pos(fd));
	show("bad fd", lseek(99, 0, SEEK_SET));
	int p[2];
	pipe(p);
	show("pipe SEEK_CUR", lseek(p[0], 0, SEEK_CUR));
	close(p[0]);
	close(p[1]);

	/* Past the end: a hole of zeros, then SEEK_DATA / SEEK_HOLE. */
	show("SEEK_END +4", lseek(fd, 4, SEEK_END));
	show("write 2", write(fd, "!!", 2));
	struct stat st;
	fstat(fd, &st);
	show("size", st.st_size);
	show("SEEK_DATA 0", lseek(fd, 0, SEEK_DATA));
	show("SEEK_HOLE 0", lseek(fd, 0, SEEK_HOLE));
	show("SEEK_DATA past end", lseek(fd, 100, SEEK_DATA));
	contents(path);

	/* dup, dup2, F_DUPFD: one open file, one offset. */
	int d = dup(fd);
	lseek(fd, 2, SEEK_SET);
	show("dup sees the offset", pos(d));
	lseek(d, 5, SEEK_CUR);
	show("and moves it", pos(fd));
	readat("read via dup", d, 3);
	show("original follows", pos(fd));
	show("dup2 -> 10", dup2(fd, 10));
	show("SEEK_CUR +2 via 10", lseek(10, 2, SEEK_CUR));
	show("seen via fd", pos(fd));
	int f = fcntl(fd, F_DUPFD, 20);
	show("F_DUPFD >= 20", f >= 20);
	show("SEEK_SET 1 via F_DUPFD", lseek(f, 1, SEEK_SET));
	show("seen via dup", pos(d));
	close(fd);
	show("after close, dup still", pos(d));
	fd = d;

	/* dup2 over an open descriptor replaces its file (and offset). */
	int other = open(path, O_RDONLY);
	lseek(other, 20, SEEK_SET);
	show("dup2 over other", dup2(fd, other) == other);
	show("other now has fd's offset", pos(other));
	close(other);

	/* Two open()s: two files, two offsets. */
	int a = open(path, O_RDONLY), b = open(path, O_RDONLY);
	lseek(a, 7, SEEK_SET);
	show("second open not moved", pos(b));
	readat("read via a", a, 2);
	readat("read via b", b, 2);
	close(a);
	close(b);

	/* A forked child shares the parent's open files. */
	lseek(fd, 0, SEEK_SET);
	pid_t c = fork();
	if (c == 0) {
		char x[4];
		read(fd, x, 4);
		lseek(fd, 6, SEEK_CUR);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	show("after the child read 4, +6", pos(fd));
	close(fd);

	/* O_APPEND: every write goes to the end, then the offset is there. */
	int ap = open(path, O_WRONLY | O_APPEND);
	show("append open pos", pos(ap));
	lseek(ap, 0, SEEK_SET);
	show("write 3 (append)", write(ap, "END", 3));
	show("pos after append", pos(ap));
	show("pwrite at 0 (append)", pwrite(ap, "P", 1, 0));
	show("pos after pwrite", pos(ap));
	contents(path);
	close(ap);

	/* O_APPEND switched on and off with F_SETFL. */
	int w = open(path, O_WRONLY);
	lseek(w, 1, SEEK_SET);
	show("write 1 (no append)", write(w, "#", 1));
	show("F_SETFL O_APPEND", fcntl(w, F_SETFL, O_APPEND));
	show("F_GETFL has O_APPEND", !!(fcntl(w, F_GETFL) & O_APPEND));
	lseek(w, 0, SEEK_SET);
	show("write 1 (append)", write(w, "$", 1));
	show("pos", pos(w));
	show("F_SETFL 0", fcntl(w, F_SETFL, 0));
	lseek(w, 0, SEEK_SET);
	show("write 1 (no append again)", write(w, "^", 1));
	show("pos", pos(w));
	contents(path);
	close(w);

	/* A file written through stdio and read back after fseek. */
	FILE *fp = fopen(path, "r+");
	fseek(fp, -3, SEEK_END);
	char tail[8] = "";
	fread(tail, 1, 3, fp);
	printf("%-34s \"%s\" ftell %ld\n", "fseek -3 END", tail, ftell(fp));
	fseek(fp, 10, SEEK_SET);
	fputs("<>", fp);
	printf("%-34s %ld\n", "ftell after fputs", ftell(fp));
	fclose(fp);
	contents(path);

	/* ftruncate: the offset stays where it was. */
	fd = open(path, O_RDWR);
	lseek(fd, 12, SEEK_SET);
	show("ftruncate 5", ftruncate(fd, 5));
	show("pos kept", pos(fd));
	show("SEEK_END 0", lseek(fd, 0, SEEK_END));
	close(fd);
	unlink(path);
	return 0;
}
