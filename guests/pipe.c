/* pipe.c - a pipe, dup2 and the clock: write into a pipe, read it back
 * through a duplicated descriptor, time it. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	int fds[2];
	char buf[32] = {0};
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	if (pipe(fds))
		return 1;
	write(fds[1], "through the pipe", 16);
	close(fds[1]);
	dup2(fds[0], 10);
	read(10, buf, sizeof(buf) - 1);
	printf("%s, then eof: %zd\n", buf, read(10, buf, 1));
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("clock moves forward: %d\n",
	       b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
	return 0;
}
