/* fault.c - die of a chosen fault: segv (NULL write), ill (UD2),
 * fpe (divide by zero), trap (INT3), abort.  The shell-visible status is
 * 128 + the signal number, under lstar as natively. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "segv";
	printf("about to %s\n", what);
	fflush(stdout);
	if (!strcmp(what, "segv"))
		*(volatile int *)0 = 1;
	else if (!strcmp(what, "ill"))
		__asm__ volatile("ud2");
	else if (!strcmp(what, "fpe"))
		/* In assembly: C lets the compiler assume the divisor is not 0. */
		__asm__ volatile("xorl %%ecx, %%ecx; divl %%ecx" : : : "eax", "ecx", "edx");
	else if (!strcmp(what, "trap"))
		__asm__ volatile("int3");
	else if (!strcmp(what, "abort"))
		abort();
	return 0;
}
