/* system.c - a static program calling system(3): the C library forks (or
 * vforks) and execs /bin/sh, which on most systems is a dynamically
 * linked program (Debian's dash): the guest kernel loads its ld.so. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int st = system("echo hi");
	printf("system: status %d, exited %d with %d\n", st, WIFEXITED(st), WEXITSTATUS(st));
	st = system("x=$(echo sub); echo \"$x $((6 * 7))\"; exit 3");
	printf("system: exited with %d\n", WEXITSTATUS(st));
	printf("system(NULL): %d\n", system(NULL) != 0);
	return 0;
}
