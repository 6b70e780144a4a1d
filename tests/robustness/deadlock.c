/* deadlock.c - two processes that each wait for the other to write to a
 * pipe: nothing can ever happen again.  lstar's kernel must say so and
 * stop (status 125) instead of hanging. */
#include <unistd.h>
int main(void)
{
	int p[2];
	char c;
	if (pipe(p))
		return 1;
	if (fork() == 0)
		return read(p[0], &c, 1) == 1 ? 0 : 2;
	return read(p[0], &c, 1) == 1 ? 0 : 2;
}
