/* args.c - argv, a chosen environment variable, and the auxiliary vector
 * the kernel put on the initial stack. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>

int main(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = %s\n", i, i == 0 ? "(program)" : argv[i]);
	const char *v = getenv("LSTAR_TEST_VAR");
	printf("LSTAR_TEST_VAR = %s\n", v ? v : "(unset)");
	printf("AT_PAGESZ = %lu\n", getauxval(AT_PAGESZ));
	printf("AT_RANDOM set: %d\n", getauxval(AT_RANDOM) != 0);
	printf("AT_PHNUM > 0: %d\n", getauxval(AT_PHNUM) > 0);
	return argc;
}
