/* files.c - create, write, read back, seek, stat, list and remove files
 * in a scratch directory (argv[1], default "lstar-files.tmp"). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "lstar-files.tmp";
	char path[512], buf[64];
	struct stat st;

	if (mkdir(dir, 0755) != 0) {
		perror("mkdir");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	FILE *f = fopen(path, "w");
	fprintf(f, "line one\nline two\n");
	fclose(f);

	int fd = open(path, O_RDONLY);
	lseek(fd, 5, SEEK_SET);
	ssize_t n = read(fd, buf, 3);
	buf[n] = 0;
	printf("read at 5: %s\n", buf);
	fstat(fd, &st);
	printf("size %lld, regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
	close(fd);

	char to[512];
	snprintf(to, sizeof(to), "%s/b.txt", dir);
	if (rename(path, to) != 0)
		perror("rename");
	printf("old name gone: %d\n", access(path, F_OK) != 0);

	DIR *d = opendir(dir);
	struct dirent *e;
	int count = 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			printf("entry: %s\n", e->d_name), count++;
	closedir(d);

	printf("stat missing: %d\n", stat("/definitely/not/here", &st));
	unlink(to);
	printf("rmdir: %d\n", rmdir(dir));
	return count == 1 ? 0 : 1;
}
